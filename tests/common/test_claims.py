"""Unit tests of experiments.common.claims: statuses, power checks, validation, formatting."""

from __future__ import annotations

from experiments.common import claims
from tests.common.factories import sample_claim


def test_make_claim_status_per_profile():
    assert sample_claim().status == "passed"
    assert sample_claim(passed=False).status == "failed"
    assert sample_claim(profile="smoke").status == "not checked (smoke)"
    skipped = sample_claim(profile="cpu", check_on=("paper",), interval=[0.5, 1.5])
    assert skipped.status == "not run on this profile" and skipped.passed is None
    assert "paper" in skipped.reason
    # A claim not checked here shows no verdict-like value; the number stays a diagnostic.
    assert skipped.measured is None and skipped.interval is None
    assert skipped.details["diagnostic (not a verdict)"]["value"] == 1.0


def test_underpowered_claims_are_not_run():
    assert claims.underpowered(0.5, 0.1) == ""
    reason = claims.underpowered(0.2, 0.41, what="the exponent difference")
    assert reason.startswith("underpowered") and "0.2" in reason
    claim = sample_claim(passed=False, not_run=reason)
    assert claim.status == "not run on this profile" and claim.reason == reason
    assert claims.underpowered(float("nan"), 0.1)


def test_validate_flags_bad_claims():
    good = sample_claim().as_dict()
    assert claims.validate([good], prefix="x.") == []
    assert claims.validate([good, good])  # duplicate id
    assert claims.validate([good], prefix="z.")
    assert claims.validate([{**good, "measured": float("nan")}])
    assert claims.validate([{**good, "source": "no label"}])
    assert claims.validate([{**good, "label": "rumour"}])
    assert claims.validate([{**good, "kind": "anecdote"}])
    assert claims.validate([{**good, "tolerance_source": ""}])
    assert claims.validate([{**good, "statement": "x" * 121}])
    assert claims.validate([{**good, "measured": 1.0, "context": "y" * 119}])
    assert claims.validate([{**good, "note": "see spec §3.1"}])
    assert claims.validate([{**good, "statement": "as trap 9 says"}])
    failed = sample_claim(passed=False).as_dict()
    assert claims.validate([failed]) == []
    assert claims.validate([{**failed, "reason": ""}])


def test_formats_values_compactly_in_natural_order():
    assert claims.format_value(0.000123) == "1.230e-04"
    assert claims.format_value(0.123456) == "0.1235"
    assert claims.format_value([1, 2, 3, 4, 5, 6, 7, 8]).endswith("… (8 values)]")
    assert claims.format_value({"a": 1.5}) == "a: 1.5"
    keys = {"α=2^0": 1, "α=2^-6": 2, "α=2^10": 3, "α=2^-2": 4}
    assert claims.format_value(keys) == "α=2^-6: 2; α=2^-2: 4; α=2^0: 1; α=2^10: 3"
    assert claims.format_value({"P=1024": 1, "P=256": 2}) == "P=256: 2; P=1024: 1"
    cell = sample_claim(measured=0.87, interval=[0.84, 0.9], context="local 0.8, 0.9").as_dict()
    assert claims.format_measured(cell) == "0.87 [0.84, 0.9]; local 0.8, 0.9"
