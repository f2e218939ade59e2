"""Claims of ``bahri_regimes`` on the fixed-P / fixed-D sweeps (variance-limited scaling, double
descent) and on the data-manifold sweep."""

from __future__ import annotations

import math

import numpy as np

from experiments.common.claims import Claim, make_claim, rounded, underpowered
from experiments.common.results import as_float
from experiments.scaling_laws.bahri_regimes.claims.tolerances import (
    ID,
    PARAM_SLOPE_BAND,
    VARIANCE_RATIO_TOL,
    claim,
    fmt,
    manifold_tolerance,
    pick,
    z_text,
)
from experiments.scaling_laws.shared import provenance


def fixed_p_cells(metrics: dict) -> dict[str, dict]:
    """Per (P, D ≥ 4P): ratio of mean excess to mean formula excess − 1, SE over seeds."""
    cells = {}
    for e in metrics["fixed_P"]:
        for D, ratio, se in zip(e["fit_D"], e["fit_ratio"], e["fit_ratio_se"], strict=True):
            se = as_float(se)
            cells[f"P = {e['P']}, D = {D:g}"] = {"dev": ratio - 1.0, "se": se,
                                                 "z": (ratio - 1.0) / se if se > 0 else math.nan}
    return cells


def variance_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    fixed_p, fixed_d = metrics["fixed_P"], metrics["fixed_D"]
    sweep_seeds = np.asarray(arrays[f"fixed_P{fixed_p[0]['P']}_loss"]).shape[0]
    ratio_tol = pick(profile, *VARIANCE_RATIO_TOL)
    cells = fixed_p_cells(metrics)
    worst = max(cells, key=lambda k: abs(cells[k]["dev"]))
    c = cells[worst]
    slope_tol = pick(profile, 0.05, 0.03)
    d_slopes = {}
    for e in fixed_p:
        diff = e["excess_slope"] - e["formula_slope"]
        se = as_float(e["excess_seed_slope_se"])
        d_slopes[f"P = {e['P']}"] = {"diff": diff, "sim": e["excess_slope"],
                                     "formula": e["formula_slope"],
                                     "z": diff / se if se > 0 else math.nan,
                                     "seeds used": e["excess_seeds_used"]}
    d_worst = max(d_slopes, key=lambda k: abs(d_slopes[k]["diff"]))
    p_slopes = {f"D = {e['D']}": {"slope": e["excess_slope"],
                                  "se": as_float(e["excess_seed_slope_se"]),
                                  "seeds used": e["excess_seeds_used"]} for e in fixed_d}
    lo, hi = PARAM_SLOPE_BAND
    # closest to (or furthest beyond) an edge of the band
    p_worst = max(p_slopes, key=lambda k: max(lo - p_slopes[k]["slope"],
                                              p_slopes[k]["slope"] - hi))
    pw = p_slopes[p_worst]
    p_context = "; ".join([p_worst] + [f"{k} {fmt(v['slope'], 4)}" for k, v in p_slopes.items()
                                       if k != p_worst])
    alpha_note = f"α_K = {metrics['sweep_alpha']}, S = {metrics['S']}, {sweep_seeds} seeds"
    peak_claim = _double_descent_claim(metrics, arrays, profile)
    return [
        claim(
            profile, "variance_limited_data_formula", "derived,paper",
            "Theorem 1 (exact formula [derived] for Gaussian features)", "theory",
            kind="quantitative",
            statement="For D ≥ 4P the excess E L(D,P) − L(∞,P) equals L(∞,P)·P/(D−P−1)",
            expected=1.0, measured=rounded(1.0 + c["dev"], 4),
            interval=[rounded(1.0 + c["dev"] - 1.96 * c["se"], 4),
                      rounded(1.0 + c["dev"] + 1.96 * c["se"], 4)],
            interval_kind=f"± 1.96 SE over {sweep_seeds} seeds",
            context=f"excess/formula, worst cell {worst} ({z_text(c['z'])})",
            tolerance=f"|ratio − 1| ≤ {ratio_tol} for each D ≥ 4P and each fixed P",
            tolerance_source="seed scatter of the mean excess",
            passed=all(abs(v["dev"]) <= ratio_tol for v in cells.values()),
            reason=f"the excess departs from the exact formula at {worst}",
            note=f"Common random numbers (same 𝒫 for L(∞,P), nested designs); {alpha_note}. "
                 "The formula is exact in expectation for Gaussian features [derived].",
            details={"ratio − 1": {k: rounded(v["dev"], 3) for k, v in cells.items()},
                     "in SE": {k: rounded(v["z"], 3) for k, v in cells.items()},
                     "paper": "excess ∝ 1/D (Theorem 1)"}),
        claim(
            profile, "variance_limited_data_slope", "paper,derived", "Figs. 1a/2a", "paper",
            kind="quantitative",
            statement="The log-log slope of the excess over D in [4P, D_max] equals the formula's "
                      "slope (→ −1)",
            expected="formula slope −D/(D−P−1) (→ −1)",
            measured=rounded(d_slopes[d_worst]["diff"], 3),
            context=f"sim − formula slope, {d_worst} ({z_text(d_slopes[d_worst]['z'])}); sim "
                    f"{fmt(d_slopes[d_worst]['sim'], 4)}",
            tolerance=f"|Δslope| ≤ {slope_tol} for each fixed P",
            tolerance_source="seed scatter of the fitted slope",
            passed=all(abs(v["diff"]) <= slope_tol for v in d_slopes.values()),
            reason=f"the excess slope departs from the formula's at {d_worst}",
            note=f"The formula's local slope −D/(D−P−1) tends to −1; {alpha_note}.",
            details={k: {kk: rounded(vv, 4) for kk, vv in v.items()} for k, v in d_slopes.items()}
            | {"paper": -1.0}),
        claim(
            profile, "variance_limited_param_slope", "paper", "Theorem 1 (linear models)",
            "paper", kind="finite-size",
            statement="The log-log slope of L(D,P) − L(D,∞) over P in [8D, P_max] is about −1",
            expected=-1.0, measured=rounded(pw["slope"], 4),
            interval=[rounded(pw["slope"] - 1.96 * pw["se"], 4),
                      rounded(pw["slope"] + 1.96 * pw["se"], 4)] if math.isfinite(pw["se"])
            else None,
            interval_kind=f"± 1.96 SE of per-seed slopes ({sweep_seeds} seeds)",
            context=p_context,
            tolerance="every slope ∈ [−1.10, −0.95]",
            tolerance_source="finite-size allowance: O(1/P²) corrections",
            passed=all(lo <= v["slope"] <= hi for v in p_slopes.values()),
            reason=f"the excess slope at {p_worst} is outside [−1.10, −0.95]",
            note=f"Same X for L(D,∞) (common random numbers), nested 𝒫; {alpha_note}. "
                 "Reference runs: −1.037 (D = 32), −1.057 (D = 128).",
            details={k: {kk: rounded(vv, 4) for kk, vv in v.items()} for k, v in p_slopes.items()}),
        peak_claim,
    ]


def _double_descent_claim(metrics: dict, arrays: dict, profile: str) -> Claim:
    peaks, strengths = {}, {}
    for e in metrics["fixed_P"]:
        peaks[f"P = {e['P']}"] = e["argmax_median_D"] - e["P"]
        strengths[f"P = {e['P']}"] = (as_float(e["peak_log_height"]),
                                      as_float(e["peak_log_height_se"]))
    for e in metrics["fixed_D"]:
        peaks[f"D = {e['D']}"] = e["argmax_median_P"] - e["D"]
        strengths[f"D = {e['D']}"] = (as_float(e["peak_log_height"]),
                                      as_float(e["peak_log_height_se"]))
    worst = max(peaks, key=lambda k: abs(peaks[k]))
    weakest = min(strengths, key=lambda k: strengths[k][0]
                  if math.isfinite(strengths[k][0]) else -math.inf)
    eff, se = strengths[weakest]
    return claim(
        profile, "double_descent_peak", "derived", "ridgeless min-norm regression", "theory",
        kind="qualitative",
        statement="The median loss over the D-grid (fixed P) and over the P-grid (fixed D) peaks "
                  "at D = P",
        expected="argmax at D = P", measured=rounded(peaks[worst], 3),
        context=f"largest argmax − centre, {worst}; weakest peak {weakest}: "
                f"×{fmt(math.exp(eff), 3)} over the rest",
        tolerance="argmax within ±2 of P (fixed P) or of D (fixed D)",
        tolerance_source="grid spacing 2 next to D = P",
        passed=all(abs(v) <= 2 for v in peaks.values()),
        not_run=underpowered(eff, se, what="the log height of the weakest peak over the rest"),
        reason=f"the median loss peaks away from D = P at {worst}",
        note="Medians over seeds: means near D = P are heavy-tailed (infinite expectation at "
             "D = P ± 1). Peak height: median at the window's maximum over the largest median "
             "outside |D − P| ≤ 2, with a bootstrap SE over seeds.",
        details={"argmax − centre": peaks,
                 "log peak height": {k: rounded(v[0], 3) for k, v in strengths.items()},
                 "bootstrap SE": {k: rounded(v[1], 3) for k, v in strengths.items()}})


# --- manifold -------------------------------------------------------------------------------


def manifold_claims(metrics: dict, profile: str) -> list[Claim]:
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
            source=(provenance.source("paper,reconstructed", where)
                    + f"; {provenance.SHARMA_KAPLAN}"),
            label="reconstructed", kind="finite-size",
            statement=(f"{'Local-linear' if order == 4 else '1-NN'} interpolation on the d-torus "
                       f"has test MSE ∝ D^(−{order}/d)"),
            expected=1.0, measured=rounded(c["ratio"], 4),
            interval=[rounded(c["ratio"] - 1.96 * c["se"], 4),
                      rounded(c["ratio"] + 1.96 * c["se"], 4)]
            if math.isfinite(c["se"]) else None,
            interval_kind=f"± 1.96 SE of per-seed slopes ({c['seeds']} seeds)",
            context=f"α̂/({order}/d), worst {worst}; {order}/α̂ = {fmt(c['dim'])}",
            tolerance=tol_text,
            tolerance_source="finite-size allowance (d = 4 pre-asymptotic)" if order == 4
            else "finite-size allowance",
            passed=all(abs(v["ratio"] - 1.0) <= v["tol"] for v in cells.values()),
            reason=f"the fitted exponent at {worst} is off {order}/d",
            note="Flat torus in R^(2d), non-neural estimators in place of Fig. 1b's deep nets "
                 "[reconstructed]; α̂ from the mean MSE over seeds. Reference slopes: "
                 + ("−3.88, −1.97, −1.30, −0.94 (d = 1…4)" if order == 4 else
                    "−2.00, −0.995, −0.668, −0.481 (d = 1…4)") + ".",
            details={k: {"α̂": rounded(v["alpha"]), f"{order}/α̂": rounded(v["dim"]),
                         "α̂/prediction": rounded(v["ratio"]), "SE": rounded(v["se"], 3)}
                     for k, v in cells.items()}
            | {"paper": {f"d={e['d']}": rounded(order / e["d"]) for e in metrics["manifold"]}}))
    return claims
