"""Claims of ``bahri_regimes``. They read saved metrics and per-seed arrays only; theory values are
those the closed forms of ``theory/scaling_rf.py`` gave in this run. Tolerances are the pillar's
per profile (cpu / paper); each claim also shows how many standard errors over seeds its worst
cell is off, computed here from the saved per-seed losses.

The claims' ``label`` field uses the suite-wide label set ([derived] rows are labelled
``theory``); the pillar's own labels ([paper], [derived], [reconstructed]) lead the ``source``.
Exactness (the D <-> P duality, the variance-limited formula, the finite-S closed form) is a
property of the Gaussian-feature reconstruction; the paper's features satisfy the exponent
statements only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, underpowered
from experiments.common.stats import power_law_fit
from experiments.scaling_laws import common

ID = "bahri_regimes."
GAUSSIAN_NOTE = ("Gaussian features with an exact power-law spectrum [reconstructed] stand in "
                 "for the paper's random-ReLU features on pooled MNIST.")
# Closed-form local exponents at S = 4000, n ∈ [16, 512], from a reference run of this suite.
STEEPENING_REFERENCE = {0.25: 0.384, 0.5: 0.573, 1.0: 1.013, 2.0: 1.979}
SEED_SCATTER = "seed scatter"
# Tolerances as (cpu, paper); inside, (α_K ≤ 1, α_K > 1). The figures shade these same bands.
RESOLUTION_TOL = ((0.05, 0.12), (0.03, 0.06))
DUALITY_TOL = ((0.07, 0.15), (0.04, 0.08))
EXPONENT_TOL = ((0.02, 0.04), (0.01, 0.02))
VARIANCE_RATIO_TOL = (0.06, 0.03)
PARAM_SLOPE_BAND = (-1.10, -0.95)
# Manifold exponents, (cpu, paper); inside, (d ≤ 3, d = 4).
MANIFOLD_TOL = {"local_linear": ((0.06, 0.12), (0.04, 0.08)),
                "nearest": ((0.06, 0.06), (0.04, 0.04))}


def _r(value: float, digits: int = 4) -> float:
    v = float(value)
    return float(f"{v:.{digits}g}") if math.isfinite(v) else v


def _fmt(value: float, digits: int = 3) -> str:
    return format_number(float(value), digits)


def _pick(profile: str, cpu: Any, paper: Any) -> Any:
    return paper if profile == "paper" else cpu


def _by_alpha(profile: str, alpha: float, cpu: tuple[float, float],
              paper: tuple[float, float]) -> float:
    """Tolerance for α_K ≤ 1 (first entry) or α_K > 1 (second entry)."""
    pair = _pick(profile, cpu, paper)
    return pair[0] if alpha <= 1.0 else pair[1]


def tolerance(table: tuple[tuple[float, float], tuple[float, float]], profile: str,
              alpha: float) -> float:
    """The claim's tolerance from ``table`` (e.g. ``RESOLUTION_TOL``) at ``alpha``."""
    return _by_alpha(profile, alpha, *table)


def manifold_tolerance(profile: str, key: str, d: int) -> float:
    """Tolerance of |α̂/prediction − 1| for estimator ``key`` on the d-torus."""
    pair = _pick(profile, *MANIFOLD_TOL[key])
    return pair[0] if d <= 3 else pair[1]


def _claim(profile: str, name: str, labels: str, where: str, label: str, **fields: Any) -> Claim:
    return make_claim(profile=profile, id=ID + name, source=common.source(labels, where),
                      label=label, **fields)


def _z_text(z: float) -> str:
    return f"{_fmt(z, 2)} SE" if math.isfinite(z) else "SE n/a"


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(power_law_fit(x, y).slope)


def _seed_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-seed log-log slopes of the rows of ``y`` (rows with a non-positive value skipped)."""
    return np.array([_slope(x, row) for row in y if np.all(row > 0)])


def _se(values: np.ndarray) -> float:
    values = np.asarray(values, np.float64)
    return float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.nan


# --- resolution-limited -------------------------------------------------------------------


def resolution_cells(metrics: dict, arrays: dict, profile: str, path: str) -> dict[str, dict]:
    """Per (α_K, n): mean/closed form − 1, its SE over seeds, 95 % bootstrap interval, limit."""
    cells = {}
    losses = np.asarray(arrays[f"resolution_{path}"])  # (α_K, n, seeds)
    for a, row in enumerate(metrics["resolution"]):
        alpha = row["alpha_K"]
        limit = _by_alpha(profile, alpha, *RESOLUTION_TOL)
        for i, n in enumerate(row["ns"]):
            closed = row["closed_form"][i]
            dev = row[path]["mean"][i] / closed - 1.0
            se = _se(losses[a, i]) / closed
            cells[f"α_K = {alpha:g}, n = {n:g}"] = {
                "dev": dev, "se": se, "limit": limit, "z": dev / se if se > 0 else math.nan,
                "interval": [row[path]["ci_low"][i] / closed - 1.0,
                             row[path]["ci_high"][i] / closed - 1.0]}
    return cells


def _resolution_claim(metrics: dict, arrays: dict, profile: str, path: str) -> Claim:
    name = {"data": "resolution_data_limited", "param": "resolution_param_limited"}[path]
    what = {"data": "L̄(D = n, P = ∞)", "param": "L̄(D = ∞, P = n)"}[path]
    cells = resolution_cells(metrics, arrays, profile, path)
    worst = max(cells, key=lambda k: abs(cells[k]["dev"]) / cells[k]["limit"])
    c = cells[worst]
    seeds = np.asarray(arrays[f"resolution_{path}"]).shape[-1]
    rows = metrics["resolution"]
    above = sum(v["dev"] > 0 for v in cells.values())
    return _claim(
        profile, name, "paper,derived",
        f"Eq. {4 if path == 'data' else 1} (closed-form shape [paper]; simplification to "
        "κ(n)n/(2S) [derived])", "paper", kind="finite-size",
        statement=f"The mean over seeds of {what} matches the closed form κ(n)n/(2S) at every n",
        expected=0.0, measured=_r(c["dev"], 3), interval=[_r(v, 3) for v in c["interval"]],
        interval_kind=f"95% bootstrap over {seeds} seeds",
        context=f"mean/closed − 1, worst cell {worst} ({_z_text(c['z'])})",
        tolerance=f"every |mean/closed − 1| ≤ {_by_alpha(profile, 0.5, *RESOLUTION_TOL)}"
                  f" (α_K ≤ 1), ≤ {_by_alpha(profile, 2.0, *RESOLUTION_TOL)} "
                  "(α_K = 2)",
        tolerance_source="finite-n allowance (O(1/n) corrections) and seed scatter",
        passed=all(abs(v["dev"]) <= v["limit"] for v in cells.values()),
        reason=f"the simulated mean departs from the closed form at {worst}",
        note=f"S = {metrics['S']}, n = {[int(n) for n in rows[0]['ns']]}. The closed form is the "
             "large-n deterministic equivalent: the simulated mean lies above it in "
             f"{above} of {len(cells)} cells, most at n = 16 and α_K = 2, a finite-n excess "
             "that shrinks with n. Reference runs: max deviation 0.006-0.014 (α_K ≤ 1), "
             "0.023-0.036 (α_K = 2). " + GAUSSIAN_NOTE,
        details={"mean/closed − 1": {k: _r(v["dev"], 3) for k, v in cells.items()},
                 "in SE": {k: _r(v["z"], 3) for k, v in cells.items()},
                 "closed form": {f"α_K={r['alpha_K']:g}": [_r(v, 5) for v in r["closed_form"]]
                                 for r in rows},
                 "paper": "ratio 1 (learning curve follows the closed form)"})


def duality_cells(metrics: dict, arrays: dict, profile: str) -> dict[str, dict]:
    """Per (α_K, n): data/param mean ratio − 1, its relative SE over seeds, limit, z."""
    rows = metrics["resolution"]
    data = np.asarray(arrays["resolution_data"])
    param = np.asarray(arrays["resolution_param"])
    cells = {}
    for a, r in enumerate(rows):
        limit = _by_alpha(profile, r["alpha_K"], *DUALITY_TOL)
        for i, n in enumerate(r["ns"]):
            md, mp = data[a, i].mean(), param[a, i].mean()
            rel_se = math.hypot(_se(data[a, i]) / md, _se(param[a, i]) / mp)
            dev = r["duality_ratio"][i] - 1.0
            cells[f"α_K = {r['alpha_K']:g}, n = {n:g}"] = {
                "dev": dev, "se": rel_se, "limit": limit,
                "z": dev / rel_se if rel_se > 0 else math.nan}
    return cells


def _duality_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    crn = {f"α_K={r['alpha_K']:g}": r["crn_max_rel_diff"] for r in rows}
    seeds = np.asarray(arrays["resolution_data"]).shape[-1]
    cells = duality_cells(metrics, arrays, profile)
    worst = max(cells, key=lambda k: abs(cells[k]["dev"]) / cells[k]["limit"])
    c = cells[worst]
    worst_crn = max(crn, key=crn.get)
    return [
        _claim(
            profile, "duality_identity", "derived", "§2.4 duality, exact for Gaussian features",
            "theory", kind="identity",
            statement="With common random numbers the data- and parameter-limited code paths give "
                      "the same loss",
            expected=0.0, measured=_r(crn[worst_crn], 3),
            context=f"max relative difference, {worst_crn} (seed 0, every n)",
            tolerance="max relative difference ≤ 1e-6",
            tolerance_source="float64 round-off of TrΛ − (…) cancellation",
            passed=all(v <= 1e-6 for v in crn.values()),
            reason="the two code paths disagree on the same draw G",
            note="Both are (1/2S)(TrΛ − Tr[(GΛGᵀ)⁻¹GΛ²Gᵀ]) computed by different code: a check of "
                 "the code and of the derived identity, not evidence for the paper's duality "
                 "(duality_independent tests that). Expected round-off 1e-14 (α_K ≤ 1) to 1e-8 "
                 "(α_K = 2).",
            details={"max relative difference": {k: _r(v, 3) for k, v in crn.items()}}),
        _claim(
            profile, "duality_independent", "paper,derived", "§2.4", "paper",
            kind="quantitative",
            statement="With independent draws the mean data-limited and parameter-limited losses "
                      "agree at every n",
            expected=1.0, measured=_r(1.0 + c["dev"], 4),
            interval=[_r(1.0 + c["dev"] - 1.96 * c["se"], 4),
                      _r(1.0 + c["dev"] + 1.96 * c["se"], 4)],
            interval_kind=f"± 1.96 SE over {seeds} seeds",
            context=f"ratio, worst cell {worst} ({_z_text(c['z'])})",
            tolerance=f"every |ratio − 1| ≤ {_by_alpha(profile, 0.5, *DUALITY_TOL)}"
                      f" (α_K ≤ 1), ≤ {_by_alpha(profile, 2.0, *DUALITY_TOL)} "
                      "(α_K = 2)",
            tolerance_source="seed scatter of two independent means",
            passed=all(abs(v["dev"]) <= v["limit"] for v in cells.values()),
            reason=f"the two paths' means differ at {worst}",
            note="Independent G_D and G_P per seed; both paths are also compared with the closed "
                 "form (resolution_* claims). " + GAUSSIAN_NOTE,
            details={"ratio − 1": {k: _r(v["dev"], 3) for k, v in cells.items()},
                     "in SE": {k: _r(v["z"], 3) for k, v in cells.items()},
                     "paper": "α_D = α_P (duality of the resolution-limited losses)"}),
    ]


def _exponent_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    seeds = np.asarray(arrays["resolution_data"]).shape[-1]
    cells = {}
    for r in rows:
        limit = _by_alpha(profile, r["alpha_K"], *EXPONENT_TOL)
        for p in ("data", "param"):
            diff = r[p]["slope"] - r["closed_form_slope"]
            se = r[p]["seed_slope_sd"] / math.sqrt(seeds)
            cells[f"α_K = {r['alpha_K']:g}, {p}"] = {
                "diff": diff, "limit": limit, "z": diff / se if se > 0 else math.nan,
                "sim": r[p]["slope"], "closed": r["closed_form_slope"]}
    worst = max(cells, key=lambda k: abs(cells[k]["diff"]) / cells[k]["limit"])
    c = cells[worst]
    steeper = sum(v["diff"] < 0 for v in cells.values())
    ref = metrics["steepening_reference"]
    exps = {float(a): float(e) for a, e in zip(ref["alphas"], ref["exponents"], strict=True)}
    ref_dev = {a: abs(exps[a] - e) for a, e in STEEPENING_REFERENCE.items()}
    margins = {a: exps[a] - a for a in exps if a <= 1.0}
    tight = min(margins, key=margins.get)
    asym = {}
    for r in rows:
        if r["alpha_K"] in (0.5, 1.0, 2.0):
            for p in ("data", "param"):
                asym[f"α_K = {r['alpha_K']:g}, {p}"] = -r[p]["slope"] - r["alpha_K"]
    asym_worst = max(asym, key=lambda k: abs(asym[k])) if asym else ""
    return [
        _claim(
            profile, "resolution_exponent_finite_S", "paper,derived",
            "Eq. 3 + finite-S closed form", "paper", kind="finite-size",
            statement="The fitted slope of the simulated curves equals the closed-form slope over "
                      "the same n-grid (not −α_K)",
            expected="closed-form finite-S slope", measured=_r(c["diff"], 3),
            context=f"sim − closed slope, worst {worst} ({_z_text(c['z'])})",
            tolerance=f"|Δslope| ≤ {_by_alpha(profile, 0.5, *EXPONENT_TOL)} "
                      f"(α_K ≤ 1), ≤ {_by_alpha(profile, 2.0, *EXPONENT_TOL)} "
                      "(α_K = 2), both paths",
            tolerance_source="finite-n allowance and seed scatter of the slope",
            passed=all(abs(v["diff"]) <= v["limit"] for v in cells.values()),
            reason=f"the simulated slope departs from the closed form at {worst}",
            note=f"Least-squares slope of log mean loss vs log n, n = "
                 f"{[int(n) for n in rows[0]['ns']]}, S = {metrics['S']}; the paper's value is "
                 "the asymptotic −α_K, which a finite S does not reach. The tolerance separates "
                 "the closed form from −α_K only for α_K ≤ 0.5 (gaps 0.13, 0.07; 0.013 and 0.021 "
                 "at α_K = 1, 2). The finite-n excess of the means at n = 16 steepens the "
                 f"simulated slopes slightly ({steeper} of {len(cells)} are steeper).",
            details={"simulated": {k: _r(v["sim"]) for k, v in cells.items()},
                     "closed form": {f"α_K={r['alpha_K']:g}": _r(r["closed_form_slope"])
                                     for r in rows},
                     "in SE": {k: _r(v["z"], 3) for k, v in cells.items()},
                     "paper": {f"α_K={r['alpha_K']:g}": -r["alpha_K"] for r in rows}}),
        _claim(
            profile, "finite_S_steepening", "derived", "finite-S closed form", "theory",
            kind="regression",
            statement="At S = 4000 the closed-form local exponent over n in [16, 512] exceeds α_K "
                      "for α_K ≤ 1",
            expected="0.384, 0.573, 1.013, 1.979", measured=_r(margins[tight], 3),
            context=f"smallest exponent − α_K, α_K = {tight:g}; max |Δ| vs reference "
                    f"{_fmt(max(ref_dev.values()), 2)}",
            tolerance="each within ±0.002 of the reference values; > α_K for α_K ≤ 1",
            tolerance_source="reference run of the same closed form",
            passed=all(v <= 0.002 for v in ref_dev.values())
            and all(v > 0 for v in margins.values()),
            reason="the closed-form local exponents moved from the reference values",
            note="Theory only (rf_local_exponent), compared with values an earlier run computed; "
                 "the simulated slopes in resolution_exponent_finite_S show the same steepening. "
                 "At α_K = 2 the finite-S slope (1.979) is slightly below α_K.",
            details={"closed-form exponent": {f"α_K={a:g}": _r(e) for a, e in exps.items()},
                     "reference": {f"α_K={a:g}": e for a, e in STEEPENING_REFERENCE.items()},
                     "paper": {f"α_K={a:g}": a for a in STEEPENING_REFERENCE}}),
        _claim(
            profile, "resolution_exponent_asymptotic", "paper", "Eq. 3, Fig. 2b", "paper",
            check_on=("paper",), kind="finite-size",
            statement="At S = 1e5, n in [32, 2048] the simulated exponent approaches α_K "
                      "(α_K = 0.5, 1, 2)",
            expected="α_K (asymptote)", measured=_r(asym[asym_worst], 3) if asym else None,
            context=f"α̂ − α_K, worst {asym_worst}" if asym else "",
            tolerance="|α̂ − α_K| ≤ 0.035 for α_K ∈ {0.5, 1, 2}, both paths",
            tolerance_source="finite-size allowance (S/n_max ≈ 50)",
            passed=bool(asym) and all(abs(v) <= 0.035 for v in asym.values()),
            reason=(f"the exponent at {asym_worst} is still off α_K" if asym else
                    "no α_K ∈ {0.5, 1, 2} in this run"),
            note="Only meaningful when S/n_max is large; at cpu sizes (S = 4000, n ≤ 512) the "
                 "finite-S cut-off steepens the slope by up to 0.13.",
            details={"α̂ − α_K": {k: _r(v, 3) for k, v in asym.items()},
                     "closed form": {f"α_K={r['alpha_K']:g}": _r(-r["closed_form_slope"])
                                     for r in rows}}),
    ]


# --- variance-limited and double descent ---------------------------------------------------


def fixed_p_cells(metrics: dict, arrays: dict) -> dict[str, dict]:
    """Per (P, D ≥ 4P): ratio of mean excess to mean formula excess − 1, SE over seeds."""
    cells = {}
    for e in metrics["fixed_P"]:
        P = e["P"]
        loss = np.asarray(arrays[f"fixed_P{P}_loss"])
        limit = np.asarray(arrays[f"fixed_P{P}_limit"])
        grid = np.asarray(e["D_grid"])
        for D, ratio in zip(e["fit_D"], e["fit_ratio"], strict=True):
            j = int(np.argmin(np.abs(grid - D)))
            excess = loss[:, j] - limit
            formula = limit * P / (D - P - 1)
            resid = excess - ratio * formula  # ratio-estimator residuals
            se = _se(resid) / formula.mean()
            cells[f"P = {P}, D = {D:g}"] = {"dev": ratio - 1.0, "se": se,
                                            "z": (ratio - 1.0) / se if se > 0 else math.nan}
    return cells


def _variance_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    fixed_p, fixed_d = metrics["fixed_P"], metrics["fixed_D"]
    sweep_seeds = np.asarray(arrays[f"fixed_P{fixed_p[0]['P']}_loss"]).shape[0]
    ratio_tol = _pick(profile, *VARIANCE_RATIO_TOL)
    cells = fixed_p_cells(metrics, arrays)
    worst = max(cells, key=lambda k: abs(cells[k]["dev"]))
    c = cells[worst]
    slope_tol = _pick(profile, 0.05, 0.03)
    d_slopes = {}
    for e in fixed_p:
        P = e["P"]
        grid = np.asarray(e["D_grid"])
        idx = [int(np.argmin(np.abs(grid - D))) for D in e["fit_D"]]
        excess = (np.asarray(arrays[f"fixed_P{P}_loss"])[:, idx]
                  - np.asarray(arrays[f"fixed_P{P}_limit"])[:, None])
        per_seed = _seed_slopes(np.asarray(e["fit_D"]), excess)
        diff = e["excess_slope"] - e["formula_slope"]
        se = _se(per_seed)
        d_slopes[f"P = {P}"] = {"diff": diff, "sim": e["excess_slope"],
                                "formula": e["formula_slope"],
                                "z": diff / se if se > 0 else math.nan, "seeds used": len(per_seed)}
    d_worst = max(d_slopes, key=lambda k: abs(d_slopes[k]["diff"]))
    p_slopes = {}
    for e in fixed_d:
        D = e["D"]
        grid = np.asarray(e["P_grid"])
        idx = [int(np.argmin(np.abs(grid - P))) for P in e["fit_P"]]
        excess = (np.asarray(arrays[f"fixed_D{D}_loss"])[:, idx]
                  - np.asarray(arrays[f"fixed_D{D}_limit"])[:, None])
        per_seed = _seed_slopes(np.asarray(e["fit_P"]), excess)
        se = _se(per_seed)
        p_slopes[f"D = {D}"] = {"slope": e["excess_slope"], "se": se,
                                "seeds used": len(per_seed)}
    lo, hi = PARAM_SLOPE_BAND
    # closest to (or furthest beyond) an edge of the band
    p_worst = max(p_slopes, key=lambda k: max(lo - p_slopes[k]["slope"],
                                              p_slopes[k]["slope"] - hi))
    pw = p_slopes[p_worst]
    p_context = "; ".join([p_worst] + [f"{k} {_fmt(v['slope'], 4)}" for k, v in p_slopes.items()
                                       if k != p_worst])
    alpha_note = f"α_K = {metrics['sweep_alpha']}, S = {metrics['S']}, {sweep_seeds} seeds"
    peak_claim = _double_descent_claim(metrics, arrays, profile)
    return [
        _claim(
            profile, "variance_limited_data_formula", "derived,paper",
            "Theorem 1 (exact formula [derived] for Gaussian features)", "theory",
            kind="quantitative",
            statement="For D ≥ 4P the excess E L(D,P) − L(∞,P) equals L(∞,P)·P/(D−P−1)",
            expected=1.0, measured=_r(1.0 + c["dev"], 4),
            interval=[_r(1.0 + c["dev"] - 1.96 * c["se"], 4),
                      _r(1.0 + c["dev"] + 1.96 * c["se"], 4)],
            interval_kind=f"± 1.96 SE over {sweep_seeds} seeds",
            context=f"excess/formula, worst cell {worst} ({_z_text(c['z'])})",
            tolerance=f"|ratio − 1| ≤ {ratio_tol} for each D ≥ 4P and each fixed P",
            tolerance_source="seed scatter of the mean excess",
            passed=all(abs(v["dev"]) <= ratio_tol for v in cells.values()),
            reason=f"the excess departs from the exact formula at {worst}",
            note=f"Common random numbers (same 𝒫 for L(∞,P), nested designs); {alpha_note}. "
                 "The formula is exact in expectation for Gaussian features [derived].",
            details={"ratio − 1": {k: _r(v["dev"], 3) for k, v in cells.items()},
                     "in SE": {k: _r(v["z"], 3) for k, v in cells.items()},
                     "paper": "excess ∝ 1/D (Theorem 1)"}),
        _claim(
            profile, "variance_limited_data_slope", "paper,derived", "Figs. 1a/2a", "paper",
            kind="quantitative",
            statement="The log-log slope of the excess over D in [4P, D_max] equals the formula's "
                      "slope (→ −1)",
            expected="formula slope −D/(D−P−1) (→ −1)", measured=_r(d_slopes[d_worst]["diff"], 3),
            context=f"sim − formula slope, {d_worst} ({_z_text(d_slopes[d_worst]['z'])}); sim "
                    f"{_fmt(d_slopes[d_worst]['sim'], 4)}",
            tolerance=f"|Δslope| ≤ {slope_tol} for each fixed P",
            tolerance_source="seed scatter of the fitted slope",
            passed=all(abs(v["diff"]) <= slope_tol for v in d_slopes.values()),
            reason=f"the excess slope departs from the formula's at {d_worst}",
            note=f"The formula's local slope −D/(D−P−1) tends to −1; {alpha_note}.",
            details={k: {kk: _r(vv, 4) for kk, vv in v.items()} for k, v in d_slopes.items()}
            | {"paper": -1.0}),
        _claim(
            profile, "variance_limited_param_slope", "paper", "Theorem 1 (linear models)",
            "paper", kind="finite-size",
            statement="The log-log slope of L(D,P) − L(D,∞) over P in [8D, P_max] is about −1",
            expected=-1.0, measured=_r(pw["slope"], 4),
            interval=[_r(pw["slope"] - 1.96 * pw["se"], 4),
                      _r(pw["slope"] + 1.96 * pw["se"], 4)] if math.isfinite(pw["se"])
            else None,
            interval_kind=f"± 1.96 SE of per-seed slopes ({sweep_seeds} seeds)",
            context=p_context,
            tolerance="every slope ∈ [−1.10, −0.95]",
            tolerance_source="finite-size allowance: O(1/P²) corrections",
            passed=all(lo <= v["slope"] <= hi for v in p_slopes.values()),
            reason=f"the excess slope at {p_worst} is outside [−1.10, −0.95]",
            note=f"Same X for L(D,∞) (common random numbers), nested 𝒫; {alpha_note}. "
                 "Reference runs: −1.037 (D = 32), −1.057 (D = 128).",
            details={k: {kk: _r(vv, 4) for kk, vv in v.items()} for k, v in p_slopes.items()}),
        peak_claim,
    ]


def _peak_strength(loss: np.ndarray, grid: np.ndarray, centre: int,
                   rng: np.random.Generator) -> tuple[float, float]:
    """log(median at the peak window's max / largest median outside D = P ± 2) and its
    bootstrap SE over seeds (the window is where the claim puts the peak)."""
    inside = np.abs(grid - centre) <= 2
    if inside.all() or not inside.any():
        return math.nan, math.nan

    def strength(sample):
        med = np.median(sample, axis=0)
        return float(np.log(med[inside].max() / med[~inside].max()))

    boot = [strength(loss[rng.integers(0, loss.shape[0], loss.shape[0])]) for _ in range(400)]
    return strength(loss), float(np.std(boot, ddof=1))


def _double_descent_claim(metrics: dict, arrays: dict, profile: str) -> Claim:
    rng = np.random.default_rng(0)
    peaks, strengths = {}, {}
    for e in metrics["fixed_P"]:
        peaks[f"P = {e['P']}"] = e["argmax_median_D"] - e["P"]
        strengths[f"P = {e['P']}"] = _peak_strength(
            np.asarray(arrays[f"fixed_P{e['P']}_loss"]), np.asarray(e["D_grid"]), e["P"], rng)
    for e in metrics["fixed_D"]:
        peaks[f"D = {e['D']}"] = e["argmax_median_P"] - e["D"]
        strengths[f"D = {e['D']}"] = _peak_strength(
            np.asarray(arrays[f"fixed_D{e['D']}_loss"]), np.asarray(e["P_grid"]), e["D"], rng)
    worst = max(peaks, key=lambda k: abs(peaks[k]))
    weakest = min(strengths, key=lambda k: strengths[k][0]
                  if math.isfinite(strengths[k][0]) else -math.inf)
    eff, se = strengths[weakest]
    return _claim(
        profile, "double_descent_peak", "derived", "ridgeless min-norm regression", "theory",
        kind="qualitative",
        statement="The median loss over the D-grid (fixed P) and over the P-grid (fixed D) peaks "
                  "at D = P",
        expected="argmax at D = P", measured=_r(peaks[worst], 3),
        context=f"largest argmax − centre, {worst}; weakest peak {weakest}: "
                f"×{_fmt(math.exp(eff), 3)} over the rest",
        tolerance="argmax within ±2 of P (fixed P) or of D (fixed D)",
        tolerance_source="grid spacing 2 next to D = P",
        passed=all(abs(v) <= 2 for v in peaks.values()),
        not_run=underpowered(eff, se, what="the log height of the weakest peak over the rest"),
        reason=f"the median loss peaks away from D = P at {worst}",
        note="Medians over seeds: means near D = P are heavy-tailed (infinite expectation at "
             "D = P ± 1). Peak height: median at the window's maximum over the largest median "
             "outside |D − P| ≤ 2, with a bootstrap SE over seeds.",
        details={"argmax − centre": peaks,
                 "log peak height": {k: _r(v[0], 3) for k, v in strengths.items()},
                 "bootstrap SE": {k: _r(v[1], 3) for k, v in strengths.items()}})


# --- manifold -------------------------------------------------------------------------------


def _manifold_claims(metrics: dict, profile: str) -> list[Claim]:
    claims = []
    for key, name, order in (("local_linear", "manifold_piecewise_linear", 4),
                             ("nearest", "manifold_nearest_neighbour", 2)):
        cells = {}
        for e in metrics["manifold"]:
            d, entry = e["d"], e[key]
            tol = manifold_tolerance(profile, key, d)
            seeds = len(entry["seed_slopes"])
            se = entry["seed_slope_sd"] / math.sqrt(seeds) / entry["predicted_exponent"] \
                if seeds > 1 else math.nan
            cells[f"d = {d}"] = {"ratio": entry["ratio_to_prediction"], "tol": tol, "se": se,
                                 "alpha": entry["exponent"], "dim": entry["dimension_estimate"],
                                 "seeds": seeds}
        worst = max(cells, key=lambda k: abs(cells[k]["ratio"] - 1.0) / cells[k]["tol"])
        c = cells[worst]
        tol_text = (f"|α̂/(4/d) − 1| ≤ {manifold_tolerance(profile, key, 1)} (d ≤ 3), ≤ "
                    f"{manifold_tolerance(profile, key, 4)} (d = 4)" if order == 4 else
                    f"|α̂/(2/d) − 1| ≤ {manifold_tolerance(profile, key, 1)} for every d")
        where = "Theorems 2–3 and the expansion argument" if order == 4 else "Theorem 2"
        claims.append(make_claim(
            profile=profile, id=ID + name,
            source=common.source("paper,reconstructed", where) + f"; {common.SHARMA_KAPLAN}",
            label="reconstructed", kind="finite-size",
            statement=(f"{'Local-linear' if order == 4 else '1-NN'} interpolation on the d-torus "
                       f"has test MSE ∝ D^(−{order}/d)"),
            expected=1.0, measured=_r(c["ratio"], 4),
            interval=[_r(c["ratio"] - 1.96 * c["se"], 4), _r(c["ratio"] + 1.96 * c["se"], 4)]
            if math.isfinite(c["se"]) else None,
            interval_kind=f"± 1.96 SE of per-seed slopes ({c['seeds']} seeds)",
            context=f"α̂/({order}/d), worst {worst}; {order}/α̂ = {_fmt(c['dim'])}",
            tolerance=tol_text,
            tolerance_source="finite-size allowance (d = 4 pre-asymptotic)" if order == 4
            else "finite-size allowance",
            passed=all(abs(v["ratio"] - 1.0) <= v["tol"] for v in cells.values()),
            reason=f"the fitted exponent at {worst} is off {order}/d",
            note="Flat torus in R^(2d), non-neural estimators in place of Fig. 1b's deep nets "
                 "[reconstructed]; α̂ from the mean MSE over seeds. Reference slopes: "
                 + ("−3.88, −1.97, −1.30, −0.94 (d = 1…4)" if order == 4 else
                    "−2.00, −0.995, −0.668, −0.481 (d = 1…4)") + ".",
            details={k: {"α̂": _r(v["alpha"]), f"{order}/α̂": _r(v["dim"]),
                         "α̂/prediction": _r(v["ratio"]), "SE": _r(v["se"], 3)}
                     for k, v in cells.items()}
            | {"paper": {f"d={e['d']}": _r(order / e["d"]) for e in metrics["manifold"]}}))
    return claims


def make_claims(config: Any, metrics: dict, arrays: Any, profile: str) -> list[Claim]:
    return [
        _resolution_claim(metrics, arrays, profile, "data"),
        _resolution_claim(metrics, arrays, profile, "param"),
        *_duality_claims(metrics, arrays, profile), *_exponent_claims(metrics, arrays, profile),
        *_variance_claims(metrics, arrays, profile), *_manifold_claims(metrics, profile),
    ]
