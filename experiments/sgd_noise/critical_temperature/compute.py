"""The critical-temperature sweep: for each P, one ``jit(vmap)`` FC-network sweep over
(T, seed) lanes at α = 2^log2_alpha in calls of a few adjacent temperatures, then the NTK change
of every lane; returns the metrics of ``metrics.derive`` with the data record. Diverged lanes
are masked; a non-finite r without divergence raises.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from absl import logging

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import run_sweep
from experiments.sgd_noise.critical_temperature.metrics import derive
from experiments.sgd_noise.shared import fc_network, mnist1d_data, ntk, sgd


def check_period(num_train: int, batch: int) -> int:
    """K = max(16, P/B): one epoch between full-training-set checks."""
    return max(16, num_train // batch)


_KEYS = ("status", "steps", "t_star", "eta", "margin", "test_error", "rel_change", "train_loss")


def _run_group(config: Config, num_train: int, data: fc_network.Data, num_devices: int,
               name: str) -> dict[str, np.ndarray]:
    spec = fc_network.FCSpec(mnist1d_data.INPUT_DIM, config.depth, config.width, config.activation)
    train = fc_network.TrainSpec(num_train, config.batch, check_period(num_train, config.batch),
                                 config.max_steps, config.batch_sampling, return_params=True)
    sweep = fc_network.make_sweep(spec, train, config.seed, data)
    temps = 2.0 ** np.asarray(config.log2_temperatures, np.float64)
    t, s = np.meshgrid(temps, np.arange(config.seeds), indexing="ij")
    seeds = s.ravel().astype(np.int32)
    alphas = np.full(t.size, 2.0**config.log2_alpha, np.float32)
    rows = (seeds, alphas, t.ravel().astype(np.float32))
    # Calls of group_temperatures adjacent T × seeds lanes (rows are T-major): at large P the
    # highest T needs ≈ 2× the steps of the lowest, and a vmapped while loop runs to its slowest
    # lane. Every call has the same shape, so one compilation per P.
    lanes = min(config.group_temperatures, len(temps)) * config.seeds
    out = run_sweep(None, rows, batch=lanes, num_devices=num_devices, name=name, jitted=sweep)
    ntk_change = ntk.make_ntk_change(spec, config.n_ntk, config.seed)
    kernel = jax.tree.map(np.asarray, ntk_change(seeds, out["params"], data.x_candidates))
    diverged = out["status"] == sgd.DIVERGED
    result = {k: np.asarray(out[k]).reshape(t.shape) for k in _KEYS}
    for key, value in kernel.items():
        result[key] = np.where(diverged, np.nan, value).reshape(t.shape)
    return result


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    pool = mnist1d_data.load_pool(config.n_pool, config.n_test, config.seed_testset)
    data = fc_network.device_data(pool)
    groups = []
    for i, num_train in enumerate(config.train_sizes):
        name = f"P_{num_train}"
        log_name = f"critical_temperature {name} (group {i + 1}/{len(config.train_sizes)})"
        groups.append(ctx.stage(name, lambda p=num_train, log_name=log_name: _run_group(
            config, p, data, ctx.num_devices, log_name)))
    fields = {k: np.stack([g[k] for g in groups]) for k in groups[0]}  # (P, T, S)
    for idx in zip(*np.nonzero(fields["status"] == sgd.DIVERGED), strict=True):
        logging.info("critical_temperature: P=%d T=2^%d seed=%d diverged (masked)",
                     config.train_sizes[idx[0]], config.log2_temperatures[idx[1]], idx[2])
    ok = fields["status"] != sgd.DIVERGED
    if not np.all(np.isfinite(fields["rel_change"][ok])):
        bad = np.argwhere(ok & ~np.isfinite(fields["rel_change"]))[0]
        raise FloatingPointError(f"critical_temperature: non-finite r at P index {bad[0]}, "
                                 f"T index {bad[1]}, seed {bad[2]} without divergence")
    metrics, arrays = derive(config, fields)
    metrics["check_periods"] = [check_period(p, config.batch) for p in config.train_sizes]
    metrics["data"] = mnist1d_data.data_record(config.n_pool, config.n_test, config.seed_testset)
    return metrics, arrays
