"""Derived quantities of the perceptron experiment (spec §3.1 "Derived quantities").

Per lane: t* = η·steps and the exact population test error ε from
``theory.sgd_noise.perceptron_test_error`` (float64, host). Per cell (χ, P, regime, T·α): seed
means and standard errors over converged lanes, fraction converged, capped count. Fits use seed
means of the raw observables (never means of logs) over converged lanes only; their 95 % intervals
are percentile bootstraps (``scipy.stats.bootstrap``) that resample replica indices jointly
across every cell of a fit (paired: all cells of a replica share its data and batches).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.stats

from experiments.common import results
from experiments.common.config import Config
from experiments.sgd_noise.shared import sgd
from theory import sgd_noise as sn

N_RESAMPLES = 1000
# Claim tolerances the figures draw too, as (cpu and smoke, paper) pairs per χ: the fitted γ and b
# must lie in these bands; the test-error slope within −1 ± EPS_TOL.
GAMMA_TOL = {0: ((0.85, 1.05), (0.92, 1.05)), 1: ((0.38, 0.55), (0.42, 0.55)),
             3: ((0.13, 0.30), (0.17, 0.30))}
B_TOL = {0: ((2.4, 3.15), (2.5, 3.15)), 1: ((1.4, 2.15), (1.5, 2.15)),
         3: ((0.9, 1.65), (1.0, 1.65))}
EPS_TOL = (0.2, 0.15)
Stat = Callable[[np.ndarray], np.ndarray]  # cell means (n_cells, batch) -> statistic (batch,)


def _nanmean(values: np.ndarray, axis: int = -1) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def log_slope(x: np.ndarray) -> Stat:
    """Statistic: OLS slope of log(cell mean) on log x (NaN when a mean is missing)."""
    dx = np.log(np.asarray(x, np.float64))
    dx = dx - dx.mean()

    def stat(means: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            ly = np.log(means)
        return dx @ (ly - ly.mean(axis=0)) / (dx @ dx)

    return stat


def bootstrap(stat: Stat, per_seed: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Point value and 95 % paired percentile bootstrap of ``stat`` over replicas.

    ``per_seed`` is (n_cells, S) with NaN for lanes that did not converge.
    """
    per_seed = np.asarray(per_seed, np.float64)
    value = float(stat(_nanmean(per_seed)[:, None])[0])
    low = high = float("nan")
    if np.isfinite(value) and per_seed.shape[1] >= 2:
        def statistic(idx: np.ndarray, axis: int = -1) -> np.ndarray:
            idx = np.asarray(idx, np.int64)
            return stat(_nanmean(per_seed[:, idx], axis=-1).reshape(per_seed.shape[0], -1))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = scipy.stats.bootstrap(
                (np.arange(per_seed.shape[1]),), statistic, vectorized=True,
                n_resamples=N_RESAMPLES, confidence_level=0.95, method="percentile",
                rng=np.random.default_rng(seed))
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return {"value": value, "low": low, "high": high}


def sizes_by_chi(config: Config) -> list[tuple[float, list[int]]]:
    """[(χ, sorted P grid)] in config order."""
    out, start = [], 0
    for chi, count in zip(config.chis, config.train_sizes_per_chi, strict=True):
        out.append((float(chi), sorted(config.train_sizes[start:start + count])))
        start += count
    return out


def seeds_by_chi(config: Config) -> dict[float, int]:
    """Replicas per χ (χ = 0 runs more: its heavy-tailed w1 and t* need them, spec decision)."""
    return dict(zip((float(c) for c in config.chis), config.seeds_per_chi, strict=True))


class Cells:
    """Seed-indexed views of the lane arrays: ``get(obs, chi, P, regime, t_alpha)`` → (S_χ,)."""

    def __init__(self, arrays: dict[str, np.ndarray], seeds: dict[float, int]):
        self.a, self.seeds = arrays, seeds
        self.converged = arrays["status"] == sgd.CONVERGED

    def mask(self, chi: float, size: int, regime: int, t_alpha: float) -> np.ndarray:
        a = self.a
        return ((a["chi"] == chi) & (a["P"] == size) & (a["regime"] == regime)
                & (a["t_alpha"] == t_alpha))

    def get(self, obs: str, chi: float, size: int, regime: int, t_alpha: float,
            converged_only: bool = True) -> np.ndarray:
        m = self.mask(chi, size, regime, t_alpha)
        out = np.full(self.seeds[chi], np.nan)
        if m.any():
            values = np.where(self.converged[m] | (not converged_only), self.a[obs][m], np.nan)
            out[self.a["replica"][m]] = values
        return out


def _cell_summary(cells: Cells, chi: float, size: int, regime: int, t_alpha: float,
                  alpha: float) -> dict[str, Any]:
    m = cells.mask(chi, size, regime, t_alpha)
    status = cells.a["status"][m]
    out: dict[str, Any] = {"chi": chi, "P": size, "regime": regime, "t_alpha": t_alpha,
                           "T": t_alpha / alpha, "n_converged": int(np.sum(status == 1)),
                           "n_capped": int(np.sum(status == sgd.CAPPED)),
                           "frac_converged": float(np.mean(status == sgd.CONVERGED))}
    for obs in ("w1", "w_perp", "tstar", "steps", "error", "rel_change"):
        v = cells.get(obs, chi, size, regime, t_alpha)
        v = v[np.isfinite(v)]
        out[obs] = float(v.mean()) if v.size else None
        out[f"{obs}_se"] = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else None
    return out


def _per_chi(config: Config, cells: Cells, chi: float, sizes: list[int]) -> dict[str, Any]:
    fit_t, hot = config.fit_t_alpha, [t for t in config.noise_t_alpha if t >= config.fit_t_alpha]
    gd_t = min(config.crossover_t_alpha)
    sizes_arr = np.asarray(sizes, np.float64)
    at_fit = {obs: np.stack([cells.get(obs, chi, p, 0, fit_t) for p in sizes])
              for obs in ("w1", "tstar", "error")}
    out: dict[str, Any] = {"sizes": sizes, "fit_t_alpha": fit_t}
    if len(sizes) >= 2:
        out["gamma_fit"] = bootstrap(log_slope(sizes_arr), at_fit["w1"])
        out["b_fit"] = bootstrap(log_slope(sizes_arr), at_fit["tstar"])
        out["eps_slope"] = bootstrap(log_slope(sizes_arr), at_fit["error"])
        # Local slopes between neighbouring P: does the effective exponent approach its
        # asymptote within the grid? (χ = 0: not visibly, up to P = 4096.)
        for name, obs in (("gamma_local", "w1"), ("b_local", "tstar")):
            out[name] = [bootstrap(log_slope(sizes_arr[i:i + 2]), at_fit[obs][i:i + 2])
                         for i in range(len(sizes) - 1)]
    inv_2c = float(1.0 / (2.0 * sn.c_chi(chi)))
    sqrt_d = np.sqrt(config.dim)
    w_perp_per_T = np.stack([_nanmean(np.stack(
        [cells.get("w_perp", chi, p, 0, t) / (t / config.alpha) for t in hot]), axis=0)
        for p in sizes])  # (n_P, S): ‖w⊥‖/T averaged over the hot temperatures, per replica
    out["w_perp_ratio"] = {
        str(p): bootstrap(lambda m: m[0] / sqrt_d / inv_2c, w_perp_per_T[i:i + 1])
        for i, p in enumerate(sizes)}
    out["w_perp_ratio_largest_P"] = out["w_perp_ratio"][str(sizes[-1])]
    if len(sizes) >= 2:
        out["w_perp_P_slope"] = bootstrap(log_slope(sizes_arr), w_perp_per_T)
    noise_T = np.asarray(config.noise_t_alpha) / config.alpha
    out["delta_fit"], out["tstar_T_slope"] = {}, {}
    for p in sizes:
        for key, obs in (("delta_fit", "w1"), ("tstar_T_slope", "tstar")):
            ys = np.stack([cells.get(obs, chi, p, 0, t) for t in config.noise_t_alpha])
            out[key][str(p)] = bootstrap(log_slope(noise_T), ys)
    out["crossover"], out["error_ratio"] = {}, {}
    cross_sizes = sizes[:config.crossover_sizes]
    hot_arr = np.asarray(hot)
    for p in cross_sizes:
        plateau = cells.get("w1", chi, p, 1, gd_t)[None]
        noise = np.stack([cells.get("w1", chi, p, 0, t) for t in hot])

        def crossover(m: np.ndarray) -> np.ndarray:  # w1(GD) / mean_t(w1(t)/(T·α))
            return m[0] / np.mean(m[1:] / hot_arr[:, None], axis=0)

        out["crossover"][str(p)] = bootstrap(crossover, np.concatenate([plateau, noise]))
        errors = np.stack([cells.get("error", chi, p, 0, fit_t),
                           cells.get("error", chi, p, 1, gd_t)])
        out["error_ratio"][str(p)] = bootstrap(lambda m: m[0] / m[1], errors)
    if len(cross_sizes) >= 2:
        ys = np.stack([cells.get("w1", chi, p, r, t) for p in cross_sizes[:2]
                       for r, t in [(1, gd_t)] + [(0, t) for t in hot]])
        k = 1 + len(hot)

        def ratio(m: np.ndarray) -> np.ndarray:  # T_×α(second P) / T_×α(first P)
            first = m[0] / np.mean(m[1:k] / hot_arr[:, None], axis=0)
            second = m[k] / np.mean(m[k + 1:] / hot_arr[:, None], axis=0)
            return second / first

        out["crossover_ratio"] = bootstrap(ratio, ys)
    out["theory"] = {"gamma": float(sn.gamma_exponent(chi)), "b": float(sn.b_exponent(chi)),
                     "delta": float(sn.delta_exponent(chi)),
                     "eps_exponent": float(sn.test_error_exponent(chi)),
                     "c_chi": float(sn.c_chi(chi)), "inv_2c_chi": inv_2c}
    return out


def _symmetry(cells: Cells, config: Config) -> dict[str, Any]:
    a = cells.a
    sym = np.flatnonzero(a["regime"] == 2)
    chi, size, t_alpha = float(a["chi"][sym[0]]), int(a["P"][sym[0]]), float(a["t_alpha"][sym[0]])
    rel = 0.0
    for obs in ("w1", "w_perp", "rel_change"):
        base = cells.get(obs, chi, size, 0, t_alpha, converged_only=False)
        scaled = cells.get(obs, chi, size, 2, t_alpha, converged_only=False)
        rel = max(rel, float(np.max(np.abs(4.0 * scaled - base) / np.abs(base))))
    steps_equal = bool(np.array_equal(cells.get("steps", chi, size, 0, t_alpha, False),
                                      cells.get("steps", chi, size, 2, t_alpha, False)))
    return {"chi": chi, "P": size, "t_alpha": t_alpha, "alpha": 4.0 * config.alpha,
            "max_rel_diff": rel, "steps_equal": steps_equal, "lanes": int(sym.size)}


def b_ordering(per_chi: dict[str, Any]) -> dict[str, Any]:
    """b per χ = 0, 1, 3 (NaN where not run), the adjacent gaps b(0) − b(1), b(1) − b(3), and
    each gap's standard error from the two bootstrap intervals (95 % width / 3.92, combined in
    quadrature; NaN unless all three χ were fitted)."""
    fits = [per_chi.get(c, {}).get("b_fit") for c in ("0", "1", "3")]
    complete = all(fits)
    b = [float(f["value"]) if f else math.nan for f in fits]

    def se(fit: dict[str, float]) -> float:
        return (fit["high"] - fit["low"]) / 3.92

    return {"chis": [0, 1, 3], "b": b, "gaps": [b[0] - b[1], b[1] - b[2]], "complete": complete,
            "gap_se": [math.hypot(se(fits[i]), se(fits[i + 1])) if complete else math.nan
                       for i in (0, 1)]}


def derive(config: Config, arrays: dict[str, np.ndarray]
           ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Adds t* and ε per lane; returns (metrics, arrays)."""
    arrays = dict(arrays)
    arrays["tstar"] = sgd.training_time(arrays["eta"].astype(np.float64),
                                        arrays["steps"].astype(np.float64))
    arrays["error"] = np.asarray(sn.perceptron_test_error(
        arrays["w1"].astype(np.float64), arrays["w_perp"].astype(np.float64),
        arrays["chi"].astype(np.float64)), np.float64)
    cells = Cells(arrays, seeds_by_chi(config))
    grids = sizes_by_chi(config)
    cell_list = []
    for chi, sizes in grids:
        for rank, p in enumerate(sizes):
            for t in config.noise_t_alpha:
                cell_list.append(_cell_summary(cells, chi, p, 0, t, config.alpha))
            if rank < config.crossover_sizes:
                for t in config.crossover_t_alpha:
                    cell_list.append(_cell_summary(cells, chi, p, 1, t, config.alpha))
    status = arrays["status"]
    per_chi = {f"{chi:g}": _per_chi(config, cells, chi, sizes) for chi, sizes in grids}
    metrics = {
        "alpha": config.alpha, "dim": config.dim, "batch": config.batch,
        "batch_sampling": config.batch_sampling,
        "seeds": {f"{chi:g}": n for chi, n in seeds_by_chi(config).items()},
        "max_steps": config.max_steps,
        "lanes": {"total": int(status.size), "converged": int(np.sum(status == 1)),
                  "capped": int(np.sum(status == sgd.CAPPED)),
                  "diverged": int(np.sum(status == sgd.DIVERGED))},
        "cells": cell_list,
        "per_chi": per_chi,
        "b_ordering": results.undefined_as_none(b_ordering(per_chi)),  # one χ: no gap
        "symmetry": _symmetry(cells, config),
    }
    return metrics, arrays
