"""Figures of `toy_models` (spec superposition.md §5, figures 10–13); saved results only.

- ``sparsity_20to5``: W W^T heat maps (the paper's W^T W) and feature-norm bars for the linear
  control and each ReLU sparsity (seed 0); bottom: ‖W‖_F^2 against 1/(1 − S), every seed as a
  point, the seed mean with its spread over seeds (saved in metrics: the range of two
  seeds, a 95 % bootstrap interval over three or more), linear theory line at 5.
- ``pentagon_5to2``: the five 2-D feature vectors W_i as arrows per 1 − S (seed 0).
- ``dimensionality_200to20``: D* and every D_i (norm > 0.1) against 1/(1 − S), with the sticky
  fractions 1, 3/4, 2/3, 1/2, 2/5, 3/8 as reference lines (reconstructed labels, not claims).
- ``phase_2to1``: trained and analytic 2 → 1 phase diagrams with the fixed-candidate boundary.
A part left out by ``--parts`` skips its figure (one log line). Claims a figure shows are marked
where they failed or were not run (``shared.plot_style.mark_suffix``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from experiments.common.plotting import save_figure, skip_figure
from experiments.superposition.shared.plot_style import (
    colour_marked,
    mark_suffix,
    spread_text,
    trim_ticks,
)

FIGURES = ("sparsity_20to5", "pentagon_5to2", "dimensionality_200to20", "phase_2to1")
STICKY = ((1.0, "1"), (0.75, "3/4"), (2 / 3, "2/3"), (0.5, "1/2"), (0.4, "2/5"), (0.375, "3/8"))
PHASE_COLORS = ("#0072B2", "#E69F00", "#009E73", "#BBBBBB")  # A, B, C, O


def _sparsity(part: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    inst = part["instances"]
    shown = [i for i, e in enumerate(inst) if e["seed"] == 0]
    shown = [i for i in shown if not inst[i]["relu"]][:1] + [i for i in shown if inst[i]["relu"]]
    cols = len(shown)
    fig = plt.figure(figsize=(max(2.0 * cols, 6.0), 7.6))
    grid = fig.add_gridspec(3, cols, height_ratios=[1.0, 0.55, 1.1])
    image = None
    for c, i in enumerate(shown):
        e = inst[i]
        ax = fig.add_subplot(grid[0, c])
        image = ax.imshow(arrays["sparsity_WWt"][i], cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        kind = "ReLU" if e["relu"] else "linear"
        ax.set_title(f"{kind}, 1 − S = {e['density']:g}\n$\\|W\\|_F^2$ = {e['frob2']:.2f}",
                     fontsize=8)
        bx = fig.add_subplot(grid[1, c])
        bx.bar(np.arange(20), e["norms"], color="0.3", width=0.8)
        bx.set_ylim(0, 1.4)
        bx.set_xticks([0, 19])
        if c == 0:
            bx.set_ylabel(r"$\|W_i\|$")
            ax.set_ylabel(r"$W W^T$ (feature $i$)")
        bx.set_xlabel("feature i")
        if c:
            bx.set_yticklabels([])
    fig.colorbar(image, ax=fig.axes[:2 * cols:2], shrink=0.8, label=r"$(W W^T)_{ij}$")
    ax = fig.add_subplot(grid[2, :])
    for relu, color, name in ((True, "C1", "ReLU"), (False, "C0", "linear")):
        sel = [e for e in inst if e["relu"] == relu]
        if not sel:
            continue
        mark = mark_suffix("relu_monotone", prefix="growth claim") if relu else ""
        x = np.array([1 / e["density"] for e in sel])
        y = np.array([e["frob2"] for e in sel])
        spread = part["frob2_by_sparsity"]["relu" if relu else "linear"]
        xs, means = np.array(spread["x"]), np.array(spread["mean"])
        if x.size > xs.size:
            ax.plot(x, y, "o", ms=3, color=color, alpha=0.45, label=f"{name}: each seed")
        fewest = min(spread["seeds"])
        if fewest >= 2:
            err = np.array([spread["below"], spread["above"]])
            ax.errorbar(xs, means, yerr=err, fmt="s-", color=color, ms=4,
                        label=f"{name}: seed mean, {spread_text(fewest)[6:]}{mark}")
        else:
            ax.plot(xs, means, "s-", color=color, ms=4, label=f"{name}: one seed{mark}")
    ax.axhline(5.0, color="k", ls="--", lw=1, label="linear theory $\\|W\\|_F^2 = m = 5$")
    ax.set_xscale("log")
    ax.set_xlabel("sparsity 1/(1 − S)  (inverse feature density)")
    ax.set_ylabel(r"$\|W\|_F^2$")
    ax.set_title("20 → 5, importance $0.7^i$: features stored against sparsity")
    trim_ticks(ax)
    colour_marked(ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2))
    save_figure(fig, figure_dir, "sparsity_20to5")


def _pentagon(part: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    inst = [(i, e) for i, e in enumerate(part["instances"]) if e["seed"] == 0]
    cols = min(len(inst), 5)
    rows = -(-len(inst) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.1 * cols, 2.35 * rows), squeeze=False)
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, 5))
    for ax in axes.flat:
        ax.axis("off")
    for ax, (i, e) in zip(axes.flat, inst, strict=False):
        ax.axis("on")
        W = arrays["pentagon_W"][i]
        for f in range(5):
            ax.annotate("", xy=W[f], xytext=(0, 0),
                        arrowprops={"arrowstyle": "-|>", "color": colors[f], "lw": 1.4})
        ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, ls=":", color="0.6"))
        ax.set_xlim(-1.4, 1.4)
        ax.set_ylim(-1.4, 1.4)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        gaps = ", ".join(f"{g:.0f}" for g in e["gaps"]) if e["represented"] >= 3 else \
            f"pair {e['pair_angle']:.0f}"
        ax.set_title(f"1−S = {e['density']:.3g}\ngaps (°): {gaps}", fontsize=7)
    handles = [plt.Line2D([], [], color=colors[f], lw=2,
                          label=f"$W_{f}$, importance {0.9 ** f:.2f}")
               for f in range(5)]
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7)
    fig.suptitle("5 → 2 ReLU model (seed 0): feature vectors $W_i$ (rows of W); dotted: unit "
                 "circle; gaps: angles between neighbouring represented features"
                 + mark_suffix("pentagon", "dense_orthogonal_pair", prefix="claims:"),
                 fontsize=8.5)
    save_figure(fig, figure_dir, "pentagon_5to2")


def _geometry(part: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    inst = part["instances"]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    x = np.array([e["inv_density"] for e in inst])
    def scatter_di(entries: list[dict], prefix: str, shift: float, label: str, **style) -> None:
        """D_i of every feature with norm > 0.1, one column of dots per instance."""
        for i, e in enumerate(entries):
            di = arrays[f"{prefix}_Di"][i][arrays[f"{prefix}_norms"][i] > 0.1]
            jitter = shift * np.exp(0.03 * np.sin(np.arange(di.size) * 2.39))  # spread dots
            name = label.format(batch=e.get("batch", "")) if i == 0 else None
            ax.scatter(e["inv_density"] * jitter, di, lw=0, label=name, **style)

    scatter_di(inst, "geometry", 1.0, r"$D_i$ (features with $\|W_i\| > 0.1$), "
               "batch size {batch}" + mark_suffix("di_sparse"), s=3, color="C0", alpha=0.35)
    scatter_di(part.get("cluster_instances") or [], "geometry_cluster", 1.12,
               r"$D_i$ retrained at batch size {batch} (clustering claims)"
               + mark_suffix("di_half_cluster", "di_twofifths_cluster"), s=4, color="C1",
               alpha=0.5)
    dstar = np.array([e["dstar"] for e in inst])
    spread = part["dstar_by_sparsity"]
    xs, means = np.array(spread["x"]), spread["mean"]
    mark = mark_suffix("dstar_dense", "dstar_plateau", "dstar_sparse")
    fewest = min(spread["seeds"])
    if fewest >= 2:
        ax.plot(x, dstar, "o", color="k", ms=2.5, alpha=0.5, label="$D^*$, each seed")
        err = np.array([spread["below"], spread["above"]])
        ax.errorbar(xs, means, yerr=err, fmt="o-", color="k", ms=4,
                    label=f"$D^* = m/\\|W\\|_F^2$, seed mean, {spread_text(fewest)[6:]}{mark}")
        seeds = f"{fewest} seeds per sparsity"
    else:
        ax.plot(xs, means, "o-", color="k", ms=4,
                label=f"$D^* = m/\\|W\\|_F^2$ (one seed: no interval){mark}")
        seeds = "one seed per sparsity"
    for value, name in STICKY:
        ax.axhline(value, color="0.5", ls=":", lw=0.8)
        ax.text(1.01, value, name, va="center", fontsize=7, color="0.35",
                transform=ax.get_yaxis_transform())
    ax.set_xscale("log")
    ax.set_xlabel("sparsity 1/(1 − S)")
    ax.set_ylabel("dimensions per feature")
    ax.set_ylim(0, 1.1)
    ax.set_title(f"{part['n']} → {part['m']}, uniform importance, {seeds}; "
                 "dotted: sticky fractions (reconstructed)", fontsize=8.5)
    trim_ticks(ax)
    colour_marked(ax.legend(loc="upper right", fontsize=7, frameon=True))
    save_figure(fig, figure_dir, "dimensionality_200to20")


def _phase(part: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    r, p = arrays["phase_r"], arrays["phase_p"]
    lr, lp = np.log10(r), np.log10(p)
    dr, dp = lr[1] - lr[0], lp[0] - lp[1]
    extent = (lr[0] - dr / 2, lr[-1] + dr / 2, lp[-1] - dp / 2, lp[0] + dp / 2)
    cmap = ListedColormap(PHASE_COLORS)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.5), sharey=True)
    rf, pf = arrays["phase_boundary_r"], arrays["phase_boundary_p"]
    trained, analytic = arrays["phase_trained_labels"], arrays["phase_analytic_labels"]
    for ax, labels, name in ((axes[0], trained, "trained"), (axes[1], analytic, "analytic")):
        ax.imshow(labels, cmap=cmap, vmin=-0.5, vmax=3.5, extent=extent, aspect="auto",
                  origin="upper", interpolation="nearest")
        ax.plot(np.log10(rf), np.log10(pf), "k--", lw=1.2,
                label=r"fixed-candidate boundary $p^*(r)$")
        ax.set_xlabel(r"relative importance $\log_{10} r$, $r = I_2/I_1$")
        ax.grid(False)
        ax.set_title(name)
    ks, js = np.nonzero(trained != analytic)
    for k, j in zip(ks, js, strict=True):
        axes[0].add_patch(plt.Rectangle((lr[j] - dr / 2, lp[k] - dp / 2), dr, dp, fill=False,
                                        hatch="///", lw=0, color="k"))
    axes[0].set_ylabel(r"feature density $\log_{10}(1 - S)$")
    axes[0].set_title(f"trained (best of K = {part.get('inits', '?')} inits by exact loss); "
                      f"agreement {part['agreement']:.2f}, "
                      f"interior {part['interior_agreement']:.2f}\n"
                      "hatched: disagrees with analytic" + mark_suffix("phase_agreement"),
                      fontsize=8.5)
    axes[1].set_title("analytic (exact loss minimised from 4 starts)"
                      + mark_suffix("phase_limits"), fontsize=8.5)
    names = ("A: feature 1 only", "B: feature 2 only", "C: antipodal pair", "O: other")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, label=n)
               for c, n in zip(PHASE_COLORS, names, strict=True)]
    handles.append(plt.Line2D([], [], color="k", ls="--", label=r"$p^*(r)$ fixed candidates"))
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7)
    for ax in axes:
        trim_ticks(ax)
    fig.suptitle("2 → 1 ReLU model, importance (1, r): phase diagram", fontsize=10)
    save_figure(fig, figure_dir, "phase_2to1")


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    """Writes every stem of FIGURES (skipped, one log line, for parts not run)."""
    drawers = (("sparsity", "sparsity_20to5", _sparsity), ("pentagon", "pentagon_5to2", _pentagon),
               ("geometry", "dimensionality_200to20", _geometry),
               ("phase", "phase_2to1", _phase))
    for part, stem, draw in drawers:
        if metrics.get(part):
            draw(metrics[part], arrays, figure_dir)
        else:
            skip_figure(stem, f"part '{part}' not run (--parts)")
