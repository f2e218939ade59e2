"""Unit tests of the shared machinery: configs and checks, results store, sweeps, claims,
statistics and the report."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.stats

from experiments import registry
from experiments.common import (
    claims,
    config,
    imports,
    plotting,
    report,
    results,
    runner,
    stats,
    sweep,
)

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


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "metrics.json"
    results.write_json(path, {"a": 1})

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        results.write_json(path, {"a": Unserialisable()})
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no temp file left


def test_json_encodes_non_finite_as_strings_and_sorts_keys():
    text = results.dumps({"b": math.inf, "a": np.float64(-math.inf), "c": np.arange(2)})
    assert json.loads(text) == {"a": "-inf", "b": "inf", "c": [0, 1]}
    assert text.index('"a"') < text.index('"b"')


def test_undefined_values_are_written_as_null_and_read_back_as_nan():
    saved = json.loads(results.dumps(results.undefined_as_none(
        {"interval": np.array([np.nan, 1.5]), "fit": {"value": float("nan")}, "edge": math.inf})))
    assert saved == {"interval": [None, 1.5], "fit": {"value": None}, "edge": "inf"}
    values = results.as_floats([saved["interval"], [saved["edge"], "nan"]])
    assert np.isnan(values[0, 0]) and values[0, 1] == 1.5
    assert values[1, 0] == math.inf and np.isnan(values[1, 1])


@pytest.mark.parametrize("dof", [1, 2, 5, 10])
def test_chi2_tail_expansion_matches_scipy_where_both_are_finite(dof):
    for statistic in (150.0, 500.0, 1400.0):
        exact = scipy.stats.chi2.logsf(statistic, dof) / math.log(10)
        assert stats.chi2_log10_sf(statistic, dof, force_expansion=True) == pytest.approx(
            exact, rel=1e-10)
    # Past scipy's underflow the result stays finite and keeps falling about as z / ln 10.
    far, farther = stats.chi2_log10_sf(2e4, dof), stats.chi2_log10_sf(2.2e4, dof)
    assert math.isfinite(far) and far - farther == pytest.approx(1e3 / math.log(10), rel=1e-3)


def test_stage_is_computed_once_per_key_and_resumes(tmp_path):
    run_dir = results.RunDir(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3)}

    first = run_dir.stage("s", "key1", compute)
    again = run_dir.stage("s", "key1", compute)
    np.testing.assert_array_equal(first["x"], again["x"])
    assert len(calls) == 1
    run_dir.stage("s", "key2", compute)  # another config: recomputed
    assert len(calls) == 2


def test_cache_key_changes_with_config():
    assert results.cache_key(config={"a": 1}) != results.cache_key(config={"a": 2})
    assert results.cache_key(config={"a": 1}) == results.cache_key(config={"a": 1})


def test_run_sweep_matches_python_loop_and_ignores_batch():
    def fn(seed, scale):
        key = jax.random.key(seed)
        return scale * jax.random.normal(key, (4,), dtype=jnp.float32).sum()

    seeds = np.arange(7, dtype=np.uint32)
    scales = np.linspace(0.5, 2.0, 7).astype(np.float32)
    loop = np.asarray([fn(s, c) for s, c in zip(seeds, scales, strict=True)])
    for batch in (1, 3, 16):
        swept = sweep.run_sweep(fn, (seeds, scales), batch=batch)
        np.testing.assert_allclose(swept, loop, rtol=1e-6)
    np.testing.assert_array_equal(sweep.run_sweep(fn, (seeds, scales), batch=2),
                                  sweep.run_sweep(fn, (seeds, scales), batch=5))


def test_one_after_another_returns_the_plain_results():
    def cell(x):
        return sweep.one_after_another([(jnp.linalg.qr, (x,)), (lambda a: jnp.linalg.cholesky(
            a @ a.T + jnp.eye(3)), (x,)), (jnp.sum, (x,))])

    x = jax.random.normal(jax.random.key(0), (4, 3, 3))
    q, chol, total = jax.jit(jax.vmap(cell))(x)
    assert np.array_equal(q[0], jax.vmap(jnp.linalg.qr)(x)[0])
    assert np.allclose(chol, jax.vmap(lambda a: jnp.linalg.cholesky(a @ a.T + jnp.eye(3)))(x))
    assert np.array_equal(total, jnp.sum(x, axis=(1, 2)))


def test_find_non_finite_names_the_diverged_configuration():
    values = np.asarray([[1.0, 2.0], [np.nan, 1.0], [np.inf, 0.0]])
    assert sweep.find_non_finite(values, ["a", "b", "c"]) == ["b", "c"]


def test_family_z_threshold_matches_spec_values():
    for k, expected in ((9, 3.87), (64, 4.32), (128, 4.47), (384, 4.70), (512, 4.76)):
        assert stats.family_z_threshold(k) == pytest.approx(expected, abs=0.006)


def test_binomial_se_and_moment_se_against_simulation():
    rng = np.random.default_rng(1)
    draws = rng.normal(size=(2000, 400))
    means_sq = (draws**2).mean(axis=1)
    se = stats.moment_se((draws[0] ** 2).sum(), (draws[0] ** 4).sum(), 400)
    assert se == pytest.approx(means_sq.std(), rel=0.15)
    p_hat = (rng.random((2000, 500)) < 0.3).mean(axis=1)
    assert stats.binomial_se(0.3, 500) == pytest.approx(p_hat.std(), rel=0.1)


def test_seed_spread_ratio_is_about_one_for_correct_errors():
    rng = np.random.default_rng(2)
    n, streams, p = 10_000, 5, 0.4
    per_seed = rng.binomial(n, p, size=(streams, 4000)) / n
    pooled_se = stats.binomial_se(p, n * streams)
    ratio = stats.seed_spread_ratio(per_seed, np.full(4000, pooled_se))
    # The ratio squared is an unbiased variance ratio (the SD itself is biased low by c4(5)).
    assert np.mean(ratio**2) == pytest.approx(1.0, abs=0.05)


def test_bootstrap_interval_covers_the_mean():
    low, high = stats.bootstrap_interval(np.arange(10.0))
    assert low < 4.5 < high


def _claim(**overrides):
    fields = dict(id="x.y", statement="s", kind="identity", source="[summary] P, §1",
                  label="summary", expected=1.0, measured=1.0, tolerance="exact",
                  tolerance_source="numerical precision", passed=True, reason="differs")
    fields.update(overrides)
    return claims.make_claim(profile=fields.pop("profile", "cpu"), **fields)


def test_make_claim_status_per_profile():
    assert _claim().status == "passed"
    assert _claim(passed=False).status == "failed"
    assert _claim(profile="smoke").status == "not checked (smoke)"
    skipped = _claim(profile="cpu", check_on=("paper",), interval=[0.5, 1.5])
    assert skipped.status == "not run on this profile" and skipped.passed is None
    assert "paper" in skipped.reason
    # A claim not checked here shows no verdict-like value; the number stays a diagnostic.
    assert skipped.measured is None and skipped.interval is None
    assert skipped.details["diagnostic (not a verdict)"]["value"] == 1.0


def test_underpowered_claims_are_not_run():
    assert claims.underpowered(0.5, 0.1) == ""
    reason = claims.underpowered(0.2, 0.41, what="the exponent difference")
    assert reason.startswith("underpowered") and "0.2" in reason
    claim = _claim(passed=False, not_run=reason)
    assert claim.status == "not run on this profile" and claim.reason == reason
    assert claims.underpowered(float("nan"), 0.1)


def test_validate_flags_bad_claims():
    good = _claim().as_dict()
    assert claims.validate([good], prefix="x.") == []
    assert claims.validate([good, good])  # duplicate id
    assert claims.validate([good], prefix="z.")
    assert claims.validate([{**good, "measured": float("nan")}])
    assert claims.validate([{**good, "source": "no label"}])
    assert claims.validate([{**good, "label": "rumour"}])
    assert claims.validate([{**good, "kind": "anecdote"}])
    assert claims.validate([{**good, "tolerance_source": ""}])
    assert claims.validate([{**good, "statement": "x" * 121}])
    assert claims.validate([{**good, "measured": 1.0, "context": "y" * 119}])
    assert claims.validate([{**good, "note": "see spec §3.1"}])
    assert claims.validate([{**good, "statement": "as trap 9 says"}])
    failed = _claim(passed=False).as_dict()
    assert claims.validate([failed]) == []
    assert claims.validate([{**failed, "reason": ""}])


def test_formats_values_compactly_in_natural_order():
    assert claims.format_value(0.000123) == "1.230e-04"
    assert claims.format_value(0.123456) == "0.1235"
    assert claims.format_value([1, 2, 3, 4, 5, 6, 7, 8]).endswith("… (8 values)]")
    assert claims.format_value({"a": 1.5}) == "a: 1.5"
    keys = {"α=2^0": 1, "α=2^-6": 2, "α=2^10": 3, "α=2^-2": 4}
    assert claims.format_value(keys) == "α=2^-6: 2; α=2^-2: 4; α=2^0: 1; α=2^10: 3"
    assert claims.format_value({"P=1024": 1, "P=256": 2}) == "P=256: 2; P=1024: 1"
    cell = _claim(measured=0.87, interval=[0.84, 0.9], context="local 0.8, 0.9").as_dict()
    assert claims.format_measured(cell) == "0.87 [0.84, 0.9]; local 0.8, 0.9"


def _entry(module, *claim_list, wall=10.0):
    return {"module": module, "name": module.replace(".", "/"), "wall": wall, "env": None,
            "claims": [c.as_dict() for c in claim_list]}


def test_report_headline_counts_and_failures(tmp_path):
    entries = [
        _entry("majority_tree.synergy", _claim(id="majority_tree.synergy.a"),
               _claim(id="majority_tree.synergy.b", passed=False, reason="off by 2"),
               _claim(id="majority_tree.synergy.c", kind="consistency")),
        _entry("sgd_noise.perceptron", _claim(id="sgd_noise.perceptron.d", kind="qualitative",
                                              check_on=("paper",))),
    ]
    text = report.build_report(entries, "cpu", tmp_path)
    assert "**1 of 2 validation claims checked on the `cpu` profile pass and 1 fail**" in text
    assert "1 more are not run" in text and "1 consistency and regression checks" in text
    assert "- `majority_tree.synergy.b` (identity): expected 1; measured 1;" in text
    assert "off by 2" in text
    assert "| failed | 1 | 0 | 0 | 1 |" in text  # columns: identity, qualitative, consistency
    assert "### sgd_noise.perceptron" in text
    row = next(line for line in text.splitlines() if "`sgd_noise.perceptron.d`" in line)
    assert "| — |" in row and "not run" in row


def test_update_readme_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold\n{report.README_END}\noutro\n")
    entries = [_entry("majority_tree.synergy", _claim(id="majority_tree.synergy.a"))]
    assert report.update_readme(readme, entries)
    text = readme.read_text()
    assert "old" not in text
    assert "- `majority_tree` (1 experiments, 0.2 min): 1 of 1 validation claims pass" in text
    assert text.startswith("intro") and text.endswith("outro\n")


@pytest.mark.parametrize("profile", ["smoke", "cpu"])
def test_save_figure_writes_the_profile_formats_with_stable_bytes(tmp_path, profile):
    def draw(directory):
        plotting.use_style(profile)
        fig, ax = plt.subplots()
        ax.errorbar([1, 2, 3], [1.0, 0.5, 0.2], yerr=0.1, fmt="o", label="data α")
        ax.set(xlabel="m", ylabel="L")
        return plotting.save_figure(fig, directory, "figure")

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    assert [p.suffix for p in first] == [".png"] + ([".pdf"] if profile == "cpu" else [])
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    plotting.use_style("cpu")


@pytest.mark.parametrize("module", registry.EXPERIMENTS)
def test_cache_key_covers_the_experiments_own_compute_path_only(module):
    """The cache key hashes the compute module and what it imports: never a claims or plots
    module (a label or tolerance change recomputes nothing), never another experiment's code (an
    edit in one experiment recomputes no other)."""
    experiment = registry.load(module)
    start = experiment.compute.__module__
    pillar, name = module.split(".")
    assert start.startswith(f"experiments.{module}.compute") or start == f"experiments.{module}"
    closure = imports.compute_closure(start)
    assert start in closure
    assert not [m for m in closure if imports.is_presentation(m)]
    own = (f"experiments.{module}", f"experiments.{module}.", f"experiments.{pillar}.shared",
           "experiments.common.", "theory.")
    assert [m for m in closure if not m.startswith(own)] == []
    for data in experiment.data_files:
        assert (results.SUITE_ROOT / data).is_file()


def test_no_import_cycles_in_the_suite():
    assert imports.find_cycles(imports.import_graph()) == []


def test_import_graph_finds_cycles_and_closures():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert imports.find_cycles(graph) == [["a", "b", "c"]]
    assert imports.imports_of("experiments.common.sweep") >= {"experiments.common.results"}
    assert "experiments.common.plotting" not in imports.compute_closure("experiments.common.app")


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


def test_code_fingerprint_ignores_docstrings_and_comments_only():
    base = b'"""Runtime 3 min."""\nimport math\n\n\ndef f(x):\n    """Doc."""\n    return x + 1\n'
    edited = (b'"""Runtime 4 min, measured."""\nimport math  # why\n\n\ndef f(x):\n'
              b'    """Other doc."""\n    # comment\n    return x + 1\n')
    changed = base.replace(b"x + 1", b"x + 2")
    assert results.code_fingerprint(base) == results.code_fingerprint(edited)
    assert results.code_fingerprint(base) != results.code_fingerprint(changed)


def test_only_compute_path_edits_mark_results_dirty():
    moves = ["theory/sgd_noise.py", "experiments/sgd_noise/perceptron/model.py", "data/x.csv",
             "experiments/common/sweep.py", "constraints.txt"]
    stays = ["README.md", "figures/REPORT.md", "tests/test_common.py",
             "experiments/sgd_noise/perceptron/claims.py", "experiments/common/report.py",
             "experiments/sgd_noise/rich_lazy_init/plots.py", "scripts/bootstrap_venv.sh"]
    assert all(results.affects_numbers(p) for p in moves)
    assert not any(results.affects_numbers(p) for p in stays)
