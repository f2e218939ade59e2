"""Phase diagram of majority trees: the α_ρ = 1 boundary, deep-tree accuracy, fixed point.

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy" (arXiv:2601.17311),
§4, "Theorem 4" of third-party summaries [summary]: one scalar α_ρ = γ[ρ + (1−ρ)f_b'(0)] decides
whether a weak signal is amplified to a nontrivial fixed point μ* (α_ρ > 1) or washed out to
chance (α_ρ ≤ 1). The summaries call the transition Kesten–Stigum-type; the boundary tested here
is the noisy-recursive-majority threshold, stricter than Kesten–Stigum and equal to the
Evans–Schulman threshold at ρ = 0 [classical].

Conventions: the common shock copies the *received* (post-channel) message [reconstructed: it
reproduces the published α_ρ]; the channel sits on the inputs and the root is not transmitted
[convention]; ρ is a per-node shock, not a global latent.

Command:  python -m experiments.majority_tree.phase_diagram --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process): smoke ≈ 22 s, cpu ≈ 63 s (Monte Carlo grid
A, 3.2e9 leaves at ≈ 1.5e8 leaves/s, deep trees 5.9e8 leaves, five ≈ 3 s compilations, the
exact grid and five figures); paper ≈ 10–20 min on one GPU (untested estimate: no GPU here).
Expected: 0 misclassified cells; |γ_emp − γ_c| within one grid step; μ_400 = μ* to 1e−4;
explicit trees agree with the exact recursion at every level (max |z| ≤ z_K); the Monte Carlo
growth exponent of D1 equals s = log_3 1.26 = 0.2104 within 0.01.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from experiments.common import config as cfg
from experiments.common.app import Experiment, RunContext, app_main
from experiments.common.config import Config, UsageError
from experiments.majority_tree import common, phase_exact, phase_mc
from experiments.majority_tree.phase_claims import make_claims
from experiments.majority_tree.plots_phase_diagram import FIGURES, plot
from theory import majority_tree as mt

_EXACT_CPU = dict(
    exact_fanins=[3, 5, 7, 9, 11, 13, 15], gamma_min_pct=30, gamma_max_pct=100, gamma_step_pct=1,
    rho_max_pct=95, rho_step_pct=1, mu0s=[0.02, 0.1], saved_depths=[6, 8, 10, 30],
    deep_limit_depth=400, critical_max_depth=10_000, near_critical_points=9,
)
_DEEP_ALL = ["D1", "D2", "D3", "D4", "D5", "D6"]
PROFILES = {
    "smoke": dict(
        _EXACT_CPU, exact_fanins=[3, 5], gamma_step_pct=10, rho_max_pct=75, rho_step_pct=25,
        saved_depths=[6, 10], deep_limit_depth=50, critical_max_depth=1000,
        near_critical_points=3, mc_fanins=[3], mc_depths=[3], mc_trials=[500], mc_rhos=[0.0],
        mc_alphas=[0.85, 1.2], mc_p0s=[0.55, 0.45], deep_ids=["D2", "D5"], deep_depth=4,
        deep_trials=200, seed_streams=1, mc_chunk_elems=2**15, config_batch=16),
    "cpu": dict(
        _EXACT_CPU, mc_fanins=[3, 5, 7, 9], mc_depths=[7, 5, 4, 3],
        mc_trials=[20_000, 20_000, 20_000, 60_000], mc_rhos=[0.0, 0.4],
        mc_alphas=[0.85, 0.95, 1.05, 1.2], mc_p0s=[0.55, 0.45], deep_ids=_DEEP_ALL, deep_depth=9,
        deep_trials=5000, seed_streams=5, mc_chunk_elems=2**15, config_batch=16),
    "paper": dict(
        _EXACT_CPU, saved_depths=[6, 8, 10, 30, 100], mc_fanins=[3, 5, 7, 9, 11, 13, 15],
        mc_depths=[11, 7, 6, 5, 5, 4, 4], mc_trials=[100_000] * 7, mc_rhos=[0.0, 0.2, 0.4, 0.6],
        mc_alphas=[0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.4], mc_p0s=[0.45, 0.51, 0.55],
        deep_ids=_DEEP_ALL, deep_depth=13, deep_trials=20_000, seed_streams=5,
        mc_chunk_elems=2**24, config_batch=16),
}
_PERCENT = cfg.each(cfg.int_at_least(1))
CHECKS = {
    "exact_fanins": common.FANINS, "gamma_min_pct": cfg.int_at_least(1),
    "gamma_max_pct": cfg.int_at_least(1), "gamma_step_pct": cfg.int_at_least(1),
    "rho_max_pct": cfg.int_at_least(0), "rho_step_pct": cfg.int_at_least(1),
    "mu0s": cfg.each(cfg.float_in(0.0, 1.0, lo_open=True)),
    "saved_depths": cfg.each(common.DEPTH), "deep_limit_depth": cfg.int_at_least(41),
    "critical_max_depth": cfg.int_at_least(100), "near_critical_points": cfg.int_at_least(2),
    "mc_fanins": common.FANINS, "mc_depths": cfg.each(common.DEPTH),
    "mc_trials": cfg.each(common.TRIALS), "mc_rhos": cfg.each(common.CORRELATION),
    "mc_alphas": cfg.each(cfg.positive()), "mc_p0s": common.PROBABILITIES,
    "deep_ids": cfg.each(cfg.one_of(*phase_mc.DEEP_CONFIGS)), "deep_depth": common.DEPTH,
    "deep_trials": common.TRIALS, "seed_streams": common.SEED_STREAM_COUNT,
    "mc_chunk_elems": common.CHUNK_ELEMS, "config_batch": common.CONFIG_BATCH,
}


def validate(config: Config) -> None:
    """Checks across fields: equal list lengths and sensible grid bounds."""
    for name in ("mc_depths", "mc_trials"):
        if len(config[name]) != len(config.mc_fanins):
            raise UsageError(name, config[name],
                             f"allowed: one value per --mc_fanins entry ({len(config.mc_fanins)})")
    if not config.gamma_min_pct <= config.gamma_max_pct <= 100:
        raise UsageError("gamma_max_pct", config.gamma_max_pct,
                         f"allowed: integers in [gamma_min_pct={config.gamma_min_pct}, 100]")
    if config.rho_max_pct > 99:
        raise UsageError("rho_max_pct", config.rho_max_pct, "allowed: integers in [0, 99]")


def check_grid(config: Config) -> None:
    """Grid bounds that the theory must judge (JAX): checked at the start of ``compute``, after
    ``--devices`` has configured JAX, not in ``validate`` (which runs before)."""
    axes = phase_exact.grid_axes(config)
    b, gamma, rho = np.meshgrid(axes["b"], axes["gamma"], axes["rho"], indexing="ij")
    with jax.enable_x64(True):
        alpha = np.asarray(mt.alpha_rho(gamma, rho, b))
        mu_star = np.asarray(mt.fixed_point(gamma, rho, b))
    if not (alpha <= 0.95).any():  # the geometric-decay and deep-limit checks need such cells
        raise UsageError("gamma_min_pct", config.gamma_min_pct,
                         "allowed: values that give the exact grid a decaying cell (α_ρ ≤ 0.95)")
    if not mu_star.max() > max(config.mu0s):  # the boundary check needs amplification per μ0
        raise UsageError("gamma_max_pct", config.gamma_max_pct,
                         "allowed: values that give the exact grid a cell amplifying every "
                         f"--mu0s value (μ* > {max(config.mu0s):g})")


def _rows_to_json(table: dict[str, np.ndarray], rows: list[dict[str, Any]],
                  names: list[str] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows):
        entry = {k: table[k][i].item() for k in ("b", "depth", "rho", "gamma", "p0", "alpha",
                                                  "config_id")}
        entry.update({k: row[k] for k in ("trials", "p_hat", "se", "exact", "z")})
        if "seed_spread_ratio" in row:
            entry["seed_spread_ratio"] = row["seed_spread_ratio"]
        if names is not None:
            entry["id"] = names[i]
        out.append(entry)
    return out


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    check_grid(config)
    grid = ctx.stage("exact_grid", lambda: phase_exact.exact_grid(config))
    decay = ctx.stage("critical_decay", lambda: phase_exact.critical_decay(config))
    table_a = phase_mc.grid_a_table(config)
    deep = phase_mc.deep_table(config, first_id=len(table_a["b"]))
    sim_a = ctx.stage("mc_grid_a", lambda: phase_mc.simulate_table(table_a, config,
                                                                    ctx.num_devices))
    sim_d = ctx.stage("mc_deep", lambda: phase_mc.simulate_table(deep, config, ctx.num_devices))
    rows_a, rows_d = phase_mc.row_stats(table_a, sim_a), phase_mc.row_stats(deep, sim_d)
    for rows, table in ((rows_a, table_a), (rows_d, deep)):
        for i, row in enumerate(rows):
            if not np.all(np.isfinite(row["p_hat"])):
                raise FloatingPointError(f"non-finite Monte Carlo estimate in configuration "
                                         f"{table['config_id'][i]} (b={table['b'][i]})")
    growth_id = "D1" if "D1" in config.deep_ids else config.deep_ids[0]
    growth_row = rows_d[list(config.deep_ids).index(growth_id)]
    deep_exact_30 = np.asarray(mt.iterate(deep["p0"], deep["gamma"], deep["rho"],
                                          phase_mc.DEEP_FANIN, max(30, config.deep_depth)))
    d5_limit = {}
    if "D5" in config.deep_ids:
        p0, gamma, rho = phase_mc.DEEP_CONFIGS["D5"]
        d5_limit = {"p_deep": float(mt.iterate(p0, gamma, rho, 3, 400)[-1]),
                    "p_infinity": float((1.0 - mt.fixed_point(gamma, rho, 3)) / 2.0)}
    boundary = phase_exact.boundary_stats(config, grid)
    fixed = phase_exact.fixed_point_checks(config, grid)
    arrays = {
        "p_L": (1.0 + grid["mu"][:, :, [list(grid["depths"]).index(d)
                                        for d in config.saved_depths]]) / 2.0,
        "alpha": grid["alpha"], "mu_star": grid["mu_star"], "gamma_c": grid["gamma_c"],
        "gamma_emp": boundary.pop("gamma_emp"), "deep_exact": deep_exact_30,
        "critical_levels": decay["series_levels"], "critical_mu": decay["series_mu"],
        "critical_ratio": decay["series_ratio"],
        **{name: fixed.pop(name) for name in ("near_critical_excess", "near_critical_mu_star",
                                              "near_critical_constant")},
    }
    metrics = {
        "slopes": phase_exact.slope_checks(config.exact_fanins),
        "critical_curves": phase_exact.critical_curves(config.exact_fanins),
        "boundary": boundary,
        "limits": phase_exact.limit_stats(config, grid),
        "critical_decay": {"ratio_min": float(decay["ratio_min"]),
                           "ratio_max": float(decay["ratio_max"])},
        "fixed_point": fixed,
        "grid_a": _rows_to_json(table_a, rows_a),
        "deep": _rows_to_json(deep, rows_d, list(config.deep_ids)),
        "growth": {"id": growth_id, **phase_mc.growth_exponent(growth_row, phase_mc.DEEP_FANIN),
                   "s": float(mt.organization_exponent(*phase_mc.DEEP_CONFIGS[growth_id][1:],
                                                       phase_mc.DEEP_FANIN))},
        "d5_deep_limit": d5_limit,
    }
    return metrics, arrays


EXPERIMENT = Experiment(
    name="majority_tree/phase_diagram",
    description="α_ρ = 1 boundary, deep-tree accuracy and fixed point of majority trees.",
    profiles=PROFILES, checks=CHECKS, compute=compute, make_claims=make_claims, plot=plot,
    figures=FIGURES, x64=True, source_packages=common.SOURCE_PACKAGES, validate=validate,
)

if __name__ == "__main__":
    app_main(EXPERIMENT)
