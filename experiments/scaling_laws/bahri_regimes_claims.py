"""Claims of ``bahri_regimes`` (spec §7). They read metrics only; theory values are those the
closed forms of ``theory/scaling_rf.py`` gave in this run. Tolerances are the spec's per profile
(cpu / paper). The claims' ``label`` field uses the suite-wide label set ([derived] rows are
labelled ``theory``); the pillar's own labels ([paper], [derived], [reconstructed]) lead the
``source`` text.
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, make_claim
from experiments.scaling_laws import common

ID = "bahri_regimes."
GAUSSIAN_NOTE = ("Gaussian features with an exact power-law spectrum [reconstructed] stand in "
                 "for the paper's random-ReLU features on pooled MNIST")
# Spec reference values (§3.1/§7): closed-form local exponents at S = 4000, n ∈ [16, 512].
STEEPENING_EXPECTED = {0.25: 0.384, 0.5: 0.573, 1.0: 1.013, 2.0: 1.979}


def _r(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def _tol(profile: str, cpu: float, paper: float) -> float:
    return paper if profile == "paper" else cpu


def _by_alpha(profile: str, alpha: float, cpu: tuple[float, float],
              paper: tuple[float, float]) -> float:
    """Tolerance for α_K ≤ 1 (first entry) or α_K > 1 (second entry)."""
    pair = paper if profile == "paper" else cpu
    return pair[0] if alpha <= 1.0 else pair[1]


def _resolution_claim(metrics: dict, profile: str, path: str) -> Claim:
    name = {"data": "resolution_data_limited", "param": "resolution_param_limited"}[path]
    what = {"data": "L̄(D = n, P = ∞)", "param": "L̄(D = ∞, P = n)"}[path]
    rows = metrics["resolution"]
    tols = {r["alpha_K"]: _by_alpha(profile, r["alpha_K"], (0.05, 0.12), (0.03, 0.06))
            for r in rows}
    devs = {r["alpha_K"]: r[path]["max_rel_dev"] for r in rows}
    return make_claim(
        profile=profile, id=ID + name,
        statement=f"The mean over seeds of {what} matches the closed form κ(n)n/(2S) for every n",
        source=common.source("paper,derived", f"Eq. {4 if path == 'data' else 1} (closed-form "
                             "shape [paper]; simplification to κ(n)n/(2S) [derived])"),
        label="paper", paper="ratio 1 (learning curve follows the closed form)",
        theory={f"α_K={a}": [_r(v, 5) for v in r["closed_form"]]
                for a, r in zip(devs, rows, strict=True)},
        measured={f"α_K={a}: max|ratio−1|": _r(d, 3) for a, d in devs.items()},
        tolerance="max_n |mean/closed form − 1| ≤ 0.05 (α_K ≤ 1), ≤ 0.12 (α_K = 2) on cpu; "
                  "≤ 0.03, ≤ 0.06 on paper",
        passed=all(devs[a] <= tols[a] for a in devs),
        note=f"S = {metrics['S']}, n = {rows[0]['ns']}; {GAUSSIAN_NOTE}",
    )


def _duality_claims(metrics: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    crn = {r["alpha_K"]: r["crn_max_rel_diff"] for r in rows}
    ratio = {r["alpha_K"]: r["duality_max_dev"] for r in rows}
    tols = {a: _by_alpha(profile, a, (0.07, 0.15), (0.04, 0.08)) for a in ratio}
    return [
        make_claim(
            profile=profile, id=ID + "duality_identity",
            statement="With common random numbers (P-path on the data-path's G) the two paths "
                      "give the same teacher-averaged loss (an identity check of the code)",
            source=common.source("derived", "§2.4 duality, exact for Gaussian features"),
            label="theory", paper="n/a (duality stated in exponent; identity is derived)",
            theory=0.0, measured={f"α_K={a}": float(f"{v:.3g}") for a, v in crn.items()},
            tolerance="max relative difference ≤ 1e-6 (cpu and paper)",
            passed=all(v <= 1e-6 for v in crn.values()),
            note="Seed 0, every n; both are (1/2S)(TrΛ − Tr[(GΛGᵀ)⁻¹GΛ²Gᵀ]) computed by "
                 "different code; expected round-off 1e-14 (α_K ≤ 1) to 1e-8 (α_K = 2)",
        ),
        make_claim(
            profile=profile, id=ID + "duality_independent",
            statement="Independent draws: mean data-limited / mean parameter-limited loss = 1 "
                      "for every n (D <-> P duality)",
            source=common.source("paper,derived", "§2.4"), label="paper",
            paper="α_D = α_P (duality of the resolution-limited losses)", theory=1.0,
            measured={f"α_K={a}: max|ratio−1|": _r(v, 3) for a, v in ratio.items()},
            tolerance="|ratio − 1| ≤ 0.07 (α_K ≤ 1), ≤ 0.15 (α_K = 2) on cpu; ≤ 0.04, ≤ 0.08 "
                      "on paper",
            passed=all(ratio[a] <= tols[a] for a in ratio),
            note="Independent G_D and G_P per seed; both paths are also compared with the closed "
                 "form (resolution_* claims); " + GAUSSIAN_NOTE,
        ),
    ]


def _exponent_claims(metrics: dict, profile: str) -> list[Claim]:
    rows = metrics["resolution"]
    diffs, measured = {}, {}
    for r in rows:
        a = r["alpha_K"]
        diffs[a] = max(abs(r[p]["slope"] - r["closed_form_slope"]) for p in ("data", "param"))
        measured[f"α_K={a}"] = {"data": _r(r["data"]["slope"]), "param": _r(r["param"]["slope"])}
    tols = {a: _by_alpha(profile, a, (0.02, 0.04), (0.01, 0.02)) for a in diffs}
    ref = metrics["steepening_reference"]
    exps = dict(zip(ref["alphas"], ref["exponents"], strict=True))
    # The spec's claim is "exceeds α_K" for α_K ≤ 1 only: at α_K = 2 the finite-S slope (1.979)
    # is slightly flatter than α_K; it is checked against its reference value alone.
    steep_ok = all(abs(exps[a] - e) <= 0.002 and (a > 1 or exps[a] > a)
                   for a, e in STEEPENING_EXPECTED.items())
    asym = {r["alpha_K"]: max(abs(-r[p]["slope"] - r["alpha_K"]) for p in ("data", "param"))
            for r in rows if r["alpha_K"] in (0.5, 1.0, 2.0)}
    return [
        make_claim(
            profile=profile, id=ID + "resolution_exponent_finite_S",
            statement="The fitted slope of the simulated curve (both paths) over the n-grid "
                      "equals the closed-form slope over the same grid (not −α_K)",
            source=common.source("paper,derived", "Eq. 3 + finite-S closed form"),
            label="paper", paper={f"α_K={r['alpha_K']}": -r["alpha_K"] for r in rows},
            theory={f"α_K={r['alpha_K']}": _r(r["closed_form_slope"]) for r in rows},
            measured=measured,
            tolerance="|Δslope| ≤ 0.02 (α_K ≤ 1), ≤ 0.04 (α_K = 2) on cpu; ≤ 0.01, ≤ 0.02 on "
                      "paper",
            passed=all(diffs[a] <= tols[a] for a in diffs),
            note=f"Least-squares slope of log mean loss vs log n, n = {rows[0]['ns']}, "
                 f"S = {metrics['S']}; the paper's value is the asymptotic −α_K",
        ),
        make_claim(
            profile=profile, id=ID + "finite_S_steepening",
            statement="The closed-form local exponent over n ∈ [16, 512] at S = 4000 exceeds "
                      "α_K (finite-S cut-off) for α_K ≤ 1",
            source=common.source("derived", "finite-S closed form"), label="theory",
            paper={f"α_K={a}": a for a in STEEPENING_EXPECTED},
            theory={f"α_K={a}": _r(e) for a, e in exps.items()},
            measured={f"α_K={a}": _r(e) for a, e in exps.items()},
            tolerance="each within ±0.002 of the spec reference values 0.384, 0.573, 1.013, "
                      "1.979, and > α_K for α_K ≤ 1 (at α_K = 2 the reference 1.979 < 2)",
            passed=steep_ok,
            note="Theory only (rf_local_exponent); the spec's reference values are the target",
        ),
        make_claim(
            profile=profile, check_on=("paper",), id=ID + "resolution_exponent_asymptotic",
            statement="At S = 1e5, n ∈ [32, 2048] the simulated exponent approaches α_K",
            source=common.source("paper", "Eq. 3, Fig. 2b"), label="paper",
            paper={f"α_K={a}": a for a in asym},
            theory={f"α_K={r['alpha_K']}": _r(-r["closed_form_slope"]) for r in rows
                    if r["alpha_K"] in asym},
            measured={f"α_K={a}: max|α̂−α_K|": _r(v, 3) for a, v in asym.items()} or "none",
            tolerance="|α̂ − α_K| ≤ 0.035 for α_K ∈ {0.5, 1, 2} (paper profile only)",
            passed=bool(asym) and all(v <= 0.035 for v in asym.values()),
            note="Only meaningful when S/n_max ≳ 50 (spec trap 1); not checked on cpu",
        ),
    ]


def _variance_claims(metrics: dict, profile: str) -> list[Claim]:
    fixed_p, fixed_d = metrics["fixed_P"], metrics["fixed_D"]
    ratio_tol = _tol(profile, 0.06, 0.03)
    worst = {f"P={e['P']}": _r(max(abs(v - 1.0) for v in e["fit_ratio"]), 3) for e in fixed_p}
    slope_tol = _tol(profile, 0.05, 0.03)
    slopes = {f"P={e['P']}": {"sim": _r(e["excess_slope"]), "formula": _r(e["formula_slope"])}
              for e in fixed_p}
    p_slopes = {f"D={e['D']}": _r(e["excess_slope"]) for e in fixed_d}
    peaks = {f"P={e['P']}": e["argmax_median_D"] for e in fixed_p}
    peaks.update({f"D={e['D']}": e["argmax_median_P"] for e in fixed_d})
    peak_ok = (all(abs(e["argmax_median_D"] - e["P"]) <= 2 for e in fixed_p)
               and all(abs(e["argmax_median_P"] - e["D"]) <= 2 for e in fixed_d))
    alpha_note = f"α_K = {metrics['sweep_alpha']}, S = {metrics['S']}"
    return [
        make_claim(
            profile=profile, id=ID + "variance_limited_data_formula",
            statement="For D ≥ 4P the excess E L(D,P) − L(∞,P) equals L(∞,P)·P/(D−P−1)",
            source=common.source("derived,paper", "Theorem 1 (exact formula [derived] for "
                                 "Gaussian features)"),
            label="theory", paper="excess ∝ 1/D (Theorem 1)", theory="ratio 1",
            measured={"max|ratio−1|": worst,
                      "ratios": {f"P={e['P']}": [_r(v) for v in e["fit_ratio"]]
                                 for e in fixed_p}},
            tolerance=f"|ratio − 1| ≤ {ratio_tol} for each D ≥ 4P and each fixed P (cpu 0.06, "
                      "paper 0.03)",
            passed=all(v <= ratio_tol for v in worst.values()),
            note=f"Common random numbers (same 𝒫 for L(∞,P), nested designs); {alpha_note}",
        ),
        make_claim(
            profile=profile, id=ID + "variance_limited_data_slope",
            statement="The log-log slope of the excess over D ∈ [4P, D_max] equals the formula's "
                      "local slope (→ −1)",
            source=common.source("paper,derived", "Figs. 1a/2a"), label="paper", paper=-1.0,
            theory={k: v["formula"] for k, v in slopes.items()},
            measured={k: v["sim"] for k, v in slopes.items()},
            tolerance=f"|Δslope| ≤ {slope_tol} (cpu 0.05, paper 0.03)",
            passed=all(abs(v["sim"] - v["formula"]) <= slope_tol for v in slopes.values()),
            note=f"Local slope −D/(D−P−1) tends to −1; {alpha_note}",
        ),
        make_claim(
            profile=profile, id=ID + "variance_limited_param_slope",
            statement="The log-log slope of L(D,P) − L(D,∞) over P ∈ [8D, P_max] is ≈ −1",
            source=common.source("paper", "Theorem 1 (linear models)"), label="paper",
            paper=-1.0, theory=-1.0, measured=p_slopes,
            tolerance="slope ∈ [−1.10, −0.95] (cpu and paper)",
            passed=all(-1.10 <= v <= -0.95 for v in p_slopes.values()),
            note=f"Same X for L(D,∞) (common random numbers), nested 𝒫; {alpha_note}",
        ),
        make_claim(
            profile=profile, id=ID + "double_descent_peak",
            statement="The median loss over the D-grid (fixed P) and over the P-grid (fixed D) "
                      "peaks at D ≈ P",
            source=common.source("derived", "ridgeless min-norm regression"), label="theory",
            paper="n/a", theory={k: float(k.split("=")[1]) for k in peaks}, measured=peaks,
            tolerance="argmax within ±2 of P (fixed P) or of D (fixed D)",
            passed=peak_ok, note="Medians over seeds: means near D = P are heavy-tailed",
        ),
    ]


def _manifold_claims(metrics: dict, profile: str) -> list[Claim]:
    claims = []
    for key, name, order in (("local_linear", "manifold_piecewise_linear", 4),
                             ("nearest", "manifold_nearest_neighbour", 2)):
        ratios, tols = {}, {}
        for e in metrics["manifold"]:
            d = e["d"]
            ratios[d] = e[key]["ratio_to_prediction"]
            if key == "local_linear":
                tols[d] = _tol(profile, 0.06, 0.04) if d <= 3 else _tol(profile, 0.12, 0.08)
            else:
                tols[d] = _tol(profile, 0.06, 0.04)
        where = "Theorems 2–3 and the expansion argument" if order == 4 else "Theorem 2"
        claims.append(make_claim(
            profile=profile, id=ID + name,
            statement=(f"{'Local-linear' if order == 4 else '1-NN'} interpolation on the "
                       f"d-torus: MSE ∝ D^(-{order}/d)"),
            source=common.source("paper,reconstructed", where) + f"; {common.SHARMA_KAPLAN}",
            label="reconstructed",
            paper={f"d={e['d']}": _r(order / e["d"]) for e in metrics["manifold"]},
            theory={f"d={e['d']}": _r(e[key]["predicted_exponent"]) for e in metrics["manifold"]},
            measured={f"d={e['d']}": {"α̂": _r(e[key]["exponent"]),
                                      f"{order}/α̂": _r(e[key]["dimension_estimate"])}
                      for e in metrics["manifold"]},
            tolerance=("|α̂/(4/d) − 1| ≤ 0.06 (d ≤ 3), ≤ 0.12 (d = 4) on cpu; ≤ 0.04, ≤ 0.08 on "
                       "paper" if order == 4 else "|α̂/(2/d) − 1| ≤ 0.06 on cpu, ≤ 0.04 on paper"),
            passed=all(abs(ratios[d] - 1.0) <= tols[d] for d in ratios),
            note="Flat torus in R^(2d), non-neural estimators in place of Fig. 1b's deep nets "
                 "[reconstructed]; α̂ from the mean MSE over seeds",
        ))
    return claims


def make_claims(config: Any, metrics: dict, arrays: Any, profile: str) -> list[Claim]:
    return [
        _resolution_claim(metrics, profile, "data"), _resolution_claim(metrics, profile, "param"),
        *_duality_claims(metrics, profile), *_exponent_claims(metrics, profile),
        *_variance_claims(metrics, profile), *_manifold_claims(metrics, profile),
    ]
