"""Claims of ``bahri_regimes``. They read saved metrics and per-seed arrays only; theory values are
those the closed forms of ``theory/scaling_rf.py`` gave in this run. Tolerances are the pillar's
per profile (cpu / paper); each claim also shows how many standard errors over seeds its worst
cell is off, computed here from the saved per-seed losses.

The claims' ``label`` field uses the suite-wide label set ([derived] rows are labelled
``theory``); the pillar's own labels ([paper], [derived], [reconstructed]) lead the ``source``.
Exactness (the D <-> P duality, the variance-limited formula, the finite-S closed form) is a
property of the Gaussian-feature reconstruction; the paper's features satisfy the exponent
statements only.
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim
from experiments.scaling_laws.bahri_regimes.claims.resolution import (
    duality_claims,
    exponent_claims,
    resolution_claim,
)
from experiments.scaling_laws.bahri_regimes.claims.sweeps import manifold_claims, variance_claims


def make_claims(config: Any, metrics: dict, arrays: Any, profile: str) -> list[Claim]:
    """Every claim of ``bahri_regimes`` from its saved metrics and arrays."""
    return [
        resolution_claim(metrics, arrays, profile, "data"),
        resolution_claim(metrics, arrays, profile, "param"),
        *duality_claims(metrics, arrays, profile), *exponent_claims(metrics, arrays, profile),
        *variance_claims(metrics, arrays, profile), *manifold_claims(metrics, profile),
    ]
