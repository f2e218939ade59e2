"""Figures of ``liu_scaling`` (spec superposition.md §5, figures 1–9); saved results only.

Figures 1–6 on every profile (``loss_vs_m``, ``row_norms``, ``represented_fraction`` here;
``overlaps``, ``weak_theory``, ``exponents`` in ``liu_scaling_plots_theory``); 7–9
(``PAPER_FIGURES``) need the paper-only sweeps (α × γ grid, large models, density sweep) and are
drawn on smoke (toy size) and paper, skipped on cpu. Intervals: one seed, ±1.96 SE over the
evaluation batches (losses) or none (fractions, overlaps); two seeds, their range; three or
more, the 95 % bootstrap interval over seeds. A configuration without the series a figure
needs skips it (one log line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure, skip_figure
from experiments.superposition._plots import (
    claim_mark,
    fraction_text,
    legend_below,
    legend_right,
    mark_suffix,
    seed_spread,
    spread_text,
    trim_ticks,
)
from theory import superposition as th

FIGURES = ("loss_vs_m", "row_norms", "represented_fraction", "overlaps", "weak_theory",
           "exponents")
PAPER_FIGURES = ("heatmaps", "large_models", "activation_density")
EPS = 1e-6
NO_SMALL = "no series of small models (series_alpha is empty)"
gamma_text = fraction_text


def m_axis(ax: Any, ms: Any) -> None:
    """Log x axis with the trained widths as plain tick labels."""
    ms = sorted({int(m) for m in ms})
    ax.set_xscale("log")
    ax.set_xticks(ms, [str(m) for m in ms])
    ax.minorticks_off()
    if len(ms) == 1:
        ax.set_xlim(ms[0] / 1.5, ms[0] * 1.5)


def series(cells: list[dict], **where: Any) -> dict[tuple, list[dict]]:
    """Cells grouped by (group, kind, α, γ, s), members sorted by m (seeds pooled)."""
    out: dict[tuple, list[dict]] = {}
    for c in cells:
        if all(test(c) if callable(test) else c.get(k) == test for k, test in where.items()):
            out.setdefault((c["group"], c["kind"], c["alpha"], c["gamma"], c.get("s")),
                           []).append(c)
    return {k: sorted(v, key=lambda c: (c["m"], c["seed"])) for k, v in out.items()}


def points(members: list[dict], key: str = "L") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, mean over seeds, half-widths (2, k)) of ``key`` per m: several seeds, their spread
    (``seed_spread``); one seed, ±1.96 evaluation SE for the loss and no interval otherwise."""
    ms = sorted({c["m"] for c in members})
    mean, err = [], []
    for m in ms:
        vals = [c for c in members if c["m"] == m and c[key] is not None]
        y = np.asarray([c[key] for c in vals], np.float64)
        if y.size == 0:
            mean.append(np.nan), err.append((0.0, 0.0))
            continue
        mean.append(y.mean())
        if y.size > 1:
            err.append(seed_spread(y))
        elif key == "L":
            err.append((INTERVAL_95 * vals[0]["L_se"],) * 2)
        else:
            err.append((0.0, 0.0))
    return np.asarray(ms, float), np.asarray(mean), np.asarray(err).reshape(-1, 2).T


def seed_count(cells: list[dict]) -> int:
    return len({c["seed"] for c in cells})


def interval_text(cells: list[dict], loss: bool = True) -> str:
    single = "bars: ±1.96 evaluation SE, one seed" if loss else "one seed: no interval"
    return spread_text(seed_count(cells), single)


def series_claims(alpha: float, gamma: float) -> tuple[str, ...]:
    """Claim ids (without prefix) that test the small-model series (α, γ)."""
    if gamma < 0:
        if abs(alpha - 1.0) < EPS:
            return "strong_exponent_alpha1", "strong_beats_weak"
        return ("strong_exponent_skewed", "exponent_grows_with_alpha") if alpha > 1 else ()
    if abs(alpha - 1.0) < EPS:
        return "weak_flat_alpha1", "strong_beats_weak"
    return ("weak_exponent",) if alpha > 1 else ()


def pick(cells: list[dict]) -> dict[tuple, list[dict]]:
    """The small-model series a line figure shows (at most 8)."""
    small = series(cells, group="small")
    if len(small) <= 8:
        return small
    keep = {(round(a, 6), round(g, 6)) for a in (0.5, 1.0, 1.5, 2.0) for g in (-1.0, 5 / 9)}
    return {k: v for k, v in small.items() if (round(k[2], 6), round(k[3], 6)) in keep}


def fits_of(metrics: dict, key: tuple, *windows: str) -> list[dict]:
    """Every seed's power-law fit of series ``key`` on the first window where seed 0 (else any
    seed) has a fitted slope; [] when no window has one."""
    group, kind, alpha, gamma, s = key
    for window in windows:
        found = [f for f in metrics["fits"] if f["alpha_m"] is not None and (
            f["group"], f["kind"], f["alpha"], f["gamma"], f.get("s"), f["window"]) == (
            group, kind, alpha, gamma, s, window)]
        if found:
            return sorted(found, key=lambda f: f["seed"])
    return []


def _fit_text(fits: list[dict]) -> str:
    """α_m of one seed ± 1.96 fit SE, or the seed mean with its spread, and the fitted widths."""
    ms = fits[0]["ms"]
    if len(fits) == 1:
        se = fits[0]["alpha_m_se"]
        value = f"{fits[0]['alpha_m']:.2f}" + (f" ± {INTERVAL_95 * se:.2f}" if se else
                                               ", no SE from two widths")
    else:
        y = [f["alpha_m"] for f in fits]
        below, above = seed_spread(y)
        value = f"{np.mean(y):.2f} (−{below:.2f}, +{above:.2f})"
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
        ms, y, err = points(members)
        fits = fits_of(metrics, key, "window", "all")
        for fit in fits:
            fm = np.asarray(fit["ms"], float)
            ax.plot(fm, np.exp(fit["intercept"]) * fm ** -fit["alpha_m"], color=color,
                    lw=1.1 if seeds == 1 else 0.6, alpha=1.0 if seeds == 1 else 0.4)
        text = f"α = {key[2]:g}, γ = {gamma_text(key[3])}" + (_fit_text(fits) if fits else "")
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


def _represented(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "small"]
    if not cells:
        return skip_figure("represented_fraction", NO_SMALL)
    fig, ax = plt.subplots(figsize=(7.6, 4.4))
    ms_all = sorted({c["m"] for c in cells})
    n = cells[0]["n"]
    grid = np.geomspace(min(ms_all), max(ms_all), 50) if len(ms_all) > 1 else np.asarray(ms_all)
    handles = [
        plt.Line2D([], [], color="0.3", marker="o", label="$\\varphi_{1/2}$: share of rows "
                   "with $\\|W_i\\| > 1/2$"),
        plt.Line2D([], [], color="0.3", marker="s", ls=":", mfc="white",
                   label="$\\varphi_1$: share of rows with $\\|W_i\\| > 1$"),
        ax.plot(grid, grid / n, "k--", lw=1, marker="." if grid.size == 1 else None,
                label="$m/n$ (weak regime: m rows)")[0],
        ax.plot(grid, th.strong_fraction_reference(grid, n), "k-", lw=1,
                marker="x" if grid.size == 1 else None,
                label="$\\min(1, m^2/2n)$ (strong-regime estimate)")[0]]
    for j, (key, members) in enumerate(sorted(pick(cells).items())):
        color = f"C{j % 8}"
        for name, marker, ls in (("phi_half", "o", "-"), ("phi_one", "s", ":")):
            ms, y, err = points(members, name)
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


def plot(config: Any, metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    """Figures 1–6 always (skipped where the configuration lacks their series); 7–9 when the
    paper-only sweeps are in the results."""
    from experiments.superposition.liu_scaling_plots_paper import plot_paper_figures
    from experiments.superposition.liu_scaling_plots_theory import plot_theory_figures

    _loss_vs_m(metrics, figure_dir)
    _row_norms(metrics, arrays, figure_dir)
    _represented(metrics, figure_dir)
    plot_theory_figures(metrics, figure_dir)
    plot_paper_figures(metrics, figure_dir)
