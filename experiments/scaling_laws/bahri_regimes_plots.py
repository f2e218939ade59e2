"""Figures of ``bahri_regimes``: resolution-limited curves, exponents, D <-> P duality, manifold
exponents (the variance-limited and double-descent figures are in ``bahri_regimes_plots_sweeps``).
Reads saved results only; never simulates.

Theory as lines, measurements as points. The "ratio − 1" panels shade the tolerance of the claim
they show, taken from ``bahri_regimes_claims`` (whose per-cell numbers they also draw).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from experiments.common.plotting import save_figure, verdict
from experiments.scaling_laws import bahri_regimes_claims as claims
from experiments.scaling_laws.bahri_regimes_plots_sweeps import four_regimes, variance_limited
from experiments.scaling_laws.plots_common import (
    figure_legend,
    legend_right,
    sparse_log_labels,
    trim_ticks,
)

FIGURES = ("resolution_limited", "exponents", "variance_limited", "four_regimes", "duality",
           "manifold_4_over_d")
DATA_LABEL = r"data-limited ($D = n$, $P = \infty$)"
PARAM_LABEL = r"parameter-limited ($P = n$, $D = \infty$)"


def tolerance_profile() -> str:
    """The profile whose tolerances the claims used: the paper's only where the paper-only
    claim was checked (its verdict is then passed or failed), else the cpu ones (smoke too)."""
    checked = verdict("resolution_exponent_asymptotic") in ("passed", "failed")
    return "paper" if checked else "cpu"


def alpha_text(alpha: float) -> str:
    return rf"$\alpha_K = {alpha:g}$"


def _shade_tolerance(ax: Axes, limits: list[float], label: str = "claim tolerance") -> None:
    """Grey bands ±limit around 0 (darkest the tightest), one legend entry for the first."""
    levels = sorted(set(limits))
    for i, limit in enumerate(levels):
        which = "" if len(levels) == 1 else (r", $\alpha_K \leq 1$" if i == 0 else
                                             r", $\alpha_K > 1$")
        ax.axhspan(-limit, limit, color="0.5", alpha=0.22 if i == 0 else 0.1, lw=0,
                   label=label + which)
    ax.axhline(0.0, color="k", lw=0.8)


def _resolution(metrics: dict, arrays: dict, figure_dir: Path) -> None:
    rows = metrics["resolution"]
    seeds = np.asarray(arrays["resolution_data"]).shape[-1]
    profile = tolerance_profile()
    fig, axes = plt.subplots(2, len(rows), figsize=(max(2.9 * len(rows) + 0.8, 5.0), 5.6),
                             squeeze=False,
                             sharex="col", height_ratios=[1.6, 1])
    for col, r in enumerate(rows):
        ax, rx = axes[0, col], axes[1, col]
        ns, closed = np.asarray(r["ns"]), np.asarray(r["closed_form"])
        ax.plot(ns, closed, "k-", lw=1.2, label=r"closed form $\kappa(n)\,n/(2S)$", zorder=3)
        ax.plot(ns, r["asymptote"], "k--", lw=1,
                label=r"asymptote $c_\alpha^{1+\alpha}\, n^{-\alpha}/(2S)$")
        ax.axhline(r["null_loss"], color="grey", ls=":",
                   label=r"null loss $\mathrm{Tr}\,\Lambda/(2S)$")
        limit = claims.tolerance(claims.RESOLUTION_TOL, profile, r["alpha_K"])
        _shade_tolerance(rx, [limit])
        for path, marker, shift, colour, label in (("data", "o", 0.95, "C0", DATA_LABEL),
                                                   ("param", "s", 1.05, "C1", PARAM_LABEL)):
            mean = np.asarray(r[path]["mean"])
            low, high = np.asarray(r[path]["ci_low"]), np.asarray(r[path]["ci_high"])
            ax.errorbar(ns * shift, mean, yerr=[mean - low, high - mean], fmt=marker, ms=4,
                        mfc="none", color=colour, label=label, zorder=4)
            rx.errorbar(ns * shift, mean / closed - 1, yerr=[(mean - low) / closed,
                                                             (high - mean) / closed],
                        fmt=marker, ms=4, mfc="none", color=colour, zorder=4)
        ax.set(xscale="log", yscale="log", title=alpha_text(r["alpha_K"]))
        ax.tick_params(labelbottom=False)
        rx.set(xscale="log", xlabel="n (D or P)")
        rx.set_xticks(ns, [f"{n:g}" for n in ns])
        rx.xaxis.set_minor_formatter(plt.NullFormatter())
        top = max(limit * 1.6, float(np.nanmax(np.abs(rx.get_ylim()))))
        rx.set_ylim(-top, top)
    axes[0, 0].set_ylabel(r"mean loss $\bar L$")
    axes[1, 0].set_ylabel("mean / closed form − 1")
    figure_legend(fig, list(axes.ravel()), {
        "resolution_data_limited": "data-limited mean = closed form",
        "resolution_param_limited": "parameter-limited mean = closed form"},
        ncol=3 if len(rows) > 1 else 1, title=f"bars: 95 % bootstrap interval over {seeds} seeds")
    fig.suptitle(f"Resolution-limited learning curves, S = {metrics['S']}\n"
                 "(Gaussian features; loss averaged over teachers)")
    trim_ticks(fig)
    save_figure(fig, figure_dir, "resolution_limited")


def _exponents(metrics: dict, figure_dir: Path) -> None:
    rows = metrics["resolution"]
    alphas = np.array([r["alpha_K"] for r in rows])
    closed = np.array([-r["closed_form_slope"] for r in rows])
    profile = tolerance_profile()
    fig, (ax, dx) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True, height_ratios=[1.6, 1])
    grid = np.linspace(0, alphas.max() * 1.1, 50)
    ax.plot(grid, grid, "k--", lw=1, label=r"asymptote $\hat\alpha = \alpha_K$")
    ax.plot(alphas, closed, "k-", marker="_", ms=10,
            label=f"closed form at finite S = {metrics['S']}")
    _shade_tolerance(dx, [claims.tolerance(claims.EXPONENT_TOL, profile, a) for a in alphas])
    for path, marker, shift, label in (("data", "o", -0.02, DATA_LABEL),
                                       ("param", "s", 0.02, PARAM_LABEL)):
        est = np.array([-r[path]["slope"] for r in rows])
        ci = np.array([r[path]["seed_slope_ci"] for r in rows])
        err = np.clip([est - (-ci[:, 1]), (-ci[:, 0]) - est], 0, None)
        ax.errorbar(alphas + shift, est, yerr=err, fmt=marker, mfc="none", label=label)
        dx.errorbar(alphas + shift, est - closed, yerr=err, fmt=marker, mfc="none")
    ax.set(ylabel=r"fitted exponent $\hat\alpha$ (slope of the mean)",
           title="Resolution-limited exponents")
    dx.set(xlabel=r"$\alpha_K$ (spectrum $\lambda_i = i^{-(1+\alpha_K)}$)",
           ylabel=r"$\hat\alpha$ − closed form")
    legend_right(ax, {"resolution_exponent_finite_S": "fitted = closed-form exponent",
                      "resolution_exponent_asymptotic": r"$\hat\alpha \to \alpha_K$ at large S"},
                 title="bars: 2.5–97.5 % of per-seed slopes")
    legend_right(dx)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "exponents")


def _duality(metrics: dict, arrays: dict, figure_dir: Path) -> None:
    rows = metrics["resolution"]
    data, crn = np.asarray(arrays["resolution_data"]), np.asarray(arrays["resolution_crn"])
    profile = tolerance_profile()
    cells = claims.duality_cells(metrics, arrays, profile)
    fig, (ax, rx) = plt.subplots(1, 2, figsize=(9.6, 4.4), width_ratios=[1, 1.25])
    ax.plot(data[:, :, 0].ravel(), crn.ravel(), "x", color="k", ms=5,
            label="same draw, both code paths (seed 0)")
    lims = np.array([data.min() / 2, data.max() * 2])
    ax.plot(lims, lims, color="grey", lw=1, label="identity", zorder=1)
    limits = [claims.tolerance(claims.DUALITY_TOL, profile, r["alpha_K"]) for r in rows]
    _shade_tolerance(rx, limits)
    n_alpha = len(rows)
    for a, r in enumerate(rows):
        ns = np.asarray(r["ns"])
        xm, ym = np.asarray(r["data"]["mean"]), np.asarray(r["param"]["mean"])
        xerr = [xm - np.asarray(r["data"]["ci_low"]), np.asarray(r["data"]["ci_high"]) - xm]
        yerr = [ym - np.asarray(r["param"]["ci_low"]), np.asarray(r["param"]["ci_high"]) - ym]
        colour = f"C{a}"
        ax.errorbar(xm, ym, xerr=xerr, yerr=yerr, fmt="o", mfc="none", ms=4, color=colour,
                    label=f"independent draws, {alpha_text(r['alpha_K'])}")
        dev = [cells[f"α_K = {r['alpha_K']:g}, n = {n:g}"] for n in ns]
        shift = 1.0 + 0.06 * (a - (n_alpha - 1) / 2)
        rx.errorbar(ns * shift, [c["dev"] for c in dev],
                    yerr=[1.96 * c["se"] for c in dev], fmt="o", mfc="none", ms=4,
                    color=colour, label=f"independent draws, {alpha_text(r['alpha_K'])}")
        rx.plot(ns, crn[a] / data[a, :, 0] - 1.0, "x", color="k", ms=5,
                label="same draw, both code paths (seed 0)")
    ax.set(xscale="log", yscale="log", title="(a) the two mean losses",
           xlabel=r"data-limited $\bar L$ ($D = n$, $P = \infty$)",
           ylabel=r"parameter-limited $\bar L$ ($P = n$, $D = \infty$)")
    rx.set(xscale="log", xlabel="n (D or P)", title="(b) ratio of the two means − 1",
           ylabel=r"$\bar L_{\mathrm{data}} / \bar L_{\mathrm{param}}$ − 1")
    ns = np.asarray(rows[0]["ns"])
    rx.set_xticks(ns, [f"{n:g}" for n in ns])
    rx.xaxis.set_minor_formatter(plt.NullFormatter())
    top = max(max(limits) * 1.4, float(np.nanmax(np.abs(rx.get_ylim()))))
    rx.set_ylim(-top, top)
    sparse_log_labels(ax)
    figure_legend(fig, [ax, rx], {"duality_identity": "same draw gives the same loss",
                                  "duality_independent": "independent means agree"},
                  ncol=1, loc="outside right upper",
                  title=f"bars: 95 % interval over {data.shape[-1]} seeds\n"
                        "(bootstrap in (a), ±1.96 SE in (b))")
    fig.suptitle(r"$D \leftrightarrow P$ duality of the resolution-limited losses")
    trim_ticks(fig)
    save_figure(fig, figure_dir, "duality")


def _manifold(metrics: dict, figure_dir: Path) -> None:
    entries = metrics["manifold"]
    profile = tolerance_profile()
    fig, (ax, rx) = plt.subplots(1, 2, figsize=(11, 4.4), width_ratios=[1.3, 1])
    for i, e in enumerate(entries):
        D = np.asarray(e["D_grid"])
        for key, fill, order in (("local_linear", True, 4), ("nearest", False, 2)):
            m = np.asarray(e[key]["mean_mse"])
            ax.plot(D, m, "o" if fill else "s", color=f"C{i}", mfc=None if fill else "none")
            ax.plot(D, m[0] * (D / D[0]) ** (-order / e["d"]), "-" if fill else "--",
                    color=f"C{i}", lw=0.9)
    for i, e in enumerate(entries):
        ax.plot([], [], "s", color=f"C{i}", label=f"d = {e['d']}")
    ax.plot([], [], "o", color="0.3", label="local-linear, mean")
    ax.plot([], [], "s", color="0.3", mfc="none", label="nearest neighbour (1-NN), mean")
    ax.plot([], [], "-", color="0.3", lw=0.9, label="slope " + r"$-4/d$" + " (theory),\n"
            "through the first point")
    ax.plot([], [], "--", color="0.3", lw=0.9, label="slope " + r"$-2/d$" + " (theory),\n"
            "through the first point")
    ax.set(xscale="log", yscale="log", xlabel="D (training points)", ylabel="test MSE",
           title="(a) interpolation error on the d-torus")
    dims = np.array([e["d"] for e in entries])
    for d in dims:
        for key, shade in (("local_linear", 0.1), ("nearest", 0.22)):
            limit = claims.manifold_tolerance(profile, key, int(d))
            rx.fill_between([d - 0.3, d + 0.3], -limit, limit, color="0.5", alpha=shade, lw=0)
    rx.fill_between([], [], [], color="0.5", alpha=0.3, lw=0, label="claim tolerance")
    if any(claims.manifold_tolerance(profile, "local_linear", int(d))
           > claims.manifold_tolerance(profile, "nearest", int(d)) for d in dims):
        rx.fill_between([], [], [], color="0.5", alpha=0.1, lw=0,
                        label="claim tolerance, local-linear only")
    rx.axhline(0.0, color="k", lw=0.8)
    seeds = len(entries[0]["local_linear"]["seed_slopes"])
    for key, marker, shift, label in (("local_linear", "o", -0.08, r"local-linear, $4/d$"),
                                      ("nearest", "s", 0.08, r"1-NN, $2/d$")):
        ratio = np.array([e[key]["ratio_to_prediction"] for e in entries])
        se = np.array([e[key]["seed_slope_sd"] / np.sqrt(seeds) / e[key]["predicted_exponent"]
                       for e in entries])
        rx.errorbar(dims + shift, ratio - 1.0, yerr=1.96 * se if seeds > 1 else None,
                    fmt=marker, mfc="none", label=label)
    top = max(0.15, float(np.nanmax(np.abs(rx.get_ylim()))))
    rx.set(xlabel="manifold dimension d", ylabel="fitted / predicted exponent − 1",
           title="(b) exponent against the theory", ylim=(-top, top), xticks=dims,
           xlim=(dims.min() - 0.6, dims.max() + 0.6))
    legend_right(ax)
    legend_right(rx, {"manifold_piecewise_linear": r"local-linear exponent $4/d$",
                      "manifold_nearest_neighbour": r"1-NN exponent $2/d$"},
                 title=(f"exponent of the mean;\nbars: ±1.96 SE over {seeds} seeds"
                        if seeds > 1 else "exponent of the mean; one seed"))
    trim_ticks(fig)
    save_figure(fig, figure_dir, "manifold_4_over_d")


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    _resolution(metrics, arrays, figure_dir)
    _exponents(metrics, figure_dir)
    variance_limited(metrics, arrays, figure_dir, tolerance_profile())
    four_regimes(metrics, figure_dir)
    _duality(metrics, arrays, figure_dir)
    _manifold(metrics, figure_dir)
