"""Figures of the perceptron experiment (spec §6, figures 1–4); saved results only.

Points: seed means over converged lanes with 95 % percentile bootstrap intervals over replicas;
lanes that hit the step cap are drawn individually as grey crosses ("capped") and never enter a
mean. Theory as lines.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.stats import bootstrap_interval
from experiments.sgd_noise import common

FIGURES = ("signal_noise_vs_T", "scaling_vs_P", "exponent_summary", "crossover")
CPU_BANDS = {"γ": {0: (0.85, 1.05), 1: (0.38, 0.55), 3: (0.13, 0.30)},
             "b": {0: (2.4, 3.15), 1: (1.4, 2.15), 3: (0.9, 1.65)},
             "ε-slope": {0: (-1.2, -0.8), 1: (-1.2, -0.8), 3: (-1.2, -0.8)}}


def _seeds_text(config: dict) -> str:
    """'64 seeds (χ = 0), 8 (χ = 1), ...' or 'n seeds' when every χ has the same count."""
    counts = [int(n) for n in config["seeds_per_chi"]]
    if len(set(counts)) == 1:
        return f"{counts[0]} seeds"
    parts = [f"{n} (χ = {float(c):g})" for c, n in zip(config["chis"], counts, strict=True)]
    return f"{parts[0].replace(' (', ' seeds (', 1)}, {', '.join(parts[1:])}"


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _lanes(arrays: dict[str, np.ndarray], chi: float, size: int, regime: int,
           t_alpha: float) -> np.ndarray:
    return np.flatnonzero((arrays["chi"] == chi) & (arrays["P"] == size)
                          & (arrays["regime"] == regime) & (arrays["t_alpha"] == t_alpha))


def _point(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % bootstrap interval half-widths (below, above); NaN when empty."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.size < 2 or np.ptp(values) == 0:
        return mean, 0.0, 0.0
    low, high = bootstrap_interval(values[:, None])
    return mean, mean - float(low[0]), float(high[0]) - mean


def _series(arrays: dict[str, np.ndarray], obs: Any, chi: float, size: int,
            cells: list[tuple[int, float]]) -> dict[str, np.ndarray]:
    """Per cell: x = T·α, mean ± interval of obs(lanes) over converged lanes, capped values."""
    rows, capped_x, capped_y = [], [], []
    for regime, t_alpha in cells:
        idx = _lanes(arrays, chi, size, regime, t_alpha)
        ok = arrays["status"][idx] == common.CONVERGED
        values = obs(idx)
        rows.append((t_alpha, *_point(np.where(ok, values, np.nan))))
        cap = arrays["status"][idx] == common.CAPPED
        capped_x += [t_alpha] * int(cap.sum())
        capped_y += list(values[cap])
    rows.sort()
    a = np.asarray(rows, np.float64).reshape(-1, 4)
    return {"x": a[:, 0], "y": a[:, 1], "err": a[:, 2:].T, "cx": np.asarray(capped_x),
            "cy": np.asarray(capped_y)}


def _draw(ax: Any, s: dict[str, np.ndarray], color: str, label: str | None,
          filled: bool = True, marker: str = "o") -> None:
    ax.errorbar(s["x"], s["y"], yerr=s["err"], fmt=marker + "-", lw=0.8, color=color,
                mfc=color if filled else "white", label=label, zorder=3)
    if s["cx"].size:
        ax.plot(s["cx"], s["cy"], "x", color="0.4", ms=5, zorder=4)


def _grids(metrics: dict[str, Any]) -> list[tuple[float, list[int]]]:
    return [(float(chi), pc["sizes"]) for chi, pc in metrics["per_chi"].items()]


def _signal_noise(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    grids = _grids(metrics)
    fig, axes = plt.subplots(1, len(grids), figsize=(4.2 * len(grids), 3.9), squeeze=False)
    alpha, sqrt_d = config["alpha"], math.sqrt(config["dim"])
    for ax, (chi, sizes) in zip(axes[0], grids, strict=True):
        pc = metrics["per_chi"][f"{chi:g}"]
        for i, size in enumerate(sizes):
            cells = [(0, t) for t in config["noise_t_alpha"]]
            if i < config["crossover_sizes"]:
                cells += [(1, t) for t in config["crossover_t_alpha"]]
            color = f"C{i}"
            _draw(ax, _series(arrays, lambda idx: arrays["w1"][idx] * alpha, chi, size, cells),
                  color, f"P = {size}")
            _draw(ax, _series(arrays, lambda idx: arrays["w_perp"][idx] * alpha / sqrt_d, chi,
                              size, cells), color, None, filled=False, marker="s")
        t_all = np.geomspace(min(config["crossover_t_alpha"] + config["noise_t_alpha"]),
                             max(config["noise_t_alpha"]), 50)
        ax.plot(t_all, pc["theory"]["inv_2c_chi"] * t_all, "k--", lw=1,
                label=r"$\|w_⊥\|\alpha/\sqrt{d} = T\alpha/(2c_\chi)$")
        a_hot = _num(pc["w_perp_ratio_largest_P"]["value"])  # keeps the panel self-contained
        top = arrays["w1"][(arrays["chi"] == chi) & (arrays["P"] == sizes[-1])
                           & (arrays["regime"] == 0)
                           & (arrays["t_alpha"] == max(config["noise_t_alpha"]))]
        if top.size:
            anchor = float(np.mean(top)) * alpha / max(config["noise_t_alpha"])
            ax.plot(t_all, anchor * t_all, color="0.5", lw=1, ls=":",
                    label=f"slope 1 (P = {sizes[-1]})")
        crosses = [_num(v["value"]) for v in pc["crossover"].values()]
        if crosses and np.isfinite(np.nanmean(crosses)):
            ax.axvline(float(np.nanmean(crosses)), color="k", ls="-.", lw=0.9,
                       label=f"measured $T_\\times\\alpha$ = {np.nanmean(crosses):.2f}")
        ax.set(xscale="log", yscale="log", xlabel=r"$T\alpha$",
               ylabel=r"$w_1\alpha$ (filled), $\|w_⊥\|\alpha/\sqrt{d}$ (open)",
               title=f"χ = {chi:g} (‖w⊥‖ ratio at largest P: {a_hot:.2f})")
        ax.legend(fontsize=6.5, loc="upper left")
    fig.suptitle("Signal and noise vs temperature; 95 % bootstrap over "
                 f"{_seeds_text(config)}; × = capped lane", fontsize=9)
    save_figure(fig, figure_dir, "signal_noise_vs_T")


def _scaling(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    grids = _grids(metrics)
    hot = [t for t in config["noise_t_alpha"] if t >= config["fit_t_alpha"]]
    alpha, sqrt_d = config["alpha"], math.sqrt(config["dim"])
    columns = [("w1", r"$w_1/T$", lambda idx: arrays["w1"][idx] / arrays["T"][idx], "gamma_fit",
                "gamma"),
               ("w_perp", r"$\|w_⊥\|/(T\sqrt{d})$",
                lambda idx: arrays["w_perp"][idx] / arrays["T"][idx] / sqrt_d, "w_perp_P_slope",
                None),
               ("tstar", r"$t^*/T$", lambda idx: arrays["tstar"][idx] / arrays["T"][idx],
                "b_fit", "b"),
               ("error", r"test error $\epsilon$", lambda idx: arrays["error"][idx], "eps_slope",
                "eps_exponent")]
    fig, axes = plt.subplots(len(grids), 4, figsize=(12, 2.9 * len(grids)), squeeze=False)
    for row, (chi, sizes) in zip(axes, grids, strict=True):
        pc = metrics["per_chi"][f"{chi:g}"]
        for ax, (_name, ylabel, obs, fit_key, theory_key) in zip(row, columns, strict=True):
            for j, t in enumerate(hot):
                pts = [_point(np.where(arrays["status"][idx] == 1, obs(idx), np.nan))
                       for idx in (_lanes(arrays, chi, p, 0, t) for p in sizes)]
                y = np.array([p[0] for p in pts])
                err = np.array([[p[1] for p in pts], [p[2] for p in pts]])
                ax.errorbar(sizes, y, yerr=err, fmt="o", color=f"C{j}",
                            label=f"Tα = {t:g}")
                if j == 0 and np.isfinite(y[-1]):
                    slope = (0.0 if theory_key is None else pc["theory"][theory_key])
                    level = pc["theory"]["inv_2c_chi"] if theory_key is None else y[-1]
                    ps = np.geomspace(sizes[0], sizes[-1], 20)
                    ax.plot(ps, level * (ps / sizes[-1]) ** slope, "k--", lw=1,
                            label=f"theory slope {slope:.3g}")
            fit = pc.get(fit_key)
            if fit:
                ax.text(0.03, 0.04, f"fit {_num(fit['value']):.3f} "
                        f"[{_num(fit['low']):.3f}, {_num(fit['high']):.3f}]",
                        transform=ax.transAxes, fontsize=7)
            ax.set(xscale="log", yscale="log", xlabel="P", ylabel=ylabel)
            ax.set_xticks(sizes, [str(p) for p in sizes])
            ax.xaxis.set_minor_formatter(plt.NullFormatter())
            ax.set_title(f"χ = {chi:g}", fontsize=8.5)
            ax.legend(fontsize=6.5, loc="best")
    del alpha
    fig.suptitle("Noise-regime scaling with P (fit at Tα = "
                 f"{config['fit_t_alpha']:g}; 95 % bootstrap over {_seeds_text(config)})",
                 fontsize=9)
    save_figure(fig, figure_dir, "scaling_vs_P")


def _summary(config: dict, metrics: dict, figure_dir: Path) -> None:
    chis = np.array([float(c) for c in metrics["per_chi"]])
    fine = np.linspace(0.0, max(3.0, chis.max()), 100)
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    theory = {"γ": 1 / (1 + fine), "b": (3 + fine) / (1 + fine), "ε-slope": -np.ones_like(fine)}
    for i, (name, key) in enumerate((("γ", "gamma_fit"), ("b", "b_fit"), ("ε-slope",
                                                                          "eps_slope"))):
        color = f"C{i}"
        ax.plot(fine, theory[name], color=color, lw=1.2, label=f"{name} theory (asymptotic)")
        for chi, band in CPU_BANDS[name].items():
            ax.fill_between([chi - 0.12, chi + 0.12], *band, color=color, alpha=0.15, lw=0)
        vals = [metrics["per_chi"][f"{c:g}"].get(key) for c in chis]
        x = [c for c, v in zip(chis, vals, strict=True) if v]
        y = np.array([_num(v["value"]) for v in vals if v])
        lo = np.array([_num(v["low"]) for v in vals if v])
        hi = np.array([_num(v["high"]) for v in vals if v])
        if x:
            ax.errorbar(x, y, yerr=[y - lo, hi - y], fmt="o", color=color, mfc="white",
                        label=f"{name} fitted (95 % bootstrap)")
    ax.set(xlabel="χ (data depletion at the boundary)", ylabel="exponent")
    ax.set_title("Perceptron exponents vs χ (shaded: cpu tolerance)")
    ax.legend(fontsize=7, ncol=2)
    save_figure(fig, figure_dir, "exponent_summary")


def _crossover(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.0))
    gd = min(config["crossover_t_alpha"])
    k = 0
    for chi, sizes in _grids(metrics):
        for size in sizes[:config["crossover_sizes"]]:
            base = np.nanmean(np.where(arrays["status"][_lanes(arrays, chi, size, 1, gd)] == 1,
                                       arrays["w1"][_lanes(arrays, chi, size, 1, gd)], np.nan))
            cells = [(1, t) for t in config["crossover_t_alpha"]]
            cells += [(0, t) for t in config["noise_t_alpha"]]
            s = _series(arrays, lambda idx, b=base: arrays["w1"][idx] / b, chi, size, cells)
            _draw(ax=left, s=s, color=f"C{k % 8}", label=f"χ = {chi:g}, P = {size}")
            k += 1
    left.axvspan(1.5, 5.0, color="0.9", lw=0, label=r"$T_\times\alpha \in [1.5, 5]$")
    left.set(xscale="log", yscale="log", xlabel=r"$T\alpha$",
             ylabel=rf"$w_1(T)/w_1(T\alpha = {gd:g})$")
    left.set_title("Collapse: GD plateau then noise regime (∝ T)")
    left.legend(fontsize=7)
    for i, (chi, pc) in enumerate(metrics["per_chi"].items()):
        ps = [int(p) for p in pc["crossover"]]
        vals = [pc["crossover"][str(p)] for p in ps]
        y = np.array([_num(v["value"]) for v in vals])
        lo = np.array([_num(v["low"]) for v in vals])
        hi = np.array([_num(v["high"]) for v in vals])
        right.errorbar(ps, y, yerr=[y - lo, hi - y], fmt="o-", color=f"C{i}",
                       label=f"χ = {chi}")
    right.axhspan(1.5, 5.0, color="0.9", lw=0,
                  label=r"theory: $T_\times = C/\alpha$, cpu band $C \in [1.5, 5]$")
    right.set(xscale="log", xlabel="P", ylabel=r"$T_\times\alpha$", ylim=(0.0, 6.0))
    right.xaxis.set_minor_formatter(plt.NullFormatter())
    right.set_title("Crossover temperature × α (95 % bootstrap)")
    right.legend(fontsize=7)
    save_figure(fig, figure_dir, "crossover")


def plot(config: dict[str, Any], metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    """Writes every figure of ``FIGURES`` from saved results."""
    _signal_noise(config, metrics, arrays, figure_dir)
    _scaling(config, metrics, arrays, figure_dir)
    _summary(config, metrics, figure_dir)
    _crossover(config, metrics, arrays, figure_dir)
