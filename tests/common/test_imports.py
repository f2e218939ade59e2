"""Unit tests of experiments.common.imports: no import cycles; per-experiment cache keys; the
fixed package layout of every experiment."""

from __future__ import annotations

import pkgutil
from pathlib import Path

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
    assert start == f"experiments.{module}.compute" or start.startswith(
        f"experiments.{module}.compute."), start
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


EXPERIMENTS_ROOT = Path(imports.__file__).resolve().parents[1]
ROLES = ("compute", "claims", "plots")  # each a module or a package
OPTIONAL_ROLES = ("model", "metrics")


def _children(folder: Path) -> dict[str, bool]:
    """Module names directly in ``folder`` -> whether each is a package."""
    return {info.name: info.ispkg for info in pkgutil.iter_modules([str(folder)])}


@pytest.mark.parametrize("module", registry.EXPERIMENTS)
def test_every_experiment_has_the_fixed_layout(module):
    """``__init__`` (with ``EXPERIMENT``), ``__main__``, ``compute``, ``claims`` and ``plots``;
    beside them only ``model`` and ``metrics``. Each role may be a package, whose submodules are
    free (a role package is the role's own business)."""
    pillar, name = module.split(".")
    folder = EXPERIMENTS_ROOT / pillar / name
    assert (folder / "__init__.py").is_file() and (folder / "__main__.py").is_file()
    children = _children(folder)
    missing = [role for role in ROLES if role not in children]
    assert missing == [], f"{module}: missing {missing}"
    extra = sorted(set(children) - {"__main__", *ROLES, *OPTIONAL_ROLES})
    assert extra == [], f"{module}: modules outside the layout: {extra}"
    experiment = registry.load(module)
    assert experiment.name == f"{pillar}/{name}"
    assert experiment.compute.__name__ == "compute"
    assert experiment.compute.__module__ == f"experiments.{module}.compute"


def test_pillar_folders_hold_only_experiment_packages_and_shared():
    """A pillar folder holds its ``__init__.py``, ``shared/`` and registered experiment packages:
    no loose modules and no unregistered packages."""
    registered = {tuple(m.split(".")) for m in registry.EXPERIMENTS}
    pillars = sorted({pillar for pillar, _ in registered})
    for pillar in pillars:
        folder = EXPERIMENTS_ROOT / pillar
        assert (folder / "__init__.py").is_file()
        children = _children(folder)
        loose = sorted(n for n, is_package in children.items() if not is_package)
        assert loose == [], f"{pillar}: modules outside any experiment package: {loose}"
        unregistered = sorted(n for n in children
                              if n != "shared" and (pillar, n) not in registered)
        assert unregistered == [], f"{pillar}: packages not in the registry: {unregistered}"
        others = sorted(p.name for p in folder.iterdir()
                        if p.name not in {"__init__.py", "__pycache__"} and p.name not in children)
        assert others == [], f"{pillar}: unexpected entries {others}"
