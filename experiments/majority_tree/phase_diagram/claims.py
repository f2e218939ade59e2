"""Claims of the phase-diagram experiment (ids ``phase_diagram.*``), read from metrics only.

Exact checks (slopes, thresholds, boundary, fixed points) are ``identity`` or, where a finite
depth or a finite distance from α = 1 leaves a known correction, ``finite-size``; the Monte Carlo
checks are ``quantitative`` (binomial SE with the family-wise z_K of the pillar) or, for the sign
rule, ``qualitative`` on cells powered at ≥ 5 SE. The table of fixed points the bisection is
compared with was computed by this project from the same formulas: that claim is ``regression``.
No target comes from the paper's own simulations (its full text was unavailable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim, rounded
from experiments.majority_tree.shared.provenance import PAPER_VALUE_NONE, source

BINOMIAL = "binomial SE; family-wise z_K at rate 1e−3"
FLOAT64 = "numerical precision (float64)"


def _claim(profile: str, short: str, labels: str, where: str, *, details: dict | None = None,
           cited: str | None = None, **fields: Any) -> Claim:
    return make_claim(
        profile=profile, id=f"phase_diagram.{short}",
        source=source(labels, where) if cited is None else source(labels, where, cited),
        label=labels.split(",")[0].strip(),
        details={"paper": PAPER_VALUE_NONE, **(details or {})}, **fields)


def make_claims(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                profile: str) -> list[Claim]:
    return [*_exact_claims(config, metrics, profile), *_fixed_point_claims(metrics, profile),
            *_monte_carlo_claims(config, metrics, profile)]


def _exact_claims(config: Any, metrics: dict[str, Any], profile: str) -> list[Claim]:
    s, lim, bd, cd = metrics["slopes"], metrics["limits"], metrics["boundary"], \
        metrics["critical_decay"]
    fanins = [int(b) for b in config.exact_fanins]
    span = f"b = {fanins[0]}…{fanins[-1]}"
    slope_error = max(s["majority_slope_spec_error"], s["majority_slope_autodiff_error"])
    es_error, es3 = s["evans_schulman_max_error"], s["critical_flip_prob_b3"]
    out = [
        _claim(profile, "majority_slope", "summary", "Thm 4 ingredient", kind="identity",
               statement="f_b'(0) = b·C(b−1,k)/2^(b−1) equals the slope of b-input majority at "
                         "chance",
               expected=0.0, measured=slope_error, context=f"max error, {span}",
               tolerance="≤ 1e−12 against autodiff of f_b at 0 and against the exact rationals",
               tolerance_source=FLOAT64, passed=slope_error <= 1e-12,
               reason="the closed-form majority slope differs from autodiff or the rationals",
               details={"closed form f_b'(0)": dict(zip(map(str, fanins), s["majority_slope"],
                                                        strict=True)),
                        "autodiff f_b'(0)": s["majority_slope_autodiff"],
                        "error vs exact rationals": s["majority_slope_spec_error"],
                        "error vs autodiff": s["majority_slope_autodiff_error"]}),
        _claim(profile, "evans_schulman", "classical", "IEEE Trans. Inf. Theory 49(11)",
               cited="Evans & Schulman 2003", kind="identity",
               statement="At ρ = 0 the critical flip probability (1 − γ_c)/2 equals the "
                         "Evans–Schulman ε_b (1/6 for b = 3)",
               expected=0.0, measured=es_error, context=f"max error, {span}; ε_3 = {es3:.6f}",
               tolerance="≤ 1e−12 for every b; ε_3 = 1/6 to 1e−12", tolerance_source=FLOAT64,
               passed=es_error <= 1e-12 and abs(es3 - 1 / 6) <= 1e-12,
               reason="(1 − γ_c(0, b))/2 differs from the Evans–Schulman threshold",
               note="ε_b = 1/2 − 2^(b−2)/(b·C(b−1,(b−1)/2)) against (1 − γ_c(0, b))/2 from the "
                    "majority-tree boundary, γ_c = 1/f_b'(0). The boundary is stricter than "
                    "Kesten–Stigum (γ_c(0) > 1/√b).",
               details={"ε_b (Evans–Schulman)": s["evans_schulman_formula"],
                        "(1 − γ_c(0,b))/2": s["evans_schulman_from_gamma_c"],
                        "γ_c(0, b)": s["gamma_c_rho0"],
                        "Kesten–Stigum γ = 1/√b": s["kesten_stigum_gamma"]}),
    ]
    gaps = dict(zip([f"{m:g}" for m in config.mu0s], bd["max_gap_per_mu0"], strict=True))
    gap_limits = {"0.02": 0.011, "0.1": 0.014}
    ratios = {k: v / gap_limits.get(k, 0.011) for k, v in gaps.items()}
    worst = max(ratios, key=ratios.get)
    others = "; ".join(f"μ0 = {k}: {rounded(v)}" for k, v in gaps.items() if k != worst)
    boundary_ok = (bd["misclassified"] == 0 and bd["classification_independent_of_depth"]
                   and all(v <= gap_limits.get(k, 0.011) for k, v in gaps.items()))
    out.append(_claim(
        profile, "boundary", "summary,reconstructed", "§4 Thm 4", kind="identity",
        statement="On the exact grid a cell amplifies iff μ0 < μ* (never if α_ρ ≤ 1), and the "
                  "boundary tracks γ_c(ρ)",
        expected="0 misclassified; |γ_emp − γ_c| < 0.01 + O(μ0²)",
        measured=rounded(gaps[worst]),
        context=f"max |γ_emp − γ_c|, μ0 = {worst}; {others}; {bd['misclassified']} misclassified",
        tolerance="0 misclassified (critical cells out); max gap ≤ 0.011 (μ0 = 0.02), ≤ 0.014 "
                  "(μ0 = 0.1)",
        tolerance_source="grid step 0.01 plus the O(μ0²) finite-μ0 shift",
        passed=boundary_ok,
        reason=(f"{bd['misclassified']} misclassified cells" if bd["misclassified"] else
                "the classification depends on L" if not
                bd["classification_independent_of_depth"] else
                f"the empirical boundary is off γ_c by more than the allowance at μ0 = {worst}"),
        note="γ_c(ρ) = 1/(ρ + (1−ρ)f_b'(0)); γ_emp(ρ) is the smallest grid γ whose cell "
             "amplifies (μ_L > μ0). Because g is concave the classification cannot depend on L; "
             "it is checked at every saved depth.",
        details={"max |γ_emp − γ_c| per μ0": gaps,
                 "max |γ_emp − γ_c| per (b, μ0)": bd["max_gap_per_b_mu0"],
                 "misclassified": bd["misclassified"],
                 "misclassified per (b, μ0)": bd["misclassified_per_b_mu0"],
                 "critical cells per (b, μ0)": bd["critical_cells_per_b_mu0"],
                 "classification independent of depth": bd["classification_independent_of_depth"],
                 "reference max gaps": {"0.02": 0.0101, "0.1": 0.0132}}))
    depth = config.deep_limit_depth
    # Two finite-depth limits of the exact recursion, each held to max error ≤ 1e−4: id,
    # labels, place, statement, expectation, the error's metrics key, what it measures, its name
    # in the details, further details, reference error, tolerance, its source, failure reason.
    for (short, labels, where, statement, expected, error_key, measure, error_name, extra,
         reference, tolerance, tolerance_source, reason) in (
            ("deep_limit", "abstract", "abstract",
             "Deep trees reach μ* when α > 1 and chance when α < 1", "μ_∞ = μ* (0 when α ≤ 1)",
             "deep_limit_max_error", f"max |μ_{depth} − μ*|", "max error", {"depth": depth},
             6e-5, f"max |μ_{depth} − μ*| ≤ 1e−4 over |α − 1| ≥ 0.02",
             "finite depth: slowest decay 0.98^400·μ0 ≈ 3e−5",
             "the deep recursion has not reached the bisection μ*"),
            ("geometric_decay", "reconstructed", "§4",
             "For α < 1 the bias decays geometrically: μ_{L+1}/μ_L → α", "μ_41/μ_40 = α",
             "geometric_decay_max_rel_error", "max relative error", "max relative error", {},
             7e-5, "max |μ_41/μ_40 − α|/α ≤ 1e−4 (α ≤ 0.95, μ0 = 0.1)",
             "finite depth: O(μ_40²) nonlinear correction", "the decay ratio at L = 40 is off α")):
        error, cells = lim[error_key], lim[f"{short}_cells"]
        out.append(_claim(
            profile, short, labels, where, kind="finite-size", statement=statement,
            expected=expected, measured=error, context=f"{measure}, {cells} cells",
            tolerance=tolerance, tolerance_source=tolerance_source, passed=error <= 1e-4,
            reason=reason, details={error_name: error, "cells": cells, **extra,
                                    "reference max error": reference}))
    worst_ratio = max((cd["ratio_min"], cd["ratio_max"]), key=lambda v: abs(v - 1.0))
    out.append(_claim(
        profile, "critical_decay", "reconstructed", "§4", kind="finite-size",
        statement="At α = 1 the bias decays like L^(−1/2): μ_L ≈ (2CL + μ0^(−2))^(−1/2)",
        expected=1.0, measured=rounded(worst_ratio, 6),
        context=f"worst ratio; range [{cd['ratio_min']:.5f}, {cd['ratio_max']:.5f}]",
        tolerance=f"μ_L·√(2CL + μ0^(−2)) ∈ [0.995, 1.005] for L ∈ [100, "
                  f"{config.critical_max_depth}]",
        tolerance_source="next-order (log L)/L corrections to the asymptote",
        passed=0.995 <= cd["ratio_min"] and cd["ratio_max"] <= 1.005,
        reason="the critical decay departs from (2CL + μ0^(−2))^(−1/2)",
        details={"ratio min": cd["ratio_min"], "ratio max": cd["ratio_max"],
                 "reference range": [0.9996, 1.0011]}))
    return out


def _fixed_point_claims(metrics: dict[str, Any], profile: str) -> list[Claim]:
    fp = metrics["fixed_point"]
    a3 = fp["a3_max_error"]
    b3 = fp.get("b3_closed_form_max_error")
    slopes = np.asarray(fp["near_critical_slopes"])
    ratios = np.asarray(fp["near_critical_ratio_at_smallest"])
    worst_slope = float(slopes[np.argmax(np.abs(slopes - 0.5))])
    worst_ratio = float(np.max(np.abs(ratios - 1.0)))
    return [
        _claim(profile, "fixed_point_values", "reconstructed", "§4", kind="regression",
               statement="μ* by bisection matches this project's reference table of fixed "
                         "points (4 decimals)",
               expected="reference table, 4 decimals", measured=a3,
               context="max |μ* − table|; subcritical cells give 0"
               if fp["a3_subcritical_all_zero"] else "max |μ* − table|",
               tolerance="≤ 5e−5 (the table's rounding); subcritical cells exactly 0",
               tolerance_source="4-decimal rounding of the reference table",
               passed=a3 <= 5e-5 and fp["a3_subcritical_all_zero"],
               reason=("μ* differs from the reference table beyond its rounding"
                       if a3 > 5e-5 else "a subcritical cell has μ* ≠ 0"),
               note="The table was computed by this project from the same formulas, so this is "
                    "a regression check; μ* is validated independently by the b = 3 closed form "
                    "and the near-critical scaling.",
               details={"μ* per (b, γ) at ρ = 0, 0.2, 0.5, 0.8": fp["a3_table"],
                        "α per (b, γ) at ρ = 0, 0.2, 0.5, 0.8": fp["a3_alpha"]}),
        _claim(profile, "b3_closed_form", "reconstructed", "§4", kind="identity",
               statement="For b = 3 the fixed point has the closed form μ*² = [3γ − 2(1−ργ)/(1−ρ)]"
                         "/γ³",
               expected=0.0, measured=b3,
               context="max |closed form − bisection| over the b = 3 grid",
               tolerance="≤ 1e−12 on the whole b = 3 grid", tolerance_source=FLOAT64,
               passed=b3 is not None and b3 <= 1e-12,
               reason="the b = 3 closed form differs from bisection",
               details={"closed form": fp["b3_examples"],
                        "bisection": fp["b3_examples_bisection"]}),
        _claim(profile, "near_critical", "reconstructed", "§4", kind="finite-size",
               statement="Near α = 1 the fixed point grows like μ* ≈ √((α−1)/C)",
               expected=0.5, measured=rounded(worst_slope),
               context=f"worst log–log slope; worst |Cμ*²/(α−1) − 1| = {worst_ratio:.1e}",
               tolerance="slopes 0.5 ± 0.005 over α − 1 ∈ [1e−4, 1e−2]; |Cμ*²/(α−1) − 1| ≤ 1e−3 "
                         "at 1e−4",
               tolerance_source="O(α − 1) corrections to the square-root law",
               passed=bool(np.all(np.abs(slopes - 0.5) <= 0.005)
                           and np.all(np.abs(ratios - 1.0) <= 1e-3)),
               reason="the near-critical exponent or constant C is off",
               note="(b, ρ) ∈ {(3, 0), (3, 0.3), (5, 0.2), (7, 0.5), (15, 0.8)}; "
                    "C = (1−ρ)γ³f_b'(0)(b−1)/6.",
               details={"slopes": slopes.tolist(), "Cμ*²/(α−1) at α − 1 = 1e−4": ratios.tolist(),
                        "reference slopes": [0.497, 0.499]}),
    ]


def _monte_carlo_claims(config: Any, metrics: dict[str, Any], profile: str) -> list[Claim]:
    grid_a, mc = metrics["grid_a"], metrics["mc_checks"]
    agreement = mc["agreement"]
    limit = 0.006 if profile == "paper" else 0.017
    ag_ok = (agreement["max_abs_z"] <= agreement["z_K"]
             and 0.29 <= agreement["root_mean_z2"] <= 1.71 and agreement["max_abs_gap"] <= limit)
    out = [_claim(
        profile, "mc_agreement", "reconstructed,summary", "§4 recursion", kind="quantitative",
        statement="Explicit trees (channel, received-message shock, majority) match the exact "
                  "recursion at every level",
        expected="p̂_l = p_l (exact recursion)", measured=rounded(agreement["max_abs_z"]),
        context=f"max |z| of K = {agreement['K']}; root mean z² "
                f"{agreement['root_mean_z2']:.3f}; max |p̂ − p| {agreement['max_abs_gap']:.4f}",
        tolerance=f"max |z| ≤ z_K = {agreement['z_K']:.2f}; root mean z² ∈ [0.29, 1.71] "
                  f"({agreement['roots']} roots); max |p̂ − p| ≤ {limit}",
        tolerance_source=BINOMIAL, passed=ag_ok,
        reason=("an estimate is beyond z_K" if agreement["max_abs_z"] > agreement["z_K"] else
                "root z² is miscalibrated" if not 0.29 <= agreement["root_mean_z2"] <= 1.71
                else f"max |p̂ − p| exceeds {limit}"),
        note="Level l pools T·b^(L−l) samples over the trials of 5 seed streams; per-level "
             "estimates of one tree are correlated, so only the root z enter the z² calibration.",
        details={**agreement, "cells": len(grid_a),
                 "seed-spread ratio per cell (reported, not claimed)":
                     [rounded(r["seed_spread_ratio"], 3) for r in grid_a
                      if isinstance(r.get("seed_spread_ratio"), int | float)]})]
    sign = mc["sign_rule"]
    out.append(_claim(
        profile, "mc_phase_sign", "summary", "§4 Thm 4", kind="qualitative",
        statement="In Monte Carlo the root moves away from p0 iff α > 1 (toward (1±μ*)/2), and "
                  "toward 1/2 iff α < 1",
        expected="sign(p̂_L − p0) = sign(α − 1)·sign(p0 − ½)", measured=sign["agree"],
        context=f"of {sign['cells']} cells (theory ≥ 5 SE from p0) agree",
        tolerance="every cell whose exact root is ≥ 5 SE from p0 agrees",
        tolerance_source="sign test on cells powered at ≥ 5 SE",
        passed=sign["cells"] > 0 and sign["agree"] == sign["cells"],
        reason=(f"{sign['cells'] - sign['agree']} of {sign['cells']} cells move against the α "
                "prediction" if sign["cells"] else "no cell is powered at 5 SE"),
        note="Cells at α ∈ {0.95, 1.05} sit 2.7–4.3 SE from p0 and are checked only for "
             "agreement. Supercritical cells with |μ0| > μ* left out: "
             f"{sign['skipped_strong_leaves']}.",
        details={**sign, "reference cell count (cpu)": 36}))
    out.append(_wrong_answer(metrics, profile))
    gr = metrics["growth"]
    tol = 0.005 if profile == "paper" else 0.01
    out.append(_claim(
        profile, "mc_growth_exponent", "summary", "§4", kind="quantitative",
        statement="The organization exponent measured from explicit trees equals s = log_b α_ρ",
        expected=rounded(gr["s"], 5), measured=rounded(gr["slope"], 5),
        interval=gr["interval"],
        interval_kind="95% interval, ±1.96 SE of the WLS slope",
        context=f"{gr['id']}, WLS over levels 0…{config.deep_depth}; exact-level fit "
                f"{gr['exact_level_slope']:.4f}",
        tolerance=f"|ŝ_MC − s| ≤ {tol}",
        tolerance_source="≈ 5 slope SE (SE ≈ 0.002) plus finite-μ bias ≈ 0.001"
        if profile != "paper" else "≈ 5 slope SE at the paper trial count",
        passed=abs(gr["slope"] - gr["s"]) <= tol,
        reason="the Monte Carlo growth exponent is off s = log_b α_ρ",
        note=f"Levels with μ̂ ≤ 0 left out: {gr['excluded_levels']}. The exact levels give "
             f"{gr['exact_level_slope']:.4f}: g(μ) ≤ αμ bends the curve slightly below slope s.",
        details={"slope": gr["slope"], "slope SE": gr["slope_se"], "s": gr["s"],
                 "exact-level fit": gr["exact_level_slope"],
                 "excluded levels": gr["excluded_levels"]}))
    big_rows = bool(mc["all_fanins"])
    details: dict[str, Any] = {}
    measured, ok, context = None, False, ""
    k_text = "z_K (K from the run)"
    if big_rows:
        big_agree, big_sign = mc["all_fanins"]["agreement"], mc["all_fanins"]["sign_rule"]
        ok = (big_agree["max_abs_z"] <= big_agree["z_K"]
              and big_sign["agree"] == big_sign["cells"])
        measured = rounded(big_agree["max_abs_z"])
        context = (f"max |z| of K = {big_agree['K']}; signs {big_sign['agree']}/"
                   f"{big_sign['cells']}")
        k_text = f"z_K = {big_agree['z_K']:.2f} (K = {big_agree['K']})"
        details = {**big_agree, **{f"sign {k}": v for k, v in big_sign.items()}}
    out.append(_claim(
        profile, "mc_all_fanins", "reconstructed", "§4", kind="quantitative",
        check_on=("paper",),
        statement="Monte Carlo agreement and sign rules also hold for b = 11, 13, 15 and deep "
                  "trees (paper profile only)",
        expected="p̂_l = p_l; signs as α predicts", measured=measured, context=context,
        tolerance=f"max |z| ≤ {k_text}; every powered sign agrees",
        tolerance_source=BINOMIAL, passed=ok,
        reason="an estimate is beyond z_K or a sign disagrees" if big_rows else
        "the run has no Monte Carlo cell with b ≥ 11",
        details=details))
    return out


def _wrong_answer(metrics: dict[str, Any], profile: str) -> Claim:
    """p_L(1−p0) = 1 − p_L(p0) (exact), D5 amplified to the wrong answer (Monte Carlo)."""
    wa = metrics["mc_checks"]["wrong_answer"]
    max_pair, pairs = wa["max_abs_pair_z"], wa["pairs"]
    details: dict[str, Any] = {"max |p_L(1−p0) + p_L(p0) − 1| (exact)": wa["exact_symmetry_error"],
                               "max |pair z|": max_pair, "pairs": pairs,
                               "pair z_K": wa["pair_z_K"]}
    problems = []
    if wa["exact_symmetry_error"] > 1e-12:
        problems.append("the exact recursion is not odd-symmetric")
    if max_pair > wa["pair_z_K"]:
        problems.append("a pair sum p̂(0.45) + p̂(0.55) − 1 is beyond z_K")
    d5 = wa["d5"]
    measured, interval, context, expected = None, None, "", "p_9 < 0.45"
    if not d5:
        problems.append("no D5 trajectory in this run")
    else:
        p_hat, se, exact = d5["p_hat"], d5["se"], d5["exact"]
        measured, interval = rounded(p_hat), d5["interval"]
        expected = f"{exact:.4f} (< p0 = 0.45)"
        context = f"D5 root; max |z| {d5['max_abs_z']:.2f} (D5), {max_pair:.2f} ({pairs} pairs)"
        details.update({"D5 exact p_L": exact, "D5 p̂_L": p_hat, "D5 SE": se,
                        "D5 max |z|": d5["max_abs_z"], "p_∞ = (1 − μ*)/2": d5["p_infinity"],
                        "|p_400 − p_∞|": d5["deep_limit_error"]})
        if p_hat > 0.45 - 5.0 * se:
            problems.append("D5 is not amplified to the wrong answer by 5 SE")
        if d5["max_abs_z"] > d5["z_K"]:
            problems.append("a D5 level is beyond z_K")
        if d5["deep_limit_error"] > 1e-4:
            problems.append("the deep D5 limit is off (1 − μ*)/2")
    return _claim(
        profile, "wrong_answer", "reconstructed", "§4", kind="quantitative",
        statement="Leaves below chance are amplified to the wrong answer: p_L(1−p0) = 1 − p_L(p0), "
                  "p_∞ = (1 − μ*)/2",
        expected=expected, measured=measured, interval=interval,
        interval_kind="95% binomial interval, trials pooled over 5 seeds", context=context,
        tolerance="D5: p̂_9 ≤ 0.45 − 5 SE, |z| ≤ z_K; pair sums |z| ≤ z_K; exact parts ≤ 1e−12, "
                  "deep limit ≤ 1e−4",
        tolerance_source=BINOMIAL, passed=not problems, reason="; ".join(problems),
        note="D5: b = 3, L = 9, p0 = 0.45, γ = 0.9, ρ = 0.2 (α = 1.26). Pair sums use every "
             "grid-A pair p0 ∈ {0.45, 0.55}.",
        details=details)
