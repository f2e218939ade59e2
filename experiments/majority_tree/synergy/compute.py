"""The stages of the ``synergy`` experiment (spec §3.2) and the metrics made from them.

Each stage returns flat numpy arrays (saved to arrays.npz and cached as a resumable stage);
``summarize`` turns them into metrics.json. Grids are built from integers (spec §2.5): budgets
are B_k = 10^(k/P) for integer k, so decades such as B = 1e8 lie exactly on the grid.
Conventions: see the docstring of ``experiments.majority_tree.synergy``.
``compute`` is the experiment's computation (after its cross-field checks).
"""

from __future__ import annotations

import jax
import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config, UsageError
from experiments.majority_tree.shared.statistics import CRITICAL_TOLERANCE
from experiments.majority_tree.synergy import model as sm
from theory import majority_tree as mt

_EXAMPLES_PER_MU0 = 3  # exponent-fit example trajectories drawn per μ0 (spec §6 figure 6: six)
_EXAMPLE_EXTRA_LEVELS = 6  # levels shown past L_mix, so the bend into saturation is visible


def budget_grid(config: Config) -> np.ndarray:
    ppd = config.budget_points_per_decade
    k = np.arange(config.budget_decade_min * ppd, config.budget_decade_max * ppd + 1)
    return 10.0 ** (k / ppd)


def budget_index(config: Config, decade: int) -> int:
    return (decade - config.budget_decade_min) * config.budget_points_per_decade


def _flat_grid(*axes) -> list[np.ndarray]:
    return [a.ravel() for a in np.meshgrid(*axes, indexing="ij")]


@jax.jit
def _fit_theory(mu0, gamma, rho, b) -> dict[str, jax.Array]:
    # One compiled bundle: on a shared CPU each eager theory call costs a compilation.
    return {"alpha": mt.alpha_rho(gamma, rho, b), "mstar": mt.fixed_point(gamma, rho, b),
            "l_mix": mt.mixing_depth(mu0, gamma, rho, b),
            "s": mt.organization_exponent(gamma, rho, b)}


@jax.jit
def _config_theory(m, gamma, rho, b) -> dict[str, jax.Array]:
    return {"alpha": mt.alpha_rho(gamma, rho, b), "s": mt.organization_exponent(gamma, rho, b),
            "c0": mt.comm_overhead(m, b)}


@jax.jit
def _budget_theory(beta, s, c0) -> dict[str, jax.Array]:
    return {"x_star": mt.optimal_leaf_compute(beta, s, c0),
            "B_th": mt.budget_threshold(beta, s, c0)}


def _numpy(tree: dict) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in tree.items()}


def _fit_cells(config: Config) -> tuple[list[np.ndarray], dict[str, np.ndarray], np.ndarray,
                                         np.ndarray]:
    """The fit grid (μ0, b, γ, ρ), its theory values, last fitted level and qualifying mask."""
    grid = _flat_grid(np.asarray(config.fit_mu0s, np.float64),
                      np.asarray(config.fit_fanins, np.int64),
                      np.asarray(config.fit_gammas, np.float64),
                      np.asarray(config.fit_rhos, np.float64))
    mu0, b, gamma, rho = grid
    th = _numpy(_fit_theory(mu0, gamma, rho, b))
    last = np.floor(np.where(np.isfinite(th["l_mix"]), th["l_mix"], 0.0) - config.fit_margin)
    keep = ((th["alpha"] >= config.fit_alpha_min) & (th["mstar"] > mu0)
            & (last >= config.fit_min_levels))
    return grid, th, last, keep


def fit_grid_qualifies(config: Config) -> bool:
    """Whether some cell of the fit grid can be fitted (float64, as in the run)."""
    with jax.enable_x64(True):
        return bool(_fit_cells(config)[3].any())


def exponent_fit_stage(config: Config) -> dict[str, np.ndarray]:
    """OLS slope ŝ of ln μ_L on L·ln b over L = 0…⌊L_mix − margin⌋ (spec §3.2a)."""
    (mu0, b, gamma, rho), th, last, keep = _fit_cells(config)
    if not keep.any():
        raise ValueError("exponent fit: no cell of the grid qualifies (α ≥ fit_alpha_min, "
                         "μ* > μ0, ⌊L_mix − fit_margin⌋ ≥ fit_min_levels)")
    mu0, b, gamma, rho = mu0[keep], b[keep], gamma[keep], rho[keep]
    s, l_mix, last = th["s"][keep], th["l_mix"][keep], last[keep].astype(np.int64)
    # Example cells: the 35 %, 65 % and 95 % quantiles of s per μ0 (the smallest s need ~150
    # levels, which would squash the other examples in the figure).
    examples = []
    for value in config.fit_mu0s:
        rows = np.flatnonzero(mu0 == value)
        rows = rows[np.argsort(s[rows], kind="stable")]
        if rows.size:
            picks = np.round(np.linspace(0.35, 0.95, _EXAMPLES_PER_MU0) * (rows.size - 1))
            examples.extend(dict.fromkeys(rows[picks.astype(int)].tolist()))
    examples = np.asarray(examples, np.int64)
    ex_levels = np.ceil(l_mix[examples]).astype(np.int64) + _EXAMPLE_EXTRA_LEVELS
    ex_depth = int(ex_levels.max())
    # One trajectory array serves the fit and the examples (one compilation).
    mu = np.asarray(mt.iterate_bias(mu0, gamma, rho, b, max(int(last.max()), ex_depth)))
    s_hat = sm.exponent_fit(mu, b, last)
    bad = np.flatnonzero(~np.isfinite(s_hat))
    if bad.size:
        i = bad[0]
        raise FloatingPointError(f"exponent fit diverged at b={b[i]}, γ={gamma[i]}, ρ={rho[i]}, "
                                 f"μ0={mu0[i]}")
    return {"fit_mu0": mu0, "fit_b": b, "fit_gamma": gamma, "fit_rho": rho, "fit_s": s,
            "fit_s_hat": s_hat, "fit_last_level": last, "fit_l_mix": l_mix,
            "fit_examples": examples, "fit_example_mu": mu[examples, :ex_depth + 1],
            "fit_example_levels": ex_levels}


def _map_configs(config: Config) -> dict[str, np.ndarray]:
    m, b, gamma, rho = _flat_grid(np.asarray(config.map_m, np.float64),
                                  np.asarray(config.map_fanins, np.int64),
                                  np.asarray(config.map_gammas, np.float64),
                                  np.asarray(config.map_rhos, np.float64))
    th = _numpy(_config_theory(m, gamma, rho, b))
    keep = th["alpha"] > 1.0 + CRITICAL_TOLERANCE  # amplifying configurations only
    return {"map_m": m[keep], "map_b": b[keep], "map_gamma": gamma[keep], "map_rho": rho[keep],
            "map_alpha": th["alpha"][keep], "map_s": th["s"][keep], "map_c0": th["c0"][keep]}


def synergy_map_stage(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    """Best tree vs single agent on (configuration, β, B), onset, thresholds, allocation."""
    out = _map_configs(config)
    if out["map_b"].size == 0:
        raise ValueError("synergy map: no configuration of the map grid has α_ρ > 1")
    betas = np.asarray(config.betas, np.float64)
    budgets = budget_grid(config)
    b, s, c0 = out["map_b"], out["map_s"], out["map_c0"]
    tree = sm.best_tree_map(b, out["map_gamma"], out["map_rho"], c0, np.zeros(b.size, bool),
                            betas, budgets, kappa=config.kappa, batch=config.config_batch,
                            num_devices=num_devices)
    bad = np.flatnonzero(~np.isfinite(tree["best"]).all(axis=(1, 2)))
    if bad.size:
        i = bad[0]
        raise FloatingPointError(f"synergy map diverged at b={b[i]}, γ={out['map_gamma'][i]}, "
                                 f"ρ={out['map_rho'][i]}, m={out['map_m'][i]}")
    single = np.asarray(mt.leaf_bias(budgets[None, :], config.kappa, betas[:, None]))  # [β, B]
    win = tree["best"] > single[None]
    onset = sm.onset_index(win)
    s_cell, beta_cell = np.broadcast_arrays(s[:, None], betas[None, :])
    c0_cell = np.broadcast_to(c0[:, None], s_cell.shape)
    closed = _numpy(_budget_theory(beta_cell, s_cell, c0_cell))
    x_star = closed["x_star"]
    x_golden = np.full(s_cell.shape, np.inf)
    grow = s_cell > beta_cell
    x_golden[grow] = sm.golden_section_allocation(
        s_cell[grow], beta_cell[grow], c0_cell[grow], lo=config.golden_lo, hi=config.golden_hi,
        rel_tol=config.golden_rel_tol)
    at = budget_index(config, config.alloc_budget_decade)
    depth_at = tree["depth"][:, :, at].astype(np.int64)
    x_best = budgets[at] / np.asarray(b, np.float64)[:, None] ** depth_at - c0[:, None]
    ratio = tree["best"] / single[None]
    keep = slice(None, None, config.map_save_every)  # saved maps: every k-th budget
    out.update({
        "betas": betas, "budgets": budgets, "single": single,
        "won": win.any(axis=-1), "win_count": win.sum(axis=-1), "win_at_max": win[:, :, -1],
        "win_at_alloc": win[:, :, at], "ratio_at_max": ratio[:, :, -1],
        "map_budgets": budgets[keep], "win_map": win[:, :, keep],
        "ratio_map": ratio[:, :, keep].astype(np.float32), "depth_map": tree["depth"][:, :, keep],
        "best_at_alloc": tree["best"][:, :, at], "onset_index": onset,
        "B_on": np.where(onset >= 0, budgets[np.maximum(onset, 0)], np.inf),
        "B_th": closed["B_th"],
        "x_star": x_star, "x_golden": x_golden, "x_best_at_alloc": x_best,
    })
    return out


def demo_stage(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    """Demo setting under both accountings (spec §3.2d) and the allocation figure's data."""
    betas = np.unique(np.asarray([*config.demo_betas, config.demo_fragile_beta,
                                  *config.alloc_plot_betas], np.float64))
    budgets = budget_grid(config)
    b, gamma, rho = config.demo_fanin, config.demo_gamma, config.demo_rho
    th = _numpy(_config_theory(np.float64(config.demo_m), np.float64(gamma), np.float64(rho),
                               np.int64(b)))
    c0, s = float(th["c0"]), float(th["s"])
    closed = _numpy(_budget_theory(betas, np.full(betas.shape, s), np.full(betas.shape, c0)))
    tree = sm.best_tree_map(np.full(2, b), np.full(2, gamma), np.full(2, rho), np.full(2, c0),
                            np.array([False, True]), betas, budgets, kappa=config.kappa,
                            batch=2, num_devices=num_devices)
    single = np.asarray(mt.leaf_bias(budgets[None, :], config.kappa, betas[:, None]))
    win = tree["best"] > single[None]
    onset = sm.onset_index(win)
    leaves = float(b) ** tree["depth"].astype(np.float64)  # [accounting, β, B]
    x_golden = np.full(betas.shape, np.inf)
    grow = s > betas
    x_golden[grow] = sm.golden_section_allocation(
        np.full(grow.sum(), s), betas[grow], np.full(grow.sum(), c0), lo=config.golden_lo,
        hi=config.golden_hi, rel_tol=config.golden_rel_tol)
    return {
        "demo_betas": betas, "demo_c0": np.float64(c0), "demo_s": np.float64(s),
        "demo_alpha": np.float64(th["alpha"]),
        "demo_best": tree["best"], "demo_depth": tree["depth"], "demo_single": single,
        "demo_win": win, "demo_B_on": np.where(onset >= 0, budgets[np.maximum(onset, 0)], np.inf),
        "demo_x_star": closed["x_star"], "demo_B_th": closed["B_th"],
        "demo_x_golden": x_golden,
        "demo_N_star": np.asarray(mt.optimal_leaf_count(budgets[None, :], betas[:, None], s, c0)),
        "demo_x_best": budgets[None, :] / leaves[0] - c0, "demo_N_best": leaves[0],
    }


def context_window_stage(config: Config) -> dict[str, np.ndarray]:
    """b(m), γ(m), α(m), s(m), c0(m), B_th(m) for m = cw_m_min…⌊W/3⌋ tokens (spec §3.2e)."""
    m = np.arange(config.cw_m_min, config.window // 3 + 1)
    curves = sm.context_window_curves(m, window=config.window, rho=config.cw_rho, m0=config.m0,
                                      family=config.fidelity_family,
                                      fanin_cap=config.cw_fanin_cap, beta=config.cw_beta)
    return {f"cw_{k}": v for k, v in curves.items()}


def _range(values: np.ndarray) -> list[float]:
    return [float(np.min(values)), float(np.max(values))] if values.size else []


def summarize(config: Config, a: dict[str, np.ndarray]) -> dict:
    """metrics.json from the stage arrays (every number the claims and figures use)."""
    return {"exponent_fit": _fit_metrics(config, a), "map": _map_metrics(config, a),
            "allocation": _allocation_metrics(config, a), "demo": _demo_metrics(config, a),
            "context_window": _window_metrics(config, a)}


def _fit_metrics(config: Config, a: dict[str, np.ndarray]) -> list[dict]:
    rows = []
    for mu0 in config.fit_mu0s:
        sel = a["fit_mu0"] == mu0
        err = a["fit_s_hat"][sel] - a["fit_s"][sel]
        rows.append({"mu0": mu0, "cells": int(sel.sum()), "s_range": _range(a["fit_s"][sel]),
                     "max_abs_error": float(np.abs(err).max()) if err.size else 0.0,
                     "max_signed_error": float(err.max()) if err.size else 0.0,
                     "levels_range": _range(a["fit_last_level"][sel] + 1)})
    return rows


def _map_metrics(config: Config, a: dict[str, np.ndarray]) -> dict:
    gap = a["map_s"][:, None] - a["betas"][None, :]
    won = a["won"]
    below, above = gap <= 0.0, gap >= config.synergy_margin
    with np.errstate(invalid="ignore"):  # inf/inf where s ≤ β (never won, never used)
        ratio = a["B_on"] / a["B_th"]
    per_b = {}
    for b in np.unique(a["map_b"]):
        sel = won & (a["map_b"][:, None] == b)
        lo, hi = ratio[sel], 1.03 * b
        per_b[str(int(b))] = {"cells": int(sel.sum()), "onset_over_threshold": _range(lo),
                              "onset_over_threshold_above_margin": _range(ratio[sel & above]),
                              "bracket_violations": int(((lo < 1.0) | (lo > hi)).sum())}
    return {"configs": int(a["map_b"].size), "cells": int(gap.size),
            "cells_s_le_beta": int(below.sum()), "wins_s_le_beta": int(a["win_count"][below].sum()),
            "cells_with_win_s_le_beta": int(won[below].sum()),
            "cells_above_margin": int(above.sum()), "cells_above_margin_won": int(won[above].sum()),
            "cells_won": int(won.sum()), "margin": config.synergy_margin,
            "budget_max": float(a["budgets"][-1]), "onset_by_fanin": per_b}


def _allocation_metrics(config: Config, a: dict[str, np.ndarray]) -> dict:
    grow = np.isfinite(a["x_star"])
    rel = np.abs(a["x_golden"][grow] / a["x_star"][grow] - 1.0)
    gap = a["map_s"][:, None] - a["betas"][None, :]
    at = budget_index(config, config.alloc_budget_decade)
    c0 = a["map_c0"][:, None]
    domain = ((gap >= config.alloc_margin) & a["win_at_alloc"]
              & (a["best_at_alloc"] < config.alloc_max_bias))
    with np.errstate(divide="ignore"):
        log_r = np.log((a["x_best_at_alloc"] + c0) / (a["x_star"] + c0)) / np.log(
            a["map_b"][:, None].astype(np.float64))
    per_b = {str(int(b)): {"cells": int((domain & (a["map_b"][:, None] == b)).sum()),
                           "log_b_r": _range(log_r[domain & (a["map_b"][:, None] == b)])}
             for b in np.unique(a["map_b"])}
    return {"continuous": {"cells": int(grow.sum()),
                           "max_relative_error": float(rel.max()) if rel.size else 0.0,
                           "x_star_range": _range(a["x_star"][grow])},
            "integer": {"budget": float(a["budgets"][at]), "cells": int(domain.sum()),
                        "log_b_r": _range(log_r[domain]), "by_fanin": per_b}}


def _demo_metrics(config: Config, a: dict[str, np.ndarray]) -> dict:
    budgets, betas = a["budgets"], a["demo_betas"]
    at = budget_index(config, config.alloc_budget_decade)
    rows = []
    for i, beta in enumerate(betas):
        best, depth = a["demo_best"][0, i, at], int(a["demo_depth"][0, i, at])
        rows.append({
            "beta": float(beta), "x_star": float(a["demo_x_star"][i]),
            "x_golden": float(a["demo_x_golden"][i]), "B_th": float(a["demo_B_th"][i]),
            "B_on_approx": float(a["demo_B_on"][0, i]), "B_on_exact": float(a["demo_B_on"][1, i]),
            "p_single": 0.5 + 0.5 * float(a["demo_single"][i, at]),
            "best_depth": depth, "p_best_tree": 0.5 + 0.5 * float(best),
            "tree_wins": bool(a["demo_win"][0, i, at]),
            "wins_at_budget_max": bool(a["demo_win"][0, i, -1]),
            "won_budgets": int(a["demo_win"][0, i].sum()),
        })
    ten = int(np.searchsorted(budgets, 1e10)) if budgets[-1] >= 1e10 else budgets.size - 1
    fragile = int(np.flatnonzero(betas == config.demo_fragile_beta)[0])
    win = a["demo_win"][0, fragile]
    return {"fanin": config.demo_fanin, "gamma": config.demo_gamma, "rho": config.demo_rho,
            "m": config.demo_m, "kappa": config.kappa, "alpha": float(a["demo_alpha"]),
            "s": float(a["demo_s"]), "c0": float(a["demo_c0"]), "budget": float(budgets[at]),
            "rows": rows,
            "fragile": {"beta": config.demo_fragile_beta, "gap": float(a["demo_s"]) -
                        config.demo_fragile_beta, "wins_somewhere": bool(win.any()),
                        "late_budget": float(budgets[ten]), "wins_at_late_budget": bool(win[ten]),
                        "won_range": [float(budgets[win][0]), float(budgets[win][-1])]
                        if win.any() else []}}


def _window_metrics(config: Config, a: dict[str, np.ndarray]) -> dict:
    m, alpha, s, b_th = a["cw_m"], a["cw_alpha"], a["cw_s"], a["cw_B_th"]

    def row(i: int) -> dict:
        return {"m": int(m[i]), "W_over_m": int(config.window // m[i]), "b": int(a["cw_b"][i]),
                "gamma": float(a["cw_gamma"][i]), "alpha": float(alpha[i]), "s": float(s[i]),
                "c0": float(a["cw_c0"][i]), "B_th": float(b_th[i])}

    table = [row(int(np.flatnonzero(m == v)[0])) for v in config.cw_table_m if v in set(m.tolist())]
    sup = np.flatnonzero(alpha > 1.0 + CRITICAL_TOLERANCE)
    i_th = int(np.argmin(b_th)) if np.isfinite(b_th).any() else None
    return {"W": config.window, "rho": config.cw_rho, "m0": config.m0,
            "family": config.fidelity_family, "beta": config.cw_beta,
            "m_range": [int(m[0]), int(m[-1])], "table": table,
            "argmax_alpha": row(int(np.argmax(alpha))), "argmax_s": row(int(np.argmax(s))),
            "argmin_B_th": row(i_th) if i_th is not None else {},
            "m_c": int(m[sup[0]]) if sup.size else None,
            "subcritical_count": int(m.size - sup.size), "alpha_at_m_min": float(alpha[0]),
            "fanin_at_m_min": int(a["cw_b"][0])}


def check_fit_grid(config: Config) -> None:
    """The one check that evaluates the theory (JAX): it runs at the start of ``compute``, after
    ``--devices`` has configured JAX, never in ``validate`` (which runs before)."""
    if not fit_grid_qualifies(config):
        raise UsageError("fit_gammas", config.fit_gammas,
                         "allowed: lists giving at least one fit cell (with --fit_fanins, "
                         "--fit_rhos, --fit_mu0s) where α_ρ ≥ --fit_alpha_min, μ* > μ0 and "
                         "⌊L_mix − fit_margin⌋ ≥ --fit_min_levels")


def compute(config: Config, ctx: RunContext) -> tuple[dict, dict[str, np.ndarray]]:
    """Exponent fit, synergy map with allocation, demo setting and context-window curves.

    First ``check_fit_grid`` (a bad fit grid exits with status 2 before any stage runs)."""
    check_fit_grid(config)
    arrays: dict[str, np.ndarray] = {}
    arrays.update(ctx.stage("exponent_fit", lambda: exponent_fit_stage(config)))
    arrays.update(ctx.stage("synergy_map",
                            lambda: synergy_map_stage(config, ctx.num_devices)))
    arrays.update(ctx.stage("demo", lambda: demo_stage(config, ctx.num_devices)))
    arrays.update(ctx.stage("context_window", lambda: context_window_stage(config)))
    for name, value in arrays.items():
        if value.dtype.kind == "f" and np.isnan(value).any():
            raise FloatingPointError(f"synergy: NaN in {name} (first at index "
                                     f"{np.argwhere(np.isnan(value))[0].tolist()})")
    return summarize(config, arrays), arrays
