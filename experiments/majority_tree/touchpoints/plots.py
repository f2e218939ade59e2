"""Figure ``touchpoints/mechanisms`` and table ``touchpoints/touchpoints_table.md`` (spec §6 item
15, §3.5). Reads saved results only. All model curves are exact recursions (no Monte Carlo, so no
error bars); Kim et al.'s numbers come from the saved metrics, i.e. from the shipped data file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.results import atomic_write_bytes
from experiments.majority_tree.shared.plot_style import hidden_axes_unlabelled, legend_with_status

FIGURES = ("mechanisms",)
SUPTITLE = "Qualitative correspondence with Kim et al. (arXiv:2512.08296v2)"
TABLE_NAME = "touchpoints_table.md"
EXTRA_OUTPUTS = (TABLE_NAME,)
TABLE_CAPTION = ("Qualitative correspondence. Kim et al.'s success rates and error amplification "
                 "are not the binary-vote quantities of the model; nothing is fitted.")
_BOX = {"boxstyle": "round,pad=0.4", "facecolor": "#f4f4f4", "edgecolor": "#999999"}
_MAS = ("Independent", "Decentralized", "Centralized", "Hybrid")
_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.14)}


def _g(value: float) -> str:
    return f"{value:g}"


def _panel_saturation(ax: plt.Axes, m: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    a = m["saturation"]
    n, p = arrays["saturation_star_n"], arrays["saturation_star_p"]
    ok = n <= a["n_window"]
    leaves = float(a["b"]) ** np.arange(len(arrays["saturation_tree_p"]))
    x_max = max(leaves[-1], n[-1]) * 1.6
    ax.axvspan(a["n_window"] + 0.5, x_max, color="#D55E00", alpha=0.1, lw=0,
               label="star infeasible (N·m > W)")
    ax.plot(n[ok], p[ok], "o-", color="#D55E00", label=f"star, fan-in N ≤ ⌊W/m⌋ = {a['n_window']}")
    ax.plot(n[~ok], p[~ok], "o--", color="#D55E00", mfc="white", alpha=0.8,
            label="star, N > ⌊W/m⌋ (exceeds the window)")
    ax.axhline(a["ceiling"], color="#D55E00", ls=":", lw=1.2,
               label=f"star ceiling ρq + (1−ρ) = {a['ceiling']:.4f} (N → ∞)")
    ax.plot(leaves, arrays["saturation_tree_p"], "s-", color="#0072B2",
            label=f"tree, b = {a['b']}, " rf"$N = {a['b']}^L$ (L = 0…{len(leaves) - 1})")
    ax.axhline(a["p_star"], color="#0072B2", ls="-.", lw=1.0,
               label=f"tree limit p* = (1+μ*)/2 = {a['p_star']:.4f}")
    ax.set_xscale("log")
    ax.set_xlim(0.8, x_max)
    ax.set_ylim(0.5, 1.0)
    ax.set_xlabel(r"leaves N (star: fan-in N; tree: $N = b^L$)")
    ax.set_ylabel("root accuracy p")
    ax.set_title(f"(A) Context saturation: W = {a['W']}, m = {a['m']},\n"
                 f"γ(m) = {a['gamma']:.4f}, ρ = {_g(a['rho'])}, " rf"$p_0$ = {_g(a['p0'])}")
    legend_with_status(ax, {"context_saturation": "context saturation",
                            "kim_record": "Kim et al. record"}, fontsize=7.5, **_BELOW)


def _panel_cascade(ax: plt.Axes, m: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    c = m["cascade"]
    ax.axvspan(0.0, c["gamma_c"], color="#999999", alpha=0.12, lw=0,
               label=r"subcritical: $\alpha_\rho \leq 1$ ($\gamma \leq \gamma_c$"
                     f" = {c['gamma_c']:.3f})")
    ax.plot(arrays["cascade_curve_gamma"], arrays["cascade_curve_A_e"], "-", color="#009E73",
            label=r"$A_e = (1 - p_L)/(1 - p_0)$" f", exact (L = {c['depth']})")
    ax.plot(c["gammas"], c["A_e"], "o", color="#009E73", label="cells the claims check")
    for g, y, al in zip(c["gammas"], c["A_e"], c["alpha"], strict=True):
        ax.annotate(f"{y:.3g} (α = {al:.3g})", (g, y), textcoords="offset points",
                    xytext=(-5, -3), fontsize=7, ha="right", va="top")
    ax.axhline(1.0, color="black", lw=0.8, ls="--", label=r"$A_e = 1$ (no amplification)")
    ax.set_yscale("log")
    ax.set_xlim(0.0, 1.08)
    ax.set_xlabel("message fidelity γ (verification ≈ higher γ)")
    ax.set_ylabel(r"error amplification $A_e$")
    ax.set_title(f"(B) Subcritical error cascades:\nb = {c['b']}, ρ = {_g(c['rho'])}, "
                 rf"$p_0$ = {_g(c['p0'])}")
    legend_with_status(ax, {"subcritical_cascade": "error cascades"}, fontsize=7.5, **_BELOW)


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
    ax.text(threshold + 0.008, 0.5, f"Kim et al.: ≈ {100 * threshold:g} % baseline\n"
            "(no model counterpart)", transform=ax.get_xaxis_transform(), fontsize=7.5,
            ha="left", va="center", color="#444444", rotation=90)
    ax.axvspan(0.25, 0.5, color="#999999", alpha=0.08, lw=0)
    ax.text(0.26, 0.02, r"$p_0 < 1/2$:" "\nmirror image", transform=ax.get_xaxis_transform(),
            fontsize=7.5, color="#666666")
    ax.set_xlim(0.25, 1.005)
    ax.set_xlabel(r"leaf (single-agent) accuracy $p_0$")
    ax.set_ylabel(r"gain $p_L(p_0) - p_0$")
    ax.set_title(f"(C) Diminishing returns at strong baselines:\nb = {c['b']}, "
                 f"γ = {_g(c['gamma'])}, L = {c['depth']} (▲ largest gain, dotted: p*)")
    legend_with_status(ax, {"strong_baseline": "strong baselines"}, fontsize=7.5, **_BELOW)


def _kim_boxes(m: Mapping[str, Any]) -> list[str]:
    """Two or three short lines per panel: Kim et al.'s observation and the agreement (the
    full record is in the table written next to the figure)."""
    k = m["kim"]
    rows = {r["mechanism"]: r["agreement"] for r in m["table"]["rows"]}

    def t5(metric: str) -> list[float]:
        return [k[f"table5_coordination_metrics/{metric}/{a}"] for a in _MAS]

    overhead, amplification = t5("overhead_O_percent"), t5("error_amplification_A_e")
    threshold = k["capability_saturation/single_agent_baseline_threshold"]
    return [
        f"Kim et al. (Table 5): overhead {_g(min(overhead))}–{_g(max(overhead))} %,\n"
        rf"turns $\propto n^{{{_g(k['turn_law/exponent'])}}}$. Agreement: {rows['A']}",
        f"Kim et al. (Table 5): " r"$A_e$" f" = {_g(max(amplification))}× (Independent) to "
        f"{_g(min(amplification))}×\n(Centralized). Agreement: {rows['B']}",
        f"Kim et al. (Table 4): returns turn negative above ≈ {100 * threshold:g} %\n"
        f"baseline. Agreement: {rows['C'].split(';')[0]}",
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
    fig = plt.figure(figsize=(14.0, 6.4))
    grid = fig.add_gridspec(2, 3, height_ratios=(5.4, 0.6))
    panels = (_panel_saturation, _panel_cascade, _panel_baseline)
    for col, (draw, text) in enumerate(zip(panels, _kim_boxes(metrics), strict=True)):
        draw(fig.add_subplot(grid[0, col]), metrics, arrays)
        box = fig.add_subplot(grid[1, col])
        box.set_axis_off()
        box.xaxis.set_visible(False)
        box.yaxis.set_visible(False)
        box.text(0.0, 1.0, text, transform=box.transAxes, va="top", ha="left", fontsize=8,
                 bbox=_BOX)
    fig.suptitle(SUPTITLE, fontsize=11)
    fig.text(0.5, 0.0, TABLE_CAPTION + " Model curves: exact recursions. Details: the table "
             "next to this figure.",
             ha="center", va="top", fontsize=8, style="italic")
    hidden_axes_unlabelled(fig)
    save_figure(fig, figure_dir, "mechanisms")
    atomic_write_bytes(Path(figure_dir) / TABLE_NAME, table_markdown(metrics).encode())
