"""Claims of ``chinchilla_fit`` on the likelihood ratio, fit quality and tokens per parameter."""

from __future__ import annotations

from typing import Any

from experiments.common.claims import rounded
from experiments.scaling_laws.chinchilla_fit.claims.targets import Adder, fmt
from experiments.scaling_laws.shared.provenance import EPOCH, HOFFMANN


def likelihood_claims(m: dict[str, Any], add: Adder, profile: str) -> None:
    """Adds the claims on the likelihood ratio, fit quality and tokens per parameter."""
    boot = m["bootstrap"]
    n_boot = m["bootstrap"]["n"]
    lik = m["likelihood"]
    targets = {"hoffmann_rounded": 562.25, "hoffmann_unrounded": 837.78, "refit": 879.56}
    ll = {k: lik["table"][k]["loglik_240"] for k in targets}
    ll_dev = max(abs(ll[k] - v) for k, v in targets.items())
    lr, lr_p = lik["lr_refit_vs_unrounded"], lik["lr_log10_p"]
    add("huber_likelihood_ratio", labels="paper", where="notebook (Huber likelihood)",
        kind="quantitative",
        statement="Profiled Huber log-likelihoods match Epoch's; the LR test prefers the refit "
                  "over Hoffmann's",
        expected="log-liks 562.25 / 837.78 / 879.56; LR ≈ 83.6", measured=rounded(lr, 4),
        context=f"LR, log10 p {fmt(lr_p)}; max |Δ log-lik| {fmt(ll_dev, 2)}",
        tolerance="each log-lik ±0.5; LR ≥ 80 and p ≤ 1e-15",
        tolerance_source="±0.5 nat: optimum flatness (Epoch's own fit 879.77)",
        passed=ll_dev <= 0.5 and lr >= 80 and lr_p <= -15,
        reason="the log-likelihoods or the LR statistic disagree with Epoch's",
        note="240 points; the refit's target is this suite's optimum (Epoch's own likelihood "
             "optimum is 879.77, its published point 878.62).",
        details={"log-lik (240)": {k: round(v, 3) for k, v in ll.items()},
                 "targets": targets, "LR": round(lr, 3), "log10 p": rounded(lr_p, 3),
                 "log scale": {k: rounded(lik["table"][k]["log_scale_240"]) for k in targets}})

    quality = m["fit_quality"]
    q_targets = {"refit": (0.0218, 0.0021), "hoffmann_unrounded": (0.0302, 0.0086),
                 "hoffmann_rounded": (0.0526, -0.0447)}
    q_dev = {f"{k} {stat}": abs(quality[k][stat] - t) for k, pair in q_targets.items()
             for stat, t in zip(("rmse", "mean"), pair, strict=True)}
    q_worst = max(q_dev, key=q_dev.get)
    add("fit_quality", labels="paper", where="residual figure", kind="regression",
        statement="Loss-space RMSE and mean residual of the refit and of Hoffmann's two sets",
        expected="refit 0.0218/+0.0021; un-rounded 0.0302/+0.0086; rounded 0.0526/−0.0447",
        measured=rounded(q_dev[q_worst], 3), context=f"largest deviation, {q_worst}",
        tolerance="each RMSE and mean within ±0.0005 of the reference values",
        tolerance_source="reference runs of this suite",
        passed=max(q_dev.values()) <= 5e-4, reason=f"{q_worst} moved from the reference value",
        note="Epoch shows these residuals as figures only; the numbers are from an earlier run. "
             "Hoffmann's sets fit visibly worse (larger RMSE, biased mean).",
        details={k: {"rmse": rounded(quality[k]["rmse"], 3), "mean": rounded(quality[k]["mean"], 3)}
                 for k in quality} | {"reference": {k: list(v) for k, v in q_targets.items()}})

    co = m["compute_optimal"]
    tpp = {k: co[k]["tokens_per_param"] for k in co}
    tpp_ci = boot["ci95"]["tokens_per_param"]
    h59 = tpp["hoffmann_unrounded"]
    add("tokens_per_parameter", labels="paper", where="§3 (C = 5.88e23); Epoch",
        paper_name=f"{HOFFMANN}; {EPOCH}", kind="quantitative",
        statement="At Chinchilla's compute the refit's D_opt/N_opt is consistent with 20 and "
                  "excludes Hoffmann's Approach 3",
        expected=20.0, measured=rounded(tpp["refit"], 4), interval=[rounded(v, 3) for v in tpp_ci],
        interval_kind=f"95% bootstrap percentile, {n_boot} resamples",
        context=f"Hoffmann un-rounded {fmt(h59)}, rounded {fmt(tpp['hoffmann_rounded'])}",
        tolerance="the refit's 95 % CI contains 20 and excludes the un-rounded Hoffmann value",
        tolerance_source="bootstrap 95 % CI",
        passed=tpp_ci[0] <= 20 <= tpp_ci[1] and not (tpp_ci[0] <= h59 <= tpp_ci[1]),
        reason="the refit's CI excludes 20 or contains Hoffmann's value",
        note="C = 5.88e23 = 6·70e9·1.4e12 (Chinchilla: 20 tokens/parameter). Published sets "
             "reproduce 18.4 (Epoch), 59.0 and 92.8 (Hoffmann un-rounded, rounded; unit-tested); "
             "reference runs gave the refit 17.9.",
        details={"tokens per parameter": {k: rounded(v) for k, v in tpp.items()},
                 "refit CI": [rounded(v, 3) for v in tpp_ci],
                 "reference values": {"epoch": 18.4, "hoffmann_unrounded": 59.0,
                                      "hoffmann_rounded": 92.8, "refit": 17.9}})
