"""Claims of the touchpoints experiment (spec §7, touchpoints.*). Every claim is qualitative.

The model values are exact recursions computed in this run (``theory.majority_tree``); the
"measured" values are an independent float64 binomial-sum recomputation (A, B) or read off the
p0 grid (C). The expected values below are the spec's (§3.5), used as check targets at the spec's
tolerances; they apply to the preset knobs only. With other knobs, the claims check only the
structural relations and say so in their note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim
from experiments.majority_tree import common

# Spec §3.5 expected values (computed by the spec author from the same recursions).
SPEC_SATURATION = {"gamma": 0.8185, "star_p": (0.5819, 0.6137, 0.6370, 0.6558),  # N = 1, 3, 5, 7
                   "tree_p": (0.6558, 0.7348, 0.8293, 0.9108, 0.9540),  # L = 1 … 5
                   "ceiling": 0.9164, "mu_star": 0.9487, "p_star": 0.9744}
SPEC_CASCADE = {"alpha": (0.675, 0.81, 0.945, 1.08, 1.215, 1.35),
                "A_e": (4.227, 3.491, 2.484, 1.385, 0.495, 0.021)}
SPEC_BASELINE = {"p_star": (0.9900, 0.9721, 0.9141), "argmax": (0.713, 0.723, 0.719),
                 "max_gain": (0.188, 0.138, 0.059)}
BRUTE_TOL = 1e-12
SATURATION_KNOBS = ("window_tokens", "message_tokens", "fidelity_m0", "fidelity_family",
                    "saturation_rho", "saturation_p0", "saturation_depth")
CASCADE_KNOBS = ("cascade_b", "cascade_rho", "cascade_p0", "cascade_depth", "cascade_gammas")
BASELINE_KNOBS = ("baseline_b", "baseline_gamma", "baseline_rhos", "baseline_depth", "p0_step")


def _within(values: Sequence[float], targets: Sequence[float], tol: float) -> bool:
    values, targets = np.asarray(values, np.float64), np.asarray(targets, np.float64)
    return values.shape == targets.shape and bool(np.all(np.abs(values - targets) <= tol))


def _preset(config: Mapping[str, Any], presets: Mapping[str, Any], knobs: Sequence[str]) -> bool:
    return all(config[k] == presets[k] for k in knobs)


_NOT_PRESET = ("Knobs differ from the preset, so the spec 3.5 values were not compared; only the "
               "structural relations were checked. ")


def _saturation(config, m: Mapping[str, Any], profile: str, preset: bool) -> Claim:
    a = m["saturation"]
    star_n, star_p, tree_p = (np.asarray(a[k]) for k in ("star_n", "star_p", "tree_p"))
    hard_cap = a["tree_at_claim_depth"] > a["star_at_cap"] and a["star_at_cap"] < a["ceiling"]
    ok = hard_cap and a["max_abs_brute_diff"] <= BRUTE_TOL
    if preset:
        ok = ok and all((
            _within(star_p[star_n <= 7], SPEC_SATURATION["star_p"], 1e-3),
            _within(tree_p[1:], SPEC_SATURATION["tree_p"], 1e-3),
            *(_within([a[k]], [SPEC_SATURATION[k]], 1e-3)
              for k in ("gamma", "ceiling", "mu_star", "p_star")),
        ))
    k = m["kim"]
    return make_claim(
        profile=profile, id="touchpoints.context_saturation",
        statement=("Qualitative. The context window caps a star's fan-in and hence its accuracy; "
                   "a tree escapes the cap."),
        source=common.source("abstract,external",
                             "§6 (context saturation); Kim et al. v2 Table 5 overhead "
                             f"{k['table5_coordination_metrics/overhead_O_percent/Independent']:g}"
                             f"–{k['table5_coordination_metrics/overhead_O_percent/Hybrid']:g} %, "
                             f"c* ≈ {k['message_density_law/plateau_c_star']:g}"),
        label="abstract", paper=common.PAPER_VALUE_NONE,
        theory={"star_at_cap": a["star_at_cap"],
                f"tree_L{a['tree_claim_depth']}": a["tree_at_claim_depth"],
                "ceiling": a["ceiling"], "tree_p_star": a["p_star"]},
        measured={"star_at_cap": float(np.asarray(a["star_p_brute"])[star_n == a["star_cap_n"]][0]),
                  f"tree_L{a['tree_claim_depth']}":
                      float(np.asarray(a["tree_p_brute"])[a["tree_claim_depth"]]),
                  "max_abs_diff": a["max_abs_brute_diff"]},
        tolerance=("spec 3.5 values ±1e−3 (star N = 1…7, tree L = 1…5, ceiling, γ, μ*, p*); "
                   "binomial-sum recomputation within 1e−12; tree above the star at the cap, "
                   "star at the cap below its ceiling"),
        passed=ok,
        note=("" if preset else _NOT_PRESET)
        + (f"Star fan-in cap N ≤ ⌊W/m⌋ = {a['n_window']}, tree fan-in b = {a['b']}. The ceiling "
           "ρq + (1−ρ) needs N → ∞, which the window forbids. Measured = an independent "
           "binomial-sum recursion in probability space (no Monte Carlo: this experiment is "
           "exact). Kim et al.'s overhead and turn law are token/turn counts, not accuracies: "
           "the correspondence is qualitative."
           + (" The star curve stops at N = 31 (theory B_MAX), below ⌊W/m⌋."
              if a["star_cap_truncated"] else "")),
    )


def _cascade(config, m: Mapping[str, Any], profile: str, preset: bool) -> Claim:
    c, k = m["cascade"], m["kim"]
    ind = k["table5_coordination_metrics/error_amplification_A_e/Independent"]
    cen = k["table5_coordination_metrics/error_amplification_A_e/Centralized"]
    ok = (c["decreasing"] and c["rule_violations"] == 0 and ind > cen
          and c["max_abs_brute_diff"] <= BRUTE_TOL)
    if preset:
        ok = ok and _within(c["A_e"], SPEC_CASCADE["A_e"], 1e-3) and _within(
            c["alpha"], SPEC_CASCADE["alpha"], 1e-3)
    return make_claim(
        profile=profile, id="touchpoints.subcritical_cascade",
        statement=("Qualitative. Low-fidelity aggregation amplifies errors. The ordering matches "
                   f"Kim's Independent ({ind:g}×) > Centralized ({cen:g}×) when verification is "
                   "read as higher γ."),
        source=common.source("abstract,external",
                             "§6 (subcritical error cascades); Kim et al. v2 Table 5 A_e"),
        label="abstract", paper=common.PAPER_VALUE_NONE,
        theory={"A_e": c["A_e"], "alpha": c["alpha"]},
        measured={"A_e": c["A_e_brute"], "strictly_decreasing": c["decreasing"],
                  "rule_violations": c["rule_violations"]},
        tolerance=("spec 3.5 A_e and α ±1e−3; A_e strictly decreasing in γ; A_e > 1 iff α ≤ 1 "
                   "or μ0 > μ* (0 violations); binomial-sum recomputation within 1e−12; Kim's "
                   "Independent A_e above Centralized (read from the data file)"),
        passed=ok,
        note=("" if preset else _NOT_PRESET)
        + f"Model A_e = (1 − p_L)/(1 − p0) at b = {c['b']}, ρ = {c['rho']:g}, p0 = {c['p0']:g}, "
        f"L = {c['depth']}; Kim's A_e = E_MAS/E_SAS is a different quantity. Only the ordering "
        "is compared (verification ≈ higher effective γ or lower ρ, [reconstructed]); the model "
        f"does not produce {ind:g}×." + _strong_leaves(c),
    )


def _strong_leaves(c: Mapping[str, Any]) -> str:
    """Cells where a supercritical tree still amplifies errors, because μ0 > μ*."""
    cells = [f" At γ = {g:g} the tree is supercritical (α = {a:.3g}) yet A_e = {e:.3f} > 1, "
             f"because μ* = {mu:.3f} < μ0 = {c['mu0']:g}: strong leaves lose."
             for g, a, e, mu in zip(c["gammas"], c["alpha"], c["A_e"], c["mu_star"], strict=True)
             if a > 1.0 and e > 1.0]
    return "".join(cells)


def _baseline(config, m: Mapping[str, Any], profile: str, preset: bool) -> Claim:
    c, k = m["baseline"], m["kim"]
    grid_tol = max(0.005, float(c["p0_step"]))
    ok = (all(v == 0 for v in c["sign_violations"])
          and _within(c["grid_p_star"], c["p_star"], 2e-3)
          and _within(c["grid_argmax"], c["argmax"], grid_tol))
    if preset:
        ok = ok and all((
            _within(c["p_star"], SPEC_BASELINE["p_star"], 2e-3),
            _within(c["grid_argmax"], SPEC_BASELINE["argmax"], 0.005),
            _within(c["argmax"], SPEC_BASELINE["argmax"], 0.005),
            _within(c["max_gain"], SPEC_BASELINE["max_gain"], 1e-3),
        ))
    threshold = k["capability_saturation/single_agent_baseline_threshold"]
    return make_claim(
        profile=profile, id="touchpoints.strong_baseline",
        statement=("Qualitative. Gains vanish and then turn negative as the leaf baseline "
                   "approaches and passes p* = (1+μ*)/2."),
        source=common.source("abstract,external",
                             "§6 (diminishing returns at strong baselines); Kim et al. v2 "
                             f"capability ceiling ≈ {100 * threshold:g} %, coefficient "
                             f"{k['table4_coefficients/P_SA_x_log1p_n_a/beta']:g}"),
        label="abstract", paper=common.PAPER_VALUE_NONE,
        theory={"p_star": c["p_star"], "argmax": c["argmax"], "max_gain": c["max_gain"]},
        measured={"grid_p_star": c["grid_p_star"], "grid_argmax": c["grid_argmax"],
                  "grid_max_gain": c["grid_max_gain"], "sign_violations": c["sign_violations"]},
        tolerance=("p* ±2e−3 (spec 3.5 values, and the grid's sign change against theory); "
                   "argmax ±0.005 (grid and dense argmax against spec 3.5); largest gain ±1e−3 "
                   "(spec 3.5, printed precision); gain sign pattern exact (0 violations)"),
        passed=ok,
        note=("" if preset else _NOT_PRESET)
        + (f"b = {c['b']}, γ = {c['gamma']:g}, L = {c['depth']}, ρ = "
           f"{', '.join(f'{r:g}' for r in c['rhos'])}; p0 grid step {c['p0_step']:g} "
           f"({c['grid_points']} points). Theory argmax: dense evaluation of the exact "
           "recursion (2^14 points; p_L is concave in p0, so the maximum is unique). In the "
           f"model p* ≥ 1/2 always (here min p* = "
           f"{min(c['p_star']):.4f}); Kim et al.'s ≈ {100 * threshold:g} % threshold is not a "
           "model quantity and is not matched. Only the sign pattern corresponds."),
    )


def _kim_record(m: Mapping[str, Any], profile: str) -> Claim:
    r = m["kim_record"]
    ok = (r["n_equal"] == r["n_spec"] and not r["extra"] and not r["missing"]
          and r["version_ok"])
    problems = "; ".join(f"{name}: {', '.join(r[name][:5])}"
                         for name in ("missing", "extra", "differ") if r[name])
    return make_claim(
        profile=profile, id="touchpoints.kim_record",
        statement="The shipped Kim et al. numbers are those of the stated version (v2, with the "
                  "v1 abstract values alongside).",
        source=common.source("external", "Tables 4–5, §4.2; v1 abstract", paper=common.KIM),
        label="external", paper="n/a (external record)",
        theory=r["n_spec"], measured=r["n_equal"],
        tolerance=("exact match of every value of the spec 3.5 transcription (theory = number of "
                   "spec values, measured = number equal in the data file); no extra numbers; "
                   "version v2 and URL arXiv:2512.08296v2"),
        passed=ok,
        note=("Check targets are this project's spec transcription (shared/specs/majority_tree.md "
              "§3.5, §1), not a fresh reading of the PDF. File: "
              "data/kim2025_scaling_agents.json (see data/PROVENANCE.md)."
              + (f" Problems: {problems}." if problems else "")
              + ("" if r["version_ok"] else " The version record is not v2.")),
    )


def make_claims(config: Mapping[str, Any], metrics: Mapping[str, Any], profile: str, *,
                presets: Mapping[str, Any]) -> list[Claim]:
    return [
        _saturation(config, metrics, profile, _preset(config, presets, SATURATION_KNOBS)),
        _cascade(config, metrics, profile, _preset(config, presets, CASCADE_KNOBS)),
        _baseline(config, metrics, profile, _preset(config, presets, BASELINE_KNOBS)),
        _kim_record(metrics, profile),
    ]
