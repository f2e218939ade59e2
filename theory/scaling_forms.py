"""Closed forms of the "other laws" of the scaling-law pillar (specs/scaling_laws.md §3.3, §4).

- Sparsing law (Luo et al., arXiv:2411.02335, Eqs. 4-5, Table 2): activation ratio A(D), D in
  billions of tokens.
- Massive-activation emergence (Gallego-Feliciano et al., arXiv:2508.03616, Eqs. 9 and 14):
  f(t) = A·exp(−λx)·log(x) + K, x = γt + t0, its reparameterisation and its peak (Lambert W).
- Densing law (Xiao et al., arXiv:2412.04315, Eqs. 2-4): reference loss, score sigmoid, inverse,
  effective parameter size and density; doubling time ln 2/A.
- Information capacity (Yuan et al., arXiv:2511.08066): IC in bits and a per-token decoder FLOP
  counter [reconstructed from the description of the authors' code].
- Hot-mess incoherence (Hägele et al., arXiv:2601.23045): KL (categorical) and Brier (binary)
  bias-variance decompositions, incoherence = Σ Var / Σ Error, the Bernoulli closed form with
  ensembling, and the unbiased finite-K estimators.

Pure ``jax.numpy``; x64-safe (all functions keep their inputs' dtype); vmappable. Logs are natural
unless written log2.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

__all__ = [
    "SPARSING_TABLE2", "sparsing_relu", "sparsing_silu",
    "massive_activation", "massive_activation_reparam", "massive_to_reparam",
    "massive_from_reparam", "lambert_w0", "massive_activation_peak",
    "densing_loss", "densing_score", "densing_inverse_score", "densing_effective_params",
    "densing_density", "doubling_time",
    "information_capacity", "decoder_flops_per_token",
    "kl_bias_variance", "brier_bias_variance", "brier_bias_variance_unbiased", "incoherence",
    "bernoulli_incoherence",
]

# --- (a) sparsing law ----------------------------------------------------------------------

# Luo et al. Table 2: ReLU rows (alpha, b, c, A0) and SiLU rows (alpha, c, A0); A is a fraction.
SPARSING_TABLE2: dict[str, dict[str, dict[str, float]]] = {
    "relu": {
        "0.1B": {"alpha": 1.01e-1, "b": -1.51e-2, "c": 3.20e0, "A0": 6.14e-2},
        "0.2B": {"alpha": 4.49e-1, "b": -3.05e0, "c": 2.86e-1, "A0": 6.74e-2},
        "0.4B": {"alpha": 6.83e-1, "b": -3.46e0, "c": 7.90e-2, "A0": 6.90e-2},
        "0.8B": {"alpha": 1.01e0, "b": -3.49e0, "c": 7.97e-3, "A0": 7.21e-2},
        "1.2B": {"alpha": 1.33e0, "b": -3.89e0, "c": 9.03e-4, "A0": 7.82e-2},
        "2.4B": {"alpha": 1.53e0, "b": -3.46e0, "c": 1.56e-4, "A0": 6.48e-2},
    },
    "silu": {
        "0.1B": {"alpha": 4.79e-1, "c": 1.02e-1, "A0": 4.09e-1},
        "0.2B": {"alpha": 8.44e-1, "c": 2.08e-1, "A0": 3.90e-1},
        "0.4B": {"alpha": 1.03e0, "c": 4.20e-1, "A0": 3.85e-1},
        "0.8B": {"alpha": 9.95e-1, "c": 5.62e-1, "A0": 3.83e-1},
        "1.2B": {"alpha": 9.67e-1, "c": 5.38e-1, "A0": 3.82e-1},
    },
}


def sparsing_relu(D, alpha, b, c, A0):
    """ReLU activation ratio A(D) = exp(−c·D^α + b) + A0 (decreasing "logspace power law")."""
    return jnp.exp(-c * D**alpha + b) + A0


def sparsing_silu(D, alpha, c, A0):
    """SiLU activation ratio A(D) = −c/D^α + A0 (increasing convergent power law)."""
    return A0 - c / D**alpha


# --- (b) massive activations ---------------------------------------------------------------


def massive_activation(t, A, lam, gamma, t0, K):
    """Eq. 9: f(t) = A·exp(−λx)·log(x) + K with x = γt + t0 (t in optimizer steps)."""
    x = gamma * t + t0
    return A * jnp.exp(-lam * x) * jnp.log(x) + K


def massive_activation_reparam(t, beta, tau0, A1, A2, K):
    """Eq. 14: f(t) = e^{−βt}(A1·log(t + τ0) + A2) + K."""
    return jnp.exp(-beta * t) * (A1 * jnp.log(t + tau0) + A2) + K


def massive_to_reparam(A, lam, gamma, t0, K):
    """(A, λ, γ, t0, K) → (β, τ0, A1, A2, K): β = λγ, τ0 = t0/γ, A1 = A e^{−λt0}, A2 = A1 log γ."""
    A1 = A * jnp.exp(-lam * t0)
    return lam * gamma, t0 / gamma, A1, A1 * jnp.log(gamma), K


def massive_from_reparam(beta, tau0, A1, A2, K):
    """Inverse of ``massive_to_reparam``: γ = e^{A2/A1}, λ = β/γ, t0 = τ0γ, A = A1 e^{λt0}."""
    gamma = jnp.exp(A2 / A1)
    lam = beta / gamma
    t0 = tau0 * gamma
    return A1 * jnp.exp(lam * t0), lam, gamma, t0, K


def lambert_w0(z, iterations: int = 12):
    """Principal branch W(z) of w·e^w = z for z ≥ 0, by Halley iteration (W(∞) = ∞).

    The start log1p(z) (small z) or log z − log log z (large z) is within a few percent, so a
    dozen cubically convergent steps reach float64 round-off everywhere on (0, 1e300].
    """
    z = jnp.asarray(z)
    finite = jnp.isfinite(z)
    zs = jnp.where(finite, jnp.maximum(z, 0.0), 1.0)
    big = zs > 3.0
    log_z = jnp.log(jnp.where(big, zs, 3.0))
    w = jnp.where(big, log_z - jnp.log(log_z), jnp.log1p(zs))

    def halley(_, w):
        ew = jnp.exp(w)
        f = w * ew - zs
        wp1 = w + 1.0
        step = f / (ew * wp1 - (w + 2.0) * f / (2.0 * wp1))
        return w - jnp.where(f == 0.0, 0.0, step)

    w = lax.fori_loop(0, iterations, halley, w)
    return jnp.where(finite, jnp.where(zs == 0.0, 0.0, w), jnp.inf)


def massive_activation_peak(lam, gamma, t0):
    """(t_peak, x*): f'(t) = 0 ⇔ λ x log x = 1 ⇒ x* = e^{W(1/λ)} = 1/(λ W(1/λ)).

    t_peak = (x* − t0)/γ; a peak is observable in [0, T] iff 0 < t_peak ≤ T. λ = 0 (pure
    logarithmic growth) gives x* = t_peak = ∞. Valid for A > 0 (a maximum).
    """
    lam = jnp.asarray(lam)
    safe = jnp.where(lam > 0, lam, 1.0)
    z = 1.0 / safe
    x_star = jnp.where(lam > 0, z / lambert_w0(z), jnp.inf)
    return (x_star - t0) / gamma, x_star


# --- (c) densing law -----------------------------------------------------------------------


def densing_loss(N, D, a, alpha, b, beta):
    """Reference-model loss L(N, D) = a N^{−α} + b D^{−β} [reconstructed Eq. 2: no constant]."""
    return a * N ** (-alpha) + b * D ** (-beta)


def densing_score(L, c, gamma, l, d):
    """Eq. 3: S = c/(1 + e^{−γ(L − l)}) + d (γ < 0 when the score falls as the loss rises)."""
    return c / (1.0 + jnp.exp(-gamma * (L - l))) + d


def densing_inverse_score(S, c, gamma, l, d):
    """Eq. 4 (loss part): L̂(S) = l − (1/γ) ln(c/(S − d) − 1)."""
    return l - jnp.log(c / (S - d) - 1.0) / gamma


def densing_effective_params(S, a, alpha, b, beta, c, gamma, l, d, D0=1e12):
    """Eq. 4: N̂(S) = ((L̂(S) − b D0^{−β})/a)^{−1/α} (D0 = 1e12 tokens)."""
    L_hat = densing_inverse_score(S, c, gamma, l, d)
    return ((L_hat - b * D0 ** (-beta)) / a) ** (-1.0 / alpha)


def densing_density(S, N, a, alpha, b, beta, c, gamma, l, d, D0=1e12):
    """Capability density ρ = N̂(S)/N of a model with N parameters scoring S."""
    return densing_effective_params(S, a, alpha, b, beta, c, gamma, l, d, D0) / N


def doubling_time(A):
    """Doubling time ln 2/A of ln ρ = A t + B (units of t, e.g. days)."""
    return jnp.log(2.0) / A


# --- (d) information capacity --------------------------------------------------------------


def information_capacity(text_bits_per_token, nll_bits_per_token, flops_per_token, b=-24.0):
    """IC = (C_tok − NLL_tok + b)/log2(F_tok), bits; b = −24 for mixed text (authors' code)."""
    return (text_bits_per_token - nll_bits_per_token + b) / jnp.log2(flops_per_token)


def decoder_flops_per_token(d_model, n_layers, n_heads, n_kv_heads, d_head, d_ff, vocab,
                            context=1024):
    """Forward FLOPs per token of a gated-MLP decoder, averaged over cache lengths ℓ = 1…context.

    Per layer: 2·d·n_h·d_h (Q) + 4·d·n_kv·d_h (K, V) + 2·n_h·d_h·d (O) + 4·n_h·d_h·ℓ (scores and
    weighted sum) + 6·d·d_ff (gated MLP); plus 2·d·V (LM head) [reconstructed from the description
    of the authors' code; their cache-length convention may differ by one].
    """
    mean_cache = (context + 1) / 2.0
    attn = (2 * d_model * n_heads * d_head + 4 * d_model * n_kv_heads * d_head
            + 2 * n_heads * d_head * d_model + 4 * n_heads * d_head * mean_cache)
    return n_layers * (attn + 6 * d_model * d_ff) + 2 * d_model * vocab


# --- (e) hot-mess incoherence --------------------------------------------------------------


def kl_bias_variance(log_probs, y):
    """KL decomposition over samples: (Bias², Var, Error) per question.

    ``log_probs``: (..., K, m) normalised log-probabilities of K samples; ``y``: (...) target
    class. f̄ is the normalised geometric mean, log f̄ = E log f − log Z; Bias² = −log f̄(y),
    Var = E KL(f̄‖f_ε) = −log Z ≥ 0, Error = E[−log f_ε(y)] = Bias² + Var.
    """
    mean_log = jnp.mean(log_probs, axis=-2)
    log_z = jax.nn.logsumexp(mean_log, axis=-1)
    y = jnp.asarray(y)
    bias2 = -(jnp.take_along_axis(mean_log, y[..., None], axis=-1)[..., 0] - log_z)
    var = jnp.maximum(-log_z, 0.0)  # AM-GM: Z ≤ 1; the clip removes round-off of order 1e-17
    index = jnp.broadcast_to(y[..., None, None], log_probs.shape[:-1] + (1,))
    error = -jnp.mean(jnp.take_along_axis(log_probs, index, axis=-1)[..., 0], axis=-1)
    return bias2, var, error


def brier_bias_variance(probs, y):
    """Squared-error decomposition over the last (sample) axis: E(f − y)² = (f̄ − y)² + E(f − f̄)²."""
    fbar = jnp.mean(probs, axis=-1)
    bias2 = (fbar - y) ** 2
    var = jnp.mean((probs - fbar[..., None]) ** 2, axis=-1)
    target = jnp.broadcast_to(jnp.asarray(y), fbar.shape)[..., None]  # explicit rank for y
    error = jnp.mean((probs - target) ** 2, axis=-1)
    return bias2, var, error


def brier_bias_variance_unbiased(probs, y):
    """Unbiased finite-K estimators: Var_u = K/(K−1)·plug-in Var, Bias²_u = (f̄ − y)² − Var_u/K.

    For K i.i.d. samples they are unbiased for the population Var and Bias² (for Bernoulli
    outcomes: p(1−p) and (1−p)²); Error_u = Bias²_u + Var_u.
    """
    k = probs.shape[-1]
    bias2, var, _ = brier_bias_variance(probs, y)
    var_u = var * (k / (k - 1.0))
    bias2_u = bias2 - var_u / k
    return bias2_u, var_u, bias2_u + var_u


def incoherence(var, error):
    """Incoherence Σ_q Var_q / Σ_q Error_q over the last (question) axis, in [0, 1]."""
    return jnp.sum(var, axis=-1) / jnp.sum(error, axis=-1)


def bernoulli_incoherence(p, ensemble=1):
    """Pass/fail closed form with E-sample ensembling: Σ p(1−p)/E / Σ [p(1−p)/E + (1−p)²]."""
    var = p * (1.0 - p) / ensemble
    return jnp.sum(var, axis=-1) / jnp.sum(var + (1.0 - p) ** 2, axis=-1)
