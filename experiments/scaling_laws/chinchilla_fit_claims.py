"""Claims of ``chinchilla_fit`` (specs/scaling_laws.md §7). Reads metrics only.

Spec reference values used as targets are named as such ("spec reference"); Epoch's and
Hoffmann's published numbers come from ``theory.scaling_chinchilla``'s constants.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim
from experiments.scaling_laws.common import EPOCH, HOFFMANN, THEORY, source
from theory.scaling_chinchilla import EPOCH_2024, HOFFMANN_ROUNDED, HOFFMANN_TABLE2

OPTIMUM_J = 1.01827402e-3  # spec §3.2 reference value of the Huber-sum optimum
SPEC_DROPPED = (5.0056, 4.6652, 3.7939, 3.7656, 3.4470)  # spec §2 (Epoch's outliers)
DIGITISED = "On Epoch's digitised Fig. 4 points (not Hoffmann's runs)."


def _r(value: Any, digits: int = 4) -> Any:
    """Rounded for display; non-numbers (e.g. a saved '-Infinity') pass through."""
    if not isinstance(value, int | float):
        return value
    return float(f"{value:.{digits}g}")


def make_claims(config: Any, metrics: dict[str, Any], arrays: dict[str, np.ndarray],
                profile: str) -> list[Claim]:
    claims: list[Claim] = []

    def add(cid: str, *, labels: str, where: str, paper_name: str = EPOCH, label: str = "paper",
            paper_only: bool = False, tol: dict[str, str] | None = None, tolerance: str = "",
            **fields: Any) -> None:
        if tol:  # per-profile tolerance text; smoke shows the cpu one
            tolerance = tol.get(profile, tol["cpu"])
        claims.append(make_claim(profile=profile,
                                 check_on=("paper",) if paper_only else ("cpu", "paper"),
                                 id=f"chinchilla_fit.{cid}", source=source(labels, where,
                                                                           paper_name),
                                 label=label, tolerance=tolerance, **fields))

    m = metrics
    fit, boot, bayes = m["fit"], m["bootstrap"], m["bayes"]
    paper_profile = profile == "paper"

    dropped = m["data"]["dropped_losses"]
    add("data_outliers", labels="paper", where="§2 (outlier rule)",
        statement="dropping the 5 highest losses leaves 240 points; dropped losses as listed",
        paper="240; {5.0056, 4.6652, 3.7939, 3.7656, 3.4470}", theory="n/a (data fact)",
        measured={"kept": m["data"]["kept"], "dropped": [_r(v, 5) for v in dropped]},
        tolerance="exact count; losses ±1e-4 of the spec's list",
        passed=m["data"]["kept"] == 240 and len(dropped) == 5 and all(
            abs(a - b) <= 1e-4 for a, b in zip(dropped, SPEC_DROPPED, strict=True)))

    ep = EPOCH_2024["estimates"]
    dev = {"alpha": fit["alpha"] - ep["alpha"], "beta": fit["beta"] - ep["beta"],
           "E": fit["E"] - ep["E"], "A_rel": fit["A"] / ep["A"] - 1,
           "B_rel": fit["B"] / ep["B"] - 1, "J_rel": fit["objective"] / OPTIMUM_J - 1}
    add("refit_matches_epoch", labels="paper", where="estimates table; Hoffmann App. D.2 method",
        statement="the Huber-sum optimum matches Epoch's estimates (Hoffmann's published "
                  f"values {HOFFMANN_ROUNDED} differ)",
        paper={"epoch": ep, "hoffmann_rounded": HOFFMANN_ROUNDED},
        theory={"J_spec_reference": OPTIMUM_J},
        measured={k: _r(fit[k], 6) for k in ("E", "A", "B", "alpha", "beta", "objective")},
        tolerance="vs Epoch: |Δα| ≤ 0.002, |Δβ| ≤ 0.003, |ΔE| ≤ 0.002, A ± 3%, B ± 5%; J within "
                  "1e-7 rel of 1.01827402e-3 (spec reference)",
        passed=abs(dev["alpha"]) <= 0.002 and abs(dev["beta"]) <= 0.003 and abs(dev["E"]) <= 0.002
        and abs(dev["A_rel"]) <= 0.03 and abs(dev["B_rel"]) <= 0.05 and abs(dev["J_rel"]) <= 1e-7,
        note=f"{DIGITISED} Epoch's published point comes from its Huber-likelihood fit (which "
             "ends with 'precision loss'); the refit minimises the Huber sum. Same optimum within "
             "its flatness. Hoffmann's published values are far off: v2 of Epoch's paper traces "
             "this to an averaged (not summed) Huber loss stopping L-BFGS early, plus rounding "
             "(see mean_huber_early_stop).")

    frac = fit["converged_fraction"]
    add("multistart_convergence", labels="paper", where="App. D.2 (grid of initialisations)",
        paper_name=HOFFMANN, statement="a sizeable fraction of grid starts reaches the best "
                                       "objective (within 1e-6 relative)",
        paper="n/a (not reported)", theory="n/a", measured=_r(frac, 3),
        tol={"cpu": "≥ 0.20", "paper": "≥ 0.70"},
        passed=frac >= (0.70 if paper_profile else 0.20), note=(
            f"{fit['n_starts']} starts × {fit['steps']} objective evaluations of the "
            "one-evaluation-per-step L-BFGS; the spec's expectations (0.39 at 256 × 150, 0.84 "
            "at 4500 × 500) are for optax.lbfgs iterations. Non-finite starts: "
            f"{fit['non_finite']}."))

    ci = boot["ci95"]
    h_un = m["parameter_sets"]["hoffmann_unrounded"]
    relations = {"beta_below": h_un["beta"] < ci["beta"][0], "E_below": h_un["E"] < ci["E"][0],
                 "alpha_inside": ci["alpha"][0] <= h_un["alpha"] <= ci["alpha"][1]}
    add("hoffmann_outside_ci", labels="paper", where="bootstrap CIs",
        statement="Hoffmann's β and E lie outside the bootstrap 95% CIs; α lies inside",
        paper="β 0.2849 < ≈0.326; E 1.6934 < ≈1.77; α 0.339 ∈ (0.319, 0.371)",
        theory="n/a", measured={"ci95": {k: [_r(v) for v in ci[k]] for k in ("alpha", "beta",
                                                                               "E")},
                                **relations},
        tolerance="all three relations hold (Hoffmann un-rounded values)",
        passed=all(relations.values()))

    ratios = {k: boot["se"][k] / EPOCH_2024["notebook_se"][k] for k in ("alpha", "beta", "E",
                                                                        "A", "B")}
    lo, hi = (0.9, 1.1) if paper_profile else (0.8, 1.25)
    lo2, hi2 = (0.8, 1.25) if paper_profile else (0.7, 1.4)
    add("bootstrap_se", labels="paper", where="notebook bootstrap SEs (4000 resamples)",
        statement="bootstrap SEs agree with Epoch's", paper=EPOCH_2024["notebook_se"],
        theory="n/a", measured={k: _r(v) for k, v in ratios.items()},
        tol={"cpu": "ratio ∈ [0.8, 1.25] (α, β, E), [0.7, 1.4] (A, B)",
             "paper": "ratio ∈ [0.9, 1.1] (α, β, E), [0.8, 1.25] (A, B)"},
        passed=all(lo <= ratios[k] <= hi for k in ("alpha", "beta", "E"))
        and all(lo2 <= ratios[k] <= hi2 for k in ("A", "B")),
        note=f"{boot['n']} resamples (JAX keys) vs Epoch's 4000 (NumPy seed 42): Monte-Carlo "
             "agreement only.")

    tol_ab, tol_e = (0.008, 0.012) if paper_profile else (0.01, 0.015)
    diffs = {k: max(abs(ci[k][i] - EPOCH_2024["ci95"][k][i]) for i in (0, 1))
             for k in ("alpha", "beta", "E")}
    add("bootstrap_ci", labels="paper", where="95% percentile CIs",
        statement="95% percentile CI endpoints agree with Epoch's",
        paper={k: EPOCH_2024["ci95"][k] for k in ("alpha", "beta", "E")}, theory="n/a",
        measured={k: [_r(v) for v in ci[k]] for k in ("alpha", "beta", "E")},
        tol={"cpu": "each endpoint ±0.01 (α, β), ±0.015 (E)",
             "paper": "each endpoint ±0.008 (α, β), ±0.012 (E)"},
        passed=diffs["alpha"] <= tol_ab and diffs["beta"] <= tol_ab and diffs["E"] <= tol_e)

    a_fit, a_se = fit["a_opt"], boot["se"]["a_opt"]
    z_h = (a_fit - HOFFMANN_TABLE2["approach_3"]["a"][0]) / a_se
    add("compute_optimal_exponent", labels="paper", where="Table 2; Epoch a = 0.5126",
        paper_name=f"{HOFFMANN}; {EPOCH}",
        statement="a = β/(α+β) of the refit equals Epoch's and is inconsistent with Hoffmann's "
                  "Approach-3 value 0.46 (consistent with approaches 1 and 2: 0.50, 0.49)",
        paper={"epoch": EPOCH_2024["a"], "hoffmann_approach_3": 0.46,
               "hoffmann_approach_1_2": [0.50, 0.49]},
        theory=_r(m["compute_optimal"]["refit"]["a"], 5),
        measured={"a": _r(a_fit, 5), "se_boot": _r(a_se, 3), "z_vs_0.46": _r(z_h, 3)},
        tolerance="|a − 0.5126| ≤ 0.005 and (a − 0.46)/SE_boot ≥ 2",
        passed=abs(a_fit - EPOCH_2024["a"]) <= 0.005 and z_h >= 2)

    width, needed = boot["a_opt_width_10_90"], boot["n_needed"]
    n_lo, n_hi = (4e5, 9e5) if paper_profile else (3e5, 1.2e6)
    add("hoffmann_a_ci_implausible", labels="paper", where="§ on Hoffmann's CIs",
        statement="Hoffmann's 80% CI width for a (0.001) would need ≈ 6e5 runs",
        paper={"n_needed_epoch": EPOCH_2024["n_needed"], "hoffmann_ci": [0.454, 0.455]},
        theory="n_needed = 240·(w/0.001)²",
        measured={"width_10_90": _r(width, 3), "n_needed": _r(needed, 3)},
        tol={"cpu": "width ≥ 0.02; n_needed ∈ [3e5, 1.2e6]",
             "paper": "width ≥ 0.02; n_needed ∈ [4e5, 9e5]"},
        passed=width >= 0.02 and n_lo <= needed <= n_hi)

    chi2 = boot["chi2"]
    add("chi2_hoffmann_vs_refit", labels="paper", where="χ² test with bootstrap covariance",
        statement="Hoffmann's un-rounded parameters are rejected by a χ² test (df 5) with the "
                  "bootstrap covariance", paper="χ² ≈ 210–250, p < 1e-40 (spec reference)",
        theory="n/a", measured={"chi2": _r(chi2), "log10_p": _r(boot["chi2_log10_p"], 3)},
        tol={"cpu": "χ² ≥ 100", "paper": "χ² ≥ 150"},
        passed=chi2 >= (150 if paper_profile else 100))

    lik = m["likelihood"]
    ll = {k: lik["table"][k]["loglik_240"] for k in ("hoffmann_rounded",
                                                     "hoffmann_unrounded", "refit")}
    targets = {"hoffmann_rounded": 562.25, "hoffmann_unrounded": 837.78, "refit": 879.56}
    lr, lr_p = lik["lr_refit_vs_unrounded"], lik["lr_log10_p"]
    add("huber_likelihood_ratio", labels="paper", where="notebook (Huber likelihood)",
        statement="Huber log-likelihoods (profiled scale) and the LR test, refit vs Hoffmann "
                  "un-rounded", paper="562.25 / 837.78 / 879.56; LR 83.6 (spec reference)",
        theory="n/a", measured={**{k: round(v, 2) for k, v in ll.items()}, "LR": round(lr, 2),
                                "log10_p": _r(lr_p, 3)},
        tolerance="log-liks ±0.5; LR ≥ 80, p ≤ 1e-15",
        passed=all(abs(ll[k] - targets[k]) <= 0.5 for k in ll) and lr >= 80 and lr_p <= -15)

    quality = m["fit_quality"]
    q_targets = {"refit": (0.0218, 0.0021), "hoffmann_unrounded": (0.0302, 0.0086),
                 "hoffmann_rounded": (0.0526, -0.0447)}
    add("fit_quality", labels="paper", where="residual figure",
        statement="loss-space RMSE and mean residual (observed − predicted)",
        paper={k: list(v) for k, v in q_targets.items()}, theory="n/a",
        measured={k: [_r(quality[k]["rmse"], 3), _r(quality[k]["mean"], 3)] for k in q_targets},
        tolerance="±0.0005 each (spec reference values)",
        passed=all(abs(quality[k]["rmse"] - r) <= 5e-4 and abs(quality[k]["mean"] - mu) <= 5e-4
                   for k, (r, mu) in q_targets.items()))

    co = m["compute_optimal"]
    tpp = {k: co[k]["tokens_per_param"] for k in co}
    tpp_ci = boot["ci95"]["tokens_per_param"]
    targets_tpp = {"epoch": 18.4, "hoffmann_unrounded": 59.0, "hoffmann_rounded": 92.8}
    add("tokens_per_parameter", labels="paper", where="§3 (C = 5.88e23); Epoch",
        paper_name=f"{HOFFMANN}; {EPOCH}", statement="D_opt/N_opt at C = 5.88e23",
        paper="≈ 20 tokens/parameter (Hoffmann); Epoch 18.4", theory={k: _r(v) for k, v in
                                                                     tpp.items()},
        measured={"refit": _r(tpp["refit"]), "refit_ci95": [_r(v, 3) for v in tpp_ci]},
        tolerance="published sets ±0.5% of 18.4 / 59.0 / 92.8; refit ±0.5 of 17.9 (spec "
                  "reference); CI contains 20 and excludes 59",
        passed=all(abs(tpp[k] / v - 1) <= 0.005 for k, v in targets_tpp.items())
        and abs(tpp["refit"] - 17.9) <= 0.5 and tpp_ci[0] <= 20 <= tpp_ci[1] and tpp_ci[1] < 59)

    mvs = m["mean_vs_sum"]
    mean_run = mvs["mean_defaults"]
    add("mean_huber_early_stop", labels="paper,derived", where="v2 (mean vs sum)",
        statement="averaging the Huber loss makes L-BFGS-B (SciPy defaults) stop at the starting "
                  "point, i.e. 'reproduce' Hoffmann", paper="Hoffmann's published values",
        theory="stop when Δf/max(|f|,1) ≤ 2.2e-9: absolute for f ≈ 4.9e-6",
        measured={"nit": mean_run["nit"], "max_abs_dtheta": _r(mean_run["max_abs_step_from_start"],
                                                                3),
                  "j_sum_over_optimum": _r(mean_run["j_sum"] / fit["objective"]),
                  "message": mean_run["message"]},
        tolerance="nit ≤ 3; |Δθ| ≤ 1e-3 from the start; J_sum ≥ 1.1 × optimum",
        passed=mean_run["nit"] <= 3 and mean_run["max_abs_step_from_start"] <= 1e-3
        and mean_run["j_sum"] >= 1.1 * fit["objective"],
        note=f"sum with defaults also stalls: nit {mvs['sum_defaults']['nit']}, J "
             f"{mvs['sum_defaults']['j_sum']:.6g}; BFGS (sum): nit {mvs['bfgs_sum']['nit']}, J "
             f"{mvs['bfgs_sum']['j_sum']:.6g}.")

    tight = mvs["mean_tight"]["j_sum"]
    add("mean_huber_tight_tolerance", labels="derived", where="SciPy stopping rule",
        paper_name=THEORY, label="theory",
        statement="the averaged objective with ftol 1e-15, gtol 1e-12 reaches the optimum",
        paper="n/a", theory=OPTIMUM_J, measured=tight,
        tolerance="within 1e-6 rel of 1.01827402e-3 (spec reference)",
        passed=abs(tight / OPTIMUM_J - 1) <= 1e-6)

    ms = mvs["mean_multistart"]
    ratio = ms["best_j_sum"] / fit["objective"]
    add("mean_huber_multistart_worse", labels="paper,derived", where="v2",
        statement="multi-start on the averaged objective (SciPy defaults) does not find the "
                  "optimum", paper="n/a", theory="n/a",
        measured={"n_starts": ms["n_starts"], "best_over_optimum": _r(ratio)},
        tolerance="ratio ≥ 1.05", passed=ratio >= 1.05)

    params = bayes["params"]
    names = ("a", "b", "e", "alpha", "beta")
    rhat = max(params[k]["r_hat"] for k in names)
    ess = min(params[k]["ess"] for k in names)
    div_frac = bayes["divergences"] / max(bayes["draws_total"], 1)
    ess_min = 1000 if paper_profile else 400
    add("bayes_convergence", labels="reconstructed", where="NUTS diagnostics",
        paper_name=THEORY, label="reconstructed", statement="NUTS converged",
        paper="n/a", theory="n/a",
        measured={"max_rhat": _r(rhat), "min_ess": _r(ess), "divergences": bayes["divergences"]},
        tol={"cpu": "R-hat ≤ 1.01, ESS ≥ 400 (each of a, b, e, α, β), divergences ≤ 1% of draws",
             "paper": "R-hat ≤ 1.01, ESS ≥ 1000, divergences ≤ 1% of draws"},
        passed=rhat <= 1.01 and ess >= ess_min and div_frac <= 0.01)

    med = {k: params[k]["median"] for k in ("alpha", "beta", "E", "a_opt")}
    ok = all(abs(med[k] - fit[k]) <= boot["se"][k] for k in ("alpha", "beta", "E"))
    add("bayes_matches_point", labels="reconstructed", where="posterior medians",
        label="reconstructed", statement="posterior medians agree with the point estimate",
        paper="Epoch point estimate", theory="n/a", measured={k: _r(v) for k, v in med.items()},
        tolerance="|median − refit| ≤ 1 bootstrap SE for α, β, E; |a_opt − 0.514| ≤ 0.01",
        passed=ok and abs(med["a_opt"] - 0.514) <= 0.01)

    sd_ratio = {k: params[k]["sd"] / boot["se"][k] for k in ("alpha", "beta", "E")}
    add("bayes_narrower_than_bootstrap", labels="reconstructed", where="i.i.d. likelihood",
        label="reconstructed", statement="the i.i.d. likelihood understates uncertainty "
                                         "(posterior SD < bootstrap SE)",
        paper="n/a", theory="n/a", measured={k: _r(v, 3) for k, v in sd_ratio.items()},
        tolerance="ratio ∈ [0.3, 1.0]", passed=all(0.3 <= v <= 1.0 for v in sd_ratio.values()),
        note="Residuals are correlated (same run / isoFLOP curve); the bootstrap sees that, the "
             "i.i.d. Student-t likelihood does not. A finding, not a bug.")

    rec = m["recovery"]
    dtheta = {k: rec[k]["noise_free_max_abs_dtheta"] for k in rec}
    add("recovery_noise_free", labels="derived", where="synthetic recovery",
        paper_name=THEORY, label="theory",
        statement="noise-free synthetic data are fit exactly (both truth sets)",
        paper="n/a", theory=0.0, measured={k: float(f"{v:.3g}") for k, v in dtheta.items()},
        tolerance="|Δθ| ≤ 1e-8 (both truth sets)",
        passed=all(v <= 1e-8 for v in dtheta.values()))

    limits = {"alpha": 0.035, "beta": 0.035, "E": 0.07, "a_opt": 0.03, "log_A": 0.6,
              "log_B": 0.6}
    extra = {"alpha": 0.005, "beta": 0.005, "a_opt": 0.005, "E": 0.01, "log_A": 0.05,
             "log_B": 0.05}
    passed, measured = True, {}
    for name in rec:
        n_rep = len(rec[name]["errors"]["alpha"])
        for k, limit in limits.items():
            sd, bias = rec[name]["sd"][k], rec[name]["bias"][k]
            passed &= rec[name]["max_abs"][k] <= limit
            passed &= abs(bias) <= 3 * sd / math.sqrt(n_rep) + extra[k]
        measured[name] = {"sd": {k: _r(v, 3) for k, v in rec[name]["sd"].items()},
                          "bias": {k: _r(v, 3) for k, v in rec[name]["bias"].items()}}
    add("recovery_noisy", labels="derived", where="synthetic recovery", paper_name=THEORY,
        label="theory", statement="parameters are recovered within the expected scatter under "
                                  "Laplace(4.7e-3) noise", paper="n/a",
        theory="SDs ≈ α 0.008, β 0.0065, E 0.012–0.017, log A/B 0.13, a 0.007 (spec)",
        measured=measured,
        tolerance="per replicate: |Δα|, |Δβ| ≤ 0.035, |ΔE| ≤ 0.07, |Δa_opt| ≤ 0.03, |Δlog A|, "
                  "|Δlog B| ≤ 0.6; mean bias ≤ 3·SD/√R + (0.005 α, β, a_opt; 0.01 E; 0.05 log "
                  "A, log B)", passed=bool(passed))
    return claims
