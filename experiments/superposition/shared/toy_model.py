"""Elhage et al. toy model of superposition: tied autoencoder, AdamW (optax), lax.scan trainer.

Spec superposition.md §2.0 and §2.2. Orientation: W is (n_features, m_hidden), row W_i is the
representation of feature i, y = ReLU(x W W^T + b) (the paper's W is the transpose). Data: each
feature is 0 with probability S, else U(0, 1) — the pillar sampler (``shared.sampler``) with
p = 1 − S and v_max = 1, fresh words every step, drawn on device inside the scan.

Optimiser (trap 12): AdamW in the PyTorch convention, on W and b alike, as ``optax.adamw``
(``tms_optimizer``): p ← p − lr·(m̂ / (sqrt(v̂) + eps) + wd·p), i.e. PyTorch's
p (1 − lr·wd) − lr·m̂ / (sqrt(v̂) + eps) with the decay folded into the update; Adam with bias
correction, β = (0.9, 0.999), eps 1e-8, constant lr. weight_decay is a traced argument so it can
vary along an instance axis. ``train_tms`` is a pure function: callers vmap it,
``jax.jit(jax.vmap(functools.partial(train_tms, m=..., batch=..., steps=...)))(keys, t, I, wd)``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from experiments.superposition.shared.sampler import features_from_bits

__all__ = ["sample_tms", "init_tms", "tms_forward", "tms_loss", "tms_optimizer", "train_tms",
           "tms_eval_loss"]

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def sample_tms(key: jax.Array, thresholds: jax.Array, batch: int) -> jax.Array:
    """(batch, n) TMS data (v_max = 1) via the pillar sampler, broadcasting made explicit.

    The thresholds are passed as (1, n) so the sampler's comparisons run under
    ``jax_numpy_rank_promotion=raise`` (the tests' setting).
    """
    bits = jax.random.bits(key, (batch, thresholds.shape[-1]), jnp.uint32)
    return features_from_bits(bits, thresholds[None, :], 1.0, jnp.float32)


def init_tms(key: jax.Array, n: int, m: int) -> tuple[jax.Array, jax.Array]:
    """Xavier-normal W (n, m), std sqrt(2/(n + m)), and b = 0 (n,), float32."""
    std = (2.0 / (n + m)) ** 0.5
    W = std * jax.random.normal(key, (n, m), dtype=jnp.float32)
    return W, jnp.zeros((n,), dtype=jnp.float32)


# Below this many weights per instance the matmuls run as broadcast-multiply-sums: XLA's CPU
# batched dot over an instance axis is 2-3x slower than a fused elementwise loop at n·m ≤ 16
# (5 → 2: 9 vs 23 ms/step for 20 instances at B 1024), and slower above it (20 → 5).
_ELEMENTWISE_MAX = 16


def _lead(a: jax.Array, ndim: int) -> jax.Array:
    """``a`` with leading unit axes up to ``ndim`` (explicit broadcasting)."""
    return jnp.reshape(a, (1,) * (ndim - a.ndim) + a.shape)


def tms_forward(W: jax.Array, b: jax.Array, x: jax.Array, relu=True) -> jax.Array:
    """y = ReLU(x W W^T + b) (or without the ReLU); x (..., n).

    ``relu`` is a Python bool, or a traced boolean scalar (so ReLU and linear instances can share
    one instance axis; then y = where(relu, ReLU(pre), pre)).
    """
    if W.shape[0] * W.shape[1] <= _ELEMENTWISE_MAX:
        h = jnp.sum(x[..., :, None] * _lead(W, x.ndim + 1), axis=-2)
        pre = jnp.sum(h[..., None, :] * _lead(W, x.ndim + 1), axis=-1)
    else:
        pre = (x @ W) @ W.T
    pre = pre + _lead(b, x.ndim)
    if isinstance(relu, bool):
        return jax.nn.relu(pre) if relu else pre
    return jnp.where(relu, jax.nn.relu(pre), pre)


def tms_loss(W: jax.Array, b: jax.Array, x: jax.Array, importance: jax.Array,
             relu=True) -> jax.Array:
    """Batch mean of Σ_i I_i (x_i − y_i)^2 (sum over features, importance-weighted)."""
    err = x - tms_forward(W, b, x, relu)
    return jnp.mean(jnp.sum(_lead(importance, x.ndim) * err * err, axis=-1))


def tms_optimizer(lr: float, weight_decay) -> optax.GradientTransformation:
    """PyTorch-convention AdamW on every parameter (decoupled decay lr·wd·p, constant lr);
    ``weight_decay`` may be a traced scalar."""
    return optax.adamw(lr, b1=BETA1, b2=BETA2, eps=EPS, weight_decay=weight_decay)


def train_tms(key: jax.Array, thresholds: jax.Array, importance: jax.Array, weight_decay,
              *, m: int, batch: int, steps: int, lr: float = 1e-3, relu=True,
              log_every: int = 100) -> dict:
    """Train one TMS instance; returns {"W", "b", "loss_curve"} (curve: mean loss per block).

    ``thresholds`` (n,) uint32 sampler thresholds of p = 1 − S; ``importance`` (n,) float32;
    ``weight_decay`` scalar (may be traced); ``relu`` a bool or a traced boolean scalar.
    ``steps`` must be a multiple of ``log_every``; the curve has steps // log_every entries,
    each the mean batch loss over its block of steps.
    """
    if steps % log_every:
        raise ValueError(f"steps={steps} must be a multiple of log_every={log_every}")
    n = thresholds.shape[-1]
    init_key, data_key = jax.random.split(key)
    params = init_tms(init_key, n, m)
    importance = importance.astype(jnp.float32)
    weight_decay = jnp.asarray(weight_decay, jnp.float32)
    grad_fn = jax.value_and_grad(lambda p, x: tms_loss(p[0], p[1], x, importance, relu))
    tx = tms_optimizer(lr, weight_decay)

    def step(carry, step_index):
        params, opt = carry
        x = sample_tms(jax.random.fold_in(data_key, step_index), thresholds, batch)
        loss, grads = grad_fn(params, x)
        updates, opt = tx.update(grads, opt, params)
        return (optax.apply_updates(params, updates), opt), loss

    def block(carry, block_index):
        idx = block_index * log_every + jnp.arange(log_every, dtype=jnp.int32)
        carry, losses = jax.lax.scan(step, carry, idx)
        return carry, jnp.mean(losses)

    (params, _), curve = jax.lax.scan(block, (params, tx.init(params)),
                                      jnp.arange(steps // log_every, dtype=jnp.int32))
    return {"W": params[0], "b": params[1], "loss_curve": curve.astype(jnp.float32)}


def tms_eval_loss(key: jax.Array, W: jax.Array, b: jax.Array, thresholds: jax.Array,
                  importance: jax.Array, *, batch: int, batches: int,
                  relu=True) -> jax.Array:
    """(batches,) losses (sum over features, batch mean) on fresh data; mean and SE by caller."""
    def one(_, k):
        x = sample_tms(k, thresholds, batch)
        return None, tms_loss(W, b, x, importance.astype(jnp.float32), relu)

    _, losses = jax.lax.scan(one, None, jax.random.split(key, batches))
    return losses
