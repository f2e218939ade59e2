"""chinchilla_fit: shipped data, objective and gradient, vmapped L-BFGS, recovery, the mean-vs-sum
early stop, bootstrap and posterior shapes, likelihood values, bad input
(specs/scaling_laws.md §2, §3.2, §4b, §8 checks 5, 8, 10, 13)."""

import hashlib
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.scaling_laws.chinchilla_fit import compute as chinchilla_compute
from experiments.scaling_laws.chinchilla_fit import metrics as an
from experiments.scaling_laws.shared import fit
from experiments.scaling_laws.shared.bayes_fit import reference_init, run_nuts
from tests.conftest import usage_error_line
from tests.scaling_laws.helpers import run_fresh_python
from theory import scaling_chinchilla as tc

jax.config.update("jax_enable_x64", True)

SHIPPED_SHA256 = "6d87919941b6bbfd2c22d8a583eddeff42a2fcdde59d436f2ae2c3a3ee9d75e0"
OPTIMUM_J = 1.01827402e-3


@pytest.fixture(scope="module")
def raw():
    return chinchilla_compute.load_data()


@pytest.fixture(scope="module")
def data(raw):
    keep = raw["keep"]
    return fit.make_data(raw["N"][keep], raw["D"][keep], raw["loss"][keep])


def test_shipped_file_facts(raw):
    assert hashlib.sha256(chinchilla_compute.DATA_FILE.read_bytes()).hexdigest() == SHIPPED_SHA256
    assert raw["N"].size == 245
    for key, lo, hi in (("N", 5.733e7, 1.618e10), ("C", 1.397e18, 1.296e22),
                        ("loss", 2.077, 5.006), ("D", 2.451e8, 3.178e11)):
        assert raw[key].min() == pytest.approx(lo, rel=1e-3)
        assert raw[key].max() == pytest.approx(hi, rel=1e-3)
    assert np.unique(raw["N"]).size == 142
    dropped = np.sort(raw["loss"][~raw["keep"]])[::-1]
    np.testing.assert_allclose(dropped, [5.0056, 4.6652, 3.7939, 3.7656, 3.4470], atol=1e-4)
    assert raw["keep"].sum() == 240
    assert np.all((raw["C"][~raw["keep"]] > 9.2e18) & (raw["C"][~raw["keep"]] < 1.01e19))


def test_full_grid_has_4500_unique_rows_in_ij_order():
    grid = fit.chinchilla_grid("full")
    assert grid.shape == (4500, 5) and np.unique(grid, axis=0).shape[0] == 4500
    np.testing.assert_array_equal(grid[0], [0, 0, -1, 0, 0])
    np.testing.assert_array_equal(grid[1], [0, 0, -1, 0, 0.5])  # β varies fastest ("ij")
    subset = fit.chinchilla_grid(256, jax.random.key(0))
    assert np.unique(subset, axis=0).shape[0] == 256


def test_closed_form_gradients_match_autodiff(data):
    rng = np.random.default_rng(1)
    for theta in [an.theta_of(tc.EPOCH_2024["estimates"]), *rng.uniform(0, 2, (3, 5)) +
                  np.array([5.0, 6.0, -0.5, 0.0, 0.0])]:
        theta = jnp.asarray(theta)
        auto = jax.grad(fit.huber_objective)(theta, *data)
        np.testing.assert_allclose(fit.huber_objective_grad(theta, *data), auto, rtol=1e-10,
                                   atol=1e-14)
        value, grad = fit.huber_value_and_grad(theta, *data)
        assert float(value) == pytest.approx(float(fit.huber_objective(theta, *data)), rel=1e-12)
        np.testing.assert_allclose(grad, auto, rtol=1e-10, atol=1e-14)


def test_vmapped_lbfgs_start_equals_single_run(data):
    # Starts near the optimum: far from it, 1-ulp differences between batched and unbatched
    # reductions can flip an accept/reject decision and the trajectories part (chaos, not a bug).
    offsets = np.array([[0.3, -0.3, 0.05, 0.02, -0.02], [-0.2, 0.2, -0.05, -0.01, 0.01],
                        [0.1, 0.4, 0.02, 0.0, 0.03]])
    starts = an.theta_of(tc.EPOCH_2024["estimates"]) + offsets
    out = fit.lbfgs_fit(fit.huber_objective, starts, data, 40)
    alone = jax.jit(lambda s: fit.lbfgs_minimize(lambda p: fit.huber_objective(p, *data), s, 40))
    for i in range(3):
        params, value, _, _ = alone(jnp.asarray(starts[i]))
        np.testing.assert_allclose(out["params"][i], params, rtol=1e-10, atol=1e-12)
        assert out["objective"][i] == pytest.approx(float(value), rel=1e-10)


def _synthetic(data, theta, noise=0.0, seed=0):
    logL = chinchilla_compute.recovery_data(jax.random.key(seed), theta, np.asarray(data.logN),
                            np.asarray(data.logD), 1, noise)[1 if noise else 0]
    return np.exp(data.logN), np.exp(data.logD), np.exp(logL)


@pytest.mark.parametrize("truth", ["epoch", "hoffmann_unrounded"])
def test_noise_free_recovery(data, truth):
    theta = an.parameter_sets(np.zeros(5))[truth]
    N, D, L = _synthetic(data, theta)
    result = fit.fit_chinchilla(N, D, L, starts=24, steps=400, seed=1)
    assert result.objective <= 1e-20
    np.testing.assert_allclose(result.theta, theta, atol=1e-8)


def test_noisy_recovery(data):
    theta = an.parameter_sets(np.zeros(5))["epoch"]
    N, D, L = _synthetic(data, theta, noise=4.7e-3, seed=7)
    r = fit.fit_chinchilla(N, D, L, starts=32, steps=400, seed=2)
    assert abs(r.alpha - theta[3]) <= 0.035 and abs(r.beta - theta[4]) <= 0.035
    assert abs(r.E - np.exp(theta[2])) <= 0.07
    assert abs(np.log(r.A) - theta[0]) <= 0.6 and abs(np.log(r.B) - theta[1]) <= 0.6
    assert r.converged_fraction > 0 and r.non_finite == 0


def test_mean_huber_reproduces_premature_stop(data):
    start = an.parameter_sets(np.zeros(5))["hoffmann_unrounded"]
    mean = fit.scipy_lbfgsb_fit(start, data, "mean")
    assert mean["nit"] <= 3
    assert np.max(np.abs(mean["x"] - start)) <= 1e-3
    assert mean["j_sum"] >= 1.1 * OPTIMUM_J
    assert mean["trace"].shape == (mean["nit"] + 1,)
    tight = fit.scipy_lbfgsb_fit(start, data, "mean", chinchilla_compute.SCIPY_TIGHT)
    assert tight["j_sum"] == pytest.approx(OPTIMUM_J, rel=1e-6)


def test_huber_likelihood_of_hoffmann_sets(data):
    sets = an.parameter_sets(np.zeros(5))
    assert fit.huber_loglik(sets["hoffmann_rounded"], data)[0] == pytest.approx(562.25, abs=0.05)
    ll, log_scale = fit.huber_loglik(sets["hoffmann_unrounded"], data)
    assert ll == pytest.approx(837.78, abs=0.05) and log_scale == pytest.approx(-12.09, abs=0.01)


def test_bootstrap_and_posterior_shapes(data):
    point = an.theta_of(tc.EPOCH_2024["estimates"])
    boot = fit.bootstrap_fit(jax.random.key(0), data, point, 3, 20)
    assert boot["theta"].shape == (3, 5) and boot["indices"].shape == (3, 240)
    summary = an.bootstrap_summary(boot["theta"], boot["grad_norm"], point, point, 240)
    assert np.asarray(summary["covariance"]).shape == (5, 5)
    sub = fit.ChinchillaData(*(d[:40] for d in data))

    nuts = run_nuts(jax.random.key(1), *sub, chains=1, warmup=10, draws=12,
                    init=reference_init(point))
    assert nuts["samples"]["alpha"].shape == (1, 12)
    assert set(nuts["r_hat"]) >= {"a", "b", "e", "alpha", "beta", "a_opt"}


@pytest.mark.parametrize("args, match", [
    (([], [], []), "empty"),
    (([1e9, 2e9], [1e10], [2.5, 2.4]), "equal lengths"),
    (([1e9, np.nan], [1e10, 1e11], [2.5, 2.4]), "non-finite"),
    (([1e9, -2e9], [1e10, 1e11], [2.5, 2.4]), "positive"),
    (([1e9, 2e9], [1e10, 1e11], [2.5, 0.0]), "loss must be positive"),
])
def test_bad_data_raise_clear_errors(args, match):
    with pytest.raises(ValueError, match=match):
        fit.fit_chinchilla(*args, starts=2, steps=2)


def test_bad_starts_raise():
    with pytest.raises(ValueError, match="starts"):
        fit.fit_chinchilla([1e9], [1e10], [2.5], starts=4501)
    with pytest.raises(ValueError, match="delta"):
        fit.fit_chinchilla([1e9], [1e10], [2.5], starts=2, delta=0.0)


@pytest.mark.parametrize("flag", ["--n_starts=0", "--n_starts=4501", "--delta=0",
                                  "--nuts_chains=0", "--likelihood=gauss"])
def test_bad_flags_are_refused(flag):
    line = usage_error_line("scaling_laws.chinchilla_fit", "--profile=smoke", flag)
    assert flag.split("=")[0] in line, line


def test_fit_chinchilla_gives_float64_without_the_global_x64_flag():
    """Library use: a fresh interpreter that never enables x64 still gets a float64 fit."""
    code = ("import json, jax, numpy as np\n"
            "from experiments.scaling_laws.chinchilla_fit.compute import load_data\n"
            "from experiments.scaling_laws.shared.fit import fit_chinchilla\n"
            "raw = load_data()\n"
            "k = raw['keep']\n"
            "r = fit_chinchilla(raw['N'][k], raw['D'][k], raw['loss'][k], starts=8, steps=60)\n"
            "print(json.dumps({'x64': bool(jax.config.jax_enable_x64),\n"
            "                  'dtypes': sorted({str(r.theta.dtype), str(r.traces.dtype),\n"
            "                                    str(r.start_params.dtype)}),\n"
            "                  'objective': r.objective}))\n")
    result = run_fresh_python(code, timeout=300)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["x64"] is False  # the caller's global switch is untouched
    assert out["dtypes"] == ["float64"]
    assert 1e-3 < out["objective"] < 1e-1
