"""Figures of ``bahri_regimes``: resolution-limited curves, exponents, the variance-limited excess,
the four regimes with double descent, D <-> P duality and manifold exponents. Reads saved results
only; never simulates.

Theory as lines (from saved closed forms), measurements as points. The "ratio − 1" panels shade
the tolerance of the claim they show, taken from ``claims.tolerances`` (whose per-cell numbers
they also draw).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from experiments.common.plotting import save_figure, skip_figure, verdict
from experiments.scaling_laws.bahri_regimes.claims import tolerances as claims
from experiments.scaling_laws.bahri_regimes.claims.resolution import duality_cells
from experiments.scaling_laws.bahri_regimes.claims.sweeps import fixed_p_cells
from experiments.scaling_laws.shared.plot_style import (
    figure_legend,
    finite,
    legend_right,
    sparse_log_labels,
    trim_ticks,
)

FIGURES = ("resolution_limited", "exponents", "variance_limited", "four_regimes", "duality",
           "manifold_4_over_d")
DATA_LABEL = r"data-limited ($D = n$, $P = \infty$)"
PARAM_LABEL = r"parameter-limited ($P = n$, $D = \infty$)"
FORMULA = r"$L(\infty,P)\,P/(D-P-1)$"
UNDERPARAM = r"$\kappa(P)\,P/(2S)\cdot(D-1)/(D-P-1)$"


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
    cells = duality_cells(metrics, profile)
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


def _minus(value: float) -> str:
    """-1.04 with a typographic minus sign."""
    return f"{value:.3g}".replace("-", "−")


def _away_from_peak(grid: np.ndarray, centre: int) -> np.ndarray:
    """Grid points past the interpolation peak: ≥ centre + 6, else (small grids) > centre + 1."""
    far = grid >= centre + 6
    return far if far.any() else grid > centre + 1


def _title(metrics: dict) -> str:
    return rf"$\alpha_K$ = {metrics['sweep_alpha']:g}, S = {metrics['S']}"


def variance_limited(metrics: dict, arrays: dict, figure_dir: Path, profile: str) -> None:
    fixed_p, fixed_d = metrics["fixed_P"], metrics["fixed_D"]
    seeds = np.asarray(arrays[f"fixed_P{fixed_p[0]['P']}_loss"]).shape[0]
    cells = fixed_p_cells(metrics)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4), height_ratios=[1.6, 1], sharex="col")
    (ax_d, ax_p), (rx_d, cx_p) = axes
    limit = claims.pick(profile, *claims.VARIANCE_RATIO_TOL)
    rx_d.axhspan(-limit, limit, color="0.5", alpha=0.22, lw=0, label="claim tolerance")
    rx_d.axhline(0.0, color="k", lw=0.8)
    for i, e in enumerate(fixed_p):
        D, P = np.asarray(e["D_grid"]), e["P"]
        keep = _away_from_peak(D, P)
        ax_d.plot(D[keep], finite(e["mean_excess"])[keep], "o", mfc="none", color=f"C{i}",
                  label=f"P = {P}, simulated mean", zorder=4)
        ax_d.plot(D[keep], finite(e["mean_formula_excess"])[keep], "-", color=f"C{i}", lw=1.2,
                  label=f"P = {P}, theory " + FORMULA + r" (same draw's $L(\infty,P)$)")
        window = [cells[f"P = {P}, D = {d:g}"] for d in e["fit_D"]]
        rx_d.errorbar(e["fit_D"], [c["dev"] for c in window],
                      yerr=[1.96 * c["se"] for c in window] if seeds > 1 else None,
                      fmt="o", mfc="none", color=f"C{i}")
    ax_d.set(xscale="log", yscale="log", ylabel=r"$E\,L(D,P) - L(\infty,P)$",
             title="(a) variance-limited in D")
    ax_d.tick_params(labelbottom=False)
    top = max(limit * 1.6, float(np.nanmax(np.abs(rx_d.get_ylim()))))
    rx_d.set(xscale="log", xlabel="D (training points)", ylim=(-top, top),
             ylabel="simulated / theory − 1", title=r"(c) excess / theory − 1 for $D \geq 4P$")
    band = claims.PARAM_SLOPE_BAND
    for i, e in enumerate(fixed_d):
        P, D = np.asarray(e["P_grid"]), e["D"]
        keep = _away_from_peak(P, D)
        excess = finite(e["mean_excess"])[keep]
        colour = f"C{i + len(fixed_p)}"
        ax_p.plot(P[keep], excess, "s", mfc="none", color=colour, zorder=4,
                  label=f"D = {D}, simulated mean (fitted slope {_minus(e['excess_slope'])})")
        if keep.any():
            ax_p.plot(P[keep], excess[-1] * P[keep][-1] / P[keep], "--", color=colour, lw=1)
        cx_p.plot(P[keep], finite(e["P_times_excess"])[keep], "s", mfc="none", color=colour)
        fit = np.asarray(e["fit_P"])
        cx_p.plot(fit, finite(e["P_times_excess"])[np.isin(P, fit)], "s", color=colour, ms=4)
    ax_p.plot([], [], "--", color="0.3", lw=1, label="slope −1 (theory), through the last point")
    cx_p.plot([], [], "s", color="0.3", ms=4,
              label=f"slope-fit window (claim: slope in [{_minus(band[0])}, {_minus(band[1])}])")
    ax_p.set(xscale="log", yscale="log", ylabel=r"$E\,L(D,P) - L(D,\infty)$",
             title="(b) variance-limited in P")
    ax_p.tick_params(labelbottom=False)
    cx_p.set(xscale="log", yscale="log", xlabel="P (features)",
             ylabel=r"$P\,[E\,L(D,P) - L(D,\infty)]$", title="(d) compensated: flat = slope −1")
    figure_legend(fig, [ax_d, rx_d, ax_p, cx_p], {
        "variance_limited_data_formula": "excess = theory",
        "variance_limited_data_slope": "slope in D = theory's",
        "variance_limited_param_slope": "slope in P ≈ −1"}, ncol=2,
        title=(f"bars: ±1.96 SE over {seeds} seeds" if seeds > 1 else "one seed: no interval")
        + "; excess over the same draw's limit (common random numbers)")
    fig.suptitle(f"Variance-limited scaling ({_title(metrics)})")
    trim_ticks(fig)
    save_figure(fig, figure_dir, "variance_limited")


def four_regimes(metrics: dict, figure_dir: Path) -> None:
    if not metrics["fixed_P"] and not metrics["fixed_D"]:
        skip_figure("four_regimes", "no fixed-P or fixed-D sweep in this configuration")
        return
    fig, (ax_d, ax_p) = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, entries, grid_key, size_key, limited in (
            (ax_d, metrics["fixed_P"], "D_grid", "P", "data_limited_closed_form"),
            (ax_p, metrics["fixed_D"], "P_grid", "D", "param_limited_closed_form")):
        for i, e in enumerate(entries):
            x, colour = np.asarray(e[grid_key]), f"C{i}"
            ax.fill_between(x, finite(e["q25"]), finite(e["q75"]), color=colour, alpha=0.2,
                            lw=0)
            ax.plot(x, finite(e["median"]), "o", ms=3.5, color=colour, zorder=3,
                    label=f"{size_key} = {e[size_key]}, median over seeds")
            ax.axhline(e["closed_form_limit"], color=colour, ls=":", lw=1.2)
            if "underparam_curve" in e:
                ax.plot(x, finite(e["underparam_curve"]), "--", color=colour, lw=1.3, zorder=5)
            ax.plot(x, finite(e[limited]), "k-", lw=1, zorder=2)
        ax.set(xscale="log", yscale="log")
    ax_d.set(xlabel="D (training points)", ylabel=r"mean-over-teachers loss $\bar L$",
             title="(a) fixed P, D swept")
    ax_p.set(xlabel="P (features)", title="(b) fixed D, P swept")
    ax_d.plot([], [], color="0.3", ls="--", lw=1.3,
              label="variance-limited theory for D > P + 1, " + UNDERPARAM)
    ax_d.plot([], [], color="0.3", ls=":", lw=1.2,
              label=r"closed-form limit $L(\infty,P)$ in (a), $L(D,\infty)$ in (b)")
    ax_d.plot([], [], color="k", lw=1,
              label=r"closed form $L(D,\infty)$ in (a), $L(\infty,P)$ in (b)")
    figure_legend(fig, [ax_d, ax_p], {"double_descent_peak": "median peaks at D = P"}, ncol=2,
                  title="bands: 25–75 % of seeds")
    fig.suptitle(f"Four regimes and double descent at D = P ({_title(metrics)})")
    trim_ticks(fig)
    save_figure(fig, figure_dir, "four_regimes")


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    """Every figure of ``bahri_regimes`` from its saved metrics and arrays."""
    _resolution(metrics, arrays, figure_dir)
    _exponents(metrics, figure_dir)
    variance_limited(metrics, arrays, figure_dir, tolerance_profile())
    four_regimes(metrics, figure_dir)
    _duality(metrics, arrays, figure_dir)
    _manifold(metrics, figure_dir)
