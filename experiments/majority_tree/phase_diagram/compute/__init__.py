"""The computation of ``phase_diagram``: the exact grid and critical decay, the Monte Carlo of
grid A and the deep trees (each a resumable stage), and the metrics made from them.

``exact`` holds the deterministic float64 recursions, ``monte_carlo`` the explicit-tree tables
and their simulation; ``experiments.majority_tree.phase_diagram.metrics`` the numbers read off
the raw results.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config, UsageError
from experiments.majority_tree.phase_diagram.compute import exact, monte_carlo
from experiments.majority_tree.phase_diagram.metrics import grid_axes, growth_interval, mc_checks
from theory import majority_tree as mt


def check_grid(config: Config) -> None:
    """Grid bounds that the theory must judge (JAX): checked at the start of ``compute``, after
    ``--devices`` has configured JAX, not in ``validate`` (which runs before)."""
    axes = grid_axes(config)
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
    grid = ctx.stage("exact_grid", lambda: exact.exact_grid(config))
    decay = ctx.stage("critical_decay", lambda: exact.critical_decay(config))
    table_a = monte_carlo.grid_a_table(config)
    deep = monte_carlo.deep_table(config, first_id=len(table_a["b"]))
    sim_a = ctx.stage("mc_grid_a", lambda: monte_carlo.simulate_table(table_a, config,
                                                                    ctx.num_devices))
    sim_d = ctx.stage("mc_deep", lambda: monte_carlo.simulate_table(deep, config, ctx.num_devices))
    rows_a, rows_d = monte_carlo.row_stats(table_a, sim_a), monte_carlo.row_stats(deep, sim_d)
    for rows, table in ((rows_a, table_a), (rows_d, deep)):
        for i, row in enumerate(rows):
            if not np.all(np.isfinite(row["p_hat"])):
                raise FloatingPointError(f"non-finite Monte Carlo estimate in configuration "
                                         f"{table['config_id'][i]} (b={table['b'][i]})")
    growth_id = "D1" if "D1" in config.deep_ids else config.deep_ids[0]
    growth_row = rows_d[list(config.deep_ids).index(growth_id)]
    growth = monte_carlo.growth_exponent(growth_row, monte_carlo.DEEP_FANIN)
    deep_exact_30 = np.asarray(mt.iterate(deep["p0"], deep["gamma"], deep["rho"],
                                          monte_carlo.DEEP_FANIN, max(30, config.deep_depth)))
    d5_limit = {}
    if "D5" in config.deep_ids:
        p0, gamma, rho = monte_carlo.DEEP_CONFIGS["D5"]
        d5_limit = {"p_deep": float(mt.iterate(p0, gamma, rho, 3, 400)[-1]),
                    "p_infinity": float((1.0 - mt.fixed_point(gamma, rho, 3)) / 2.0)}
    boundary = exact.boundary_stats(config, grid)
    fixed = exact.fixed_point_checks(config, grid)
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
        "slopes": exact.slope_checks(config.exact_fanins),
        "critical_curves": exact.critical_curves(config.exact_fanins),
        "boundary": boundary,
        "limits": exact.limit_stats(config, grid),
        "critical_decay": {"ratio_min": float(decay["ratio_min"]),
                           "ratio_max": float(decay["ratio_max"])},
        "fixed_point": fixed,
        "grid_a": _rows_to_json(table_a, rows_a),
        "deep": _rows_to_json(deep, rows_d, list(config.deep_ids)),
        "growth": {"id": growth_id, **growth,
                   "s": float(mt.organization_exponent(*monte_carlo.DEEP_CONFIGS[growth_id][1:],
                                                       monte_carlo.DEEP_FANIN)),
                   "interval": growth_interval(growth["slope"], growth["slope_se"])},
        "d5_deep_limit": d5_limit,
    }
    metrics["mc_checks"] = mc_checks(metrics["grid_a"], metrics["deep"], d5_limit)
    arrays.update(theory_curves(config, deep, deep_exact_30.shape[-1]))
    return metrics, arrays


def theory_curves(config: Config, deep: dict[str, np.ndarray], levels: int,
                  ) -> dict[str, np.ndarray]:
    """Theory lines the figures draw: the b = 3 closed-form μ* at ρ = 0 along the γ axis (when
    b = 3 is on the grid), and per deep row the geometric decay α^l·μ0 and the critical decay
    (2Cl + μ0^(−2))^(−1/2) over levels 0…``levels`` − 1."""
    axes = grid_axes(config)
    out = {}
    if 3 in list(axes["b"]):
        out["b3_closed_form_rho0"] = np.asarray(mt.fixed_point_b3(axes["gamma"], 0.0))
    level = np.arange(levels)
    geometric, critical = [], []
    for i in range(len(deep["b"])):
        alpha, mu0 = deep["alpha"][i].item(), 2 * deep["p0"][i].item() - 1
        c = float(mt.near_critical_constant(deep["gamma"][i].item(), deep["rho"][i].item(),
                                            deep["b"][i].item()))
        geometric.append(alpha**level * mu0)
        critical.append((2 * c * level + mu0**-2) ** -0.5)
    out["deep_geometric_decay"] = np.asarray(geometric).reshape(-1, levels)
    out["deep_critical_decay"] = np.asarray(critical).reshape(-1, levels)
    return out
