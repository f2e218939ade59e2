"""The phase diagram's sweep: the (α, T, seed) grid with its skip rule, each α row run in calls
of a few adjacent temperatures × seeds through the FC network's ``jit(vmap)`` sweep; returns the
metrics of ``metrics.derive`` with the data record. A non-finite result of a lane that did not
diverge raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from absl import logging

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import run_sweep
from experiments.sgd_noise.phase_diagram.metrics import SKIP_ALPHA, SKIP_ALPHA_T, SKIPPED, derive
from experiments.sgd_noise.shared import fc_network, mnist1d_data, sgd


def check_period(num_train: int, batch: int) -> int:
    """K = max(16, 2P/B): two epochs between full-training-set checks."""
    return max(16, (2 * num_train) // batch)


def is_skipped(alpha: np.ndarray, temperature: np.ndarray, skip: bool) -> np.ndarray:
    """Skip rule: α ≥ 2^6 and α·T < 1/4 (deep lazy GD-like cells)."""
    alpha, temperature = np.asarray(alpha, np.float64), np.asarray(temperature, np.float64)
    return skip & (alpha >= SKIP_ALPHA) & (alpha * temperature < SKIP_ALPHA_T)


def grid(config: Config) -> dict[str, np.ndarray]:
    """Full (α, T, seed) grid, shape (A, T, S), float64 α and T."""
    alphas = 2.0 ** np.asarray(config.log2_alphas, np.float64)
    temps = 2.0 ** np.asarray(config.log2_temperatures, np.float64)
    a, t, s = np.meshgrid(alphas, temps, np.arange(config.seeds), indexing="ij")
    return {"alpha": a, "temperature": t, "seed": s.astype(np.int32),
            "skipped": is_skipped(a, t, config.skip_lazy_gd)}


_OUT_KEYS = ("status", "steps", "t_star", "eta", "margin", "test_error", "rel_change",
             "rel_change_layers", "train_loss")


def _run_group(sweep: Any, rows: tuple[np.ndarray, ...], lanes: int, num_devices: int,
               name: str) -> dict[str, np.ndarray]:
    """One α row in calls of ``lanes`` lanes (a block of adjacent temperatures × seeds).

    A vmapped while loop runs until its slowest lane stops; the lowest T of a row needs up to
    10× the steps of its highest, so blocks of neighbouring T waste far fewer lane-steps than
    the whole row at once. The row is padded to a multiple of ``lanes`` (one compilation).
    """
    count = rows[0].shape[0]
    total = -(-count // lanes) * lanes
    padded = tuple(np.concatenate([r, np.repeat(r[-1:], total - count, axis=0)]) for r in rows)
    out = run_sweep(None, padded, batch=lanes, num_devices=num_devices, name=name,
                    jitted=sweep)
    return {k: np.asarray(out[k])[:count] for k in _OUT_KEYS}


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    pool = mnist1d_data.load_pool(config.n_pool, config.n_test, config.seed_testset)
    spec = fc_network.FCSpec(mnist1d_data.INPUT_DIM, config.depth, config.width, config.activation)
    period = check_period(config.num_train, config.batch)
    train = fc_network.TrainSpec(config.num_train, config.batch, period, config.max_steps,
                                 config.batch_sampling)
    sweep = fc_network.make_sweep(spec, train, config.seed, fc_network.device_data(pool))
    g = grid(config)
    num_alpha = g["alpha"].shape[0]
    # Groups: an α row (spec §2.4) cut into blocks of group_temperatures adjacent T × seeds.
    lanes = min(config.group_temperatures, g["alpha"].shape[1]) * config.seeds
    fields = {k: np.full(g["alpha"].shape, np.nan) for k in _OUT_KEYS if k != "rel_change_layers"}
    fields["status"] = np.full(g["alpha"].shape, SKIPPED, np.int32)
    fields["steps"] = np.zeros(g["alpha"].shape, np.int64)
    layers = np.full(g["alpha"].shape + (config.depth + 1,), np.nan)
    for i in range(num_alpha):
        run = ~g["skipped"][i]
        if not run.any():
            continue
        rows = (g["seed"][i][run], g["alpha"][i][run].astype(np.float32),
                g["temperature"][i][run].astype(np.float32))
        name = f"alpha_2^{config.log2_alphas[i]}"
        log_name = f"phase_diagram {name} (group {i + 1}/{num_alpha})"
        out = ctx.stage(name, lambda rows=rows, log_name=log_name: _run_group(
            sweep, rows, lanes, ctx.num_devices, log_name))
        for key, value in out.items():
            if key == "rel_change_layers":
                layers[i][run] = value
            else:
                fields[key][i][run] = value
    _check_lanes(fields, g)
    metrics, arrays = derive(config, g, fields, layers)
    metrics["check_period"] = period
    metrics["parameters"] = fc_network.param_count(spec)
    metrics["data"] = mnist1d_data.data_record(config.n_pool, config.n_test, config.seed_testset)
    return metrics, arrays


def _check_lanes(fields: dict[str, np.ndarray], g: dict[str, np.ndarray]) -> None:
    """Logs diverged lanes; a non-diverged lane with a non-finite result is a bug: raise."""
    status = fields["status"]
    for where, what in ((status == sgd.DIVERGED, "diverged (test error masked as NaN)"),
                        ((status == sgd.CONVERGED) | (status == sgd.CAPPED), None)):
        for idx in zip(*np.nonzero(where), strict=True):
            label = (f"alpha=2^{np.log2(g['alpha'][idx]):g} T=2^{np.log2(g['temperature'][idx]):g}"
                     f" seed={g['seed'][idx]}")
            if what is not None:
                logging.info("phase_diagram: %s %s", label, what)
            elif not (np.isfinite(fields["test_error"][idx])
                      and np.isfinite(fields["rel_change"][idx])):
                raise FloatingPointError(f"phase_diagram: non-finite result at {label} although "
                                         "the run did not diverge")
