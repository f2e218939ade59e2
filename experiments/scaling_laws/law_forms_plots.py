"""Figure of ``law_forms`` (spec §6 item 13): one 2×3 summary; reads saved results only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from experiments.common.plotting import save_figure
from experiments.common.stats import bootstrap_interval
from experiments.scaling_laws import law_forms_fits as fits
from theory import scaling_forms as sf

FIGURES = ("summary",)
SHOWN_RELU, SHOWN_SILU = ("0.1B", "0.4B", "1.2B"), ("0.1B", "0.8B")


def _sparsing(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    D = a["sparsing/D"]
    dense = np.geomspace(D.min(), D.max(), 200)
    sp = m["sparsing"]
    for kind, rows, shown in (("relu", sp["relu_rows"], SHOWN_RELU),
                              ("silu", sp["silu_rows"], SHOWN_SILU)):
        fn = sf.sparsing_relu if kind == "relu" else sf.sparsing_silu
        for row in shown:
            i = rows.index(row)
            line, = ax.plot(dense, fn(dense, **sf.SPARSING_TABLE2[kind][row]), lw=1.2,
                            label=f"{kind.upper()} {row}")
            ax.plot(D, a[f"sparsing/{kind}_data"][1, i], ".", ms=3, color=line.get_color())
            ax.plot(D, a[f"sparsing/{kind}_fit"][1, i], "--", lw=1, color="k", alpha=0.6)
    ax.set(xscale="log", xlabel="D (billions of tokens)", ylabel="activation ratio A",
           title="(a) sparsing law (σ = 1e-3; dashed: fits)")
    ax.legend(fontsize=6, ncol=2)


def _massive(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    t = a["massive/t"]
    dense = np.concatenate([[0.0], np.geomspace(1.0, t.max(), 300)])
    for c, name in enumerate(fits.MASSIVE_CASES):
        p = a["massive/truths"][c]
        line, = ax.plot(dense, sf.massive_activation(dense, *p), lw=1.2, label=name)
        ax.plot(t, a["massive/data"][c], ".", ms=3, color=line.get_color())
        ax.plot(dense, sf.massive_activation(dense, *a["massive/estimates"][c, 0]), "--",
                lw=1, color="k", alpha=0.6)
        t_peak = m["massive"]["theory"][name]["t_peak"]
        if t_peak <= t.max():
            ax.axvline(t_peak, color=line.get_color(), ls=":", lw=1)
    ax.set(xscale="symlog", xlabel="training step t", ylabel="max/median |activation|",
           title="(b) massive activations (dotted: $t_{peak}$)")
    ax.legend(fontsize=6)


def _densing(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    t, y = a["densing/arxiv_t_seed0"], a["densing/arxiv_log_rho_seed0"]
    slope, se = a["densing/arxiv_A_hat"][0], a["densing/arxiv_se"][0]
    coef = np.polyfit(t, y, 1)
    grid = np.linspace(0, t.max(), 50)
    ax.plot(t, y, "o", ms=3, label="synthetic models (seed 0)")
    ax.plot(grid, np.polyval(coef, grid), "-", label="OLS fit")
    ax.plot(grid, m["densing"]["cases"]["arxiv"]["A"] * grid, ":", color="k", label="planted")
    days, months = np.log(2) / slope, np.log(2) / slope / m["densing"]["days_per_month"]
    se_months = np.log(2) / slope**2 * se / m["densing"]["days_per_month"]
    ax.text(0.04, 0.9, f"seed 0: doubling {months:.2f} ± {se_months:.2f} months ({days:.0f} d)",
            transform=ax.transAxes, fontsize=7)
    ax.set(xlabel="t (days)", ylabel="ln ρ", title="(c) densing law")
    ax.legend(fontsize=6, loc="lower right")


def _capacity(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    series, x, y = a["capacity/series"], a["capacity/log2_F"], a["capacity/y_seed0"]
    est = a["capacity/estimates"][0]
    grid = np.linspace(x.min() - 0.5, x.max() + 0.5, 20)
    for s in range(int(series.max()) + 1):
        sel = series == s
        line, = ax.plot(x[sel], y[sel], "o", ms=4, label=f"series {s + 1}: IC = {est[s]:.3f}")
        ax.plot(grid, est[s] * grid - est[-1], "-", lw=1, color=line.get_color())
    ax.set(xlabel="log2 F (FLOPs per token)", ylabel="C_tok − NLL (bits/token)",
           title=f"(d) information capacity (shared b̂ = {est[-1]:.2f})")
    ax.legend(fontsize=6)


def _hotmess(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    E = a["hotmess/ensembles"]
    est = a["hotmess/ens_unbiased"]
    mean = est.mean(axis=0)
    if est.shape[0] > 1:
        lo, hi = bootstrap_interval(est)
    else:
        lo = hi = mean
    ax.errorbar(E, mean, yerr=[mean - lo, hi - mean], fmt="o", capsize=3,
                label=f"unbiased estimate (95 % bootstrap over {est.shape[0]} seeds)")
    grid = np.geomspace(E.min(), E.max(), 50)
    pop1 = a["hotmess/ens_population"][0]
    ratio = pop1 / (1.0 - pop1)  # E p(1−p) / E (1−p)² of the Beta(2, 1) population
    ax.plot(grid, (ratio / grid) / (ratio / grid + 1.0), "-", lw=1,
            label="closed form E p(1−p)/E / E[p(1−p)/E + (1−p)²], p ~ Beta(2, 1)")
    ax.plot(E, a["hotmess/ens_closed"].mean(axis=0), "x", color="k", label="closed form, sampled p")
    ax.set(xscale="log", xlabel="ensemble size E", ylabel="incoherence",
           title="(e) hot mess: ensembling")
    ax.set_xticks(E, [str(int(e)) for e in E])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=6)


def _recovery(ax, m: dict[str, Any]) -> None:
    sp, ma = m["sparsing"], m["massive"]["cases"]
    # Keys by name: metrics.json is saved with sorted keys.
    silu_tol, relu_tol = {"alpha": 0.05, "c": 0.06, "A0": 0.003}, {"alpha": 0.15, "b": 0.06,
                                                                     "c": 0.50, "A0": 0.10}
    items = [(f"SiLU {k}", sp["silu_max_rel_err"][k], t) for k, t in silu_tol.items()]
    items += [(f"ReLU {k}", sp["relu_max_rel_err"][k], t) for k, t in relu_tol.items()]
    items += [("ReLU 0.1B A0", sp["relu_0.1B_A0_max_rel_err"], 0.08),
              ("peaked t_peak", ma["peaked"]["t_peak_rel_err_max"], 0.15),
              ("mid t_peak", ma["mid"]["t_peak_rel_err_max"], 0.15)]
    x = np.arange(len(items))
    ax.plot(x, [max(v, 1e-6) for _, v, _ in items], "o", label="max rel. error over seeds")
    ax.plot(x, [t for *_, t in items], "_", ms=14, color="r", mew=2, label="tolerance (cpu)")
    ax.set_xticks(x, [n for n, *_ in items], rotation=70, fontsize=6)
    ax.set(yscale="log", ylabel="relative error", title="(f) parameter recovery")
    ax.legend(fontsize=6)


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(15, 9))
    _sparsing(axes[0, 0], metrics, arrays)
    _massive(axes[0, 1], metrics, arrays)
    _densing(axes[0, 2], metrics, arrays)
    _capacity(axes[1, 0], metrics, arrays)
    _hotmess(axes[1, 1], metrics, arrays)
    _recovery(axes[1, 2], metrics)
    save_figure(fig, figure_dir, "summary")
