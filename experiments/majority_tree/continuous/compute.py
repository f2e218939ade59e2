"""The computation of ``continuous``: the table of Monte Carlo configurations (main tree, floor
grid, star, chain), one compiled sweep per (kind, shape, trials) as resumable stages, and the
metrics made from their sums (``continuous.metrics``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.majority_tree.continuous import metrics as cm
from experiments.majority_tree.continuous import model as mc
from theory import majority_tree as mt


def config_table(config: Config) -> list[dict[str, Any]]:
    """Every Monte Carlo configuration; its index is the config_id of its random keys."""
    rows = [{"kind": "tree", "b": config.fanin, "L": config.depth, "v0": config.v0,
             "rho": config.rho, "sigma2": config.sigma2, "trials": config.tree_trials}]
    for b, depth in zip(config.floor_fanins, config.floor_depths, strict=True):
        for rho in config.floor_rhos:
            for sigma2 in config.floor_sigma2s:
                rows.append({"kind": "floor", "b": b, "L": depth, "rho": rho, "sigma2": sigma2,
                             "v0": float(mt.tree_floor(rho, sigma2, b)),
                             "trials": config.floor_trials})
    for kind, trials in (("star", config.star_trials), ("chain", config.chain_trials)):
        rows.append({"kind": kind, "v0": config.v0, "rho": config.rho, "sigma2": config.sigma2,
                     "trials": trials})
    for i, row in enumerate(rows):
        row["config_id"] = i
    return rows


def _label(row: dict[str, Any]) -> str:
    shape = f" b={row['b']} L={row['L']}" if "b" in row else ""
    return (f"{row['kind']}{shape} v0={row['v0']:.6g} rho={row['rho']} sigma2={row['sigma2']} "
            f"(config_id {row['config_id']})")


def _shape(row: dict[str, Any], config: Config) -> tuple[str, tuple[int, ...]]:
    if row["kind"] in ("tree", "floor"):
        return "tree", (row["b"], row["L"])
    if row["kind"] == "star":
        return "star", tuple(config.star_sizes)
    return "chain", (config.chain_max_length,)


def _simulate(kind: str, shape: tuple[int, ...], rows: list[dict[str, Any]], config: Config,
              num_devices: int) -> dict[str, np.ndarray]:
    result = mc.simulate(
        kind, shape, [r["v0"] for r in rows], [r["sigma2"] for r in rows],
        [r["rho"] for r in rows], [r["config_id"] for r in rows], trials=rows[0]["trials"],
        streams=config.seed_streams, seed=config.seed, chunk_elems=config.mc_chunk_elems,
        config_batch=config.config_batch, num_devices=num_devices,
        labels=[_label(r) for r in rows])
    return {"sums": result["sums"], "trials_per_stream": result["trials_per_stream"]}


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """One compiled sweep per (kind, shape, trials), each a resumable stage; then the metrics."""
    table = config_table(config)
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in table:  # one compiled sweep per (kind, shape, trials): the main tree may share
        kind, shape = _shape(row, config)
        groups.setdefault((kind, shape, row["trials"]), []).append(row)
    per_row = {}
    for (kind, shape, trials), rows in groups.items():
        name = f"{kind}_{'x'.join(map(str, shape))}_T{trials}"
        run = ctx.stage(name, lambda kind=kind, shape=shape, rows=rows: _simulate(
            kind, shape, rows, config, ctx.num_devices))
        for i, row in enumerate(rows):
            per_row[row["config_id"]] = {"sums": run["sums"][i:i + 1],
                                         "trials_per_stream": run["trials_per_stream"]}
    return cm.derive(config, table, per_row)
