"""Claims of ``toy_models``; they read metrics only.

Tolerances are those of the pillar's claims table (cpu / paper where they differ). Values of the
earlier reference run are context in ``details``, never targets: the targets are the theory
(linear optimum, D* of orthogonal or antipodal features, the pentagon's 72°, the exact 2 → 1
loss), the paper's qualitative statements, or, for D* at 1/(1 − S) = 20, the independent JAX
replication of the paper (adonath/toy-models-of-superposition-jax). A claim whose part was not
run (``--parts``) is 'not run on this profile'.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, rounded, underpowered
from experiments.common.results import as_float
from experiments.superposition.shared.provenance import source

TMS = "Elhage et al. 2022, Toy Models of Superposition"
PART_OFF = "this part was not run (--parts)"
SEED_SCATTER = "sign test; steps powered at ≥ 3 SE of the seed mean"


def _claim(profile: str, part: Any, name: str, labels: str, where: str,
           **fields: Any) -> Claim:
    if part is None:
        fields["not_run"] = PART_OFF
    return make_claim(profile=profile, id=f"toy_models.{name}", source=source(labels, where, TMS),
                      label=labels.split(",")[0], **fields)


def _inst(e: dict) -> str:
    return f"1−S={e['density']:g} s{e['seed']}"


# --- 20 → 5: linear control and ReLU sparsity sweep ----------------------------------------------


def _linear_claims(part: dict | None, profile: str) -> list[Claim]:
    lin = [e for e in (part["instances"] if part else []) if not e["relu"]]
    where = "'Demonstrating superposition'; projection optimum"
    out = []
    top_ok = {_inst(e): abs(e["frob2"] - 5) <= 0.3 and min(e["norms"][:5]) > 0.85
              and max(e["norms"][5:]) < 0.15 for e in lin}
    dev = {_inst(e): e["frob2"] - 5.0 for e in lin}
    worst = max(dev, key=lambda k: abs(dev[k])) if dev else ""
    min_top = min((min(e["norms"][:5]) for e in lin), default=math.nan)
    max_rest = max((max(e["norms"][5:]) for e in lin), default=math.nan)
    bad = next((k for k, ok in top_ok.items() if not ok), worst)
    out.append(_claim(
        profile, part, "linear_top5", "theory,paper", where, kind="quantitative",
        statement="A linear 20 → 5 model represents exactly the 5 most important features",
        expected=5.0, measured=rounded(5.0 + dev[worst]) if dev else None,
        context=(f"‖W‖_F² farthest from 5, {worst}; top-5 norms ≥ {format_number(min_top, 3)}, "
                 f"others ≤ {format_number(max_rest, 3)}") if dev else "",
        tolerance="every linear instance: ‖W‖_F² = 5 ± 0.3, top-5 norms > 0.85, others < 0.15",
        tolerance_source="weight-decay shrinkage allowance (provisional)",
        passed=bool(lin) and all(top_ok.values()),
        reason=f"{bad} does not keep exactly the top 5 features",
        details={"per instance": {_inst(e): {"‖W‖_F²": rounded(e["frob2"]),
                                             "min top-5 norm": rounded(min(e["norms"][:5])),
                                             "max other norm": rounded(max(e["norms"][5:]))}
                                  for e in lin},
                 "theory": "‖W‖_F² = 5; top-5 norms 1, rest 0 (orthogonal projection)",
                 "paper": "linear model keeps the m most important features"}))
    ratios = {_inst(e): e["expected_loss"] / e["theory_loss"] for e in lin}
    worst = max(ratios, key=lambda k: abs(ratios[k] - 1)) if ratios else ""
    out.append(_claim(
        profile, part, "linear_loss_theory", "theory", "tms_linear_optimal_loss",
        kind="quantitative",
        statement="The linear model's loss equals Var(x) × the sum of the dropped importances",
        expected=1.0, measured=rounded(ratios[worst], 5) if ratios else None,
        context=f"loss / optimum farthest from 1, {worst}" if ratios else "",
        tolerance="exact expected loss / optimum ∈ [0.98, 1.10] for every linear instance",
        tolerance_source="AdamW decay and constant lr excess (provisional)",
        passed=bool(lin) and all(0.98 <= r <= 1.10 for r in ratios.values()),
        reason=f"loss ratio {format_number(ratios[worst], 4)} at {worst}" if ratios else
        "no linear instance",
        note="Measured: the exact expected loss of the trained W, b (closed form for a linear "
             "model, no sampling noise); the Monte Carlo evaluation loss is in details.",
        details={"per instance": {_inst(e): {
            "exact expected loss": rounded(e["expected_loss"]),
            "optimum": rounded(e["theory_loss"]),
            "ratio": rounded(ratios[_inst(e)], 5), "Monte Carlo loss": rounded(e["loss"]),
            "Monte Carlo SE": rounded(e["loss_se"], 2)} for e in lin},
            "paper": "n/a (theory)"}))
    return out


def _relu_claims(part: dict | None, profile: str) -> list[Claim]:
    relu = [e for e in (part["instances"] if part else []) if e["relu"]]
    where = "'Demonstrating superposition'"

    def at(d_test) -> list[dict]:
        return [e for e in relu if d_test(e["density"])]

    out = []
    dense = at(lambda d: d == 1.0)
    worst = max(dense, key=lambda e: abs(e["frob2"] - 5), default=None)
    out.append(_claim(
        profile, part, "relu_dense", "paper", where, kind="quantitative",
        statement="A dense ReLU 20 → 5 model stores 5 features",
        expected=5.0, measured=rounded(worst["frob2"]) if worst else None,
        context=f"‖W‖_F² farthest from 5, {_inst(worst)}" if worst else "",
        tolerance="1 − S = 1: ‖W‖_F² ∈ [4.5, 5.5] for every seed",
        tolerance_source="half a feature either side",
        passed=bool(dense) and all(4.5 <= e["frob2"] <= 5.5 for e in dense),
        reason=f"‖W‖_F² = {format_number(worst['frob2'], 3)} at {_inst(worst)}" if worst else
        "no dense ReLU instance",
        details={"‖W‖_F² per seed": {_inst(e): rounded(e["frob2"]) for e in dense},
                 "paper": "‖W‖_F² = 5", "theory": 5.0, "reference run": 5.0}))
    mid = at(lambda d: abs(d - 0.1) < 1e-12)
    low = min(mid, key=lambda e: e["count"], default=None)
    out.append(_claim(
        profile, part, "relu_intermediate", "paper", where, kind="qualitative",
        statement="Moderate sparsity (1 − S = 0.1) adds features beyond the 5 of the dense model",
        expected="≥ 8 features", measured=low["count"] if low else None,
        context=f"fewest features with norm > 0.5, {_inst(low)}" if low else "",
        tolerance="1 − S = 0.1: count(‖W_i‖ > 0.5) ≥ 8 for every seed",
        tolerance_source="paper's 'adds features'; margin over 5",
        passed=bool(mid) and all(e["count"] >= 8 for e in mid),
        reason=f"only {low['count']} features at {_inst(low)}" if low else "no 1 − S = 0.1 run",
        note="The threshold 8 sits one feature below the earlier reference run (9); the paper's "
             "statement itself needs only more than 5.",
        details={"count per seed": {_inst(e): e["count"] for e in mid},
                 "‖W‖_F² per seed": {_inst(e): rounded(e["frob2"]) for e in mid},
                 "paper": "≥ 8 features", "reference run": 9}))
    sparse = at(lambda d: d <= 0.003 + 1e-12)
    low = min(sparse, key=lambda e: (e["count"] - 11, e["frob2"] - 12), default=None)
    out.append(_claim(
        profile, part, "relu_sparse", "paper", where, kind="qualitative",
        statement="At high sparsity most of the 20 features are stored in superposition",
        expected="most features (> 10 of 20)", measured=low["count"] if low else None,
        context=(f"fewest features, {_inst(low)}; ‖W‖_F² ≥ "
                 f"{format_number(min(e['frob2'] for e in sparse), 3)}") if low else "",
        tolerance="1 − S ≤ 0.003: count(‖W_i‖ > 0.5) ≥ 11 and ‖W‖_F² ≥ 12 for every seed",
        tolerance_source="'most of 20' = 11; ‖W‖_F² margin",
        passed=bool(sparse) and all(e["frob2"] >= 12 and e["count"] >= 11 for e in sparse),
        reason=f"{low['count']} features, ‖W‖_F² {format_number(low['frob2'], 3)} at "
               f"{_inst(low)}" if low else "no run with 1 − S ≤ 0.003",
        details={"per instance": {_inst(e): {"count": e["count"], "‖W‖_F²": rounded(e["frob2"])}
                                  for e in sparse},
                 "paper": "many features", "reference run": "‖W‖_F² 15.0/14.8, count 13/13"}))
    saved = part["relu_frob2_steps"] if part else {"density": [], "mean": [], "se": [],
                                                  "seeds": [], "step": [], "step_se": []}
    dens, means, steps = saved["density"], saved["mean"], saved["step"]
    sems = [as_float(s) for s in saved["se"]]
    step_se = [as_float(s) for s in saved["step_se"]]
    i = int(np.argmin(steps)) if steps else 0
    # Margin of each step over the allowed drop, in standard errors of the step: the verdict is
    # decided only where every step clears −0.5 by at least 3 SE (two seeds give a rough SE).
    margin = [(s + 0.5) / e if e > 0 else math.inf for s, e in zip(steps, step_se, strict=True)]
    j = int(np.argmin(margin)) if steps else 0
    seeds = min(saved["seeds"], default=0)
    out.append(_claim(
        profile, part, "relu_monotone", "paper", where, kind="qualitative",
        statement="‖W‖_F² grows with sparsity (ReLU 20 → 5)",
        expected="non-decreasing in 1/(1 − S)", measured=rounded(steps[i], 3) if steps else None,
        context=(f"smallest step, 1/(1−S) {1 / dens[i]:.3g} → {1 / dens[i + 1]:.3g}; "
                 f"{format_number(step_se[i], 2)} SE") if steps
        and math.isfinite(step_se[i]) else "",
        tolerance="every step of the seed-mean ‖W‖_F² ≥ −0.5",
        tolerance_source="drop allowance 0.5; margin powered at ≥ 3 SE",
        passed=len(means) >= 2 and min(steps) >= -0.5,
        not_run=(underpowered(steps[j] + 0.5, step_se[j],
                              what=f"margin over −0.5 at 1/(1−S) = {1 / dens[j + 1]:.3g}")
                 if steps and seeds >= 2 else "needs two seeds and two sparsities"),
        reason=f"‖W‖_F² drops by {format_number(-steps[i], 3)} at 1/(1−S) = {1 / dens[i + 1]:.3g}"
        if steps else "fewer than two sparsities",
        details={"seed-mean ‖W‖_F² per 1/(1−S)": {f"{1 / d:.4g}": rounded(m)
                                                  for d, m in zip(dens, means, strict=True)},
                 "SE of the seed mean": {f"{1 / d:.4g}": rounded(s, 2)
                                         for d, s in zip(dens, sems, strict=True)},
                 "seeds": seeds, "paper": "non-decreasing",
                 "reference run": "largest drop 0.2 at the end"}))
    return out


# --- 5 → 2 ---------------------------------------------------------------------------------------


def _pentagon_claims(part: dict | None, profile: str) -> list[Claim]:
    inst = part["instances"] if part else []
    name = {id(e): f"k={e['k']} s{e['seed']}" for e in inst}
    sparse = [e for e in inst if e["density"] <= 0.075]
    ok = {name[id(e)]: min(e["norms"]) > 0.8 and e["represented"] == 5
          and all(abs(g - 72.0) <= 10.0 for g in e["gaps"]) for e in sparse}
    need_frac = 5 / 6 if profile == "paper" else 3 / 4
    need = math.ceil(need_frac * len(sparse) - 1e-9)
    good = [e for e in sparse if ok[name[id(e)]]]
    gap_err = max((abs(g - 72.0) for e in good for g in e["gaps"]), default=math.nan)
    where = "introduction figure; sparsities from the notebook's 20^(−k/9) grid"
    out = [_claim(
        profile, part, "pentagon", "reconstructed,paper", where, kind="qualitative",
        statement="5 features in 2 dimensions form a regular pentagon when sparse",
        expected="5 features, gaps 72°", measured=sum(ok.values()) if sparse else None,
        context=f"of {len(sparse)} runs" + (f"; largest gap error in them "
                                             f"{format_number(gap_err, 3)}°" if good else "")
        if sparse else "",
        tolerance=f"runs with 1 − S ≤ 0.075: all norms > 0.8 and every gap 72° ± 10° in ≥ "
                  f"{need} of {len(sparse)}",
        tolerance_source="± 10° per gap; one stuck run allowed",
        passed=bool(sparse) and sum(ok.values()) >= need,
        reason=f"only {sum(ok.values())} of {len(sparse)} runs form the pentagon",
        details={"per run": {name[id(e)]: {"min norm": rounded(min(e["norms"]), 3),
                                          "gaps": [rounded(g, 3) for g in e["gaps"]]}
                             for e in sparse},
                 "theory": 72.0, "paper": "all 5 represented, gaps 72°",
                 "reference run": "gaps 71.0–72.7°"})]
    dense = [e for e in inst if e["density"] == 1.0]
    worst = max(dense, key=lambda e: abs(e["pair_angle"] - 90), default=None)
    out.append(_claim(
        profile, part, "dense_orthogonal_pair", "paper", "introduction figure",
        kind="quantitative", statement="A dense 5 → 2 model stores 2 orthogonal features",
        expected=90.0, measured=rounded(worst["pair_angle"]) if worst else None,
        context=(f"angle farthest from 90°, {name[id(worst)]}; features "
                 f"{', '.join(str(e['represented']) for e in dense)}") if worst else "",
        tolerance="1 − S = 1: exactly 2 norms > 0.5 and their angle 90° ± 5°, every seed",
        tolerance_source="± 5° allowance for training",
        passed=bool(dense) and all(e["represented"] == 2 and abs(e["pair_angle"] - 90) <= 5
                                   for e in dense),
        reason="not exactly two orthogonal features in every seed",
        details={"per seed": {name[id(e)]: {"represented": e["represented"],
                                            "angle": rounded(e["pair_angle"])} for e in dense},
                 "theory": 90.0, "paper": "2 features at 90°", "reference run": 89.7}))
    return out


# --- 200 → 20 ------------------------------------------------------------------------------------


def _geometry_claims(part: dict | None, profile: str) -> list[Claim]:
    inst = part["instances"] if part else []
    where = "'Feature geometry' (dimensions per feature figure)"

    def at(k: int) -> list[dict]:
        return [e for e in inst if e["k"] == k]

    ks = sorted({e["k"] for e in inst})
    saved = part["dstar_mean_by_k"] if part else {"k": [], "mean": []}
    dstar = dict(zip(saved["k"], saved["mean"], strict=True))
    every = profile == "paper"
    d0 = at(0)
    worst = max(d0, key=lambda e: abs(e["dstar"] - 1), default=None)
    out = [_claim(
        profile, part, "dstar_dense", "paper", where, kind="quantitative",
        statement="Dimensions per feature D* = 1 when dense", expected=1.0,
        measured=rounded(worst["dstar"]) if worst else None,
        context=f"farthest from 1 of {len(d0)} seed(s)" if worst else "",
        tolerance="D*(1 − S = 1) ∈ [0.95, 1.05]" + (", every seed" if every else ""),
        tolerance_source="5 % allowance for training",
        passed=bool(d0) and all(0.95 <= e["dstar"] <= 1.05 for e in d0),
        reason=f"D* = {format_number(worst['dstar'], 3)}" if worst else "no dense instance",
        details={"D* per seed": {f"s{e['seed']}": rounded(e["dstar"]) for e in d0},
                 "theory": "m orthogonal features: D* = 1", "paper": 1.0,
                 "reference run": 1.003})]

    def longest(flags: list[bool]) -> int:
        run = best = 0
        for flag in flags:
            run = run + 1 if flag else 0
            best = max(best, run)
        return best

    best = longest([0.45 <= dstar[k] <= 0.55 for k in ks])
    seed_runs = {s: longest([0.45 <= e["dstar"] <= 0.55 for e in sorted(inst, key=lambda e:
                                                                         e["k"])
                             if e["seed"] == s]) for s in sorted({e["seed"] for e in inst})}
    value = min(seed_runs.values(), default=0) if every else best
    out.append(_claim(
        profile, part, "dstar_plateau", "paper", where, kind="qualitative",
        statement="D* sticks at 1/2 (antipodal pairs) over a range of sparsities",
        expected="plateau at 1/2", measured=value if inst else None,
        context="longest run of grid points in [0.45, 0.55]"
                + (", worst seed" if every else "") if inst else "",
        tolerance="≥ 3 consecutive grid points with D* ∈ [0.45, 0.55]"
                  + (", every seed" if every else ""),
        tolerance_source="± 0.05 around the antipodal value 1/2",
        passed=value >= 3, reason=f"the longest run in the band is {value} point(s)",
        details={"D* per k": {f"k={k}": rounded(dstar[k], 3) for k in ks},
                 "longest run per seed": {f"s{s}": v for s, v in seed_runs.items()},
                 "theory": "antipodal pairs: D* = 1/2", "paper": "plateau at 1/2",
                 "reference run": "4 points, k = 5–8"}))
    d19 = at(19)
    worst = max(d19, key=lambda e: abs(e["dstar"] - 0.14), default=None)
    out.append(_claim(
        profile, part, "dstar_sparse", "external,paper",
        where + "; value from the independent JAX replication (B = 1024)",
        kind="quantitative", statement="D* keeps falling at high sparsity, to about 0.13–0.15 "
                                       "at 1/(1 − S) = 20",
        expected="0.13–0.15 (replication)", measured=rounded(worst["dstar"]) if worst else None,
        context=f"k = 19, {len(d19)} seed(s)" if worst else "",
        tolerance="D* at k = 19 (1/(1 − S) = 20) ∈ [0.10, 0.18] for every seed",
        tolerance_source="± 0.04 around the replication's 0.13–0.15",
        passed=bool(d19) and all(0.10 <= e["dstar"] <= 0.18 for e in d19),
        reason=f"D* = {format_number(worst['dstar'], 3)}" if worst else "no k = 19 instance",
        note="The paper shows the fall but gives no number at 1/(1 − S) = 20; the target is "
             "the value of an independent replication (B = 1024: 0.13), not of this project.",
        details={"D* per seed": {f"s{e['seed']}": rounded(e["dstar"]) for e in d19},
                 "replication (B = 1024)": 0.13, "reference run (B = 256)": 0.137,
                 "paper": "≈ 0.13–0.15 at 1/(1 − S) = 20"}))
    out += _cluster_claims(part, profile, at, where)
    return out


def _cluster_claims(part: dict | None, profile: str, at: Any, where: str) -> list[Claim]:
    # D_i clusters: the instances rerun at the paper's batch when the curve used a smaller one.
    cluster = (part or {}).get("cluster_instances") or []
    out = []
    for name, k, field, frac, lo, hi, statement, expected in (
            ("di_half_cluster", 5, "n_half", 0.6, 0.45, 0.55,
             "Per-feature dimensionality clusters at 1/2 on the D* plateau", 0.5),
            ("di_twofifths_cluster", 10, "n_two_fifths", 0.5, 0.35, 0.45,
             "Per-feature dimensionality clusters at 2/5 (pentagons) at higher sparsity", 0.4)):
        counted = [e for e in cluster if e["k"] == k] or at(k)
        shares = {f"s{e['seed']}": e[field] / e["n_alive"] if e["n_alive"] else 0.0
                  for e in counted}
        low = min(counted, key=lambda e: shares[f"s{e['seed']}"], default=None)
        batch = counted[0].get("batch") if counted else None
        curve = at(k)
        curve_batch = curve[0].get("batch") if curve else None
        note = ""
        if cluster and curve:
            at_curve = ", ".join(f"{e[field]} of {e['n_alive']}" for e in curve)
            note = (f"Counted on instances retrained at the paper's batch B = {batch}; the D* "
                    f"curve uses B = {curve_batch}, which leaves unrepresented features at norms "
                    f"0.1–0.2 after 10⁴ steps and dilutes the share (at B = {curve_batch}: "
                    f"{at_curve}).")
        band = "|D_i − 1/2| ≤ 0.05" if k == 5 else f"D_i ∈ [{lo}, {hi}]"
        details = {"per instance": {f"s{e['seed']}": {
            "batch": e.get("batch"), band: e[field], "norm > 0.1": e["n_alive"],
            **({"of norm > 0.5 (diagnostic)": [e["n_half_represented"], e["n_represented"]]}
               if k == 5 else {})} for e in counted},
            "theory": expected, "paper": f"D_i ≈ {'1/2' if k == 5 else '2/5'}",
            "reference run": f"{38 if k == 5 else 53} features"}
        out.append(_claim(
            profile, part, name, "paper", where, kind="qualitative", statement=statement,
            expected=f"D_i ≈ {'1/2' if k == 5 else '2/5'}",
            measured=rounded(shares[f"s{low['seed']}"], 3) if low else None,
            context=(f"share of norm > 0.1 features in the band, k = {k}, B = {batch}; "
                     f"{low[field]} of {low['n_alive']}") if low else "",
            tolerance=f"k = {k}: ≥ {frac:.0%} of features with norm > 0.1 have {band}",
            tolerance_source="majority of represented features",
            passed=bool(counted) and all(e["n_alive"] > 0 and e[field] >= frac * e["n_alive"]
                                         for e in counted),
            reason=f"only {low[field]} of {low['n_alive']} features in the band" if low else
            f"no k = {k} instance", note=note, details=details))
    d19 = at(19)
    top = max((e["max_di"] for e in d19), default=None)
    out.append(_claim(
        profile, part, "di_sparse", "paper", where, kind="qualitative",
        statement="No low-order geometry (D_i ≥ 0.3) remains at 1/(1 − S) = 20",
        expected="max D_i < 0.3", measured=rounded(top, 3),
        context=f"largest D_i, k = 19, {len(d19)} seed(s)" if d19 else "",
        tolerance="max D_i < 0.3 at k = 19", tolerance_source="below the 3/8 polytope value",
        passed=bool(d19) and top < 0.3, reason=f"a feature has D_i = {format_number(top, 3)}"
        if d19 else "no k = 19 instance",
        details={"max D_i per seed": {f"s{e['seed']}": rounded(e["max_di"], 3) for e in d19},
                 "paper": "small D_i", "reference run": "every D_i < 0.3"}))
    return out


# --- 2 → 1 phase diagram -------------------------------------------------------------------------


def _phase_claims(part: dict | None, profile: str) -> list[Claim]:
    where = ("'Superposition as a phase change' (2 features, 1 dim); axis ranges, resolution "
             "and optimised candidates reconstructed")
    out = []
    checked = bad = 0
    if part:
        r, p = np.asarray(part["r"]), np.asarray(part["p"])
        lab = np.array([list(row) for row in part["analytic_labels"]])
        cells = [(k, j, "A" if r[j] < 1 else "B") for k in range(p.size) if p[k] == 1.0
                 for j in range(r.size)]
        cells += [(k, j, "C") for k in range(p.size) for j in range(r.size)
                  if p[k] <= 0.05 and 0.5 <= r[j] <= 2]
        checked = len(cells)
        bad = sum(lab[k, j] != want for k, j, want in cells)
        has_sparse = any(want == "C" for _, _, want in cells)
        ok = has_sparse and bad == 0
    else:
        ok = False
    out.append(_claim(
        profile, part, "phase_limits", "reconstructed,paper", where, kind="identity",
        statement="Analytic 2 → 1 phases in the limits: dense gives A (r < 1) or B (r > 1), "
                  "sparse gives C",
        expected=0, measured=bad if part else None,
        context=f"mislabelled of {checked} limit cells" if part else "",
        tolerance="every p = 1 cell A (r < 1) or B (r > 1); every p ≤ 0.05, 0.5 ≤ r ≤ 2 cell C",
        tolerance_source="exact limits of the loss; no allowance",
        passed=ok, reason=f"{bad} limit cells carry the wrong analytic label" if part else "",
        details={"p = 1 row": part["analytic_labels"][0] if part else None,
                 "limit cells checked": checked,
                 "theory": "A | B at p = 1; C at p ≤ 0.05, 0.5 ≤ r ≤ 2",
                 "paper": "n/a (limits of the figure)"}))
    lo, lo_int = (0.90, 0.97) if profile == "paper" else (0.85, 0.95)
    agree = part["agreement"] if part else math.nan
    inner = part["interior_agreement"] if part else math.nan
    out.append(_claim(
        profile, part, "phase_agreement", "reconstructed,paper", where, kind="quantitative",
        statement="Trained and analytic 2 → 1 phase diagrams agree", expected=1.0,
        measured=rounded(agree, 3) if part else None,
        context=(f"all {part['n_cells']} cells; interior {format_number(inner, 3)} of "
                 f"{part['n_interior']}") if part else "",
        tolerance=f"agreement ≥ {lo:.2f} of all cells and ≥ {lo_int:.2f} of interior cells",
        tolerance_source="boundary cells may flip (provisional)",
        passed=bool(part) and agree >= lo and inner >= lo_int,
        reason=(f"agreement {format_number(agree, 3)}, interior {format_number(inner, 3)}"
                if part else ""),
        note=(f"Trained: best of K = {part.get('inits', '?')} inits per cell by the exact loss "
              "(the pillar's cpu profile table lists K = 2; with 2, every disagreeing cell was a "
              "local minimum of the trained loss), weight decay 0 (suite choice). Analytic: "
              "L-BFGS-B on the exact loss from 4 starts. Cells where every trained init ends "
              "> 1e-4 above the analytic loss (a local minimum, not a theory mismatch): "
              f"{part['cells_trained_worse']}.")
        if part else "",
        details={"analytic labels": part["analytic_labels"] if part else None,
                 "trained labels": part["trained_labels"] if part else None,
                 "interior agreement": rounded(inner, 3) if part else None,
                 "label counts": {"analytic": part["counts_analytic"],
                                  "trained": part["counts_trained"]} if part else None,
                 "paper": "'theory matches' (qualitative)"}))
    return out


def make_claims(config, metrics: dict[str, Any], arrays, profile: str) -> list[Claim]:
    """Every claim of the pillar's toy_models table, in its order."""
    sparsity = metrics.get("sparsity")
    return (_linear_claims(sparsity, profile) + _relu_claims(sparsity, profile)
            + _pentagon_claims(metrics.get("pentagon"), profile)
            + _geometry_claims(metrics.get("geometry"), profile)
            + _phase_claims(metrics.get("phase"), profile))
