"""Numbers of ``liu_scaling`` computed from the trained models: each model's geometry and
weak-regime predictions (``measure_model``), the power-law fits of loss against width (α_m, its
SE and R² per series and window), the points the figures draw with their intervals
(``seed_spreads``, ``fit_spreads``) and the Monte Carlo reference of random squared overlaps."""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np
import scipy.stats

from experiments.common.config import Config
from experiments.common.stats import power_law_fit
from experiments.superposition.shared.seed_stats import seed_spread
from theory import superposition as th

Z95 = float(scipy.stats.norm.ppf(0.975))  # half-width of a 95 % normal interval, in SEs
SPREAD_QUANTITIES = ("L", "phi_half", "phi_one", "mso_strong", "mso_all", "var_ratio",
                     "pred_eq14", "pred_discrete")

def _fit_entry(rows: list[dict], window: str, **key: Any) -> dict[str, Any]:
    ms = np.asarray([r["m"] for r in rows], np.float64)
    losses = np.asarray([r["L"] for r in rows], np.float64)
    entry = {**key, "window": window, "ms": [int(m) for m in ms]}
    if ms.size < 2 or np.unique(ms).size < 2:
        return {**entry, "alpha_m": None, "alpha_m_se": None, "r2": None}
    fit = power_law_fit(ms, losses)
    se = fit.slope_se if np.isfinite(fit.slope_se) else None
    return {**entry, "alpha_m": -fit.slope, "alpha_m_se": se, "r2": fit.r_squared,
            "intercept": fit.intercept}


def _large_window(kind: str, gamma: float, rows: list[dict]) -> list[dict]:
    """Paper D.1 windows: weak power last 5 points; strong power/linear from the third."""
    if gamma > 0 and kind == "power":
        return rows[-5:] if len(rows) > 5 else rows
    if gamma < 0 and kind in ("power", "linear"):
        return rows[2:] if len(rows) > 3 else rows
    return rows


def power_law_fits(config: Config, rows: list[dict]) -> list[dict]:
    """α_m, SE and R² per (group, α or distribution, γ, E, seed) on the stated windows."""
    series: dict[tuple, list[dict]] = {}
    for r in rows:
        series.setdefault((r["group"], r["kind"], r["alpha"], r["gamma"], r.get("s"),
                           r["seed"]), []).append(r)
    fits = []
    for (group, kind, alpha, gamma, s, seed), members in series.items():
        members = sorted(members, key=lambda r: r["m"])
        key = dict(group=group, kind=kind, alpha=alpha, gamma=gamma, s=s, seed=seed,
                   E=members[0]["E"])
        fits.append(_fit_entry(members, "all", **key))
        if group == "small":
            inside = [r for r in members if config.fit_m_min <= r["m"] <= config.fit_m_max]
            fits.append(_fit_entry(inside, "window", **key))
        if group == "large":
            fits.append(_fit_entry(_large_window(kind, gamma, members), "paper", **key))
    return fits


def overlap_reference(config: Config) -> list[dict]:
    """Monte Carlo of (ŵ_i·ŵ_j)² for independent uniform unit vectors vs Beta(1/2, (m−1)/2)."""
    out = []
    for m in config.overlap_check_ms:
        key = jax.random.fold_in(jax.random.key(config.seed), 1000 + m)
        u = np.asarray(jax.random.normal(key, (2, config.overlap_check_pairs, m)), np.float64)
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        q = np.sum(u[0] * u[1], axis=-1) ** 2
        mean, var = th.random_overlap_moments(m)
        n = q.size
        central4 = float(np.mean((q - q.mean()) ** 4))
        out.append({"m": int(m), "pairs": n, "mean": float(q.mean()),
                    "mean_se": float(q.std(ddof=1) / math.sqrt(n)), "var": float(q.var(ddof=1)),
                    "var_se": math.sqrt(max(central4 - q.var() ** 2, 0.0) / n),
                    "theory_mean": float(mean), "theory_var": float(var)})
    return out


def row_norms(W: np.ndarray) -> np.ndarray:
    """‖W_i‖ (L2, not squared) in float64, for the represented-fraction thresholds."""
    W = np.asarray(W, np.float64)
    return np.sqrt(np.sum(W * W, axis=-1))


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def measure_model(W: np.ndarray, p: np.ndarray, *, alpha: float | None, E: float,
                  with_ambiguity: bool) -> dict[str, float | int | None]:
    """Per-model geometry and weak-regime predictions (spec §2.1 "Measurements").

    Thresholds apply to ‖W_i‖ (trap 8). Overlap statistics over ordered pairs i ≠ j of the
    "strong" (‖W_i‖ > 1) rows and of all rows; None where fewer than 2 rows qualify. eq. 14
    (``weak_regime_loss_integral``, power laws only: ``alpha`` None otherwise) and the discrete
    tail 4/3 Σ_{i ≥ k} p_i (paper Fig. 8b) at the measured k = n φ_{1/2}.
    """
    W = np.asarray(W, np.float64)
    n, m = W.shape
    norms = row_norms(W)
    strong = norms > 1.0
    k_half, k_one = int(np.sum(norms > 0.5)), int(np.sum(strong))
    mso_s, vso_s, _ = th.squared_overlap_stats(W, strong)
    mso_all, _, _ = th.squared_overlap_stats(W)
    random_var = float(th.random_overlap_moments(m)[1])
    ranks = np.arange(1, n + 1)
    phi_half = k_half / n
    eq14 = None
    if alpha is not None and k_half > 0:
        eq14 = float(th.weak_regime_loss_integral(phi_half, n, alpha, E=E))
    discrete = 4.0 / 3.0 * th.tail_mass(p, max(k_half, 1), inclusive=True)
    return {
        "phi_half": phi_half, "phi_one": k_one / n, "k_half": k_half, "k_one": k_one,
        "mso_strong": _finite_or_none(mso_s), "vso_strong": _finite_or_none(vso_s),
        "var_ratio": _finite_or_none(vso_s / random_var) if random_var > 0 else None,
        "mso_all": _finite_or_none(mso_all),
        "median_rank_strong": float(np.median(ranks[strong])) if k_one else None,
        "median_rank_weak": float(np.median(ranks[~strong])) if k_one < n else None,
        "ambiguity": th.ambiguity(W, m) if with_ambiguity else None,
        "pred_eq14": eq14, "pred_discrete": discrete,
        "pred_exact": th.weak_regime_loss(p, k_half),
    }


def series_key(entry: dict[str, Any]) -> tuple:
    """(group, kind, α, γ, s) of a cell or fit: one line of a figure, seeds pooled."""
    return entry["group"], entry["kind"], entry["alpha"], entry["gamma"], entry.get("s")


def _key_fields(key: tuple) -> dict[str, Any]:
    return dict(zip(("group", "kind", "alpha", "gamma", "s"), key, strict=True))


def seed_spreads(rows: list[dict]) -> list[dict[str, Any]]:
    """Per series and measured quantity, at each width m: the mean over seeds and the interval
    drawn around it (below, above): several seeds, their spread (``seed_spread``); one seed,
    ±1.96 evaluation SE for the loss L and none otherwise. A width where every seed lacks the
    quantity has mean None."""
    by_series: dict[tuple, list[dict]] = {}
    for r in rows:
        by_series.setdefault(series_key(r), []).append(r)
    out = []
    for key, members in by_series.items():
        members = sorted(members, key=lambda c: (c["m"], c["seed"]))
        ms = sorted({c["m"] for c in members})
        for quantity in SPREAD_QUANTITIES:
            mean, below, above = [], [], []
            for m in ms:
                vals = [c for c in members if c["m"] == m and c[quantity] is not None]
                y = np.asarray([c[quantity] for c in vals], np.float64)
                if y.size == 0:
                    half = (0.0, 0.0)
                elif y.size > 1:
                    half = seed_spread(y)
                elif quantity == "L":
                    half = (Z95 * vals[0]["L_se"],) * 2
                else:
                    half = (0.0, 0.0)
                mean.append(float(y.mean()) if y.size else None)
                below.append(float(half[0]))
                above.append(float(half[1]))
            out.append({**_key_fields(key), "quantity": quantity, "m": ms, "mean": mean,
                        "below": below, "above": above})
    return out


def fit_spreads(fits: list[dict]) -> list[dict[str, Any]]:
    """Per series and fit window, α_m over the seeds with a fitted slope: the seed mean and its
    spread (``seed_spread``), or one seed's slope ± 1.96 fit SE."""
    by_series: dict[tuple, list[dict]] = {}
    for f in fits:
        if f["alpha_m"] is not None:
            by_series.setdefault((*series_key(f), f["window"]), []).append(f)
    out = []
    for (*key, window), members in by_series.items():
        members = sorted(members, key=lambda f: f["seed"])
        y = np.asarray([f["alpha_m"] for f in members], np.float64)
        half = seed_spread(y) if y.size > 1 else (Z95 * (members[0]["alpha_m_se"] or 0.0),) * 2
        out.append({**_key_fields(tuple(key)), "window": window, "seeds": int(y.size),
                    "mean": float(y.mean()), "below": float(half[0]), "above": float(half[1])})
    return out


def small_series(rows: list[dict]) -> dict[tuple, list[dict]]:
    """Small-model rows grouped by series (α, γ, seed), in the order they first appear."""
    series: dict[tuple, list[dict]] = {}
    for c in rows:
        if c["group"] == "small":
            series.setdefault((c["alpha"], c["gamma"], c["seed"]), []).append(c)
    return series


def overlap_fits(rows: list[dict]) -> list[dict[str, Any]]:
    """Power-law fit of MSO_strong against m per small-model series (α, γ) and seed, over the
    widths with at least two norm > 1 rows (MSO_strong > 0); series with fewer than two such
    widths are left out. The claims test the slope against −1."""
    series = small_series(rows)
    out = []
    for (alpha, gamma, seed), members in series.items():
        pts = [(c["m"], c["mso_strong"]) for c in members
               if c["mso_strong"] is not None and c["mso_strong"] > 0]
        if len(pts) >= 2 and len({m for m, _ in pts}) >= 2:
            fit = power_law_fit(*map(np.asarray, zip(*pts, strict=True)))
            out.append({"group": "small", "kind": members[0]["kind"], "alpha": alpha,
                        "gamma": gamma, "seed": seed, "slope": fit.slope,
                        "slope_se": fit.slope_se if math.isfinite(fit.slope_se) else None,
                        "r2": fit.r_squared, "points": fit.num_points})
    return out


def density_correlations(rows: list[dict]) -> dict[str, Any]:
    """Pearson r(E, L) over the activation densities per γ, seed 0, at the width nearest 63
    (where L and E both vary)."""
    cells = [c for c in rows if c["group"] == "density" and c["seed"] == 0]
    ms = sorted({c["m"] for c in cells})
    m_ref = min(ms, key=lambda m: abs(m - 63)) if ms else None
    out = []
    for g in sorted({c["gamma"] for c in cells}):
        pts = [(c["E"], c["L"]) for c in cells if c["gamma"] == g and c["m"] == m_ref]
        if len(pts) >= 2:
            e, loss = np.asarray(pts).T
            if np.std(e) > 0 and np.std(loss) > 0:
                out.append({"gamma": g, "r": float(np.corrcoef(e, loss)[0, 1])})
    return {"m": m_ref, "per_gamma": out}



def null_gap_se(n: int, k: int) -> float:
    """SE of median rank(others) − median rank(subset) for a random k-subset of 1..n."""
    return n / (2 * math.sqrt(k)) * math.sqrt(n / (n - k))


def rank_gaps(rows: list[dict]) -> list[dict[str, Any]]:
    """Per model with 0 < k_1 < n: the gap median rank (norm ≤ 1 rows) − median rank (norm > 1
    rows), the SE of that gap for a random split (``null_gap_se``) and the gap in those SEs."""
    out = []
    for c in rows:
        k, n = c["k_one"], c["n"]
        if c["median_rank_strong"] is None or c["median_rank_weak"] is None or not 0 < k < n:
            continue
        gap = float(c["median_rank_weak"]) - float(c["median_rank_strong"])
        se = null_gap_se(n, k)
        out.append({"cell_id": c["cell_id"], "seed": c["seed"], "gap": gap, "null_se": se,
                    "z": gap / se})
    return out


def binomial_step_se(a: dict, b: dict) -> float:
    """Binomial SE (rows as independent draws) of φ_1(b) − φ_1(a)."""
    pa, pb = float(a["phi_one"]), float(b["phi_one"])
    return math.sqrt(pa * (1 - pa) / a["n"] + pb * (1 - pb) / b["n"])


def phi_one_steps(rows: list[dict]) -> list[dict[str, Any]]:
    """Per small-model series (α, γ) and seed, each step of φ_1 from one width to the next with
    its binomial SE (``binomial_step_se``)."""
    series = small_series(rows)
    out = []
    for (alpha, gamma, seed), members in series.items():
        ordered = sorted(members, key=lambda c: c["m"])
        for a, b in zip(ordered, ordered[1:], strict=False):
            out.append({"alpha": alpha, "gamma": gamma, "seed": seed, "m_from": a["m"],
                        "m_to": b["m"], "cell_from": a["cell_id"], "cell_to": b["cell_id"],
                        "step": float(b["phi_one"]) - float(a["phi_one"]),
                        "binomial_se": binomial_step_se(a, b)})
    return out


def theory_exponent_one() -> float:
    """Slope of the random-overlap mean 1/m (the strong-regime loss tracks MSO ∝ 1/m)."""
    ms = np.array([10.0, 100.0])
    return float(-power_law_fit(ms, th.random_overlap_moments(ms)[0]).slope)


def theory_values(config: Config, rows: list[dict]) -> dict[str, Any]:
    """The closed-form values the claims quote next to the measurements (``theory``)."""
    small = [c for c in rows if c["group"] == "small"]
    n = rows[0]["n"] if rows else 1
    alphas = sorted({1.0, 1.5, 2.0} | {float(a) for a in config.series_alpha}
                    | {float(a) for a in config.fig18_alphas})
    return {
        "exponent_one": theory_exponent_one(),
        "random_overlap_mean_m10": float(th.random_overlap_moments(10)[0]),
        "welch_bound_m10_nu1e9": float(th.welch_bound(1e9, 10)),
        "weak_exponent_alpha_1.2": float(th.weak_exponent(1.2)),
        "strong_exponent_worst": [{"alpha": a, "value": float(th.strong_exponent_worst(a))}
                                  for a in alphas],
        "strong_fraction_reference": [
            {"m": m, "n": nn, "value": float(th.strong_fraction_reference(m, nn))}
            for m, nn in sorted({(c["m"], c["n"]) for c in small})],
        "weak_floor_eq14_alpha1": {"n": n, "per_m": [
            {"m": m, "value": float(th.weak_regime_loss_integral(m / n, n, 1.0))}
            for m in sorted({c["m"] for c in small})]},
        "welch_bound": [{"cell_id": c["cell_id"], "seed": c["seed"],
                         "value": float(th.welch_bound(c["k_one"], c["m"]))} for c in rows],
    }


def theory_curves(rows: list[dict], spreads: list[dict]) -> dict[str, np.ndarray]:
    """Theory lines of the figures, on the grids they are drawn on: the exponents α − 1 and
    2(α − 1) against α (``exponents``), min(1, m²/2n) against m (``represented_fraction``)."""
    out: dict[str, np.ndarray] = {}
    alphas = [e["alpha"] for e in spreads if e["group"] == "small"
              and e["window"] == ("window" if e["gamma"] < 0 else "all")]
    if alphas:
        grid = np.linspace(1.0, max(2.0, max(alphas) + 0.1), 60)
        out["theory_alpha_grid"] = grid
        out["theory_weak_exponent"] = th.weak_exponent(grid)
        out["theory_strong_exponent_worst"] = th.strong_exponent_worst(grid)
    small = [c for c in rows if c["group"] == "small"]
    if small:
        ms_all = sorted({c["m"] for c in small})
        grid = (np.geomspace(min(ms_all), max(ms_all), 50) if len(ms_all) > 1
                else np.asarray(ms_all))
        out["theory_fraction_m"] = grid
        out["theory_fraction_reference"] = th.strong_fraction_reference(grid, small[0]["n"])
    return out
