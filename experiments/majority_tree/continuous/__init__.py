"""Continuous warm-up: star, chain and tree risks and their floors (spec §3.4).

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy", arXiv:2601.17311,
§3 "Continuous Warm-up", claim C4 [abstract]: closed-form risks for star, chain and tree
organizations with explicit correlation- and communication-induced floors; the deep-tree floor
v* = σ_c²/((b−1)(1−ρ)) is the summaries' "Eq. 13" [summary]. Claims checked here (spec §7):
continuous.tree_closed_form, continuous.tree_floor, continuous.star, continuous.chain.

Run:  python -m experiments.majority_tree.continuous --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process): smoke ≈ 16 s; cpu ≈ 43 s. cpu has 4
compiled shape groups (≈ 3 s each) and ≈ 4.3e8 Gaussian tree, star and chain leaves (main tree
2.7e8, floors 1.2e8, star and chain 4e7), bound by random-number generation (≈ 3 random words
per tree leaf); chunks of 2^15 leaves keep the draws in cache (2^20: 63 s instead of 43 s).
paper (T × 10, main tree L = 10, mc_chunk_elems = 2^24) is meant for a GPU. Measured once on one
NVIDIA H200 (jax 0.11.2 with CUDA, 2026-11-26): 148 s (154 s whole process, compilation
included; the star sweep is 125 s of it); 4 of 4 claims passed: main tree L = 10 max rel. err.
0.21 % (max |z| 1.12), floors v̂/v* ∈ [0.9953, 1.004] (max |z| 2.59), star max rel. err. 0.23 %,
chain argmin L = 5 with R̂(5) = 0.4797.

Expected outcome (cpu): the main tree (b = 3, ρ = 0.2, σ_c² = 0.1, v0 = 1, L = 8, T = 4e4)
follows v_l = λ^l(v0 − v*) + v* (1.0000, 0.5000, 0.2667, …, 0.0646; λ = 0.46667, v* = 0.0625,
L_mix,cont = 7.48) within z_K (K = 9) and 4 %; the 16 stationary-start cells stay at v* within
z_K (K = 80) and 4.5 %; the star (N = 1…64, T = 2e5) matches R_star = 1.100 … 0.214 (floor
ρv0 = 0.2; feasible N ≤ ⌊W/m⌋ = 16) within 2 %; the chain (L = 1…20) matches R_chain with the
formula argmin L = 5 (R = 0.480) and a Monte Carlo argmin in {4, 5, 6}. Theory contrast: the
per-node tree floor 0.0625 lies below the star floor ρv0 = 0.2 because σ_c² < (b−1)(1−ρ)ρv0;
under global equicorrelation the tree floor would be ρv0 + σ_c²/(b−1) = 0.25 (not Eq. 13).

Conventions (spec §2.3) [reconstructed unless marked]:
- Clone position: at every aggregation node the b children *values* are cloned (probability ρ)
  **before** the channel noise, then each message gets independent noise N(0, σ_c²), then the node
  averages. Cloning after the noise would give the floor σ_c²(bρ + 1 − ρ)/((b−1)(1−ρ)), which
  is not Eq. 13 (tests pin both). The binary model's shock instead copies *received* messages;
  each choice is the one that reproduces the published formula.
- Channel placement [convention]: noise on the inputs (children → parent); the root is not
  transmitted. Target θ = 0, risk R = E[output²].
- Dependence: ρ is per node (per level), not a global task-level latent.
- Star: per trial all N leaf values clone leaf 0 with probability ρ; every message passes the
  channel once, so R_star(1) = v0 + σ_c² (a lone agent answering directly has risk v0).
- Chain [convention]: M_1 = Y_1 + ξ_1; Z_k = ((k−1)/k)M_{k−1} + Y_k/k; M_k = Z_k + ξ_k for k < L;
  output Z_L; with probability ρ per trial all Y_k copy Y_1. A pure relay chain (no averaging)
  would give v0 + (L−1)σ_c².
- Monte Carlo: float32 draws, float64 sums; SE from fourth moments (the clone mixture is not
  Gaussian); level l of a depth-L tree pools T·b^(L−l) samples; T trials are split over
  ``seed_streams`` streams, rounded up to whole chunks (the actual T is recorded: 40,545 main,
  41,940 per floor cell, 245,760 star, 262,140 chain on cpu) and pooled; the stars of all N
  (chains of all L) in a trial share their first leaves (agents): common random numbers;
  keys fold_in(key(seed + stream), config_id) with config_id the row of the saved
  configuration table; z criteria are Bonferroni, z_K = Φ⁻¹(1 − 0.0005/K), with K the number of
  estimates a claim compares.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.majority_tree.shared import flags

_MODEL = {"fanin": 3, "v0": 1.0, "rho": 0.2, "sigma2": 0.1, "window": 4096,
          "message_tokens": 256, "mc_chunk_elems": 2**15, "config_batch": 16}
PROFILES = {
    "smoke": {**_MODEL, "depth": 3, "tree_trials": 2000, "floor_fanins": [3],
              "floor_depths": [3], "floor_rhos": [0.2], "floor_sigma2s": [0.05, 0.2],
              "floor_trials": 2000, "star_sizes": [1, 3, 5], "star_trials": 2000,
              "chain_max_length": 3, "chain_trials": 2000, "seed_streams": 1,
              "mc_chunk_elems": 2**15},
    "cpu": {**_MODEL, "depth": 8, "tree_trials": 40_000, "floor_fanins": [3, 5],
            "floor_depths": [5, 3], "floor_rhos": [0.0, 0.2, 0.5, 0.8],
            "floor_sigma2s": [0.05, 0.2], "floor_trials": 40_000,
            "star_sizes": [1, 2, 3, 5, 8, 16, 32, 64], "star_trials": 200_000,
            "chain_max_length": 20, "chain_trials": 200_000, "seed_streams": 5},
    "paper": {**_MODEL, "depth": 10, "tree_trials": 400_000, "floor_fanins": [3, 5],
              "floor_depths": [5, 3], "floor_rhos": [0.0, 0.2, 0.5, 0.8],
              "floor_sigma2s": [0.05, 0.2], "floor_trials": 400_000,
              "star_sizes": [1, 2, 3, 5, 8, 16, 32, 64], "star_trials": 2_000_000,
              "chain_max_length": 20, "chain_trials": 2_000_000, "seed_streams": 5,
              "mc_chunk_elems": 2**24},
}
MAX_LEAVES = 2**26  # b^L per tree: one tree must fit a chunk


def _increasing_sizes(values: list[int]) -> str | None:
    ok = (len(values) >= 1 and all(isinstance(v, int) and 1 <= v <= 4096 for v in values)
          and all(a < b for a, b in zip(values[:-1], values[1:], strict=True)))
    return None if ok else "allowed: strictly increasing integers in [1, 4096]"


CHECKS = {
    "fanin": flags.FANIN, "depth": flags.DEPTH, "v0": cfg.positive(),
    "rho": flags.CORRELATION, "sigma2": cfg.non_negative(), "tree_trials": flags.TRIALS,
    "floor_fanins": flags.FANINS, "floor_depths": cfg.each(flags.DEPTH),
    "floor_rhos": cfg.each(flags.CORRELATION), "floor_sigma2s": cfg.each(cfg.positive()),
    "floor_trials": flags.TRIALS, "star_sizes": _increasing_sizes,
    "star_trials": flags.TRIALS, "window": cfg.int_at_least(1),
    "message_tokens": cfg.int_at_least(1), "chain_max_length": cfg.int_at_least(1),
    "chain_trials": flags.TRIALS, "seed_streams": flags.SEED_STREAM_COUNT,
    "mc_chunk_elems": flags.CHUNK_ELEMS, "config_batch": flags.CONFIG_BATCH,
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    if len(config.floor_depths) != len(config.floor_fanins):
        raise UsageError("floor_depths", config.floor_depths,
                         f"allowed: one depth per floor_fanins entry ({len(config.floor_fanins)})")
    if config.chain_max_length > 1000:
        raise UsageError("chain_max_length", config.chain_max_length, "allowed: integers <= 1000")
    shapes = [("depth", config.fanin, config.depth)]
    shapes += [("floor_depths", b, d) for b, d in zip(config.floor_fanins, config.floor_depths,
                                                      strict=True)]
    for field, b, depth in shapes:
        if b**depth > MAX_LEAVES:
            raise UsageError(field, config[field],
                             f"allowed: b^L <= 2^26 leaves per tree (b={b}, L={depth})")


EXPERIMENT = Experiment.of(
    __name__, "Continuous warm-up: Gaussian star, chain and tree risks and floors (Eq. 13).",
    PROFILES, CHECKS, validate=validate, x64=True)
