"""Claims of ``chinchilla_fit`` on the bootstrap uncertainty, the compute-optimal exponent and the
χ² test."""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import rounded, underpowered
from experiments.scaling_laws.chinchilla_fit.claims.targets import PARAMS, SYMBOL, Adder, fmt
from experiments.scaling_laws.shared.provenance import EPOCH, HOFFMANN
from theory.scaling_chinchilla import EPOCH_2024, HOFFMANN_TABLE2


def uncertainty_claims(m: dict[str, Any], add: Adder, profile: str) -> None:
    """Adds the claims on the bootstrap, the compute-optimal exponent and the χ² test."""
    fit = m["fit"]
    boot = m["bootstrap"]
    n_boot = m["bootstrap"]["n"]
    paper_profile = profile == "paper"
    ci, se = boot["ci95"], boot["se"]
    h_un = m["parameter_sets"]["hoffmann_unrounded"]
    margins = {"β below the CI": (ci["beta"][0] - h_un["beta"]) / se["beta"],
               "E below the CI": (ci["E"][0] - h_un["E"]) / se["E"],
               "α inside the CI": min(h_un["alpha"] - ci["alpha"][0],
                                      ci["alpha"][1] - h_un["alpha"]) / se["alpha"]}
    tight = min(margins, key=margins.get)
    add("hoffmann_outside_ci", labels="paper", where="bootstrap CIs", kind="qualitative",
        statement="Hoffmann's β and E lie below the bootstrap 95 % CIs; his α lies inside",
        expected="β_H < CI(β), E_H < CI(E), α_H ∈ CI(α)", measured=rounded(margins[tight], 3),
        context=f"smallest margin in bootstrap SEs, {tight}",
        tolerance="all three relations hold (Hoffmann's un-rounded values)",
        tolerance_source="CI endpoints' MC error ≈ 0.15 SE (400 resamples)",
        passed=all(v > 0 for v in margins.values()),
        reason=f"the relation '{tight}' fails",
        details={"ci95": {k: [rounded(v) for v in ci[k]] for k in PARAMS},
                 "Hoffmann un-rounded": {k: rounded(h_un[k]) for k in PARAMS},
                 "margins (SE)": {k: rounded(v, 3) for k, v in margins.items()},
                 "Epoch": "β 0.2849 < ≈0.326; E 1.6934 < ≈1.77; α 0.339 ∈ (0.319, 0.371)"})

    ratios = {k: se[k] / EPOCH_2024["notebook_se"][k] for k in ("alpha", "beta", "E", "A", "B")}
    lo, hi = (0.9, 1.1) if paper_profile else (0.8, 1.25)
    lo2, hi2 = (0.8, 1.25) if paper_profile else (0.7, 1.4)
    bands = {k: ((lo, hi) if k in PARAMS else (lo2, hi2)) for k in ratios}
    worst = max(ratios, key=lambda k: abs(math.log(ratios[k])) / math.log(bands[k][1]))
    others = ", ".join(f"{SYMBOL[k]} {fmt(v)}" for k, v in ratios.items() if k != worst)
    add("bootstrap_se", labels="paper", where="notebook bootstrap SEs (4000 resamples)",
        kind="quantitative", statement="Bootstrap SEs of the refit agree with Epoch's",
        expected=1.0, measured=rounded(ratios[worst], 3),
        context=f"SE ratio to Epoch, worst {SYMBOL[worst]}; {others}",
        tolerance=f"ratio ∈ [{lo}, {hi}] (α, β, E), [{lo2}, {hi2}] (A, B)",
        tolerance_source=f"MC error of a {n_boot}-resample SE "
                         f"(≈ {100 / math.sqrt(2 * max(n_boot - 1, 1)):.1f} %), heavier for A, B",
        passed=all(bands[k][0] <= v <= bands[k][1] for k, v in ratios.items()),
        reason=f"the bootstrap SE of {SYMBOL[worst]} disagrees with Epoch's",
        note=f"{n_boot} resamples (JAX keys) vs Epoch's 4000 (NumPy seed 42): Monte-Carlo "
             "agreement only.",
        details={"ratio": {k: rounded(v) for k, v in ratios.items()},
                 "SE": {k: rounded(se[k]) for k in ratios}, "Epoch SE": EPOCH_2024["notebook_se"]})

    tol_ab, tol_e = (0.008, 0.012) if paper_profile else (0.01, 0.015)
    diffs = {k: max(abs(ci[k][i] - EPOCH_2024["ci95"][k][i]) for i in (0, 1)) for k in PARAMS}
    lims = {"alpha": tol_ab, "beta": tol_ab, "E": tol_e}
    worst = max(diffs, key=lambda k: diffs[k] / lims[k])
    add("bootstrap_ci", labels="paper", where="95% percentile CIs", kind="quantitative",
        statement="The 95 % percentile CI endpoints of α, β and E agree with Epoch's",
        expected="Epoch: α (0.317, 0.373), β (0.331, 0.415), E (1.769, 1.871)",
        measured=rounded(diffs[worst], 3),
        context=f"largest endpoint difference, {SYMBOL[worst]} (≤ {lims[worst]:g})",
        tolerance=f"each endpoint within ±{tol_ab} (α, β), ±{tol_e} (E)",
        tolerance_source="MC error of 2.5 % quantiles (≈ 0.002 for α, β)",
        passed=all(diffs[k] <= lims[k] for k in PARAMS),
        reason=f"the CI of {SYMBOL[worst]} disagrees with Epoch's",
        details={"ci95": {k: [rounded(v) for v in ci[k]] for k in PARAMS},
                 "Epoch ci95": {k: list(EPOCH_2024["ci95"][k]) for k in PARAMS},
                 "largest endpoint difference": {k: rounded(v, 3) for k, v in diffs.items()}})

    a_fit, a_se = fit["a_opt"], se["a_opt"]
    a_h3 = HOFFMANN_TABLE2["approach_3"]["a"][0]
    z_h = (a_fit - a_h3) / a_se
    power = underpowered(EPOCH_2024["a"] - a_h3, a_se,
                         what="gap (Epoch's a − Hoffmann's a)")
    add("compute_optimal_exponent", labels="paper", where="Table 2; Epoch a = 0.5126",
        paper_name=f"{HOFFMANN}; {EPOCH}", kind="quantitative",
        statement="The refit's compute-optimal exponent a = β/(α+β) equals Epoch's 0.5126",
        expected=EPOCH_2024["a"], measured=rounded(a_fit, 4),
        interval=[rounded(v) for v in ci["a_opt"]],
        interval_kind=f"95% bootstrap percentile, {n_boot} resamples",
        context=f"{fmt(z_h)} SE above Hoffmann's 0.46",
        tolerance="|a − 0.5126| ≤ 0.005", tolerance_source="flatness of the optimum (sum vs "
                                                            "likelihood fit)",
        passed=abs(a_fit - EPOCH_2024["a"]) <= 0.005, reason="the refit's a is off Epoch's",
        note="Hoffmann's Approach 3 gives 0.46 (approaches 1, 2: 0.50, 0.49). The refit lies "
             f"{fmt(z_h)} bootstrap SEs above 0.46: a 2-SE test rejects 0.46, but the gap is "
             "below 3 SEs, so the inconsistency is reported here, not counted as a verdict. "
             "The data are fixed: more compute cannot sharpen it.",
        details={"a": rounded(a_fit, 5), "bootstrap SE": rounded(a_se, 3),
                 "z vs 0.46": rounded(z_h, 3),
                 "inconsistency with 0.46": power or "powered at 3 SE",
                 "Epoch": EPOCH_2024["a"], "Hoffmann approach 3": a_h3,
                 "Hoffmann approaches 1, 2": [0.50, 0.49],
                 "closed form from the refit": rounded(m["compute_optimal"]["refit"]["a"], 5)})

    width, needed = boot["a_opt_width_10_90"], boot["n_needed"]
    n_lo, n_hi = (4e5, 9e5) if paper_profile else (3e5, 1.2e6)
    add("hoffmann_a_ci_implausible", labels="paper", where="on Hoffmann's CIs",
        kind="quantitative",
        statement="Hoffmann's 80 % CI width for a (0.001) would need about 6e5 runs",
        expected=EPOCH_2024["n_needed"], measured=rounded(needed, 3),
        context=f"runs needed = 240·(w/0.001)²; 10-90 % width w {fmt(width)}",
        tolerance=f"w ≥ 0.02; runs needed ∈ [{n_lo:.1e}, {n_hi:.1e}]",
        tolerance_source="factor-2 band; MC error of runs needed ≈ 10 %",
        passed=width >= 0.02 and n_lo <= needed <= n_hi,
        reason="the bootstrap width of a does not give Epoch's number of runs",
        note="Epoch: 'over 600,000' runs; Hoffmann ran about 400.",
        details={"width 10-90": rounded(width, 3), "runs needed": rounded(needed, 3),
                 "Epoch": EPOCH_2024["n_needed"], "Hoffmann CI": [0.454, 0.455]})

    chi2 = boot["chi2"]
    chi2_min = 150 if paper_profile else 100
    add("chi2_hoffmann_vs_refit", labels="paper", where="χ² test with bootstrap covariance",
        kind="quantitative",
        statement="A χ² test (df 5) with the bootstrap covariance rejects Hoffmann's un-rounded "
                  "parameters",
        expected="χ² ≫ 20.5 (p < 1e-3)", measured=rounded(chi2, 4),
        context=f"log10 p = {fmt(boot['chi2_log10_p'])}",
        tolerance=f"χ² ≥ {chi2_min}",
        tolerance_source="margin over rejection for MC error of the covariance",
        passed=chi2 >= chi2_min, reason="the χ² statistic is too small to reject Hoffmann's set",
        note="Reference runs gave χ² ≈ 210-250 (depends on the bootstrap stream); p ≤ 1e-3 needs "
             "χ² ≥ 20.5.",
        details={"chi2": rounded(chi2), "log10 p": rounded(boot["chi2_log10_p"], 3)})
