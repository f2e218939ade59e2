"""Unit tests of experiments.common.imports: no import cycles; per-experiment cache keys."""

from __future__ import annotations

import pytest

from experiments import registry
from experiments.common import imports, results


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
