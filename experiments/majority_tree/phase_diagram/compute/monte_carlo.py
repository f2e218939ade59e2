"""Monte Carlo parts of the phase-diagram experiment, spec §3.1 (g) grid A and (h) deep trees.

Explicit trees (channel, received-message shock, majority) are simulated by the pillar's
``shared.binary_monte_carlo`` in one ``jit(vmap)`` per (b, L) shape group, in ``seed_streams``
independent seed streams whose trials are pooled. Each configuration's key is
fold_in(key(seed + stream), config_id), where config_id is its row in the configuration table
saved with the results.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.stats import seed_spread_ratio
from experiments.majority_tree.shared import binary_monte_carlo as mc_binary
from experiments.majority_tree.shared.statistics import level_stats
from theory import majority_tree as mt

# Spec §3.1(h): deep trajectories at b = 3 (p0, γ, ρ); α = 1.4γ here.
DEEP_CONFIGS = {
    "D1": (0.51, 0.9, 0.2), "D2": (0.55, 0.9, 0.2), "D3": (0.55, 1 / 1.4, 0.2),
    "D4": (0.55, 0.9 / 1.4, 0.2), "D5": (0.45, 0.9, 0.2), "D6": (0.70, 0.9 / 1.4, 0.2),
}
DEEP_FANIN = 3


def grid_a_table(config: Any) -> dict[str, np.ndarray]:
    """Grid A rows (b, L, T, ρ, α target, γ, p0); γ = α/(ρ + (1−ρ)f_b'(0)), rows with γ > 1
    dropped. The row index is the configuration id."""
    rows = []
    for b, depth, trials in zip(config.mc_fanins, config.mc_depths, config.mc_trials,
                                strict=True):
        slope = float(mt.majority_slope(b))
        for rho in config.mc_rhos:
            for alpha in config.mc_alphas:
                gamma = alpha / (rho + (1.0 - rho) * slope)
                if gamma > 1.0:
                    continue
                for p0 in config.mc_p0s:
                    rows.append((b, depth, trials, rho, alpha, gamma, p0))
    table = np.asarray(rows, np.float64).reshape(-1, 7)
    names = ("b", "depth", "trials", "rho", "alpha_target", "gamma", "p0")
    out = {name: table[:, i] for i, name in enumerate(names)}
    for name in ("b", "depth", "trials"):
        out[name] = out[name].astype(np.int64)
    out["alpha"] = np.asarray(mt.alpha_rho(out["gamma"], out["rho"], out["b"]))
    out["config_id"] = np.arange(len(table), dtype=np.int64)
    return out


def deep_table(config: Any, first_id: int) -> dict[str, np.ndarray]:
    ids = list(config.deep_ids)
    values = np.asarray([DEEP_CONFIGS[i] for i in ids], np.float64).reshape(-1, 3)
    n = len(ids)
    return {"p0": values[:, 0], "gamma": values[:, 1], "rho": values[:, 2],
            "b": np.full(n, DEEP_FANIN, np.int64), "depth": np.full(n, config.deep_depth),
            "trials": np.full(n, config.deep_trials, np.int64),
            "config_id": first_id + np.arange(n, dtype=np.int64),
            "alpha": np.asarray(mt.alpha_rho(values[:, 1], values[:, 2], DEEP_FANIN))}


def simulate_table(table: dict[str, np.ndarray], config: Any, num_devices: int,
                   ) -> dict[str, np.ndarray]:
    """Monte Carlo of every row, one compiled sweep per (b, L, T) group.

    Returns pooled correct-node ``counts`` [row, level] (padded with −1 past a row's depth),
    ``trials_total`` [row] and the root accuracy per seed stream ``root_per_stream`` [row, stream].
    """
    n_rows, max_depth = len(table["b"]), int(table["depth"].max())
    counts = np.full((n_rows, max_depth + 1), -1, np.int64)
    trials_total = np.zeros(n_rows, np.int64)
    root_per_stream = np.zeros((n_rows, config.seed_streams))
    groups = sorted({(int(b), int(d), int(t)) for b, d, t in
                     zip(table["b"], table["depth"], table["trials"], strict=True)})
    for b, depth, trials in groups:
        index = np.flatnonzero((table["b"] == b) & (table["depth"] == depth)
                               & (table["trials"] == trials))
        result = mc_binary.simulate_group(
            table["p0"][index], table["gamma"][index], table["rho"][index],
            table["config_id"][index], b=b, depth=depth, trials=trials,
            streams=config.seed_streams, seed=config.seed, chunk_elems=config.mc_chunk_elems,
            config_batch=config.config_batch, num_devices=num_devices)
        per_stream = int(result["trials_per_stream"])
        counts[index, :depth + 1] = result["counts"].sum(axis=1)
        trials_total[index] = per_stream * config.seed_streams
        root_per_stream[index] = result["counts"][:, :, -1] / per_stream
    return {"counts": counts, "trials_total": trials_total, "root_per_stream": root_per_stream}


def row_stats(table: dict[str, np.ndarray], sim: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per row: p̂_l, SE, exact p_l and z at every level, and the across-seed spread ratio."""
    rows = []
    for i in range(len(table["b"])):
        b, depth, trials = int(table["b"][i]), int(table["depth"][i]), int(sim["trials_total"][i])
        exact = np.asarray(mt.iterate(table["p0"][i], table["gamma"][i], table["rho"][i], b,
                                      depth))
        stats = level_stats(sim["counts"][i, :depth + 1], trials, b, depth, exact)
        row = {**stats, "exact": exact, "trials": trials}
        if sim["root_per_stream"].shape[1] > 1:
            row["seed_spread_ratio"] = float(seed_spread_ratio(
                sim["root_per_stream"][i][:, None], stats["se"][-1:])[0])
        rows.append(row)
    return rows


def growth_exponent(row: dict[str, np.ndarray], b: int) -> dict[str, float]:
    """WLS slope of ln μ̂_l on l·ln b (weights (μ̂_l/SE_μ,l)², SE_μ = 2·SE_p), spec §3.1(h).

    Levels with μ̂_l ≤ 0 are left out and counted.
    """
    mu_hat = 2.0 * row["p_hat"] - 1.0
    se_mu = 2.0 * row["se_hat"]
    keep = mu_hat > 0
    x = np.arange(len(mu_hat))[keep] * np.log(b)
    y = np.log(mu_hat[keep])
    w = (mu_hat[keep] / se_mu[keep]) ** 2
    design = np.stack([np.ones_like(x), x], axis=1)
    normal = design.T @ (w[:, None] * design)
    coef = np.linalg.solve(normal, design.T @ (w * y))
    cov = np.linalg.inv(normal)
    exact_mu = 2.0 * row["exact"] - 1.0
    exact_slope = np.polyfit(np.arange(len(exact_mu)) * np.log(b), np.log(exact_mu), 1)[0]
    return {"slope": float(coef[1]), "slope_se": float(np.sqrt(cov[1, 1])),
            "excluded_levels": int((~keep).sum()), "exact_level_slope": float(exact_slope)}
