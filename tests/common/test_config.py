"""Unit tests of experiments.common.config: profile presets, overrides and range checks."""

from __future__ import annotations

import pytest

from experiments.common import config

PROFILES = {"smoke": {"b": 3, "p": 0.5, "bs": [3, 5]}, "cpu": {"b": 5, "p": 0.5, "bs": [3]},
            "paper": {"b": 7, "p": 0.5, "bs": [3]}}
CHECKS = {"b": config.odd_int_in(3, 31), "p": config.probability(),
          "bs": config.each(config.odd_int_in(3, 31))}


def test_resolve_applies_profile_then_overrides():
    resolved = config.resolve(PROFILES, "smoke", {"b": 9, "p": None}, CHECKS)
    assert resolved == {"b": 9, "p": 0.5, "bs": [3, 5]}
    assert resolved.b == 9


@pytest.mark.parametrize("field,value,fragment", [
    ("b", 4, "odd integers in [3, 31]"), ("b", -3, "odd integers"), ("p", 1.5, "[0.0, 1.0]"),
    ("bs", [3, 6], "element 6"),
])
def test_bad_values_raise_usage_error_naming_flag_value_and_allowed(field, value, fragment):
    with pytest.raises(config.UsageError) as error:
        config.resolve(PROFILES, "cpu", {field: value}, CHECKS)
    message = str(error.value)
    assert message.startswith(f"--{field}=") and fragment in message


def test_unknown_profile_lists_allowed_ones():
    with pytest.raises(config.UsageError, match="allowed: smoke, cpu, paper"):
        config.resolve(PROFILES, "laptop", {}, CHECKS)


def test_float_in_open_bounds():
    check = config.float_in(0.0, 1.0, lo_open=True)
    assert check(0.0) is not None and check(1.0) is None and check(0.5) is None
