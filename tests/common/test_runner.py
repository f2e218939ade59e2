"""Unit tests of experiments.common.runner: the run_all.sh driver."""

from __future__ import annotations

import subprocess
import sys

import pytest

from experiments.common import results, runner


def test_runner_does_not_import_jax():
    """``run_all.sh``'s driver stays light: it starts each experiment in its own process."""
    code = "import sys, experiments.common.runner; print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=results.SUITE_ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_only_selects_pillars_qualified_names_and_unique_bare_names():
    assert runner.select("sgd_noise.phase_diagram") == ["sgd_noise.phase_diagram"]
    assert runner.select("sgd_noise/perceptron,synergy") == ["majority_tree.synergy",
                                                             "sgd_noise.perceptron"]
    assert len(runner.select("majority_tree")) == 5
    with pytest.raises(SystemExit) as exit_info:
        runner.select("phase_diagram")
    assert exit_info.value.code == 2
