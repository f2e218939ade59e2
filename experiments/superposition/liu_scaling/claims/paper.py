"""Paper-only claims of ``liu_scaling``: checked on the paper profile, 'not run' on cpu, 'not
checked' on smoke (where the toy-size parts still give finite values)."""

from __future__ import annotations

import math

import numpy as np

from experiments.common.claims import Claim, format_number, rounded
from experiments.common.results import as_float
from experiments.superposition.liu_scaling.claims import selection as sel

LARGE_STRONG_PAPER = {"exponential": 1.01, "power": 1.0, "linear": 0.89}


def _variance_ratio(metrics: dict, profile: str) -> Claim:
    chosen = sel.cells_of(metrics, gamma=lambda c: abs(c["gamma"] + 5 / 9) < sel.EPS,
                          alpha=lambda c: c["alpha"] <= 1 + sel.EPS, m=lambda c: c["m"] >= 25)
    ratios = {sel.cell_name(c): as_float(c["var_ratio"]) for c in chosen}
    below = [math.isfinite(v) and v < 1 for v in ratios.values()]
    frac = float(np.mean(below)) if chosen else None
    return sel.liu_claim(
        profile, "variance_ratio", "Fig. 5c", check_on=sel.PAPER_ONLY, kind="qualitative",
        statement="Frequent rows are ETF-like: their squared overlaps vary less than random ones",
        expected="VSO_strong / random value < 1", measured=rounded(frac, 3),
        context=f"fraction of {len(chosen)} cells below 1" if chosen else "",
        tolerance="ratio < 1 in ≥ 80 % of cells with α ≤ 1, m ≥ 25 at γ = −5/9",
        tolerance_source="majority rule, 80 % of cells",
        passed=bool(chosen) and frac >= 0.8,
        reason=f"only {format_number(frac, 3)} of the cells below 1" if chosen else
        "no γ = −5/9 cell with α ≤ 1, m ≥ 25",
        details={"VSO_strong / random value per cell": sel.listing({k: rounded(v) for k, v in
                                                                    ratios.items()}),
                 "theory": "random value 2(m−1)/(m²(m+2)) (random_overlap_moments)",
                 "paper": "VSO_strong / random value < 1"})


def _weak_exponent(metrics: dict, profile: str) -> Claim:
    score: dict[tuple, float] = {}
    for c in sel.cells_of(metrics):
        if c["ambiguity"] is not None and c["seed"] == 0:
            key = (round(c["gamma"], 6), c["alpha"])
            score[key] = max(score.get(key, 0.0), as_float(c["ambiguity"]))
    best = sorted(score, key=lambda k: (score[k], k))[:9]
    fits = {(round(f["gamma"], 6), f["alpha"]): as_float(f["alpha_m"])
            for f in sel.fits_of(metrics, "small", "all", seed=0)}
    dev = {k: abs(fits.get(k, math.nan) - (k[1] - 1.0)) for k in best}
    close = [math.isfinite(v) and v <= 0.25 for v in dev.values()]
    need = min(7, len(best))
    label = {k: f"γ={sel.gamma_text(k[0])} α={k[1]:g}" for k in best}
    return sel.liu_claim(
        profile, "weak_exponent", "Fig. 4b, Result 1", check_on=sel.PAPER_ONLY, kind="quantitative",
        statement="Power law in, power law out: near-ideal weak models have α_m = α − 1",
        expected="α_m = α − 1", measured=sum(close) if best else None,
        context=f"pairs of {len(best)} within ± 0.25" if best else "",
        tolerance="9 least-ambiguous (γ, α) pairs: all γ > 0; |α_m − (α − 1)| ≤ 0.25 for ≥ 7",
        tolerance_source="± 0.25 per fit; 2 of 9 may miss",
        passed=bool(best) and all(g > 0 for g, _ in best) and sum(close) >= need,
        reason="a least-ambiguous pair has γ < 0" if any(g <= 0 for g, _ in best) else
        f"only {sum(close)} of {len(best)} pairs with α_m within 0.25 of α − 1",
        note="ambiguity: spectral norm of W Wᵀ − diag(I_m, 0) (App. D.5), max over m per pair",
        details={"α_m per pair": {label[k]: rounded(fits.get(k)) for k in best},
                 "theory α − 1 per pair": {label[k]: rounded(k[1] - 1.0) for k in best},
                 "ambiguity per pair": {label[k]: rounded(score[k], 3) for k in best},
                 "paper": "α_m = α − 1"})


def _large_claims(metrics: dict, profile: str) -> list[Claim]:
    strong = {f["kind"]: f for f in sel.fits_of(metrics, "large", "paper",
                                                gamma=lambda f: f["gamma"] < 0, seed=0)}
    dev = {k: abs(as_float(f["alpha_m"]) - LARGE_STRONG_PAPER[k]) for k, f in strong.items()}
    worst = max(dev, key=dev.get) if dev else ""
    ok = len(strong) == 3 and all(
        dev[k] <= 0.10 and as_float(f["r2"]) >= 0.95 for k, f in strong.items())
    weak = {f["kind"]: f for f in sel.fits_of(metrics, "large", "paper",
                                              gamma=lambda f: f["gamma"] > 0, seed=0)}
    r2 = {k: as_float(f["r2"]) for k, f in weak.items()}
    lin = sorted(sel.cells_of(metrics, "large", kind="linear", gamma=lambda c: c["gamma"] > 0,
                              seed=0), key=lambda c: c["m"])
    drop = 1.0 - as_float(lin[-1]["L"]) / as_float(lin[0]["L"]) if len(lin) >= 2 else math.nan
    weak_ok = (len(r2) == 3 and r2["power"] >= 0.97 and r2["exponential"] <= 0.90
               and r2["linear"] <= 0.93 and drop < 0.4)
    weak_cells = sel.cells_of(metrics, "large", gamma=lambda c: c["gamma"] > 0)
    ratios = {sel.cell_name(c): as_float(c["ratio_discrete"]) for c in weak_cells}
    finite = {k: v for k, v in ratios.items() if math.isfinite(v)}
    far = max(finite, key=lambda k: abs(finite[k] - 1)) if finite else ""
    return [
        sel.liu_claim(
            profile, "large_strong_exponents", "Fig. 1d, App. D.1", check_on=sel.PAPER_ONLY,
            kind="quantitative",
            statement="Strong superposition gives robust 1/m scaling for three frequency laws "
                      "(n = 10240)",
            expected="1.01 / 1.0 / 0.89 (exp / power 1.2 / linear)",
            measured=rounded(strong[worst]["alpha_m"]) if strong else None,
            interval=sel.fit_interval(strong.get(worst)), interval_kind=sel.FIT_CI,
            context=f"farthest from the paper, {worst}" if strong else "",
            tolerance="each α_m within ± 0.10 of the paper value on the paper windows; R² ≥ 0.95",
            tolerance_source="paper's reported ± 0.05–0.1",
            passed=ok,
            reason=f"α_m or R² off for the {worst} law" if strong else "no large-model fits",
            details={"fits": {sel.fit_name(f): sel.fit_record(f) for f in strong.values()},
                     "paper": "1.01 ± 0.05 (exp), 1.0 ± 0.1 (power 1.2), 0.89 ± 0.05 (linear)",
                     "theory": "≈ 1 (overlap ∝ 1/m)"}),
        sel.liu_claim(
            profile, "large_weak_powerlaw", "Figs 1b, 9a (R² 0.80 / 0.99 / 0.865)",
            check_on=sel.PAPER_ONLY, kind="qualitative",
            statement="At weak superposition only power-law frequencies give a power law in m",
            expected="R² high only for the power law", measured=rounded(r2.get("power")),
            context=(f"R² of the power law; exponential {format_number(r2['exponential'], 3)}, "
                     f"linear {format_number(r2['linear'], 3)}") if len(r2) == 3 else "",
            tolerance="R²: power ≥ 0.97, exponential ≤ 0.90, linear ≤ 0.93; linear-law L drops "
                      "< 40 %",
            tolerance_source="paper's R² values with margins",
            passed=weak_ok, reason="an R² or the linear-law drop is on the wrong side",
            details={"R² per law": {k: rounded(v) for k, v in r2.items()},
                     "linear L drop, smallest to largest m": rounded(drop),
                     "theory: power 1.2, α − 1": rounded(
                         sel.theory_of(metrics, "weak_exponent_alpha_1.2")),
                     "paper R²": {"exponential": 0.80, "power": 0.99, "linear": 0.865}}),
        sel.liu_claim(
            profile, "large_weak_theory", "Fig. 8b", check_on=sel.PAPER_ONLY, kind="quantitative",
            statement="The weak loss matches the discrete ignored frequency mass (provisional)",
            expected=1.0, measured=rounded(finite[far]) if finite else None,
            context=f"farthest from 1, {far}" if finite else "",
            tolerance="L / (4/3 Σ_{i ≥ k_1/2} p_i) ∈ [0.8, 1.3] at every m, γ = 0.1",
            tolerance_source="provisional band, paper's Fig. 8b scatter",
            passed=bool(ratios) and len(finite) == len(ratios)
            and all(0.8 <= v <= 1.3 for v in finite.values()),
            reason=f"ratio {format_number(finite[far], 3)} at {far}" if finite else
            "no weak large-model cell",
            details={"ratio per cell": sel.listing({k: rounded(v) for k, v in ratios.items()}),
                     "theory": "4/3 Σ_{i ≥ k_1/2} p_i at each cell's measured k_1/2",
                     "paper": "L / (4/3 Σ_{i ≥ k_1/2} p_i) ≈ 1"}),
    ]


def _density(metrics: dict, profile: str) -> Claim:
    cells = sel.cells_of(metrics, "density", seed=0)
    m_ref = metrics["density_correlations"]["m"]
    rs = {f"γ={sel.gamma_text(e['gamma'])}": e["r"]
          for e in metrics["density_correlations"]["per_gamma"]}
    exps = {f"E={f['E']:.3g} γ={sel.gamma_text(f['gamma'])}": as_float(f["alpha_m"])
            for f in sel.fits_of(metrics, "density", "all", seed=0)
            if f["gamma"] <= -5 / 9 + sel.EPS}
    n_gammas = len({c["gamma"] for c in cells})
    low = min(rs, key=rs.get) if rs else ""
    ok = (bool(rs) and len(rs) == n_gammas and min(rs.values()) >= 0.98 and bool(exps)
          and all(0.9 <= v <= 1.3 for v in exps.values()))
    return sel.liu_claim(
        profile, "density_linear", "Figs 14, 15 (1.12 ± 0.06 … 1.1 ± 0.2)", check_on=sel.PAPER_ONLY,
        kind="quantitative",
        statement="Loss grows linearly with the activation density E; the exponent is unchanged",
        expected="r(L, E) ≈ 1; α_m ≈ 1.1", measured=rounded(rs[low]) if rs else None,
        context=(f"smallest Pearson r, {low}, m={m_ref}; α_m {format_number(min(exps.values()), 3)}"
                 f"–{format_number(max(exps.values()), 3)}") if rs and exps else "",
        tolerance="Pearson r(L, E) ≥ 0.98 at m = 63 for each γ; α_m ∈ [0.9, 1.3] at γ ≤ −5/9",
        tolerance_source="paper's 1.1 ± 0.2 for α_m",
        passed=ok, reason="L is not linear in E or α_m leaves [0.9, 1.3]",
        details={"Pearson r per γ": {k: rounded(v) for k, v in rs.items()}, "m": m_ref,
                 "α_m per (E, γ)": sel.listing({k: rounded(v) for k, v in exps.items()}),
                 "paper": "linear in E; α_m ≈ 1.1", "theory": "L ∝ E"})


def _large_m(metrics: dict, profile: str) -> Claim:
    fits = sel.fits_of(metrics, "fig18", "all", seed=0)
    low = [f for f in fits if f["alpha"] <= 1.25 + sel.EPS]
    high = [f for f in fits if f["alpha"] >= 1.75 - sel.EPS]
    worst = max(low, key=lambda f: abs(as_float(f["alpha_m"]) - 1.0), default=None)
    ok = bool(low) and all(0.8 <= as_float(f["alpha_m"]) <= 1.25 for f in low) and all(
        as_float(f["alpha_m"]) < sel.theory_of(metrics, "strong_exponent_worst", alpha=f["alpha"])
        + 0.2 for f in high)
    return sel.liu_claim(
        profile, "strong_large_m", "Fig. 18", "reconstructed", check_on=sel.PAPER_ONLY,
        kind="quantitative",
        statement="With m²/2 > n, α_m ≈ 1 for α < 1.5 (provisional; m grid reconstructed)",
        expected=1.0, measured=rounded(worst["alpha_m"]) if worst else None,
        interval=sel.fit_interval(worst), interval_kind=sel.FIT_CI,
        context=f"farthest from 1 for α ≤ 1.25, {sel.fit_name(worst)}" if worst else "",
        tolerance="α_m ∈ [0.8, 1.25] for α ≤ 1.25; α_m < 2(α − 1) + 0.2 for α ≥ 1.75",
        tolerance_source="provisional band around 1",
        passed=ok, reason=f"α_m at {sel.fit_name(worst)} or an α ≥ 1.75 fit is out of bounds"
        if worst else "no Fig. 18 fits",
        note="m ∈ {50, 62, 77, 96, 120, 150} (6 log-spaced values in [50, 150]) is reconstructed",
        details={"α_m per α": {f"α={f['alpha']:g}": rounded(f["alpha_m"]) for f in fits},
                 "theory 2(α − 1) for α ≥ 1.75": {
                     f"α={f['alpha']:g}": rounded(
                         sel.theory_of(metrics, "strong_exponent_worst", alpha=f["alpha"]))
                     for f in high},
                 "paper": "≈ 1", "fit interval": f"± {sel.Z95} SE"})


def paper_only_claims(metrics: dict, profile: str) -> list[Claim]:
    return [_variance_ratio(metrics, profile), _weak_exponent(metrics, profile),
            *_large_claims(metrics, profile), _density(metrics, profile),
            _large_m(metrics, profile)]
