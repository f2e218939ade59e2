"""Resumable runs: sweep groups and stages are saved as they finish, reloaded by a rerun, and an
unreadable file is moved aside and recomputed."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from experiments.common import checkpoint, results, sweep


def _sweep(run_dir: results.RunDir, key: str, fn, rows: np.ndarray):
    with checkpoint.active(checkpoint.Checkpoint(run_dir, key)) as saved:
        out = sweep.run_sweep(fn, (rows,), batch=2, name="toy sweep")
    return out, saved


def _square(x):
    return {"square": x * x, "pair": (x, jnp.sin(x))}


def test_a_rerun_reloads_finished_groups_and_computes_the_rest(tmp_path):
    run_dir, rows = results.RunDir(tmp_path), np.arange(7, dtype=np.float32)
    first, saved = _sweep(run_dir, "k1", _square, rows)
    files = run_dir.stage_files()
    assert len(files) == 4 and saved.kept == saved.started == 4
    for path in files[1:]:  # as if killed after the first group
        path.unlink()

    def shifted(x):  # would give other numbers: only groups 2..4 may use it
        return {"square": x * x + 1, "pair": (x, jnp.sin(x))}

    second, _ = _sweep(run_dir, "k1", shifted, rows)
    np.testing.assert_array_equal(second["square"][:2], first["square"][:2])
    np.testing.assert_array_equal(second["square"][2:], first["square"][2:] + 1)
    np.testing.assert_array_equal(second["pair"][1], first["pair"][1])


def test_groups_of_another_key_or_other_rows_are_not_reused(tmp_path):
    run_dir, rows = results.RunDir(tmp_path), np.arange(4, dtype=np.float32)
    _sweep(run_dir, "k1", _square, rows)
    other_key, _ = _sweep(run_dir, "k2", lambda x: {"square": x, "pair": (x, x)}, rows)
    np.testing.assert_array_equal(other_key["square"], rows)
    other_rows, _ = _sweep(run_dir, "k2", lambda x: {"square": x, "pair": (x, x)}, rows + 10)
    np.testing.assert_array_equal(other_rows["square"], rows + 10)


def test_a_corrupt_group_file_is_moved_aside_and_recomputed(tmp_path):
    run_dir, rows = results.RunDir(tmp_path), np.arange(4, dtype=np.float32)
    first, _ = _sweep(run_dir, "k1", _square, rows)
    broken = run_dir.stage_files()[0]
    broken.write_bytes(broken.read_bytes()[:40])  # truncated npz
    again, saved = _sweep(run_dir, "k1", _square, rows)
    np.testing.assert_array_equal(again["square"], first["square"])
    assert list(tmp_path.glob("stages/*.corrupt-1"))
    assert saved.kept == saved.started == 2


def test_stages_reload_per_key_and_report_what_was_kept(tmp_path):
    run_dir = results.RunDir(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3)}

    for _ in range(2):
        kept = checkpoint.Checkpoint(run_dir, "k")
        np.testing.assert_array_equal(kept.stage("piece", compute)["x"], np.arange(3))
    assert len(calls) == 1
    assert kept.interrupted_message().startswith("interrupted; 1 of 1 groups kept in ")
    checkpoint.Checkpoint(run_dir, "k2").stage("piece", compute)  # another config: recomputed
    assert len(calls) == 2


@pytest.mark.parametrize("name,content", [("metrics.json", b'{"a": [1, 2'),
                                          ("arrays.npz", b"PK\x03\x04 not a zip")])
def test_unreadable_finished_results_are_moved_aside(tmp_path, name, content):
    run_dir = results.RunDir(tmp_path)
    results.write_json(run_dir.path("metrics.json"), {"a": 1})
    results.write_arrays(run_dir.path("arrays.npz"), {"x": np.arange(2)})
    results.write_json(run_dir.path("run.json"), {"cache_key": "k"})
    run_dir.path(name).write_bytes(content)
    with pytest.raises(results.CorruptFile, match=name):
        run_dir.read_finished()
    assert (tmp_path / f"{name}.corrupt-1").exists() and not (tmp_path / name).exists()
    assert not (tmp_path / "run.json").exists()  # the folder no longer claims a finished run


def test_an_unwritable_folder_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(results.UsageError, match="--out"):
        results.check_writable("out", blocker / "results")
    results.check_writable("out", tmp_path / "new" / "folder")
    assert (tmp_path / "new" / "folder").is_dir()
