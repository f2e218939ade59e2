"""Claims of ``liu_scaling``; they read metrics only.

Selections are written once with the paper-profile rule, of which the cpu cells C1 = (α 1, γ −1),
C2 = (α 1.5, γ −1), C3 = (α 1, γ 5/9) are the special case; where the cpu rule differs (window,
cell), the profile picks it. Tolerances are those of the pillar's claims table (cpu / paper).

Every fitted exponent carries the standard error of its log-log slope (one seed: the residual
scatter about the power law is the only error estimate). A sign or ordering claim is checked only
where its expected effect is at least three such standard errors (``underpowered``); the cpu
profile (one seed, three widths in the window) cannot resolve the growth of α_m from α = 1 to
α = 1.5, so those claims are checked on the paper profile only.
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim
from experiments.superposition.liu_scaling.claims.geometry import (
    fraction_claims,
    overlap_claims,
    phi_claims,
)
from experiments.superposition.liu_scaling.claims.paper import paper_only_claims
from experiments.superposition.liu_scaling.claims.scaling import (
    exponent_claims,
    loss_claims,
    theory_claims,
)


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """Every claim of the pillar's liu_scaling table (paper-only ones 'not run' on cpu)."""
    return (phi_claims(metrics, profile) + overlap_claims(metrics, profile)
            + fraction_claims(metrics, profile) + loss_claims(metrics, profile)
            + exponent_claims(metrics, profile) + theory_claims(metrics, profile)
            + paper_only_claims(metrics, profile))
