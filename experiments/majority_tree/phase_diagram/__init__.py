"""Phase diagram of majority trees: the α_ρ = 1 boundary, deep-tree accuracy, fixed point.

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy" (arXiv:2601.17311),
§4, "Theorem 4" of third-party summaries [summary]: one scalar α_ρ = γ[ρ + (1−ρ)f_b'(0)] decides
whether a weak signal is amplified to a nontrivial fixed point μ* (α_ρ > 1) or washed out to
chance (α_ρ ≤ 1). The summaries call the transition Kesten–Stigum-type; the boundary tested here
is the noisy-recursive-majority threshold, stricter than Kesten–Stigum and equal to the
Evans–Schulman threshold at ρ = 0 [classical].

Conventions: the common shock copies the *received* (post-channel) message [reconstructed: it
reproduces the published α_ρ]; the channel sits on the inputs and the root is not transmitted
[convention]; ρ is a per-node shock, not a global latent.

Command:  python -m experiments.majority_tree.phase_diagram --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process): smoke ≈ 22 s, cpu ≈ 63 s (Monte Carlo grid
A, 3.2e9 leaves at ≈ 1.5e8 leaves/s, deep trees 5.9e8 leaves, five ≈ 3 s compilations, the
exact grid and five figures); paper ≈ 10–20 min on one GPU (untested estimate: no GPU here).
Expected: 0 misclassified cells; |γ_emp − γ_c| within one grid step; μ_400 = μ* to 1e−4;
explicit trees agree with the exact recursion at every level (max |z| ≤ z_K); the Monte Carlo
growth exponent of D1 equals s = log_3 1.26 = 0.2104 within 0.01.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.majority_tree.phase_diagram.compute.monte_carlo import DEEP_CONFIGS
from experiments.majority_tree.shared import flags

_EXACT_CPU = dict(
    exact_fanins=[3, 5, 7, 9, 11, 13, 15], gamma_min_pct=30, gamma_max_pct=100, gamma_step_pct=1,
    rho_max_pct=95, rho_step_pct=1, mu0s=[0.02, 0.1], saved_depths=[6, 8, 10, 30],
    deep_limit_depth=400, critical_max_depth=10_000, near_critical_points=9,
)
_DEEP_ALL = ["D1", "D2", "D3", "D4", "D5", "D6"]
PROFILES = {
    "smoke": dict(
        _EXACT_CPU, exact_fanins=[3, 5], gamma_step_pct=10, rho_max_pct=75, rho_step_pct=25,
        saved_depths=[6, 10], deep_limit_depth=50, critical_max_depth=1000,
        near_critical_points=3, mc_fanins=[3], mc_depths=[3], mc_trials=[500], mc_rhos=[0.0],
        mc_alphas=[0.85, 1.2], mc_p0s=[0.55, 0.45], deep_ids=["D2", "D5"], deep_depth=4,
        deep_trials=200, seed_streams=1, mc_chunk_elems=2**15, config_batch=16),
    "cpu": dict(
        _EXACT_CPU, mc_fanins=[3, 5, 7, 9], mc_depths=[7, 5, 4, 3],
        mc_trials=[20_000, 20_000, 20_000, 60_000], mc_rhos=[0.0, 0.4],
        mc_alphas=[0.85, 0.95, 1.05, 1.2], mc_p0s=[0.55, 0.45], deep_ids=_DEEP_ALL, deep_depth=9,
        deep_trials=5000, seed_streams=5, mc_chunk_elems=2**15, config_batch=16),
    "paper": dict(
        _EXACT_CPU, saved_depths=[6, 8, 10, 30, 100], mc_fanins=[3, 5, 7, 9, 11, 13, 15],
        mc_depths=[11, 7, 6, 5, 5, 4, 4], mc_trials=[100_000] * 7, mc_rhos=[0.0, 0.2, 0.4, 0.6],
        mc_alphas=[0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.4], mc_p0s=[0.45, 0.51, 0.55],
        deep_ids=_DEEP_ALL, deep_depth=13, deep_trials=20_000, seed_streams=5,
        mc_chunk_elems=2**24, config_batch=16),
}
_PERCENT = cfg.each(cfg.int_at_least(1))
CHECKS = {
    "exact_fanins": flags.FANINS, "gamma_min_pct": cfg.int_at_least(1),
    "gamma_max_pct": cfg.int_at_least(1), "gamma_step_pct": cfg.int_at_least(1),
    "rho_max_pct": cfg.int_at_least(0), "rho_step_pct": cfg.int_at_least(1),
    "mu0s": cfg.each(cfg.float_in(0.0, 1.0, lo_open=True)),
    "saved_depths": cfg.each(flags.DEPTH), "deep_limit_depth": cfg.int_at_least(41),
    "critical_max_depth": cfg.int_at_least(100), "near_critical_points": cfg.int_at_least(2),
    "mc_fanins": flags.FANINS, "mc_depths": cfg.each(flags.DEPTH),
    "mc_trials": cfg.each(flags.TRIALS), "mc_rhos": cfg.each(flags.CORRELATION),
    "mc_alphas": cfg.each(cfg.positive()), "mc_p0s": flags.PROBABILITIES,
    "deep_ids": cfg.each(cfg.one_of(*DEEP_CONFIGS)), "deep_depth": flags.DEPTH,
    "deep_trials": flags.TRIALS, "seed_streams": flags.SEED_STREAM_COUNT,
    "mc_chunk_elems": flags.CHUNK_ELEMS, "config_batch": flags.CONFIG_BATCH,
}


def validate(config: Config) -> None:
    """Checks across fields: equal list lengths and sensible grid bounds."""
    for name in ("mc_depths", "mc_trials"):
        if len(config[name]) != len(config.mc_fanins):
            raise UsageError(name, config[name],
                             f"allowed: one value per --mc_fanins entry ({len(config.mc_fanins)})")
    if not config.gamma_min_pct <= config.gamma_max_pct <= 100:
        raise UsageError("gamma_max_pct", config.gamma_max_pct,
                         f"allowed: integers in [gamma_min_pct={config.gamma_min_pct}, 100]")
    if config.rho_max_pct > 99:
        raise UsageError("rho_max_pct", config.rho_max_pct, "allowed: integers in [0, 99]")


EXPERIMENT = Experiment.of(
    __name__, "α_ρ = 1 boundary, deep-tree accuracy and fixed point of majority trees.",
    PROFILES, CHECKS, validate=validate, x64=True)
