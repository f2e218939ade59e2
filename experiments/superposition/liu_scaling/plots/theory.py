"""Figures 4–6 of ``liu_scaling``: overlaps of the strong rows, the weak-regime loss against its
prediction, and the width exponents against theory; saved results only.

Claims a figure shows are marked where they failed or were not run
(``shared.plot_style.mark_suffix``, hollow markers); a configuration without the needed series
skips the figure with one log line.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure, skip_figure
from experiments.superposition.liu_scaling.plots.series import (
    gamma_text,
    interval_text,
    m_axis,
    pick,
    points,
    series,
    series_claims,
)
from experiments.superposition.shared.plot_style import (
    FAILED_COLOR,
    NOT_RUN_COLOR,
    claim_mark,
    legend_below,
    legend_right,
    mark_suffix,
    spread_text,
    trim_ticks,
)


def _overlaps(metrics: dict, figure_dir: Path) -> None:
    welch = {(e["cell_id"], e["seed"]): e["value"] for e in metrics["theory"]["welch_bound"]}
    strong = {k: v for k, v in pick(metrics["cells"]).items() if k[3] < 0}
    if not strong:
        return skip_figure("overlaps", "no strong-superposition series (γ < 0) in this "
                           "configuration")
    cells = [c for v in strong.values() for c in v]
    ms_all = sorted({c["m"] for c in cells})
    fig, (ax, vx) = plt.subplots(1, 2, figsize=(9.6, 3.8), width_ratios=[1.6, 1.0])
    grid = np.geomspace(min(ms_all), max(ms_all), 50) if len(ms_all) > 1 else np.asarray(ms_all)
    handles = [
        plt.Line2D([], [], color="0.3", marker="o", label="MSO of the rows with "
                   "$\\|W_i\\| > 1$" + mark_suffix("overlap_one_over_m", "overlap_slope")),
        plt.Line2D([], [], color="0.3", marker="^", ls=":", mfc="white",
                   label="MSO of all rows (same model)"),
        plt.Line2D([], [], color="0.3", marker="x", ls="none",
                   label="Welch bound $\\kappa^2$ for $\\nu = n\\varphi_1$ vectors"),
        ax.plot(grid, 1 / grid, "k--", lw=1, marker="." if grid.size == 1 else None,
                label="$1/m$ (random unit vectors)")[0],
        plt.Line2D([], [], color="0.3", marker="s", mfc="white", label="VSO ratio (right)"
                   + mark_suffix("variance_ratio"))]
    for j, (key, members) in enumerate(sorted(strong.items())):
        color = f"C{j % 8}"
        ms, y, err = points(metrics, members, "mso_strong")
        ax.errorbar(ms, y, yerr=err, fmt="o-", color=color)
        ms, y2, err2 = points(metrics, members, "mso_all")
        ax.errorbar(ms, y2, yerr=err2, fmt="^:", color=color, mfc="white")
        first = [c for c in members if c["seed"] == 0]
        kappa2 = np.asarray([welch[(c["cell_id"], c["seed"])] for c in first]) ** 2
        ax.plot([c["m"] for c in first], np.where(kappa2 > 0, kappa2, np.nan), "x",
                color=color, ms=6)
        ms, vr, err3 = points(metrics, members, "var_ratio")
        vx.errorbar(ms, vr, yerr=err3, fmt="s-", color=color, mfc="white")
        handles.append(plt.Line2D([], [], color=color, lw=4,
                                  label=f"α = {key[2]:g}, γ = {gamma_text(key[3])}"))
    vx.axhline(1.0, color="k", lw=0.8)
    for a in (ax, vx):
        m_axis(a, ms_all)
        a.set_xlabel("model dimension m")
    ax.set(yscale="log", ylabel="mean squared overlap $(\\hat w_i \\cdot \\hat w_j)^2$",
           title="Mean squared overlap (MSO)")
    vx.set(ylabel="VSO / random-vector value (line: 1)",
           title="Variance of squared overlaps (VSO),\nrows with $\\|W_i\\| > 1$")
    legend_right(vx, handles=handles, title=interval_text(cells, loss=False))
    trim_ticks(ax, x=False)
    trim_ticks(vx, x=False)
    save_figure(fig, figure_dir, "overlaps")


def _weak_theory(metrics: dict, figure_dir: Path) -> None:
    weak = [c for c in metrics["cells"] if c["gamma"] > 0 and c["group"] in ("small", "large")]
    if not weak:
        return skip_figure("weak_theory", "no weak-superposition series (γ > 0) in this "
                           "configuration")
    fig, ax = plt.subplots(figsize=(6.0, 5.4))
    values = []
    for j, group in enumerate(("small", "large")):
        sel = [c for c in weak if c["group"] == group]
        if not sel:
            continue
        name = f"n = {sel[0]['n']}" + (" (large models)" if group == "large" else "")
        claim = "weak_theory" if group == "small" else "large_weak_theory"
        for k, (pred, marker, what) in enumerate((
                ("pred_eq14", "o", "4/3 × eq. 14 at the measured $\\varphi_{1/2}$"),
                ("pred_discrete", "s", "4/3 × ignored mass $\\Sigma_{i \\geq k_{1/2}}\\, p_i$"))):
            x_all, y_all, e_all = [], [], []
            for members in series(sel).values():
                _, x, _ = points(metrics, members, pred)
                _, y, err = points(metrics, members, "L")
                x_all.append(x), y_all.append(y), e_all.append(err)
            x, y, err = np.concatenate(x_all), np.concatenate(y_all), np.hstack(e_all)
            keep = np.isfinite(x) & (x > 0)
            if not keep.any():
                continue
            label = f"{name}: {what}" + (mark_suffix(claim) if k == 0 else "")
            ax.errorbar(x[keep], y[keep], yerr=err[:, keep], fmt=marker, color=f"C{j}",
                        mfc="white" if marker == "s" else None, label=label)
            values += [x[keep], y[keep]]
    vals = np.concatenate(values)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size:
        line = np.array([vals.min() * 0.9, vals.max() * 1.1])
        ax.plot(line, line, "k--", lw=1, label="measured = predicted")
    if vals.size and vals.max() > 5 * vals.min():  # several decades: log axes
        ax.set(xscale="log", yscale="log")
    ax.set(xlabel="predicted weak-regime loss",
           ylabel="measured test loss $L$", title="Weak regime (γ > 0): loss against the\n"
           "frequency mass of the ignored features")
    legend_below(ax, ncol=1, title=interval_text(weak))
    trim_ticks(ax)
    save_figure(fig, figure_dir, "weak_theory")


def _exponent_points(metrics: dict) -> list[tuple[float, float, float, tuple, tuple]]:
    """(α, γ, α_m, (below, above), claims) per small series, as saved in
    ``metrics["fit_spreads"]``: the seed mean with the spread over seeds, or one seed's slope
    ± 1.96 fit SE (γ < 0: fit window; γ > 0: all m)."""
    chosen = sorted((e for e in metrics["fit_spreads"] if e["group"] == "small"
                     and e["window"] == ("window" if e["gamma"] < 0 else "all")),
                    key=lambda e: (e["alpha"], e["gamma"]))
    return [(e["alpha"], e["gamma"], e["mean"], (e["below"], e["above"]),
             series_claims(e["alpha"], e["gamma"])) for e in chosen]


def _exponents(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    pts = _exponent_points(metrics)
    if not pts:
        return skip_figure("exponents", "no power-law fit (every series has fewer than two "
                           "widths)")
    seeds = len({f["seed"] for f in metrics["fits"]})
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    grid = arrays["theory_alpha_grid"]
    top = grid[-1]
    ax.axhline(1.0, color="k", ls="--", lw=1, label="$\\alpha_m = 1$ (strong regime, 1/m)")
    ax.plot(grid, arrays["theory_weak_exponent"], "C2-",
            label="$\\alpha_m = \\alpha - 1$ (weak regime)" + mark_suffix("weak_exponent"))
    ax.plot(grid, arrays["theory_strong_exponent_worst"], "C3:",
            label="$2(\\alpha - 1)$ (strong regime, worst case)")
    strong = sorted((p for p in pts if p[1] < 0 and abs(p[1] + 1.0) < 1e-6), key=lambda p: p[0])
    if len(strong) > 1:
        ax.plot([p[0] - 0.012 for p in strong], [p[2] for p in strong], color="0.6", lw=0.8,
                ls="-.", label="growth of $\\alpha_m$ with α at γ = −1"
                + mark_suffix("exponent_grows_with_alpha"))
    labelled: set[tuple] = set()
    for alpha, gamma, y, half, claims in pts:
        sign = -1 if gamma < 0 else 1
        mark = claim_mark(*claims)
        regime = "γ < 0 (strong), fit on the window" if sign < 0 else "γ > 0 (weak), all m"
        edge = f"C{0 if sign < 0 else 1}" if mark is None else (
            FAILED_COLOR if mark[0] == "FAILED" else NOT_RUN_COLOR)
        tag = (regime, None if mark is None else mark[0])
        label = None if tag in labelled else f"{regime}" + (f" (claim {mark[0]})" if mark else "")
        labelled.add(tag)
        ax.errorbar(alpha + 0.012 * sign, y, yerr=np.reshape(half, (2, 1)),
                    fmt="o" if sign < 0 else "s", color=edge,
                    mfc="white" if mark else edge, label=label)
    ax.set(xlabel="data exponent α  ($p_i \\propto i^{-\\alpha}$)",
           ylabel="width exponent $\\alpha_m$  ($L \\propto m^{-\\alpha_m}$)",
           title="Width exponents against theory")
    bars = spread_text(seeds, "bars: ±1.96 SE of the fitted slope, one seed")
    ax.set_xlim(min(0.9, min(p[0] for p in pts) - 0.1), top)
    trim_ticks(ax)
    legend_below(ax, ncol=1, title=bars)
    save_figure(fig, figure_dir, "exponents")


def plot_theory_figures(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    """Figures 4–6 (``overlaps``, ``weak_theory``, ``exponents``)."""
    _overlaps(metrics, figure_dir)
    _weak_theory(metrics, figure_dir)
    _exponents(metrics, arrays, figure_dir)
