"""Unit tests of experiments.common.results: atomic writes, JSON, cache keys (stages: see
test_checkpoint.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from experiments.common import results


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


def test_cache_key_changes_with_config():
    assert results.cache_key(config={"a": 1}) != results.cache_key(config={"a": 2})
    assert results.cache_key(config={"a": 1}) == results.cache_key(config={"a": 1})


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
