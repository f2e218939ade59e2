"""Monte Carlo figures of the phase-diagram experiment: ``depth_trajectories`` and
``mc_parity`` (explicit trees against the exact recursion), from saved results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.majority_tree.common import z_threshold
from experiments.majority_tree.plots_common import hidden_axes_unlabelled, legend_with_status
from theory import majority_tree as mt

DECAY_ROWS = ("D2", "D3", "D4")


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


def _decay(ax: Any, deep: list[dict], exact: np.ndarray) -> None:
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
        mu0 = 2 * row["p0"] - 1
        mu_hat = np.abs(2 * np.asarray(row["p_hat"]) - 1)
        ax.errorbar(np.arange(len(mu_hat)), mu_hat, 2 * INTERVAL_95 * np.asarray(row["se"]),
                    fmt="o", ms=3, color=colour)
        if name == "D4":
            ax.semilogy(levels, row["alpha"] ** levels * mu0, ":", color="black",
                        label=r"$\alpha^l \mu_0$ (geometric decay)")
        if name == "D3":
            c = float(mt.near_critical_constant(row["gamma"], row["rho"], row["b"]))
            ax.semilogy(levels, (2 * c * levels + mu0**-2) ** -0.5, "-.", color="black",
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
        _decay(axes[0, 1], deep, exact)
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
    z_k = z_threshold(len(z))
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
