"""Claims of the ``synergy`` experiment (spec §7, ids synergy.*) and the spec's reference values.

Claims read metrics only. The reference values below were computed by the spec's author from
the same formulas (spec §3.2 and §7); they are check targets with the spec's tolerances, named as
such in each claim. They hold for the spec's settings only: when a run changes a knob they depend
on, the reference part is reported as not applicable (counts) or the claim as "not run" (demo and
context-window tables), never silently compared.
"""

from __future__ import annotations

import math

from experiments.common.claims import Claim, make_claim
from experiments.common.config import Config
from experiments.majority_tree import common


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
    """Fields of ``config`` that differ from the spec's settings (empty: reference applies)."""
    return [k for k, v in reference.items() if config[k] != v]


def _claim(profile: str, short: str, statement: str, labels: str, where: str, **fields) -> Claim:
    return make_claim(profile=profile, id=f"synergy.{short}", statement=statement,
                      source=common.source(labels, where), label=labels.split(",")[0].strip(),
                      paper=common.PAPER_VALUE_NONE, **fields)


def make_claims(config: Config, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """The eight synergy.* claims of spec §7."""
    return [_exponent_fit(config, metrics, profile), *_map_claims(config, metrics, profile),
            *_allocation_claims(config, metrics, profile), _demo(config, metrics, profile),
            _window(config, metrics, profile)]


def _exponent_fit(config: Config, metrics: dict, profile: str) -> Claim:
    rows = metrics["exponent_fit"]
    spec_grid = not _matches(config, SPEC_FIT_GRID)
    ok, notes = all(r["cells"] > 0 for r in rows), []
    for r in rows:
        ok &= r["max_signed_error"] <= 1e-12
        ref = SPEC_FIT.get(r["mu0"])
        if ref is not None:
            ok &= r["max_abs_error"] <= ref["tolerance"]
            notes.append(f"μ0 = {r['mu0']:g}: spec expects max |ŝ − s| = {ref['max_abs_error']} "
                         f"over {ref['cells']} cells")
            if spec_grid:
                ok &= r["cells"] == ref["cells"]
    if not spec_grid:
        notes.append("the grid differs from spec §3.2(a), so cell counts are not compared")
    return _claim(
        profile, "exponent_fit",
        "In the growth regime ln μ_L grows with slope s = log_b α_ρ per ln N, and the fitted "
        "slope never exceeds s (g(μ) ≤ α_ρ μ)",
        "summary", "§4 (s predicts small-signal growth)",
        theory={f"mu0={r['mu0']:g}": {"cells": r["cells"], "s_range": r["s_range"]}
                for r in rows},
        measured={f"mu0={r['mu0']:g}": {"max_abs_error": r["max_abs_error"],
                                        "max_signed_error": r["max_signed_error"]} for r in rows},
        tolerance="max |ŝ − s| ≤ 0.002 (μ0 = 1e−3) and ≤ 0.005 (μ0 = 0.02) (spec §7); "
                  "ŝ ≤ s + 1e−12 in every cell; on the spec grid, cell counts equal spec "
                  "§3.2(a) (1028 / 842)",
        passed=bool(ok), note="; ".join(notes) + ". OLS with intercept over L = 0…⌊L_mix − 3⌋.")


def _map_claims(config: Config, metrics: dict, profile: str) -> list[Claim]:
    mp = metrics["map"]
    spec_grid = not _matches(config, SPEC_MAP_GRID)
    grid_note = ("spec grid: spec §3.2(b) expects {} cells" if spec_grid else
                 "the map grid differs from spec §3.2(b) (spec count {} not compared)")
    below_ok = mp["wins_s_le_beta"] == 0 and mp["cells_s_le_beta"] > 0
    above_ok = mp["cells_above_margin_won"] == mp["cells_above_margin"] > 0
    if spec_grid:
        below_ok &= mp["cells_s_le_beta"] == SPEC_CELLS_S_LE_BETA
        above_ok &= mp["cells_above_margin"] == SPEC_CELLS_ABOVE
    onset = {b: v["onset_over_threshold"] for b, v in mp["onset_by_fanin"].items()}
    violations = sum(v["bracket_violations"] for v in mp["onset_by_fanin"].values())
    differ = [f"b = {b}: {[round(x, 3) for x in onset[b]]} vs spec {ref}"
              for b, ref in SPEC_ONSET.items()
              if b in onset and onset[b] and any(abs(x - r) > 0.006 * r
                                                 for x, r in zip(onset[b], ref, strict=True))]
    above = {b: [round(x, 3) for x in v["onset_over_threshold_above_margin"]]
             for b, v in mp["onset_by_fanin"].items()}
    bracket_note = ("B_on/B_th ranges over all winning cells; spec §3.2(b) reference: "
                    f"{SPEC_ONSET}. Restricted to s − β ≥ {mp['margin']}: {above}. ")
    if differ and spec_grid:
        bracket_note += (
            "Endpoints that differ from the spec's reference beyond its rounding: "
            + "; ".join(differ) + ". Low ends: near-tie cells (s − β < 0.005) whose first win "
            "has a relative margin of ~1e−5; the spec's minima are what one gets if those first "
            "wins come one grid step later. High ends: the γ = 1, ρ = 0, "
            "β = 0.02 cell, where B_on is the first grid point above b·c0 (the smallest budget "
            "at which a depth-1 tree has x > 0); the spec's 2.41 (b = 3) and 5.71 (b = 7) could "
            "not be reproduced from B_on and the closed-form B_th. The tolerance holds in every "
            "cell.")
    budget = f"{mp['budget_max']:.0e}"
    return [
        _claim(profile, "no_synergy_below",
               "If s ≤ β, no tree beats the best single agent at any budget", "summary",
               "§4, Thm 5 (synergy exactly when s > β)",
               theory={"cells_s_le_beta": mp["cells_s_le_beta"], "wins": 0},
               measured={"wins": mp["wins_s_le_beta"],
                         "cells_with_a_win": mp["cells_with_win_s_le_beta"]},
               tolerance="0 wins over every budget of the grid",
               passed=bool(below_ok),
               note=grid_note.format(SPEC_CELLS_S_LE_BETA) + f"; budgets 1e2…{budget}. Best tree "
               "over depths L = 1…L_max (approx accounting), bias clipped at 1 (rounding guard)."),
        _claim(profile, "synergy_above", "If s > β, some budget gives synergy", "summary",
               "§4, Thm 5",
               theory={"cells_s_minus_beta_ge_margin": mp["cells_above_margin"],
                       "margin": mp["margin"]},
               measured={"cells_won": mp["cells_above_margin_won"]},
               tolerance=f"every cell with s − β ≥ {mp['margin']} wins at some B ≤ {budget}",
               passed=bool(above_ok),
               note=grid_note.format(SPEC_CELLS_ABOVE) + f"; {mp['cells_won']} cells win in all."),
        _claim(profile, "threshold_bracket",
               "The onset budget respects the closed-form threshold B_th up to power-of-b "
               "discreteness", "reconstructed,abstract",
               "§4–5 (explicit budget thresholds); B_th reconstructed",
               theory="B_th = c0·s/(s−β)·(s/β)^(β/(s−β)) (approx accounting)",
               measured={"B_on_over_B_th_by_fanin": onset, "violations": violations},
               tolerance="B_th ≤ B_on ≤ 1.03·b·B_th in every cell with a win (spec §7)",
               passed=bool(violations == 0 and any(onset.values())), note=bracket_note),
    ]


def _allocation_claims(config: Config, metrics: dict, profile: str) -> list[Claim]:
    cont, integer = metrics["allocation"]["continuous"], metrics["allocation"]["integer"]
    spec_grid = not _matches(config, SPEC_MAP_GRID)
    int_ok = integer["cells"] > 0 and all(abs(x) <= 1.0 for x in integer["log_b_r"])
    by_b = {b: v["log_b_r"] for b, v in integer["by_fanin"].items()}
    if spec_grid:
        int_ok &= integer["cells"] == SPEC_ALLOC_CELLS
    return [
        _claim(profile, "allocation_continuous",
               "The optimal per-leaf compute is x* = β·c0/(s − β), independent of B", "summary",
               "§5, Thm 9",
               theory={"x_star_range": cont["x_star_range"], "cells": cont["cells"]},
               measured={"max_relative_error": cont["max_relative_error"]},
               tolerance="golden-section argmax of J(x) = s·ln N(x) + β·ln x (ln x ∈ [ln 1e−3, "
                         "ln 1e12], bracket 1e−10) equals x* to relative 1e−6 in every map cell "
                         "with s > β",
               passed=bool(cont["cells"] > 0 and cont["max_relative_error"] <= 1e-6),
               note="J is compared through its cancellation-free difference; B and the "
                    "accounting drop out of it exactly, which is the B-independence."),
        _claim(profile, "allocation_integer",
               "With integer depth, the best design's x + c0 lies within a factor b of x* + c0",
               "reconstructed", "§5 (allocation with integer depth)",
               theory="r = (x_best + c0)/(x* + c0) = 1 for continuous N",
               measured={"cells": integer["cells"], "log_b_r": integer["log_b_r"],
                         "by_fanin": by_b},
               tolerance=f"|log_b r| ≤ 1 in every cell at B = {integer['budget']:.0e} with "
                         "s − β ≥ 0.02, a win and best-tree bias < 0.2; on the spec grid, "
                         f"{SPEC_ALLOC_CELLS} cells",
               passed=bool(int_ok),
               note=f"spec §3.2(c) reference log_b r ranges: {SPEC_LOG_B_R}"
               + ("" if spec_grid else "; grid differs from the spec, cell count not compared")),
    ]


def _num(value) -> float:
    """A metrics number; metrics.json stores infinities as the strings "inf"/"-inf"."""
    return float(value)


def _close(value, ref: float, rel: float) -> bool:
    value = _num(value)
    return math.isfinite(value) and abs(value / ref - 1.0) <= rel


def _demo(config: Config, metrics: dict, profile: str) -> Claim:
    demo = metrics["demo"]
    changed = _matches(config, SPEC_DEMO_SETTING)
    grid_ok = (config.budget_decade_min <= 2 and config.budget_decade_max >= 10
               and config.budget_points_per_decade % 100 == 0)
    rows = {round(r["beta"], 6): r for r in demo["rows"]}
    step = 0.01 + 1e-3  # one step of the spec's grid (0.01 decade), plus the references' rounding
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
    note = (f"α = {demo['alpha']:.4f}, s = {demo['s']:.6f}, c0 = {demo['c0']:g}. Spec §3.2(d) "
            "table (approx accounting for x*, B_th and p; B_on under both accountings). "
            f"β = {frag['beta']} (s − β = {frag['gap']:.4f}) wins only on "
            f"{frag['won_range']} and loses at {frag['late_budget']:.0e}. ")
    note += ("Mismatches: " + ", ".join(problems) + "." if problems else "All values match.")
    if not applies:
        note = (f"Not compared: the spec's reference holds for {SPEC_DEMO_SETTING} on a budget "
                "grid 1e2…1e10 with 100·k points per decade; this run changed "
                f"{changed or 'the budget grid'}. " + note)
    return make_claim(
        profile=profile, check_on=("cpu", "paper") if applies else (), id="synergy.demo_values",
        statement="Demo setting (b = 3, γ = 0.9, ρ = 0.2, m = 100, κ = 1e−3): x*, B_th, onset "
                  "budgets, accuracies and best depth at B = 1e8",
        source=common.source("reconstructed", "§4–5 (demo of C2)"), label="reconstructed",
        paper=common.PAPER_VALUE_NONE,
        theory={f"beta={r['beta']:g}": {"x_star": r["x_star"], "B_th": r["B_th"]}
                for r in demo["rows"]},
        measured={f"beta={r['beta']:g}": {k: r[k] for k in (
            "B_on_approx", "B_on_exact", "p_single", "best_depth", "p_best_tree", "tree_wins")}
            for r in demo["rows"]},
        tolerance="spec §3.2(d) reference values: x*, B_th ±0.5 %; B_on ±1 grid step (0.01 "
                  "decade); p ±1e−4; best L exact; s < β rows infinite and losing",
        passed=bool(not problems), note=note)


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
    note = (f"Dense scan m = {cw['m_range'][0]}…{cw['m_range'][1]} tokens (step 1). Longer "
            "messages give fewer but cleaner children (message-length trade-off, paper §5 by "
            "title; content reconstructed). ")
    note += "Mismatches: " + ", ".join(problems) + "." if problems else "All values match."
    if not applies:
        note = (f"Not compared: the spec's table holds for {SPEC_WINDOW_SETTING} with the scan "
                f"starting at m ≤ 100; this run changed {changed or ['cw_m_min']}. " + note)
    return make_claim(
        profile=profile, check_on=("cpu", "paper") if applies else (),
        id="synergy.context_window",
        statement="The fan-in cap b ≤ ⌊W/m⌋ and γ(m) = 1 − e^(−m/300) set α(m) and s(m); α peaks "
                  "at m = 455 and the tree is subcritical below m_c = 138",
        source=common.source("abstract,convention", "§5 (context window W; γ family is a "
                             "convention)"), label="abstract", paper=common.PAPER_VALUE_NONE,
        theory={str(m): {k: r[k] for k in ("b", "gamma", "alpha", "s", "c0")}
                for m, r in table.items()},
        measured={"argmax_alpha": {k: top[k] for k in ("m", "b", "alpha", "s", "B_th")},
                  "argmin_B_th": {k: smin[k] for k in ("m", "B_th")} if smin else {},
                  "argmax_s": {k: high[k] for k in ("m", "s")}, "m_c": cw["m_c"],
                  "alpha_at_m_min": cw["alpha_at_m_min"]},
        tolerance="spec §3.2(e) reference values: γ, α, s ±1e−3, c0 ±0.5 token, ⌊W/m⌋ and b "
                  "exact; argmax-α m = 455 and m_c = 138 exact; min B_th ±0.1 %",
        passed=bool(not problems), note=note)
