"""Helpers shared by the SGD-noise pillar's tests."""

from __future__ import annotations

from tests.conftest import usage_error_line


def assert_bad_flag_is_refused(experiment: str, flag: str) -> None:
    """``experiments.sgd_noise.<experiment>`` at smoke refuses ``flag`` with one error line
    that names the flag (checked in-process, see ``usage_error_line``)."""
    line = usage_error_line(f"sgd_noise.{experiment}", "--profile=smoke", flag)
    assert flag.split("=")[0] in line, line
