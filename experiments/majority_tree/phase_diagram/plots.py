"""Figures of ``phase_diagram`` (figures 1–5 of the pillar), drawn from saved results only.

``heatmaps``, ``boundary`` and ``fixed_point`` show the exact recursion on the (b, γ, ρ) grid;
``depth_trajectories`` and ``mc_parity`` compare explicit trees with the exact recursion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from experiments.common.plotting import INTERVAL_95, paint_status, save_figure
from experiments.majority_tree.phase_diagram.metrics import NEAR_CRITICAL_PAIRS, grid_axes
from experiments.majority_tree.shared.plot_style import (
    g,
    hidden_axes_unlabelled,
    legend_with_status,
    with_status,
)

FIGURES = ("heatmaps", "boundary", "depth_trajectories", "fixed_point", "mc_parity")
DECAY_ROWS = ("D2", "D3", "D4")


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
    if "b3_closed_form_rho0" in arrays:
        closed = arrays["b3_closed_form_rho0"]
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


def interval_label(trials: list[int], streams: int) -> str:
    """Legend text of explicit-tree error bars."""
    t = sorted(set(trials))
    count = f"{t[0]:,}" if len(t) == 1 else f"{t[0]:,}–{t[-1]:,}"
    return (f"explicit trees, 95 % binomial interval\n(T = {count} trees, "
            f"{streams} seed stream{'s' if streams > 1 else ''})")


def _trajectories(ax: Any, config: Any, deep: list[dict], exact: np.ndarray) -> None:
    levels = np.arange(exact.shape[1])
    depth = config.deep_depth
    for i, row in enumerate(deep):
        line, = ax.plot(levels[:depth + 1], exact[i, :depth + 1],
                        label=f"{row['id']}: $p_0$ = {row['p0']:.2f}, α = {row['alpha']:.2f}")
        ax.plot(levels[depth:], exact[i, depth:], ls="--", color=line.get_color())
        p_hat, se = np.asarray(row["p_hat"]), np.asarray(row["se"])
        ax.errorbar(np.arange(len(p_hat)), p_hat, INTERVAL_95 * se, fmt="o",
                    color=line.get_color(), ms=3)
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.plot([], [], "k-", label="exact recursion")
    ax.plot([], [], "k--", label="exact, beyond the simulated depth")
    ax.errorbar([], [], [], fmt="o", color="k", ms=3,
                label=interval_label([r["trials"] for r in deep], config.seed_streams))
    ax.set(xlabel="level l", ylabel="accuracy $p_l$", title="Accuracy by level")
    legend_with_status(ax, {"deep_limit": "deep limits", "wrong_answer": "wrong-answer symmetry",
                            "mc_phase_sign": "direction of the root"},
                       loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5)


def _decay(ax: Any, deep: list[dict], exact: np.ndarray, geometric: np.ndarray,
           critical: np.ndarray) -> None:
    levels = np.arange(exact.shape[1])
    ids = [r["id"] for r in deep]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for name in DECAY_ROWS:
        if name not in ids:
            continue
        i = ids.index(name)
        row, colour = deep[i], colours[i % len(colours)]
        mu = np.abs(2 * exact[i] - 1)
        ax.semilogy(levels, mu, color=colour, label=f"{name} exact (α = {row['alpha']:.2f})")
        mu_hat = np.abs(2 * np.asarray(row["p_hat"]) - 1)
        ax.errorbar(np.arange(len(mu_hat)), mu_hat, 2 * INTERVAL_95 * np.asarray(row["se"]),
                    fmt="o", ms=3, color=colour)
        if name == "D4":
            ax.semilogy(levels, geometric[i], ":", color="black",
                        label=r"$\alpha^l \mu_0$ (geometric decay)")
        if name == "D3":
            ax.semilogy(levels, critical[i], "-.", color="black",
                        label=r"$(2Cl + \mu_0^{-2})^{-1/2}$ (critical)")
    ax.set(xlabel="level l", ylabel=r"bias $|\mu_l| = |2p_l - 1|$",
           title="Growth, critical and geometric decay")
    legend_with_status(ax, {"geometric_decay": "geometric decay", "critical_decay":
                            "critical decay"},
                       loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5)


def plot_depth_trajectories(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                            out: Path) -> None:
    deep, exact = metrics["deep"], arrays["deep_exact"]
    decay = any(r["id"] in DECAY_ROWS for r in deep)
    fig, axes = plt.subplots(1, 2 if decay else 1, figsize=(10, 4.8) if decay else (5.6, 4.8),
                             squeeze=False)
    _trajectories(axes[0, 0], config, deep, exact)
    if decay:
        _decay(axes[0, 1], deep, exact, arrays["deep_geometric_decay"],
               arrays["deep_critical_decay"])
    shapes = sorted({(r["b"], r["rho"]) for r in deep})
    if len(shapes) == 1:
        fig.suptitle(f"Explicit trees and the exact recursion, b = {shapes[0][0]}, "
                     f"ρ = {shapes[0][1]:g}")
    hidden_axes_unlabelled(fig)
    save_figure(fig, out, "depth_trajectories")


def plot_mc_parity(config: Any, metrics: dict[str, Any], out: Path) -> None:
    rows = metrics["grid_a"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
    fanins = sorted({r["b"] for r in rows})
    colours = dict(zip(fanins, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    markers = {p0: m for p0, m in zip(sorted({r["p0"] for r in rows}), "os^vD", strict=False)}
    for row in rows:
        left.errorbar(row["exact"][-1], row["p_hat"][-1], INTERVAL_95 * row["se"][-1],
                      fmt=markers[row["p0"]], color=colours[row["b"]], ms=4, mfc="none")
    lo = min(min(r["exact"][-1] for r in rows), 0.3)
    hi = max(max(r["exact"][-1] for r in rows), 0.7)
    left.plot([lo, hi], [lo, hi], color="black", lw=0.8, label=r"$\hat p = p$")
    for b in fanins:
        left.plot([], [], "s", color=colours[b], label=f"b = {b}")
    for p0, marker in markers.items():
        left.plot([], [], marker, color="grey", mfc="none", label=f"$p_0$ = {p0:g}")
    left.errorbar([], [], [], fmt="o", color="grey", ms=3, mfc="none",
                  label=interval_label([r["trials"] for r in rows], config.seed_streams))
    left.set(xlabel="exact root accuracy $p_L$", ylabel=r"Monte Carlo $\hat p_L$",
             title="Root accuracy: explicit trees vs exact recursion")
    legend_with_status(left, {"mc_agreement": "agreement at every level",
                              "mc_all_fanins": "b = 11, 13, 15 and deep trees"},
                       loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=7.5)
    z = np.concatenate([np.asarray(r["z"]) for r in rows])
    z_k = metrics["mc_checks"]["agreement"]["z_K"]
    bound = max(z_k, np.abs(z).max()) + 0.5
    right.hist(z, bins=np.linspace(-bound, bound, 31), density=True, alpha=0.6,
               label=f"z at all levels (K = {len(z)})")
    grid_z = np.linspace(-bound, bound, 200)
    right.plot(grid_z, np.exp(-grid_z**2 / 2) / np.sqrt(2 * np.pi), color="black",
               label="standard normal")
    for sign in (-1, 1):
        right.axvline(sign * z_k, color="red", ls="--", lw=1)
    right.plot([], [], color="red", ls="--", label=rf"$\pm z_K$ = {z_k:.2f} (family-wise)")
    right.set(xlabel=r"$z = (\hat p - p)/\mathrm{SE}$", ylabel="density",
              title="Standardised errors")
    right.set_ylim(0, 1.35 * max(0.4, right.get_ylim()[1]))
    right.legend(loc="upper center", ncol=2, fontsize=7)
    hidden_axes_unlabelled(fig)
    save_figure(fig, out, "mc_parity")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         out: Path) -> None:
    plot_heatmaps(config, arrays, out)
    plot_boundary(config, metrics, arrays, out)
    plot_depth_trajectories(config, metrics, arrays, out)
    plot_fixed_point(config, arrays, out)
    plot_mc_parity(config, metrics, out)
