"""Claims of the ``continuous`` experiment (continuous.tree_closed_form, tree_floor, star,
chain). They read metrics only; theory values are those ``theory/`` gave in this run.

All four are ``quantitative``: Gaussian Monte Carlo against closed forms. Tolerances are the
pillar's, per profile (cpu / paper); z criteria use z_K = Φ⁻¹(1 − 0.0005/K) with K the number of
estimates the claim compares (Bonferroni), and the SE comes from empirical fourth moments.
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, make_claim, rounded
from experiments.majority_tree.shared.provenance import PAPER_VALUE_NONE, source

# Relative-error tolerances (cpu, paper) of the pillar's claims table.
REL_TOL = {"tree_closed_form": (0.04, 0.015), "tree_floor": (0.045, 0.02),
           "star": (0.02, 0.007), "chain": (0.02, 0.007)}
SECTION = "§3 (Continuous Warm-up)"


def _tol(name: str, profile: str) -> float:
    cpu, paper = REL_TOL[name]
    return paper if profile == "paper" else cpu


def _z(metrics: dict[str, Any], name: str) -> tuple[int, float]:
    entry = metrics["z_thresholds"][name]
    return int(entry["K"]), float(entry["z_K"])


SOURCE = "fourth-moment SE; family-wise z_K at rate 1e−3"


def _claim(profile: str, short: str, labels: str, where: str, *, details: dict | None = None,
           **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"continuous.{short}",
                      source=source(labels, where), label=labels.split(",")[0].strip(),
                      details={"paper": PAPER_VALUE_NONE, **(details or {})}, **fields)


# The claims held to max |z| ≤ z_K and a relative-error bound: the metrics entry they read,
# provenance labels and place, what a failing z is, what K counts, statement and expectation.
Z_REL_CLAIMS = {
    "tree_closed_form": (
        "tree", "reconstructed,summary", f"{SECTION}, Eq. 13", "a level", " levels",
        "An explicit Gaussian tree (clone before noise, per node) has risk "
        "v_L = λ^L(v0 − v*) + v*, λ = ρ + (1−ρ)/b", "v̂_l = v_l at every level"),
    "star": (
        "star", "reconstructed,abstract", f"{SECTION} (closed-form star)", "an N", "",
        "A star of N agents has risk v0(ρ + (1−ρ)/N) + σ_c²/N, floor ρv0; the window caps "
        "N ≤ ⌊W/m⌋", "R̂(N) = R_star(N) for every N"),
}


def _z_rel_claim(metrics: dict[str, Any], profile: str, name: str, context: str,
                 **fields: Any) -> Claim:
    """The ``Z_REL_CLAIMS`` claim ``name``; ``context`` follows its max |z| and relative error."""
    key, labels, where, beyond, of_k, statement, expected = Z_REL_CLAIMS[name]
    part = metrics[key]
    k, zk = _z(metrics, name)
    tol = _tol(name, profile)
    z_ok, rel_ok = part["max_abs_z"] <= zk, part["max_rel_err"] <= tol
    return _claim(
        profile, name, labels, where, kind="quantitative", statement=statement,
        expected=expected, measured=rounded(part["max_abs_z"], 3),
        context=f"max |z| of K = {k}{of_k}; max rel. err. {part['max_rel_err']:.2%}; {context}",
        tolerance=f"max |z| ≤ z_K = {zk:.2f}; max relative error ≤ {tol:.1%}",
        tolerance_source=SOURCE, passed=z_ok and rel_ok,
        reason=f"{beyond} is beyond z_K" if not z_ok else f"the relative error exceeds {tol:.1%}",
        **fields)


def _mc_note(part: dict[str, Any], streams: int) -> str:
    return (f"T = {part['trials_pooled']} trials pooled over {streams} seed stream(s); SE from "
            "empirical fourth moments")


def _tree_claim(metrics: dict[str, Any], profile: str) -> Claim:
    tree, streams = metrics["tree"], metrics["seed_streams"]
    root = tree["levels"][-1]
    return _z_rel_claim(
        metrics, profile, "tree_closed_form",
        f"v̂_{tree['L']} {root['v_hat']:.4f} vs {root['formula']:.4f}",
        note=f"b = {tree['b']}, ρ = {tree['rho']}, σ_c² = {tree['sigma2']}, v0 = {tree['v0']}, "
             f"L = {tree['L']}; level l pools T·b^(L−l) samples; "
             f"{_mc_note(tree, streams)}. Cloning after the noise would raise the floor by a "
             "factor 1 + (b−1)ρ (here 1.4), far beyond the tolerance.",
        details={"levels": {f"l={lv['l']}": {"v_l": rounded(lv["formula"], 5),
                                             "v̂_l": rounded(lv["v_hat"], 5),
                                             "SE": rounded(lv["se"], 3), "z": rounded(lv["z"], 3)}
                            for lv in tree["levels"]},
                 "λ": rounded(tree["lambda"], 5), "v*": rounded(tree["v_star"], 5),
                 "L_mix,cont (δ = 0.05)": rounded(tree["L_mix_cont"], 4),
                 "max |z|": tree["max_abs_z"], "max relative error": tree["max_rel_err"],
                 "relative-error tolerance (cpu, paper)": list(REL_TOL["tree_closed_form"]),
                 "reference v_l": [1.0, 0.5, 0.2667, 0.1578, 0.1070, 0.0832, 0.0722, 0.0670,
                                   0.0646]})


def _floor_claim(metrics: dict[str, Any], profile: str) -> Claim:
    floors, limit, contrast = metrics["floors"], metrics["floor_limit"], metrics["contrast"]
    k, zk = _z(metrics, "tree_floor")
    tol = _tol("tree_floor", profile)
    cells = floors["cells"]
    worst = max(cells, key=lambda c: abs(c["root_ratio"] - 1.0))
    problems = []
    if limit["max_abs_error"] > limit["tolerance"]:
        problems.append("the recursion does not converge to v*")
    if floors["max_abs_z"] > zk:
        problems.append("a level is beyond z_K")
    if floors["max_rel_err"] > tol:
        problems.append(f"|v̂/v* − 1| exceeds {tol:.1%}")
    return _claim(
        profile, "tree_floor", "summary", f"{SECTION}, Eq. 13", kind="quantitative",
        statement="The deep-tree floor is v* = σ_c²/((b−1)(1−ρ)): trees whose leaves start at v* "
                  "stay there at every level",
        expected=1.0, measured=rounded(worst["root_ratio"], 4),
        interval=worst["root_ratio_interval"],
        interval_kind="95% interval, ±1.96 fourth-moment SE",
        context=f"worst root v̂/v* (b = {worst['b']}, ρ = {worst['rho']:g}); max |z| "
                f"{floors['max_abs_z']:.2f} of K = {k}",
        tolerance=f"max |z| ≤ z_K = {zk:.2f}; max |v̂/v* − 1| ≤ {tol:.1%} at every level",
        tolerance_source=SOURCE, passed=not problems, reason="; ".join(problems),
        note=f"{len(cells)} stationary-start cells (v0 = v*), T = "
             f"{floors['trials_pooled']} trials pooled over {metrics['seed_streams']} seed "
             f"stream(s). The closed-form recursion reaches v* to {limit['max_abs_error']:.1e} "
             f"at L = {limit['depth']} (true by construction, shown in the details). Contrast "
             f"(theory only): tree floor v* = {contrast['v_star']:.4g} < star floor ρv0 = "
             f"{contrast['star_floor']:.4g} since σ_c² < (b−1)(1−ρ)ρv0 = "
             f"{contrast['sigma2_bound']:.4g}; under global equicorrelation the floor would be "
             f"ρv0 + σ_c²/(b−1) = {contrast['global_floor']:.4g}. Eq. 13 is the per-node one.",
        details={"root v̂/v* per cell": {f"b={c['b']} L={c['L']} ρ={c['rho']:g} "
                                         f"σ²={c['sigma2']:g}": rounded(c["root_ratio"], 4)
                                         for c in cells},
                 "max |z|": floors["max_abs_z"], "max |v̂/v* − 1|": floors["max_rel_err"],
                 "recursion limit |v_L − v*|": limit["max_abs_error"],
                 "recursion limit depth": limit["depth"],
                 "relative-error tolerance (cpu, paper)": list(REL_TOL["tree_floor"]),
                 "contrast": contrast})


def _star_claim(metrics: dict[str, Any], profile: str) -> Claim:
    star = metrics["star"]
    last = star["N"][-1]
    return _z_rel_claim(
        metrics, profile, "star", f"R̂({last}) {star['v_hat'][-1]:.4f}, floor {star['floor']:g}",
        note=f"N = {star['N']}; W = {star['window']}, m = {star['message_tokens']} tokens "
             f"(cap ⌊W/m⌋ = {star['cap']}). The stars of all N share their first leaves within "
             "a trial (common random numbers). R_star(1) = v0 + σ_c² includes one channel pass. "
             f"{_mc_note(star, metrics['seed_streams'])}.",
        details={"per N": {f"N={n}": {"R": rounded(f, 5), "R̂": rounded(v, 5), "z": rounded(z, 3)}
                           for n, f, v, z in zip(star["N"], star["formula"], star["v_hat"],
                                                 star["z"], strict=True)},
                 "floor ρv0": star["floor"], "cap ⌊W/m⌋": star["cap"],
                 "max |z|": star["max_abs_z"], "max relative error": star["max_rel_err"],
                 "relative-error tolerance (cpu, paper)": list(REL_TOL["star"])})


def _chain_claim(metrics: dict[str, Any], profile: str) -> Claim:
    chain = metrics["chain"]
    k, zk = _z(metrics, "chain")
    tol = _tol("chain", profile)
    best, best_mc = chain["argmin_formula"], chain["argmin_mc"]
    argmin_ok = best_mc == best if profile == "paper" else abs(best_mc - best) <= 1
    relax = chain["L_opt_relaxation"]
    problems = []
    if chain["max_abs_z"] > zk:
        problems.append("a length is beyond z_K")
    if chain["max_rel_err"] > tol:
        problems.append(f"the relative error exceeds {tol:.1%}")
    if not argmin_ok:
        problems.append(f"the Monte Carlo argmin L = {best_mc} is off the formula's {best}")
    return _claim(
        profile, "chain", "convention", f"{SECTION} (chain definition is this project's)",
        kind="quantitative",
        statement="The running-average chain has risk v0(ρ + (1−ρ)/L) + σ_c²(L−1)(2L−1)/(6L) and "
                  "an interior optimum length",
        expected=f"R̂(L) = R_chain(L); argmin L = {best}", measured=rounded(chain["max_abs_z"], 3),
        context=f"max |z| of K = {k}; max rel. err. {chain['max_rel_err']:.2%}; MC argmin "
                f"L = {best_mc}",
        tolerance=f"max |z| ≤ z_K = {zk:.2f}; max rel. error ≤ {tol:.1%}; MC argmin "
                  + ("equal to the formula's" if profile == "paper" else "within ±1 of the "
                     "formula's"),
        tolerance_source=SOURCE if profile == "paper" else
        "fourth-moment SE, z_K; argmin ±1: neighbours ≈ 3–4 SE apart",
        passed=not problems, reason="; ".join(problems),
        note=f"L = 1…{len(chain['L'])}; the chain of length L is the first L agents of one chain "
             "per trial (common random numbers across L). On cpu the neighbours of the optimum "
             "differ by 1.3–1.6 % against a relative SE of about 0.4 %, so the argmin may land "
             "on 4 or 6; the paper profile's 10× trials must give 5. "
             f"{_mc_note(chain, metrics['seed_streams'])}.",
        details={"per L": {f"L={n}": {"R": rounded(f, 5), "R̂": rounded(v, 5), "z": rounded(z, 3)}
                           for n, f, v, z in zip(chain["L"], chain["formula"], chain["v_hat"],
                                                 chain["z"], strict=True)},
                 "argmin L (formula)": best, "argmin L (Monte Carlo)": best_mc,
                 "relaxed L_opt": rounded(relax, 3) if relax is not None else None,
                 "max |z|": chain["max_abs_z"], "max relative error": chain["max_rel_err"],
                 "relative-error tolerance (cpu, paper)": list(REL_TOL["chain"]),
                 "reference R(4), R(5), R(6)": [0.4875, 0.4800, 0.4861]})


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any, profile: str) -> list[Claim]:
    return [_tree_claim(metrics, profile), _floor_claim(metrics, profile),
            _star_claim(metrics, profile), _chain_claim(metrics, profile)]
