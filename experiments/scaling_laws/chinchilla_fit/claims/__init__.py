"""Claims of ``chinchilla_fit``. They read saved metrics only; Epoch's and Hoffmann's published
numbers come from ``theory.scaling_chinchilla``'s constants.

Every number is computed on Epoch's digitised points of Hoffmann's Fig. 4 (left), not on
Hoffmann's runs. Numbers that only earlier runs of this suite produced (the Huber-sum optimum
J = 1.01827402e-3, the converged fraction of the starts, the residual statistics) are regression
targets: they are checked in claims of kind ``regression`` (``multistart_convergence``,
``fit_quality``) and shown in the details elsewhere, never mixed into a validation verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.claims import Claim
from experiments.scaling_laws.chinchilla_fit.claims.bayes_recovery import bayes_recovery_claims
from experiments.scaling_laws.chinchilla_fit.claims.likelihood import likelihood_claims
from experiments.scaling_laws.chinchilla_fit.claims.mean_vs_sum import mean_vs_sum_claims
from experiments.scaling_laws.chinchilla_fit.claims.point_fit import point_fit_claims
from experiments.scaling_laws.chinchilla_fit.claims.targets import Adder
from experiments.scaling_laws.chinchilla_fit.claims.uncertainty import uncertainty_claims

SECTIONS = (point_fit_claims, uncertainty_claims, likelihood_claims, mean_vs_sum_claims,
            bayes_recovery_claims)


def make_claims(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                profile: str) -> list[Claim]:
    """Every claim of ``chinchilla_fit`` from its saved metrics."""
    add = Adder(profile)
    for section in SECTIONS:
        section(metrics, add, profile)
    return add.claims
