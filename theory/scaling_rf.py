"""Closed forms of the random-feature teacher-student model (specs/scaling_laws.md §3.1, §4).

Bahri, Dyer, Kaplan, Lee & Sharma, "Explaining Neural Scaling Laws", arXiv:2102.06701, in the
suite's Gaussian-feature version [reconstructed]: teacher features F ~ N(0, Λ) with
λ_i = i^-(1+α_K), teacher weights ω ~ N(0, I/S), student f = θ·𝒫F with a Gaussian projection 𝒫,
min-norm (ridgeless) training, loss ½(β − ω)^T Λ (β − ω) averaged over teachers.

The effective ridge κ(n) solves Σ_i λ_i/(λ_i + κ) = n. With L_i = λ_i/(λ_i + κ(n)):

- parameter-limited (D = ∞, P = n): (1/2S) Σ λ_i κ/(λ_i + κ) [paper form];
- data-limited (P = ∞, D = n): (1/2S) · n/(n − Σ L_i²) · Σ λ_i (1 − L_i)² [paper form];
- both equal κ(n)·n/(2S) exactly [derived]: the resolution-limited D <-> P duality holds at
  every n for the closed forms, not only in the exponent.

Conventions: the loss carries the ½ and the teacher variance 1/S (the n = 0 loss is TrΛ/(2S));
α_K is the exponent of the *loss* (the spectrum decays as i^-(1+α_K)). Everything is float64
(enable ``jax_enable_x64``): the losses are differences TrΛ − (…) that cancel to 1e-6.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

__all__ = [
    "power_law_spectrum", "rf_kappa", "rf_loss_param_limited", "rf_loss_data_limited",
    "rf_resolution_loss", "rf_resolution_loss_asymptotic", "rf_asymptotic_constant",
    "rf_null_loss", "rf_variance_excess_data", "rf_underparam_curve", "rf_local_exponent",
    "interp_exponent", "nn_distance_mean",
]

_BISECTION_STEPS = 200
_LOG_MARGIN = 40.0


def power_law_spectrum(S: int, alpha: float) -> jax.Array:
    """λ_i = i^-(1+α), i = 1..S (float64 under x64)."""
    i = jnp.arange(1, S + 1, dtype=jnp.result_type(float))
    return i ** (-(1.0 + jnp.asarray(alpha, i.dtype)))


def rf_kappa(lam: jax.Array, n: float | jax.Array) -> jax.Array:
    """κ > 0 with Σ_i λ_i/(λ_i + κ) = n for 0 < n < S (bisection on log κ, 200 steps).

    The bracket [log λ_min − 40, log λ_max + 40] holds the root for every n in (0, S) that is not
    within e^-40 of either end. Vmappable over n (and over λ of equal length).
    """
    lam = jnp.asarray(lam)
    n = jnp.asarray(n, lam.dtype)
    lo = jnp.log(jnp.min(lam)) - _LOG_MARGIN
    hi = jnp.log(jnp.max(lam)) + _LOG_MARGIN

    def step(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        # Σλ/(λ+κ) decreases in κ: too many effective modes means κ is too small.
        too_small = jnp.sum(lam / (lam + jnp.exp(mid))) > n
        return jnp.where(too_small, mid, lo), jnp.where(too_small, hi, mid)

    lo, hi = jax.lax.fori_loop(0, _BISECTION_STEPS, step, (lo, hi))
    return jnp.exp(0.5 * (lo + hi))


def rf_loss_param_limited(lam: jax.Array, P: float | jax.Array) -> jax.Array:
    """D = ∞, P = n: (1/2S) Σ_i λ_i κ/(λ_i + κ), κ = κ(P)."""
    kappa = rf_kappa(lam, P)
    return jnp.sum(lam * kappa / (lam + kappa)) / (2.0 * lam.shape[0])


def rf_loss_data_limited(lam: jax.Array, D: float | jax.Array) -> jax.Array:
    """P = ∞, D = n: (1/2S)·D/(D − Σ L_i²)·Σ λ_i (1 − L_i)², L_i = λ_i/(λ_i + κ(D))."""
    D = jnp.asarray(D, lam.dtype)
    kappa = rf_kappa(lam, D)
    modes = lam / (lam + kappa)
    return D / (D - jnp.sum(modes**2)) * jnp.sum(lam * (1.0 - modes) ** 2) / (2.0 * lam.shape[0])


def rf_resolution_loss(lam: jax.Array, n: float | jax.Array) -> jax.Array:
    """κ(n)·n/(2S): both resolution-limited closed forms in one expression [derived]."""
    n = jnp.asarray(n, lam.dtype)
    return rf_kappa(lam, n) * n / (2.0 * lam.shape[0])


def rf_asymptotic_constant(alpha: float) -> float:
    """c_α^{1+α}, c_α = (π/(1+α))/sin(π/(1+α)) [derived; S ≫ n ≫ 1]."""
    x = math.pi / (1.0 + alpha)
    return (x / math.sin(x)) ** (1.0 + alpha)


def rf_resolution_loss_asymptotic(n: float | jax.Array, alpha: float, S: int) -> jax.Array:
    """c_α^{1+α} n^-α/(2S) (the S ≫ n ≫ 1 limit of κ(n)n/(2S)) [derived]."""
    n = jnp.asarray(n, jnp.result_type(float))
    return rf_asymptotic_constant(alpha) * n ** (-alpha) / (2.0 * S)


def rf_null_loss(lam: jax.Array) -> jax.Array:
    """The n = 0 loss TrΛ/(2S) (predictor β = 0)."""
    return jnp.sum(lam) / (2.0 * lam.shape[0])


def rf_variance_excess_data(L_inf_P: float | np.ndarray, D: int | np.ndarray,
                            P: int | np.ndarray) -> np.ndarray:
    """E_X L(D, P) − L(∞, P) = L(∞, P)·P/(D − P − 1) for D > P + 1 [derived, exact here].

    The misspecification residual is Gaussian and independent of the student features, so the
    excess is the classical OLS variance. Raises ValueError when any D ≤ P + 1.
    """
    D, P = np.asarray(D, np.float64), np.asarray(P, np.float64)
    if np.any(D <= P + 1):
        raise ValueError(f"rf_variance_excess_data needs D > P + 1; got D={D}, P={P}")
    return np.asarray(L_inf_P, np.float64) * P / (D - P - 1.0)


def rf_underparam_curve(lam: jax.Array, D: float | jax.Array, P: float | jax.Array) -> jax.Array:
    """κ(P)·P/(2S)·(D − 1)/(D − P − 1): the deterministic under-parameterised curve, D > P + 1."""
    D = jnp.asarray(D, lam.dtype)
    P = jnp.asarray(P, lam.dtype)
    return rf_resolution_loss(lam, P) * (D - 1.0) / (D - P - 1.0)


def rf_local_exponent(lam: jax.Array, n_lo: float, n_hi: float, num: int = 6) -> float:
    """−(least-squares slope of log κ(n)n/(2S) against log n on a geometric n-grid)."""
    ns = np.geomspace(n_lo, n_hi, num)
    losses = np.asarray(jax.vmap(lambda n: rf_resolution_loss(lam, n))(jnp.asarray(ns)))
    slope = np.polyfit(np.log(ns), np.log(losses), 1)[0]
    return float(-slope)


def interp_exponent(d: int | np.ndarray, order: int = 4) -> np.ndarray:
    """MSE exponent order/d on a d-dimensional manifold: 4 (piecewise-linear), 2 (1-NN)."""
    return order / np.asarray(d, np.float64)


def nn_distance_mean(D: float | np.ndarray, d: int) -> np.ndarray:
    """Mean 1-NN distance of D uniform points on a unit-volume d-manifold (large D):
    Γ(1 + 1/d)·(V_d·D)^(-1/d), V_d = π^(d/2)/Γ(d/2 + 1) the unit-ball volume."""
    log_vd = 0.5 * d * np.log(np.pi) - float(gammaln(0.5 * d + 1.0))
    log_gamma = float(gammaln(1.0 + 1.0 / d))
    D = np.asarray(D, np.float64)
    return np.exp(log_gamma - (log_vd + np.log(D)) / d)
