"""Four scaling regimes of the random-feature teacher-student model (spec §3.1).

Paper: Bahri, Dyer, Kaplan, Lee & Sharma, "Explaining Neural Scaling Laws", arXiv:2102.06701
(PNAS 2024; figure numbers of arXiv v1); Sharma & Kaplan, JMLR 2022 (arXiv:2004.10802) for the
4/d exponent. Claims checked (spec §7): resolution-limited learning curves L̄(D = n, P = ∞) and
L̄(D = ∞, P = n) equal the closed form κ(n)n/(2S); D <-> P duality (common random numbers: exact
identity; independent draws: equal means); fitted exponents equal the *finite-S* closed-form
slope (not −α_K); variance-limited excesses ∝ 1/D (exact formula L(∞,P)·P/(D−P−1)) and ∝ 1/P;
double-descent peaks at D = P; manifold interpolation exponents 4/d (local-linear) and 2/d (1-NN).

Run:  python -m experiments.scaling_laws.bahri_regimes --profile=cpu
Runtime (idle 2-core machine, whole process): smoke 34 s (mostly XLA compilation: one compile
per n, per fixed size and per d); cpu 347 s (resolution sweep ≈ 125 s, fixed-P/D sweeps
≈ 155 s, manifold and figures ≈ 65 s; the spec's estimate is ≈ 2 min). paper (S = 1e5, n up to
2048) is meant for a GPU, not run. The batched QR, Cholesky and SVD kernels of one cell run one
after another (``sweep.one_after_another``): side by side they deadlocked jaxlib's 2-thread CPU
pool.

Expected outcome (cpu): simulated means within 1 % of κ(n)n/(2S) for α_K ≤ 1 (≈ 2–4 % at
α_K = 2); fitted slopes −0.384, −0.573, −1.013, −1.979 (the finite-S closed form at S = 4000,
n = 16…512) within 0.02–0.04; CRN identity to ≈ 1e-10 (measured max 3.6e-11, at α_K = 2);
excess/formula ratios 0.98–1.03 for D ≥ 4P; slope of L(D,P) − L(D,∞) over P ≥ 8D ≈ −1.04 to
−1.06; median loss peaks at D = P; manifold slopes ≈ −3.9, −2.0, −1.3, −0.94 (local-linear) and
−2.0, −1.0, −0.67, −0.48 (1-NN).

Conventions [reconstructed unless marked]: Gaussian features F ~ N(0, Λ), λ_i = i^-(1+α_K)
stand in for the paper's random-ReLU features on pooled MNIST; α_K is the *loss* exponent; the
loss carries ½ and the teacher variance 1/S (n = 0 loss TrΛ/(2S)); ridgeless min-norm students
(pseudo-inverse cut-off σ_max·max(D,P)·eps); everything in float64 (the losses are differences
that cancel to 1e-6 of TrΛ). Sweeps B and C use α_K = ``sweep_alpha`` = 0.5 [illustrative; it
reproduces the spec's expected P·excess values]. Random streams: see ``compute``.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.scaling_laws.shared import provenance

PROFILES = {
    "smoke": {"S": 256, "alphas": [0.5], "ns": [8, 16, 32], "seeds": 2, "fixed_P": [16],
              "fixed_D": [16], "d_max": 64, "p_max": 128, "sweep_seeds": 2, "sweep_alpha": 0.5,
              "manifold_dims": [1, 2], "manifold_log2_min": [7, 7],
              "manifold_log2_max": [9, 9], "manifold_seeds": 1, "n_test": 200,
              "seed_batch": 8, "sweep_batch": 2},
    "cpu": {"S": 4000, "alphas": [0.25, 0.5, 1.0, 2.0], "ns": [16, 32, 64, 128, 256, 512],
            "seeds": 32, "fixed_P": [32, 128], "fixed_D": [32, 128], "d_max": 4096,
            "p_max": 8192, "sweep_seeds": 8, "sweep_alpha": 0.5, "manifold_dims": [1, 2, 3, 4],
            "manifold_log2_min": [6, 8, 11, 12], "manifold_log2_max": [11, 13, 16, 17],
            "manifold_seeds": 8, "n_test": 2000, "seed_batch": 8, "sweep_batch": 1},
    "paper": {"S": 100_000, "alphas": [0.25, 0.5, 1.0, 2.0],
              "ns": [32, 64, 128, 256, 512, 1024, 2048], "seeds": 64,
              "fixed_P": [32, 128, 512], "fixed_D": [32, 128, 512], "d_max": 16384,
              "p_max": 8192, "sweep_seeds": 32, "sweep_alpha": 0.5,
              "manifold_dims": [1, 2, 3, 4], "manifold_log2_min": [6, 8, 11, 12],
              "manifold_log2_max": [13, 15, 18, 19], "manifold_seeds": 32, "n_test": 10000,
              "seed_batch": 4, "sweep_batch": 2},
}


def _increasing(values: list[int]) -> str | None:
    """At least two sizes: the exponents are slopes over the n-grid."""
    ok = all(isinstance(v, int) and v >= 2 for v in values) and all(
        a < b for a, b in zip(values[:-1], values[1:], strict=True))
    return None if ok and len(values) >= 2 else ("allowed: at least two strictly increasing "
                                                 "integers >= 2")


_increasing.min_len = 2  # read by config.minimal_overrides


CHECKS = {
    "S": cfg.int_at_least(8), "alphas": provenance.POSITIVES, "ns": _increasing,
    "seeds": cfg.int_at_least(2), "fixed_P": provenance.SIZES, "fixed_D": provenance.SIZES,
    "d_max": cfg.int_at_least(8), "p_max": cfg.int_at_least(8),
    "sweep_seeds": cfg.int_at_least(2), "sweep_alpha": provenance.POSITIVE,
    "manifold_dims": cfg.each(lambda v: None if isinstance(v, int) and 1 <= v <= 6
                              else "allowed: integers in {1, ..., 6}"),
    "manifold_log2_min": cfg.each(cfg.int_at_least(3)),
    "manifold_log2_max": cfg.each(cfg.int_at_least(3)),
    "manifold_seeds": cfg.int_at_least(1), "n_test": cfg.int_at_least(10),
    "seed_batch": provenance.POSITIVE_INT, "sweep_batch": provenance.POSITIVE_INT,
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    if config.S <= 4 * max(config.ns):
        raise UsageError("S", config.S, f"allowed: integers > 4·max(ns) = {4 * max(config.ns)}")
    for field in ("fixed_P", "fixed_D"):
        if max(config[field]) >= config.S:
            raise UsageError(field, config[field], f"allowed: sizes < S = {config.S}")
    # The variance-limited fits use D >= 4P and P >= 8D: the sweeps must reach them.
    if config.d_max < 4 * max(config.fixed_P):
        raise UsageError("d_max", config.d_max,
                         f"allowed: integers >= 4·max(fixed_P) = {4 * max(config.fixed_P)}")
    if config.p_max < 8 * max(config.fixed_D):
        raise UsageError("p_max", config.p_max,
                         f"allowed: integers >= 8·max(fixed_D) = {8 * max(config.fixed_D)}")
    for field in ("manifold_log2_min", "manifold_log2_max"):
        if len(config[field]) != len(config.manifold_dims):
            raise UsageError(field, config[field], "allowed: one entry per manifold_dims entry "
                             f"({len(config.manifold_dims)})")
    for lo, hi in zip(config.manifold_log2_min, config.manifold_log2_max, strict=True):
        if not lo < hi <= 22:
            raise UsageError("manifold_log2_max", config.manifold_log2_max,
                             "allowed: each entry > its manifold_log2_min and <= 22")


EXPERIMENT = Experiment.of(
    __name__, "Bahri et al. scaling regimes of a Gaussian random-feature model (+ manifold 4/d).",
    PROFILES, CHECKS, validate=validate, x64=True)
