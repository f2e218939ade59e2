"""Chinchilla closed forms (specs/scaling_laws.md §3.2 and §4): the parametric loss
L(N, D) = E + A/N^α + B/D^β of Hoffmann et al. 2022 (arXiv 2203.15556, App. D.2), its stable
log form, the Huber loss and its normalised density (Besiroglu et al. 2024, arXiv 2404.10102),
and the compute-optimal allocation under C = 6ND, with the published parameter sets.

All logs are natural; loss is in nats, N in parameters, D in tokens, C in FLOP. Pure
``jax.numpy``, x64-safe, vmappable.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import ndtr

__all__ = [
    "EPOCH_2024",
    "HOFFMANN_ROUNDED",
    "HOFFMANN_TABLE2",
    "HOFFMANN_UNROUNDED",
    "KAPLAN_2020",
    "CHINCHILLA_COMPUTE",
    "chinchilla_loss",
    "chinchilla_log_loss",
    "compute_optimal",
    "huber",
    "huber_log_density",
    "huber_log_normaliser",
    "natural_params",
    "tokens_per_parameter",
]

# Compute of Chinchilla itself: 6 · 70e9 parameters · 1.4e12 tokens.
CHINCHILLA_COMPUTE = 5.88e23

# [paper] Hoffmann et al. 2022, App. D.2 (as printed, rounded).
HOFFMANN_ROUNDED = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}

# [paper: Epoch] Hoffmann's un-rounded values in log form θ = (a, b, e, α, β), A = e^a, ...,
# as recovered by Besiroglu et al. 2024 (from the Chinchilla authors' fit).
HOFFMANN_UNROUNDED = {"a": 6.0073404, "b": 6.0179186, "e": 0.5267228,
                      "alpha": 0.33917084, "beta": 0.2849083}

# [paper] Hoffmann Table 2: N_opt ∝ C^a, D_opt ∝ C^b; (estimate, 80% CI low, high) per approach.
HOFFMANN_TABLE2 = {
    "approach_1": {"a": (0.50, 0.488, 0.502), "b": (0.50, 0.501, 0.512)},
    "approach_2": {"a": (0.49, 0.462, 0.534), "b": (0.51, 0.483, 0.529)},
    "approach_3": {"a": (0.46, 0.454, 0.455), "b": (0.54, 0.542, 0.543)},
    "kaplan": {"a": (0.73, math.nan, math.nan), "b": (0.27, math.nan, math.nan)},
}

# [paper] Besiroglu et al. 2024 (Epoch): estimates with the paper's SEs, the notebook's
# bootstrap SEs (4000 resamples) and 95% percentile CIs; a = β/(α+β).
EPOCH_2024 = {
    "estimates": {"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658},
    "se": {"E": 0.03, "A": 124.58, "B": 1293.23, "alpha": 0.02, "beta": 0.02},
    "notebook_se": {"E": 0.02566, "A": 124.52, "B": 1293.28, "alpha": 0.01540, "beta": 0.02060},
    "ci95": {"E": (1.769, 1.871), "A": (285.2, 743.6), "B": (1042.4, 5810.3),
             "alpha": (0.317, 0.373), "beta": (0.331, 0.415)},
    "a": 0.5126, "a_se": 0.02,
    "n_needed": 6.3e5,  # runs Hoffmann's 80% CI width for a would need ("over 600,000")
}

# [paper] Kaplan et al. 2020 (arXiv 2001.08361): N_opt ∝ C^0.73; L(N) = (N_c/N)^α_N,
# L(D) = (D_c/D)^α_D.
KAPLAN_2020 = {"a": 0.73, "alpha_N": 0.076, "N_c": 8.8e13, "alpha_D": 0.095, "D_c": 5.4e13}


def natural_params(theta: dict[str, float]) -> dict[str, float]:
    """(a, b, e, α, β) → (E, A, B, α, β) with A = e^a, B = e^b, E = e^e (plain floats)."""
    return {"E": math.exp(theta["e"]), "A": math.exp(theta["a"]), "B": math.exp(theta["b"]),
            "alpha": float(theta["alpha"]), "beta": float(theta["beta"])}


def chinchilla_loss(N: Any, D: Any, E: Any, A: Any, B: Any, alpha: Any, beta: Any) -> jax.Array:
    """L̂(N, D) = E + A N^{-α} + B D^{-β} (nats)."""
    return E + A * jnp.power(N, -alpha) + B * jnp.power(D, -beta)


def chinchilla_log_loss(logN: Any, logD: Any, a: Any, b: Any, e: Any, alpha: Any,
                        beta: Any) -> jax.Array:
    """log L̂ = LSE(a − α log N, b − β log D, e): equals log(E + A/N^α + B/D^β), stably."""
    terms = jnp.stack(jnp.broadcast_arrays(a - alpha * logN, b - beta * logD, e + 0 * logN),
                      axis=-1)
    return jax.nn.logsumexp(terms, axis=-1)


def huber(r: Any, delta: float = 1e-3) -> jax.Array:
    """Huber_δ(r) = ½r² for |r| ≤ δ, δ(|r| − δ/2) otherwise (continuous, C¹)."""
    r = jnp.asarray(r)
    abs_r = jnp.abs(r)
    return jnp.where(abs_r <= delta, 0.5 * r * r, delta * (abs_r - 0.5 * delta))


def huber_log_normaliser(delta: float) -> jax.Array:
    """log Z_δ, Z_δ = ∫ exp(−Huber_δ(u)) du = √(2π)(1 − 2Φ̄(δ)) + 2e^{−δ²/2}/δ."""
    delta = jnp.asarray(delta)
    inner = jnp.sqrt(2.0 * jnp.pi) * (1.0 - 2.0 * ndtr(-delta))
    return jnp.log(inner + 2.0 * jnp.exp(-0.5 * delta * delta) / delta)


def huber_log_density(r: Any, delta: float, log_scale: Any) -> jax.Array:
    """Normalised Huber log-density of a residual r at scale s = e^{log_scale}:
    −Huber_δ(r/s) − log Z_δ − log s."""
    scale = jnp.exp(log_scale)
    return -huber(jnp.asarray(r) / scale, delta) - huber_log_normaliser(delta) - log_scale


def compute_optimal(C: Any, A: Any, B: Any, alpha: Any, beta: Any,
                    flops_per_param_token: float = 6.0) -> dict[str, jax.Array]:
    """Minimiser of L̂(N, D) subject to C = k·N·D (k = 6): N_opt = G (C/k)^a,
    D_opt = G^{-1} (C/k)^b, G = (αA/(βB))^{1/(α+β)}, a = β/(α+β), b = α/(α+β)."""
    total = alpha + beta
    exp_n, exp_d = beta / total, alpha / total
    G = jnp.power(alpha * A / (beta * B), 1.0 / total)
    budget = jnp.asarray(C) / flops_per_param_token
    return {"N_opt": G * jnp.power(budget, exp_n), "D_opt": jnp.power(budget, exp_d) / G,
            "a": exp_n, "b": exp_d, "G": G}


def tokens_per_parameter(C: Any, A: Any, B: Any, alpha: Any, beta: Any,
                         flops_per_param_token: float = 6.0) -> jax.Array:
    """D_opt/N_opt = G^{-2} (C/k)^{b − a}."""
    opt = compute_optimal(C, A, B, alpha, beta, flops_per_param_token)
    return opt["D_opt"] / opt["N_opt"]
