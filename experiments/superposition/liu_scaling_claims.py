"""Claims of ``liu_scaling`` (spec superposition.md §6.1); they read metrics only.

Selections are written once with the paper-profile rule where the cpu cells C1 = (α 1, γ −1),
C2 = (α 1.5, γ −1), C3 = (α 1, γ 5/9) are the special case; where the spec's cpu rule differs
(window, cell), the profile picks it. Spec reference values serve as check targets only where
the spec says so, and are named as such.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim
from experiments.common.stats import power_law_fit
from theory import superposition as th

PAPER = "Liu, Liu & Gore 2025 (arXiv:2505.10465v4)"
PAPER_ONLY = ("paper",)
EPS = 1e-6


def _src(where: str, label: str = "paper") -> str:
    return f"[{label}] {PAPER}, {where}"


def _r(x: Any, digits: int = 4) -> Any:
    if x is None:
        return None
    return float(f"{float(x):.{digits}g}")


def _cells(metrics: dict, group: str = "small", **where: Any) -> list[dict]:
    out = []
    for c in metrics["cells"]:
        if c["group"] != group:
            continue
        if all(test(c) if callable(test) else c.get(k) == test for k, test in where.items()):
            out.append(c)
    return out


def _fits(metrics: dict, group: str, window: str, **where: Any) -> list[dict]:
    return [f for f in metrics["fits"] if f["group"] == group and f["window"] == window
            and all(test(f) if callable(test) else f.get(k) == test
                    for k, test in where.items())]


def _near(value: float) -> Any:
    return lambda c: c.get("gamma") is not None and abs(c["gamma"] - value) < EPS


def _one(fits: list[dict]) -> float | None:
    return fits[0]["alpha_m"] if fits else None


def _theory_exponent_one() -> float:
    """Slope of the random-overlap mean 1/m (the strong-regime loss tracks MSO ∝ 1/m)."""
    ms = np.array([10.0, 100.0])
    return float(-power_law_fit(ms, th.random_overlap_moments(ms)[0]).slope)


def _geometry_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    strong = _cells(metrics, gamma=lambda c: c["gamma"] <= -5 / 9 + EPS)
    strong += _cells(metrics, "large", gamma=lambda c: c["gamma"] < 0)
    phis = [c["phi_half"] for c in strong]
    weak = _cells(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - EPS, alpha=lambda c: c["alpha"]
                  >= 1 - EPS) + _cells(metrics, "large", gamma=lambda c: c["gamma"] > 0)
    k_ok = [1 <= c["k_half"] <= 2 * c["m"] for c in weak]
    claims = [
        make_claim(
            profile=profile, id="liu_scaling.phi_half_strong",
            statement="Negative decay gives strong superposition: almost every row has ‖W_i‖ > 1/2",
            source=_src("Figs 3b, 8a, 13"), label="paper", paper="φ_{1/2} ≈ 1",
            theory="all n rows represented", measured={"min φ_1/2": _r(min(phis, default=None)),
                                                       "cells": len(phis)},
            tolerance="φ_{1/2} ≥ 0.95 for every cell with γ ≤ −5/9 (cpu: C1, C2 at every m; paper: "
                      "every α, m; plus large models at γ = −1)",
            passed=bool(phis) and min(phis) >= 0.95),
        make_claim(
            profile=profile, id="liu_scaling.phi_half_weak",
            statement="Positive decay gives at most about m represented rows",
            source=_src("Figs 3b, 8a, 13"), label="paper", paper="k_{1/2} ≈ m or below",
            theory="k_{1/2} ≤ m (ideal weak model W = [I_m; 0])",
            measured={f"m={c['m']},α={c['alpha']},γ={c['gamma']:.3g}": c["k_half"] for c in weak},
            tolerance="1 ≤ k_{1/2} ≤ 2m for every cell with γ ≥ 1/3 and α ≥ 1 (cpu: C3), and large "
                      "models at γ = 0.1",
            passed=bool(weak) and all(k_ok)),
    ]
    c1 = _cells(metrics, gamma=_near(-1.0), alpha=1.0)
    sel = (_cells(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + EPS,
                  alpha=lambda c: c["alpha"] <= 1 + EPS) if paper else c1)
    prods = [c["m"] * c["mso_strong"] if c["mso_strong"] is not None else None for c in sel]
    claims.append(make_claim(
        profile=profile, id="liu_scaling.overlap_one_over_m",
        statement="Frequent (norm > 1) rows have mean squared overlap ≈ 1/m",
        source=_src("Figs 5d, 8d"), label="paper", paper="m · MSO_strong ≈ 1",
        theory={"m · E[(ŵ_i·ŵ_j)²] (random)": _r(10 * th.random_overlap_moments(10)[0]),
                "m · κ²(ν→∞)": _r(10 * float(th.welch_bound(1e9, 10)) ** 2)},
        measured={f"m={c['m']}": _r(v) for c, v in zip(sel, prods, strict=True)} if not paper
        else {"min": _r(min((v for v in prods if v is not None), default=None)),
              "max": _r(max((v for v in prods if v is not None), default=None)),
              "cells": len(prods)},
        tolerance="m · MSO_strong ∈ [0.7, 1.4] at every m (cpu: C1; paper: every γ ≤ −1/3, "
                  "α ≤ 1, m)",
        passed=bool(prods) and all(v is not None and 0.7 <= v <= 1.4 for v in prods),
        note="spec reference run (cpu): 0.96–1.17"))
    series: dict[tuple, list[dict]] = {}
    for c in sel:
        series.setdefault((c["alpha"], c["gamma"], c["seed"]), []).append(c)
    slopes = []
    for members in series.values():
        pts = [(c["m"], c["mso_strong"]) for c in members if c["mso_strong"]]
        if len(pts) >= 2 and len({m for m, _ in pts}) >= 2:
            slopes.append(power_law_fit(*map(np.asarray, zip(*pts, strict=True))).slope)
    tol = 0.10 if paper else 0.15
    claims.append(make_claim(
        profile=profile, id="liu_scaling.overlap_slope",
        statement="MSO_strong scales as m^-1", source=_src("Figs 5d, 17"), label="paper",
        paper="slope −1", theory=-_theory_exponent_one(),
        measured={"slopes": [_r(s) for s in slopes]},
        tolerance=f"log-log slope of MSO_strong vs m = −1 ± {tol} (cpu: C1, ± 0.15; paper: each "
                  "γ ≤ −1/3, α ≤ 1, ± 0.10)",
        passed=bool(slopes) and all(abs(s + 1) <= tol for s in slopes),
        note="spec reference run (cpu): −0.93"))
    amax = 1.5 if paper else 1.0
    frac = [c for c in _cells(metrics, gamma=_near(-1.0)) if c["alpha"] <= amax + EPS
            and c["m"] >= 15]
    bounds_ok = all(c["m"] / c["n"] <= c["phi_one"] <= 1.5 * float(
        th.strong_fraction_reference(c["m"], c["n"])) for c in frac)
    by_series: dict[tuple, list[dict]] = {}
    for c in frac:
        by_series.setdefault((c["alpha"], c["seed"]), []).append(c)
    increasing = all(all(np.diff([c["phi_one"] for c in sorted(v, key=lambda c: c["m"])]) > 0)
                     for v in by_series.values())
    big = [c["phi_one"] for c in frac if c["m"] == 100 and c["alpha"] <= 1 + EPS]
    ok = bool(frac) and bounds_ok and increasing and (not paper or all(p >= 0.8 for p in big))
    claims.append(make_claim(
        profile=profile, id="liu_scaling.strong_fraction_bounds",
        statement="The number of norm > 1 rows lies between m and about m²/2",
        source=_src("Figs 8c, 16, eq. 15"), label="paper", paper="m/n ≤ φ_1 ≲ min(1, m²/2n)",
        theory={f"m={c['m']}": _r(th.strong_fraction_reference(c["m"], c["n"])) for c in frac
                if c["alpha"] == 1.0},
        measured={f"m={c['m']},α={c['alpha']}": _r(c["phi_one"]) for c in frac},
        tolerance=f"γ = −1, α ≤ {amax}, m ≥ 15: m/n ≤ φ_1 ≤ 1.5 min(1, m²/2n) and φ_1 increasing "
                  "in m" + ("; φ_1(m = 100) ≥ 0.8 for α ≤ 1" if paper else " (cpu: C1)"),
        passed=ok, note="spec reference run (cpu): φ_1 = 0.036–0.54 over m = 15–63"))
    rank_sel = (_cells(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + EPS,
                       alpha=lambda c: c["alpha"] >= 0.5 - EPS) if paper else c1)
    rank_sel = [c for c in rank_sel if c["m"] >= 15]
    compared = [c for c in rank_sel if c["median_rank_strong"] is not None
                and c["median_rank_weak"] is not None]
    claims.append(make_claim(
        profile=profile, id="liu_scaling.strong_rows_frequent",
        statement="The norm > 1 rows are the frequent features (provisional)",
        source=_src("Fig. 5b"), label="paper", paper="frequent features get norm > 1",
        theory="p_i non-increasing in the rank i",
        measured={f"m={c['m']},α={c['alpha']},γ={c['gamma']:.3g}":
                  [c["median_rank_strong"], c["median_rank_weak"]] for c in compared}
        if not paper else {"compared cells": len(compared), "of": len(rank_sel)},
        tolerance="median rank of norm > 1 rows < median rank of norm < 1 rows (cpu: C1 at every "
                  "m ≥ 15; paper: every γ ≤ −1/3, α ≥ 0.5, m ≥ 15); provisional",
        passed=bool(compared) and len(compared) == len(rank_sel) and all(
            c["median_rank_strong"] < c["median_rank_weak"] for c in compared),
        note="cells where every row or no row has norm > 1 cannot be compared and fail the check"))
    return claims


def _exponent_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    window = "all" if paper else "window"
    mid = ((-7 / 9, -5 / 9, -1 / 3))
    one = _theory_exponent_one()
    if paper:
        a1 = [f for f in _fits(metrics, "small", "all", alpha=lambda f: f["alpha"] <= 1.25 + EPS)
              if any(abs(f["gamma"] - g) < EPS for g in mid)]
        a1_vals = [f["alpha_m"] for f in a1]
        a1_ok = bool(a1) and all(v is not None and 0.75 <= v <= 1.25 for v in a1_vals)
        a1_meas = {"min": _r(min((v for v in a1_vals if v is not None), default=None)),
                   "max": _r(max((v for v in a1_vals if v is not None), default=None)),
                   "fits": len(a1)}
    else:
        c1 = _one(_fits(metrics, "small", window, alpha=1.0, gamma=_near(-1.0)))
        c1_all = _one(_fits(metrics, "small", "all", alpha=1.0, gamma=_near(-1.0)))
        a1_ok = c1 is not None and abs(c1 - 1.0) <= 0.15
        a1_meas = {"α_m (m ∈ window)": _r(c1), "α_m (all m, report only)": _r(c1_all)}
    weak_gamma = 1 / 3 if paper else 5 / 9
    strong_l = {c["m"]: c["L"] for c in _cells(metrics, gamma=_near(-1.0), alpha=1.0,
                                               seed=0)}
    weak_l = {c["m"]: c["L"] for c in _cells(metrics, gamma=_near(weak_gamma), alpha=1.0,
                                             seed=0)}
    both = sorted(set(strong_l) & set(weak_l))
    claims = [make_claim(
        profile=profile, id="liu_scaling.strong_beats_weak",
        statement="Strong superposition has lower loss than weak superposition",
        source=_src("Figs 1, 9b"), label="paper", paper=f"L(γ = −1) < L(γ = {weak_gamma:.3g})",
        theory={f"weak floor 4/3·eq.14 at k = m = {m}": _r(th.weak_regime_loss_integral(
            m / metrics["cells"][0]["n"], metrics["cells"][0]["n"], 1.0)) for m in both},
        measured={f"L(−1)/L({weak_gamma:.3g}) m={m}": _r(strong_l[m] / weak_l[m]) for m in both},
        tolerance=("cpu: at m ∈ {10, 25, 63}, α = 1: L(γ = −1) < L(γ = 5/9)" if not paper else
                   "paper: every m, α = 1: L(γ = −1) < L(γ = 1/3)") + " (seed 0)",
        passed=bool(both) and all(strong_l[m] < weak_l[m] for m in both),
        note="spec reference run (cpu) ratios 0.86, 0.50, 0.22; n of the small models")]
    claims.append(make_claim(
        profile=profile, id="liu_scaling.strong_exponent_alpha1",
        statement="Strong superposition gives 1/m scaling for Zipf frequencies (α = 1)",
        source=_src("Figs 9b, 14b (1.12 ± 0.06 at E = 1)"), label="paper", paper="α_m ≈ 1",
        theory=_r(one), measured=a1_meas,
        tolerance="cpu: C1 fit on m ∈ [25, 63]: α_m = 1.00 ± 0.15; paper: all 6 m, α_m ∈ "
                  "[0.75, 1.25] for every α ≤ 1.25, γ ∈ {−7/9, −5/9, −1/3}",
        passed=a1_ok,
        note="theory: slope of E[(ŵ_i·ŵ_j)²] = 1/m (L ∝ overlap); spec reference run (cpu) 1.00 "
             "on m ∈ [25, 63] and ≈ 0.81 on all five m (trap 9: small m not converged at B = 512, "
             "5 000 steps)"))
    if paper:
        sk = [f for f in _fits(metrics, "small", "all", alpha=2.0)
              if any(abs(f["gamma"] - g) < EPS for g in mid)]
        sk_vals = [f["alpha_m"] for f in sk]
        sk_ok = bool(sk) and all(v is not None and 1.6 <= v <= 2.4 for v in sk_vals)
        sk_meas, sk_alpha = [_r(v) for v in sk_vals], 2.0
        a2 = {round(f["gamma"], 6): f["alpha_m"] for f in sk}
        a1g = {round(f["gamma"], 6): f["alpha_m"] for f in _fits(metrics, "small", "all",
                                                                   alpha=1.0)}
        diffs = [a2[g] - a1g[g] for g in a2 if g in a1g and a2[g] is not None
                 and a1g[g] is not None]
        grow_ok = len(diffs) == len(mid) and all(d >= 0.5 for d in diffs)
    else:
        grow_note = ""
        c2 = _one(_fits(metrics, "small", window, alpha=1.5, gamma=_near(-1.0)))
        c1 = _one(_fits(metrics, "small", window, alpha=1.0, gamma=_near(-1.0)))
        sk_ok = c2 is not None and abs(c2 - 1.2) <= 0.2
        sk_meas, sk_alpha = _r(c2), 1.5
        diffs = [c2 - c1] if c2 is not None and c1 is not None else []
        grow_ok = bool(diffs) and diffs[0] > 0
        grow_note = _difference_note(metrics, window)
    claims.append(make_claim(
        profile=profile, id="liu_scaling.strong_exponent_skewed",
        statement="The strong-regime exponent grows above 1 for skewed frequencies",
        source=_src("Fig. 5e, App. A.1"), label="paper",
        paper="α_m ≈ 1.1–1.3 at α = 1.5; ≈ 2.0–2.2 at α = 2",
        theory={"1/m": _r(one), "2(α − 1) worst case": _r(th.strong_exponent_worst(sk_alpha))},
        measured=sk_meas,
        tolerance="cpu: C2 fit on m ∈ [25, 63]: α_m = 1.20 ± 0.20 (spec reference-run value as "
                  "target); paper: α = 2, γ ∈ {−7/9, −5/9, −1/3}: α_m ∈ [1.6, 2.4]",
        passed=sk_ok))
    claims.append(make_claim(
        profile=profile, id="liu_scaling.exponent_grows_with_alpha",
        statement="α_m increases with the data exponent α at strong superposition",
        source=_src("Figs 5e, 9b"), label="paper", paper="α_m(1.5) − α_m(1) ≈ +0.2",
        theory={"2(α−1) at α = 1.5 minus at 1": _r(th.strong_exponent_worst(1.5)
                                                   - th.strong_exponent_worst(1.0))},
        measured=[_r(d) for d in diffs],
        tolerance="cpu: α_m(C2) − α_m(C1) > 0 on m ∈ [25, 63]; paper: α_m(2) − α_m(1) ≥ 0.5 "
                  "for each γ ∈ {−7/9, −5/9, −1/3}",
        passed=grow_ok, note="" if paper else grow_note))
    weak = _fits(metrics, "small", "all", alpha=1.0, gamma=lambda f: f["gamma"] >= 1 / 3 - EPS)
    wvals = [f["alpha_m"] for f in weak]
    wtol = 0.5 if paper else 0.35
    claims.append(make_claim(
        profile=profile, id="liu_scaling.weak_flat_alpha1",
        statement="The weak regime at α = 1 gives almost no decay with width",
        source=_src("Fig. 9b (weak region 0–0.5)"), label="paper", paper="α_m small",
        theory="α − 1 = 0 (weak_exponent undefined for α ≤ 1: loss ∝ −ln φ / ln n)",
        measured={f"γ={f['gamma']:.3g}": _r(f["alpha_m"]) for f in weak},
        tolerance=f"α_m (all m) < {wtol} for every γ ≥ 1/3 at α = 1 (cpu: C3, < 0.35; paper "
                  "< 0.5)", passed=bool(weak) and all(v is not None and v < wtol for v in wvals),
        note="spec reference run (cpu): 0.05"))
    sel = _cells(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - EPS,
                 alpha=lambda c: c["alpha"] <= 1 + EPS)
    ratios = [c["ratio_eq14"] for c in sel]
    if paper:
        inside = [r is not None and 0.95 <= r <= 1.3 for r in ratios]
        wt_ok = bool(ratios) and np.mean(inside) >= 0.8
        wt_meas = {"fraction in [0.95, 1.3]": _r(np.mean(inside)) if ratios else None}
    else:
        wt_ok = bool(ratios) and all(r is not None and 0.95 <= r <= 1.25 for r in ratios)
        wt_meas = {f"m={c['m']}": _r(c["ratio_eq14"]) for c in sel}
    claims.append(make_claim(
        profile=profile, id="liu_scaling.weak_theory",
        statement="The weak-regime loss is the frequency mass of the ignored features",
        source=_src("eq. 4, eq. 14, Fig. 4a"), label="paper",
        paper="L / (4/3 · eq. 14 at measured φ_{1/2}) ≈ 1",
        theory={f"m={c['m']}": _r(c["pred_eq14"]) for c in sel} if not paper else
        "4/3 · eq. 14 at each cell's φ_{1/2}", measured=wt_meas,
        tolerance="cpu: C3 ratio ∈ [0.95, 1.25] at every m; paper: ≥ 80 % of cells with "
                  "γ ≥ 1/3, α ≤ 1 in [0.95, 1.3] (α > 1 reported only: eq. 14 bias, trap 7)",
        passed=wt_ok, note="spec reference run (cpu): 1.06–1.07; eq. 14 exceeds the discrete tail "
                           "by 9–11 % at α = 1 (trap 7)"))
    ref = metrics["overlap_reference"]
    z = [max(abs(e["mean"] - e["theory_mean"]) / e["mean_se"],
             abs(e["var"] - e["theory_var"]) / e["var_se"]) for e in ref]
    claims.append(make_claim(
        profile=profile, id="liu_scaling.random_overlap_reference",
        statement="Random unit vectors: squared overlap has mean 1/m and variance "
                  "2(m−1)/(m²(m+2))", source=_src("§3.2", "theory"), label="theory",
        paper="exact", theory={f"m={e['m']}": [_r(e["theory_mean"]), _r(e["theory_var"])]
                               for e in ref},
        measured={f"m={e['m']}": [_r(e["mean"]), _r(e["var"])] for e in ref},
        tolerance="Monte Carlo mean and variance within 3 SE of the theory at every m "
                  f"({ref[0]['pairs'] if ref else 0} pairs each)",
        passed=bool(ref) and max(z) <= 3.0, note=f"max |z| = {_r(max(z, default=0.0), 3)}"))
    return claims


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """Every claim of spec §6.1 (paper-only ones are 'not run' on cpu)."""
    from experiments.superposition.liu_scaling_claims_paper import paper_only_claims

    return (_geometry_claims(metrics, profile) + _exponent_claims(metrics, profile)
            + paper_only_claims(metrics, profile))


def _difference_note(metrics: dict[str, Any], window: str) -> str:
    """Standard errors of the two window fits behind the cpu growth claim (one seed each)."""
    fits = {a: [f for f in _fits(metrics, "small", window, alpha=a, gamma=_near(-1.0))]
            for a in (1.0, 1.5)}
    if not fits[1.0] or not fits[1.5] or fits[1.0][0]["alpha_m_se"] is None \
            or fits[1.5][0]["alpha_m_se"] is None:
        return ""
    one, skew = fits[1.0][0], fits[1.5][0]
    se = float(np.hypot(one["alpha_m_se"], skew["alpha_m_se"]))
    return (f"α_m(C1) = {one['alpha_m']:.3f} ± {one['alpha_m_se']:.3f} (R² {one['r2']:.3f}), "
            f"α_m(C2) = {skew['alpha_m']:.3f} ± {skew['alpha_m_se']:.3f} (R² {skew['r2']:.3f}) "
            f"on m ∈ {skew['ms']}: the difference has a standard error of about {se:.2f} (one "
            "seed, three widths, B = 512, 5 000 steps), larger than the paper's +0.2, so this "
            "budget cannot resolve the growth; the paper profile tests α = 2 against α = 1.")
