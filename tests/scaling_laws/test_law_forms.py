"""Fitting machinery and recovery checks of ``law_forms`` (spec §4b, §8 cross-checks 11-13).

The JAX Levenberg-Marquardt used by the experiment reaches the same optimum as SciPy's
``least_squares`` (the spec's prescribed solver) on the same data; noise-free truths are
recovered to 1e-6 relative; OLS matches ``numpy.linalg.lstsq`` and the textbook SE formula, and
one vmapped cell equals the same fit alone; bad flags exit with status 2.
"""

from __future__ import annotations

from functools import partial

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments.scaling_laws.law_forms import model  # noqa: E402
from experiments.scaling_laws.law_forms.compute import sparsing_massive as fits  # noqa: E402
from experiments.scaling_laws.shared.least_squares import least_squares_fit, lm_fit, ols  # noqa: E402
from tests.conftest import usage_error_line  # noqa: E402
from theory import scaling_forms as sf  # noqa: E402


def test_ols_matches_lstsq_and_vmaps():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=30), rng.normal(size=30), np.ones(30)])
    Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=(4, 30))
    batch = jax.jit(jax.vmap(lambda y: ols(jnp.asarray(X), y)))(jnp.asarray(Y))
    for k in range(4):
        coef, rss, *_ = np.linalg.lstsq(X, Y[k], rcond=None)
        s2 = rss[0] / (30 - 3)
        se = np.sqrt(s2 * np.diag(np.linalg.inv(X.T @ X)))
        alone = ols(X, Y[k])
        np.testing.assert_allclose(alone.coef, coef, rtol=1e-12)
        np.testing.assert_allclose(alone.se, se, rtol=1e-10)
        r2 = 1 - rss[0] / np.sum((Y[k] - Y[k].mean()) ** 2)
        assert float(alone.r_squared) == pytest.approx(r2, rel=1e-12)
        np.testing.assert_allclose(batch.coef[k], alone.coef, rtol=1e-12)
        assert alone.dof == 27


def test_least_squares_fit_keeps_best_finite_start():
    x = np.linspace(0.0, 1.0, 20)
    y = 2.0 * np.exp(-3.0 * x)
    model = lambda p, x: p[0] * np.exp(-p[1] * x)  # noqa: E731
    starts = [[1.0, 1.0], [1.0, -800.0], [0.1, 10.0]]  # the second overflows
    res = least_squares_fit(model, starts, x, y, "lm")
    np.testing.assert_allclose(res.x, [2.0, 3.0], rtol=1e-8)
    assert res.n_finite >= 2 and res.start_index in (0, 2)
    with pytest.raises(ValueError):
        least_squares_fit(lambda p, x: np.full_like(x, np.nan), [[1.0]], x, y, "lm")


def _relu_noisy(row: int, sigma: float, seed: int):
    D = model.sparsing_grid(40)
    _, relu_p, _, _ = model.sparsing_truths()
    y = np.asarray(sf.sparsing_relu(D, *relu_p[row]))
    return D, y + sigma * np.random.default_rng(seed).normal(size=D.size), relu_p[row]


def test_jax_lm_matches_scipy_sparsing():
    fit = jax.jit(fits.fit_relu)
    for row in (0, 3):
        D, y, _ = _relu_noisy(row, 1e-4, row)
        ours = np.asarray(fit(jnp.asarray(D), jnp.asarray(y)))
        res = least_squares_fit(lambda q, D: np.asarray(fits.relu_residual(q, D, 0.0)),
                                np.asarray(fits.relu_starts(jnp.asarray(D), jnp.asarray(y))),
                                D, y, "lm")
        cost_ours = 0.5 * np.sum((np.asarray(sf.sparsing_relu(D, *ours)) - y) ** 2)
        assert cost_ours <= res.cost * (1 + 1e-6)


def test_jax_lm_matches_scipy_massive():
    t = model.pythia_steps()
    p = model.MASSIVE_CASES["mid"]
    clean = np.asarray(sf.massive_activation(t, *p))
    y = clean + 0.14 * clean.std() * np.random.default_rng(3).normal(size=t.size)
    ours = np.asarray(jax.jit(fits.fit_massive)(jnp.asarray(t), jnp.asarray(y)))
    T, lo, span = t.max(), y.min(), y.max() - y.min()
    tn, yn = t / T, (y - lo) / span
    starts = [[1.0, f / np.std(tn), 1.0, 1.0, 0.5 + yn.min()] for f in (1.0, 0.1, 10.0)]
    res = least_squares_fit(lambda q, x: np.asarray(sf.massive_activation(x, *q)), starts, tn,
                            yn, "trf", (np.array(fits.MASSIVE_LOWER), np.inf))
    ours_norm = np.array([ours[0] / span, ours[1], ours[2] * T, ours[3],
                          (ours[4] - lo) / span])
    cost_ours = 0.5 * np.sum((np.asarray(sf.massive_activation(tn, *ours_norm)) - yn) ** 2)
    assert cost_ours == pytest.approx(res.cost, rel=1e-6)


def test_noise_free_recovery():
    """Spec §8 item 11: noise-free truths of identifiable rows recovered to 1e-6 relative."""
    D = jnp.asarray(model.sparsing_grid(40))
    _, relu_p, _, silu_p = model.sparsing_truths()
    relu_y = jax.vmap(lambda p: sf.sparsing_relu(D, *p))(jnp.asarray(relu_p[1:]))
    silu_y = jax.vmap(lambda p: sf.sparsing_silu(D, *p))(jnp.asarray(silu_p))
    np.testing.assert_allclose(jax.jit(jax.vmap(partial(fits.fit_relu, D)))(relu_y), relu_p[1:],
                               rtol=1e-6)
    np.testing.assert_allclose(jax.jit(jax.vmap(partial(fits.fit_silu, D)))(silu_y), silu_p,
                               rtol=1e-6)
    t = jnp.asarray(model.pythia_steps())
    truth = np.array([model.MASSIVE_CASES[name] for name in ("peaked", "mid")])
    y = jax.vmap(lambda p: sf.massive_activation(t, *p))(jnp.asarray(truth))
    np.testing.assert_allclose(jax.jit(jax.vmap(partial(fits.fit_massive, t)))(y), truth,
                               rtol=1e-6)


def test_lm_respects_bounds():
    x = jnp.linspace(0.0, 1.0, 10)
    res = lambda p, x: p[0] * x - (-1.0 * x)  # noqa: E731  optimum p = -1, bound p ≥ 0
    p, _ = lm_fit(res, jnp.array([2.0]), x, lower=jnp.array([0.0]), steps=100)
    assert 0.0 <= float(p[0]) <= 1e-12


@pytest.mark.parametrize("flag", ["--hotmess_samples=1", "--hotmess_ensembles=2,1"])
def test_bad_flags_are_refused(flag):
    line = usage_error_line("scaling_laws.law_forms", "--profile=smoke", flag)
    assert flag.split("=")[0] in line, line
