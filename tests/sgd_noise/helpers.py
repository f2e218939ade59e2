"""Helpers shared by the SGD-noise pillar's tests."""

from __future__ import annotations

from tests.conftest import run_program


def assert_bad_flag_exits_2(experiment: str, flag: str) -> None:
    """``experiments.sgd_noise.<experiment>`` at smoke with ``flag`` exits with status 2 and one
    error line that names the flag."""
    result = run_program(f"experiments.sgd_noise.{experiment}", "--profile=smoke", flag,
                         f"--out=/tmp/unused_{experiment}_test")
    assert result.returncode == 2, result.stderr[-500:]
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and flag.split("=")[0] in lines[0]
