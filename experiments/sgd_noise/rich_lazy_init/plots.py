"""Figures of ``rich_lazy_init``, drawn from saved metrics only.

- ``change_vs_rank``: rows linear analogue / RNN; columns relative weight change, tangent-kernel
  change 1 − KA and representation change 1 − RA against the initial rank (log axis); points are
  seed means with ± 1.96 SE bars, the aligned rank-1 control is a star.
- ``training_curves``: loss against training step per rank (both parts) and the RNN's decision
  accuracy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure

FIGURES = ("change_vs_rank", "training_curves")
ALIGNED = "-1"
COLUMNS = (("rel_change", r"relative weight change $\|\Delta W\|_F/\|W(0)\|_F$"),
           ("kernel_change", r"tangent-kernel change $1-\mathrm{KA}$"),
           ("representation_change", r"representation change $1-\mathrm{RA}$"))
ROWS = (("linear", r"linear analogue ($W_1$)"), ("rnn", r"RNN ($W_{\mathrm{rec}}$)"))
INTERVAL = r"mean $\pm$ 1.96 SE over seeds"


def _point(stats: dict[str, Any]) -> tuple[float, float]:
    se = stats["se"] if stats["se"] is not None else 0.0
    return stats["mean"], 1.96 * se


def _change_vs_rank(metrics: dict[str, Any], figure_dir: Path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.2), squeeze=False)
    for row, (part, title) in enumerate(ROWS):
        data = metrics[part]
        ranks = np.asarray(data["ranks"], float)
        for col, (name, label) in enumerate(COLUMNS):
            ax = axes[row, col]
            means, bars = zip(*(_point(data["per_rank"][str(int(r))][name]) for r in ranks),
                              strict=True)
            ax.errorbar(ranks, means, yerr=bars, fmt="o-", color="C0", ms=4, capsize=2,
                        label=f"rank-$r$ init ({INTERVAL})")
            mean, bar = _point(data["per_rank"][ALIGNED][name])
            # drawn just left of r = 1 so that it does not hide the unaligned rank-1 point
            ax.errorbar([ranks[0] * 0.75], [mean], yerr=[bar], fmt="*", color="C3", ms=11,
                        capsize=2, label="aligned rank-1 init (drawn at $r$ = 0.75)")
            ax.set_xscale("log")
            ax.set_xlabel("initial rank $r$")
            ax.set_ylabel(label, fontsize=8)
            if col == 0:
                ax.set_title(f"{title}, {data['seeds']} seeds", fontsize=9, loc="left")
    handles, labels = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle("Initial connectivity rank vs change during learning (fixed Frobenius norm)",
                 fontsize=10)
    save_figure(fig, figure_dir, "change_vs_rank")


def _training_curves(metrics: dict[str, Any], figure_dir: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), squeeze=False)
    every = metrics["record_every"]
    panels = (("linear", "loss", "population loss $L$", "log"),
              ("rnn", "loss", "cross-entropy (window mean)", "log"),
              ("rnn", "accuracy", "decision accuracy (window mean)", "linear"))
    for ax, (part, curve, label, scale) in zip(axes[0], panels, strict=True):
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
        ax.legend(fontsize=6.5, loc="best", title="seed mean", title_fontsize=6.5)
    save_figure(fig, figure_dir, "training_curves")


def plot(config: Any, metrics: dict[str, Any], arrays: Any, figure_dir: Path) -> None:
    _change_vs_rank(metrics, figure_dir)
    _training_curves(metrics, figure_dir)
