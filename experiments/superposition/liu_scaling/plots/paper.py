"""Paper-only figures of ``liu_scaling`` (spec §5, figures 7–9): heat maps over (γ, α), the
large models and the activation-density sweep. Drawn when the results hold those sweeps (smoke at
toy size, paper); the cpu profile does not run them."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure, skip_figure
from experiments.superposition.liu_scaling.plots.series import (
    gamma_text,
    interval_text,
    m_axis,
    points,
    series,
)
from experiments.superposition.shared.plot_style import (
    colour_marked,
    legend_right,
    mark_suffix,
    trim_ticks,
)


def _heatmaps(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "small" and c["seed"] == 0]
    gammas = sorted({c["gamma"] for c in cells})
    alphas = sorted({c["alpha"] for c in cells})
    ms = sorted({c["m"] for c in cells})
    fits = {(f["gamma"], f["alpha"]): f for f in metrics["fits"]
            if f["group"] == "small" and f["window"] == "all" and f["seed"] == 0}
    panels = [(f"$\\varphi_{{1/2}}$, m = {m}", {(c["gamma"], c["alpha"]): c["phi_half"]
                                                for c in cells if c["m"] == m}, (0, 1))
              for m in ms]
    panels.append(("$\\alpha_m$ (fit over all m)", {k: f["alpha_m"] for k, f in fits.items()},
                   (None, None)))
    panels.append(("R² of the fit", {k: f["r2"] for k, f in fits.items()}, (0, 1)))
    cols = min(4, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 3.1 * rows), squeeze=False)
    for ax, (title, values, (vmin, vmax)) in zip(axes.flat, panels, strict=False):
        grid = np.full((len(alphas), len(gammas)), np.nan)
        for (g, a), v in values.items():
            if v is not None and g in gammas and a in alphas:
                grid[alphas.index(a), gammas.index(g)] = v
        im = ax.imshow(grid, origin="lower", aspect="auto", vmin=vmin, vmax=vmax,
                       cmap="viridis")
        ax.set_xticks(range(len(gammas)), [gamma_text(g) for g in gammas], rotation=60,
                      fontsize=7)
        ax.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas], fontsize=7)
        ax.set(xlabel="weight decay γ", ylabel="data exponent α", title=title)
        ax.grid(False)
        fig.colorbar(im, ax=ax, label=title)
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
        ms, y, err = points(metrics, members)
        regime = "strong" if gamma < 0 else "weak"
        color = f"C{j % 8}"
        fit = next((f for f in metrics["fits"] if f["group"] == "large" and f["kind"] == kind
                    and f["gamma"] == gamma and f["window"] == "paper" and f["seed"] == 0), None)
        text = f"{kind}, γ = {gamma_text(gamma)} ({regime})"
        if fit and fit["alpha_m"] is not None:
            fm = np.asarray(fit["ms"], float)
            ax.plot(fm, np.exp(fit["intercept"]) * fm ** -fit["alpha_m"], color=color, lw=1)
            text += f": $\\alpha_m$ = {fit['alpha_m']:.2f}"
            labels.append(f"{kind}, {regime}")
            r2s.append(fit["r2"])
        ax.errorbar(ms, y, yerr=err, fmt="o" if gamma < 0 else "s", color=color, label=text)
    m_axis(ax, [c["m"] for c in cells])
    ax.set(yscale="log", xlabel="model dimension m", ylabel="test loss $L$",
           title=f"Large models (n = {cells[0]['n']}); fits on the paper windows")
    legend_right(ax, title=interval_text(cells) + mark_suffix(
        "large_strong_exponents", "large_weak_powerlaw", prefix="claims:"))
    trim_ticks(ax, x=False)
    bar.barh(range(len(r2s)), r2s, color=[f"C{j % 8}" for j in range(len(r2s))])
    bar.set_yticks(range(len(r2s)), labels, fontsize=7)
    bar.invert_yaxis()
    bar.set(xlabel="R² of the power-law fit", title="Fit quality per frequency law", xlim=(0, 1))
    save_figure(fig, figure_dir, "large_models")


def _density(metrics: dict, figure_dir: Path) -> None:
    cells = [c for c in metrics["cells"] if c["group"] == "density"]
    ms = sorted({c["m"] for c in cells})
    m_ref = min(ms, key=lambda m: abs(m - 63))
    gammas = sorted({c["gamma"] for c in cells})
    color = {g: f"C{j % 8}" for j, g in enumerate(gammas)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.2))
    for g in gammas:
        sel = sorted([c for c in cells if c["gamma"] == g and c["m"] == m_ref and c["seed"] == 0],
                     key=lambda c: c["E"])
        e = np.asarray([c["E"] for c in sel])
        y = np.asarray([c["L"] for c in sel])
        err = INTERVAL_95 * np.asarray([c["L_se"] for c in sel])
        left.errorbar(e, y, yerr=err, fmt="o-", lw=0.9, color=color[g],
                      label=f"γ = {gamma_text(g)}")
    left.set(xlabel="activation density $E = \\Sigma_i\\, p_i$",
             ylabel=f"test loss $L$ at m = {m_ref}", title="Loss against density"
             + mark_suffix("density_linear"))
    fits = [f for f in metrics["fits"] if f["group"] == "density" and f["gamma"] < 0
            and f["alpha_m"] is not None and f["seed"] == 0]
    band = right.axhspan(0.9, 1.3, color="0.9", label="$\\alpha_m$ = 1.1 ± 0.2 (paper band)")
    for g in sorted({f["gamma"] for f in fits}):
        sel = sorted([f for f in fits if f["gamma"] == g], key=lambda f: f["E"])
        right.errorbar([f["E"] for f in sel], [f["alpha_m"] for f in sel],
                       yerr=[INTERVAL_95 * (f["alpha_m_se"] or 0.0) for f in sel], fmt="o-",
                       color=color[g])
    right.set(xlabel="activation density E", ylabel="width exponent $\\alpha_m$ (fit over all m)",
              title="Strong-regime (γ < 0) exponent against density")
    for ax in (left, right):
        trim_ticks(ax)
    handles, _ = left.get_legend_handles_labels()
    legend = fig.legend(handles=[*handles, band], loc="outside right upper", fontsize=7,
                        title="bars: ±1.96 evaluation SE (left)\nand fit SE (right); seed 0",
                        title_fontsize=7)
    colour_marked(legend)
    save_figure(fig, figure_dir, "activation_density")


def plot_paper_figures(metrics: dict, figure_dir: Path) -> None:
    """Draws figures 7–9 where the paper-only sweeps ran; skips each one whose data are absent
    (one log line; the cpu profile does not expect them)."""
    groups = {c["group"] for c in metrics["cells"]}
    small = any(c["group"] == "small" for c in metrics["cells"])
    if metrics["settings"]["paper_sweeps"] and small:
        _heatmaps(metrics, figure_dir)
    else:
        skip_figure("heatmaps", "needs the paper sweeps and at least one small-model series")
    if "large" in groups:
        _large_models(metrics, figure_dir)
    else:
        skip_figure("large_models", "no large models (large_gammas is empty)")
    if "density" in groups:
        _density(metrics, figure_dir)
    else:
        skip_figure("activation_density", "no density sweep (density_s is empty)")
