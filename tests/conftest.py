"""Shared test helpers: run an experiment program as a user would, in a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE_ROOT = Path(__file__).resolve().parents[1]


def program_env() -> dict[str, str]:
    """The environment of a program run by a test: CPU only, no inherited XLA flags."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    return env


def run_program(module: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs ``python -m <module> <args>`` from the suite root and captures its output."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=SUITE_ROOT,
                          env=program_env(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def run():
    return run_program
