"""Geometry claims of ``liu_scaling``: represented fractions, overlaps of the strong rows, the
share of norm > 1 rows and which rows they are."""

from __future__ import annotations

import math

from experiments.common.claims import Claim, format_number, rounded
from experiments.common.results import as_float
from experiments.superposition.liu_scaling.claims import selection as sel


def phi_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    strong = sel.cells_of(metrics, gamma=lambda c: c["gamma"] <= -5 / 9 + sel.EPS)
    strong += sel.cells_of(metrics, "large", gamma=lambda c: c["gamma"] < 0)
    phis = {sel.cell_name(c): as_float(c["phi_half"]) for c in strong}
    worst = min(phis, key=phis.get) if phis else ""
    weak = sel.cells_of(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - sel.EPS,
                        alpha=lambda c: c["alpha"] >= 1 - sel.EPS)
    weak += sel.cells_of(metrics, "large", gamma=lambda c: c["gamma"] > 0)
    per_m = {sel.cell_name(c): as_float(c["k_half"]) / c["m"] for c in weak}
    k_ok = [1 <= c["k_half"] <= 2 * c["m"] for c in weak]
    top = max(per_m, key=per_m.get) if per_m else ""
    bad = next((sel.cell_name(c) for c, ok in zip(weak, k_ok, strict=True) if not ok), top)
    low_k = min((c["k_half"] for c in weak), default=None)
    return [
        sel.liu_claim(
            profile, "phi_half_strong", "Figs 3b, 8a, 13", kind="qualitative",
            statement="Negative decay gives strong superposition: almost every row has "
                      "‖W_i‖ > 1/2",
            expected="φ_1/2 ≈ 1", measured=rounded(phis[worst]) if phis else None,
            context=f"min over {len(phis)} cells, {worst}" if phis else "",
            tolerance="φ_1/2 ≥ 0.95 in every cell with γ ≤ −5/9"
                      + (" (and large models at γ = −1)" if paper else " (cells C1, C2)"),
            tolerance_source="5 % allowance on 'all rows represented'",
            passed=bool(phis) and min(phis.values()) >= 0.95,
            reason=f"φ_1/2 = {format_number(phis[worst], 3)} at {worst}: rows left unrepresented"
            if phis else "no cell with γ ≤ −5/9 in this run",
            details={"φ_1/2 per cell": sel.listing({k: rounded(v) for k, v in phis.items()}),
                     "paper": "φ_1/2 ≈ 1", "theory": "all n rows represented"}),
        sel.liu_claim(
            profile, "phi_half_weak", "Figs 3b, 8a, 13", kind="qualitative",
            statement="Positive decay gives at most about m represented rows",
            expected="k_1/2 ≤ m (ideal weak model)",
            measured=rounded(per_m[top], 3) if per_m else None,
            context=f"largest k_1/2 / m, {top}; smallest k_1/2 = {low_k}" if per_m else "",
            tolerance="1 ≤ k_1/2 ≤ 2m in every cell with γ ≥ 1/3 and α ≥ 1"
                      + (" (and large models at γ = 0.1)" if paper else " (cell C3)"),
            tolerance_source="factor-2 allowance on the ideal weak model",
            passed=bool(weak) and all(k_ok),
            reason=f"k_1/2 outside [1, 2m] at {bad}" if per_m else "no weak cell in this run",
            details={"k_1/2 per cell": sel.listing({sel.cell_name(c): c["k_half"] for c in weak}),
                     "paper": "k_1/2 ≈ m or below",
                     "theory": "k_1/2 ≤ m (ideal weak model W = [I_m; 0])"}),
    ]


def overlap_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    c1 = sel.cells_of(metrics, gamma=sel.near(-1.0), alpha=1.0)
    chosen = (sel.cells_of(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + sel.EPS,
                           alpha=lambda c: c["alpha"] <= 1 + sel.EPS) if paper else c1)
    prods = {sel.cell_name(c): c["m"] * as_float(c["mso_strong"]) for c in chosen}
    finite = {k: v for k, v in prods.items() if math.isfinite(v)}
    worst = max(finite, key=lambda k: abs(finite[k] - 1.0)) if finite else ""
    ok = bool(prods) and len(finite) == len(prods) and all(
        0.7 <= v <= 1.4 for v in finite.values())
    claims = [sel.liu_claim(
        profile, "overlap_one_over_m", "Figs 5d, 8d", kind="quantitative",
        statement="Frequent (norm > 1) rows have mean squared overlap ≈ 1/m",
        expected=1.0, measured=rounded(finite[worst]) if finite else None,
        context=(f"farthest from 1, {worst}; range {format_number(min(finite.values()), 3)}–"
                 f"{format_number(max(finite.values()), 3)}") if finite else "",
        tolerance="m · MSO_strong ∈ [0.7, 1.4] in every cell"
                  + (" with γ ≤ −1/3, α ≤ 1" if paper else " of C1"),
        tolerance_source="paper's '≈ 1/m'; −30 %/+40 % band",
        passed=ok,
        reason=(f"m · MSO_strong = {format_number(finite[worst], 3)} at {worst}" if finite
                and len(finite) == len(prods) else "a cell has fewer than two norm > 1 rows"),
        details={"m · MSO_strong per cell": sel.listing({k: rounded(v) for k, v in prods.items()}),
                 "paper": "m · MSO_strong ≈ 1",
                 "theory": {"m · E[(ŵ_i·ŵ_j)²] (random)":
                            rounded(10 * sel.theory_of(metrics, "random_overlap_mean_m10")),
                            "m · κ²(ν→∞)":
                            rounded(10 * sel.theory_of(metrics, "welch_bound_m10_nu1e9") ** 2)},
                 "reference run (cpu)": "0.96–1.17"})]
    keys = {(c["alpha"], c["gamma"], c["seed"]) for c in chosen}
    slopes = {sel.fit_name(f): f for f in metrics["overlap_fits"]
              if (f["alpha"], f["gamma"], f["seed"]) in keys}
    tol = 0.10 if paper else 0.15
    worst = max(slopes, key=lambda k: abs(slopes[k]["slope"] + 1)) if slopes else ""
    fit = slopes.get(worst)
    se = as_float(fit["slope_se"]) if fit else math.nan
    interval = ([fit["slope"] - sel.Z95 * se, fit["slope"] + sel.Z95 * se]
                if fit is not None and math.isfinite(se) else None)
    claims.append(sel.liu_claim(
        profile, "overlap_slope", "Figs 5d, 17", kind="quantitative",
        statement="The mean squared overlap of the norm > 1 rows scales as m^−1",
        expected=-1.0, measured=rounded(fit["slope"]) if fit else None, interval=interval,
        interval_kind=f"± 1.96 fit SE ({fit['points']} widths, one seed)" if fit else "",
        context=(f"{'worst series, ' if len(slopes) > 1 else ''}{worst}; R² "
                 f"{format_number(fit['r2'], 3)}") if fit else "",
        tolerance=f"log-log slope of MSO_strong vs m = −1 ± {tol}"
                  + (" for each γ ≤ −1/3, α ≤ 1" if paper else " (C1)"),
        tolerance_source="reduced-budget band (paper profile ± 0.10)" if not paper
        else "band around the exact −1",
        passed=bool(slopes) and all(abs(f["slope"] + 1) <= tol for f in slopes.values()),
        reason=f"slope {format_number(fit['slope'], 3)} at {worst} is off −1" if fit else
        "fewer than two widths with norm > 1 rows",
        details={"slope per series": sel.listing({
                     k: {"slope": rounded(f["slope"]), "SE": rounded(f["slope_se"], 3),
                         "R²": rounded(f["r2"])} for k, f in slopes.items()}),
                 "paper": "slope −1", "theory": rounded(-sel.theory_of(metrics, "exponent_one")),
                 "reference run (cpu)": -0.93}))
    return claims


def fraction_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    amax = 1.5 if paper else 1.0
    frac = [c for c in sel.cells_of(metrics, gamma=sel.near(-1.0)) if c["alpha"] <= amax + sel.EPS
            and c["m"] >= 15]
    margins: dict[str, tuple[float, str]] = {}
    for c in frac:
        phi, lower = as_float(c["phi_one"]), c["m"] / c["n"]
        upper = 1.5 * sel.theory_of(metrics, "strong_fraction_reference", m=c["m"], n=c["n"])
        lo_margin = phi / lower
        hi_margin = upper / phi if phi > 0 else math.inf
        margins[sel.cell_name(c)] = min((lo_margin, "lower"), (hi_margin, "upper"))
    by_series: dict[tuple, list[dict]] = {}
    for c in frac:
        by_series.setdefault((c["alpha"], c["seed"]), []).append(c)
    saved = {(s["cell_from"], s["cell_to"], s["seed"]): s for s in metrics["phi_one_steps"]}
    steps = []
    for v in by_series.values():
        ordered = sorted(v, key=lambda c: c["m"])
        for a, b in zip(ordered, ordered[1:], strict=False):
            s = saved[(a["cell_id"], b["cell_id"], a["seed"])]
            steps.append((s["step"], f"{sel.cell_name(a)}→{b['m']}", as_float(s["binomial_se"])))
    increasing = all(s > 0 for s, _, _ in steps)
    big = [as_float(c["phi_one"]) for c in frac if c["m"] == 100 and c["alpha"] <= 1 + sel.EPS]
    bounds_ok = all(m >= 1 for m, _ in margins.values())
    ok = bool(frac) and bounds_ok and increasing and (not paper or all(p >= 0.8 for p in big))
    worst = min(margins, key=lambda k: margins[k][0]) if margins else ""
    step = min(steps) if steps else (math.nan, "", math.nan)
    if not frac:
        reason = "no γ = −1 cell with m ≥ 15 in this run"
    elif not bounds_ok:
        reason = f"φ_1 breaks the {margins[worst][1]} bound at {worst}"
    elif not increasing:
        reason = f"φ_1 does not rise with m ({step[1]})"
    else:
        reason = "φ_1(m = 100) < 0.8 for some α ≤ 1"
    claims = [sel.liu_claim(
        profile, "strong_fraction_bounds", "Figs 8c, 16, eq. 15", kind="qualitative",
        statement="The number of norm > 1 rows lies between m and about m²/2, rising with m",
        expected="m/n ≤ φ_1 ≲ min(1, m²/2n)",
        measured=rounded(margins[worst][0], 3) if margins else None,
        context=(f"smallest bound margin ({margins[worst][1]}), {worst}; smallest rise "
                 f"{format_number(step[0], 3)}") if margins else "",
        tolerance=f"γ = −1, α ≤ {amax:g}, m ≥ 15: m/n ≤ φ_1 ≤ 1.5·min(1, m²/2n), φ_1 rising in m"
                  + ("; φ_1(100) ≥ 0.8" if paper else ""),
        tolerance_source="factor 1.5 on the ≈ m²/2 estimate",
        passed=ok, reason=reason,
        note="With n = 1000 the upper bound 1.5·min(1, m²/2n) exceeds 1 for m ≥ 35, so only the "
             "smaller widths test it; the rise of φ_1 with m is decided on one seed (binomial "
             "SE over rows in details, a lower bound on the seed scatter).",
        details={"φ_1 per cell": sel.listing({sel.cell_name(c): rounded(c["phi_one"])
                                              for c in frac}),
                 "bound margin per cell": sel.listing({k: rounded(v[0], 3)
                                                       for k, v in margins.items()}),
                 "rise per step": sel.listing({k: rounded(s, 3) for s, k, _ in steps}),
                 "binomial SE of the smallest rise": rounded(step[2], 2),
                 "paper": "m/n ≤ φ_1 ≲ min(1, m²/2n)",
                 "theory min(1, m²/2n)": sel.listing({
                     f"m={c['m']}": rounded(sel.theory_of(metrics, "strong_fraction_reference",
                                                          m=c["m"], n=c["n"]))
                     for c in frac if c["alpha"] == 1.0}),
                 "reference run (cpu)": "φ_1 = 0.036–0.54 over m = 15–63"})]
    rank_sel = (sel.cells_of(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + sel.EPS,
                             alpha=lambda c: c["alpha"] >= 0.5 - sel.EPS) if paper else
                sel.cells_of(metrics, gamma=sel.near(-1.0), alpha=1.0))
    rank_sel = [c for c in rank_sel if c["m"] >= 15]
    gaps = {(g["cell_id"], g["seed"]): g for g in metrics["rank_gaps"]}
    z = {sel.cell_name(c): (g["z"], g["gap"]) for c in rank_sel
         if (g := gaps.get((c["cell_id"], c["seed"]))) is not None}
    worst = min(z, key=lambda k: z[k][0]) if z else ""
    claims.append(sel.liu_claim(
        profile, "strong_rows_frequent", "Fig. 5b", kind="qualitative",
        statement="The norm > 1 rows are the frequent features (provisional)",
        expected="median rank (norm > 1) < median rank (others)",
        measured=rounded(z[worst][0], 3) if z else None,
        context=f"smallest rank gap in null SE, {worst} (gap {z[worst][1]:g})" if z else "",
        tolerance="rank gap ≥ 3 SE of a random split in every cell"
                  + (" with γ ≤ −1/3, α ≥ 0.5, m ≥ 15" if paper else " of C1 with m ≥ 15"),
        tolerance_source="sign test against a random split, 3 SE",
        passed=bool(z) and len(z) == len(rank_sel) and all(v >= 3 for v, _ in z.values()),
        reason=(f"rank gap only {format_number(z[worst][0], 2)} null SE at {worst}" if z and
                len(z) == len(rank_sel) else "a cell has every row or no row with norm > 1"),
        note="SE of the gap between the two median ranks when the k norm > 1 rows are a random "
             "subset of the n ranks: n/(2√k)·√(n/(n − k)).",
        details={"median ranks [norm > 1, others] per cell": sel.listing({
            sel.cell_name(c): [c["median_rank_strong"], c["median_rank_weak"]] for c in rank_sel}),
                 "gap in null SE per cell": sel.listing({k: rounded(v[0], 3)
                                                         for k, v in z.items()}),
                 "paper": "frequent features get norm > 1",
                 "theory": "p_i non-increasing in the rank i"}))
    return claims
