"""Claims of ``law_forms``. They read saved metrics and arrays only; theory values are the closed
forms evaluated in this run. Recovery claims compare estimates with the planted values
(kind ``quantitative``); their tolerances are multiples of the scatter measured in reference
runs of this suite, which the ``tolerance_source`` says. Values that only an earlier run of this
suite computed (the activation ratios evaluated from Table 2, the peak times of the illustrative
trajectories) are regression targets and are labelled so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, rounded
from experiments.scaling_laws.shared import provenance
from experiments.scaling_laws.shared.claim_building import limit_verdict

LUO = "Luo et al. 2024 (arXiv:2411.02335)"
GALLEGO = "Gallego-Feliciano et al. 2025 (arXiv:2508.03616)"
XIAO = "Xiao et al. 2024 (arXiv:2412.04315)"
YUAN = "Yuan et al. 2025 (arXiv:2511.08066)"
HAGELE = "Hägele et al. 2026 (arXiv:2601.23045)"
NO_PAPER = "none (synthetic recovery; no published value)"
# A(10), A(300) evaluated from Table 2 in a reference run (4 decimals).
TABLE_REFERENCE = {"relu 0.1B": (0.0788, 0.0647), "relu 1.2B": (0.0983, 0.0817),
                   "silu 0.1B": (0.3751, 0.4024)}
# Peak times of the illustrative trajectories from a reference run (steps).
PEAK_REFERENCE = {"peaked": 8070.0, "mid": 7739.0, "late": 189491.0}


# Recovery tolerances the summary figure draws (relative errors; ``*_TOL`` pairs: cpu, paper).
SILU_REL_TOL = {"alpha": 0.05, "c": 0.06, "A0": 0.003}
RELU_REL_TOL = {"alpha": 0.15, "b": 0.06, "c": 0.50, "A0": 0.10}
RELU_SMALL_A0_TOL = 0.08  # A0 of the 0.1B ReLU row (its b, c are degenerate)
T_PEAK_TOL = (0.15, 0.20)
ENSEMBLE_TOL = (0.006, 0.002)


def _pick(profile: str, cpu: Any, paper: Any) -> Any:
    return paper if profile == "paper" else cpu


def _pct(value: float) -> str:
    return f"{100 * value:.3g} %"


def _claim(profile: str, name: str, labels: str, where: str, paper: str, label: str,
           **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"law_forms.{name}",
                      source=provenance.source(labels, where, paper), label=label, **fields)


def _sparsing_recovery(profile: str, name: str, eq: str, what: str, sigma: float,
                       checks: dict[str, tuple[float, float]], context: str, reason: str,
                       **fields: Any) -> Claim:
    """A claim that Levenberg-Marquardt recovers the planted Table 2 parameters (``what``) of
    ``eq`` at noise ``sigma``: every relative error of ``checks`` within its limit."""
    return _claim(
        profile, name, "paper,illustrative", f"{eq} (fit: App. G)", LUO, "paper",
        kind="quantitative",
        statement=f"Levenberg-Marquardt recovers the {what} parameters at noise σ = {sigma:g}",
        expected="0 (planted Table 2 values)",
        **limit_verdict(checks, context=context, reason=reason, limit_text=_pct), **fields)


def sparsing_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    sp, seeds = m["sparsing"], m["seeds"]["sparsing_seeds"]
    devs = {f"{k}, D = {d}": abs(v - r) for k, ref in TABLE_REFERENCE.items()
            for d, v, r in zip((10, 300), sp["table_values"][k], ref, strict=True)}
    worst_cell = max(devs, key=devs.get)
    silu, relu = sp["silu_max_rel_err"], sp["relu_max_rel_err"]
    names = {"alpha": "α", "b": "b", "c": "c", "A0": "A0"}
    silu_tol = {names[k]: (silu[k], t) for k, t in SILU_REL_TOL.items()}
    relu_tol = {names[k]: (relu[k], t) for k, t in RELU_REL_TOL.items()}
    relu_tol["A0 of 0.1B"] = (sp["relu_0.1B_A0_max_rel_err"], RELU_SMALL_A0_TOL)
    sig = sp["sigmas"]
    curve = sp["curve_err_sigma_max"]["curve_sigma"]
    return [
        _claim(
            profile, "sparsing_table_values", "paper", "Eqs. 4-5, Table 2", LUO, "paper",
            kind="regression",
            statement="Eqs. 4-5 with the Table 2 coefficients give the reference activation ratios "
                      "at D = 10 and 300 B tokens",
            expected="reference values (4 decimals)", measured=rounded(max(devs.values()), 3),
            context=f"largest |A − reference|, {worst_cell}",
            tolerance="every |A − reference| ≤ 5e-5 (half the last printed digit)",
            tolerance_source="rounding of the 4-decimal reference values",
            passed=max(devs.values()) <= 5e-5,
            reason=f"the evaluated law departs from the reference value at {worst_cell}",
            note="The paper gives the coefficients, not these ratios: the reference values were "
                 "evaluated from Table 2 for this suite, so this checks the formula code only.",
            details={"evaluated": {k: [rounded(x, 5) for x in v] for k, v in
                                   sp["table_values"].items()},
                     "reference": {k: list(v) for k, v in TABLE_REFERENCE.items()},
                     "|A − reference|": {k: rounded(v, 3) for k, v in devs.items()}}),
        _sparsing_recovery(
            profile, "sparsing_silu_recovery", "Eq. 5", "planted SiLU", sig[0], silu_tol,
            context="largest rel. error, {name} (limit {limit})",
            reason="the SiLU {name} error exceeds its limit",
            tolerance="max rel. error over rows and seeds: α ≤ 5 %, c ≤ 6 %, A0 ≤ 0.3 %",
            tolerance_source="1.5-3× the 60-seed maxima of reference runs",
            note=f"{seeds} seeds × 5 rows; 40 log-spaced D in [10, 300] B tokens. Reference-run "
                 "maxima over 60 seeds: α 2.9 %, c 3.9 %, A0 0.11 %.",
            details={"max rel. error": {k: rounded(v, 3) for k, v in silu.items()},
                     "reference 60-seed maxima": {"alpha": 0.029, "c": 0.039, "A0": 0.0011}}),
        _sparsing_recovery(
            profile, "sparsing_relu_recovery", "Eq. 4", "identifiable ReLU", sig[0], relu_tol,
            context="largest rel. error vs limit, {name} (limit {limit})",
            reason="the ReLU {name} error exceeds its limit",
            tolerance="0.2B-2.4B: α ≤ 15 %, b ≤ 6 %, c ≤ 50 %, A0 ≤ 10 %; 0.1B: A0 ≤ 8 % "
                      "(its b, c are degenerate)",
            tolerance_source="1.1-2× the 60-seed maxima of reference runs",
            note=f"{seeds} seeds; 15 LM starts per fit, lowest finite cost kept. For the 0.1B row "
                 "(α ≈ 0.1) b and c are degenerate (D^α ≈ 1 + α log D) and are not tested. "
                 "Reference-run maxima over 60 seeds: α 10.9 %, b 4.0 %, c 34 %, A0 7.1 %; "
                 "0.1B A0 4 %.",
            details={"max rel. error (0.2B-2.4B)": {k: rounded(v, 3) for k, v in relu.items()},
                     "max rel. error A0 (0.1B)": rounded(sp["relu_0.1B_A0_max_rel_err"], 3),
                     "reference 60-seed maxima": {"alpha": 0.109, "b": 0.040, "c": 0.34,
                                                  "A0": 0.071, "A0 (0.1B)": 0.04}}),
        _claim(
            profile, "sparsing_curve_recovery", "paper,illustrative", "Eqs. 4-5", LUO, "paper",
            kind="quantitative",
            statement=f"The fitted sparsing curve matches the true curve at noise σ = {sig[1]:g}",
            expected="max_D |Â − A| of order σ", measured=rounded(curve, 3),
            context="largest max_D |Â − A|/σ, all rows and seeds",
            tolerance="max_D |Â − A| ≤ 3σ for every row (ReLU and SiLU) and seed",
            tolerance_source="noise level σ of the data, 3σ",
            passed=curve <= 3.0, reason="a fitted curve departs from the truth by more than 3σ",
            note=f"{seeds} seeds; reference runs observed ≤ 2.04σ (10 seeds).",
            details={"max_D |Â − A| / σ": {f"σ = {sig[1]:g}": rounded(curve, 3),
                                           f"σ = {sig[0]:g}": rounded(
                                               sp["curve_err_sigma_max"]["param_sigma"], 3)}}),
    ]


def massive_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    ma = m["massive"]
    th, cases = ma["theory"], ma["cases"]
    slope = max(th[c]["rel_slope_at_peak"] for c in th)
    dt = {c: abs(th[c]["t_peak"] - PEAK_REFERENCE[c]) for c in th}
    reparam = max(th[c]["reparam_max_diff_rel"] for c in th)
    t_tol = _pick(profile, *T_PEAK_TOL)
    late = cases["late"]
    seeds = m["seeds"]["massive_seeds"]
    checks = {}
    for c in ("peaked", "mid"):
        e = cases[c]
        checks[f"t_peak error, {c}"] = (e["t_peak_rel_err_max"], t_tol)
        checks[f"|ΔK|/range, {c}"] = (e["K_err_range_max"], 0.05)
        checks[f"curve error/SD(f), {c}"] = (e["curve_err_sd_max"], 0.3)
        checks[f"1 − R², {c}"] = (1.0 - e["r2_min"], 0.04)
    r2_min = min(cases[c]["r2_min"] for c in ("peaked", "mid"))
    frac = late["frac_no_peak_in_window"]
    return [
        _claim(
            profile, "massive_peak_formula", "paper,derived",
            "Eq. 9 (peak condition, corrected text)", GALLEGO, "paper", kind="identity",
            statement="t_peak = (x* − t0)/γ with x* = 1/(λ W(1/λ)) zeroes f'(t)",
            expected=0.0, measured=rounded(slope, 3),
            context="largest |f'(t_peak)|/max|f'| of 3 trajectories",
            tolerance="|f'(t_peak)| ≤ 1e-8·max|f'| for every trajectory",
            tolerance_source="numerical precision (float64)",
            passed=slope <= 1e-8,
            reason="the Lambert-W peak time does not zero f'",
            note="The PDF text garbles the peak condition; the form used is λ x* log x* = 1. The "
                 "peak times match the reference values 8070, 7739, 189,491 steps of an earlier "
                 f"run to {format_number(max(dt.values()), 2)} steps (a regression, unit-tested; "
                 "not part of this verdict).",
            details={"t_peak": {c: rounded(th[c]["t_peak"], 7) for c in th},
                     "reference t_peak": PEAK_REFERENCE,
                     "|t_peak − reference|": {c: rounded(v, 3) for c, v in dt.items()},
                     "max |λx* log x* − 1|": rounded(max(abs(th[c]["peak_condition_residual"])
                                                    for c in th), 3),
                     "paper": "λ x* log x* = 1 (garbled in the PDF text)"}),
        _claim(
            profile, "massive_reparam_identity", "paper", "Eq. 14", GALLEGO, "paper",
            kind="identity", statement="The Eq. 9 and Eq. 14 forms of f(t) coincide",
            expected=0.0, measured=rounded(reparam, 3),
            context="max |f − f_reparam|/max|f|, 3 trajectories",
            tolerance="max |f − f_reparam| ≤ 1e-10·max|f|",
            tolerance_source="numerical precision (float64)", passed=reparam <= 1e-10,
            reason="the two parameterisations differ beyond round-off",
            details={"per trajectory": {c: rounded(th[c]["reparam_max_diff_rel"], 3) for c in th}}),
        _claim(
            profile, "massive_recovery_peaked", "paper,illustrative", "Eq. 9, fit recipe",
            GALLEGO, "paper", kind="quantitative",
            statement="For peaked and mid trajectories the fit recovers the peak time, asymptote "
                      "and curve",
            expected="planted t_peak, K and f(t)",
            **limit_verdict(checks, context="worst of 8 checks vs limit: {name} (≤ {limit})",
                            reason="{name} exceeds its limit"),
            tolerance=f"every seed: R² ≥ 0.96; t_peak within {t_tol:.0%}; |ΔK| ≤ 5 % of range; "
                      "curve error ≤ 0.3 SD(f)",
            tolerance_source="≈1.2-1.7× the 100-seed maxima of reference runs",
            note=f"{seeds} seeds; noise σ = 0.14·SD_t(f) (R² ≈ 0.98, the paper's mean 0.984); 48 "
                 "Pythia-style checkpoints. Reference-run maxima over 100 seeds: t_peak error 9 % "
                 "(peaked), 12 % (mid); |ΔK| ≤ 3.5 % of range; curve error 0.25 SD(f).",
            details={c: {"R² median": rounded(cases[c]["r2_median"]),
                         "R² min": rounded(cases[c]["r2_min"]),
                         "max t_peak rel. error": rounded(cases[c]["t_peak_rel_err_max"], 3),
                         "max |ΔK|/range": rounded(cases[c]["K_err_range_max"], 3),
                         "max curve error/SD(f)": rounded(cases[c]["curve_err_sd_max"], 3),
                         "true t_peak": rounded(th[c]["t_peak"], 6)} for c in ("peaked", "mid")}
            | {"smallest R²": rounded(r2_min), "paper": "mean R² 0.984 over 188 Pythia layers"}),
        _claim(
            profile, "massive_no_peak_late", "paper,illustrative", "middle layers, Eq. 9",
            GALLEGO, "paper", kind="quantitative",
            statement="A trajectory whose peak lies beyond the window is fitted without a spurious "
                      "peak in the window",
            expected=0.98, measured=rounded(frac, 3),
            context=f"fraction of {seeds} seeds with t̂_peak > T; R² min "
                    f"{format_number(late['r2_min'], 3)}",
            tolerance="fraction ≥ 0.90; R² ≥ 0.96 in every seed (K not tested: not identifiable)",
            tolerance_source="binomial scatter of a 0.98 rate over 20 seeds",
            passed=frac >= 0.90 and late["r2_min"] >= 0.96,
            reason="too many fits put a spurious peak inside the window" if frac < 0.90 else
            "a late-trajectory fit has R² below 0.96",
            note="Reference runs: t̂_peak > T in 98 % of seeds (min 137,672 over 50). λ → 0 with "
                 "γ → ∞ is a flat valley of the fit, so t̂_peak is set by the noise.",
            details={"true t_peak": rounded(th["late"]["t_peak"], 6), "T": ma["T"],
                     "min t̂_peak": rounded(late["t_peak_hat_min"], 6),
                     "R² min": rounded(late["r2_min"]),
                     "paper": "middle layers grow logarithmically"}),
    ]


def densing_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    de = m["densing"]
    months = de["doubling_months_theory"]
    fitted = de["cases"]["arxiv"]["doubling_months_median"]
    lo, hi = _pick(profile, (0.90, 0.99), (0.93, 0.97))
    cases = de["cases"]
    checks_ok = all(e["frac_within_3se"] >= 0.98 and lo <= e["coverage_95"] <= hi
                    for e in cases.values())
    worst_case = max(cases, key=lambda c: abs(cases[c]["coverage_95"] - 0.95))
    other = [c for c in cases if c != worst_case]
    min_frac = min(e["frac_within_3se"] for e in cases.values())
    n_seeds = m["seeds"]["densing_seeds"]
    return [
        _claim(
            profile, "densing_doubling_time", "paper", "densing fit (arXiv version)", XIAO,
            "paper", kind="quantitative",
            statement="A growth rate A = 0.007/day means density doubles every ≈ 3.3 months",
            expected=3.3, measured=rounded(months), context=f"ln 2/A in months; median fit "
                                                       f"{format_number(fitted, 3)} (29 models)",
            tolerance="|3.3 − ln 2/A| ≤ 0.1 month; median fitted doubling within 0.1 of ln 2/A",
            tolerance_source="paper's one-decimal rounding (3.3 months)",
            passed=abs(3.3 - months) <= 0.1 and abs(fitted - months) <= 0.1,
            reason="ln 2/0.007 does not give the paper's 3.3 months, or the fit misses it",
            note=f"1 month = {de['days_per_month']} days; ln 2/0.007 = "
                 f"{de['doubling_days_theory']:.1f} days.",
            details={"ln 2/A (days)": rounded(de["doubling_days_theory"]),
                     "ln 2/A (months)": rounded(months),
                     "median fitted doubling (months, 29 models)": rounded(fitted),
                     "paper": "≈ 3.3 months (A ≈ 0.007/day)"}),
        _claim(
            profile, "densing_inversion_identity", "paper,reconstructed,illustrative",
            "Eqs. 2-4 (Eq. 2 form reconstructed)", XIAO, "reconstructed", kind="identity",
            statement="The inverse pipeline returns the size: N̂(S(L(N, D0))) = N for N in [1e8, "
                      "1e11]",
            expected=0.0, measured=rounded(de["identity_max_rel_err"], 3),
            context="max relative error over 64 sizes",
            tolerance="max relative error ≤ 1e-10", tolerance_source="numerical precision "
                                                                     "(float64)",
            passed=de["identity_max_rel_err"] <= 1e-10,
            reason="the inverse score/loss pipeline does not return N"),
        _claim(
            profile, "densing_recovery", "paper,reconstructed", "densing fit", XIAO,
            "reconstructed", kind="quantitative",
            statement="OLS of ln ρ on t recovers the planted growth rate with calibrated standard "
                      "errors",
            expected=0.95, measured=rounded(cases[worst_case]["coverage_95"], 3),
            context=(f"95 % CI coverage, {worst_case}; {other[0]} "
                     f"{format_number(cases[other[0]]['coverage_95'], 3)}; min frac ≤ 3 SE "
                     f"{format_number(min_frac, 3)}") if other else
                    f"95 % CI coverage, {worst_case}",
            tolerance=f"per case: |Â − A| ≤ 3 SE in ≥ 98 % of seeds; coverage ∈ [{lo}, {hi}]",
            tolerance_source=f"binomial scatter over {n_seeds} seeds (coverage SE ≈ "
                             f"{format_number(math.sqrt(0.95 * 0.05 / max(n_seeds, 1)), 2)})",
            passed=checks_ok,
            reason="the OLS standard errors are miscalibrated for the planted growth rate",
            note=f"{n_seeds} seeds per case; ln ρ noise SD 0.33; expected SE(Â) 3.3e-4 (29 "
                 "models), 2.0e-4 (51 models); expected fraction within 3 SE 0.994.",
            details={c: {"A": rounded(e["A"]), "mean SE": rounded(e["se_mean"], 3),
                         "SD of Â": rounded(e["A_hat_sd"], 3),
                         "fraction |Â − A| ≤ 3 SE": rounded(e["frac_within_3se"]),
                         "95 % coverage": rounded(e["coverage_95"]),
                         "mean R²": rounded(e["r2_mean"])}
                     for c, e in cases.items()}
            | {"paper": "A ≈ 0.007/day, R² ≈ 0.93 (29 models)"}),
    ]


def capacity_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    ic = m["capacity"]
    lo, hi = _pick(profile, (0.90, 0.99), (0.93, 0.97))
    frac = ic["frac_within_3se"]
    n_seeds = m["seeds"]["ic_seeds"]
    cov_b = ic["coverage_95"]["b"]
    return [_claim(
        profile, "capacity_recovery", "paper,reconstructed,illustrative",
        "IC definition; b from the authors' code", YUAN, "reconstructed", kind="quantitative",
        statement="The shared-intercept OLS fit recovers the planted IC_s and b with calibrated "
                  "standard errors",
        expected=0.95, measured=rounded(cov_b, 3),
        context=f"95 % CI coverage of b; min frac ≤ 3 SE {format_number(min(frac.values()), 3)}",
        tolerance=f"per parameter |Δ| ≤ 3 SE in ≥ 97 % of seeds; coverage of b ∈ [{lo}, {hi}]",
        tolerance_source=f"binomial scatter over {n_seeds} seeds, t with {ic['dof']} df",
        passed=all(v >= 0.97 for v in frac.values()) and lo <= cov_b <= hi,
        reason="the shared-intercept fit's standard errors are miscalibrated",
        note=f"{n_seeds} seeds; expected SD IC 0.0024, b 0.079; expected fraction within 3 SE "
             f"0.99 (t with {ic['dof']} df). Hand example IC(32, 2.5, 2^30, −24) = "
             f"{ic['hand_example']:.5f}.",
        details={"truth": ic["truth"],
                 "SD": {k: rounded(v, 3) for k, v in ic["estimate_sd"].items()},
                 "mean SE": {k: rounded(v, 3) for k, v in ic["se_mean"].items()},
                 "fraction |Δ| ≤ 3 SE": frac, "coverage": ic["coverage_95"],
                 "paper": "b = −24 (mixed text, authors' code)"})]


def hotmess_claims(config: Any, m: dict[str, Any], arrays: dict[str, np.ndarray],
                   profile: str) -> list[Claim]:
    hm = m["hotmess"]
    mean_tol = _pick(profile, 0.005, 0.002)
    plo, phi = _pick(profile, (-0.025, -0.010), (-0.020, -0.014))
    ens_tol = _pick(profile, *ENSEMBLE_TOL)
    ens_err = [abs(v) for v in hm["ens_error_mean"]]
    worst_e = int(np.argmax(ens_err))
    n_seeds, n_ens = m["seeds"]["hotmess_seeds"], m["seeds"]["hotmess_ensemble_seeds"]
    k_samples = int(config["hotmess_samples"])
    src = ("paper,reconstructed,illustrative", "bias-variance decomposition", HAGELE)
    err_mean, err_ci, err_se = hm["error_mean"], hm["error_ci95"], hm["error_se"]
    bias_mean, bias_ci, bias_se = (hm["plugin_bias_mean"], hm["plugin_bias_ci95"],
                                   hm["plugin_bias_se"])
    bias_theory = -hm["closed_mean"] / k_samples
    ens_se = [sd / math.sqrt(n_ens) for sd in hm["ens_error_sd"]]
    return [
        _claim(
            profile, "hotmess_kl_identity", *src, "reconstructed", kind="identity",
            statement="Categorical KL decomposition: Error = Bias² + Var per question; Var ≥ 0",
            expected=0.0, measured=rounded(hm["kl_identity_max_abs"], 3),
            context=f"max |Error − Bias² − Var|; min Var {format_number(hm['kl_var_min'], 3)}",
            tolerance="≤ 1e-12 absolute per question; Var ≥ 0",
            tolerance_source="numerical precision (float64)",
            passed=hm["kl_identity_max_abs"] <= 1e-12 and hm["kl_var_min"] >= 0.0,
            reason="the KL bias-variance decomposition does not add up",
            details={"incoherence": rounded(hm["kl_incoherence"]), "paper": "Error = Bias² + Var"}),
        _claim(
            profile, "hotmess_bernoulli_recovery", *src, "paper", kind="quantitative",
            statement=f"The unbiased estimator recovers Σp(1−p)/Σ(1−p) from K = {k_samples} "
                      "samples per question",
            expected=0.0, measured=rounded(err_mean, 3), interval=[rounded(v, 3) for v in err_ci],
            interval_kind=f"mean ± 1.96 SE over {n_seeds} seeds",
            context=f"mean error; max |error| {format_number(hm['error_max_abs'], 3)}",
            tolerance=f"|error| ≤ 0.035 per seed; |mean error| ≤ {mean_tol}",
            tolerance_source="reference scatter SD 0.0087: 4 SD per seed",
            passed=hm["error_max_abs"] <= 0.035 and abs(hm["error_mean"]) <= mean_tol,
            reason="the unbiased incoherence estimator is off the closed form",
            note=f"{n_seeds} seeds; reference runs: mean 0.000, SD 0.0087. The mean tolerance is "
                 f"{format_number(mean_tol / err_se, 2) if err_se > 0 else '?'} SE of this run's "
                 "mean.",
            details={"error mean": rounded(err_mean, 3), "error SD": rounded(hm["error_sd"], 3),
                     "SE of the mean": rounded(err_se, 3),
                     "max |error|": rounded(hm["error_max_abs"], 3),
                     "closed form (mean over seeds)": rounded(hm["closed_mean"])}),
        _claim(
            profile, "hotmess_plugin_bias", "derived", "finite-K estimator bias", HAGELE, "theory",
            kind="quantitative",
            statement="The plug-in variance underestimates incoherence by about 1/K of its value",
            expected=rounded(bias_theory, 3), measured=rounded(bias_mean, 3),
            interval=[rounded(v, 3) for v in bias_ci],
            interval_kind=f"mean ± 1.96 SE over {n_seeds} seeds",
            context="mean plug-in − closed form",
            tolerance=f"mean bias ∈ [{plo}, {phi}]",
            tolerance_source="band around −I/K; ≥ 3 SE of the mean wide",
            passed=plo <= bias_mean <= phi,
            reason="the plug-in bias is not ≈ −incoherence/K",
            note=f"Expected −I/K with I = {format_number(hm['closed_mean'], 3)}, K = {k_samples}; "
                 f"SE of the mean {format_number(bias_se, 2)}.",
            details={"mean bias": rounded(bias_mean, 3), "SE of the mean": rounded(bias_se, 3),
                     "−I/K": rounded(bias_theory, 3)}),
        _claim(
            profile, "hotmess_ensemble", *src, "paper", kind="quantitative",
            statement="Averaging E samples lowers incoherence as Σp(1−p)/E / Σ[p(1−p)/E + (1−p)²]",
            expected=0.0, measured=rounded(hm["ens_error_mean"][worst_e], 3),
            context=f"largest |mean(est − closed form)|, E = {hm['ensembles'][worst_e]}; "
                    f"decreasing: {'yes' if hm['ens_strictly_decreasing'] else 'no'}",
            tolerance=f"|mean(est − closed form)| ≤ {ens_tol} per E; estimates strictly "
                      "decreasing in E",
            tolerance_source=f"≥ 3 SE of the {n_ens}-seed mean (reference SD ≤ 0.008)",
            passed=max(ens_err) <= ens_tol and hm["ens_strictly_decreasing"],
            reason="the ensemble estimates depart from the closed form or do not fall with E",
            note=f"{n_ens} seeds; Bias² is unchanged by ensembling while Var falls as 1/E.",
            details={"closed form": {f"E={e}": rounded(v, 3) for e, v in zip(
                hm["ensembles"], hm["ens_closed_mean"], strict=True)},
                "estimate": [rounded(v, 3) for v in hm["ens_estimate_mean"]],
                "mean(est − closed)": [rounded(v, 2) for v in hm["ens_error_mean"]],
                "SE of the mean": [rounded(v, 2) for v in ens_se],
                "Bias²": [rounded(v, 3) for v in hm["ens_bias2_mean"]],
                "Var": [rounded(v, 3) for v in hm["ens_var_mean"]],
                "paper": "ensembling reduces incoherence"}),
    ]


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any, profile: str) -> list[Claim]:
    return (sparsing_claims(metrics, profile) + massive_claims(metrics, profile)
            + densing_claims(metrics, profile) + capacity_claims(metrics, profile)
            + hotmess_claims(config, metrics, arrays, profile))
