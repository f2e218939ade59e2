"""Derived quantities of ``critical_temperature`` (spec §3.3): exponent fits, the three T_c
definitions, the noise effect Δ(P), with paired bootstrap intervals over seeds.

Inputs are per-lane grids of shape (P, T, S). Lanes that did not converge (capped, diverged) are
masked before any mean. r and ΔK use geometric seed means; t* and the test error arithmetic ones.
Every bootstrap resamples seed indices jointly across all cells (common random numbers).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from experiments.common.results import undefined_as_none
from experiments.common.stats import bootstrap_interval
from experiments.sgd_noise.shared import sgd

R_C, C_K = 0.02, 0.1  # thresholds of T_c^w and T_c^K
FIT_WINDOW_R = (2.0**-11, 2.0**-7)
FIT_WINDOW_T = (2.0**-11, 2.0**-6)
PLATEAU_MAX_T = 2.0**-9
NOISE_T = 2.0**-4
BOOTSTRAP_RESAMPLES = 1000
# Per-cell bands the figures draw: observable -> averaged on a log scale (geometric mean)?
BAND_OBSERVABLES = {"test_error": False, "rel_change": True, "t_star": True, "delta_K": True,
                    "one_minus_alignment": True}


def crossing(temps: np.ndarray, values: np.ndarray, threshold: float) -> tuple[float, str]:
    """T where ``values`` (rising with T) first reaches ``threshold``, log-log interpolated.

    Returns (T_c, flag): flag "none", "censored_low" (already above at the smallest T) or
    "censored_high" (never reached); T_c is NaN when censored. NaN values are skipped.
    """
    ok = np.isfinite(values) & (values > 0)
    t, v = np.asarray(temps)[ok], np.asarray(values)[ok]
    if t.size == 0:
        return float("nan"), "censored_high"
    above = np.flatnonzero(v >= threshold)
    if above.size == 0:
        return float("nan"), "censored_high"
    j = above[0]
    if j == 0:
        return float("nan"), "censored_low"
    lt, lv = np.log(t[j - 1:j + 1]), np.log(v[j - 1:j + 1])
    frac = (np.log(threshold) - lv[0]) / (lv[1] - lv[0])
    return float(np.exp(lt[0] + frac * (lt[1] - lt[0]))), "none"


def pooled_slope(x: np.ndarray, y: np.ndarray, group: np.ndarray) -> float:
    """Least-squares slope of y on x with one intercept per group (NaN points dropped)."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y, group = x[ok], y[ok], group[ok]
    sxx = sxy = 0.0
    for g in np.unique(group):
        m = group == g
        if m.sum() < 2:
            continue
        dx, dy = x[m] - x[m].mean(), y[m] - y[m].mean()
        sxx, sxy = sxx + float(dx @ dx), sxy + float(dx @ dy)
    return sxy / sxx if sxx > 0 else float("nan")


def power_slope(p: np.ndarray, tc: np.ndarray) -> tuple[float, float]:
    """a and R² of −log T_c = a log P + c over uncensored points (NaN if fewer than 2)."""
    ok = np.isfinite(tc)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    x, y = np.log(p[ok]), -np.log(tc[ok])
    a, c = np.polyfit(x, y, 1)
    resid = y - (a * x + c)
    tss = float(((y - y.mean()) ** 2).sum())
    return float(a), float(1.0 - resid @ resid / tss) if tss > 0 else 1.0


def _geo(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.exp(np.nanmean(np.where(mask, np.log(values), np.nan), axis=-1))


def _mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.where(mask, values, np.nan), axis=-1)


def estimates(sizes: np.ndarray, temps: np.ndarray, f: dict[str, np.ndarray]) -> dict[str, Any]:
    """Every fitted quantity from one (possibly resampled) set of seeds."""
    conv = f["status"] == sgd.CONVERGED
    r, dk = _geo(f["rel_change"], conv), _geo(f["delta_K"], conv)
    tstar, err = _mean(f["t_star"], conv), _mean(f["test_error"], conv)
    lp, lt = np.log(sizes)[:, None] * np.ones_like(r), np.log(temps)[None, :] * np.ones_like(r)
    pi, ti = np.indices(r.shape)
    wr = (temps >= FIT_WINDOW_R[0]) & (temps <= FIT_WINDOW_R[1])
    wt = (temps >= FIT_WINDOW_T[0]) & (temps <= FIT_WINDOW_T[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r, log_t = np.log(r), np.log(tstar)
    delta = pooled_slope(lt[:, wr].ravel(), log_r[:, wr].ravel(), pi[:, wr].ravel())
    gamma = pooled_slope(lp[:, wr].ravel(), log_r[:, wr].ravel(), ti[:, wr].ravel())
    t_slope = pooled_slope(lt[:, wt].ravel(), log_t[:, wt].ravel(), pi[:, wt].ravel())
    b = pooled_slope(lp[:, wt].ravel(), (log_t - lt)[:, wt].ravel(), ti[:, wt].ravel())
    tc_w = [crossing(temps, r[i], R_C) for i in range(len(sizes))]
    tc_k = [crossing(temps, dk[i], C_K) for i in range(len(sizes))]
    a_w, r2_w = power_slope(sizes, np.array([c[0] for c in tc_w]))
    a_k, r2_k = power_slope(sizes, np.array([c[0] for c in tc_k]))
    # Noise effect: per-seed difference between T = 2^-4 and the seed's own plateau (paired).
    plateau_cols = temps <= PLATEAU_MAX_T
    e = np.where(conv, f["test_error"], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        plateau_seed = np.nanmean(e[:, plateau_cols], axis=1)  # (P, S)
    j_noise = np.flatnonzero(np.isclose(temps, NOISE_T))
    diff = e[:, j_noise[0]] - plateau_seed if j_noise.size else np.full(plateau_seed.shape, np.nan)
    return {"r": r, "delta_K": dk, "t_star": tstar, "err": err, "delta": delta, "gamma": gamma,
            "gamma_over_delta": gamma / delta if delta else float("nan"), "tstar_T_slope": t_slope,
            "b": b, "tc_w": tc_w, "tc_k": tc_k, "a_w": a_w, "r2_w": r2_w, "a_k": a_k,
            "r2_k": r2_k, "noise_diff_seed": diff}


def _tc_eps(temps: np.ndarray, err: np.ndarray, f: dict) -> list[float | None]:
    conv = f["status"] == sgd.CONVERGED
    e = np.where(conv, f["test_error"], np.nan)
    out = []
    for i in range(err.shape[0]):
        plat_cols = temps <= PLATEAU_MAX_T
        plateau = np.nanmean(e[i][plat_cols]) if np.isfinite(e[i][plat_cols]).any() else np.nan
        se = np.nanstd(e[i], axis=-1, ddof=1) / np.sqrt(np.maximum(conv[i].sum(-1), 1))
        hit = [j for j in range(len(temps)) if np.isfinite(err[i, j])
               and abs(err[i, j] - plateau) > max(0.01, 2 * se[j])]
        out.append(float(temps[hit[0]]) if hit else None)
    return out


def cell_band(values: np.ndarray, conv: np.ndarray, log: bool) -> dict[str, np.ndarray]:
    """Per (P, T): mean and 95 % percentile bootstrap interval over converged seeds (geometric
    when ``log``), with a fixed resampling seed, so reruns and figures are byte-stable."""
    mean, lo, hi = (np.full(values.shape[:2], np.nan) for _ in range(3))
    for i, j in np.ndindex(values.shape[:2]):
        v = values[i, j][conv[i, j] & np.isfinite(values[i, j])]
        if log:
            v = np.log(v[v > 0])
        if v.size == 0:
            continue
        m = v.mean()
        low, high = bootstrap_interval(v[:, None])[0:2] if v.size > 1 and np.ptp(v) > 0 \
            else (m, m)
        low, high = float(np.ravel(low)[0]), float(np.ravel(high)[0])
        mean[i, j], lo[i, j], hi[i, j] = (np.exp([m, low, high]) if log else (m, low, high))
    return {"mean": mean, "low": lo, "high": hi}


def cell_bands(fields: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """``cell_band`` of every observable in ``BAND_OBSERVABLES`` (float64 lane values)."""
    conv = np.asarray(fields["status"]) == sgd.CONVERGED
    values = {k: np.asarray(fields[k], float) for k in BAND_OBSERVABLES if k in fields}
    values["one_minus_alignment"] = 1.0 - np.asarray(fields["alignment"], float)
    return {k: cell_band(values[k], conv, log) for k, log in BAND_OBSERVABLES.items()}


def tc_log_intercept(sizes: np.ndarray, tc: list[float], a: float) -> float:
    """c of the drawn fit line log T_c = c − a log P: mean of log T_c + a log P over uncensored
    sizes (NaN with fewer than two or without a fitted a)."""
    tc = np.asarray(tc, float)
    ok = np.isfinite(tc)
    if ok.sum() < 2 or not np.isfinite(a):
        return float("nan")
    return float(np.mean(np.log(tc[ok]) + a * np.log(sizes[ok])))


def derive(config: Any, fields: dict[str, np.ndarray]) -> tuple[dict, dict]:
    sizes = np.asarray(config.train_sizes, np.float64)
    temps = 2.0 ** np.asarray(config.log2_temperatures, np.float64)
    point = estimates(sizes, temps, fields)
    rng = np.random.default_rng(config.seed)
    n_seeds = fields["status"].shape[-1]
    names = ("delta", "gamma", "gamma_over_delta", "tstar_T_slope", "b", "a_w", "a_k")
    boot = {k: [] for k in names}
    boot_noise = []
    for _ in range(BOOTSTRAP_RESAMPLES if n_seeds > 1 else 0):
        pick = rng.integers(0, n_seeds, n_seeds)
        est = estimates(sizes, temps, {k: v[..., pick] for k, v in fields.items()})
        for k in names:
            boot[k].append(est[k])
        boot_noise.append(est["noise_diff_seed"])

    def interval(k: str) -> list[float]:
        v = np.asarray(boot[k], float)
        v = v[np.isfinite(v)]
        if v.size < 0.5 * BOOTSTRAP_RESAMPLES:
            return [float("nan"), float("nan")]
        return [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]

    diff = point["noise_diff_seed"]
    n_ok = np.isfinite(diff).sum(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        noise_mean = np.nanmean(diff, -1)
        noise_se = np.nanstd(diff, -1, ddof=1) / np.sqrt(n_ok)
    status = fields["status"]
    counts = {name: int(np.sum(status == code)) for code, name in sgd.STATUS_NAMES.items()}
    metrics = {
        "train_sizes": list(config.train_sizes), "log2_temperatures":
        list(config.log2_temperatures), "alpha": 2.0**config.log2_alpha, "seeds": n_seeds,
        "eta_over_T": config.batch * config.width, "batch_sampling": config.batch_sampling,
        "lane_counts": counts, "excluded_lanes": counts["capped"] + counts["diverged"],
        "thresholds": {"r_c": R_C, "c_K": C_K},
        "r_geomean": point["r"], "delta_K_geomean": point["delta_K"],
        "t_star_mean": point["t_star"], "err_mean": point["err"],
        # A fit without enough usable sizes or resamples (smoke) is undefined: null.
        "fits": undefined_as_none({k: {"value": point[k], "interval": interval(k)}
                                   for k in names}),
        "r2_w": point["r2_w"], "r2_k": point["r2_k"],
        "tc_w": [c[0] for c in point["tc_w"]], "tc_w_flag": [c[1] for c in point["tc_w"]],
        "tc_k": [c[0] for c in point["tc_k"]], "tc_k_flag": [c[1] for c in point["tc_k"]],
        "tc_eps": _tc_eps(temps, point["err"], fields),
        "noise_effect": {"delta": noise_mean, "se": noise_se, "T": NOISE_T,
                         "plateau_max_T": PLATEAU_MAX_T,
                         # ± 1.96 paired seed SE; undefined (null) without a positive SE
                         "interval": [[float(d - 1.96 * s), float(d + 1.96 * s)] if s > 0 else None
                                      for d, s in zip(noise_mean, noise_se, strict=True)]},
        "fit_windows": {"r": FIT_WINDOW_R, "t_star": FIT_WINDOW_T},
        # the drawn T_c fit lines: log T_c = c − a log P with the fitted a (null if not fitted)
        "tc_fit_log_intercept": undefined_as_none({
            key: tc_log_intercept(sizes, [c[0] for c in point[tc]], point[key])
            for key, tc in (("a_w", "tc_w"), ("a_k", "tc_k"))}),
        "cell_bands": cell_bands(fields),
    }
    arrays = {"P": np.broadcast_to(sizes[:, None, None], status.shape).copy(),
              "temperature": np.broadcast_to(temps[None, :, None], status.shape).copy(),
              "seed": np.broadcast_to(np.arange(n_seeds), status.shape).copy(), **fields}
    return metrics, arrays
