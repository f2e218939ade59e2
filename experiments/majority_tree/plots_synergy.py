"""Figures of the ``synergy`` experiment (spec §6, figures 6–10), drawn from saved results only.

Everything here is exact computation (no Monte Carlo), so every curve is a line or a point
without an interval. Infinite thresholds (B_th, x* when s ≤ β) are never drawn.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: plots are files only

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from experiments.common.plotting import save_figure  # noqa: E402

FIGURES = ("exponent_fit", "synergy_map", "budget_curves", "allocation", "context_window")
_ACCOUNTING = "approx accounting B = N(x + c0)"


def plot(config, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    figure_dir = Path(figure_dir)
    _exponent_fit(arrays, figure_dir)
    _synergy_map(metrics, arrays, figure_dir)
    _budget_curves(config, metrics, arrays, figure_dir)
    _allocation(config, metrics, arrays, figure_dir)
    _context_window(metrics, arrays, figure_dir)


def _exponent_fit(a: dict, figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 4.0))
    ax = axes[0]
    for k, i in enumerate(a["fit_examples"]):
        b, mu = a["fit_b"][i], a["fit_example_mu"][k, :a["fit_example_levels"][k] + 1]
        x = np.arange(mu.size) * np.log(b)
        last = a["fit_last_level"][i]
        color = f"C{k % 8}"
        label = (f"b={b}, γ={a['fit_gamma'][i]:.2f}, ρ={a['fit_rho'][i]:.2f}, "
                 f"μ0={a['fit_mu0'][i]:g}, s={a['fit_s'][i]:.3f}")
        ax.plot(x, np.log(mu), "o", ms=3, mfc="none", mew=0.8, color=color, label=label)
        ax.plot(x[:last + 1], np.log(mu[0]) + a["fit_s"][i] * x[:last + 1], "-", color=color,
                lw=1.4)
    ax.plot([], [], "k-", label="ln μ0 + s·ln N over the fit range")
    ax.set(xlabel="ln N = L·ln b", ylabel="ln μ_L",
           title="Exact μ_L (circles) and slope-s lines")
    ax.legend(fontsize=6.5, loc="lower right")
    for ax, residual in ((axes[1], False), (axes[2], True)):
        for value, marker in zip(np.unique(a["fit_mu0"]), "os^v", strict=False):
            sel = a["fit_mu0"] == value
            y = a["fit_s_hat"][sel] - (a["fit_s"][sel] if residual else 0.0)
            ax.plot(a["fit_s"][sel], y, marker, ms=2.5, alpha=0.6, ls="none",
                    label=f"μ0 = {value:g} ({sel.sum()} cells)")
        if residual:
            ax.axhline(0.0, color="k", lw=0.8)
            ax.set(xlabel="s = ln α_ρ / ln b", ylabel="ŝ − s",
                   title="Fit bias: ŝ ≤ s (g(μ) ≤ α_ρ μ)")
        else:
            lim = [0.0, float(max(a["fit_s"].max(), a["fit_s_hat"].max())) * 1.05]
            ax.plot(lim, lim, "k-", lw=0.8, label="ŝ = s")
            ax.set(xlabel="s = ln α_ρ / ln b", ylabel="fitted slope ŝ",
                   title="OLS over L = 0…⌊L_mix − 3⌋")
        ax.legend(loc="best")
    save_figure(fig, figure_dir, "exponent_fit")


def _synergy_map(metrics: dict, a: dict, figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.6))
    s, betas, budget_max = a["map_s"], a["betas"], a["budgets"][-1]
    s_cell, beta_cell = np.broadcast_arrays(s[:, None], betas[None, :])
    won, late = a["won"], a["win_at_max"]
    ax = axes[0]
    ax.plot(beta_cell[~won], s_cell[~won], "s", ms=3, color="0.75", ls="none",
            label=f"never a win (B ≤ {budget_max:.0e})")
    lost = won & ~late
    ax.plot(beta_cell[lost], s_cell[lost], "x", ms=4, color="k", ls="none",
            label=f"wins at some B, loses at {budget_max:.0e}")
    ratio = np.log10(a["ratio_at_max"][late])
    dots = ax.scatter(beta_cell[late], s_cell[late], c=ratio, s=12, cmap="viridis", marker="s",
                      vmin=0.0)
    fig.colorbar(dots, ax=ax, label=f"log10(μ_tree / μ_single) at B = {budget_max:.0e}")
    top = max(float(s.max()), float(betas.max()))
    ax.plot([0, top], [0, top], "r-", lw=1.0, label="s = β")
    ax.set(xlabel="leaf exponent β", ylabel="organization exponent s",
           title="Budgeted synergy iff s > β (one point per configuration and β)")
    ax.legend(loc="upper left", fontsize=7)
    ax = axes[1]
    gap = s_cell - beta_cell
    with np.errstate(invalid="ignore"):
        onset = a["B_on"] / a["B_th"]
    for k, b in enumerate(np.unique(a["map_b"])):
        sel = won & (a["map_b"][:, None] == b)
        ax.plot(gap[sel], np.log10(onset[sel]), "o", ms=3, alpha=0.7, color=f"C{k}",
                ls="none", label=f"b = {b}")
        ax.axhline(np.log10(1.03 * b), color=f"C{k}", lw=0.8, ls="--")
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set(xscale="log", xlabel="s − β", ylabel="log10(B_on / B_th)",
           title="Onset vs threshold: B_th ≤ B_on ≤ 1.03·b·B_th (dashed: upper bounds)")
    ax.legend(loc="upper left", ncol=2)
    fig.suptitle(f"{metrics['map']['configs']} configurations with α_ρ > 1; {_ACCOUNTING}; "
                 "leaf law μ0(x) = min(κx^β, 1)", fontsize=9)
    save_figure(fig, figure_dir, "synergy_map")


def _positive(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, np.nan)


def _budget_curves(config, metrics: dict, a: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(7.8, 4.6))
    budgets, betas = a["budgets"], a["demo_betas"]
    for k, beta in enumerate(config.demo_betas):
        i = int(np.flatnonzero(np.isclose(betas, beta))[0])
        color = f"C{k % 8}"
        for acc, style in ((0, "-"), (1, "--")):
            ratio = _positive(a["demo_best"][acc, i] / a["demo_single"][i])
            ax.plot(budgets, ratio, style, color=color, lw=1.3,
                    label=f"β = {beta:g}" if acc == 0 else None)
        if np.isfinite(a["demo_B_th"][i]):
            ax.axvline(a["demo_B_th"][i], color=color, lw=0.8, ls=":")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.plot([], [], "k-", label="approx accounting")
    ax.plot([], [], "k--", label="exact accounting")
    ax.plot([], [], "k:", label="B_th (closed form)")
    d = metrics["demo"]
    ax.set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
           ylabel="best tree / single agent bias",
           title=f"Demo: b = {d['fanin']}, γ = {d['gamma']}, ρ = {d['rho']}, m = {d['m']:g}, "
                 f"κ = {d['kappa']:g} (s = {d['s']:.4f})")
    ax.legend(loc="lower right", ncol=2)
    save_figure(fig, figure_dir, "budget_curves")


def _allocation(config, metrics: dict, a: dict, figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.3))
    budgets, betas = a["budgets"], a["demo_betas"]
    for k, beta in enumerate(config.alloc_plot_betas):
        i = int(np.flatnonzero(np.isclose(betas, beta))[0])
        feasible = a["demo_best"][0, i] > 0
        color = f"C{k % 8}"
        x_best = np.where(feasible, a["demo_x_best"][i], np.nan)
        axes[0].plot(budgets, x_best, "-", color=color, lw=1.2,
                     label=f"β = {beta:g}: best integer depth")
        if np.isfinite(a["demo_x_star"][i]):
            axes[0].axhline(a["demo_x_star"][i], color=color, ls="--", lw=1.0)
            marks = budgets[::max(1, budgets.size // 12)]
            axes[0].plot(marks, np.full(marks.size, a["demo_x_golden"][i]), "x", color=color,
                         ms=5)
            n_star = a["demo_N_star"][i]
            axes[1].plot(budgets, np.where(n_star >= 1.0, n_star, np.nan), "--", color=color,
                         lw=1.0)
        axes[1].plot(budgets, np.where(feasible, a["demo_N_best"][i], np.nan), "-", color=color,
                     lw=1.2, label=f"β = {beta:g}")
    axes[0].plot([], [], "k--", label="x* = βc0/(s − β)")
    axes[0].plot([], [], "kx", label="golden-section argmax (continuous N)")
    axes[0].set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
                ylabel="per-leaf compute x (tokens)",
                title="Per-leaf compute of the best design")
    axes[1].plot([], [], "k--", label="N* = B(s − β)/(s·c0)")
    axes[1].set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
                ylabel="number of leaves N = b^L", title="Leaf count of the best design")
    axes[0].legend(loc="lower right", fontsize=7)
    axes[1].legend(loc="upper left")
    d = metrics["demo"]
    fig.suptitle(f"Demo setting b = {d['fanin']}, γ = {d['gamma']}, ρ = {d['rho']}, "
                 f"c0 = {d['c0']:g}, s = {d['s']:.4f}; {_ACCOUNTING}", fontsize=9)
    save_figure(fig, figure_dir, "allocation")


def _context_window(metrics: dict, a: dict, figure_dir: Path) -> None:
    cw = metrics["context_window"]
    fig, axes = plt.subplots(4, 1, figsize=(7.4, 8.6), sharex=True)
    m = a["cw_m"]
    axes[0].step(m, a["cw_b"], where="post")
    axes[0].set(ylabel="fan-in b(m)", title=f"Context window W = {cw['W']}: b ≤ ⌊W/m⌋ (odd, "
                f"≤ 15), ρ = {cw['rho']}, γ(m) = {cw['family']} family, m0 = {cw['m0']:g}")
    axes[1].plot(m, a["cw_gamma"])
    axes[1].set(ylabel="fidelity γ(m)")
    axes[2].plot(m, a["cw_alpha"])
    axes[2].axhline(1.0, color="k", lw=0.8)
    axes[2].set(ylabel="gain α_ρ(m)")
    axes[3].plot(m, a["cw_s"], label="s(m)")
    axes[3].axhline(cw["beta"], color="C1", lw=0.8, ls=":")  # B_th is finite only where s > β
    axes[3].set(ylabel="exponent s(m)", xlabel="message length m (tokens)")
    twin = axes[3].twinx()
    b_th = np.where(np.isfinite(a["cw_B_th"]), a["cw_B_th"], np.nan)
    twin.plot(m, b_th, color="C1", lw=1.0, label=f"B_th(m) at β = {cw['beta']} (right axis)")
    if np.isfinite(b_th).any():  # B_th diverges where s ↓ β: keep the axis on the useful range
        low = float(np.nanmin(b_th))
        twin.set_ylim(0.7 * low, 30.0 * low)
    twin.set(yscale="log")
    twin.set_ylabel("B_th (tokens)", color="C1")
    lines = axes[3].get_lines()[:1] + twin.get_lines()[:1]
    axes[3].legend(lines, [ln.get_label() for ln in lines], loc="center right")
    top = cw["argmax_alpha"]
    for ax in axes:
        ax.axvline(top["m"], color="C2", lw=0.8, ls="--")
        if cw["m_c"] is not None:
            ax.axvline(cw["m_c"], color="C3", lw=0.8, ls=":")
    axes[2].text(top["m"], top["alpha"], f" max α = {top['alpha']:.4f} at m = {top['m']}",
                 fontsize=7, va="bottom", color="C2")
    if cw["m_c"] is not None:
        axes[2].text(cw["m_c"], 0.9, f" m_c = {cw['m_c']} (α > 1 from here)", fontsize=7,
                     color="C3", va="center")
    save_figure(fig, figure_dir, "context_window")
