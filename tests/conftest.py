"""Shared test helpers: run an experiment program as a user would, in a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE_ROOT = Path(__file__).resolve().parents[1]


def program_env(compilation_cache: Path | None = None) -> dict[str, str]:
    """The environment of a program run by a test: CPU only, no inherited XLA flags.

    ``compilation_cache``: a folder for JAX's persistent compilation cache, so a second run of
    the same program loads its executables instead of compiling them again (smoke runs are
    mostly compilation). Results do not depend on it: the same HLO gives the same executable.
    """
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    if compilation_cache is not None:
        env["JAX_COMPILATION_CACHE_DIR"] = str(compilation_cache)
        env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    return env


def run_program(module: str, *args: str, timeout: float = 600,
                compilation_cache: Path | None = None) -> subprocess.CompletedProcess:
    """Runs ``python -m <module> <args>`` from the suite root and captures its output."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=SUITE_ROOT,
                          env=program_env(compilation_cache), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def run():
    return run_program
