"""Where the time of one Liu training step goes, before (dense encoder) and after (sparse).

Used by ``benchmarks/superposition.py --profile``. Each piece is its own jitted function on the
step's real inputs (n = 1000, p_i ∝ 1/i, batch 2048, m = 39, three models), timed after a warm-up
call; pieces run one at a time, so they add up to a little more than a fused step.

- sampling: the (B × n) words of a step (before: partitionable threefry; after: the same hash,
  non-partitionable layout) and, after, the slots (top_k per row, compaction per chunk, the
  words at the slots), shared by every model of the step; before, each model's dense x.
- encoder + decoder + loss: before, ``jax.value_and_grad(objective)``; its decoder share is the
  same on a given h (ReLU(h Wᵀ + b) against x), the rest is the encoder (x W and its gradient
  xᵀ ∂h); after, ``network.sparse_loss_and_grads``; its decoder share is the same call with one
  listed entry per chunk (the encoder then costs nothing).
- loss: the forward pass alone (before); after, the loss is a by-product of the fused chunk.
- optimizer: the Liu AdamW update of the three models.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.superposition.liu_scaling import model as liu_model
from experiments.superposition.liu_scaling.model.network import sparse_loss_and_grads
from experiments.superposition.shared import sparse_features
from experiments.superposition.shared.sampler import features_from_bits
from theory.superposition import feature_probabilities, sampler_thresholds


def _ms(fn, *args, reps: int = 20) -> float:
    jax.block_until_ready(fn(*args))
    start = time.perf_counter()
    for _ in range(reps):
        out = fn(*args)
    jax.block_until_ready(out)
    return (time.perf_counter() - start) / reps * 1e3


def report(batch: int, n: int, m: int, models: int) -> None:
    thr1 = sampler_thresholds(feature_probabilities(n, 1.0))
    thr = jnp.asarray(np.broadcast_to(thr1, (models, n)).copy())
    keys = jax.random.split(jax.random.key(0), models)
    params = jax.vmap(lambda k: liu_model.init_params(k, n, m))(keys)
    step = jnp.int32(3)
    key = jax.random.key(1)
    slots, capacity = liu_model.sparse_layout(thr1[None], batch, 20000)
    chunk = 256

    words_before = jax.jit(lambda k: jax.random.bits(jax.random.fold_in(k, step), (batch, n),
                                                     jnp.uint32))
    words_after = jax.jit(lambda k: liu_model.training_words(k, step, batch, n))
    words = words_after(key)
    dense_x = jax.jit(jax.vmap(lambda t: features_from_bits(words, t, liu_model.V_MAX)))
    x = dense_x(thr)

    slot_lists = jax.jit(lambda w: sparse_features.step_entries(w, thr[0], slots, chunk,
                                                                capacity))
    entries = slot_lists(words)

    def sparse(p, e):
        def one(pi, t):
            v = sparse_features.entry_values(e, t, liu_model.V_MAX)
            return sparse_loss_and_grads(pi, e.rows, e.columns, v, 1.0, chunk)
        return jax.vmap(one)(p, thr)

    sparse = jax.jit(sparse)
    dense_grads = jax.jit(jax.vmap(jax.value_and_grad(liu_model.objective), (0, 0, None)))
    dense_loss = jax.jit(jax.vmap(liu_model.objective, (0, 0, None)))
    h = jax.vmap(lambda w: x[0] @ w)(params.W)

    def decoder(p, h):
        def one(pi, hi, xi):
            def loss(w, b, hh):
                err = jax.nn.relu(hh @ w.T + b[None]) - xi
                return jnp.mean(err * err)
            return jax.value_and_grad(loss, argnums=(0, 1, 2))(pi.W, pi.b, hi)
        return jax.vmap(one)(p, h, x)

    decoder = jax.jit(decoder)
    one_entry = entries._replace(**{k: getattr(entries, k)[:, :1]
                                    for k in ("rows", "columns", "valid", "words")})
    hp = liu_model.make_hparams(np.full(models, -1.0, np.float32), 1e-2, 1e-2, 10, 1.0)
    settings = liu_model.TrainSettings((m,), batch, 100)
    state = jax.vmap(lambda p, hh: liu_model.instance_optimizer(hh, settings).init(p))(params, hp)
    _, grads = dense_grads(params, x, 1.0)

    def update(p, st, g):
        def one(pi, si, gi, hi):
            up, si = liu_model.instance_optimizer(hi, settings).update(gi, si, pi)
            return optax.apply_updates(pi, up), si
        return jax.vmap(one)(p, st, g, hp)

    update = jax.jit(update)
    before = {"sampling: words": _ms(words_before, key),
              "sampling: dense x (all models)": _ms(dense_x, thr),
              "encoder + decoder + loss, fwd + bwd": _ms(dense_grads, params, x, 1.0),
              "  of which decoder + loss": _ms(decoder, params, h),
              "  of which loss, forward only": _ms(dense_loss, params, x, 1.0),
              "optimizer": _ms(update, params, state, grads)}
    after = {"sampling: words": _ms(words_after, key),
             "sampling: slots (top_k, compaction, words at slots)": _ms(slot_lists, words),
             "encoder + decoder + loss, fwd + bwd": _ms(sparse, params, entries),
             "  of which decoder + loss": _ms(sparse, params, one_entry),
             "optimizer": before["optimizer"]}
    print(f"profile of one step, m = {m}, {models} models, batch {batch}, n = {n} "
          f"(ms; slots {slots}, {capacity} entries per {chunk} rows):")
    for name in dict.fromkeys([*before, *after]):
        left = f"{before[name]:8.2f}" if name in before else "       -"
        right = f"{after[name]:8.2f}" if name in after else "       -"
        print(f"  {name:55s} before {left}   after {right}")
