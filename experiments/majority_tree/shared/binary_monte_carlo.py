"""Explicit binary-tree Monte Carlo engine (spec §2.2 generative model, §2.6 engine).

One configuration is a complete b-ary tree of depth L: leaves correct with probability p0,
every message flipped with probability ε = (1 − γ)/2 on its way to the parent, and at each
aggregation node a common shock (probability ρ) that replaces all b *received* messages by
received message 0; the node outputs the majority. ``run_config`` returns the number of correct
nodes at every level, summed over T trees. The channel sits on the inputs and the root is not
transmitted [convention]; the shock copies the received (post-channel) message [reconstructed:
it is what yields the summaries' α_ρ]. The ablation ``shock_on="sent"`` copies the child's bit
before the channel (clones then get independent flips); it exists for tests only.

A sweep is ``jit(vmap(run_config))`` over the configurations of one (b, L) shape group; the
trials of a configuration run in chunks of ``t_chunk`` trees inside a ``lax.fori_loop``.

Random numbers: per (stream, configuration) key_c = fold_in(key(seed + stream), config_id); per
chunk fold_in(key_c, chunk); inside a chunk one draw of uint32 words from fold_in(chunk_key, 0),
cut into fixed blocks: the leaves, then for each level l the flips of the messages leaving
level l and the shocks of the nodes at level l+1. This departs from the spec's one fold_in per
level and purpose (2L+1 random-generation sites, each compiled separately under vmap: 15-30 s
of compilation per shape group on 2 cores) and keeps what that derivation is for: disjoint,
reproducible streams, and a ``t_chunk`` that depends only on (b, L, chunk_elems, T), so a cell
of a vmapped sweep equals the same configuration run alone. The generator is the default
threefry with the non-partitionable counter layout (``jax.threefry_partitionable(False)``,
scoped to this engine), about twice as fast on CPU.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.sweep import run_sweep
from theory.superposition import sampler_thresholds


def trees_per_chunk(b: int, depth: int, chunk_elems: int, trials: int | None = None) -> int:
    """t_chunk = max(1, ⌊chunk_elems / b^L⌋) trees per chunk, at most the trials asked for.

    It depends on (b, L, chunk_elems, T) only, never on how configurations are batched, so a
    cell of a vmapped sweep equals the same configuration run alone.
    """
    t_chunk = max(1, chunk_elems // b**depth)
    return t_chunk if trials is None else max(1, min(t_chunk, trials))


def words_per_tree(b: int, depth: int) -> int:
    """Random uint32 words one tree consumes: b^L leaves, one flip per edge, one shock per node."""
    edges = sum(b ** (depth - level) for level in range(depth))
    return b**depth + edges + edges // b


def run_config(key: jax.Array, t_leaf: jax.Array, t_flip: jax.Array, t_shock: jax.Array, *,
               b: int, depth: int, trials: int, t_chunk: int,
               shock_on: str = "received") -> jax.Array:
    """Correct-node counts per level (int64, shape [depth+1]) over ``trials`` explicit trees.

    Args:
      key: this configuration's key (already folded with its stream seed and config id).
      t_leaf, t_flip, t_shock: uint32 thresholds of p0, ε = (1−γ)/2 and ρ (``sampler_thresholds``).
      b, depth: fan-in and number of aggregation levels (static).
      trials: number of trees; a multiple of ``t_chunk`` (static).
      t_chunk: trees per chunk (static; see ``trees_per_chunk``).
      shock_on: "received" (the model) or "sent" (test-only ablation).
    """
    if trials % t_chunk:
        raise ValueError(f"trials={trials} must be a multiple of t_chunk={t_chunk}")
    if shock_on not in ("received", "sent"):
        raise ValueError(f"shock_on must be 'received' or 'sent', got {shock_on!r}")
    per_tree = words_per_tree(b, depth)

    def one_chunk(chunk: jax.Array, counts: jax.Array) -> jax.Array:
        with jax.threefry_partitionable(False):
            words = jax.random.bits(jax.random.fold_in(jax.random.fold_in(key, chunk), 0),
                                    (t_chunk, per_tree), jnp.uint32)
        offset = 0

        def take(size: int, shape: tuple[int, ...]) -> jax.Array:
            nonlocal offset
            block = words[:, offset:offset + size].reshape(t_chunk, *shape)
            offset += size
            return block

        x = take(b**depth, (b**depth,)) < t_leaf
        per_level = [x.sum(dtype=jnp.int64)]
        for level in range(depth):  # unrolled: shapes shrink by b per level
            parents = b ** (depth - level - 1)
            flips = take(parents * b, (parents, b)) < t_flip
            shock = take(parents, (parents,)) < t_shock
            children = x.reshape(t_chunk, parents, b)
            if shock_on == "received":
                received = children ^ flips
                majority = received.sum(axis=-1, dtype=jnp.int32) > b // 2
                x = jnp.where(shock, received[..., 0], majority)
            else:
                sent = jnp.where(shock[..., None], children[..., :1], children)
                x = (sent ^ flips).sum(axis=-1, dtype=jnp.int32) > b // 2
            per_level.append(x.sum(dtype=jnp.int64))
        return counts + jnp.stack(per_level)

    return jax.lax.fori_loop(0, trials // t_chunk, one_chunk,
                             jnp.zeros(depth + 1, dtype=jnp.int64))


def config_key(seed: jax.Array, config_id: jax.Array) -> jax.Array:
    """key_c = fold_in(key(seed), config_id) (seed = base seed + stream index)."""
    return jax.random.fold_in(jax.random.key(seed), config_id)


@functools.cache
def _compiled_group(b: int, depth: int, trials: int, t_chunk: int, shock_on: str):
    def cell(seed, config_id, t_leaf, t_flip, t_shock):
        return run_config(config_key(seed, config_id), t_leaf, t_flip, t_shock, b=b, depth=depth,
                          trials=trials, t_chunk=t_chunk, shock_on=shock_on)

    return cell, jax.jit(jax.vmap(cell))


def stream_trials(trials: int, streams: int, t_chunk: int) -> int:
    """Trials per seed stream: ⌈T / (streams·t_chunk)⌉·t_chunk (T is rounded up)."""
    return max(1, -(-trials // (streams * t_chunk))) * t_chunk


def simulate_group(p0: Sequence[float], gamma: Sequence[float], rho: Sequence[float],
                   config_ids: Sequence[int], *, b: int, depth: int, trials: int,
                   streams: int, seed: int, chunk_elems: int, config_batch: int,
                   num_devices: int = 1, shock_on: str = "received") -> dict[str, np.ndarray]:
    """Monte Carlo of every configuration of one (b, L) shape group, in every seed stream.

    Returns ``counts`` [config, stream, level] (int64) and ``trials_per_stream``; pooled trials
    are ``streams * trials_per_stream`` (recorded, since T is rounded up to whole chunks).
    """
    p0, gamma, rho = (np.asarray(v, np.float64) for v in (p0, gamma, rho))
    t_chunk = trees_per_chunk(b, depth, chunk_elems, -(-trials // streams))
    per_stream = stream_trials(trials, streams, t_chunk)
    cell, jitted = _compiled_group(b, depth, per_stream, t_chunk, shock_on)
    n = len(p0)
    stream = np.repeat(np.arange(streams, dtype=np.int64), n)  # stream-major rows
    rows = (
        (seed + stream).astype(np.uint32),
        np.tile(np.asarray(config_ids, np.int64), streams).astype(np.uint32),
        np.tile(sampler_thresholds(p0), streams),
        np.tile(sampler_thresholds((1.0 - gamma) / 2.0), streams),
        np.tile(sampler_thresholds(rho), streams),
    )
    counts = run_sweep(cell, rows, batch=config_batch, num_devices=num_devices,
                       name=f"binary MC b={b} L={depth}", jitted=jitted)
    counts = np.asarray(counts).reshape(streams, n, depth + 1).transpose(1, 0, 2)
    return {"counts": counts, "trials_per_stream": np.int64(per_stream)}
