"""Figures of ``critical_temperature`` (spec §6, figures 8–12). Reads saved results only.

Points are seed means over converged lanes (geometric for r, t* and ΔK) with 95 % percentile
bootstrap intervals over seeds; lines are fits or theory. Capped lanes are excluded from the
means; a cell with a capped lane gets an open marker. Each figure names the verdicts of the
claims it shows. The per-cell intervals are those ``metrics.cell_bands`` saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure, skip_figure
from experiments.common.results import as_float, as_floats
from experiments.sgd_noise.shared import sgd
from experiments.sgd_noise.shared.plot_style import (
    FAILED_COLOUR,
    any_failed,
    claim_status,
    log_ticks,
    pow2_label,
    pow2_ticks,
    ticks_inside,
    verdict_line,
)

FIGURES = ("error_vs_T", "weight_change", "training_time", "ntk_change", "tc_vs_P")
TEMPERATURE = r"temperature $T = \eta/(Bh)$"


def _a(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float)


def _band(metrics: dict, name: str) -> tuple[np.ndarray, ...]:
    """(mean, low, high) per (P, T) of one observable, as ``metrics.cell_band`` saved them."""
    band = metrics["cell_bands"][name]
    return tuple(as_floats(band[k]) for k in ("mean", "low", "high"))


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


def _verdicts(claims: list[tuple[str, str]]) -> tuple[str, str]:
    """('claims …' line or '', title colour)."""
    return verdict_line(claims), FAILED_COLOUR if any_failed(claims) else "black"


def plot(config: Any, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    """Writes every figure in FIGURES from saved results."""
    sizes = metrics["train_sizes"]
    log2_t = _a(metrics["log2_temperatures"])
    temps = 2.0**log2_t
    status = np.asarray(arrays["status"])
    capped = np.any(status == sgd.CAPPED, axis=-1)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(sizes)))
    interval = (f"seed mean, 95 % bootstrap over {metrics['seeds']} seeds"
                if int(metrics["seeds"]) > 1 else "one seed, no interval")
    setting = (f"FC ReLU network, α = {pow2_label(config['log2_alpha'])}, MNIST-1D parity "
               "(stand-in task)")
    fits = {k: as_float(v["value"]) for k, v in metrics["fits"].items()}

    def finish(fig: plt.Figure, axes: list[plt.Axes], stem: str, title: str,
               claims: list[tuple[str, str]], extra: list | None = None) -> None:
        for ax in axes:
            ax.set_xscale("log", base=2)
            pow2_ticks(ax, "x", log2_t, log_axis=True, most=6, regular=True)
            ax.set_xlabel(TEMPERATURE)
            if ax.get_yscale() == "log":
                log_ticks(ax.yaxis)
            ticks_inside(ax)
        handles, labels = axes[0].get_legend_handles_labels()
        if capped.any():
            handles.append(plt.Line2D([], [], color="0.3", marker="o", mfc="white", ls="none"))
            labels.append("open: a lane of the cell hit the step cap")
        fig.legend(handles, labels, loc="outside right center", fontsize=7.5,
                   title=f"training-set size P\n({interval})", title_fontsize=7.5)
        line, colour = _verdicts(claims)
        fig.suptitle(f"{title}; {setting}" + (f"\n{line}" if line else ""), fontsize=8.5,
                     color=colour)
        save_figure(fig, figure_dir, stem)

    # 8. error vs T with T_c^K marked
    fig, ax = plt.subplots(figsize=(7.6, 4.4))
    _series(ax, temps, _band(metrics, "test_error"), capped, sizes,
            colors)
    for i, tc in enumerate(_a(metrics["tc_k"])):
        if np.isfinite(tc):
            ax.axvline(tc, color=colors[i], ls=":", lw=1)
    ax.plot([], [], "k:", label=r"$T_c^K$ of each P (where ΔK = 0.1)")
    ax.set_ylabel("test error ε")
    finish(fig, [ax], "error_vs_T", "Test error vs temperature",
           [("noise_effect_depends_on_P", "noise lowers the error at large P only")])

    # 9. weight change and its collapse
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.6, 4.2))
    band = _band(metrics, "rel_change")
    _series(left, temps, band, capped, sizes, colors)
    delta, gamma = fits["delta"], fits["gamma"]
    if np.isfinite(delta):
        anchor = np.nanmean(band[0][:, 0])
        left.plot(temps, anchor * (temps / temps[0]) ** delta, "k--", lw=1,
                  label=f"fitted slope δ = {delta:.2f}")
    r_c = metrics["thresholds"]["r_c"]
    left.axhline(r_c, color="r", ls=":", label=f"$r_c$ = {r_c:g} (defines $T_c^w$)")
    left.set(yscale="log", ylabel=r"$r = \|w-w_0\|/\|w_0\|$", title="relative weight change")
    scale = _a(sizes) ** (gamma if np.isfinite(gamma) else 0.0)
    _series(right, temps, band, capped, sizes, colors, scale=scale)
    right.set(yscale="log", ylabel=rf"$r/P^\gamma$ (fitted γ = {gamma:.2f})" if np.isfinite(gamma)
              else "r (γ not fitted)",
              title="collapse over P")
    finish(fig, [left, right], "weight_change", r"$r \propto T^\delta P^\gamma$",
           [("delta", "δ near 1"), ("gamma", "γ > 0")])

    # 10. training time
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.6, 4.2))
    band = _band(metrics, "t_star")
    _series(left, temps, band, capped, sizes, colors)
    anchor = np.nanmean(band[0][:, 0])
    left.plot(temps, anchor * temps / temps[0], "k--", lw=1, label=r"slope 1 ($t^* \propto T$)")
    left.set(yscale="log", ylabel=r"$t^* = \eta \times$ steps", title="training time")
    b = fits["b"]
    scale = _a(sizes) ** (b if np.isfinite(b) else 0.0)
    _series(right, temps, (band[0] / temps, band[1] / temps, band[2] / temps), capped, sizes,
            colors, scale=scale)
    right.set(yscale="log", ylabel=rf"$t^*/(T P^b)$ (fitted b = {b:.2f})" if np.isfinite(b)
              else r"$t^*/T$ (b not fitted)",
              title="collapse over T and P")
    finish(fig, [left, right], "training_time", r"$t^* \propto T P^b$",
           [("tstar_linear_in_T", r"$t^* \propto T$"), ("tstar_grows_with_P", "b > 0")])

    # 11. NTK change
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.6, 4.2))
    _series(left, temps, _band(metrics, "delta_K"), capped, sizes, colors)
    c_k = metrics["thresholds"]["c_K"]
    left.axhline(c_k, color="r", ls=":", label=f"ΔK = {c_k:g} (defines $T_c^K$)")
    left.set(yscale="log", ylabel=r"$\Delta K = \|K^* - K_0\|_F\,/\,\|K_0\|_F$",
             title="relative NTK change")
    _series(right, temps, _band(metrics, "one_minus_alignment"), capped, sizes, colors)
    right.set(yscale="log", ylabel="1 − kernel alignment", title="loss of NTK alignment")
    finish(fig, [left, right], "ntk_change",
           f"NTK change, measured on {config['n_ntk']} training points",
           [("tc_power_law_ntk", r"$T_c^K$ is a power law in P")])

    _tc_vs_p(metrics, fits, _a(sizes), setting, figure_dir)


def _tc_vs_p(metrics: dict, fits: dict, p: np.ndarray, setting: str, figure_dir: Path) -> None:
    found = [as_floats(metrics[k]) for k in ("tc_w", "tc_k", "tc_eps")]
    if not any(np.isfinite(v).any() for v in found):
        skip_figure("tc_vs_P", "no critical temperature was crossed on this temperature grid")
        return
    fig, ax = plt.subplots(figsize=(6.6, 5.4))
    ratio, tcw = fits["gamma_over_delta"], _a(metrics["tc_w"])
    thresholds = metrics["thresholds"]
    for key, name, marker, a_key, color in (
            ("tc_w", f"$T_c^w$ (where r = {thresholds['r_c']:g})", "o", "a_w", "C0"),
            ("tc_k", f"$T_c^K$ (where ΔK = {thresholds['c_K']:g})", "s", "a_k", "C2")):
        tc = _a(metrics[key])
        ok = np.isfinite(tc)
        a = fits[a_key]
        interval = as_floats(metrics["fits"][a_key]["interval"])
        ax.plot(p[ok], tc[ok], marker, ms=7, color=color, label=name)
        if ok.sum() >= 2 and np.isfinite(a):
            c = as_float(metrics["tc_fit_log_intercept"][a_key])
            label = f"fit: exponent {a:.2f}" + (
                f" [95 %: {interval[0]:.2f}, {interval[1]:.2f}]"
                if np.isfinite(interval).all() else " (no bootstrap interval)")
            if a_key == "a_k" and claim_status("a_equals_gamma_over_delta") == "FAILED":
                label += ", differs from γ/δ: claim FAILED"
            ax.plot(p, np.exp(c - a * np.log(p)), "-", lw=1.2, color=color, label=label)
            for edge in interval:
                if np.isfinite(edge):
                    ax.plot(p, np.exp(c - edge * np.log(p)), ":", lw=0.8, color=color)
    eps = np.array([np.nan if v is None else float(v) for v in metrics["tc_eps"]])
    if np.isfinite(eps).any():
        ax.plot(p, eps, "^", mfc="none", color="C1",
                label=r"$T_c^\epsilon$ (first T with |Δε| > max(0.01, 2 s.e.))")
    if np.isfinite(ratio) and np.isfinite(tcw).any():
        j = int(np.flatnonzero(np.isfinite(tcw))[-1])
        ax.plot(p, tcw[j] * (p / p[j]) ** (-ratio), "k--", lw=1,
                label=rf"prediction $P^{{-\gamma/\delta}}$, γ/δ = {ratio:.2f}")
    if any(line.get_linestyle() == ":" for line in ax.get_lines()):
        ax.plot([], [], ":", color="0.4", lw=0.8, label="dotted: 95 % bootstrap range of the "
                                                        "exponent over seeds")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xticks(p, [str(int(v)) for v in p])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("training-set size P")
    ax.set_ylabel(r"critical temperature $T_c$")
    ticks_inside(ax)
    fig.legend(loc="outside lower center", fontsize=7.5, ncol=1)
    line, colour = _verdicts([("tc_power_law_weights", "$T_c^w$ exponent = γ/δ"),
                              ("tc_power_law_ntk", "$T_c^K$ a power law"),
                              ("a_equals_gamma_over_delta", "$T_c^K$ exponent = γ/δ")])
    ax.set_title(r"$T_c \propto P^{-a}$" + f"; {setting}" + (f"\n{line}" if line else ""),
                 fontsize=8, color=colour)
    save_figure(fig, figure_dir, "tc_vs_P")
