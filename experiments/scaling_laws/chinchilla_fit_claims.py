"""Claims of ``chinchilla_fit``. They read saved metrics only; Epoch's and Hoffmann's published
numbers come from ``theory.scaling_chinchilla``'s constants.

Every number is computed on Epoch's digitised points of Hoffmann's Fig. 4 (left), not on
Hoffmann's runs. Numbers that only earlier runs of this suite produced (the Huber-sum optimum
J = 1.01827402e-3, the converged fraction of the starts, the residual statistics) are regression
targets: they are checked in claims of kind ``regression`` (``multistart_convergence``,
``fit_quality``) and shown in the details elsewhere, never mixed into a validation verdict.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, underpowered
from experiments.common.results import as_float
from experiments.scaling_laws.common import EPOCH, HOFFMANN, THEORY, source
from theory.scaling_chinchilla import EPOCH_2024, HOFFMANN_TABLE2

REFERENCE_J = 1.01827402e-3  # Huber-sum optimum of a reference run of this suite
EPOCH_DROPPED = (5.0056, 4.6652, 3.7939, 3.7656, 3.4470)  # the 5 highest losses Epoch drops
# recovery_noisy: per-replicate |estimate − truth| limits (the recovery figure draws them).
RECOVERY_LIMITS = {"alpha": 0.035, "beta": 0.035, "E": 0.07, "a_opt": 0.03, "log_A": 0.6,
                   "log_B": 0.6}
DIGITISED = "On Epoch's digitised Fig. 4 points (not Hoffmann's runs)."
PARAMS = ("alpha", "beta", "E")
SYMBOL = {"alpha": "α", "beta": "β", "E": "E", "A": "A", "B": "B", "a_opt": "a",
          "log_A": "log A", "log_B": "log B"}


def _r(value: Any, digits: int = 4) -> Any:
    """Rounded for display; non-numbers pass through."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value


def _fmt(value: float, digits: int = 3) -> str:
    return format_number(float(value), digits)


def _worst(checks: dict[str, tuple[float, float]]) -> tuple[str, float, float]:
    """(name, value, limit) of the ``value ≤ limit`` check with the largest value/limit."""
    name = max(checks, key=lambda k: checks[k][0] / checks[k][1])
    return name, checks[name][0], checks[name][1]


def make_claims(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                profile: str) -> list[Claim]:
    claims: list[Claim] = []
    paper_profile = profile == "paper"

    def add(cid: str, *, labels: str, where: str, paper_name: str = EPOCH, label: str = "paper",
            **fields: Any) -> None:
        claims.append(make_claim(profile=profile, id=f"chinchilla_fit.{cid}",
                                 source=source(labels, where, paper_name), label=label, **fields))

    m = metrics
    fit, boot, bayes = m["fit"], m["bootstrap"], m["bayes"]
    j_opt = fit["objective"]
    n_boot = boot["n"]

    # --- data ---------------------------------------------------------------------------------
    dropped = m["data"]["dropped_losses"]
    drop_dev = max(abs(a - b) for a, b in zip(dropped, EPOCH_DROPPED, strict=False)) \
        if len(dropped) == 5 else math.inf
    add("data_outliers", labels="paper", where="outlier rule (5 highest losses dropped)",
        kind="consistency",
        statement="Dropping the 5 highest losses of the 245 digitised points leaves 240 points",
        expected=240, measured=m["data"]["kept"],
        context="kept; dropped " + ", ".join(_fmt(v, 4) for v in dropped),
        tolerance="exactly 240 kept; dropped losses within 1e-4 of Epoch's five",
        tolerance_source="exact (data integrity)",
        passed=m["data"]["kept"] == 240 and drop_dev <= 1e-4,
        reason="the shipped data or the outlier rule changed",
        details={"dropped": [_r(v, 6) for v in dropped], "Epoch's dropped": list(EPOCH_DROPPED),
                 "rows": m["data"]["rows"], "distinct N": m["data"]["distinct_N"]})

    # --- point fit --------------------------------------------------------------------------
    ep = EPOCH_2024["estimates"]
    checks = {"α": (abs(fit["alpha"] - ep["alpha"]), 0.002),
              "β": (abs(fit["beta"] - ep["beta"]), 0.003),
              "E": (abs(fit["E"] - ep["E"]), 0.002),
              "A (rel.)": (abs(fit["A"] / ep["A"] - 1), 0.03),
              "B (rel.)": (abs(fit["B"] / ep["B"] - 1), 0.05)}
    name, value, limit = _worst(checks)
    j_rel = j_opt / REFERENCE_J - 1
    add("refit_matches_epoch", labels="paper", where="estimates table; Hoffmann App. D.2 method",
        kind="quantitative",
        statement="The Huber-sum optimum matches Epoch's published Approach-3 estimates",
        expected=f"Epoch: α {ep['alpha']}, β {ep['beta']}, E {ep['E']}",
        measured=_r(value, 3),
        context=f"largest deviation vs limit, {name} (≤ {limit:g}); α {_fmt(fit['alpha'], 4)}, "
                f"β {_fmt(fit['beta'], 4)}",
        tolerance="|Δα| ≤ 0.002, |Δβ| ≤ 0.003, |ΔE| ≤ 0.002, A within 3 %, B within 5 %",
        tolerance_source="flatness of the optimum (sum vs likelihood fit)",
        passed=all(v <= t for v, t in checks.values()),
        reason=f"the refit's {name} is off Epoch's estimate",
        note=f"{DIGITISED} Epoch's published point comes from its Huber-likelihood fit (which "
             "ends with 'precision loss'); the refit minimises the Huber sum: the same optimum "
             "within its flatness, far inside Epoch's SEs. Hoffmann's published values are far "
             "off (see mean_huber_early_stop).",
        details={"refit": {k: _r(fit[k], 6) for k in ("E", "A", "B", "alpha", "beta",
                                                      "objective")},
                 "Epoch": ep, "Epoch SE": EPOCH_2024["se"],
                 "deviation": {k: _r(v[0], 3) for k, v in checks.items()},
                 "regression: J/J_reference − 1": _r(j_rel, 3),
                 "J_reference": REFERENCE_J})

    frac = fit["converged_fraction"]
    frac_min = 0.70 if paper_profile else 0.20
    add("multistart_convergence", labels="paper", where="App. D.2 (grid of initialisations)",
        paper_name=HOFFMANN, kind="regression",
        statement="Multi-start L-BFGS reaches the reference optimum from a sizeable fraction of "
                  "grid starts",
        expected=f"J = {REFERENCE_J:.8e}; fraction ≥ {frac_min}", measured=_r(frac, 3),
        context=f"fraction within 1e-6 of the best; best J rel. diff {_fmt(j_rel, 2)}",
        tolerance=f"best J within 1e-7 (rel.) of the reference; fraction ≥ {frac_min}",
        tolerance_source="reference runs of this suite",
        passed=abs(j_rel) <= 1e-7 and frac >= frac_min,
        reason=("the best objective moved from the reference optimum" if abs(j_rel) > 1e-7 else
                "too few starts reach the best objective"),
        note=f"{fit['n_starts']} starts × {fit['steps']} objective evaluations of the "
             "one-evaluation-per-step L-BFGS; reference runs gave 0.39 at 256 × 150 and 0.84 at "
             "4500 × 500 optax.lbfgs iterations. Hoffmann report no converged fraction. "
             f"Non-finite starts: {fit['non_finite']}.",
        details={"best J": j_opt, "J_reference": REFERENCE_J, "gradient norm": fit["grad_norm"],
                 "converged fraction": _r(frac, 3), "non-finite starts": fit["non_finite"]})

    # --- bootstrap --------------------------------------------------------------------------
    ci, se = boot["ci95"], boot["se"]
    h_un = m["parameter_sets"]["hoffmann_unrounded"]
    margins = {"β below the CI": (ci["beta"][0] - h_un["beta"]) / se["beta"],
               "E below the CI": (ci["E"][0] - h_un["E"]) / se["E"],
               "α inside the CI": min(h_un["alpha"] - ci["alpha"][0],
                                      ci["alpha"][1] - h_un["alpha"]) / se["alpha"]}
    tight = min(margins, key=margins.get)
    add("hoffmann_outside_ci", labels="paper", where="bootstrap CIs", kind="qualitative",
        statement="Hoffmann's β and E lie below the bootstrap 95 % CIs; his α lies inside",
        expected="β_H < CI(β), E_H < CI(E), α_H ∈ CI(α)", measured=_r(margins[tight], 3),
        context=f"smallest margin in bootstrap SEs, {tight}",
        tolerance="all three relations hold (Hoffmann's un-rounded values)",
        tolerance_source="CI endpoints' MC error ≈ 0.15 SE (400 resamples)",
        passed=all(v > 0 for v in margins.values()),
        reason=f"the relation '{tight}' fails",
        details={"ci95": {k: [_r(v) for v in ci[k]] for k in PARAMS},
                 "Hoffmann un-rounded": {k: _r(h_un[k]) for k in PARAMS},
                 "margins (SE)": {k: _r(v, 3) for k, v in margins.items()},
                 "Epoch": "β 0.2849 < ≈0.326; E 1.6934 < ≈1.77; α 0.339 ∈ (0.319, 0.371)"})

    ratios = {k: se[k] / EPOCH_2024["notebook_se"][k] for k in ("alpha", "beta", "E", "A", "B")}
    lo, hi = (0.9, 1.1) if paper_profile else (0.8, 1.25)
    lo2, hi2 = (0.8, 1.25) if paper_profile else (0.7, 1.4)
    bands = {k: ((lo, hi) if k in PARAMS else (lo2, hi2)) for k in ratios}
    worst = max(ratios, key=lambda k: abs(math.log(ratios[k])) / math.log(bands[k][1]))
    others = ", ".join(f"{SYMBOL[k]} {_fmt(v)}" for k, v in ratios.items() if k != worst)
    add("bootstrap_se", labels="paper", where="notebook bootstrap SEs (4000 resamples)",
        kind="quantitative", statement="Bootstrap SEs of the refit agree with Epoch's",
        expected=1.0, measured=_r(ratios[worst], 3),
        context=f"SE ratio to Epoch, worst {SYMBOL[worst]}; {others}",
        tolerance=f"ratio ∈ [{lo}, {hi}] (α, β, E), [{lo2}, {hi2}] (A, B)",
        tolerance_source=f"MC error of a {n_boot}-resample SE "
                         f"(≈ {100 / math.sqrt(2 * max(n_boot - 1, 1)):.1f} %), heavier for A, B",
        passed=all(bands[k][0] <= v <= bands[k][1] for k, v in ratios.items()),
        reason=f"the bootstrap SE of {SYMBOL[worst]} disagrees with Epoch's",
        note=f"{n_boot} resamples (JAX keys) vs Epoch's 4000 (NumPy seed 42): Monte-Carlo "
             "agreement only.",
        details={"ratio": {k: _r(v) for k, v in ratios.items()},
                 "SE": {k: _r(se[k]) for k in ratios}, "Epoch SE": EPOCH_2024["notebook_se"]})

    tol_ab, tol_e = (0.008, 0.012) if paper_profile else (0.01, 0.015)
    diffs = {k: max(abs(ci[k][i] - EPOCH_2024["ci95"][k][i]) for i in (0, 1)) for k in PARAMS}
    lims = {"alpha": tol_ab, "beta": tol_ab, "E": tol_e}
    worst = max(diffs, key=lambda k: diffs[k] / lims[k])
    add("bootstrap_ci", labels="paper", where="95% percentile CIs", kind="quantitative",
        statement="The 95 % percentile CI endpoints of α, β and E agree with Epoch's",
        expected="Epoch: α (0.317, 0.373), β (0.331, 0.415), E (1.769, 1.871)",
        measured=_r(diffs[worst], 3),
        context=f"largest endpoint difference, {SYMBOL[worst]} (≤ {lims[worst]:g})",
        tolerance=f"each endpoint within ±{tol_ab} (α, β), ±{tol_e} (E)",
        tolerance_source="MC error of 2.5 % quantiles (≈ 0.002 for α, β)",
        passed=all(diffs[k] <= lims[k] for k in PARAMS),
        reason=f"the CI of {SYMBOL[worst]} disagrees with Epoch's",
        details={"ci95": {k: [_r(v) for v in ci[k]] for k in PARAMS},
                 "Epoch ci95": {k: list(EPOCH_2024["ci95"][k]) for k in PARAMS},
                 "largest endpoint difference": {k: _r(v, 3) for k, v in diffs.items()}})

    a_fit, a_se = fit["a_opt"], se["a_opt"]
    a_h3 = HOFFMANN_TABLE2["approach_3"]["a"][0]
    z_h = (a_fit - a_h3) / a_se
    power = underpowered(EPOCH_2024["a"] - a_h3, a_se,
                         what="gap (Epoch's a − Hoffmann's a)")
    add("compute_optimal_exponent", labels="paper", where="Table 2; Epoch a = 0.5126",
        paper_name=f"{HOFFMANN}; {EPOCH}", kind="quantitative",
        statement="The refit's compute-optimal exponent a = β/(α+β) equals Epoch's 0.5126",
        expected=EPOCH_2024["a"], measured=_r(a_fit, 4), interval=[_r(v) for v in ci["a_opt"]],
        interval_kind=f"95% bootstrap percentile, {n_boot} resamples",
        context=f"{_fmt(z_h)} SE above Hoffmann's 0.46",
        tolerance="|a − 0.5126| ≤ 0.005", tolerance_source="flatness of the optimum (sum vs "
                                                            "likelihood fit)",
        passed=abs(a_fit - EPOCH_2024["a"]) <= 0.005, reason="the refit's a is off Epoch's",
        note="Hoffmann's Approach 3 gives 0.46 (approaches 1, 2: 0.50, 0.49). The refit lies "
             f"{_fmt(z_h)} bootstrap SEs above 0.46: a 2-SE test rejects 0.46, but the gap is "
             "below 3 SEs, so the inconsistency is reported here, not counted as a verdict. "
             "The data are fixed: more compute cannot sharpen it.",
        details={"a": _r(a_fit, 5), "bootstrap SE": _r(a_se, 3), "z vs 0.46": _r(z_h, 3),
                 "inconsistency with 0.46": power or "powered at 3 SE",
                 "Epoch": EPOCH_2024["a"], "Hoffmann approach 3": a_h3,
                 "Hoffmann approaches 1, 2": [0.50, 0.49],
                 "closed form from the refit": _r(m["compute_optimal"]["refit"]["a"], 5)})

    width, needed = boot["a_opt_width_10_90"], boot["n_needed"]
    n_lo, n_hi = (4e5, 9e5) if paper_profile else (3e5, 1.2e6)
    add("hoffmann_a_ci_implausible", labels="paper", where="on Hoffmann's CIs",
        kind="quantitative",
        statement="Hoffmann's 80 % CI width for a (0.001) would need about 6e5 runs",
        expected=EPOCH_2024["n_needed"], measured=_r(needed, 3),
        context=f"runs needed = 240·(w/0.001)²; 10-90 % width w {_fmt(width)}",
        tolerance=f"w ≥ 0.02; runs needed ∈ [{n_lo:.1e}, {n_hi:.1e}]",
        tolerance_source="factor-2 band; MC error of runs needed ≈ 10 %",
        passed=width >= 0.02 and n_lo <= needed <= n_hi,
        reason="the bootstrap width of a does not give Epoch's number of runs",
        note="Epoch: 'over 600,000' runs; Hoffmann ran about 400.",
        details={"width 10-90": _r(width, 3), "runs needed": _r(needed, 3),
                 "Epoch": EPOCH_2024["n_needed"], "Hoffmann CI": [0.454, 0.455]})

    chi2 = boot["chi2"]
    chi2_min = 150 if paper_profile else 100
    add("chi2_hoffmann_vs_refit", labels="paper", where="χ² test with bootstrap covariance",
        kind="quantitative",
        statement="A χ² test (df 5) with the bootstrap covariance rejects Hoffmann's un-rounded "
                  "parameters",
        expected="χ² ≫ 20.5 (p < 1e-3)", measured=_r(chi2, 4),
        context=f"log10 p = {_fmt(boot['chi2_log10_p'])}",
        tolerance=f"χ² ≥ {chi2_min}",
        tolerance_source="margin over rejection for MC error of the covariance",
        passed=chi2 >= chi2_min, reason="the χ² statistic is too small to reject Hoffmann's set",
        note="Reference runs gave χ² ≈ 210-250 (depends on the bootstrap stream); p ≤ 1e-3 needs "
             "χ² ≥ 20.5.",
        details={"chi2": _r(chi2), "log10 p": _r(boot["chi2_log10_p"], 3)})

    # --- likelihood and residuals ------------------------------------------------------------
    lik = m["likelihood"]
    targets = {"hoffmann_rounded": 562.25, "hoffmann_unrounded": 837.78, "refit": 879.56}
    ll = {k: lik["table"][k]["loglik_240"] for k in targets}
    ll_dev = max(abs(ll[k] - v) for k, v in targets.items())
    lr, lr_p = lik["lr_refit_vs_unrounded"], lik["lr_log10_p"]
    add("huber_likelihood_ratio", labels="paper", where="notebook (Huber likelihood)",
        kind="quantitative",
        statement="Profiled Huber log-likelihoods match Epoch's; the LR test prefers the refit "
                  "over Hoffmann's",
        expected="log-liks 562.25 / 837.78 / 879.56; LR ≈ 83.6", measured=_r(lr, 4),
        context=f"LR, log10 p {_fmt(lr_p)}; max |Δ log-lik| {_fmt(ll_dev, 2)}",
        tolerance="each log-lik ±0.5; LR ≥ 80 and p ≤ 1e-15",
        tolerance_source="±0.5 nat: optimum flatness (Epoch's own fit 879.77)",
        passed=ll_dev <= 0.5 and lr >= 80 and lr_p <= -15,
        reason="the log-likelihoods or the LR statistic disagree with Epoch's",
        note="240 points; the refit's target is this suite's optimum (Epoch's own likelihood "
             "optimum is 879.77, its published point 878.62).",
        details={"log-lik (240)": {k: round(v, 3) for k, v in ll.items()},
                 "targets": targets, "LR": round(lr, 3), "log10 p": _r(lr_p, 3),
                 "log scale": {k: _r(lik["table"][k]["log_scale_240"]) for k in targets}})

    quality = m["fit_quality"]
    q_targets = {"refit": (0.0218, 0.0021), "hoffmann_unrounded": (0.0302, 0.0086),
                 "hoffmann_rounded": (0.0526, -0.0447)}
    q_dev = {f"{k} {stat}": abs(quality[k][stat] - t) for k, pair in q_targets.items()
             for stat, t in zip(("rmse", "mean"), pair, strict=True)}
    q_worst = max(q_dev, key=q_dev.get)
    add("fit_quality", labels="paper", where="residual figure", kind="regression",
        statement="Loss-space RMSE and mean residual of the refit and of Hoffmann's two sets",
        expected="refit 0.0218/+0.0021; un-rounded 0.0302/+0.0086; rounded 0.0526/−0.0447",
        measured=_r(q_dev[q_worst], 3), context=f"largest deviation, {q_worst}",
        tolerance="each RMSE and mean within ±0.0005 of the reference values",
        tolerance_source="reference runs of this suite",
        passed=max(q_dev.values()) <= 5e-4, reason=f"{q_worst} moved from the reference value",
        note="Epoch shows these residuals as figures only; the numbers are from an earlier run. "
             "Hoffmann's sets fit visibly worse (larger RMSE, biased mean).",
        details={k: {"rmse": _r(quality[k]["rmse"], 3), "mean": _r(quality[k]["mean"], 3)}
                 for k in quality} | {"reference": {k: list(v) for k, v in q_targets.items()}})

    co = m["compute_optimal"]
    tpp = {k: co[k]["tokens_per_param"] for k in co}
    tpp_ci = boot["ci95"]["tokens_per_param"]
    h59 = tpp["hoffmann_unrounded"]
    add("tokens_per_parameter", labels="paper", where="§3 (C = 5.88e23); Epoch",
        paper_name=f"{HOFFMANN}; {EPOCH}", kind="quantitative",
        statement="At Chinchilla's compute the refit's D_opt/N_opt is consistent with 20 and "
                  "excludes Hoffmann's Approach 3",
        expected=20.0, measured=_r(tpp["refit"], 4), interval=[_r(v, 3) for v in tpp_ci],
        interval_kind=f"95% bootstrap percentile, {n_boot} resamples",
        context=f"Hoffmann un-rounded {_fmt(h59)}, rounded {_fmt(tpp['hoffmann_rounded'])}",
        tolerance="the refit's 95 % CI contains 20 and excludes the un-rounded Hoffmann value",
        tolerance_source="bootstrap 95 % CI",
        passed=tpp_ci[0] <= 20 <= tpp_ci[1] and not (tpp_ci[0] <= h59 <= tpp_ci[1]),
        reason="the refit's CI excludes 20 or contains Hoffmann's value",
        note="C = 5.88e23 = 6·70e9·1.4e12 (Chinchilla: 20 tokens/parameter). Published sets "
             "reproduce 18.4 (Epoch), 59.0 and 92.8 (Hoffmann un-rounded, rounded; unit-tested); "
             "reference runs gave the refit 17.9.",
        details={"tokens per parameter": {k: _r(v) for k, v in tpp.items()},
                 "refit CI": [_r(v, 3) for v in tpp_ci],
                 "reference values": {"epoch": 18.4, "hoffmann_unrounded": 59.0,
                                      "hoffmann_rounded": 92.8, "refit": 17.9}})

    # --- mean vs sum ---------------------------------------------------------------------------
    mvs = m["mean_vs_sum"]
    mean_run = mvs["mean_defaults"]
    step = mean_run["max_abs_step_from_start"]
    add("mean_huber_early_stop", labels="paper,derived", where="v2 (mean vs sum)",
        kind="qualitative",
        statement="With the Huber loss averaged, L-BFGS-B (SciPy defaults) stops at its start: "
                  "Hoffmann's values",
        expected="stop at the start (nit ≤ 3)", measured=_r(step, 3),
        context=f"max |Δθ| from the start; nit {mean_run['nit']}; J_sum "
                f"{_fmt(mean_run['j_sum'] / j_opt)} × optimum",
        tolerance="nit ≤ 3; |Δθ| ≤ 1e-3 from the start; J_sum ≥ 1.1 × optimum",
        tolerance_source="SciPy's rule: Δf ≤ 2.2e-9 is absolute for f < 1",
        passed=mean_run["nit"] <= 3 and step <= 1e-3 and mean_run["j_sum"] >= 1.1 * j_opt,
        reason="the averaged objective no longer stops at the start",
        note=f"Started at Hoffmann's un-rounded values; message: {mean_run['message']}. The sum "
             f"with defaults also stalls (nit {mvs['sum_defaults']['nit']}, J "
             f"{mvs['sum_defaults']['j_sum']:.6g}); BFGS on the sum reaches the optimum (nit "
             f"{mvs['bfgs_sum']['nit']}, J {mvs['bfgs_sum']['j_sum']:.6g}).",
        details={"nit": mean_run["nit"], "max |Δθ|": _r(step, 3),
                 "J_sum / optimum": _r(mean_run["j_sum"] / j_opt),
                 "stopped at": {k: _r(mean_run[k]) for k in ("A", "B", "E", "alpha", "beta")}})

    tight = mvs["mean_tight"]["j_sum"]
    tight_rel = tight / j_opt - 1
    add("mean_huber_tight_tolerance", labels="derived", where="SciPy stopping rule",
        paper_name=THEORY, label="theory", kind="identity",
        statement="With ftol 1e-15, gtol 1e-12 the averaged objective reaches the summed "
                  "objective's optimum",
        expected=0.0, measured=_r(tight_rel, 3),
        context=f"J_sum/J_opt − 1; J_sum {tight:.8e}",
        tolerance="|J_sum/J_opt − 1| ≤ 1e-6 (J_opt: best multi-start objective of this run)",
        tolerance_source="optimiser precision (ftol 1e-15)",
        passed=abs(tight_rel) <= 1e-6,
        reason="the averaged objective with tight tolerances misses the optimum",
        note="Mean and sum differ by the factor 1/240 only, so their minimiser is the same: the "
             "early stop is the stopping rule, not the objective.",
        details={"J_sum": tight, "J_opt": j_opt, "J_reference": REFERENCE_J,
                 "nit": mvs["mean_tight"]["nit"]})

    ms = mvs["mean_multistart"]
    ratio = ms["best_j_sum"] / j_opt
    add("mean_huber_multistart_worse", labels="paper,derived", where="v2",
        kind="qualitative",
        statement="Multi-start on the averaged objective (SciPy defaults) does not find the "
                  "optimum",
        expected="best J_sum > optimum", measured=_r(ratio, 4),
        context=f"best J_sum / optimum over {ms['n_starts']} grid starts",
        tolerance="ratio ≥ 1.05", tolerance_source="5 % margin above the optimum",
        passed=ratio >= 1.05, reason="a start of the averaged objective reaches the optimum",
        note="Reference runs: 1.27-1.8 (256 starts, subset dependent), 1.088 (full grid).",
        details={"best": {k: _r(ms[k]) for k in ("A", "B", "E", "alpha", "beta")},
                 "best J_sum": ms["best_j_sum"]})

    # --- Bayesian fit ------------------------------------------------------------------------
    params = bayes["params"]
    names = ("a", "b", "e", "alpha", "beta")
    # Undefined diagnostics (a very short chain) are saved as "nan": they fail the check.
    rhats = [as_float(params[k]["r_hat"]) for k in names]
    esses = [as_float(params[k]["ess"]) for k in names]
    rhat = math.nan if any(map(math.isnan, rhats)) else max(rhats)
    ess = math.nan if any(map(math.isnan, esses)) else min(esses)
    div_frac = bayes["divergences"] / max(bayes["draws_total"], 1)
    ess_min = 1000 if paper_profile else 400
    add("bayes_convergence", labels="reconstructed", where="NUTS diagnostics",
        paper_name=THEORY, label="reconstructed", kind="quantitative",
        statement="NUTS on the Student-t model converged (R-hat, ESS, divergences)",
        expected="R-hat ≈ 1", measured=_r(rhat, 4),
        context=f"max R-hat; min ESS {_fmt(ess, 4)}; {bayes['divergences']} divergences",
        tolerance=f"R-hat ≤ 1.01, ESS ≥ {ess_min} (a, b, e, α, β); divergences ≤ 1 % of draws",
        tolerance_source="standard NUTS diagnostics (Vehtari et al. 2021)",
        passed=rhat <= 1.01 and ess >= ess_min and div_frac <= 0.01,
        reason="the sampler did not converge (R-hat, ESS or divergences)",
        details={"R-hat": {k: _r(params[k]["r_hat"]) for k in names},
                 "ESS": {k: _r(params[k]["ess"]) for k in names},
                 "divergences": bayes["divergences"], "draws": bayes["draws_total"]})

    med = {k: params[k]["median"] for k in ("alpha", "beta", "E", "a_opt")}
    z_med = {k: abs(med[k] - fit[k]) / se[k] for k in PARAMS}
    worst = max(z_med, key=z_med.get)
    a_gap = abs(med["a_opt"] - fit["a_opt"])
    add("bayes_matches_point", labels="reconstructed", where="posterior medians",
        label="reconstructed", kind="quantitative",
        statement="Posterior medians agree with the Huber point estimate",
        expected=0.0, measured=_r(z_med[worst], 3),
        context=f"largest |median − refit| in bootstrap SEs, {SYMBOL[worst]}; |Δa| "
                f"{_fmt(a_gap, 2)}",
        tolerance="|median − refit| ≤ 1 bootstrap SE (α, β, E); |a_median − a_refit| ≤ 0.01",
        tolerance_source="bootstrap SE of the refit",
        passed=max(z_med.values()) <= 1.0 and a_gap <= 0.01,
        reason=f"the posterior median of {SYMBOL[worst]} is off the point estimate",
        note="Student-t likelihood with reconstructed priors vs the Huber point fit; Epoch's "
             "point estimate is the external anchor (refit_matches_epoch).",
        details={"median": {k: _r(v) for k, v in med.items()},
                 "refit": {k: _r(fit[k]) for k in ("alpha", "beta", "E", "a_opt")},
                 "|median − refit| / SE": {k: _r(v, 3) for k, v in z_med.items()}})

    sd_ratio = {k: params[k]["sd"] / se[k] for k in PARAMS}
    worst = max(sd_ratio, key=sd_ratio.get)
    # MC error of the ratio: SD from ESS draws and SE from n_boot resamples.
    ratio_se = sd_ratio[worst] * math.sqrt(1 / (2 * max(as_float(params[worst]["ess"]), 1))
                                           + 1 / (2 * max(n_boot - 1, 1)))
    add("bayes_narrower_than_bootstrap", labels="reconstructed", where="i.i.d. likelihood",
        label="reconstructed", kind="qualitative",
        statement="The i.i.d. likelihood understates uncertainty: posterior SD < bootstrap SE",
        expected="ratio < 1 (≈ 0.5-0.65)", measured=_r(sd_ratio[worst], 3),
        context=f"largest SD/SE ratio, {SYMBOL[worst]}; "
                + ", ".join(f"{SYMBOL[k]} {_fmt(v)}" for k, v in sd_ratio.items() if k != worst),
        tolerance="ratio ∈ [0.3, 1.0] for α, β, E",
        tolerance_source=f"sign of ratio − 1; MC error ≈ {_fmt(ratio_se, 2)}",
        passed=all(0.3 <= v <= 1.0 for v in sd_ratio.values()),
        not_run=underpowered(1.0 - sd_ratio[worst], ratio_se,
                             what="the gap of the SD/SE ratio below 1"),
        reason="the posterior is not narrower than the bootstrap",
        note="Residuals are correlated (same run / isoFLOP curve); the bootstrap sees that, the "
             "i.i.d. Student-t likelihood does not. A finding, not a bug.",
        details={"posterior SD / bootstrap SE": {k: _r(v, 3) for k, v in sd_ratio.items()},
                 "MC error of the largest ratio": _r(ratio_se, 2)})

    # --- synthetic recovery -------------------------------------------------------------------
    rec = m["recovery"]
    dtheta = {k: rec[k]["noise_free_max_abs_dtheta"] for k in rec}
    add("recovery_noise_free", labels="derived", where="synthetic recovery",
        paper_name=THEORY, label="theory", kind="identity",
        statement="Noise-free synthetic data are fit exactly (Epoch and Hoffmann truth sets)",
        expected=0.0, measured=_r(max(dtheta.values()), 3),
        context="largest max |Δθ| over both truth sets",
        tolerance="|Δθ| ≤ 1e-8 for both truth sets", tolerance_source="optimiser precision "
                                                                     "(float64)",
        passed=all(v <= 1e-8 for v in dtheta.values()),
        reason="the fit does not recover noise-free data",
        details={"max |Δθ|": {k: _r(v, 3) for k, v in dtheta.items()},
                 "fraction of starts reaching it": {
                     k: _r(rec[k].get("reached_fraction_noise_free", math.nan), 3) for k in rec}})

    limits = RECOVERY_LIMITS
    extra = {"alpha": 0.005, "beta": 0.005, "a_opt": 0.005, "E": 0.01, "log_A": 0.05,
             "log_B": 0.05}
    rec_checks: dict[str, tuple[float, float]] = {}
    n_rep = 0
    for truth in rec:
        n_rep = len(rec[truth]["errors"]["alpha"])
        for k, limit in limits.items():
            sd_k, bias = rec[truth]["sd"][k], rec[truth]["bias"][k]
            rec_checks[f"max |Δ{SYMBOL[k]}|, {truth}"] = (rec[truth]["max_abs"][k], limit)
            rec_checks[f"|bias {SYMBOL[k]}|, {truth}"] = (
                abs(bias), 3 * sd_k / math.sqrt(n_rep) + extra[k])
    name, value, limit = _worst(rec_checks)
    add("recovery_noisy", labels="derived", where="synthetic recovery", paper_name=THEORY,
        label="theory", kind="quantitative",
        statement="Under Laplace(4.7e-3) noise the fit recovers the planted parameters within "
                  "the expected scatter",
        expected="0 (planted values)", measured=_r(value, 3),
        context=f"worst check vs limit: {name} (≤ {_fmt(limit, 2)})",
        tolerance="per replicate |Δα|, |Δβ| ≤ 0.035, |ΔE| ≤ 0.07, |Δa| ≤ 0.03, |Δlog A/B| ≤ "
                  "0.6; bias ≤ 3 SE + slack",
        tolerance_source="≈4.5 SD of reference-run scatter per replicate",
        passed=all(v <= t for v, t in rec_checks.values()),
        reason=f"{name} exceeds its limit",
        note=f"{n_rep} replicates per truth set. Reference SDs (Epoch / Hoffmann truth): α "
             "0.0078/0.0079, β 0.0064/0.0065, E 0.012/0.017, log A 0.13/0.14, log B 0.13/0.13, "
             "a 0.0065/0.0073. Bias slack: 0.005 (α, β, a), 0.01 (E), 0.05 (log A, log B) for "
             "the estimator's known small bias.",
        details={truth: {"sd": {k: _r(v, 3) for k, v in rec[truth]["sd"].items()},
                         "bias": {k: _r(v, 3) for k, v in rec[truth]["bias"].items()},
                         "max |error|": {k: _r(v, 3) for k, v in rec[truth]["max_abs"].items()}}
                 for truth in rec})
    return claims
