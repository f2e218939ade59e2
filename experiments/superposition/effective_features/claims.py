"""Claims of ``effective_features``, read from metrics only.

Reconstructed pieces (labelled): the weight-based reference ψ_ref = exp(H(q))/N with
q_i ∝ ‖W_i‖², the sparsity spacing, the toy training recipe and the SAE loss reduction. The
untied part-B SAE, its pre-ReLU activations and the activation subset follow the authors' code
or differ from it as stated in the notes.

ψ_ref and ψ_Frob are both functions of the toy model's row norms and coincide when every norm is
0 or 1, so their correlation is a consistency check, not a validation. The correlation of ψ_SAE
with ψ_ref is held to the paper's tolerance on every profile: a smaller budget widens its
interval but gives no reason to expect a lower correlation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common.claims import Claim, format_number, make_claim, rounded, underpowered
from experiments.common.results import as_float
from experiments.superposition.shared.provenance import source

PAPER = "Bereska et al. 2025 (arXiv:2512.13568)"
CI = "95% paired bootstrap over models"
NOTE_TOY = ("Reconstructed: ψ_ref = exp(H(q))/N with q_i ∝ ‖W_i‖², 1 − S log-spaced in "
            "[0.001, 0.999], TMS training defaults, SAE loss reduction {red}.")
NOTE_PARITY = ("Untied SAE with biases on pre-ReLU fc1 outputs of {n} training inputs ({subset} "
               "subset; the authors' code takes the first block, all task 0 label 0); "
               "fixed-size batches drop the authors' last partial batch.")


def _ci(c: dict[str, Any]) -> list[float] | None:
    lo, hi = as_float(c.get("lo")), as_float(c.get("hi"))
    return [lo, hi] if math.isfinite(lo) and math.isfinite(hi) else None


def _corr(c: dict[str, Any]) -> dict[str, Any]:
    return {"r": rounded(c["r"], 3), "95% CI": [rounded(c.get("lo"), 3), rounded(c.get("hi"), 3)]}


def _claim(profile: str, name: str, label: str, where: str, **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"effective_features.{name}",
                      source=source(label, where), label=label, **fields)


def _toy_claims(config: Any, m: dict[str, Any], profile: str) -> list[Claim]:
    toy = m["toy"]
    corr = toy["correlations"]
    paper = profile == "paper"
    note = NOTE_TOY.format(red=f"'{config.sae_loss_reduction}'")
    count = len(toy["density"])
    src = f"{PAPER}, Fig. 3a"
    claims = []
    bound = 0.97 if paper else 0.95
    c = corr["ref_vs_frob"]
    claims.append(_claim(
        profile, "weights_entropy_vs_frob", "reconstructed", src, kind="consistency",
        statement="The entropy of the toy weights tracks the Frobenius baseline",
        expected=0.99, measured=rounded(c["r"], 3), interval=_ci(c), interval_kind=CI,
        context=f"Pearson r(ψ_ref, ψ_Frob), {count} models",
        tolerance=f"r ≥ {bound}", tolerance_source="paper's r = 0.99 ± 0.01, margin",
        passed=as_float(c["r"]) >= bound,
        reason=f"r = {format_number(as_float(c['r']), 3)} below {bound}",
        note="Both are functions of the row norms and coincide when every norm is 0 or 1, so the "
             "correlation is close to 1 by construction; shown, not counted. " + note,
        details={"r": _corr(c), "paper": "r = 0.99 ± 0.01",
                 "theory": "n/a (correlation; no closed form)"}))
    c = corr["sae_vs_ref"]
    r = as_float(c["r"])
    claims.append(_claim(
        profile, "sae_vs_reference", "reconstructed", src, kind="quantitative",
        statement="ψ from SAE codes recovers the weight-based reference ψ_ref",
        expected=0.94, measured=rounded(r, 3), interval=_ci(c), interval_kind=CI,
        context=f"Pearson r(ψ_SAE, ψ_ref), {count} models",
        tolerance="r ≥ 0.90 on every profile", tolerance_source="paper's r = 0.94 ± 0.02, 2 SD",
        passed=r >= 0.90,
        reason=(f"r = {format_number(r, 3)} [{format_number(as_float(c.get('lo')), 3)}, "
                f"{format_number(as_float(c.get('hi')), 3)}] over {count} models (toy batch "
                f"{config.toy_batch}): below 0.90; the interval excludes the paper's 0.94"
                if _ci(c) and as_float(c["hi"]) < 0.92 else
                f"r = {format_number(r, 3)} over {count} models: below 0.90"),
        note=f"{note} SAEs stopped early: {toy['num_stopped_early']} of {count}; all-zero codes: "
             f"{toy['num_all_zero_codes']}.",
        details={"r(ψ_SAE, ψ_ref)": _corr(c), "paper": "r = 0.94 ± 0.02",
                 "theory": "n/a (correlation; no closed form)",
                 "diagnostics": {"r(ψ_Frob^SAE, ψ_ref)": _corr(corr["frob_sae_vs_ref"]),
                                 "r(ψ_codes, ψ_ref)": _corr(corr["codes_vs_ref"])}}))
    claims.append(_monotone_claim(toy, profile, note))
    dens, frob = np.asarray(toy["density"], float), np.asarray(toy["psi_frob"], float)
    densest = float(frob[np.argmax(dens)])
    sparse = frob[dens <= 0.003]
    n_feat, n_hid = toy["n_features"], toy["n_hidden"]
    dense_theory = toy["psi_frob_dense_theory"]  # top-N projection: ψ_Frob = 1
    ok = 0.9 <= densest <= 1.1 and sparse.size > 0 and bool(np.all(sparse >= 2.4))
    claims.append(_claim(
        profile, "psi_frob_range", "paper", f"Elhage et al. 2022 20 → 5 values; {PAPER}, §5.1",
        kind="qualitative",
        statement="Toy superposition spans ψ_Frob ≈ 1 (dense) to ≈ 3 (sparse)",
        expected="1 (dense) → ≥ 2.4 (1 − S ≤ 0.003)",
        measured=rounded(sparse.min()) if sparse.size else None,
        context=f"smallest of {sparse.size} sparse models; densest {format_number(densest, 4)}",
        tolerance="densest ψ_Frob ∈ [0.9, 1.1]; every model with 1 − S ≤ 0.003 has ψ_Frob ≥ 2.4",
        tolerance_source="dense theory ± 0.1; sparse ‖W‖_F² ≥ 12",
        passed=ok, reason=(f"densest ψ_Frob {format_number(densest, 3)}" if not
                           0.9 <= densest <= 1.1 else "a sparse model has ψ_Frob < 2.4"),
        note=f"toy batch {config.toy_batch}, {config.toy_steps} steps; the sparse bound is the "
             "toy_models bound ‖W‖_F² ≥ 12 divided by N = 5 (provisional)",
        details={"densest ψ_Frob": rounded(densest), "sparse ψ_Frob": [rounded(v) for v in sparse],
                 "paper": "‖W‖_F² 5 → 15, i.e. ψ_Frob 1 → 3",
                 "theory": {"dense top-N projection": rounded(dense_theory),
                            "maximum M/N": n_feat / n_hid}}))
    psi = np.asarray(toy["psi_sae"], float)
    frac = float(np.mean((psi >= 0.6) & (psi <= 4.5)))
    claims.append(_claim(
        profile, "psi_range", "paper", f"{PAPER}, §5.1, footnote 1", kind="qualitative",
        statement="SAE ψ stays in the physical range 1 ≲ ψ ≲ M/N",
        expected="1 ≲ ψ_SAE ≲ 4", measured=rounded(frac, 3),
        context=f"share of {count} models in [0.6, 4.5]; range {format_number(psi.min(), 3)}–"
                f"{format_number(psi.max(), 3)}",
        tolerance="ψ_SAE ∈ [0.6, 4.5] for ≥ 90 % of models",
        tolerance_source="range 1–M/N with margins (provisional)",
        passed=frac >= 0.9, reason=f"only {format_number(frac, 3)} of the models in range",
        note=note,
        details={"ψ_SAE min": rounded(psi.min()), "ψ_SAE max": rounded(psi.max()),
                 "paper": "1 ≲ ψ_SAE ≲ 4", "theory": {"lower": 1.0, "upper M/N": n_feat / n_hid}}))
    return claims


def _monotone_claim(toy: dict[str, Any], profile: str, note: str) -> Claim:
    bound = 0.85 if profile == "paper" else 0.8
    rho = as_float(toy["spearman_psi_sae_vs_inv_density"])
    count = len(toy["inv_density"])
    diag = toy["monotone_diagnostics"]
    rho_ref = as_float(diag["spearman_psi_ref_vs_inv_density"])
    beyond = diag["beyond_2.2_count"]  # past the antipodal-pair value ψ = 2
    high = (f" Models with ψ_ref > 2.2 ({beyond}): median ψ_SAE "
            f"{format_number(as_float(diag['beyond_2.2_median_psi_sae']), 3)} vs ψ_ref "
            f"{format_number(as_float(diag['beyond_2.2_median_psi_ref']), 3)}." if beyond else "")
    rho_dense = as_float(diag["spearman_psi_sae_vs_inv_density_without_sparsest_third"])
    third_sae = as_float(diag["sparsest_third_median_psi_sae"])
    third_ref = as_float(diag["sparsest_third_median_psi_ref"])
    return _claim(
        profile, "psi_monotone", "paper", f"{PAPER}, §5.1 (F from N to M)", kind="qualitative",
        statement="ψ_SAE grows with sparsity", expected="ρ ≈ 1 (increasing)",
        measured=rounded(rho, 3), interval=toy["spearman_psi_sae_vs_inv_density_ci"],
        interval_kind=f"95% Fisher-z interval, {count} models",
        context=f"Spearman ρ(1/(1 − S), ψ_SAE); ψ_ref: {format_number(rho_ref, 3)}",
        tolerance=f"ρ ≥ {bound}",
        tolerance_source="provisional, from the paper's 'F from N to M'",
        passed=rho >= bound,
        reason=(f"ψ_SAE levels off in the sparsest third (median "
                f"{format_number(third_sae, 3)} vs ψ_ref "
                f"{format_number(third_ref, 3)}); ρ = {format_number(rho, 3)}"),
        note=note + high + " At 1 − S = 0.001 only about 2 % of the 10 000 samples have an "
                           "active feature, so F rests on about 200 activations.",
        details={"ρ(1/(1 − S), ψ_SAE)": rounded(rho, 3), "ρ(1/(1 − S), ψ_ref)": rounded(rho_ref, 3),
                 "ρ without the sparsest third": rounded(rho_dense, 3),
                 "sparsest third, median ψ_SAE": rounded(third_sae, 3),
                 "sparsest third, median ψ_ref": rounded(third_ref, 3),
                 "sparsest third, median dead-atom fraction": rounded(
                     diag["sparsest_third_median_dead_fraction"], 3),
                 "paper": "increasing", "theory": "n/a (monotone trend)"})


def _dropout_claims(config: Any, m: dict[str, Any], profile: str) -> list[Claim]:
    drop = m["dropout"]
    paper = profile == "paper"
    note = NOTE_PARITY.format(n=m["parity"]["activation_rows"],
                              subset=m["parity"]["activation_subset"])
    rates = [float(r) for r in drop["rates"]]
    base, top = rates.index(float(drop["base_rate"])), rates.index(float(drop["top_rate"]))
    widths = drop["widths"]
    rhos = {f"h={h}": as_float(w["spearman_rate_vs_F"]) for h, w in widths.items()}
    drops = {f"h={h}": (w["drop_top_vs_base"], as_float(w["drop_top_vs_base_se"]))
             for h, w in widths.items()}
    ratio = {f"h={h}": w["F_seed_mean"][top] / w["F_seed_mean"][base] for h, w in widths.items()}
    ratio_se = {f"h={h}": as_float(w["ratio_top_to_base_se"]) for h, w in widths.items()}
    seeds = min((len(w["F"][base]) for w in widths.values()), default=0)
    bound = -0.8 if paper else -0.7
    worst = max(rhos, key=rhos.get) if rhos else ""
    small = min(drops, key=lambda h: drops[h][0]) if drops else ""
    d, s = drops.get(small, (math.nan, math.nan))
    claims = [_claim(
        profile, "dropout_monotone", "paper", f"{PAPER}, Fig. 4b, §6.1", kind="qualitative",
        statement="Dropout reduces the number of effective features F at every width",
        expected="ρ(rate, F) < 0 (decreasing)", measured=rounded(rhos[worst], 3) if rhos else None,
        context=(f"largest Spearman ρ, {worst}; smallest drop F(0) − F({drop['top_rate']}) "
                 f"{format_number(d, 3)} ({small})") if rhos else "",
        tolerance=f"Spearman ρ(rate, seed-mean F) ≤ {bound} for each h",
        tolerance_source="sign test; drops powered at ≥ 3 seed SE",
        passed=bool(rhos) and all(v <= bound for v in rhos.values()),
        not_run=underpowered(d, s, what=f"smallest drop of F ({small})") if seeds >= 2
        else "needs two seeds per rate",
        reason=f"ρ = {format_number(rhos[worst], 3)} at {worst}" if rhos else "no width",
        note=note,
        details={"ρ per width": {k: rounded(v, 3) for k, v in rhos.items()},
                 "F(0) − F(top) and seed SE": {k: {"drop": rounded(v), "SE": rounded(e, 3)}
                                               for k, (v, e) in drops.items()},
                 "rates": rates, "seeds": seeds, "paper": "monotone decrease",
                 "theory": "n/a (no closed form)"})]
    low = min(ratio, key=ratio.get) if ratio else ""
    rv, rs = ratio.get(low, math.nan), ratio_se.get(low, math.nan)
    claims.append(_claim(
        profile, "dropout_reduction", "paper", f"{PAPER}, §6.1", kind="quantitative",
        statement="Dropout reduces F by up to about 50 %", expected=0.5,
        measured=rounded(rv) if ratio else None,
        interval=[rv - 1.96 * rs, rv + 1.96 * rs] if math.isfinite(rs) else None,
        interval_kind=f"± 1.96 seed SE ({seeds} seeds)",
        context=f"smallest F({drop['top_rate']})/F(0), {low}" if ratio else "",
        tolerance=f"min over h of F(top rate)/F(0) ∈ [0.35, 0.75] (top rate {drop['top_rate']})",
        tolerance_source="paper's 'up to about 50 %' (provisional band)",
        passed=bool(ratio) and 0.35 <= rv <= 0.75,
        reason=f"smallest ratio {format_number(rv, 3)} at {low}",
        note=note + (" The cpu sweep stops at rate 0.8 (paper 0.9), which can only weaken the "
                     "reduction." if not paper else ""),
        details={"F(top)/F(0) per width": {k: {"ratio": rounded(v), "SE": rounded(ratio_se[k], 3)}
                                           for k, v in ratio.items()},
                 "paper": "min over h of F(max rate)/F(0) ≈ 0.5",
                 "theory": "n/a (no closed form)"}))
    claims.append(_capacity_claim(widths, drop["capacity_gap"], ratio, note, profile))
    return claims


def _capacity_claim(widths: dict[str, Any], saved: dict[str, Any] | None,
                    ratio: dict[str, float], note: str, profile: str) -> Claim:
    narrow = f"h={min(widths, key=int)}" if widths else ""
    others = {k: v for k, v in ratio.items() if k != narrow}
    rival = saved["rival"] if saved else ""
    gap = as_float(saved["gap"]) if saved else math.nan
    se = as_float(saved["se"]) if saved else math.nan
    return _claim(
        profile, "dropout_capacity", "paper", f"{PAPER}, Fig. 4c", check_on=("paper",),
        kind="qualitative",
        statement="Narrow networks lose the largest share of effective features under dropout",
        expected=f"smallest F(top)/F(0) at {narrow or 'the narrowest h'}",
        measured=rounded(gap, 3), context=f"ratio gap to the next width, {rival}" if others else "",
        tolerance="F(top)/F(0) at the narrowest of four widths below every other width",
        tolerance_source="ordering; gap powered at ≥ 3 seed SE",
        passed=len(widths) >= 4 and gap > 0,
        not_run=("" if profile != "paper" else
                 underpowered(gap, se, what="ratio gap") if others else "needs two widths"),
        reason=(f"{rival} loses a larger share than {narrow}" if len(widths) >= 4 else
                "fewer than four widths"),
        note=note,
        details={"F(top)/F(0) per width": {k: rounded(v) for k, v in ratio.items()},
                 "gap SE": rounded(se, 3), "paper": "largest relative drop at h = 16",
                 "theory": "n/a (no closed form)"})


def _paper_only_claims(m: dict[str, Any], profile: str) -> list[Claim]:
    scaling, robust = m["dict_scaling"], m["robustness"]
    g: dict[float, float] = {}
    if scaling is not None:
        g = {float(lam): as_float(v)
             for lam, v in zip(scaling["l1s"], scaling["growth"], strict=True)}
    need = (0.01, 0.1, 1.0)
    have = all(math.isfinite(g.get(lam, math.nan)) for lam in need)
    plateau = max(g.get(0.1, math.nan), g.get(1.0, math.nan))
    claims = [_claim(
        profile, "dict_plateau", "paper", f"{PAPER}, Fig. 4a", check_on=("paper",),
        kind="qualitative",
        statement="F plateaus with dictionary size for λ ≥ 0.1 and grows for λ = 0.01",
        expected="G(0.1), G(1) ≈ 1; G(0.01) > G(0.1)",
        measured=rounded(plateau, 3) if have else None,
        context=f"larger of G(0.1), G(1); G(0.01) = {format_number(g[0.01], 3)}" if have else "",
        tolerance="G(λ) = F(e = 16)/F(e = 4): G(0.1) ≤ 1.25, G(1) ≤ 1.25, G(0.01) > G(0.1)",
        tolerance_source="provisional plateau allowance, 25 %",
        passed=have and plateau <= 1.25 and g[0.01] > g[0.1],
        not_run="" if scaling is not None or profile != "paper" else
        "dictionary scaling is off (--dict_scaling)",
        reason="F keeps growing at λ ≥ 0.1 or does not grow faster at λ = 0.01",
        note=(f"untied SAE of the authors' code, D = min(1024, e·h), h = {scaling['width']} "
              f"(the dropout sweep's rate-0 models), {len(scaling['F'][0][0])} model seeds × "
              f"{len(scaling['F'][0][0][0])} SAE seeds") if scaling is not None else "",
        details={"G per λ": {f"λ={lam:g}": rounded(v) for lam, v in g.items()},
                 "e from → to": [scaling["growth_from"], scaling["growth_to"]]
                 if scaling is not None else None,
                 "paper": "G(0.1), G(1) ≈ 1; G(0.01) > 1", "theory": "n/a (no closed form)"})]
    r_l1: dict[float, float] = {}
    extra: dict[str, Any] = {}
    if robust is not None:
        r_l1 = {float(v): as_float(r) for v, r in zip(robust["l1"]["values"], robust["l1"]["r"],
                                                strict=True)}
        extra = {f"r(D/N={v})": rounded(r, 3) for v, r in zip(
            robust["expansion"]["values"], robust["expansion"]["r"], strict=True)}
        extra.update({f"r(M={v})": rounded(r, 3) for v, r in zip(
            robust["features"]["values"], robust["features"]["r"], strict=True)})
    core = [r_l1.get(lam, math.nan) for lam in (1e-3, 1e-2, 1e-1, 1.0)]
    low = min(core)
    ok = (all(math.isfinite(v) and v >= 0.85 for v in core) and math.isfinite(r_l1.get(10.0,
                                                                                     math.nan))
          and r_l1[10.0] < r_l1[0.1])
    claims.append(_claim(
        profile, "robustness", "paper", f"{PAPER}, Fig. 3b", check_on=("paper",),
        kind="qualitative",
        statement="The SAE–reference correlation is stable except at extreme λ",
        expected="r high for λ ≤ 1, lower at λ = 10",
        measured=rounded(low, 3) if math.isfinite(low) else None,
        context=(f"smallest r for λ ≤ 1; r(λ = 10) = {format_number(r_l1[10.0], 3)}"
                 if math.isfinite(low) and 10.0 in r_l1 else ""),
        tolerance="r ≥ 0.85 for λ ∈ {1e-3, 1e-2, 1e-1, 1} at D = 8N; r(λ = 10) < r(λ = 0.1)",
        tolerance_source="provisional, from the paper's figure",
        passed=ok, not_run="" if robust is not None or profile != "paper" else
        "robustness sweeps are off (--robustness_sweeps)",
        reason="r drops below 0.85 at a moderate λ or does not drop at λ = 10",
        note="each axis varied alone (λ = 0.1, D = 8N, M = 20 otherwise); N fixed at 5 in the "
             "M sweep (reconstructed)",
        details={"r per λ": {f"λ={v:g}": rounded(r, 3) for v, r in r_l1.items()}, **extra,
                 "paper": "r high for λ ≤ 1", "theory": "n/a (correlation; no closed form)"}))
    return claims


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any, profile: str) -> list[Claim]:
    """Every claim of the pillar's effective_features table, in its order."""
    return (_toy_claims(config, metrics, profile) + _dropout_claims(config, metrics, profile)
            + _paper_only_claims(metrics, profile))
