"""End to end: every registered experiment's smoke profile, run as a user runs it.

Checks that each program writes its results (config, env, metrics, arrays, claims, run) and every
registered figure, that its claims are valid and its numbers finite, that two runs with the same
seed give byte-identical metrics, and that ``--plots_only`` redraws from saved results.
Every figure's redraw from saved results: tests/test_figures.py.
Scale-out, resume and corrupt files: tests/test_distributed_and_resume.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from experiments import registry
from experiments.common import claims as claims_lib
from experiments.common import plotting
from tests.conftest import MODULES, run_program


def _finite_numbers(value, path="") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _finite_numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _finite_numbers(v, f"{path}[{i}]")]
    if isinstance(value, float) and not math.isfinite(value):
        return [path]
    if value == "nan":
        return [path]
    return []


def test_runner_writes_the_smoke_report(smoke_runs):
    runner, _, figures = next(iter(smoke_runs.values()))[0]
    assert runner.returncode == 0, runner.stdout[-2000:] + runner.stderr[-2000:]
    report = (figures / "REPORT.md").read_text()
    assert all(f"### {m}" in report for m in MODULES)


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_smoke_profile_writes_results_figures_and_valid_claims(smoke_runs, module):
    proc, out, figures = smoke_runs[module][1]  # the program run on its own
    assert proc.returncode == 0, proc.stderr[-3000:]
    experiment = registry.load(module)
    run_dir = out / experiment.name / "smoke"
    for name in ("config.json", "env.json", "metrics.json", "arrays.npz", "claims.json",
                 "run.json"):
        assert (run_dir / name).exists(), name
    claim_dicts = json.loads((run_dir / "claims.json").read_text())
    assert claim_dicts, "no claims"
    assert claims_lib.validate(claim_dicts, prefix=module + ".") == []
    assert all(c["status"] == "not checked (smoke)" for c in claim_dicts)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert _finite_numbers(metrics) == []
    for stem in experiment.figures_for("smoke"):
        for ext in plotting.figure_formats("smoke"):
            path = figures / experiment.name / f"{stem}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path
    for name in experiment.extra_outputs:
        assert (figures / experiment.name / name).exists(), name
    assert not (run_dir / "stages").exists() or not list((run_dir / "stages").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_same_seed_gives_byte_identical_metrics_and_figures(smoke_runs, module):
    experiment = registry.load(module)
    (proc_a, out_a, fig_a), (proc_b, out_b, fig_b) = smoke_runs[module]
    assert proc_a.returncode == 0 and proc_b.returncode == 0
    name = Path(experiment.name) / "smoke"
    assert (out_a / name / "metrics.json").read_bytes() == \
        (out_b / name / "metrics.json").read_bytes()
    assert (out_a / name / "claims.json").read_bytes() == \
        (out_b / name / "claims.json").read_bytes()
    stem = experiment.figures[0]
    assert (fig_a / experiment.name / f"{stem}.png").read_bytes() == \
        (fig_b / experiment.name / f"{stem}.png").read_bytes()


@pytest.mark.slow
def test_plots_only_redraws_from_saved_results_without_computing(smoke_runs, tmp_path):
    """``--plots_only`` end to end for one program (every experiment's redraw from saved results
    is compared byte for byte in-process, tests/test_figures.py)."""
    module = "majority_tree.touchpoints"
    experiment = registry.load(module)
    _, out, computed = smoke_runs[module][0]
    proc = run_program(f"experiments.{module}", "--profile=smoke", f"--out={out}",
                       f"--figures={tmp_path}", "--plots_only")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "using saved results" in proc.stderr
    for stem in experiment.figures_for("smoke"):
        assert (tmp_path / experiment.name / f"{stem}.png").read_bytes() == \
            (computed / experiment.name / f"{stem}.png").read_bytes(), stem
