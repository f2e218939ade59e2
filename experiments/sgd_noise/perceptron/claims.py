"""Claims of the perceptron experiment. They read metrics only; the theory values are those
``theory.sgd_noise`` gave in this run, the tolerances those of the pillar's claims table (cpu /
paper). Fitted exponents are effective finite-size values compared with asymptotic predictions
(kind ``finite-size``): γ and b approach their asymptotes from below, so each shows the local
slope of every doubling of P next to the fit.
"""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import (
    Claim,
    format_number,
    format_value,
    rounded,
    underpowered,
)
from experiments.common.results import as_float
from experiments.sgd_noise.perceptron.metrics import B_TOL, EPS_TOL, GAMMA_TOL
from experiments.sgd_noise.shared import provenance
from experiments.sgd_noise.shared.provenance import tagged_claim

FINITE_SIZE = "finite-size allowance below the asymptote"
CI = "95% paired bootstrap over seeds"


def _fit(entry: dict[str, Any] | None) -> dict[str, Any]:
    if not entry:
        return {"value": None, "interval": None}
    return {"value": rounded(entry["value"]),
            "interval": [rounded(entry["low"], 3), rounded(entry["high"], 3)]}


def _pick(profile: str, pair: tuple[Any, Any]) -> Any:
    return pair[1] if profile == "paper" else pair[0]


def _claim(profile: str, cid: str, tag: str, where: str, **fields: Any) -> Claim:
    return tagged_claim("perceptron", profile, cid, tag, where, **fields)


def _per_chi(metrics: dict[str, Any], chi: int) -> dict[str, Any] | None:
    return metrics["per_chi"].get(f"{chi:g}")


def _seeds(metrics: dict[str, Any], chi: int) -> Any:
    return metrics["seeds"].get(f"{chi:g}", "?")


def _exponent_claims(config: dict[str, Any], metrics: dict[str, Any],
                     profile: str) -> list[Claim]:
    out = []
    for chi in (0, 1, 3):
        pc = _per_chi(metrics, chi)
        for name, tols, tag, where, symbol, obs in (
                ("gamma", GAMMA_TOL, "PNAS", f"{provenance.PNAS}: γ = 1/(1+χ)", "γ", "w1"),
                ("b", B_TOL, "reconstructed", "scaling argument b = (3+χ)/(1+χ)", "b", "t*")):
            lo, hi = _pick(profile, tols[chi])
            fit = _fit(pc.get(f"{name}_fit") if pc else None)
            local = [rounded(v["value"], 3) for v in pc.get(f"{name}_local", [])] if pc else []
            theory = rounded(pc["theory"][name]) if pc else None
            passed = fit["value"] is not None and lo <= fit["value"] <= hi
            note = ""
            if pc:
                note = (f"P grid {pc['sizes']}, T·α = {config['fit_t_alpha']:g}. Local slopes "
                        f"between neighbouring P: {', '.join(format_number(v, 3) for v in local)}.")
            if pc and chi == 0:
                note += (f" The effective exponent has not visibly converged at P ≤ "
                         f"{pc['sizes'][-1]}, nor at P ≤ 4096 in a 32-seed run of the same "
                         "protocol (scripts/perceptron_seed_scatter.py: local slopes 0.82–0.99 "
                         "for γ, 2.2–2.9 for b).")
            out.append(_claim(
                profile, f"{name}_chi{chi}", tag, where, kind="finite-size",
                statement=f"{obs} ∝ P^{symbol} in the noise regime, χ = {chi}",
                expected=f"{format_number(theory) if theory is not None else '?'} (asymptote)",
                measured=fit["value"], interval=fit["interval"],
                interval_kind=f"{CI} ({_seeds(metrics, chi)} seeds)",
                context="local " + ", ".join(format_number(v, 3) for v in local) if local else "",
                tolerance=f"{symbol}_fit ∈ [{lo}, {hi}]", tolerance_source=FINITE_SIZE,
                passed=passed,
                reason=(f"effective {symbol} at P ≤ {pc['sizes'][-1]} lies outside the "
                        f"finite-size band; local slopes still rising" if pc else
                        f"no χ = {chi} data in this profile"),
                note=note,
                details={"local slopes": {f"P={p}→{q}": _fit(v) for p, q, v in zip(
                    pc["sizes"], pc["sizes"][1:], pc.get(f"{name}_local", []), strict=False)}
                    if pc else {},
                         "asymptote": theory, "paper": "γ = 1/(1+χ)" if name == "gamma"
                         else provenance.PAPER_VALUE_NONE}))
    return out


def _b_ordering(metrics: dict[str, Any], profile: str) -> Claim:
    order = metrics["b_ordering"]
    have = bool(order["complete"])
    b, gaps, se = ([as_float(v) for v in order[k]] for k in ("b", "gaps", "gap_se"))
    # Expected effect: the smallest asymptotic gap, b(1) − b(3) = 2 − 3/2.
    power = underpowered(0.5, max(se), what="the smallest expected gap of b") if have else (
        "needs χ = 0, 1 and 3")
    worst = int(gaps[1] < gaps[0])
    return _claim(
        profile, "b_ordering", "authors-APS",
        f"{provenance.APS}: b depends on the boundary density",
        kind="qualitative", statement="b decreases with χ (χ = 0, 1, 3)",
        expected="b(0) > b(1) > b(3)", measured=rounded(gaps[worst], 3),
        context=f"smallest gap, {rounded(gaps[worst] / se[worst], 2)} SE" if have else "",
        tolerance="both adjacent gaps b(χ) − b(χ') > 0",
        tolerance_source="sign test; gaps powered at ≥ 3 SE", passed=min(gaps) > 0,
        not_run=power, reason="the fitted b are not ordered by χ",
        details={"b per χ": {f"χ={c}": rounded(v) for c, v in zip((0, 1, 3), b, strict=True)},
                 "gap SE": [rounded(v, 2) for v in se], "asymptotes": [3.0, 2.0, 1.5]})


def make_claims(config: dict[str, Any], metrics: dict[str, Any], arrays: Any,
                profile: str) -> list[Claim]:
    pcs = metrics["per_chi"]
    sym = metrics["symmetry"]
    rel = as_float(sym["max_rel_diff"])
    claims = [_claim(
        profile, "alpha_T_symmetry", "suite", "exact symmetry (Δw, η, κ) → (cΔw, cη, cκ)",
        kind="identity",
        statement="Runs at (α, T) and (4α, T/4) with one seed give Δw' = Δw/4 and the same steps",
        expected=0.0, measured=rel, context="steps equal" if sym["steps_equal"] else
        "steps differ", tolerance="max relative difference ≤ 1e−6 and equal steps",
        tolerance_source="bit-exact power-of-two rescaling in float32",
        passed=rel <= 1e-6 and sym["steps_equal"], reason="the rescaled run differs",
        details={"χ": sym["chi"], "P": sym["P"], "T·α": sym["t_alpha"], "lanes": sym["lanes"]})]
    claims += _exponent_claims(config, metrics, profile)
    claims.append(_b_ordering(metrics, profile))
    claims += _noise_regime_claims(config, pcs, profile)
    claims += _crossover_claims(config, pcs, profile)
    return claims


def _worst(values: dict[str, float], target: float) -> tuple[str, float]:
    key = max(values, key=lambda k: abs(values[k] - target))
    return key, values[key]


def _all_values(pcs: dict[str, Any], key: str) -> dict[str, float]:
    return {f"χ={chi} P={p}": as_float(v["value"]) for chi, pc in pcs.items()
            for p, v in pc.get(key, {}).items()}


def _noise_regime_claims(config: dict[str, Any], pcs: dict[str, Any],
                         profile: str) -> list[Claim]:
    out = []
    deltas = _all_values(pcs, "delta_fit")
    key, worst = _worst(deltas, 1.0) if deltas else ("", math.nan)
    out.append(_claim(
        profile, "delta", "authors-APS,suite", f"{provenance.APS}; δ = 1 exact as T·α → ∞",
        kind="quantitative",
        statement=f"w1 ∝ T^δ with δ = 1 for T·α ∈ {format_value(config['noise_t_alpha'])}",
        expected=1.0, measured=rounded(worst), context=f"worst cell, {key}" if key else "",
        tolerance="every δ_fit within 1 ± 0.05",
        tolerance_source="exact limit; measured scatter ≈ 0.02",
        passed=bool(deltas) and abs(worst - 1.0) <= 0.05, reason=f"δ at {key} is off 1",
        details={"δ per cell": {k: rounded(v) for k, v in deltas.items()}}))
    ratios = {f"χ={chi}": as_float(pc["w_perp_ratio_largest_P"]["value"])
              for chi, pc in pcs.items()}
    lo, hi = _pick(profile, ((0.8, 1.3), (0.85, 1.25)))
    key, worst = _worst(ratios, 1.0)
    out.append(_claim(
        profile, "w_perp_value", "reconstructed", "Itô balance of ‖w⊥‖²",
        kind="finite-size", statement="‖w⊥‖ → T√d/(2c_χ) at the largest P of each χ",
        expected=1.0, measured=rounded(worst), context=f"ratio at {key}",
        tolerance=f"every ratio ∈ [{lo}, {hi}]",
        tolerance_source="leading-order formula; finite-P excess",
        passed=all(lo <= v <= hi for v in ratios.values()),
        reason=f"the ratio at {key} is outside the band",
        details={"ratio per χ": {k: rounded(v) for k, v in ratios.items()},
                 "1/(2c_χ)": {f"χ={c}": rounded(pc["theory"]["inv_2c_chi"]) for c, pc in
                              pcs.items()}}))
    slopes = {f"χ={chi}": pc["w_perp_P_slope"] for chi, pc in pcs.items()
              if "w_perp_P_slope" in pc}
    limit = _pick(profile, (0.2, 0.12))
    key, worst = _worst({k: as_float(v["value"]) for k, v in slopes.items()}, 0.0) if slopes \
        else ("", math.nan)
    out.append(_claim(
        profile, "w_perp_P_independent", "reconstructed", "Itô balance of ‖w⊥‖²",
        kind="finite-size", statement="‖w⊥‖/T does not grow with P", expected=0.0,
        measured=rounded(worst), interval=_fit(slopes[key])["interval"] if slopes else None,
        interval_kind=CI, context=f"largest |slope|, {key}" if key else "",
        tolerance=f"|P-slope| ≤ {limit} per χ", tolerance_source=FINITE_SIZE,
        passed=bool(slopes) and abs(worst) <= limit, reason=f"‖w⊥‖/T moves with P at {key}",
        details={"P-slope per χ": {k: _fit(v) for k, v in slopes.items()}}))
    tslopes = _all_values(pcs, "tstar_T_slope")
    limit = _pick(profile, (0.15, 0.1))
    key, worst = _worst(tslopes, 1.0) if tslopes else ("", math.nan)
    out.append(_claim(
        profile, "tstar_linear_in_T", "authors-APS", f"{provenance.APS}: t* ~ T P^b",
        kind="quantitative", statement="t* ∝ T for T·α ≥ 64 (step counts independent of T)",
        expected=1.0, measured=rounded(worst), context=f"worst cell, {key}" if key else "",
        tolerance=f"|slope − 1| ≤ {limit} per (χ, P)",
        tolerance_source="exact limit; measured scatter ≈ 0.05",
        passed=bool(tslopes) and abs(worst - 1.0) <= limit, reason=f"t* is not ∝ T at {key}",
        details={"slope per cell": {k: rounded(v) for k, v in tslopes.items()}}))
    eps = {f"χ={chi}": pc["eps_slope"] for chi, pc in pcs.items() if "eps_slope" in pc}
    limit = _pick(profile, EPS_TOL)
    key, worst = _worst({k: as_float(v["value"]) for k, v in eps.items()}, -1.0) if eps else (
        "", math.nan)
    out.append(_claim(
        profile, "test_error_exponent", "reconstructed", "ε ∝ θ^(1+χ) ∝ 1/P",
        kind="finite-size", statement="ε ∝ 1/P in the noise regime, every χ", expected=-1.0,
        measured=rounded(worst), interval=_fit(eps[key])["interval"] if eps else None,
        interval_kind=CI, context=f"worst χ, {key}" if key else "",
        tolerance=f"each slope within −1 ± {limit}", tolerance_source=FINITE_SIZE,
        passed=len(eps) == 3 and abs(worst + 1.0) <= limit,
        reason=f"the error slope at {key} is off −1" if eps else "needs χ = 0, 1 and 3",
        details={"slope per χ": {k: _fit(v) for k, v in eps.items()}}))
    return out


def _crossover_claims(config: dict[str, Any], pcs: dict[str, Any], profile: str) -> list[Claim]:
    cross = _all_values(pcs, "crossover")
    ratio = {f"χ={chi}": as_float(pc["crossover_ratio"]["value"]) for chi, pc in pcs.items()
             if "crossover_ratio" in pc}
    lo, hi = _pick(profile, ((1.5, 5.0), (1.0, 8.0)))
    gd = min(config["crossover_t_alpha"])
    in_band = bool(cross) and all(lo <= v <= hi for v in cross.values())
    ratio_ok = bool(ratio) and all(0.75 <= v <= 1.5 for v in ratio.values())
    out = [_claim(
        profile, "crossover_temperature", "suite,reconstructed",
        "∝ 1/α exact (symmetry); P-independence of the prefactor reconstructed",
        kind="qualitative",
        statement="T_× ∝ 1/α with an O(1) prefactor that barely depends on P",
        expected="T_×·α = C, C of order 1",
        measured=rounded(max(cross.values()), 3) if cross else None,
        context=(f"range {format_number(min(cross.values()), 3)}–"
                 f"{format_number(max(cross.values()), 3)}; P-ratio "
                 + ", ".join(format_number(v, 3) for v in ratio.values())) if cross else "",
        tolerance=f"T_×·α ∈ [{lo}, {hi}], ratio between P ∈ [0.75, 1.5]",
        tolerance_source="order-one band; C has no predicted value",
        passed=in_band and ratio_ok,
        reason="T_×·α outside the band" if not in_band else "the prefactor moves with P",
        note=f"T_×·α = w1(T·α = {gd:g}) / mean(w1/(T·α)) over the hot noise cells",
        details={"T_×·α per cell": {k: rounded(v) for k, v in cross.items()},
                 "ratio between the two P": {k: rounded(v) for k, v in ratio.items()}})]
    err = {chi: {p: as_float(v["value"]) for p, v in pc["error_ratio"].items()}
           for chi, pc in pcs.items()}
    ok3 = "3" in err and len(err["3"]) >= 2 and all(v >= 2.0 for v in err["3"].values())
    ok0 = "0" in err and bool(err["0"]) and all(0.8 <= v <= 1.25 for v in err["0"].values())
    out.append(_claim(
        profile, "noise_hurts_depleted", "reconstructed",
        f"{provenance.PAPER} abstract: noise can be detrimental",
        kind="qualitative",
        statement="Noise-regime error exceeds GD error for depleted data (χ = 3), not for χ = 0",
        expected="ratio ≥ 2 (χ = 3), ≈ 1 (χ = 0)",
        measured=rounded(min(err["3"].values()), 3) if "3" in err and err["3"] else None,
        context=("smallest χ = 3 ratio; χ = 0: " + ", ".join(
            format_number(v, 3) for v in err.get("0", {}).values())),
        tolerance="χ = 3 ratio ≥ 2 at both P; χ = 0 ratio ∈ [0.8, 1.25]",
        tolerance_source="well separated from 1 in the reference runs",
        passed=ok3 and ok0, reason="χ = 3 ratio below 2" if not ok3 else "χ = 0 ratio off 1",
        note=f"ratio ε(T·α = {config['fit_t_alpha']:g}) / ε(T·α = {gd:g})",
        details={f"χ={c} P={p}": rounded(v) for c, d in err.items() for p, v in d.items()}))
    return out
