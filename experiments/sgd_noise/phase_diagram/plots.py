"""Figures of ``phase_diagram`` (spec §6, figures 5–7). Reads saved results only.

Maps: colour = seed mean over non-diverged seeds; diverged cells grey hatched, skipped cells
cross-hatched, capped cells carry an open circle. The test-error colour range is at least four
typical per-cell 95 % half-widths wide, and that half-width is drawn on the colour bar, so that
differences within the seed noise do not look like structure. Overlays: the measured divergence
edge, the theory slope through the α = 1 edge point, and the crossover T = 1/α.
``error_vs_T``: one panel per α (shared axes), the lowest-error temperature starred.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.common.results import as_float, as_floats
from experiments.sgd_noise.phase_diagram.metrics import SKIP_ALPHA, SKIP_ALPHA_T
from experiments.sgd_noise.shared.plot_style import (
    FAILED_COLOUR,
    any_failed,
    claim_status,
    pow2_label,
    pow2_ticks,
    ticks_inside,
    title_with_verdicts,
    verdict_line,
)
from theory import sgd_noise as theory

FIGURES = ("test_error_map", "weight_change_map", "error_vs_T")
LAZY_RICH = math.log10(0.1)  # log10 of the relative weight change that separates lazy from rich
DIVERGED = {"facecolor": "0.8", "edgecolor": "0.45", "hatch": "///", "lw": 0}
SKIPPED = {"facecolor": "white", "edgecolor": "0.3", "hatch": "xx", "lw": 0}
REL_CHANGE = r"$\|w-w_0\|/\|w_0\|$"
TEMPERATURE = r"temperature $T = \eta/(Bh)$"


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges (log2) for a possibly non-uniform log2 grid."""
    c = np.asarray(centres, float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[:-1] + c[1:]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def _overlays(ax: plt.Axes, metrics: dict, la: np.ndarray, lt: np.ndarray) -> None:
    edge = metrics["divergence_edge"]
    t_max = as_floats(edge["T_max"])
    ok = np.isfinite(t_max)
    status = claim_status("divergence_edge")
    if ok.any():
        k_max = as_float(edge["k_max"])
        slope = f", slope {k_max:.2f}" if math.isfinite(k_max) else ""
        ax.plot(la[ok], np.log2(t_max[ok]), "k-o", ms=4, lw=1.5,
                label=f"divergence edge{slope}" + (f" (claim {status})" if status
                                                            else ""))
        ref = np.flatnonzero(ok & (la == 0))
        if ref.size and la.min() < 0:
            depth = int(metrics["depth"])
            k = float(theory.topt_exponent(depth))
            x = np.linspace(la.min(), 0, 20)
            ax.plot(x, np.log2(t_max[ref[0]]) + k * x, "r:", lw=1.5,
                    label=f"theory slope $(D-1)/(D+1)$ = {k:.2f} ($D$ = {depth} layers)")
    x = np.linspace(la.min() - 0.5, la.max() + 0.5, 10)
    ax.plot(x, -x, "--", color="0.5", lw=1.2, label="$T = 1/\\alpha$ (gradient descent / noise)")
    ax.set_xlim(_edges(la)[0], _edges(la)[-1])
    ax.set_ylim(_edges(lt)[0], _edges(lt)[-1])
    pow2_ticks(ax, "x", la, log_axis=False)
    pow2_ticks(ax, "y", lt, log_axis=False)
    ax.set_xlabel("initialisation scale α")
    ax.set_ylabel(TEMPERATURE)


def _cells(ax: plt.Axes, state: np.ndarray, code: int, la: np.ndarray, lt: np.ndarray,
           style: dict) -> None:
    ae, te = _edges(la), _edges(lt)
    for i, j in zip(*np.nonzero(state == code), strict=True):
        ax.add_patch(plt.Rectangle((ae[i], te[j]), ae[i + 1] - ae[i], te[j + 1] - te[j],
                                   **style))


def _noise_bar(colorbar: Any, half_width: float, lo: float, hi: float) -> None:
    """A bracket on the colour bar, as long as ± the typical per-cell 95 % half-width."""
    mid = (lo + hi) / 2
    colorbar.ax.errorbar([0.5], [mid], yerr=[half_width], color="white", ecolor="white",
                         elinewidth=4, capsize=6, capthick=2, fmt="none")
    colorbar.ax.errorbar([0.5], [mid], yerr=[half_width], ecolor="black", elinewidth=1.5,
                         capsize=5, capthick=1.5, fmt="none")


def _map(metrics: dict, values: np.ndarray, label: str, figure_dir: Path, stem: str,
         log_rel: np.ndarray, half_width: float | None) -> None:
    """One (α, T) map of ``values`` with the lazy/rich boundary drawn from the weight change."""
    la = np.asarray(metrics["log2_alphas"], float)
    lt = np.asarray(metrics["log2_temperatures"], float)
    state = np.asarray(metrics["cell_state"])
    fig, ax = plt.subplots(figsize=(7.0, 6.6))
    shown = np.where(state <= 1, values, np.nan)
    finite = shown[np.isfinite(shown)]
    if half_width is None:  # relative weight change: a log colour scale
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.1, 1.0)
        norm = LogNorm(lo, hi) if hi > lo else LogNorm(lo / 2, hi * 2)
        mesh = ax.pcolormesh(_edges(la), _edges(lt), shown.T, cmap="viridis", norm=norm)
    else:
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        span = max((hi - lo) / 2, 2 * half_width if math.isfinite(half_width) else 0.0, 0.005)
        vmin, vmax = (lo + hi) / 2 - span, (lo + hi) / 2 + span
        mesh = ax.pcolormesh(_edges(la), _edges(lt), shown.T, cmap="magma_r", vmin=vmin,
                             vmax=vmax)
    colorbar = fig.colorbar(mesh, ax=ax, label=label)
    if half_width is not None:
        colorbar.set_ticks([v for v in MaxNLocator(6).tick_values(vmin, vmax)
                            if vmin <= v <= vmax])
    if half_width is not None and math.isfinite(half_width):
        _noise_bar(colorbar, half_width, vmin, vmax)
    _cells(ax, state, 2, la, lt, DIVERGED)
    _cells(ax, state, 3, la, lt, SKIPPED)
    capped = np.nonzero(state == 1)
    if capped[0].size:
        ax.plot(la[capped[0]], lt[capped[1]], "o", mfc="none", mec="deepskyblue", mew=2.5, ms=11,
                label="capped cell (step limit hit; not in fits)")
    rel_shown = np.where(state <= 1, log_rel, np.nan)
    if np.isfinite(rel_shown).sum() >= 4 and la.size > 1 and lt.size > 1:
        # Cells without a value take their regime's extreme: diverged cells (small α, large T)
        # the richest value, skipped GD-like cells (large α, small T) the laziest.
        filled = np.where(np.isfinite(rel_shown), rel_shown,
                          np.where(state == 3, np.nanmin(rel_shown), np.nanmax(rel_shown)))
        ax.contour(la, lt, filled.T, levels=[LAZY_RICH], colors="k", linewidths=1.2,
                   linestyles="--")
        ax.plot([], [], "k--", lw=1.2,
                label=f"lazy/rich boundary: {REL_CHANGE} = 0.1 (rich: larger)")
    _overlays(ax, metrics, la, lt)
    handles, labels = ax.get_legend_handles_labels()
    if (state == 2).any():
        handles.append(Patch(**{**DIVERGED, "lw": 0.6}))
        labels.append("diverged (a seed diverged)")
    if (state == 3).any():
        handles.append(Patch(**{**SKIPPED, "lw": 0.6}))
        labels.append(f"skipped (not run: α ≥ {pow2_label(math.log2(SKIP_ALPHA))}, "
                      f"αT < {SKIP_ALPHA_T:g})")
    if half_width is not None and math.isfinite(half_width):
        handles.append(plt.Line2D([], [], color="k", marker="|", ms=12, mew=1.5, ls="none"))
        labels.append(f"colour-bar bracket: typical ±1.96 s.e. of a cell ({metrics['seeds']} "
                      "seeds)")
    fig.legend(handles, labels, fontsize=7, loc="outside lower center", ncol=2)
    title = (f"FC network ({metrics['depth']} hidden layers, width {metrics['width']}), "
             f"MNIST-1D parity (stand-in task)\nP = {metrics['P']} training points, "
             + (f"{metrics['seeds']} seeds" if int(metrics["seeds"]) > 1 else "one seed"))
    claims = [("lazy_rich_weight_change", "weight change falls with α")] \
        if stem == "weight_change_map" else []
    title_with_verdicts(ax, title, claims, fontsize=9)
    save_figure(fig, figure_dir, stem)


def _error_vs_t(metrics: dict, figure_dir: Path) -> None:
    la = metrics["log2_alphas"]
    lt = np.asarray(metrics["log2_temperatures"], float)
    t = 2.0**lt
    err, se = as_floats(metrics["err_mean"]), as_floats(metrics["err_se"])
    state = np.asarray(metrics["cell_state"])
    ncols = min(3, len(la))
    nrows = math.ceil(len(la) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(max(2.9 * ncols + 0.6, 6.4), 2.0 * nrows + 1.3),
                             sharex=True, sharey=True, squeeze=False)
    for i, a in enumerate(la):
        ax = axes.flat[i]
        ok, conv, cap = state[i] <= 1, state[i] == 0, state[i] == 1
        bars = np.where(np.isfinite(se[i]), INTERVAL_95 * se[i], 0.0)
        ax.plot(t[ok], err[i, ok], "-", color="C0", lw=0.8)
        ax.errorbar(t[conv], err[i, conv], bars[conv], fmt="o", color="C0", ms=4, capsize=2)
        ax.errorbar(t[cap], err[i, cap], bars[cap], fmt="o", color="C0", mfc="white", ms=5,
                    capsize=2)
        row = metrics["noise_effect"][i]
        title = f"α = {pow2_label(a)}"
        if row["T_opt"] is not None:
            j = int(np.argmin(np.abs(t - float(row["T_opt"]))))
            ax.plot(t[j], err[i, j], "*", color="C1", ms=13, mec="k", mew=0.5, zorder=5)
            z = as_float(row["z"])
            title += f": gain {row['delta_best']:.3f}" + (f", z = {z:.1f}" if math.isfinite(z)
                                                          else "")
        elif not ok.any():
            title += ": every T diverged"
        ax.set_title(title, fontsize=8)
        ax.set_xscale("log", base=2)
        pow2_ticks(ax, "x", lt, log_axis=True, most=5, regular=True)
        if i % ncols == 0:
            ax.set_ylabel("test error ε")
        if i + ncols >= len(la):  # the lowest panel of its column
            ax.set_xlabel(TEMPERATURE)
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes.flat[len(la):]:
        ax.set_visible(False)
    ticks_inside(axes.flat[0])
    handles = [plt.Line2D([], [], color="C0", marker="o", ms=4, ls="-", lw=0.8),
               plt.Line2D([], [], color="C0", marker="o", mfc="white", ms=5, ls="none"),
               plt.Line2D([], [], color="C1", marker="*", mec="k", mew=0.5, ms=11, ls="none")]
    labels = [f"seed mean ± 1.96 s.e. ({metrics['seeds']} seeds)" if int(metrics["seeds"]) > 1
              else "one seed, no interval",
              "capped cell (a seed hit the step limit)",
              "lowest mean error over converged T"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=7.5)
    claims = [("noise_helps_somewhere", "noise helps somewhere"),
              ("noise_hurts_somewhere", "noise hurts somewhere")]
    verdicts = verdict_line(claims)
    fig.suptitle("Test error vs temperature per initialisation scale (diverged cells omitted); "
                 "gain = ε(lowest converged T) − ε(starred T), paired over seeds"
                 + (f"\n{verdicts}" if verdicts else ""), fontsize=8.5,
                 color=FAILED_COLOUR if any_failed(claims) else "black")
    save_figure(fig, figure_dir, "error_vs_T")


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    """Writes every figure in FIGURES from saved results."""
    metrics = {**metrics, "P": config["num_train"], "depth": config["depth"],
               "width": config["width"]}
    err = as_floats(metrics["err_mean"])
    rel = as_floats(metrics["rel_change_geomean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rel = np.log10(rel)
    # the typical (median) per-cell 95 % half-width; NaN with one seed (no across-seed s.e.)
    half_width = INTERVAL_95 * as_float(metrics["err_se_median"])
    _map(metrics, err, "mean test error ε", figure_dir, "test_error_map", log_rel, half_width)
    _map(metrics, np.where(rel > 0, rel, np.nan), f"relative weight change {REL_CHANGE}",
         figure_dir, "weight_change_map", log_rel, None)
    _error_vs_t(metrics, figure_dir)
