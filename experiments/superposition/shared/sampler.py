"""Feature sampler of the superposition pillar: one random 32-bit integer per entry.

Each feature i is active with probability p_i and then takes a value uniform on (0, v_max]
(spec superposition.md §2.0). On the host the probabilities become uint32 thresholds
t_i = min(⌊p_i·2^32⌋, 2^32 − 1) (`theory.superposition.sampler_thresholds`, float64); on the device
one word r ~ U{0, …, 2^32 − 1} per entry gives both the event (r < t_i) and, given the event,
the value v_max·(r + 0.5)/t_i, uniform on a t_i-level grid. Why not a float32 uniform: its 2^-23
resolution leaves a feature of p = 6e-7 with only 5 value levels and a 15 % too high mean; and one
draw per entry is ~4.5x cheaper on CPU than two, which matters because sampling dominates a step.

Common random numbers: `features_from_bits` takes the words as an argument, so every model of a
sweep may read the same words of a step (each still sees i.i.d. data of its own frequencies).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from theory.superposition import sampler_thresholds

__all__ = ["sampler_thresholds", "features_from_bits", "sample_features", "thresholds_to_device"]


def thresholds_to_device(p: np.ndarray) -> jax.Array:
    """uint32 thresholds of a probability vector (float64 on the host, then to the device)."""
    return jnp.asarray(sampler_thresholds(p), dtype=jnp.uint32)


def features_from_bits(bits: jax.Array, thresholds: jax.Array, v_max: float = 1.0,
                       dtype: jnp.dtype = jnp.float32) -> jax.Array:
    """x = v_max·(r + ½)/t where r < t, else 0; ``bits`` (…, n) uint32, ``thresholds`` (n,).

    Computed in float32 on purpose: (r + ½)/t < 1 for every r < t, and at t = 2^32 − 1 float32
    rounding can reach 1.0 exactly (value v_max), which stays inside (0, v_max]. The division is
    written as a product with 1/t: XLA rewrites a division by a broadcast divisor that way anyway,
    and written out, the same entries read at gathered thresholds (``sparse_features``) round
    the same, bit for bit.
    """
    # Leading unit axes made explicit, so callers may pass (n,) thresholds with (…, n) words
    # under JAX_NUMPY_RANK_PROMOTION=raise.
    thresholds = jnp.reshape(thresholds, (1,) * (bits.ndim - thresholds.ndim) + thresholds.shape)
    active = bits < thresholds
    safe_t = jnp.maximum(thresholds, 1).astype(dtype)
    values = v_max * (bits.astype(dtype) + 0.5) * (1.0 / safe_t)
    return jnp.where(active, values, jnp.zeros((), dtype))


def sample_features(key: jax.Array, thresholds: jax.Array, batch: int, v_max: float = 1.0,
                    dtype: jnp.dtype = jnp.float32) -> jax.Array:
    """(batch, n) i.i.d. samples: one ``jax.random.bits`` word per entry."""
    bits = jax.random.bits(key, (batch, thresholds.shape[-1]), jnp.uint32)
    return features_from_bits(bits, thresholds, v_max, dtype)
