"""Claims of the touchpoints experiment (touchpoints.*). The three mechanism claims are
qualitative; the data-record claim is a regression check.

The model values are exact recursions computed in this run (``theory.majority_tree``), checked
against an independent float64 binomial-sum recomputation (A, B) or read off the p0 grid (C).
The reference values below (``SPEC_*``) were computed by this project from the same recursions;
they are one part of each verdict at their printed precision and apply to the preset knobs only.
With other knobs, the claims check only the structural relations and say so in their note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim, rounded
from experiments.majority_tree.shared.provenance import KIM, PAPER_VALUE_NONE, source

# Reference values (computed by this project from the same recursions).
# The spec's settings (the cpu and paper profiles use exactly these); the reference values
# below apply to them.
PRESET = {
    "window_tokens": 4096, "message_tokens": 512, "fidelity_m0": 300.0, "fidelity_family": "exp",
    "saturation_rho": 0.2, "saturation_p0": 0.6, "saturation_depth": 5,
    "cascade_b": 3, "cascade_rho": 0.3, "cascade_p0": 0.9, "cascade_depth": 4,
    "cascade_gammas": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
    "baseline_b": 3, "baseline_gamma": 0.9, "baseline_rhos": [0.0, 0.2, 0.5],
    "baseline_depth": 3, "p0_step": 0.001,
}
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


_NOT_PRESET = ("Knobs differ from the preset, so the reference values were not compared; only "
               "the structural relations were checked. ")
QUALITATIVE = "exact recursion; reference values' printed precision"


def _claim(profile: str, short: str, labels: str, where: str, *, cited: str | None = None,
           details: dict | None = None, paper: str = PAPER_VALUE_NONE,
           **fields: Any) -> Claim:
    cited_source = (source(labels, where) if cited is None
                    else source(labels, where, paper=cited))
    return make_claim(profile=profile, id=f"touchpoints.{short}", source=cited_source,
                      label=labels.split(",")[0].strip(),
                      details={"paper": paper, **(details or {})}, **fields)


def _mechanism(profile: str, short: str, where: str, *, preset: bool, problems: list[str],
               note: str, **fields: Any) -> Claim:
    """One of the three qualitative mechanism claims (abstract, with Kim et al. alongside): it
    passes without problems, and its note says when the reference values were not compared."""
    return _claim(profile, short, "abstract,external", where, kind="qualitative",
                  tolerance_source=QUALITATIVE, passed=not problems,
                  reason="; ".join(problems), note=("" if preset else _NOT_PRESET) + note,
                  **fields)


def _saturation(config, m: Mapping[str, Any], profile: str, preset: bool) -> Claim:
    a = m["saturation"]
    star_n, star_p, tree_p = (np.asarray(a[k]) for k in ("star_n", "star_p", "tree_p"))
    problems = []
    if not a["tree_at_claim_depth"] > a["star_at_cap"]:
        problems.append("the tree does not beat the star at the cap")
    if not a["star_at_cap"] < a["ceiling"]:
        problems.append("the star at the cap reaches its ceiling")
    if a["max_abs_brute_diff"] > BRUTE_TOL:
        problems.append("the binomial-sum recomputation differs")
    if preset and not all((
            _within(star_p[star_n <= 7], SPEC_SATURATION["star_p"], 1e-3),
            _within(tree_p[1:], SPEC_SATURATION["tree_p"], 1e-3),
            *(_within([a[k]], [SPEC_SATURATION[k]], 1e-3)
              for k in ("gamma", "ceiling", "mu_star", "p_star")))):
        problems.append("a value is off the reference by more than 1e−3")
    k = m["kim"]
    depth = a["tree_claim_depth"]
    return _mechanism(
        profile, "context_saturation",
        "§6 (context saturation); Kim et al. v2 Table 5 overhead "
        f"{k['table5_coordination_metrics/overhead_O_percent/Independent']:g}"
        f"–{k['table5_coordination_metrics/overhead_O_percent/Hybrid']:g} %, "
        f"c* ≈ {k['message_density_law/plateau_c_star']:g}", preset=preset, problems=problems,
        statement="The context window caps a star's fan-in and hence its accuracy; a tree "
                  "escapes the cap",
        expected=f"tree (L = {depth}) > star at the cap, which stays below its ceiling",
        measured=rounded(a["tree_at_claim_depth"]),
        context=f"tree L = {depth}; star at cap N = {a['star_cap_n']}: "
                f"{a['star_at_cap']:.4f}; ceiling {a['ceiling']:.4f}",
        tolerance="tree > star at the cap < ceiling; binomial-sum recomputation ≤ 1e−12; "
                  "reference values ±1e−3",
        note=(f"Star fan-in cap N ≤ ⌊W/m⌋ = {a['n_window']}, tree fan-in b = {a['b']}, "
           f"γ(m) = {a['gamma']:.4f}, ρ = {a['rho']:g}, p0 = {a['p0']:g}. The ceiling "
           "ρq + (1−ρ) needs N → ∞, which the window forbids. No Monte Carlo: this experiment "
           "is exact. Kim et al.'s overhead and turn law are token/turn counts, not accuracies: "
           "the correspondence is qualitative."
           + (" The star curve stops at N = 31 (theory B_MAX), below ⌊W/m⌋."
              if a["star_cap_truncated"] else "")),
        details={"star p per N": {f"N={int(n)}": rounded(p) for n, p in zip(star_n, star_p,
                                                                       strict=True)},
                 "tree p per L": {f"L={int(d)}": rounded(p)
                                  for d, p in zip(a["tree_depths"], tree_p, strict=True)},
                 "ceiling": a["ceiling"], "μ*": a["mu_star"], "p*": a["p_star"],
                 "max |binomial sum − recursion|": a["max_abs_brute_diff"],
                 "reference values": SPEC_SATURATION,
                 "Kim et al. v2 overhead %": {
                     name: k[f"table5_coordination_metrics/overhead_O_percent/{name}"]
                     for name in ("Independent", "Decentralized", "Centralized", "Hybrid")}})


def _cascade(config, m: Mapping[str, Any], profile: str, preset: bool) -> Claim:
    c, k = m["cascade"], m["kim"]
    ind = k["table5_coordination_metrics/error_amplification_A_e/Independent"]
    cen = k["table5_coordination_metrics/error_amplification_A_e/Centralized"]
    drops = [x - y for x, y in zip(c["A_e"][:-1], c["A_e"][1:], strict=True)]
    problems = []
    if not c["decreasing"]:
        problems.append("A_e is not strictly decreasing in γ")
    if c["rule_violations"]:
        problems.append(f"{c['rule_violations']} cells break A_e > 1 iff α ≤ 1 or μ0 > μ*")
    if not ind > cen:
        problems.append("the data file does not order Independent above Centralized")
    if c["max_abs_brute_diff"] > BRUTE_TOL:
        problems.append("the binomial-sum recomputation differs")
    if preset and not (_within(c["A_e"], SPEC_CASCADE["A_e"], 1e-3)
                       and _within(c["alpha"], SPEC_CASCADE["alpha"], 1e-3)):
        problems.append("A_e or α is off the reference by more than 1e−3")
    return _mechanism(
        profile, "subcritical_cascade",
        "§6 (subcritical error cascades); Kim et al. v2 Table 5 A_e", preset=preset,
        problems=problems,
        statement=f"Low-fidelity aggregation amplifies errors, like Kim's Independent ({ind:g}×) "
                  f"> Centralized ({cen:g}×) if verification raises γ",
        expected="A_e strictly decreasing in γ; A_e > 1 iff α ≤ 1 or μ0 > μ*",
        measured=rounded(min(drops), 3) if drops else None,
        context=(f"smallest drop of A_e; A_e {c['A_e'][0]:.3f} → {c['A_e'][-1]:.3f} over "
                 f"γ {c['gammas'][0]:g}…{c['gammas'][-1]:g}; {c['rule_violations']} rule "
                 "violations") if drops else "",
        tolerance="every drop > 0; 0 rule violations; binomial sums ≤ 1e−12; reference A_e, "
                  "α ±1e−3",
        note=f"Model A_e = (1 − p_L)/(1 − p0) at b = {c['b']}, ρ = {c['rho']:g}, p0 = {c['p0']:g}, "
        f"L = {c['depth']}; Kim's A_e = E_MAS/E_SAS is a different quantity. Only the ordering "
        "is compared (verification ≈ higher effective γ or lower ρ, [reconstructed]); the model "
        f"does not produce {ind:g}×." + _strong_leaves(c),
        details={"per γ": {f"γ={g:g}": {"α": rounded(a), "A_e": rounded(e), "μ*": rounded(mu)}
                           for g, a, e, mu in zip(c["gammas"], c["alpha"], c["A_e"],
                                                  c["mu_star"], strict=True)},
                 "max |binomial sum − recursion|": c["max_abs_brute_diff"],
                 "reference values": SPEC_CASCADE,
                 "Kim et al. v2 A_e": {
                     name: k[f"table5_coordination_metrics/error_amplification_A_e/{name}"]
                     for name in ("Independent", "Decentralized", "Hybrid", "Centralized")}})


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
    violations = int(sum(c["sign_violations"]))
    problems = []
    if violations:
        problems.append(f"{violations} grid points break the gain sign pattern")
    if not _within(c["grid_p_star"], c["p_star"], 2e-3):
        problems.append("the grid's sign change is off p* = (1+μ*)/2")
    if not _within(c["grid_argmax"], c["argmax"], grid_tol):
        problems.append("the grid argmax is off the dense argmax")
    if preset and not all((
            _within(c["p_star"], SPEC_BASELINE["p_star"], 2e-3),
            _within(c["grid_argmax"], SPEC_BASELINE["argmax"], 0.005),
            _within(c["argmax"], SPEC_BASELINE["argmax"], 0.005),
            _within(c["max_gain"], SPEC_BASELINE["max_gain"], 1e-3))):
        problems.append("p*, the argmax or the largest gain is off the reference")
    threshold = k["capability_saturation/single_agent_baseline_threshold"]
    return _mechanism(
        profile, "strong_baseline",
        "§6 (diminishing returns at strong baselines); Kim et al. v2 capability ceiling ≈ "
        f"{100 * threshold:g} %, coefficient {k['table4_coefficients/P_SA_x_log1p_n_a/beta']:g}",
        preset=preset, problems=problems,
        statement="Gains vanish and then turn negative as the leaf baseline approaches and passes "
                  "p* = (1+μ*)/2",
        expected="gain > 0 on (½, p*), < 0 on (p*, 1)", measured=violations,
        context=f"sign violations over {len(c['rhos'])} × {c['grid_points']} p0; p* = "
                + ", ".join(f"{v:.3f}" for v in c["p_star"]),
        tolerance="0 sign violations; grid p* ±2e−3 of (1+μ*)/2; argmax ±0.005; reference p*, "
                  "argmax, gain",
        note=(f"b = {c['b']}, γ = {c['gamma']:g}, L = {c['depth']}, ρ = "
           f"{', '.join(f'{r:g}' for r in c['rhos'])}; p0 grid step {c['p0_step']:g} "
           f"({c['grid_points']} points). Theory argmax: dense evaluation of the exact "
           "recursion (2^14 points; p_L is concave in p0, so the maximum is unique). In the "
           f"model p* ≥ 1/2 always (here min p* = "
           f"{min(c['p_star']):.4f}); Kim et al.'s ≈ {100 * threshold:g} % threshold is not a "
           "model quantity and is not matched. Only the sign pattern corresponds."),
        details={"per ρ": {f"ρ={r:g}": {"p*": rounded(ps, 5), "grid p*": rounded(gp, 5),
                                        "argmax p0": rounded(am), "grid argmax": rounded(ga),
                                        "max gain": rounded(mg)}
                           for r, ps, gp, am, ga, mg in zip(
                               c["rhos"], c["p_star"], c["grid_p_star"], c["argmax"],
                               c["grid_argmax"], c["max_gain"], strict=True)},
                 "sign violations per ρ": c["sign_violations"],
                 "reference values": SPEC_BASELINE,
                 "Kim et al.": {"capability threshold": threshold,
                                "coefficient (v2)":
                                    k["table4_coefficients/P_SA_x_log1p_n_a/beta"],
                                "coefficient (v1 abstract)":
                                    k["v1_abstract/capability_saturation_coefficient"]}})


def _kim_record(m: Mapping[str, Any], profile: str) -> Claim:
    r = m["kim_record"]
    ok = (r["n_equal"] == r["n_spec"] and not r["extra"] and not r["missing"]
          and r["version_ok"])
    problems = "; ".join(f"{name}: {', '.join(r[name][:5])}"
                         for name in ("missing", "extra", "differ") if r[name])
    if not r["version_ok"]:
        problems = "; ".join(filter(None, (problems, "the version record is not v2")))
    return _claim(
        profile, "kim_record", "external", "Tables 4–5, §4.2; v1 abstract", cited=KIM,
        paper="n/a (external record)", kind="regression",
        statement="The shipped Kim et al. numbers are those of the stated version (v2, with the "
                  "v1 abstract values alongside)",
        expected=r["n_spec"], measured=r["n_equal"],
        context=f"values equal to the transcription; {r['n_file']} in the file",
        tolerance="every value equal, no extra or missing number; version v2, URL "
                  "arXiv:2512.08296v2",
        tolerance_source="exact match with this project's transcription",
        passed=ok, reason=problems or "the record does not match the transcription",
        note="Targets are this project's own transcription of arXiv:2512.08296v2 (Tables 4–5, "
             "§4.2) and of the v1 abstract, not a fresh reading of the PDF: a regression check "
             "of the data file data/kim2025_scaling_agents.json (see data/PROVENANCE.md).",
        details={"compared": r["n_spec"], "equal": r["n_equal"], "in file": r["n_file"],
                 "missing": r["missing"], "extra": r["extra"], "differ": r["differ"],
                 "version ok": r["version_ok"]})


def make_claims(config: Mapping[str, Any], metrics: Mapping[str, Any], arrays: Any,
                profile: str) -> list[Claim]:
    return [
        _saturation(config, metrics, profile, _preset(config, PRESET, SATURATION_KNOBS)),
        _cascade(config, metrics, profile, _preset(config, PRESET, CASCADE_KNOBS)),
        _baseline(config, metrics, profile, _preset(config, PRESET, BASELINE_KNOBS)),
        _kim_record(metrics, profile),
    ]
