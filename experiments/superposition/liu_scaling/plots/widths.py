"""Figures 1–3 of ``liu_scaling``: loss against width with the power-law fits, the row norms
against feature frequency, and the represented fractions φ_1/2 and φ_1; saved results only."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure, skip_figure
from experiments.superposition.liu_scaling.plots.series import (
    EPS,
    NO_SMALL,
    fit_spread,
    fits_of,
    gamma_text,
    interval_text,
    m_axis,
    pick,
    points,
    seed_count,
    series_claims,
)
from experiments.superposition.shared.plot_style import (
    claim_mark,
    legend_below,
    legend_right,
    mark_suffix,
    trim_ticks,
)


def _fit_text(metrics: dict, fits: list[dict]) -> str:
    """α_m of one seed ± 1.96 fit SE, or the seed mean with its spread (both saved in metrics),
    and the fitted widths."""
    ms = fits[0]["ms"]
    if len(fits) == 1:
        se = fits[0]["alpha_m_se"]
        value = f"{fits[0]['alpha_m']:.2f}" + (f" ± {INTERVAL_95 * se:.2f}" if se else
                                               ", no SE from two widths")
    else:
        spread = fit_spread(metrics, fits[0])
        value = f"{spread['mean']:.2f} (−{spread['below']:.2f}, +{spread['above']:.2f})"
    return f": $\\alpha_m$ = {value} (m = {min(ms):g}–{max(ms):g})"


def _loss_vs_m(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "small"]
    if not cells:
        return skip_figure("loss_vs_m", NO_SMALL)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    seeds = seed_count(cells)
    for j, (key, members) in enumerate(sorted(pick(cells).items(), key=lambda kv: (
            kv[0][3], kv[0][2]))):
        color = f"C{j % 8}"
        ms, y, err = points(metrics, members)
        fits = fits_of(metrics, key, "window", "all")
        for fit in fits:
            fm = np.asarray(fit["ms"], float)
            ax.plot(fm, np.exp(fit["intercept"]) * fm ** -fit["alpha_m"], color=color,
                    lw=1.1 if seeds == 1 else 0.6, alpha=1.0 if seeds == 1 else 0.4)
        text = f"α = {key[2]:g}, γ = {gamma_text(key[3])}"
        text += _fit_text(metrics, fits) if fits else ""
        marked = claim_mark(*series_claims(key[2], key[3]))
        text += mark_suffix(*series_claims(key[2], key[3]))
        ax.errorbar(ms, y, yerr=err, fmt="o", color=color, ms=4, label=text,
                    mfc="white" if marked else None)
    all_m = np.asarray(sorted({c["m"] for c in cells}), float)
    ref = max(c["L"] for c in cells if c["m"] == all_m[0])
    ax.plot(all_m, ref * all_m[0] / all_m, "k--", lw=0.9, label="slope −1 guide ($L \\propto 1/m$)")
    m_axis(ax, all_m)
    ax.set(yscale="log", xlabel="model dimension m", ylabel="test loss $L$ (sum over features)",
           title="Loss against width")
    lines = ("lines: power-law fit, $\\alpha_m$ ± 1.96 fit SE" if seeds == 1 else
             "lines: each seed's power-law fit; $\\alpha_m$: seed mean (spread as the bars)")
    legend_below(ax, ncol=1, title=f"{interval_text(cells)}\n{lines}")
    trim_ticks(ax, x=False)
    save_figure(fig, figure_dir, "loss_vs_m")


def _row_norm_cells(metrics: dict) -> list[dict]:
    """Seed 0 at the largest width of the α = 1 series (else the first α): the most negative
    and the most positive γ (one cell when there is one γ)."""
    small = [c for c in metrics["cells"] if c["group"] == "small" and c["seed"] == 0]
    if not small:
        return []
    alphas = sorted({c["alpha"] for c in small}, key=lambda a: (abs(a - 1.0) > EPS, a))
    sel = [c for c in small if c["alpha"] == alphas[0]]
    m_max = max(c["m"] for c in sel)
    sel = [c for c in sel if c["m"] == m_max]
    ends = {min(c["gamma"] for c in sel), max(c["gamma"] for c in sel)}
    return sorted((next(c for c in sel if c["gamma"] == g) for g in ends),
                  key=lambda c: c["gamma"])


def _row_norms(metrics: dict, arrays: dict, figure_dir: Path) -> None:
    chosen = _row_norm_cells(metrics)
    if not chosen:
        return skip_figure("row_norms", NO_SMALL)
    norms = [arrays[f"norms_c{c['cell_id']}_s0"] for c in chosen]
    vmax = max(1.5, max(float(v.max()) for v in norms))
    cols = len(chosen) + 1
    fig, axes = plt.subplots(1, cols, figsize=(3.4 * cols + 0.8, 3.4), squeeze=False)
    axes = axes[0]
    sc = None
    for ax, c, v in zip(axes[:-1], chosen, norms, strict=True):
        p = arrays[c["p_key"]]
        sc = ax.scatter(np.arange(1, p.size + 1), p, c=v, s=5, cmap="viridis", vmin=0, vmax=vmax)
        ax.set(xscale="log", yscale="log", xlabel="feature rank i", ylabel="frequency $p_i$",
               title=f"α = {c['alpha']:g}, γ = {gamma_text(c['gamma'])}, m = {c['m']}")
        trim_ticks(ax)
    fig.colorbar(sc, ax=list(axes[:-1]), label="row norm $\\|W_i\\|$", shrink=0.9)
    ax = axes[-1]
    for j, (c, v) in enumerate(zip(chosen, norms, strict=True)):
        ax.hist(v, bins=np.linspace(0, vmax, 41), alpha=0.6, color=f"C{j}",
                label=f"γ = {gamma_text(c['gamma'])}")
    for x in (0.5, 1.0):
        ax.axvline(x, color="k", ls=":", lw=1)
    ax.set(xlabel="row norm $\\|W_i\\|$ (dotted: 1/2 and 1)", ylabel="number of features",
           yscale="log", title=f"Row norms, m = {chosen[0]['m']}, seed 0")
    legend_right(ax)
    trim_ticks(ax)
    save_figure(fig, figure_dir, "row_norms")


def _represented(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "small"]
    if not cells:
        return skip_figure("represented_fraction", NO_SMALL)
    fig, ax = plt.subplots(figsize=(7.6, 4.4))
    ms_all = sorted({c["m"] for c in cells})
    n = cells[0]["n"]
    grid = arrays["theory_fraction_m"]
    handles = [
        plt.Line2D([], [], color="0.3", marker="o", label="$\\varphi_{1/2}$: share of rows "
                   "with $\\|W_i\\| > 1/2$"),
        plt.Line2D([], [], color="0.3", marker="s", ls=":", mfc="white",
                   label="$\\varphi_1$: share of rows with $\\|W_i\\| > 1$"),
        ax.plot(grid, grid / n, "k--", lw=1, marker="." if grid.size == 1 else None,
                label="$m/n$ (weak regime: m rows)")[0],
        ax.plot(grid, arrays["theory_fraction_reference"], "k-", lw=1,
                marker="x" if grid.size == 1 else None,
                label="$\\min(1, m^2/2n)$ (strong-regime estimate)")[0]]
    for j, (key, members) in enumerate(sorted(pick(cells).items())):
        color = f"C{j % 8}"
        for name, marker, ls in (("phi_half", "o", "-"), ("phi_one", "s", ":")):
            ms, y, err = points(metrics, members, name)
            keep = y > 0
            ax.errorbar(ms[keep], y[keep], yerr=err[:, keep], marker=marker, ls=ls, color=color,
                        mfc="white" if name == "phi_one" else None)
        claims = ("phi_half_strong", "strong_fraction_bounds") if key[3] < 0 else \
            ("phi_half_weak",)
        handles.append(plt.Line2D([], [], color=color, lw=4, label=(
            f"α = {key[2]:g}, γ = {gamma_text(key[3])}{mark_suffix(*claims)}")))
    m_axis(ax, ms_all)
    ax.set(yscale="log", xlabel="model dimension m", ylabel="fraction of the n rows",
           title=f"Represented fractions (n = {n}; zero fractions not shown)")
    legend_right(ax, handles=handles, title=interval_text(cells, loss=False))
    trim_ticks(ax, x=False)
    save_figure(fig, figure_dir, "represented_fraction")


def plot_width_figures(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    """Figures 1–3 (``loss_vs_m``, ``row_norms``, ``represented_fraction``)."""
    _loss_vs_m(metrics, figure_dir)
    _row_norms(metrics, arrays, figure_dir)
    _represented(metrics, arrays, figure_dir)
