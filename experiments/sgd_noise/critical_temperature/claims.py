"""Claims of ``critical_temperature``. They read metrics only.

Intervals are 95 % percentile bootstraps over seeds (resampled jointly across cells). Capped and
diverged lanes never enter a fit; their count is in every note. Metrics arrive JSON-converted.
The relation a = γ/δ is tested only by the NTK-based T_c^K: T_c^w is defined by a threshold on
r ∝ T^δ P^γ itself, so its exponent equals γ/δ by construction (kind ``consistency``).
"""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import Claim, format_number, rounded
from experiments.common.results import as_float
from experiments.sgd_noise.shared import provenance
from experiments.sgd_noise.shared.provenance import tagged_claim

WHERE = provenance.APS + " (exponent named, value unverified)"
# The relation a = γ/δ is tested with the paper profile's tolerance on every profile: at cpu sizes
# it is not confirmed, and a wider cpu band would hide exactly that.
A_TOLERANCE = 0.15


def _fit(metrics: dict, name: str) -> tuple[float, list[float | None]]:
    fit = metrics["fits"][name]
    return as_float(fit["value"]), [rounded(v, 3) for v in fit["interval"]]


def _interval(values: list[float | None]) -> list[float] | None:
    return None if any(v is None for v in values) else values


def _note(metrics: dict, extra: str = "") -> str:
    c = metrics["lane_counts"]
    return (f"{extra}lanes: {c['converged']} converged, {c['capped']} capped, {c['diverged']} "
            f"diverged; capped and diverged lanes excluded from means and fits "
            f"({metrics['excluded_lanes']} excluded)")


def _claim(metrics: dict, profile: str, cid: str, tag: str, where: str, **fields: Any) -> Claim:
    fields.setdefault("interval_kind", f"95% bootstrap over {metrics['seeds']} seeds")
    return tagged_claim("critical_temperature", profile, cid, tag, where, **fields)


def _range_claim(metrics: dict, profile: str, cid: str, name: str, lo: float, hi: float,
                 extra_pass: bool = True, **fields: Any) -> Claim:
    value, interval = _fit(metrics, name)
    return _claim(metrics, profile, cid, "authors-APS", WHERE, measured=rounded(value, 3),
                  interval=_interval(interval), passed=lo <= value <= hi and extra_pass,
                  **fields)


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    ratio, ratio_int = _fit(metrics, "gamma_over_delta")
    a_w, a_w_int = _fit(metrics, "a_w")
    a_k, a_k_int = _fit(metrics, "a_k")
    _, g_int = _fit(metrics, "gamma")
    _, b_int = _fit(metrics, "b")
    r2_w, r2_k = as_float(metrics["r2_w"]), as_float(metrics["r2_k"])
    d_lo = 0.8 if paper else 0.7
    claims = [_range_claim(
        metrics, profile, "delta", "delta", d_lo, 1.1, kind="quantitative",
        statement="r = ‖w−w0‖/‖w0‖ ∝ T^δ in the kernel regime, with δ close to 1",
        expected="1 (perceptron value)", tolerance=f"δ ∈ [{d_lo}, 1.1]",
        tolerance_source="allowance: the FC network's δ is not predicted",
        reason="δ is not close to 1",
        note=_note(metrics, "pooled fit of log r on log T, one intercept per P, "
                            "T ∈ [2^-11, 2^-7]; "))]
    g_ok = (g_int[0] is not None and g_int[0] > 0) if paper else True
    claims.append(_range_claim(
        metrics, profile, "gamma", "gamma", 0.2 if paper else 0.3, math.inf if paper else 0.8,
        extra_pass=g_ok, kind="qualitative", statement="r grows with P as P^γ, γ > 0",
        expected="> 0",
        tolerance="γ > 0.2, interval excluding 0" if paper else "γ ∈ [0.3, 0.8]",
        tolerance_source="sign, with the reference runs' range",
        reason="γ is not clearly positive",
        note=_note(metrics, "pooled fit of log r on log P, one intercept per T, "
                            "T ∈ [2^-11, 2^-7]; ")))
    tol = 0.1 if paper else 0.15
    claims.append(_range_claim(
        metrics, profile, "tstar_linear_in_T", "tstar_T_slope", 1 - tol, 1 + tol,
        kind="quantitative", statement="t* ∝ T (steps to zero hinge loss nearly independent of T)",
        expected=1.0, tolerance=f"|slope − 1| ≤ {tol}",
        tolerance_source="exact in the lazy limit; seed scatter ≈ 0.02",
        reason="t* is not proportional to T",
        note=_note(metrics, "pooled fit of log t* on log T, one intercept per P, "
                            "T ∈ [2^-11, 2^-6]; ")))
    b_ok = (b_int[0] is not None and b_int[0] > 0) if paper else True
    claims.append(_range_claim(
        metrics, profile, "tstar_grows_with_P", "b", 0.5 if paper else 0.8, math.inf,
        extra_pass=b_ok, kind="qualitative", statement="t* grows with P as P^b, b > 0",
        expected="> 0", tolerance="b > 0.5, interval excluding 0" if paper else "b ≥ 0.8",
        tolerance_source="sign, with margin", reason="t* does not grow with P",
        note=_note(metrics, "pooled fit of log(t*/T) on log P, one intercept per T, "
                            "T ∈ [2^-11, 2^-6]; ")))
    a_tol, r2_min = (0.1, 0.95) if paper else (0.15, 0.9)
    w_range = (-math.inf, math.inf) if paper else (0.35, 0.85)
    claims.append(_claim(
        metrics, profile, "tc_power_law_weights", "authors-APS,reconstructed",
        provenance.APS + " (a = γ/δ); T_c^w definition reconstructed", kind="consistency",
        statement="T_c^w (where r = 0.02) falls as P^(−a_w) with a_w = γ/δ",
        expected=f"γ/δ = {format_number(ratio, 3)}", measured=rounded(a_w, 3),
        interval=_interval(a_w_int), context=f"R² {format_number(r2_w, 3)}",
        tolerance=(f"R² ≥ {r2_min}, |a_w − γ/δ| ≤ {a_tol}" if paper else
                   f"a_w ∈ [0.35, 0.85], R² ≥ {r2_min}, |a_w − γ/δ| ≤ {a_tol}"),
        tolerance_source="fit quality; a near-identity of the definition",
        passed=(w_range[0] <= a_w <= w_range[1] and r2_w >= r2_min
                and abs(a_w - ratio) <= a_tol),
        reason="the T_c^w fit is poor or off γ/δ",
        note=_note(metrics, "a threshold on r ∝ T^δ P^γ gives a = γ/δ by construction, so this "
                            "checks the fits' consistency, not the relation; "),
        details={"γ/δ interval": ratio_int, "T_c^w per P": [rounded(v, 3) for v in metrics["tc_w"]],
                 "censoring": metrics["tc_w_flag"], "paper": "a = γ/δ"}))
    k_hi, k_r2 = (math.inf, 0.9) if paper else (0.8, 0.8)
    claims.append(_claim(
        metrics, profile, "tc_power_law_ntk", "paper-abstract,reconstructed",
        provenance.PAPER + ", abstract (T_c a power law of P); ΔK threshold reconstructed",
        kind="qualitative",
        statement="The temperature where the NTK changes by 10 % falls as a power of P",
        expected="a_K > 0", measured=rounded(a_k, 3), interval=_interval(a_k_int),
        context=f"R² {format_number(r2_k, 3)}",
        tolerance=f"a_K > 0.15, R² ≥ {k_r2}" if paper else f"a_K ∈ [0.15, 0.8], R² ≥ {k_r2}",
        tolerance_source="sign with margin; fit quality",
        passed=0.15 <= a_k <= k_hi and r2_k >= k_r2, reason="T_c^K is not a falling power law",
        note=_note(metrics),
        details={"T_c^K per P": [rounded(v, 3) for v in metrics["tc_k"]],
                 "censoring": metrics["tc_k_flag"], "paper": "T_c a power law of P"}))
    gap = a_k - ratio
    claims.append(_claim(
        metrics, profile, "a_equals_gamma_over_delta", "authors-APS", provenance.APS,
        kind="finite-size", statement="The independent NTK-based exponent a_K equals γ/δ",
        expected=0.0, measured=rounded(gap, 3),
        context=f"a_K {format_number(a_k, 3)} vs γ/δ {format_number(ratio, 3)}",
        tolerance=f"|a_K − γ/δ| ≤ {A_TOLERANCE}",
        tolerance_source="paper-profile tolerance, on every profile",
        passed=abs(gap) <= A_TOLERANCE,
        reason=(f"a_K sits {format_number(abs(gap), 2)} below γ/δ at P ≤ "
                f"{max(metrics['train_sizes'])}: a finite-size gap, the relation is not "
                "confirmed at these sizes"),
        note=_note(metrics),
        details={"a_K interval": a_k_int, "γ/δ interval": ratio_int, "paper": "a = γ/δ"}))
    noise = metrics["noise_effect"]
    d = [as_float(v) for v in noise["delta"]]
    se = [as_float(v) for v in noise["se"]]
    z_max = -d[-1] / se[-1] if se[-1] > 0 else float("nan")
    z_min = 3.0 if paper else 2.0
    spread = d[0] - d[-1]
    passed = d[-1] <= -0.01 and z_max >= z_min and (paper or spread >= 0.01)
    sizes = metrics["train_sizes"]
    claims.append(_claim(
        metrics, profile, "noise_effect_depends_on_P", "paper-abstract",
        provenance.PAPER + ", abstract (noise helps or hurts depending on regime)",
        kind="qualitative",
        statement="In the lazy regime, noise beyond T_c lowers the error at large P, not small P",
        expected="Δ(P_max) < 0 ≈ Δ(P_min)", measured=rounded(d[-1], 3),
        interval=rounded(noise["interval"][-1], 3),
        interval_kind="± 1.96 paired seed SE",
        context=f"z {format_number(z_max, 3)}; Δ(P_min) {format_number(d[0], 3)}",
        tolerance=(f"Δ(P_max) ≤ −0.01 with z ≥ {z_min:g}" if paper else
                   "Δ(P_max) ≤ −0.01, z ≥ 2, and Δ(P_min) − Δ(P_max) ≥ 0.01"),
        tolerance_source="paired seed SE; 0.01 error resolution",
        passed=passed, reason="the noise effect does not change sign or size with P",
        note=_note(metrics, "Δ(P) = err(T = 2^-4) − mean err over T ≤ 2^-9, paired per seed; "),
        details={f"Δ(P={p})": rounded(v, 3) for p, v in zip(sizes, d, strict=True)}
        | {f"SE(P={p})": rounded(v, 2) for p, v in zip(sizes, se, strict=True)}))
    return claims
