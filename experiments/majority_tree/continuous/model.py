"""Gaussian Monte Carlo engine of the continuous warm-up: tree, star and chain (spec §2.3, §2.6).

Target θ = 0, so every node's output is its error e and the risk is E[e²]. The SE of a risk
estimate comes from fourth moments, SE = sqrt((E e⁴ − (E e²)²)/n), because the clone mixture is
not Gaussian; the engine returns Σe² and Σe⁴ (float64) per estimate.

- **Tree** [reconstructed]: at every aggregation node, (1) with probability ρ all b children
  *values* are replaced by child 0's value — the clone happens **before** the noise; (2) each of
  the b messages gets independent noise ξ ~ N(0, σ_c²); (3) the node outputs their mean. The
  channel sits on the inputs and the root is not transmitted [convention]. This gives
  v_{l+1} = λ v_l + σ_c²/b, λ = ρ + (1−ρ)/b, floor v* = σ_c²/((b−1)(1−ρ)) (summaries' Eq. 13).
  The test-only ablation ``clone_at="after"`` copies child 0's *received* (noisy) message
  instead; its recursion is v_{l+1} = λ(v_l + σ_c²), floor σ_c²(bρ + 1 − ρ)/((b−1)(1−ρ)), which
  is not Eq. 13. (The binary engine's shock copies *received* messages instead; each model's
  choice is the one that reproduces the published formula.)
- **Star**: N leaves, one aggregator; with probability ρ per trial all N leaf values are clones
  of leaf 0; each message gets independent noise; the aggregator averages, so R_star(1) = v0 + σ².
  The stars of every requested N are the first N leaves of one N_max-leaf star per trial (common
  random numbers): each N is exactly the star model, and differences between N are less noisy.
- **Chain** [convention]: agent 1 sends M_1 = Y_1 + ξ_1; agent k ≥ 2 forms
  Z_k = ((k−1)/k)·M_{k−1} + Y_k/k and sends M_k = Z_k + ξ_k; the chain of length L outputs Z_L
  (not transmitted). The own estimates Y_k all copy Y_1 with probability ρ per trial. One run of
  the L_max-agent chain gives the output of every length L ≤ L_max (a prefix).

Numerics. Draws are float32 (``dtype`` passed explicitly: x64 is on). Clone events are
``bits < t(ρ)`` on uint32 words, t(ρ) = min(⌊ρ·2^32⌋, 2^32 − 1) computed on the host in float64,
so ρ = 0 gives no clone exactly. Node arithmetic runs in float64 on exact products (a float32
scale times a float32 draw), sums are written out left to right, and the e², e⁴ terms are exact
products accumulated elementwise across chunks and reduced once, by pairwise halving, at the end.
XLA contracts products into FMAs and orders reductions differently with and without a batch
axis; with exact products and explicit sums neither can change a bit, so one cell of a vmapped
sweep equals the same configuration run alone, bit for bit (tested).

RNG (spec §2.5, with two changes): threefry2x32, the default generator, but with its
non-partitionable counter layout (``jax.threefry_partitionable(False)``, scoped to this engine),
which runs twice as fast on CPU. Per (stream, configuration) key_c = fold_in(key(seed + stream),
config_id); per chunk fold_in(key_c, chunk). Inside a chunk there is one Gaussian draw,
fold_in(chunk_key, 0), and one uint32 draw of clone words, fold_in(chunk_key, 1), cut into
contiguous blocks. Tree: Gaussians [leaf errors (T_c, b^L) | noise of the messages leaving level 0
(T_c, b^(L−1), b) | … | level L−1 (T_c, 1, b)]; clone words [level-1 nodes | … | roots]. Star and
chain: Gaussians [own estimates (T_c, W) | message noise (T_c, W)], one clone word per trial.
(The spec's fold_in per level and purpose would put 2L+1 random-generation sites in the program,
and on CPU each site costs seconds of XLA compilation.) The chunk size T_c depends only on the
shape and ``chunk_elems``, never on the batching.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.stats import moment_se, seed_spread_ratio
from experiments.common.sweep import find_non_finite, run_sweep
from experiments.majority_tree.shared.binary_monte_carlo import config_key, stream_trials
from theory.superposition import sampler_thresholds

CLONE_POSITIONS = ("before", "after")
KINDS = ("tree", "star", "chain")


def chunk_size(width: int, chunk_elems: int) -> int:
    """Trials per chunk, max(1, ⌊chunk_elems / width⌋); width = b^L, N_max or L_max."""
    return max(1, chunk_elems // width)


def _fixed_order_sum(values: jax.Array, axis: int) -> jax.Array:
    """Sum over ``axis`` by pairwise halving (zero-padded to a power of two): a fixed order."""
    values = jnp.moveaxis(values, axis, 0)
    n = values.shape[0]
    size = 1 << max(n - 1, 0).bit_length()
    if size > n:
        padding = jnp.zeros((size - n, *values.shape[1:]), values.dtype)
        values = jnp.concatenate([values, padding])
    while values.shape[0] > 1:
        half = values.shape[0] // 2
        values = values[:half] + values[half:]
    return values[0]


def _moment_terms(e: jax.Array) -> jax.Array:
    """[e², e⁴] (float64, leading axis 2) of the float32-rounded e.

    e² of a float32 is exact in float64, and so is the square of the float32-rounded e² (that
    rounding moves e⁴ by ≤ 1.2e−7 relative, irrelevant for an SE).
    """
    e = e.astype(jnp.float32)
    wide = e.astype(jnp.float64)
    sq = (e * e).astype(jnp.float64)
    return jnp.stack([wide * wide, sq * sq])


def _exact_scale(z: jax.Array, sd: jax.Array) -> jax.Array:
    """sd·z in float64 for float32 z and sd: the product (≤ 48 significant bits) is exact."""
    return z.astype(jnp.float64) * sd.astype(jnp.float32).astype(jnp.float64)


def _chunk_draws(chunk_key: jax.Array, gaussians: int,
                 clone_words: int) -> tuple[jax.Array, jax.Array]:
    # One call site per purpose: every random-generation site costs XLA compile time. The
    # non-partitionable threefry layout generates twice as fast on CPU; it is scoped here (set
    # at trace time), and each configuration's numbers are drawn from its own key, so sharding
    # the configuration axis over devices is unaffected.
    with jax.threefry_partitionable(False):
        z = jax.random.normal(jax.random.fold_in(chunk_key, 0), (gaussians,), dtype=jnp.float32)
        words = jax.random.bits(jax.random.fold_in(chunk_key, 1), (clone_words,), jnp.uint32)
    return z, words


def _blocks(flat: jax.Array, shapes: Sequence[tuple[int, ...]]) -> list[jax.Array]:
    """Consecutive contiguous blocks of ``flat`` with the given shapes."""
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(flat[start:start + size].reshape(shape))
        start += size
    return out


def _accumulate(outputs: Callable[[jax.Array], list[jax.Array]],
                shapes: Sequence[tuple[int, int]], trials: int, t_chunk: int) -> jax.Array:
    """[Σe², Σe⁴] per estimate, [2, Σ K_i], over ``trials`` in chunks of ``t_chunk``.

    ``outputs(chunk)`` returns arrays of shape (samples_i, K_i): K_i estimates, each with
    samples_i i.i.d. samples per chunk. Terms are added elementwise across chunks and summed
    over samples once, in a fixed order, at the end.
    """
    if trials % t_chunk:
        raise ValueError(f"trials={trials} must be a multiple of t_chunk={t_chunk}")

    def one_chunk(chunk: jax.Array, acc: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        return tuple(a + _moment_terms(e) for a, e in zip(acc, outputs(chunk), strict=True))

    start = tuple(jnp.zeros((2, *shape), jnp.float64) for shape in shapes)
    acc = jax.lax.fori_loop(0, trials // t_chunk, one_chunk, start)
    return jnp.concatenate([_fixed_order_sum(a, axis=1) for a in acc], axis=-1)


def run_tree(key: jax.Array, sd_leaf: jax.Array, sd_noise: jax.Array, t_clone: jax.Array, *,
             b: int, depth: int, trials: int, t_chunk: int,
             clone_at: str = "before") -> jax.Array:
    """Σe² and Σe⁴ over every node of each level, [2, depth+1] float64, over ``trials`` trees.

    Node values are carried as sums S_l = b^l·x_l, so that one level is
    S_{l+1} = Σ_j [clone(S_l)_j + (b^l σ_c)·z_j]: exact products, explicit sums.

    Args:
      key: the configuration's key (already folded with its stream seed and config id).
      sd_leaf, sd_noise: float32 sqrt(v0) and sqrt(σ_c²).
      t_clone: uint32 threshold t(ρ) of the per-node clone event.
      b, depth, trials, t_chunk: static shape; ``trials`` is a multiple of ``t_chunk``.
      clone_at: "before" the noise (the model) or "after" (test-only ablation).
    """
    if clone_at not in CLONE_POSITIONS:
        raise ValueError(f"clone_at must be one of {CLONE_POSITIONS}, got {clone_at!r}")
    parents = [b ** (depth - level - 1) for level in range(depth)]  # nodes at level l+1
    gauss_shapes = [(t_chunk, b**depth)] + [(t_chunk, nodes, b) for nodes in parents]
    clone_shapes = [(t_chunk, nodes, 1) for nodes in parents]

    def outputs(chunk: jax.Array) -> list[jax.Array]:
        z, words = _chunk_draws(jax.random.fold_in(key, chunk),
                                sum(math.prod(s) for s in gauss_shapes), t_chunk * sum(parents))
        leaf_z, *noise_z = _blocks(z, gauss_shapes)
        clone_words = _blocks(words, clone_shapes)
        total = _exact_scale(leaf_z, sd_leaf)
        levels = [total.reshape(-1, 1)]
        for level, nodes in enumerate(parents):  # unrolled: shapes shrink by b per level
            scale = sd_noise * jnp.float32(b**level)  # σ_c in units of S_l (a float32 scalar)
            noise = _exact_scale(noise_z[level], scale)
            clone = clone_words[level] < t_clone
            children = total.reshape(t_chunk, nodes, b)
            if clone_at == "before":
                received = jnp.where(clone, children[..., :1], children) + noise
            else:
                received = children + noise
                received = jnp.where(clone, received[..., :1], received)
            total = received[..., 0]
            for j in range(1, b):  # explicit left-to-right sum: a fixed rounding order
                total = total + received[..., j]
            levels.append((total / float(b ** (level + 1))).reshape(-1, 1))
        return levels

    shapes = [(t_chunk * b**depth, 1)] + [(t_chunk * nodes, 1) for nodes in parents]
    return _accumulate(outputs, shapes, trials, t_chunk)


def _own_and_noise(chunk_key: jax.Array, width: int, t_chunk: int, sd_leaf: jax.Array,
                   sd_noise: jax.Array, t_clone: jax.Array) -> tuple[jax.Array, jax.Array]:
    z, words = _chunk_draws(chunk_key, 2 * t_chunk * width, t_chunk)
    own_z, noise_z = _blocks(z, [(t_chunk, width), (t_chunk, width)])
    own = _exact_scale(own_z, sd_leaf)
    own = jnp.where(words[:, None] < t_clone, own[:, :1], own)  # per-trial clone of leaf 1
    return own, _exact_scale(noise_z, sd_noise)


def _prefix_sums(values: jax.Array) -> jax.Array:
    """Prefix sums over the last axis, left to right (a fixed order, unlike a parallel scan)."""
    def add(total: jax.Array, column: jax.Array) -> tuple[jax.Array, jax.Array]:
        total = total + column
        return total, total

    _, sums = jax.lax.scan(add, jnp.zeros(values.shape[0], values.dtype), values.T)
    return sums.T


def run_star(key: jax.Array, sd_leaf: jax.Array, sd_noise: jax.Array, t_clone: jax.Array, *,
             sizes: tuple[int, ...], trials: int, t_chunk: int) -> jax.Array:
    """Σe² and Σe⁴ of the star outputs, [2, len(sizes)] float64 (stars = leaf prefixes)."""
    width = max(sizes)
    columns = np.asarray(sizes) - 1
    divisors = jnp.asarray(sizes, dtype=jnp.float64)

    def outputs(chunk: jax.Array) -> list[jax.Array]:
        own, noise = _own_and_noise(jax.random.fold_in(key, chunk), width, t_chunk, sd_leaf,
                                    sd_noise, t_clone)
        return [_prefix_sums(own + noise)[:, columns] / divisors[None, :]]

    return _accumulate(outputs, [(t_chunk, len(sizes))], trials, t_chunk)


def run_chain(key: jax.Array, sd_leaf: jax.Array, sd_noise: jax.Array, t_clone: jax.Array, *,
              length: int, trials: int, t_chunk: int) -> jax.Array:
    """Σe² and Σe⁴ of Z_L for L = 1…length, [2, length] float64."""
    def agent(message: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[jax.Array, jax.Array]:
        k, own_k, noise_k = inputs  # k = 1…length; agent 1 does no averaging (message = 0)
        z = message + (own_k - message) / k  # = ((k−1)/k)·M_{k−1} + Y_k/k, no product
        return z + noise_k, z

    def outputs(chunk: jax.Array) -> list[jax.Array]:
        own, noise = _own_and_noise(jax.random.fold_in(key, chunk), length, t_chunk, sd_leaf,
                                    sd_noise, t_clone)
        ks = jnp.arange(1, length + 1, dtype=jnp.float64)
        _, z = jax.lax.scan(agent, jnp.zeros(t_chunk, jnp.float64), (ks, own.T, noise.T))
        return [z.T]

    return _accumulate(outputs, [(t_chunk, length)], trials, t_chunk)


def shape_width(kind: str, shape: tuple[int, ...]) -> int:
    """Leaves per trial: b^L (tree), N_max (star) or L_max (chain)."""
    return shape[0] ** shape[1] if kind == "tree" else max(shape)


def _balanced_batch(rows: int, config_batch: int, num_devices: int) -> int:
    # As few groups as config_batch allows, each as full as possible (little padding).
    devices = max(num_devices, 1)
    groups = -(-rows // (config_batch * devices))
    return -(-rows // (groups * devices))


@functools.cache
def compiled_cell(kind: str, shape: tuple[int, ...], trials: int, t_chunk: int,
                  clone_at: str = "before"):
    """(cell, jit(vmap(cell))): cell(seed, config_id, sd_leaf, sd_noise, t_clone) -> sums."""
    def cell(seed, config_id, sd_leaf, sd_noise, t_clone):
        key = config_key(seed, config_id)
        if kind == "tree":
            b, depth = shape
            return run_tree(key, sd_leaf, sd_noise, t_clone, b=b, depth=depth, trials=trials,
                            t_chunk=t_chunk, clone_at=clone_at)
        if kind == "star":
            return run_star(key, sd_leaf, sd_noise, t_clone, sizes=shape, trials=trials,
                            t_chunk=t_chunk)
        return run_chain(key, sd_leaf, sd_noise, t_clone, length=shape[0], trials=trials,
                         t_chunk=t_chunk)

    return cell, jax.jit(jax.vmap(cell))


def simulate(kind: str, shape: tuple[int, ...], v0: Sequence[float], sigma2: Sequence[float],
             rho: Sequence[float], config_ids: Sequence[int], *, trials: int, streams: int,
             seed: int, chunk_elems: int, config_batch: int, num_devices: int = 1,
             labels: Sequence[str] | None = None,
             clone_at: str = "before") -> dict[str, np.ndarray]:
    """Monte Carlo of every configuration of one shape group in every seed stream.

    Args:
      kind: "tree" (shape (b, L)), "star" (shape: the tuple of N) or "chain" (shape (L_max,)).
      v0, sigma2, rho, config_ids: one entry per configuration.
      trials: requested trials per configuration, split over ``streams`` and rounded up to
        whole chunks (the actual count per stream is returned).
      labels: names of the configurations, for the error raised on a non-finite result.

    Returns:
      ``sums`` [config, stream, 2, estimate] (Σe², Σe⁴; float64) and ``trials_per_stream``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {KINDS}")
    t_chunk = chunk_size(shape_width(kind, shape), chunk_elems)
    per_stream = stream_trials(trials, streams, t_chunk)
    cell, jitted = compiled_cell(kind, tuple(shape), per_stream, t_chunk, clone_at)
    v0, sigma2, rho = (np.asarray(v, np.float64) for v in (v0, sigma2, rho))
    n = len(v0)
    stream = np.repeat(np.arange(streams, dtype=np.int64), n)  # stream-major rows
    rows = (
        (seed + stream).astype(np.uint32),
        np.tile(np.asarray(config_ids, np.int64), streams).astype(np.uint32),
        np.tile(np.sqrt(v0), streams).astype(np.float32),
        np.tile(np.sqrt(sigma2), streams).astype(np.float32),
        np.tile(sampler_thresholds(rho), streams),
    )
    sums = run_sweep(cell, rows, batch=_balanced_batch(n * streams, config_batch, num_devices),
                     num_devices=num_devices, name=f"gaussian MC {kind} {shape}", jitted=jitted)
    sums = np.asarray(sums).reshape(streams, n, 2, -1).transpose(1, 0, 2, 3)
    names = list(labels) if labels is not None else [f"{kind} config {i}" for i in config_ids]
    bad = find_non_finite(sums, names)
    if bad:
        raise FloatingPointError(f"non-finite Monte Carlo sums in: {', '.join(bad)}")
    return {"sums": sums, "trials_per_stream": np.int64(per_stream)}


def estimates(sums: np.ndarray, samples_per_stream: np.ndarray) -> dict[str, np.ndarray]:
    """Pooled risk estimates, their fourth-moment SE and the per-stream estimates.

    Args:
      sums: [..., stream, 2, estimate] as returned by ``simulate``.
      samples_per_stream: i.i.d. samples of each estimate in one stream (broadcastable to
        [..., estimate]).

    Returns:
      ``v_hat``, ``se`` and ``n`` (pooled), ``per_stream`` [..., stream, estimate], and
      ``seed_spread`` (across-seed SD / (sqrt(S)·pooled SE), only when there are ≥ 2 streams).
    """
    streams = sums.shape[-3]
    per = np.asarray(samples_per_stream, np.float64)
    pooled = sums.sum(axis=-3)
    n = np.broadcast_to(per * streams, pooled[..., 0, :].shape)
    out = {"v_hat": pooled[..., 0, :] / n,
           "se": moment_se(pooled[..., 0, :], pooled[..., 1, :], n),
           "per_stream": sums[..., 0, :] / per[..., None, :], "n": n}
    if streams > 1:
        out["seed_spread"] = seed_spread_ratio(np.moveaxis(out["per_stream"], -2, 0), out["se"])
    return out
