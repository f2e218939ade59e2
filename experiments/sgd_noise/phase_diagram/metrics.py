"""Derived quantities of the phase diagram (spec §3.2): cell tables, divergence edge, noise
effect, T_opt and lazy α-independence. Reads the per-lane grid only; no training.

Cell states: ``converged`` (every seed converged), ``capped`` (no seed diverged, at least one
hit the step cap), ``diverged`` (at least one seed diverged), ``skipped`` (skip rule). Means use
the non-diverged seeds (capped cells are drawn with a marker); every fit and claim uses only
converged cells. Differences between cells are paired over seeds (common random numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.results import undefined_as_none
from experiments.sgd_noise.shared import sgd

SKIPPED = 4  # status of a grid cell the skip rule left out (not a run status)
SKIP_ALPHA, SKIP_ALPHA_T = 2.0**6, 0.25  # skip rule of spec §3.2
CELL_STATES = ("converged", "capped", "diverged", "skipped")
BOOTSTRAP_RESAMPLES = 2000
LAZY_ALPHAS = (2.0**10, 2.0**13)
LAZY_MIN_T = 2.0**-6
WEIGHT_CHANGE_T = 2.0**-10


def cell_state(status: np.ndarray) -> np.ndarray:
    """(A, T) index into CELL_STATES from the (A, T, S) lane status."""
    state = np.zeros(status.shape[:2], np.int32)
    state[np.any(status == sgd.CAPPED, axis=-1)] = 1
    state[np.any(status == sgd.DIVERGED, axis=-1)] = 2
    state[np.all(status == SKIPPED, axis=-1)] = 3
    return state


def divergence_edge(temps: np.ndarray, diverged: np.ndarray,
                    skipped: np.ndarray) -> tuple[float, str]:
    """T_max of one α row: geometric mean of the last all-stable T and the first diverging T.

    ``diverged`` (T,) says whether any seed diverged. Returns (T_max, censoring) with censoring
    "none", "right" (nothing diverged: NaN) or "left" (the smallest run T diverged: NaN).
    """
    ran = np.flatnonzero(~skipped)
    hits = [j for j in ran if diverged[j]]
    if not hits:
        return float("nan"), "right"
    first = hits[0]
    below = [j for j in ran if j < first]
    if not below:
        return float("nan"), "left"
    return float(np.sqrt(temps[below[-1]] * temps[first])), "none"


def edge_slope(log2_alpha: np.ndarray, t_max: np.ndarray) -> float:
    """k_max: slope of log2 T_max vs log2 α over α ≤ 1 rows with an uncensored edge."""
    use = (log2_alpha <= 0) & np.isfinite(t_max)
    if use.sum() < 2:
        return float("nan")
    return float(np.polyfit(log2_alpha[use], np.log2(t_max[use]), 1)[0])


def _edges(temps: np.ndarray, status: np.ndarray, skipped: np.ndarray) -> tuple[list, list]:
    diverged = np.any(status == sgd.DIVERGED, axis=-1)
    edges = [divergence_edge(temps, diverged[i], skipped[i]) for i in range(status.shape[0])]
    return [e[0] for e in edges], [e[1] for e in edges]


def _noise_effect(err: np.ndarray, state: np.ndarray, temps: np.ndarray) -> list[dict]:
    """Per α: Δ_best = err(T_lo) − min err over converged T, with the paired SE and z."""
    rows = []
    for i in range(err.shape[0]):
        ok = np.flatnonzero(state[i] == 0)
        if ok.size == 0:
            rows.append({"T_lo": None, "T_opt": None, "delta_best": None, "se": None, "z": None})
            continue
        means = err[i, ok].mean(axis=-1)
        lo, best = ok[0], ok[int(np.argmin(means))]
        diff = err[i, lo] - err[i, best]
        se = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else float("nan")
        delta = float(diff.mean())
        z = delta / se if se > 0 else (0.0 if delta == 0 else float("inf"))
        # The harmful side: the worst converged T above T_opt, paired against T_opt.
        above = [j for j in ok if j > best]
        hurt, hurt_z = 0.0, 0.0
        for j in above:
            d = err[i, j] - err[i, best]
            s = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else np.nan
            if d.mean() > hurt:
                hurt, hurt_z = float(d.mean()), float(d.mean() / s) if s > 0 else float("inf")
        # ± 1.96 paired seed SE of a gain (undefined without a positive gain and SE)
        interval = [delta - 1.96 * se, delta + 1.96 * se] if delta > 0 and se > 0 else None
        rows.append({"T_lo": float(temps[lo]), "T_opt": float(temps[best]), "delta_best": delta,
                     "se": se, "z": z, "interval": interval, "hurt": hurt, "hurt_z": hurt_z})
    return rows


def topt_slope(log2_alphas: np.ndarray, noise: list[dict]) -> float | None:
    """Slope of log2 T_opt vs log2 α over the rich rows (α ≤ 2^−2) with a T_opt (None if fewer
    than two)."""
    log2a = np.asarray(log2_alphas, float)
    topt = np.asarray([np.nan if r["T_opt"] is None else r["T_opt"] for r in noise], float)
    use = (log2a <= -2) & np.isfinite(topt)
    return float(np.polyfit(log2a[use], np.log2(topt[use]), 1)[0]) if use.sum() >= 2 else None


def _bootstrap_slope(g: dict, status: np.ndarray, seed: int) -> list[float]:
    """95 % percentile interval of k_max, resampling seeds with replacement."""
    rng = np.random.default_rng(seed)
    temps, log2a = g["temperature"][0, :, 0], np.log2(g["alpha"][:, 0, 0])
    skipped = g["skipped"][..., 0]
    slopes = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        pick = rng.integers(0, status.shape[-1], status.shape[-1])
        t_max, _ = _edges(temps, status[..., pick], skipped)
        slopes.append(edge_slope(log2a, np.asarray(t_max)))
    slopes = np.asarray(slopes)
    slopes = slopes[np.isfinite(slopes)]
    if slopes.size < 0.5 * BOOTSTRAP_RESAMPLES:
        return [float("nan"), float("nan")]
    return [float(np.percentile(slopes, 2.5)), float(np.percentile(slopes, 97.5))]


def _lazy_independence(g: dict, err: np.ndarray, rel: np.ndarray, state: np.ndarray) -> dict:
    alphas, temps = g["alpha"][:, 0, 0], g["temperature"][0, :, 0]
    idx = [int(np.flatnonzero(alphas == a)[0]) for a in LAZY_ALPHAS if np.any(alphas == a)]
    if len(idx) < 2:
        return {"present": False, "rows": []}
    lo, hi = idx
    rows = []
    for j in np.flatnonzero(temps >= LAZY_MIN_T):
        if state[lo, j] != 0 or state[hi, j] != 0:
            continue
        diff = err[lo, j] - err[hi, j]
        ratio = float(np.exp(np.mean(np.log(rel[lo, j]))) / np.exp(np.mean(np.log(rel[hi, j]))))
        rows.append({"T": float(temps[j]), "rel_ratio": ratio, "err_diff": float(diff.mean()),
                     "err_diff_se": float(diff.std(ddof=1) / np.sqrt(diff.size))
                     if diff.size > 1 else None})
    return {"present": True, "alphas": [float(alphas[lo]), float(alphas[hi])], "rows": rows}


def _weight_change_column(g: dict, rel: np.ndarray, state: np.ndarray) -> dict:
    """Geometric-mean relative change over α at T = 2^−10 (converged cells only)."""
    temps = g["temperature"][0, :, 0]
    if not np.any(temps == WEIGHT_CHANGE_T):
        return {"T": WEIGHT_CHANGE_T, "alphas": [], "rel": []}
    j = int(np.flatnonzero(temps == WEIGHT_CHANGE_T)[0])
    alphas = g["alpha"][:, 0, 0]
    keep = [i for i in range(len(alphas)) if state[i, j] == 0]
    return {"T": WEIGHT_CHANGE_T, "alphas": [float(alphas[i]) for i in keep],
            "rel": [float(np.exp(np.mean(np.log(rel[i, j])))) for i in keep]}


def _median_se(err_se: np.ndarray, state: np.ndarray) -> float:
    """Median s.e. over converged and capped cells with one (NaN with one seed)."""
    shown = err_se[(state <= 1) & np.isfinite(err_se)]
    return float(np.median(shown)) if shown.size else float("nan")


def derive(config: Any, g: dict, fields: dict, layers: np.ndarray) -> tuple[dict, dict]:
    """Metrics (cell tables, edge, noise effect, lazy checks) and arrays of the phase diagram."""
    status, err, rel = fields["status"], fields["test_error"], fields["rel_change"]
    state = cell_state(status)
    valid = (status == sgd.CONVERGED) | (status == sgd.CAPPED)
    with np.errstate(invalid="ignore", divide="ignore"):
        err_mean = np.where(valid.any(-1), np.nanmean(np.where(valid, err, np.nan), -1), np.nan)
        n_valid = valid.sum(-1)
        err_se = np.nanstd(np.where(valid, err, np.nan), -1, ddof=1) / np.sqrt(n_valid)
        log_rel = np.where(valid, np.log(np.where(valid, rel, 1.0)), np.nan)
        rel_geo = np.exp(np.nanmean(log_rel, -1))
    temps, alphas = g["temperature"][0, :, 0], g["alpha"][:, 0, 0]
    t_max, censor = _edges(temps, status, g["skipped"][..., 0])
    k_max = edge_slope(np.log2(alphas), np.asarray(t_max))
    noise = _noise_effect(err, state, temps)
    counts = {name: int(np.sum(status == code)) for code, name in sgd.STATUS_NAMES.items()}
    counts["skipped"] = int(np.sum(status == SKIPPED))
    metrics = {
        "log2_alphas": list(config.log2_alphas), "log2_temperatures":
        list(config.log2_temperatures), "seeds": config.seeds,
        "eta_over_T": config.batch * config.width, "batch_sampling": config.batch_sampling,
        "lane_counts": counts, "excluded_diverged_lanes": counts["diverged"],
        "cell_state": state.tolist(), "cell_state_names": list(CELL_STATES),
        "err_mean": err_mean.tolist(), "err_se": err_se.tolist(),
        "rel_change_geomean": rel_geo.tolist(),
        "steps_max": np.where(status == SKIPPED, 0, fields["steps"]).max(-1).tolist(),
        # T_max of a censored row and k_max without two uncensored rows are undefined: null.
        "divergence_edge": undefined_as_none({
            "T_max": t_max, "censoring": censor, "k_max": k_max,
            "k_max_interval": _bootstrap_slope(g, status, config.seed)}),
        "noise_effect": noise,
        "topt_slope": topt_slope(config.log2_alphas, noise),
        # median per-cell s.e. of the error over drawn cells: the figures' typical interval
        "err_se_median": _median_se(err_se, state),
        "lazy_independence": _lazy_independence(g, err, rel, state),
        "weight_change_column": _weight_change_column(g, rel, state),
    }
    arrays = {"alpha": g["alpha"], "temperature": g["temperature"], "seed": g["seed"],
              "status": status, "steps": fields["steps"], "t_star": fields["t_star"],
              "test_error": err, "rel_change": rel, "rel_change_layers": layers,
              "margin": fields["margin"], "train_loss": fields["train_loss"]}
    return metrics, arrays
