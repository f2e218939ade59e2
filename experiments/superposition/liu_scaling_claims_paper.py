"""Paper-only claims of ``liu_scaling`` (spec §6.1): evaluated on the paper profile, 'not run'
on cpu, 'not checked' on smoke (where the toy-size parts still give finite values)."""

from __future__ import annotations

import numpy as np

from experiments.common.claims import Claim, make_claim
from experiments.superposition.liu_scaling_claims import EPS, PAPER_ONLY, _cells, _fits, _r, _src
from theory import superposition as th

LARGE_STRONG_PAPER = {"exponential": 1.01, "power": 1.0, "linear": 0.89}


def _variance_ratio(metrics: dict, profile: str) -> Claim:
    sel = _cells(metrics, gamma=lambda c: abs(c["gamma"] + 5 / 9) < EPS,
                 alpha=lambda c: c["alpha"] <= 1 + EPS, m=lambda c: c["m"] >= 25)
    below = [c["var_ratio"] is not None and c["var_ratio"] < 1 for c in sel]
    return make_claim(
        profile=profile, check_on=PAPER_ONLY, id="liu_scaling.variance_ratio",
        statement="Frequent rows are ETF-like: their squared overlaps vary less than random ones",
        source=_src("Fig. 5c"), label="paper", paper="VSO_strong / random value < 1",
        theory="random value 2(m−1)/(m²(m+2)) (random_overlap_moments)",
        measured={"fraction < 1": _r(np.mean(below)) if sel else None, "cells": len(sel)},
        tolerance="< 1 for ≥ 80 % of (α ≤ 1, m ≥ 25) at γ = −5/9 (paper only)",
        passed=bool(sel) and np.mean(below) >= 0.8)


def _weak_exponent(metrics: dict, profile: str) -> Claim:
    score: dict[tuple, float] = {}
    for c in _cells(metrics):
        if c["ambiguity"] is not None and c["seed"] == 0:
            key = (round(c["gamma"], 6), c["alpha"])
            score[key] = max(score.get(key, 0.0), c["ambiguity"])
    best = sorted(score, key=lambda k: (score[k], k))[:9]
    fits = {(round(f["gamma"], 6), f["alpha"]): f["alpha_m"]
            for f in _fits(metrics, "small", "all", seed=0)}
    close = [fits.get(k) is not None and abs(fits[k] - (k[1] - 1.0)) <= 0.25 for k in best]
    need = min(7, len(best))
    return make_claim(
        profile=profile, check_on=PAPER_ONLY, id="liu_scaling.weak_exponent",
        statement="Power law in, power law out: near-ideal weak models have α_m = α − 1",
        source=_src("Fig. 4b, Result 1"), label="paper", paper="α_m = α − 1",
        theory={f"γ={g:.3g},α={a}": _r(a - 1.0) for g, a in best},
        measured={f"γ={g:.3g},α={a}": _r(fits.get((g, a))) for g, a in best},
        tolerance="the 9 least-ambiguous (γ, α) pairs (max ambiguity over m): all have γ > 0 and "
                  "|α_m − (α − 1)| ≤ 0.25 for ≥ 7 of 9 (paper only)",
        passed=bool(best) and all(g > 0 for g, _ in best) and sum(close) >= need,
        note="ambiguity: spectral norm of W Wᵀ − diag(I_m, 0) (App. D.5)")


def _large_claims(metrics: dict, profile: str) -> list[Claim]:
    strong = {f["kind"]: f for f in _fits(metrics, "large", "paper", gamma=lambda f: f["gamma"]
                                          < 0, seed=0)}
    ok = len(strong) == 3 and all(
        f["alpha_m"] is not None and abs(f["alpha_m"] - LARGE_STRONG_PAPER[k]) <= 0.10
        and f["r2"] is not None and f["r2"] >= 0.95 for k, f in strong.items())
    weak_paper = {f["kind"]: f for f in _fits(metrics, "large", "paper",
                                              gamma=lambda f: f["gamma"] > 0, seed=0)}
    r2 = {k: f["r2"] for k, f in weak_paper.items()}
    lin = sorted(_cells(metrics, "large", kind="linear", gamma=lambda c: c["gamma"] > 0,
                        seed=0), key=lambda c: c["m"])
    drop = 1.0 - lin[-1]["L"] / lin[0]["L"] if len(lin) >= 2 else None
    weak_ok = (len(r2) == 3 and all(v is not None for v in r2.values())
               and r2["power"] >= 0.97 and r2["exponential"] <= 0.90 and r2["linear"] <= 0.93
               and drop is not None and drop < 0.4)
    weak_cells = _cells(metrics, "large", gamma=lambda c: c["gamma"] > 0)
    ratios = [c["ratio_discrete"] for c in weak_cells]
    return [
        make_claim(
            profile=profile, check_on=PAPER_ONLY, id="liu_scaling.large_strong_exponents",
            statement="Strong superposition gives robust 1/m scaling for three frequency laws "
                      "(n = 10240)", source=_src("Fig. 1d, App. D.1"), label="paper",
            paper="1.01 ± 0.05 (exp), 1.0 ± 0.1 (power 1.2), 0.89 ± 0.05 (linear)",
            theory="≈ 1 (overlap ∝ 1/m)",
            measured={k: [_r(f["alpha_m"]), _r(f["r2"])] for k, f in strong.items()},
            tolerance="each α_m within ± 0.10 of the paper value on the paper windows; "
                      "R² ≥ 0.95 (paper only)", passed=ok, note="measured: [α_m, R²]"),
        make_claim(
            profile=profile, check_on=PAPER_ONLY, id="liu_scaling.large_weak_powerlaw",
            statement="At weak superposition only power-law frequencies give a power law in m",
            source=_src("Figs 1b, 9a (R² 0.80 / 0.99 / 0.865)"), label="paper",
            paper="R² high only for the power law",
            theory={"power 1.2: α − 1": _r(th.weak_exponent(1.2))},
            measured={"R²": {k: _r(v) for k, v in r2.items()}, "linear L drop": _r(drop)},
            tolerance="R²: power (last 5 points) ≥ 0.97, exponential ≤ 0.90, linear ≤ 0.93; "
                      "linear-law L falls by < 40 % from the smallest to the largest m "
                      "(paper only)",
            passed=weak_ok),
        make_claim(
            profile=profile, check_on=PAPER_ONLY, id="liu_scaling.large_weak_theory",
            statement="The weak loss matches the discrete ignored mass (provisional)",
            source=_src("Fig. 8b"), label="paper", paper="L / (4/3 Σ_{i ≥ k_1/2} p_i) ≈ 1",
            theory="4/3 Σ_{i ≥ k_1/2} p_i at each cell's measured k_1/2",
            measured={"min": _r(min((r for r in ratios if r), default=None)),
                      "max": _r(max((r for r in ratios if r), default=None))},
            tolerance="∈ [0.8, 1.3] at every m, γ = 0.1, every distribution (paper only, "
                      "provisional)",
            passed=bool(ratios) and all(r is not None and 0.8 <= r <= 1.3 for r in ratios)),
    ]


def _density(metrics: dict, profile: str) -> Claim:
    cells = _cells(metrics, "density", seed=0)
    ms = sorted({c["m"] for c in cells})
    m_ref = min(ms, key=lambda m: abs(m - 63)) if ms else None
    rs = {}
    for g in sorted({c["gamma"] for c in cells}):
        pts = [(c["E"], c["L"]) for c in cells if c["gamma"] == g and c["m"] == m_ref]
        if len(pts) >= 2:
            e, loss = np.asarray(pts).T
            if np.std(e) > 0 and np.std(loss) > 0:
                rs[g] = float(np.corrcoef(e, loss)[0, 1])
    exps = [f["alpha_m"] for f in _fits(metrics, "density", "all", seed=0)
            if f["gamma"] <= -5 / 9 + EPS]
    ok = (bool(rs) and len(rs) == len({c["gamma"] for c in cells}) and min(rs.values()) >= 0.98
          and bool(exps) and all(v is not None and 0.9 <= v <= 1.3 for v in exps))
    return make_claim(
        profile=profile, check_on=PAPER_ONLY, id="liu_scaling.density_linear",
        statement="Loss grows linearly with the activation density E; the exponent is unchanged",
        source=_src("Figs 14, 15 (1.12 ± 0.06 … 1.1 ± 0.2)"), label="paper",
        paper="linear in E; α_m ≈ 1.1", theory="L ∝ E (loss per active feature fixed)",
        measured={"min Pearson r(L, E)": _r(min(rs.values(), default=None)), "m": m_ref,
                  "α_m range (γ ≤ −5/9)": [_r(min((v for v in exps if v is not None),
                                                  default=None)),
                                           _r(max((v for v in exps if v is not None),
                                                  default=None))]},
        tolerance="Pearson r(L, E) ≥ 0.98 at m = 63 for each γ; α_m ∈ [0.9, 1.3] for every E at "
                  "γ ≤ −5/9 (paper only)", passed=ok)


def _large_m(metrics: dict, profile: str) -> Claim:
    fits = _fits(metrics, "fig18", "all", seed=0)
    low = [f for f in fits if f["alpha"] <= 1.25 + EPS]
    high = [f for f in fits if f["alpha"] >= 1.75 - EPS]
    ok = bool(low) and all(f["alpha_m"] is not None and 0.8 <= f["alpha_m"] <= 1.25
                           for f in low) and all(
        f["alpha_m"] is not None
        and f["alpha_m"] < float(th.strong_exponent_worst(f["alpha"])) + 0.2 for f in high)
    return make_claim(
        profile=profile, check_on=PAPER_ONLY, id="liu_scaling.strong_large_m",
        statement="With m²/2 > n, α_m ≈ 1 for α < 1.5 (provisional; m grid reconstructed)",
        source=_src("Fig. 18", "reconstructed"), label="reconstructed", paper="≈ 1",
        theory={f"α={f['alpha']}: 2(α−1)": _r(th.strong_exponent_worst(f["alpha"]))
                for f in high},
        measured={f"α={f['alpha']}": _r(f["alpha_m"]) for f in fits},
        tolerance="α_m ∈ [0.8, 1.25] for α ≤ 1.25; α_m < 2(α − 1) + 0.2 for α ≥ 1.75 "
                  "(paper only, provisional)", passed=ok,
        note="m ∈ {50, 62, 77, 96, 120, 150} (6 log-spaced values in [50, 150]) is reconstructed")


def paper_only_claims(metrics: dict, profile: str) -> list[Claim]:
    return [_variance_ratio(metrics, profile), _weak_exponent(metrics, profile),
            *_large_claims(metrics, profile), _density(metrics, profile),
            _large_m(metrics, profile)]
