"""Organization exponent, budgeted synergy, compute allocation and the context window (spec §3.2).

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy", arXiv:2601.17311
(full text unavailable; see specs/majority_tree.md). Claim C2: in the amplifying regime the
organization exponent is s = log_b α_ρ [summary]; a budgeted tree beats the best single agent at
the same total budget exactly when s > β [summary, "Thm 5"]; the optimal per-leaf compute is
x* = β·c0/(s − β) with c0 = 2mb/(b − 1) [summary, "Thm 9"]; explicit budget thresholds
[abstract; B_th reconstructed]; the context window W caps the fan-in at b ≤ ⌊W/m⌋ [abstract].
Claims synergy.exponent_fit, no_synergy_below, synergy_above, threshold_bracket,
allocation_continuous, allocation_integer, demo_values, context_window (spec §7).

Run:  python -m experiments.majority_tree.synergy --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process): smoke ≈ 19 s, cpu ≈ 22 s. The computation
is ≈ 5–8 s (XLA compilations are most of it; the synergy map is 69 configurations × 25 β × 801
budgets × ≤ 16 depths); drawing the five figures (PNG + PDF) is most of the rest.
paper: ≈ 5 min on 2 CPU cores (1071 configurations × 50 β × 2001 budgets × ≤ 21 depths); measured
19 s on one H200 (jax 0.11.2, 2026-11-26), 8 of 8 claims passed.
Exact float64 computation only: no Monte Carlo, no seed.

Expected outcome (cpu): the fitted slopes ŝ of ln μ_L on ln N stay within 0.0015 (μ0 = 1e−3) and
0.0044 (μ0 = 0.02) of s and never exceed it (1028 and 842 cells); no tree wins in any of the 973
(configuration, β) cells with s ≤ β, and all 731 cells with s − β ≥ 0.005 win at some B ≤ 1e10;
the onset budget lies in [B_th, 1.03·b·B_th]; golden-section search reproduces x* (relative
error ~1e−11); the best integer-depth design keeps (x + c0) within a factor b of x* + c0 (548
cells); the demo table and the context-window table of spec §3.2(d–e) are reproduced.

Conventions (spec §2.2 and §2.4; every module of the pillar states them):
- Shock position: the per-node common shock copies the *received* (post-channel) message 0, so
  clones share its channel flip; this gives the published α_ρ = γ[ρ + (1−ρ) f_b'(0)]. A shock
  before the channel would give ρ·f_b(γ) + (1−ρ)·γ·f_b'(0) instead [reconstructed].
- Channel placement: the channel (flip probability (1−γ)/2) sits on the inputs, children →
  parent; the root is not transmitted [convention].
- Dependence model: ρ is a per-node common shock, not a global task-level latent [reconstructed].
- Leaf law μ0(x) = min(κ·x^β, 1) [convention]; "performance" is bias over chance μ = 2p − 1.
- Accounting [convention]: closed forms and claims use B = N·(x + c0) ("approx", every leaf pays
  c0); the exact cost B = N·x + c0·(N − 1) is a secondary curve. Aggregators spend no compute
  beyond reading messages; the single agent pays no communication. L = 0 is the single agent.
- Fidelity γ(m) = 1 − exp(−m/m0) (``--fidelity_family=exp``) or m/(m + m0) (``hyperbolic``)
  [convention]; b(m) = the largest odd b ≤ min(⌊W/m⌋, 15).
- B_th and x* are +inf when s ≤ β (then the whole budget goes to one agent); plots never draw
  them.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.majority_tree.shared import flags


def _grid(start: int, stop: int, step: int, scale: int = 100) -> list[float]:
    """Decimal grid built from integers (spec §2.5): [start, stop] in steps, divided by scale."""
    return [i / scale for i in range(start, stop + 1, step)]


_FIT_FANINS = [3, 5, 7, 9, 11, 13, 15]
_COMMON = {
    "fit_fanins": _FIT_FANINS,
    "fit_mu0s": [0.001, 0.02],
    "fit_alpha_min": 1.05,
    "fit_margin": 3,
    "fit_min_levels": 3,
    "kappa": 0.001,
    "synergy_margin": 0.005,
    "alloc_margin": 0.02,
    "alloc_max_bias": 0.2,
    "golden_lo": 1e-3,
    "golden_hi": 1e12,
    "golden_rel_tol": 1e-10,
    "demo_fanin": 3,
    "demo_gamma": 0.9,
    "demo_rho": 0.2,
    "demo_m": 100.0,
    "demo_betas": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
    "demo_fragile_beta": 0.21,
    "alloc_plot_betas": [0.1, 0.15, 0.2],
    "window": 4096,
    "cw_rho": 0.2,
    "m0": 300.0,
    "fidelity_family": "exp",
    "cw_m_min": 100,
    "cw_fanin_cap": 15,
    "cw_beta": 0.15,
    "cw_table_m": [256, 300, 400, 512, 600, 819, 1000, 1365],
}
PROFILES = {
    "smoke": {
        **_COMMON,
        "fit_gammas": _grid(30, 100, 10),
        "fit_rhos": _grid(0, 80, 20),
        "map_fanins": [3],
        "map_gammas": [0.9],
        "map_rhos": [0.2],
        "map_m": [100.0],
        "betas": [0.1, 0.3],
        "budget_decade_min": 2,
        "budget_decade_max": 6,
        "budget_points_per_decade": 10,
        "alloc_budget_decade": 5,
        "map_save_every": 1,
        "config_batch": 16,
    },
    "cpu": {
        **_COMMON,
        "fit_gammas": _grid(30, 100, 5),
        "fit_rhos": _grid(0, 95, 5),
        "map_fanins": [3, 5, 7, 9, 15],
        "map_gammas": _grid(60, 100, 10),
        "map_rhos": [0.0, 0.2, 0.4],
        "map_m": [100.0],
        "betas": _grid(2, 50, 2),
        "budget_decade_min": 2,
        "budget_decade_max": 10,
        "budget_points_per_decade": 100,
        "alloc_budget_decade": 8,
        "map_save_every": 1,
        "config_batch": 16,
    },
    "paper": {
        **_COMMON,
        "fit_gammas": _grid(30, 100, 5),
        "fit_rhos": _grid(0, 95, 5),
        "map_fanins": [3, 5, 7, 9, 15],
        "map_gammas": _grid(50, 100, 5),
        "map_rhos": _grid(0, 80, 10),
        "map_m": [50.0, 100.0, 400.0],
        "betas": _grid(1, 50, 1),
        "budget_decade_min": 2,
        "budget_decade_max": 12,
        "budget_points_per_decade": 200,
        "alloc_budget_decade": 8,
        "map_save_every": 10,  # the full maps would be ~0.8 GB; metrics use every budget
        "config_batch": 4,  # ~70 MB per [config, β, B, L] array at 2001 budgets × 21 depths
    },
}

_POSITIVE = cfg.positive()
_BETA = cfg.float_in(0.0, 1.0, lo_open=True)
_OPEN_UNIT = cfg.float_in(0.0, 1.0, lo_open=True, hi_open=True)
CHECKS = {
    "fit_fanins": flags.FANINS,
    "fit_gammas": cfg.each(flags.FIDELITY),
    "fit_rhos": cfg.each(flags.CORRELATION),
    "fit_mu0s": cfg.each(_OPEN_UNIT),
    "fit_alpha_min": cfg.float_in(1.0, 100.0, lo_open=True),
    "fit_margin": cfg.int_at_least(0),
    "fit_min_levels": cfg.int_at_least(2),
    "map_fanins": flags.FANINS,
    "map_gammas": cfg.each(flags.FIDELITY),
    "map_rhos": cfg.each(flags.CORRELATION),
    "map_m": cfg.each(_POSITIVE),
    "kappa": cfg.float_in(0.0, 1.0, lo_open=True),
    "betas": cfg.each(_BETA),
    "budget_decade_min": cfg.int_at_least(0),
    "budget_decade_max": cfg.int_at_least(1),
    "budget_points_per_decade": cfg.int_at_least(1),
    "synergy_margin": cfg.non_negative(),
    "alloc_budget_decade": cfg.int_at_least(0),
    "alloc_margin": cfg.non_negative(),
    "alloc_max_bias": cfg.float_in(0.0, 1.0, lo_open=True),
    "golden_lo": _POSITIVE,
    "golden_hi": _POSITIVE,
    "golden_rel_tol": _OPEN_UNIT,
    "demo_fanin": flags.FANIN,
    "demo_gamma": flags.FIDELITY,
    "demo_rho": flags.CORRELATION,
    "demo_m": _POSITIVE,
    "demo_betas": cfg.each(_BETA),
    "demo_fragile_beta": _BETA,
    "alloc_plot_betas": cfg.each(_BETA),
    "window": cfg.int_at_least(3),
    "cw_rho": flags.CORRELATION,
    "m0": _POSITIVE,
    "fidelity_family": cfg.one_of("exp", "hyperbolic"),
    "cw_m_min": cfg.int_at_least(1),
    "cw_fanin_cap": flags.FANIN,
    "cw_beta": _BETA,
    "cw_table_m": cfg.each(cfg.int_at_least(1)),
    "config_batch": flags.CONFIG_BATCH,
    "map_save_every": cfg.int_at_least(1),
}


def validate(config: Config) -> None:
    """Checks that involve several fields (a bad value exits with status 2 and one line)."""
    for field in ("map_m", "demo_m"):
        values = config[field] if isinstance(config[field], list) else [config[field]]
        for m in values:
            if config.window < 3 * m:
                raise UsageError("window", config.window,
                                 f"allowed: integers ≥ 3·m = {3 * m:g} (m from --{field}; a "
                                 "tree needs fan-in b ≥ 3 within the context window)")
    if config.cw_m_min > config.window // 3:
        raise UsageError("cw_m_min", config.cw_m_min,
                         f"allowed: integers ≤ ⌊W/3⌋ = {config.window // 3}")
    if config.budget_decade_max <= config.budget_decade_min:
        raise UsageError("budget_decade_max", config.budget_decade_max,
                         f"allowed: integers > --budget_decade_min={config.budget_decade_min}")
    if not config.budget_decade_min <= config.alloc_budget_decade <= config.budget_decade_max:
        raise UsageError("alloc_budget_decade", config.alloc_budget_decade,
                         f"allowed: integers in [{config.budget_decade_min}, "
                         f"{config.budget_decade_max}] (the budget grid)")
    if not config.golden_lo < config.golden_hi:
        raise UsageError("golden_hi", config.golden_hi, f"allowed: numbers > {config.golden_lo}")


EXPERIMENT = Experiment.of(
    __name__, "Organization exponent, budgeted synergy (s > β), allocation x*, context window.",
    PROFILES, CHECKS, validate=validate, x64=True)
