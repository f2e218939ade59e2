"""Statistics shared by experiments: binomial errors, family-wise z thresholds, bootstrap,
power-law fits."""

from __future__ import annotations

import math
from typing import NamedTuple

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


class PowerLawFit(NamedTuple):
    """OLS of log y on log x: y ≈ exp(intercept)·x^slope."""

    slope: float
    intercept: float
    slope_se: float
    r_squared: float
    num_points: int


def power_law_fit(x: np.ndarray, y: np.ndarray) -> PowerLawFit:
    """Least-squares line through (log x, log y); the fit window is the caller's choice.

    SE of the slope is sqrt(RSS/(k − 2)/Σ(log x − mean)²) with k points (NaN for k = 2);
    R² = 1 − RSS/TSS. Raises ValueError for fewer than 2 points or non-positive values.
    """
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"need at least 2 paired points, got x{x.shape} y{y.shape}")
    if np.any(x <= 0) or np.any(y <= 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("power_law_fit needs finite positive x and y")
    lx, ly = np.log(x), np.log(y)
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    if sxx == 0.0:
        raise ValueError("power_law_fit needs at least two distinct x values")
    slope = float(dx @ (ly - ly.mean())) / sxx
    intercept = float(ly.mean() - slope * lx.mean())
    residual = ly - (intercept + slope * lx)
    rss, tss = float(residual @ residual), float(((ly - ly.mean()) ** 2).sum())
    k = x.size
    slope_se = float(np.sqrt(rss / (k - 2) / sxx)) if k > 2 else float("nan")
    r_squared = 1.0 - rss / tss if tss > 0 else 1.0
    return PowerLawFit(slope, intercept, slope_se, r_squared, k)


def chi2_log10_sf(statistic: float, dof: int, *, force_expansion: bool = False) -> float:
    """log10 P(χ²_dof > statistic), finite far into the tail where scipy's logsf gives -inf.

    Beyond about χ² = 1400 the survival function underflows float64; there the upper incomplete
    gamma function's asymptotic series Γ(s, z) ≈ z^(s-1) e^(-z) Σ_k (s-1)…(s-k) / z^k (s = dof/2,
    z = χ²/2, accurate when z ≫ s) is summed in log space. ``force_expansion`` uses the series
    everywhere (tests compare it with scipy where both are finite).
    """
    log_sf = float(scipy.stats.chi2.logsf(statistic, dof))
    if math.isfinite(log_sf) and not force_expansion:
        return log_sf / math.log(10)
    s, z = dof / 2, statistic / 2
    term, total = 1.0, 1.0
    for k in range(1, 60):
        term *= (s - k) / z
        total += term
        if abs(term) < 1e-16 * abs(total):
            break
    log_sf = (s - 1) * math.log(z) - z + math.log(total) - math.lgamma(s)
    return log_sf / math.log(10)
