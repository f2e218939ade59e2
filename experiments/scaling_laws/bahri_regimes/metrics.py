"""Metrics of ``bahri_regimes`` from the saved per-seed losses (spec §3.1 "What to save").

Theory values (closed forms of ``theory/scaling_rf.py``) and every standard error, per-seed slope
and bootstrap the claims and figures show are computed here, in this run, so the claims and the
figures only read and format numbers from ``metrics.json``. Fits are least-squares lines in log-log
space (``stats.power_law_fit``); fit windows exclude |D − P| ≤ 4 (spec trap 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.results import undefined_as_none
from experiments.common.stats import bootstrap_interval, power_law_fit
from theory import scaling_rf as th


def closed_form(S: int, alpha: float, ns: Sequence[float]) -> np.ndarray:
    lam = th.power_law_spectrum(S, alpha)
    return np.asarray(jax.vmap(lambda n: th.rf_resolution_loss(lam, n))(
        jnp.asarray(ns, jnp.float64)))


def _window(grid: np.ndarray, lo: float, hi: float | None = None) -> np.ndarray:
    """Mask of grid points in [lo, hi]; falls back to the two largest points (smoke sizes)."""
    mask = (grid >= lo) & (grid <= (hi if hi is not None else np.inf))
    if mask.sum() < 2:
        mask = np.zeros_like(mask)
        mask[-2:] = True
    return mask


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(power_law_fit(x, y).slope)


def mean_se(values: np.ndarray) -> float:
    """Standard error of the mean over seeds (NaN for fewer than two values)."""
    values = np.asarray(values, np.float64)
    return float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.nan


def seed_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-seed log-log slopes of the rows of ``y`` (rows with a non-positive value skipped)."""
    return np.array([_slope(x, row) for row in y if np.all(row > 0)])


def peak_strength(loss: np.ndarray, grid: np.ndarray, centre: int,
                  rng: np.random.Generator) -> tuple[float, float]:
    """log(median at the peak window's max / largest median outside D = P ± 2) and its
    bootstrap SE over seeds (400 resamples; the window is where the claim puts the peak)."""
    inside = np.abs(grid - centre) <= 2
    if inside.all() or not inside.any():
        return math.nan, math.nan

    def strength(sample):
        med = np.median(sample, axis=0)
        return float(np.log(med[inside].max() / med[~inside].max()))

    boot = [strength(loss[rng.integers(0, loss.shape[0], loss.shape[0])]) for _ in range(400)]
    return strength(loss), float(np.std(boot, ddof=1))


def _excess_slope_scatter(grid: np.ndarray, fit: Sequence[float], loss: np.ndarray,
                          limit: np.ndarray) -> dict[str, Any]:
    """SE of the per-seed excess slopes over the fit window, and how many seeds entered."""
    idx = [int(np.argmin(np.abs(grid - v))) for v in fit]
    per_seed = seed_slopes(np.asarray(fit), loss[:, idx] - limit[:, None])
    return {"excess_seed_slope_se": mean_se(per_seed), "excess_seeds_used": len(per_seed)}


def resolution_metrics(config: Any, data: np.ndarray, param: np.ndarray,
                       crn: np.ndarray) -> list[dict[str, Any]]:
    """Per α_K: closed forms, means with 95 % bootstrap CIs, deviations, slopes, CRN identity.

    ``data`` and ``param`` have shape (α_K, n, seeds); ``crn`` (α_K, n) is the P-path on G_D of
    seed 0, to be compared with ``data[:, :, 0]``.
    """
    ns = np.asarray(config.ns, np.float64)
    out = []
    for a, alpha in enumerate(config.alphas):
        theory = closed_form(config.S, alpha, ns)
        lam = th.power_law_spectrum(config.S, alpha)
        entry: dict[str, Any] = {
            "alpha_K": alpha, "ns": ns.tolist(), "closed_form": theory.tolist(),
            "asymptote": np.asarray(th.rf_resolution_loss_asymptotic(ns, alpha, config.S)).tolist(),
            "null_loss": float(th.rf_null_loss(lam)),
            "closed_form_slope": _slope(ns, theory), "asymptotic_slope": -alpha,
        }
        for path, losses in (("data", data[a]), ("param", param[a])):
            mean = losses.mean(axis=1)
            low, high = bootstrap_interval(losses.T, seed=config.seed)
            slopes = np.array([_slope(ns, losses[:, s]) for s in range(losses.shape[1])])
            entry[path] = {
                "mean": mean.tolist(), "ci_low": np.asarray(low).tolist(),
                "ci_high": np.asarray(high).tolist(),
                "max_rel_dev": float(np.max(np.abs(mean / theory - 1.0))),
                "slope": _slope(ns, mean), "seed_slope_sd": float(slopes.std(ddof=1)),
                "seed_slope_ci": np.quantile(slopes, [0.025, 0.975]).tolist(),
                "mean_se": [mean_se(losses[i]) for i in range(losses.shape[0])],
            }
        ratio = data[a].mean(axis=1) / param[a].mean(axis=1)
        entry["duality_ratio"] = ratio.tolist()
        entry["duality_max_dev"] = float(np.max(np.abs(ratio - 1.0)))
        entry["duality_rel_se"] = [
            math.hypot(mean_se(data[a, i]) / data[a, i].mean(),
                       mean_se(param[a, i]) / param[a, i].mean()) for i in range(len(ns))]
        entry["crn_max_rel_diff"] = float(np.max(np.abs(crn[a] / data[a, :, 0] - 1.0)))
        out.append(entry)
    return out


def fixed_p_metrics(config: Any, P: int, grid: Sequence[int], loss: np.ndarray,
                    limit: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Sweep B at one P: medians, excess over L̄(∞, P) vs L̄(∞, P)·P/(D − P − 1) for D ≥ 4P, the
    SEs over seeds of the excess ratio and slope, and the height of the peak at D = P (its
    bootstrap draws from ``rng``, shared by every sweep in order)."""
    D = np.asarray(grid, np.float64)
    lam = th.power_law_spectrum(config.S, config.sweep_alpha)
    excess = loss - limit[:, None]
    valid = D > P + 1
    formula = np.full_like(excess, np.nan)
    formula[:, valid] = th.rf_variance_excess_data(limit[:, None], D[valid][None, :], P)
    fit = _window(D, 4 * P) & valid
    mean_excess, mean_formula = excess.mean(axis=0), formula.mean(axis=0)
    under = np.where(valid, np.asarray(th.rf_underparam_curve(lam, jnp.where(
        valid, D, P + 2.0), P)), np.nan)
    data_limited = np.where(D < config.S, closed_form(config.S, config.sweep_alpha,
                                                      np.minimum(D, config.S - 1)), np.nan)
    median = np.median(loss, axis=0)
    fit_ratio = mean_excess[fit] / mean_formula[fit]
    ratio_se = []
    for D_fit, ratio in zip(D[fit], fit_ratio, strict=True):
        j = int(np.argmin(np.abs(D - D_fit)))
        formula_j = limit * P / (D_fit - P - 1)
        resid = (loss[:, j] - limit) - ratio * formula_j  # ratio-estimator residuals
        ratio_se.append(mean_se(resid) / formula_j.mean())
    peak, peak_se = peak_strength(loss, D, P, rng)
    # The closed forms exist only for D > P + 1 and D < S: elsewhere they are written as null.
    return undefined_as_none({
        "P": P, "D_grid": D.tolist(), "median": median.tolist(), "mean": loss.mean(0).tolist(),
        "q25": np.quantile(loss, 0.25, axis=0).tolist(),
        "q75": np.quantile(loss, 0.75, axis=0).tolist(),
        "mean_limit": float(limit.mean()),
        "closed_form_limit": float(closed_form(config.S, config.sweep_alpha, [P])[0]),
        "mean_excess": mean_excess.tolist(), "mean_formula_excess": mean_formula.tolist(),
        "ratio": (mean_excess / mean_formula).tolist(), "fit_D": D[fit].tolist(),
        "fit_ratio": (mean_excess[fit] / mean_formula[fit]).tolist(),
        "excess_slope": _slope(D[fit], mean_excess[fit]),
        "formula_slope": _slope(D[fit], mean_formula[fit]),
        "argmax_median_D": float(D[np.argmax(median)]),
        "underparam_curve": under.tolist(), "data_limited_closed_form": data_limited.tolist(),
        "fit_ratio_se": ratio_se,
        **_excess_slope_scatter(D, D[fit].tolist(), loss, limit),
        "peak_log_height": peak, "peak_log_height_se": peak_se,
    })


def fixed_d_metrics(config: Any, D: int, grid: Sequence[int], loss: np.ndarray,
                    limit: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Sweep C at one D: medians, excess over L̄(D, ∞), its slope for P ≥ 8D and that slope's SE
    over seeds, P·excess, and the height of the peak at P = D (bootstrap draws from ``rng``)."""
    P = np.asarray(grid, np.float64)
    excess = loss - limit[:, None]
    mean_excess = excess.mean(axis=0)
    fit = _window(P, 8 * D)
    median = np.median(loss, axis=0)
    param_limited = np.where(P < config.S, closed_form(config.S, config.sweep_alpha,
                                                       np.minimum(P, config.S - 1)), np.nan)
    peak, peak_se = peak_strength(loss, P, D, rng)
    return undefined_as_none({  # the closed form exists only for P < S
        "D": D, "P_grid": P.tolist(), "median": median.tolist(), "mean": loss.mean(0).tolist(),
        "q25": np.quantile(loss, 0.25, axis=0).tolist(),
        "q75": np.quantile(loss, 0.75, axis=0).tolist(),
        "mean_limit": float(limit.mean()),
        "closed_form_limit": float(closed_form(config.S, config.sweep_alpha, [D])[0]),
        "mean_excess": mean_excess.tolist(), "P_times_excess": (P * mean_excess).tolist(),
        "fit_P": P[fit].tolist(), "excess_slope": _slope(P[fit], mean_excess[fit]),
        "argmax_median_P": float(P[np.argmax(median)]),
        "param_limited_closed_form": param_limited.tolist(),
        **_excess_slope_scatter(P, P[fit].tolist(), loss, limit),
        "peak_log_height": peak, "peak_log_height_se": peak_se,
    })


def manifold_metrics(d: int, sizes: Sequence[int], mse_local: np.ndarray,
                     mse_nn: np.ndarray) -> dict[str, Any]:
    """Per d: mean MSEs, slopes of the mean over seeds, per-seed slopes, 4/α̂ and 2/α̂."""
    D = np.asarray(sizes, np.float64)
    entry: dict[str, Any] = {"d": d, "D_grid": D.tolist()}
    for name, mse, order in (("local_linear", mse_local, 4), ("nearest", mse_nn, 2)):
        mean = mse.mean(axis=1)
        slope = _slope(D, mean)
        seeds = np.array([_slope(D, mse[:, s]) for s in range(mse.shape[1])])
        entry[name] = {
            "mean_mse": mean.tolist(), "slope": slope, "seed_slopes": seeds.tolist(),
            "seed_slope_sd": float(seeds.std(ddof=1)) if seeds.size > 1 else 0.0,
            "exponent": -slope, "predicted_exponent": float(th.interp_exponent(d, order)),
            "dimension_estimate": order / -slope,
            "ratio_to_prediction": -slope / float(th.interp_exponent(d, order)),
        }
    return entry


STEEPENING_S = 4000  # spec §7 finite_S_steepening: fixed reference grid, any profile
STEEPENING_RANGE = (16, 512)
STEEPENING_ALPHAS = (0.25, 0.5, 1.0, 2.0)


def steepening_reference() -> dict[str, list[float]]:
    """Closed-form local exponents over n ∈ [16, 512] at S = 4000 (theory only)."""
    lo, hi = STEEPENING_RANGE
    exponents = [th.rf_local_exponent(th.power_law_spectrum(STEEPENING_S, a), lo, hi)
                 for a in STEEPENING_ALPHAS]
    return {"alphas": list(STEEPENING_ALPHAS), "exponents": exponents, "S": STEEPENING_S,
            "n_range": list(STEEPENING_RANGE)}
