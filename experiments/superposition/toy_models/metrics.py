"""Summaries of ``toy_models`` over seeds and the theory lines its figures draw, added to the
parts' metrics after training (``add_summaries``, called by ``compute.compute``): the
seed mean of the ReLU ‖W‖_F² per sparsity with its standard error and the steps between
neighbouring sparsities, the seed mean of D* per grid point, the 2 → 1 fixed-candidate boundary.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.results import undefined_as_none
from theory.superposition_geometry import tms_two_feature_boundary

BOUNDARY_R = np.logspace(-1, 1, 400)  # r grid of the drawn boundary p*(r)


def frob2_steps(instances: list[dict]) -> dict[str, list]:
    """ReLU 20 → 5: per density (densest first) the seed mean of ‖W‖_F² and its SE (NaN for
    one seed: None); per step to the next sparser density the change of the mean and its SE."""
    relu = [e for e in instances if e["relu"]]
    dens = sorted({e["density"] for e in relu}, reverse=True)
    groups = [[e["frob2"] for e in relu if e["density"] == d] for d in dens]
    means = [float(np.mean(g)) for g in groups]
    sems = [float(np.std(g, ddof=1) / math.sqrt(len(g))) if len(g) > 1 else math.nan
            for g in groups]
    return undefined_as_none({
        "density": dens, "mean": means, "se": sems, "seeds": [len(g) for g in groups],
        "step": [b - a for a, b in zip(means, means[1:], strict=False)],
        "step_se": [math.hypot(a, b) for a, b in zip(sems, sems[1:], strict=False)]})


def dstar_by_k(instances: list[dict]) -> dict[str, list]:
    """200 → 20: the seed mean of D* at each grid point k (sorted)."""
    ks = sorted({e["k"] for e in instances})
    return {"k": ks, "mean": [float(np.mean([e["dstar"] for e in instances if e["k"] == k]))
                              for k in ks]}


def add_summaries(metrics: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Adds the summaries of every part that ran to its metrics (and the boundary to arrays)."""
    if metrics.get("sparsity"):
        metrics["sparsity"]["relu_frob2_steps"] = frob2_steps(metrics["sparsity"]["instances"])
    if metrics.get("geometry"):
        metrics["geometry"]["dstar_mean_by_k"] = dstar_by_k(metrics["geometry"]["instances"])
    if metrics.get("phase"):
        arrays["phase_boundary_r"] = BOUNDARY_R
        arrays["phase_boundary_p"] = tms_two_feature_boundary(BOUNDARY_R)
