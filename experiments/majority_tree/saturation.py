"""Saturation: mixing depth and the clipped predictor of deep majority trees (spec §3.3).

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy", arXiv:2601.17311,
claim C3 [abstract]: saturation is characterized by a mixing depth, and a "conservative clipped
predictor" remains accurate across growth and saturation. The predictor's exact form is unknown;
this experiment uses the reconstruction μ̂_L = sign(μ0)·min(α^L|μ0|, μ*) (α > 1; α^L·μ0
otherwise), p̂_L = 1/2 + μ̂_L/2 = 1/2 + ½·min(N^s μ0, μ*), with mixing depth
L_mix = ln(μ*/|μ0|)/ln α (0 if |μ0| ≥ μ*, +inf if α ≤ 1) and N_mix = b^L_mix [reconstructed].

Run:  python -m experiments.majority_tree.saturation --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process, figures included): smoke ≈ 16 s; cpu
≈ 24 s. The exact part of cpu (grid of 20,160 cells to L = 200 in one vmapped scan, a bound grid
of the same size, 6 table configurations) takes ≈ 10 s; the explicit-tree Monte Carlo S1–S3
(T = 1e4 over 5 seed streams, 2.9e8 leaves, 2 shape groups) a few seconds. paper (γ, ρ step
0.01, L ≤ 400; S1, S2 at L = 12 and S3 at L = 8 with T = 1e5; the cpu grid is recomputed for
the band claim): 18 s on one H200 (jax 0.11.2, 2026-11-26), 4 of 4 claims passed.

Expected outcome: 0 bound violations; the table of §3.3(a) (L_mix ±0.01, max Δp ±5e−4, argmax L
exact); the band table of §3.3(b) on the cpu grid (each Δp value ±0.005; n = 1472, 1308, 1996,
2836, 1396, where the spec lists 1312 and 1992 because float rounding put the four α = 1.3 cells
below the edge); Monte Carlo S1–S3 within z_K of the recursion (K = 25 on cpu) and below the
clipped predictor.

Honest statement (must appear in the report): g is concave and increasing, so g(μ) ≤ αμ and
g(μ*) = μ*; hence |μ_L| ≤ |μ̂_L| for every L when |μ0| ≤ μ*. Under this model the clipped
predictor is an UPPER bound on the bias (optimistic about accuracy); when |μ0| > μ* (strong
leaves) it returns μ*, a LOWER bound, since μ_L decreases toward μ*. Its error concentrates at
the knee, ≈ 0.1 in accuracy and up to 0.22 in the worst grid cell, so "accurate" holds only in a
loose sense. "Conservative" most likely means that it never extrapolates the power law past the
ceiling μ* (a guess). A provably conservative chord bound μ_L ≥ min(a^L μ0, μ̄), a = g(μ̄)/μ̄
for μ̄ < μ*, exists but is loose (max |Δp| 0.2–0.4); it is not implemented.

Conventions (spec §2.2): the common shock copies the *received* (post-channel) message; with the
shock before the channel the gain would be ρf_b(γ) + (1−ρ)γf_b'(0), not the published α_ρ
[reconstructed]. The channel sits on the inputs (children → parent) and the root is not
transmitted [convention]; putting it on outputs gives the same dynamics in ν = γμ. ρ is a
per-node common shock, not a global task-level latent (that choice changes results a lot).
Recursions run in float64 in bias space; Δp is in probability units; regimes: growth
L ≤ L_mix − 3, knee |L − L_mix| < 3, saturated L ≥ L_mix + 3. Band statistics use the cells with
α ≥ 1.1 and μ* > μ0; a cell whose α lies within 1e−9 of a band edge is assigned as in exact
arithmetic (α = 1.3 for b = 3, γ = 1, ρ = 0.4 comes out 1 ulp either side of the edge depending
on fused multiply-adds). The bound check also runs on a second grid of strong and negative
leaves (``bound_mu0``), so that both of its domains (|μ0| ≤ μ* and |μ0| > μ*) are exercised.
Monte Carlo: uint32 bits against host thresholds, level l pools T·b^(L−l) samples, keys
fold_in(key(seed + stream), config id) with the config id = row of the saved Monte Carlo table,
family-wise z_K = Φ⁻¹(1 − 0.0005/K) with K = all levels of all configurations (25 on cpu).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common import config as cfg
from experiments.common.app import Experiment, RunContext, app_main
from experiments.common.config import Config, UsageError
from experiments.common.stats import seed_spread_ratio
from experiments.majority_tree import common
from experiments.majority_tree import saturation_exact as ex
from experiments.majority_tree.mc_binary import simulate_group
from experiments.majority_tree.plots_saturation import FIGURES, plot
from experiments.majority_tree.saturation_claims import make_claims

_TABLE = {"table_fanins": [3, 5, 7, 15, 3, 9], "table_gamma": [0.9, 0.8, 0.7, 0.5, 0.75, 0.95],
          "table_rho": [0.2, 0.3, 0.3, 0.2, 0.0, 0.6],
          "table_mu0": [0.02, 0.02, 0.05, 0.01, 0.02, 0.04], "table_depth": 60}
_GRID = {"grid_fanins": [3, 5, 7, 9, 11, 13, 15], "grid_gamma_min": 0.3, "grid_gamma_max": 1.0,
         "grid_gamma_step": 0.02, "grid_rho_min": 0.0, "grid_rho_max": 0.95,
         "grid_rho_step": 0.05, "grid_mu0": [0.01, 0.02, 0.05, 0.1], "grid_depth": 200}
_COMMON = {"alpha_band_edges": [1.1, 1.2, 1.3, 1.5, 2.0, 3.2],
           "mc_gamma": [1.0, 0.9, 0.9], "mc_rho": [0.0, 0.2, 0.0], "mc_mu0": [0.1, 0.2, 0.1],
           "mc_fanins": [3, 3, 5], **_TABLE}
# The band claim is checked on this grid in every non-smoke profile (spec §5).
CHECK_GRID = dict(_GRID)

PROFILES = {
    "smoke": {**_COMMON, **_GRID, "grid_fanins": [3], "grid_gamma_step": 0.1,
              "grid_rho_step": 0.25, "grid_mu0": [0.02], "grid_depth": 60,
              "bound_mu0": [-0.9, 0.5], "grid_batch": 32,
              "mc_fanins": [3], "mc_gamma": [1.0], "mc_rho": [0.0], "mc_mu0": [0.1],
              "mc_depths": [4], "mc_trials": 500, "seed_streams": 1, "mc_chunk_elems": 2**15,
              "config_batch": 16},
    "cpu": {**_COMMON, **_GRID, "bound_mu0": [-0.9, -0.2, 0.5, 0.95], "grid_batch": 8192,
            "mc_depths": [8, 8, 6], "mc_trials": 10_000, "seed_streams": 5,
            "mc_chunk_elems": 2**15, "config_batch": 16},
    "paper": {**_COMMON, **_GRID, "grid_gamma_step": 0.01, "grid_rho_step": 0.01,
              "grid_depth": 400, "bound_mu0": [-0.9, -0.2, 0.5, 0.95], "grid_batch": 65536,
              "mc_depths": [12, 12, 8], "mc_trials": 100_000, "seed_streams": 5,
              "mc_chunk_elems": 2**24, "config_batch": 16},
}
MC_MAX_LEAVES = 2**26  # b^L per tree; one tree must fit a chunk's bit array


def _grid_step(value: Any) -> str | None:
    v = float(value)
    if 0.001 <= v <= 1.0 and abs(v * 1000 - round(v * 1000)) < 1e-6:
        return None
    return "allowed: numbers > 0 in [0.001, 1] with at most 3 decimals"


CHECKS = {
    "grid_fanins": common.FANINS, "grid_gamma_min": common.FIDELITY,
    "grid_gamma_max": common.FIDELITY, "grid_gamma_step": _grid_step,
    "grid_rho_min": common.CORRELATION, "grid_rho_max": common.CORRELATION,
    "grid_rho_step": _grid_step, "grid_mu0": cfg.each(common.BIAS),
    "bound_mu0": cfg.each(common.BIAS), "grid_depth": common.DEPTH,
    "grid_batch": cfg.int_at_least(1), "alpha_band_edges": cfg.each(cfg.positive(), min_len=2),
    "table_fanins": common.FANINS, "table_gamma": cfg.each(common.FIDELITY),
    "table_rho": cfg.each(common.CORRELATION), "table_mu0": cfg.each(common.BIAS),
    "table_depth": common.DEPTH, "mc_fanins": common.FANINS,
    "mc_gamma": cfg.each(common.FIDELITY), "mc_rho": cfg.each(common.CORRELATION),
    "mc_mu0": cfg.each(common.BIAS), "mc_depths": cfg.each(common.DEPTH),
    "mc_trials": common.TRIALS, "seed_streams": common.SEED_STREAM_COUNT,
    "mc_chunk_elems": common.CHUNK_ELEMS, "config_batch": common.CONFIG_BATCH,
}


def _check_consistency(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    for prefix, fields in (("table", ("fanins", "gamma", "rho", "mu0")),
                           ("mc", ("fanins", "gamma", "rho", "mu0", "depths"))):
        lengths = {f: len(config[f"{prefix}_{f}"]) for f in fields}
        odd = [f for f in fields if lengths[f] != lengths["fanins"]]
        if odd:
            raise UsageError(f"{prefix}_{odd[0]}", config[f"{prefix}_{odd[0]}"],
                             f"allowed: one value per {prefix}_fanins entry "
                             f"({lengths['fanins']}); lengths {lengths}")
    for axis in ("gamma", "rho"):
        if config[f"grid_{axis}_min"] > config[f"grid_{axis}_max"]:
            raise UsageError(f"grid_{axis}_min", config[f"grid_{axis}_min"],
                             f"allowed: at most grid_{axis}_max={config[f'grid_{axis}_max']}")
    edges = config.alpha_band_edges
    if any(hi <= lo for lo, hi in zip(edges[:-1], edges[1:], strict=True)):
        raise UsageError("alpha_band_edges", edges, "allowed: strictly increasing numbers")
    for b, depth in zip(config.mc_fanins, config.mc_depths, strict=True):
        if b**depth > MC_MAX_LEAVES:
            raise UsageError("mc_depths", config.mc_depths,
                             f"allowed: b^L <= 2^26 leaves per tree (b={b}, L={depth})")


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
    from theory import majority_tree as mt

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
        st = common.level_stats(counts.sum(axis=0), trials, b, depth, exact)
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
    _check_consistency(config)
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
    z_k = common.z_threshold(num_estimates)
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


EXPERIMENT = Experiment(
    name="majority_tree/saturation",
    description="Mixing depth and the clipped predictor min(α^L μ0, μ*) of deep majority trees.",
    profiles=PROFILES, checks=CHECKS, compute=compute, make_claims=make_claims, plot=plot,
    figures=FIGURES, x64=True, source_packages=common.SOURCE_PACKAGES)

if __name__ == "__main__":
    app_main(EXPERIMENT)
