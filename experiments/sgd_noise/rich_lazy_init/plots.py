"""Figures of ``rich_lazy_init``, drawn from saved metrics only.

- ``change_vs_rank``: rows linear analogue / RNN; columns relative weight change, tangent-kernel
  change 1 − KA and representation change 1 − RA against the initial rank (log axis); points are
  seed means with ± 1.96 SE bars, the aligned rank-1 control is a star. Each panel names the
  verdicts of the claims it shows (red, and a red-edged star, when one failed).
- ``training_curves``: loss against training step per rank (both parts) and the RNN's decision
  accuracy; one legend for the linear panel, one for the two RNN panels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import INTERVAL_95, save_figure
from experiments.sgd_noise.shared.plot_style import (
    FAILED_COLOUR,
    any_failed,
    claim_status,
    log_ticks,
    ticks_inside,
    verdict_line,
)

FIGURES = ("change_vs_rank", "training_curves")
ALIGNED = "-1"
COLUMNS = (("rel_change", r"weight change $\|\Delta W\|_F/\|W(0)\|_F$"),
           ("kernel_change", r"tangent-kernel change $1-\mathrm{KA}$"),
           ("representation_change", r"representation change $1-\mathrm{RA}$"))
ROWS = (("linear", r"linear analogue ($W_1$)"), ("rnn", r"RNN ($W_{\mathrm{rec}}$)"))
# (part, column) -> the claims that panel shows; the aligned claim of each part marks the star
CLAIMS = {("linear", "rel_change"): [("weight_change_decreases_with_rank", "falls with rank"),
                                     ("aligned_low_rank_is_lazy", "aligned lazy"),
                                     ("linear_reference_values", "reference values")],
          ("linear", "kernel_change"): [("full_rank_smallest_kernel_change",
                                         "full rank smallest")],
          ("rnn", "rel_change"): [("rnn_weight_change_decreases_with_rank", "rank 1 > full"),
                                  ("rnn_aligned_low_rank_is_lazy", "aligned lazy")],
          ("rnn", "kernel_change"): [("rnn_kernel_alignment_increases_with_rank",
                                      "rank 1 > full")],
          ("rnn", "representation_change"): [
              ("rnn_representation_alignment_increases_with_rank", "rank 1 > full")]}
ALIGNED_CLAIM = {"linear": "aligned_low_rank_is_lazy", "rnn": "rnn_aligned_low_rank_is_lazy"}


def _point(stats: dict[str, Any]) -> tuple[float, float]:
    se = stats["se"] if stats["se"] is not None else 0.0
    return stats["mean"], INTERVAL_95 * se


def _panel_title(ax: plt.Axes, claims: list[tuple[str, str]]) -> None:
    line = verdict_line(claims, width=60)
    if line:
        ax.set_title(line, fontsize=7, color=FAILED_COLOUR if any_failed(claims) else "black")


def _change_vs_rank(metrics: dict[str, Any], figure_dir: Path) -> None:
    fig = plt.figure(figsize=(11, 7.0))
    rows = fig.subfigures(2, 1)
    for row, (part, title) in enumerate(ROWS):
        data = metrics[part]
        axes = rows[row].subplots(1, 3, squeeze=False)
        header = f"{title}, {data['seeds']} seeds"
        if row == 0:
            header = ("Initial connectivity rank vs change during learning (fixed Frobenius "
                      f"norm)\n{header}")
        rows[row].suptitle(header, fontsize=9.5)
        ranks = np.asarray(data["ranks"], float)
        failed = claim_status(ALIGNED_CLAIM[part]) == "FAILED"
        for col, (name, label) in enumerate(COLUMNS):
            ax = axes[0, col]
            means, bars = zip(*(_point(data["per_rank"][str(int(r))][name]) for r in ranks),
                              strict=True)
            ax.errorbar(ranks, means, yerr=bars, fmt="o-", color="C0", ms=4, capsize=2)
            mean, bar = _point(data["per_rank"][ALIGNED][name])
            # drawn just left of r = 1 so that it does not hide the unaligned rank-1 point
            flag = failed and name == "rel_change"
            ax.errorbar([ranks[0] * 0.75], [mean], yerr=[bar], fmt="*", color="C3", ms=11,
                        capsize=2, mec=FAILED_COLOUR if flag else "C3", mfc="white" if flag
                        else "C3", mew=1.5)
            if flag:
                ax.annotate("FAILED", (ranks[0] * 0.75, mean), xytext=(6, 6),
                            textcoords="offset points", color=FAILED_COLOUR, fontsize=7,
                            fontweight="bold")
            ax.set_xscale("log")
            ax.set_xticks(ranks, [f"{int(r)}" for r in ranks])
            ax.xaxis.set_minor_formatter(plt.NullFormatter())
            ax.set_xlabel("initial rank $r$")
            ax.set_ylabel(label, fontsize=8)
            _panel_title(ax, CLAIMS.get((part, name), []))
            ticks_inside(ax)
    handles = [plt.Line2D([], [], color="C0", marker="o", ms=4),
               plt.Line2D([], [], color="C3", marker="*", ms=10, ls="none")]
    labels = [r"rank-$r$ init (seed mean $\pm$ 1.96 s.e.)",
              "aligned rank-1 init (drawn left of $r$ = 1)"]
    if any(claim_status(c) == "FAILED" for c in ALIGNED_CLAIM.values()):
        handles.append(plt.Line2D([], [], color="C3", marker="*", ms=10, mfc="white",
                                  mec=FAILED_COLOUR, mew=1.5, ls="none"))
        labels.append("aligned init whose claim FAILED")
    rows[1].legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)
    save_figure(fig, figure_dir, "change_vs_rank")


def _training_curves(metrics: dict[str, Any], figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.9), squeeze=False)
    every = metrics["record_every"]
    panels = (("linear", "loss", "population loss $L$", "log"),
              ("rnn", "loss", "cross-entropy (mean over a window)", "log"),
              ("rnn", "accuracy", "decision accuracy (mean over a window)", "linear"))
    for k, (ax, (part, curve, label, scale)) in enumerate(zip(axes[0], panels, strict=True)):
        curves = metrics[part]["curves"][curve]
        codes = [str(r) for r in metrics[part]["ranks"]] + [ALIGNED]
        colours = plt.cm.viridis(np.linspace(0, 0.9, len(codes) - 1))
        for code, colour in zip(codes, [*colours, "C3"], strict=True):
            y = np.asarray(curves[code])
            name = "aligned rank 1" if code == ALIGNED else f"$r$ = {code}"
            ax.plot(np.arange(y.size) * every, y, color=colour, lw=1.2, label=name,
                    ls="--" if code == ALIGNED else "-")
        ax.set(yscale=scale, xlabel="training step", ylabel=label)
        ax.set_title(ROWS[0][1] if part == "linear" else ROWS[1][1], fontsize=9, loc="left")
        if scale == "log":
            log_ticks(ax.yaxis)
        ticks_inside(ax)
        if k != 1:  # one legend for the linear panel, one for both RNN panels
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                      ncol=min(4, len(codes)),
                      title=f"initial rank ({'both RNN panels; ' if k else ''}seed mean of "
                            f"{metrics[part]['seeds']} seeds)", title_fontsize=7)
    save_figure(fig, figure_dir, "training_curves")


def plot(config: Any, metrics: dict[str, Any], arrays: Any, figure_dir: Path) -> None:
    _change_vs_rank(metrics, figure_dir)
    _training_curves(metrics, figure_dir)
