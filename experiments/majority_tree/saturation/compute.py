"""The computation of ``saturation``: the exact grids (profile grid, bound grid and the spec's
cpu check grid), the reference table and the Monte Carlo of explicit trees, each a resumable
stage, and the metrics made from them (spec §3.3).

The exact recursion and its per-cell statistics are in ``saturation.model``; the explicit trees
are the pillar's binary engine (``shared.binary_monte_carlo``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.stats import seed_spread_ratio
from experiments.majority_tree.saturation import model as ex
from experiments.majority_tree.shared.binary_monte_carlo import simulate_group
from experiments.majority_tree.shared.statistics import level_stats, z_threshold
from theory import majority_tree as mt

GRID = {"grid_fanins": [3, 5, 7, 9, 11, 13, 15], "grid_gamma_min": 0.3, "grid_gamma_max": 1.0,
         "grid_gamma_step": 0.02, "grid_rho_min": 0.0, "grid_rho_max": 0.95,
         "grid_rho_step": 0.05, "grid_mu0": [0.01, 0.02, 0.05, 0.1], "grid_depth": 200}
# The band claim is checked on this grid in every non-smoke profile (spec §5).
CHECK_GRID = dict(GRID)


def _grid(config: dict[str, Any]) -> dict[str, np.ndarray]:
    return ex.grid_cells(
        config["grid_fanins"],
        ex.decimal_grid(config["grid_gamma_min"], config["grid_gamma_max"],
                        config["grid_gamma_step"]),
        ex.decimal_grid(config["grid_rho_min"], config["grid_rho_max"], config["grid_rho_step"]),
        config["grid_mu0"])


def _grid_stage(config: dict[str, Any], mu0s: list[float], batch: int, num_devices: int,
                name: str) -> dict[str, np.ndarray]:
    cells = _grid({**config, "grid_mu0": mu0s})
    stats = ex.evaluate_cells(cells, depth=config["grid_depth"], batch=batch,
                              num_devices=num_devices, name=name)
    return ex.summarize(stats, cells, config["alpha_band_edges"][0])


def _table_stage(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    cells = {"b": np.asarray(config.table_fanins, np.int64),
             "gamma": np.asarray(config.table_gamma, np.float64),
             "rho": np.asarray(config.table_rho, np.float64),
             "mu0": np.asarray(config.table_mu0, np.float64)}
    stats = ex.evaluate_cells(cells, depth=config.table_depth, batch=len(cells["b"]),
                              num_devices=1, name="table", curves=True)
    keys = ("alpha", "mstar", "lmix", "max_dp", "argmax_level", "far_dp", "growth_rel", "mu",
            "clip", *ex.VIOLATION_KEYS)
    return {**cells, **{k: stats[k] for k in keys}}


def _mc_stage(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    shapes = list(zip(config.mc_fanins, config.mc_depths, strict=True))
    out = {}
    for b, depth in dict.fromkeys(shapes):  # one compiled shape group per (b, L)
        ids = [i for i, shape in enumerate(shapes) if shape == (b, depth)]
        result = simulate_group(
            [(1.0 + config.mc_mu0[i]) / 2.0 for i in ids], [config.mc_gamma[i] for i in ids],
            [config.mc_rho[i] for i in ids], ids, b=b, depth=depth, trials=config.mc_trials,
            streams=config.seed_streams, seed=config.seed, chunk_elems=config.mc_chunk_elems,
            config_batch=config.config_batch, num_devices=num_devices)
        for j, i in enumerate(ids):
            out[f"mc{i}_counts"] = result["counts"][j]
            out[f"mc{i}_trials_per_stream"] = result["trials_per_stream"]
    return out


def _mc_rows(config: Config, mc: dict[str, np.ndarray]) -> tuple[list[dict], dict]:
    rows, arrays = [], {}
    for i, (b, gamma, rho, mu0, depth) in enumerate(zip(
            config.mc_fanins, config.mc_gamma, config.mc_rho, config.mc_mu0, config.mc_depths,
            strict=True)):
        counts = np.asarray(mc[f"mc{i}_counts"])  # [stream, level]
        per_stream = int(mc[f"mc{i}_trials_per_stream"])
        streams, trials = counts.shape[0], counts.shape[0] * per_stream
        levels = np.arange(depth + 1)
        exact = np.asarray(mt.iterate((1.0 + mu0) / 2.0, gamma, rho, b, depth))
        clip = 0.5 + 0.5 * np.asarray(mt.clipped_bias(mu0, gamma, rho, b, levels))
        st = level_stats(counts.sum(axis=0), trials, b, depth, exact)
        if not np.all(np.isfinite(st["p_hat"])):
            raise FloatingPointError(f"Monte Carlo S{i + 1} (b={b}, L={depth}) is not finite")
        # A zero SE (every trial agreed) gives no excess: divide by infinity, not by zero.
        excess = np.sign(mu0) * (st["p_hat"] - clip) / np.where(st["se"] > 0, st["se"], np.inf)
        dp = np.abs(clip - exact)
        per_seed = counts / (per_stream * np.int64(b) ** (depth - levels))
        spread = (seed_spread_ratio(per_seed, np.where(st["se"] > 0, st["se"], np.inf))
                  if streams > 1 else np.zeros(depth + 1))
        rows.append({
            "id": f"S{i + 1}", "config_id": i, "b": b, "gamma": gamma, "rho": rho, "mu0": mu0,
            "depth": depth, "trials": trials, "trials_per_stream": per_stream,
            "alpha": float(mt.alpha_rho(gamma, rho, b)),
            "mu_star": float(mt.fixed_point(gamma, rho, b)),
            "lmix": float(mt.mixing_depth(mu0, gamma, rho, b)),
            "max_dp": float(dp.max()), "argmax_level": int(dp.argmax()),
            "p_exact": exact, "p_clip": clip, "p_hat": st["p_hat"], "se": st["se"],
            "z": st["z"], "clip_excess_z": excess,
            "seed_spread_ratio": spread if streams > 1 else "n/a (one seed stream)"})
        arrays |= {f"mc{i}_{k}": np.asarray(v) for k, v in
                   (("p_exact", exact), ("p_clip", clip), ("p_hat", st["p_hat"]),
                    ("se", st["se"]), ("z", st["z"]))}
    return rows, arrays


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Exact grids, the reference table and the Monte Carlo, then the metrics."""
    batch, devices = config.grid_batch, ctx.num_devices
    grid = ctx.stage("grid", lambda: _grid_stage(config, config.grid_mu0, batch, devices,
                                                 "exact grid"))
    bound = ctx.stage("bound_grid", lambda: _grid_stage(config, config.bound_mu0, batch, devices,
                                                        "bound grid"))
    on_check_grid = all(config[k] == v for k, v in CHECK_GRID.items())
    if ctx.profile == "smoke" or on_check_grid:
        check = grid
    else:  # the band claim is always checked on the spec's cpu grid
        check_config = {**config, **CHECK_GRID}
        check = ctx.stage("check_grid", lambda: _grid_stage(
            check_config, CHECK_GRID["grid_mu0"], 8192, devices, "cpu check grid"))
    table = ctx.stage("table", lambda: _table_stage(config, devices))
    mc = ctx.stage("monte_carlo", lambda: _mc_stage(config, devices))
    mc_rows, mc_arrays = _mc_rows(config, mc)
    num_estimates = sum(d + 1 for d in config.mc_depths)
    z_k = z_threshold(num_estimates)
    edges = config.alpha_band_edges
    violations = ex.violation_summary(grid, bound, table)
    if check is not grid:
        violations = ex.violation_summary(grid, bound, table, check)
    metrics = {
        "table": [{"b": int(table["b"][i]), "gamma": float(table["gamma"][i]),
                   "rho": float(table["rho"][i]), "mu0": float(table["mu0"][i]),
                   "alpha": table["alpha"][i], "mu_star": table["mstar"][i],
                   "lmix": table["lmix"][i], "n_mix": float(table["b"][i]) ** table["lmix"][i],
                   "max_dp": table["max_dp"][i], "argmax_level": table["argmax_level"][i],
                   "far_dp": table["far_dp"][i], "growth_rel": table["growth_rel"][i]}
                  for i in range(len(table["b"]))],
        "grid": {"cells": grid["num_cells"], "depth": config.grid_depth,
                 "bands": ex.band_stats(grid, edges)},
        "check_grid": {"cells": check["num_cells"],
                       "depth": config.grid_depth if check is grid else CHECK_GRID["grid_depth"],
                       "is_profile_grid": check is grid, "bands": ex.band_stats(check, edges)},
        "bound_violations": violations,
        "monte_carlo": {"rows": mc_rows, "num_estimates": num_estimates, "z_k": z_k,
                        "max_abs_z": max(float(np.abs(r["z"]).max()) for r in mc_rows),
                        "max_clip_excess_z": max(float(r["clip_excess_z"].max())
                                                 for r in mc_rows)},
    }
    arrays = {f"table_{k}": np.asarray(table[k]) for k in
              ("b", "gamma", "rho", "mu0", "alpha", "mstar", "lmix")}
    arrays |= {"table_p_exact": 0.5 + 0.5 * table["mu"],
               "table_p_clip": 0.5 + 0.5 * table["clip"]}
    arrays |= {f"grid_{k}": v for k, v in grid.items()} | mc_arrays
    return metrics, arrays
