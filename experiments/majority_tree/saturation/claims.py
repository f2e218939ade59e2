"""Claims of the ``saturation`` experiment (saturation.upper_bound, knee_table,
knee_concentration, mc_knee). They read metrics only.

The reference values below (``SPEC_*``) are the pillar's tables of the table configurations, the
α bands and the Monte Carlo knee runs, computed by this project with the same formulas (not taken
from the paper). ``knee_table`` has no other target and is a ``regression`` check; in
``knee_concentration`` and ``mc_knee`` the reference comparison is one part of a validation claim
whose other parts (the trend, the Monte Carlo z) carry the science.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim, rounded
from experiments.majority_tree.shared.provenance import PAPER_VALUE_NONE, source

HONEST_STATEMENT = (
    "Under this model the clipped predictor min(α^L·|μ0|, μ*) is an UPPER bound on the bias when "
    "|μ0| ≤ μ* (g is concave and increasing, so g(μ) ≤ αμ and g(μ*) = μ*): it is optimistic "
    "about accuracy, not conservative. When |μ0| > μ* (strong leaves) it returns μ*, a LOWER "
    "bound, since μ_L decreases toward μ*. 'Conservative' in the paper most likely means that "
    "the predictor never extrapolates the power law past the ceiling μ*; that reading is a "
    "guess. A provably conservative chord bound μ_L ≥ min(a^L·μ0, μ̄), a = g(μ̄)/μ̄ for μ̄ < μ*, "
    "exists but is loose (max |Δp| 0.2–0.4) and is not implemented.")

# Spec §3.3(a): (b, γ, ρ, μ0) -> α, μ*, L_mix, max Δp, argmax L, max Δp with |L−L_mix| ≥ 3,
# max relative error of μ in the growth regime (L = 0…60).
SPEC_TABLE = {
    (3, 0.9, 0.2, 0.02): (1.2600, 0.9443, 16.68, 0.1035, 17, 0.0209, 0.063),
    (5, 0.8, 0.3, 0.02): (1.2900, 0.8703, 14.82, 0.1073, 15, 0.0243, 0.056),
    (7, 0.7, 0.3, 0.05): (1.2819, 0.8076, 11.20, 0.0967, 11, 0.0187, 0.081),
    (15, 0.5, 0.2, 0.01): (1.3568, 0.8000, 14.36, 0.0829, 14, 0.0123, 0.052),
    (3, 0.75, 0.0, 0.02): (1.1250, 0.7698, 30.99, 0.1040, 31, 0.0593, 0.155),
    (9, 0.95, 0.6, 0.04): (1.5052, 0.9301, 7.69, 0.1228, 8, 0.0251, 0.024),
}
# Spec §3.3(b), cpu grid: band -> n, max of max_L Δp, median, max away from the knee, growth.
SPEC_BANDS = {
    (1.1, 1.2): (1472, 0.2186, 0.0892, 0.1883, 0.507),
    (1.2, 1.3): (1312, 0.2118, 0.0974, 0.1554, 0.299),
    (1.3, 1.5): (1992, 0.2042, 0.0996, 0.1237, 0.181),
    (1.5, 2.0): (2836, 0.1930, 0.0956, 0.0820, 0.061),
    (2.0, 3.2): (1396, 0.1491, 0.0780, 0.0137, 0.005),
}
# Spec §3.3(c): (b, γ, ρ, μ0) -> L_mix, max Δp over L ≤ the spec depth, that depth; and the
# exact p_l of S1 for l = 0…8.
SPEC_KNEE = {(3, 1.0, 0.0, 0.1): (5.68, 0.0774, 8), (3, 0.9, 0.2, 0.2): (6.72, 0.1022, 8),
             (5, 0.9, 0.0, 0.1): (4.40, 0.0645, 6)}
SPEC_S1_P = (0.55, 0.5748, 0.6113, 0.6642, 0.7374, 0.8294, 0.9226, 0.9829, 0.9991)
BAND_TOL = 0.005


def _key(row: dict[str, Any]) -> tuple:
    return (int(row["b"]), round(float(row["gamma"]), 6), round(float(row["rho"]), 6),
            round(float(row["mu0"]), 6))


def _claim(profile: str, short: str, labels: str, where: str, *, details: dict | None = None,
           **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"saturation.{short}",
                      source=source(labels, where), label=labels.split(",")[0].strip(),
                      details={"paper": PAPER_VALUE_NONE, **(details or {})}, **fields)


def upper_bound(metrics: dict, profile: str) -> Claim:
    v = metrics["bound_violations"]
    count = v["upper_violations"] + v["lower_violations"]
    ok = count == 0 and v["upper_pairs"] > 0 and v["lower_pairs"] > 0
    return _claim(
        profile, "upper_bound", "reconstructed", "§4 (saturation)", kind="identity",
        statement="The clipped predictor min(α^L μ0, μ*) bounds the bias from above when "
                  "|μ0| ≤ μ*, and from below when |μ0| > μ*",
        expected=0, measured=count,
        context=f"violations in {v['upper_pairs']:.3g} + {v['lower_pairs']:.3g} (cell, L) pairs",
        tolerance="0 violations (slack 1e−12) over every grid cell and L, both domains checked",
        tolerance_source="numerical precision (slack 1e−12)", passed=ok,
        reason=(f"{v['upper_violations']} upper and {v['lower_violations']} lower violations"
                if count else "one of the two domains has no (cell, L) pair"),
        note=HONEST_STATEMENT,
        details={"pairs with |μ0| ≤ μ*": v["upper_pairs"],
                 "violations (upper bound)": v["upper_violations"],
                 "pairs with |μ0| > μ*": v["lower_pairs"],
                 "violations (lower bound)": v["lower_violations"]})


def knee_table(metrics: dict, profile: str) -> Claim:
    rows = {_key(r): r for r in metrics["table"]}
    missing = [k for k in SPEC_TABLE if k not in rows]
    bad = []
    for k, (alpha, mstar, lmix, dp, arg, far, growth) in SPEC_TABLE.items():
        r = rows.get(k)
        if r is None:
            continue
        checks = (abs(r["alpha"] - alpha) <= 5e-5, abs(r["mu_star"] - mstar) <= 5e-5,
                  abs(r["lmix"] - lmix) <= 0.01, abs(r["max_dp"] - dp) <= 5e-4,
                  r["argmax_level"] == arg, abs(r["far_dp"] - far) <= 5e-5,
                  abs(r["growth_rel"] - growth) <= 5e-4)
        if not all(checks):
            bad.append(k)
    table = metrics["table"]
    problems = len(missing) + len(bad)
    dps = [r["max_dp"] for r in table]
    return _claim(
        profile, "knee_table", "abstract,reconstructed", "abstract ('mixing depth'); §4",
        kind="regression",
        statement="Mixing depth L_mix = ln(μ*/μ0)/ln α and the clipped predictor's largest error "
                  "for six configurations",
        expected=f"reference table ({len(SPEC_TABLE)} configurations)", measured=problems,
        context=(f"rows off the reference; max Δp {min(dps):.3f}–{max(dps):.3f} at L ≈ L_mix"
                 if dps else "rows off the reference"),
        tolerance="L_mix ±0.01; max Δp ±5e−4; argmax L exact; α, μ*, far Δp ±5e−5; growth "
                  "error ±5e−4",
        tolerance_source="printed precision of the reference table",
        passed=not missing and not bad,
        reason=(f"rows off the reference: {bad}" if bad else "")
        + (f"; reference rows missing from this run: {missing}" if missing else ""),
        note="Δp in probability units over L = 0…60; L_mix from theory.mixing_depth, Δp from "
             "the exact recursion. The reference table was computed by this project from the "
             "same formulas: a regression check.",
        details={"rows": {f"b={r['b']} γ={r['gamma']:g} ρ={r['rho']:g} μ0={r['mu0']:g}": {
            k: (rounded(r[k], 5) if isinstance(r[k], float) else r[k])
            for k in ("alpha", "mu_star", "lmix", "max_dp", "argmax_level", "far_dp",
                      "growth_rel")} for r in table},
                 "reference (α, μ*, L_mix, max Δp, argmax L, far Δp, growth error)":
                     {str(k): list(v) for k, v in SPEC_TABLE.items()}})


def knee_concentration(metrics: dict, profile: str) -> Claim:
    bands = metrics["check_grid"]["bands"]
    by_edges = {(round(b["alpha_lo"], 6), round(b["alpha_hi"], 6)): b for b in bands}
    problems = []
    for edges, (n, dp, med, far, growth) in SPEC_BANDS.items():
        b = by_edges.get(edges)
        if b is None:
            problems.append(f"band {edges} missing")
            continue
        diffs = [abs(b[k] - v) for k, v in (("max_dp", dp), ("median_dp", med),
                                             ("far_dp", far), ("growth_rel", growth))]
        if abs(b["n"] - n) > b["n_on_edges"] or max(diffs) > BAND_TOL:
            problems.append(f"band {edges} off the reference (n = {b['n']}, max diff "
                            f"{max(diffs):.4f})")
    far_values = [b["far_dp"] for b in bands]
    steps = [x - y for x, y in zip(far_values[:-1], far_values[1:], strict=True)]
    shrinking = bool(steps) and all(d > 0 for d in steps)
    concentrated = all(b["far_dp"] < b["max_dp"] for b in bands if b["n"])
    if not shrinking:
        problems.append("the far-from-knee error does not fall with α")
    if not concentrated:
        problems.append("a band's largest error lies away from the knee")
    fine = metrics["grid"]
    fine_note = ("" if metrics["check_grid"]["is_profile_grid"] else
                 f" Profile grid ({fine['cells']} cells, L ≤ {fine['depth']}), reported only: "
                 f"n = {[b['n'] for b in fine['bands']]}, max Δp = "
                 f"{rounded([b['max_dp'] for b in fine['bands']], 4)}, median = "
                 f"{rounded([b['median_dp'] for b in fine['bands']], 4)}, far from knee = "
                 f"{rounded([b['far_dp'] for b in fine['bands']], 4)}.")
    return _claim(
        profile, "knee_concentration", "abstract,reconstructed",
        "abstract ('remains accurate'); §4", kind="qualitative",
        statement="The predictor's error is concentrated at the knee and, away from it, shrinks "
                  "as α grows",
        expected="far-from-knee Δp falls with α and stays below the knee maximum",
        measured=rounded(min(steps), 3) if steps else None,
        context=("smallest drop between α bands; far Δp "
                 + " > ".join(f"{v:.3f}" for v in far_values)) if steps else "",
        tolerance="far-from-knee Δp strictly decreasing over α bands, each below its band "
                  "maximum; reference bands ±0.005",
        tolerance_source="exact recursion; reference values' printed precision",
        passed=not problems, reason="; ".join(problems),
        note="Exact recursion over b ∈ {3…15}, γ = 0.30:0.02:1, ρ = 0:0.05:0.95, "
             "μ0 ∈ {0.01, 0.02, 0.05, 0.1}, L ≤ 200; cells α ≥ 1.1 and μ* > μ0; far from the "
             "knee means |L − L_mix| ≥ 3. 'Accurate across growth and saturation' holds only "
             "loosely: about 0.1 in accuracy at the knee (median) and up to 0.22 in the worst "
             "cell; near criticality the knee is wide because convergence to μ* runs at rate "
             "g'(μ*) → 1 as α → 1. Cells whose α equals a band edge in exact arithmetic are "
             "assigned as in exact arithmetic (α within 1e−9 of the edge); the reference counts "
             "(1312, 1992) put the four α = 1.3 cells (b = 3, γ = 1, ρ = 0.4) in [1.2, 1.3) "
             "through float rounding (0.4 + 0.6·1.5 = 1.2999999999999998 in NumPy, 1.3 with a "
             "fused multiply-add), hence 1308 and 1996 here." + fine_note,
        details={"bands": {f"[{b['alpha_lo']:g}, {b['alpha_hi']:g})": {
            "n": b["n"], "max Δp": rounded(b["max_dp"], 4),
            "median Δp": rounded(b["median_dp"], 4), "far-from-knee Δp": rounded(b["far_dp"], 4),
            "growth rel. error": rounded(b["growth_rel"], 3), "cells on edges": b["n_on_edges"]}
            for b in bands},
            "reference bands (n, max Δp, median, far, growth)":
                {f"[{lo:g}, {hi:g})": list(v) for (lo, hi), v in SPEC_BANDS.items()}})


def mc_knee(metrics: dict, profile: str) -> Claim:
    mc = metrics["monte_carlo"]
    rows = mc["rows"]
    z_k = mc["z_k"]
    ref_bad, compared = [], 0
    for r in rows:
        ref = SPEC_KNEE.get(_key(r))
        if ref is None:
            continue
        compared += 1
        deep_enough = r["depth"] >= ref[2]  # max Δp is over L ≤ depth
        if abs(r["lmix"] - ref[0]) > 0.01 or (deep_enough and abs(r["max_dp"] - ref[1]) > 5e-4):
            ref_bad.append(r["id"])
        if _key(r) == (3, 1.0, 0.0, 0.1):
            n = min(len(SPEC_S1_P), len(r["p_exact"]))
            if max(abs(a - b) for a, b in zip(r["p_exact"][:n], SPEC_S1_P[:n],
                                              strict=True)) > 5e-5:
                ref_bad.append(f"{r['id']} p_l")
    problems = []
    if mc["max_abs_z"] > z_k:
        problems.append(f"max |z| {mc['max_abs_z']:.2f} > z_K")
    if mc["max_clip_excess_z"] > z_k:
        problems.append("Monte Carlo above the clipped predictor by more than z_K·SE")
    if ref_bad:
        problems.append(f"off the reference: {ref_bad}")
    spreads = {r["id"]: (round(float(r["seed_spread_ratio"][-1]), 3)
                         if isinstance(r["seed_spread_ratio"], list) else r["seed_spread_ratio"])
               for r in rows}
    return _claim(
        profile, "mc_knee", "reconstructed", "§4 (saturation)", kind="quantitative",
        statement="Explicit trees through the knee match the exact recursion at every level and "
                  "stay below the clipped predictor",
        expected="p̂_l = p_l ≤ p̂_clip,l", measured=round(mc["max_abs_z"], 3),
        context=f"max |z| of K = {mc['num_estimates']}; max clip-excess z "
                f"{mc['max_clip_excess_z']:.2f}",
        tolerance=f"max |z| ≤ z_K = {z_k:.2f}; p̂_l − p̂_clip,l ≤ z_K·SE; exact L_mix, max Δp "
                  "and S1 p_l match the reference",
        tolerance_source="binomial SE; family-wise z_K at rate 1e−3",
        passed=not problems, reason="; ".join(problems),
        note=(f"T = {[r['trials'] for r in rows]} trials pooled over the seed streams; level l "
              f"pools T·b^(L−l) samples. The clip-excess z is sign(μ0)(p̂_l − p̂_clip,l)/SE. "
              f"Reference rows compared (exact L_mix ±0.01, max Δp ±5e−4 for runs at least as "
              f"deep, S1 p_l ±5e−5): {compared}."),
        details={"K": mc["num_estimates"], "z_K": round(z_k, 4),
                 "max |z|": round(mc["max_abs_z"], 3),
                 "max clip-excess z": round(mc["max_clip_excess_z"], 3),
                 "rows": {r["id"]: {"b": r["b"], "γ": r["gamma"], "ρ": r["rho"], "μ0": r["mu0"],
                                    "L": r["depth"], "T": r["trials"],
                                    "L_mix": rounded(r["lmix"], 4),
                                    "max Δp": rounded(r["max_dp"], 4),
                                    "root p exact": rounded(r["p_exact"][-1], 5),
                                    "root p̂": rounded(r["p_hat"][-1], 5),
                                    "max |z|": round(max(abs(z) for z in r["z"]), 3)}
                          for r in rows},
                 "across-seed SD/(√S·pooled SE) at the root (reported, not claimed)": spreads,
                 "reference (L_mix, max Δp, depth)": {str(k): list(v)
                                                      for k, v in SPEC_KNEE.items()},
                 "reference S1 p_l": list(SPEC_S1_P)})


def make_claims(config: Any, metrics: dict, arrays: dict[str, np.ndarray],
                profile: str) -> list[Claim]:
    del config, arrays  # claims read metrics only
    return [upper_bound(metrics, profile), knee_table(metrics, profile),
            knee_concentration(metrics, profile), mc_knee(metrics, profile)]
