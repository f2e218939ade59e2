"""Claims of ``chinchilla_fit`` on the Bayesian fit and the synthetic recovery."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from experiments.common.claims import rounded, underpowered
from experiments.common.results import as_float
from experiments.scaling_laws.chinchilla_fit.claims import targets as tg
from experiments.scaling_laws.shared.claim_building import limit_verdict
from experiments.scaling_laws.shared.provenance import THEORY


def bayes_recovery_claims(m: dict[str, Any], add: tg.Adder, profile: str) -> None:
    """Adds the claims on the Bayesian fit and the synthetic recovery."""
    fit = m["fit"]
    bayes = m["bayes"]
    n_boot = m["bootstrap"]["n"]
    paper_profile = profile == "paper"
    se = m["bootstrap"]["se"]
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
        expected="R-hat ≈ 1", measured=rounded(rhat, 4),
        context=f"max R-hat; min ESS {tg.fmt(ess, 4)}; {bayes['divergences']} divergences",
        tolerance=f"R-hat ≤ 1.01, ESS ≥ {ess_min} (a, b, e, α, β); divergences ≤ 1 % of draws",
        tolerance_source="standard NUTS diagnostics (Vehtari et al. 2021)",
        passed=rhat <= 1.01 and ess >= ess_min and div_frac <= 0.01,
        reason="the sampler did not converge (R-hat, ESS or divergences)",
        details={"R-hat": {k: rounded(params[k]["r_hat"]) for k in names},
                 "ESS": {k: rounded(params[k]["ess"]) for k in names},
                 "divergences": bayes["divergences"], "draws": bayes["draws_total"]})

    med = {k: params[k]["median"] for k in ("alpha", "beta", "E", "a_opt")}
    z_med = {k: abs(med[k] - fit[k]) / se[k] for k in tg.PARAMS}
    worst = max(z_med, key=z_med.get)
    a_gap = abs(med["a_opt"] - fit["a_opt"])
    add("bayes_matches_point", labels="reconstructed", where="posterior medians",
        label="reconstructed", kind="quantitative",
        statement="Posterior medians agree with the Huber point estimate",
        expected=0.0, measured=rounded(z_med[worst], 3),
        context=f"largest |median − refit| in bootstrap SEs, {tg.SYMBOL[worst]}; |Δa| "
                f"{tg.fmt(a_gap, 2)}",
        tolerance="|median − refit| ≤ 1 bootstrap SE (α, β, E); |a_median − a_refit| ≤ 0.01",
        tolerance_source="bootstrap SE of the refit",
        passed=max(z_med.values()) <= 1.0 and a_gap <= 0.01,
        reason=f"the posterior median of {tg.SYMBOL[worst]} is off the point estimate",
        note="Student-t likelihood with reconstructed priors vs the Huber point fit; Epoch's "
             "point estimate is the external anchor (refit_matches_epoch).",
        details={"median": {k: rounded(v) for k, v in med.items()},
                 "refit": {k: rounded(fit[k]) for k in ("alpha", "beta", "E", "a_opt")},
                 "|median − refit| / SE": {k: rounded(v, 3) for k, v in z_med.items()}})

    sd_ratio = {k: params[k]["sd"] / se[k] for k in tg.PARAMS}
    worst = max(sd_ratio, key=sd_ratio.get)
    # MC error of the ratio: SD from ESS draws and SE from n_boot resamples.
    ratio_se = sd_ratio[worst] * math.sqrt(1 / (2 * max(as_float(params[worst]["ess"]), 1))
                                           + 1 / (2 * max(n_boot - 1, 1)))
    add("bayes_narrower_than_bootstrap", labels="reconstructed", where="i.i.d. likelihood",
        label="reconstructed", kind="qualitative",
        statement="The i.i.d. likelihood understates uncertainty: posterior SD < bootstrap SE",
        expected="ratio < 1 (≈ 0.5-0.65)", measured=rounded(sd_ratio[worst], 3),
        context=f"largest SD/SE ratio, {tg.SYMBOL[worst]}; " + ", ".join(
            f"{tg.SYMBOL[k]} {tg.fmt(v)}" for k, v in sd_ratio.items() if k != worst),
        tolerance="ratio ∈ [0.3, 1.0] for α, β, E",
        tolerance_source=f"sign of ratio − 1; MC error ≈ {tg.fmt(ratio_se, 2)}",
        passed=all(0.3 <= v <= 1.0 for v in sd_ratio.values()),
        not_run=underpowered(1.0 - sd_ratio[worst], ratio_se,
                             what="the gap of the SD/SE ratio below 1"),
        reason="the posterior is not narrower than the bootstrap",
        note="Residuals are correlated (same run / isoFLOP curve); the bootstrap sees that, the "
             "i.i.d. Student-t likelihood does not. A finding, not a bug.",
        details={"posterior SD / bootstrap SE": {k: rounded(v, 3) for k, v in sd_ratio.items()},
                 "MC error of the largest ratio": rounded(ratio_se, 2)})

    # --- synthetic recovery -------------------------------------------------------------------
    rec = m["recovery"]
    dtheta = {k: rec[k]["noise_free_max_abs_dtheta"] for k in rec}
    add("recovery_noise_free", labels="derived", where="synthetic recovery",
        paper_name=THEORY, label="theory", kind="identity",
        statement="Noise-free synthetic data are fit exactly (Epoch and Hoffmann truth sets)",
        expected=0.0, measured=rounded(max(dtheta.values()), 3),
        context="largest max |Δθ| over both truth sets",
        tolerance="|Δθ| ≤ 1e-8 for both truth sets", tolerance_source="optimiser precision "
                                                                     "(float64)",
        passed=all(v <= 1e-8 for v in dtheta.values()),
        reason="the fit does not recover noise-free data",
        details={"max |Δθ|": {k: rounded(v, 3) for k, v in dtheta.items()},
                 "fraction of starts reaching it": {
                     k: rounded(rec[k].get("reached_fraction_noise_free", math.nan), 3)
                     for k in rec}})

    limits = tg.RECOVERY_LIMITS
    extra = {"alpha": 0.005, "beta": 0.005, "a_opt": 0.005, "E": 0.01, "log_A": 0.05,
             "log_B": 0.05}
    rec_checks: dict[str, tuple[float, float]] = {}
    n_rep = 0
    for truth in rec:
        n_rep = len(rec[truth]["errors"]["alpha"])
        for k, limit in limits.items():
            sd_k, bias = rec[truth]["sd"][k], rec[truth]["bias"][k]
            rec_checks[f"max |Δ{tg.SYMBOL[k]}|, {truth}"] = (rec[truth]["max_abs"][k], limit)
            rec_checks[f"|bias {tg.SYMBOL[k]}|, {truth}"] = (
                abs(bias), 3 * sd_k / math.sqrt(n_rep) + extra[k])
    add("recovery_noisy", labels="derived", where="synthetic recovery", paper_name=THEORY,
        label="theory", kind="quantitative",
        statement="Under Laplace(4.7e-3) noise the fit recovers the planted parameters within "
                  "the expected scatter",
        expected="0 (planted values)",
        **limit_verdict(rec_checks, context="worst check vs limit: {name} (≤ {limit})",
                        reason="{name} exceeds its limit", limit_text=partial(tg.fmt, digits=2)),
        tolerance="per replicate |Δα|, |Δβ| ≤ 0.035, |ΔE| ≤ 0.07, |Δa| ≤ 0.03, |Δlog A/B| ≤ "
                  "0.6; bias ≤ 3 SE + slack",
        tolerance_source="≈4.5 SD of reference-run scatter per replicate",
        note=f"{n_rep} replicates per truth set. Reference SDs (Epoch / Hoffmann truth): α "
             "0.0078/0.0079, β 0.0064/0.0065, E 0.012/0.017, log A 0.13/0.14, log B 0.13/0.13, "
             "a 0.0065/0.0073. Bias slack: 0.005 (α, β, a), 0.01 (E), 0.05 (log A, log B) for "
             "the estimator's known small bias.",
        details={truth: {"sd": {k: rounded(v, 3) for k, v in rec[truth]["sd"].items()},
                         "bias": {k: rounded(v, 3) for k, v in rec[truth]["bias"].items()},
                         "max |error|": {k: rounded(v, 3)
                                         for k, v in rec[truth]["max_abs"].items()}}
                 for truth in rec})
