"""critical_temperature (SGD-noise pillar): T_c crossings, pooled fits, bad flags.

Spec §8.2 checks covered here: threshold-crossing interpolation recovers T_c exactly on a
synthetic power law and flags censoring; pooled regression recovers (δ, γ) on
r = T^0.9 P^0.55 with 5 % noise within 0.02; capped lanes are masked; bad flags exit with
status 2. The NTK tests and the vmap-cell and stopping-rule tests of the shared FC run are in
test_shared.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.sgd_noise.critical_temperature import metrics as ctm
from experiments.sgd_noise.shared import sgd
from tests.sgd_noise.helpers import assert_bad_flag_is_refused


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
    fields = {"status": np.full(shape, sgd.CONVERGED), "rel_change": tt * pp**0.5,
              "delta_K": 10 * tt * pp**0.5, "t_star": tt * pp**1.5,
              "test_error": np.full(shape, 0.3)}
    fields["status"][0, 0, 0] = sgd.CAPPED
    fields["rel_change"] = fields["rel_change"].copy()
    fields["rel_change"][0, 0, 0] = 1e3  # must be ignored
    est = ctm.estimates(sizes, temps, fields)
    assert est["delta"] == pytest.approx(1.0) and est["gamma"] == pytest.approx(0.5)
    assert est["tstar_T_slope"] == pytest.approx(1.0) and est["b"] == pytest.approx(1.5)
    np.testing.assert_allclose(est["noise_diff_seed"], 0.0)


@pytest.mark.parametrize("flag", ["--n_ntk=100", "--train_sizes=128,64", "--batch=100"])
def test_bad_flags_are_refused(flag):
    assert_bad_flag_is_refused("critical_temperature", flag)
