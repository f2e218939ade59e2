"""The perceptron's sweep: the lane table of (χ, P, regime, T·α, seed) and its lane groups, each
run as a lane queue (``model.compiled_queue``) sharded over the devices; returns the metrics of
``metrics.derive``. Diverged lanes raise; capped lanes are logged and kept (marked).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from absl import logging

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import run_sweep
from experiments.sgd_noise.perceptron import model
from experiments.sgd_noise.perceptron.metrics import derive, seeds_by_chi, sizes_by_chi
from experiments.sgd_noise.shared import sgd

REGIMES = ("noise", "crossover", "symmetry")
# Lanes in flight per device (``model.run_queue``). Measured on 2 cores, χ = 0, 192
# lanes, each call including its compilation: P = 1024: 16 slots 25 s, 32: 36 s, 64: 52 s;
# P = 2048: 16 slots 171 s, 32: 211 s (one vmapped while loop over all 192 lanes at P = 1024:
# 102 s). Slot data beyond the caches (16 × P × d floats is 4 MB at P = 2048) cost time.
QUEUE_SLOTS = 16


def lane_table(config: Config) -> dict[str, np.ndarray]:
    """Every lane: χ, P, regime, T·α, α, T, η, replica and its group id.

    Regimes: 0 noise cells, 1 crossover (GD-like) cells, 2 the symmetry check: the first χ and
    smallest P at T·α = fit_t_alpha run again at (4α, T/4) (claim perceptron.alpha_T_symmetry).
    """
    cols: dict[str, list] = {k: [] for k in ("chi", "P", "regime", "t_alpha", "alpha",
                                             "replica", "group")}
    group = 0

    seeds = seeds_by_chi(config)

    def add(chi: float, size: int, regime: int, temps: list[float], alpha: float) -> None:
        nonlocal group
        for t_alpha in temps:
            for replica in range(seeds[chi]):
                for k, v in zip(cols, (chi, size, regime, t_alpha, alpha, replica, group),
                                strict=True):
                    cols[k].append(v)
        group += 1

    grids = sizes_by_chi(config)
    for chi, sizes in grids:
        for rank, size in enumerate(sizes):
            add(chi, size, 0, config.noise_t_alpha, config.alpha)
            if rank < config.crossover_sizes:
                add(chi, size, 1, config.crossover_t_alpha, config.alpha)
    add(grids[0][0], grids[0][1][0], 2, [config.fit_t_alpha], 4.0 * config.alpha)
    table = {k: np.asarray(v) for k, v in cols.items()}
    table["T"] = table["t_alpha"] / table["alpha"]
    table["eta"] = sgd.learning_rate(table["T"], config.batch)  # h = 1
    return table


def _simulate_group(rows: np.ndarray, table: dict[str, np.ndarray], pools: dict[float, Any],
                    config: Config, lanes: int, num_devices: int) -> dict[str, np.ndarray]:
    chi, size = float(table["chi"][rows[0]]), int(table["P"][rows[0]])
    slow_first = rows[np.argsort(table["t_alpha"][rows], kind="stable")]  # GD-like lanes are slow
    padded = np.concatenate([slow_first, np.repeat(slow_first[-1:], lanes - rows.size)])
    # Each device runs its own lane queue over a contiguous block: deal the lanes round-robin so
    # that every block starts with its share of the slow ones.
    padded = padded[np.concatenate([np.arange(d, lanes, num_devices)
                                    for d in range(num_devices)])]
    replica = table["replica"][padded].astype(np.int32)
    x_pool, y_pool = pools[chi]
    inputs = (x_pool[replica, :size], y_pool[replica, :size],
              np.full(padded.size, config.seed, np.int32), replica,
              table["alpha"][padded].astype(np.float32), table["eta"][padded].astype(np.float32))
    name = f"perceptron chi={chi:g} P={size} {REGIMES[int(table['regime'][rows[0]])]}"
    jitted = model.compiled_queue(config.batch, config.max_steps, config.batch_sampling,
                                  QUEUE_SLOTS, num_devices)
    out = run_sweep(None, inputs, batch=lanes // num_devices, num_devices=num_devices,
                    name=name, jitted=jitted)
    by_row = {}
    for k in model.OUTPUTS:  # padded copies of a lane write the same values as the lane itself
        values = np.zeros(table["chi"].size, np.asarray(out[k]).dtype)
        values[padded] = np.asarray(out[k])
        by_row[k] = values[rows]
    return by_row


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    table = lane_table(config)
    groups = [np.flatnonzero(table["group"] == g) for g in np.unique(table["group"])]
    devices = max(ctx.num_devices, 1)
    # Groups of one χ are padded to a common lane count (one compilation per (χ, P) shape);
    # χ = 0 runs more seeds, and padding the other χ to its count would multiply their cost.
    lanes = {}
    for rows in groups:
        chi = float(table["chi"][rows[0]])
        lanes[chi] = max(lanes.get(chi, 0), -(-rows.size // devices) * devices)
    pool_size = max(config.train_sizes)
    make_pool = model.compiled_pool(pool_size, config.dim)
    pools = {}
    for (chi, _), seeds in zip(sizes_by_chi(config), config.seeds_per_chi, strict=True):
        x, y = make_pool(np.full(seeds, config.seed, np.int32), np.arange(seeds, dtype=np.int32),
                         np.full(seeds, chi, np.float32))
        pools[chi] = (np.asarray(x), np.asarray(y))
    outputs = {k: np.zeros(table["chi"].shape, np.float64) for k in model.OUTPUTS}
    for rows in groups:
        g = int(table["group"][rows[0]])
        part = ctx.stage(f"group_{g:03d}", lambda rows=rows: _simulate_group(
            rows, table, pools, config, lanes[float(table["chi"][rows[0]])], devices))
        for k in model.OUTPUTS:
            outputs[k][rows] = part[k]
    status = outputs["status"].astype(np.int32)
    bad = np.flatnonzero(status == sgd.DIVERGED)
    if bad.size:
        raise FloatingPointError("perceptron diverged (non-finite Δw or margin) at " + "; ".join(
            f"chi={table['chi'][i]:g} P={table['P'][i]} T*alpha={table['t_alpha'][i]:g} "
            f"replica={table['replica'][i]}" for i in bad[:5]))
    capped = int(np.sum(status == sgd.CAPPED))
    if capped:
        logging.warning("perceptron: %d lane(s) hit max_steps = %d (marked capped)", capped,
                        config.max_steps)
    arrays = {**{k: v for k, v in table.items() if k != "group"}, **outputs,
              "status": status, "steps": outputs["steps"].astype(np.int64)}
    return derive(config, arrays)
