"""The sweep trainer of ``liu_scaling``: many models per compiled program, one scan over steps.

A sweep is one ``jit`` program per bucket of (n, batch, steps) with the sparse encoder (every
width a group of the program), or per width with the dense one: ``lax.scan`` over steps, the
seed and instance axes vmapped inside the step. Common random numbers: each step draws ONE
(B, n) uint32 word array per seed (``training_words``), and every model of the seed reads those
words against its own thresholds (each still sees i.i.d. data of its own frequencies). Widths
and weight decays of one seed therefore see the same data stream; the evaluation uses a separate
stream (``fold_in(key, EVAL_STREAM)``), shared the same way.

Sparse encoder (``TrainSettings.slots`` > 0): the step finds each row's candidate columns once
per seed (``shared.sparse_features``, against the bucket's candidate thresholds, so the slots do
not depend on chunking or devices), lists them per chunk of ``row_chunk`` rows, and every model
trains on ``network.sparse_loss_and_grads``; a step in which a row has more candidates than
slots, or a chunk more than ``capacity`` entries, is detected and computed densely instead
(exact either way; the number of such steps is returned). ``slots`` = 0 is the dense form.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.superposition.liu_scaling.model.network import (
    V_MAX,
    Params,
    batch_loss_sum,
    init_params,
    objective,
    sparse_loss_and_grads,
)
from experiments.superposition.liu_scaling.model.optimizer import liu_adamw, schedule
from experiments.superposition.shared import sparse_features
from experiments.superposition.shared.sampler import features_from_bits

INIT_STREAM, DATA_STREAM, EVAL_STREAM = 0, 1, 2
SPARSE_MAX_FRACTION = 0.125  # "auto" keeps the dense form when slots > n/8 (nothing to save)


class TrainSettings(NamedTuple):
    """Static settings of one program (hashable: they key the compiled program). ``widths``: one
    m per width group; all groups of a program share batch, steps and the data words."""

    widths: tuple[int, ...]
    batch: int
    steps: int
    floor_frac: float = 0.05
    curve_every: int = 100
    slots: int = 0  # 0: dense encoder; K > 0: sparse encoder with K slots per row

    row_chunk: int = 256  # rows per chunk of ``network.sparse_loss_and_grads`` (see there)
    capacity: int = 0  # entries per chunk (``sparse_features.chunk_capacity``)


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


def sparse_layout(thresholds: np.ndarray, batch: int, steps: int, seeds: int = 1,
                  encoder: str = "auto", row_chunk: int = 256) -> tuple[int, int]:
    """(``TrainSettings.slots``, ``TrainSettings.capacity``) for models sharing words with
    these thresholds (…, n) over a run of seeds × steps batches: "dense" → (0, 0); "sparse" →
    ``sparse_features.slot_count`` and ``chunk_capacity`` (overflow improbable over the run);
    "auto" → sparse unless that needs more than n/8 slots per row (nothing to save)."""
    if encoder == "dense":
        return 0, 0
    slots = sparse_features.slot_count(thresholds, seeds * steps * batch)
    if encoder == "auto" and slots > SPARSE_MAX_FRACTION * np.shape(thresholds)[-1]:
        return 0, 0
    chunk = math.gcd(batch, row_chunk)
    capacity = sparse_features.chunk_capacity(thresholds, chunk, seeds * steps * batch // chunk)
    return slots, min(capacity, chunk * slots)


def losses_and_grads(params: tuple[Params, ...], words: jax.Array,
                     thresholds: tuple[jax.Array, ...], loss_scale: tuple[jax.Array, ...],
                     candidates: jax.Array, slots: int, row_chunk: int = 256,
                     capacity: int = 0) -> tuple[tuple[jax.Array, ...], tuple[Params, ...],
                                                 jax.Array]:
    """Optimised loss and gradient of every model of a step, and whether the step was dense.

    One entry per width group g: params[g] (S, I_g, …), thresholds[g] (S, I_g, n),
    loss_scale[g] (S, I_g); words (S, B, n) uint32; candidates (S, n)
    (``sparse_features.candidate_thresholds`` of all models sharing a seed's words; unused when
    ``slots`` = 0). Model (s, i) of a group reads words[s] against its thresholds. Sparse
    encoder: ``slots`` per row, ``capacity`` entries per chunk of ``row_chunk`` rows (0: all
    the slots of the chunk)."""
    def dense_one(p, w, thr, scale):
        return jax.value_and_grad(objective)(p, features_from_bits(w, thr, V_MAX), scale)

    def dense_all():
        return tuple(zip(*(jax.vmap(jax.vmap(dense_one, in_axes=(0, None, 0, 0)))(
            p, words, thr, scale) for p, thr, scale in zip(params, thresholds, loss_scale,
                                                             strict=True)), strict=True))

    if not slots:
        loss, grads = dense_all()
        return loss, grads, jnp.bool_(True)
    row_chunk = math.gcd(words.shape[-2], row_chunk)
    capacity = capacity or row_chunk * slots
    entries = jax.vmap(sparse_features.step_entries, in_axes=(0, 0, None, None, None))(
        words, candidates, slots, row_chunk, capacity)

    def sparse_one(p, e, thr, scale):
        values = sparse_features.entry_values(e, thr, V_MAX)
        return sparse_loss_and_grads(p, e.rows, e.columns, values, scale, row_chunk)

    def sparse_all():
        return tuple(zip(*(jax.vmap(jax.vmap(sparse_one, in_axes=(0, None, 0, 0)))(
            p, entries, thr, scale)
            for p, thr, scale in zip(params, thresholds, loss_scale, strict=True)), strict=True))

    # One scalar for all seeds (the cond stays a branch): a step where a row is over its slots
    # or a chunk over its capacity is computed densely.
    overflow = jnp.any(entries.overflow)
    loss, grads = jax.lax.cond(overflow, dense_all, sparse_all)
    return loss, grads, overflow


def training_words(data_key: jax.Array, step: jax.Array, batch: int, n: int) -> jax.Array:
    """The (batch, n) uint32 words of a training step: ``bits(fold_in(data_key, step))`` with
    JAX's non-partitionable threefry (``jax.threefry_partitionable(False)``), the same
    Threefry-2x32 counter hash laid out so that XLA:CPU makes 2M words in 9 ms instead of 24 ms
    (measured; the words are never sharded, every device of a seed needs all of them)."""
    with jax.threefry_partitionable(False):
        return jax.random.bits(jax.random.fold_in(data_key, step), (batch, n), jnp.uint32)


class WidthGroup(NamedTuple):
    """The models of one width in a program: thresholds (S, I, n) uint32, hparams (each field
    (S, I)), init_keys (S, I)."""

    thresholds: jax.Array
    hparams: InstanceHParams
    init_keys: jax.Array


@functools.partial(jax.jit, static_argnames=("settings",))
def train_seeds(groups: tuple[WidthGroup, ...], data_keys: jax.Array, settings: TrainSettings,
                candidates: jax.Array | None = None) -> tuple[dict[str, jax.Array], ...]:
    """Trains S seeds × the instances of every width group (``settings.widths[g]`` for group g)
    on the same words: data_keys (S,), candidates (S, n) when ``settings.slots`` > 0 (default:
    the max over every group's thresholds). Returns per group W (S, I, n, m), b (S, I, n),
    curve (S, I, steps/curve_every): train loss (sum over features) averaged over each block,
    and dense_steps (): the steps computed densely (all of them when slots = 0)."""
    s = settings
    n = groups[0].thresholds.shape[-1]
    thresholds = tuple(g.thresholds for g in groups)
    hparams = tuple(g.hparams for g in groups)
    if candidates is None:
        candidates = jnp.max(jnp.concatenate(thresholds, axis=1), axis=1)
    params = tuple(jax.vmap(jax.vmap(lambda k, m=m: init_params(k, n, m)))(g.init_keys)
                   for g, m in zip(groups, s.widths, strict=True))
    init = jax.vmap(jax.vmap(lambda p, h: instance_optimizer(h, s).init(p)))
    state = tuple(init(p, h) for p, h in zip(params, hparams, strict=True))

    def update(p, st, g, h):
        updates, st = instance_optimizer(h, s).update(g, st, p)
        return optax.apply_updates(p, updates), st

    def step_fn(carry, step):
        p, st, dense_steps = carry
        words = jax.vmap(lambda k: training_words(k, step, s.batch, n))(data_keys)
        loss, grads, dense = losses_and_grads(p, words, thresholds,
                                              tuple(h.loss_scale for h in hparams), candidates,
                                              s.slots, s.row_chunk, s.capacity)
        p, st = zip(*(jax.vmap(jax.vmap(update))(*a) for a in zip(p, st, grads, hparams,
                                                                    strict=True)), strict=True)
        loss = tuple(l * (n / h.loss_scale) for l, h in zip(loss, hparams, strict=True))
        return (tuple(p), tuple(st), dense_steps + dense), loss  # loss: sum over features

    def chunk_fn(carry, chunk_index):
        steps = chunk_index * s.curve_every + 1 + jnp.arange(s.curve_every)
        carry, losses = jax.lax.scan(step_fn, carry, steps)
        return carry, tuple(jnp.mean(l, axis=0) for l in losses)

    chunks = jnp.arange(s.steps // s.curve_every)
    (params, _, dense_steps), curves = jax.lax.scan(chunk_fn, (params, state, jnp.int32(0)),
                                                    chunks)
    return tuple({"W": p.W, "b": p.b, "curve": jnp.moveaxis(c, 0, -1), "dense_steps": dense_steps}
                 for p, c in zip(params, curves, strict=True))


def make_hparams(gammas: np.ndarray, lr_w: np.ndarray | float, lr_b: np.ndarray | float,
                 warmup: np.ndarray | int, loss_scale: np.ndarray | float) -> InstanceHParams:
    """float32 per-instance hyperparameters broadcast to the shape of ``gammas``."""
    shape = np.shape(gammas)
    return InstanceHParams(*(jnp.asarray(np.broadcast_to(np.asarray(v, np.float32), shape))
                             for v in (gammas, lr_w, lr_b, warmup, loss_scale)))


def train_sweep(thresholds: jax.Array, gammas: jax.Array, key: jax.Array, *, m: int,
                batch: int, steps: int, warmup: int, lr_w: float, lr_b: float,
                floor_frac: float = 0.05, loss_scale: float = 1.0, curve_every: int = 100,
                init_ids: jax.Array | None = None, encoder: str = "auto",
                candidates: np.ndarray | None = None) -> dict[str, jax.Array]:
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
      encoder: "auto", "sparse" or "dense" (``sparse_layout``).
      candidates: (n,) candidate thresholds of the sparse encoder (default: the max over these
        thresholds). A cell trained alone with its sweep's candidates is bit-identical to the
        same cell inside the sweep; with other candidates, equal up to float32 rounding (LLVM
        fuses a different product of a slot sum into an FMA).

    Returns:
      dict with W (I, n, m), b (I, n), curve (I, steps // curve_every), all float32, and
      dense_steps (the steps computed densely).
    """
    return train_widths(thresholds, gammas, key, widths=(m,), batch=batch, steps=steps,
                        warmup=warmup, lr_w=lr_w, lr_b=lr_b, floor_frac=floor_frac,
                        loss_scale=loss_scale, curve_every=curve_every, init_ids=init_ids,
                        encoder=encoder, candidates=candidates)[0]


def train_widths(thresholds: jax.Array, gammas: jax.Array, key: jax.Array, *,
                 widths: tuple[int, ...], batch: int, steps: int, warmup: int, lr_w: float,
                 lr_b: float, floor_frac: float = 0.05, loss_scale: float = 1.0,
                 curve_every: int = 100, init_ids: jax.Array | None = None,
                 encoder: str = "auto", candidates: np.ndarray | None = None
                 ) -> tuple[dict[str, jax.Array], ...]:
    """``train_sweep`` for every width of ``widths`` at once, in one compiled program: each
    width trains the I models (same instances, init keys and data words as ``train_sweep``
    with that m), and every model of every width reads the same words and sparse slots."""
    if steps % curve_every:
        raise ValueError(f"steps ({steps}) must be a multiple of curve_every ({curve_every})")
    host_thresholds = np.asarray(thresholds, np.uint32)
    gammas = np.asarray(gammas, np.float32).reshape(-1)
    ids = np.arange(host_thresholds.shape[0]) if init_ids is None else np.asarray(init_ids)
    if host_thresholds.shape[0] == 1:
        # XLA:CPU lowers a batch of one to unbatched dots whose float32 rounding differs from
        # the batched kernel by ~1 ulp; padding to two keeps a run alone bit-identical to the
        # same cell inside a sweep.
        out = train_widths(np.concatenate([host_thresholds] * 2), np.concatenate([gammas] * 2),
                           key, widths=widths, batch=batch, steps=steps, warmup=warmup,
                           lr_w=lr_w, lr_b=lr_b, floor_frac=floor_frac, loss_scale=loss_scale,
                           curve_every=curve_every, init_ids=np.concatenate([ids] * 2),
                           encoder=encoder, candidates=candidates)
        return tuple({k: v if k == "dense_steps" else v[:1] for k, v in o.items()} for o in out)
    init_root = jax.random.fold_in(key, INIT_STREAM)
    init_keys = jax.vmap(lambda i: jax.random.fold_in(init_root, i))(jnp.asarray(ids))
    if candidates is None:
        candidates = sparse_features.candidate_thresholds(host_thresholds)
    slots, capacity = sparse_layout(np.asarray(candidates)[None], batch, steps, encoder=encoder)
    settings = TrainSettings(tuple(int(m) for m in widths), int(batch), int(steps),
                             float(floor_frac), int(curve_every), slots, capacity=capacity)
    hp = make_hparams(gammas[None], lr_w, lr_b, warmup, loss_scale)
    group = WidthGroup(jnp.asarray(host_thresholds)[None], hp, init_keys[None])
    out = train_seeds((group,) * len(widths), jax.random.fold_in(key, DATA_STREAM)[None],
                      settings, jnp.asarray(candidates, jnp.uint32)[None])
    return tuple({k: v if k == "dense_steps" else v[0] for k, v in o.items()} for o in out)


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
