"""Tolerances of ``bahri_regimes``'s claims and the small helpers every claim module uses.

Tolerances are per profile (cpu / paper); the figures shade these same bands.
"""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import Claim, format_number, make_claim
from experiments.scaling_laws.shared.provenance import source

ID = "bahri_regimes."
GAUSSIAN_NOTE = ("Gaussian features with an exact power-law spectrum [reconstructed] stand in "
                 "for the paper's random-ReLU features on pooled MNIST.")
# Closed-form local exponents at S = 4000, n ∈ [16, 512], from a reference run of this suite.
STEEPENING_REFERENCE = {0.25: 0.384, 0.5: 0.573, 1.0: 1.013, 2.0: 1.979}
SEED_SCATTER = "seed scatter"
# Tolerances as (cpu, paper); inside, (α_K ≤ 1, α_K > 1). The figures shade these same bands.
RESOLUTION_TOL = ((0.05, 0.12), (0.03, 0.06))
DUALITY_TOL = ((0.07, 0.15), (0.04, 0.08))
EXPONENT_TOL = ((0.02, 0.04), (0.01, 0.02))
VARIANCE_RATIO_TOL = (0.06, 0.03)
PARAM_SLOPE_BAND = (-1.10, -0.95)
# Manifold exponents, (cpu, paper); inside, (d ≤ 3, d = 4).
MANIFOLD_TOL = {"local_linear": ((0.06, 0.12), (0.04, 0.08)),
                "nearest": ((0.06, 0.06), (0.04, 0.04))}


def fmt(value: float, digits: int = 3) -> str:
    """A number as claim text."""
    return format_number(float(value), digits)


def pick(profile: str, cpu: Any, paper: Any) -> Any:
    """The paper value on the paper profile, else the cpu one (smoke included)."""
    return paper if profile == "paper" else cpu


def by_alpha(profile: str, alpha: float, cpu: tuple[float, float],
              paper: tuple[float, float]) -> float:
    """Tolerance for α_K ≤ 1 (first entry) or α_K > 1 (second entry)."""
    pair = pick(profile, cpu, paper)
    return pair[0] if alpha <= 1.0 else pair[1]


def tolerance(table: tuple[tuple[float, float], tuple[float, float]], profile: str,
              alpha: float) -> float:
    """The claim's tolerance from ``table`` (e.g. ``RESOLUTION_TOL``) at ``alpha``."""
    return by_alpha(profile, alpha, *table)


def manifold_tolerance(profile: str, key: str, d: int) -> float:
    """Tolerance of |α̂/prediction − 1| for estimator ``key`` on the d-torus."""
    pair = pick(profile, *MANIFOLD_TOL[key])
    return pair[0] if d <= 3 else pair[1]


def claim(profile: str, name: str, labels: str, where: str, label: str, **fields: Any) -> Claim:
    """A claim of this experiment, its source led by the provenance label(s)."""
    return make_claim(profile=profile, id=ID + name, source=source(labels, where),
                      label=label, **fields)


def z_text(z: float) -> str:
    """How many standard errors, as text."""
    return f"{fmt(z, 2)} SE" if math.isfinite(z) else "SE n/a"
