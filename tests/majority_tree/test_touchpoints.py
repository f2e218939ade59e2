"""Tests of the touchpoints experiment (majority-tree pillar, spec §3.5, §7 touchpoints.*).

The experiment is exact (no Monte Carlo), so these tests check its own computations against
independent brute force (explicit enumeration of the star's generative model, binomial sums),
the spec's expected values, the p0 grid and its sign-change reading, the Kim et al. data file
and its loader, and the claims built from one cpu-profile computation.
"""

import itertools
import json
import math
import shutil

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments.common import claims as claims_lib  # noqa: E402
from experiments.common.config import Config, UsageError  # noqa: E402
from experiments.common.results import SUITE_ROOT, to_jsonable  # noqa: E402
from experiments.majority_tree import touchpoints as tp  # noqa: E402
from experiments.majority_tree.touchpoints import claims as tc  # noqa: E402
from experiments.majority_tree.touchpoints import compute as tp_compute  # noqa: E402
from experiments.majority_tree.touchpoints import metrics as tp_metrics  # noqa: E402
from experiments.majority_tree.touchpoints.compute import kim  # noqa: E402
from experiments.majority_tree.touchpoints.plots import TABLE_CAPTION, table_markdown  # noqa: E402
from theory import majority_tree as mt  # noqa: E402


@pytest.fixture(scope="module")
def cpu_run():
    config = Config(tp.PROFILES["cpu"])
    metrics, arrays = tp_compute.compute(config, None)
    return config, to_jsonable(metrics), arrays


def _star_enumeration(p0: float, gamma: float, rho: float, n: int) -> float:
    """P(star correct) by enumerating leaf bits, channel flips and the aggregator's shock."""
    eps = (1.0 - gamma) / 2.0
    total = 0.0
    for bits in itertools.product((0, 1), repeat=n):
        p_bits = math.prod(p0 if x else 1.0 - p0 for x in bits)
        for flips in itertools.product((0, 1), repeat=n):
            p_flips = math.prod(eps if f else 1.0 - eps for f in flips)
            received = [x ^ f for x, f in zip(bits, flips, strict=True)]
            majority = sum(received) > n // 2
            total += p_bits * p_flips * (rho * received[0] + (1.0 - rho) * majority)
    return total


def test_star_matches_enumeration_of_its_generative_model(cpu_run):
    _, metrics, _ = cpu_run
    a = metrics["saturation"]
    for i, n in enumerate((1, 3, 5, 7)):
        assert a["star_n"][i] == n
        brute = _star_enumeration(a["p0"], a["gamma"], a["rho"], n)
        assert abs(a["star_p"][i] - brute) < 1e-14


def test_binomial_sum_matches_theory_majority():
    for n in range(1, 32, 2):
        for q in (0.0, 0.2, 0.5, 0.58, 0.9, 1.0):
            assert abs(tp_compute.majority_binomial(q, n) - float(mt.majority_prob(q, n))) < 1e-13


def test_spec_values(cpu_run):
    """Spec §3.5 expected values, at the spec's tolerances (the claims' targets)."""
    _, m, _ = cpu_run
    a, c, base = m["saturation"], m["cascade"], m["baseline"]
    assert (a["n_window"], a["b"], a["star_cap_n"]) == (8, 7, 7)
    np.testing.assert_allclose(a["star_p"][:4], tc.SPEC_SATURATION["star_p"], atol=1e-3)
    np.testing.assert_allclose(a["tree_p"][1:], tc.SPEC_SATURATION["tree_p"], atol=1e-3)
    for key in ("gamma", "ceiling", "mu_star", "p_star"):
        assert abs(a[key] - tc.SPEC_SATURATION[key]) <= 1e-3
    np.testing.assert_allclose(c["A_e"], tc.SPEC_CASCADE["A_e"], atol=1e-3)
    np.testing.assert_allclose(c["alpha"], tc.SPEC_CASCADE["alpha"], atol=1e-12)
    assert abs(c["mu_star"][3] - 0.668) < 1e-3  # γ = 0.8: μ* < μ0 = 0.8, so A_e > 1
    np.testing.assert_allclose(base["p_star"], tc.SPEC_BASELINE["p_star"], atol=1e-4)
    np.testing.assert_allclose(base["argmax"], tc.SPEC_BASELINE["argmax"], atol=1e-3)
    np.testing.assert_allclose(base["max_gain"], tc.SPEC_BASELINE["max_gain"], atol=5e-4)
    assert base["sign_violations"] == [0, 0, 0]


def test_cascade_rule_on_random_cells():
    """A_e > 1 iff α ≤ 1 or μ0 > μ* (μ0 > 0), on random (b, γ, ρ, p0, L) cells."""
    rng = np.random.default_rng(0)
    n = 200
    b = rng.choice([3, 5, 7, 9], n)
    gamma, rho, p0 = rng.uniform(0.3, 1.0, n), rng.uniform(0.0, 0.9, n), rng.uniform(0.55, 0.99, n)
    depth = rng.integers(1, 8, n)
    p_l = np.asarray(mt.iterate(p0, gamma, rho, b, 7))[np.arange(n), depth]
    alpha = np.asarray(mt.alpha_rho(gamma, rho, b))
    mu0, mu_star = 2 * p0 - 1, np.asarray(mt.fixed_point(gamma, rho, b))
    keep = (np.abs(alpha - 1) > 1e-6) & (np.abs(mu0 - mu_star) > 1e-9)
    amplified = (1 - p_l) / (1 - p0) > 1
    assert np.array_equal(amplified[keep], ((alpha <= 1) | (mu0 > mu_star))[keep])
    assert amplified[keep].any() and not amplified[keep].all()


def test_gain_is_concave_with_one_sign_change(cpu_run):
    _, _, arrays = cpu_run
    gain = arrays["baseline_gain"]
    assert np.all(np.diff(gain, 2, axis=1) <= 1e-15)  # concave: the dense argmax is the argmax
    assert np.all(np.abs(np.diff(np.sign(gain), axis=1)).sum(axis=1) == 2)  # one + → − change


def test_p0_grid_and_crossing():
    grid = tp_compute.p0_grid(0.001)
    assert len(grid) == 500 and grid[0] == 0.501 and grid[-1] == 1.0 and grid[212] == 0.713
    assert len(tp_compute.p0_grid(0.01)) == 50
    p = np.linspace(0.51, 1.0, 50)
    assert abs(tp_metrics.grid_crossing(p, 0.8 - p) - 0.8) < 1e-12
    assert tp_metrics.grid_crossing(p, -p) == 0.5
    assert tp_metrics.grid_crossing(p, np.where(p < 1.0, 1.0, 0.0)) == pytest.approx(p[-2] + 0.01)


@pytest.mark.parametrize("step, ok", [(0.001, True), (0.01, True), (0.5, True), (0.3, False),
                                      (0.0, False), (-0.01, False), (0.6, False)])
def test_p0_step_check(step, ok):
    assert (tp.CHECKS["p0_step"](step) is None) == ok


def test_window_must_hold_three_messages():
    config = Config(tp.PROFILES["cpu"]).replace(window_tokens=1000, message_tokens=400)
    with pytest.raises(UsageError, match="window_tokens"):
        tp.EXPERIMENT.validate(config)


def test_kim_file_resolved_from_suite_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    record = kim.load_kim()
    assert kim.KIM_DATA == SUITE_ROOT / "data" / "kim2025_scaling_agents.json"
    assert record["version"] == "v2" and record["source"]["url"] == kim.KIM_URL
    result = kim.compare_record(record)
    assert result["n_equal"] == result["n_spec"] == len(record["numbers"])
    assert not (result["missing"] or result["extra"] or result["differ"]) and result["version_ok"]
    assert record["numbers"]["table5_coordination_metrics/error_amplification_A_e/Independent"] \
        == 17.2
    assert record["numbers"]["v1_abstract/capability_saturation_coefficient"] == -0.408


def test_kim_record_detects_changes(tmp_path):
    path = tmp_path / "kim.json"
    shutil.copy(kim.KIM_DATA, path)
    raw = json.loads(path.read_text())
    raw["table5_coordination_metrics"]["error_amplification_A_e"]["Centralized"] = 4.5
    raw["r2_cv"]["v3"] = 0.373
    raw["version"] = "v3"
    path.write_text(json.dumps(raw))
    result = kim.compare_record(kim.load_kim(path))
    assert result["differ"] == ["table5_coordination_metrics/error_amplification_A_e/Centralized"]
    assert result["extra"] == ["r2_cv/v3"] and not result["version_ok"]
    claim = tc._kim_record({"kim_record": result}, "cpu")
    assert claim.status == "failed" and claim.kind == "regression"
    assert "Centralized" in claim.reason and "not v2" in claim.reason


def test_claims_pass_on_cpu_and_table(cpu_run):
    config, metrics, arrays = cpu_run
    claims = tc.make_claims(config, metrics, arrays, "cpu")
    assert [c.id for c in claims] == ["touchpoints.context_saturation",
                                      "touchpoints.subcritical_cascade",
                                      "touchpoints.strong_baseline", "touchpoints.kim_record"]
    assert all(c.status == "passed" for c in claims), [c.reason for c in claims if not c.passed]
    assert all(c.source.startswith("[") for c in claims)
    # Three qualitative mechanisms; the data-record check targets our own transcription.
    assert [c.kind for c in claims] == ["qualitative"] * 3 + ["regression"]
    assert claims_lib.validate(to_jsonable([c.as_dict() for c in claims])) == []
    assert claims[0].measured == pytest.approx(0.9108, abs=1e-3)  # tree L = 4 beats the star
    assert claims[1].measured > 0 and claims[2].measured == 0  # A_e drops; no sign violation
    text = table_markdown(metrics)
    assert TABLE_CAPTION in text and "not matched" in text
    assert text.count("\n| ") == 4  # header + 3 mechanisms


def test_claims_with_other_knobs_skip_spec_targets():
    config = Config(tp.PROFILES["cpu"]).replace(saturation_rho=0.3, cascade_rho=0.1,
                                                baseline_rhos=[0.1, 0.3, 0.4])
    metrics, arrays = tp_compute.compute(config, None)
    claims = tc.make_claims(config, to_jsonable(metrics), arrays, "cpu")
    for claim in claims[:3]:
        assert "not compared" in claim.note
        assert claim.status == "passed", claim.note
