"""Figures of the ``continuous`` experiment (spec §6, figures 13–14); saved results only.

- ``organizations``: tree risk v_l against level l, star risk R against N, chain risk R against
  L: closed forms as lines, Monte Carlo as points with 95 % intervals (±1.96 SE from fourth
  moments), the tree floor v*, the star floor ρv0 and the feasible star sizes N ≤ ⌊W/m⌋.
- ``floors``: stationary-start Monte Carlo v̂_L/v* for every sweep cell (line at 1); and the
  theory contrast against ρ: per-node tree floor v*, star floor ρv0, and the floor
  ρv0 + σ_c²/(b−1) that global equicorrelation would give (not Eq. 13).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.majority_tree.shared.plot_style import hidden_axes_unlabelled, legend_with_status

FIGURES = ("organizations", "floors")
MC_LABEL = "Monte Carlo, 95 % interval"
_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16)}


def _streams(streams: int) -> str:
    return f"{streams} seed stream{'s' if streams > 1 else ''}"


def _points(ax: Any, x: np.ndarray, y: np.ndarray, se: np.ndarray, label: str) -> None:
    ax.errorbar(x, y, yerr=INTERVAL_95 * se, fmt="o", color="k", ms=3.5, mfc="white",
                label=label, zorder=3)


def _tree_panel(ax: Any, metrics: dict, arrays: dict[str, np.ndarray]) -> None:
    tree = metrics["tree"]
    ax.plot(arrays["tree_fine_l"], arrays["tree_fine_v"], color="C0",
            label=r"$v_l = \lambda^l(v_0 - v^*) + v^*$")
    ax.axhline(tree["v_star"], color="C1", ls="--", lw=1.1,
               label=rf"floor $v^* = \sigma_c^2/((b-1)(1-\rho))$ = {tree['v_star']:.4g}")
    _points(ax, arrays["tree_level"], arrays["tree_v_hat"], arrays["tree_se"], MC_LABEL)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("level $l$ (0 = leaves)")
    ax.set_ylabel(r"risk $v_l = E[e^2]$")
    ax.set_title(f"Tree: b = {tree['b']}, ρ = {tree['rho']:g}, " r"$\sigma_c^2$"
                 f" = {tree['sigma2']:g}, " r"$v_0$" f" = {tree['v0']:g}\n"
                 f"T = {tree['trials_pooled']:,} trees", fontsize=9)
    legend_with_status(ax, {"tree_closed_form": "closed form"}, fontsize=7.5, **_BELOW)


def _star_panel(ax: Any, metrics: dict, arrays: dict[str, np.ndarray]) -> None:
    star = metrics["star"]
    if star["cap"] >= 1:
        ax.axvspan(0.8, star["cap"], color="0.9", lw=0,
                   label=f"feasible N ≤ ⌊W/m⌋ = {star['cap']} (W = {star['window']}, "
                         f"m = {star['message_tokens']})")
    ax.plot(arrays["star_fine_N"], arrays["star_fine_R"], color="C0", ms=14,
            marker="_" if np.size(arrays["star_fine_N"]) == 1 else None,
            label=r"$R = v_0(\rho + (1-\rho)/N) + \sigma_c^2/N$")
    ax.axhline(star["floor"], color="C2", ls="--", lw=1.1,
               label=rf"floor $\rho v_0$ = {star['floor']:.3g}")
    _points(ax, arrays["star_N"], arrays["star_v_hat"], arrays["star_se"], MC_LABEL)
    ax.set_xscale("log")
    ax.set_xlim(0.8, max(star["N"]) * 1.25)
    ax.set_xticks(star["N"], [str(n) for n in star["N"]])
    ax.minorticks_off()
    ax.set_xlabel("star size $N$ (leaves)")
    ax.set_ylabel("risk $R_{star}(N)$")
    ax.set_title(r"Star: same ρ, $\sigma_c^2$, $v_0$" f"\nT = {star['trials_pooled']:,} trials",
                 fontsize=9)
    legend_with_status(ax, {"star": "star risk"}, fontsize=7.5, **_BELOW)


def _chain_panel(ax: Any, metrics: dict, arrays: dict[str, np.ndarray]) -> None:
    chain = metrics["chain"]
    ax.plot(arrays["chain_L"], arrays["chain_formula"], color="C0", marker=".",
            label=r"$R = v_0(\rho + \frac{1-\rho}{L}) + \sigma_c^2\frac{(L-1)(2L-1)}{6L}$")
    best = chain["argmin_formula"]
    ax.axvline(best, color="C3", ls=":", lw=1.1, label=f"formula argmin L = {best}")
    _points(ax, arrays["chain_L"], arrays["chain_v_hat"], arrays["chain_se"],
            f"{MC_LABEL} (argmin L = {chain['argmin_mc']})")
    ax.set_xlabel("chain length $L$ (agents)")
    ax.set_ylabel("risk $R_{chain}(L)$")
    ax.set_title(r"Running-average chain (our convention): same ρ, $\sigma_c^2$, $v_0$"
                 f"\nT = {chain['trials_pooled']:,} trials", fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    legend_with_status(ax, {"chain": "chain risk"}, fontsize=7.5, **_BELOW)


def plot_organizations(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    streams = metrics["seed_streams"]
    fig, axes = plt.subplots(1, 3, figsize=(12.0, 4.8))
    _tree_panel(axes[0], metrics, arrays)
    _star_panel(axes[1], metrics, arrays)
    _chain_panel(axes[2], metrics, arrays)
    fig.suptitle("Continuous model: closed forms (lines) vs explicit Gaussian Monte Carlo "
                 f"(points; ±1.96 SE from 4th moments, {_streams(streams)})", fontsize=10)
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "organizations")


def plot_floors(metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    floors, contrast, tree = metrics["floors"], metrics["contrast"], metrics["tree"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 4.2),
                                      gridspec_kw={"width_ratios": [1.4, 1.0]})
    cells = floors["cells"]
    x = np.arange(len(cells))
    rhos = sorted({c["rho"] for c in cells})
    colours = {r: f"C{i}" for i, r in enumerate(rhos)}
    sigmas = sorted({c["sigma2"] for c in cells})
    markers = dict(zip(sigmas, "osD^v<>", strict=False))
    left.axhline(1.0, color="0.3", lw=1.0)
    for i, c in enumerate(cells):
        left.errorbar(x[i], c["root_ratio"], yerr=INTERVAL_95 * c["root_ratio_se"],
                      fmt=markers[c["sigma2"]], color=colours[c["rho"]], ms=5, mfc="white")
    for r in rhos:
        left.plot([], [], "s", color=colours[r], label=f"ρ = {r:g}")
    for s in sigmas:
        left.plot([], [], markers[s], color="0.3", mfc="white", label=rf"$\sigma_c^2$ = {s:g}")
    left.errorbar([], [], [], fmt="o", color="0.3", mfc="white", ms=5,
                  label=f"{MC_LABEL}\n({_streams(metrics['seed_streams'])})")
    shapes = list(dict.fromkeys((c["b"], c["L"]) for c in cells))
    for b, depth in shapes:
        idx = [i for i, c in enumerate(cells) if (c["b"], c["L"]) == (b, depth)]
        left.axvspan(idx[0] - 0.5, idx[-1] + 0.5, color="0.95" if shapes.index((b, depth)) % 2
                     else "white", zorder=0)
        left.text(np.mean(idx), 0.03, f"b = {b}, L = {depth}", transform=left.get_xaxis_transform(),
                  ha="center", fontsize=8)
    left.set_xticks(x, [f"{c['rho']:g}/{c['sigma2']:g}" for c in cells], rotation=60,
                    fontsize=6.5)
    left.set_xlabel(r"cell: ρ / $\sigma_c^2$")
    left.set_ylabel(r"root risk over floor $\hat v_L / v^*$")
    left.set_title(r"Stationary start $v_0 = v^*$: the tree stays at its floor"
                   f"\nT = {floors['trials_pooled']:,} trees per cell", fontsize=9)
    legend_with_status(left, {"tree_floor": "tree floor"}, loc="upper left",
                       bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
    pad = max(0.02, 1.3 * max(abs(c["root_ratio"] - 1) + INTERVAL_95 * c["root_ratio_se"]
                              for c in cells))
    left.set_ylim(1 - 1.6 * pad, 1 + 1.3 * pad)

    grid = arrays["contrast_rho"]
    right.plot(grid, arrays["contrast_tree_floor"], color="C0",
               label=r"tree, per-node clone: $v^* = \sigma_c^2/((b-1)(1-\rho))$ (Eq. 13)")
    right.plot(grid, arrays["contrast_star_floor"], color="C2", ls="--",
               label=r"star: $\rho v_0$")
    right.plot(grid, arrays["contrast_global_floor"], color="C3", ls="-.",
               label=r"tree, global equicorrelation: $\rho v_0 + \sigma_c^2/(b-1)$")
    right.axvline(tree["rho"], color="0.5", lw=0.8, ls=":")
    right.plot([tree["rho"]] * 3, [contrast["v_star"], contrast["star_floor"],
                                   contrast["global_floor"]], "o", color="k", ms=3.5)
    right.set_ylim(0.0, 1.05 * float(np.max(arrays["contrast_global_floor"])))
    right.set_xlabel("correlation ρ")
    right.set_ylabel("floor (risk)")
    right.set_title(f"Theory contrast: b = {tree['b']}, " r"$\sigma_c^2$"
                    f" = {tree['sigma2']:g}, " r"$v_0$" f" = {tree['v0']:g}\n(points at "
                    f"ρ = {tree['rho']:g}: {contrast['v_star']:.4g}, "
                    f"{contrast['star_floor']:.3g}, {contrast['global_floor']:.3g})", fontsize=9)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5)
    fig.suptitle("Continuous floors: the per-node clone reproduces the paper's Eq. 13",
                 fontsize=10)
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "floors")


def plot(config: Any, metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    plot_organizations(metrics, arrays, figure_dir)
    plot_floors(metrics, arrays, figure_dir)
