"""Closed forms for the SGD-noise pillar (pillar ``sgd_noise``; spec specs/sgd_noise.md §4).

Papers: Sclocchi, Geiger & Wyart, "Dissecting the Effects of SGD Noise in Distinct Regimes of Deep
Learning", ICML 2023 (arXiv:2301.13703); Sclocchi & Wyart, PNAS 121 (2024) (arXiv:2309.10688);
the authors' APS March Meeting 2023 abstract F02.00003; Liu et al., ICLR 2024 (arXiv:2310.08513).
The papers' full texts were not consulted. Provenance of each formula, in brackets:

- [PNAS] γ = 1/(1+χ) (w1 ∝ T P^γ in the perceptron).
- [authors-APS] δ (obtained in the perceptron), a = γ/δ, k = (D−1)/(D+1).
- [reconstructed] b = (3+χ)/(1+χ), ‖w⊥‖ → T√d/(2c_χ), test error ∝ 1/P, crossover T_× ∝ 1/α
  (the ∝ 1/α part is an exact symmetry of the model, [suite]).
- [code] the depleted_sign density (the authors' data model).
- exact: moments, densities, the population test error of a linear classifier, NTK identities.

Data model (depleted_sign): x1 = s·sqrt(2G), G ~ Gamma((χ+1)/2, 1), s = ±1; x⊥ ~ N(0, I_{d−1});
y = sign(x1). Density ρ(x1) = |x1|^χ exp(−x1²/2) / (2^((χ+1)/2) Γ((χ+1)/2)).

Numerics: pure ``jax.numpy`` (quadrature nodes come from numpy as constants); no I/O, no flags.
Importing this module does not change JAX's configuration: the functions are float64 when
``jax_enable_x64`` is on (experiments and tests enable it) and float32 otherwise. Arguments
broadcast elementwise with explicit ``jnp.broadcast_arrays`` (rank promotion may be ``raise``).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammainc, gammaln, ndtr

Array = jnp.ndarray

# Gauss-Legendre nodes/weights on [0, 1] (constants; scaled per integral).
_GL400 = np.polynomial.legendre.leggauss(400)
_HERMITE = np.polynomial.hermite_e.hermegauss(200)  # probabilists' Hermite, weight e^{−z²/2}
_CUTOFF = 12.0  # Φ(−12) ≈ 2e−33: integrals in units of the Gaussian scale stop there


def _tanh_sinh_unit(step: float, half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Tanh-sinh (double-exponential) nodes and weights on [0, 1].

    u(t) = 1/(1 + exp(−π sinh t)) on t ∈ [−half_width, half_width] with spacing ``step``. The
    map flattens an endpoint singularity such as u^χ (non-integer χ ≥ 0), where Gauss–Legendre
    converges only algebraically (200 nodes: ≈ 1e−6 relative at χ = 0.3). Written here because
    scipy has no fixed-node tanh-sinh rule that can be traced by JAX.
    """
    t = np.arange(-half_width, half_width + step / 2, step)
    s = np.pi * np.sinh(t)
    lower, upper = 1.0 / (1.0 + np.exp(-s)), 1.0 / (1.0 + np.exp(s))  # u and 1 − u, both exact
    return lower, step * np.pi * np.cosh(t) * lower * upper


# 169 nodes; measured against scipy's QAWS quadrature (algebraic weight u^χ) the rule is good to
# 1e−14 relative for χ ∈ [0, 7.3] and θ ∈ [1e−3, 50] (tests/test_theory_sgd_noise.py).
_TANH_SINH = _tanh_sinh_unit(1.0 / 24.0, 3.5)


def _unit_nodes(rule: tuple[np.ndarray, np.ndarray], ndim: int = 0) -> tuple[Array, Array]:
    """Nodes and weights on [0, 1], shaped (1,)*ndim + (n,) to broadcast against [..., None]."""
    nodes, weights = rule
    shape = (1,) * ndim + (-1,)
    return (jnp.asarray(0.5 * (nodes + 1.0)).reshape(shape),
            jnp.asarray(0.5 * weights).reshape(shape))


# --- exponents -----------------------------------------------------------------------------


def gamma_exponent(chi: Array) -> Array:
    """γ = 1/(1+χ): w1 ∝ T P^γ in the noise regime of the perceptron [PNAS]."""
    return 1.0 / (1.0 + jnp.asarray(chi, dtype=float))


def delta_exponent(chi: Array) -> Array:
    """δ = 1 (w1 ∝ T^δ), exact in the κ → 0 limit by the (Δw, η, κ) symmetry [suite]."""
    return jnp.ones_like(jnp.asarray(chi, dtype=float))


def b_exponent(chi: Array) -> Array:
    """b = (3+χ)/(1+χ) = 1 + 2γ: t* ∝ T P^b, asymptotic [reconstructed]."""
    chi = jnp.asarray(chi, dtype=float)
    return (3.0 + chi) / (1.0 + chi)


def test_error_exponent(chi: Array) -> Array:
    """ε ∝ P^(−1) in the noise regime, for every χ, asymptotic [reconstructed]."""
    return -jnp.ones_like(jnp.asarray(chi, dtype=float))


def tc_exponent(gamma: Array, delta: Array) -> Array:
    """a = γ/δ: T_c ∝ P^(−a) [authors-APS]."""
    return jnp.asarray(gamma, dtype=float) / jnp.asarray(delta, dtype=float)


def perceptron_tc_exponent(chi: Array) -> Array:
    """a = γ/δ = 1/(1+χ) for a threshold on ‖Δw‖/‖w0‖ in the perceptron."""
    return tc_exponent(gamma_exponent(chi), delta_exponent(chi))


def topt_exponent(depth: Array) -> Array:
    """k = (D−1)/(D+1): T_opt ∝ α^k for α ≪ 1, D hidden layers [authors-APS]."""
    depth = jnp.asarray(depth, dtype=float)
    return (depth - 1.0) / (depth + 1.0)


# --- Gaussian moments and the noise level --------------------------------------------------


def abs_gaussian_moment(p: Array) -> Array:
    """E|z|^p = 2^(p/2) Γ((p+1)/2)/√π for z ~ N(0, 1)."""
    p = jnp.asarray(p, dtype=float)
    return jnp.exp(0.5 * p * math.log(2.0) + gammaln((p + 1.0) / 2.0) - 0.5 * math.log(math.pi))


def c_chi(chi: Array) -> Array:
    """c_χ = E|z|^(2+χ)/E|z|^(1+χ) = √2 Γ((3+χ)/2)/Γ((2+χ)/2) [reconstructed]."""
    chi = jnp.asarray(chi, dtype=float)
    return math.sqrt(2.0) * jnp.exp(gammaln((3.0 + chi) / 2.0) - gammaln((2.0 + chi) / 2.0))


def w_perp_norm(T: Array, d: Array, chi: Array, finite_d: bool = False) -> Array:
    """Noise-regime ‖w⊥‖ = T√d/(2c_χ); with ``finite_d``: T(d−1)/(2c_χ√d) [reconstructed]."""
    T, d, chi = jnp.broadcast_arrays(*(jnp.asarray(v, dtype=float) for v in (T, d, chi)))
    if finite_d:
        return T * (d - 1.0) / (2.0 * c_chi(chi) * jnp.sqrt(d))
    return T * jnp.sqrt(d) / (2.0 * c_chi(chi))


def crossover_temperature(alpha: Array, prefactor: Array = 1.0) -> Array:
    """T_× = C/α; the ∝ 1/α part is exact [suite], C is not predicted."""
    return jnp.asarray(prefactor, dtype=float) / jnp.asarray(alpha, dtype=float)


def critical_batch(P: Array, d: Array, chi: Array) -> Array:
    """B* ~ d·P^(1/(1+χ)) (order of magnitude only) [PNAS, reconstructed]."""
    P, d, chi = jnp.broadcast_arrays(*(jnp.asarray(v, dtype=float) for v in (P, d, chi)))
    return d * P ** gamma_exponent(chi)


# --- the depleted_sign data model ----------------------------------------------------------


def _log_density_norm(chi: Array) -> Array:
    return 0.5 * (chi + 1.0) * math.log(2.0) + gammaln((chi + 1.0) / 2.0)


def depleted_density(x1: Array, chi: Array) -> Array:
    """ρ(x1) = |x1|^χ exp(−x1²/2) / (2^((χ+1)/2) Γ((χ+1)/2)) [code]."""
    x1, chi = jnp.broadcast_arrays(jnp.asarray(x1, dtype=float), jnp.asarray(chi, dtype=float))
    power = jnp.where(chi == 0.0, 1.0, jnp.abs(x1) ** chi)  # 0^0 = 1 for the Gaussian
    return power * jnp.exp(-0.5 * x1**2 - _log_density_norm(chi))


def prob_abs_x1_below(eps: Array, chi: Array) -> Array:
    """P(|x1| < ε) = P((χ+1)/2, ε²/2), the regularised lower incomplete gamma."""
    eps, chi = jnp.broadcast_arrays(jnp.asarray(eps, dtype=float), jnp.asarray(chi, dtype=float))
    return gammainc((chi + 1.0) / 2.0, 0.5 * eps**2)


def _small_eps_constant(chi: Array) -> Array:
    # c0 = 1/(2^((1+χ)/2) Γ((χ+3)/2)): P(|x1| < ε) ≈ c0 ε^(1+χ) for small ε.
    return jnp.exp(-0.5 * (1.0 + chi) * math.log(2.0) - gammaln((chi + 3.0) / 2.0))


def expected_min_abs_x1(P: Array, chi: Array) -> Array:
    """E min_μ |x1_μ| over P samples = ∫_0^∞ (1 − P(|x1| < ε))^P dε (400-node Gauss–Legendre)."""
    P, chi = jnp.broadcast_arrays(jnp.asarray(P, dtype=float), jnp.asarray(chi, dtype=float))
    scale = (P * _small_eps_constant(chi)) ** (-1.0 / (1.0 + chi))
    upper = jnp.minimum(_CUTOFF, 40.0 * scale)
    nodes, weights = _unit_nodes(_GL400, P.ndim)
    eps = upper[..., None] * nodes
    survival = 1.0 - prob_abs_x1_below(eps, chi[..., None])
    # (1 − F)^P via exp(P log1p(−F)) keeps precision when F is tiny and P is large.
    integrand = jnp.exp(P[..., None] * jnp.log1p(-jnp.minimum(1.0 - survival, 1.0 - 1e-300)))
    return upper * jnp.sum(weights * integrand, axis=-1)


# --- population test error of the perceptron ----------------------------------------------


def perceptron_test_error(w1: Array, w_perp: Array, chi: Array) -> Array:
    """Exact error of sign(w·x) on depleted_sign data: ∫_0^∞ 2ρ(u) Φ(−u·w1/‖w⊥‖) du.

    x⊥ is isotropic and independent of x1, so only (w1, ‖w⊥‖) matter. With θ = ‖w⊥‖/|w1|: for
    θ ≤ 1 integrate in v = u/θ over [0, 12] (integrand 2ρ(θv)θΦ(−v)), else in u over [0, 12];
    tanh-sinh nodes, so the u^χ endpoint singularity of non-integer χ costs no accuracy: 1e−10
    relative or better for every χ ≥ 0 (tested against adaptive quadrature with the algebraic
    weight). w1 < 0 gives 1 − error(|w1|); w1 = 0 gives 1/2.
    """
    w1, w_perp, chi = jnp.broadcast_arrays(
        *(jnp.asarray(v, dtype=float) for v in (w1, w_perp, chi)))
    w_abs = jnp.abs(w1)
    safe_w = jnp.where(w_abs > 0, w_abs, 1.0)
    theta = jnp.abs(w_perp) / safe_w
    small = theta <= 1.0
    shape = (1,) * theta.ndim + (-1,)
    nodes, weights = (jnp.asarray(a).reshape(shape) for a in _TANH_SINH)
    v = _CUTOFF * nodes
    th = theta[..., None]
    ch = chi[..., None]
    small_integrand = 2.0 * depleted_density(th * v, ch) * th * ndtr(-v)
    safe_theta = jnp.where(small, 1.0, theta)[..., None]
    large_integrand = 2.0 * depleted_density(v, ch) * ndtr(-v / safe_theta)
    integrand = jnp.where(small[..., None], small_integrand, large_integrand)
    error = _CUTOFF * jnp.sum(weights * integrand, axis=-1)
    error = jnp.where(w1 < 0, 1.0 - error, error)
    return jnp.where(w_abs == 0, 0.5, error)


def perceptron_test_error_small_theta(theta: Array, chi: Array) -> Array:
    """Small-θ limit θ^(1+χ) Γ((2+χ)/2) / (2√π Γ((3+χ)/2)) [reconstructed, exact limit]."""
    theta, chi = jnp.broadcast_arrays(jnp.asarray(theta, dtype=float),
                                      jnp.asarray(chi, dtype=float))
    log_c = gammaln((2.0 + chi) / 2.0) - gammaln((3.0 + chi) / 2.0) - math.log(2.0 * math.sqrt(
        math.pi))
    return theta ** (1.0 + chi) * jnp.exp(log_c)


# --- networks: activation norm, NTK of the two-layer linear net, spectra --------------------


def activation_norm(name: str) -> Array:
    """c_φ = sqrt(E φ(z)²), z ~ N(0, 1), by 200-node Gauss–Hermite; relu → 1/√2, gelu → 0.652090.

    ``gelu`` is the exact erf form u·Φ(u). The node set is symmetric, so relu's kink is exact.
    """
    nodes, weights = (jnp.asarray(a) for a in _HERMITE)
    weights = weights / math.sqrt(2.0 * math.pi)
    if name == "relu":
        values = jnp.maximum(nodes, 0.0)
    elif name == "gelu":
        values = nodes * ndtr(nodes)
    else:
        raise ValueError(f"unknown activation {name!r}; allowed: relu, gelu")
    return jnp.sqrt(jnp.sum(weights * values**2))


def two_layer_linear_ntk(W1: Array, w2: Array, X: Array) -> Array:
    """All-parameter NTK of f(x) = w2ᵀW1x: K = X (W1ᵀW1 + ‖w2‖² I) Xᵀ (exact)."""
    W1, w2, X = (jnp.asarray(a) for a in (W1, w2, X))
    metric = W1.T @ W1 + jnp.sum(w2**2) * jnp.eye(W1.shape[1], dtype=W1.dtype)
    return X @ metric @ X.T


def kernel_alignment(K0: Array, K1: Array) -> Array:
    """⟨K0, K1⟩_F / (‖K0‖_F ‖K1‖_F)."""
    K0, K1 = jnp.asarray(K0), jnp.asarray(K1)
    return jnp.sum(K0 * K1) / (jnp.linalg.norm(K0) * jnp.linalg.norm(K1))


def effective_rank(s: Array, kind: str = "entropy") -> Array:
    """Effective rank of singular values s: 'entropy' exp(−Σ p log p), p = s/Σs;
    'participation' (Σ s)²/Σ s²."""
    s = jnp.asarray(s, dtype=float)
    if kind == "entropy":
        p = s / jnp.sum(s)
        terms = jnp.where(p > 0, p * jnp.log(jnp.where(p > 0, p, 1.0)), 0.0)
        return jnp.exp(-jnp.sum(terms))
    if kind == "participation":
        return jnp.sum(s) ** 2 / jnp.sum(s**2)
    raise ValueError(f"unknown kind {kind!r}; allowed: entropy, participation")
