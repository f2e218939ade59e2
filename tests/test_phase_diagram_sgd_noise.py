"""phase_diagram (SGD-noise pillar): data, FC network, one SGD run, sweep cells, derived metrics.

Spec §8.2 checks covered here: MNIST-1D generator args pinned and parity labels balanced; test
set fixed across seeds, training sets per seed; FC forward at init (F(w0) = 0, Var f ≈ 1/h);
temperature conversion η = T·B·h; vmap cell == single run (status, steps, parameters), frozen
lanes; stopping (converged ⇒ zero hinge loss up to the float32 slack; capped at the cap);
divergence (α = 2^−6, T = 2^−2 ends diverged with a NaN test error); divergence-edge helpers;
bad flags exit with status 2.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.sgd_noise import _fc, _mnist1d, common
from experiments.sgd_noise import phase_diagram_metrics as pdm
from tests.conftest import run_program

N_POOL, N_TEST = 400, 100


@pytest.fixture(scope="module")
def pool():
    return _mnist1d.load_pool(N_POOL, N_TEST, seed_testset=0)


def test_generator_args_pinned():
    from mnist1d.data import get_dataset_args

    defaults = vars(get_dataset_args())
    assert set(defaults) == set(_mnist1d.GENERATOR_ARGS)
    for name, value in _mnist1d.GENERATOR_ARGS.items():
        assert defaults[name] == value, name
    args = _mnist1d.generator_args(N_POOL)
    assert args["num_samples"] == N_POOL and args["train_split"] == 1.0
    record = _mnist1d.data_record(N_POOL, N_TEST, 0)
    assert record["generator_args"] == args


def test_parity_labels_and_split(pool):
    digits = np.arange(10)
    np.testing.assert_array_equal(_mnist1d.parity_labels(digits),
                                  [1, -1, 1, -1, 1, -1, 1, -1, 1, -1])
    for x, y, d in ((pool.x_test, pool.y_test, pool.digits_test),
                    (pool.x_train_pool, pool.y_train_pool, pool.digits_train_pool)):
        assert x.shape[1] == _mnist1d.INPUT_DIM and x.dtype == np.float32
        np.testing.assert_array_equal(y, np.where(d % 2 == 0, 1.0, -1.0))
    y_all = np.concatenate([pool.y_test, pool.y_train_pool])
    assert abs(np.mean(y_all == 1) - 0.5) <= 0.02  # balanced (exactly, 10 equal classes)
    again = _mnist1d.load_pool(N_POOL, N_TEST, seed_testset=0)
    np.testing.assert_array_equal(again.x_test, pool.x_test)
    other = _mnist1d.load_pool(N_POOL, N_TEST, seed_testset=1)
    assert not np.array_equal(other.x_test, pool.x_test)


def test_training_sets_per_seed():
    keys = [common.lane_keys(0, s)["train"] for s in (0, 0, 1)]
    idx = [np.asarray(_mnist1d.training_indices(k, 300, 64)) for k in keys]
    np.testing.assert_array_equal(idx[0], idx[1])
    assert not np.array_equal(idx[0], idx[2])
    assert len(set(idx[0].tolist())) == 64  # distinct points


@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_forward_at_init(pool, activation):
    spec = _fc.FCSpec(_mnist1d.INPUT_DIM, 3, 64, activation)
    x = pool.x_test[:8]
    # Inputs with |x|²/d = 1, so every pre-activation has unit variance at init.
    x = jnp.asarray(x / np.sqrt(np.mean(x**2, axis=1, keepdims=True)))
    keys = jax.random.split(jax.random.key(0), 200)
    f = jax.vmap(lambda k: _fc.forward(_fc.init_params(k, spec), x, spec))(keys)
    assert f.shape == (200, 8)
    # Mean-field read-out with normalised activations: Var f(w0, x) ≈ 1/h (within 20 %).
    var = float(jnp.mean(f**2)) * spec.width
    assert var == pytest.approx(1.0, rel=0.2)
    f0 = _fc.forward(_fc.init_params(keys[0], spec), x, spec)
    assert np.all(np.asarray(common.centred_output(f0, f0)) == 0.0)
    assert _fc.activation_norm("gelu") == pytest.approx(0.652090, abs=2e-6)
    assert _fc.param_count(_fc.FCSpec(40, 5, 128, "gelu")) == 70_784


SPEC = _fc.FCSpec(_mnist1d.INPUT_DIM, 3, 32, "gelu")
TRAIN = _fc.TrainSpec(num_train=64, batch=8, check_period=16, max_steps=800,
                      batch_sampling="replace", return_params=True)
# Lanes: lazy (stops early), rich small-T (runs long; capped at 800 steps), far above the edge.
LANES = (np.array([0, 1, 0], np.int32), np.array([2.0**10, 2.0**-6, 2.0**-6], np.float32),
         np.array([2.0**-6, 2.0**-12, 2.0**-2], np.float32))


@pytest.fixture(scope="module")
def sweep_out(pool):
    data = _fc.device_data(pool)
    sweep = _fc.make_sweep(SPEC, TRAIN, 3, data)
    out = jax.tree.map(np.asarray, sweep(*(jnp.asarray(a) for a in LANES)))
    solo = jax.jit(_fc.make_run_one(SPEC, TRAIN, 3))
    singles = [jax.tree.map(np.asarray, solo(*(jnp.asarray(a[i]) for a in LANES), data))
               for i in range(len(LANES[0]))]
    return out, singles


def test_vmap_cell_equals_single_run(sweep_out):
    out, singles = sweep_out
    for i, single in enumerate(singles):
        assert out["status"][i] == single["status"] and out["steps"][i] == single["steps"]
        for p_vmap, p_single in zip(out["params"], single["params"], strict=True):
            if out["status"][i] != common.DIVERGED:
                np.testing.assert_allclose(p_vmap[i], p_single, rtol=1e-6, atol=1e-6)
    # The lazy lane stopped long before the others: its frozen carry equals its solo run.
    assert out["steps"][0] < out["steps"][1]


def test_stopping_statuses(sweep_out):
    out, _ = sweep_out
    alpha, temp = LANES[1], LANES[2]
    assert out["status"].tolist() == [common.CONVERGED, common.CAPPED, common.DIVERGED]
    # Converged: min α y F ≥ 1 − 1e−6, so the training hinge loss is 0 up to that slack.
    assert out["margin"][0] >= 1.0 - common.MARGIN_TOLERANCE
    assert out["train_loss"][0] <= common.MARGIN_TOLERANCE / alpha[0]
    assert out["steps"][0] % TRAIN.check_period == 0
    # Capped: stopped at the cap (a multiple of K), margin below 1, results finite.
    assert out["steps"][1] == TRAIN.max_steps and out["margin"][1] < 1.0
    assert np.isfinite(out["test_error"][1]) and np.isfinite(out["rel_change"][1])
    # Diverged: test error and weight change masked as NaN, never a perfect score.
    assert np.isnan(out["test_error"][2]) and np.isnan(out["rel_change"][2])
    # Temperature: η = T·B·h, t* = η·steps.
    np.testing.assert_allclose(out["eta"], temp * TRAIN.batch * SPEC.width, rtol=1e-7)
    np.testing.assert_allclose(out["t_star"], out["eta"] * out["steps"], rtol=1e-6)


def test_divergence_edge_helpers():
    temps = 2.0 ** np.arange(-6, 0, dtype=float)
    none = np.zeros(6, bool)
    diverged = np.array([0, 0, 0, 1, 1, 1], bool)
    t_max, flag = pdm.divergence_edge(temps, diverged, none)
    assert flag == "none" and t_max == pytest.approx(np.sqrt(temps[2] * temps[3]))
    assert pdm.divergence_edge(temps, np.zeros(6, bool), none)[1] == "right"
    assert pdm.divergence_edge(temps, np.ones(6, bool), none)[1] == "left"
    log2a = np.array([-6.0, -3.0, 0.0, 3.0])
    edges = 2.0 ** (np.array([-8.5, -6.5, -4.5, np.nan]))
    assert pdm.edge_slope(log2a, edges) == pytest.approx(2.0 / 3.0)
    status = np.array([[[1, 1], [3, 1], [2, 1]], [[4, 4], [1, 1], [1, 1]]])
    assert pdm.cell_state(status).tolist() == [[0, 1, 2], [3, 0, 0]]


@pytest.mark.parametrize("flag", ["--batch=500", "--log2_temperatures=-4,-10", "--max_steps=3",
                                  "--activation=tanh"])
def test_bad_flags_exit_2(flag):
    result = run_program("experiments.sgd_noise.phase_diagram", "--profile=smoke", flag,
                         "--out=/tmp/unused_phase_diagram_test")
    assert result.returncode == 2, result.stderr[-500:]
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and flag.split("=")[0] in lines[0]
