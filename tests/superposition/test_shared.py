"""Code shared by the superposition pillar (experiments/superposition/shared/): the sparse reading
of the one-word sampler (``sparse_features``).

The listed entries of a step hold exactly its active entries, bit for bit the values the dense
sampler gives (also for a row with every feature active, given enough slots; too few slots or
too short a list is flagged); ``slot_count``'s tail law is
the Poisson-binomial law (against scipy's binomial for equal p and a brute-force enumeration for
unequal p) and the slot count it picks bounds the overflow chance it promises (Monte Carlo).
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

from experiments.superposition.shared import sparse_features as sf
from experiments.superposition.shared.sampler import features_from_bits
from theory import superposition as th


def _words(n, batch, key=0):
    return jax.random.bits(jax.random.key(key), (batch, n), jnp.uint32)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_entries_hold_every_active_entry_with_the_dense_values(alpha):
    n, batch, chunk = 300, 256, 64
    thr = jnp.asarray(th.sampler_thresholds(th.feature_probabilities(n, alpha)))
    words = _words(n, batch).at[7].set(jnp.zeros(n, jnp.uint32))  # a row with all n active
    columns, counts = sf.active_slots(words, thr, n)
    dense = features_from_bits(words, thr, 2.0)
    assert int(counts[7]) == n
    np.testing.assert_array_equal(np.asarray(counts), np.asarray(jnp.sum(dense > 0, axis=1)))
    # The columns of a row: its active ones first, in ascending order.
    row = np.asarray(columns[0])[: int(counts[0])]
    np.testing.assert_array_equal(row, np.flatnonzero(np.asarray(dense[0]) > 0))
    entries = sf.step_entries(words, thr, n, chunk, chunk * n)
    assert not bool(entries.overflow)
    values = sf.entry_values(entries, thr, 2.0)
    np.testing.assert_array_equal(sf.densify(entries, values, chunk, n), dense)  # bit for bit
    # Too few slots for the dense row, or too small a list for its chunk: flagged.
    assert bool(sf.step_entries(words, thr, 16, chunk, chunk * 16).overflow)
    assert bool(sf.step_entries(words, thr, n, chunk, n).overflow)


def test_candidates_of_several_models_give_each_model_its_own_values():
    n, batch, chunk = 200, 128, 32
    thr = np.stack([th.sampler_thresholds(th.feature_probabilities(n, a)) for a in (0.5, 1.5)])
    candidates = jnp.asarray(sf.candidate_thresholds(thr))
    np.testing.assert_array_equal(candidates, thr.max(axis=0))
    entries = sf.step_entries(_words(n, batch, key=1), candidates, 16, chunk, chunk * 16)
    assert not bool(entries.overflow)
    for t in thr:
        t = jnp.asarray(t)
        np.testing.assert_array_equal(
            sf.densify(entries, sf.entry_values(entries, t, 2.0), chunk, n),
            features_from_bits(_words(n, batch, key=1), t, 2.0))


def test_row_count_tail_is_the_poisson_binomial_law():
    tail = sf.row_count_tail(np.full(500, 2e-3), 12)
    np.testing.assert_allclose(tail, scipy.stats.binom.sf(np.arange(13), 500, 2e-3), rtol=1e-10)
    p = np.array([0.9, 0.05, 0.3, 0.5, 0.01, 0.2])
    exact = np.zeros(p.size + 1)
    for bits in itertools.product((0, 1), repeat=p.size):
        exact[sum(bits)] += np.prod(np.where(np.asarray(bits) == 1, p, 1 - p))
    np.testing.assert_allclose(sf.row_count_tail(p, 3), exact[::-1].cumsum()[::-1][1:5],
                               rtol=1e-12, atol=1e-300)


def test_slot_count_bounds_the_overflow_chance():
    """K = slot_count(thr, rows, miss) must keep P(a row > K) <= miss / rows: a Monte Carlo over
    2^18 rows at rows = 2^8, miss = 0.5 (so P <= 2^-9) sees at most 2^18 · 2^-9 = 512 rows
    above K on average, and the smaller K − 1 must break the bound."""
    n, rows, miss = 400, 2 ** 8, 0.5
    thr = th.sampler_thresholds(th.feature_probabilities(n, 1.0, E=2.0))
    k = sf.slot_count(thr, rows, miss)
    tail = sf.row_count_tail(thr.astype(np.float64) / 2.0 ** 32, k)
    assert rows * tail[k] <= miss < rows * tail[k - 1]
    count = jax.jit(lambda key: sf.active_slots(
        jax.random.bits(key, (2 ** 16, n), jnp.uint32), jnp.asarray(thr), 1)[1])
    counts = np.concatenate([np.asarray(count(jax.random.key(10 + i))) for i in range(4)])
    over = int(np.sum(counts > k))
    expected = counts.size * tail[k]
    assert abs(over - expected) <= 4 * np.sqrt(expected) + 1
    assert over <= counts.size * miss / rows + 4 * np.sqrt(counts.size * miss / rows)
