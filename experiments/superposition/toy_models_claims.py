"""Claims of `toy_models` (spec superposition.md §6.2); they read metrics only.

Tolerances are the spec's (cpu / paper where they differ). Reference values quoted in notes are
the spec's reference run (§4.2), not targets. A claim whose part was not run (``--parts``) is
written with status "not run" / "not checked".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim

TMS = "Elhage et al. 2022, Toy Models of Superposition"
NOT_RUN = "n/a (part not run)"


def _src(labels: str, where: str) -> str:
    return " ".join(f"[{x}]" for x in labels.split(",")) + f" {TMS}, {where}"


def _r(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def _claim(profile: str, part: Any, check_on=("cpu", "paper"), **fields) -> Claim:
    if part is None:
        fields.update(measured=NOT_RUN, theory=fields.get("theory", NOT_RUN), passed=False)
        check_on = ()
    return make_claim(profile=profile, check_on=check_on, **fields)


def _sparsity_claims(part: dict | None, profile: str) -> list[Claim]:
    inst = part["instances"] if part else []
    lin = [e for e in inst if not e["relu"]]
    relu = [e for e in inst if e["relu"]]
    out = []
    top_ok = [abs(e["frob2"] - 5) <= 0.3 and min(e["norms"][:5]) > 0.85
              and max(e["norms"][5:]) < 0.15 for e in lin]
    out.append(_claim(
        profile, part, id="toy_models.linear_top5",
        statement="A linear 20 → 5 model represents exactly the 5 most important features",
        source=_src("theory,paper", "'Demonstrating superposition'; projection optimum"),
        label="theory", paper="‖W‖_F^2 = 5; top-5 norms 1, rest 0", theory=5.0,
        measured={f"1−S={e['density']:g} s{e['seed']}": {
            "frob2": _r(e["frob2"]), "min top5": _r(min(e["norms"][:5])),
            "max rest": _r(max(e["norms"][5:]))} for e in lin},
        tolerance="every linear instance: ‖W‖_F^2 = 5 ± 0.3, top-5 norms > 0.85, others < 0.15 "
                  "(theory-based; provisional)",
        passed=bool(lin) and all(top_ok)))
    ratios = [e["expected_loss"] / e["theory_loss"] for e in lin]
    out.append(_claim(
        profile, part, id="toy_models.linear_loss_theory",
        statement="The linear model's loss equals Var(x) × Σ of the dropped importances",
        source=_src("theory", "tms_linear_optimal_loss"), label="theory", paper="n/a (theory)",
        theory={f"1−S={e['density']:g}": _r(e["theory_loss"]) for e in lin},
        measured={f"1−S={e['density']:g} s{e['seed']}": {
            "expected loss": _r(e["expected_loss"]), "ratio": _r(r),
            "Monte Carlo loss": _r(e["loss"]), "SE": _r(e["loss_se"], 2)}
            for e, r in zip(lin, ratios, strict=True)},
        tolerance="measured/theory ∈ [0.98, 1.10] for every linear instance (provisional; "
                  "AdamW wd 0.01 and constant lr leave a small excess)",
        passed=bool(lin) and all(0.98 <= r <= 1.10 for r in ratios),
        note="measured = exact expected loss of the trained W, b (closed form for a linear "
             "model: no sampling noise); the Monte Carlo evaluation loss is shown beside it (at "
             "1 − S = 0.001 its SE is several percent)."))

    def at(d_test) -> list[dict]:
        return [e for e in relu if d_test(e["density"])]

    dense = at(lambda d: d == 1.0)
    out.append(_claim(
        profile, part, id="toy_models.relu_dense", statement="A dense ReLU model stores 5 features",
        source=_src("paper", "'Demonstrating superposition'"), label="paper",
        paper="‖W‖_F^2 = 5", theory=5.0,
        measured=[_r(e["frob2"]) for e in dense],
        tolerance="1 − S = 1: ‖W‖_F^2 ∈ [4.5, 5.5] every seed (reference 5.00)",
        passed=bool(dense) and all(4.5 <= e["frob2"] <= 5.5 for e in dense)))
    mid = at(lambda d: abs(d - 0.1) < 1e-12)
    out.append(_claim(
        profile, part, id="toy_models.relu_intermediate",
        statement="Moderate sparsity adds features (ReLU 20 → 5)",
        source=_src("paper", "'Demonstrating superposition'"), label="paper",
        paper="≥ 8 features", theory="n/a (no closed form)",
        measured=[e["count"] for e in mid],
        tolerance="1 − S = 0.1: count(‖W_i‖ > 0.5) ≥ 8 every seed (reference 9)",
        passed=bool(mid) and all(e["count"] >= 8 for e in mid)))
    sparse = at(lambda d: d <= 0.003 + 1e-12)
    out.append(_claim(
        profile, part, id="toy_models.relu_sparse",
        statement="High sparsity: most features stored in superposition",
        source=_src("paper", "'Demonstrating superposition'"), label="paper",
        paper="many features", theory="n/a (no closed form)",
        measured={f"1−S={e['density']:g} s{e['seed']}": {"frob2": _r(e["frob2"]),
                                                          "count": e["count"]} for e in sparse},
        tolerance="1 − S ≤ 0.003: ‖W‖_F^2 ≥ 12 and count ≥ 11 every seed "
                  "(reference 15.0/14.8, 13/13)",
        passed=bool(sparse) and all(e["frob2"] >= 12 and e["count"] >= 11 for e in sparse)))
    dens = sorted({e["density"] for e in relu}, reverse=True)
    means = [float(np.mean([e["frob2"] for e in relu if e["density"] == d])) for d in dens]
    drops = [max(a - b, 0.0) for a, b in zip(means[:-1], means[1:], strict=True)]
    out.append(_claim(
        profile, part, id="toy_models.relu_monotone",
        statement="‖W‖_F^2 grows with sparsity (ReLU 20 → 5)",
        source=_src("paper", "'Demonstrating superposition'"), label="paper",
        paper="non-decreasing", theory="n/a (no closed form)",
        measured={"1/(1−S)": [_r(1 / d) for d in dens], "seed-mean ‖W‖_F^2": [_r(m) for m in means],
                  "largest drop": _r(max(drops, default=0.0))},
        tolerance="seed-mean ‖W‖_F^2 non-decreasing in 1/(1 − S) up to drops of 0.5 "
                  "(reference drop 0.2 at the end)",
        passed=len(means) >= 2 and max(drops) <= 0.5))
    return out


def _pentagon_claims(part: dict | None, profile: str) -> list[Claim]:
    inst = part["instances"] if part else []
    sparse = [e for e in inst if e["density"] <= 0.075]
    ok = [min(e["norms"]) > 0.8 and e["represented"] == 5
          and all(abs(g - 72.0) <= 10.0 for g in e["gaps"]) for e in sparse]
    need = 5 / 6 if profile == "paper" else 3 / 4
    out = [_claim(
        profile, part, id="toy_models.pentagon",
        statement="5 features in 2 dimensions form a regular pentagon when sparse",
        source=_src("paper,reconstructed", "introduction figure; sparsities from the notebook's "
                    "20^(−k/9) grid"), label="reconstructed",
        paper="all 5 represented, gaps 72°", theory=72.0,
        measured={f"k={e['k']} s{e['seed']}": {"min norm": _r(min(e["norms"]), 3),
                                              "gaps": [_r(g, 3) for g in e["gaps"]]}
                  for e in sparse},
        tolerance="runs with 1 − S ≤ 0.075 (k = 8, 9): all norms > 0.8 and every gap "
                  "72° ± 10° in ≥ 3 of 4 (cpu) / ≥ 5 of 6 (paper) runs (reference 71.0–72.7°)",
        passed=bool(sparse) and sum(ok) >= need * len(sparse) - 1e-9,
        note=f"{sum(ok)} of {len(sparse)} runs pass")]
    dense = [e for e in inst if e["density"] == 1.0]
    out.append(_claim(
        profile, part, id="toy_models.dense_orthogonal_pair",
        statement="A dense 5 → 2 model stores 2 orthogonal features",
        source=_src("paper", "introduction figure"), label="paper",
        paper="2 features at 90°", theory=90.0,
        measured=[{"represented": e["represented"], "angle": _r(e["pair_angle"], 4)}
                  for e in dense],
        tolerance="1 − S = 1: exactly 2 norms > 0.5, angle 90° ± 5°, every seed "
                  "(reference 89.7°)",
        passed=bool(dense) and all(e["represented"] == 2 and abs(e["pair_angle"] - 90) <= 5
                                   for e in dense)))
    return out


def _geometry_claims(part: dict | None, profile: str) -> list[Claim]:
    inst = part["instances"] if part else []
    src = _src("paper", "'Feature geometry' (dimensions per feature figure)")

    def at(k: int) -> list[dict]:
        return [e for e in inst if e["k"] == k]

    ks = sorted({e["k"] for e in inst})
    dstar = {k: float(np.mean([e["dstar"] for e in at(k)])) for k in ks}
    every = profile == "paper"
    d0 = at(0)
    out = [_claim(
        profile, part, id="toy_models.dstar_dense", statement="D* = 1 when dense",
        source=src, label="paper", paper="1", theory=1.0,
        measured=[_r(e["dstar"]) for e in d0],
        tolerance="D*(1 − S = 1) ∈ [0.95, 1.05] (reference 1.003; paper: every seed)",
        passed=bool(d0) and all(0.95 <= e["dstar"] <= 1.05 for e in d0))]
    in_band = [0.45 <= dstar[k] <= 0.55 for k in ks]
    run = best = 0
    for flag in in_band:
        run = run + 1 if flag else 0
        best = max(best, run)
    seed_runs = []
    if every:
        for s in sorted({e["seed"] for e in inst}):
            flags = [0.45 <= e["dstar"] <= 0.55 for e in sorted(inst, key=lambda e: e["k"])
                     if e["seed"] == s]
            r = b = 0
            for flag in flags:
                r = r + 1 if flag else 0
                b = max(b, r)
            seed_runs.append(b)
    out.append(_claim(
        profile, part, id="toy_models.dstar_plateau",
        statement="D* sticks at 1/2 (antipodal pairs)", source=src, label="paper",
        paper="plateau at 1/2", theory=0.5,
        measured={"k": ks, "D*": [_r(dstar[k], 3) for k in ks], "longest run": best},
        tolerance="≥ 3 consecutive grid points with D* ∈ [0.45, 0.55] (reference 4: k = 5–8; "
                  "paper: every seed)",
        passed=(min(seed_runs, default=0) >= 3) if every else best >= 3))
    d19 = at(19)
    out.append(_claim(
        profile, part, id="toy_models.dstar_sparse", statement="D* keeps falling at high sparsity",
        source=src, label="paper", paper="≈ 0.13–0.15 at 1/(1 − S) = 20", theory="n/a",
        measured=[_r(e["dstar"]) for e in d19],
        tolerance="D* at k = 19 (1/(1 − S) = 20) ∈ [0.10, 0.18] (reference 0.137)",
        passed=bool(d19) and all(0.10 <= e["dstar"] <= 0.18 for e in d19)))
    # D_i clusters: the instances rerun at the paper's batch when the curve used a smaller one.
    cluster = (part or {}).get("cluster_instances") or []
    d5 = [e for e in cluster if e["k"] == 5] or at(5)
    d10 = [e for e in cluster if e["k"] == 10] or at(10)

    def batch_note(k: int, counted: list[dict]) -> str:
        if not cluster:
            return ""
        field = "n_half" if k == 5 else "n_two_fifths"
        at_curve = ", ".join(f"{e[field]} of {e['n_alive']}" for e in at(k))
        curve_batch = at(k)[0].get("batch") if at(k) else None
        return (f"Counted on instances retrained at the paper's batch B = "
                f"{counted[0].get('batch') if counted else None} (cluster_k); the D* curve uses "
                f"B = {curve_batch}, which leaves unrepresented features at norms 0.1–0.2 after "
                f"10⁴ steps and dilutes the fraction (at B = {curve_batch}: {at_curve}).")

    out.append(_claim(
        profile, part, id="toy_models.di_half_cluster",
        statement="Per-feature dimensionality clusters at 1/2 on the plateau", source=src,
        label="paper", paper="D_i ≈ 1/2", theory=0.5,
        measured=[{"batch": e.get("batch"), "|D_i − 1/2| ≤ 0.05": e["n_half"],
                   "norm > 0.1": e["n_alive"],
                   "diagnostic: of norm > 0.5": [e["n_half_represented"], e["n_represented"]]}
                  for e in d5],
        tolerance="at k = 5 (1/(1 − S) = 2.2): ≥ 60 % of features with norm > 0.1 have "
                  "|D_i − 1/2| ≤ 0.05 (reference 38 features)",
        passed=bool(d5) and all(e["n_alive"] > 0 and e["n_half"] >= 0.6 * e["n_alive"]
                                for e in d5),
        note=batch_note(5, d5)))
    out.append(_claim(
        profile, part, id="toy_models.di_twofifths_cluster",
        statement="Pentagon-like 2/5 cluster at higher sparsity", source=src, label="paper",
        paper="D_i ≈ 2/5", theory=0.4,
        measured=[{"batch": e.get("batch"), "D_i ∈ [0.35, 0.45]": e["n_two_fifths"],
                   "norm > 0.1": e["n_alive"]} for e in d10],
        tolerance="at k = 10 (1/(1 − S) = 4.84): ≥ 50 % of features with norm > 0.1 have "
                  "D_i ∈ [0.35, 0.45] (reference 53 features)",
        passed=bool(d10) and all(e["n_alive"] > 0 and e["n_two_fifths"] >= 0.5 * e["n_alive"]
                                 for e in d10),
        note=batch_note(10, d10)))
    out.append(_claim(
        profile, part, id="toy_models.di_sparse",
        statement="No low-order geometry at 1/(1 − S) = 20", source=src, label="paper",
        paper="small D_i", theory="n/a", measured=[_r(e["max_di"], 3) for e in d19],
        tolerance="max D_i < 0.3 at k = 19", passed=bool(d19) and all(e["max_di"] < 0.3
                                                                      for e in d19)))
    return out


def _phase_claims(part: dict | None, profile: str) -> list[Claim]:
    src = _src("reconstructed,paper", "'Superposition as a phase change' (2 features, 1 dim); "
               "axis ranges, resolution and optimised candidates reconstructed")
    out = []
    if part:
        r, p = np.asarray(part["r"]), np.asarray(part["p"])
        lab = np.array([list(row) for row in part["analytic_labels"]])
        dense_ok = all(lab[k, j] == ("A" if r[j] < 1 else "B") for k in range(p.size)
                       if p[k] == 1.0 for j in range(r.size))
        sparse_cells = [(k, j) for k in range(p.size) for j in range(r.size)
                        if p[k] <= 0.05 and 0.5 <= r[j] <= 2]
        sparse_ok = bool(sparse_cells) and all(lab[k, j] == "C" for k, j in sparse_cells)
        measured = {"p = 1 row": part["analytic_labels"][0],
                    "cells p ≤ 0.05, 0.5 ≤ r ≤ 2": len(sparse_cells),
                    "of which C": int(sum(lab[k, j] == "C" for k, j in sparse_cells))}
    else:
        dense_ok = sparse_ok = False
        measured = NOT_RUN
    out.append(_claim(
        profile, part, id="toy_models.phase_limits",
        statement="Analytic phases in the limits: dense gives A (r < 1) or B (r > 1); sparse "
                  "gives C", source=src, label="reconstructed", paper="n/a (limits of the figure)",
        theory="A | B at p = 1; C at p ≤ 0.05, 0.5 ≤ r ≤ 2", measured=measured,
        tolerance="every cell with p = 1 labelled A (r < 1) or B (r > 1); every cell with "
                  "p ≤ 0.05 and 0.5 ≤ r ≤ 2 labelled C",
        passed=dense_ok and sparse_ok))
    lo, lo_int = (0.90, 0.97) if profile == "paper" else (0.85, 0.95)
    agree = part["agreement"] if part else 0.0
    inner = part["interior_agreement"] if part else 0.0
    out.append(_claim(
        profile, part, id="toy_models.phase_agreement",
        statement="Trained and analytic 2 → 1 phase diagrams agree", source=src,
        label="reconstructed", paper="'theory matches' (qualitative)",
        theory=part["analytic_labels"] if part else NOT_RUN,
        measured={"agreement": _r(agree, 3), "interior agreement": _r(inner, 3),
                  "cells": part["n_cells"], "interior cells": part["n_interior"],
                  "trained": part["trained_labels"]} if part else NOT_RUN,
        tolerance=f"≥ {lo:.2f} of all cells and ≥ {lo_int:.2f} of interior cells (cpu 0.85/0.95, "
                  "paper 0.90/0.97; provisional)",
        passed=agree >= lo and inner >= lo_int,
        note=f"Trained: best of K = {part.get('inits', '?') if part else 'n/a'} inits per cell "
             "by the exact loss (cpu uses 4, the spec table 2: with 2, every disagreeing cell "
             "was a local minimum of the trained loss); weight decay 0 (suite "
             "choice). Analytic: scipy L-BFGS-B on the exact loss from 4 starts. Cells where "
             "every trained init ends > 1e-4 above the analytic loss (optimisation stuck in a "
             f"local minimum, not a theory mismatch): "
             f"{part['cells_trained_worse'] if part else 'n/a'}."))
    return out


def make_claims(config, metrics: dict[str, Any], arrays, profile: str) -> list[Claim]:
    """Every claim of spec §6.2, in the spec's order."""
    return (_sparsity_claims(metrics.get("sparsity"), profile)
            + _pentagon_claims(metrics.get("pentagon"), profile)
            + _geometry_claims(metrics.get("geometry"), profile)
            + _phase_claims(metrics.get("phase"), profile))
