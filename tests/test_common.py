"""Unit tests of the shared machinery: configs and checks, results store, sweeps, claims,
statistics and the report."""

from __future__ import annotations

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.common import claims, config, report, results, stats, sweep

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
    import scipy.stats
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
    fields = dict(id="x.y", statement="s", source="[summary] P, §1", label="summary",
                  paper="n/a", theory=1.0, measured=1.0, tolerance="exact", passed=True)
    fields.update(overrides)
    return claims.make_claim(profile=fields.pop("profile", "cpu"), **fields)


def test_make_claim_status_per_profile():
    assert _claim().status == "passed"
    assert _claim(passed=False).status == "failed"
    assert _claim(profile="smoke").status == "not checked (smoke)"
    assert _claim(profile="cpu", check_on=("paper",)).status == "not run"


def test_validate_flags_bad_claims():
    good = _claim().as_dict()
    assert claims.validate([good]) == []
    assert claims.validate([{**good, "measured": float("nan")}])
    assert claims.validate([{**good, "source": "no label"}])
    assert claims.validate([{**good, "label": "rumour"}])


def test_report_formats_values_compactly():
    assert report.format_value(0.000123) == "1.230e-04"
    assert report.format_value([1, 2, 3, 4, 5, 6, 7, 8]).endswith("… (8 values)]")
    assert report.format_value({"a": 1.5}) == "a: 1.5"


def test_update_readme_replaces_only_the_marked_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold\n{report.README_END}\noutro\n")
    entries = [{"claims": [_claim().as_dict()]}]
    assert report.update_readme(readme, entries)
    text = readme.read_text()
    assert "old" not in text and "`x.y` | PASS" in text
    assert text.startswith("intro") and text.endswith("outro\n")


@pytest.mark.parametrize("profile", ["smoke", "cpu"])
def test_save_figure_writes_the_profile_formats_with_stable_bytes(tmp_path, profile):
    import matplotlib.pyplot as plt

    from experiments.common import plotting

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
