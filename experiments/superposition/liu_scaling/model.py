"""Liu, Liu & Gore toy model: tied ReLU autoencoder, the Liu AdamW, schedule, sweep trainer.

Spec superposition.md §2.1. Rows of W (n × m) are features; y = ReLU(x W Wᵀ + b).

- Init: W_ij ~ N(0, 1/m), b_i ~ N(0, 1) (not zero: it sets the early loss).
- Optimised loss: ``loss_scale`` × mean over batch and features of (y − x)² (1 for the small
  models as the authors' ``nn.MSELoss``, 100 for the large ones as ``exp-17``); every reported
  loss is the sum over features, n × mean (the scale only matters through Adam's eps).
- Optimiser (hand-written so that γ can be an instance-axis value): decay or growth of W with
  the scheduled η_W before the Adam step; γ ≥ 0: W ← W − η_W γ W (PyTorch AdamW); γ < 0:
  W_i ← W_i − η_W γ W_i (1/(‖W_i‖ + 1e-8) − 1), gradient descent on ½(‖W_i‖ − 1)².
- Schedule: linear warm-up to the peak over T_w steps, then cosine to a 5 % floor at step T.

Performance: a sweep is one ``jit`` program per width bucket, ``lax.scan`` over steps with a
``vmap`` over the instance axis inside the step. Common random numbers: each step draws ONE
(B, n) uint32 word array from ``fold_in(data_key, step)`` outside the instance vmap, and every
model reads those words against its own thresholds (each still sees i.i.d. data of its own
frequencies). Widths and weight decays of one seed therefore see the same data stream; the
evaluation uses a separate stream (``fold_in(key, EVAL_STREAM)``), shared the same way.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from experiments.superposition.shared.sampler import features_from_bits

BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
NORM_EPS = 1e-8
V_MAX = 2.0  # values v ~ U(0, 2): <v> = 1, <v²> = 4/3
INIT_STREAM, DATA_STREAM, EVAL_STREAM = 0, 1, 2


class Params(NamedTuple):
    """W (…, n, m) and b (…, n)."""

    W: jax.Array
    b: jax.Array


class AdamState(NamedTuple):
    """First and second moments of W and b (same shapes as the parameters)."""

    mu: Params
    nu: Params


def init_params(key: jax.Array, n: int, m: int) -> Params:
    """W_ij ~ N(0, 1/m) (row norms ≈ 1), b_i ~ N(0, 1) (Liu init, trap 3)."""
    kw, kb = jax.random.split(key)
    w = jax.random.normal(kw, (n, m), jnp.float32) / jnp.sqrt(jnp.float32(m))
    return Params(w, jax.random.normal(kb, (n,), jnp.float32))


def init_adam(params: Params) -> AdamState:
    zeros = jax.tree.map(jnp.zeros_like, params)
    return AdamState(zeros, zeros)


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


def forward(params: Params, x: jax.Array) -> jax.Array:
    """y = ReLU(x W Wᵀ + b) for a batch x (B, n); h = x W first (B × m, cheap for m ≪ n)."""
    h = x @ params.W
    return jax.nn.relu(h @ params.W.T + params.b[..., None, :])


def batch_loss_sum(params: Params, x: jax.Array) -> jax.Array:
    """Reported loss: mean over the batch of the sum over features of (y − x)²."""
    err = forward(params, x) - x
    return jnp.mean(jnp.sum(err * err, axis=-1))


def objective(params: Params, x: jax.Array, loss_scale: float) -> jax.Array:
    """Optimised loss: loss_scale × mean over batch and features (trap 2)."""
    err = forward(params, x) - x
    return loss_scale * jnp.mean(err * err)


def decay_increment(w: jax.Array, gamma: jax.Array, lr: jax.Array) -> jax.Array:
    """Change of W from decay (γ ≥ 0) or row-norm growth (γ < 0), applied before Adam."""
    norms = jnp.sqrt(jnp.sum(w * w, axis=-1, keepdims=True))
    factor = jnp.where(gamma >= 0, jnp.ones_like(norms), 1.0 / (norms + NORM_EPS) - 1.0)
    return -lr * gamma * w * factor


def _adam(p: jax.Array, g: jax.Array, mu: jax.Array, nu: jax.Array, lr: jax.Array,
          step: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    mu = BETA1 * mu + (1.0 - BETA1) * g
    nu = BETA2 * nu + (1.0 - BETA2) * g * g
    s = jnp.asarray(step, jnp.float32)
    bc1 = 1.0 - BETA1 ** s
    bc2 = 1.0 - BETA2 ** s
    p = p - lr / bc1 * mu / (jnp.sqrt(nu) / jnp.sqrt(bc2) + ADAM_EPS)
    return p, mu, nu


def liu_update(params: Params, state: AdamState, grads: Params, gamma: jax.Array,
               lr_w: jax.Array, lr_b: jax.Array, step: jax.Array) -> tuple[Params, AdamState]:
    """One Liu AdamW step (spec §2.1 items 3–4) at 1-based ``step``; γ may be traced."""
    w = params.W + decay_increment(params.W, gamma, lr_w)
    w, mu_w, nu_w = _adam(w, grads.W, state.mu.W, state.nu.W, lr_w, step)
    b, mu_b, nu_b = _adam(params.b, grads.b, state.mu.b, state.nu.b, lr_b, step)
    return Params(w, b), AdamState(Params(mu_w, mu_b), Params(nu_w, nu_b))


class TrainSettings(NamedTuple):
    """Static settings of one width bucket (hashable: they key the compiled program)."""

    m: int
    batch: int
    steps: int
    floor_frac: float = 0.05
    curve_every: int = 100


class InstanceHParams(NamedTuple):
    """Per-instance values (arrays with the instance axis first): one program serves cells
    with different γ, peak rates, warm-up and loss scale (e.g. small and large models of one
    shape)."""

    gamma: jax.Array
    lr_w: jax.Array
    lr_b: jax.Array
    warmup: jax.Array
    loss_scale: jax.Array


def _train_one_seed(thresholds: jax.Array, hp: InstanceHParams, init_keys: jax.Array,
                    data_key: jax.Array, s: TrainSettings) -> dict[str, jax.Array]:
    """Instances (I,) of one seed: shared data words per step, vmap over instances inside."""
    n = thresholds.shape[-1]
    params = jax.vmap(lambda k: init_params(k, n, s.m))(init_keys)
    state = init_adam(params)

    def instance_step(p, st, thr, h, bits, step):
        x = features_from_bits(bits, thr[None, :], V_MAX)  # (1, n): explicit broadcast
        loss, grads = jax.value_and_grad(objective)(p, x, h.loss_scale)
        lr_w = schedule(step, h.lr_w, h.warmup, s.steps, s.floor_frac)
        lr_b = schedule(step, h.lr_b, h.warmup, s.steps, s.floor_frac)
        p, st = liu_update(p, st, grads, h.gamma, lr_w, lr_b, step)
        return p, st, loss * (n / h.loss_scale)  # optimised value -> sum over features

    def step_fn(carry, step):
        p, st = carry
        bits = jax.random.bits(jax.random.fold_in(data_key, step), (s.batch, n), jnp.uint32)
        p, st, loss = jax.vmap(instance_step, in_axes=(0, 0, 0, 0, None, None))(
            p, st, thresholds, hp, bits, step)
        return (p, st), loss

    def chunk_fn(carry, chunk_index):
        steps = chunk_index * s.curve_every + 1 + jnp.arange(s.curve_every)
        carry, losses = jax.lax.scan(step_fn, carry, steps)
        return carry, jnp.mean(losses, axis=0)

    chunks = jnp.arange(s.steps // s.curve_every)
    (params, _), curve = jax.lax.scan(chunk_fn, (params, state), chunks)
    return {"W": params.W, "b": params.b, "curve": curve.T}


@functools.partial(jax.jit, static_argnames=("settings",))
def train_seeds(thresholds: jax.Array, hparams: InstanceHParams, init_keys: jax.Array,
                data_keys: jax.Array, settings: TrainSettings) -> dict[str, jax.Array]:
    """Seed axis S over ``_train_one_seed``: thresholds (S, I, n), each hparams field (S, I),
    init_keys (S, I), data_keys (S,). Returns W (S, I, n, m), b (S, I, n), curve
    (S, I, steps/curve_every): train loss (sum over features) averaged over each block."""
    return jax.vmap(_train_one_seed, in_axes=(0, 0, 0, 0, None))(
        thresholds, hparams, init_keys, data_keys, settings)


def make_hparams(gammas: np.ndarray, lr_w: np.ndarray | float, lr_b: np.ndarray | float,
                 warmup: np.ndarray | int, loss_scale: np.ndarray | float) -> InstanceHParams:
    """float32 per-instance hyperparameters broadcast to the shape of ``gammas``."""
    shape = np.shape(gammas)
    return InstanceHParams(*(jnp.asarray(np.broadcast_to(np.asarray(v, np.float32), shape))
                             for v in (gammas, lr_w, lr_b, warmup, loss_scale)))


def train_sweep(thresholds: jax.Array, gammas: jax.Array, key: jax.Array, *, m: int,
                batch: int, steps: int, warmup: int, lr_w: float, lr_b: float,
                floor_frac: float = 0.05, loss_scale: float = 1.0, curve_every: int = 100,
                init_ids: jax.Array | None = None) -> dict[str, jax.Array]:
    """Trains I models of one width m on one shared data stream (jit(vmap) + lax.scan).

    Args:
      thresholds: (I, n) uint32 sampler thresholds (``shared.sampler.thresholds_to_device``).
      gammas: (I,) decay (γ ≥ 0) or growth (γ < 0) strengths.
      key: root key; init key of instance i = fold_in(fold_in(key, INIT_STREAM), init_ids[i]),
        data words of step s = bits(fold_in(fold_in(key, DATA_STREAM), s)).
      m, batch, steps, warmup, lr_w, lr_b, floor_frac, loss_scale: §2.1 settings (peak rates;
        warm-up in steps); lr_w, lr_b, warmup, loss_scale may also be (I,) arrays.
      curve_every: the returned curve averages the train loss over blocks of this many steps
        (``steps`` must be a multiple).
      init_ids: (I,) int32 instance ids for the init keys (default arange(I)).

    Returns:
      dict with W (I, n, m), b (I, n), curve (I, steps // curve_every), all float32.
    """
    if steps % curve_every:
        raise ValueError(f"steps ({steps}) must be a multiple of curve_every ({curve_every})")
    count = thresholds.shape[0]
    ids = jnp.arange(count) if init_ids is None else jnp.asarray(init_ids)
    if count == 1:
        # XLA:CPU lowers a batch of one to unbatched dots whose float32 rounding differs from
        # the batched kernel by ~1 ulp; padding to two keeps a run alone bit-identical to the
        # same cell inside a sweep.
        out = train_sweep(jnp.concatenate([thresholds] * 2), jnp.concatenate(
            [jnp.asarray(gammas, jnp.float32).reshape(1)] * 2), key, m=m, batch=batch,
            steps=steps, warmup=warmup, lr_w=lr_w, lr_b=lr_b, floor_frac=floor_frac,
            loss_scale=loss_scale, curve_every=curve_every, init_ids=jnp.concatenate([ids] * 2))
        return jax.tree.map(lambda a: a[:1], out)
    init_root = jax.random.fold_in(key, INIT_STREAM)
    init_keys = jax.vmap(lambda i: jax.random.fold_in(init_root, i))(ids)
    settings = TrainSettings(int(m), int(batch), int(steps), float(floor_frac), int(curve_every))
    hp = make_hparams(np.asarray(gammas, np.float32)[None], lr_w, lr_b, warmup, loss_scale)
    out = train_seeds(jnp.asarray(thresholds)[None], hp, init_keys[None],
                      jax.random.fold_in(key, DATA_STREAM)[None], settings)
    return jax.tree.map(lambda a: a[0], out)


@functools.partial(jax.jit, static_argnames=("batches", "batch"))
def eval_seeds(W: jax.Array, b: jax.Array, thresholds: jax.Array, eval_keys: jax.Array,
               batches: int, batch: int) -> jax.Array:
    """Per-batch test losses (sum over features) on fresh data: (S, I, batches).

    W (S, I, n, m), b (S, I, n), thresholds (S, I, n), eval_keys (S,). Every model of a seed
    reads the same fresh words (a stream separate from training)."""
    def one_seed(w, bias, thr, key):
        n = thr.shape[-1]

        def body(_, j):
            bits = jax.random.bits(jax.random.fold_in(key, j), (batch, n), jnp.uint32)

            def per_model(wi, bi, ti):
                x = features_from_bits(bits, ti[None, :], V_MAX)
                return batch_loss_sum(Params(wi, bi), x)

            return None, jax.vmap(per_model)(w, bias, thr)

        _, losses = jax.lax.scan(body, None, jnp.arange(batches))
        return losses.T

    return jax.vmap(one_seed)(W, b, thresholds, eval_keys)
