"""Sweep helpers: chunked ``jit(vmap(fn))`` over a flat grid, sharded over devices.

A sweep evaluates ``fn(*row)`` for every row of a flattened grid of configurations. Rows go to
the devices in groups of ``batch`` per device; the grid axis of each group is sharded across the
devices of every process (``experiments.common.distributed``), so the same code runs on a
laptop, a multi-GPU host or many hosts. The only Python loop is over groups; each group logs its
elapsed time and ETA, and inside a run each finished group is saved at once
(``experiments.common.checkpoint``), so a killed run resumes at the group in flight.

Results do not depend on ``batch``, on the device count or on the process count as long as
``fn`` derives its random keys from its inputs (e.g. ``fold_in(key, config_id)``), never from its
position in a group.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from absl import logging
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from experiments.common import distributed
from experiments.common.checkpoint import current as current_checkpoint
from experiments.common.results import format_seconds


def grid_sharding(num_devices: int) -> NamedSharding | None:
    """Sharding that splits the leading (grid) axis over ``num_devices`` devices in all: the
    first ``num_devices / processes`` devices of every process. None for one device: the sweep
    then runs whole on a local device (of every process, when there are several)."""
    processes = distributed.process_count()
    if num_devices <= 1:
        return None
    if num_devices % processes:
        raise ValueError(f"{num_devices} devices do not split evenly over {processes} processes")
    devices = distributed.sweep_devices(num_devices // processes)
    return NamedSharding(Mesh(np.array(devices), ("grid",)), PartitionSpec("grid"))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _pad_rows(array: np.ndarray, size: int) -> np.ndarray:
    # Pads by repeating the last row: a valid configuration, so padding never diverges.
    if array.shape[0] == size:
        return array
    reps = np.repeat(array[-1:], size - array.shape[0], axis=0)
    return np.concatenate([array, reps], axis=0)


def run_sweep(
    fn: Callable[..., Any],
    rows: tuple[np.ndarray, ...],
    *,
    batch: int,
    num_devices: int = 1,
    name: str = "sweep",
    jitted: Callable[..., Any] | None = None,
) -> Any:
    """Evaluates ``vmap(fn)`` over the rows of ``rows`` (arrays sharing their leading axis).

    Args:
      fn: per-configuration function of one row of each array in ``rows``.
      rows: arrays with a common leading axis: the flattened grid.
      batch: rows per device per call (memory bound); does not change the results.
      num_devices: devices to shard the grid axis over.
      name: label of the progress log lines.
      jitted: a pre-built ``jit(vmap(fn))`` to reuse across calls (saves compilations).

    Returns:
      The pytree of outputs, each with the grid axis first, as numpy arrays.
    """
    rows = tuple(np.asarray(r) for r in rows)
    total = rows[0].shape[0]
    if any(r.shape[0] != total for r in rows):
        raise ValueError("all row arrays must share their leading axis")
    devices = max(num_devices, 1)
    # Balanced groups: as few calls as ``batch`` allows, each padded only to a multiple of the
    # device count (20 rows at batch 16 run as 2 x 10, not 16 + 16 with 12 padded rows).
    num_groups = _ceil_div(total, batch * devices)
    group = _ceil_div(_ceil_div(total, num_groups), devices) * devices
    sharding = grid_sharding(num_devices)
    compiled = jitted if jitted is not None else jax.jit(jax.vmap(fn))
    checkpoint = current_checkpoint()
    sweep_prefix = checkpoint.next_sweep(name) if checkpoint is not None else ""
    structure = None
    outputs = []
    start = time.perf_counter()
    for index in range(num_groups):
        chunk = [_pad_rows(r[index * group:(index + 1) * group], group) for r in rows]

        def evaluate(chunk: list[np.ndarray] = chunk) -> Any:
            if sharding is None:
                return jax.tree.map(np.asarray, compiled(*[jnp.asarray(c) for c in chunk]))
            placed = [distributed.to_global(c, sharding) for c in chunk]
            return distributed.gather(compiled(*placed))

        if checkpoint is None:
            out, loaded = evaluate(), False
        else:
            if structure is None:  # the output pytree, to rebuild a reloaded group
                specs = [jax.ShapeDtypeStruct(c.shape, c.dtype) for c in chunk]
                structure = jax.tree.structure(jax.eval_shape(compiled, *specs))
            out, loaded = checkpoint.group(sweep_prefix, index, chunk, structure, evaluate)
        outputs.append(out)
        elapsed = time.perf_counter() - start
        eta = elapsed / (index + 1) * (num_groups - index - 1)
        logging.info("%s: group %d/%d %s, elapsed %s, ETA %s", name, index + 1, num_groups,
                     "reloaded" if loaded else "done", format_seconds(elapsed),
                     format_seconds(eta))
    stacked = jax.tree.map(lambda *parts: np.concatenate(parts, axis=0), *outputs)
    return jax.tree.map(lambda a: a[:total], stacked)


def one_after_another(calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
    """``[fn(*args) for fn, args in calls]``, each call starting after the previous result exists.

    Use inside a jitted, vmapped function that runs several independent batched LAPACK kernels
    (QR, Cholesky, SVD) on CPU. jaxlib splits each batched kernel over XLA's intra-op thread pool
    and parks a pool worker until its share is done; two such kernels scheduled at once on a
    2-thread pool wait on each other forever (seen with jax 0.10.1: QR beside Cholesky at
    n = 64, batch 8; every thread idle in ``ParallelBatchMap``). ``optimization_barrier`` does
    not help: XLA's CPU thunk executor orders work by buffer use only. So each call's first array
    argument gets ``+ 0 * (previous results)``, a real data dependency (XLA keeps ``x * 0`` for
    floats, whose NaN and infinity it must propagate); the kernels then run one at a time, each
    still using every thread across its own batch.
    """
    results: list[Any] = []
    for fn, args in calls:
        if results:
            first = next(i for i, a in enumerate(args) if jnp.ndim(a) > 0)
            previous = sum(jnp.sum(leaf) for leaf in jax.tree.leaves(results[-1]))
            tied = args[first] + jnp.zeros((), args[first].dtype) * previous.astype(
                args[first].dtype)
            args = (*args[:first], tied, *args[first + 1:])
        results.append(fn(*args))
    return results


def find_non_finite(values: np.ndarray, labels: list[str]) -> list[str]:
    """Labels of the rows of ``values`` (grid axis first) that hold a NaN or infinity."""
    flat = np.asarray(values).reshape(len(labels), -1)
    bad = ~np.isfinite(flat).all(axis=1)
    return [labels[i] for i in np.flatnonzero(bad)]
