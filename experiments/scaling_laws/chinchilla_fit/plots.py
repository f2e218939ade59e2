"""Figures of ``chinchilla_fit`` (specs/scaling_laws.md §6, figures 7–12). Reads results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from experiments.common.plotting import save_figure
from experiments.scaling_laws.chinchilla_fit.claims.targets import RECOVERY_LIMITS
from experiments.scaling_laws.shared.plot_style import figure_legend, status_legend, trim_ticks
from theory.scaling_chinchilla import EPOCH_2024, HOFFMANN_TABLE2, KAPLAN_2020

FIGURES = ("isoflop_fit", "residuals", "parameter_uncertainty", "compute_optimal",
           "mean_vs_sum", "recovery")
SET_LABELS = {"refit": "this refit", "epoch": "Epoch 2024 (published)",
              "hoffmann_unrounded": "Hoffmann un-rounded", "hoffmann_rounded": "Hoffmann rounded"}
DATA_NOTE = "Epoch's digitised points of Hoffmann et al. Fig. 4 (left)"
LIKELIHOOD_NAMES = {"studentt": "Student-t", "laplace": "Laplace", "huber": "Huber"}
NOPT, DOPT = r"$N_{\mathrm{opt}}$", r"$D_{\mathrm{opt}}$"


def _loss(params: dict[str, float], N: np.ndarray, D: np.ndarray) -> np.ndarray:
    return params["E"] + params["A"] * N ** -params["alpha"] + params["B"] * D ** -params["beta"]


def _isoflop(metrics: dict[str, Any], arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    N, C, loss, keep = arrays["N"], arrays["C"], arrays["loss"], arrays["keep"].astype(bool)
    fig, ax = plt.subplots(figsize=(7, 4.8))
    norm = LogNorm(C.min(), C.max())
    sc = ax.scatter(N[keep], loss[keep], c=C[keep], norm=norm, cmap="viridis", s=14,
                    label=f"runs used ({int(keep.sum())})")
    if (~keep).any():
        ax.scatter(N[~keep], loss[~keep], c=C[~keep], norm=norm, cmap="viridis", marker="x",
                   s=30, label=f"dropped outliers ({int((~keep).sum())})")
    sets = metrics["parameter_sets"]
    n_grid = np.logspace(np.log10(N.min()) - 0.2, np.log10(N.max()) + 0.2, 200)
    for budget in 10.0 ** np.arange(18.5, 21.6, 0.5):
        colour = plt.get_cmap("viridis")(norm(budget))
        ax.plot(n_grid, _loss(sets["refit"], n_grid, budget / (6 * n_grid)), color=colour)
        ax.plot(n_grid, _loss(sets["hoffmann_unrounded"], n_grid, budget / (6 * n_grid)),
                color=colour, ls="--", lw=1)
    ax.plot([], [], color="k", label=r"this refit, $\hat L(N, C/6N)$")
    ax.plot([], [], color="k", ls="--", lw=1, label="Hoffmann un-rounded parameters")
    ax.set(xscale="log", xlabel="parameters N", ylabel="final loss L (nats)", ylim=(1.9, 5.2),
           title=r"IsoFLOP profiles, curves at $C = 10^{18.5}, 10^{19}, \ldots, 10^{21.5}$ FLOP"
                 f"\n({DATA_NOTE})")
    fig.colorbar(sc, ax=ax, label="training compute C (FLOP)")
    figure_legend(fig, [ax], {"data_outliers": "240 points kept",
                              "refit_matches_epoch": "refit = Epoch's fit"}, ncol=2)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "isoflop_fit")


def _residuals(metrics: dict[str, Any], arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    keep = arrays["keep"].astype(bool)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, name in zip(axes, ("refit", "hoffmann_unrounded", "hoffmann_rounded"), strict=True):
        q = metrics["fit_quality"][name]
        ax.scatter(arrays["C"][keep], arrays[f"residual_{name}"][keep], s=8)
        ax.axhline(0, color="k", lw=0.8)
        ax.set(xscale="log", xlabel="training compute C (FLOP)",
               title=f"{SET_LABELS[name]}\nRMSE {q['rmse']:.4f}, mean "
                     + f"{q['mean']:+.4f}".replace("-", "−"))
    axes[0].set_ylabel("observed − predicted loss (nats)")
    fig.suptitle(f"Residuals on the {int(keep.sum())} points kept ({DATA_NOTE})", fontsize=9)
    status_legend(fig, {"fit_quality": "RMSE and mean residuals"})
    trim_ticks(fig)
    save_figure(fig, figure_dir, "residuals")


def _uncertainty(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
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
                label=f"posterior (NUTS, {LIKELIHOOD_NAMES.get(config['likelihood'], '')} "
                      "likelihood)")
        if key in EPOCH_2024["ci95"]:
            ax.axvspan(*EPOCH_2024["ci95"][key], color="grey", alpha=0.2,
                       label="Epoch 2024, 95 % CI")
        ax.axvline(sets["hoffmann_unrounded"][key], color="C3", ls="--",
                   label="Hoffmann un-rounded")
        ax.axvline(sets["hoffmann_rounded"][key], color="C3", ls=":", label="Hoffmann rounded")
        if key == "a_opt":
            ax.axvline(HOFFMANN_TABLE2["approach_3"]["a"][0], color="C4", ls="-.",
                       label="Hoffmann Table 2 (0.46)")
        ax.set(xlabel=symbols[key], ylabel="density")
    figure_legend(fig, list(axes), {
        "bootstrap_se": "bootstrap SEs = Epoch's", "bootstrap_ci": "bootstrap CIs = Epoch's",
        "hoffmann_outside_ci": "Hoffmann outside the CIs",
        "bayes_convergence": "posterior converged",
        "bayes_matches_point": "posterior median = refit",
        "bayes_narrower_than_bootstrap": "posterior narrower than bootstrap"}, ncol=6)
    fig.suptitle(f"Parameter uncertainty ({DATA_NOTE})", fontsize=9)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "parameter_uncertainty")


def _compute_optimal(metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                     figure_dir: Path) -> None:
    C = arrays["compute_grid"]
    names = [str(n) for n in arrays["curve_sets"]]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 5.4))
    bands = metrics["compute_optimal_bands"]  # bootstrap 2.5 and 97.5 % quantiles
    (lo_n, hi_n), (lo_d, hi_d) = bands["N_opt"], bands["D_opt"]
    ax.fill_between(C, lo_n, hi_n, color="C0", alpha=0.2, label=NOPT + ", refit, bootstrap 95 %")
    ax.fill_between(C, lo_d, hi_d, color="C1", alpha=0.2, label=DOPT + ", refit, bootstrap 95 %")
    styles = {"refit": "-", "epoch": ":", "hoffmann_unrounded": "--"}
    for i, name in enumerate(names):
        if name not in styles:
            continue
        ax.plot(C, arrays["curve_N_opt"][i], color="C0", ls=styles[name],
                label=f"{NOPT}, {SET_LABELS[name]}")
        ax.plot(C, arrays["curve_D_opt"][i], color="C1", ls=styles[name],
                label=f"{DOPT}, {SET_LABELS[name]}")
        bx.plot(C, arrays["curve_D_opt"][i] / arrays["curve_N_opt"][i], color="k",
                ls=styles[name], label=f"{DOPT} / {NOPT}, {SET_LABELS[name]}")
    refit = names.index("refit")
    anchor = np.interp(21.0, np.log10(C), np.log10(arrays["curve_N_opt"][refit]))
    ax.plot(C, 10 ** anchor * (C / 1e21) ** KAPLAN_2020["a"], color="C2", ls="-.",
            label=r"Kaplan $N \propto C^{0.73}$, through the refit at $C = 10^{21}$")
    bx.fill_between(C, *bands["tokens_per_param"], color="grey", alpha=0.25,
                    label="this refit, bootstrap 95 %")
    bx.axhline(20, color="C3", lw=0.8, label="20 tokens/parameter")
    ax.set(xscale="log", yscale="log", xlabel="compute C (FLOP)",
           ylabel=f"{NOPT} (parameters), {DOPT} (tokens)",
           title="(a) compute-optimal allocation (C = 6ND)")
    bx.set(xscale="log", yscale="log", xlabel="compute C (FLOP)", ylabel=f"{DOPT} / {NOPT}",
           title="(b) tokens per parameter")
    status = {"compute_optimal_exponent": "refit exponent a = Epoch's",
              "tokens_per_parameter": "20 tokens/parameter inside, Hoffmann outside the CI"}
    figure_legend(fig, [ax, bx], status, ncol=3)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "compute_optimal")


# mean-vs-sum runs, drawn bottom to top: (label, colour, line, marker, marker size, z-order)
STYLES = {"mean_tight": ("mean, ftol 1e-15, gtol 1e-12", "C2", "-", "o", 3, 2),
          "bfgs_sum": ("sum, SciPy BFGS", "C3", "-", "D", 3, 3),
          "sum_defaults": ("sum, SciPy defaults", "C1", "--", "s", 6, 4),
          "mean_defaults": ("mean, SciPy defaults", "C0", ":", "o", 10, 5)}


def _mean_vs_sum(metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                 figure_dir: Path) -> None:
    runs = metrics["mean_vs_sum"]
    best = runs["mean_multistart"]
    # J*: the lowest objective of this run (the multi-start fit's on the cpu profile; a short
    # smoke fit can stop above the single runs drawn here).
    j_opt = min([metrics["fit"]["objective"], best["best_j_sum"]]
                + [float(np.min(arrays[f"trace_{name}"])) for name in STYLES])
    floor, top, low = 1e-15, best["best_j_sum"] / j_opt - 1.0, 1e-6
    fig, ax = plt.subplots(figsize=(8.4, 5.6))
    # Drawn bottom to top: the long runs first, the early stops (which coincide with the long
    # runs' first iterations) last, with larger markers, so that every series shows.
    clipped = False
    for name, (label, colour, ls, marker, ms, z) in STYLES.items():
        gap = arrays[f"trace_{name}"] / j_opt - 1.0
        top = max(top, float(gap.max()))
        clipped |= bool(np.any(gap < floor))
        gap = np.maximum(gap, floor)
        low = min(low, float(gap.min()))
        steps = np.arange(1, gap.size + 1)
        nit = runs[name]["nit"]
        ax.plot(steps, gap, ls=ls, marker=marker, ms=ms, mfc="none", color=colour, lw=1.3,
                zorder=z, label=f"{label}: stops after {nit} iteration{'s' * (nit != 1)}, "
                f"gap {gap[-1]:.2g}".replace("e-", "e−"))
        ax.plot(steps[-1], gap[-1], marker="*", ms=13, color=colour, mec="k", mew=0.8,
                ls="none", zorder=6)
    ax.plot([], [], marker="*", ms=11, color="0.6", mec="k", mew=0.8, ls="none",
            label="where each run stops")
    ax.axhline(best["best_j_sum"] / j_opt - 1.0, color="C4", ls="-.", lw=1.2,
               label=f"mean, SciPy defaults: best of {best['n_starts']} grid starts")
    ax.axhline(0.1, color="0.35", ls=(0, (1, 3)), lw=1,
               label="claim: an early stop leaves a gap ≥ 0.1")
    ax.axhline(1e-6, color="0.35", ls=(0, (5, 3)), lw=1,
               label="claim: tight tolerances reach a gap ≤ " + r"$10^{-6}$")
    ax.set(xscale="log", yscale="log", xlabel="optimiser iteration + 1",
           ylabel=r"objective gap $J/J^{*} - 1$",
           title="From Hoffmann's un-rounded values: averaged vs summed Huber objective",
           ylim=(low / 5, max(top, 0.1) * 3))
    ticks = [t for t in (1, 2, 3, 5, 10, 20, 50, 100, 200) if t <= ax.get_xlim()[1]]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    figure_legend(fig, [ax], {"mean_huber_early_stop": "mean with defaults stops at its start",
                              "mean_huber_tight_tolerance": "tight tolerances reach the optimum",
                              "mean_huber_multistart_worse": "multi-start on the mean misses it"},
                  ncol=2, title=r"$J$: Huber objective summed over the points; $J^{*}$: the "
                                "lowest J of this run"
                        + ("\n(gaps below " + r"$10^{-15}$" + " drawn at it)" if clipped else ""))
    trim_ticks(fig)
    save_figure(fig, figure_dir, "mean_vs_sum")


def _recovery(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
              figure_dir: Path) -> None:
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
            if errors.size > 1:
                sd = rec["sd"][key]
                ax.fill_between([i - 0.3, i + 0.3], -2 * sd, 2 * sd, color=f"C{i}", alpha=0.15)
        ax.axhline(0, color="k", lw=0.8)
        for sign in (-1, 1):
            ax.axhline(sign * RECOVERY_LIMITS[key], color="0.4", ls="--", lw=0.9,
                       label="claim tolerance per replicate")
        ax.set(xticks=[0, 1], xticklabels=["Epoch\ntruth", "Hoffmann\ntruth"], title=symbols[key])
    axes[0].set_ylabel("estimate − truth")
    axes[0].scatter([], [], s=10, color="0.3", label="one noisy replicate")
    if errors.size > 1:
        axes[0].fill_between([], [], [], color="0.3", alpha=0.15,
                             label=f"±2 SD over {errors.size} replicates")
    figure_legend(fig, list(axes), {"recovery_noise_free": "noise-free fits recover the truth",
                                    "recovery_noisy": "noisy fits within the tolerances"},
                  ncol=5)
    fig.suptitle(f"Synthetic recovery: Laplace(0, {config['recovery_noise']:g}) noise on log L "
                 "at the "
                 f"{arrays['N'].size - int((~arrays['keep'].astype(bool)).sum())} design points",
                 fontsize=9)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "recovery")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    _isoflop(metrics, arrays, figure_dir)
    _residuals(metrics, arrays, figure_dir)
    _uncertainty(config, metrics, arrays, figure_dir)
    _compute_optimal(metrics, arrays, figure_dir)
    _mean_vs_sum(metrics, arrays, figure_dir)
    _recovery(config, metrics, arrays, figure_dir)
