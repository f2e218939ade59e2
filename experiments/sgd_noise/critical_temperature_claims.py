"""Claims of ``critical_temperature`` (spec §7, critical_temperature.*). They read metrics only.

Intervals are 95 % percentile bootstraps over seeds (resampled jointly across cells). Capped and
diverged lanes never enter a fit; their count is in every note. Metrics arrive JSON-converted.
"""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import Claim, make_claim
from experiments.common.results import as_float
from experiments.sgd_noise import common

WHERE = common.APS + " (exponent named, value unverified)"


def _r(value: Any, digits: int = 3) -> float | None:
    v = as_float(value)
    return float(f"{v:.{digits}g}") if math.isfinite(v) else None


def _fit(metrics: dict, name: str) -> tuple[float, list[float | None]]:
    fit = metrics["fits"][name]
    return as_float(fit["value"]), [_r(v) for v in fit["interval"]]


def _note(metrics: dict, extra: str = "") -> str:
    c = metrics["lane_counts"]
    return (f"{extra}lanes: {c['converged']} converged, {c['capped']} capped, {c['diverged']} "
            f"diverged; capped and diverged lanes excluded from means and fits "
            f"({metrics['excluded_lanes']} excluded); 95 % bootstrap over "
            f"{metrics['seeds']} seeds")


def _range_claim(metrics: dict, profile: str, cid: str, name: str, statement: str, tag: str,
                 paper: str, theory: Any, lo: float, hi: float, tol: str,
                 extra_pass: bool = True, note: str = "") -> Claim:
    value, interval = _fit(metrics, name)
    return make_claim(
        profile=profile, id=cid, statement=statement,
        source=common.source(tag, WHERE if tag == "authors-APS" else common.PAPER),
        label=common.label(tag), paper=paper, theory=theory,
        measured={name: _r(value), "95% interval": interval}, tolerance=tol,
        passed=lo <= value <= hi and extra_pass, note=_note(metrics, note))


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """Claims of spec §7 for critical_temperature."""
    paper = profile == "paper"
    delta, _ = _fit(metrics, "delta")
    gamma, g_int = _fit(metrics, "gamma")
    b, b_int = _fit(metrics, "b")
    ratio, _ = _fit(metrics, "gamma_over_delta")
    a_w, a_w_int = _fit(metrics, "a_w")
    a_k, a_k_int = _fit(metrics, "a_k")
    r2_w, r2_k = as_float(metrics["r2_w"]), as_float(metrics["r2_k"])
    claims = []
    d_lo = 0.8 if paper else 0.7
    claims.append(_range_claim(
        metrics, profile, "critical_temperature.delta", "delta",
        "r = ‖w−w0‖/‖w0‖ ∝ T^δ in the kernel regime, δ close to 1", "authors-APS",
        "δ named; value not verified", 1.0, d_lo, 1.1,
        f"δ ∈ [{d_lo}, 1.1] (spec reference ≈ 0.85–0.95)",
        note="pooled fit of log r on log T, one intercept per P, T ∈ [2^-11, 2^-7]; theory 1 "
             "is the perceptron's δ; "))
    g_ok = (g_int[0] is not None and g_int[0] > 0) if paper else True
    claims.append(_range_claim(
        metrics, profile, "critical_temperature.gamma", "gamma", "r grows as P^γ, γ > 0",
        "authors-APS", "γ named; value not verified", "> 0", 0.2 if paper else 0.3,
        math.inf if paper else 0.8,
        "γ > 0.2 with 95 % interval excluding 0" if paper else
        "γ ∈ [0.3, 0.8] (spec reference ≈ 0.5–0.6)", extra_pass=g_ok,
        note="pooled fit of log r on log P, one intercept per T, T ∈ [2^-11, 2^-7]; "))
    tol = 0.1 if paper else 0.15
    claims.append(_range_claim(
        metrics, profile, "critical_temperature.tstar_linear_in_T", "tstar_T_slope",
        "t* ∝ T (steps to zero hinge loss nearly T-independent)", "authors-APS",
        "t* ~ T P^b", 1.0, 1 - tol, 1 + tol, f"|slope − 1| ≤ {tol} (spec reference 0.95–1.07)",
        note="pooled fit of log t* on log T, one intercept per P, T ∈ [2^-11, 2^-6]; "))
    b_ok = (b_int[0] is not None and b_int[0] > 0) if paper else True
    claims.append(_range_claim(
        metrics, profile, "critical_temperature.tstar_grows_with_P", "b",
        "t* ∝ P^b with b > 0", "authors-APS", "t* ~ T P^b", "> 0", 0.5 if paper else 0.8,
        math.inf, "b > 0.5 with interval excluding 0" if paper else
        "b ≥ 0.8 (spec reference ≈ 1.4–1.6)", extra_pass=b_ok,
        note="pooled fit of log(t*/T) on log P, one intercept per T, T ∈ [2^-11, 2^-6]; "))
    a_tol, r2_min = (0.1, 0.95) if paper else (0.15, 0.9)
    w_range = (-math.inf, math.inf) if paper else (0.35, 0.85)
    claims.append(make_claim(
        profile=profile, id="critical_temperature.tc_power_law_weights",
        statement="T_c^w (r = 0.02) decreases as P^(−a_w) and matches γ/δ",
        source=common.source("authors-APS,reconstructed", common.APS + " (a = γ/δ); T_c^w "
                             "definition reconstructed"),
        label=common.label("authors-APS"), paper="a = γ/δ", theory=_r(ratio),
        measured={"a_w": _r(a_w), "95% interval": a_w_int, "R²": _r(r2_w),
                  "T_c^w per P": [_r(v) for v in metrics["tc_w"]],
                  "censoring": metrics["tc_w_flag"]},
        tolerance=(f"R² ≥ {r2_min}, |a_w − γ/δ| ≤ {a_tol}" if paper else
                   f"a_w ∈ [0.35, 0.85], R² ≥ {r2_min}, |a_w − γ/δ| ≤ {a_tol}"),
        passed=(w_range[0] <= a_w <= w_range[1] and r2_w >= r2_min
                and abs(a_w - ratio) <= a_tol),
        note=_note(metrics, "near-identity for this definition (spec §8.1 item 10): r ∝ T^δ P^γ "
                            "at a fixed threshold gives a = γ/δ by construction; ")))
    k_hi, k_r2 = (math.inf, 0.9) if paper else (0.8, 0.8)
    claims.append(make_claim(
        profile=profile, id="critical_temperature.tc_power_law_ntk",
        statement="The temperature where the NTK changes by 10 % decreases as a power of P",
        source=common.source("paper-abstract,reconstructed", common.PAPER + ", abstract (T_c a "
                             "power law of P); ΔK threshold reconstructed"),
        label=common.label("paper-abstract"), paper="T_c a power law of P", theory="a_K > 0",
        measured={"a_K": _r(a_k), "95% interval": a_k_int, "R²": _r(r2_k),
                  "T_c^K per P": [_r(v) for v in metrics["tc_k"]],
                  "censoring": metrics["tc_k_flag"]},
        tolerance=(f"a_K > 0.15, R² ≥ {k_r2}" if paper else
                   f"a_K ∈ [0.15, 0.8], R² ≥ {k_r2} (spec reference a_K ≈ 0.4)"),
        passed=0.15 <= a_k <= k_hi and r2_k >= k_r2, note=_note(metrics)))
    ak_tol = 0.15 if paper else 0.3
    claims.append(make_claim(
        profile=profile, id="critical_temperature.a_equals_gamma_over_delta",
        statement="The independent NTK-based exponent equals γ/δ",
        source=common.source("authors-APS", common.APS), label=common.label("authors-APS"),
        paper="a = γ/δ", theory=_r(ratio), measured={"a_K": _r(a_k), "a_K − γ/δ":
                                                     _r(a_k - ratio)},
        tolerance=f"|a_K − γ/δ| ≤ {ak_tol} (spec reference a_K − γ/δ ≈ −0.2 at cpu size)",
        passed=abs(a_k - ratio) <= ak_tol,
        note=_note(metrics, "at cpu sizes the NTK exponent is expected about 0.2 below γ/δ; "
                            "the relation holds only loosely (spec §8.1 item 10); ")))
    noise = metrics["noise_effect"]
    d = [as_float(v) for v in noise["delta"]]
    se = [as_float(v) for v in noise["se"]]
    z_max = -d[-1] / se[-1] if se[-1] > 0 else float("nan")
    z_min = 3.0 if paper else 2.0
    passed = d[-1] <= -0.01 and z_max >= z_min and (paper or d[0] - d[-1] >= 0.01)
    sizes = metrics["train_sizes"]
    claims.append(make_claim(
        profile=profile, id="critical_temperature.noise_effect_depends_on_P",
        statement="In the lazy regime, noise beyond T_c lowers the error at large P but not at "
                  "small P",
        source=common.source("paper-abstract", common.PAPER + ", abstract (noise helps or "
                             "hurts depending on regime)"),
        label=common.label("paper-abstract"), paper="qualitative", theory="Δ(P_max) < 0",
        measured={f"Δ(P={p})": _r(v) for p, v in zip(sizes, d, strict=True)}
        | {"z at P_max": _r(z_max)},
        tolerance=(f"Δ(P_max) ≤ −0.01 with z ≥ {z_min:g}" if paper else
                   "Δ(P_max) ≤ −0.01 with z ≥ 2, and Δ(P_min) − Δ(P_max) ≥ 0.01 (spec "
                   "reference Δ(256) ≈ 0.00, Δ(4096) ≈ −0.03)"),
        passed=passed,
        note=_note(metrics, "Δ(P) = err(T = 2^-4) − mean err over T ≤ 2^-9, paired per seed; ")))
    return claims
