"""Figures of ``phase_diagram`` (spec §6, figures 5–7). Reads saved results only.

Maps: colour = seed mean over non-diverged seeds; diverged cells grey hatched; skipped cells
blank; capped cells carry an open circle. Overlays: the measured divergence edge, a slope-2/3
theory line through the α = 1 edge point, and the GD/noise crossover T = 1/α (dashed).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.common.results import as_float, as_floats
from theory import sgd_noise as theory

FIGURES = ("test_error_map", "weight_change_map", "error_vs_T")
LAZY_RICH = math.log10(0.1)  # log10 of the relative weight change that separates lazy from rich


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
    if ok.any():
        ax.plot(la[ok], np.log2(t_max[ok]), "k-o", ms=4, lw=1.5,
                label=f"divergence edge (k_max = {as_float(edge['k_max']):.2f})")
        ref = np.flatnonzero(ok & (la == 0))
        if ref.size:
            k = float(theory.topt_exponent(5))
            x = np.linspace(la.min(), 0, 20)
            ax.plot(x, np.log2(t_max[ref[0]]) + k * x, "r:", lw=1.5,
                    label="theory slope k = (D−1)/(D+1) = 2/3")
    x = np.linspace(la.min() - 0.5, la.max() + 0.5, 10)
    ax.plot(x, -x, "--", color="0.5", lw=1.2, label="T = 1/α (GD / noise crossover)")
    ax.set_xlim(_edges(la)[0], _edges(la)[-1])
    ax.set_ylim(_edges(lt)[0], _edges(lt)[-1])
    ax.set_xlabel("log₂ α (initialisation scale)")
    ax.set_ylabel("log₂ T  (T = η / (B·h))")


def _map(metrics: dict, values: np.ndarray, label: str, cmap: str, figure_dir: Path,
         stem: str, log_rel: np.ndarray) -> None:
    """One (α, T) map of ``values`` with the lazy/rich boundary drawn from the weight change."""
    la = np.asarray(metrics["log2_alphas"], float)
    lt = np.asarray(metrics["log2_temperatures"], float)
    state = np.asarray(metrics["cell_state"])
    fig, ax = plt.subplots(figsize=(7.2, 6.4))
    shown = np.where(state <= 1, values, np.nan)
    mesh = ax.pcolormesh(_edges(la), _edges(lt), shown.T, cmap=cmap, shading="flat")
    fig.colorbar(mesh, ax=ax, label=label)
    ae, te = _edges(la), _edges(lt)
    for i, j in zip(*np.nonzero(state == 2), strict=True):
        ax.add_patch(plt.Rectangle((ae[i], te[j]), ae[i + 1] - ae[i], te[j + 1] - te[j],
                                   facecolor="0.75", edgecolor="0.4", hatch="///", lw=0))
    capped = np.nonzero(state == 1)
    if capped[0].size:
        ax.plot(la[capped[0]], lt[capped[1]], "o", mfc="none", mec="deepskyblue", mew=2.5, ms=11,
                label="capped (step cap hit; excluded from fits)")
    rel_shown = np.where(state <= 1, log_rel, np.nan)
    if np.isfinite(rel_shown).sum() >= 4 and la.size > 1 and lt.size > 1:
        # Cells without a value take their regime's extreme: diverged cells (small α, large T)
        # the richest value, skipped GD-like cells (large α, small T) the laziest.
        filled = np.where(np.isfinite(rel_shown), rel_shown,
                          np.where(state == 3, np.nanmin(rel_shown), np.nanmax(rel_shown)))
        ax.contour(la, lt, filled.T, levels=[LAZY_RICH], colors="k", linewidths=1.2,
                   linestyles="--")
        ax.plot([], [], "k--", lw=1.2,
                label="lazy/rich boundary: ‖w − w₀‖/‖w₀‖ = 0.1 (rich where larger)")
    _overlays(ax, metrics, la, lt)
    handles, labels = ax.get_legend_handles_labels()
    handles += [Patch(facecolor="0.75", hatch="///", edgecolor="0.4"),
                Patch(facecolor="white", edgecolor="0.6")]
    labels += ["diverged (masked)", "skipped (α ≥ 2^6, α·T < 1/4)"]
    ax.legend(handles, labels, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=2, frameon=False)
    ax.set_title(f"FC (L = {metrics['depth']}, h = {metrics['width']}) on MNIST-1D parity "
                 f"[stand-in], P = {metrics['P']}, {metrics['seeds']} seeds", fontsize=9)
    save_figure(fig, figure_dir, stem)


def _error_vs_t(metrics: dict, figure_dir: Path) -> None:
    la = metrics["log2_alphas"]
    t = 2.0 ** np.asarray(metrics["log2_temperatures"], float)
    err, se = as_floats(metrics["err_mean"]), as_floats(metrics["err_se"])
    state = np.asarray(metrics["cell_state"])
    fig, ax = plt.subplots(figsize=(7.2, 4.8))
    colors = plt.cm.viridis(np.linspace(0, 0.95, len(la)))
    for i, a in enumerate(la):
        ok = state[i] <= 1
        if not ok.any():
            continue
        ax.plot(t[ok], err[i, ok], "-", color=colors[i], lw=1)
        conv, cap = state[i] == 0, state[i] == 1
        bars = np.where(np.isfinite(se[i]), INTERVAL_95 * se[i], 0.0)
        ax.errorbar(t[conv], err[i, conv], bars[conv], fmt="o", color=colors[i], ms=4,
                    capsize=2, label=f"α = 2^{a}")
        if cap.any():
            ax.plot(t[cap], err[i, cap], "o", mfc="none", mec=colors[i], ms=6)
        topt = metrics["noise_effect"][i]["T_opt"]
        if topt is not None:
            j = int(np.argmin(np.abs(t - float(topt))))
            ax.plot(t[j], err[i, j], "*", color=colors[i], ms=12, mec="k", mew=0.5)
    ax.plot([], [], "*", color="0.5", mec="k", ms=10, label="T_opt (converged cells)")
    ax.plot([], [], "o", mfc="none", mec="0.3", label="capped (open)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("T = η / (B·h)")
    ax.set_ylabel("test error ε")
    ax.set_title(f"bars: ±1.96 paired s.e. over {metrics['seeds']} seeds; diverged cells omitted",
                 fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    save_figure(fig, figure_dir, "error_vs_T")


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    """Writes every figure in FIGURES from saved results."""
    metrics = {**metrics, "P": config["num_train"], "depth": config["depth"],
               "width": config["width"]}
    err = as_floats(metrics["err_mean"])
    rel = as_floats(metrics["rel_change_geomean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rel = np.log10(rel)
    _map(metrics, err, "mean test error ε", "magma_r", figure_dir, "test_error_map", log_rel)
    _map(metrics, log_rel, "log₁₀ ‖w − w₀‖/‖w₀‖", "viridis", figure_dir, "weight_change_map",
         log_rel)
    _error_vs_t(metrics, figure_dir)
