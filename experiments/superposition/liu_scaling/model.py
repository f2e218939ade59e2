"""Liu, Liu & Gore toy model: tied ReLU autoencoder, the Liu AdamW (optax), schedule, sweep trainer.

Spec superposition.md §2.1. Rows of W (n × m) are features; y = ReLU(x W Wᵀ + b).

- Init: W_ij ~ N(0, 1/m), b_i ~ N(0, 1) (not zero: it sets the early loss).
- Optimised loss: ``loss_scale`` × mean over batch and features of (y − x)² (1 for the small
  models as the authors' ``nn.MSELoss``, 100 for the large ones as ``exp-17``); every reported
  loss is the sum over features, n × mean (the scale only matters through Adam's eps).
- Optimiser: ``liu_adamw``, an ``optax.GradientTransformation`` (γ, peak rates and warm-up may be
  instance-axis values): ``optax.scale_by_adam`` on W and b, plus on W the decay/growth term
  (``add_signed_decay``) with the scheduled η_W, like ``optax.adamw``'s decoupled decay:
  W ← W − η_W (Adam direction + γ f(W) W); γ ≥ 0: f = 1 (PyTorch AdamW, equal to
  ``optax.adamw``); γ < 0: f_i = 1/(‖W_i‖ + 1e-8) − 1, gradient descent on ½(‖W_i‖ − 1)².
  Params are a plain (W, b) pytree (``Params``), not a Flax module: the forward pass is one
  line, and the sweep vmaps the parameters directly.
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
import optax

from experiments.superposition.shared.sampler import features_from_bits

BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
NORM_EPS = 1e-8
V_MAX = 2.0  # values v ~ U(0, 2): <v> = 1, <v²> = 4/3
INIT_STREAM, DATA_STREAM, EVAL_STREAM = 0, 1, 2


class Params(NamedTuple):
    """W (…, n, m) and b (…, n)."""

    W: jax.Array
    b: jax.Array


def init_params(key: jax.Array, n: int, m: int) -> Params:
    """W_ij ~ N(0, 1/m) (row norms ≈ 1), b_i ~ N(0, 1) (Liu init, trap 3)."""
    kw, kb = jax.random.split(key)
    w = jax.random.normal(kw, (n, m), jnp.float32) / jnp.sqrt(jnp.float32(m))
    return Params(w, jax.random.normal(kb, (n,), jnp.float32))


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
    """The Liu AdamW on ``Params``: Adam (β = (0.9, 0.999), eps 1e-8) on W and b, the signed
    decay/growth term on W only, rates ``lr_w`` and ``lr_b`` (scalars or schedules of optax's
    0-based step count). For γ ≥ 0 it is ``optax.adamw(lr, weight_decay=γ)`` masked to W."""
    adam = functools.partial(optax.scale_by_adam, b1=BETA1, b2=BETA2, eps=ADAM_EPS)
    return optax.partition(
        {"W": optax.chain(adam(), add_signed_decay(gamma), optax.scale_by_learning_rate(lr_w)),
         "b": optax.chain(adam(), optax.scale_by_learning_rate(lr_b))},
        Params("W", "b"))


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


def instance_optimizer(h: InstanceHParams, s: TrainSettings) -> optax.GradientTransformation:
    """``liu_adamw`` of one instance: its γ and its peak rates on the §2.1 schedule (1-based
    step = optax's count + 1)."""
    def rate(peak):
        return lambda count: schedule(count + 1, peak, h.warmup, s.steps, s.floor_frac)

    return liu_adamw(rate(h.lr_w), rate(h.lr_b), h.gamma)


def _train_one_seed(thresholds: jax.Array, hp: InstanceHParams, init_keys: jax.Array,
                    data_key: jax.Array, s: TrainSettings) -> dict[str, jax.Array]:
    """Instances (I,) of one seed: shared data words per step, vmap over instances inside."""
    n = thresholds.shape[-1]
    params = jax.vmap(lambda k: init_params(k, n, s.m))(init_keys)
    state = jax.vmap(lambda p, h: instance_optimizer(h, s).init(p))(params, hp)

    def instance_step(p, st, thr, h, bits):
        x = features_from_bits(bits, thr[None, :], V_MAX)  # (1, n): explicit broadcast
        loss, grads = jax.value_and_grad(objective)(p, x, h.loss_scale)
        updates, st = instance_optimizer(h, s).update(grads, st, p)
        return optax.apply_updates(p, updates), st, loss * (n / h.loss_scale)  # sum over features

    def step_fn(carry, step):
        p, st = carry
        bits = jax.random.bits(jax.random.fold_in(data_key, step), (s.batch, n), jnp.uint32)
        p, st, loss = jax.vmap(instance_step, in_axes=(0, 0, 0, 0, None))(
            p, st, thresholds, hp, bits)
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
