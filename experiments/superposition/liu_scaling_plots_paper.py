"""Paper-only figures of ``liu_scaling`` (spec §5, figures 7–9): heat maps over (γ, α), the
large models and the activation-density sweep. Drawn when the results hold those sweeps (smoke at
toy size, paper); the cpu profile does not run them."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.superposition.liu_scaling_plots import (
    gamma_text,
    interval_text,
    m_axis,
    points,
    series,
)


def _heatmaps(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "small" and c["seed"] == 0]
    gammas = sorted({c["gamma"] for c in cells})
    alphas = sorted({c["alpha"] for c in cells})
    ms = sorted({c["m"] for c in cells})
    fits = {(f["gamma"], f["alpha"]): f for f in metrics["fits"]
            if f["group"] == "small" and f["window"] == "all" and f["seed"] == 0}
    panels = [(f"φ_1/2, m = {m}", {(c["gamma"], c["alpha"]): c["phi_half"] for c in cells
                                   if c["m"] == m}, (0, 1)) for m in ms]
    panels.append(("α_m (all m)", {k: f["alpha_m"] for k, f in fits.items()}, (None, None)))
    panels.append(("R² of the fit", {k: f["r2"] for k, f in fits.items()}, (0, 1)))
    cols = min(4, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.9 * rows), squeeze=False)
    for ax, (title, values, (vmin, vmax)) in zip(axes.flat, panels, strict=False):
        grid = np.full((len(alphas), len(gammas)), np.nan)
        for (g, a), v in values.items():
            if v is not None and g in gammas and a in alphas:
                grid[alphas.index(a), gammas.index(g)] = v
        im = ax.imshow(grid, origin="lower", aspect="auto", vmin=vmin, vmax=vmax,
                       cmap="viridis")
        ax.set_xticks(range(len(gammas)), [gamma_text(g) for g in gammas], rotation=60,
                      fontsize=6)
        ax.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas], fontsize=6)
        ax.set(xlabel="weight decay γ", ylabel="data exponent α", title=title)
        ax.grid(False)
        fig.colorbar(im, ax=ax)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    save_figure(fig, figure_dir, "heatmaps")


def _large_models(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "large"]
    fig, (ax, bar) = plt.subplots(1, 2, figsize=(10, 4.4), width_ratios=[2, 1])
    labels, r2s = [], []
    for j, (key, members) in enumerate(sorted(series(cells).items(), key=lambda kv: (
            kv[0][1], kv[0][3]))):
        _, kind, _, gamma, _ = key
        ms, y, err = points(members)
        regime = "strong" if gamma < 0 else "weak"
        color = f"C{j % 8}"
        fit = next((f for f in metrics["fits"] if f["group"] == "large" and f["kind"] == kind
                    and f["gamma"] == gamma and f["window"] == "paper" and f["seed"] == 0), None)
        text = f"{kind}, γ = {gamma:g} ({regime})"
        if fit and fit["alpha_m"] is not None:
            fm = np.asarray(fit["ms"], float)
            ax.plot(fm, np.exp(fit["intercept"]) * fm ** -fit["alpha_m"], color=color, lw=1)
            text += f": α_m = {fit['alpha_m']:.2f}"
            labels.append(f"{kind[:3]} {regime}")
            r2s.append(fit["r2"])
        ax.errorbar(ms, y, yerr=err, fmt="o" if gamma < 0 else "s", color=color, label=text)
    m_axis(ax, [c["m"] for c in cells])
    ax.set(yscale="log", xlabel="model dimension m", ylabel="test loss L",
           title=f"Large models (n = {cells[0]['n']}); fits on the paper windows")
    ax.legend(fontsize=6.5, title=interval_text(cells), title_fontsize=6.5)
    bar.bar(range(len(r2s)), r2s, color=[f"C{j % 8}" for j in range(len(r2s))])
    bar.set_xticks(range(len(r2s)), labels, rotation=45, fontsize=7)
    bar.set(ylabel="R² of the power-law fit", title="R² per (distribution, regime)", ylim=(0, 1))
    save_figure(fig, figure_dir, "large_models")


def _density(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "density"]
    ms = sorted({c["m"] for c in cells})
    m_ref = min(ms, key=lambda m: abs(m - 63))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    for j, g in enumerate(sorted({c["gamma"] for c in cells})):
        sel = sorted([c for c in cells if c["gamma"] == g and c["m"] == m_ref and c["seed"] == 0],
                     key=lambda c: c["E"])
        e = np.asarray([c["E"] for c in sel])
        y = np.asarray([c["L"] for c in sel])
        left.plot(e, y, "o", color=f"C{j % 8}", label=f"γ = {gamma_text(g)}")
        if e.size >= 2:
            slope, icpt = np.polyfit(e, y, 1)
            left.plot(e, slope * e + icpt, "-", color=f"C{j % 8}", lw=0.9)
    left.set(xlabel="activation density E = Σ p_i", ylabel=f"test loss L at m = {m_ref}",
             title="Loss vs density (lines: linear fits)")
    left.legend(fontsize=6.5, ncol=2)
    fits = [f for f in metrics["fits"] if f["group"] == "density" and f["gamma"] < 0
            and f["alpha_m"] is not None and f["seed"] == 0]
    right.axhspan(0.9, 1.3, color="0.9", label="1.1 ± 0.2 (paper band)")
    for j, g in enumerate(sorted({f["gamma"] for f in fits})):
        sel = sorted([f for f in fits if f["gamma"] == g], key=lambda f: f["E"])
        right.errorbar([f["E"] for f in sel], [f["alpha_m"] for f in sel],
                       yerr=[f["alpha_m_se"] or 0.0 for f in sel], fmt="o-",
                       color=f"C{j % 8}", label=f"γ = {gamma_text(g)}")
    right.set(xlabel="activation density E", ylabel="α_m (± SE, all m)",
              title="Strong-regime exponent vs density")
    right.legend(fontsize=6.5)
    save_figure(fig, figure_dir, "activation_density")


def plot_paper_figures(metrics: dict, figure_dir: Path) -> None:
    """Draws figures 7–9 where the paper-only sweeps ran; skips each one whose data are absent."""
    groups = {c["group"] for c in metrics["cells"]}
    if metrics["settings"]["paper_sweeps"]:
        _heatmaps(metrics, figure_dir)
    if "large" in groups:
        _large_models(metrics, figure_dir)
    if "density" in groups:
        _density(metrics, figure_dir)
