"""Phase diagram: test error and weight change of the paper's FC net in the (α, T) plane (§3.2).

Paper: Sclocchi, Geiger & Wyart, "Dissecting the Effects of SGD Noise in Distinct Regimes of Deep
Learning", ICML 2023 (arXiv:2301.13703) [paper-abstract]: small α (rich) and large T both leave
the lazy regime; noise can help or hurt depending on the regime. Authors' APS 2023 abstract
[authors-APS]: T_opt ∝ α^k, k = (D−1)/(D+1) = 2/3 for D = 5 hidden layers. Data: MNIST-1D parity
[stand-in] for the paper's MNIST parity. Claims (spec §7): phase_diagram.lazy_rich_weight_change,
divergence_edge, lazy_alpha_independence, noise_helps_somewhere (cpu); noise_hurts_somewhere,
topt_exponent, opposite_effects (paper only).

Run:  python -m experiments.sgd_noise.phase_diagram --profile=cpu
Runtime, idle 2-core machine (whole process): smoke 12 s; cpu 270 s (spec §5.2 expects
≈ 170–200 s). Each α row runs in calls of two adjacent temperatures × 3 seeds (6 lanes): a
vmapped while loop runs to its slowest lane and the lowest T needs up to 10× the steps of the
highest, so this executes 1.1·10⁶ lane-steps instead of the 1.9·10⁶ of whole-row groups (that
layout took 685 s). One lane-step costs ≈ 235 µs here (spec: 60–90 µs). paper (26 α × 31 T ×
9 seeds, max_steps 10⁶) is meant for a GPU and was not run.

Expected outcome (cpu, spec §3.2): relative weight change at T = 2^−10 falls from ≈ 2.5
(α = 2^−6) to ≈ 0.004 (α = 2^13); α = 2^−6 diverges for T ≥ 2^−8, α = 1 near T = 2^−4, so the
divergence edge has slope ≈ 0.67 in log α for α ≤ 1; rows α = 2^10 and 2^13 agree (α-independence
of the lazy regime); noise lowers the error by 2–3 % at α ∈ {1, 4, 16}; test errors 0.33–0.37;
the T = 2^−12 cells of α ∈ {1, 4, 16} may hit the 1.2·10⁴-step cap (marked capped).

Conventions (spec §2, §3.2): F = f − f(w0) everywhere; loss max(0, 1/α − yF); T = η/(B·h) with
h = 128, so η = 2048·T at B = 16; GELU (exact erf, normalised by 0.652090); check period
K = max(16, 2P/B); batch sampling ``replace`` on smoke/cpu, ``distinct`` on paper; skip rule
(smoke and cpu): cells with α ≥ 2^6 and α·T < 1/4 are not run and are drawn blank; same seeds
(init, training set, batch sequence) for every (α, T) cell, so differences are paired.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.sgd_noise.phase_diagram.compute import check_period
from experiments.sgd_noise.shared import flag_checks

_DATA = {"dataset": "mnist1d", "seed_testset": 0, "batch": 16, "activation": "gelu"}
PROFILES = {
    "smoke": {**_DATA, "n_pool": 2000, "n_test": 512, "num_train": 128, "depth": 2, "width": 32,
              "log2_alphas": [-4, 10], "log2_temperatures": [-10, -4], "seeds": 2,
              "max_steps": 2000, "batch_sampling": "replace", "skip_lazy_gd": True,
              "group_temperatures": 2},
    "cpu": {**_DATA, "n_pool": 20_000, "n_test": 8192, "num_train": 1024, "depth": 5,
            "width": 128, "log2_alphas": [-6, -4, -2, 0, 2, 4, 7, 10, 13],
            "log2_temperatures": [-12, -10, -9, -8, -7, -6, -5, -4], "seeds": 3,
            "max_steps": 12_000, "batch_sampling": "replace", "skip_lazy_gd": True,
            "group_temperatures": 2},
    "paper": {**_DATA, "n_pool": 60_000, "n_test": 32_768, "num_train": 1024, "depth": 5,
              "width": 128, "log2_alphas": list(range(-14, 12)),
              "log2_temperatures": list(range(-26, 5)), "seeds": 9, "max_steps": 1_000_000,
              "batch_sampling": "distinct", "skip_lazy_gd": False,
              "group_temperatures": 31},
}


def _log2_grid(values: list[int]) -> str | None:
    ok = (len(values) >= 1 and all(isinstance(v, int) and -40 <= v <= 40 for v in values)
          and all(a < b for a, b in zip(values[:-1], values[1:], strict=True)))
    return None if ok else "allowed: strictly increasing integers in [-40, 40]"


CHECKS = {
    "dataset": cfg.one_of("mnist1d"), "seed_testset": cfg.int_at_least(0),
    "batch": flag_checks.BATCH, "activation": cfg.one_of("gelu", "relu"),
    "n_pool": cfg.int_at_least(20), "n_test": cfg.int_at_least(1),
    "num_train": cfg.int_at_least(2), "depth": cfg.int_at_least(1), "width": cfg.int_at_least(1),
    "log2_alphas": _log2_grid, "log2_temperatures": _log2_grid, "seeds": flag_checks.SEEDS,
    "max_steps": flag_checks.MAX_STEPS, "batch_sampling": flag_checks.BATCH_SAMPLING,
    "skip_lazy_gd": lambda v: None if isinstance(v, bool) else "allowed: true or false",
    "group_temperatures": cfg.int_at_least(1),
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    flag_checks.check_pool(config.n_pool, config.n_test)
    if config.num_train > config.n_pool - config.n_test:
        raise UsageError("num_train", config.num_train,
                         f"allowed: integers <= n_pool - n_test ({config.n_pool - config.n_test})")
    flag_checks.check_batch_below_train(config.batch, [config.num_train])
    flag_checks.check_cap_above_period(config.max_steps,
                                       check_period(config.num_train, config.batch))


EXPERIMENT = Experiment.of(
    __name__, "Test error and weight change of the FC net on MNIST-1D parity in the (α, T) plane.",
    PROFILES, CHECKS, validate=validate)
