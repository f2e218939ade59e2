"""Spreads over seeds, computed once in the experiments' metrics and drawn by their figures.

A point with several seeds gets the seed mean and its spread: the 95 % percentile bootstrap
interval of the mean over three or more seeds (``experiments.common.stats.bootstrap_interval``,
fixed resampling seed), the range of two, none for one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.stats import bootstrap_interval


def seed_spread(values: Any) -> tuple[float, float]:
    """(below, above) the mean of per-seed values: the 95 % bootstrap interval over three or
    more seeds, the range of two, (0, 0) for one."""
    y = np.asarray(values, np.float64).ravel()
    if y.size < 2:
        return 0.0, 0.0
    lo, hi = (y.min(), y.max()) if y.size == 2 else map(float, bootstrap_interval(y))
    return max(y.mean() - float(lo), 0.0), max(float(hi) - y.mean(), 0.0)


def spread_by_x(x: Any, y: Any) -> dict[str, list]:
    """Seed mean and spread of ``y`` at each distinct ``x`` (sorted): lists ``x``, ``mean``,
    ``below``, ``above`` and ``seeds`` (the number of values at that x)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    out: dict[str, list] = {"x": [], "mean": [], "below": [], "above": [], "seeds": []}
    for v in np.unique(x):
        values = y[x == v]
        below, above = seed_spread(values)
        out["x"].append(float(v))
        out["mean"].append(float(values.mean()))
        out["below"].append(below)
        out["above"].append(above)
        out["seeds"].append(int(values.size))
    return out
