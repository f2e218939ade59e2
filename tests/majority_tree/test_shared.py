"""Explicit binary-tree Monte Carlo against the exact recursion (spec §8 items 3–4)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

from experiments.majority_tree.shared import binary_monte_carlo as mc_binary  # noqa: E402
from experiments.majority_tree.shared.statistics import level_stats  # noqa: E402
from theory import majority_tree as mt  # noqa: E402
from theory.superposition import sampler_thresholds as threshold_u32  # noqa: E402

B, DEPTH, GAMMA, RHO, P0, TRIALS = 3, 2, 0.8, 0.3, 0.6, 500_000


def _simulate(shock_on: str, **kwargs) -> np.ndarray:
    result = mc_binary.simulate_group(
        [P0], [GAMMA], [RHO], [0], b=B, depth=DEPTH, trials=TRIALS, streams=1, seed=7,
        chunk_elems=2**18, config_batch=4, shock_on=shock_on, **kwargs)
    return result["counts"][0, 0], int(result["trials_per_stream"])


@pytest.fixture(scope="module")
def received():
    return _simulate("received")


@pytest.fixture(scope="module")
def sent():
    return _simulate("sent")


def test_tiny_tree_matches_recursion_at_every_level(received):
    counts, trials = received
    exact = np.asarray(mt.iterate(P0, GAMMA, RHO, B, DEPTH))
    z = level_stats(counts, trials, B, DEPTH, exact)["z"]
    assert np.all(np.abs(z) <= 4.5), z


def test_sent_shock_ablation_is_rejected_by_the_published_recursion(sent):
    counts, trials = sent
    published = np.asarray(mt.iterate(P0, GAMMA, RHO, B, DEPTH))
    z_published = level_stats(counts, trials, B, DEPTH, published)["z"]
    assert abs(z_published[-1]) > 6.0, z_published  # spec: expected z ≈ 13.7 at the root
    own = np.asarray(mt.iterate_sent_shock(P0, GAMMA, RHO, B, DEPTH))
    z_own = level_stats(counts, trials, B, DEPTH, own)["z"]
    assert np.all(np.abs(z_own) <= 4.5), z_own


def test_vmapped_cell_equals_the_same_configuration_run_alone():
    kwargs = dict(b=5, depth=2, trials=3000, streams=2, seed=3, chunk_elems=4096)
    p0, gamma, rho = [0.55, 0.6, 0.45, 0.7], [0.9, 0.7, 0.8, 1.0], [0.0, 0.2, 0.4, 0.1]
    together = mc_binary.simulate_group(p0, gamma, rho, [10, 11, 12, 13], config_batch=3,
                                        **kwargs)["counts"]
    for i in range(4):
        alone = mc_binary.simulate_group([p0[i]], [gamma[i]], [rho[i]], [10 + i],
                                         config_batch=1, **kwargs)["counts"]
        np.testing.assert_array_equal(alone[0], together[i])


def test_run_config_alone_equals_vmapped_row():
    t = [threshold_u32(v) for v in (0.6, 0.1, 0.3)]
    key = mc_binary.config_key(np.uint32(5), np.uint32(2))
    alone = mc_binary.run_config(key, *t, b=3, depth=3, trials=64, t_chunk=16)
    cell, jitted = mc_binary._compiled_group(3, 3, 64, 16, "received")
    rows = [np.asarray([5, 5], np.uint32), np.asarray([1, 2], np.uint32)] + [
        np.asarray([x, x], np.uint32) for x in t]
    np.testing.assert_array_equal(np.asarray(jitted(*rows))[1], np.asarray(alone))


def test_exact_recursion_vmapped_equals_scalar_calls():
    p0 = np.asarray([0.55, 0.6, 0.45])
    gamma = np.asarray([0.9, 0.7, 0.8])
    rho = np.asarray([0.0, 0.2, 0.4])
    b = np.asarray([3, 5, 7])
    together = np.asarray(jax.jit(jax.vmap(lambda *a: mt.iterate(*a, 6)))(p0, gamma, rho, b))
    for i in range(3):
        alone = np.asarray(mt.iterate(p0[i], gamma[i], rho[i], int(b[i]), 6))
        np.testing.assert_array_equal(alone, together[i])


def test_thresholds_are_exact_at_the_ends():
    assert threshold_u32(0.0) == 0
    assert threshold_u32(1.0) == 2**32 - 1
    assert threshold_u32(0.5) == 2**31
    with pytest.raises(ValueError):
        threshold_u32(1.5)


def test_chunk_size_depends_on_shape_and_trials_only():
    assert mc_binary.trees_per_chunk(3, 7, 2**20) == 2**20 // 3**7
    assert mc_binary.trees_per_chunk(3, 7, 2**20, trials=100) == 100
    assert mc_binary.stream_trials(1000, 5, 64) == 256  # ⌈1000/(5·64)⌉·64: T rounded up
