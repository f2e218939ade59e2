"""Multi-process runs on JAX's own multi-controller runtime (``jax.distributed``).

Every process runs the same program on the same config. A sweep's grid axis is sharded over the
devices of all processes (``sweep_devices``); each process builds its shards of a group from the
full host rows (``to_global``), and the outputs are gathered back to every process (``gather``),
so all of them hold the same numbers afterwards. Only process 0 writes results and figures
(``is_writer``). Decisions that change which collectives run (load a saved group, or compute it)
are taken together (``all_agree``), so processes never wait on different collectives.

On CPU the collectives use gloo. One process (the default) needs none of this: every helper
below is then a no-op.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding

from experiments.common.config import UsageError


def initialize(coordinator_address: str | None, num_processes: int | None,
               process_id: int | None, auto: bool) -> None:
    """Starts ``jax.distributed`` from the three flags, or from the cluster's environment
    (SLURM, Open MPI, TPU pods, which JAX detects) when ``auto`` is set and none is given.

    Must run before JAX's backend starts. Raises ``UsageError`` for an incomplete set of flags.
    """
    given = {"coordinator_address": coordinator_address, "num_processes": num_processes,
             "process_id": process_id}
    named = {k: v for k, v in given.items() if v is not None}
    if not named and not auto:
        return
    if named and len(named) < 3:
        missing = sorted(set(given) - set(named))
        flag = next(iter(named))
        raise UsageError(flag, named[flag], f"allowed: together with --{' and --'.join(missing)}"
                                            " (or none of them, with --distributed)")
    if named:
        if num_processes < 1:
            raise UsageError("num_processes", num_processes, "allowed: integers >= 1")
        if not 0 <= process_id < num_processes:
            raise UsageError("process_id", process_id,
                             f"allowed: integers in [0, {num_processes - 1}]")
    if jax.config.jax_platforms in (None, "", "cpu"):
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=coordinator_address,
                               num_processes=num_processes, process_id=process_id)


def process_count() -> int:
    return jax.process_count()


def is_writer() -> bool:
    """Whether this process writes results, stages and figures (process 0)."""
    return jax.process_index() == 0


def sweep_devices(per_process: int) -> list[jax.Device]:
    """The first ``per_process`` devices of every process, by process then device id.

    A sweep shards its grid axis over these, in this order, so row ``i`` of a group lands on
    the same device position whether the devices sit in one process or in several.
    """
    chosen = []
    for index in range(jax.process_count()):
        mine = sorted((d for d in jax.devices() if d.process_index == index), key=lambda d: d.id)
        if len(mine) < per_process:
            raise ValueError(f"process {index} has {len(mine)} devices, {per_process} wanted")
        chosen += mine[:per_process]
    return chosen


def to_global(rows: np.ndarray, sharding: NamedSharding) -> jax.Array:
    """A global array of ``rows`` (the full group, the same on every process) with
    ``sharding``; each process places only its own shards."""
    return jax.make_array_from_callback(rows.shape, sharding, lambda index: rows[index])


def gather(tree: Any) -> Any:
    """Every leaf as a full numpy array on every process."""
    if jax.process_count() == 1:
        return jax.tree.map(np.asarray, tree)
    return jax.tree.map(np.asarray, multihost_utils.process_allgather(tree, tiled=True))


def all_agree(flag: bool) -> bool:
    """True only when ``flag`` is true on every process (one small collective)."""
    if jax.process_count() == 1:
        return flag
    return bool(np.all(multihost_utils.process_allgather(np.asarray(flag, np.int32))))
