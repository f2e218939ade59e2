"""Claims of ``phase_diagram``. They read metrics only.

Only converged cells (every seed converged) enter a claim; capped cells are named in the notes.
Metrics arrive JSON-converted (non-finite numbers as strings), so values pass through
``as_float``. Three claims of the pillar's table are checked on the paper profile only: at cpu
size T_opt is too flat to fit and the harmful side of the noise is not resolved.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, rounded
from experiments.common.results import as_float
from experiments.sgd_noise.shared import provenance
from experiments.sgd_noise.shared.provenance import tagged_claim
from theory import sgd_noise as theory

PAPER_ONLY = ("paper",)
# The best of nine α values is tested, so z ≥ 2 would pass by chance about one time in five
# without any effect; z ≥ 3 (the paper profile's threshold) is used on every profile.
HELPS_Z = 3.0


def _capped_note(metrics: dict[str, Any]) -> str:
    state = np.asarray(metrics["cell_state"])
    a, t = metrics["log2_alphas"], metrics["log2_temperatures"]
    cells = [f"(2^{a[i]}, 2^{t[j]})" for i, j in zip(*np.nonzero(state == 1), strict=True)]
    counts = metrics["lane_counts"]
    head = (f"lanes: {counts['converged']} converged, {counts['capped']} capped, "
            f"{counts['diverged']} diverged (excluded), {counts['skipped']} skipped")
    return head + (f"; capped cells (α, T), excluded from claims: {', '.join(cells)}"
                   if cells else "; no capped cell")


def _claim(profile: str, cid: str, tag: str, where: str, **fields: Any) -> Claim:
    return tagged_claim("phase_diagram", profile, cid, tag, where, **fields)


def _weight_change(metrics: dict, profile: str) -> Claim:
    col = metrics["weight_change_column"]
    alphas, rel = np.asarray(col["alphas"]), np.asarray(col["rel"])
    steps = rel[1:] / rel[:-1] if rel.size > 1 else np.array([math.inf])
    lo = rel[0] if rel.size and alphas[0] == 2.0**-6 else float("nan")
    hi = rel[-1] if rel.size and alphas[-1] == 2.0**13 else float("nan")
    passed = bool(np.all(steps <= 1.1)) and lo >= 0.5 and hi <= 0.01
    return _claim(
        profile, "lazy_rich_weight_change", "paper-abstract", provenance.PAPER + ", abstract",
        kind="qualitative",
        statement="At small T the relative weight change falls from O(1) to ≪ 1 as α grows",
        expected="monotone fall in α", measured=rounded(float(np.max(steps)), 3),
        context=(f"largest step ratio; rel {format_number(lo, 3)} at α = 2^-6 → "
                 f"{format_number(hi, 3)} at 2^13"),
        tolerance="every step rel(α_{i+1}) ≤ 1.1 rel(α_i); rel(2^-6) ≥ 0.5; rel(2^13) ≤ 0.01",
        tolerance_source="monotone trend, 10 % slack for seed scatter",
        passed=passed, reason="the weight change does not fall monotonically from O(1) to ≪ 1",
        note="T = 2^-10; geometric mean over seeds of ‖w − w0‖/‖w0‖; " + _capped_note(metrics),
        details={"rel per α": {f"α=2^{int(np.log2(a))}": rounded(r, 3)
                               for a, r in zip(alphas, rel, strict=True)},
                 "paper": "qualitative (lazy α ≫ 1 vs rich α ≪ 1)"})


def _edge(metrics: dict, profile: str) -> Claim:
    edge = metrics["divergence_edge"]
    t_max = [as_float(v) for v in edge["T_max"]]
    # Right-censored rows (nothing diverged) sit above every finite edge.
    seq = [v if c != "right" else math.inf for v, c in zip(t_max, edge["censoring"],
                                                            strict=True) if c != "left"]
    monotone = all(b >= a for a, b in zip(seq[:-1], seq[1:], strict=True)) and len(seq) > 1
    k = as_float(edge["k_max"])
    lo, hi = (0.47, 0.87) if profile == "paper" else (0.33, 1.0)
    k_theory = float(theory.topt_exponent(5))
    return _claim(
        profile, "divergence_edge", "reconstructed,authors-APS",
        "from the scaling argument of " + provenance.APS, kind="quantitative",
        statement="The largest stable T grows with α in the rich regime with slope k = 2/3",
        expected=rounded(k_theory), measured=rounded(k),
        interval=[rounded(v) for v in edge["k_max_interval"]],
        interval_kind="95% bootstrap over seeds",
        context="T_max non-decreasing" if monotone else "T_max not monotone",
        tolerance=f"T_max non-decreasing in α; k_max ∈ [{lo}, {hi}]",
        tolerance_source="resolution of the factor-4 T grid (± 0.2)",
        passed=monotone and lo <= k <= hi,
        reason="T_max is not monotone in α" if not monotone else "k_max is off 2/3",
        note="k = (D−1)/(D+1) with D = 5; k_max = slope of log2 T_max vs log2 α over α ≤ 1 "
             "rows with an uncensored edge; T_max = geometric mean of the last all-stable T "
             "and the first T where a seed diverged. " + _capped_note(metrics),
        details={"log2 T_max per α": [rounded(math.log2(v)) if math.isfinite(v) else c
                                      for v, c in zip(t_max, edge["censoring"], strict=True)],
                 "paper": "k = (D−1)/(D+1) for T_opt (APS abstract)"})


def _lazy(metrics: dict, profile: str) -> Claim:
    lazy = metrics["lazy_independence"]
    rows = lazy["rows"]
    lo_r, hi_r, tol_e = (0.85, 1.2, 0.01) if profile == "paper" else (0.8, 1.3, 0.015)
    passed = bool(rows) and all(lo_r <= r["rel_ratio"] <= hi_r and abs(r["err_diff"]) <= tol_e
                                for r in rows)
    worst = max(rows, key=lambda r: abs(r["rel_ratio"] - 1.0)) if rows else None
    worst_err = max((abs(r["err_diff"]) for r in rows), default=math.nan)
    return _claim(
        profile, "lazy_alpha_independence", "reconstructed",
        "perceptron symmetry applied to NTK features", kind="finite-size",
        statement="For α ≫ 1 and α·T ≫ 1 the results depend on T only (α = 2^10 vs 2^13)",
        expected="ratio 1, Δerr 0", measured=rounded(worst["rel_ratio"]) if worst else None,
        context=(f"worst rel ratio, T = 2^{int(np.log2(worst['T']))}; max |Δerr| "
                 f"{format_number(worst_err, 2)}") if worst else "",
        tolerance=f"rel(2^10)/rel(2^13) ∈ [{lo_r}, {hi_r}], |Δerr| ≤ {tol_e}, every T ≥ 2^-6",
        tolerance_source="finite-α allowance; |Δerr| ≈ 3 paired SE",
        passed=passed, reason="the two lazy rows differ beyond the allowance",
        note=("rows α = 2^10 vs 2^13; " if lazy["present"] else
              "α = 2^10 or 2^13 not in this grid; ") + _capped_note(metrics),
        details={f"T=2^{int(np.log2(r['T']))}": {"rel ratio": rounded(r["rel_ratio"]),
                                                 "Δerr": rounded(r["err_diff"], 3),
                                                 "SE of Δerr": rounded(r["err_diff_se"], 2)}
                 for r in rows})


def _best_noise(metrics: dict) -> tuple[int | None, dict | None]:
    best, row = None, None
    for i, r in enumerate(metrics["noise_effect"]):
        if r["delta_best"] is None or not math.isfinite(as_float(r["z"])):
            continue
        if row is None or r["delta_best"] > row["delta_best"]:
            best, row = i, r
    return best, row


def _helps(metrics: dict, profile: str) -> Claim:
    i, row = _best_noise(metrics)
    d_min = 0.01 if profile == "paper" else 0.015
    z = as_float(row["z"]) if row else math.nan
    passed = row is not None and row["delta_best"] >= d_min and z >= HELPS_Z
    per_alpha = {f"α=2^{a}": rounded(r["delta_best"], 3) for a, r in
                 zip(metrics["log2_alphas"], metrics["noise_effect"], strict=True)
                 if r["delta_best"] is not None}
    delta = as_float(row["delta_best"]) if row else math.nan
    return _claim(
        profile, "noise_helps_somewhere", "paper-abstract",
        provenance.PAPER + ", abstract (noise can be useful)", kind="qualitative",
        statement="At some α a larger T lowers the test error",
        expected="Δ_best > 0", measured=rounded(delta, 3),
        interval=rounded(row.get("interval"), 3) if row else None,
        interval_kind="± 1.96 paired seed SE",
        context=f"at α = 2^{metrics['log2_alphas'][i]}, z {format_number(z, 3)}" if row else "",
        tolerance=f"max_α Δ_best ≥ {d_min} with paired z ≥ {HELPS_Z:g}",
        tolerance_source="paired seed SE; z ≥ 3 for the best of 9 α",
        passed=passed, reason="no α shows a significant gain from noise",
        note="Δ_best(α) = err(T_lo) − min_T err over converged cells, paired over seeds; "
             + _capped_note(metrics),
        details={"Δ_best per α": per_alpha, "paper": "qualitative"})


def _paper_only(metrics: dict, profile: str) -> list[Claim]:
    rows = metrics["noise_effect"]
    hurt = max((r.get("hurt", 0.0) for r in rows if r["delta_best"] is not None), default=0.0)
    hurt_z = max((r.get("hurt_z", 0.0) for r in rows if r["delta_best"] is not None
                  and r.get("hurt", 0.0) == hurt), default=0.0)
    slope = metrics["topt_slope"]
    lazy_row, rich_row = rows[-1], rows[0]
    lazy_delta = None if lazy_row["delta_best"] is None else -lazy_row["delta_best"]
    err = np.asarray(metrics["err_mean"], float)
    state = np.asarray(metrics["cell_state"])
    rich = None
    if rich_row["T_lo"] is not None and lazy_row["T_lo"] is not None:
        j_rich = metrics["log2_temperatures"].index(int(round(math.log2(rich_row["T_lo"]))))
        j_lazy = metrics["log2_temperatures"].index(int(round(math.log2(lazy_row["T_lo"]))))
        if state[0, j_rich] == 0:
            rich = float(err[0, j_rich] - err[-1, j_lazy])
    why = "not resolved at cpu size (differences below the seed scatter); paper profile only"
    return [
        _claim(profile, "noise_hurts_somewhere", "paper-abstract", provenance.PAPER + ", abstract",
               check_on=PAPER_ONLY, not_run=why if profile != "paper" else "",
               kind="qualitative", statement="At some α a larger stable T raises the test error",
               expected="> 0", measured=rounded(hurt, 3), context=f"paired z {rounded(hurt_z, 3)}",
               tolerance="some α with err(T) − min err ≥ 0.01, z ≥ 3, at a non-divergent T",
               tolerance_source="paired seed SE", passed=hurt >= 0.01 and hurt_z >= 3,
               reason="no α shows a significant harm from noise"),
        _claim(profile, "topt_exponent", "authors-APS", provenance.APS, check_on=PAPER_ONLY,
               not_run=("T_opt is too flat to fit at cpu size (0.5 % between adjacent T); "
                        "paper profile only") if profile != "paper" else "",
               kind="quantitative", statement="T_opt ∝ α^k with k = 2/3 for α ≪ 1",
               expected=rounded(theory.topt_exponent(5)), measured=rounded(slope),
               tolerance="slope of log T_opt vs log α over α ≤ 2^-2 ∈ [0.47, 0.87]",
               tolerance_source="grid resolution of the paper's T grid",
               passed=slope is not None and 0.47 <= slope <= 0.87,
               reason="the T_opt slope is off 2/3", details={"paper": "k = (D−1)/(D+1)"}),
        _claim(profile, "opposite_effects", "paper-abstract",
               provenance.PAPER + ", abstract; sign on MNIST-1D unknown", check_on=PAPER_ONLY,
               not_run=("needs the paper grid's seeds for a z-test of both signs; paper "
                        "profile only") if profile != "paper" else "",
               kind="qualitative",
               statement="Leaving the lazy regime by smaller α or by larger T moves the error "
                         "in opposite directions",
               expected="opposite signs", measured=rounded(rich, 3),
               context=f"lazy-row noise effect {rounded(lazy_delta, 3)}",
               tolerance="the two signs differ, z ≥ 2", tolerance_source="paired seed SE",
               passed=(rich is not None and lazy_delta is not None
                       and np.sign(rich) != np.sign(lazy_delta)),
               reason="both changes move the error the same way (an honest stand-in result)"),
    ]


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """The phase-diagram claims of the pillar's claims table."""
    return [_weight_change(metrics, profile), _edge(metrics, profile), _lazy(metrics, profile),
            _helps(metrics, profile), *_paper_only(metrics, profile)]
