"""Figures of ``liu_scaling`` (spec superposition.md §5, figures 1–9); saved results only.

Figures 1–6 on every profile; 7–9 (``PAPER_FIGURES``) need the paper-only sweeps (α × γ grid,
large models, density sweep) and are drawn on smoke (toy size) and paper, skipped on cpu.
Single-seed points carry ±1.96 SE over the evaluation batches; several seeds: 95 % bootstrap
interval over seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.common.stats import bootstrap_interval
from theory import superposition as th

FIGURES = ("loss_vs_m", "row_norms", "represented_fraction", "overlaps", "weak_theory",
           "exponents")
PAPER_FIGURES = ("heatmaps", "large_models", "activation_density")
EPS = 1e-6


def m_axis(ax: Any, ms: Any) -> None:
    """Log x axis with the trained widths as plain tick labels."""
    ms = sorted({int(m) for m in ms})
    ax.set_xscale("log")
    ax.set_xticks(ms, [str(m) for m in ms])
    ax.minorticks_off()


def gamma_text(g: float) -> str:
    for num in range(-9, 10):
        if abs(g - num / 9) < EPS and num % 9:
            return f"{num}/9" if num % 3 else f"{num // 3}/3"
    return f"{g:g}"


def series(cells: list[dict], **where: Any) -> dict[tuple, list[dict]]:
    """Cells grouped by (group, kind, α, γ, s), members sorted by m (seeds pooled)."""
    out: dict[tuple, list[dict]] = {}
    for c in cells:
        if all(test(c) if callable(test) else c.get(k) == test for k, test in where.items()):
            out.setdefault((c["group"], c["kind"], c["alpha"], c["gamma"], c.get("s")),
                           []).append(c)
    return {k: sorted(v, key=lambda c: (c["m"], c["seed"])) for k, v in out.items()}


def points(members: list[dict], key: str = "L") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, mean over seeds, 95 % half-widths (2, k)) of ``key`` per m."""
    ms = sorted({c["m"] for c in members})
    mean, err = [], []
    for m in ms:
        vals = [c for c in members if c["m"] == m and c[key] is not None]
        y = np.asarray([c[key] for c in vals], np.float64)
        if y.size == 0:
            mean.append(np.nan), err.append((0.0, 0.0))
            continue
        mean.append(y.mean())
        if y.size > 1:
            lo, hi = bootstrap_interval(y)
            err.append((y.mean() - float(lo), float(hi) - y.mean()))
        elif key == "L":
            err.append((INTERVAL_95 * vals[0]["L_se"],) * 2)
        else:
            err.append((0.0, 0.0))
    return np.asarray(ms, float), np.asarray(mean), np.asarray(err).T


def interval_text(cells: list[dict]) -> str:
    seeds = len({c["seed"] for c in cells})
    if seeds > 1:
        return f"95 % bootstrap interval over {seeds} seeds"
    return "±1.96 SE over evaluation batches (1 seed)"


def _pick(cells: list[dict]) -> dict[tuple, list[dict]]:
    small = series(cells, group="small")
    if len(small) <= 8:
        return small
    keep = {(round(a, 6), round(g, 6)) for a in (0.5, 1.0, 1.5, 2.0) for g in (-1.0, 5 / 9)}
    return {k: v for k, v in small.items() if (round(k[2], 6), round(k[3], 6)) in keep}


def _fit_of(metrics: dict, key: tuple, window: str) -> dict | None:
    group, kind, alpha, gamma, s = key
    for f in metrics["fits"]:
        if (f["group"], f["kind"], f["alpha"], f["gamma"], f.get("s"), f["window"],
                f["seed"]) == (group, kind, alpha, gamma, s, window, 0):
            return f
    return None


def _loss_vs_m(metrics: dict, figure_dir: Path) -> None:
    cells = metrics["cells"]
    fig, ax = plt.subplots(figsize=(6.6, 4.6))
    for j, (key, members) in enumerate(sorted(_pick(cells).items(), key=lambda kv: (
            kv[0][3], kv[0][2]))):
        color = f"C{j % 8}"
        ms, y, err = points(members)
        fit = _fit_of(metrics, key, "window") or _fit_of(metrics, key, "all")
        text = f"α = {key[2]:g}, γ = {gamma_text(key[3])}"
        if fit and fit["alpha_m"] is not None:
            fm = np.asarray(fit["ms"], float)
            ax.plot(fm, np.exp(fit["intercept"]) * fm ** -fit["alpha_m"], color=color, lw=1.1)
            se = f" ± {fit['alpha_m_se']:.2f}" if fit["alpha_m_se"] is not None else ""
            text += f": α_m = {fit['alpha_m']:.2f}{se} (m ∈ [{min(fm):g}, {max(fm):g}])"
        ax.errorbar(ms, y, yerr=err, fmt="o", color=color, ms=4, label=text)
    all_m = np.asarray(sorted({c["m"] for c in cells if c["group"] == "small"}), float)
    if all_m.size:
        ref = [c["L"] for c in cells if c["group"] == "small" and c["m"] == all_m[0]]
        ax.plot(all_m, max(ref) * all_m[0] / all_m, "k--", lw=0.9, label="slope −1 guide")
    m_axis(ax, all_m)
    ax.set(yscale="log", xlabel="model dimension m",
           ylabel="test loss L (sum over features)",
           title="Loss vs width; lines: power-law fits on the window")
    ax.legend(fontsize=6.5, title=interval_text(cells), title_fontsize=6.5)
    save_figure(fig, figure_dir, "loss_vs_m")


def _row_norms(metrics: dict, arrays: dict, figure_dir: Path) -> None:
    small = [c for c in metrics["cells"] if c["group"] == "small" and c["alpha"] == 1.0
             and c["seed"] == 0]
    m_max = max(c["m"] for c in small)
    chosen = [c for c in small if c["m"] == m_max and (abs(c["gamma"] + 1) < EPS
                                                        or abs(c["gamma"] - 5 / 9) < EPS)]
    chosen.sort(key=lambda c: c["gamma"])
    fig, axes = plt.subplots(1, len(chosen) + 1, figsize=(4.0 * (len(chosen) + 1), 3.8))
    for ax, c in zip(axes[:-1], chosen, strict=False):
        p = arrays[c["p_key"]]
        norms = arrays[f"norms_c{c['cell_id']}_s0"]
        sc = ax.scatter(np.arange(1, p.size + 1), p, c=norms, s=5, cmap="viridis",
                        vmin=0, vmax=max(1.5, float(norms.max())))
        ax.set(xscale="log", yscale="log", xlabel="feature rank i", ylabel="frequency $p_i$",
               title=f"α = 1, m = {m_max}, γ = {gamma_text(c['gamma'])}")
        fig.colorbar(sc, ax=ax, label="row norm ‖W_i‖")
    ax = axes[-1]
    for j, c in enumerate(chosen):
        norms = arrays[f"norms_c{c['cell_id']}_s0"]
        ax.hist(norms, bins=40, alpha=0.6, color=f"C{j}", label=f"γ = {gamma_text(c['gamma'])}")
    for x in (0.5, 1.0):
        ax.axvline(x, color="k", ls=":", lw=1)
    ax.set(xlabel="row norm ‖W_i‖", ylabel="number of features", yscale="log",
           title="Row-norm histograms (lines at 1/2 and 1)")
    ax.legend()
    save_figure(fig, figure_dir, "row_norms")


def _represented(metrics: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    sel = series(metrics["cells"], group="small")
    ms_all = sorted({c["m"] for v in sel.values() for c in v})
    n = next(iter(sel.values()))[0]["n"]
    grid = np.geomspace(min(ms_all), max(ms_all), 50)
    ax.plot(grid, grid / n, "k--", lw=1, label="m/n (weak: m rows)")
    ax.plot(grid, th.strong_fraction_reference(grid, n), "k-", lw=1,
            label="min(1, m²/2n) (strong_fraction_reference)")
    for j, (key, members) in enumerate(sorted(_pick(metrics["cells"]).items())):
        for name, marker in (("phi_half", "o"), ("phi_one", "s")):
            ms, y, err = points(members, name)
            y = np.where(y > 0, y, np.nan)
            ax.plot(ms, y, marker=marker, ls="-" if name == "phi_half" else ":",
                    color=f"C{j % 8}", mfc="white" if name == "phi_one" else None,
                    label=f"{'φ_1/2' if name == 'phi_half' else 'φ_1'}: α = {key[2]:g}, "
                          f"γ = {gamma_text(key[3])}")
    m_axis(ax, ms_all)
    ax.set(yscale="log", xlabel="model dimension m",
           ylabel="fraction of rows with ‖W_i‖ > 1/2 (φ_1/2) or > 1 (φ_1)",
           title=f"Represented fractions (n = {n}; zero fractions not shown)")
    ax.legend(fontsize=6.5, ncol=1)
    save_figure(fig, figure_dir, "represented_fraction")


def _overlaps(metrics: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    strong = {k: v for k, v in _pick(metrics["cells"]).items() if k[3] < 0}
    ms_all = sorted({c["m"] for v in strong.values() for c in v})
    grid = np.geomspace(min(ms_all), max(ms_all), 50)
    ax.plot(grid, 1 / grid, "k--", lw=1, label="1/m (random unit vectors)")
    inset = ax.inset_axes([0.1, 0.08, 0.33, 0.28])  # lower left: the data fall from upper left
    for j, (key, members) in enumerate(sorted(strong.items())):
        color = f"C{j % 8}"
        ms, y, _ = points(members, "mso_strong")
        ax.plot(ms, y, "o-", color=color, label=f"MSO_strong: α = {key[2]:g}, γ = "
                                                f"{gamma_text(key[3])}")
        ms, y2, _ = points(members, "mso_all")
        ax.plot(ms, y2, "^:", color=color, mfc="white", label="MSO_all (same model)")
        nu = np.asarray([c["k_one"] for c in members if c["seed"] == 0], float)
        kappa2 = th.welch_bound(nu, ms) ** 2
        ax.plot(ms, np.where(kappa2 > 0, kappa2, np.nan), "x", color=color, ms=6,
                label="Welch κ²(ν = n φ_1, m)")
        ms, vr, _ = points(members, "var_ratio")
        inset.plot(ms, vr, "o-", color=color, ms=3)
    inset.axhline(1.0, color="k", lw=0.8)
    m_axis(inset, ms_all)
    inset.set(title="VSO_strong / random (line: 1)")
    inset.title.set_fontsize(7)
    inset.tick_params(labelsize=6)
    m_axis(ax, ms_all)
    ax.set(yscale="log", xlabel="model dimension m",
           ylabel="mean squared overlap (ŵ_i·ŵ_j)²",
           title="Overlaps of the strong (‖W_i‖ > 1) rows")
    ax.legend(fontsize=6.5, loc="upper right")
    save_figure(fig, figure_dir, "overlaps")


def _weak_theory(metrics: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    weak = [c for c in metrics["cells"] if c["gamma"] > 0 and c["group"] in ("small", "large")]
    lo, hi = np.inf, 0.0
    for j, group in enumerate(("small", "large")):
        sel = [c for c in weak if c["group"] == group]
        if not sel:
            continue
        y = np.asarray([c["L"] for c in sel])
        yerr = INTERVAL_95 * np.asarray([c["L_se"] for c in sel])
        eq = [(c["pred_eq14"], c["L"], e) for c, e in zip(sel, yerr, strict=True)
              if c["pred_eq14"]]
        if eq:
            x, yy, ee = np.asarray(eq).T
            ax.errorbar(x, yy, yerr=ee, fmt="o", color=f"C{j}",
                        label=f"{group}: 4/3 · eq. 14 at measured φ_1/2")
        disc = np.asarray([c["pred_discrete"] for c in sel])
        ax.errorbar(disc, y, yerr=yerr, fmt="s", mfc="white", color=f"C{j}",
                    label=f"{group}: 4/3 Σ_(i ≥ k_1/2) p_i (discrete)")
        vals = np.concatenate([y, disc] + ([np.asarray([e[0] for e in eq])] if eq else []))
        lo, hi = min(lo, vals[vals > 0].min()), max(hi, vals.max())
    if hi > 0:
        line = np.array([lo * 0.8, hi * 1.25])
        ax.plot(line, line, "k--", lw=1, label="y = x")
    ax.set(xscale="log", yscale="log", xlabel="predicted weak-regime loss",
           ylabel="measured test loss L", title="Weak regime (γ > 0): loss vs ignored mass")
    ax.legend(fontsize=6.5, title="error bars: ±1.96 SE over eval batches", title_fontsize=6.5)
    save_figure(fig, figure_dir, "weak_theory")


def _exponents(metrics: dict, figure_dir: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    grid = np.linspace(0, 2, 50)
    ax.axhline(1.0, color="k", ls="--", lw=1, label="α_m = 1 (strong, 1/m)")
    ax.plot(grid, np.nan_to_num(th.weak_exponent(grid), nan=np.nan), "C2-",
            label="α_m = α − 1 (weak_exponent)")
    ax.plot(grid, th.strong_exponent_worst(grid), "C3:", label="2(α − 1) (strong, worst case)")
    fits = [f for f in metrics["fits"] if f["group"] == "small" and f["alpha_m"] is not None]
    for sign, marker, name in ((-1, "o", "γ < 0"), (1, "s", "γ > 0")):
        sel = [f for f in fits if np.sign(f["gamma"]) == sign
               and f["window"] == ("window" if sign < 0 else "all")]
        if sel:
            x = np.asarray([f["alpha"] for f in sel]) + 0.01 * sign
            y = np.asarray([f["alpha_m"] for f in sel])
            e = np.asarray([f["alpha_m_se"] or 0.0 for f in sel])
            ax.errorbar(x, y, yerr=e, fmt=marker, mfc="white" if sign > 0 else None,
                        label=f"fits, {name} (± SE of the slope)")
    ax.set(xlabel="data exponent α  (p_i ∝ i^−α)", ylabel="width exponent α_m  (L ∝ m^−α_m)",
           title="Exponents (γ < 0: fit window; γ > 0: all m)")
    ax.legend(fontsize=7)
    save_figure(fig, figure_dir, "exponents")


def plot(config: Any, metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    """Figures 1–6 always; 7–9 when the paper-only sweeps are in the results."""
    _loss_vs_m(metrics, figure_dir)
    _row_norms(metrics, arrays, figure_dir)
    _represented(metrics, figure_dir)
    _overlaps(metrics, figure_dir)
    _weak_theory(metrics, figure_dir)
    _exponents(metrics, figure_dir)
    from experiments.superposition.liu_scaling_plots_paper import plot_paper_figures

    plot_paper_figures(metrics, figure_dir)
