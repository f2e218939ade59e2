"""Figures of the phase-diagram experiment (figures 1–5 of the pillar), from saved results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from experiments.common.plotting import save_figure
from experiments.majority_tree.phase_exact import NEAR_CRITICAL_PAIRS, grid_axes
from experiments.majority_tree.plots_common import (
    g,
    hidden_axes_unlabelled,
    legend_with_status,
    paint_status,
    with_status,
)
from experiments.majority_tree.plots_phase_mc import plot_depth_trajectories, plot_mc_parity
from theory import majority_tree as mt

FIGURES = ("heatmaps", "boundary", "depth_trajectories", "fixed_point", "mc_parity")


def _edges(centres: np.ndarray, step: float) -> np.ndarray:
    """Cell edges of a regular grid of cell centres (one centre: ±step/2)."""
    centres = np.asarray(centres, float)
    if centres.size == 1:
        return np.array([centres[0] - step / 2, centres[0] + step / 2])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _diverging_norm(values: np.ndarray) -> TwoSlopeNorm:
    """White at 0, each side scaled to the data's extreme on that side."""
    finite = values[np.isfinite(values)]
    low = min(float(finite.min()) if finite.size else -1.0, -1e-3)
    high = max(float(finite.max()) if finite.size else 1.0, 1e-3)
    return TwoSlopeNorm(0.0, low, high)


def plot_heatmaps(config: Any, arrays: dict[str, np.ndarray], out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, mu0s, depths = list(axes_["b"]), list(config.mu0s), list(config.saved_depths)
    rho, gamma = axes_["rho"], axes_["gamma"]
    rho_e = _edges(rho, config.rho_step_pct / 100)
    gamma_e = _edges(gamma, config.gamma_step_pct / 100)
    i_small, i_large = int(np.argmin(mu0s)), int(np.argmax(mu0s))
    top_depth = 10 if 10 in depths else depths[-1]
    deep = 30 if 30 in depths else depths[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.log10((2 * arrays["p_L"][:, i_small, depths.index(top_depth)] - 1)
                        / mu0s[i_small])
    norm = _diverging_norm(gain)
    fig, grid = plt.subplots(2, len(fanins), figsize=(1.75 * len(fanins) + 2.2, 5.0),
                             sharex=True, sharey=True, squeeze=False)
    for j, b in enumerate(fanins):
        top = grid[0, j].pcolormesh(rho_e, gamma_e, gain[j], cmap="RdBu_r", norm=norm,
                                    rasterized=True)
        bottom = grid[1, j].pcolormesh(rho_e, gamma_e,
                                       arrays["p_L"][j, i_large, depths.index(deep)],
                                       cmap="viridis", vmin=0.5, vmax=1, rasterized=True)
        ks = 1 / np.sqrt(b)
        for ax in grid[:, j]:
            if rho.size > 1:
                ax.plot(rho, arrays["gamma_c"][j], color="black", lw=1.2)
            else:  # one ρ column: the boundary is a level across it
                ax.axhline(arrays["gamma_c"][j, 0], color="black", lw=1.2)
            if gamma_e[0] <= ks <= gamma_e[-1]:
                ax.plot([rho[0]], [ks], marker="*", color="white", mec="black", ms=10,
                        ls="none", clip_on=False, zorder=5)
            ax.set_xlim(rho_e[0], rho_e[-1])
            ax.set_ylim(gamma_e[0], gamma_e[-1])
            ax.grid(False)
        grid[0, j].set_title(f"b = {b}")
        grid[1, j].set_xlabel("correlation ρ")
    grid[0, 0].set_ylabel("fidelity γ")
    grid[1, 0].set_ylabel("fidelity γ")
    bar = fig.colorbar(top, ax=grid[0, :], fraction=0.04, pad=0.02)
    bar.set_label(rf"$\log_{{10}}(\mu_{{{top_depth}}}/\mu_0)$, $\mu_0$ = {g(mu0s[i_small])}")
    bar = fig.colorbar(bottom, ax=grid[1, :], fraction=0.04, pad=0.02)
    bar.set_label(rf"accuracy $p_{{{deep}}}$, $\mu_0$ = {g(mu0s[i_large])}")
    below = [b for b in fanins if 1 / np.sqrt(b) < gamma_e[0]]
    star = "Kesten–Stigum γ = 1/√b at ρ = 0" + (
        f" (below the grid for b ≥ {min(below)})" if below else "")
    handles = [plt.Line2D([], [], color="black", lw=1.2),
               plt.Line2D([], [], marker="*", color="white", mec="black", ms=10, ls="none")]
    handles, labels = with_status(handles, [r"boundary $\gamma_c(\rho)$: $\alpha_\rho = 1$",
                                            star],
                                  {"boundary": "sign rule on the grid",
                                   "evans_schulman": "Evans–Schulman value at ρ = 0"})
    paint_status(fig.legend(handles, labels, loc="outside lower center", ncol=len(labels)))
    fig.suptitle(f"Amplification after {top_depth} levels (top) and accuracy at depth {deep} "
                 "(bottom), exact recursion")
    hidden_axes_unlabelled(fig)
    save_figure(fig, out, "heatmaps")


def plot_boundary(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                  out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, mu0s, rho = list(axes_["b"]), list(config.mu0s), axes_["rho"]
    i_small = int(np.argmin(mu0s))
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(8.6, 4.2), width_ratios=(2.6, 1.0))
    every = max(1, len(rho) // 19)
    for j, b in enumerate(fanins):
        line, = ax.plot(rho, arrays["gamma_c"][j], label=f"b = {b}",
                        marker="_" if rho.size == 1 else None, ms=16)
        ax.plot(rho[::every], arrays["gamma_emp"][j, i_small, ::every], "o", mfc="none",
                color=line.get_color(), ms=4)
    ax.plot([], [], "-", color="grey", label=r"$\gamma_c(\rho)$ (theory)")
    ax.plot([], [], "o", mfc="none", color="grey",
            label=rf"smallest amplifying grid γ, $\mu_0$ = {g(mu0s[i_small])}")
    ax.set(xlabel="shared-error correlation ρ", ylabel="message fidelity γ",
           title=r"Boundary $\alpha_\rho = 1$ against the exact grid")
    legend_with_status(ax, {"boundary": r"grid boundary tracks $\gamma_c$"}, loc="upper center",
                       bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=7.5)
    gaps = np.asarray(metrics["boundary"]["max_gap_per_b_mu0"])
    width = 0.8 / len(mu0s)
    for i, mu0 in enumerate(mu0s):
        bars.bar(np.arange(len(fanins)) + i * width, gaps[:, i], width,
                 label=rf"$\mu_0$ = {g(mu0)}")
    bars.axhline(config.gamma_step_pct / 100, color="black", ls="--", lw=0.9,
                 label="grid step in γ")
    bars.set_xticks(np.arange(len(fanins)) + width * (len(mu0s) - 1) / 2,
                    [str(b) for b in fanins])
    bars.set_ylim(0, 1.45 * max(float(np.nanmax(gaps)), config.gamma_step_pct / 100))
    bars.set(xlabel="fan-in b", ylabel=r"largest $|\gamma_{emp} - \gamma_c|$",
             title="Largest gap per b")
    bars.legend(loc="upper center", ncol=2, fontsize=7.5)
    hidden_axes_unlabelled(fig)
    save_figure(fig, out, "boundary")


def plot_fixed_point(config: Any, arrays: dict[str, np.ndarray], out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, gamma = list(axes_["b"]), axes_["gamma"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.8))
    for j, b in enumerate(fanins):  # ρ = 0 column: μ* against α as γ varies
        alpha, mu_star = arrays["alpha"][j, :, 0], arrays["mu_star"][j, :, 0]
        left.plot(alpha, mu_star, label=f"b = {b}")
    if 3 in fanins:
        closed = np.asarray(mt.fixed_point_b3(gamma, 0.0))
        alpha3 = arrays["alpha"][fanins.index(3), :, 0]
        step = max(1, len(gamma) // 24)
        left.plot(alpha3[::step], closed[::step], "kx", ms=5, label="b = 3 closed form")
    left.axvline(1.0, color="grey", lw=0.8)
    left.set(xlabel=r"gain $\alpha_\rho$ (ρ = 0, γ varies)", ylabel="fixed point μ*",
             title="Fixed point μ* by bisection (lines)")
    legend_with_status(left, {"fixed_point_values": "reference table of μ*",
                              "b3_closed_form": "b = 3 closed form"},
                       fontsize=7.5, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    excess = arrays["near_critical_excess"]
    for i, (b, rho) in enumerate(NEAR_CRITICAL_PAIRS):
        line, = right.loglog(excess, arrays["near_critical_mu_star"][i], "o", ms=4,
                             label=f"b = {b}, ρ = {rho}")
        right.loglog(excess, np.sqrt(excess / arrays["near_critical_constant"][i]), "-",
                     color=line.get_color(), lw=1)
    right.plot([], [], "o", color="grey", label="bisection")
    right.plot([], [], "-", color="grey", label=r"$\sqrt{(\alpha_\rho - 1)/C}$")
    right.set(xlabel=r"$\alpha_\rho - 1$", ylabel="fixed point μ*",
              title="Near-critical scaling")
    legend_with_status(right, {"near_critical": "square-root scaling"}, fontsize=7.5, ncol=3,
                       loc="upper center", bbox_to_anchor=(0.5, -0.16))
    hidden_axes_unlabelled(fig)
    save_figure(fig, out, "fixed_point")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         out: Path) -> None:
    plot_heatmaps(config, arrays, out)
    plot_boundary(config, metrics, arrays, out)
    plot_depth_trajectories(config, metrics, arrays, out)
    plot_fixed_point(config, arrays, out)
    plot_mc_parity(config, metrics, out)
