"""Helpers shared by the scaling-law pillar's tests."""

from __future__ import annotations

import subprocess
import sys

from experiments.common.results import SUITE_ROOT
from tests.conftest import program_env


def run_fresh_python(code: str, timeout: float) -> subprocess.CompletedProcess:
    """Runs ``python -c code`` in a fresh interpreter from the suite root (CPU only), asserts that
    it exits 0, and returns the finished process (its output captured)."""
    result = subprocess.run([sys.executable, "-c", code], cwd=SUITE_ROOT, env=program_env(),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result
