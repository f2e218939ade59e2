"""Claims of ``effective_features`` (spec §6.3), read from metrics only.

Labels: ψ_ref (q_i ∝ ‖W_i‖^2), the sparsity spacing, the toy training recipe and the SAE loss
reduction are reconstructed (trap 14); the untied part-B SAE, its pre-ReLU activations and the
activation subset follow the authors' code or differ from it as stated (trap 15).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, make_claim
from theory import superposition_geometry as geo

PAPER = "Bereska et al. 2025 (arXiv:2512.13568)"
TRAP14 = ("reconstructed (trap 14): ψ_ref = exp(H(q))/N with q_i ∝ ‖W_i‖^2, 1 − S log-spaced in "
          "[0.001, 0.999], TMS training defaults, SAE loss reduction {red}")
TRAP15 = ("code conventions (trap 15): untied SAE with biases on pre-ReLU fc1 outputs of {n} "
          "training inputs ({subset} subset; the authors' code takes the first block, all task 0 "
          "label 0); fixed-size batches drop the authors' last partial batch")


def _num(value: Any, digits: int = 4) -> Any:
    """A finite rounded number, or a phrase for undefined values (claims must stay finite)."""
    if value is None or isinstance(value, str):
        return "undefined" if value in (None, "nan") else value
    value = float(value)
    return round(value, digits) if math.isfinite(value) else "undefined"


def _ci(c: dict[str, Any]) -> str:
    return f"r = {_num(c['r'], 3)} [95% paired bootstrap CI {_num(c['lo'], 3)}, {_num(c['hi'], 3)}]"


def _ge(value: Any, bound: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value >= bound


def _toy_claims(config: Any, m: dict[str, Any], profile: str) -> list[Claim]:
    toy = m["toy"]
    corr = toy["correlations"]
    paper = profile == "paper"
    red = f"'{config.sae_loss_reduction}'"
    note14 = TRAP14.format(red=red)
    count = len(toy["density"])
    claims = []
    bound = 0.97 if paper else 0.95
    c = corr["ref_vs_frob"]
    claims.append(make_claim(
        profile=profile, id="effective_features.weights_entropy_vs_frob",
        statement="the entropy of the toy weights tracks the Frobenius baseline",
        source=f"[reconstructed] {PAPER}, Fig. 3a", label="reconstructed",
        paper="r = 0.99 ± 0.01", theory="n/a (correlation; no closed form)",
        measured=_ci(c), tolerance=f"Pearson r(ψ_ref, ψ_Frob) ≥ {bound} over {count} models",
        passed=_ge(c["r"], bound), note=note14))
    bound = 0.90 if paper else 0.85
    c = corr["sae_vs_ref"]
    claims.append(make_claim(
        profile=profile, id="effective_features.sae_vs_reference",
        statement="ψ from SAE codes recovers the weight-based reference",
        source=f"[reconstructed] {PAPER}, Fig. 3a", label="reconstructed",
        paper="r = 0.94 ± 0.02", theory="n/a (correlation; no closed form)",
        measured=_ci(c), passed=_ge(c["r"], bound),
        tolerance=f"r(ψ_SAE, ψ_ref) ≥ {bound} over {count} models (provisional)",
        note=f"{note14}. Diagnostics: r(ψ_Frob^SAE, ψ_ref): {_ci(corr['frob_sae_vs_ref'])}; "
             f"r(ψ_codes, ψ_ref): {_ci(corr['codes_vs_ref'])}; SAEs stopped early: "
             f"{toy['num_stopped_early']} of {count}; all-zero codes: "
             f"{toy['num_all_zero_codes']}."))
    bound = 0.85 if paper else 0.8
    rho = toy["spearman_psi_sae_vs_inv_density"]
    claims.append(make_claim(
        profile=profile, id="effective_features.psi_monotone",
        statement="ψ_SAE grows with sparsity", source=f"[paper] {PAPER}, §5.1 (F from N to M)",
        label="paper", paper="increasing", theory="n/a (monotone trend)",
        measured=f"Spearman ρ = {_num(rho, 3)}", passed=_ge(rho, bound),
        tolerance=f"Spearman ρ(1/(1 − S), ψ_SAE) ≥ {bound} (provisional)",
        note=f"{note14}. Sparsest third of the models: median ψ_SAE "
             f"{_num(np.median(np.asarray(toy['psi_sae'])[-count // 3:]), 3)} vs median ψ_ref "
             f"{_num(np.median(np.asarray(toy['psi_ref'])[-count // 3:]), 3)} (a plateau of "
             "ψ_SAE at high sparsity, where few samples are active, lowers ρ)."))
    dens, frob = np.asarray(toy["density"]), np.asarray(toy["psi_frob"])
    densest = float(frob[np.argmax(dens)])
    sparse = frob[dens <= 0.003]
    n_feat, n_hid = toy["n_features"], toy["n_hidden"]
    dense_theory = geo.psi_frobenius(np.eye(n_feat, n_hid))  # top-N projection: ψ_Frob = 1
    ok = 0.9 <= densest <= 1.1 and sparse.size > 0 and bool(np.all(sparse >= 2.4))
    claims.append(make_claim(
        profile=profile, id="effective_features.psi_frob_range",
        statement="toy superposition spans ψ_Frob ≈ 1 (dense) to ≈ 3 (sparse)",
        source=f"[paper] Elhage et al. 2022 20 → 5 values; {PAPER}, §5.1", label="paper",
        paper="‖W‖_F^2 5 → 15, i.e. ψ_Frob 1 → 3",
        theory={"dense_top_N_projection": _num(dense_theory), "max_M_over_N": n_feat / n_hid},
        measured={"densest": _num(densest),
                  "min_at_density_le_0.003": _num(sparse.min() if sparse.size else None),
                  "models_at_density_le_0.003": int(sparse.size)},
        tolerance="densest ψ_Frob ∈ [0.9, 1.1]; every model with 1 − S ≤ 0.003 has "
                  "ψ_Frob ≥ 2.4 (provisional)",
        passed=ok, note=f"toy batch {config.toy_batch}, {config.toy_steps} steps"))
    psi = np.asarray(toy["psi_sae"])
    frac = float(np.mean((psi >= 0.6) & (psi <= 4.5)))
    claims.append(make_claim(
        profile=profile, id="effective_features.psi_range",
        statement="SAE ψ stays in the physical range 1 ≲ ψ ≲ M/N",
        source=f"[paper] {PAPER}, §5.1, footnote 1", label="paper", paper="1 ≲ ψ_SAE ≲ 4",
        theory={"lower": 1.0, "upper_M_over_N": n_feat / n_hid},
        measured={"fraction_in_range": _num(frac), "min": _num(psi.min()),
                  "max": _num(psi.max())},
        tolerance="ψ_SAE ∈ [0.6, 4.5] for ≥ 90% of models (provisional)", passed=frac >= 0.9,
        note=note14))
    return claims


def _dropout_claims(config: Any, m: dict[str, Any], profile: str) -> list[Claim]:
    drop = m["dropout"]
    paper = profile == "paper"
    note15 = TRAP15.format(n=m["parity"]["activation_rows"],
                           subset=m["parity"]["activation_subset"])
    rhos = {h: w["spearman_rate_vs_F"] for h, w in drop["widths"].items()}
    bound = -0.8 if paper else -0.7
    ok = all(isinstance(r, float) and math.isfinite(r) and r <= bound for r in rhos.values())
    claims = [make_claim(
        profile=profile, id="effective_features.dropout_monotone",
        statement="dropout reduces the number of effective features",
        source=f"[paper] {PAPER}, Fig. 4b, §6.1", label="paper", paper="monotone decrease",
        theory="n/a (no closed form)",
        measured={f"rho_h{h}": _num(r, 3) for h, r in rhos.items()},
        tolerance=f"Spearman ρ(rate, seed-mean F) ≤ {bound} for each h"
                  + ("" if paper else " (provisional)"),
        passed=ok, note=note15)]
    ratios = {h: w["ratio_top_to_base"] for h, w in drop["widths"].items()}
    low = drop["min_ratio_top_to_base"]
    if paper:
        tol = "min over h of F(max rate)/F(0) ∈ [0.35, 0.75] (provisional)"
        ok = _ge(low, 0.35) and low <= 0.75
    else:
        tol = f"min over h of F(max rate)/F(0) ≤ 0.85 with rates up to {drop['top_rate']} " \
              "(provisional)"
        ok = isinstance(low, float) and math.isfinite(low) and low <= 0.85
    claims.append(make_claim(
        profile=profile, id="effective_features.dropout_reduction",
        statement="dropout reduces F by up to about 50%",
        source=f"[paper] {PAPER}, §6.1", label="paper",
        paper="min over h of F(max rate)/F(0) ≈ 0.5", theory="n/a (no closed form)",
        measured={"min_ratio": _num(low), **{f"ratio_h{h}": _num(r) for h, r in ratios.items()}},
        tolerance=tol, passed=ok, note=note15))
    narrow = min(drop["widths"], key=int)
    finite = {h: r for h, r in ratios.items() if isinstance(r, float) and math.isfinite(r)}
    ok = bool(finite) and narrow in finite and finite[narrow] == min(finite.values()) and \
        len(drop["widths"]) >= 4
    claims.append(make_claim(
        profile=profile, check_on=("paper",), id="effective_features.dropout_capacity",
        statement="narrow networks lose the largest share of effective features under dropout",
        source=f"[paper] {PAPER}, Fig. 4c", label="paper",
        paper="largest relative drop at h = 16", theory="n/a (no closed form)",
        measured={f"ratio_h{h}": _num(r) for h, r in ratios.items()},
        tolerance=f"F(max rate)/F(0) at the narrowest h ({narrow}) is the smallest of the four "
                  "widths (paper only; provisional)", passed=ok, note=note15))
    return claims


def _paper_only_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    scaling, robust = m["dict_scaling"], m["robustness"]
    if scaling is not None:
        growth = dict(zip(scaling["l1s"], scaling["growth"], strict=True))
        g = {lam: growth.get(lam) for lam in (0.01, 0.1, 1.0)}
        ok = all(isinstance(v, float) and math.isfinite(v) for v in g.values()) and \
            g[0.1] <= 1.25 and g[1.0] <= 1.25 and g[0.01] > g[0.1]
        measured = {f"G(lambda={lam:g})": _num(v) for lam, v in growth.items()}
        measured["e_from_to"] = [scaling["growth_from"], scaling["growth_to"]]
        note = (f"untied SAE of the authors' code, D = min(1024, e·h), h = {scaling['width']} "
                f"(the dropout sweep's rate-0 models), {len(scaling['F'][0][0])} model seeds × "
                f"{len(scaling['F'][0][0][0])} SAE seeds")
    else:
        ok, measured = False, "not run on this profile (--dict_scaling off)"
        note = "paper profile only"
    claims = [make_claim(
        profile=profile, check_on=("paper",), id="effective_features.dict_plateau",
        statement="F plateaus with dictionary size for λ ≥ 0.1 and grows for λ = 0.01",
        source=f"[paper] {PAPER}, Fig. 4a", label="paper",
        paper="G(0.1), G(1) ≈ 1; G(0.01) > 1", theory="n/a (no closed form)",
        measured=measured, passed=ok,
        tolerance="G(λ) = F(e = 16)/F(e = 4): G(0.1) ≤ 1.25, G(1) ≤ 1.25, G(0.01) > G(0.1) "
                  "(paper only; provisional)",
        note=note)]
    if robust is not None:
        r_l1 = dict(zip(robust["l1"]["values"], robust["l1"]["r"], strict=True))
        core = [r_l1.get(lam) for lam in (1e-3, 1e-2, 1e-1, 1.0)]
        ok = all(_ge(r, 0.85) for r in core) and _ge(r_l1.get(0.1), -1.0) and \
            _ge(r_l1.get(10.0), -1.0) and r_l1[10.0] < r_l1[0.1]
        measured = {f"r(lambda={v:g})": _num(r, 3) for v, r in r_l1.items()}
        measured.update({f"r(D/N={v})": _num(r, 3) for v, r in zip(
            robust["expansion"]["values"], robust["expansion"]["r"], strict=True)})
        measured.update({f"r(M={v})": _num(r, 3) for v, r in zip(
            robust["features"]["values"], robust["features"]["r"], strict=True)})
    else:
        ok, measured = False, "not run on this profile (--robustness_sweeps off)"
    claims.append(make_claim(
        profile=profile, check_on=("paper",), id="effective_features.robustness",
        statement="the SAE–reference correlation is stable except at extreme λ",
        source=f"[paper] {PAPER}, Fig. 3b", label="paper", paper="r high for λ ≤ 1",
        theory="n/a (correlation; no closed form)", measured=measured, passed=ok,
        tolerance="r ≥ 0.85 for λ ∈ {1e-3, 1e-2, 1e-1, 1} at D = 8N; r(λ = 10) < r(λ = 0.1) "
                  "(paper only; provisional)",
        note="each axis varied alone (λ = 0.1, D = 8N, M = 20 otherwise); N fixed at 5 in the "
             "M sweep (reconstructed)"))
    return claims


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any, profile: str) -> list[Claim]:
    """Every claim of spec §6.3, in its order."""
    return (_toy_claims(config, metrics, profile) + _dropout_claims(config, metrics, profile)
            + _paper_only_claims(metrics, profile))
