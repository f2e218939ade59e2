"""Numbers of ``touchpoints`` read off the exact model: star against tree under one window (A),
the error amplification A_e against γ and its sign rule (B), and the gain against p0 with its
zero crossing and maximum (C).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.config import Config
from experiments.majority_tree.shared.statistics import is_critical


def _monotone_decreasing(x: np.ndarray) -> bool:
    return bool(np.all(np.diff(x) < 0))


def saturation_metrics(config: Config, sat: dict[str, np.ndarray]) -> dict[str, Any]:
    n_window = config.window_tokens // config.message_tokens
    star_n = sat["star_n"]
    cap_n = int(star_n[star_n <= n_window].max())  # largest odd N ≤ ⌊W/m⌋ (≤ B_MAX = 31)
    depth = config.saturation_depth
    claim_depth = min(4, depth)  # the spec's headline tree depth
    b = int(sat["b"])
    mu_star = float(sat["mu_star"])
    return {
        "W": config.window_tokens, "m": config.message_tokens, "n_window": n_window,
        "b": b, "gamma": float(sat["gamma"]), "q": float(sat["q"]), "rho": config.saturation_rho,
        "p0": config.saturation_p0, "alpha": float(sat["alpha"]), "mu_star": mu_star,
        "p_star": 0.5 + 0.5 * mu_star, "ceiling": float(sat["ceiling"]),
        "star_n": star_n, "star_p": sat["star_p"], "star_feasible": star_n <= n_window,
        "star_cap_n": cap_n, "star_cap_truncated": n_window > int(star_n.max()),
        "star_at_cap": float(sat["star_p"][star_n == cap_n][0]),
        "tree_depths": np.arange(depth + 1), "tree_leaves": float(b) ** np.arange(depth + 1),
        "tree_p": sat["tree_p"], "tree_claim_depth": claim_depth,
        "star_p_brute": sat["star_p_brute"], "tree_p_brute": sat["tree_p_brute"],
        "tree_at_claim_depth": float(sat["tree_p"][claim_depth]),
        "max_abs_brute_diff": float(max(np.abs(sat["star_p"] - sat["star_p_brute"]).max(),
                                        np.abs(sat["tree_p"] - sat["tree_p_brute"]).max())),
    }


def cascade_metrics(config: Config, cas: dict[str, np.ndarray]) -> dict[str, Any]:
    mu0 = 2.0 * config.cascade_p0 - 1.0
    alpha, mu_star, a_e = cas["alpha"], cas["mu_star"], cas["A_e"]
    # A_e > 1 iff α ≤ 1 or μ0 > μ* (for μ0 > 0; critical cells are left out of the rule).
    predicted = (alpha <= 1.0) | (mu0 > mu_star)
    ruled = ~is_critical(alpha) & (mu0 > 0)
    order = np.argsort(cas["gammas"])
    return {
        "b": config.cascade_b, "rho": config.cascade_rho, "p0": config.cascade_p0,
        "mu0": mu0, "depth": config.cascade_depth, "gammas": cas["gammas"], "alpha": alpha,
        "mu_star": mu_star, "A_e": a_e, "p_L": cas["trajectories"][:, -1],
        "A_e_brute": (1.0 - cas["trajectories_brute"][:, -1]) / (1.0 - config.cascade_p0),
        "gamma_c": float(cas["gamma_c"]),
        "decreasing": _monotone_decreasing(a_e[order]) and len(set(cas["gammas"])) == len(order),
        "rule_checked": int(ruled.sum()),
        "rule_violations": int((ruled & ((a_e > 1.0) != predicted)).sum()),
        "max_abs_brute_diff": float(np.abs(cas["trajectories"]
                                           - cas["trajectories_brute"]).max()),
    }


def grid_crossing(p0: np.ndarray, gain: np.ndarray) -> float:
    """Where the gain changes sign from + to ≤ 0 on the grid, by linear interpolation."""
    positive = gain > 0
    if not positive.any():
        return 0.5
    i = int(np.flatnonzero(positive)[-1])
    if i == len(p0) - 1:
        return float(p0[-1])
    return float(p0[i] + gain[i] * (p0[i + 1] - p0[i]) / (gain[i] - gain[i + 1]))


def baseline_metrics(config: Config, base: dict[str, np.ndarray]) -> dict[str, Any]:
    p0, gain = base["p0"], base["gain"]
    p_star = 0.5 + 0.5 * base["mu_star"]
    # Sign pattern: gain > 0 below p*, < 0 above; points within 1e−9 of p* are left out.
    away = np.abs(p0[None, :] - p_star[:, None]) > 1e-9
    wrong = away & ((gain > 0) != (p0[None, :] < p_star[:, None]))
    wrong |= away & (gain == 0)
    best = np.argmax(gain, axis=1)
    return {
        "b": config.baseline_b, "gamma": config.baseline_gamma, "depth": config.baseline_depth,
        "rhos": base["rhos"], "p0_step": config.p0_step, "grid_points": len(p0),
        "alpha": base["alpha"], "mu_star": base["mu_star"], "p_star": p_star,
        "argmax": base["argmax"], "max_gain": base["max_gain"],
        "grid_p_star": [grid_crossing(p0, g) for g in gain],
        "grid_argmax": p0[best], "grid_max_gain": gain[np.arange(len(best)), best],
        "sign_violations": wrong.sum(axis=1),
    }
