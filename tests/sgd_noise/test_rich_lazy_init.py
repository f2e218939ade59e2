"""rich_lazy_init (experiments/sgd_noise/rich_lazy_init): the NTK closed form against autodiff,
the rank truncation, the aligned controls, the RNN against a hand-written recurrence, vmap cell ==
single run, the task generator's coherence statistics and bad flags."""

from __future__ import annotations

import functools

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.stats  # noqa: E402

from experiments.common.config import UsageError, resolve  # noqa: E402
from experiments.sgd_noise import rich_lazy_init as rli  # noqa: E402
from experiments.sgd_noise.rich_lazy_init import compute, model  # noqa: E402
from theory import sgd_noise as theory  # noqa: E402


def _smoke():
    config = resolve(rli.PROFILES, "smoke", {}, rli.CHECKS)
    config["seed"] = 0
    return config


def test_ntk_closed_form_equals_autodiff_jacobian():
    rng = np.random.default_rng(0)
    W1, w2, X = rng.normal(size=(7, 5)), rng.normal(size=7), rng.normal(size=(9, 5))
    params = {"W1": jnp.asarray(W1), "w2": jnp.asarray(w2)}
    J = jax.jacrev(model.linear_student)(params, jnp.asarray(X))
    flat = jnp.concatenate([J["W1"].reshape(9, -1), J["w2"].reshape(9, -1)], axis=1)
    np.testing.assert_allclose(np.asarray(flat @ flat.T),
                               np.asarray(theory.two_layer_linear_ntk(W1, w2, X)), rtol=1e-12)


@pytest.mark.parametrize("rank", [1, 3, 6])
def test_rank_truncation_keeps_the_norm_and_has_the_stated_rank(rank):
    G = np.random.default_rng(1).normal(size=(8, 6))
    W = np.asarray(jax.jit(model.rank_truncate)(G, rank))  # rank traced
    assert np.linalg.norm(W) == pytest.approx(np.linalg.norm(G), rel=1e-12)
    assert np.linalg.matrix_rank(W, tol=1e-9) == rank
    u, _, _ = np.linalg.svd(G)
    assert abs(u[:, 0] @ W @ np.linalg.svd(G)[2][0]) > 0  # keeps the top triplet


def test_aligned_controls_point_along_the_task():
    rng = np.random.default_rng(2)
    left, beta = rng.normal(size=8), rng.normal(size=5)
    W = np.asarray(model.rank_one(3.0, left, beta))
    assert np.linalg.norm(W) == pytest.approx(3.0) and np.linalg.matrix_rank(W) == 1
    orthogonal = rng.normal(size=5)
    orthogonal -= beta * (orthogonal @ beta) / (beta @ beta)
    assert np.abs(W @ orthogonal).max() < 1e-12  # row space = span(β)
    start = compute.rnn_start(_smoke(), jnp.int32(0), jnp.int32(compute.ALIGNED))
    u = np.asarray(start["W_in"][:, 1] - start["W_in"][:, 2])
    W_rec = np.asarray(start["W_rec"])
    assert np.linalg.matrix_rank(W_rec, tol=1e-9) == 1
    left = np.linalg.svd(W_rec)[0][:, 0]  # column space = span(û)
    assert abs(left @ u) / np.linalg.norm(u) == pytest.approx(1.0)


def test_rnn_matches_a_hand_written_recurrence():
    net = model.RateRNN(hidden=6, leak=0.5)
    x = jax.random.normal(jax.random.key(3), (5, model.N_INPUTS))
    params = net.init(jax.random.key(4), x)["params"]
    p = {k: np.asarray(v) for k, v in params.items()}
    h, outputs = np.zeros(6), []
    for t in range(5):
        h = np.maximum(0.5 * h + 0.5 * (p["W_in"] @ np.asarray(x[t]) + p["W_rec"] @ h), 0.0)
        outputs.append(p["W_out"] @ h)
    np.testing.assert_allclose(np.asarray(net.apply({"params": params}, x)), outputs,
                               rtol=1e-12)


def test_decision_trials_coherence_statistics():
    config = _smoke()
    inputs, targets, c = model.decision_trials(jax.random.key(5), 40_000,
                                               jnp.asarray(config.coherences), 7, 0.5)
    inputs, targets, c = np.asarray(inputs), np.asarray(targets), np.asarray(c)
    counts = np.array([np.sum(np.isclose(np.abs(c), v)) for v in config.coherences])
    assert counts.sum() == c.size  # every |c| is one of the coherences
    assert scipy.stats.chisquare(counts).pvalue > 1e-3  # drawn uniformly
    assert abs(np.mean(c > 0) - 0.5) < 4 * 0.5 / np.sqrt(c.size)
    diff = inputs[:, :7, 1] - inputs[:, :7, 2]  # mean evidence difference is c
    slope = np.polyfit(c, diff.mean(axis=1), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.02)
    assert np.all(inputs[:, :7, 0] == 1) and np.all(inputs[:, 7] == 0)
    assert np.all(targets[:, :7] == 0) and np.all(targets[:, 7] == np.where(c > 0, 1, 2))


def test_vmapped_lanes_equal_single_runs():
    config = _smoke()
    seeds, ranks = jnp.array([0, 1], jnp.int32), jnp.array([1, compute.ALIGNED], jnp.int32)
    eval_inputs, eval_targets, _ = model.decision_trials(
        jax.random.key(6), 16, jnp.asarray(config.coherences), 7, 0.5)
    lane = functools.partial(compute.rnn_train_lane, config=config, eval_inputs=eval_inputs,
                             eval_targets=eval_targets)
    both = jax.jit(jax.vmap(lane))(seeds, ranks)
    probe = jax.random.normal(jax.random.key(7), (8, config.linear_dim))
    linear = functools.partial(compute.linear_lane, base_seed=0, dim=config.linear_dim,
                               hidden=config.linear_hidden, steps=50, lr=0.01, probe=probe,
                               record_every=10)
    both_linear = jax.jit(jax.vmap(linear))(seeds, ranks)
    for i in range(2):
        alone = jax.jit(lane)(seeds[i], ranks[i])
        np.testing.assert_allclose(np.asarray(alone["loss_curve"]),
                                   np.asarray(both["loss_curve"][i]), rtol=1e-5)
        np.testing.assert_allclose(np.asarray(alone["end"]["W_rec"]),
                                   np.asarray(both["end"]["W_rec"][i]), rtol=1e-5, atol=1e-7)
        alone_linear = jax.jit(linear)(seeds[i], ranks[i])
        for key in ("rel_change", "kernel_alignment", "final_loss"):
            assert float(alone_linear[key]) == pytest.approx(float(both_linear[key][i]),
                                                             rel=1e-5, abs=1e-12)


@pytest.mark.parametrize("field,value", [
    ("rnn_ranks", [1, 8]), ("linear_ranks", [10, 1]), ("rnn_steps", 45), ("rnn_momentum", 1.0),
    ("coherences", [0.0, 0.5]),
])
def test_bad_values_raise_usage_error(field, value):
    with pytest.raises(UsageError) as error:
        rli.validate(resolve(rli.PROFILES, "smoke", {field: value}, rli.CHECKS))
    assert error.value.flag == field
