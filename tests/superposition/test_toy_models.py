"""Elhage toy models (`shared/toy_model.py`, `toy_models`): trainer, optimiser, phase labels,
bad flags.

Spec superposition.md §2.2 and §7.2: vmap cell == single run (bit-identical on CPU); the linear
20 → 5 model at 1 − S = 1 trained 3 000 steps at B 1024 is within 15 % of
`tms_linear_optimal_loss`; one AdamW step against a hand computation (PyTorch convention);
phase labels of constructed 2 → 1 solutions; bad flags exit with status 2 and one line.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from experiments.common.config import Config
from experiments.superposition import toy_models
from experiments.superposition.shared import toy_model as toy_model
from experiments.superposition.shared.sampler import thresholds_to_device
from experiments.superposition.toy_models import compute as tc
from experiments.superposition.toy_models.claims import make_claims
from experiments.superposition.toy_models.compute import instances as tp
from experiments.superposition.toy_models.compute import phase_diagram as ph
from tests.conftest import usage_error_line
from theory.superposition_geometry import tms_linear_optimal_loss, tms_phase_label

IMPORTANCE_20 = (0.7 ** np.arange(20)).astype(np.float32)


def _instances(densities):
    t = jnp.stack([thresholds_to_device(np.full(20, d)) for d in densities])
    imp = jnp.asarray(np.tile(IMPORTANCE_20, (len(densities), 1)))
    return t, imp


def test_init_shapes_and_scale():
    W, b = toy_model.init_tms(jax.random.key(0), 200, 20)
    assert W.shape == (200, 20) and b.shape == (200,)
    assert W.dtype == jnp.float32 and b.dtype == jnp.float32
    assert float(jnp.abs(b).max()) == 0.0
    assert float(jnp.std(W)) == pytest.approx((2.0 / 220) ** 0.5, rel=0.05)


def test_vmap_cell_equals_single_run():
    keys = jax.random.split(jax.random.key(3), 3)
    t, imp = _instances([1.0, 0.1, 0.01])
    wd = jnp.asarray([0.01, 0.0, 0.05], jnp.float32)
    train = functools.partial(toy_model.train_tms, m=5, batch=32, steps=40, log_every=10)
    batched = jax.jit(jax.vmap(train))(keys, t, imp, wd)
    single = jax.jit(train)(keys[1], t[1], imp[1], wd[1])
    for name in ("W", "b", "loss_curve"):
        np.testing.assert_array_equal(np.asarray(batched[name][1]), np.asarray(single[name]))
    assert batched["loss_curve"].shape == (3, 4)


def test_adamw_optimizer_matches_hand_computation():
    """``tms_optimizer`` (optax.adamw, traced weight decay) against the old hand-written
    PyTorch AdamW: p ← p(1 − lr·wd), then p ← p − lr m̂ / (sqrt(v̂) + eps)."""
    W = jnp.asarray([[0.5, -1.0], [2.0, 0.25]], jnp.float32)
    b = jnp.asarray([0.1, -0.2], jnp.float32)
    gW = jnp.asarray([[0.3, -0.1], [0.0, 2.0]], jnp.float32)
    gb = jnp.asarray([-0.5, 1e-3], jnp.float32)
    lr, wd = 1e-3, 0.01
    tx = toy_model.tms_optimizer(lr, jnp.float32(wd))
    params, state = (W, b), tx.init((W, b))
    for _ in range(2):
        updates, state = tx.update((gW, gb), state, params)
        params = optax.apply_updates(params, updates)
    W2, b2 = params
    # Hand computation in float64, PyTorch AdamW: decay first, then the bias-corrected Adam step.
    for p0, g, p2 in ((W, gW, W2), (b, gb, b2)):
        p, g = np.asarray(p0, np.float64), np.asarray(g, np.float64)
        m = v = 0.0
        for t in (1, 2):
            p = p * (1 - lr * wd)
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            p = p - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        np.testing.assert_allclose(np.asarray(p2), p, rtol=1e-6, atol=1e-7)
    assert int(optax.tree_utils.tree_get(state, "count")) == 2


def test_linear_dense_model_reaches_projection_optimum():
    """Linear 20 → 5 at 1 − S = 1, B 1024, 3 000 steps: loss within 15 % of the theory optimum."""
    t, imp = _instances([1.0])
    train = functools.partial(toy_model.train_tms, m=5, batch=1024, steps=3000, relu=False)
    out = jax.jit(train)(jax.random.key(0), t[0], imp[0], jnp.float32(0.01))
    losses = toy_model.tms_eval_loss(jax.random.key(1), out["W"], out["b"], t[0], imp[0],
                                batch=4096, batches=8, relu=False)
    theory = tms_linear_optimal_loss(IMPORTANCE_20, 1.0, 5)
    assert float(jnp.mean(losses)) == pytest.approx(theory, rel=0.15)


def test_eval_loss_of_zero_model():
    """W = 0, b = 0: loss = Σ_i I_i E[x_i^2] = Σ I (1 − S)/3."""
    t, imp = _instances([0.5])
    W, b = jnp.zeros((20, 5), jnp.float32), jnp.zeros((20,), jnp.float32)
    losses = toy_model.tms_eval_loss(jax.random.key(2), W, b, t[0], imp[0], batch=4096, batches=16)
    expected = float(IMPORTANCE_20.astype(np.float64).sum()) * 0.5 / 3.0
    se = float(jnp.std(losses)) / 4.0
    assert abs(float(jnp.mean(losses)) - expected) < 4 * se + 1e-6


@pytest.mark.parametrize("w,label", [
    ((1.0, 0.0, 0.0, 0.3), "A"), ((0.1, -1.1, 0.2, 0.0), "B"), ((1.0, -1.0, 0.0, 0.0), "C"),
    ((1.0, 1.0, 0.0, 0.0), "O"), ((0.2, 0.1, 0.0, 0.0), "O")])
def test_phase_labels_of_constructed_solutions(w, label):
    assert tms_phase_label(w) == label


def test_exact_loss_selection_picks_the_better_init():
    """Per cell the init with the lower exact loss wins (here the antipodal pair, p = 0.05)."""
    x64 = jax.config.jax_enable_x64  # restored after: other test modules need theirs
    jax.config.update("jax_enable_x64", True)
    try:
        W = np.array([[[[1.0], [0.0]], [[1.0], [-1.0]]]])  # cell 0: init A, init C
        b = np.array([[[0.0, 0.025], [0.0, 0.0]]])
        out = ph.select_trained(W, b, np.array([1.0]), np.array([0.05]), n_quad=64)
        assert int(out["trained_best_init"][0]) == 1
        assert ph.labels_of(out["trained_theta"]).tolist() == ["C"]
        assert out["trained_loss"][0] == pytest.approx(0.05 ** 2 * 2 / 6, rel=1e-3)
    finally:
        jax.config.update("jax_enable_x64", x64)


def test_interior_mask_and_grid():
    labels = np.array([list("AAB"), list("AAB"), list("CCC"), list("CCC")])
    inside = ph.interior_mask(labels)
    assert inside.tolist() == [[True, False, False], [False, False, False],
                               [False, False, False], [True, True, True]]
    r, p = ph.phase_grid(12, 12)
    assert r[0] == pytest.approx(0.1) and r[-1] == pytest.approx(10.0) and not np.any(r == 1.0)
    assert p[0] == 1.0 and p[-1] == pytest.approx(0.01)


def test_pentagon_gaps_of_regular_pentagon():
    angles = np.radians(90.0 + 72.0 * np.arange(5))
    W = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    geo = tp.pentagon_geometry(W)
    assert geo["represented"] == 5
    np.testing.assert_allclose(geo["gaps"], 72.0, atol=1e-9)
    assert tp.pair_angle(np.array([[1.0, 0.0], [0.0, 1.2], [0.01, 0.0]])) == pytest.approx(90.0)


@pytest.mark.parametrize("flag", ["--relu_densities=1.0,1.5", "--linear_densities=0.0",
                                  "--phase_R=5"])
def test_bad_flags_are_refused(flag):
    line = usage_error_line("superposition.toy_models", "--profile=smoke", flag)
    assert flag.split("=")[0] in line, line


def test_linear_expected_loss_closed_form():
    """Exact linear loss: equals the theory optimum at the projection and Monte Carlo elsewhere."""
    W = np.zeros((20, 5))
    W[:5] = np.eye(5)
    b = np.where(np.arange(20) >= 5, 0.3 / 2, 0.0)
    theory = tms_linear_optimal_loss(IMPORTANCE_20, 0.3, 5)
    assert tp.linear_expected_loss(W, b, IMPORTANCE_20, 0.3) == pytest.approx(theory, rel=1e-12)
    rng = np.random.default_rng(0)
    W, b = 0.3 * rng.normal(size=(20, 5)), 0.1 * rng.normal(size=20)
    t, imp = _instances([0.3])
    losses = toy_model.tms_eval_loss(jax.random.key(5), jnp.asarray(W, jnp.float32),
                                jnp.asarray(b, jnp.float32), t[0], imp[0], batch=4096,
                                batches=16, relu=False)
    se = float(jnp.std(losses)) / 4.0
    exact = tp.linear_expected_loss(W, b, IMPORTANCE_20, 0.3)
    assert abs(float(jnp.mean(losses)) - exact) < 4 * se


class _InlineContext:
    """A RunContext stand-in that computes every stage at once (no results folder)."""

    num_devices = 1

    @staticmethod
    def stage(name, compute):
        return compute()


def test_cluster_claims_use_instances_retrained_at_cluster_batch():
    config = Config({**toy_models.PROFILES["smoke"], "seed": 0, "parts": "geometry",
                     "geometry_k": [0, 5, 10], "cluster_k": [5, 10], "cluster_batch": 32,
                     "steps": 100})
    metrics, arrays = tc.compute(config, _InlineContext())
    cluster = metrics["geometry"]["cluster_instances"]
    assert [(e["k"], e["batch"]) for e in cluster] == [(5, 32), (10, 32)]
    assert arrays["geometry_cluster_W"].shape == (2, config.geometry_n, config.geometry_m)
    assert arrays["geometry_W"].shape[0] == 3
    by_id = {c.id: c for c in make_claims(config, metrics, arrays, "cpu")}
    for claim_id, band, field in (
            ("toy_models.di_half_cluster", "|D_i − 1/2| ≤ 0.05", "n_half"),
            ("toy_models.di_twofifths_cluster", "D_i ∈ [0.35, 0.45]", "n_two_fifths")):
        claim = by_id[claim_id]
        per_instance = claim.details["per instance"]
        assert [v["batch"] for v in per_instance.values()] == [32], claim_id
        k = 5 if "half" in claim_id else 10
        expected = next(e for e in cluster if e["k"] == k)
        assert per_instance[f"s{expected['seed']}"][band] == expected[field]
        share = expected[field] / expected["n_alive"] if expected["n_alive"] else 0.0
        assert claim.measured == pytest.approx(share, abs=5e-3)
        assert claim.status in ("passed", "failed") and claim.kind == "qualitative"
        assert "B = 32" in claim.note
    # Same batch for the curve and the clusters: no second training, claims read the curve.
    same = Config({**config, "cluster_batch": config.geometry_batch})
    metrics, arrays = tc.compute(same, _InlineContext())
    assert metrics["geometry"]["cluster_instances"] == []
    assert "geometry_cluster_W" not in arrays
