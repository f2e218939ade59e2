"""Figures of ``chinchilla_fit`` (specs/scaling_laws.md §6, figures 7–12). Reads results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from experiments.common.plotting import save_figure
from theory.scaling_chinchilla import EPOCH_2024, HOFFMANN_TABLE2, KAPLAN_2020

FIGURES = ("isoflop_fit", "residuals", "parameter_uncertainty", "compute_optimal",
           "mean_vs_sum", "recovery")
SET_LABELS = {"refit": "this refit", "epoch": "Epoch 2024 (published)",
              "hoffmann_unrounded": "Hoffmann un-rounded", "hoffmann_rounded": "Hoffmann rounded"}
DATA_NOTE = "Epoch's digitised points of Hoffmann et al. Fig. 4 (left)"


def _loss(params: dict[str, float], N: np.ndarray, D: np.ndarray) -> np.ndarray:
    return params["E"] + params["A"] * N ** -params["alpha"] + params["B"] * D ** -params["beta"]


def _isoflop(metrics: dict[str, Any], arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    N, C, loss, keep = arrays["N"], arrays["C"], arrays["loss"], arrays["keep"].astype(bool)
    fig, ax = plt.subplots(figsize=(7, 4.8))
    norm = LogNorm(C.min(), C.max())
    sc = ax.scatter(N[keep], loss[keep], c=C[keep], norm=norm, cmap="viridis", s=14,
                    label="runs used (240)")
    ax.scatter(N[~keep], loss[~keep], c=C[~keep], norm=norm, cmap="viridis", marker="x", s=30,
               label="dropped outliers (5)")
    sets = metrics["parameter_sets"]
    n_grid = np.logspace(np.log10(N.min()) - 0.2, np.log10(N.max()) + 0.2, 200)
    for budget in 10.0 ** np.arange(18.5, 21.6, 0.5):
        colour = plt.get_cmap("viridis")(norm(budget))
        ax.plot(n_grid, _loss(sets["refit"], n_grid, budget / (6 * n_grid)), color=colour)
        ax.plot(n_grid, _loss(sets["hoffmann_unrounded"], n_grid, budget / (6 * n_grid)),
                color=colour, ls="--", lw=1)
    ax.plot([], [], color="k", label="refit L̂(N, C/6N)")
    ax.plot([], [], color="k", ls="--", lw=1, label="Hoffmann un-rounded")
    ax.set(xscale="log", xlabel="parameters N", ylabel="final loss L (nats)", ylim=(1.9, 5.2),
           title=f"IsoFLOP profiles, C = 10^18.5 … 10^21.5 FLOP\n({DATA_NOTE})")
    fig.colorbar(sc, ax=ax, label="training compute C (FLOP)")
    ax.legend(fontsize=8, loc="upper right")
    save_figure(fig, figure_dir, "isoflop_fit")


def _residuals(metrics: dict[str, Any], arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    keep = arrays["keep"].astype(bool)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, name in zip(axes, ("refit", "hoffmann_unrounded", "hoffmann_rounded"), strict=True):
        q = metrics["fit_quality"][name]
        ax.scatter(arrays["C"][keep], arrays[f"residual_{name}"][keep], s=8)
        ax.axhline(0, color="k", lw=0.8)
        ax.set(xscale="log", xlabel="training compute C (FLOP)",
               title=f"{SET_LABELS[name]}\nRMSE {q['rmse']:.4f}, mean {q['mean']:+.4f}")
    axes[0].set_ylabel("observed − predicted loss (nats)")
    fig.suptitle(f"Residuals on the 240 points ({DATA_NOTE})", fontsize=9)
    save_figure(fig, figure_dir, "residuals")


def _uncertainty(metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                 figure_dir: Path) -> None:
    boot, post = arrays["bootstrap_theta"], arrays["posterior"]
    boot_q = {"alpha": boot[:, 3], "beta": boot[:, 4], "E": np.exp(boot[:, 2]),
              "a_opt": boot[:, 4] / (boot[:, 3] + boot[:, 4])}
    post_q = {"alpha": post[:, 0], "beta": post[:, 1], "E": post[:, 2], "a_opt": post[:, 5]}
    sets = metrics["parameter_sets"]
    symbols = {"alpha": "α", "beta": "β", "E": "E", "a_opt": "a = β/(α+β)"}
    fig, axes = plt.subplots(1, 4, figsize=(14, 4.0), layout="constrained")
    for ax, key in zip(axes, symbols, strict=True):
        ax.hist(boot_q[key], bins=30, density=True, alpha=0.5,
                label=f"bootstrap ({boot.shape[0]} resamples)")
        ax.hist(post_q[key], bins=40, density=True, histtype="step", lw=1.5,
                label="posterior (NUTS, Student-t)")
        if key in EPOCH_2024["ci95"]:
            ax.axvspan(*EPOCH_2024["ci95"][key], color="grey", alpha=0.2,
                       label="Epoch 95% CI")
        ax.axvline(sets["hoffmann_unrounded"][key], color="C3", ls="--",
                   label="Hoffmann un-rounded")
        ax.axvline(sets["hoffmann_rounded"][key], color="C3", ls=":", label="Hoffmann rounded")
        if key == "a_opt":
            ax.axvline(HOFFMANN_TABLE2["approach_3"]["a"][0], color="C4", ls="-.",
                       label="Hoffmann Table 2 (0.46)")
        ax.set(xlabel=symbols[key], ylabel="density")
    handles, labels = axes[0].get_legend_handles_labels()
    extra_h, extra_l = axes[3].get_legend_handles_labels()
    handles += [h for h, lab in zip(extra_h, extra_l, strict=True) if "Table 2" in lab]
    labels += [lab for lab in extra_l if "Table 2" in lab]
    fig.legend(handles, labels, loc="outside lower center", ncol=6, fontsize=8)
    fig.suptitle(f"Parameter uncertainty ({DATA_NOTE})", fontsize=9)
    save_figure(fig, figure_dir, "parameter_uncertainty")


def _compute_optimal(metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                     figure_dir: Path) -> None:
    C = arrays["compute_grid"]
    names = [str(n) for n in arrays["curve_sets"]]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.5))
    lo_n, hi_n = np.quantile(arrays["boot_N_opt"], [0.025, 0.975], axis=0)
    lo_d, hi_d = np.quantile(arrays["boot_D_opt"], [0.025, 0.975], axis=0)
    ax.fill_between(C, lo_n, hi_n, color="C0", alpha=0.2, label="refit N_opt, bootstrap 95%")
    ax.fill_between(C, lo_d, hi_d, color="C1", alpha=0.2, label="refit D_opt, bootstrap 95%")
    styles = {"refit": "-", "epoch": ":", "hoffmann_unrounded": "--"}
    for i, name in enumerate(names):
        if name not in styles:
            continue
        ax.plot(C, arrays["curve_N_opt"][i], color="C0", ls=styles[name],
                label=f"N_opt, {SET_LABELS[name]}")
        ax.plot(C, arrays["curve_D_opt"][i], color="C1", ls=styles[name],
                label=f"D_opt, {SET_LABELS[name]}")
        bx.plot(C, arrays["curve_D_opt"][i] / arrays["curve_N_opt"][i], color="k",
                ls=styles[name], label=SET_LABELS[name])
    refit = names.index("refit")
    anchor = np.interp(21.0, np.log10(C), np.log10(arrays["curve_N_opt"][refit]))
    ax.plot(C, 10 ** anchor * (C / 1e21) ** KAPLAN_2020["a"], color="C2", ls="-.",
            label="Kaplan N ∝ C^0.73 (anchored at 1e21)")
    ratio = arrays["boot_D_opt"] / arrays["boot_N_opt"]
    bx.fill_between(C, *np.quantile(ratio, [0.025, 0.975], axis=0), color="grey", alpha=0.25,
                    label="refit, bootstrap 95%")
    bx.axhline(20, color="C3", lw=0.8, label="20 tokens/parameter")
    ax.set(xscale="log", yscale="log", xlabel="compute C (FLOP)", ylabel="N_opt, D_opt",
           title="Compute-optimal allocation (C = 6ND)")
    bx.set(xscale="log", yscale="log", xlabel="compute C (FLOP)", ylabel="D_opt / N_opt",
           title="Tokens per parameter")
    ax.legend(fontsize=7)
    bx.legend(fontsize=7)
    save_figure(fig, figure_dir, "compute_optimal")


def _mean_vs_sum(metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                 figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    labels = {"mean_defaults": "mean, SciPy defaults", "sum_defaults": "sum, SciPy defaults",
              "mean_tight": "mean, ftol 1e-15, gtol 1e-12", "bfgs_sum": "sum, SciPy BFGS"}
    for name, label in labels.items():
        trace = arrays[f"trace_{name}"]
        ax.plot(np.arange(trace.size), trace, marker="o", ms=3, label=label)
    ax.axhline(metrics["fit"]["objective"], color="k", ls="--", lw=0.8,
               label=f"optimum J = {metrics['fit']['objective']:.8e}")
    ax.set(xscale="symlog", yscale="log", xlabel="iteration",
           ylabel="summed Huber objective J",
           title="L-BFGS-B from Hoffmann's un-rounded values: mean vs sum")
    ax.legend(fontsize=8)
    save_figure(fig, figure_dir, "mean_vs_sum")


def _recovery(metrics: dict[str, Any], arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    keys = ("alpha", "beta", "E", "log_A", "log_B", "a_opt")
    symbols = {"alpha": "α̂ − α", "beta": "β̂ − β", "E": "Ê − E", "log_A": "log Â − log A",
               "log_B": "log B̂ − log B", "a_opt": "â − a"}
    fig, axes = plt.subplots(1, 6, figsize=(15, 3.6))
    rng = np.random.default_rng(0)  # jitter of the strip plot only
    for ax, key in zip(axes, keys, strict=True):
        for i, name in enumerate(("epoch", "hoffmann_unrounded")):
            rec = metrics["recovery"][name]
            errors = np.asarray(rec["errors"][key])
            ax.scatter(i + rng.uniform(-0.15, 0.15, errors.size), errors, s=10, color=f"C{i}")
            sd = rec["sd"][key]
            ax.fill_between([i - 0.3, i + 0.3], -2 * sd, 2 * sd, color=f"C{i}", alpha=0.15)
        ax.axhline(0, color="k", lw=0.8)
        ax.set(xticks=[0, 1], xticklabels=["Epoch\ntruth", "Hoffmann\ntruth"], title=symbols[key])
    axes[0].set_ylabel("estimate − truth (bands: ±2 SD over replicates)")
    fig.suptitle("Synthetic recovery, Laplace(0, 4.7e-3) noise on log L, 240 design points",
                 fontsize=9)
    save_figure(fig, figure_dir, "recovery")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    _isoflop(metrics, arrays, figure_dir)
    _residuals(metrics, arrays, figure_dir)
    _uncertainty(metrics, arrays, figure_dir)
    _compute_optimal(metrics, arrays, figure_dir)
    _mean_vs_sum(metrics, arrays, figure_dir)
    _recovery(metrics, arrays, figure_dir)
