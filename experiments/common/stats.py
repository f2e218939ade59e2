"""Statistics shared by experiments: binomial errors, family-wise z thresholds, bootstrap."""

from __future__ import annotations

import numpy as np
import scipy.stats


def binomial_se(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard error sqrt(p(1−p)/n) of a proportion estimated from n i.i.d. samples."""
    p, n = np.asarray(p, np.float64), np.asarray(n, np.float64)
    return np.sqrt(p * (1.0 - p) / n)


def family_z_threshold(num_estimates: int, family_alpha: float = 1e-3) -> float:
    """Bonferroni threshold z_K = Φ⁻¹(1 − α/(2K)) for a two-sided family-wise rate α."""
    if num_estimates < 1:
        raise ValueError(f"num_estimates must be >= 1, got {num_estimates}")
    return float(scipy.stats.norm.isf(family_alpha / (2.0 * num_estimates)))


def moment_se(sum_sq: np.ndarray, sum_quad: np.ndarray, n: np.ndarray) -> np.ndarray:
    """SE of the mean of e² from the sums of e² and e⁴ (no Gaussian assumption)."""
    n = np.asarray(n, np.float64)
    mean_sq, mean_quad = np.asarray(sum_sq) / n, np.asarray(sum_quad) / n
    return np.sqrt(np.maximum(mean_quad - mean_sq**2, 0.0) / n)


def bootstrap_interval(samples: np.ndarray, *, confidence: float = 0.95, seed: int = 0,
                       n_resamples: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Percentile-BCa bootstrap interval of the mean over axis 0 (e.g. across seeds)."""
    samples = np.asarray(samples, np.float64)
    result = scipy.stats.bootstrap(
        (samples,), np.mean, axis=0, confidence_level=confidence, n_resamples=n_resamples,
        rng=np.random.default_rng(seed), method="percentile",
    )
    return result.confidence_interval.low, result.confidence_interval.high


def seed_spread_ratio(per_seed: np.ndarray, pooled_se: np.ndarray) -> np.ndarray:
    """Across-seed SD of per-seed estimates over sqrt(S)·(pooled SE); ≈ 1 when SEs are right.

    ``per_seed`` has the seed axis first; each seed holds 1/S of the pooled samples, so its SE is
    sqrt(S)·SE_pooled and the ratio below is ≈ 1 in expectation.
    """
    per_seed = np.asarray(per_seed, np.float64)
    n_seeds = per_seed.shape[0]
    return per_seed.std(axis=0, ddof=1) / (np.sqrt(n_seeds) * np.asarray(pooled_se))
