"""The per-draw random-feature losses and sweeps of ``bahri_regimes`` (spec §8 brute-force
checks 1–3, 5, 6, 13): low-rank loss vs the explicit S×S formula, trace losses vs explicit
teachers, the pinv data-limited path, common-random-number duality, a vmapped sweep cell equal
to the same seed run alone, exact k-NN, and bad flags."""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from experiments.scaling_laws.bahri_regimes import compute as bc  # noqa: E402
from experiments.scaling_laws.bahri_regimes import model as bm  # noqa: E402
from experiments.scaling_laws.bahri_regimes import model as rf  # noqa: E402
from tests.conftest import usage_error_line  # noqa: E402
from tests.scaling_laws.helpers import run_fresh_python  # noqa: E402
from theory import scaling_rf as th  # noqa: E402

S = 100


def _draw(D: int, P: int, alpha: float = 1.0, seed: int = 0):
    lam = th.power_law_spectrum(S, alpha)
    key = jax.random.key(seed)
    X = rf.gaussian(jax.random.fold_in(key, 0), D, S) * jnp.sqrt(lam)[None, :]
    return X, rf.gaussian(jax.random.fold_in(key, 1), P, S), lam


@pytest.mark.parametrize(("D", "P"), [(10, 30), (30, 10), (20, 20), (40, 38), (150, 60),
                                      (60, 150)])
@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_low_rank_loss_equals_explicit_s_by_s(D, P, alpha):
    X, pm, lam = _draw(D, P, alpha)
    low_rank = float(rf.loss_finite(X, pm, lam))
    explicit = float(rf.loss_explicit_s_by_s(X, pm, lam))
    assert abs(low_rank / explicit - 1) <= 1e-10


def test_trace_loss_equals_explicit_teachers():
    X, pm, lam = _draw(30, 20, 0.5)
    W = jax.random.normal(jax.random.key(3), (S, 20_000), jnp.float64) / np.sqrt(S)
    explicit = float(rf.loss_explicit_teachers(X, pm, lam, W))
    assert abs(explicit / float(rf.loss_finite(X, pm, lam)) - 1) <= 0.02


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_data_limited_trace_formula_equals_min_norm_regression(alpha):
    lam = th.power_law_spectrum(S, alpha)
    G = rf.gaussian(jax.random.key(5), 40, S)
    trace = float(rf.loss_data_limited(G, lam))
    pinv = float(rf.min_norm_data_limited(G * jnp.sqrt(lam)[None, :], lam))
    assert abs(trace / pinv - 1) <= 1e-10


@pytest.mark.parametrize("alpha", [0.25, 1.0, 2.0])
def test_common_random_numbers_identity(alpha):
    """The P = ∞ loss with X = GΛ^(1/2) and the D = ∞ loss with 𝒫 = G are the same function."""
    lam = th.power_law_spectrum(400, alpha)
    G = rf.gaussian(jax.random.key(11), 64, 400)
    data, param = float(rf.loss_data_limited(G, lam)), float(rf.loss_param_limited(G, lam))
    assert abs(data / param - 1) <= 1e-6


def test_finite_loss_tends_to_both_limits():
    """Large P at fixed X approaches L(D, ∞); large D at fixed 𝒫 approaches L(∞, P)."""
    lam = th.power_law_spectrum(S, 1.0)
    key = jax.random.key(2)
    X = rf.gaussian(jax.random.fold_in(key, 0), 20, S) * jnp.sqrt(lam)[None, :]
    big_pm = rf.gaussian(jax.random.fold_in(key, 1), 4000, S)
    limit = float(rf.loss_data_limited_design(X, lam))
    assert abs(float(rf.loss_finite(X, big_pm, lam)) / limit - 1) < 0.02
    pm = rf.gaussian(jax.random.fold_in(key, 2), 10, S)
    big_x = rf.gaussian(jax.random.fold_in(key, 3), 4000, S) * jnp.sqrt(lam)[None, :]
    limit = float(rf.loss_param_limited(pm, lam))
    assert abs(float(rf.loss_finite(big_x, pm, lam)) / limit - 1) < 0.02


def test_vmapped_sweep_cell_equals_single_run():
    n, size, alphas, seeds = 8, 64, [0.5, 1.0], 3
    out = bc.resolution_sweep(n, S=size, alphas=alphas, seeds=seeds, seed=4, batch=2,
                              num_devices=1)
    a, s = 1, 2
    key = bc.resolution_keys(4, jnp.int32(a), n, jnp.int32(s))
    lam = th.power_law_spectrum(size, alphas[a])
    data = float(rf.loss_data_limited(rf.gaussian(jax.random.fold_in(key, 0), n, size), lam))
    param = float(rf.loss_param_limited(rf.gaussian(jax.random.fold_in(key, 1), n, size), lam))
    assert abs(out["data"][a, s] / data - 1) <= 1e-12
    assert abs(out["param"][a, s] / param - 1) <= 1e-12
    assert abs(out["crn_param_on_design"][a] / out["data"][a, 0] - 1) <= 1e-8


def test_resolution_sweep_does_not_deadlock_on_two_threads():
    """QR beside Cholesky, batched, wedged the 2-thread CPU pool (see sweep.one_after_another)."""
    code = ("import jax; jax.config.update('jax_enable_x64', True)\n"
            "from experiments.scaling_laws.bahri_regimes import compute as bc\n"
            "out = bc.resolution_sweep(64, S=4000, alphas=[0.25, 0.5, 1.0, 2.0], seeds=2, seed=0,"
            " batch=8, num_devices=1)\n"
            "assert out['data'].shape == (4, 2)\n")
    run_fresh_python(code, timeout=180)


def test_fixed_sweeps_nest_and_peak():
    grid = bc.d_grid(16, 64)
    assert grid == [8, 12, 14, 16, 18, 20, 32, 64]
    assert bc.d_grid(32, 128)[:6] == [8, 16, 24, 28, 30, 32]
    out = bc.fixed_p_sweep(16, grid, S=256, alpha=0.5, seeds=2, seed=0, batch=1, num_devices=1)
    assert out["loss"].shape == (2, len(grid))
    assert np.argmax(np.median(out["loss"], axis=0)) == grid.index(16)


def test_knn_matches_brute_force_top_k():
    key = jax.random.key(9)
    train = bm.embed(jax.random.uniform(jax.random.fold_in(key, 0), (2000, 3), jnp.float64))
    test = bm.embed(jax.random.uniform(jax.random.fold_in(key, 1), (200, 3), jnp.float64))
    _, tree_index = cKDTree(np.asarray(train)).query(np.asarray(test), k=8)
    brute = np.asarray(bm.brute_force_neighbours(train, test, 8))
    np.testing.assert_array_equal(tree_index, brute)


def test_local_linear_is_exact_on_affine_targets():
    """On a 1-d line segment in R^2 an affine target is reproduced to round-off."""
    t = jnp.linspace(0.0, 1.0, 4)
    neighbours = jnp.stack([t, 2.0 * t + 1.0], axis=1)
    values = 3.0 * t - 1.0
    query = jnp.array([0.5, 2.0])
    assert abs(float(bm.local_linear_predict(neighbours, values, query, 1)) - 0.5) < 1e-9


@pytest.mark.parametrize("flag", ["--S=2000", "--alphas=0", "--manifold_dims=7",
                                  "--fixed_P=5000"])
def test_bad_flags_are_refused(flag):
    line = usage_error_line("scaling_laws.bahri_regimes", "--profile=cpu", flag)
    assert flag.split("=")[0] in line, line
