"""Claims of ``liu_scaling``; they read metrics only.

Selections are written once with the paper-profile rule, of which the cpu cells C1 = (α 1, γ −1),
C2 = (α 1.5, γ −1), C3 = (α 1, γ 5/9) are the special case; where the cpu rule differs (window,
cell), the profile picks it. Tolerances are those of the pillar's claims table (cpu / paper).

Every fitted exponent carries the standard error of its log-log slope (one seed: the residual
scatter about the power law is the only error estimate). A sign or ordering claim is checked only
where its expected effect is at least three such standard errors (``underpowered``); the cpu
profile (one seed, three widths in the window) cannot resolve the growth of α_m from α = 1 to
α = 1.5, so those claims are checked on the paper profile only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, underpowered
from experiments.common.stats import power_law_fit
from theory import superposition as th

PAPER = "Liu, Liu & Gore 2025 (arXiv:2505.10465v4)"
PAPER_ONLY = ("paper",)
EPS = 1e-6
Z95 = 1.96
FIT_CI = "± 1.96 fit SE (one seed)"
MAX_LISTED = 40  # cells listed one by one in details; larger selections are summarised


def _src(where: str, label: str = "paper") -> str:
    return f"[{label}] {PAPER}, {where}"


def _r(x: Any, digits: int = 4) -> Any:
    """A rounded finite float, or None for a missing or non-finite value."""
    if x is None or isinstance(x, str):
        return None
    x = float(x)
    return float(f"{x:.{digits}g}") if math.isfinite(x) else None


def _f(x: Any) -> float:
    """A saved number as a float (None and non-finite give NaN)."""
    if x is None or isinstance(x, str):
        return math.nan
    return float(x)


def _claim(profile: str, name: str, where: str, label: str = "paper", **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"liu_scaling.{name}", source=_src(where, label),
                      label=label, **fields)


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


def _g(gamma: float) -> str:
    """γ as the fraction the grid means (linspace(−1, 1, 10) = multiples of 1/9)."""
    ninths = gamma * 9
    if abs(ninths - round(ninths)) < 1e-6 and round(ninths) % 9:
        num = round(ninths)
        return f"{num // 3}/3" if num % 3 == 0 else f"{num}/9"
    return f"{gamma:g}"


def _name(c: dict) -> str:
    """Short cell label, e.g. "α=1 γ=−1 m=25" (large models: the frequency law)."""
    head = c["kind"] if c.get("group") == "large" else f"α={c['alpha']:g}"
    seed = f" s{c['seed']}" if c.get("seed") else ""
    return f"{head} γ={_g(c['gamma'])} m={c['m']}{seed}"


def _fit_name(f: dict) -> str:
    head = f["kind"] if f.get("group") == "large" else f"α={f['alpha']:g}"
    seed = f" s{f['seed']}" if f.get("seed") else ""
    return f"{head} γ={_g(f['gamma'])}{seed}"


def _listing(items: dict[str, Any]) -> dict[str, Any]:
    """Every entry when there are few, else the count and the extremes."""
    if len(items) <= MAX_LISTED:
        return items
    numbers = {k: v for k, v in items.items() if isinstance(v, int | float)}
    if not numbers:
        return {"entries": len(items)}
    low, high = min(numbers, key=numbers.get), max(numbers, key=numbers.get)
    return {"entries": len(items), f"min ({low})": numbers[low], f"max ({high})": numbers[high]}


def _fit_interval(f: dict | None) -> list[float] | None:
    if not f or not math.isfinite(_f(f.get("alpha_m_se"))):
        return None
    a, se = _f(f["alpha_m"]), _f(f["alpha_m_se"])
    return [a - Z95 * se, a + Z95 * se]


def _fit_record(f: dict) -> dict[str, Any]:
    return {"α_m": _r(f["alpha_m"]), "SE": _r(f.get("alpha_m_se"), 3), "R²": _r(f.get("r2")),
            "m": f.get("ms")}


def _theory_exponent_one() -> float:
    """Slope of the random-overlap mean 1/m (the strong-regime loss tracks MSO ∝ 1/m)."""
    ms = np.array([10.0, 100.0])
    return float(-power_law_fit(ms, th.random_overlap_moments(ms)[0]).slope)


# --- geometry: represented fractions, overlaps, ranks -------------------------------------------


def _phi_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    strong = _cells(metrics, gamma=lambda c: c["gamma"] <= -5 / 9 + EPS)
    strong += _cells(metrics, "large", gamma=lambda c: c["gamma"] < 0)
    phis = {_name(c): _f(c["phi_half"]) for c in strong}
    worst = min(phis, key=phis.get) if phis else ""
    weak = _cells(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - EPS,
                  alpha=lambda c: c["alpha"] >= 1 - EPS)
    weak += _cells(metrics, "large", gamma=lambda c: c["gamma"] > 0)
    per_m = {_name(c): _f(c["k_half"]) / c["m"] for c in weak}
    k_ok = [1 <= c["k_half"] <= 2 * c["m"] for c in weak]
    top = max(per_m, key=per_m.get) if per_m else ""
    bad = next((_name(c) for c, ok in zip(weak, k_ok, strict=True) if not ok), top)
    low_k = min((c["k_half"] for c in weak), default=None)
    return [
        _claim(
            profile, "phi_half_strong", "Figs 3b, 8a, 13", kind="qualitative",
            statement="Negative decay gives strong superposition: almost every row has "
                      "‖W_i‖ > 1/2",
            expected="φ_1/2 ≈ 1", measured=_r(phis[worst]) if phis else None,
            context=f"min over {len(phis)} cells, {worst}" if phis else "",
            tolerance="φ_1/2 ≥ 0.95 in every cell with γ ≤ −5/9"
                      + (" (and large models at γ = −1)" if paper else " (cells C1, C2)"),
            tolerance_source="5 % allowance on 'all rows represented'",
            passed=bool(phis) and min(phis.values()) >= 0.95,
            reason=f"φ_1/2 = {format_number(phis[worst], 3)} at {worst}: rows left unrepresented"
            if phis else "no cell with γ ≤ −5/9 in this run",
            details={"φ_1/2 per cell": _listing({k: _r(v) for k, v in phis.items()}),
                     "paper": "φ_1/2 ≈ 1", "theory": "all n rows represented"}),
        _claim(
            profile, "phi_half_weak", "Figs 3b, 8a, 13", kind="qualitative",
            statement="Positive decay gives at most about m represented rows",
            expected="k_1/2 ≤ m (ideal weak model)",
            measured=_r(per_m[top], 3) if per_m else None,
            context=f"largest k_1/2 / m, {top}; smallest k_1/2 = {low_k}" if per_m else "",
            tolerance="1 ≤ k_1/2 ≤ 2m in every cell with γ ≥ 1/3 and α ≥ 1"
                      + (" (and large models at γ = 0.1)" if paper else " (cell C3)"),
            tolerance_source="factor-2 allowance on the ideal weak model",
            passed=bool(weak) and all(k_ok),
            reason=f"k_1/2 outside [1, 2m] at {bad}" if per_m else "no weak cell in this run",
            details={"k_1/2 per cell": _listing({_name(c): c["k_half"] for c in weak}),
                     "paper": "k_1/2 ≈ m or below",
                     "theory": "k_1/2 ≤ m (ideal weak model W = [I_m; 0])"}),
    ]


def _overlap_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    c1 = _cells(metrics, gamma=_near(-1.0), alpha=1.0)
    sel = (_cells(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + EPS,
                  alpha=lambda c: c["alpha"] <= 1 + EPS) if paper else c1)
    prods = {_name(c): c["m"] * _f(c["mso_strong"]) for c in sel}
    finite = {k: v for k, v in prods.items() if math.isfinite(v)}
    worst = max(finite, key=lambda k: abs(finite[k] - 1.0)) if finite else ""
    ok = bool(prods) and len(finite) == len(prods) and all(
        0.7 <= v <= 1.4 for v in finite.values())
    claims = [_claim(
        profile, "overlap_one_over_m", "Figs 5d, 8d", kind="quantitative",
        statement="Frequent (norm > 1) rows have mean squared overlap ≈ 1/m",
        expected=1.0, measured=_r(finite[worst]) if finite else None,
        context=(f"farthest from 1, {worst}; range {format_number(min(finite.values()), 3)}–"
                 f"{format_number(max(finite.values()), 3)}") if finite else "",
        tolerance="m · MSO_strong ∈ [0.7, 1.4] in every cell"
                  + (" with γ ≤ −1/3, α ≤ 1" if paper else " of C1"),
        tolerance_source="paper's '≈ 1/m'; −30 %/+40 % band",
        passed=ok,
        reason=(f"m · MSO_strong = {format_number(finite[worst], 3)} at {worst}" if finite
                and len(finite) == len(prods) else "a cell has fewer than two norm > 1 rows"),
        details={"m · MSO_strong per cell": _listing({k: _r(v) for k, v in prods.items()}),
                 "paper": "m · MSO_strong ≈ 1",
                 "theory": {"m · E[(ŵ_i·ŵ_j)²] (random)":
                            _r(10 * th.random_overlap_moments(10)[0]),
                            "m · κ²(ν→∞)": _r(10 * float(th.welch_bound(1e9, 10)) ** 2)},
                 "reference run (cpu)": "0.96–1.17"})]
    series: dict[tuple, list[dict]] = {}
    for c in sel:
        series.setdefault((c["alpha"], c["gamma"], c["seed"]), []).append(c)
    slopes: dict[str, Any] = {}
    for members in series.values():
        pts = [(c["m"], _f(c["mso_strong"])) for c in members
               if math.isfinite(_f(c["mso_strong"])) and _f(c["mso_strong"]) > 0]
        if len(pts) >= 2 and len({m for m, _ in pts}) >= 2:
            slopes[_fit_name(members[0])] = power_law_fit(*map(np.asarray, zip(*pts,
                                                                               strict=True)))
    tol = 0.10 if paper else 0.15
    worst = max(slopes, key=lambda k: abs(slopes[k].slope + 1)) if slopes else ""
    fit = slopes.get(worst)
    interval = ([fit.slope - Z95 * fit.slope_se, fit.slope + Z95 * fit.slope_se]
                if fit is not None and math.isfinite(fit.slope_se) else None)
    claims.append(_claim(
        profile, "overlap_slope", "Figs 5d, 17", kind="quantitative",
        statement="The mean squared overlap of the norm > 1 rows scales as m^−1",
        expected=-1.0, measured=_r(fit.slope) if fit else None, interval=interval,
        interval_kind=f"± 1.96 fit SE ({fit.num_points} widths, one seed)" if fit else "",
        context=(f"{'worst series, ' if len(slopes) > 1 else ''}{worst}; R² "
                 f"{format_number(fit.r_squared, 3)}") if fit else "",
        tolerance=f"log-log slope of MSO_strong vs m = −1 ± {tol}"
                  + (" for each γ ≤ −1/3, α ≤ 1" if paper else " (C1)"),
        tolerance_source="reduced-budget band (paper profile ± 0.10)" if not paper
        else "band around the exact −1",
        passed=bool(slopes) and all(abs(f.slope + 1) <= tol for f in slopes.values()),
        reason=f"slope {format_number(fit.slope, 3)} at {worst} is off −1" if fit else
        "fewer than two widths with norm > 1 rows",
        details={"slope per series": _listing({k: {"slope": _r(f.slope), "SE": _r(f.slope_se, 3),
                                                   "R²": _r(f.r_squared)}
                                               for k, f in slopes.items()}),
                 "paper": "slope −1", "theory": _r(-_theory_exponent_one()),
                 "reference run (cpu)": -0.93}))
    return claims


def _fraction_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    amax = 1.5 if paper else 1.0
    frac = [c for c in _cells(metrics, gamma=_near(-1.0)) if c["alpha"] <= amax + EPS
            and c["m"] >= 15]
    margins: dict[str, tuple[float, str]] = {}
    for c in frac:
        phi, lower = _f(c["phi_one"]), c["m"] / c["n"]
        upper = 1.5 * float(th.strong_fraction_reference(c["m"], c["n"]))
        lo_margin = phi / lower
        hi_margin = upper / phi if phi > 0 else math.inf
        margins[_name(c)] = min((lo_margin, "lower"), (hi_margin, "upper"))
    by_series: dict[tuple, list[dict]] = {}
    for c in frac:
        by_series.setdefault((c["alpha"], c["seed"]), []).append(c)
    steps = []
    for v in by_series.values():
        ordered = sorted(v, key=lambda c: c["m"])
        steps += [(_f(b["phi_one"]) - _f(a["phi_one"]), f"{_name(a)}→{b['m']}",
                   _binomial_step_se(a, b)) for a, b in zip(ordered, ordered[1:], strict=False)]
    increasing = all(s > 0 for s, _, _ in steps)
    big = [_f(c["phi_one"]) for c in frac if c["m"] == 100 and c["alpha"] <= 1 + EPS]
    bounds_ok = all(m >= 1 for m, _ in margins.values())
    ok = bool(frac) and bounds_ok and increasing and (not paper or all(p >= 0.8 for p in big))
    worst = min(margins, key=lambda k: margins[k][0]) if margins else ""
    step = min(steps) if steps else (math.nan, "", math.nan)
    if not frac:
        reason = "no γ = −1 cell with m ≥ 15 in this run"
    elif not bounds_ok:
        reason = f"φ_1 breaks the {margins[worst][1]} bound at {worst}"
    elif not increasing:
        reason = f"φ_1 does not rise with m ({step[1]})"
    else:
        reason = "φ_1(m = 100) < 0.8 for some α ≤ 1"
    claims = [_claim(
        profile, "strong_fraction_bounds", "Figs 8c, 16, eq. 15", kind="qualitative",
        statement="The number of norm > 1 rows lies between m and about m²/2, rising with m",
        expected="m/n ≤ φ_1 ≲ min(1, m²/2n)",
        measured=_r(margins[worst][0], 3) if margins else None,
        context=(f"smallest bound margin ({margins[worst][1]}), {worst}; smallest rise "
                 f"{format_number(step[0], 3)}") if margins else "",
        tolerance=f"γ = −1, α ≤ {amax:g}, m ≥ 15: m/n ≤ φ_1 ≤ 1.5·min(1, m²/2n), φ_1 rising in m"
                  + ("; φ_1(100) ≥ 0.8" if paper else ""),
        tolerance_source="factor 1.5 on the ≈ m²/2 estimate",
        passed=ok, reason=reason,
        note="With n = 1000 the upper bound 1.5·min(1, m²/2n) exceeds 1 for m ≥ 35, so only the "
             "smaller widths test it; the rise of φ_1 with m is decided on one seed (binomial "
             "SE over rows in details, a lower bound on the seed scatter).",
        details={"φ_1 per cell": _listing({_name(c): _r(c["phi_one"]) for c in frac}),
                 "bound margin per cell": _listing({k: _r(v[0], 3) for k, v in margins.items()}),
                 "rise per step": _listing({k: _r(s, 3) for s, k, _ in steps}),
                 "binomial SE of the smallest rise": _r(step[2], 2),
                 "paper": "m/n ≤ φ_1 ≲ min(1, m²/2n)",
                 "theory min(1, m²/2n)": _listing({
                     f"m={c['m']}": _r(th.strong_fraction_reference(c["m"], c["n"]))
                     for c in frac if c["alpha"] == 1.0}),
                 "reference run (cpu)": "φ_1 = 0.036–0.54 over m = 15–63"})]
    rank_sel = (_cells(metrics, gamma=lambda c: c["gamma"] <= -1 / 3 + EPS,
                       alpha=lambda c: c["alpha"] >= 0.5 - EPS) if paper else
                _cells(metrics, gamma=_near(-1.0), alpha=1.0))
    rank_sel = [c for c in rank_sel if c["m"] >= 15]
    z = {}
    for c in rank_sel:
        k, n = c["k_one"], c["n"]
        if c["median_rank_strong"] is None or c["median_rank_weak"] is None or not 0 < k < n:
            continue
        gap = _f(c["median_rank_weak"]) - _f(c["median_rank_strong"])
        z[_name(c)] = (gap / _null_gap_se(n, k), gap)
    worst = min(z, key=lambda k: z[k][0]) if z else ""
    claims.append(_claim(
        profile, "strong_rows_frequent", "Fig. 5b", kind="qualitative",
        statement="The norm > 1 rows are the frequent features (provisional)",
        expected="median rank (norm > 1) < median rank (others)",
        measured=_r(z[worst][0], 3) if z else None,
        context=f"smallest rank gap in null SE, {worst} (gap {z[worst][1]:g})" if z else "",
        tolerance="rank gap ≥ 3 SE of a random split in every cell"
                  + (" with γ ≤ −1/3, α ≥ 0.5, m ≥ 15" if paper else " of C1 with m ≥ 15"),
        tolerance_source="sign test against a random split, 3 SE",
        passed=bool(z) and len(z) == len(rank_sel) and all(v >= 3 for v, _ in z.values()),
        reason=(f"rank gap only {format_number(z[worst][0], 2)} null SE at {worst}" if z and
                len(z) == len(rank_sel) else "a cell has every row or no row with norm > 1"),
        note="SE of the gap between the two median ranks when the k norm > 1 rows are a random "
             "subset of the n ranks: n/(2√k)·√(n/(n − k)).",
        details={"median ranks [norm > 1, others] per cell": _listing({
            _name(c): [c["median_rank_strong"], c["median_rank_weak"]] for c in rank_sel}),
                 "gap in null SE per cell": _listing({k: _r(v[0], 3) for k, v in z.items()}),
                 "paper": "frequent features get norm > 1",
                 "theory": "p_i non-increasing in the rank i"}))
    return claims


def _null_gap_se(n: int, k: int) -> float:
    """SE of median rank(others) − median rank(subset) for a random k-subset of 1..n."""
    return n / (2 * math.sqrt(k)) * math.sqrt(n / (n - k))


def _binomial_step_se(a: dict, b: dict) -> float:
    """Binomial SE (rows as independent draws) of φ_1(b) − φ_1(a)."""
    pa, pb = _f(a["phi_one"]), _f(b["phi_one"])
    return math.sqrt(pa * (1 - pa) / a["n"] + pb * (1 - pb) / b["n"])


# --- losses and exponents -----------------------------------------------------------------------


def _loss_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    weak_gamma = 1 / 3 if paper else 5 / 9
    strong_c = {c["m"]: c for c in _cells(metrics, gamma=_near(-1.0), alpha=1.0, seed=0)}
    weak_c = {c["m"]: c for c in _cells(metrics, gamma=_near(weak_gamma), alpha=1.0, seed=0)}
    both = sorted(set(strong_c) & set(weak_c))
    ratio = {m: _f(strong_c[m]["L"]) / _f(weak_c[m]["L"]) for m in both}
    gap_z = {m: (_f(weak_c[m]["L"]) - _f(strong_c[m]["L"]))
             / math.hypot(_f(strong_c[m]["L_se"]), _f(weak_c[m]["L_se"])) for m in both}
    worst = max(ratio, key=ratio.get) if ratio else None
    gap = {m: abs(_f(weak_c[m]["L"]) - _f(strong_c[m]["L"])) for m in both}
    se = {m: math.hypot(_f(strong_c[m]["L_se"]), _f(weak_c[m]["L_se"])) for m in both}
    tight = min(both, key=lambda m: gap[m] / se[m] if se[m] > 0 else math.inf) if both else None
    n = metrics["cells"][0]["n"] if metrics["cells"] else 1
    return [_claim(
        profile, "strong_beats_weak", "Figs 1, 9b", kind="qualitative",
        statement="Strong superposition has lower loss than weak superposition (α = 1)",
        expected=f"L(γ = −1) < L(γ = {_g(weak_gamma)})",
        measured=_r(ratio[worst], 3) if ratio else None,
        context=(f"largest ratio L(−1)/L({_g(weak_gamma)}), m={worst}; "
                 f"{format_number(gap_z[worst], 3)} eval SE") if ratio else "",
        tolerance=f"ratio < 1 at every m ({', '.join(map(str, both))}), seed 0",
        tolerance_source="sign test; gaps powered at ≥ 3 eval SE",
        passed=bool(both) and all(v < 1 for v in ratio.values()),
        not_run=underpowered(gap[tight], se[tight], what=f"loss gap (m = {tight})")
        if both else "needs α = 1 at both γ",
        reason=f"L(γ = −1) ≥ L(γ = {_g(weak_gamma)}) at m = {worst}",
        note="Error estimate: the standard error over evaluation batches; the seed-to-seed "
             "scatter of L is not measured (one seed).",
        details={"L(−1)/L(weak) per m": {f"m={m}": _r(v) for m, v in ratio.items()},
                 "gap in eval SE per m": {f"m={m}": _r(v, 3) for m, v in gap_z.items()},
                 "theory: weak floor 4/3·eq. 14 at k = m": {
                     f"m={m}": _r(th.weak_regime_loss_integral(m / n, n, 1.0)) for m in both},
                 "reference run (cpu) ratios": [0.86, 0.50, 0.22]})]


def _exponent_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    window = "all" if paper else "window"
    mid = (-7 / 9, -5 / 9, -1 / 3)
    one = _theory_exponent_one()

    def in_mid(f: dict) -> bool:
        return any(abs(f["gamma"] - g) < EPS for g in mid)

    c1_fit = next(iter(_fits(metrics, "small", window, alpha=1.0, gamma=_near(-1.0))), None)
    c1_all = next(iter(_fits(metrics, "small", "all", alpha=1.0, gamma=_near(-1.0))), None)
    c2_fit = next(iter(_fits(metrics, "small", window, alpha=1.5, gamma=_near(-1.0))), None)
    if paper:
        a1 = [f for f in _fits(metrics, "small", "all", alpha=lambda f: f["alpha"] <= 1.25 + EPS)
              if in_mid(f)]
        worst = max(a1, key=lambda f: abs(_f(f["alpha_m"]) - 1.0), default=None)
        a1_ok = bool(a1) and all(0.75 <= _f(f["alpha_m"]) <= 1.25 for f in a1)
        a1_details = _listing({_fit_name(f): _r(f["alpha_m"]) for f in a1})
        a1_tol = "all 6 m: α_m ∈ [0.75, 1.25] for every α ≤ 1.25, γ ∈ {−7/9, −5/9, −1/3}"
    else:
        worst = c1_fit
        a1_ok = c1_fit is not None and abs(_f(c1_fit["alpha_m"]) - 1.0) <= 0.15
        a1_details = {"C1, m ∈ window": _fit_record(c1_fit) if c1_fit else None,
                      "C1, all m (report only)": _fit_record(c1_all) if c1_all else None}
        a1_tol = "C1 fit on m ∈ [25, 63]: |α_m − 1| ≤ 0.15"
    claims = [_claim(
        profile, "strong_exponent_alpha1", "Figs 9b, 14b (1.12 ± 0.06 at E = 1)",
        kind="finite-size",
        statement="Strong superposition gives 1/m loss scaling for Zipf frequencies (α = 1)",
        expected="1 (1/m)", measured=_r(worst["alpha_m"]) if worst else None,
        interval=_fit_interval(worst), interval_kind=FIT_CI,
        context=(f"{_fit_name(worst)}, m ∈ {worst['ms']}"
                 + (f"; all m {format_number(_f(c1_all['alpha_m']), 3)}" if c1_all and not paper
                    else "")) if worst else "",
        tolerance=a1_tol,
        tolerance_source="finite-budget allowance" if not paper else "band around 1",
        passed=a1_ok, reason=f"α_m at {_fit_name(worst)} is off 1" if worst else "no fit",
        note="" if paper else "The reduced budget (B = 512, 5 000 steps) leaves the small widths "
             "unconverged, so the cpu fit uses m ≥ 25 only (three widths, one degree of freedom "
             "in the fit SE); the all-width fit is reported, not asserted.",
        details={"fits": a1_details, "paper": "α_m ≈ 1 (1.12 ± 0.06 at E = 1)",
                 "theory": _r(one), "reference run (cpu)": "1.00 on m ∈ [25, 63]; 0.81 all m"})]
    if paper:
        sk = [f for f in _fits(metrics, "small", "all", alpha=2.0) if in_mid(f)]
        sk_alpha, lo, hi, effect = 2.0, 1.6, 2.4, 1.0
    else:
        sk = [c2_fit] if c2_fit else []
        sk_alpha, lo, hi, effect = 1.5, 1.0, 1.4, 0.2
    ses = [_f(f.get("alpha_m_se")) for f in sk]
    worst = max(sk, key=lambda f: abs(_f(f["alpha_m"]) - (lo + hi) / 2), default=None)
    claims.append(_claim(
        profile, "strong_exponent_skewed", "Fig. 5e, App. A.1", kind="finite-size",
        statement=f"The strong-regime exponent rises above 1 for skewed frequencies (α = "
                  f"{sk_alpha:g})",
        expected="1.1–1.3 (paper)" if not paper else "2.0–2.2 (paper)",
        measured=_r(worst["alpha_m"]) if worst else None, interval=_fit_interval(worst),
        interval_kind=FIT_CI, context=f"{_fit_name(worst)}, m ∈ {worst['ms']}" if worst else "",
        tolerance=f"α_m ∈ [{lo}, {hi}]" + (" for γ ∈ {−7/9, −5/9, −1/3}" if paper else
                                          " (C2, m ∈ [25, 63])"),
        tolerance_source="band around the paper's range",
        passed=bool(sk) and all(lo <= _f(f["alpha_m"]) <= hi for f in sk),
        not_run=underpowered(effect, max(ses, default=math.nan),
                             what="expected excess α_m − 1"),
        reason=f"α_m at {_fit_name(worst)} is outside the band" if worst else "no fit",
        details={"fits": {_fit_name(f): _fit_record(f) for f in sk},
                 "paper": "α_m ≈ 1.1–1.3 at α = 1.5; ≈ 2.0–2.2 at α = 2",
                 "theory": {"1/m": _r(one),
                            "2(α − 1) worst case": _r(th.strong_exponent_worst(sk_alpha))}}))
    claims.append(_growth_claim(metrics, profile, c1_fit, c2_fit))
    weak = _fits(metrics, "small", "all", alpha=1.0, gamma=lambda f: f["gamma"] >= 1 / 3 - EPS)
    wtol = 0.5 if paper else 0.35
    top = max(weak, key=lambda f: _f(f["alpha_m"]), default=None)
    claims.append(_claim(
        profile, "weak_flat_alpha1", "Fig. 9b (weak region 0–0.5)", kind="qualitative",
        statement="The weak regime at α = 1 gives almost no loss decay with width",
        expected="α_m ≈ 0", measured=_r(top["alpha_m"]) if top else None,
        interval=_fit_interval(top), interval_kind=FIT_CI,
        context=f"largest, {_fit_name(top)}, m ∈ {top['ms']}" if top else "",
        tolerance=f"α_m (fit over all m) < {wtol} for every γ ≥ 1/3 at α = 1"
                  + ("" if paper else " (C3)"),
        tolerance_source="well below the strong-regime value 1",
        passed=bool(weak) and all(_f(f["alpha_m"]) < wtol for f in weak),
        reason=f"α_m = {format_number(_f(top['alpha_m']), 3)} at {_fit_name(top)}" if top
        else "no weak fit at α = 1",
        details={"fits": _listing({_fit_name(f): _r(f["alpha_m"]) for f in weak}),
                 "paper": "α_m small",
                 "theory": "α − 1 = 0 (loss ∝ −ln φ / ln n for α ≤ 1)",
                 "reference run (cpu)": 0.05}))
    return claims


def _growth_claim(metrics: dict, profile: str, c1_fit: dict | None,
                  c2_fit: dict | None) -> Claim:
    """α_m grows with α: cpu C2 − C1 (expected +0.2), paper α = 2 − α = 1 per γ (≈ +1)."""
    paper = profile == "paper"
    diffs: dict[str, tuple[float, float]] = {}
    if paper:
        mid = (-7 / 9, -5 / 9, -1 / 3)
        a1 = {round(f["gamma"], 6): f for f in _fits(metrics, "small", "all", alpha=1.0)}
        for f in _fits(metrics, "small", "all", alpha=2.0):
            g = round(f["gamma"], 6)
            if g in a1 and any(abs(f["gamma"] - x) < EPS for x in mid):
                diffs[f"γ={_g(f['gamma'])}"] = (
                    _f(f["alpha_m"]) - _f(a1[g]["alpha_m"]),
                    math.hypot(_f(f.get("alpha_m_se")), _f(a1[g].get("alpha_m_se"))))
        effect, need, threshold = 1.0, 3, 0.5
    else:
        if c1_fit and c2_fit:
            diffs["C2 − C1"] = (_f(c2_fit["alpha_m"]) - _f(c1_fit["alpha_m"]),
                                math.hypot(_f(c2_fit.get("alpha_m_se")),
                                           _f(c1_fit.get("alpha_m_se"))))
        effect, need, threshold = 0.2, 1, 0.0
    worst = min(diffs, key=lambda k: diffs[k][0]) if diffs else ""
    se = max((s for _, s in diffs.values()), default=math.nan)
    d, s = diffs.get(worst, (math.nan, math.nan))
    return _claim(
        profile, "exponent_grows_with_alpha", "Figs 5e, 9b", kind="qualitative",
        statement="α_m increases with the data exponent α at strong superposition",
        expected="α_m(1.5) − α_m(1) ≈ +0.2" if not paper else "α_m(2) − α_m(1) ≈ +1",
        measured=_r(d, 3) if diffs else None,
        interval=[d - Z95 * s, d + Z95 * s] if diffs and math.isfinite(s) else None,
        interval_kind="± 1.96 SE of the difference (one seed)",
        context=f"smallest difference, {worst}" if diffs else "",
        tolerance=("α_m(C2) − α_m(C1) > 0 on m ∈ [25, 63]" if not paper else
                   "α_m(2) − α_m(1) ≥ 0.5 for each γ ∈ {−7/9, −5/9, −1/3}"),
        tolerance_source="sign test; expected growth powered at ≥ 3 SE",
        passed=len(diffs) >= need and all(v > threshold if not paper else v >= threshold
                                          for v, _ in diffs.values()),
        not_run=underpowered(effect, se, what="expected growth of α_m")
        if diffs else "needs fits at both α",
        reason=f"α_m difference {format_number(d, 3)} at {worst}",
        note="" if paper else "One seed and three widths per fit at B = 512, 5 000 steps; the "
             "paper profile tests α = 2 against α = 1 (expected difference ≈ 1).",
        details={"difference and SE": {k: {"Δα_m": _r(v), "SE": _r(e, 3)}
                                       for k, (v, e) in diffs.items()},
                 "fits": {"C1": _fit_record(c1_fit) if c1_fit else None,
                          "C2": _fit_record(c2_fit) if c2_fit else None} if not paper else {},
                 "paper": "α_m(1.5) − α_m(1) ≈ +0.2; α_m(2) ≈ 2.0–2.2",
                 "theory: 2(α − 1) at α = 1.5 minus at 1": _r(th.strong_exponent_worst(1.5)
                                                              - th.strong_exponent_worst(1.0))})


def _theory_claims(metrics: dict, profile: str) -> list[Claim]:
    paper = profile == "paper"
    sel = _cells(metrics, gamma=lambda c: c["gamma"] >= 1 / 3 - EPS,
                 alpha=lambda c: c["alpha"] <= 1 + EPS)
    ratios = {_name(c): _f(c["ratio_eq14"]) for c in sel}
    finite = {k: v for k, v in ratios.items() if math.isfinite(v)}
    lo, hi = (0.95, 1.3) if paper else (0.95, 1.25)
    inside = [lo <= v <= hi for v in finite.values()]
    worst = max(finite, key=lambda k: max(lo - finite[k], finite[k] - hi)) if finite else ""
    if paper:
        frac = float(np.mean(inside)) if ratios else math.nan
        ok = bool(ratios) and len(finite) == len(ratios) and frac >= 0.8
        measured, context = _r(frac, 3), f"fraction of {len(ratios)} cells in [{lo}, {hi}]"
        tol = f"≥ 80 % of cells with γ ≥ 1/3, α ≤ 1 have the ratio in [{lo}, {hi}]"
    else:
        ok = bool(ratios) and len(finite) == len(ratios) and all(inside)
        measured = _r(finite[worst]) if finite else None
        context = (f"worst, {worst}; range {format_number(min(finite.values()), 3)}–"
                   f"{format_number(max(finite.values()), 3)}") if finite else ""
        tol = f"L / (4/3 · eq. 14) ∈ [{lo}, {hi}] at every m of C3"
    claims = [_claim(
        profile, "weak_theory", "eq. 4, eq. 14, Fig. 4a", kind="quantitative",
        statement="The weak-regime loss is the frequency mass of the ignored features",
        expected=1.0, measured=measured, context=context, tolerance=tol,
        tolerance_source="eq. 14's bias (≈ +10 % at α = 1) plus training excess",
        passed=ok, reason=f"ratio outside [{lo}, {hi}] at {worst}" if finite else
        "no weak cell with α ≤ 1",
        note="eq. 14 (integral) exceeds the discrete tail by 9–11 % at α = 1; for α > 1 the "
             "ratios are reported, not asserted.",
        details={"L / (4/3 · eq. 14) per cell": _listing({k: _r(v) for k, v in ratios.items()}),
                 "L / discrete tail per cell": _listing({_name(c): _r(c["ratio_discrete"])
                                                         for c in sel}),
                 "theory 4/3 · eq. 14 per cell": _listing({_name(c): _r(c["pred_eq14"])
                                                           for c in sel}),
                 "paper": "L / (4/3 · eq. 14 at measured φ_1/2) ≈ 1",
                 "reference run (cpu)": "1.06–1.07"})]
    ref = metrics["overlap_reference"]
    z = {}
    for e in ref:
        z[f"mean, m={e['m']}"] = abs(e["mean"] - e["theory_mean"]) / e["mean_se"]
        z[f"variance, m={e['m']}"] = abs(e["var"] - e["theory_var"]) / e["var_se"]
    worst = max(z, key=z.get) if z else ""
    claims.append(_claim(
        profile, "random_overlap_reference", "§3.2", "theory", kind="identity",
        statement="Random unit vectors: squared overlap has mean 1/m and variance "
                  "2(m−1)/(m²(m+2))",
        expected=0.0, measured=_r(z[worst], 3) if z else None,
        context=f"largest |z|, {worst} ({ref[0]['pairs']} pairs)" if z else "",
        tolerance="Monte Carlo mean and variance within 3 SE of the closed form at every m",
        tolerance_source="Monte Carlo SE, 3 SE", passed=bool(z) and max(z.values()) <= 3.0,
        reason=f"the Monte Carlo {worst} is {format_number(z[worst], 3)} SE off" if z else
        "no Monte Carlo reference in this run",
        details={"|z| per moment": {k: _r(v, 3) for k, v in z.items()},
                 "theory [mean, variance]": {f"m={e['m']}": [_r(e["theory_mean"]),
                                                             _r(e["theory_var"])] for e in ref},
                 "Monte Carlo [mean, variance]": {f"m={e['m']}": [_r(e["mean"]), _r(e["var"])]
                                                  for e in ref},
                 "paper": "exact"}))
    return claims


def make_claims(config: Any, metrics: dict, arrays: dict, profile: str) -> list[Claim]:
    """Every claim of the pillar's liu_scaling table (paper-only ones 'not run' on cpu)."""
    from experiments.superposition.liu_scaling_claims_paper import paper_only_claims

    return (_phi_claims(metrics, profile) + _overlap_claims(metrics, profile)
            + _fraction_claims(metrics, profile) + _loss_claims(metrics, profile)
            + _exponent_claims(metrics, profile) + _theory_claims(metrics, profile)
            + paper_only_claims(metrics, profile))
