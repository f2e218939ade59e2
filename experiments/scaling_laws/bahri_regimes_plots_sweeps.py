"""Figures of ``bahri_regimes`` from the fixed-P and fixed-D sweeps: the variance-limited excess
and the four regimes with double descent. Reads saved results only.

Theory as lines from saved closed forms; simulated means or medians as points. The ratio panel
shades the tolerance of ``variance_limited_data_formula`` from ``bahri_regimes_claims``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure, skip_figure
from experiments.scaling_laws import bahri_regimes_claims as claims
from experiments.scaling_laws.plots_common import figure_legend, finite, trim_ticks

FORMULA = r"$L(\infty,P)\,P/(D-P-1)$"
UNDERPARAM = r"$\kappa(P)\,P/(2S)\cdot(D-1)/(D-P-1)$"


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
    cells = claims.fixed_p_cells(metrics, arrays)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4), height_ratios=[1.6, 1], sharex="col")
    (ax_d, ax_p), (rx_d, cx_p) = axes
    limit = claims._pick(profile, *claims.VARIANCE_RATIO_TOL)
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
