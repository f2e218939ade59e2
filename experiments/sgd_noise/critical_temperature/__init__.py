"""Critical temperature: T_c(P) of the FC net in the lazy regime (spec §3.3).

Paper: Sclocchi, Geiger & Wyart, ICML 2023 (arXiv:2301.13703) [paper-abstract]: the temperature
T_c where SGD noise starts to affect the trained model is a power law of the training-set size P.
Authors' APS 2023 abstract [authors-APS]: in the kernel regime the relative weight change grows as
T^δ P^γ, the training time as t* ~ T P^b, and T_c ~ P^(−a) with a = γ/δ. Data: MNIST-1D parity
[stand-in]. Claims (spec §7): critical_temperature.delta, gamma, tstar_linear_in_T,
tstar_grows_with_P, tc_power_law_weights, tc_power_law_ntk, a_equals_gamma_over_delta,
noise_effect_depends_on_P.

Run:  python -m experiments.sgd_noise.critical_temperature --profile=cpu
Runtime, idle 2-core machine (whole process): smoke 20 s; cpu 320 s (spec §5.2 expects
≈ 120–180 s; one sweep compilation per P, one NTK compilation for all P). Each P runs in calls
of two adjacent temperatures × 4 seeds: at P = 4096 the highest T needs ≈ 2× the steps of the
lowest, and whole-P groups (32 lanes to the slowest lane's ≈ 2.9·10⁴ steps) took 605 s.
paper (P up to 16384, 16 temperatures, 5 seeds) is meant for a GPU and was not run.

Expected outcome (cpu, spec §3.3): r = ‖w − w0‖/‖w0‖ ∝ T^δ P^γ with δ ≈ 0.85–0.95 and
γ ≈ 0.5–0.6; t* ∝ T (slope 0.95–1.07) and t*/T ∝ P^b with b ≈ 1.4–1.6; T_c^w (r = 0.02) ∝ P^−a_w
with a_w ≈ 0.59 ≈ γ/δ (near-identity for this definition); T_c^K (ΔK = 0.1) gives a_K ≈ 0.4,
about 0.2 below γ/δ at these sizes; noise beyond T_c lowers the error at large P (Δ ≈ −0.03 at
P = 4096) but not at P = 256.

Conventions (spec §2, §3.3): α = 2^15; ReLU (the paper's P-sweeps); T = η/(B·h), h = 128;
K = max(16, P/B) (one epoch); three T_c definitions, all [reconstructed]; geometric seed means of
r and ΔK; capped or diverged lanes are excluded from every mean and counted in metrics.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.sgd_noise.critical_temperature.compute import check_period
from experiments.sgd_noise.shared import flag_checks

_COMMON = {"dataset": "mnist1d", "seed_testset": 0, "batch": 16, "activation": "relu",
           "log2_alpha": 15}
PROFILES = {
    "smoke": {**_COMMON, "n_pool": 2000, "n_test": 512, "train_sizes": [64, 128], "depth": 2,
              "width": 32, "log2_temperatures": [-10, -6, -4], "seeds": 2, "n_ntk": 16,
              "max_steps": 2000, "batch_sampling": "replace", "group_temperatures": 2},
    "cpu": {**_COMMON, "n_pool": 20_000, "n_test": 8192,
            "train_sizes": [256, 512, 1024, 2048, 4096], "depth": 5, "width": 128,
            "log2_temperatures": [-14, -11, -9, -8, -7, -6, -5, -4], "seeds": 4, "n_ntk": 128,
            "max_steps": 100_000, "batch_sampling": "replace", "group_temperatures": 2},
    "paper": {**_COMMON, "n_pool": 60_000, "n_test": 32_768,
              "train_sizes": [1024, 2048, 4096, 8192, 16384], "depth": 5, "width": 128,
              "log2_temperatures": list(range(-13, 3)), "seeds": 5, "n_ntk": 128,
              "max_steps": 2_000_000, "batch_sampling": "distinct", "group_temperatures": 16},
}


def _increasing_ints(lo: int, hi: int) -> cfg.Check:
    def check(values: list[int]) -> str | None:
        ok = (len(values) >= 1 and all(isinstance(v, int) and lo <= v <= hi for v in values)
              and all(a < b for a, b in zip(values[:-1], values[1:], strict=True)))
        return None if ok else f"allowed: strictly increasing integers in [{lo}, {hi}]"
    return check


CHECKS = {
    "dataset": cfg.one_of("mnist1d"), "seed_testset": cfg.int_at_least(0),
    "batch": flag_checks.BATCH, "activation": cfg.one_of("relu", "gelu"),
    "log2_alpha": lambda v: (None if isinstance(v, int) and -40 <= v <= 40
                             else "allowed: integers in [-40, 40]"),
    "n_pool": cfg.int_at_least(20),
    "n_test": cfg.int_at_least(1), "train_sizes": _increasing_ints(2, 10**7),
    "depth": cfg.int_at_least(1), "width": cfg.int_at_least(1),
    "log2_temperatures": _increasing_ints(-40, 40), "seeds": flag_checks.SEEDS,
    "n_ntk": cfg.int_at_least(1), "max_steps": flag_checks.MAX_STEPS,
    "batch_sampling": flag_checks.BATCH_SAMPLING, "group_temperatures": cfg.int_at_least(1),
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    flag_checks.check_pool(config.n_pool, config.n_test)
    room = config.n_pool - config.n_test
    if max(config.train_sizes) > room:
        raise UsageError("train_sizes", config.train_sizes,
                         f"allowed: sizes <= n_pool - n_test ({room})")
    if config.n_ntk > min(config.train_sizes):
        raise UsageError("n_ntk", config.n_ntk,
                         f"allowed: integers <= the smallest train size {min(config.train_sizes)}")
    flag_checks.check_batch_below_train(config.batch, config.train_sizes)
    flag_checks.check_cap_above_period(config.max_steps,
                                       check_period(max(config.train_sizes), config.batch))


EXPERIMENT = Experiment.of(
    __name__, "T_c(P) of the FC net on MNIST-1D parity in the lazy regime (α = 2^15).",
    PROFILES, CHECKS, validate=validate)
