"""Claims of the perceptron experiment (spec §7, perceptron.*). They read metrics only; the
theory values are those ``theory.sgd_noise`` gave in this run. Tolerances are the spec's (cpu /
paper). Fitted exponents are effective finite-size values compared with asymptotic predictions.
A claim whose inputs are absent from the profile (e.g. χ = 0 on smoke) is written with a
measured value "n/a" and counts as failed on cpu/paper.
"""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import Claim, make_claim
from experiments.sgd_noise import common

MISSING = "n/a (not in this profile)"
GAMMA_TOL = {0: ((0.85, 1.05), (0.92, 1.05)), 1: ((0.38, 0.55), (0.42, 0.55)),
             3: ((0.13, 0.30), (0.17, 0.30))}
B_TOL = {0: ((2.4, 3.15), (2.5, 3.15)), 1: ((1.4, 2.15), (1.5, 2.15)),
         3: ((0.9, 1.65), (1.0, 1.65))}
EXPECTED = {"gamma": {0: "≈ 0.91–0.95", 1: "≈ 0.43", 3: "≈ 0.18"},
            "b": {0: "≈ 2.6", 1: "≈ 1.66", 3: "≈ 1.35"}}


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _r(value: Any, digits: int = 4) -> Any:
    v = _num(value)
    return float(f"{v:.{digits}g}") if math.isfinite(v) else MISSING


def _fit(entry: dict[str, Any] | None) -> dict[str, Any]:
    if not entry:
        return {"value": MISSING}
    return {"value": _r(entry["value"]), "95% CI": [_r(entry["low"], 3), _r(entry["high"], 3)]}


def _pick(profile: str, pair: tuple[Any, Any]) -> Any:
    return pair[1] if profile == "paper" else pair[0]


def _claim(profile: str, cid: str, tag: str, where: str, note: str = "", **fields: Any) -> Claim:
    if profile == "smoke":
        note = "smoke: pipeline only. " + note
    return make_claim(profile=profile, id=f"perceptron.{cid}", source=common.source(tag, where),
                      label=common.label(tag.split(",")[0]), note=note.strip(), **fields)


def _per_chi(metrics: dict[str, Any], chi: int) -> dict[str, Any] | None:
    return metrics["per_chi"].get(f"{chi:g}")


def _exponent_claims(config: dict[str, Any], metrics: dict[str, Any],
                     profile: str) -> list[Claim]:
    out = []
    for chi in (0, 1, 3):
        pc = _per_chi(metrics, chi)
        for name, tols, theory_key, tag, where in (
                ("gamma", GAMMA_TOL, "gamma", "PNAS", f"{common.PNAS}: γ = 1/(1+χ)"),
                ("b", B_TOL, "b", "reconstructed", "scaling argument of spec §3.1")):
            lo, hi = _pick(profile, tols[chi])
            fit = pc.get(f"{name}_fit") if pc else None
            value = _num(fit["value"]) if fit else math.nan
            theory = _r(pc["theory"][theory_key]) if pc else MISSING
            obs = "w1" if name == "gamma" else "t*"
            out.append(_claim(
                profile, f"{name}_chi{chi}", tag, where,
                statement=f"{obs} ∝ P^{'γ' if name == 'gamma' else 'b'} in the noise regime "
                          f"(T·α = {config['fit_t_alpha']:g}), χ = {chi}",
                paper="γ = 1/(1+χ) (PNAS abstract)" if name == "gamma" else common.PAPER_VALUE_NONE,
                theory=theory, measured=_fit(fit),
                tolerance=f"fitted slope in [{lo}, {hi}] (effective finite-size value; asymptote "
                          f"reached from below; expected {EXPECTED[name][chi]})",
                passed=lo <= value <= hi,
                note=_exponent_note(pc, name, lo <= value <= hi)))
    return out


def _exponent_note(pc: dict[str, Any] | None, name: str, passed: bool) -> str:
    if not pc:
        return ""
    note = f"P grid {pc['sizes']}"
    if name == "b" and "b_local" in pc:
        note += "; local slopes " + ", ".join(f"{_num(v):.2f}" for v in pc["b_local"])
    if not passed:
        note += ("; outside the tolerance, which is kept as specified. w1 and t* are set by "
                 "the training points nearest the boundary, so their seed means are "
                 "heavy-tailed and an 8-seed slope scatters: scripts/perceptron_seed_scatter.py "
                 "measures the same protocol with 64 seeds (results in the perceptron module "
                 "docstring). The other observables (‖w⊥‖, ε slope, crossover, error ratios) "
                 "match the spec's reference values.")
    return note


def _all_values(pcs: dict[str, Any], key: str) -> dict[str, float]:
    return {f"χ={chi} P={p}": _num(v["value"]) for chi, pc in pcs.items()
            for p, v in pc.get(key, {}).items()}


def make_claims(config: dict[str, Any], metrics: dict[str, Any], arrays: Any,
                profile: str) -> list[Claim]:
    pcs = metrics["per_chi"]
    sym = metrics["symmetry"]
    claims = [_claim(
        profile, "alpha_T_symmetry", "suite", "exact symmetry (Δw, η, κ) → (cΔw, cη, cκ)",
        statement="runs at (α, T) and (4α, T/4) with the same seed give Δw' = Δw/4 bit-exactly "
                  "and the same steps",
        paper=common.PAPER_VALUE_NONE, theory=0.0,
        measured={"max rel. diff": sym["max_rel_diff"], "steps equal": sym["steps_equal"]},
        tolerance="max relative difference of w1, ‖w⊥‖, ‖Δw‖/‖w0‖ ≤ 1e−6 and equal steps",
        passed=_num(sym["max_rel_diff"]) <= 1e-6 and sym["steps_equal"],
        note=f"χ = {sym['chi']:g}, P = {sym['P']}, T·α = {sym['t_alpha']:g}, {sym['lanes']} "
             "replicas")]
    claims += _exponent_claims(config, metrics, profile)
    b = [_num(pcs[f"{c}"]["b_fit"]["value"]) if f"{c}" in pcs and "b_fit" in pcs[f"{c}"]
         else math.nan for c in (0, 1, 3)]
    claims.append(_claim(
        profile, "b_ordering", "authors-APS", f"{common.APS}: b depends on the boundary density",
        statement="b decreases with χ", paper="b depends on the data density near the boundary",
        theory=[3.0, 2.0, 1.5], measured=[_r(v) for v in b],
        tolerance="strict ordering b(0) > b(1) > b(3) of the fitted values",
        passed=b[0] > b[1] > b[2]))
    deltas = _all_values(pcs, "delta_fit")
    tol = 0.05
    claims.append(_claim(
        profile, "delta", "authors-APS,suite", f"{common.APS}; δ = 1 exact as T·α → ∞",
        statement=f"w1 ∝ T^δ for T·α ∈ {config['noise_t_alpha']} (all χ, P)",
        paper="δ obtained in the perceptron (value not stated)", theory=1.0,
        measured={k: _r(v) for k, v in deltas.items()},
        tolerance=f"every δ_fit within 1 ± {tol} (expected 0.98–1.00)",
        passed=bool(deltas) and all(abs(v - 1.0) <= tol for v in deltas.values())))
    ratios = {chi: _num(pc["w_perp_ratio_largest_P"]["value"]) for chi, pc in pcs.items()}
    lo, hi = _pick(profile, ((0.8, 1.3), (0.85, 1.25)))
    claims.append(_claim(
        profile, "w_perp_value", "reconstructed", "Itô balance of ‖w⊥‖², spec §3.1",
        statement="‖w⊥‖ → T√d/(2c_χ) at the largest P of each χ (mean over T·α ≥ fit T·α)",
        paper=common.PAPER_VALUE_NONE,
        theory={f"1/(2c_χ), χ={c}": _r(pc["theory"]["inv_2c_chi"]) for c, pc in pcs.items()},
        measured={f"ratio χ={c}": _r(v) for c, v in ratios.items()},
        tolerance=f"ratio ∈ [{lo}, {hi}] (leading order; expected 1.12, 0.91, 0.94)",
        passed=all(lo <= v <= hi for v in ratios.values())))
    slopes = {chi: _num(pc["w_perp_P_slope"]["value"]) for chi, pc in pcs.items()
              if "w_perp_P_slope" in pc}
    limit = _pick(profile, (0.2, 0.12))
    claims.append(_claim(
        profile, "w_perp_P_independent", "reconstructed", "spec §3.1",
        statement="‖w⊥‖/T does not grow with P", paper=common.PAPER_VALUE_NONE, theory=0.0,
        measured={f"χ={c}": _fit(pcs[c]["w_perp_P_slope"]) for c in slopes},
        tolerance=f"abs(P-slope) ≤ {limit} per χ (expected −0.13, −0.09, −0.11)",
        passed=bool(slopes) and all(abs(v) <= limit for v in slopes.values())))
    tslopes = _all_values(pcs, "tstar_T_slope")
    limit = _pick(profile, (0.15, 0.1))
    claims.append(_claim(
        profile, "tstar_linear_in_T", "authors-APS", f"{common.APS}: t* ~ T P^b",
        statement="t* ∝ T for T·α ≥ 64 (steps T-independent)", paper="t* ~ T P^b",
        theory=1.0, measured={k: _r(v) for k, v in tslopes.items()},
        tolerance=f"abs(slope − 1) ≤ {limit} per (χ, P) (expected 0.90–1.05)",
        passed=bool(tslopes) and all(abs(v - 1.0) <= limit for v in tslopes.values())))
    eps = {chi: _num(pc["eps_slope"]["value"]) for chi, pc in pcs.items() if "eps_slope" in pc}
    limit = _pick(profile, (0.2, 0.15))
    claims.append(_claim(
        profile, "test_error_exponent", "reconstructed", "ε ∝ θ^(1+χ) ∝ 1/P, spec §3.1",
        statement="ε ∝ 1/P in the noise regime, every χ", paper=common.PAPER_VALUE_NONE,
        theory=-1.0, measured={f"χ={c}": _fit(pcs[c]["eps_slope"]) for c in eps},
        tolerance=f"each slope within −1 ± {limit} (expected −1.0, −1.0, −1.09)",
        passed=len(eps) == 3 and all(abs(v + 1.0) <= limit for v in eps.values())))
    claims += _crossover_claims(config, pcs, profile)
    return claims


def _crossover_claims(config: dict[str, Any], pcs: dict[str, Any], profile: str) -> list[Claim]:
    cross = _all_values(pcs, "crossover")
    ratio = {chi: _num(pc["crossover_ratio"]["value"]) for chi, pc in pcs.items()
             if "crossover_ratio" in pc}
    lo, hi = _pick(profile, ((1.5, 5.0), (1.0, 8.0)))
    gd = min(config["crossover_t_alpha"])
    out = [_claim(
        profile, "crossover_temperature", "suite,reconstructed",
        "∝ 1/α exact (symmetry); P-independence of the prefactor reconstructed",
        statement="T_× ∝ 1/α with an O(1), nearly P-independent prefactor "
                  f"(T_×·α = w1(T·α = {gd:g}) / mean(w1/(T·α)) over the hot noise cells)",
        paper=common.PAPER_VALUE_NONE, theory="T_× = C/α, C not predicted",
        measured={**{f"T_×·α {k}": _r(v) for k, v in cross.items()},
                  **{f"ratio χ={c}": _r(v) for c, v in ratio.items()}},
        tolerance=f"T_×·α ∈ [{lo}, {hi}] and ratio between the two P ∈ [0.75, 1.5] "
                  "(expected 2.2–3.0 and 1.09–1.18)",
        passed=bool(cross) and bool(ratio) and all(lo <= v <= hi for v in cross.values())
        and all(0.75 <= v <= 1.5 for v in ratio.values()))]
    err = {chi: {p: _num(v["value"]) for p, v in pc["error_ratio"].items()}
           for chi, pc in pcs.items()}
    ok3 = "3" in err and len(err["3"]) >= 2 and all(v >= 2.0 for v in err["3"].values())
    ok0 = "0" in err and bool(err["0"]) and all(0.8 <= v <= 1.25 for v in err["0"].values())
    out.append(_claim(
        profile, "noise_hurts_depleted", "reconstructed",
        f"{common.PAPER} abstract: noise can be detrimental; ratio observed in reference runs",
        statement="noise-regime error exceeds GD error when data are depleted at the boundary, "
                  "not for Gaussian data",
        paper="SGD noise can be detrimental (abstract)", theory="≈ 1 (χ = 0), > 1 (χ ≥ 1)",
        measured={f"ε({config['fit_t_alpha']:g})/ε({gd:g}) χ={c} P={p}": _r(v)
                  for c, d in err.items() for p, v in d.items()},
        tolerance="χ = 3 ratio ≥ 2 at both P; χ = 0 ratio ∈ [0.8, 1.25] (expected ≈ 1.0, "
                  "1.4–1.8, 4–8 for χ = 0, 1, 3)",
        passed=ok3 and ok0))
    return out
