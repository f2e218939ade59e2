"""critical_temperature (SGD-noise pillar): NTK, T_c crossings, pooled fits, bad flags.

Spec §8.2 checks covered here: the NTK Gram matrix from per-point gradients equals the one from
``jax.jacrev`` and from JVPs (``jax.linearize``) to 1e−5 on a small FC; threshold-crossing
interpolation recovers T_c exactly on a synthetic power law and flags censoring; pooled
regression recovers (δ, γ) on r = T^0.9 P^0.55 with 5 % noise within 0.02; the NTK points are
the first n_ntk training points whatever P is; bad flags exit with status 2. The vmap-cell and
stopping-rule tests of the shared FC run are in test_phase_diagram_sgd_noise.py.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.sgd_noise import _fc, _mnist1d, _ntk, common
from experiments.sgd_noise import critical_temperature_metrics as ctm
from tests.conftest import run_program

SPEC = _fc.FCSpec(6, 2, 8, "relu")


def _small_problem():
    params = _fc.init_params(jax.random.key(1), SPEC)
    x = jax.random.normal(jax.random.key(2), (5, SPEC.input_dim), jnp.float32)
    return params, x


def test_ntk_matches_jacrev_and_jvp():
    params, x = _small_problem()
    k = np.asarray(_ntk.gram(params, x, SPEC))
    jac = jax.jacrev(lambda p: _fc.forward(p, x, SPEC))(params)
    flat = jnp.concatenate([j.reshape(x.shape[0], -1) for j in jac], axis=1)
    np.testing.assert_allclose(k, np.asarray(flat @ flat.T), rtol=1e-5, atol=1e-5)
    # JVP route: K e_ν = J (Jᵀ e_ν), with Jᵀ from the linearisation's transpose.
    _, f_jvp = jax.linearize(lambda p: _fc.forward(p, x, SPEC), params)
    f_vjp = jax.linear_transpose(f_jvp, params)
    basis = jnp.eye(x.shape[0], dtype=jnp.float32)  # float32 cotangents also under x64
    cols = [f_jvp(f_vjp(basis[n])[0]) for n in range(x.shape[0])]
    np.testing.assert_allclose(k, np.asarray(jnp.stack(cols, axis=1)), rtol=1e-5, atol=1e-5)
    delta, align = _ntk.kernel_change(jnp.asarray(k), 3.0 * jnp.asarray(k))
    assert float(align) == pytest.approx(1.0, abs=1e-6)
    assert float(delta) == pytest.approx(2.0, rel=1e-6)


def test_ntk_points_do_not_depend_on_p():
    key = common.lane_keys(0, 3)["train"]
    first = np.asarray(_mnist1d.training_indices(key, 500, 16))
    for p in (64, 256):
        np.testing.assert_array_equal(np.asarray(_mnist1d.training_indices(key, 500, p))[:16],
                                      first)


def test_crossing_recovers_power_law():
    temps = 2.0 ** np.arange(-14, -3, dtype=float)
    tc_true = 2.0**-7.3
    r = 0.02 * (temps / tc_true) ** 0.9
    tc, flag = ctm.crossing(temps, r, 0.02)
    assert flag == "none" and tc == pytest.approx(tc_true, rel=1e-10)
    assert ctm.crossing(temps, r * 1e-6, 0.02)[1] == "censored_high"
    assert np.isnan(ctm.crossing(temps, r * 1e6, 0.02)[0])
    assert ctm.crossing(temps, r * 1e6, 0.02)[1] == "censored_low"
    sizes = np.array([256.0, 1024.0, 4096.0])
    a, r2 = ctm.power_slope(sizes, 0.1 * sizes**-0.6)
    assert a == pytest.approx(0.6, abs=1e-12) and r2 == pytest.approx(1.0)
    assert np.isnan(ctm.power_slope(sizes, np.array([np.nan, np.nan, 1.0]))[0])


def test_pooled_fit_recovers_exponents():
    rng = np.random.default_rng(0)
    temps = 2.0 ** np.arange(-11, -6, dtype=float)
    sizes = np.array([256.0, 512.0, 1024.0, 2048.0])
    tt, pp = np.meshgrid(temps, sizes)
    r = tt**0.9 * pp**0.55 * np.exp(0.05 * rng.standard_normal(tt.shape))
    pi, ti = np.indices(r.shape)
    delta = ctm.pooled_slope(np.log(tt).ravel(), np.log(r).ravel(), pi.ravel())
    gamma = ctm.pooled_slope(np.log(pp).ravel(), np.log(r).ravel(), ti.ravel())
    assert delta == pytest.approx(0.9, abs=0.02) and gamma == pytest.approx(0.55, abs=0.02)


def test_estimates_mask_capped_lanes():
    sizes, temps = np.array([256.0, 1024.0]), 2.0 ** np.array([-11.0, -9.0, -7.0, -4.0])
    shape = (2, 4, 3)
    tt = np.broadcast_to(temps[None, :, None], shape)
    pp = np.broadcast_to(sizes[:, None, None], shape)
    fields = {"status": np.full(shape, common.CONVERGED), "rel_change": tt * pp**0.5,
              "delta_K": 10 * tt * pp**0.5, "t_star": tt * pp**1.5,
              "test_error": np.full(shape, 0.3)}
    fields["status"][0, 0, 0] = common.CAPPED
    fields["rel_change"] = fields["rel_change"].copy()
    fields["rel_change"][0, 0, 0] = 1e3  # must be ignored
    est = ctm.estimates(sizes, temps, fields)
    assert est["delta"] == pytest.approx(1.0) and est["gamma"] == pytest.approx(0.5)
    assert est["tstar_T_slope"] == pytest.approx(1.0) and est["b"] == pytest.approx(1.5)
    np.testing.assert_allclose(est["noise_diff_seed"], 0.0)


@pytest.mark.parametrize("flag", ["--n_ntk=100", "--train_sizes=128,64", "--batch=100"])
def test_bad_flags_exit_2(flag):
    result = run_program("experiments.sgd_noise.critical_temperature", "--profile=smoke", flag,
                         "--out=/tmp/unused_critical_temperature_test")
    assert result.returncode == 2, result.stderr[-500:]
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and flag.split("=")[0] in lines[0]
