"""Loss and exponent claims of ``liu_scaling``: strong against weak loss, the width exponents
α_m at strong and weak superposition, their growth with α, the weak-regime theory and the random
overlap reference."""

from __future__ import annotations

import math

import numpy as np

from experiments.common.claims import Claim, format_number, rounded, underpowered
from experiments.common.results import as_float
from experiments.superposition.liu_scaling.claims import selection as sel


def loss_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    weak_gamma = 1 / 3 if paper else 5 / 9
    strong_c = {c["m"]: c
                for c in sel.cells_of(metrics, gamma=sel.near(-1.0), alpha=1.0, seed=0)}
    weak_c = {c["m"]: c
              for c in sel.cells_of(metrics, gamma=sel.near(weak_gamma), alpha=1.0, seed=0)}
    both = sorted(set(strong_c) & set(weak_c))
    ratio = {m: as_float(strong_c[m]["L"]) / as_float(weak_c[m]["L"]) for m in both}
    gap_z = {m: (as_float(weak_c[m]["L"]) - as_float(strong_c[m]["L"]))
             / math.hypot(as_float(strong_c[m]["L_se"]), as_float(weak_c[m]["L_se"])) for m in both}
    worst = max(ratio, key=ratio.get) if ratio else None
    gap = {m: abs(as_float(weak_c[m]["L"]) - as_float(strong_c[m]["L"])) for m in both}
    se = {m: math.hypot(as_float(strong_c[m]["L_se"]), as_float(weak_c[m]["L_se"])) for m in both}
    tight = min(both, key=lambda m: gap[m] / se[m] if se[m] > 0 else math.inf) if both else None
    floor = {e["m"]: e["value"] for e in sel.theory_of(metrics, "weak_floor_eq14_alpha1")["per_m"]}
    return [sel.liu_claim(
        profile, "strong_beats_weak", "Figs 1, 9b", kind="qualitative",
        statement="Strong superposition has lower loss than weak superposition (α = 1)",
        expected=f"L(γ = −1) < L(γ = {sel.gamma_text(weak_gamma)})",
        measured=rounded(ratio[worst], 3) if ratio else None,
        context=(f"largest ratio L(−1)/L({sel.gamma_text(weak_gamma)}), m={worst}; "
                 f"{format_number(gap_z[worst], 3)} eval SE") if ratio else "",
        tolerance=f"ratio < 1 at every m ({', '.join(map(str, both))}), seed 0",
        tolerance_source="sign test; gaps powered at ≥ 3 eval SE",
        passed=bool(both) and all(v < 1 for v in ratio.values()),
        not_run=underpowered(gap[tight], se[tight], what=f"loss gap (m = {tight})")
        if both else "needs α = 1 at both γ",
        reason=f"L(γ = −1) ≥ L(γ = {sel.gamma_text(weak_gamma)}) at m = {worst}",
        note="Error estimate: the standard error over evaluation batches; the seed-to-seed "
             "scatter of L is not measured (one seed).",
        details={"L(−1)/L(weak) per m": {f"m={m}": rounded(v) for m, v in ratio.items()},
                 "gap in eval SE per m": {f"m={m}": rounded(v, 3) for m, v in gap_z.items()},
                 "theory: weak floor 4/3·eq. 14 at k = m": {
                     f"m={m}": rounded(floor[m]) for m in both},
                 "reference run (cpu) ratios": [0.86, 0.50, 0.22]})]


def exponent_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    window = "all" if paper else "window"
    mid = (-7 / 9, -5 / 9, -1 / 3)
    one = sel.theory_of(metrics, "exponent_one")

    def in_mid(f: dict) -> bool:
        return any(abs(f["gamma"] - g) < sel.EPS for g in mid)

    strong = sel.near(-1.0)
    c1_fit = next(iter(sel.fits_of(metrics, "small", window, alpha=1.0, gamma=strong)), None)
    c1_all = next(iter(sel.fits_of(metrics, "small", "all", alpha=1.0, gamma=strong)), None)
    c2_fit = next(iter(sel.fits_of(metrics, "small", window, alpha=1.5, gamma=strong)), None)
    if paper:
        a1 = [f for f in sel.fits_of(metrics, "small", "all",
                                     alpha=lambda f: f["alpha"] <= 1.25 + sel.EPS)
              if in_mid(f)]
        worst = max(a1, key=lambda f: abs(as_float(f["alpha_m"]) - 1.0), default=None)
        a1_ok = bool(a1) and all(0.75 <= as_float(f["alpha_m"]) <= 1.25 for f in a1)
        a1_details = sel.listing({sel.fit_name(f): rounded(f["alpha_m"]) for f in a1})
        a1_tol = "all 6 m: α_m ∈ [0.75, 1.25] for every α ≤ 1.25, γ ∈ {−7/9, −5/9, −1/3}"
        a1_band = 0.25
    else:
        worst = c1_fit
        a1_ok = c1_fit is not None and abs(as_float(c1_fit["alpha_m"]) - 1.0) <= 0.15
        a1_details = {"C1, m ∈ window": sel.fit_record(c1_fit) if c1_fit else None,
                      "C1, all m (report only)": sel.fit_record(c1_all) if c1_all else None}
        a1_tol = "C1 fit on m ∈ [25, 63]: |α_m − 1| ≤ 0.15"
        a1_band = 0.15
    # The band can only tell α_m from 1 where it spans three fit SEs (at cpu, three widths and
    # one seed: SE 0.15–0.2, and seeds 0 and 1 of one code gave 1.145 and 1.177 on both sides).
    a1_power = underpowered(a1_band, as_float(worst.get("alpha_m_se")) if worst else math.nan,
                            what="the band half-width around α_m = 1")
    claims = [sel.liu_claim(
        profile, "strong_exponent_alpha1", "Figs 9b, 14b (1.12 ± 0.06 at E = 1)",
        kind="finite-size",
        statement="Strong superposition gives 1/m loss scaling for Zipf frequencies (α = 1)",
        expected="1 (1/m)", measured=rounded(worst["alpha_m"]) if worst else None,
        interval=sel.fit_interval(worst), interval_kind=sel.FIT_CI,
        context=(f"{sel.fit_name(worst)}, m ∈ {worst['ms']}"
                 + (f"; all m {format_number(as_float(c1_all['alpha_m']), 3)}"
                    if c1_all and not paper else "")) if worst else "",
        tolerance=a1_tol,
        tolerance_source="finite-budget allowance" if not paper else "band around 1",
        passed=a1_ok, reason=f"α_m at {sel.fit_name(worst)} is off 1" if worst else "no fit",
        not_run=a1_power,
        note="" if paper else "The reduced budget (B = 512, 5 000 steps) leaves the small widths "
             "unconverged, so the cpu fit uses m ≥ 25 only (three widths, one degree of freedom "
             "in the fit SE); the all-width fit is reported, not asserted.",
        details={"fits": a1_details, "paper": "α_m ≈ 1 (1.12 ± 0.06 at E = 1)",
                 "theory": rounded(one),
                 "reference run (cpu)": "1.00 on m ∈ [25, 63]; 0.81 all m"})]
    if paper:
        sk = [f for f in sel.fits_of(metrics, "small", "all", alpha=2.0) if in_mid(f)]
        sk_alpha, lo, hi, effect = 2.0, 1.6, 2.4, 1.0
    else:
        sk = [c2_fit] if c2_fit else []
        sk_alpha, lo, hi, effect = 1.5, 1.0, 1.4, 0.2
    ses = [as_float(f.get("alpha_m_se")) for f in sk]
    worst = max(sk, key=lambda f: abs(as_float(f["alpha_m"]) - (lo + hi) / 2), default=None)
    claims.append(sel.liu_claim(
        profile, "strong_exponent_skewed", "Fig. 5e, App. A.1", kind="finite-size",
        statement=f"The strong-regime exponent rises above 1 for skewed frequencies (α = "
                  f"{sk_alpha:g})",
        expected="1.1–1.3 (paper)" if not paper else "2.0–2.2 (paper)",
        measured=rounded(worst["alpha_m"]) if worst else None, interval=sel.fit_interval(worst),
        interval_kind=sel.FIT_CI,
        context=f"{sel.fit_name(worst)}, m ∈ {worst['ms']}" if worst else "",
        tolerance=f"α_m ∈ [{lo}, {hi}]" + (" for γ ∈ {−7/9, −5/9, −1/3}" if paper else
                                          " (C2, m ∈ [25, 63])"),
        tolerance_source="band around the paper's range",
        passed=bool(sk) and all(lo <= as_float(f["alpha_m"]) <= hi for f in sk),
        not_run=underpowered(effect, max(ses, default=math.nan),
                             what="expected excess α_m − 1"),
        reason=f"α_m at {sel.fit_name(worst)} is outside the band" if worst else "no fit",
        details={"fits": {sel.fit_name(f): sel.fit_record(f) for f in sk},
                 "paper": "α_m ≈ 1.1–1.3 at α = 1.5; ≈ 2.0–2.2 at α = 2",
                 "theory": {"1/m": rounded(one),
                            "2(α − 1) worst case": rounded(sel.theory_of(
                                metrics, "strong_exponent_worst", alpha=sk_alpha))}}))
    claims.append(_growth_claim(metrics, profile, c1_fit, c2_fit))
    weak = sel.fits_of(metrics, "small", "all", alpha=1.0,
                       gamma=lambda f: f["gamma"] >= 1 / 3 - sel.EPS)
    wtol = 0.5 if paper else 0.35
    top = max(weak, key=lambda f: as_float(f["alpha_m"]), default=None)
    claims.append(sel.liu_claim(
        profile, "weak_flat_alpha1", "Fig. 9b (weak region 0–0.5)", kind="qualitative",
        statement="The weak regime at α = 1 gives almost no loss decay with width",
        expected="α_m ≈ 0", measured=rounded(top["alpha_m"]) if top else None,
        interval=sel.fit_interval(top), interval_kind=sel.FIT_CI,
        context=f"largest, {sel.fit_name(top)}, m ∈ {top['ms']}" if top else "",
        tolerance=f"α_m (fit over all m) < {wtol} for every γ ≥ 1/3 at α = 1"
                  + ("" if paper else " (C3)"),
        tolerance_source="well below the strong-regime value 1",
        passed=bool(weak) and all(as_float(f["alpha_m"]) < wtol for f in weak),
        reason=f"α_m = {format_number(as_float(top['alpha_m']), 3)} at {sel.fit_name(top)}" if top
        else "no weak fit at α = 1",
        details={"fits": sel.listing({sel.fit_name(f): rounded(f["alpha_m"]) for f in weak}),
                 "paper": "α_m small",
                 "theory": "α − 1 = 0 (loss ∝ −ln φ / ln n for α ≤ 1)",
                 "reference run (cpu)": 0.05}))
    return claims


def _growth_claim(metrics: dict, profile: str, c1_fit: dict | None,
                  c2_fit: dict | None) -> Claim:
    """α_m grows with α: cpu C2 − C1 (expected +0.2), paper α = 2 − α = 1 per γ (≈ +1)."""
    paper = profile == "paper"
    diffs: dict[str, tuple[float, float]] = {}
    if paper:
        mid = (-7 / 9, -5 / 9, -1 / 3)
        a1 = {round(f["gamma"], 6): f for f in sel.fits_of(metrics, "small", "all", alpha=1.0)}
        for f in sel.fits_of(metrics, "small", "all", alpha=2.0):
            g = round(f["gamma"], 6)
            if g in a1 and any(abs(f["gamma"] - x) < sel.EPS for x in mid):
                diffs[f"γ={sel.gamma_text(f['gamma'])}"] = (
                    as_float(f["alpha_m"]) - as_float(a1[g]["alpha_m"]),
                    math.hypot(as_float(f.get("alpha_m_se")), as_float(a1[g].get("alpha_m_se"))))
        effect, need, threshold = 1.0, 3, 0.5
    else:
        if c1_fit and c2_fit:
            diffs["C2 − C1"] = (as_float(c2_fit["alpha_m"]) - as_float(c1_fit["alpha_m"]),
                                math.hypot(as_float(c2_fit.get("alpha_m_se")),
                                           as_float(c1_fit.get("alpha_m_se"))))
        effect, need, threshold = 0.2, 1, 0.0
    worst = min(diffs, key=lambda k: diffs[k][0]) if diffs else ""
    se = max((s for _, s in diffs.values()), default=math.nan)
    d, s = diffs.get(worst, (math.nan, math.nan))
    return sel.liu_claim(
        profile, "exponent_grows_with_alpha", "Figs 5e, 9b", kind="qualitative",
        statement="α_m increases with the data exponent α at strong superposition",
        expected="α_m(1.5) − α_m(1) ≈ +0.2" if not paper else "α_m(2) − α_m(1) ≈ +1",
        measured=rounded(d, 3) if diffs else None,
        interval=[d - sel.Z95 * s, d + sel.Z95 * s] if diffs and math.isfinite(s) else None,
        interval_kind="± 1.96 SE of the difference (one seed)",
        context=f"smallest difference, {worst}" if diffs else "",
        tolerance=("α_m(C2) − α_m(C1) > 0 on m ∈ [25, 63]" if not paper else
                   "α_m(2) − α_m(1) ≥ 0.5 for each γ ∈ {−7/9, −5/9, −1/3}"),
        tolerance_source="sign test; expected growth powered at ≥ 3 SE",
        passed=len(diffs) >= need and all(v > threshold if not paper else v >= threshold
                                          for v, _ in diffs.values()),
        not_run=underpowered(effect, se, what="expected growth of α_m")
        if diffs else "needs fits at both α",
        reason=f"α_m difference {format_number(d, 3)} at {worst}",
        note="" if paper else "One seed and three widths per fit at B = 512, 5 000 steps; the "
             "paper profile tests α = 2 against α = 1 (expected difference ≈ 1).",
        details={"difference and SE": {k: {"Δα_m": rounded(v), "SE": rounded(e, 3)}
                                       for k, (v, e) in diffs.items()},
                 "fits": {"C1": sel.fit_record(c1_fit) if c1_fit else None,
                          "C2": sel.fit_record(c2_fit) if c2_fit else None} if not paper else {},
                 "paper": "α_m(1.5) − α_m(1) ≈ +0.2; α_m(2) ≈ 2.0–2.2",
                 "theory: 2(α − 1) at α = 1.5 minus at 1": rounded(
                     sel.theory_of(metrics, "strong_exponent_worst", alpha=1.5)
                     - sel.theory_of(metrics, "strong_exponent_worst", alpha=1.0))})


def theory_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    chosen = sel.cells_of(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - sel.EPS,
                          alpha=lambda c: c["alpha"] <= 1 + sel.EPS)
    ratios = {sel.cell_name(c): as_float(c["ratio_eq14"]) for c in chosen}
    finite = {k: v for k, v in ratios.items() if math.isfinite(v)}
    lo, hi = (0.95, 1.3) if paper else (0.95, 1.25)
    inside = [lo <= v <= hi for v in finite.values()]
    worst = max(finite, key=lambda k: max(lo - finite[k], finite[k] - hi)) if finite else ""
    if paper:
        frac = float(np.mean(inside)) if ratios else math.nan
        ok = bool(ratios) and len(finite) == len(ratios) and frac >= 0.8
        measured, context = rounded(frac, 3), f"fraction of {len(ratios)} cells in [{lo}, {hi}]"
        tol = f"≥ 80 % of cells with γ ≥ 1/3, α ≤ 1 have the ratio in [{lo}, {hi}]"
    else:
        ok = bool(ratios) and len(finite) == len(ratios) and all(inside)
        measured = rounded(finite[worst]) if finite else None
        context = (f"worst, {worst}; range {format_number(min(finite.values()), 3)}–"
                   f"{format_number(max(finite.values()), 3)}") if finite else ""
        tol = f"L / (4/3 · eq. 14) ∈ [{lo}, {hi}] at every m of C3"
    claims = [sel.liu_claim(
        profile, "weak_theory", "eq. 4, eq. 14, Fig. 4a", kind="quantitative",
        statement="The weak-regime loss is the frequency mass of the ignored features",
        expected=1.0, measured=measured, context=context, tolerance=tol,
        tolerance_source="eq. 14's bias (≈ +10 % at α = 1) plus training excess",
        passed=ok, reason=f"ratio outside [{lo}, {hi}] at {worst}" if finite else
        "no weak cell with α ≤ 1",
        note="eq. 14 (integral) exceeds the discrete tail by 9–11 % at α = 1; for α > 1 the "
             "ratios are reported, not asserted.",
        details={"L / (4/3 · eq. 14) per cell": sel.listing({k: rounded(v)
                                                             for k, v in ratios.items()}),
                 "L / discrete tail per cell": sel.listing({
                     sel.cell_name(c): rounded(c["ratio_discrete"]) for c in chosen}),
                 "theory 4/3 · eq. 14 per cell": sel.listing({
                     sel.cell_name(c): rounded(c["pred_eq14"]) for c in chosen}),
                 "paper": "L / (4/3 · eq. 14 at measured φ_1/2) ≈ 1",
                 "reference run (cpu)": "1.06–1.07"})]
    ref = metrics["overlap_reference"]
    z = {}
    for e in ref:
        z[f"mean, m={e['m']}"] = abs(e["mean"] - e["theory_mean"]) / e["mean_se"]
        z[f"variance, m={e['m']}"] = abs(e["var"] - e["theory_var"]) / e["var_se"]
    worst = max(z, key=z.get) if z else ""
    claims.append(sel.liu_claim(
        profile, "random_overlap_reference", "§3.2", "theory", kind="identity",
        statement="Random unit vectors: squared overlap has mean 1/m and variance "
                  "2(m−1)/(m²(m+2))",
        expected=0.0, measured=rounded(z[worst], 3) if z else None,
        context=f"largest |z|, {worst} ({ref[0]['pairs']} pairs)" if z else "",
        tolerance="Monte Carlo mean and variance within 3 SE of the closed form at every m",
        tolerance_source="Monte Carlo SE, 3 SE", passed=bool(z) and max(z.values()) <= 3.0,
        reason=f"the Monte Carlo {worst} is {format_number(z[worst], 3)} SE off" if z else
        "no Monte Carlo reference in this run",
        details={"|z| per moment": {k: rounded(v, 3) for k, v in z.items()},
                 "theory [mean, variance]": {
                     f"m={e['m']}": [rounded(e["theory_mean"]), rounded(e["theory_var"])]
                     for e in ref},
                 "Monte Carlo [mean, variance]": {
                     f"m={e['m']}": [rounded(e["mean"]), rounded(e["var"])] for e in ref},
                 "paper": "exact"}))
    return claims
