"""Unit tests of experiments.common.stats: statistics helpers against scipy and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from experiments.common import stats


@pytest.mark.parametrize("dof", [1, 2, 5, 10])
def test_chi2_tail_expansion_matches_scipy_where_both_are_finite(dof):
    for statistic in (150.0, 500.0, 1400.0):
        exact = scipy.stats.chi2.logsf(statistic, dof) / math.log(10)
        assert stats.chi2_log10_sf(statistic, dof, force_expansion=True) == pytest.approx(
            exact, rel=1e-10)
    # Past scipy's underflow the result stays finite and keeps falling about as z / ln 10.
    far, farther = stats.chi2_log10_sf(2e4, dof), stats.chi2_log10_sf(2.2e4, dof)
    assert math.isfinite(far) and far - farther == pytest.approx(1e3 / math.log(10), rel=1e-3)


def test_family_z_threshold_matches_spec_values():
    for k, expected in ((9, 3.87), (64, 4.32), (128, 4.47), (384, 4.70), (512, 4.76)):
        assert stats.family_z_threshold(k) == pytest.approx(expected, abs=0.006)


def test_binomial_se_and_moment_se_against_simulation():
    rng = np.random.default_rng(1)
    draws = rng.normal(size=(2000, 400))
    means_sq = (draws**2).mean(axis=1)
    se = stats.moment_se((draws[0] ** 2).sum(), (draws[0] ** 4).sum(), 400)
    assert se == pytest.approx(means_sq.std(), rel=0.15)
    p_hat = (rng.random((2000, 500)) < 0.3).mean(axis=1)
    assert stats.binomial_se(0.3, 500) == pytest.approx(p_hat.std(), rel=0.1)


def test_seed_spread_ratio_is_about_one_for_correct_errors():
    rng = np.random.default_rng(2)
    n, streams, p = 10_000, 5, 0.4
    per_seed = rng.binomial(n, p, size=(streams, 4000)) / n
    pooled_se = stats.binomial_se(p, n * streams)
    ratio = stats.seed_spread_ratio(per_seed, np.full(4000, pooled_se))
    # The ratio squared is an unbiased variance ratio (the SD itself is biased low by c4(5)).
    assert np.mean(ratio**2) == pytest.approx(1.0, abs=0.05)


def test_bootstrap_interval_covers_the_mean():
    low, high = stats.bootstrap_interval(np.arange(10.0))
    assert low < 4.5 < high
