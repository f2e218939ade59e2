"""Closed forms of theory/scaling_chinchilla.py (specs/scaling_laws.md §4, Chinchilla part)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate

from theory import scaling as ts
from theory import scaling_chinchilla as tc

jax.config.update("jax_enable_x64", True)

SETS = {"epoch": tc.EPOCH_2024["estimates"],
        "hoffmann_unrounded": tc.natural_params(tc.HOFFMANN_UNROUNDED),
        "hoffmann_rounded": tc.HOFFMANN_ROUNDED}
# spec §3.2 compute-optimal table at C = 5.88e23 (published sets): a, G, N_opt, D_opt, D/N
TABLE = {"epoch": (0.5126, 0.1196, 7.30e10, 1.342e12, 18.4),
         "hoffmann_unrounded": (0.4565, 1.300, 4.07e10, 2.405e12, 59.0),
         "hoffmann_rounded": (0.4516, 1.345, 3.25e10, 3.016e12, 92.8)}


def test_reexported_from_theory_scaling():
    assert ts.chinchilla_loss is tc.chinchilla_loss
    assert set(tc.__all__) <= set(dir(ts))


def test_log_loss_equals_log_of_loss():
    rng = np.random.default_rng(0)
    N, D = 10 ** rng.uniform(7, 11, 50), 10 ** rng.uniform(8, 12, 50)
    for p in SETS.values():
        direct = tc.chinchilla_loss(N, D, p["E"], p["A"], p["B"], p["alpha"], p["beta"])
        via_log = jnp.exp(tc.chinchilla_log_loss(np.log(N), np.log(D), np.log(p["A"]),
                                                 np.log(p["B"]), np.log(p["E"]), p["alpha"],
                                                 p["beta"]))
        np.testing.assert_allclose(via_log, direct, rtol=1e-12)


def test_huber_continuous_with_clipped_derivative():
    delta = 1e-3
    r = jnp.linspace(-5e-3, 5e-3, 2001)
    grads = jax.vmap(jax.grad(lambda x: tc.huber(x, delta)))(r)
    np.testing.assert_allclose(grads, jnp.clip(r, -delta, delta), atol=1e-15)
    below, above = tc.huber(delta * (1 - 1e-12), delta), tc.huber(delta * (1 + 1e-12), delta)
    assert abs(float(above - below)) < 1e-15


def test_huber_normaliser_by_quadrature():
    for delta in (1e-3, 0.5, 2.0):
        f = lambda u, d=delta: float(np.exp(-tc.huber(u, d)))  # noqa: E731
        inner = scipy.integrate.quad(f, -delta, delta, epsabs=1e-13)[0]
        tail = scipy.integrate.quad(f, delta, 50 / delta, epsabs=1e-13, limit=200)[0]
        assert np.log(inner + 2 * tail) == pytest.approx(float(tc.huber_log_normaliser(delta)),
                                                         rel=1e-8)


def test_huber_density_integrates_to_one():
    log_scale = -2.0
    s = np.exp(log_scale)
    f = lambda r: float(np.exp(tc.huber_log_density(r, 0.5, log_scale)))  # noqa: E731
    total = sum(scipy.integrate.quad(f, lo, hi, limit=200)[0]
                for lo, hi in ((-400 * s, -0.5 * s), (-0.5 * s, 0.5 * s), (0.5 * s, 400 * s)))
    assert total == pytest.approx(1.0, rel=1e-7)


@pytest.mark.parametrize("name", list(SETS))
def test_compute_optimal_identities_and_table(name):
    p = SETS[name]
    opt = tc.compute_optimal(tc.CHINCHILLA_COMPUTE, p["A"], p["B"], p["alpha"], p["beta"])
    assert float(6 * opt["N_opt"] * opt["D_opt"]) == pytest.approx(tc.CHINCHILLA_COMPUTE,
                                                                    rel=1e-12)
    assert float(opt["a"] + opt["b"]) == pytest.approx(1.0, abs=1e-15)
    a, g, n_opt, d_opt, ratio = TABLE[name]
    for got, want in ((opt["a"], a), (opt["G"], g), (opt["N_opt"], n_opt),
                      (opt["D_opt"], d_opt)):
        assert float(got) == pytest.approx(want, rel=5e-3)
    tpp = tc.tokens_per_parameter(tc.CHINCHILLA_COMPUTE, p["A"], p["B"], p["alpha"], p["beta"])
    assert float(tpp) == pytest.approx(ratio, rel=5e-3)


@pytest.mark.parametrize("C", [1e19, 5.88e23, 1e26])
def test_compute_optimal_matches_brute_force(C):
    p = SETS["epoch"]
    n_grid = np.logspace(6, 16, 400_001)
    losses = tc.chinchilla_loss(n_grid, C / (6 * n_grid), p["E"], p["A"], p["B"], p["alpha"],
                                p["beta"])
    brute = n_grid[int(np.argmin(np.asarray(losses)))]
    opt = tc.compute_optimal(C, p["A"], p["B"], p["alpha"], p["beta"])
    assert brute == pytest.approx(float(opt["N_opt"]), rel=1e-4)


def test_published_constants():
    assert np.exp(tc.HOFFMANN_UNROUNDED["a"]) == pytest.approx(406.4, rel=1e-4)
    assert np.exp(tc.HOFFMANN_UNROUNDED["b"]) == pytest.approx(410.7, rel=1e-4)
    assert np.exp(tc.HOFFMANN_UNROUNDED["e"]) == pytest.approx(1.6934, rel=1e-4)
    ep = tc.EPOCH_2024["estimates"]
    assert ep["beta"] / (ep["alpha"] + ep["beta"]) == pytest.approx(tc.EPOCH_2024["a"], abs=1e-4)
    assert tc.HOFFMANN_TABLE2["approach_3"]["a"][0] == 0.46
    assert tc.KAPLAN_2020["a"] == 0.73
