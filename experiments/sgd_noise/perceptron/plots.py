"""Figures of the perceptron experiment (spec §6, figures 1–4); saved results only.

Points: per-cell means over converged lanes with ± 1.96 standard errors over replicas (the
``cells`` table of metrics.json); lanes that hit the step cap are drawn individually as grey
crosses and never enter a mean. Fitted exponents carry the 95 % paired bootstrap intervals the
metrics saved. Theory as lines. Each figure names the verdicts of the claims it shows.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common import plotting
from experiments.common.plotting import INTERVAL_95, save_figure, skip_figure
from experiments.common.results import as_float
from experiments.sgd_noise.perceptron.metrics import B_TOL, EPS_TOL, GAMMA_TOL
from experiments.sgd_noise.shared import sgd
from experiments.sgd_noise.shared.plot_style import (
    FAILED_COLOUR,
    claim_status,
    log_ticks,
    ticks_inside,
    title_with_verdicts,
    verdict_line,
)

FIGURES = ("signal_noise_vs_T", "scaling_vs_P", "exponent_summary", "crossover")
W_PERP = r"$\|w_\perp\|$"


def _interval_text(metrics: dict) -> str:
    counts = sorted({int(n) for n in metrics["seeds"].values()})
    if counts == [1]:
        return "one seed, no interval"
    seeds = f"{counts[0]} seeds" if len(counts) == 1 else (
        ", ".join(f"{n} (χ = {c})" for c, n in metrics["seeds"].items()) + " seeds")
    return f"mean ± 1.96 s.e. over {seeds}"


def _series(metrics: dict, arrays: dict, obs: str, chi: float, size: int,
            cells: list[tuple[int, float]], scale: Any = 1.0) -> dict[str, np.ndarray]:
    """x = T·α; y = cell mean of ``obs`` × scale(T·α) ± 1.96 s.e.; capped lanes individually."""
    table = {(c["chi"], c["P"], c["regime"], c["t_alpha"]): c for c in metrics["cells"]}
    rows, cx, cy = [], [], []
    for regime, t_alpha in cells:
        cell = table.get((chi, size, regime, t_alpha))
        s = scale(t_alpha) if callable(scale) else scale
        mean = as_float(cell[obs]) * s if cell else math.nan
        se = as_float(cell[f"{obs}_se"]) * s if cell and cell[f"{obs}_se"] is not None else 0.0
        rows.append((t_alpha, mean, INTERVAL_95 * se))
        lanes = ((arrays["chi"] == chi) & (arrays["P"] == size) & (arrays["regime"] == regime)
                 & (arrays["t_alpha"] == t_alpha) & (arrays["status"] == sgd.CAPPED))
        cx += [t_alpha] * int(lanes.sum())
        cy += list(np.asarray(arrays[obs][lanes], float) * s)
    a = np.asarray(sorted(rows), float).reshape(-1, 3)
    return {"x": a[:, 0], "y": a[:, 1], "err": a[:, 2], "cx": np.asarray(cx),
            "cy": np.asarray(cy)}


def _draw(ax: Any, s: dict[str, np.ndarray], color: str, label: str | None,
          filled: bool = True, marker: str = "o") -> None:
    ok = np.isfinite(s["y"])
    ax.errorbar(s["x"][ok], s["y"][ok], yerr=s["err"][ok], fmt=marker + "-", lw=0.8,
                color=color, mfc=color if filled else "white", label=label, zorder=3)
    if s["cx"].size:
        ax.plot(s["cx"], s["cy"], "x", color="0.4", ms=5, zorder=4)


def _grids(metrics: dict[str, Any]) -> list[tuple[float, list[int]]]:
    return [(float(chi), pc["sizes"]) for chi, pc in metrics["per_chi"].items()]


def _cells(config: dict, rank: int) -> list[tuple[int, float]]:
    cells = [(0, t) for t in config["noise_t_alpha"]]
    if rank < config["crossover_sizes"]:
        cells += [(1, t) for t in config["crossover_t_alpha"]]
    return cells


def _signal_noise(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    grids = _grids(metrics)
    fig, axes = plt.subplots(1, len(grids), figsize=(max(4.0 * len(grids) + 0.4, 7.0), 4.4),
                             squeeze=False)
    alpha, sqrt_d = config["alpha"], math.sqrt(config["dim"])
    t_hot = max(config["noise_t_alpha"])
    t_all = np.geomspace(min(config["crossover_t_alpha"] + config["noise_t_alpha"]), t_hot, 50)
    for ax, (chi, sizes) in zip(axes[0], grids, strict=True):
        pc = metrics["per_chi"][f"{chi:g}"]
        top = None
        for i, size in enumerate(sizes):
            signal = _series(metrics, arrays, "w1", chi, size, _cells(config, i), alpha)
            _draw(ax, signal, f"C{i % 8}", f"P = {size}")
            _draw(ax, _series(metrics, arrays, "w_perp", chi, size, _cells(config, i),
                              alpha / sqrt_d), f"C{i % 8}", None, filled=False, marker="s")
            top = signal["y"][-1] if signal["x"].size and signal["x"][-1] == t_hot else top
        ax.plot(t_all, pc["theory"]["inv_2c_chi"] * t_all, "k--", lw=1)
        if top is not None and np.isfinite(top):
            ax.plot(t_all, top / t_hot * t_all, color="0.5", lw=1, ls=":")
        crosses = [as_float(v["value"]) for v in pc["crossover"].values()]
        for value in crosses:
            if np.isfinite(value):
                ax.axvline(value, color="k", ls="-.", lw=0.9)
        ratio = as_float(pc["w_perp_ratio_largest_P"]["value"])
        ax.set(xscale="log", yscale="log", xlabel=r"$T\alpha$")
        ax.set_title(f"χ = {chi:g}; {W_PERP} / theory at P = {sizes[-1]}: {ratio:.2f}",
                     fontsize=8.5)
        ax.legend(fontsize=7, loc="upper left")
        ticks_inside(ax)
    axes[0, 0].set_ylabel(rf"$w_1\alpha$ (filled), {W_PERP}$\alpha/\sqrt{{d}}$ (open)")
    handles = [plt.Line2D([], [], color="0.3", marker="o", ls="-", lw=0.8),
               plt.Line2D([], [], color="0.3", marker="s", mfc="white", ls="-", lw=0.8),
               plt.Line2D([], [], color="k", ls="--", lw=1),
               plt.Line2D([], [], color="0.5", ls=":", lw=1),
               plt.Line2D([], [], color="k", ls="-.", lw=0.9)]
    labels = [rf"signal $w_1\alpha$ ({_interval_text(metrics)})",
              rf"noise {W_PERP}$\alpha/\sqrt{{d}}$",
              rf"theory {W_PERP}$\alpha/\sqrt{{d}} = T\alpha/(2c_\chi)$",
              "slope 1 through the largest P at the highest T",
              r"measured crossover $T_\times\alpha$ (one line per P)"]
    if (arrays["status"] == sgd.CAPPED).any():
        handles.append(plt.Line2D([], [], color="0.4", marker="x", ls="none"))
        labels.append("lane that hit the step cap (not in the means)")
    fig.legend(handles, labels, loc="outside lower center", ncol=3 if len(grids) > 2 else 2,
               fontsize=7.5)
    claims = [("delta", "signal ∝ T"), ("w_perp_value", f"{W_PERP} value")]
    fig.suptitle("Signal and noise vs temperature" + _verdict_suffix(claims), fontsize=9,
                 color=FAILED_COLOUR if "FAILED" in _verdict_suffix(claims) else "black")
    save_figure(fig, figure_dir, "signal_noise_vs_T")


def _verdict_suffix(claims: list[tuple[str, str]]) -> str:
    line = verdict_line(claims)
    return f"\n{line}" if line else ""


def _scaling(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    grids = _grids(metrics)
    hot = [t for t in config["noise_t_alpha"] if t >= config["fit_t_alpha"]]
    alpha, sqrt_d = config["alpha"], math.sqrt(config["dim"])
    columns = (("w1", r"$w_1/T$", 1.0, "gamma_fit", "gamma", "gamma_chi{}"),
               ("w_perp", rf"{W_PERP}$/(T\sqrt{{d}})$", 1 / sqrt_d, "w_perp_P_slope", None,
                "w_perp_P_independent"),
               ("tstar", r"$t^*/T$", 1.0, "b_fit", "b", "b_chi{}"),
               ("error", r"test error $\epsilon$", None, "eps_slope", "eps_exponent",
                "test_error_exponent"))
    fig, axes = plt.subplots(len(grids), 4, figsize=(12, 2.7 * len(grids) + 0.9),
                             squeeze=False)
    for row, (chi, sizes) in zip(axes, grids, strict=True):
        pc = metrics["per_chi"][f"{chi:g}"]
        for ax, (obs, ylabel, factor, fit_key, theory_key, claim) in zip(row, columns,
                                                                        strict=True):
            for j, t in enumerate(hot):
                scale = 1.0 if factor is None else factor * alpha / t  # per T: T = (Tα)/α
                pts = [_series(metrics, arrays, obs, chi, p, [(0, t)], scale) for p in sizes]
                y = np.array([s["y"][0] for s in pts])
                ax.errorbar(sizes, y, yerr=[s["err"][0] for s in pts], fmt="o", color=f"C{j}",
                            mfc="white" if j else f"C{j}")
                if j == 0 and np.isfinite(y[-1]):
                    slope = 0.0 if theory_key is None else pc["theory"][theory_key]
                    level = pc["theory"]["inv_2c_chi"] if theory_key is None else y[-1]
                    ps = np.geomspace(sizes[0], sizes[-1], 20)
                    ax.plot(ps, level * (ps / sizes[-1]) ** slope, "k--", lw=1)
            fit, status = pc.get(fit_key), claim_status(claim.format(int(chi)))
            text = f"χ = {chi:g}"
            if fit:
                text += (f": slope {as_float(fit['value']):.2f} [{as_float(fit['low']):.2f}, "
                         f"{as_float(fit['high']):.2f}]")
            slope = 0.0 if theory_key is None else pc["theory"][theory_key]
            text += f", theory {slope:.3g}" + (f"\nclaim {status}" if status else "")
            ax.set_title(text, fontsize=7.5, color=FAILED_COLOUR if status == "FAILED"
                         else "black")
            ax.set(xscale="log", yscale="log", xlabel="training-set size P", ylabel=ylabel)
            ax.set_xticks(sizes, [str(p) for p in sizes])
            ax.xaxis.set_minor_formatter(plt.NullFormatter())
            log_ticks(ax.yaxis)
            ticks_inside(ax)
    handles = [plt.Line2D([], [], color=f"C{j}", marker="o", mfc="white" if j else f"C{j}",
                          ls="none") for j in range(len(hot))]
    labels = [f"Tα = {t:g}" + (" (the fit temperature)" if t == config["fit_t_alpha"] else "")
              for t in hot]
    handles.append(plt.Line2D([], [], color="k", ls="--", lw=1))
    labels.append(rf"theory: slope through the largest P; for {W_PERP}, the value $1/(2c_\chi)$")
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=7.5)
    fig.suptitle(f"Noise-regime scaling with P; points {_interval_text(metrics)}; "
                 "slopes fitted at the fit temperature with 95 % bootstrap intervals",
                 fontsize=9)
    save_figure(fig, figure_dir, "scaling_vs_P")


def _summary(config: dict, metrics: dict, figure_dir: Path) -> None:
    if not any(pc.get("gamma_fit") for pc in metrics["per_chi"].values()):
        skip_figure("exponent_summary", "one training-set size per χ: no exponent was fitted")
        return
    chis = np.array([float(c) for c in metrics["per_chi"]])
    fine = np.linspace(0.0, max(3.0, chis.max()), 100)
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    theory = {"γ": 1 / (1 + fine), "b": (3 + fine) / (1 + fine), "ε": -np.ones_like(fine)}
    paper = int(plotting.profile() == "paper")  # the tolerances are (cpu/smoke, paper) pairs
    bands = {"γ": {c: t[paper] for c, t in GAMMA_TOL.items()},
             "b": {c: t[paper] for c, t in B_TOL.items()},
             "ε": {c: (-1 - EPS_TOL[paper], -1 + EPS_TOL[paper]) for c in (0, 1, 3)}}
    names = {"γ": ("gamma_fit", "gamma_chi{}", r"signal exponent γ: $w_1/T \propto P^\gamma$"),
             "b": ("b_fit", "b_chi{}", r"training-time exponent b: $t^*/T \propto P^b$"),
             "ε": ("eps_slope", "test_error_exponent",
                   r"test-error slope: $\epsilon \propto P^{\mathrm{slope}}$")}
    handles, labels, failed = [], [], False
    for i, (name, (key, claim, words)) in enumerate(names.items()):
        color = f"C{i}"
        ax.plot(fine, theory[name], color=color, lw=1.2)
        for chi, band in bands[name].items():
            ax.fill_between([chi - 0.12, chi + 0.12], *band, color=color, alpha=0.15, lw=0)
        for chi in chis:
            fit = metrics["per_chi"][f"{chi:g}"].get(key)
            if not fit:
                continue
            y, lo, hi = as_float(fit["value"]), as_float(fit["low"]), as_float(fit["high"])
            status = claim_status(claim.format(int(chi)) if chi.is_integer() else claim)
            face = color if status == "passed" else "white"
            edge = FAILED_COLOUR if status == "FAILED" else color
            ax.errorbar([chi], [y], yerr=[[y - lo], [hi - y]], fmt="o", color=color, mfc=face,
                        mec=edge, mew=1.8 if status == "FAILED" else 1.0, ms=6)
            if status == "FAILED":
                failed = True
                ax.annotate("FAILED", (chi, y), xytext=(8, -3), textcoords="offset points",
                            color=FAILED_COLOUR, fontsize=7.5, fontweight="bold")
        handles.append(plt.Line2D([], [], color=color, marker="o", lw=1.2))
        labels.append(words)
    grey = "0.35"
    handles += [plt.Line2D([], [], color=grey, lw=1.2),
                plt.Line2D([], [], color=grey, marker="o", ls="none"),
                plt.Line2D([], [], color=grey, marker="o", mfc="white", ls="none"),
                plt.Rectangle((0, 0), 1, 1, color=grey, alpha=0.3, lw=0)]
    labels += ["asymptotic theory", "fit, 95 % bootstrap; filled: claim passed",
               "open: claim not checked here", f"claim tolerance ({plotting.profile()} profile)"]
    if failed:
        handles.append(plt.Line2D([], [], color=grey, marker="o", mfc="white",
                                  mec=FAILED_COLOUR, mew=1.8, ls="none"))
        labels.append("red edge: claim FAILED")
    ax.set(xlabel="χ (data depletion at the decision boundary)", ylabel="exponent")
    ax.set_title("Perceptron exponents vs χ", fontsize=9.5)
    ticks_inside(ax)
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=7.5)
    save_figure(fig, figure_dir, "exponent_summary")


def _crossover(config: dict, metrics: dict, arrays: dict, figure_dir: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.4, 4.4))
    gd = min(config["crossover_t_alpha"])
    table = {(c["chi"], c["P"], c["regime"], c["t_alpha"]): c for c in metrics["cells"]}
    k = 0
    for chi, sizes in _grids(metrics):
        for rank, size in enumerate(sizes[:config["crossover_sizes"]]):
            base = as_float(table.get((chi, size, 1, gd), {}).get("w1"))
            scale = 1 / base if np.isfinite(base) and base > 0 else math.nan
            s = _series(metrics, arrays, "w1", chi, size, _cells(config, rank), scale)
            _draw(ax=left, s=s, color=f"C{k % 8}", label=f"χ = {chi:g}, P = {size}")
            k += 1
    left.axvspan(1.5, 5.0, color="0.9", lw=0, label=r"claim band of $T_\times\alpha$")
    left.set(xscale="log", yscale="log", xlabel=r"$T\alpha$",
             ylabel=rf"$w_1(T)\,/\,w_1(T\alpha = {gd:g})$")
    left.set_title(f"Collapse: plateau, then ∝ T\n{_interval_text(metrics)}", fontsize=8.5)
    left.legend(fontsize=7, loc="lower right")
    ticks_inside(left)
    top = 6.0
    for i, (chi, pc) in enumerate(metrics["per_chi"].items()):
        ps = [int(p) for p in pc["crossover"]]
        vals = [pc["crossover"][str(p)] for p in ps]
        y = np.array([as_float(v["value"]) for v in vals])
        lo = np.array([as_float(v["low"]) for v in vals])
        hi = np.array([as_float(v["high"]) for v in vals])
        right.errorbar(ps, y, yerr=[y - lo, hi - y], fmt="o-", color=f"C{i}",
                       label=f"χ = {chi} (95 % bootstrap)")
        top = max([top, *(1.1 * v for v in np.concatenate([y, hi]) if np.isfinite(v))])
    right.axhspan(1.5, 5.0, color="0.9", lw=0,
                  label=r"claim band: $T_\times\alpha = C$, $C \in [1.5, 5]$ (cpu)")
    right.set(xscale="log", xlabel="training-set size P", ylabel=r"$T_\times\alpha$",
              ylim=(0.0, top))
    right.set_xticks(sorted({int(p) for pc in metrics["per_chi"].values()
                             for p in pc["crossover"]}))
    right.xaxis.set_major_formatter(plt.ScalarFormatter())
    right.xaxis.set_minor_formatter(plt.NullFormatter())
    title_with_verdicts(right, r"Crossover temperature: $T_\times\alpha$ vs P",
                        [("crossover_temperature", "order-one and P-independent")],
                        fontsize=8.5)
    right.legend(fontsize=7, loc="lower left")
    ticks_inside(right)
    save_figure(fig, figure_dir, "crossover")


def plot(config: dict[str, Any], metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    """Writes every figure of ``FIGURES`` from saved results."""
    _signal_noise(config, metrics, arrays, figure_dir)
    _scaling(config, metrics, arrays, figure_dir)
    _summary(config, metrics, figure_dir)
    _crossover(config, metrics, arrays, figure_dir)
