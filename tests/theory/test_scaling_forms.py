"""Theory of the scaling-law "other laws" (theory/scaling_forms.py; spec §4 "Other laws" tests):
Lambert W against SciPy, massive-activation peak and reparameterisation, densing inversion, the
IC hand example and FLOP counter, hot-mess decompositions and the exact finite-K estimators."""

from __future__ import annotations

import itertools

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402

from theory import scaling as sc  # noqa: E402
from theory import scaling_forms as sf  # noqa: E402

CASES = {"peaked": (50.0, 0.05, 1e-3, 1.0, 20.0), "mid": (40.0, 0.02, 2e-3, 2.0, 10.0),
         "late": (30.0, 0.001, 1e-3, 1.0, 5.0)}
DENSING = {"a": 482.01, "alpha": 0.3478, "b": 2085.43, "beta": 0.3658, "c": 0.7,
           "gamma": -10.0, "l": 0.6, "d": 0.25}


def test_reexported_from_theory_scaling():
    for name in sf.__all__:
        assert getattr(sc, name) is getattr(sf, name)


def test_lambert_w0_matches_scipy():
    z = np.concatenate([np.logspace(-300, 300, 601), [0.3, 1.0, 2.9, 3.0, 3.1, 20.0, 1e3]])
    ref = scipy.special.lambertw(z).real
    w = np.asarray(sf.lambert_w0(z))
    np.testing.assert_allclose(w, ref, rtol=1e-12, atol=0)
    assert float(sf.lambert_w0(0.0)) == 0.0 and np.isinf(float(sf.lambert_w0(np.inf)))


@pytest.mark.parametrize("name", list(CASES))
def test_massive_peak_zeroes_derivative(name):
    A, lam, gamma, t0, K = CASES[name]
    t_peak, x_star = (float(v) for v in sf.massive_activation_peak(lam, gamma, t0))
    assert lam * x_star * np.log(x_star) == pytest.approx(1.0, abs=1e-12)
    f = lambda t: float(sf.massive_activation(t, A, lam, gamma, t0, K))  # noqa: E731
    h = 1e-3
    slope = (f(t_peak + h) - f(t_peak - h)) / (2 * h)
    grid = np.linspace(0.0, 1.2 * t_peak, 2001)
    slopes = np.abs(np.gradient(np.asarray(sf.massive_activation(grid, *CASES[name])), grid))
    assert abs(slope) <= 1e-8 * slopes.max()
    assert f(t_peak) > max(f(0.5 * t_peak), f(1.5 * t_peak))  # a maximum
    expected = {"peaked": 8070, "mid": 7739, "late": 189491}[name]
    assert abs(t_peak - expected) <= 1.0


def test_massive_reparam_round_trip_and_identity():
    t = np.linspace(0.0, 143000.0, 5001)
    for p in CASES.values():
        re = sf.massive_to_reparam(*p)
        np.testing.assert_allclose(np.array(sf.massive_from_reparam(*re), float), p, rtol=1e-12)
        f = np.asarray(sf.massive_activation(t, *p))
        f_re = np.asarray(sf.massive_activation_reparam(t, *re))
        assert np.max(np.abs(f - f_re)) <= 1e-10 * np.max(np.abs(f))


def test_massive_lambda_zero_limit():
    A, _, gamma, t0, K = CASES["mid"]
    t = np.linspace(0.0, 1e5, 11)
    np.testing.assert_allclose(sf.massive_activation(t, A, 0.0, gamma, t0, K),
                               A * np.log(gamma * t + t0) + K, rtol=1e-14)
    t_peak, x_star = sf.massive_activation_peak(0.0, gamma, t0)
    assert np.isinf(float(t_peak)) and np.isinf(float(x_star))


def test_densing_inversion_round_trip():
    N = np.geomspace(1e8, 1e11, 50)
    L = sf.densing_loss(N, 1e12, DENSING["a"], DENSING["alpha"], DENSING["b"], DENSING["beta"])
    S = sf.densing_score(L, DENSING["c"], DENSING["gamma"], DENSING["l"], DENSING["d"])
    np.testing.assert_allclose(sf.densing_inverse_score(S, DENSING["c"], DENSING["gamma"],
                                                        DENSING["l"], DENSING["d"]), L,
                               rtol=1e-12)
    np.testing.assert_allclose(sf.densing_effective_params(S, **DENSING), N, rtol=1e-10)
    np.testing.assert_allclose(sf.densing_density(S, N, **DENSING), 1.0, rtol=1e-10)
    assert float(sf.doubling_time(0.007)) == pytest.approx(99.0210, abs=1e-3)


def test_information_capacity_hand_example():
    assert float(sf.information_capacity(32.0, 2.5, 2.0**30, -24.0)) == pytest.approx(
        0.18333333333, abs=1e-10)


def test_flop_counter_hand_count():
    # 2 layers, d = 8, 2 heads × 4, 1 KV head, d_ff = 16, V = 10, context 4 (mean cache 2.5).
    per_layer = (2 * 8 * 2 * 4) + (4 * 8 * 1 * 4) + (2 * 2 * 4 * 8) + (4 * 2 * 4 * 2.5) + 6 * 8 * 16
    hand = 2 * per_layer + 2 * 8 * 10
    assert hand == 2 * (128 + 128 + 128 + 80 + 768) + 160
    got = sf.decoder_flops_per_token(8, 2, 2, 1, 4, 16, 10, context=4)
    assert float(got) == pytest.approx(hand, rel=1e-15)


def test_sparsing_table_values():
    relu, silu = sf.SPARSING_TABLE2["relu"], sf.SPARSING_TABLE2["silu"]
    for params, fn, ref in ((relu["0.1B"], sf.sparsing_relu, (0.0788, 0.0647)),
                            (relu["1.2B"], sf.sparsing_relu, (0.0983, 0.0817)),
                            (silu["0.1B"], sf.sparsing_silu, (0.3751, 0.4024))):
        got = [float(fn(d, **params)) for d in (10.0, 300.0)]
        np.testing.assert_allclose(got, ref, atol=5e-5)


def test_kl_decomposition_identity_and_limits():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(50, 7, 5)) * 2.0
    log_p = np.asarray(jax.nn.log_softmax(logits, axis=-1))
    y = rng.integers(0, 5, 50)
    bias2, var, error = (np.asarray(v) for v in sf.kl_bias_variance(log_p, y))
    assert np.max(np.abs(bias2 + var - error)) <= 1e-12
    assert np.all(var >= 0) and np.all(bias2 >= 0)
    # Var = E KL(f̄‖f_ε) by its definition.
    log_fbar = log_p.mean(axis=1) - scipy.special.logsumexp(log_p.mean(axis=1), axis=-1)[:, None]
    kl = np.sum(np.exp(log_fbar)[:, None] * (log_fbar[:, None] - log_p), axis=-1).mean(axis=1)
    np.testing.assert_allclose(var, kl, atol=1e-12)
    same = np.repeat(log_p[:, :1], 7, axis=1)
    _, var0, _ = sf.kl_bias_variance(same, y)
    assert np.max(np.abs(np.asarray(var0))) <= 1e-15


def test_brier_decomposition_identity():
    rng = np.random.default_rng(1)
    probs, y = rng.uniform(size=(40, 9)), rng.integers(0, 2, 40).astype(float)
    bias2, var, error = (np.asarray(v) for v in sf.brier_bias_variance(probs, y))
    assert np.max(np.abs(bias2 + var - error)) <= 1e-12 and np.all(var >= 0)
    _, var0, _ = sf.brier_bias_variance(np.full((3, 5), 0.3), np.ones(3))
    assert np.max(np.asarray(var0)) <= 1e-16


@pytest.mark.parametrize("p", [0.1, 0.37, 0.8])
def test_unbiased_estimators_exact_over_all_outcomes(p):
    """Averaged over all 2^4 outcomes of K = 4 Bernoulli samples (y = 1), exactly unbiased."""
    outcomes = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    weights = np.prod(np.where(outcomes == 1.0, p, 1.0 - p), axis=1)
    bias2_u, var_u, err_u = (np.asarray(v) for v in
                             sf.brier_bias_variance_unbiased(outcomes, np.ones(16)))
    assert weights @ var_u == pytest.approx(p * (1 - p), abs=1e-15)
    assert weights @ bias2_u == pytest.approx((1 - p) ** 2, abs=1e-15)
    assert weights @ err_u == pytest.approx(1 - p, abs=1e-15)
    _, var_plugin, _ = sf.brier_bias_variance(outcomes, np.ones(16))
    assert weights @ np.asarray(var_plugin) == pytest.approx(0.75 * p * (1 - p), abs=1e-15)


def test_bernoulli_incoherence_enumeration():
    """Population Bias², Var of an E-sample ensemble score by enumerating Binomial(E, p)/E."""
    p = np.array([0.2, 0.55, 0.9, 0.97])
    for e in (1, 2, 4, 8):
        k = np.arange(e + 1)
        pmf = scipy.stats.binom.pmf(k[None, :], e, p[:, None])
        mean = pmf @ (k / e)
        var = pmf @ (k / e) ** 2 - mean**2
        expected = var.sum() / (var + (1.0 - mean) ** 2).sum()
        assert float(sf.bernoulli_incoherence(p, e)) == pytest.approx(expected, rel=1e-12)
    assert float(sf.bernoulli_incoherence(p)) == pytest.approx(
        np.sum(p * (1 - p)) / np.sum(1 - p), rel=1e-14)
    assert float(sf.incoherence(jnp.array([1.0, 2.0]), jnp.array([2.0, 6.0]))) == 0.375

