"""Theory of the SGD-noise pillar (theory/sgd_noise.py) against limits, identities, quadrature
and Monte Carlo, in float64 (spec §4 "Tests")."""

from __future__ import annotations

import math

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.integrate  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402

from theory import sgd_noise as sn  # noqa: E402

CHIS = (0.0, 0.5, 1.0, 3.0)


def _sample_x1(rng: np.random.Generator, n: int, chi: float) -> np.ndarray:
    return rng.choice([-1.0, 1.0], n) * np.sqrt(2.0 * rng.gamma((chi + 1.0) / 2.0, 1.0, n))


def test_c_chi_values_moments_and_monte_carlo():
    chis = np.array([0.0, 1.0, 3.0])
    c = np.asarray(sn.c_chi(chis))
    np.testing.assert_allclose(c, [1.253314, 1.595769, 2.127692], atol=1e-6)
    ratio = sn.abs_gaussian_moment(2.0 + chis) / sn.abs_gaussian_moment(1.0 + chis)
    np.testing.assert_allclose(c, np.asarray(ratio), rtol=1e-12)
    np.testing.assert_allclose(1.0 / (2.0 * c), [0.3989, 0.3133, 0.2350], atol=1e-4)
    z = np.abs(np.random.default_rng(0).standard_normal(1_000_000))
    for chi, value in zip(chis, c, strict=True):
        assert np.mean(z ** (2 + chi)) / np.mean(z ** (1 + chi)) == pytest.approx(value, rel=0.01)


def test_depleted_density_normalised_and_gaussian_at_chi0():
    density = jax.jit(sn.depleted_density)
    for chi in CHIS:
        total, _ = scipy.integrate.quad(lambda u, c=chi: float(density(u, c)),
                                        -np.inf, np.inf)
        assert total == pytest.approx(1.0, abs=1e-8)
    u = np.linspace(-4, 4, 17)
    np.testing.assert_allclose(np.asarray(sn.depleted_density(u, 0.0)),
                               scipy.stats.norm.pdf(u), rtol=1e-12)


def test_prob_abs_x1_below_limits_and_derivative():
    eps = np.linspace(0.01, 3.0, 30)
    np.testing.assert_allclose(np.asarray(sn.prob_abs_x1_below(eps, 0.0)),
                               scipy.special.erf(eps / np.sqrt(2)), rtol=1e-12)
    for chi in CHIS:
        grad = jax.vmap(jax.grad(lambda e, c=chi: sn.prob_abs_x1_below(e, c)))(jnp.asarray(eps))
        np.testing.assert_allclose(np.asarray(grad), 2 * np.asarray(sn.depleted_density(eps, chi)),
                                   rtol=1e-8)
        small = 1e-4
        limit = small ** (1 + chi) / (2 ** ((1 + chi) / 2) * math.gamma((chi + 3) / 2))
        assert float(sn.prob_abs_x1_below(small, chi)) == pytest.approx(limit, rel=1e-6)


@pytest.mark.parametrize("chi", [0.0, 1.0, 3.0])
def test_expected_min_abs_x1(chi):
    rng = np.random.default_rng(1)
    for P in (16, 256):
        mins = np.abs(_sample_x1(rng, 2000 * P, chi)).reshape(2000, P).min(axis=1)
        se = mins.std(ddof=1) / np.sqrt(mins.size)
        assert abs(float(sn.expected_min_abs_x1(P, chi)) - mins.mean()) <= 3 * se
    c0 = 1.0 / (2 ** ((1 + chi) / 2) * math.gamma((chi + 3) / 2))
    P = 1e8
    limit = math.gamma(1 + 1 / (1 + chi)) * (P * c0) ** (-1 / (1 + chi))
    assert float(sn.expected_min_abs_x1(P, chi)) == pytest.approx(limit, rel=1e-3)


def test_perceptron_test_error_closed_form_limits_and_monotone():
    theta = np.geomspace(1e-4, 1e3, 60)
    np.testing.assert_allclose(np.asarray(sn.perceptron_test_error(1.0, theta, 0.0)),
                               np.arctan(theta) / np.pi, atol=1e-10, rtol=1e-8)
    for chi in (0.0, 1.0, 3.0):
        err = np.asarray(sn.perceptron_test_error(1.0, theta, chi))
        assert np.all(np.diff(err) > 0)
        assert err[-1] == pytest.approx(0.5, abs=2e-3)
        ratio = float(sn.perceptron_test_error(1.0, 1e-3, chi)
                      / sn.perceptron_test_error_small_theta(1e-3, chi))
        assert ratio == pytest.approx(1.0, abs=0.01)
        # Symmetry and special cases.
        assert float(sn.perceptron_test_error(-2.0, 0.3, chi)) == pytest.approx(
            1 - float(sn.perceptron_test_error(2.0, 0.3, chi)), abs=1e-12)
        assert float(sn.perceptron_test_error(0.0, 0.3, chi)) == 0.5
        assert float(sn.perceptron_test_error(1.0, 0.0, chi)) == 0.0


def _test_error_by_adaptive_quadrature(theta: float, chi: float) -> float:
    """∫_0^∞ 2ρ(u)Φ(−u/θ) du by QUADPACK's QAWS, which integrates the weight u^χ exactly.

    For θ ≤ 1 the variable is v = u/θ (the integrand lives at u ~ θ), as in the closed form.
    """
    log_norm = 0.5 * (chi + 1) * math.log(2) + scipy.special.gammaln(0.5 * (chi + 1))
    scale = min(theta, 1.0)
    def smooth_part(v: float) -> float:  # everything but the singular factor v^χ
        u = scale * v
        return 2 * math.exp(-0.5 * u * u - log_norm) * scipy.special.ndtr(-u / theta)
    value, _ = scipy.integrate.quad(smooth_part, 0, 40, weight="alg", wvar=(chi, 0),
                                    epsabs=0, epsrel=1e-13, limit=500)
    return value * scale ** (1 + chi)


@pytest.mark.parametrize("chi", [0.01, 0.3, 0.5, 1.7, 2.5, 7.3, 0.0, 1.0, 3.0])
def test_perceptron_test_error_matches_adaptive_quadrature_to_1e_10(chi):
    """Non-integer χ puts a u^χ singularity at the endpoint; the closed form claims 1e−10."""
    thetas = np.array([1e-3, 0.05, 0.3, 1.0, 3.0, 50.0])
    closed = np.asarray(sn.perceptron_test_error(1.0, thetas, chi))
    reference = np.array([_test_error_by_adaptive_quadrature(t, chi) for t in thetas])
    np.testing.assert_allclose(closed, reference, rtol=1e-10, atol=0)


@pytest.mark.parametrize("chi", [0.0, 1.0, 3.0])
def test_perceptron_test_error_monte_carlo(chi):
    rng = np.random.default_rng(2)
    n, d = 1_000_000, 8
    x1 = _sample_x1(rng, n, chi)
    x_perp = rng.standard_normal((n, d - 1)).astype(np.float64)
    y = np.sign(x1)
    direction = rng.standard_normal(d - 1)
    direction /= np.linalg.norm(direction)
    proj = x_perp @ direction
    for theta in (0.01, 0.1, 1.0):
        w1, w_perp = 2.0, 2.0 * theta
        wrong = np.mean(y * (w1 * x1 + w_perp * proj) <= 0)
        p = float(sn.perceptron_test_error(w1, w_perp, chi))
        assert abs(wrong - p) <= 3 * math.sqrt(p * (1 - p) / n) + 1e-12


def test_exponent_identities():
    chi = np.array([0.0, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(np.asarray(sn.b_exponent(chi)),
                               1 + 2 * np.asarray(sn.gamma_exponent(chi)))
    assert float(sn.topt_exponent(5)) == pytest.approx(2 / 3)
    assert float(sn.topt_exponent(1)) == 0.0
    np.testing.assert_allclose(np.asarray(sn.perceptron_tc_exponent(chi)),
                               np.asarray(sn.tc_exponent(sn.gamma_exponent(chi), 1.0)))
    np.testing.assert_array_equal(np.asarray(sn.delta_exponent(chi)), np.ones(4))
    np.testing.assert_array_equal(np.asarray(sn.test_error_exponent(chi)), -np.ones(4))
    assert float(sn.crossover_temperature(2.0**15, 2.5)) == 2.5 / 2**15
    assert float(sn.w_perp_norm(2.0, 16, 0.0)) == pytest.approx(2 * 4 / (2 * 1.2533141), 1e-6)
    assert float(sn.w_perp_norm(2.0, 16, 0.0, finite_d=True)) == pytest.approx(
        2 * 15 / (2 * 1.2533141 * 4), 1e-6)
    assert float(sn.critical_batch(256, 32, 1.0)) == pytest.approx(32 * 16)


def test_activation_norm():
    assert float(sn.activation_norm("relu")) == pytest.approx(1 / math.sqrt(2), abs=1e-14)
    assert float(sn.activation_norm("gelu")) == pytest.approx(0.652090, abs=1e-6)
    z = np.random.default_rng(3).standard_normal(1_000_000)
    gelu = z * scipy.stats.norm.cdf(z)
    assert float(sn.activation_norm("gelu")) == pytest.approx(np.sqrt(np.mean(gelu**2)),
                                                              abs=1e-3)
    assert np.mean((gelu / float(sn.activation_norm("gelu"))) ** 2) == pytest.approx(1, abs=5e-3)
    with pytest.raises(ValueError):
        sn.activation_norm("tanh")


def test_two_layer_linear_ntk_matches_jacobians():
    key = jax.random.key(0)
    k1, k2, k3 = jax.random.split(key, 3)
    W1 = jax.random.normal(k1, (7, 5))
    w2 = jax.random.normal(k2, (7,))
    X = jax.random.normal(k3, (6, 5))

    def f(params, x):
        return params[1] @ (params[0] @ x)

    jac = jax.vmap(jax.jacrev(f), in_axes=(None, 0))((W1, w2), X)
    flat = jnp.concatenate([jac[0].reshape(6, -1), jac[1].reshape(6, -1)], axis=1)
    np.testing.assert_allclose(np.asarray(sn.two_layer_linear_ntk(W1, w2, X)),
                               np.asarray(flat @ flat.T), rtol=1e-10, atol=1e-10)


def test_kernel_alignment_and_effective_rank():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((5, 5))
    K, L = A @ A.T, rng.standard_normal((5, 5))
    assert float(sn.kernel_alignment(K, 3.0 * K)) == pytest.approx(1.0, abs=1e-12)
    assert float(sn.kernel_alignment(K, L)) == pytest.approx(float(sn.kernel_alignment(L, K)))
    assert -1 <= float(sn.kernel_alignment(K, L)) <= 1
    for kind in ("entropy", "participation"):
        assert float(sn.effective_rank(np.ones(6), kind)) == pytest.approx(6.0)
        assert float(sn.effective_rank(np.array([2.0, 0, 0, 0]), kind)) == pytest.approx(1.0)
