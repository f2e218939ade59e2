"""Monte Carlo statistics shared by the majority-tree experiments: per-level estimates and their
standard errors, the family-wise error criterion z_K, and the criticality test.

Conventions (spec §2): binary Monte Carlo draws uint32 bits and compares them with thresholds
t(p) = min(⌊p·2^32⌋, 2^32 − 1) computed on the host in float64
(``theory.superposition.sampler_thresholds``); the event is ``bits < t``, so p = 0 gives no
events exactly. Level l of a depth-L tree pools T·b^(L−l) i.i.d. samples.
"""

from __future__ import annotations

import numpy as np

from experiments.common.stats import binomial_se, family_z_threshold

CRITICAL_TOLERANCE = 1e-9  # |α − 1| at or below this is critical: left out of sign rules


def level_samples(trials: int, b: int, depth: int) -> np.ndarray:
    """Samples per level l = 0…L pooled over T trees: T·b^(L−l) (int64)."""
    return trials * np.int64(b) ** (depth - np.arange(depth + 1, dtype=np.int64))


def level_stats(counts: np.ndarray, trials: int, b: int, depth: int,
                exact_p: np.ndarray) -> dict[str, np.ndarray]:
    """Per-level estimate p̂, its SE at the exact p, and z = (p̂ − p)/SE.

    ``counts`` has the level axis last (length depth+1); so does ``exact_p``.
    """
    n = level_samples(trials, b, depth)
    p_hat = np.asarray(counts, np.float64) / n
    se = binomial_se(exact_p, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p_hat - exact_p) / se, 0.0)
    return {"p_hat": p_hat, "se": se, "se_hat": binomial_se(p_hat, n), "z": z, "n": n}


def z_threshold(num_estimates: int) -> float:
    """Family-wise criterion z_K of spec §2.5 (two-sided family-wise rate 1e−3)."""
    return family_z_threshold(num_estimates, 1e-3)


def is_critical(alpha: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(alpha) - 1.0) <= CRITICAL_TOLERANCE
