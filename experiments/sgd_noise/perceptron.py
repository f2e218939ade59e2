"""Perceptron: signal, noise, training time and the GD/noise crossover.

Papers: Sclocchi, Geiger & Wyart, ICML 2023 (arXiv:2301.13703) and its perceptron model; the
authors' APS abstract F02.00003 (δ, γ, b obtained in a perceptron; t* ~ T P^b); Sclocchi & Wyart,
PNAS 2024 (γ = 1/(1+χ)). The hinge perceptron on depleted_sign data is exactly the paper's model
[code]. Claims: perceptron.alpha_T_symmetry, gamma_chi{0,1,3}, b_chi{0,1,3}, b_ordering, delta,
w_perp_value, w_perp_P_independent, tstar_linear_in_T, test_error_exponent,
crossover_temperature, noise_hurts_depleted.

Run:  python -m experiments.sgd_noise.perceptron --profile=cpu
Runtime, idle 2-core machine (whole process): cpu ≈ 4 min (the χ = 0, P = 2048 noise group of
192 lanes is 2.4 min of it); smoke 19 s. paper (B = 2, distinct batches, d = 128, cap 10⁸
steps) is meant for a GPU and was not run.

Protocol (cpu): d = 32, B = 8, T·α ∈ {64, 512, 4096} for the noise cells; χ = 0 at
P ∈ {128, …, 2048} with 64 seeds, whose w1 and t* are set by the training points nearest the
boundary, so their seed means are heavy-tailed (an 8-seed slope scatters by SD 0.054 in γ and
0.13 in b, scripts/perceptron_seed_scatter.py); χ = 1 and 3 with 16 seeds, enough to order b
between χ = 1 and 3 by more than three standard errors.

Expected outcome (cpu): every claim passes. γ and b are effective finite-size values below
their asymptotes 1/(1+χ) and (3+χ)/(1+χ): χ = 0 gives γ ≈ 0.87 and b ≈ 2.5 with local slopes
still rising across the grid (γ 0.84 → 0.89, b 2.3 → 2.6 per doubling of P; a 32-seed run of
the same protocol to P = 4096 gave 0.82–0.99 and 2.2–2.9 per doubling, no visible convergence);
χ = 1: γ ≈ 0.45, b ≈ 1.75; χ = 3: γ ≈ 0.18, b ≈ 1.45. δ ≈ 1; t* ∝ T; ε ∝ 1/P;
‖w⊥‖/(T√d) ≈ 1/(2c_χ) within 0.95–1.1×; T_×·α ≈ 2–3; noise-vs-GD error ratio ≈ 1 (χ = 0) and
6–8 (χ = 3).

Conventions: α-trick with κ = 1/α on y·Δw·x/√d; T = η/B (h = 1), η = T·B; t* = η × steps;
temperatures are given as T·α; batches `replace` (i.i.d. indices) on smoke and cpu, `distinct`
(first B of a permutation, the authors' code) on paper; each seed (replica) draws its own data
pool and runs with P points use its first P points (nested training sets across P); init, data
and batch streams depend on the replica only (paired comparisons across α and T). Lanes are
grouped by (χ, P, noise/crossover) so that GD-like cells never share a group with noise cells.
A group runs as a lane queue (``perceptron_sim.run_queue``): 16 lanes in flight, a stopped lane
hands its slot to the next, with outputs identical to one vmapped while loop (tested), which
would run every lane to the slowest one (at χ = 0 ≈ 3.4x the mean). Capped cells are kept,
marked and excluded from fits and claims.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from absl import logging

from experiments.common import config as cfg
from experiments.common.app import Experiment, RunContext, app_main
from experiments.common.config import Config, UsageError
from experiments.common.sweep import run_sweep
from experiments.sgd_noise import common
from experiments.sgd_noise import perceptron_sim as sim
from experiments.sgd_noise.perceptron_claims import make_claims
from experiments.sgd_noise.perceptron_metrics import derive, seeds_by_chi, sizes_by_chi
from experiments.sgd_noise.perceptron_plots import FIGURES, plot

PROFILES = {
    "smoke": {"dim": 16, "batch": 8, "alpha": 2.0**15, "batch_sampling": "replace",
              "seeds_per_chi": [2], "max_steps": 20_000, "chis": [1.0], "train_sizes": [64, 128],
              "train_sizes_per_chi": [2], "noise_t_alpha": [64.0, 512.0],
              "crossover_t_alpha": [0.125, 8.0], "crossover_sizes": 1, "fit_t_alpha": 512.0},
    "cpu": {"dim": 32, "batch": 8, "alpha": 2.0**15, "batch_sampling": "replace",
            "seeds_per_chi": [64, 16, 16], "max_steps": 2_000_000, "chis": [0.0, 1.0, 3.0],
            "train_sizes": [128, 256, 512, 1024, 2048, 256, 1024, 4096, 1024, 4096, 16384],
            "train_sizes_per_chi": [5, 3, 3], "noise_t_alpha": [64.0, 512.0, 4096.0],
            "crossover_t_alpha": [0.125, 1.0, 8.0], "crossover_sizes": 2, "fit_t_alpha": 512.0},
    "paper": {"dim": 128, "batch": 2, "alpha": 2.0**15, "batch_sampling": "distinct",
              "seeds_per_chi": [5, 5, 5], "max_steps": 100_000_000, "chis": [0.0, 1.0, 3.0],
              "train_sizes": [1024, 2048, 4096, 8192, 16384] * 3,
              "train_sizes_per_chi": [5, 5, 5], "noise_t_alpha": [64.0, 512.0, 4096.0, 32768.0],
              "crossover_t_alpha": [0.125, 0.5, 2.0, 8.0, 32.0], "crossover_sizes": 5,
              "fit_t_alpha": 512.0},
}

CHECKS = {
    "dim": common.DIMENSION, "batch": common.BATCH, "alpha": common.ALPHA,
    "batch_sampling": common.BATCH_SAMPLING, "seeds_per_chi": cfg.each(cfg.int_at_least(2)),
    "max_steps": common.MAX_STEPS, "chis": cfg.each(cfg.non_negative()),
    "train_sizes": common.TRAIN_SIZES, "train_sizes_per_chi": cfg.each(cfg.int_at_least(1)),
    "noise_t_alpha": common.TEMPERATURES, "crossover_t_alpha": common.TEMPERATURES,
    "crossover_sizes": cfg.int_at_least(1), "fit_t_alpha": cfg.positive(),
}
REGIMES = ("noise", "crossover", "symmetry")
# Lanes in flight per device (``perceptron_sim.run_queue``). Measured on 2 cores, χ = 0, 192
# lanes, each call including its compilation: P = 1024: 16 slots 25 s, 32: 36 s, 64: 52 s;
# P = 2048: 16 slots 171 s, 32: 211 s (one vmapped while loop over all 192 lanes at P = 1024:
# 102 s). Slot data beyond the caches (16 × P × d floats is 4 MB at P = 2048) cost time.
QUEUE_SLOTS = 16


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    for field in ("train_sizes_per_chi", "seeds_per_chi"):
        if len(config[field]) != len(config.chis):
            raise UsageError(field, config[field],
                             f"allowed: one count per chis entry ({len(config.chis)})")
    if sum(config.train_sizes_per_chi) != len(config.train_sizes):
        raise UsageError("train_sizes_per_chi", config.train_sizes_per_chi,
                         f"allowed: counts summing to len(train_sizes) = "
                         f"{len(config.train_sizes)}")
    if config.fit_t_alpha not in config.noise_t_alpha:
        raise UsageError("fit_t_alpha", config.fit_t_alpha,
                         "allowed: one of the noise_t_alpha values")
    common.check_batch_below_train(config.batch, config.train_sizes)
    period = max(sim.check_period(p, config.batch) for p in config.train_sizes)
    common.check_cap_above_period(config.max_steps, period)


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
    table["eta"] = common.learning_rate(table["T"], config.batch)  # h = 1
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
    jitted = sim.compiled_queue(config.batch, config.max_steps, config.batch_sampling,
                                QUEUE_SLOTS, num_devices)
    out = run_sweep(None, inputs, batch=lanes // num_devices, num_devices=num_devices,
                    name=name, jitted=jitted)
    by_row = {}
    for k in sim.OUTPUTS:  # padded copies of a lane write the same values as the lane itself
        values = np.zeros(table["chi"].size, np.asarray(out[k]).dtype)
        values[padded] = np.asarray(out[k])
        by_row[k] = values[rows]
    return by_row


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    validate(config)
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
    make_pool = sim.compiled_pool(pool_size, config.dim)
    pools = {}
    for (chi, _), seeds in zip(sizes_by_chi(config), config.seeds_per_chi, strict=True):
        x, y = make_pool(np.full(seeds, config.seed, np.int32), np.arange(seeds, dtype=np.int32),
                         np.full(seeds, chi, np.float32))
        pools[chi] = (np.asarray(x), np.asarray(y))
    outputs = {k: np.zeros(table["chi"].shape, np.float64) for k in sim.OUTPUTS}
    for rows in groups:
        g = int(table["group"][rows[0]])
        part = ctx.stage(f"group_{g:03d}", lambda rows=rows: _simulate_group(
            rows, table, pools, config, lanes[float(table["chi"][rows[0]])], devices))
        for k in sim.OUTPUTS:
            outputs[k][rows] = part[k]
    status = outputs["status"].astype(np.int32)
    bad = np.flatnonzero(status == common.DIVERGED)
    if bad.size:
        raise FloatingPointError("perceptron diverged (non-finite Δw or margin) at " + "; ".join(
            f"chi={table['chi'][i]:g} P={table['P'][i]} T*alpha={table['t_alpha'][i]:g} "
            f"replica={table['replica'][i]}" for i in bad[:5]))
    capped = int(np.sum(status == common.CAPPED))
    if capped:
        logging.warning("perceptron: %d lane(s) hit max_steps = %d (marked capped)", capped,
                        config.max_steps)
    arrays = {**{k: v for k, v in table.items() if k != "group"}, **outputs,
              "status": status, "steps": outputs["steps"].astype(np.int64)}
    return derive(config, arrays)


EXPERIMENT = Experiment(
    name="sgd_noise/perceptron",
    description="Hinge perceptron on depleted_sign data: signal, noise, t*, crossover (ICML 2023).",
    profiles=PROFILES, checks=CHECKS, compute=compute, make_claims=make_claims, plot=plot,
    figures=FIGURES, x64=True, source_packages=common.SOURCE_PACKAGES, validate=validate,
)

if __name__ == "__main__":
    app_main(EXPERIMENT)
