"""The one-word sampler read sparsely: each row's active entries as a few (column, value) slots.

With Σ p_i = E ≈ 1 a row of x has about E active features out of n = 1000, so a product x·W is
a gather of a few rows of W, not a dense (B × n) × (n × m) matmul. This module finds those entries
exactly, from the same words ``sampler.features_from_bits`` reads (same distribution, same common
random numbers, bit-identical values):

- candidates: the models of a step share its words but not their thresholds, so the columns of a
  row are found once against the candidate thresholds t*_i = max over those models of t_i (any
  entry active for some model is a candidate); each model then reads its own value at them, zero
  where its own threshold says inactive.
- slots: a row keeps its first ``slots`` candidates (``lax.top_k`` of the 0/1 candidate mask;
  XLA's TopK puts equal values in index order, so the columns come in ascending order).
  ``slot_count`` sizes ``slots`` so that a row with more candidates is improbable over a whole run
  (Poisson-binomial tail, union bound); ``active_slots`` also returns each row's candidate count,
  so the caller detects the overflow exactly and takes the dense path for that step.
- lists: ``compact_slots`` packs the used slots of each chunk of rows into one list of
  ``chunk_capacity`` entries (row, column), so a model touches about E entries per row, not K;
  ``step_entries`` does both for a step and reads the words there, ``entry_values`` gives one
  model's values at the entries.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from experiments.superposition.shared.sampler import features_from_bits

_TWO32 = 2.0 ** 32


def candidate_thresholds(thresholds: np.ndarray) -> np.ndarray:
    """t*_i = max over models (all leading axes) of t_i: uint32 (n,)."""
    return np.asarray(thresholds, np.uint32).reshape(-1, np.shape(thresholds)[-1]).max(axis=0)


def row_count_tail(p: np.ndarray, k_max: int) -> np.ndarray:
    """P(N > k) for k = 0..k_max, N = number of active features of one row (independent
    Bernoulli(p_i)): the Poisson-binomial law by dynamic programming, exact up to float64."""
    dist = np.zeros(k_max + 2)  # P(N = 0..k_max), last entry P(N > k_max)
    dist[0] = 1.0
    for pi in np.asarray(p, np.float64):
        moved = dist * pi
        dist = dist * (1.0 - pi)
        dist[1:] += moved[:-1]
        dist[-1] += moved[-1]  # N > k_max stays there
    return np.cumsum(dist[::-1])[::-1][1:]  # summed from the far end: tiny tails stay exact


def slot_count(thresholds: np.ndarray, rows: int, miss: float = 1e-3) -> int:
    """Smallest K with rows · P(N > K) ≤ ``miss``: the chance that any of ``rows`` training rows
    has more than K candidates (union bound). ``thresholds``: uint32 (…, n), all models that
    share the words. Returns n when no K < n qualifies (then the sparse form saves nothing)."""
    p = candidate_thresholds(thresholds).astype(np.float64) / _TWO32
    n = p.size
    mean = float(p.sum())
    k_max = int(min(n, np.ceil(mean + 12.0 * np.sqrt(mean + 1.0) + 30.0)))
    tail = row_count_tail(p, k_max)
    ok = np.nonzero(rows * tail <= miss)[0]
    return int(max(ok[0], 1)) if ok.size else n


def active_slots(words: jax.Array, candidates: jax.Array, slots: int
                 ) -> tuple[jax.Array, jax.Array]:
    """(columns (B, slots) int32 in ascending order, candidate count per row (B,)).

    Columns of a row with fewer candidates are padded with non-candidate columns (their values
    are zero for every model); a row with more than ``slots`` candidates keeps its first ones
    and the caller must not use the slots for that step (count > slots)."""
    mask = words < candidates.reshape((1,) * (words.ndim - 1) + candidates.shape)
    _, columns = jax.lax.top_k(mask.astype(jnp.float32), slots)
    return columns.astype(jnp.int32), jnp.sum(mask, axis=-1, dtype=jnp.int32)


def chunk_capacity(thresholds: np.ndarray, row_chunk: int, chunks: int,
                   miss: float = 1e-3) -> int:
    """Smallest C with chunks · P(N ≥ C) ≤ ``miss`` for N the candidates of ``row_chunk`` rows,
    by the Chernoff bound P(N ≥ C) ≤ e^−μ (eμ/C)^C of a sum of independent Bernoullis (μ =
    row_chunk · Σ p*_i). ``chunks``: the row chunks of a whole run."""
    p = candidate_thresholds(thresholds).astype(np.float64) / _TWO32
    mu = max(float(row_chunk * p.sum()), 1e-12)
    c = np.arange(int(np.ceil(mu)) + 1, row_chunk * p.size + 2, dtype=np.float64)
    log_bound = -mu + c * (1.0 + np.log(mu) - np.log(c))
    ok = np.nonzero(np.log(chunks) + log_bound <= np.log(miss))[0]
    return int(min(c[ok[0]], row_chunk * p.size)) if ok.size else row_chunk * p.size


def compact_slots(columns: jax.Array, counts: jax.Array, row_chunk: int, capacity: int
                  ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The slots of each chunk of ``row_chunk`` rows as one list of ``capacity`` entries.

    Returns (rows (chunks, C) int32: row within the chunk, columns (chunks, C) int32, valid
    (chunks, C) bool, total (chunks,) int32 candidates per chunk). Entries are in row order;
    unused entries point at (0, 0) and are not valid. A chunk with total > capacity loses
    entries: the caller must not use it (and a row with more candidates than slots too)."""
    rows, slots = columns.shape
    chunks = rows // row_chunk
    counts = jnp.minimum(counts, slots).reshape(chunks, row_chunk)
    offsets = jnp.cumsum(counts, axis=1) - counts  # exclusive, per chunk
    k = jnp.arange(slots)[None, None, :]
    position = offsets[..., None] + k
    keep = (k < counts[..., None]) & (position < capacity)
    position = jnp.where(keep, position, capacity)  # out of range: dropped by the scatter
    chunk_index = jnp.broadcast_to(jnp.arange(chunks)[:, None, None], position.shape)
    row_in_chunk = jnp.broadcast_to(jnp.arange(row_chunk)[None, :, None], position.shape)

    def place(values):
        return jnp.zeros((chunks, capacity), values.dtype).at[chunk_index, position].set(
            values, mode="drop")

    flat_rows = place(row_in_chunk.astype(jnp.int32))
    flat_columns = place(columns.reshape(chunks, row_chunk, slots))
    valid = place(jnp.ones(position.shape, bool))
    return flat_rows, flat_columns, valid, jnp.sum(counts, axis=1)


class Entries(NamedTuple):
    """A step's candidate entries, listed per chunk of rows (``step_entries``): rows (within the
    chunk), columns, valid, words (the word at each entry), all (chunks, capacity); and the
    overflow flag (a row over its slots or a chunk over its capacity lost entries)."""

    rows: jax.Array
    columns: jax.Array
    valid: jax.Array
    words: jax.Array
    overflow: jax.Array


def step_entries(words: jax.Array, candidates: jax.Array, slots: int, row_chunk: int,
                 capacity: int) -> Entries:
    """``active_slots`` then ``compact_slots`` of one seed's (B, n) words, with the words at the
    listed entries (B a multiple of ``row_chunk``)."""
    columns, counts = active_slots(words, candidates, slots)
    rows, flat_columns, valid, totals = compact_slots(columns, counts, row_chunk, capacity)
    start = (jnp.arange(words.shape[0] // row_chunk) * row_chunk)[:, None]
    return Entries(rows, flat_columns, valid, words[start + rows, flat_columns],
                   jnp.any(counts > slots) | jnp.any(totals > capacity))


def entry_values(entries: Entries, thresholds: jax.Array, v_max: float) -> jax.Array:
    """One model's x at the entries (zero where not valid), equal bit for bit to
    ``features_from_bits(words, thresholds, v_max)`` there."""
    return jnp.where(entries.valid,
                     features_from_bits(entries.words, thresholds[entries.columns], v_max), 0.0)


def densify(entries: Entries, values: jax.Array, row_chunk: int, n: int) -> jax.Array:
    """The (B, n) x whose listed entries hold ``values`` and zeros elsewhere (tests, checks)."""
    chunks = entries.rows.shape[0]
    rows = entries.rows + (jnp.arange(chunks) * row_chunk)[:, None]
    return jnp.zeros((chunks * row_chunk, n), values.dtype).at[rows, entries.columns].add(
        jnp.where(entries.valid, values, 0.0))
