"""Figures of ``liu_scaling`` (spec superposition.md §5, figures 1–9); saved results only.

Figures 1–6 on every profile (``loss_vs_m``, ``row_norms``, ``represented_fraction`` in
``plots.widths``; ``overlaps``, ``weak_theory``, ``exponents`` in ``plots.theory``); 7–9
(``PAPER_FIGURES``, ``plots.paper``) need the paper-only sweeps (α × γ grid, large models,
density sweep) and are drawn on smoke (toy size) and paper, skipped on cpu. Intervals: one seed,
±1.96 SE over the evaluation batches (losses) or none (fractions, overlaps); two seeds, their
range; three or more, the 95 % bootstrap interval over seeds. A configuration without the series
a figure needs skips it (one log line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from experiments.superposition.liu_scaling.plots.paper import plot_paper_figures
from experiments.superposition.liu_scaling.plots.theory import plot_theory_figures
from experiments.superposition.liu_scaling.plots.widths import plot_width_figures

FIGURES = ("loss_vs_m", "row_norms", "represented_fraction", "overlaps", "weak_theory",
           "exponents")
PAPER_FIGURES = ("heatmaps", "large_models", "activation_density")


def plot(config: Any, metrics: dict, arrays: dict[str, np.ndarray], figure_dir: Path) -> None:
    """Figures 1–6 always (skipped where the configuration lacks their series); 7–9 when the
    paper-only sweeps are in the results."""
    plot_width_figures(metrics, arrays, figure_dir)
    plot_theory_figures(metrics, arrays, figure_dir)
    plot_paper_figures(metrics, figure_dir)
