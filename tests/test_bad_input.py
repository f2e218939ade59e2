"""Bad input exits with status 2 and one line naming the flag, the value and what is allowed;
no traceback. Each way a program can refuse its command line is run as a program; the many bad
values that share a way are checked in-process (``usage_error_line``), through the same code."""

from __future__ import annotations

import subprocess

import pytest

from experiments import registry
from experiments.common.config import resolve
from tests.conftest import SUITE_ROOT, usage_error_line

PHASE = "experiments.majority_tree.phase_diagram"


def _assert_usage_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# One program run per way the command line is refused: a field's check (config_from_flags), a
# flag absl cannot parse, and the plumbing main checks after the config (devices, output
# folders, jax.distributed). Every other bad value takes the first path and is checked
# in-process below, through the same code, without starting a program.
@pytest.mark.parametrize("args,fragments", [
    (["--profile=laptop"], ["--profile=laptop", "allowed: smoke, cpu, paper"]),
    (["--mc_fanins=3,4"], ["--mc_fanins=3,4", "element 4", "odd integers in [3, 31]"]),
    (["--no_such_flag=1"], ["no_such_flag"]),
    (["--devices=0"], ["--devices=0", "integers >= 1"]),
    (["--out=/dev/null/results"], ["--out=/dev/null/results", "a folder this user can write"]),
    (["--figures=/dev/null/figures"], ["--figures=/dev/null/figures", "can write"]),
    (["--num_processes=2"], ["--num_processes=2", "together with --coordinator_address and "
                                                  "--process_id"]),
    (["--coordinator_address=127.0.0.1:1", "--num_processes=2", "--process_id=2"],
     ["--process_id=2", "integers in [0, 1]"]),
])
def test_phase_diagram_program_rejects_bad_input(run, args, fragments):
    _assert_usage_error(run(PHASE, "--profile=smoke", *args) if "--profile" not in args[0]
                        else run(PHASE, *args), *fragments)


@pytest.mark.parametrize("args,fragments", [
    (["--mc_fanins=-3"], ["--mc_fanins=-3", "odd integers"]),
    (["--exact_fanins=2"], ["--exact_fanins=2", "odd integers"]),
    (["--mc_p0s=0.5,1.2"], ["--mc_p0s=0.5,1.2", "element 1.2", "[0.0, 1.0]"]),
    (["--mc_rhos=1.0"], ["--mc_rhos=1.0", "[0.0, 1.0)"]),
    (["--deep_depth=0"], ["--deep_depth=0", "integers >= 1"]),
    (["--deep_depth=-2"], ["--deep_depth=-2", "integers >= 1"]),
    (["--mc_depths=3,0,4,3"], ["--mc_depths", "element 0"]),
    (["--mc_depths=3,5"], ["--mc_depths=3,5", "one value per --mc_fanins entry"]),
    (["--deep_trials=abc"], ["deep_trials", "abc"]),
    (["--mc_fanins=3,x"], ["--mc_fanins", "comma-separated integers"]),
    (["--seed=-1"], ["--seed=-1", "integers >= 0"]),
])
def test_phase_diagram_rejects_bad_values(args, fragments):
    line = usage_error_line("majority_tree.phase_diagram", "--profile=smoke", *args)
    assert line.startswith("error: ") and "\n" not in line
    assert all(fragment in line for fragment in fragments), line


@pytest.mark.parametrize("module", registry.EXPERIMENTS)
def test_every_experiment_rejects_a_bad_profile(module):
    line = usage_error_line(module, "--profile=huge")
    assert "--profile=huge" in line and "allowed: smoke, cpu, paper" in line, line


def test_help_lists_the_experiments_own_flags(run):
    proc = run("experiments.majority_tree.touchpoints", "--help")  # absl exits 1 after help
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert all(f"--{flag}" in proc.stdout for flag in ("profile", "seed", "cascade_gammas"))


@pytest.mark.parametrize("module", registry.EXPERIMENTS)
def test_every_experiment_checks_its_fields(module):
    """Every field of every profile passes its own checks (the presets are valid input)."""
    experiment = registry.load(module)
    for profile in experiment.profiles:
        config = resolve(experiment.profiles, profile, {}, experiment.checks)
        if experiment.validate is not None:
            experiment.validate(config)
    assert set(experiment.checks) <= set(experiment.profiles["cpu"])


@pytest.mark.parametrize("args,fragment", [
    (["--profile", "laptop"], "invalid choice"),
    (["--only", "nonsense"], "--only=nonsense"),
    (["--only", "phase_diagram"], "majority_tree.phase_diagram, sgd_noise.phase_diagram"),
    (["--devices", "0"], "--devices"),
    (["--jobs", "0"], "--jobs"),
])
def test_run_all_rejects_bad_options(args, fragment):
    proc = subprocess.run(["bash", "run_all.sh", *args], cwd=SUITE_ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
