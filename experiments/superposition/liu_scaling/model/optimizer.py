"""The Liu AdamW as an optax ``GradientTransformation``, and the learning-rate schedule (§2.1).

``optax.scale_by_adam`` (β = (0.9, 0.999), eps 1e-8) on W and b, plus on W the decay/growth term
(``add_signed_decay``) with the scheduled η_W, like ``optax.adamw``'s decoupled decay:
W ← W − η_W (Adam direction + γ f(W) W); γ ≥ 0: f = 1 (PyTorch AdamW, equal to ``optax.adamw``);
γ < 0: f_i = 1/(‖W_i‖ + 1e-8) − 1, gradient descent on ½(‖W_i‖ − 1)². γ, peak rates and warm-up
may be traced values (one compiled program serves many cells).
Schedule: linear warm-up to the peak over T_w steps, then cosine to a 5 % floor at step T.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import optax

from experiments.superposition.liu_scaling.model.network import Params

BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
NORM_EPS = 1e-8


def schedule(step: jax.Array, peak: jax.Array | float, warmup: jax.Array | int, total: int,
             floor_frac: float = 0.05) -> jax.Array:
    """η(s) for 1-based step s: peak·s/T_w for s ≤ T_w, then cosine to floor_frac·peak at T."""
    s = jnp.asarray(step, jnp.float32)
    warmup = jnp.asarray(warmup, jnp.float32)
    floor = floor_frac * peak
    warm = peak * s / jnp.maximum(warmup, 1.0)
    progress = (s - warmup) / jnp.maximum(total - warmup, 1.0)
    cosine = floor + (peak - floor) * 0.5 * (1.0 + jnp.cos(jnp.pi * progress))
    return jnp.where(s <= warmup, warm, cosine).astype(jnp.float32)


def decay_direction(w: jax.Array, gamma: jax.Array) -> jax.Array:
    """γ f(W) W: decay (γ ≥ 0, f = 1) or row-norm growth (γ < 0, f_i = 1/(‖W_i‖ + 1e-8) − 1);
    the step scales it by −η_W."""
    norms = jnp.sqrt(jnp.sum(w * w, axis=-1, keepdims=True))
    factor = jnp.where(gamma >= 0, jnp.ones_like(norms), 1.0 / (norms + NORM_EPS) - 1.0)
    return gamma * (w * factor)


def decay_increment(w: jax.Array, gamma: jax.Array, lr: jax.Array) -> jax.Array:
    """Change of W from decay (γ ≥ 0) or row-norm growth (γ < 0) at rate ``lr``."""
    return -lr * decay_direction(w, gamma)


def add_signed_decay(gamma: jax.Array) -> optax.GradientTransformation:
    """updates + γ f(W) W (``decay_direction``); for γ ≥ 0 this is
    ``optax.add_decayed_weights(γ)`` (f = 1 multiplies exactly). ``gamma`` may be traced."""

    def init_fn(params):
        del params
        return optax.EmptyState()

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError("add_signed_decay needs the parameters")
        return jax.tree.map(lambda g, p: g + decay_direction(p, gamma), updates, params), state

    return optax.GradientTransformation(init_fn, update_fn)


def liu_adamw(lr_w: optax.ScalarOrSchedule, lr_b: optax.ScalarOrSchedule,
              gamma: jax.Array) -> optax.GradientTransformation:
    """The Liu AdamW on ``Params``: Adam on W and b, the signed decay/growth term on W only,
    rates ``lr_w`` and ``lr_b`` (scalars or schedules of optax's 0-based step count). For γ ≥ 0
    it is ``optax.adamw(lr, weight_decay=γ)`` masked to W."""
    adam = functools.partial(optax.scale_by_adam, b1=BETA1, b2=BETA2, eps=ADAM_EPS)
    return optax.partition(
        {"W": optax.chain(adam(), add_signed_decay(gamma), optax.scale_by_learning_rate(lr_w)),
         "b": optax.chain(adam(), optax.scale_by_learning_rate(lr_b))},
        Params("W", "b"))
