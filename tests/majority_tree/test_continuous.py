"""Gaussian Monte Carlo engine and the ``continuous`` experiment (spec §2.3, §3.4, §8 item 5).

Brute-force checks: one continuous node (1e6 samples) against λv + σ²/b; the clone-after-noise
ablation pinned to its own floor and rejected by Eq. 13; star (N = 5) and chain (L = 4) at
T = 1e5 against their formulas; one cell of a vmapped sweep equal to the same configuration run
alone, bit for bit.
"""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments.common.config import Config, UsageError  # noqa: E402
from experiments.majority_tree import continuous  # noqa: E402
from experiments.majority_tree.continuous import metrics as cm  # noqa: E402
from experiments.majority_tree.continuous import model as mc  # noqa: E402
from theory import majority_tree as mt  # noqa: E402
from theory.superposition import sampler_thresholds as threshold_u32  # noqa: E402

Z_MAX = 4.5  # spec §8 item 5


def _tree(v0: float, sigma2: float, rho: float, *, b: int = 3, depth: int = 1,
          trials: int = 1_000_000, clone_at: str = "before", seed: int = 0) -> dict:
    out = mc.simulate("tree", (b, depth), [v0], [sigma2], [rho], [0], trials=trials, streams=1,
                      seed=seed, chunk_elems=2**20, config_batch=1, clone_at=clone_at)
    samples = int(out["trials_per_stream"]) * b ** (depth - np.arange(depth + 1))
    est = mc.estimates(out["sums"], samples)
    return {k: v[0] for k, v in est.items() if k != "per_stream"}


def _z(est: dict, target: np.ndarray) -> np.ndarray:
    return (est["v_hat"] - target) / est["se"]


def _ablation_floor(rho: float, sigma2: float, b: int) -> float:
    return sigma2 * (b * rho + 1.0 - rho) / ((b - 1.0) * (1.0 - rho))


def test_one_node_matches_recursion():
    v0, sigma2, rho, b = 1.0, 0.1, 0.2, 3
    est = _tree(v0, sigma2, rho, b=b)
    assert est["n"][-1] >= 1e6
    lam = float(mt.tree_lambda(rho, b))
    target = np.array([v0, lam * v0 + sigma2 / b])  # 1.0, 0.5
    assert np.abs(_z(est, target)).max() <= Z_MAX
    # Leaves are Gaussian: the fourth-moment SE is close to v0·sqrt(2/n) there.
    assert est["se"][0] == pytest.approx(v0 * np.sqrt(2.0 / est["n"][0]), rel=0.01)


def test_clone_position_is_pinned():
    """Clone before noise gives Eq. 13; clone after noise has its own floor and is rejected."""
    b, rho, sigma2 = 3, 0.5, 0.2
    vstar = float(mt.tree_floor(rho, sigma2, b))
    after_floor = _ablation_floor(rho, sigma2, b)
    assert (vstar, after_floor) == pytest.approx((0.2, 0.4), abs=1e-15)
    lam = float(mt.tree_lambda(rho, b))
    assert lam * (after_floor + sigma2) == pytest.approx(after_floor, abs=1e-15)

    model = _tree(vstar, sigma2, rho, b=b)
    assert abs(_z(model, np.array([vstar, vstar]))[-1]) <= Z_MAX

    ablated = _tree(vstar, sigma2, rho, b=b, clone_at="after")
    expected = lam * (vstar + sigma2)  # 0.2667: the ablation's own recursion
    assert abs(_z(ablated, np.array([vstar, expected]))[-1]) <= Z_MAX
    assert abs(_z(ablated, np.array([vstar, vstar]))[-1]) > 6.0  # Eq. 13 rejected

    stationary = _tree(after_floor, sigma2, rho, b=b, clone_at="after")
    assert abs(_z(stationary, np.array([after_floor, after_floor]))[-1]) <= Z_MAX


def test_star_and_chain_match_formulas():
    v0, rho, sigma2 = 1.0, 0.2, 0.1
    for kind, shape, risk in (("star", (1, 5), mt.star_risk), ("chain", (4,), mt.chain_risk)):
        out = mc.simulate(kind, shape, [v0], [sigma2], [rho], [0], trials=100_000, streams=1,
                          seed=3, chunk_elems=2**20, config_batch=1)
        sizes = np.asarray(shape) if kind == "star" else np.arange(1, shape[0] + 1)
        est = mc.estimates(out["sums"], np.full(sizes.shape, int(out["trials_per_stream"])))
        est = {k: v[0] for k, v in est.items() if k != "per_stream"}
        assert est["n"][-1] >= 1e5
        target = np.asarray(risk(v0, rho, sigma2, sizes))
        assert np.abs(_z(est, target)).max() <= Z_MAX, kind


@pytest.mark.parametrize("kind,shape", [("tree", (3, 2)), ("star", (1, 2, 7)), ("chain", (5,))])
def test_vmapped_cell_equals_single_run(kind, shape):
    v0, sigma2, rho = [1.0, 0.5, 2.0], [0.1, 0.3, 0.0], [0.2, 0.0, 0.7]
    ids, seed, streams, chunk_elems = [4, 9, 2], 11, 2, 2**10
    swept = mc.simulate(kind, shape, v0, sigma2, rho, ids, trials=900, streams=streams,
                        seed=seed, chunk_elems=chunk_elems, config_batch=2)  # 3 groups, padded
    t_chunk = mc.chunk_size(mc.shape_width(kind, shape), chunk_elems)
    cell, _ = mc.compiled_cell(kind, shape, int(swept["trials_per_stream"]), t_chunk)
    alone = jax.jit(cell)
    for i in range(len(v0)):
        for stream in range(streams):
            single = alone(np.uint32(seed + stream), np.uint32(ids[i]),
                           np.float32(np.sqrt(v0[i])), np.float32(np.sqrt(sigma2[i])),
                           threshold_u32(rho[i]))
            np.testing.assert_array_equal(np.asarray(single), swept["sums"][i, stream])


def test_chunk_size_depends_only_on_shape():
    assert mc.chunk_size(3**8, 2**20) == 159
    assert mc.chunk_size(64, 2**20) == 16384
    assert mc.chunk_size(5**9, 2**20) == 1  # a tree larger than a chunk still runs one at a time
    assert mc._balanced_batch(40, 16, 1) == 14  # 3 groups of ≤ 16 rows, 2 rows of padding
    assert mc._balanced_batch(5, 16, 1) == 5


def test_rho_zero_never_clones_and_zero_noise_is_exact():
    # σ² = 0, ρ = 0: the root of one node is the plain mean of b leaves, risk v0/b.
    est = _tree(2.0, 0.0, 0.0, b=5, trials=200_000)
    assert abs(_z(est, np.array([2.0, 0.4]))).max() <= Z_MAX
    assert threshold_u32(0.0) == 0


def test_default_profile_reproduces_spec_values():
    """Theory values of spec §3.4 for the cpu preset (computed by the spec author)."""
    cfg = Config(continuous.PROFILES["cpu"])
    b, v0, rho, sigma2 = cfg.fanin, cfg.v0, cfg.rho, cfg.sigma2
    levels = np.arange(cfg.depth + 1)
    spec_tree = [1.0, 0.5, 0.2667, 0.1578, 0.1070, 0.0832, 0.0722, 0.0670, 0.0646]
    np.testing.assert_allclose(mt.tree_risk(v0, rho, sigma2, b, levels), spec_tree, atol=5e-5)
    assert float(mt.tree_lambda(rho, b)) == pytest.approx(0.46667, abs=5e-6)
    assert float(mt.tree_floor(rho, sigma2, b)) == pytest.approx(0.0625, abs=1e-15)
    assert float(mt.continuous_mixing_depth(v0, rho, sigma2, b)) == pytest.approx(7.48, abs=5e-3)
    spec_star = [1.100, 0.650, 0.500, 0.380, 0.3125, 0.25625, 0.228, 0.214]
    np.testing.assert_allclose(mt.star_risk(v0, rho, sigma2, np.asarray(cfg.star_sizes)),
                               spec_star, atol=6e-4)
    assert cfg.window // cfg.message_tokens == 16
    chain = np.asarray(mt.chain_risk(v0, rho, sigma2, np.arange(1, cfg.chain_max_length + 1)))
    assert int(np.argmin(chain)) + 1 == 5
    np.testing.assert_allclose(chain[[0, 1, 2, 3, 4, 5, 9, 19]],
                               [1.0, 0.625, 0.5222, 0.4875, 0.48, 0.4861, 0.565, 0.8575],
                               atol=5e-5)
    assert float(mt.tree_floor_global(v0, rho, sigma2, b)) == pytest.approx(0.25, abs=1e-15)
    table = continuous.compute.config_table(Config({**cfg, "seed": 0}))
    assert len(table) == 1 + 16 + 2
    assert sum(r["L"] + 1 for r in table if r["kind"] == "floor") == 80  # K of §7


def test_deep_limit_reaches_floor():
    rho = np.array([0.0, 0.2, 0.5, 0.8, 0.95])
    sigma2 = np.array([0.05, 0.1, 0.2, 0.05, 0.3])
    b = np.array([3.0, 3.0, 5.0, 5.0, 7.0])
    depth, v = cm.deep_limit(np.ones(5), rho, sigma2, b)
    assert depth >= 200
    np.testing.assert_allclose(v, mt.tree_floor(rho, sigma2, b), rtol=0, atol=1e-12)


def test_cross_field_checks():
    cfg = Config({**continuous.PROFILES["smoke"], "seed": 0})
    with pytest.raises(UsageError, match="floor_depths"):
        continuous.validate(cfg.replace(floor_depths=[3, 4]))
    with pytest.raises(UsageError, match="2\\^26"):
        continuous.validate(cfg.replace(fanin=31, depth=6))
    assert continuous.CHECKS["star_sizes"]([1, 5, 3]) is not None
    assert continuous.CHECKS["star_sizes"]([1, 5, 64]) is None
    assert continuous.CHECKS["floor_sigma2s"]([0.0]) is not None
