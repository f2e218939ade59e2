"""Closed forms for the superposition pillar (Liu et al. scaling; re-exports geometry and TMS).

Papers and the label of each formula (specs/superposition.md, section 3):

- Yizhou Liu, Ziming Liu, Jeff Gore, "Superposition Yields Robust Neural Scaling" (NeurIPS 2025,
  arXiv:2505.10465v4): frequency laws (section 2.1), weak-regime loss (paper eq. 4 with optimal
  biases), its integral form (paper eq. 14), exponents alpha_m = alpha - 1 (weak) and the
  worst-case strong exponent 2(alpha - 1) (App. A.1 conjecture), random-overlap moments and the
  Welch bound kappa (paper section 4 / App. D), the ambiguity norm (App. D.5), the strong fraction
  reference min(1, m^2/(2n)).
- Nelson Elhage et al., "Toy Models of Superposition" (Anthropic 2022): dimensions per feature
  D*, feature dimensionality D_i, the linear-model optimum and the 2 -> 1 phase diagram; see
  ``theory.superposition_geometry``.
- Leonard Bereska et al., "Superposition as Lossy Compression" (TMLR 2025): effective features
  F = exp(H(p)) and the superposition ratio psi; see ``theory.superposition_geometry``.

Orientation: every weight matrix W has shape (n_features, m_hidden); row W_i represents feature i.

Numerics: pure numpy in float64 (these functions act on host arrays: probability vectors, trained
W, SAE codes); no I/O, no flags. Importing this module does not touch JAX's global configuration.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from theory.superposition_geometry import (
    ambiguity,
    dimensions_per_feature,
    effective_features,
    feature_dimensionality,
    psi_frobenius,
    psi_weight_entropy,
    represented_fraction,
    squared_overlap_stats,
    superposition_ratio,
    tms_linear_optimal_loss,
    tms_phase_label,
    tms_two_feature_boundary,
    tms_two_feature_candidates,
    tms_two_feature_loss,
)

__all__ = [
    "feature_probabilities", "code_alpha_to_paper", "density_scaled_probabilities",
    "sampler_thresholds", "tail_mass", "weak_regime_loss", "weak_regime_loss_integral",
    "weak_exponent", "strong_exponent_worst", "random_overlap_moments", "welch_bound",
    "etf_max_vectors", "strong_fraction_reference", "represented_fraction",
    "squared_overlap_stats", "ambiguity", "dimensions_per_feature", "feature_dimensionality",
    "effective_features", "superposition_ratio", "psi_frobenius", "psi_weight_entropy",
    "tms_linear_optimal_loss", "tms_two_feature_loss", "tms_two_feature_candidates",
    "tms_two_feature_boundary", "tms_phase_label",
]

_TWO32 = 2.0 ** 32
_KINDS = ("power", "exponential", "linear", "uniform")


def feature_probabilities(n: int, alpha: float = 1.0, kind: str = "power", E: float = 1.0,
                          scale: float = 400.0) -> np.ndarray:
    """Ranked feature frequencies p_i, i = 1..n, normalised to sum p = E (Liu et al. section 2).

    kinds: "power" p_i ~ i^-alpha; "exponential" p_i ~ exp(-i/scale); "linear" p_i ~ n - i + 1
    (the authors' code, no zero feature; the paper writes n - i); "uniform" p_i = E/n.
    Note the authors' scripts write i^-(1+a); see ``code_alpha_to_paper``.

    Raises:
        ValueError: unknown kind, n < 1, or p_1 > 1 (not a probability).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    i = np.arange(1, n + 1, dtype=np.float64)
    if kind == "power":
        w = i ** (-float(alpha))
    elif kind == "exponential":
        w = np.exp(-(i - 1.0) / float(scale))  # the constant factor exp(-1/scale) cancels
    elif kind == "linear":
        w = n - i + 1.0
    else:
        w = np.ones(n)
    p = float(E) * w / w.sum()
    if p[0] > 1.0 + 1e-12:
        raise ValueError(f"p_1 = {p[0]:.6g} > 1: E = {E} is too large for this law")
    return np.minimum(p, 1.0)


def code_alpha_to_paper(a: ArrayLike) -> np.ndarray:
    """Paper exponent alpha = a + 1 for the authors' scripts' exponent a (they use i^-(1+a))."""
    return np.asarray(a, dtype=np.float64) + 1.0


def density_scaled_probabilities(p: ArrayLike, s: ArrayLike) -> np.ndarray:
    """Activation-density sweep (Liu et al. Figs 14-15): p_i (1 + s (1/p_1 - 1)).

    s = 0 is the identity; s = 1 makes p_1 = 1. With alpha = 1, E = 1 the new density is
    E(s) = 1 + s (H_n - 1) (7.4855 at n = 1000, s = 1).
    """
    p = np.asarray(p, dtype=np.float64)
    return p * (1.0 + np.asarray(s, dtype=np.float64) * (1.0 / p[0] - 1.0))


def sampler_thresholds(p: ArrayLike) -> np.ndarray:
    """uint32 thresholds t_i = min(floor(p_i 2^32), 2^32 - 1) of the one-integer sampler (2.0).

    A feature is active iff r < t_i for r uniform on uint32, so P(active) = t_i / 2^32, within
    2^-32 of p_i (the clamp keeps p = 1 from overflowing).
    """
    p = np.asarray(p, dtype=np.float64)
    if np.any(p < 0) or np.any(p > 1) or np.any(~np.isfinite(p)):
        raise ValueError("probabilities must lie in [0, 1]")
    return np.minimum(np.floor(p * _TWO32), _TWO32 - 1.0).astype(np.uint32)


def tail_mass(p: ArrayLike, k: int, inclusive: bool = False) -> float:
    """Tail frequency mass sum_{i > k} p_i (1-based ranks); inclusive=True sums from i = k."""
    p = np.asarray(p, dtype=np.float64)
    start = max(int(k) - 1, 0) if inclusive else max(int(k), 0)
    return float(p[start:].sum())


def weak_regime_loss(p: ArrayLike, k: int, v1: float = 1.0, v2: float = 4.0 / 3.0,
                     exact: bool = True) -> float:
    """Weak-superposition loss with the k most frequent features represented (Liu et al. eq. 4).

    exact=True: sum_{i > k} (v2 p_i - v1^2 p_i^2), the loss of the ideal model W = [I_k; 0] with
    optimal biases b_i = <x_i> = v1 p_i for the ignored features (v1 = <v>, v2 = <v^2>; Liu data
    v ~ U(0, 2) gives v1 = 1, v2 = 4/3). exact=False: v2 * tail_mass(p, k) (bias-free form).
    """
    p = np.asarray(p, dtype=np.float64)[max(int(k), 0):]
    if exact:
        return float(np.sum(v2 * p - v1 ** 2 * p ** 2))
    return float(v2 * p.sum())


def weak_regime_loss_integral(phi: ArrayLike, n: ArrayLike, alpha: ArrayLike, E: float = 1.0,
                              v2: float = 4.0 / 3.0) -> np.ndarray:
    """Integral (continuum) weak-regime loss, Liu et al. eq. 14 times v2 E.

    tail(phi) = (phi^(1-alpha) - 1) n^(1-alpha) / (1 - n^(1-alpha)) for alpha != 1 and
    -ln(phi)/ln(n) for alpha = 1 (evaluated with expm1 so alpha -> 1 is continuous).

    Bias vs the exact discrete ``weak_regime_loss(p, n phi)`` (ratio integral/discrete) at
    n = 1000: 1.002 at alpha = 0, 1.011-1.014 at alpha = 0.5, 1.033-1.043 at 0.75, 1.087-1.112
    at alpha = 1 (k = 63 ... 4); for alpha > 1 and k, n -> infinity the ratio tends to
    (alpha - 1) zeta(alpha) (1.149 at 1.25, 1.306 at 1.5, 1.645 at 2): eq. 14 over-estimates
    the discrete tail, because the continuum replaces sum_{i>k} i^-alpha by its integral from k.
    """
    phi, n, alpha = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64)
                                          for a in (phi, n, alpha)))
    a = 1.0 - alpha
    logn, logphi = np.log(n), np.log(phi)
    one = np.abs(a) < 1e-12
    a_safe = np.where(one, 1.0, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        general = np.expm1(a_safe * logphi) * np.exp(a_safe * logn) / (-np.expm1(a_safe * logn))
    tail = np.where(one, -logphi / logn, general)
    return v2 * float(E) * tail


def weak_exponent(alpha: ArrayLike) -> np.ndarray:
    """Weak-regime width exponent alpha_m = alpha - 1 for alpha > 1, NaN otherwise (Liu eq. 5)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.where(alpha > 1.0, alpha - 1.0, np.nan)


def strong_exponent_worst(alpha: ArrayLike) -> np.ndarray:
    """Worst-case strong-regime exponent 2(alpha - 1) (Liu et al. App. A.1 conjecture).

    From sum_{i > m^2/2} p_i ~ (m^2)^(1-alpha): the tail beyond the ~m^2/2 features that can be
    packed with small overlaps.
    """
    return 2.0 * (np.asarray(alpha, dtype=np.float64) - 1.0)


def random_overlap_moments(m: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of (w_i . w_j)^2 for independent uniform unit vectors in R^m.

    (w_i . w_j)^2 ~ Beta(1/2, (m-1)/2): mean 1/m, variance 2(m-1)/(m^2 (m+2)) (Liu et al.
    section 4; m = 1 gives (1, 0)).
    """
    m = np.asarray(m, dtype=np.float64)
    return 1.0 / m, 2.0 * (m - 1.0) / (m ** 2 * (m + 2.0))


def welch_bound(n_vectors: ArrayLike, m: ArrayLike) -> np.ndarray:
    """Welch bound kappa = sqrt((nu - m)/(m (nu - 1))) on max |cos| of nu unit vectors in R^m.

    0 for nu <= m (orthonormal vectors fit). Tends to 1/sqrt(m) as nu -> infinity; attained by
    equiangular tight frames (regular simplex nu = m + 1: |cos| = 1/m).
    """
    nu, m = np.broadcast_arrays(np.asarray(n_vectors, dtype=np.float64),
                                np.asarray(m, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.sqrt(np.maximum(nu - m, 0.0) / (m * (nu - 1.0)))
    return np.where(nu > m, k, 0.0)


def etf_max_vectors(m: ArrayLike) -> np.ndarray:
    """Gerzon bound m(m+1)/2: the most vectors a real equiangular tight frame in R^m can have."""
    m = np.asarray(m)
    return m * (m + 1) // 2 if np.issubdtype(m.dtype, np.integer) else m * (m + 1) / 2


def strong_fraction_reference(m: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Reference fraction of strongly represented features min(1, m^2/(2n)) (Liu et al. Fig. 6)."""
    m = np.asarray(m, dtype=np.float64)
    return np.minimum(1.0, m ** 2 / (2.0 * np.asarray(n, dtype=np.float64)))
