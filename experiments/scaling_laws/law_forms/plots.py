"""Figure of ``law_forms``: one 2×3 summary of the five laws. Reads saved results only (the OLS
line of panel (c) is the saved slope through the data's means, where every OLS line passes).

The recovery tolerances of panels (e) and (f) are those of ``claims`` for the cpu and
smoke profiles: the plot is not told the profile, and the paper profile's differ (t_peak 0.20,
ensemble 0.002).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from experiments.common import plotting
from experiments.common.plotting import save_figure
from experiments.scaling_laws.law_forms import claims
from experiments.scaling_laws.shared.plot_style import status_legend, trim_ticks
from theory import scaling_forms as sf

FIGURES = ("summary",)
STATUS = {"sparsing_table_values": "(a) Table 2 values", "sparsing_silu_recovery": "SiLU refit",
          "sparsing_relu_recovery": "ReLU refit", "sparsing_curve_recovery": "(a) refit curves",
          "massive_peak_formula": r"(b) $t_{\mathrm{peak}}$ formula",
          "massive_reparam_identity": "(b) reparametrisation",
          "massive_recovery_peaked": "(b) peaked refit", "massive_no_peak_late": "(b) late case",
          "densing_doubling_time": "(c) doubling time",
          "densing_inversion_identity": "(c) inversion identity",
          "densing_recovery": "(c) slope recovery", "capacity_recovery": "(d) IC recovery",
          "hotmess_kl_identity": "KL decomposition", "hotmess_bernoulli_recovery": "estimator",
          "hotmess_plugin_bias": "plug-in bias", "hotmess_ensemble": "(e) ensembling"}
SHOWN_RELU, SHOWN_SILU = ("0.1B", "0.4B", "1.2B"), ("0.1B", "0.8B")


def _sparsing(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    D = a["sparsing/D"]
    dense = np.geomspace(D.min(), D.max(), 200)
    sp = m["sparsing"]
    sigma = float(a["sparsing/sigmas"][1])
    for kind, rows, shown in (("relu", sp["relu_rows"], SHOWN_RELU),
                              ("silu", sp["silu_rows"], SHOWN_SILU)):
        fn = sf.sparsing_relu if kind == "relu" else sf.sparsing_silu
        for row in shown:
            i = rows.index(row)
            line, = ax.plot(dense, fn(dense, **sf.SPARSING_TABLE2[kind][row]), lw=1.2,
                            label=f"{'ReLU' if kind == 'relu' else 'SiLU'}, {row}")
            ax.plot(D, a[f"sparsing/{kind}_data"][1, i], ".", ms=3, color=line.get_color())
            ax.plot(D, a[f"sparsing/{kind}_fit"][1, i], "--", lw=1, color="k", alpha=0.6)
    ax.plot([], [], ".", ms=4, color="0.3", label=f"synthetic data, noise σ = {sigma:g}")
    ax.plot([], [], "--", lw=1, color="k", alpha=0.6, label="refit (seed 0)")
    ax.set(xscale="log", xlabel="D (billions of tokens)", ylabel="activation ratio A",
           title="(a) sparsing law (lines: Table 2 coefficients)")
    ax.legend(fontsize=7, ncol=2, loc="center right")


def _massive(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    t = a["massive/t"]
    dense = np.concatenate([[0.0], np.geomspace(1.0, t.max(), 300)])
    for c, name in enumerate(m["massive"]["case_order"]):  # the arrays' row order
        p = a["massive/truths"][c]
        line, = ax.plot(dense, sf.massive_activation(dense, *p), lw=1.2, label=name)
        ax.plot(t, a["massive/data"][c], ".", ms=3, color=line.get_color())
        ax.plot(dense, sf.massive_activation(dense, *a["massive/estimates"][c, 0]), "--",
                lw=1, color="k", alpha=0.6)
        t_peak = m["massive"]["theory"][name]["t_peak"]
        if t_peak <= t.max():
            ax.axvline(t_peak, color=line.get_color(), ls=":", lw=1)
    ax.plot([], [], ".", ms=4, color="0.3", label="synthetic data (seed 0)")
    ax.plot([], [], "--", lw=1, color="k", alpha=0.6, label="refit (seed 0)")
    ax.plot([], [], ":", lw=1, color="0.3", label=r"true $t_{\mathrm{peak}}$")
    ax.set(xscale="symlog", xlabel="training step t", ylabel="max / median |activation|",
           title="(b) massive activations (lines: planted curves)")
    ax.legend(fontsize=7, loc="upper left")


def _densing(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    t, y = a["densing/arxiv_t_seed0"], a["densing/arxiv_log_rho_seed0"]
    slope, se = a["densing/arxiv_A_hat"][0], a["densing/arxiv_se"][0]
    grid = np.linspace(0, t.max(), 50)
    ax.plot(t, y, "o", ms=3, label="synthetic models (seed 0)")
    ax.plot(grid, y.mean() + slope * (grid - t.mean()), "-", label="OLS fit (seed 0)")
    ax.plot(grid, m["densing"]["cases"]["arxiv"]["A"] * grid, ":", color="k", label="planted")
    days, months = np.log(2) / slope, np.log(2) / slope / m["densing"]["days_per_month"]
    se_months = np.log(2) / slope**2 * se / m["densing"]["days_per_month"]
    ax.text(0.04, 0.92, f"seed 0: doubling time {months:.2f} ± {se_months:.2f} (SE) months "
            f"({days:.0f} days)", transform=ax.transAxes, fontsize=7.5)
    ax.set(xlabel="t (days)", ylabel="ln ρ (capability density)", title="(c) densing law")
    ax.legend(fontsize=7, loc="lower right")


def _capacity(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    series, x, y = a["capacity/series"], a["capacity/log2_F"], a["capacity/y_seed0"]
    est, truth = a["capacity/estimates"][0], a["capacity/truth"]
    grid = np.linspace(x.min() - 0.5, x.max() + 0.5, 20)
    for s in range(int(series.max()) + 1):
        sel = series == s
        line, = ax.plot(x[sel], y[sel], "o", ms=4,
                        label=f"series {s + 1}: fitted IC {est[s]:.3f} (planted {truth[s]:g})")
        ax.plot(grid, est[s] * grid - est[-1], "-", lw=1, color=line.get_color())
        ax.plot(grid, truth[s] * grid - truth[-1], ":", lw=1, color="k")
    ax.plot([], [], "-", lw=1, color="0.3", label="shared-intercept fit (seed 0)")
    ax.plot([], [], ":", lw=1, color="k", label="planted law")
    ax.set(xlabel=r"$\log_2 F$ (F: FLOPs per token)",
           ylabel=r"$C_{\mathrm{tok}}$ − NLL (bits/token)",
           title=f"(d) information capacity (fitted b = {est[-1]:.2f})".replace("-", "−"))
    ax.legend(fontsize=7, loc="upper left")


def _hotmess(ax, m: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    E, hm = a["hotmess/ensembles"], m["hotmess"]
    seeds = m["seeds"]["hotmess_ensemble_seeds"]
    se = np.asarray(hm["ens_error_sd"]) / np.sqrt(seeds)
    ax.plot(E, hm["ens_estimate_mean"], "o",
            label=f"estimate, mean over {seeds} seed{'s' * (seeds != 1)}")
    grid = np.geomspace(E.min(), E.max(), 50)
    pop1 = a["hotmess/ens_population"][0]
    ratio = pop1 / (1.0 - pop1)  # E p(1−p) / E (1−p)² of the Beta(2, 1) population
    ax.plot(grid, (ratio / grid) / (ratio / grid + 1.0), "-", lw=1,
            label=r"closed form, $p \sim \mathrm{Beta}(2, 1)$")
    ax.plot(E, hm["ens_closed_mean"], "x", color="k", label="closed form at the sampled p")
    ax.set(xscale="log", xlabel="ensemble size E", ylabel="incoherence",
           title="(e) hot mess: ensembling")
    ax.set_xticks(E, [str(int(e)) for e in E])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=7, loc="lower left")
    # The claim's quantity, too small to see above: mean(estimate − closed form) per E.
    inset = ax.inset_axes([0.6, 0.56, 0.37, 0.34])
    tol = claims.ENSEMBLE_TOL[int(plotting.profile() == "paper")]  # (cpu/smoke, paper)
    inset.axhspan(-tol, tol, color="0.5", alpha=0.22, lw=0)
    inset.axhline(0.0, color="k", lw=0.6)
    inset.errorbar(np.arange(E.size), hm["ens_error_mean"],
                   yerr=1.96 * se if seeds > 1 else None, fmt="o", ms=3, capsize=2)
    inset.set_xticks(np.arange(E.size), [str(int(e)) for e in E])
    inset.set_ylim(-1.6 * tol, 1.6 * tol)
    inset.tick_params(labelsize=7)
    inset.set_xlabel("E", fontsize=7, labelpad=1)
    inset.set_ylabel("estimate −\nclosed form", fontsize=7)
    inset.set_title(f"grey: claim tolerance ±{tol:g}"
                    + ("; bars: ±1.96 SE" if seeds > 1 else ""), fontsize=7)


def _recovery(ax, m: dict[str, Any]) -> None:
    sp, ma = m["sparsing"], m["massive"]["cases"]
    # Keys by name: metrics.json is saved with sorted keys.
    names = {"alpha": "α", "b": "b", "c": "c", "A0": r"$A_0$"}
    t_tol = claims.T_PEAK_TOL[int(plotting.profile() == "paper")]  # (cpu/smoke, paper)
    items = [(f"SiLU {names[k]}", sp["silu_max_rel_err"][k], t)
             for k, t in claims.SILU_REL_TOL.items()]
    items += [(f"ReLU {names[k]}", sp["relu_max_rel_err"][k], t)
              for k, t in claims.RELU_REL_TOL.items()]
    items += [(r"ReLU 0.1B $A_0$", sp["relu_0.1B_A0_max_rel_err"], claims.RELU_SMALL_A0_TOL),
              (r"peaked $t_{\mathrm{peak}}$", ma["peaked"]["t_peak_rel_err_max"], t_tol),
              (r"mid $t_{\mathrm{peak}}$", ma["mid"]["t_peak_rel_err_max"], t_tol)]
    x = np.arange(len(items))
    values = [max(v, 1e-6) for _, v, _ in items]
    ax.plot(x, values, "o", label="largest relative error over seeds")
    ax.plot(x, [t for *_, t in items], "_", ms=14, color="0.2", mew=2,
            label=f"claim tolerance ({plotting.profile()} profile)")
    ax.set_xticks(x, [n for n, *_ in items], rotation=60, fontsize=7, ha="right",
                  rotation_mode="anchor")
    # A decade of headroom above every point and tolerance keeps the legend off the data.
    everything = values + [t for *_, t in items]
    ax.set(yscale="log", ylabel="relative error", title="(f) parameter recovery",
           ylim=(min(everything) / 3, max(everything) * 12))
    ax.legend(fontsize=7, loc="upper right", ncol=2)


def plot(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
         figure_dir: Path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(15, 9))
    _sparsing(axes[0, 0], metrics, arrays)
    _massive(axes[0, 1], metrics, arrays)
    _densing(axes[0, 2], metrics, arrays)
    _capacity(axes[1, 0], metrics, arrays)
    _hotmess(axes[1, 1], metrics, arrays)
    _recovery(axes[1, 2], metrics)
    status_legend(fig, STATUS)
    trim_ticks(fig)
    save_figure(fig, figure_dir, "summary")
