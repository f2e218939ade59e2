"""Exact (float64 recursion) parts of the phase-diagram experiment, spec §3.1 (a)–(f).

Everything here is deterministic: the full (b, γ, ρ, μ0) grid iterated in bias space in one
vmapped ``lax.scan``, the empirical α_ρ = 1 boundary, the deep limit, geometric and critical
decay, and the fixed point (bisection) against its b = 3 closed form, its near-critical scaling
and the reference table A.3 of the spec.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.majority_tree.phase_diagram.metrics import NEAR_CRITICAL_PAIRS, grid_axes
from experiments.majority_tree.shared.statistics import is_critical
from theory import majority_tree as mt

# Spec Appendix A.1: f_b'(0) = b·C(b−1,(b−1)/2)/2^(b−1), exact decimals (check targets).
SPEC_MAJORITY_SLOPE = {3: 1.5, 5: 1.875, 7: 2.1875, 9: 2.4609375, 11: 2.70703125,
                       13: 2.9326171875, 15: 3.14208984375}
# Spec Appendix A.3: (b, γ) -> μ* at ρ = 0, 0.2, 0.5, 0.8 (None: α ≤ 1), 4 decimals.
SPEC_FIXED_POINTS = {
    (3, 0.7): (0.5399, None, None, None), (3, 0.8): (0.8839, 0.7655, None, None),
    (3, 0.9): (0.9799, 0.9443, 0.8282, None), (5, 0.6): (0.6991, 0.3058, None, None),
    (5, 0.7): (0.9111, 0.7800, 0.1711, None), (5, 0.8): (0.9783, 0.9154, 0.7217, None),
    (5, 0.9): (0.9975, 0.9712, 0.8946, 0.5868), (7, 0.7): (0.9689, 0.8744, 0.5840, None),
    (9, 0.8): (0.9982, 0.9484, 0.8154, 0.3268), (15, 0.6): (0.9907, 0.8884, 0.6247, None),
    (15, 0.8): (0.9999, 0.9522, 0.8312, 0.5000), (15, 0.9): (1.0000, 0.9756, 0.9091, 0.7113),
}
SPEC_FIXED_POINT_RHOS = (0.0, 0.2, 0.5, 0.8)
CRITICAL_FANINS = (3, 5, 7, 9, 15)
CRITICAL_RHOS = (0.0, 0.3, 0.6, 0.9)


def exact_grid(config: Any) -> dict[str, np.ndarray]:
    """μ_L on the whole grid [b, μ0, γ, ρ]: saved depths, L = 40, 41 and the deep limit."""
    axes = grid_axes(config)
    b, mu0, gamma, rho = np.meshgrid(axes["b"], axes["mu0"], axes["gamma"], axes["rho"],
                                     indexing="ij")
    deep = config.deep_limit_depth
    keep = sorted({*config.saved_depths, 40, 41, deep})
    trajectory = mt.iterate_bias(mu0, gamma, rho, b, max(deep, 41))
    mu_saved = np.asarray(trajectory[..., np.asarray(keep)])
    del trajectory
    alpha = np.asarray(mt.alpha_rho(gamma[:, 0], rho[:, 0], b[:, 0]))  # [b, γ, ρ]
    mu_star = np.asarray(mt.fixed_point(gamma[:, 0], rho[:, 0], b[:, 0]))
    return {"depths": np.asarray(keep), "mu": np.moveaxis(mu_saved, -1, 2),  # [b, μ0, L, γ, ρ]
            "alpha": alpha, "mu_star": mu_star,
            "gamma_c": np.asarray(mt.critical_gamma(axes["rho"][None, :],
                                                    axes["b"][:, None]))}


def boundary_stats(config: Any, grid: dict[str, np.ndarray]) -> dict[str, Any]:
    """Sign rule of §3.1(b) on every cell, and the empirical boundary γ_emp(ρ)."""
    axes = grid_axes(config)
    depths = list(grid["depths"])
    mu0 = axes["mu0"][None, :, None, None]
    alpha, mu_star = grid["alpha"][:, None], grid["mu_star"][:, None]  # [b, 1, γ, ρ]
    critical = np.broadcast_to(is_critical(alpha), (len(axes["b"]), len(axes["mu0"]),
                                                    len(axes["gamma"]), len(axes["rho"])))
    per_depth = {}
    for depth in config.saved_depths:
        amplifies = grid["mu"][:, :, depths.index(depth)] > mu0
        wrong_up = amplifies & (alpha <= 1.0) & ~critical
        wrong_down = ~amplifies & (mu_star > mu0) & ~critical
        per_depth[depth] = (amplifies, (wrong_up | wrong_down).sum(axis=(2, 3)))
    amplifies, misclassified = per_depth[10 if 10 in per_depth else config.saved_depths[-1]]
    # Smallest grid γ that amplifies, per (b, μ0, ρ); NaN where none does.
    first = np.argmax(amplifies, axis=2)
    gamma_emp = np.where(amplifies.any(axis=2), axes["gamma"][first], np.nan)
    gap = np.abs(gamma_emp - grid["gamma_c"][:, None, :])
    same_across_depths = all(np.array_equal(a, amplifies) for a, _ in per_depth.values())
    return {
        "gamma_emp": gamma_emp,
        "misclassified": sum(int(m.sum()) for _, m in per_depth.values()),
        "misclassified_per_b_mu0": misclassified,
        "critical_cells_per_b_mu0": critical.sum(axis=(2, 3)),
        "max_gap_per_b_mu0": np.nanmax(gap, axis=2),
        "max_gap_per_mu0": np.nanmax(gap, axis=(0, 2)),
        "columns_without_amplification": int(np.isnan(gamma_emp).sum()),
        "classification_independent_of_depth": same_across_depths,
    }


def limit_stats(config: Any, grid: dict[str, np.ndarray]) -> dict[str, float]:
    """Deep limit |μ_deep − μ*| (|α − 1| ≥ 0.02) and geometric decay μ_41/μ_40 vs α (α ≤ 0.95)."""
    depths = list(grid["depths"])
    alpha = grid["alpha"][:, None]
    mu_deep = grid["mu"][:, :, depths.index(config.deep_limit_depth)]
    far = np.broadcast_to(np.abs(alpha - 1.0) >= 0.02, mu_deep.shape)
    deep_error = np.abs(mu_deep - grid["mu_star"][:, None])[far]
    mu0_index = int(np.argmin(np.abs(np.asarray(config.mu0s) - 0.1)))
    mu40 = grid["mu"][:, mu0_index, depths.index(40)]  # [b, γ, ρ]
    mu41 = grid["mu"][:, mu0_index, depths.index(41)]
    decaying = grid["alpha"] <= 0.95
    ratio = mu41[decaying] / mu40[decaying]
    return {"deep_limit_max_error": float(deep_error.max()),
            "deep_limit_cells": int(far.sum()),
            "geometric_decay_max_rel_error": float(np.abs(ratio / grid["alpha"][decaying] - 1.0)
                                                   .max()),
            "geometric_decay_cells": int(decaying.sum())}


def critical_curves(fanins: list[int]) -> dict[str, Any]:
    """γ_c(ρ) for ρ = 0, 0.1, …, 0.9 and ρ_c(γ) for γ = 0.8, 0.9, 1.0 (spec A.2)."""
    b = np.asarray(fanins)[:, None]
    return {"gamma_c_table": np.asarray(mt.critical_gamma(np.arange(10)[None, :] / 10.0, b)),
            "rho_c_table": np.asarray(mt.critical_rho(np.asarray([0.8, 0.9, 1.0])[None, :], b))}


def critical_decay(config: Any) -> dict[str, np.ndarray]:
    """At α = 1 exactly: μ_L·sqrt(2CL + μ0^(−2)) for L ∈ [100, L_max], per (b, ρ, μ0)."""
    b, rho, mu0 = np.meshgrid(np.asarray(CRITICAL_FANINS), np.asarray(CRITICAL_RHOS),
                              np.asarray(config.mu0s), indexing="ij")
    gamma = np.asarray(mt.critical_gamma(rho, b))
    depth = config.critical_max_depth
    mu = np.asarray(mt.iterate_bias(mu0, gamma, rho, b, depth))
    levels = np.arange(depth + 1)
    c = np.asarray(mt.near_critical_constant(gamma, rho, b))[..., None]
    ratio = mu * np.sqrt(2.0 * c * levels + mu0[..., None] ** -2.0)
    window = levels >= min(100, depth)
    shown = np.unique(np.round(np.geomspace(1, depth, 100)).astype(int))
    return {"ratio_min": ratio[..., window].min(), "ratio_max": ratio[..., window].max(),
            "series_levels": shown, "series_mu": mu[..., shown],
            "series_ratio": ratio[..., shown], "alpha": np.asarray(mt.alpha_rho(gamma, rho, b))}


def fixed_point_checks(config: Any, grid: dict[str, np.ndarray]) -> dict[str, Any]:
    """b = 3 closed form, near-critical scaling, and the spec's table A.3."""
    axes = grid_axes(config)
    out: dict[str, Any] = {}
    if 3 in list(axes["b"]):
        i3 = list(axes["b"]).index(3)
        closed = np.asarray(mt.fixed_point_b3(axes["gamma"][:, None], axes["rho"][None, :]))
        out["b3_closed_form_max_error"] = float(np.abs(closed - grid["mu_star"][i3]).max())
    examples = [(0.8, 0.0), (0.9, 0.3), (0.95, 0.5)]
    out["b3_examples"] = {f"gamma={g},rho={r}": float(mt.fixed_point_b3(g, r))
                          for g, r in examples}
    out["b3_examples_bisection"] = {f"gamma={g},rho={r}": float(mt.fixed_point(g, r, 3))
                                    for g, r in examples}
    excess = np.geomspace(1e-4, 1e-2, config.near_critical_points)
    b = np.asarray([p[0] for p in NEAR_CRITICAL_PAIRS])[:, None]
    rho = np.asarray([p[1] for p in NEAR_CRITICAL_PAIRS])[:, None]
    gamma = (1.0 + excess[None, :]) / (rho + (1.0 - rho) * np.asarray(mt.majority_slope(b)))
    mu_star = np.asarray(mt.fixed_point(gamma, rho, b))
    alpha_excess = np.asarray(mt.alpha_rho(gamma, rho, b)) - 1.0
    c = np.asarray(mt.near_critical_constant(gamma, rho, b))
    slopes = [float(np.polyfit(np.log(alpha_excess[i]), np.log(mu_star[i]), 1)[0])
              for i in range(len(NEAR_CRITICAL_PAIRS))]
    out.update(near_critical_excess=excess, near_critical_mu_star=mu_star,
               near_critical_constant=c, near_critical_slopes=slopes,
               near_critical_ratio_at_smallest=(c * mu_star**2 / alpha_excess)[:, 0])
    keys = list(SPEC_FIXED_POINTS)
    kb = np.asarray([k[0] for k in keys])[:, None]
    kg = np.asarray([k[1] for k in keys])[:, None]
    kr = np.asarray(SPEC_FIXED_POINT_RHOS)[None, :]
    table = np.asarray(mt.fixed_point(kg, kr, kb))
    table_alpha = np.asarray(mt.alpha_rho(kg, kr, kb))
    reference = np.asarray([[np.nan if v is None else v for v in SPEC_FIXED_POINTS[k]]
                            for k in keys])
    supercritical = ~np.isnan(reference)
    out["a3_table"] = {f"b={k[0]},gamma={k[1]}": [float(v) for v in row]
                       for k, row in zip(keys, table, strict=True)}
    out["a3_alpha"] = {f"b={k[0]},gamma={k[1]}": [float(v) for v in row]
                       for k, row in zip(keys, table_alpha, strict=True)}
    out["a3_max_error"] = float(np.abs(table - reference)[supercritical].max())
    out["a3_subcritical_all_zero"] = bool(np.all(table[~supercritical] == 0.0))
    return out


def slope_checks(fanins: list[int]) -> dict[str, Any]:
    """f_b'(0): closed form, autodiff of f_b at 0, spec A.1; Evans–Schulman identity."""
    b = np.asarray(fanins)
    autodiff = [float(jax.grad(lambda mu, bb=bb: mt.majority_bias(mu, bb))(jnp.float64(0.0)))
                for bb in fanins]
    closed = np.asarray(mt.majority_slope(b))
    es_from_gamma = (1.0 - np.asarray(mt.critical_gamma(0.0, b))) / 2.0
    es_formula = np.asarray(mt.critical_flip_prob(b))
    return {
        "majority_slope": closed, "majority_slope_autodiff": np.asarray(autodiff),
        "majority_slope_spec_error": float(max(abs(closed[i] - SPEC_MAJORITY_SLOPE[int(bb)])
                                               for i, bb in enumerate(b)
                                               if int(bb) in SPEC_MAJORITY_SLOPE)),
        "majority_slope_autodiff_error": float(np.abs(closed - np.asarray(autodiff)).max()),
        "evans_schulman_from_gamma_c": es_from_gamma, "evans_schulman_formula": es_formula,
        "evans_schulman_max_error": float(np.abs(es_from_gamma - es_formula).max()),
        "critical_flip_prob_b3": float(mt.critical_flip_prob(3)),
        "kesten_stigum_gamma": 1.0 / np.sqrt(b),
        "gamma_c_rho0": np.asarray(mt.critical_gamma(0.0, b)),
    }
