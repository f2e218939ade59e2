"""Resumable runs: every finished stage and every finished group of a sweep is saved at once.

``app.execute`` makes a ``Checkpoint`` for the run's folder and cache key and activates it around
``compute``; ``RunContext.stage`` and ``sweep.run_sweep`` save through it. A rerun of the same
command (same config, code and device count, hence the same key) reloads what was finished and
computes the rest, so a run killed by SIGTERM, SIGKILL or a preempted host loses at most the
group in flight, and ends with the same bytes as an uninterrupted run: each group is a pure
function of its rows.

Files: ``<run>/stages/<name>.npz``, each with its key inside; a file saved under another key is
ignored and overwritten, an unreadable one is moved aside (``.corrupt-<n>``) and recomputed.
With several processes only process 0 writes; all of them load a piece only if every process
can (``distributed.all_agree``), so they never diverge on which collectives run.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jax
import numpy as np
from absl import logging

from experiments.common import distributed, results


class Checkpoint:
    """Saved pieces of one run: ``stage`` for a named piece, ``group`` for a sweep's group."""

    def __init__(self, run_dir: results.RunDir, key: str):
        self.run_dir, self.key = run_dir, key
        self.sweeps: dict[str, int] = {}  # run_sweep calls so far, per sweep name
        self.started = 0  # stages and groups begun in this run
        self.kept = 0     # of those, saved or reloaded

    def _load(self, name: str, key: str) -> dict[str, np.ndarray] | None:
        try:
            saved = self.run_dir.load_stage(name, key)
        except results.CorruptFile as error:
            logging.warning("%s; recomputing it", error)
            saved = None
        return saved if distributed.all_agree(saved is not None) else None

    def _save(self, name: str, key: str, arrays: Mapping[str, np.ndarray]) -> None:
        if distributed.is_writer():
            self.run_dir.save_stage(name, key, arrays)
        self.kept += 1

    def stage(self, name: str, compute: Callable[[], Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """``compute()`` once per cache key; a rerun reloads it."""
        self.started += 1
        saved = self._load(name, self.key)
        if saved is not None:
            logging.info("stage %s: loaded from %s", name, self.run_dir.path("stages"))
            self.kept += 1
            return saved
        result = {k: np.asarray(v) for k, v in compute().items()}
        self._save(name, self.key, result)
        return result

    def next_sweep(self, name: str) -> str:
        """A file prefix for the next sweep called ``name``: its name made file-safe, and how
        many sweeps of that name came before. Not a global counter: a stage reloaded on a rerun
        skips the sweeps inside it, which must not shift the names of later sweeps' files."""
        count = self.sweeps[name] = self.sweeps.get(name, 0) + 1
        safe = "".join(c if c.isalnum() or c in "-_=." else "_" for c in name)
        return f"sweep-{safe}-{count}"

    def group(self, sweep: str, index: int, rows: list[np.ndarray], structure: Any,
              compute: Callable[[], Any]) -> tuple[Any, bool]:
        """One sweep group's outputs (a pytree of numpy arrays with ``structure``) and whether
        they were reloaded. The key covers the run's key and the group's own rows, so a file of
        another sweep or config is never mistaken for this group."""
        self.started += 1
        name = f"{sweep}-group{index:04d}"
        digest = hashlib.sha256(self.key.encode())
        for array in rows:
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        key = digest.hexdigest()[:20]
        saved = self._load(name, key)
        if saved is not None:
            self.kept += 1
            leaves = [saved[f"leaf{i:03d}"] for i in range(len(saved))]
            return jax.tree.unflatten(structure, leaves), True
        out = compute()
        self._save(name, key, {f"leaf{i:03d}": leaf for i, leaf in enumerate(jax.tree.leaves(out))})
        return out, False

    def interrupted_message(self) -> str:
        return (f"interrupted; {self.kept} of {self.started} groups kept in "
                f"{self.run_dir.path('stages')}; rerun the same command to resume")


_ACTIVE: contextvars.ContextVar[Checkpoint | None] = contextvars.ContextVar(
    "checkpoint", default=None)


@contextlib.contextmanager
def active(checkpoint: Checkpoint) -> Iterator[Checkpoint]:
    """Makes ``checkpoint`` the one ``run_sweep`` saves its groups through."""
    token = _ACTIVE.set(checkpoint)
    try:
        yield checkpoint
    finally:
        _ACTIVE.reset(token)


def current() -> Checkpoint | None:
    """The active checkpoint, or None outside a run (library use, tests): nothing is saved."""
    return _ACTIVE.get()
