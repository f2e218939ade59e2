"""Figures of the ``saturation`` experiment (spec §6, figures 11–12); saved results only.

- ``clipped_predictor``: exact p_L (line), clipped predictor p̂_L (dashed), explicit-tree Monte
  Carlo (points, 95 % binomial intervals), L_mix (vertical line) and the knee |L − L_mix| < 3
  (shaded), for the six table configurations and S1–S3.
- ``knee_error``: max_L Δp against α for every grid cell with μ* > μ0, coloured by μ0; and the
  density of Δp against L − L_mix over the band cells, with the per-offset median and maximum.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.majority_tree.shared.plot_style import (
    hidden_axes_unlabelled,
    legend_with_status,
    paint_status,
    with_status,
)

FIGURES = ("clipped_predictor", "knee_error")
KNEE = 3.0


def _panel(ax: Any, levels: np.ndarray, exact: np.ndarray, clip: np.ndarray, lmix: float,
           title: str, xmax: float) -> None:
    if math.isfinite(lmix):
        ax.axvspan(max(lmix - KNEE, 0.0), lmix + KNEE, color="0.88", lw=0, label="knee")
        ax.axvline(lmix, color="0.35", lw=0.9, ls=":", label="$L_{mix}$")
    ax.plot(levels, exact, color="C0", label="exact $p_L$")
    ax.plot(levels, clip, color="C1", ls="--", label=r"clipped $\hat p_L$")
    ax.set_xlim(0, xmax)
    ax.set_title(title, fontsize=8)


def _title(row: dict, prefix: str = "") -> str:
    lmix = f"{row['lmix']:.2f}" if math.isfinite(row["lmix"]) else "∞"
    return (f"{prefix}b = {row['b']}, γ = {row['gamma']:g}, ρ = {row['rho']:g}, "
            f"$\\mu_0$ = {row['mu0']:g}\nα = {row['alpha']:.3f}, μ* = {row['mu_star']:.3f}, "
            f"$L_{{mix}}$ = {lmix}")


def plot_clipped(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    table, mc_rows = metrics["table"], metrics["monte_carlo"]["rows"]
    panels = len(table) + len(mc_rows)
    ncols = 3
    nrows = -(-panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(9.0, 2.35 * nrows + 0.5), squeeze=False)
    flat = axes.ravel()
    exact_all, clip_all = arrays["table_p_exact"], arrays["table_p_clip"]
    for i, row in enumerate(table):
        levels = np.arange(exact_all.shape[1])
        xmax = min(levels[-1], math.ceil(2.0 * row["lmix"] + 8.0))
        _panel(flat[i], levels, exact_all[i], clip_all[i], row["lmix"],
               _title(row), xmax)
    streams = max(1, round(mc_rows[0]["trials"] / mc_rows[0]["trials_per_stream"])) \
        if mc_rows else 1
    for j, row in enumerate(mc_rows):
        ax = flat[len(table) + j]
        levels = np.arange(row["depth"] + 1)
        _panel(ax, levels, arrays[f"mc{j}_p_exact"], arrays[f"mc{j}_p_clip"], row["lmix"],
               _title(row, prefix=f"{row['id']}, explicit trees: "), levels[-1] + 0.3)
        ax.errorbar(levels, arrays[f"mc{j}_p_hat"], yerr=INTERVAL_95 * arrays[f"mc{j}_se"],
                    fmt="o", color="k", ms=3, zorder=3,
                    label=f"explicit trees, 95 % binomial interval ({streams} seed stream"
                          f"{'s' if streams > 1 else ''})")
        ax.text(0.97, 0.04, f"T = {row['trials']:,} trees", transform=ax.transAxes, ha="right",
                va="bottom", fontsize=7)
    for ax in flat[panels:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy $p_L$")
    for ax in flat[:panels]:
        ax.set_xlabel("depth $L$ (levels)")
    handles, labels = flat[len(table)].get_legend_handles_labels() if mc_rows else \
        flat[0].get_legend_handles_labels()
    labels = [r"knee $|L - L_{mix}| < 3$" if t == "knee" else t for t in labels]
    handles, labels = with_status(handles, labels, {
        "upper_bound": "upper bound", "knee_table": "knee table", "mc_knee": "explicit trees"})
    paint_status(fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8))
    fig.suptitle(r"Clipped predictor $\hat p_L = \frac{1}{2} + \frac{1}{2}\min(\alpha^L\mu_0, "
                 r"\mu^*)$ against the exact recursion $p_L$", fontsize=10)
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "clipped_predictor")


def plot_knee_error(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path,
                    band_edges: list[float]) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 4.6))
    alpha, max_dp, mu0 = arrays["grid_alpha"], arrays["grid_max_dp"], arrays["grid_mu0"]
    for k, value in enumerate(np.unique(mu0)):
        m = mu0 == value
        left.scatter(alpha[m], max_dp[m], s=3, alpha=0.5, color=f"C{k % 8}", lw=0,
                     label=rf"$\mu_0$ = {value:g}", rasterized=True)
    if alpha.size:
        left.axvspan(min(alpha.min(), band_edges[0]), band_edges[0], color="0.9", lw=0,
                     label=f"α < {band_edges[0]:g}: not in the band statistics", zorder=0)
    for k, edge in enumerate(band_edges):
        left.axvline(edge, color="0.6", lw=0.6, ls=":", label=None if k else "α band edges")
    left.set_xlabel(r"small-signal gain $\alpha_\rho$")
    left.set_ylabel(r"$\max_L \Delta p_L$ (accuracy units)")
    grid = metrics["grid"]
    left.set_title(f"Largest error per cell: {alpha.size:,} cells with " r"$\mu^* > \mu_0$"
                   f"\n(of {grid['cells']:,} grid cells), L ≤ {grid['depth']}", fontsize=9)
    left.legend(markerscale=3, fontsize=7.5, ncol=3, loc="upper center",
                bbox_to_anchor=(0.5, -0.15))
    hist = arrays["grid_knee_hist"].astype(np.float64)
    x_edges, y_edges = arrays["grid_knee_hist_x_edges"], arrays["grid_knee_hist_dp_edges"]
    if hist.sum() > 0:
        mesh = right.pcolormesh(x_edges, y_edges, np.where(hist > 0, hist, np.nan).T,
                                norm=LogNorm(vmin=1, vmax=hist.max()), cmap="viridis",
                                rasterized=True)
        fig.colorbar(mesh, ax=right, label="cells per bin")
    offsets = arrays["grid_knee_offsets"]
    seen = arrays["grid_knee_count"] > 0
    right.plot(offsets[seen], arrays["grid_knee_median"][seen], color="C1",
               label="median over cells")
    right.plot(offsets[seen], arrays["grid_knee_max"][seen], color="C3", ls="--",
               label="maximum over cells")
    right.axvline(-KNEE, color="0.2", lw=0.8, ls=":")
    right.axvline(KNEE, color="0.2", lw=0.8, ls=":", label=r"knee edges $|L - L_{mix}| = 3$")
    right.set_xlim(-20, 20)
    right.set_ylim(y_edges[0], y_edges[-1])
    right.set_xlabel(r"$L - L_{mix}$")
    right.set_ylabel(r"$\Delta p_L = (\hat\mu_L - \mu_L)/2$")
    right.set_title(f"Error against distance from the knee\n(cells with α ≥ {band_edges[0]:g} "
                    r"and $\mu^* > \mu_0$)", fontsize=9)
    legend_with_status(right, {"knee_concentration": "error concentrated at the knee"},
                       fontsize=7.5, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "knee_error")


def plot(config: Any, metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    plot_clipped(metrics, arrays, figure_dir)
    plot_knee_error(metrics, arrays, figure_dir, list(config["alpha_band_edges"]))
