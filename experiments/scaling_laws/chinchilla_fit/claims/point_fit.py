"""Claims of ``chinchilla_fit`` on the data, the point fit and its multi-start convergence."""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import rounded
from experiments.scaling_laws.chinchilla_fit.claims import targets as tg
from experiments.scaling_laws.shared.claim_building import limit_verdict
from experiments.scaling_laws.shared.provenance import HOFFMANN
from theory.scaling_chinchilla import EPOCH_2024


def point_fit_claims(m: dict[str, Any], add: tg.Adder, profile: str) -> None:
    """Adds the claims on the data, the point fit and its multi-start convergence."""
    fit = m["fit"]
    j_opt = m["fit"]["objective"]
    paper_profile = profile == "paper"
    dropped = m["data"]["dropped_losses"]
    drop_dev = max(abs(a - b) for a, b in zip(dropped, tg.EPOCH_DROPPED, strict=False)) \
        if len(dropped) == 5 else math.inf
    add("data_outliers", labels="paper", where="outlier rule (5 highest losses dropped)",
        kind="consistency",
        statement="Dropping the 5 highest losses of the 245 digitised points leaves 240 points",
        expected=240, measured=m["data"]["kept"],
        context="kept; dropped " + ", ".join(tg.fmt(v, 4) for v in dropped),
        tolerance="exactly 240 kept; dropped losses within 1e-4 of Epoch's five",
        tolerance_source="exact (data integrity)",
        passed=m["data"]["kept"] == 240 and drop_dev <= 1e-4,
        reason="the shipped data or the outlier rule changed",
        details={"dropped": [rounded(v, 6) for v in dropped],
                 "Epoch's dropped": list(tg.EPOCH_DROPPED),
                 "rows": m["data"]["rows"], "distinct N": m["data"]["distinct_N"]})

    # --- point fit --------------------------------------------------------------------------
    ep = EPOCH_2024["estimates"]
    checks = {"α": (abs(fit["alpha"] - ep["alpha"]), 0.002),
              "β": (abs(fit["beta"] - ep["beta"]), 0.003),
              "E": (abs(fit["E"] - ep["E"]), 0.002),
              "A (rel.)": (abs(fit["A"] / ep["A"] - 1), 0.03),
              "B (rel.)": (abs(fit["B"] / ep["B"] - 1), 0.05)}
    j_rel = j_opt / tg.REFERENCE_J - 1
    add("refit_matches_epoch", labels="paper", where="estimates table; Hoffmann App. D.2 method",
        kind="quantitative",
        statement="The Huber-sum optimum matches Epoch's published Approach-3 estimates",
        expected=f"Epoch: α {ep['alpha']}, β {ep['beta']}, E {ep['E']}",
        **limit_verdict(checks, context="largest deviation vs limit, {name} (≤ {limit}); "
                                        f"α {tg.fmt(fit['alpha'], 4)}, β {tg.fmt(fit['beta'], 4)}",
                        reason="the refit's {name} is off Epoch's estimate"),
        tolerance="|Δα| ≤ 0.002, |Δβ| ≤ 0.003, |ΔE| ≤ 0.002, A within 3 %, B within 5 %",
        tolerance_source="flatness of the optimum (sum vs likelihood fit)",
        note=f"{tg.DIGITISED} Epoch's published point comes from its Huber-likelihood fit (which "
             "ends with 'precision loss'); the refit minimises the Huber sum: the same optimum "
             "within its flatness, far inside Epoch's SEs. Hoffmann's published values are far "
             "off (see mean_huber_early_stop).",
        details={"refit": {k: rounded(fit[k], 6) for k in ("E", "A", "B", "alpha", "beta",
                                                      "objective")},
                 "Epoch": ep, "Epoch SE": EPOCH_2024["se"],
                 "deviation": {k: rounded(v[0], 3) for k, v in checks.items()},
                 "regression: J/J_reference − 1": rounded(j_rel, 3),
                 "J_reference": tg.REFERENCE_J})

    frac = fit["converged_fraction"]
    frac_min = 0.70 if paper_profile else 0.20
    add("multistart_convergence", labels="paper", where="App. D.2 (grid of initialisations)",
        paper_name=HOFFMANN, kind="regression",
        statement="Multi-start L-BFGS reaches the reference optimum from a sizeable fraction of "
                  "grid starts",
        expected=f"J = {tg.REFERENCE_J:.8e}; fraction ≥ {frac_min}", measured=rounded(frac, 3),
        context=f"fraction within 1e-6 of the best; best J rel. diff {tg.fmt(j_rel, 2)}",
        tolerance=f"best J within 1e-7 (rel.) of the reference; fraction ≥ {frac_min}",
        tolerance_source="reference runs of this suite",
        passed=abs(j_rel) <= 1e-7 and frac >= frac_min,
        reason=("the best objective moved from the reference optimum" if abs(j_rel) > 1e-7 else
                "too few starts reach the best objective"),
        note=f"{fit['n_starts']} starts × {fit['steps']} objective evaluations of the "
             "one-evaluation-per-step L-BFGS; reference runs gave 0.39 at 256 × 150 and 0.84 at "
             "4500 × 500 optax.lbfgs iterations. Hoffmann report no converged fraction. "
             f"Non-finite starts: {fit['non_finite']}.",
        details={"best J": j_opt, "J_reference": tg.REFERENCE_J, "gradient norm": fit["grad_norm"],
                 "converged fraction": rounded(frac, 3), "non-finite starts": fit["non_finite"]})
