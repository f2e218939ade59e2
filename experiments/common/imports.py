"""Static import graph of the suite's own modules, read from the sources (nothing is imported).

Two users: the results cache keys each experiment by the code its compute path imports
(``compute_closure``), so an edit in one experiment never recomputes another; and a test fails on
any import cycle (``find_cycles``). Only ``experiments`` and ``theory`` modules are nodes; imports
of other packages are ignored. An edge ``a -> b`` means that module ``a`` imports ``b`` anywhere
in its file.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

SUITE_ROOT = Path(__file__).resolve().parents[2]
ROOT_PACKAGES = ("experiments", "theory")

# Modules that only read and format saved numbers: never part of a compute path.
PRESENTATION_ROLES = frozenset({"claims", "plots"})
PRESENTATION_MODULES = frozenset({
    "experiments.common.report", "experiments.common.runner", "experiments.common.plotting",
    "experiments.common.figure_checks", "experiments.registry",
})


def module_file(name: str) -> Path | None:
    """The source file of a suite module (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``)."""
    if name.split(".")[0] not in ROOT_PACKAGES:
        return None
    base = SUITE_ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def module_name(path: Path) -> str:
    parts = list(Path(path).resolve().relative_to(SUITE_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> list[str]:
    return sorted(module_name(p) for root in ROOT_PACKAGES
                  for p in (SUITE_ROOT / root).rglob("*.py"))


def imports_of(name: str) -> set[str]:
    """Suite modules that module ``name`` imports (``from pkg import mod`` counts as ``pkg.mod``
    when that is a module, else as ``pkg``)."""
    path = module_file(name)
    if path is None:
        return set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if module_file(child) else base)
    return {m for m in found if module_file(m) is not None and m != name}


def import_graph(modules: Iterable[str] | None = None) -> dict[str, set[str]]:
    return {m: imports_of(m) for m in (all_modules() if modules is None else modules)}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (each one an import cycle), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph has a few hundred nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def is_presentation(name: str) -> bool:
    """A claims or plots module (or package), the report, the runner or the plotting helpers."""
    return name in PRESENTATION_MODULES or bool(PRESENTATION_ROLES & set(name.split(".")))


def compute_closure(start: str, skip: Callable[[str], bool] = is_presentation) -> list[str]:
    """``start`` and every suite module it imports, transitively, without presentation modules.

    The modules whose code can change a number ``start`` computes: what the cache key hashes.
    """
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or skip(name):
            continue
        seen.add(name)
        todo.extend(imports_of(name) - seen)
    return sorted(seen)
