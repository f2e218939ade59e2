"""Figures of ``bahri_regimes`` (spec §6, items 1–6). Reads saved results only; never simulates.

Theory as lines, measurements as points; error bars are 95 % bootstrap intervals over seeds
(resolution curves) or per-seed 2.5–97.5 % slope quantiles (exponents).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.results import as_floats

FIGURES = ("resolution_limited", "exponents", "variance_limited", "four_regimes", "duality",
           "manifold_4_over_d")
CI = "95 % bootstrap interval over seeds"


def _resolution(metrics: dict, figure_dir: Path) -> None:
    rows = metrics["resolution"]
    fig, axes = plt.subplots(1, len(rows), figsize=(3.6 * len(rows), 3.8), squeeze=False)
    for ax, r in zip(axes[0], rows, strict=True):
        ns = np.asarray(r["ns"])
        ax.plot(ns, r["closed_form"], "k-", label="closed form κ(n)n/(2S)")
        ax.plot(ns, r["asymptote"], "k--", lw=1, label="asymptote c_α^(1+α) n^(−α)/(2S)")
        ax.axhline(r["null_loss"], color="grey", ls=":", label="null loss TrΛ/(2S)")
        for path, marker, shift, label in (("data", "o", 0.96, "D = n, P = ∞"),
                                           ("param", "s", 1.04, "P = n, D = ∞")):
            m = np.asarray(r[path]["mean"])
            err = [m - np.asarray(r[path]["ci_low"]), np.asarray(r[path]["ci_high"]) - m]
            ax.errorbar(ns * shift, m, yerr=err, fmt=marker, ms=4, mfc="none", label=label)
        ax.set(xscale="log", yscale="log", xlabel="n (D or P)", ylabel="L̄ (teacher-averaged)",
               title=f"α_K = {r['alpha_K']}")
        # Label the simulated n only: log-axis minor labels collide over one decade and a half.
        ax.set_xticks(ns, [f"{n:g}" for n in ns])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=5,
               fontsize=8, title=CI, title_fontsize=8, frameon=False)
    fig.suptitle(f"Resolution-limited learning curves, S = {metrics['S']} "
                 "(Bahri Fig. 2a, Gaussian-feature version)", fontsize=10)
    save_figure(fig, figure_dir, "resolution_limited")


def _exponents(metrics: dict, figure_dir: Path) -> None:
    rows = metrics["resolution"]
    alphas = np.array([r["alpha_K"] for r in rows])
    fig, ax = plt.subplots(figsize=(4.6, 4))
    grid = np.linspace(0, alphas.max() * 1.1, 50)
    ax.plot(grid, grid, "k--", lw=1, label="α = α_K")
    ax.plot(alphas, [-r["closed_form_slope"] for r in rows], "k-",
            label=f"closed form, finite S = {metrics['S']}")
    for path, marker, shift, label in (("data", "o", -0.02, "α̂_D"), ("param", "s", 0.02, "α̂_P")):
        est = np.array([-r[path]["slope"] for r in rows])
        ci = np.array([r[path]["seed_slope_ci"] for r in rows])
        err = [est - (-ci[:, 1]), (-ci[:, 0]) - est]
        ax.errorbar(alphas + shift, est, yerr=np.clip(err, 0, None), fmt=marker, mfc="none",
                    label=label)
    ax.set(xlabel="α_K (spectrum λ_i = i^−(1+α_K))", ylabel="fitted exponent α̂",
           title="Resolution-limited exponents (Bahri Fig. 2b)")
    ax.legend(fontsize=8, title="bars: 2.5–97.5 % of per-seed slopes", title_fontsize=7)
    save_figure(fig, figure_dir, "exponents")


def _variance(metrics: dict, figure_dir: Path) -> None:
    fig, (ax_d, ax_p) = plt.subplots(1, 2, figsize=(9, 3.8))
    for e in metrics["fixed_P"]:
        D = np.asarray(e["D_grid"])
        keep = D >= e["P"] + 6
        (line,) = ax_d.plot(D[keep], as_floats(e["mean_excess"])[keep], "o", mfc="none",
                            label=f"P = {e['P']} (sim. mean)")
        ax_d.plot(D[keep], as_floats(e["mean_formula_excess"])[keep], "-",
                  color=line.get_color(), label=f"P = {e['P']}: L̄(∞,P)·P/(D−P−1)")
    d_max = max(max(e["D_grid"]) for e in metrics["fixed_P"])
    p_max = max(e["P"] for e in metrics["fixed_P"])
    guide = np.geomspace(min(max(d_max / 16, 4 * p_max), d_max / 2), d_max, 5)
    anchor = metrics["fixed_P"][0]["mean_limit"] * metrics["fixed_P"][0]["P"] / guide[0]
    ax_d.plot(guide, 2.0 * anchor * guide[0] / guide, color="grey", lw=3, alpha=0.4,
              label="guide: slope −1")
    ax_d.set(xscale="log", yscale="log", xlabel="D", ylabel="E L(D,P) − L(∞,P)",
             title="(a) variance-limited in D (Bahri Fig. 1a)")
    ax_d.legend(fontsize=7)
    for e in metrics["fixed_D"]:
        P = np.asarray(e["P_grid"])
        keep = P >= e["D"] + 6
        excess = as_floats(e["mean_excess"])[keep]
        (line,) = ax_p.plot(P[keep], excess, "s", mfc="none", label=f"D = {e['D']} (sim. mean)")
        c = P[keep][-1] * excess[-1]
        ax_p.plot(P[keep], c / P[keep], "--", color=line.get_color(), lw=1,
                  label=f"c/P fitted at P = {int(P[keep][-1])}")
    ax_p.set(xscale="log", yscale="log", xlabel="P", ylabel="E L(D,P) − L(D,∞)",
             title="(b) variance-limited in P")
    ax_p.legend(fontsize=7)
    fig.suptitle(f"α_K = {metrics['sweep_alpha']}, S = {metrics['S']}; excess over the same "
                 "draw's limit (common random numbers)", fontsize=9)
    save_figure(fig, figure_dir, "variance_limited")


def _four_regimes(metrics: dict, figure_dir: Path) -> None:
    fig, (ax_d, ax_p) = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, entries, grid_key, size_key, other in (
            (ax_d, metrics["fixed_P"], "D_grid", "P", "data_limited_closed_form"),
            (ax_p, metrics["fixed_D"], "P_grid", "D", "param_limited_closed_form")):
        first = True
        for e in entries:
            x = np.asarray(e[grid_key])
            (line,) = ax.plot(x, as_floats(e["median"]), "o-", ms=3, lw=1,
                              label=f"{size_key} = {e[size_key]} (median)")
            ax.fill_between(x, as_floats(e["q25"]), as_floats(e["q75"]), color=line.get_color(),
                            alpha=0.2)
            ax.axhline(e["closed_form_limit"], color=line.get_color(), ls=":", lw=1)
            if "underparam_curve" in e:
                ax.plot(x, as_floats(e["underparam_curve"]), "--", color=line.get_color(), lw=1,
                        label="κ(P)P/(2S)·(D−1)/(D−P−1)" if first else None)
            closed_label = "closed form L(n, ∞)" if size_key == "P" else "closed form L(∞, n)"
            ax.plot(x, as_floats(e[other]), "k-", lw=1, label=closed_label if first else None)
            first = False
        ax.set(xscale="log", yscale="log", ylabel="L̄")
    ax_d.set(xlabel="D", title="(a) fixed P: D sweep")
    ax_p.set(xlabel="P", title="(b) fixed D: P sweep")
    ax_d.legend(fontsize=7, title="band: 25–75 % over seeds; dotted: limit", title_fontsize=7)
    ax_p.legend(fontsize=7)
    fig.suptitle(f"Four regimes and double descent at D = P (α_K = {metrics['sweep_alpha']}, "
                 f"S = {metrics['S']}; Bahri Fig. 2a)", fontsize=9)
    save_figure(fig, figure_dir, "four_regimes")


def _duality(metrics: dict, arrays: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(4.6, 4.3))
    data, crn = arrays["resolution_data"], arrays["resolution_crn"]
    ax.plot(data[:, :, 0].ravel(), crn.ravel(), "x", color="k", label="CRN pairs (seed 0)")
    for r in metrics["resolution"]:
        xm, ym = np.asarray(r["data"]["mean"]), np.asarray(r["param"]["mean"])
        xerr = [xm - np.asarray(r["data"]["ci_low"]), np.asarray(r["data"]["ci_high"]) - xm]
        yerr = [ym - np.asarray(r["param"]["ci_low"]), np.asarray(r["param"]["ci_high"]) - ym]
        ax.errorbar(xm, ym, xerr=xerr, yerr=yerr, fmt="o", mfc="none", ms=4,
                    label=f"independent means, α_K = {r['alpha_K']}")
    lims = np.array([data.min() / 2, data.max() * 2])
    ax.plot(lims, lims, color="grey", lw=1, label="identity")
    ax.set(xscale="log", yscale="log", xlabel="L̄ data-limited (D = n, P = ∞)",
           ylabel="L̄ parameter-limited (D = ∞, P = n)", title="D ↔ P duality (Bahri §2.4)")
    ax.legend(fontsize=7, title=CI, title_fontsize=7)
    save_figure(fig, figure_dir, "duality")


def _manifold(metrics: dict, figure_dir: Path) -> None:
    fig, (ax, ax_d) = plt.subplots(1, 2, figsize=(9, 3.8))
    for e in metrics["manifold"]:
        D = np.asarray(e["D_grid"])
        for key, fill, order in (("local_linear", True, 4), ("nearest", False, 2)):
            m = np.asarray(e[key]["mean_mse"])
            (pts,) = ax.plot(D, m, "o" if fill else "s", mfc=None if fill else "none",
                             label=f"d = {e['d']}, {'local-linear' if fill else '1-NN'}")
            centre = np.exp(np.mean(np.log(D)))  # least-squares line passes the log-means
            fitted = np.exp(np.mean(np.log(m))) * (D / centre) ** e[key]["slope"]
            ax.plot(D, fitted, "-", color=pts.get_color(), lw=0.8)
            ax.plot(D, m[0] * (D / D[0]) ** (-order / e["d"]), ":", color="grey", lw=0.8)
    ax.set(xscale="log", yscale="log", xlabel="D (training points)", ylabel="test MSE",
           title="(a) MSE on the d-torus; dotted: D^(−4/d), D^(−2/d)")
    ax.legend(fontsize=6, ncol=2)
    dims = np.array([e["d"] for e in metrics["manifold"]])
    ax_d.plot([0.5, dims.max() + 0.5], [0.5, dims.max() + 0.5], "k-", lw=1, label="y = d")
    for key, marker, order, label in (("local_linear", "o", 4, "4/α̂ (local-linear)"),
                                      ("nearest", "s", 2, "2/α̂ (1-NN)")):
        est = np.array([e[key]["dimension_estimate"] for e in metrics["manifold"]])
        slopes = [np.asarray(e[key]["seed_slopes"]) for e in metrics["manifold"]]
        per_seed = [order / -s for s in slopes]
        lo = np.array([np.quantile(p, 0.025) for p in per_seed])
        hi = np.array([np.quantile(p, 0.975) for p in per_seed])
        ax_d.errorbar(dims, est, yerr=np.clip([est - lo, hi - est], 0, None), fmt=marker,
                      mfc="none", label=label)
    ax_d.set(xlabel="manifold dimension d", ylabel="estimated dimension",
             title="(b) dimension from the exponent (Bahri Fig. 1b analogue)")
    ax_d.legend(fontsize=7, title="bars: 2.5–97.5 % over seeds", title_fontsize=7)
    save_figure(fig, figure_dir, "manifold_4_over_d")


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    _resolution(metrics, figure_dir)
    _exponents(metrics, figure_dir)
    _variance(metrics, figure_dir)
    _four_regimes(metrics, figure_dir)
    _duality(metrics, arrays, figure_dir)
    _manifold(metrics, figure_dir)
