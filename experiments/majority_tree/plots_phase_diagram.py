"""Figures of the phase-diagram experiment (spec §6, figures 1–5), from saved results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.majority_tree.common import MC_CAPTION, z_threshold
from experiments.majority_tree.phase_exact import NEAR_CRITICAL_PAIRS, grid_axes
from theory import majority_tree as mt

FIGURES = ("heatmaps", "boundary", "depth_trajectories", "fixed_point", "mc_parity")


def _caption(config: Any, trials: str) -> str:
    return MC_CAPTION.format(streams=config.seed_streams).replace("T trials", trials)


def plot_heatmaps(config: Any, arrays: dict[str, np.ndarray], out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, mu0s, depths = list(axes_["b"]), list(config.mu0s), list(config.saved_depths)
    rho, gamma = axes_["rho"], axes_["gamma"]
    i_small = int(np.argmin(mu0s))
    i_large = int(np.argmax(mu0s))
    top_depth = 10 if 10 in depths else depths[-1]
    deep = 30 if 30 in depths else depths[-1]
    gain = np.log10((2 * arrays["p_L"][:, i_small, depths.index(top_depth)] - 1) / mu0s[i_small])
    limit = float(np.nanmax(np.abs(gain)))
    fig, grid = plt.subplots(2, len(fanins), figsize=(2.1 * len(fanins) + 1, 5.2),
                             sharex=True, sharey=True, squeeze=False)
    extent = (rho[0], rho[-1], gamma[0], gamma[-1])
    for j, b in enumerate(fanins):
        top = grid[0, j].imshow(gain[j], origin="lower", aspect="auto", extent=extent,
                                cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -limit, limit))
        bottom = grid[1, j].imshow(arrays["p_L"][j, i_large, depths.index(deep)], origin="lower",
                                   aspect="auto", extent=extent, cmap="viridis", vmin=0.5, vmax=1)
        for ax in grid[:, j]:
            ax.plot(rho, arrays["gamma_c"][j], color="black", lw=1.2)
            ax.plot([0.0], [1 / np.sqrt(b)], marker="*", color="white", mec="black", ms=9,
                    ls="none", clip_on=False)
            ax.grid(False)
        grid[0, j].set_title(f"b = {b}")
        grid[1, j].set_xlabel("ρ")
    grid[0, 0].set_ylabel("γ")
    grid[1, 0].set_ylabel("γ")
    fig.colorbar(top, ax=grid[0, :], label=f"log10(μ_{top_depth}/μ0), μ0 = {mu0s[i_small]}")
    fig.colorbar(bottom, ax=grid[1, :], label=f"p_{deep} (μ0 = {mu0s[i_large]})")
    grid[0, 0].plot([], [], color="black", label="γ_c(ρ): α_ρ = 1")
    grid[0, 0].plot([], [], marker="*", color="white", mec="black", ls="none",
                    label="Kesten–Stigum γ = 1/√b (ρ = 0)")
    grid[0, 0].legend(loc="lower right", fontsize=6, frameon=True)
    fig.suptitle("Amplification (top) and deep-tree accuracy (bottom), exact recursion")
    save_figure(fig, out, "heatmaps")


def plot_boundary(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                  out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, mu0s, rho = list(axes_["b"]), list(config.mu0s), axes_["rho"]
    i_small = int(np.argmin(mu0s))
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    every = max(1, len(rho) // 19)
    for j, b in enumerate(fanins):
        line, = ax.plot(rho, arrays["gamma_c"][j], label=f"b = {b}")
        ax.plot(rho[::every], arrays["gamma_emp"][j, i_small, ::every], "o", mfc="none",
                color=line.get_color(), ms=4)
    ax.plot([], [], "o", mfc="none", color="grey", label=f"γ_emp(ρ), μ0 = {mu0s[i_small]}")
    ax.set(xlabel="shared-error correlation ρ", ylabel="message fidelity γ",
           title="α_ρ = 1 boundary: γ_c(ρ) (lines) vs smallest amplifying grid γ (points)")
    ax.legend(ncol=2, loc="upper left")
    inset = ax.inset_axes([0.66, 0.05, 0.32, 0.24])
    gaps = np.asarray(metrics["boundary"]["max_gap_per_b_mu0"])
    width = 0.8 / len(mu0s)
    for i, mu0 in enumerate(mu0s):
        inset.bar(np.arange(len(fanins)) + i * width, gaps[:, i], width, label=f"μ0 = {mu0}")
    inset.set_xticks(np.arange(len(fanins)) + width / 2, [str(b) for b in fanins], fontsize=6)
    inset.set_title("max |γ_emp − γ_c| per b", fontsize=7)
    inset.tick_params(labelsize=6)
    inset.legend(fontsize=6)
    save_figure(fig, out, "boundary")


def plot_depth_trajectories(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                            out: Path) -> None:
    deep = metrics["deep"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    exact = arrays["deep_exact"]
    levels = np.arange(exact.shape[1])
    depth = config.deep_depth
    for i, row in enumerate(deep):
        line, = left.plot(levels[:depth + 1], exact[i, :depth + 1],
                          label=f"{row['id']}: p0={row['p0']:.2f}, α={row['alpha']:.2f}")
        left.plot(levels[depth:], exact[i, depth:], ls="--", color=line.get_color())
        p_hat, se = np.asarray(row["p_hat"]), np.asarray(row["se"])
        left.errorbar(np.arange(len(p_hat)), p_hat, INTERVAL_95 * se, fmt="o",
                      color=line.get_color(), ms=3)
    left.axhline(0.5, color="grey", lw=0.8)
    left.set(xlabel="level l", ylabel="accuracy p_l",
             title="Exact recursion (lines; dashed past the simulated depth)\n"
                   "and explicit trees (points)")
    left.legend(fontsize=7)
    ids = [r["id"] for r in deep]
    for name in ("D2", "D3", "D4"):
        if name not in ids:
            continue
        i = ids.index(name)
        row = deep[i]
        mu = np.abs(2 * exact[i] - 1)
        line, = right.semilogy(levels, mu, label=f"{name} exact (α = {row['alpha']:.2f})")
        mu0 = 2 * row["p0"] - 1
        mu_hat = np.abs(2 * np.asarray(row["p_hat"]) - 1)
        right.errorbar(np.arange(len(mu_hat)), mu_hat, 2 * INTERVAL_95 * np.asarray(row["se"]),
                       fmt="o", ms=3, color=line.get_color())
        if name == "D4":
            right.semilogy(levels, row["alpha"] ** levels * mu0, ":", color="black",
                           label="α^l·μ0 (geometric decay)")
        if name == "D3":
            c = float(mt.near_critical_constant(row["gamma"], row["rho"], row["b"]))
            right.semilogy(levels, (2 * c * levels + mu0**-2) ** -0.5, "-.", color="black",
                           label="(2Cl + μ0⁻²)^(−1/2) (critical)")
    right.set(xlabel="level l", ylabel="|μ_l| = |2p_l − 1|", title="Growth, critical and "
              "geometric decay")
    right.legend(fontsize=7)
    fig.text(0.5, -0.02, "Points: " + _caption(config, f"T = {config.deep_trials} trials") +
             "; b = 3, ρ = 0.2.", ha="center", fontsize=8)
    save_figure(fig, out, "depth_trajectories")


def plot_fixed_point(config: Any, arrays: dict[str, np.ndarray], out: Path) -> None:
    axes_ = grid_axes(config)
    fanins, gamma = list(axes_["b"]), axes_["gamma"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    for j, b in enumerate(fanins):  # ρ = 0 column: μ* against α as γ varies
        alpha, mu_star = arrays["alpha"][j, :, 0], arrays["mu_star"][j, :, 0]
        left.plot(alpha, mu_star, label=f"b = {b}")
    if 3 in fanins:
        closed = np.asarray(mt.fixed_point_b3(gamma, 0.0))
        alpha3 = arrays["alpha"][fanins.index(3), :, 0]
        left.plot(alpha3[::3], closed[::3], "kx", ms=5, label="b = 3 closed form")
    left.axvline(1.0, color="grey", lw=0.8)
    left.set(xlabel="α_ρ (ρ = 0, γ varies)", ylabel="fixed point μ*",
             title="μ* by bisection (lines)")
    left.legend(fontsize=7, ncol=2)
    excess = arrays["near_critical_excess"]
    for i, (b, rho) in enumerate(NEAR_CRITICAL_PAIRS):
        line, = right.loglog(excess, arrays["near_critical_mu_star"][i], "o", ms=4,
                             label=f"b = {b}, ρ = {rho}")
        right.loglog(excess, np.sqrt(excess / arrays["near_critical_constant"][i]), "-",
                     color=line.get_color(), lw=1)
    right.set(xlabel="α_ρ − 1", ylabel="μ*",
              title="Near-critical scaling: points bisection,\nlines sqrt((α−1)/C)")
    right.legend(fontsize=7)
    save_figure(fig, out, "fixed_point")


def plot_mc_parity(config: Any, metrics: dict[str, Any], out: Path) -> None:
    rows = metrics["grid_a"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.3))
    fanins = sorted({r["b"] for r in rows})
    colours = dict(zip(fanins, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    markers = {p0: m for p0, m in zip(sorted({r["p0"] for r in rows}), "os^vD", strict=False)}
    for row in rows:
        left.errorbar(row["exact"][-1], row["p_hat"][-1], INTERVAL_95 * row["se"][-1],
                      fmt=markers[row["p0"]], color=colours[row["b"]], ms=4, mfc="none")
    lo = min(min(r["exact"][-1] for r in rows), 0.3)
    hi = max(max(r["exact"][-1] for r in rows), 0.7)
    left.plot([lo, hi], [lo, hi], color="black", lw=0.8, label="p̂ = p")
    for b in fanins:
        left.plot([], [], "s", color=colours[b], label=f"b = {b}")
    for p0, marker in markers.items():
        left.plot([], [], marker, color="grey", mfc="none", label=f"p0 = {p0}")
    left.set(xlabel="exact root accuracy p_L", ylabel="Monte Carlo p̂_L",
             title="Grid A roots: explicit trees vs exact recursion")
    left.legend(fontsize=7)
    z = np.concatenate([np.asarray(r["z"]) for r in rows])
    z_k = z_threshold(len(z))
    bound = max(z_k, np.abs(z).max()) + 0.5
    right.hist(z, bins=np.linspace(-bound, bound, 31), density=True, alpha=0.6,
               label=f"z at all levels (K = {len(z)})")
    grid_z = np.linspace(-bound, bound, 200)
    right.plot(grid_z, np.exp(-grid_z**2 / 2) / np.sqrt(2 * np.pi), color="black", label="N(0, 1)")
    for sign in (-1, 1):
        right.axvline(sign * z_k, color="red", ls="--", lw=1)
    right.plot([], [], color="red", ls="--", label=f"±z_K = {z_k:.2f}")
    right.set(xlabel="z = (p̂ − p)/SE", ylabel="density", title="Standardised errors")
    right.legend(fontsize=7)
    trials = sorted({r["trials"] for r in rows})
    fig.text(0.5, -0.02, "Error bars: " + _caption(
        config, f"T = {'/'.join(str(t) for t in trials)} trials"), ha="center", fontsize=8)
    save_figure(fig, out, "mc_parity")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         out: Path) -> None:
    plot_heatmaps(config, arrays, out)
    plot_boundary(config, metrics, arrays, out)
    plot_depth_trajectories(config, metrics, arrays, out)
    plot_fixed_point(config, arrays, out)
    plot_mc_parity(config, metrics, out)
