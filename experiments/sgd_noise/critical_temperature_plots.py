"""Figures of ``critical_temperature`` (spec §6, figures 8–12). Reads saved results only.

Points are seed means over converged lanes (geometric for r and ΔK) with 95 % percentile
bootstrap intervals over seeds; lines are fits or theory. Capped lanes are excluded from the
means; a cell with a capped lane gets an open marker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.results import as_float, as_floats
from experiments.common.stats import bootstrap_interval
from experiments.sgd_noise import common

FIGURES = ("error_vs_T", "weight_change", "training_time", "ntk_change", "tc_vs_P")


def _a(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float)


def _cell_band(values: np.ndarray, conv: np.ndarray, log: bool) -> tuple[np.ndarray, ...]:
    """Per (P, T): mean and 95 % bootstrap interval over converged seeds."""
    mean, lo, hi = (np.full(values.shape[:2], np.nan) for _ in range(3))
    for i, j in np.ndindex(values.shape[:2]):
        v = values[i, j][conv[i, j] & np.isfinite(values[i, j])]
        if log:
            v = np.log(v[v > 0])
        if v.size == 0:
            continue
        m = v.mean()
        low, high = bootstrap_interval(v[:, None])[0:2] if v.size > 1 else (m, m)
        low, high = float(np.ravel(low)[0]), float(np.ravel(high)[0])
        mean[i, j], lo[i, j], hi[i, j] = (np.exp([m, low, high]) if log else (m, low, high))
    return mean, lo, hi


def _series(ax: plt.Axes, x: np.ndarray, band: tuple, capped: np.ndarray, sizes: list,
            colors: np.ndarray, scale: np.ndarray | None = None) -> None:
    mean, lo, hi = band
    for i, p in enumerate(sizes):
        s = 1.0 if scale is None else scale[i]
        m, ok = mean[i] / s, np.isfinite(mean[i])
        yerr = np.vstack([m - lo[i] / s, hi[i] / s - m])
        ax.errorbar(x[ok], m[ok], yerr[:, ok], fmt="o-", ms=4, lw=1, capsize=2,
                    color=colors[i], label=f"P = {p}")
        cap = ok & capped[i]
        if cap.any():
            ax.plot(x[cap], m[cap], "o", mfc="white", mec=colors[i], ms=7)


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    """Writes every figure in FIGURES from saved results."""
    sizes = metrics["train_sizes"]
    temps = 2.0 ** _a(metrics["log2_temperatures"])
    status = np.asarray(arrays["status"])
    conv = status == common.CONVERGED
    capped = np.any(status == common.CAPPED, axis=-1)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(sizes)))
    caption = f"95 % bootstrap over {metrics['seeds']} seeds; open = cell has capped lanes"
    fits = {k: as_float(v["value"]) for k, v in metrics["fits"].items()}

    def finish(fig: plt.Figure, axes: list[plt.Axes], stem: str, title: str) -> None:
        for ax in axes:
            ax.set_xscale("log", base=2)
            ax.set_xlabel("T = η / (B·h)")
        axes[0].legend(fontsize=7)
        fig.suptitle(f"{title}  (FC ReLU, α = 2^{config['log2_alpha']}, MNIST-1D parity "
                     f"[stand-in]; {caption})", fontsize=8)
        save_figure(fig, figure_dir, stem)

    # 8. error vs T with T_c^K marked
    fig, ax = plt.subplots(figsize=(7, 4.6))
    band = _cell_band(_a(arrays["test_error"]), conv, log=False)
    _series(ax, temps, band, capped, sizes, colors)
    for i, tc in enumerate(_a(metrics["tc_k"])):
        if np.isfinite(tc):
            ax.axvline(tc, color=colors[i], ls=":", lw=1)
    ax.plot([], [], "k:", label="T_c^K (ΔK = 0.1)")
    ax.set_ylabel("test error ε")
    finish(fig, [ax], "error_vs_T", "test error vs T")

    # 9. weight change and its collapse
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
    band = _cell_band(_a(arrays["rel_change"]), conv, log=True)
    _series(left, temps, band, capped, sizes, colors)
    delta, gamma = fits["delta"], fits["gamma"]
    if np.isfinite(delta):
        anchor = np.nanmean(band[0][:, 0])
        left.plot(temps, anchor * (temps / temps[0]) ** delta, "k--", lw=1,
                  label=f"slope δ = {delta:.2f}")
    left.axhline(metrics["thresholds"]["r_c"], color="r", ls=":", label="r_c = 0.02")
    left.set_yscale("log")
    left.set_ylabel("r = ‖w − w₀‖/‖w₀‖")
    scale = _a(sizes) ** (gamma if np.isfinite(gamma) else 0.0)
    _series(right, temps, band, capped, sizes, colors, scale=scale)
    right.set_yscale("log")
    right.set_ylabel(f"r / P^γ  (γ = {gamma:.2f})")
    finish(fig, [left, right], "weight_change", "r ∝ T^δ P^γ")

    # 10. training time
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
    band = _cell_band(_a(arrays["t_star"]), conv, log=True)
    _series(left, temps, band, capped, sizes, colors)
    anchor = np.nanmean(band[0][:, 0])
    left.plot(temps, anchor * temps / temps[0], "k--", lw=1, label="slope 1 (t* ∝ T)")
    left.set_yscale("log")
    left.set_ylabel("t* = η × steps")
    b = fits["b"]
    scale = _a(sizes) ** (b if np.isfinite(b) else 0.0)
    _series(right, temps, (band[0] / temps, band[1] / temps, band[2] / temps), capped, sizes,
            colors, scale=scale)
    right.set_yscale("log")
    right.set_ylabel(f"t* / (T P^b)  (b = {b:.2f})")
    finish(fig, [left, right], "training_time", "t* ∝ T P^b")

    # 11. NTK change
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4))
    _series(left, temps, _cell_band(_a(arrays["delta_K"]), conv, log=True), capped, sizes,
            colors)
    left.axhline(metrics["thresholds"]["c_K"], color="r", ls=":", label="c_K = 0.1")
    left.set_yscale("log")
    left.set_ylabel("ΔK = ‖K* − K₀‖_F / ‖K₀‖_F")
    _series(right, temps, _cell_band(1.0 - _a(arrays["alignment"]), conv, log=True), capped,
            sizes, colors)
    right.set_yscale("log")
    right.set_ylabel("1 − KA (kernel alignment)")
    finish(fig, [left, right], "ntk_change", "NTK change on n_ntk training points")

    # 12. T_c vs P
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    p = _a(sizes)
    for key, name, marker, a_key in (("tc_w", "T_c^w (r = 0.02)", "o", "a_w"),
                                     ("tc_k", "T_c^K (ΔK = 0.1)", "s", "a_k")):
        tc = _a(metrics[key])
        ok = np.isfinite(tc)
        a = fits[a_key]
        interval = as_floats(metrics["fits"][a_key]["interval"])
        ax.plot(p[ok], tc[ok], marker, ms=7, label=f"{name}")
        if ok.sum() >= 2 and np.isfinite(a):
            c = np.mean(np.log(tc[ok]) + a * np.log(p[ok]))
            ax.plot(p, np.exp(c - a * np.log(p)), "-", lw=1.2,
                    label=f"fit a = {a:.2f} [95 %: {interval[0]:.2f}, {interval[1]:.2f}]")
            for edge in interval:
                if np.isfinite(edge):
                    ax.plot(p, np.exp(c - edge * np.log(p)), ":", lw=0.8, color="0.5")
    eps = np.array([np.nan if v is None else float(v) for v in metrics["tc_eps"]])
    if np.isfinite(eps).any():
        ax.plot(p, eps, "^", mfc="none", label="T_c^ε (first T with |Δε| > max(0.01, 2 s.e.))")
    ratio, tcw = fits["gamma_over_delta"], _a(metrics["tc_w"])
    if np.isfinite(ratio) and np.isfinite(tcw).any():
        j = int(np.flatnonzero(np.isfinite(tcw))[-1])
        ax.plot(p, tcw[j] * (p / p[j]) ** (-ratio), "k--", lw=1,
                label=f"theory P^(−γ/δ), γ/δ = {ratio:.2f}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("training-set size P")
    ax.set_ylabel("critical temperature T_c")
    ax.legend(fontsize=7)
    ax.set_title("T_c ∝ P^(−a); dotted: 95 % bootstrap interval of a over seeds", fontsize=8)
    save_figure(fig, figure_dir, "tc_vs_P")
