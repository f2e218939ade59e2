"""Shared test helpers: run an experiment program as a user would, in a temporary folder."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

import pytest
from absl import flags

from experiments import registry
from experiments.common import cli
from experiments.common.config import UsageError

SUITE_ROOT = Path(__file__).resolve().parents[1]
MODULES = list(registry.EXPERIMENTS)


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


def usage_error_line(module: str, *argv: str) -> str:
    """The error line ``python -m experiments.<module> <argv>`` prints for a bad flag or value,
    found in-process by the program's own flag parsing and config checks (``cli``, with fresh
    flags); fails the test if the command line is accepted. What the program does with that
    line (prints it alone, exits with status 2, no traceback) is run as a program in
    tests/test_bad_input.py, once per way a command line can be refused."""
    experiment = registry.load(module)
    flag_values = flags.FlagValues()
    cli.define_flags(experiment, flag_values)
    try:
        cli.parse_flags([module, *argv], flag_values)
        cli.config_from_flags(experiment, flag_values)
    except (flags.Error, UsageError) as error:
        return cli.error_line(experiment.name, error)
    pytest.fail(f"{module} accepted {' '.join(argv)}")


# Tests that share a fixture of whole-program runs stay on one pytest-xdist worker, so each such
# fixture runs once (run_tests.sh uses two workers with --dist loadgroup); the rest spread out.
PROGRAM_FIXTURES = {"smoke_runs": "smoke", "minimal_runs": "minimal"}


@pytest.hookimpl(tryfirst=True)  # before xdist's worker hook turns the marks into node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        groups = {PROGRAM_FIXTURES[f] for f in item.fixturenames if f in PROGRAM_FIXTURES}
        if groups:
            item.add_marker(pytest.mark.xdist_group(sorted(groups)[-1]))


class _GroupCheck:
    """Fails every grouped test, before its fixtures run, when --dist loadgroup did not take:
    each worker would otherwise run every whole-program fixture itself and CI time doubles
    (pytest 9.2 with pytest-xdist 3.8 drops the group silently, pytest-xdist#1386)."""

    def __init__(self) -> None:
        self.lost: set[str] = set()

    @pytest.hookimpl(trylast=True)  # after xdist's worker hook, which appends "@<group>"
    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        if os.environ.get("PYTEST_XDIST_WORKER") and config.getvalue("loadgroup"):
            self.lost = {item.nodeid for item in items
                         if item.get_closest_marker("xdist_group") and "@" not in item.nodeid}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if item.nodeid in self.lost:
            pytest.fail("--dist loadgroup did not keep this test's xdist_group on one worker: "
                        "this pytest/pytest-xdist pair ignores it; install constraints.txt's pins",
                        pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_GroupCheck(), "program-fixture-group-check")


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """Each experiment's smoke profile, run twice with one seed into two result folders.

    Run "a" is ``run_all.sh``'s runner (every registered experiment, two at a time, then the
    report): this is CI's regeneration of every smoke figure. Run "b" starts each program on its
    own, two at a time (the machines have 2 cores and smoke runs are mostly single-threaded XLA
    compilation). Returns {module: [(process, results, figures) of a, of b]}.
    """
    root = tmp_path_factory.mktemp("smoke")
    # Run "a" fills a compilation cache that run "b" loads: "b" then recomputes every number
    # with the same executables, without paying for XLA compilation a second time.
    cache = root / "jax_compilation_cache"
    out_a, figures_a = root / "a" / "results", root / "a" / "figures"
    runner = subprocess.run(
        [sys.executable, "-m", "experiments.common.runner", "--profile", "smoke", "--jobs", "2",
         "--out", str(out_a), "--figures", str(figures_a)],
        cwd=SUITE_ROOT, env=program_env(cache), capture_output=True, text=True, timeout=3600)

    def launch(module):
        out, figures = root / "b" / "results", root / "b" / "figures"
        proc = run_program(f"experiments.{module}", "--profile=smoke", f"--out={out}",
                           f"--figures={figures}", "--seed=0", compilation_cache=cache)
        return proc, out, figures

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        separate = list(pool.map(launch, MODULES))
    return {module: [(runner, out_a, figures_a), b]
            for module, b in zip(MODULES, separate, strict=True)}
