"""Claims of the ``synergy`` experiment (ids synergy.*) and the pillar's reference values.

Claims read metrics only. The reference values below (``SPEC_*``) were computed by this project
from the same formulas, not taken from the paper; where a claim's only target is such a table
(demo, context window) it is a ``regression`` check, shown but not counted as validation. Where a
reference cell count only guards that the grid is the reference grid, it stays part of the
verdict of a validation claim and is named as such. The references hold for the reference
settings only: when a run changes a knob they depend on, the reference part is reported as not
applicable (counts) or the claim as "not run" (demo and context-window tables), never silently
compared.
"""

from __future__ import annotations

import math

from experiments.common.claims import Claim, make_claim, rounded
from experiments.common.config import Config
from experiments.majority_tree.shared.provenance import PAPER_VALUE_NONE, source


def _grid(start: int, stop: int, step: int, scale: int = 100) -> list[float]:
    return [i / scale for i in range(start, stop + 1, step)]


# Spec §3.2 grids (the cpu profile uses exactly these).
SPEC_FIT_GRID = {"fit_fanins": [3, 5, 7, 9, 11, 13, 15], "fit_gammas": _grid(30, 100, 5),
                 "fit_rhos": _grid(0, 95, 5), "fit_mu0s": [0.001, 0.02], "fit_alpha_min": 1.05,
                 "fit_margin": 3, "fit_min_levels": 3}
SPEC_MAP_GRID = {"map_fanins": [3, 5, 7, 9, 15], "map_gammas": _grid(60, 100, 10),
                 "map_rhos": [0.0, 0.2, 0.4], "map_m": [100.0], "kappa": 0.001,
                 "betas": _grid(2, 50, 2), "budget_decade_min": 2, "budget_decade_max": 10,
                 "budget_points_per_decade": 100, "synergy_margin": 0.005,
                 "alloc_budget_decade": 8, "alloc_margin": 0.02, "alloc_max_bias": 0.2}
SPEC_FIT = {0.001: {"cells": 1028, "max_abs_error": 0.0015, "tolerance": 0.002},
            0.02: {"cells": 842, "max_abs_error": 0.0044, "tolerance": 0.005}}
SPEC_CELLS_S_LE_BETA, SPEC_CELLS_ABOVE, SPEC_ALLOC_CELLS = 973, 731, 548
SPEC_ONSET = {"3": [1.02, 2.41], "5": [1.17, 4.07], "7": [1.35, 5.71], "9": [1.54, 7.39],
              "15": [2.10, 12.4]}
SPEC_LOG_B_R = {"3": [-0.40, 0.58], "5": [-0.27, 0.78], "7": [-0.38, 0.64], "9": [-0.17, 0.90],
                "15": [-0.06, 0.80]}
# Demo (spec §3.2d): β -> (x*, B_th, B_on approx, B_on exact, p_single, best L, p_best); None =
# s < β (x*, B_th infinite, no onset, the tree loses at B = 1e8).
SPEC_DEMO_SETTING = {"demo_fanin": 3, "demo_gamma": 0.9, "demo_rho": 0.2, "demo_m": 100.0,
                     "kappa": 0.001, "alloc_budget_decade": 8}
SPEC_DEMO = {0.05: (93.5, 616.0, 933.0, 631.0, 0.5013, 11, 0.5084),
             0.10: (271.8, 1122.0, 1288.0, 871.0, 0.5032, 11, 0.5111),
             0.15: (745.4, 2423.0, 2570.0, 1698.0, 0.5079, 10, 0.5149),
             0.20: (5788.0, 1.614e4, 1.66e4, 1.096e4, 0.5199, 9, 0.5218),
             0.25: (None, None, None, None, 0.5500, None, None),
             0.30: (None, None, None, None, 0.6256, None, None)}
# Context window (spec §3.2e): m -> (⌊W/m⌋, b, γ, α, s, c0).
SPEC_WINDOW_SETTING = {"window": 4096, "cw_rho": 0.2, "m0": 300.0, "fidelity_family": "exp",
                       "cw_fanin_cap": 15, "cw_beta": 0.15}
SPEC_WINDOW = {256: (16, 15, 0.574, 1.558, 0.164, 549.0), 300: (13, 13, 0.632, 1.609, 0.186, 650.0),
               400: (10, 9, 0.736, 1.597, 0.213, 900.0), 512: (8, 7, 0.819, 1.596, 0.240, 1195.0),
               600: (6, 5, 0.865, 1.470, 0.239, 1500.0), 819: (5, 5, 0.935, 1.589, 0.288, 2048.0),
               1000: (4, 3, 0.964, 1.350, 0.273, 3000.0),
               1365: (3, 3, 0.989, 1.385, 0.297, 4095.0)}
SPEC_WINDOW_EXTRA = {"argmax_alpha_m": 455, "argmax_alpha_b": 9, "argmax_alpha": 1.6928,
                     "argmax_alpha_s": 0.2396, "min_B_th": 5997.0, "argmax_s_m": 1365,
                     "max_s": 0.2966, "m_c": 138, "alpha_at_100": 0.769}


def _matches(config: Config, reference: dict) -> list[str]:
    """Fields of ``config`` that differ from the reference settings (empty: reference applies)."""
    return [k for k, v in reference.items() if config[k] != v]


def _claim(profile: str, short: str, statement: str, labels: str, where: str, *,
           details: dict | None = None, **fields) -> Claim:
    return make_claim(profile=profile, id=f"synergy.{short}", statement=statement,
                      source=source(labels, where), label=labels.split(",")[0].strip(),
                      details={"paper": PAPER_VALUE_NONE, **(details or {})}, **fields)


def _table_claim(profile: str, short: str, statement: str, labels: str, where: str, *,
                 applies: bool, setting: str, changed: list[str], fallback: str,
                 problems: list[str], **fields) -> Claim:
    """A regression claim against a reference table this project computed from the same
    formulas: it counts the mismatches, and is not run where the run left ``setting``."""
    return _claim(
        profile, short, statement, labels, where, kind="regression",
        not_run="" if applies else (
            f"the run changed the {setting} ({', '.join(changed) or fallback}), so the "
            "reference table does not apply"),
        measured=len(problems), tolerance_source="printed precision of the reference table",
        passed=bool(not problems), reason="mismatches: " + ", ".join(problems), **fields)


def make_claims(config: Config, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """The eight synergy.* claims."""
    return [_exponent_fit(config, metrics, profile), *_map_claims(config, metrics, profile),
            *_allocation_claims(config, metrics, profile), _demo(config, metrics, profile),
            _window(config, metrics, profile)]


def _exponent_fit(config: Config, metrics: dict, profile: str) -> Claim:
    rows = metrics["exponent_fit"]
    spec_grid = not _matches(config, SPEC_FIT_GRID)
    ok, problems = bool(rows) and all(r["cells"] > 0 for r in rows), []
    worst, worst_ratio = None, -1.0
    for r in rows:
        if r["max_signed_error"] > 1e-12:
            problems.append(f"ŝ > s at μ0 = {r['mu0']:g}")
        ref = SPEC_FIT.get(r["mu0"])
        if ref is not None and r["max_abs_error"] > ref["tolerance"]:
            problems.append(f"|ŝ − s| > {ref['tolerance']} at μ0 = {r['mu0']:g}")
        # Worst row relative to its allowance (rows without one only by their raw size).
        ratio = r["max_abs_error"] / (ref["tolerance"] if ref else 1.0)
        if ratio > worst_ratio:
            worst, worst_ratio = r, ratio
        if ref is not None and spec_grid and r["cells"] != ref["cells"]:
            problems.append(f"{r['cells']} cells at μ0 = {r['mu0']:g}, reference {ref['cells']}")
    ok &= not problems
    others = "; ".join(f"μ0 = {r['mu0']:g}: {rounded(r['max_abs_error'], 3)}" for r in rows
                       if r is not worst)
    return _claim(
        profile, "exponent_fit",
        "In the growth regime ln μ_L rises with slope s = log_b α_ρ per ln N, and the fitted slope "
        "never exceeds s",
        "summary", "§4 (s predicts small-signal growth)", kind="finite-size",
        expected="0 as μ0 → 0 (ŝ − s ≤ 0)",
        measured=rounded(worst["max_abs_error"]) if worst else None,
        context=(f"max |ŝ − s|, μ0 = {worst['mu0']:g} ({worst['cells']} cells); {others}; "
                 f"max ŝ − s = {max(r['max_signed_error'] for r in rows):.1e}") if worst else "",
        tolerance="max |ŝ − s| ≤ 0.002 (μ0 = 1e−3), ≤ 0.005 (μ0 = 0.02); ŝ ≤ s + 1e−12; "
                  "reference grid: 1028 / 842 cells",
        tolerance_source="finite-μ0 curvature allowance (g concave)",
        passed=bool(ok), reason="; ".join(problems) or "no qualifying cell",
        note="OLS with intercept of ln μ_L on L·ln b over L = 0…⌊L_mix − 3⌋ (exact recursion), "
             "cells α ≥ 1.05 with μ* > μ0. g(μ) ≤ αμ makes ŝ ≤ s exact; the size of ŝ − s is "
             "the finite-μ0 curvature."
             + ("" if spec_grid else " The grid differs from the reference grid, so cell "
                "counts are not compared."),
        details={f"μ0={r['mu0']:g}": {k: r[k] for k in ("cells", "max_abs_error",
                                                         "max_signed_error", "s_range",
                                                         "levels_range") if k in r}
                 for r in rows} | {"reference": {f"μ0={k:g}": v for k, v in SPEC_FIT.items()}})


def _map_claims(config: Config, metrics: dict, profile: str) -> list[Claim]:
    mp = metrics["map"]
    spec_grid = not _matches(config, SPEC_MAP_GRID)
    budget = f"{mp['budget_max']:.0e}"
    below_ok = mp["wins_s_le_beta"] == 0 and mp["cells_s_le_beta"] > 0
    above_ok = mp["cells_above_margin_won"] == mp["cells_above_margin"] > 0
    below_count = above_count = True
    if spec_grid:
        below_count = mp["cells_s_le_beta"] == SPEC_CELLS_S_LE_BETA
        above_count = mp["cells_above_margin"] == SPEC_CELLS_ABOVE
    onset = {b: v["onset_over_threshold"] for b, v in mp["onset_by_fanin"].items()}
    violations = sum(v["bracket_violations"] for v in mp["onset_by_fanin"].values())
    lows = {b: v[0] for b, v in onset.items() if v}
    highs = {b: v[1] / int(b) for b, v in onset.items() if v}
    low_b = min(lows, key=lows.get) if lows else None
    high_b = max(highs, key=highs.get) if highs else None
    differ = [f"b = {b}: {[round(x, 3) for x in onset[b]]} vs reference {ref}"
              for b, ref in SPEC_ONSET.items()
              if b in onset and onset[b] and any(abs(x - r) > 0.006 * r
                                                 for x, r in zip(onset[b], ref, strict=True))]
    above = {b: [round(x, 3) for x in v["onset_over_threshold_above_margin"]]
             for b, v in mp["onset_by_fanin"].items()}
    bracket_note = ("B_on/B_th ranges over all winning cells are in the details. "
                    f"Restricted to s − β ≥ {mp['margin']}: {above}. ")
    if differ and spec_grid:
        bracket_note += (
            "Endpoints that differ from the reference ranges beyond their rounding: "
            + "; ".join(differ) + ". Low ends: near-tie cells (s − β < 0.005) whose first win "
            "has a relative margin of ~1e−5; the reference minima are what one gets if those "
            "first wins come one grid step later. High ends: the γ = 1, ρ = 0, β = 0.02 cell, "
            "where B_on is the first grid point above b·c0 (the smallest budget at which a "
            "depth-1 tree has x > 0); the reference 2.41 (b = 3) and 5.71 (b = 7) could not be "
            "reproduced from B_on and the closed-form B_th. The tolerance holds in every cell.")
    grid_text = "" if spec_grid else " The map grid differs from the reference grid, so cell " \
        "counts are not compared."
    return [
        _claim(profile, "no_synergy_below",
               "If s ≤ β, no tree beats the best single agent at any budget", "summary",
               "§4, Thm 5 (synergy exactly when s > β)", kind="qualitative",
               expected=0, measured=mp["wins_s_le_beta"],
               context=f"wins in {mp['cells_s_le_beta']} cells with s ≤ β, B = 1e2…{budget}",
               tolerance=f"0 wins at any budget ({SPEC_CELLS_S_LE_BETA} cells on the reference "
                         "grid)",
               tolerance_source="exact recursion; a single win fails",
               passed=bool(below_ok and below_count),
               reason=(f"{mp['cells_with_win_s_le_beta']} cells with s ≤ β have a tree win"
                       if not below_ok else f"{mp['cells_s_le_beta']} cells with s ≤ β, "
                       f"reference {SPEC_CELLS_S_LE_BETA}"),
               note="Best tree over depths L = 1…L_max (approx accounting B = N(x + c0)), bias "
                    "clipped at 1 (rounding guard)." + grid_text,
               details={"cells with s ≤ β": mp["cells_s_le_beta"],
                        "cells with a win": mp["cells_with_win_s_le_beta"],
                        "wins": mp["wins_s_le_beta"], "budget max": mp["budget_max"],
                        "reference cells": SPEC_CELLS_S_LE_BETA}),
        _claim(profile, "synergy_above", "If s > β, some budget gives synergy", "summary",
               "§4, Thm 5", kind="qualitative",
               expected="every cell wins at some B", measured=mp["cells_above_margin_won"],
               context=f"of {mp['cells_above_margin']} cells with s − β ≥ {mp['margin']} win "
                       f"({mp['cells_won']} win in all)",
               tolerance=f"all cells with s − β ≥ {mp['margin']} win at some B ≤ {budget} "
                         f"({SPEC_CELLS_ABOVE} on the reference grid)",
               tolerance_source="exact recursion; the margin leaves out near-ties",
               passed=bool(above_ok and above_count),
               reason=(f"{mp['cells_above_margin'] - mp['cells_above_margin_won']} cells with "
                       "s − β above the margin never win" if not above_ok else
                       f"{mp['cells_above_margin']} cells above the margin, reference "
                       f"{SPEC_CELLS_ABOVE}"),
               note="Near s = β synergy is fragile (curvature of g): a cell may win only in an "
                    "intermediate budget range, hence the margin." + grid_text,
               details={"cells with s − β ≥ margin": mp["cells_above_margin"],
                        "of which win": mp["cells_above_margin_won"], "margin": mp["margin"],
                        "cells that win (any s − β)": mp["cells_won"],
                        "reference cells": SPEC_CELLS_ABOVE}),
        _claim(profile, "threshold_bracket",
               "The onset budget B_on respects the closed-form threshold B_th up to "
               "power-of-b discreteness", "reconstructed,abstract",
               "§4–5 (explicit budget thresholds); B_th reconstructed", kind="quantitative",
               expected="1 ≤ B_on/B_th ≤ 1.03·b",
               measured=rounded(lows[low_b]) if lows else None,
               context=(f"min B_on/B_th (b = {low_b}); max B_on/(b·B_th) {highs[high_b]:.3f} "
                        f"(b = {high_b}); {violations} violations") if lows else "",
               tolerance="B_th ≤ B_on ≤ 1.03·b·B_th in every cell with a win",
               tolerance_source="depth grid (factor b) and budget grid step",
               passed=bool(violations == 0 and any(onset.values())),
               reason=f"{violations} winning cells fall outside the bracket" if violations else
               "no winning cell",
               note="B_th = c0·s/(s−β)·(s/β)^(β/(s−β)) under approx accounting. Concavity of g "
                    "makes B_on ≥ B_th a bound; integer depth can delay the onset by up to a "
                    "factor b. " + bracket_note,
               details={"B_on/B_th range per b": onset,
                        "B_on/B_th range per b, s − β ≥ margin": above,
                        "violations": violations,
                        "reference B_on/B_th ranges": SPEC_ONSET}),
    ]


def _allocation_claims(config: Config, metrics: dict, profile: str) -> list[Claim]:
    cont, integer = metrics["allocation"]["continuous"], metrics["allocation"]["integer"]
    spec_grid = not _matches(config, SPEC_MAP_GRID)
    by_b = {b: v["log_b_r"] for b, v in integer["by_fanin"].items()}
    worst_b = max(by_b, key=lambda b: max(abs(x) for x in by_b[b])) if by_b else None
    worst = max(abs(x) for x in integer["log_b_r"]) if integer["cells"] else None
    int_ok = integer["cells"] > 0 and worst is not None and worst <= 1.0
    count_ok = not spec_grid or integer["cells"] == SPEC_ALLOC_CELLS
    return [
        _claim(profile, "allocation_continuous",
               "The optimal per-leaf compute is x* = β·c0/(s − β), independent of B", "summary",
               "§5, Thm 9", kind="identity", expected=0.0,
               measured=cont["max_relative_error"],
               context=f"max relative error of the numerical argmax, {cont['cells']} cells",
               tolerance="golden-section argmax of J(x) = s·ln N(x) + β·ln x equals x* to "
                         "relative 1e−6 wherever s > β",
               tolerance_source="golden-section bracket 1e−10; numerical precision",
               passed=bool(cont["cells"] > 0 and cont["max_relative_error"] <= 1e-6),
               reason="the numerical optimum differs from x* = β·c0/(s − β)",
               note="Search on ln x ∈ [ln 1e−3, ln 1e12]. J is compared through its "
                    "cancellation-free difference; B and the accounting drop out of it exactly, "
                    "which is the B-independence.",
               details={"cells": cont["cells"], "x* range": cont["x_star_range"],
                        "max relative error": cont["max_relative_error"]}),
        _claim(profile, "allocation_integer",
               "With integer depth, the best design's x + c0 lies within a factor b of x* + c0",
               "reconstructed", "§5 (allocation with integer depth)", kind="quantitative",
               expected="|log_b r| ≤ 1 (r = 1 for continuous N)",
               measured=rounded(worst) if worst is not None else None,
               context=(f"max |log_b r| (b = {worst_b}); {integer['cells']} cells, range "
                        f"[{integer['log_b_r'][0]:.2f}, {integer['log_b_r'][1]:.2f}]")
               if worst is not None else "",
               tolerance=f"|log_b r| ≤ 1 in every cell at B = {integer['budget']:.0e} with "
                         f"s − β ≥ 0.02, a win and bias < 0.2 ({SPEC_ALLOC_CELLS} reference cells)",
               tolerance_source="integer depth: N only on powers of b",
               passed=bool(int_ok and count_ok),
               reason=("the best integer design is more than a factor b from x*" if not int_ok
                       else f"{integer['cells']} cells, reference {SPEC_ALLOC_CELLS}"),
               note="r = (x_best + c0)/(x* + c0)."
               + ("" if spec_grid else " The grid differs from the reference grid, so the "
                  "cell count is not compared."),
               details={"cells": integer["cells"], "log_b r range": integer["log_b_r"],
                        "log_b r range per b": by_b, "reference cells": SPEC_ALLOC_CELLS,
                        "reference log_b r ranges": SPEC_LOG_B_R}),
    ]


def _num(value) -> float:
    """A metrics number; metrics.json stores infinities as the strings "inf"/"-inf"."""
    return float(value)


def _close(value, ref: float, rel: float) -> bool:
    value = _num(value)
    return math.isfinite(value) and abs(value / ref - 1.0) <= rel


_DEMO_FIELDS = ("x_star", "B_th", "B_on_approx", "B_on_exact", "p_single", "best_depth",
                "p_best_tree")


def _demo(config: Config, metrics: dict, profile: str) -> Claim:
    demo = metrics["demo"]
    changed = _matches(config, SPEC_DEMO_SETTING)
    grid_ok = (config.budget_decade_min <= 2 and config.budget_decade_max >= 10
               and config.budget_points_per_decade % 100 == 0)
    rows = {round(r["beta"], 6): r for r in demo["rows"]}
    step = 0.01 + 1e-3  # one step of the reference grid (0.01 decade), plus rounding
    problems = []
    for beta, ref in SPEC_DEMO.items():
        r = rows.get(beta)
        if r is None:
            problems.append(f"β = {beta} not computed")
            continue
        x_ref, th_ref, on_ref, ex_ref, p1_ref, l_ref, p_ref = ref
        good = abs(r["p_single"] - p1_ref) <= 1e-4
        if x_ref is None:
            good &= (not math.isfinite(_num(r["x_star"])) and not math.isfinite(_num(r["B_th"]))
                     and not math.isfinite(_num(r["B_on_approx"])) and not r["tree_wins"])
        else:
            good &= _close(r["x_star"], x_ref, 0.005) and _close(r["B_th"], th_ref, 0.005)
            for key, on in (("B_on_approx", on_ref), ("B_on_exact", ex_ref)):
                value = _num(r[key])
                good &= math.isfinite(value) and abs(math.log10(value / on)) <= step
            good &= r["best_depth"] == l_ref and abs(r["p_best_tree"] - p_ref) <= 1e-4
        if not good:
            problems.append(f"β = {beta}")
    frag = demo["fragile"]
    fragile_ok = frag["wins_somewhere"] and not frag["wins_at_late_budget"]
    if not fragile_ok:
        problems.append(f"β = {frag['beta']} is not fragile")
    applies = not changed and grid_ok
    note = (f"α = {demo['alpha']:.4f}, s = {demo['s']:.6f}, c0 = {demo['c0']:g}. The reference "
            "table (approx accounting for x*, B_th and p; B_on under both accountings) was "
            "computed by this project from the same formulas: a regression check. "
            f"β = {frag['beta']} (s − β = {frag['gap']:.4f}) wins only on "
            f"[{frag['won_range'][0]:.3g}, {frag['won_range'][1]:.3g}] and loses at "
            f"{frag['late_budget']:.0e}.")
    return _table_claim(
        profile, "demo_values",
        "Demo (b = 3, γ = 0.9, ρ = 0.2, m = 100, κ = 1e−3): x*, B_th, onset budgets, "
        "accuracies and best depth",
        "reconstructed", "§4–5 (demo of C2)", applies=applies,
        setting="demo setting or its budget grid", changed=changed, fallback="budget grid",
        problems=problems,
        expected=f"reference table ({len(SPEC_DEMO)} β values, fragile β = {frag['beta']})",
        context=f"mismatches over {len(SPEC_DEMO)} β rows + fragile β",
        tolerance="x*, B_th ±0.5 %; B_on ±1 budget-grid step (0.01 decade); p ±1e−4; best L "
                  "exact; s < β rows infinite",
        note=note,
        details={**{f"β={r['beta']:g}": {k: r[k] for k in (
                     "x_star", "B_th", "B_on_approx", "B_on_exact", "p_single", "best_depth",
                     "p_best_tree", "tree_wins") if k in r} for r in demo["rows"]},
                 "fragile": frag,
                 "reference": {f"β={k:g}": {name: "none (s < β)" if v is None else v
                                            for name, v in zip(_DEMO_FIELDS, ref, strict=True)}
                               for k, ref in SPEC_DEMO.items()}})


def _window(config: Config, metrics: dict, profile: str) -> Claim:
    cw = metrics["context_window"]
    changed = _matches(config, SPEC_WINDOW_SETTING)
    applies = not changed and cw["m_range"][0] <= 100
    table = {r["m"]: r for r in cw["table"]}
    problems = []
    for m, (w_m, b, gamma, alpha, s, c0) in SPEC_WINDOW.items():
        r = table.get(m)
        if r is None:
            problems.append(f"m = {m} not computed")
            continue
        if (r["W_over_m"], r["b"]) != (w_m, b) or abs(r["c0"] - c0) > 0.5 or any(
                abs(r[k] - v) > 1e-3 for k, v in (("gamma", gamma), ("alpha", alpha), ("s", s))):
            problems.append(f"m = {m}")
    top, smin, high = cw["argmax_alpha"], cw["argmin_B_th"], cw["argmax_s"]
    ref = SPEC_WINDOW_EXTRA
    checks = {
        "argmax α": (top["m"], top["b"]) == (ref["argmax_alpha_m"], ref["argmax_alpha_b"])
        and abs(top["alpha"] - ref["argmax_alpha"]) <= 1e-3
        and abs(top["s"] - ref["argmax_alpha_s"]) <= 1e-3,
        "argmin B_th": smin.get("m") == ref["argmax_alpha_m"]
        and _close(smin.get("B_th", math.nan), ref["min_B_th"], 1e-3),
        "argmax s": high["m"] == ref["argmax_s_m"] and abs(high["s"] - ref["max_s"]) <= 1e-3,
        "m_c": cw["m_c"] == ref["m_c"],
        "α(100)": abs(cw["alpha_at_m_min"] - ref["alpha_at_100"]) <= 1e-3,
    }
    problems += [k for k, ok in checks.items() if not ok]
    compared = len(SPEC_WINDOW) + len(checks)
    return _table_claim(
        profile, "context_window",
        "The cap b ≤ ⌊W/m⌋ and γ(m) = 1 − e^(−m/300) set α(m), s(m): α peaks at "
        "m = 455, subcritical below m = 138",
        "abstract,convention", "§5 (context window W; γ family is a convention)",
        applies=applies, setting="context-window setting", changed=changed, fallback="cw_m_min",
        problems=problems,
        expected=f"reference table ({len(SPEC_WINDOW)} rows), argmax α at m = 455, m_c = 138",
        context=f"mismatches of {compared} compared; argmax α at m = {top['m']}, m_c = "
                f"{cw['m_c']}",
        tolerance="γ, α, s ±1e−3; c0 ±0.5 token; ⌊W/m⌋, b, argmax m and m_c exact; min B_th "
                  "±0.1 %",
        note=f"Dense scan m = {cw['m_range'][0]}…{cw['m_range'][1]} tokens (step 1), W = "
             f"{cw['W']}. The reference table was computed by this project from the same "
             "formulas: a regression check. Longer messages give fewer but cleaner children "
             "(message-length trade-off, paper §5 by title; content reconstructed).",
        details={"table": {str(m): {k: r[k] for k in ("W_over_m", "b", "gamma", "alpha", "s",
                                                      "c0", "B_th") if k in r}
                           for m, r in table.items()},
                 "argmax α": top, "argmin B_th": smin, "argmax s": high, "m_c": cw["m_c"],
                 "α at the smallest m": cw["alpha_at_m_min"],
                 "reference rows (⌊W/m⌋, b, γ, α, s, c0)": {str(k): list(v)
                                                            for k, v in SPEC_WINDOW.items()},
                 "reference derived values": SPEC_WINDOW_EXTRA})
