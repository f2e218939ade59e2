"""Claims of ``law_forms`` (spec §7, `law_forms.*`). They read metrics only; "theory" values are
the closed forms evaluated in this run; spec reference values (e.g. t_peak = 8070) serve as check
targets with the spec's tolerances and are named as such."""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, make_claim
from experiments.scaling_laws import common

LUO = "Luo et al. 2024 (arXiv:2411.02335)"
GALLEGO = "Gallego-Feliciano et al. 2025 (arXiv:2508.03616)"
XIAO = "Xiao et al. 2024 (arXiv:2412.04315)"
YUAN = "Yuan et al. 2025 (arXiv:2511.08066)"
HAGELE = "Hägele et al. 2026 (arXiv:2601.23045)"
NO_PAPER = "n/a (synthetic recovery; no published value)"
# Spec §3.3 (a): A(10), A(300) computed from Table 2.
TABLE_REFERENCE = {"relu 0.1B": (0.0788, 0.0647), "relu 1.2B": (0.0983, 0.0817),
                   "silu 0.1B": (0.3751, 0.4024)}
PEAK_REFERENCE = {"peaked": 8070.0, "mid": 7739.0, "late": 189491.0}  # spec §3.3 (b)


def _r(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def _by_profile(profile: str, cpu: Any, paper: Any) -> Any:
    return paper if profile == "paper" else cpu


def sparsing_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    sp, seeds = m["sparsing"], m["seeds"]["sparsing_seeds"]
    dev = max(abs(v - r) for k, ref in TABLE_REFERENCE.items()
              for v, r in zip(sp["table_values"][k], ref, strict=True))
    silu, relu = sp["silu_max_rel_err"], sp["relu_max_rel_err"]
    silu_tol = {"alpha": 0.05, "c": 0.06, "A0": 0.003}
    relu_tol = {"alpha": 0.15, "b": 0.06, "c": 0.50, "A0": 0.10}
    sig = sp["sigmas"]
    curve = sp["curve_err_sigma_max"]["curve_sigma"]
    return [
        make_claim(
            profile=profile, id="law_forms.sparsing_table_values",
            statement="Table 2 coefficients give the stated activation ratios at D = 10, 300 "
                      "(billions of tokens)",
            source=common.source("paper", "Eqs. 4-5, Table 2", LUO), label="paper",
            paper={k: list(v) for k, v in TABLE_REFERENCE.items()},
            theory={k: [_r(x, 5) for x in v] for k, v in sp["table_values"].items()},
            measured={"max |A − reference|": _r(dev, 3)},
            tolerance="each value within ±5e-5 of the spec's values computed from Table 2",
            passed=dev <= 5e-5),
        make_claim(
            profile=profile, id="law_forms.sparsing_silu_recovery",
            statement=f"SiLU parameters recovered at σ = {sig[0]:g} by Levenberg-Marquardt",
            source=common.source("paper,illustrative", "Eq. 5 (fit: App. G)", LUO),
            label="paper", paper=NO_PAPER,
            theory="expected max rel. error (60 seeds): α 2.9 %, c 3.9 %, A0 0.11 %",
            measured={k: _r(v, 3) for k, v in silu.items()},
            tolerance="max relative error over all rows and seeds: α ≤ 5 %, c ≤ 6 %, A0 ≤ 0.3 %",
            passed=all(silu[k] <= t for k, t in silu_tol.items()),
            note=f"{seeds} seeds × 5 rows; 40 log-spaced D in [10, 300]"),
        make_claim(
            profile=profile, id="law_forms.sparsing_relu_recovery",
            statement=f"ReLU parameters recovered at σ = {sig[0]:g} where identifiable",
            source=common.source("paper,illustrative", "Eq. 4 (fit: App. G)", LUO),
            label="paper", paper=NO_PAPER,
            theory="expected 60-seed maxima (0.2B-2.4B): α 10.9 %, b 4.0 %, c 34 %, A0 7.1 %; "
                   "0.1B: A0 4 %",
            measured={**{k: _r(v, 3) for k, v in relu.items()},
                      "A0 (0.1B)": _r(sp["relu_0.1B_A0_max_rel_err"], 3)},
            tolerance="rows 0.2B-2.4B: α ≤ 15 %, b ≤ 6 %, c ≤ 50 %, A0 ≤ 10 %; 0.1B: A0 ≤ 8 % "
                      "(b, c of 0.1B not tested: degenerate)",
            passed=all(relu[k] <= t for k, t in relu_tol.items())
            and sp["relu_0.1B_A0_max_rel_err"] <= 0.08,
            note=f"{seeds} seeds; 15 LM starts per fit, lowest finite cost kept"),
        make_claim(
            profile=profile, id="law_forms.sparsing_curve_recovery",
            statement=f"the fitted curve matches the true curve at σ = {sig[1]:g}",
            source=common.source("paper,illustrative", "Eqs. 4-5", LUO), label="paper",
            paper=NO_PAPER, theory="expected max_D |Â − A| ≤ 2.04σ (10 seeds)",
            measured={"max_D |Â − A| / σ": _r(curve, 3),
                      f"at σ = {sig[0]:g}": _r(sp["curve_err_sigma_max"]["param_sigma"], 3)},
            tolerance="≤ 3σ for every row (ReLU and SiLU) and seed",
            passed=curve <= 3.0),
    ]


def massive_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    ma = m["massive"]
    th, cases = ma["theory"], ma["cases"]
    slope = max(th[c]["rel_slope_at_peak"] for c in th)
    dt = max(abs(th[c]["t_peak"] - PEAK_REFERENCE[c]) for c in th)
    reparam = max(th[c]["reparam_max_diff_rel"] for c in th)
    t_tol = _by_profile(profile, 0.15, 0.20)
    peaked = [cases[c] for c in ("peaked", "mid")]
    late = cases["late"]
    seeds = m["seeds"]["massive_seeds"]
    return [
        make_claim(
            profile=profile, id="law_forms.massive_peak_formula",
            statement="t_peak = (x* − t0)/γ with x* = 1/(λ W(1/λ)) zeroes f'",
            source=common.source("paper,derived", "Eq. 9 (peak condition, corrected text)",
                                 GALLEGO),
            label="paper", paper="λ x* log x* = 1 (garbled in the PDF text)",
            theory={c: _r(th[c]["t_peak"], 7) for c in th},
            measured={"max |f'(t_peak)|/max|f'|": _r(slope, 3),
                      "max |λx* log x* − 1|": _r(max(abs(th[c]["peak_condition_residual"])
                                                     for c in th), 3),
                      "max |t_peak − spec value|": _r(dt, 3)},
            tolerance="|f'(t_peak)| ≤ 1e-8·max|f'|; t_peak within ±1 step of the spec's 8070, "
                      "7739, 189,491",
            passed=slope <= 1e-8 and dt <= 1.0),
        make_claim(
            profile=profile, id="law_forms.massive_reparam_identity",
            statement="the Eq. 9 and Eq. 14 forms coincide",
            source=common.source("paper", "Eq. 14", GALLEGO), label="paper",
            paper="identity", theory="0", measured={"max |f − f_reparam|/max|f|": _r(reparam, 3)},
            tolerance="≤ 1e-10", passed=reparam <= 1e-10),
        make_claim(
            profile=profile, id="law_forms.massive_recovery_peaked",
            statement="peaked/mid trajectories: peak time, asymptote and curve recovered",
            source=common.source("paper,illustrative", "Eq. 9, fit recipe", GALLEGO),
            label="paper", paper="mean R² 0.984 over 188 Pythia layers",
            theory={c: _r(th[c]["t_peak"], 6) for c in ("peaked", "mid")},
            measured={c: {"R² median": _r(e["r2_median"]), "R² min": _r(e["r2_min"]),
                          "max t_peak rel. err.": _r(e["t_peak_rel_err_max"], 3),
                          "max |ΔK|/range": _r(e["K_err_range_max"], 3),
                          "max curve err./SD(f)": _r(e["curve_err_sd_max"], 3)}
                      for c, e in zip(("peaked", "mid"), peaked, strict=True)},
            tolerance=f"every seed: R² ≥ 0.96; t_peak within {t_tol:.0%}; |ΔK| ≤ 5 % of the "
                      "range; max curve error ≤ 0.3 SD(f)",
            passed=all(e["r2_min"] >= 0.96 and e["t_peak_rel_err_max"] <= t_tol
                       and e["K_err_range_max"] <= 0.05 and e["curve_err_sd_max"] <= 0.3
                       for e in peaked),
            note=f"{seeds} seeds; noise σ = 0.14·SD_t(f); 48 Pythia-style checkpoints"),
        make_claim(
            profile=profile, id="law_forms.massive_no_peak_late",
            statement="a trajectory whose peak lies beyond the window is fitted without a "
                      "spurious peak",
            source=common.source("paper,illustrative", "middle layers, Eq. 9", GALLEGO),
            label="paper", paper="middle layers grow logarithmically",
            theory={"t_peak": _r(th["late"]["t_peak"], 6), "T": ma["T"]},
            measured={"fraction t̂_peak > T": _r(late["frac_no_peak_in_window"]),
                      "min t̂_peak": _r(late["t_peak_hat_min"], 6), "R² min": _r(late["r2_min"])},
            tolerance="fraction ≥ 0.90; R² ≥ 0.96 (K not tested: not identifiable)",
            passed=late["frac_no_peak_in_window"] >= 0.90 and late["r2_min"] >= 0.96,
            note="spec expects 98 % (min 137,672 over 50 seeds). λ → 0 with γ → ∞ is a flat "
                 "valley of the fit (A log(γt + t0) absorbs into A, K), so t̂_peak is set by the "
                 "noise; SciPy's TRF gives the same t̂_peak on the same data (checked), so a "
                 "shortfall reflects the noise draws, not the optimiser"),
    ]


def densing_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    de = m["densing"]
    months = de["doubling_months_theory"]
    fitted = de["cases"]["arxiv"]["doubling_months_median"]
    lo, hi = _by_profile(profile, (0.90, 0.99), (0.93, 0.97))
    cases = de["cases"]
    return [
        make_claim(
            profile=profile, id="law_forms.densing_doubling_time",
            statement="A = 0.007/day ⇔ density doubling ≈ 3.3 months",
            source=common.source("paper", "densing fit (arXiv version)", XIAO), label="paper",
            paper="≈ 3.3 months (A ≈ 0.007/day)",
            theory={"days": _r(de["doubling_days_theory"]), "months": _r(months)},
            measured={"median fitted doubling (months, 29 models)": _r(fitted)},
            tolerance="closed form and median fit within ±0.1 month of 3.25; the paper's 3.3 "
                      "within 0.1 of the closed form",
            passed=abs(months - 3.25) <= 0.1 and abs(3.3 - months) <= 0.1
            and abs(fitted - 3.25) <= 0.1,
            note=f"1 month = {de['days_per_month']} days"),
        make_claim(
            profile=profile, id="law_forms.densing_inversion_identity",
            statement="N̂(S(L(N, D0))) = N for N ∈ [1e8, 1e11]",
            source=common.source("paper,reconstructed,illustrative",
                                 "Eqs. 2-4 (Eq. 2 form reconstructed)", XIAO),
            label="reconstructed", paper="identity", theory="0",
            measured={"max rel. error": _r(de["identity_max_rel_err"], 3)},
            tolerance="≤ 1e-10 relative", passed=de["identity_max_rel_err"] <= 1e-10),
        make_claim(
            profile=profile, id="law_forms.densing_recovery",
            statement="the planted growth rate is recovered by OLS of ln ρ on t",
            source=common.source("paper,reconstructed", "densing fit", XIAO),
            label="reconstructed", paper="A ≈ 0.007/day, R² ≈ 0.93 (29 models)",
            theory={c: {"A": _r(e["A"]), "expected SE": 3.3e-4 if c == "arxiv" else 2.0e-4}
                    for c, e in cases.items()},
            measured={c: {"mean SE": _r(e["se_mean"], 3), "SD of Â": _r(e["A_hat_sd"], 3),
                          "fraction |Â − A| ≤ 3 SE": _r(e["frac_within_3se"]),
                          "95 % coverage": _r(e["coverage_95"]), "mean R²": _r(e["r2_mean"])}
                      for c, e in cases.items()},
            tolerance=f"each case: fraction ≥ 0.98 (expected 0.994); coverage ∈ [{lo}, {hi}]",
            passed=all(e["frac_within_3se"] >= 0.98 and lo <= e["coverage_95"] <= hi
                       for e in cases.values()),
            note=f"{m['seeds']['densing_seeds']} seeds per case; ln ρ noise SD 0.33"),
    ]


def capacity_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    ic = m["capacity"]
    lo, hi = _by_profile(profile, (0.90, 0.99), (0.93, 0.97))
    frac = ic["frac_within_3se"]
    return [make_claim(
        profile=profile, id="law_forms.capacity_recovery",
        statement="planted IC_s and b are recovered by the shared-intercept OLS fit",
        source=common.source("paper,reconstructed,illustrative",
                             "IC definition; b from the authors' code", YUAN),
        label="reconstructed", paper="b = −24 (mixed text, authors' code)",
        theory={"truth": ic["truth"], "expected SD": {"IC": 0.0024, "b": 0.079}},
        measured={"SD": {k: _r(v, 3) for k, v in ic["estimate_sd"].items()},
                  "mean SE": {k: _r(v, 3) for k, v in ic["se_mean"].items()},
                  "fraction |Δ| ≤ 3 SE": frac, "coverage": ic["coverage_95"]},
        tolerance=f"per parameter: fraction ≥ 0.97 (expected 0.99, t with {ic['dof']} df); "
                  f"coverage of b ∈ [{lo}, {hi}]",
        passed=all(v >= 0.97 for v in frac.values()) and lo <= ic["coverage_95"]["b"] <= hi,
        note=f"{m['seeds']['ic_seeds']} seeds; hand example IC(32, 2.5, 2^30, −24) = "
             f"{ic['hand_example']:.5f}")]


def hotmess_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    hm = m["hotmess"]
    mean_tol = _by_profile(profile, 0.005, 0.002)
    plo, phi = _by_profile(profile, (-0.025, -0.010), (-0.020, -0.014))
    ens_tol = _by_profile(profile, 0.006, 0.002)
    ens_dev = max(abs(v) for v in hm["ens_error_mean"])
    src = common.source("paper,reconstructed,illustrative", "bias-variance decomposition",
                        HAGELE)
    return [
        make_claim(
            profile=profile, id="law_forms.hotmess_kl_identity",
            statement="categorical KL decomposition: Error = Bias² + Var exactly; Var ≥ 0",
            source=src, label="reconstructed", paper="Error = Bias² + Var",
            theory="identity", measured={"max |Error − Bias² − Var|":
                                         _r(hm["kl_identity_max_abs"], 3),
                                         "min Var": _r(hm["kl_var_min"], 3),
                                         "incoherence": _r(hm["kl_incoherence"])},
            tolerance="≤ 1e-12 absolute per question; Var ≥ 0",
            passed=hm["kl_identity_max_abs"] <= 1e-12 and hm["kl_var_min"] >= 0.0),
        make_claim(
            profile=profile, id="law_forms.hotmess_bernoulli_recovery",
            statement="the unbiased estimator recovers Σp(1−p)/Σ(1−p) from K = 30 samples",
            source=src, label="paper", paper=NO_PAPER,
            theory={"closed form (mean over seeds)": _r(hm["closed_mean"])},
            measured={"error mean": _r(hm["error_mean"], 3), "error SD": _r(hm["error_sd"], 3),
                      "max |error|": _r(hm["error_max_abs"], 3)},
            tolerance=f"|error| ≤ 0.035 per seed; |mean error| ≤ {mean_tol}",
            passed=hm["error_max_abs"] <= 0.035 and abs(hm["error_mean"]) <= mean_tol,
            note=f"{m['seeds']['hotmess_seeds']} seeds; expected mean 0.000, SD 0.0087"),
        make_claim(
            profile=profile, id="law_forms.hotmess_plugin_bias",
            statement="the plug-in variance underestimates incoherence by ≈ 1/K relative",
            source=common.source("derived", "finite-K estimator bias", HAGELE), label="theory",
            paper=NO_PAPER, theory="≈ −0.5/30 = −0.017",
            measured={"mean bias": _r(hm["plugin_bias_mean"], 3)},
            tolerance=f"mean bias ∈ [{plo}, {phi}]",
            passed=plo <= hm["plugin_bias_mean"] <= phi),
        make_claim(
            profile=profile, id="law_forms.hotmess_ensemble",
            statement="averaging E samples lowers incoherence as Σp(1−p)/E / Σ[p(1−p)/E + (1−p)²]",
            source=src, label="paper", paper="ensembling reduces incoherence",
            theory={f"E={e}": _r(v, 3) for e, v in zip(hm["ensembles"], hm["ens_closed_mean"],
                                                        strict=True)},
            measured={"estimate": [_r(v, 3) for v in hm["ens_estimate_mean"]],
                      "mean(est − closed)": [_r(v, 2) for v in hm["ens_error_mean"]],
                      "Bias²": [_r(v, 3) for v in hm["ens_bias2_mean"]],
                      "Var": [_r(v, 3) for v in hm["ens_var_mean"]]},
            tolerance=f"|mean(est − closed form)| ≤ {ens_tol} per E; estimates strictly "
                      "decreasing in E",
            passed=ens_dev <= ens_tol and hm["ens_strictly_decreasing"],
            note=f"{m['seeds']['hotmess_ensemble_seeds']} seeds; Bias² is unchanged by "
                 "ensembling while Var falls as 1/E"),
    ]


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any, profile: str) -> list[Claim]:
    return (sparsing_claims(metrics, profile) + massive_claims(metrics, profile)
            + densing_claims(metrics, profile) + capacity_claims(metrics, profile)
            + hotmess_claims(metrics, profile))
