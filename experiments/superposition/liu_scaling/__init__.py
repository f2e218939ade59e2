"""Liu, Liu & Gore, "Superposition Yields Robust Neural Scaling" (NeurIPS 2025, arXiv:2505.10465v4).

Claims (spec superposition.md §1.1, §6.1): in a tied ReLU autoencoder a decoupled weight decay γ
tunes superposition; γ > 0 gives weak superposition (≈ m rows of norm 1, loss = frequency mass
of the ignored features, L ≈ (4/3) Σ_{i>φn} p_i, α_m = α − 1), γ < 0 strong superposition (all
rows ≈ norm 1, mean squared overlap of the frequent rows ≈ 1/m, L ∝ 1/m, α_m ≈ 1, rising
towards 2(α − 1) for very skewed frequencies).

Run:  python -m experiments.superposition.liu_scaling --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process, 2026-12-07): cpu 242 s with the sparse
encoder, all widths (10, 15, 25, 39, 63; 11 models at B = 512, 5 000 steps) in one program:
training 222 s incl. compilation, then evaluation, fits and figures; the same day the dense step
(one program per width) took 312 s (345–360 s on 2026-11-26). The gain is smaller than
``benchmarks/superposition.py``'s (1.6x against the dense encoder, 5.7x against the authors'
pattern, at B = 2048 and m up to 100) because at B = 512 and small m the per-step sampling and
elementwise work weigh more. smoke 18 s alone (sparse encoder forced so CI runs its path; smoke
compiles at XLA backend optimisation level 0). paper: ≈ 2–2.5 h on one H100 (extrapolated for
the dense step; not run). On a GPU ``encoder = "auto"`` is dense (the sparse step is not
measured there) and the program sets jax_default_matmul_precision = "highest" (trap 10), recorded
in metrics["settings"]["matmul_precision"].

Expected (cpu, spec §4.1): C1 = (α 1, γ −1): φ_{1/2} = 1, m·MSO_strong ≈ 1, α_m ≈ 1.00 on
m ∈ [25, 63]; C2 = (α 1.5, γ −1): α_m ≈ 1.20; C3 = (α 1, γ 5/9): 4–15 represented rows,
L / eq. 14 ≈ 1.06, α_m ≈ 0.05.

Conventions: α is the paper's exponent (p_i ∝ i^−α; the authors' scripts use i^−(1+a), trap 1);
"loss" is the sum over features of the squared error on fresh evaluation batches (trap 6), the
optimised loss is the mean over batch and features (× 100 for the large models, trap 2).
Common random numbers: all models of one seed read the same training words at each step (in
every width bucket and for every α, γ, E) and the same evaluation words; each model still sees
i.i.d. data of its own frequencies. Differences between cells are therefore less noisy than
their absolute values.
"""

from __future__ import annotations

import numpy as np

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.superposition.liu_scaling.compute import CURVE_EVERY

_GAMMAS = [round(-1.0 + 2.0 * j / 9, 10) for j in range(10)]  # linspace(-1, 1, 10)
_ALPHAS = [0.125 * j for j in range(17)]
_SMALL_MS = [10, 15, 25, 39, 63, 100]
_LARGE = dict(large_gammas=[-1.0, 0.1], large_warmup_frac=0.05, large_lr_w_ref=0.02,
              large_lr_b_num=2.0, large_loss_scale=100.0)

PROFILES = {
    "smoke": dict(
        n=64, E=1.0, ms=[4, 8], series_alpha=[1.0, 1.0], series_gamma=[-1.0, 5 / 9],
        series_m_mask=[0, 0], batch=64, steps=200, warmup=20, lr_w=1e-2, lr_b=1e-2,
        floor_frac=0.05, eval_batches=2, eval_batch=256, seeds=1, fit_m_min=1, fit_m_max=100000,
        density_s=[0.0, 1.0], density_gammas=[-1.0], fig18_alphas=[1.0, 2.0], fig18_ms=[4, 8],
        fig18_gamma=-1.0, large_n=64, large_ms=[4, 8], large_batch=64, large_steps=200,
        large_exp_scale=5.0, **_LARGE, ambiguity=True, overlap_check_ms=[4],
        overlap_check_pairs=1000, instance_chunk=256, gpu_matmul_precision="highest",
        encoder="sparse"),
    "cpu": dict(
        n=1000, E=1.0, ms=[10, 15, 25, 39, 63], series_alpha=[1.0, 1.5, 1.0],
        series_gamma=[-1.0, -1.0, 5 / 9], series_m_mask=[0, 28, 21], batch=512, steps=5000,
        warmup=500, lr_w=1e-2, lr_b=1e-2, floor_frac=0.05, eval_batches=20, eval_batch=2048,
        seeds=1, fit_m_min=25, fit_m_max=63, density_s=[], density_gammas=[-1.0],
        fig18_alphas=[], fig18_ms=[50, 62, 77, 96, 120, 150], fig18_gamma=-1.0, large_n=10240,
        large_ms=[8, 16, 32, 64, 128, 256, 512, 1024], large_batch=2048, large_steps=20000,
        large_exp_scale=400.0, **{**_LARGE, "large_gammas": []}, ambiguity=False,
        overlap_check_ms=[10, 100], overlap_check_pairs=100_000, instance_chunk=256,
        gpu_matmul_precision="highest", encoder="auto"),
    "paper": dict(
        n=1000, E=1.0, ms=_SMALL_MS, series_alpha=[a for a in _ALPHAS for _ in _GAMMAS],
        series_gamma=[g for _ in _ALPHAS for g in _GAMMAS], series_m_mask=[0] * 170,
        batch=2048, steps=20000, warmup=2000, lr_w=1e-2, lr_b=1e-2, floor_frac=0.05,
        eval_batches=100, eval_batch=2048, seeds=1, fit_m_min=1, fit_m_max=100000,
        density_s=[j / 8 for j in range(9)], density_gammas=_GAMMAS, fig18_alphas=_ALPHAS,
        fig18_ms=[50, 62, 77, 96, 120, 150], fig18_gamma=-1.0, large_n=10240,
        large_ms=[8, 16, 32, 64, 128, 256, 512, 1024], large_batch=2048, large_steps=20000,
        large_exp_scale=400.0, **_LARGE, ambiguity=True, overlap_check_ms=[10, 100],
        overlap_check_pairs=100_000, instance_chunk=256, gpu_matmul_precision="highest",
        encoder="auto"),
}

_ALPHA = cfg.each(cfg.non_negative(), min_len=0)
_GAMMA = cfg.each(cfg.float_in(-2.0, 2.0), min_len=0)
_WIDTHS = cfg.each(cfg.int_at_least(1))
CHECKS = {
    "n": cfg.int_at_least(2), "E": cfg.positive(), "ms": _WIDTHS, "series_alpha": _ALPHA,
    "series_gamma": _GAMMA, "series_m_mask": cfg.each(cfg.int_at_least(0), min_len=0),
    "batch": cfg.int_at_least(1), "steps": cfg.int_at_least(CURVE_EVERY),
    "warmup": cfg.int_at_least(0), "lr_w": cfg.positive(), "lr_b": cfg.positive(),
    "floor_frac": cfg.float_in(0.0, 1.0), "eval_batches": cfg.int_at_least(2),
    "eval_batch": cfg.int_at_least(1), "seeds": cfg.int_at_least(1),
    "fit_m_min": cfg.int_at_least(1), "fit_m_max": cfg.int_at_least(1),
    "density_s": cfg.each(cfg.float_in(0.0, 1.0), min_len=0), "density_gammas": _GAMMA,
    "fig18_alphas": _ALPHA, "fig18_ms": _WIDTHS, "fig18_gamma": cfg.float_in(-2.0, 2.0),
    "large_n": cfg.int_at_least(2), "large_ms": _WIDTHS, "large_gammas": _GAMMA,
    "large_batch": cfg.int_at_least(1), "large_steps": cfg.int_at_least(CURVE_EVERY),
    "large_warmup_frac": cfg.float_in(0.0, 1.0, hi_open=True), "large_lr_w_ref": cfg.positive(),
    "large_lr_b_num": cfg.positive(), "large_loss_scale": cfg.positive(),
    "large_exp_scale": cfg.positive(), "overlap_check_ms": _WIDTHS,
    "overlap_check_pairs": cfg.int_at_least(10), "instance_chunk": cfg.int_at_least(1),
    "gpu_matmul_precision": cfg.one_of("default", "high", "highest"),
    "encoder": cfg.one_of("auto", "sparse", "dense"),
}
def validate(config: Config) -> None:
    """Cross-field checks: one UsageError line, exit status 2."""
    if not len(config.series_alpha) == len(config.series_gamma) == len(config.series_m_mask):
        raise UsageError("series_gamma", config.series_gamma,
                         "allowed: as many values as series_alpha and series_m_mask")
    for field, widths, n in (("ms", config.ms, config.n), ("fig18_ms", config.fig18_ms, config.n),
                             ("large_ms", config.large_ms, config.large_n)):
        if any(m >= n for m in widths):
            raise UsageError(field, widths, f"allowed: widths 1 <= m < n = {n}")
    if any(mask >= 2 ** len(config.ms) for mask in config.series_m_mask):
        raise UsageError("series_m_mask", config.series_m_mask,
                         f"allowed: bit masks over ms below 2^{len(config.ms)} (0 = every m)")
    for field in ("steps", "large_steps"):
        if config[field] % CURVE_EVERY:
            raise UsageError(field, config[field], f"allowed: multiples of {CURVE_EVERY}")
    if config.warmup >= config.steps:
        raise UsageError("warmup", config.warmup, f"allowed: integers < steps = {config.steps}")
    for alpha in sorted(set(config.series_alpha) | set(config.fig18_alphas)):
        p1 = config.E / float(np.sum(np.arange(1, config.n + 1, dtype=np.float64) ** -alpha))
        if p1 > 1.0 + 1e-12:
            raise UsageError("E", config.E, f"allowed: E with p_1 <= 1 (alpha = {alpha} gives "
                             f"p_1 = {p1:.4g})")


EXPERIMENT = Experiment.of(
    __name__, "Liu et al. 2025: weight decay tunes superposition; loss vs width scaling.",
    PROFILES, CHECKS, validate=validate)
