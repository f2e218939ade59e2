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

from experiments.common.plotting import save_figure, skip_figure  # noqa: E402
from experiments.majority_tree.shared.plot_style import (  # noqa: E402
    hidden_axes_unlabelled,
    legend_with_status,
    paint_status,
    sci,
    with_status,
)

FIGURES = ("exponent_fit", "synergy_map", "budget_curves", "allocation", "context_window")
_ACCOUNTING = "budget $B = N(x + c_0)$"
_FAMILY = {"exp": r"$\gamma(m) = 1 - e^{-m/m_0}$", "hyperbolic": r"$\gamma(m) = m/(m + m_0)$"}
_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.17)}


def plot(config, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    figure_dir = Path(figure_dir)
    _exponent_fit(arrays, figure_dir)
    _synergy_map(metrics, arrays, figure_dir)
    _budget_curves(config, metrics, arrays, figure_dir)
    _allocation(config, metrics, arrays, figure_dir)
    _context_window(config, metrics, arrays, figure_dir)


def _exponent_fit(a: dict, figure_dir: Path) -> None:
    if a["fit_s"].size == 0:
        skip_figure("exponent_fit", "no grid cell grows (α_ρ above the fit threshold)")
        return
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 4.6))
    ax = axes[0]
    for k, i in enumerate(a["fit_examples"]):
        b, mu = a["fit_b"][i], a["fit_example_mu"][k, :a["fit_example_levels"][k] + 1]
        x = np.arange(mu.size) * np.log(b)
        last = a["fit_last_level"][i]
        color = f"C{k % 8}"
        label = (f"b={b}, γ={a['fit_gamma'][i]:.2f}, ρ={a['fit_rho'][i]:.2f}, "
                 f"$\\mu_0$={a['fit_mu0'][i]:g}: s={a['fit_s'][i]:.3f}")
        ax.plot(x, np.log(mu), "o", ms=3, mfc="none", mew=0.8, color=color, label=label)
        ax.plot(x[:last + 1], np.log(mu[0]) + a["fit_s"][i] * x[:last + 1], "-", color=color,
                lw=1.4)
    ax.plot([], [], "k-", label=r"$\ln\mu_0 + s\ln N$ over the fit range")
    ax.set(xlabel=r"$\ln N = L\ln b$", ylabel=r"$\ln\mu_L$",
           title=r"Exact $\mu_L$ (circles) and slope-$s$ lines")
    ax.legend(fontsize=7, loc="lower right", handlelength=1.2, borderaxespad=0.2)
    for ax, residual in ((axes[1], False), (axes[2], True)):
        for value, marker in zip(np.unique(a["fit_mu0"]), "os^v", strict=False):
            sel = a["fit_mu0"] == value
            y = a["fit_s_hat"][sel] - (a["fit_s"][sel] if residual else 0.0)
            ax.plot(a["fit_s"][sel], y, marker, ms=2.5, alpha=0.6, ls="none",
                    label=rf"$\mu_0$ = {value:g} ({sel.sum()} cells)")
        if residual:
            ax.axhline(0.0, color="k", lw=0.8)
            ax.set(xlabel=r"$s = \ln\alpha_\rho / \ln b$", ylabel=r"$\hat s - s$",
                   title=r"Fit bias $\hat s - s \leq 0$")
        else:
            lim = [0.0, float(max(a["fit_s"].max(), a["fit_s_hat"].max())) * 1.05]
            ax.plot(lim, lim, "k-", lw=0.8, label=r"$\hat s = s$")
            ax.set(xlabel=r"$s = \ln\alpha_\rho / \ln b$", ylabel=r"fitted slope $\hat s$",
                   title=r"Least squares over $L \leq L_{mix} - 3$")
            legend_with_status(ax, {"exponent_fit": "slope and fit bias"}, **_BELOW)
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "exponent_fit")


def _synergy_map(metrics: dict, a: dict, figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.6))
    s, betas, budget_max = a["map_s"], a["betas"], a["budgets"][-1]
    s_cell, beta_cell = np.broadcast_arrays(s[:, None], betas[None, :])
    won, late = a["won"], a["win_at_max"]
    ax = axes[0]
    ax.plot(beta_cell[~won], s_cell[~won], "s", ms=3, color="0.75", ls="none",
            label=f"never a win (B ≤ {sci(budget_max)})")
    lost = won & ~late
    ax.plot(beta_cell[lost], s_cell[lost], "x", ms=4, color="k", ls="none",
            label=f"wins at some B, loses at {sci(budget_max)}")
    ratio = np.log10(a["ratio_at_max"][late])
    dots = ax.scatter(beta_cell[late], s_cell[late], c=ratio, s=12, cmap="viridis", marker="s",
                      vmin=0.0)
    fig.colorbar(dots, ax=ax, label=r"$\log_{10}(\mu_{tree}/\mu_{single})$ at B = "
                 + sci(budget_max))
    top = max(float(s.max()), float(betas.max()))
    ax.plot([0, top], [0, top], "r-", lw=1.0, label="s = β")
    ax.set(xlabel="leaf exponent β", ylabel="organization exponent s",
           title="Synergy iff s > β (one point per configuration and β)")
    legend_with_status(ax, {"no_synergy_below": "no synergy for s ≤ β",
                            "synergy_above": "synergy for s > β"}, ncol=2, **_BELOW)
    ax = axes[1]
    gap = s_cell - beta_cell
    with np.errstate(invalid="ignore"):
        onset = a["B_on"] / a["B_th"]
    for k, b in enumerate(np.unique(a["map_b"])):
        sel = won & (a["map_b"][:, None] == b)
        ax.plot(gap[sel], np.log10(onset[sel]), "o", ms=3, alpha=0.7, color=f"C{k}",
                ls="none", label=f"b = {b}")
        ax.axhline(np.log10(1.03 * b), color=f"C{k}", lw=0.8, ls="--")
    ax.axhline(0.0, color="k", lw=0.8, label=r"lower bound $B_{on} = B_{th}$")
    ax.plot([], [], "--", color="grey", lw=0.8, label=r"upper bound $B_{on} = 1.03\,b\,B_{th}$")
    ax.set(xscale="log", xlabel="s − β", ylabel=r"$\log_{10}(B_{on}/B_{th})$",
           title=r"Onset budget $B_{on}$ against the threshold $B_{th}$")
    legend_with_status(ax, {"threshold_bracket": "onset within the bounds"}, ncol=3,
                       **_BELOW)
    fig.suptitle(f"{metrics['map']['configs']} configurations with " r"$\alpha_\rho > 1$; "
                 f"{_ACCOUNTING}; " r"leaf bias $\mu_0(x) = \min(\kappa x^\beta, 1)$")
    hidden_axes_unlabelled(fig)
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
    ax.plot([], [], "k-", label=r"approximate accounting $B = N(x + c_0)$")
    ax.plot([], [], "k--", label="exact accounting")
    ax.plot([], [], "k:", label=r"threshold $B_{th}$ (closed form)")
    d = metrics["demo"]
    ax.set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
           ylabel="bias ratio: best tree / single agent",
           title=f"Demo setting: b = {d['fanin']}, γ = {d['gamma']}, ρ = {d['rho']}, "
                 f"m = {d['m']:g}, κ = {d['kappa']:g} (s = {d['s']:.4f})")
    legend_with_status(ax, {"demo_values": "demo values"}, ncol=3, fontsize=7.5,
                       loc="upper center", bbox_to_anchor=(0.5, -0.14))
    hidden_axes_unlabelled(fig)
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
    axes[0].plot([], [], "k--", label=r"$x^* = \beta c_0/(s - \beta)$")
    axes[0].plot([], [], "kx", label="golden-section argmax (continuous N)")
    axes[0].set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
                ylabel="per-leaf compute x (tokens)",
                title="Per-leaf compute of the best design")
    axes[1].plot([], [], "k--", label=r"$N^* = B(s - \beta)/(s c_0)$")
    axes[1].set(xscale="log", yscale="log", xlabel="total budget B (tokens)",
                ylabel=r"number of leaves $N = b^L$", title="Leaf count of the best design")
    legend_with_status(axes[0], {"allocation_continuous": r"optimal $x^*$"}, fontsize=7.5,
                       ncol=2, **_BELOW)
    legend_with_status(axes[1], {"allocation_integer": "integer-depth design"}, fontsize=7.5,
                       ncol=2, **_BELOW)
    d = metrics["demo"]
    fig.suptitle(f"Demo setting b = {d['fanin']}, γ = {d['gamma']}, ρ = {d['rho']}, "
                 rf"$c_0$ = {d['c0']:g}, s = {d['s']:.4f}; {_ACCOUNTING}")
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "allocation")


def _context_window(config, metrics: dict, a: dict, figure_dir: Path) -> None:
    cw = metrics["context_window"]
    fig, axes = plt.subplots(4, 1, figsize=(7.4, 8.8), sharex=True)
    m = a["cw_m"]
    axes[0].step(m, a["cw_b"], where="post")
    family = _FAMILY.get(cw["family"], f"{cw['family']} fidelity")
    axes[0].set(ylabel="fan-in b(m)",
                title=f"Window W = {cw['W']}: odd b ≤ min(⌊W/m⌋, {config.cw_fanin_cap}), "
                      f"ρ = {cw['rho']}, {family}, " rf"$m_0$ = {cw['m0']:g}")
    axes[1].plot(m, a["cw_gamma"])
    axes[1].set(ylabel="fidelity γ(m)")
    axes[2].plot(m, a["cw_alpha"])
    axes[2].axhline(1.0, color="k", lw=0.8)
    axes[2].set(ylabel=r"gain $\alpha_\rho(m)$")
    axes[3].plot(m, a["cw_s"], label="exponent s(m)")
    axes[3].axhline(cw["beta"], color="C1", lw=0.8, ls=":",  # B_th is finite only where s > β
                    label=f"β = {cw['beta']} (finite threshold needs s > β)")
    axes[3].set(ylabel="exponent s(m)", xlabel="message length m (tokens)")
    twin = axes[3].twinx()
    b_th = np.where(np.isfinite(a["cw_B_th"]), a["cw_B_th"], np.nan)
    twin.plot(m, b_th, color="C1", lw=1.0, label=rf"threshold $B_{{th}}(m)$ at β = {cw['beta']}")
    if np.isfinite(b_th).any():  # B_th diverges where s ↓ β: keep the axis on the useful range
        low = float(np.nanmin(b_th))
        twin.set_ylim(0.7 * low, 30.0 * low)
    twin.set(yscale="log")
    twin.set_ylabel(r"threshold $B_{th}$ (tokens)", color="C1")
    top = cw["argmax_alpha"]
    for ax in axes:
        ax.axvline(top["m"], color="C2", lw=0.8, ls="--")
        if cw["m_c"] is not None:
            ax.axvline(cw["m_c"], color="C3", lw=0.8, ls=":")
    handles = axes[3].get_lines()[:2] + twin.get_lines()[:1]
    handles += [plt.Line2D([], [], color="C2", lw=0.8, ls="--")]
    labels = [h.get_label() for h in handles[:3]]
    labels.append(f"largest α = {top['alpha']:.4f} at m = {top['m']}")
    if cw["m_c"] is not None:
        handles.append(plt.Line2D([], [], color="C3", lw=0.8, ls=":"))
        labels.append(rf"$m_c$ = {cw['m_c']}: $\alpha_\rho > 1$ above")
    handles, labels = with_status(handles, labels, {"context_window": "window setting values"})
    paint_status(fig.legend(handles, labels, ncol=2, fontsize=7.5, loc="outside lower center"))
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "context_window")
