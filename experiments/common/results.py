"""Results store: atomic writes, cache keys, environment capture and resumable stages.

Layout of one run, ``<out>/<experiment>/<profile>/``:

- ``config.json``  every field of the resolved config, sorted keys;
- ``env.json``     versions, platform, device count, XLA_FLAGS, git commit;
- ``metrics.json`` every number the figures and claims are made from;
- ``arrays.npz``   larger arrays the plots need;
- ``claims.json``  the list of claims (see ``experiments.common.claims``);
- ``run.json``     cache key and wall time; written last, so its presence marks a finished run;
- ``stages/``      finished pieces of an unfinished run, so a killed run resumes there.

Every file is written to a temporary name and renamed, so a run killed half-way leaves the
previous results intact.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import math
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from experiments.common import imports
from experiments.common.config import UsageError

SUITE_ROOT = imports.SUITE_ROOT
_VERSIONED_PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpyro", "numpy", "scipy", "matplotlib")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_jsonable(value: Any) -> Any:
    """Plain-JSON form: numpy scalars/arrays to lists, non-finite floats to strings."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def undefined_as_none(value: Any) -> Any:
    """``value`` with every NaN float (nested, numpy included) replaced by None.

    For quantities that are undefined at a run's size rather than broken (one seed has no
    interval; a curve has no point below the threshold): they are written as JSON null, so the
    "nan" strings ``to_jsonable`` writes stay a sign of a numerical failure.
    """
    value = to_jsonable(value)
    if isinstance(value, dict):
        return {k: undefined_as_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [undefined_as_none(v) for v in value]
    return None if value == "nan" else value


def as_float(value: Any) -> float:
    """A saved number as a float: None (undefined) and "nan" give NaN, "inf"/"-inf" infinities."""
    return math.nan if value is None else float(value)


def as_floats(values: Any) -> np.ndarray:
    """A saved list (possibly nested, with None for undefined entries) as a float array."""
    if isinstance(values, list | tuple):
        return np.array([as_floats(v) for v in values], float)
    return np.array(as_float(values), float)


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=1, sort_keys=True, allow_nan=False) + "\n"


def write_json(path: Path, value: Any) -> None:
    atomic_write_bytes(path, dumps(value).encode())


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def write_arrays(path: Path, arrays: Mapping[str, Any]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v) for k, v in sorted(arrays.items())})
    atomic_write_bytes(path, buffer.getvalue())


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in _VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def affects_numbers(path: str) -> bool:
    """Whether an edit to ``path`` (relative to the suite root) can change a computed number:
    the theory, the compute path of the experiments, shipped data and the pinned packages;
    not docs, tests, figures, claims, plots or the report."""
    if path in ("pyproject.toml", "constraints.txt"):
        return True
    top = path.split("/", 1)[0]
    if top in ("theory", "data"):
        return True
    return (top == "experiments" and path.endswith(".py")
            and not imports.is_presentation(imports.module_name(SUITE_ROOT / path)))


def git_commit() -> str:
    """HEAD, with ``+dirty`` when tracked files that can change numbers differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=SUITE_ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=SUITE_ROOT,
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        dirty = any(affects_numbers(line[3:].split(" -> ")[-1]) for line in changed)
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def code_fingerprint(source: bytes) -> bytes:
    """The code of a Python source without its docstrings and comments (an AST dump).

    Docstrings carry measured runtimes and expected outcomes, written after a run; editing them
    must not invalidate that run's results.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False).encode()


def compute_digest(module: str, data_files: Sequence[str] = ()) -> str:
    """Hash of the code an experiment's compute path runs, and of the data files it reads.

    ``module`` is where its ``compute`` lives; the hash covers that module and every suite module
    it imports, transitively, except claims and plots (``imports.compute_closure``), without
    docstrings and comments (``code_fingerprint``), plus ``data_files`` (paths relative to the
    suite root). Part of the cache key: editing one experiment's model recomputes that
    experiment only, and a label, tolerance or docstring change recomputes nothing.
    """
    digest = hashlib.sha256()
    for name in imports.compute_closure(module):
        path = imports.module_file(name)
        digest.update(name.encode())
        digest.update(code_fingerprint(path.read_bytes()))
    for name in sorted(data_files):
        digest.update(name.encode())
        digest.update((SUITE_ROOT / name).read_bytes())
    return digest.hexdigest()


def cache_key(**parts: Any) -> str:
    return hashlib.sha256(dumps(parts).encode()).hexdigest()[:20]


class CorruptFile(Exception):
    """A results file that could not be read; it has been moved aside to ``moved_to``."""

    def __init__(self, path: Path, moved_to: Path, error: Exception):
        super().__init__(f"{path} was unreadable ({type(error).__name__}: {error}); "
                         f"moved aside to {moved_to.name}")
        self.path, self.moved_to = path, moved_to


def move_aside(path: Path) -> Path:
    """Renames an unreadable file to ``<name>.corrupt-<n>`` next to it (kept for inspection)."""
    n = 1
    while (target := path.with_name(f"{path.name}.corrupt-{n}")).exists():
        n += 1
    os.replace(path, target)
    return target


def _read_checked(path: Path, reader: Callable[[Path], Any]) -> Any:
    """``reader(path)``; an unreadable file (truncated JSON, bad npz) is moved aside and
    ``CorruptFile`` raised, so the caller can say which file and recompute."""
    try:
        return reader(path)
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        if not path.exists():
            raise
        raise CorruptFile(path, move_aside(path), error) from None


class RunDir:
    """One experiment's results folder for one profile."""

    FINISHED = ("config.json", "metrics.json", "arrays.npz", "claims.json", "env.json")

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, name: str) -> Path:
        return self.root / name

    def finished_key(self) -> str | None:
        """The cache key of the finished run here, or None (none, incomplete or unreadable:
        an unreadable run.json is moved aside and ``CorruptFile`` raised)."""
        run = self.path("run.json")
        if not run.exists() or not all(self.path(n).exists() for n in self.FINISHED):
            return None
        return _read_checked(run, read_json).get("cache_key")

    def read_finished(self) -> tuple[Any, dict[str, np.ndarray]]:
        """Saved metrics and arrays; an unreadable one is moved aside (``CorruptFile``), and so
        is run.json, so the folder no longer claims a finished run."""
        try:
            return (_read_checked(self.path("metrics.json"), read_json),
                    _read_checked(self.path("arrays.npz"), read_arrays))
        except CorruptFile:
            if self.path("run.json").exists():
                move_aside(self.path("run.json"))
            raise

    def load_stage(self, name: str, key: str) -> dict[str, np.ndarray] | None:
        """A finished stage saved under ``key``; None if missing or saved under another key.
        An unreadable stage file is moved aside (``CorruptFile``)."""
        path = self.path(f"stages/{name}.npz")
        if not path.exists():
            return None
        saved = _read_checked(path, read_arrays)
        return saved if str(saved.pop("__cache_key__", "")) == key else None

    def save_stage(self, name: str, key: str, arrays: Mapping[str, Any]) -> None:
        write_arrays(self.path(f"stages/{name}.npz"), {**arrays, "__cache_key__": np.asarray(key)})

    def stage_files(self) -> list[Path]:
        return sorted(self.path("stages").glob("*.npz"))

    def clear_stages(self) -> None:
        for path in self.stage_files():
            path.unlink()


def check_writable(flag: str, folder: Path) -> None:
    """Raises ``UsageError`` (exit status 2) unless ``folder`` exists or can be made, and a file
    can be written in it: checked before any computation starts."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as error:
        raise UsageError(flag, str(folder), f"allowed: a folder this user can write "
                                            f"({error.strerror or error})") from None


def format_seconds(seconds: float) -> str:
    """``83.2`` -> ``1:23`` (minutes:seconds; long runs show e.g. ``66:40``)."""
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes}:{sec:02d}"
