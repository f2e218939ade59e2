"""Figure ``touchpoints/mechanisms`` and table ``touchpoints/touchpoints_table.md`` (spec §6 item
15, §3.5). Reads saved results only. All model curves are exact recursions (no Monte Carlo, so no
error bars); Kim et al.'s numbers come from the saved metrics, i.e. from the shipped data file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.results import atomic_write_bytes
from experiments.majority_tree.touchpoints_kim import TABLE_CAPTION

SUPTITLE = "Qualitative correspondence with Kim et al. (arXiv:2512.08296v2)"
TABLE_NAME = "touchpoints_table.md"
_BOX = {"boxstyle": "round,pad=0.5", "facecolor": "#f4f4f4", "edgecolor": "#999999"}
_MAS = ("Independent", "Decentralized", "Centralized", "Hybrid")


def _g(value: float) -> str:
    return f"{value:g}"


def _panel_saturation(ax: plt.Axes, m: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    a = m["saturation"]
    n, p = arrays["saturation_star_n"], arrays["saturation_star_p"]
    ok = n <= a["n_window"]
    leaves = float(a["b"]) ** np.arange(len(arrays["saturation_tree_p"]))
    x_max = max(leaves[-1], n[-1]) * 1.6
    ax.axvspan(a["n_window"] + 0.5, x_max, color="#D55E00", alpha=0.07, lw=0)
    ax.text(a["n_window"] + 1.0, 0.505, "star infeasible\n(N·m > W)",
            fontsize=7, color="#D55E00", va="bottom")
    ax.plot(n[ok], p[ok], "o-", color="#D55E00", label=f"star, fan-in N ≤ ⌊W/m⌋ = {a['n_window']}")
    ax.plot(n[~ok], p[~ok], "o--", color="#D55E00", mfc="white", alpha=0.8,
            label="star, N > ⌊W/m⌋ (exceeds the window)")
    ax.axhline(a["ceiling"], color="#D55E00", ls=":", lw=1.2,
               label=f"star ceiling ρq + (1−ρ) = {a['ceiling']:.4f} (N → ∞)")
    ax.plot(leaves, arrays["saturation_tree_p"], "s-", color="#0072B2",
            label=f"tree, b = {a['b']}, N = {a['b']}^L (L = 0…{len(leaves) - 1})")
    ax.axhline(a["p_star"], color="#0072B2", ls="-.", lw=1.0,
               label=f"tree limit p* = (1+μ*)/2 = {a['p_star']:.4f}")
    for depth, (x, y) in enumerate(zip(leaves, arrays["saturation_tree_p"], strict=True)):
        if depth:
            ax.annotate(f"L={depth}", (x, y), textcoords="offset points", xytext=(-4, 6),
                        fontsize=7, color="#0072B2", ha="right")
    ax.set_xscale("log")
    ax.set_xlim(0.8, x_max)
    ax.set_ylim(0.5, 1.0)
    ax.set_xlabel("leaves N (star: fan-in N; tree: N = b^L)")
    ax.set_ylabel("root accuracy p")
    ax.set_title(f"(A) Context saturation: W = {a['W']}, m = {a['m']}, γ(m) = {a['gamma']:.4f},\n"
                 f"ρ = {_g(a['rho'])}, p0 = {_g(a['p0'])}")
    ax.legend(loc="lower right", fontsize=7)


def _panel_cascade(ax: plt.Axes, m: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    c = m["cascade"]
    ax.axvspan(0.0, c["gamma_c"], color="#999999", alpha=0.12, lw=0,
               label=f"subcritical: α_ρ ≤ 1 (γ ≤ γ_c = {c['gamma_c']:.3f})")
    ax.plot(arrays["cascade_curve_gamma"], arrays["cascade_curve_A_e"], "-", color="#009E73",
            label=f"A_e = (1 − p_L)/(1 − p0), exact (L = {c['depth']})")
    ax.plot(c["gammas"], c["A_e"], "o", color="#009E73", label="cells the claims check")
    for g, y, al in zip(c["gammas"], c["A_e"], c["alpha"], strict=True):
        ax.annotate(f"{y:.3f} (α = {al:.4g})", (g, y), textcoords="offset points",
                    xytext=(-5, -3), fontsize=6.5, ha="right", va="top")
    ax.axhline(1.0, color="black", lw=0.8, ls="--", label="A_e = 1 (no amplification)")
    ax.set_yscale("log")
    ax.set_xlim(0.0, 1.08)
    ax.set_xlabel("message fidelity γ (verification ≈ higher γ)")
    ax.set_ylabel("error amplification A_e")
    ax.set_title(f"(B) Subcritical error cascades: b = {c['b']}, ρ = {_g(c['rho'])}, "
                 f"p0 = {_g(c['p0'])}")
    ax.legend(loc="lower left", fontsize=7)


def _panel_baseline(ax: plt.Axes, m: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    c = m["baseline"]
    threshold = m["kim"]["capability_saturation/single_agent_baseline_threshold"]
    p0, gain = arrays["baseline_p0"], arrays["baseline_gain"]
    colors = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
    for i, rho in enumerate(c["rhos"]):
        color = colors[i % len(colors)]
        ax.plot(p0, gain[i], "-", color=color,
                label=f"ρ = {_g(rho)}: p* = {c['p_star'][i]:.4f}, max {c['max_gain'][i]:.3f}")
        ax.axvline(c["p_star"][i], color=color, ls=":", lw=1.0)
        ax.plot(c["argmax"][i], c["max_gain"][i], "^", color=color)
    ax.axhline(0.0, color="black", lw=0.8)
    ax.axvline(threshold, color="#666666", ls="--", lw=1.0)
    ax.text(threshold + 0.006, 0.5, f"Kim et al.: ≈ {100 * threshold:g} % single-agent "
            "baseline\n(not a model quantity; in the model\np* ≥ 1/2, so it is not matched)",
            transform=ax.get_xaxis_transform(), fontsize=6.5, ha="left", va="center",
            color="#444444", rotation=90)
    ax.axvspan(0.25, 0.5, color="#999999", alpha=0.08, lw=0)
    ax.text(0.26, 0.02, "p0 < 1/2: mirror image\n(gain(1−p0) = −gain(p0))",
            transform=ax.get_xaxis_transform(), fontsize=6.5, color="#666666")
    ax.set_xlim(0.25, 1.005)
    ax.set_xlabel("leaf (single-agent) accuracy p0")
    ax.set_ylabel("gain p_L(p0) − p0")
    ax.set_title(f"(C) Diminishing returns at strong baselines:\nb = {c['b']}, "
                 f"γ = {_g(c['gamma'])}, L = {c['depth']} (▲ argmax, dotted: p*)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.62, 0.0), fontsize=7)


def _kim_boxes(m: Mapping[str, Any]) -> list[str]:
    k = m["kim"]

    def t5(metric: str) -> str:
        return ", ".join(f"{a} {_g(k[f'table5_coordination_metrics/{metric}/{a}'])}" for a in _MAS)

    coef = "table4_coefficients/P_SA_x_log1p_n_a"
    ver = "verification_error_reduction_percent"
    rows = {r["mechanism"]: r["agreement"] for r in m["table"]["rows"]}
    return [
        "Kim et al. v2 (Table 5, §4):\n"
        f"overhead O %: {t5('overhead_O_percent')}\n"
        f"turns T = {_g(k['turn_law/a'])}·(n + {_g(k['turn_law/offset'])})^"
        f"{_g(k['turn_law/exponent'])} (R² {_g(k['turn_law/r2'])})\n"
        f"success plateaus at c* ≈ {_g(k['message_density_law/plateau_c_star'])} messages/turn\n"
        "limitations: \"communication overhead grows superlinearly\"\n"
        f"Agreement: {rows['A']}",
        "Kim et al. v2 (Table 5): A_e = E_MAS/E_SAS\n"
        f"{t5('error_amplification_A_e').replace(', ', '×, ')}×\n"
        f"verification cuts errors by {_g(k[f'{ver}/mean'])} % "
        f"(95 % CI [{_g(k[f'{ver}/ci95_low'])}, {_g(k[f'{ver}/ci95_high'])}])\n"
        "Model A_e is a different quantity (binary votes).\n"
        f"Agreement: {rows['B']}",
        "Kim et al. v2 (Table 4, §4.2):\n"
        f"P_SA × log(1+n_a): β = {_g(k[f'{coef}/beta'])} [{_g(k[f'{coef}/ci95_low'])}, "
        f"{_g(k[f'{coef}/ci95_high'])}] "
        f"(v1: {_g(k['v1_abstract/capability_saturation_coefficient'])})\n"
        f"PlanCraft (SAS {_g(k['per_benchmark_mean_success/PlanCraft/SAS'])}): "
        f"{_g(k['relative_gains_percent/PlanCraft_best'])} % to "
        f"{_g(k['relative_gains_percent/PlanCraft_worst'])} %\n"
        f"Finance (SAS {_g(k['per_benchmark_mean_success/Finance/SAS'])}): "
        f"+{_g(k['relative_gains_percent/Finance_Centralized'])} % "
        f"(v1 +{_g(k['v1_abstract/finance_gain_percent'])} %)\n"
        f"BrowseComp-Plus (SAS {_g(k['per_benchmark_mean_success/BrowseComp-Plus/SAS'])}): only "
        f"+{_g(k['relative_gains_percent/BrowseComp-Plus_Decentralized'])} %\n"
        f"Agreement: {rows['C']}",
    ]


def table_markdown(m: Mapping[str, Any]) -> str:
    """The correspondence table as markdown (rows saved in metrics by ``compute``)."""
    head = ["mechanism", "paper's phrase [abstract]", "Kim et al. observation [external]",
            "model mechanism", "model quantity (this run)", "agreement"]
    keys = ["mechanism", "paper_phrase", "kim", "model_mechanism", "model_quantity", "agreement"]
    lines = [f"# Touchpoints: model mechanisms versus Kim et al. (arXiv:2512.08296"
             f"{m['table']['kim_version']})", "", TABLE_CAPTION, "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in m["table"]["rows"]:
        lines.append("| " + " | ".join(str(row[k]).replace("|", "\\|") for k in keys) + " |")
    lines += ["", "Kim et al.'s numbers are read from `data/kim2025_scaling_agents.json` "
              "(arXiv:2512.08296v2, transcribed by this project; v1 abstract values "
              "marked v1; see `data/PROVENANCE.md`). Model numbers are exact float64 recursions "
              "of `theory/majority_tree.py` computed in this run. The mapping between the two is "
              "[reconstructed] and qualitative."]
    return "\n".join(lines) + "\n"


def plot(config: Mapping[str, Any], metrics: Mapping[str, Any],
         arrays: Mapping[str, np.ndarray], figure_dir: Path) -> None:
    fig = plt.figure(figsize=(16.5, 6.9))
    grid = fig.add_gridspec(2, 3, height_ratios=(3.2, 0.8))
    panels = (_panel_saturation, _panel_cascade, _panel_baseline)
    for col, (draw, text) in enumerate(zip(panels, _kim_boxes(metrics), strict=True)):
        draw(fig.add_subplot(grid[0, col]), metrics, arrays)
        box = fig.add_subplot(grid[1, col])
        box.axis("off")
        wrapped = "\n".join(textwrap.fill(line, 82, subsequent_indent="  ")
                             for line in text.split("\n"))
        box.text(0.0, 1.0, wrapped, transform=box.transAxes, va="top", ha="left", fontsize=7.5,
                 bbox=_BOX)
    fig.suptitle(SUPTITLE, fontsize=12)
    fig.text(0.5, 0.0, TABLE_CAPTION + " Model curves: exact recursions (no Monte Carlo).",
             ha="center", va="top", fontsize=8, style="italic")
    save_figure(fig, figure_dir, "mechanisms")
    atomic_write_bytes(Path(figure_dir) / TABLE_NAME, table_markdown(metrics).encode())
