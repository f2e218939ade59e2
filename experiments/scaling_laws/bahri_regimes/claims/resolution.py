"""Claims of ``bahri_regimes`` on the resolution-limited sweep: closed form, D <-> P duality,
exponents (finite-S and asymptotic)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, rounded
from experiments.scaling_laws.bahri_regimes.claims.tolerances import (
    DUALITY_TOL,
    EXPONENT_TOL,
    GAUSSIAN_NOTE,
    RESOLUTION_TOL,
    STEEPENING_REFERENCE,
    by_alpha,
    claim,
    fmt,
    z_text,
)


def alpha_band(profile: str, cells: dict[str, dict], key: str, table: tuple, quantity: str,
               suffix: str = "") -> tuple[str, dict[str, Any]]:
    """The worst of per-(α_K, …) ``cells`` (largest ``|cell[key]|`` over its ``limit``) and the
    claim's ``tolerance`` (from the per-α_K ``table``, e.g. ``RESOLUTION_TOL``, on ``quantity``)
    and ``passed`` fields."""
    worst = max(cells, key=lambda k: abs(cells[k][key]) / cells[k]["limit"])
    return worst, {
        "tolerance": f"{quantity} ≤ {by_alpha(profile, 0.5, *table)} (α_K ≤ 1), "
                     f"≤ {by_alpha(profile, 2.0, *table)} (α_K = 2){suffix}",
        "passed": all(abs(v[key]) <= v["limit"] for v in cells.values())}


def resolution_cells(metrics: dict, profile: str, path: str) -> dict[str, dict]:
    """Per (α_K, n): mean/closed form − 1, its SE over seeds, 95 % bootstrap interval, limit."""
    cells = {}
    for row in metrics["resolution"]:
        alpha = row["alpha_K"]
        limit = by_alpha(profile, alpha, *RESOLUTION_TOL)
        for i, n in enumerate(row["ns"]):
            closed = row["closed_form"][i]
            dev = row[path]["mean"][i] / closed - 1.0
            se = row[path]["mean_se"][i] / closed
            cells[f"α_K = {alpha:g}, n = {n:g}"] = {
                "dev": dev, "se": se, "limit": limit, "z": dev / se if se > 0 else math.nan,
                "interval": [row[path]["ci_low"][i] / closed - 1.0,
                             row[path]["ci_high"][i] / closed - 1.0]}
    return cells


def resolution_claim(metrics: dict, arrays: dict, profile: str, path: str) -> Claim:
    name = {"data": "resolution_data_limited", "param": "resolution_param_limited"}[path]
    what = {"data": "L̄(D = n, P = ∞)", "param": "L̄(D = ∞, P = n)"}[path]
    cells = resolution_cells(metrics, profile, path)
    worst, verdict = alpha_band(profile, cells, "dev", RESOLUTION_TOL, "every |mean/closed − 1|")
    c = cells[worst]
    seeds = np.asarray(arrays[f"resolution_{path}"]).shape[-1]
    rows = metrics["resolution"]
    above = sum(v["dev"] > 0 for v in cells.values())
    return claim(
        profile, name, "paper,derived",
        f"Eq. {4 if path == 'data' else 1} (closed-form shape [paper]; simplification to "
        "κ(n)n/(2S) [derived])", "paper", kind="finite-size",
        statement=f"The mean over seeds of {what} matches the closed form κ(n)n/(2S) at every n",
        expected=0.0, measured=rounded(c["dev"], 3),
        interval=[rounded(v, 3) for v in c["interval"]],
        interval_kind=f"95% bootstrap over {seeds} seeds",
        context=f"mean/closed − 1, worst cell {worst} ({z_text(c['z'])})",
        **verdict, tolerance_source="finite-n allowance (O(1/n) corrections) and seed scatter",
        reason=f"the simulated mean departs from the closed form at {worst}",
        note=f"S = {metrics['S']}, n = {[int(n) for n in rows[0]['ns']]}. The closed form is the "
             "large-n deterministic equivalent: the simulated mean lies above it in "
             f"{above} of {len(cells)} cells, most at n = 16 and α_K = 2, a finite-n excess "
             "that shrinks with n. Reference runs: max deviation 0.006-0.014 (α_K ≤ 1), "
             "0.023-0.036 (α_K = 2). " + GAUSSIAN_NOTE,
        details={"mean/closed − 1": {k: rounded(v["dev"], 3) for k, v in cells.items()},
                 "in SE": {k: rounded(v["z"], 3) for k, v in cells.items()},
                 "closed form": {f"α_K={r['alpha_K']:g}": [rounded(v, 5) for v in r["closed_form"]]
                                 for r in rows},
                 "paper": "ratio 1 (learning curve follows the closed form)"})


def duality_cells(metrics: dict, profile: str) -> dict[str, dict]:
    """Per (α_K, n): data/param mean ratio − 1, its relative SE over seeds, limit, z."""
    cells = {}
    for r in metrics["resolution"]:
        limit = by_alpha(profile, r["alpha_K"], *DUALITY_TOL)
        for i, n in enumerate(r["ns"]):
            rel_se = r["duality_rel_se"][i]
            dev = r["duality_ratio"][i] - 1.0
            cells[f"α_K = {r['alpha_K']:g}, n = {n:g}"] = {
                "dev": dev, "se": rel_se, "limit": limit,
                "z": dev / rel_se if rel_se > 0 else math.nan}
    return cells


def duality_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    crn = {f"α_K={r['alpha_K']:g}": r["crn_max_rel_diff"] for r in rows}
    seeds = np.asarray(arrays["resolution_data"]).shape[-1]
    cells = duality_cells(metrics, profile)
    worst, verdict = alpha_band(profile, cells, "dev", DUALITY_TOL, "every |ratio − 1|")
    c = cells[worst]
    worst_crn = max(crn, key=crn.get)
    return [
        claim(
            profile, "duality_identity", "derived", "§2.4 duality, exact for Gaussian features",
            "theory", kind="identity",
            statement="With common random numbers the data- and parameter-limited code paths give "
                      "the same loss",
            expected=0.0, measured=rounded(crn[worst_crn], 3),
            context=f"max relative difference, {worst_crn} (seed 0, every n)",
            tolerance="max relative difference ≤ 1e-6",
            tolerance_source="float64 round-off of TrΛ − (…) cancellation",
            passed=all(v <= 1e-6 for v in crn.values()),
            reason="the two code paths disagree on the same draw G",
            note="Both are (1/2S)(TrΛ − Tr[(GΛGᵀ)⁻¹GΛ²Gᵀ]) computed by different code: a check of "
                 "the code and of the derived identity, not evidence for the paper's duality "
                 "(duality_independent tests that). Expected round-off 1e-14 (α_K ≤ 1) to 1e-8 "
                 "(α_K = 2).",
            details={"max relative difference": {k: rounded(v, 3) for k, v in crn.items()}}),
        claim(
            profile, "duality_independent", "paper,derived", "§2.4", "paper",
            kind="quantitative",
            statement="With independent draws the mean data-limited and parameter-limited losses "
                      "agree at every n",
            expected=1.0, measured=rounded(1.0 + c["dev"], 4),
            interval=[rounded(1.0 + c["dev"] - 1.96 * c["se"], 4),
                      rounded(1.0 + c["dev"] + 1.96 * c["se"], 4)],
            interval_kind=f"± 1.96 SE over {seeds} seeds",
            context=f"ratio, worst cell {worst} ({z_text(c['z'])})",
            **verdict, tolerance_source="seed scatter of two independent means",
            reason=f"the two paths' means differ at {worst}",
            note="Independent G_D and G_P per seed; both paths are also compared with the closed "
                 "form (resolution_* claims). " + GAUSSIAN_NOTE,
            details={"ratio − 1": {k: rounded(v["dev"], 3) for k, v in cells.items()},
                     "in SE": {k: rounded(v["z"], 3) for k, v in cells.items()},
                     "paper": "α_D = α_P (duality of the resolution-limited losses)"}),
    ]


def exponent_claims(metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    seeds = np.asarray(arrays["resolution_data"]).shape[-1]
    cells = {}
    for r in rows:
        limit = by_alpha(profile, r["alpha_K"], *EXPONENT_TOL)
        for p in ("data", "param"):
            diff = r[p]["slope"] - r["closed_form_slope"]
            se = r[p]["seed_slope_sd"] / math.sqrt(seeds)
            cells[f"α_K = {r['alpha_K']:g}, {p}"] = {
                "diff": diff, "limit": limit, "z": diff / se if se > 0 else math.nan,
                "sim": r[p]["slope"], "closed": r["closed_form_slope"]}
    worst, verdict = alpha_band(profile, cells, "diff", EXPONENT_TOL, "|Δslope|",
                                ", both paths")
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
        claim(
            profile, "resolution_exponent_finite_S", "paper,derived",
            "Eq. 3 + finite-S closed form", "paper", kind="finite-size",
            statement="The fitted slope of the simulated curves equals the closed-form slope over "
                      "the same n-grid (not −α_K)",
            expected="closed-form finite-S slope", measured=rounded(c["diff"], 3),
            context=f"sim − closed slope, worst {worst} ({z_text(c['z'])})",
            **verdict, tolerance_source="finite-n allowance and seed scatter of the slope",
            reason=f"the simulated slope departs from the closed form at {worst}",
            note=f"Least-squares slope of log mean loss vs log n, n = "
                 f"{[int(n) for n in rows[0]['ns']]}, S = {metrics['S']}; the paper's value is "
                 "the asymptotic −α_K, which a finite S does not reach. The tolerance separates "
                 "the closed form from −α_K only for α_K ≤ 0.5 (gaps 0.13, 0.07; 0.013 and 0.021 "
                 "at α_K = 1, 2). The finite-n excess of the means at n = 16 steepens the "
                 f"simulated slopes slightly ({steeper} of {len(cells)} are steeper).",
            details={"simulated": {k: rounded(v["sim"]) for k, v in cells.items()},
                     "closed form": {f"α_K={r['alpha_K']:g}": rounded(r["closed_form_slope"])
                                     for r in rows},
                     "in SE": {k: rounded(v["z"], 3) for k, v in cells.items()},
                     "paper": {f"α_K={r['alpha_K']:g}": -r["alpha_K"] for r in rows}}),
        claim(
            profile, "finite_S_steepening", "derived", "finite-S closed form", "theory",
            kind="regression",
            statement="At S = 4000 the closed-form local exponent over n in [16, 512] exceeds α_K "
                      "for α_K ≤ 1",
            expected="0.384, 0.573, 1.013, 1.979", measured=rounded(margins[tight], 3),
            context=f"smallest exponent − α_K, α_K = {tight:g}; max |Δ| vs reference "
                    f"{fmt(max(ref_dev.values()), 2)}",
            tolerance="each within ±0.002 of the reference values; > α_K for α_K ≤ 1",
            tolerance_source="reference run of the same closed form",
            passed=all(v <= 0.002 for v in ref_dev.values())
            and all(v > 0 for v in margins.values()),
            reason="the closed-form local exponents moved from the reference values",
            note="Theory only (rf_local_exponent), compared with values an earlier run computed; "
                 "the simulated slopes in resolution_exponent_finite_S show the same steepening. "
                 "At α_K = 2 the finite-S slope (1.979) is slightly below α_K.",
            details={"closed-form exponent": {f"α_K={a:g}": rounded(e) for a, e in exps.items()},
                     "reference": {f"α_K={a:g}": e for a, e in STEEPENING_REFERENCE.items()},
                     "paper": {f"α_K={a:g}": a for a in STEEPENING_REFERENCE}}),
        claim(
            profile, "resolution_exponent_asymptotic", "paper", "Eq. 3, Fig. 2b", "paper",
            check_on=("paper",), kind="finite-size",
            statement="At S = 1e5, n in [32, 2048] the simulated exponent approaches α_K "
                      "(α_K = 0.5, 1, 2)",
            expected="α_K (asymptote)", measured=rounded(asym[asym_worst], 3) if asym else None,
            context=f"α̂ − α_K, worst {asym_worst}" if asym else "",
            tolerance="|α̂ − α_K| ≤ 0.035 for α_K ∈ {0.5, 1, 2}, both paths",
            tolerance_source="finite-size allowance (S/n_max ≈ 50)",
            passed=bool(asym) and all(abs(v) <= 0.035 for v in asym.values()),
            reason=(f"the exponent at {asym_worst} is still off α_K" if asym else
                    "no α_K ∈ {0.5, 1, 2} in this run"),
            note="Only meaningful when S/n_max is large; at cpu sizes (S = 4000, n ≤ 512) the "
                 "finite-S cut-off steepens the slope by up to 0.13.",
            details={"α̂ − α_K": {k: rounded(v, 3) for k, v in asym.items()},
                     "closed form": {f"α_K={r['alpha_K']:g}": rounded(-r["closed_form_slope"])
                                     for r in rows}}),
    ]
