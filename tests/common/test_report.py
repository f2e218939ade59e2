"""Unit tests of experiments.common.report: the report's headline and the README block."""

from __future__ import annotations

from experiments.common import report, results
from tests.common.factories import report_entry, sample_claim


def test_report_headline_counts_and_failures(tmp_path):
    entries = [
        report_entry("majority_tree.synergy", sample_claim(id="majority_tree.synergy.a"),
                     sample_claim(id="majority_tree.synergy.b", passed=False, reason="off by 2"),
                     sample_claim(id="majority_tree.synergy.c", kind="consistency")),
        report_entry("sgd_noise.perceptron",
                     sample_claim(id="sgd_noise.perceptron.d", kind="qualitative",
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
    entries = [report_entry("majority_tree.synergy", sample_claim(id="majority_tree.synergy.a"))]
    assert report.update_readme(readme, entries)
    text = readme.read_text()
    assert "old" not in text
    assert "- `majority_tree` (1 experiments, 0.2 min): 1 of 1 validation claims pass" in text
    assert text.startswith("intro") and text.endswith("outro\n")


def test_a_corrupt_run_file_is_reported_as_missing_results(tmp_path):
    run_dir = results.RunDir(tmp_path / "majority_tree/synergy/cpu")
    for name in results.RunDir.FINISHED:
        run_dir.path(name).parent.mkdir(parents=True, exist_ok=True)
        run_dir.path(name).write_text("{}")
    run_dir.path("run.json").write_text('{"cache_key": ')
    entries = report.collect(tmp_path, "cpu", ["majority_tree.synergy"])
    assert entries[0]["wall"] == "no results"
    assert run_dir.path("run.json.corrupt-1").exists()
