"""Numbers of ``phase_diagram`` read off the results, shared by its computation, claims and
figures: the exact grid's axes, the (b, ρ) pairs of the near-critical scan, and the Monte Carlo
checks (agreement with the exact recursion, sign rule, wrong-answer symmetry, D5) that the claims
judge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.majority_tree.shared.statistics import is_critical, z_threshold

NEAR_CRITICAL_PAIRS = ((3, 0.0), (3, 0.3), (5, 0.2), (7, 0.5), (15, 0.8))


def grid_axes(config: Any) -> dict[str, np.ndarray]:
    """Grid axes built from integers, so γ = i/100 and ρ = j/100 are exact decimals."""
    gammas = np.arange(config.gamma_min_pct, config.gamma_max_pct + 1, config.gamma_step_pct)
    rhos = np.arange(0, config.rho_max_pct + 1, config.rho_step_pct)
    return {"b": np.asarray(config.exact_fanins, np.int64), "mu0": np.asarray(config.mu0s),
            "gamma": gammas / 100.0, "rho": rhos / 100.0}


def sign_rule(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Cells whose theory separation |p_L − p0| is ≥ 5 root SE: does p̂_L move the α way?"""
    checked, agree, skipped_strong = 0, 0, 0
    for row in rows:
        alpha, p0 = row["alpha"], row["p0"]
        if is_critical(alpha) or p0 == 0.5:
            continue
        exact_root, se_root = row["exact"][-1], row["se"][-1]
        if abs(exact_root - p0) < 5.0 * se_root:
            continue
        predicted = np.sign(alpha - 1.0) * np.sign(p0 - 0.5)
        if alpha > 1 and np.sign(exact_root - p0) != predicted:
            skipped_strong += 1  # |μ0| > μ*: leaves already above the ceiling
            continue
        checked += 1
        agree += int(np.sign(row["p_hat"][-1] - p0) == predicted)
    return {"cells": checked, "agree": agree, "skipped_strong_leaves": skipped_strong}


def agreement(rows: list[dict[str, Any]]) -> dict[str, Any]:
    z = np.concatenate([np.asarray(r["z"]) for r in rows]) if rows else np.zeros(0)
    root_z = np.asarray([r["z"][-1] for r in rows])
    gap = max((np.max(np.abs(np.asarray(r["p_hat"]) - np.asarray(r["exact"]))) for r in rows),
              default=0.0)
    k = max(len(z), 1)
    return {"K": int(len(z)), "z_K": z_threshold(k),
            "max_abs_z": float(np.abs(z).max()) if len(z) else 0.0,
            "root_mean_z2": float(np.mean(root_z**2)) if len(root_z) else 0.0,
            "max_abs_gap": float(gap), "roots": int(len(root_z))}


def wrong_answer(grid_a: list[dict[str, Any]], deep: list[dict[str, Any]],
                 d5_limit: dict[str, float]) -> dict[str, Any]:
    """Odd symmetry p_L(1−p0) = 1 − p_L(p0): exactly and as Monte Carlo pair sums over grid A;
    the D5 root (leaves below chance) with its 95 % interval and its deep limit."""
    by_key = {(r["b"], r["rho"], r["alpha"], r["p0"]): r for r in grid_a}
    exact_sym, pair_z = 0.0, []
    for (b, rho, alpha, p0), row in by_key.items():
        twin = by_key.get((b, rho, alpha, round(1.0 - p0, 12)))
        if p0 < 0.5 and twin is not None:
            exact_sym = max(exact_sym, abs(row["exact"][-1] + twin["exact"][-1] - 1.0))
            se = np.hypot(row["se"][-1], twin["se"][-1])
            pair_z.append((row["p_hat"][-1] + twin["p_hat"][-1] - 1.0) / se)
    out: dict[str, Any] = {"exact_symmetry_error": exact_sym,
                           "max_abs_pair_z": float(np.max(np.abs(pair_z), initial=0.0)),
                           "pairs": len(pair_z), "pair_z_K": z_threshold(max(len(pair_z), 1)),
                           "d5": {}}
    d5 = next((r for r in deep if r["id"] == "D5"), None)
    if d5 is not None:
        p_hat, se = d5["p_hat"][-1], d5["se"][-1]
        out["d5"] = {"p_hat": p_hat, "se": se, "exact": d5["exact"][-1],
                     "interval": [p_hat - 1.96 * se, p_hat + 1.96 * se],
                     "max_abs_z": float(np.max(np.abs(d5["z"]))),
                     "z_K": z_threshold(len(d5["z"])),
                     "p_infinity": d5_limit["p_infinity"],
                     "deep_limit_error": abs(d5_limit["p_deep"] - d5_limit["p_infinity"])}
    return out


def mc_checks(grid_a: list[dict[str, Any]], deep: list[dict[str, Any]],
              d5_limit: dict[str, float]) -> dict[str, Any]:
    """Every Monte Carlo statistic the claims judge: grid A's agreement and sign rule, the same
    for b ≥ 11 with the deep trees (empty when the run has no such cell), wrong-answer checks."""
    big_rows = [r for r in grid_a if r["b"] >= 11]
    big = big_rows + deep
    return {"agreement": agreement(grid_a), "sign_rule": sign_rule(grid_a),
            "all_fanins": {"agreement": agreement(big), "sign_rule": sign_rule(big)}
            if big_rows else {},
            "wrong_answer": wrong_answer(grid_a, deep, d5_limit)}


def growth_interval(slope: float, slope_se: float) -> list[float]:
    """95 % interval of the WLS growth exponent: ±1.96 SE."""
    half = 1.96 * slope_se
    return [slope - half, slope + half]
