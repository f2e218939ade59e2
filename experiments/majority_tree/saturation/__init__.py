"""Saturation: mixing depth and the clipped predictor of deep majority trees (spec §3.3).

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy", arXiv:2601.17311,
claim C3 [abstract]: saturation is characterized by a mixing depth, and a "conservative clipped
predictor" remains accurate across growth and saturation. The predictor's exact form is unknown;
this experiment uses the reconstruction μ̂_L = sign(μ0)·min(α^L|μ0|, μ*) (α > 1; α^L·μ0
otherwise), p̂_L = 1/2 + μ̂_L/2 = 1/2 + ½·min(N^s μ0, μ*), with mixing depth
L_mix = ln(μ*/|μ0|)/ln α (0 if |μ0| ≥ μ*, +inf if α ≤ 1) and N_mix = b^L_mix [reconstructed].

Run:  python -m experiments.majority_tree.saturation --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process, figures included): smoke ≈ 16 s; cpu
≈ 24 s. The exact part of cpu (grid of 20,160 cells to L = 200 in one vmapped scan, a bound grid
of the same size, 6 table configurations) takes ≈ 10 s; the explicit-tree Monte Carlo S1–S3
(T = 1e4 over 5 seed streams, 2.9e8 leaves, 2 shape groups) a few seconds. paper (γ, ρ step
0.01, L ≤ 400; S1, S2 at L = 12 and S3 at L = 8 with T = 1e5; the cpu grid is recomputed for
the band claim): 18 s on one H200 (jax 0.11.2, 2026-11-26), 4 of 4 claims passed.

Expected outcome: 0 bound violations; the table of §3.3(a) (L_mix ±0.01, max Δp ±5e−4, argmax L
exact); the band table of §3.3(b) on the cpu grid (each Δp value ±0.005; n = 1472, 1308, 1996,
2836, 1396, where the spec lists 1312 and 1992 because float rounding put the four α = 1.3 cells
below the edge); Monte Carlo S1–S3 within z_K of the recursion (K = 25 on cpu) and below the
clipped predictor.

Honest statement (must appear in the report): g is concave and increasing, so g(μ) ≤ αμ and
g(μ*) = μ*; hence |μ_L| ≤ |μ̂_L| for every L when |μ0| ≤ μ*. Under this model the clipped
predictor is an UPPER bound on the bias (optimistic about accuracy); when |μ0| > μ* (strong
leaves) it returns μ*, a LOWER bound, since μ_L decreases toward μ*. Its error concentrates at
the knee, ≈ 0.1 in accuracy and up to 0.22 in the worst grid cell, so "accurate" holds only in a
loose sense. "Conservative" most likely means that it never extrapolates the power law past the
ceiling μ* (a guess). A provably conservative chord bound μ_L ≥ min(a^L μ0, μ̄), a = g(μ̄)/μ̄
for μ̄ < μ*, exists but is loose (max |Δp| 0.2–0.4); it is not implemented.

Conventions (spec §2.2): the common shock copies the *received* (post-channel) message; with the
shock before the channel the gain would be ρf_b(γ) + (1−ρ)γf_b'(0), not the published α_ρ
[reconstructed]. The channel sits on the inputs (children → parent) and the root is not
transmitted [convention]; putting it on outputs gives the same dynamics in ν = γμ. ρ is a
per-node common shock, not a global task-level latent (that choice changes results a lot).
Recursions run in float64 in bias space; Δp is in probability units; regimes: growth
L ≤ L_mix − 3, knee |L − L_mix| < 3, saturated L ≥ L_mix + 3. Band statistics use the cells with
α ≥ 1.1 and μ* > μ0; a cell whose α lies within 1e−9 of a band edge is assigned as in exact
arithmetic (α = 1.3 for b = 3, γ = 1, ρ = 0.4 comes out 1 ulp either side of the edge depending
on fused multiply-adds). The bound check also runs on a second grid of strong and negative
leaves (``bound_mu0``), so that both of its domains (|μ0| ≤ μ* and |μ0| > μ*) are exercised.
Monte Carlo: uint32 bits against host thresholds, level l pools T·b^(L−l) samples, keys
fold_in(key(seed + stream), config id) with the config id = row of the saved Monte Carlo table,
family-wise z_K = Φ⁻¹(1 − 0.0005/K) with K = all levels of all configurations (25 on cpu).
"""

from __future__ import annotations

from typing import Any

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.majority_tree.saturation import compute
from experiments.majority_tree.shared import flags

_TABLE = {"table_fanins": [3, 5, 7, 15, 3, 9], "table_gamma": [0.9, 0.8, 0.7, 0.5, 0.75, 0.95],
          "table_rho": [0.2, 0.3, 0.3, 0.2, 0.0, 0.6],
          "table_mu0": [0.02, 0.02, 0.05, 0.01, 0.02, 0.04], "table_depth": 60}
_COMMON = {"alpha_band_edges": [1.1, 1.2, 1.3, 1.5, 2.0, 3.2],
           "mc_gamma": [1.0, 0.9, 0.9], "mc_rho": [0.0, 0.2, 0.0], "mc_mu0": [0.1, 0.2, 0.1],
           "mc_fanins": [3, 3, 5], **_TABLE}
PROFILES = {
    "smoke": {**_COMMON, **compute.GRID, "grid_fanins": [3], "grid_gamma_step": 0.1,
              "grid_rho_step": 0.25, "grid_mu0": [0.02], "grid_depth": 60,
              "bound_mu0": [-0.9, 0.5], "grid_batch": 32,
              "mc_fanins": [3], "mc_gamma": [1.0], "mc_rho": [0.0], "mc_mu0": [0.1],
              "mc_depths": [4], "mc_trials": 500, "seed_streams": 1, "mc_chunk_elems": 2**15,
              "config_batch": 16},
    "cpu": {**_COMMON, **compute.GRID, "bound_mu0": [-0.9, -0.2, 0.5, 0.95], "grid_batch": 8192,
            "mc_depths": [8, 8, 6], "mc_trials": 10_000, "seed_streams": 5,
            "mc_chunk_elems": 2**15, "config_batch": 16},
    "paper": {**_COMMON, **compute.GRID, "grid_gamma_step": 0.01, "grid_rho_step": 0.01,
              "grid_depth": 400, "bound_mu0": [-0.9, -0.2, 0.5, 0.95], "grid_batch": 65536,
              "mc_depths": [12, 12, 8], "mc_trials": 100_000, "seed_streams": 5,
              "mc_chunk_elems": 2**24, "config_batch": 16},
}
MC_MAX_LEAVES = 2**26  # b^L per tree; one tree must fit a chunk's bit array


def _grid_step(value: Any) -> str | None:
    v = float(value)
    if 0.001 <= v <= 1.0 and abs(v * 1000 - round(v * 1000)) < 1e-6:
        return None
    return "allowed: numbers > 0 in [0.001, 1] with at most 3 decimals"


CHECKS = {
    "grid_fanins": flags.FANINS, "grid_gamma_min": flags.FIDELITY,
    "grid_gamma_max": flags.FIDELITY, "grid_gamma_step": _grid_step,
    "grid_rho_min": flags.CORRELATION, "grid_rho_max": flags.CORRELATION,
    "grid_rho_step": _grid_step, "grid_mu0": cfg.each(flags.BIAS),
    "bound_mu0": cfg.each(flags.BIAS), "grid_depth": flags.DEPTH,
    "grid_batch": cfg.int_at_least(1), "alpha_band_edges": cfg.each(cfg.positive(), min_len=2),
    "table_fanins": flags.FANINS, "table_gamma": cfg.each(flags.FIDELITY),
    "table_rho": cfg.each(flags.CORRELATION), "table_mu0": cfg.each(flags.BIAS),
    "table_depth": flags.DEPTH, "mc_fanins": flags.FANINS,
    "mc_gamma": cfg.each(flags.FIDELITY), "mc_rho": cfg.each(flags.CORRELATION),
    "mc_mu0": cfg.each(flags.BIAS), "mc_depths": cfg.each(flags.DEPTH),
    "mc_trials": flags.TRIALS, "seed_streams": flags.SEED_STREAM_COUNT,
    "mc_chunk_elems": flags.CHUNK_ELEMS, "config_batch": flags.CONFIG_BATCH,
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    for prefix, fields in (("table", ("fanins", "gamma", "rho", "mu0")),
                           ("mc", ("fanins", "gamma", "rho", "mu0", "depths"))):
        lengths = {f: len(config[f"{prefix}_{f}"]) for f in fields}
        odd = [f for f in fields if lengths[f] != lengths["fanins"]]
        if odd:
            raise UsageError(f"{prefix}_{odd[0]}", config[f"{prefix}_{odd[0]}"],
                             f"allowed: one value per {prefix}_fanins entry "
                             f"({lengths['fanins']}); lengths {lengths}")
    for axis in ("gamma", "rho"):
        if config[f"grid_{axis}_min"] > config[f"grid_{axis}_max"]:
            raise UsageError(f"grid_{axis}_min", config[f"grid_{axis}_min"],
                             f"allowed: at most grid_{axis}_max={config[f'grid_{axis}_max']}")
    edges = config.alpha_band_edges
    if any(hi <= lo for lo, hi in zip(edges[:-1], edges[1:], strict=True)):
        raise UsageError("alpha_band_edges", edges, "allowed: strictly increasing numbers")
    for b, depth in zip(config.mc_fanins, config.mc_depths, strict=True):
        if b**depth > MC_MAX_LEAVES:
            raise UsageError("mc_depths", config.mc_depths,
                             f"allowed: b^L <= 2^26 leaves per tree (b={b}, L={depth})")


EXPERIMENT = Experiment.of(
    __name__, "Mixing depth and the clipped predictor min(α^L μ0, μ*) of deep majority trees.",
    PROFILES, CHECKS, validate=validate, x64=True)
