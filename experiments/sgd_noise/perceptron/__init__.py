"""Perceptron: signal, noise, training time and the GD/noise crossover.

Papers: Sclocchi, Geiger & Wyart, ICML 2023 (arXiv:2301.13703) and its perceptron model; the
authors' APS abstract F02.00003 (δ, γ, b obtained in a perceptron; t* ~ T P^b); Sclocchi & Wyart,
PNAS 2024 (γ = 1/(1+χ)). The hinge perceptron on depleted_sign data is exactly the paper's model
[code]. Claims: perceptron.alpha_T_symmetry, gamma_chi{0,1,3}, b_chi{0,1,3}, b_ordering, delta,
w_perp_value, w_perp_P_independent, tstar_linear_in_T, test_error_exponent,
crossover_temperature, noise_hurts_depleted.

Run:  python -m experiments.sgd_noise.perceptron --profile=cpu
Runtime, idle 2-core machine (whole process): cpu ≈ 4 min (the χ = 0, P = 2048 noise group of
192 lanes is 2.4 min of it); smoke 19 s. paper (B = 2, distinct batches, d = 128, cap 10⁸
steps) is meant for a GPU and was not run.

Protocol (cpu): d = 32, B = 8, T·α ∈ {64, 512, 4096} for the noise cells; χ = 0 at
P ∈ {128, …, 2048} with 64 seeds, whose w1 and t* are set by the training points nearest the
boundary, so their seed means are heavy-tailed (an 8-seed slope scatters by SD 0.054 in γ and
0.13 in b, scripts/perceptron_seed_scatter.py); χ = 1 and 3 with 16 seeds, enough to order b
between χ = 1 and 3 by more than three standard errors.

Expected outcome (cpu): every claim passes. γ and b are effective finite-size values below
their asymptotes 1/(1+χ) and (3+χ)/(1+χ): χ = 0 gives γ ≈ 0.87 and b ≈ 2.5 with local slopes
still rising across the grid (γ 0.84 → 0.89, b 2.3 → 2.6 per doubling of P; a 32-seed run of
the same protocol to P = 4096 gave 0.82–0.99 and 2.2–2.9 per doubling, no visible convergence);
χ = 1: γ ≈ 0.45, b ≈ 1.75; χ = 3: γ ≈ 0.18, b ≈ 1.45. δ ≈ 1; t* ∝ T; ε ∝ 1/P;
‖w⊥‖/(T√d) ≈ 1/(2c_χ) within 0.95–1.1×; T_×·α ≈ 2–3; noise-vs-GD error ratio ≈ 1 (χ = 0) and
6–8 (χ = 3).

Conventions: α-trick with κ = 1/α on y·Δw·x/√d; T = η/B (h = 1), η = T·B; t* = η × steps;
temperatures are given as T·α; batches `replace` (i.i.d. indices) on smoke and cpu, `distinct`
(first B of a permutation, the authors' code) on paper; each seed (replica) draws its own data
pool and runs with P points use its first P points (nested training sets across P); init, data
and batch streams depend on the replica only (paired comparisons across α and T). Lanes are
grouped by (χ, P, noise/crossover) so that GD-like cells never share a group with noise cells.
A group runs as a lane queue (``model.run_queue``): 16 lanes in flight, a stopped lane
hands its slot to the next, with outputs identical to one vmapped while loop (tested), which
would run every lane to the slowest one (at χ = 0 ≈ 3.4x the mean). Capped cells are kept,
marked and excluded from fits and claims.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.sgd_noise.perceptron import model
from experiments.sgd_noise.shared import flag_checks

PROFILES = {
    "smoke": {"dim": 16, "batch": 8, "alpha": 2.0**15, "batch_sampling": "replace",
              "seeds_per_chi": [2], "max_steps": 20_000, "chis": [1.0], "train_sizes": [64, 128],
              "train_sizes_per_chi": [2], "noise_t_alpha": [64.0, 512.0],
              "crossover_t_alpha": [0.125, 8.0], "crossover_sizes": 1, "fit_t_alpha": 512.0},
    "cpu": {"dim": 32, "batch": 8, "alpha": 2.0**15, "batch_sampling": "replace",
            "seeds_per_chi": [64, 16, 16], "max_steps": 2_000_000, "chis": [0.0, 1.0, 3.0],
            "train_sizes": [128, 256, 512, 1024, 2048, 256, 1024, 4096, 1024, 4096, 16384],
            "train_sizes_per_chi": [5, 3, 3], "noise_t_alpha": [64.0, 512.0, 4096.0],
            "crossover_t_alpha": [0.125, 1.0, 8.0], "crossover_sizes": 2, "fit_t_alpha": 512.0},
    "paper": {"dim": 128, "batch": 2, "alpha": 2.0**15, "batch_sampling": "distinct",
              "seeds_per_chi": [5, 5, 5], "max_steps": 100_000_000, "chis": [0.0, 1.0, 3.0],
              "train_sizes": [1024, 2048, 4096, 8192, 16384] * 3,
              "train_sizes_per_chi": [5, 5, 5], "noise_t_alpha": [64.0, 512.0, 4096.0, 32768.0],
              "crossover_t_alpha": [0.125, 0.5, 2.0, 8.0, 32.0], "crossover_sizes": 5,
              "fit_t_alpha": 512.0},
}

CHECKS = {
    "dim": flag_checks.DIMENSION, "batch": flag_checks.BATCH, "alpha": flag_checks.ALPHA,
    "batch_sampling": flag_checks.BATCH_SAMPLING, "seeds_per_chi": cfg.each(cfg.int_at_least(2)),
    "max_steps": flag_checks.MAX_STEPS, "chis": cfg.each(cfg.non_negative()),
    "train_sizes": flag_checks.TRAIN_SIZES, "train_sizes_per_chi": cfg.each(cfg.int_at_least(1)),
    "noise_t_alpha": flag_checks.TEMPERATURES, "crossover_t_alpha": flag_checks.TEMPERATURES,
    "crossover_sizes": cfg.int_at_least(1), "fit_t_alpha": cfg.positive(),
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    for field in ("train_sizes_per_chi", "seeds_per_chi"):
        if len(config[field]) != len(config.chis):
            raise UsageError(field, config[field],
                             f"allowed: one count per chis entry ({len(config.chis)})")
    if sum(config.train_sizes_per_chi) != len(config.train_sizes):
        raise UsageError("train_sizes_per_chi", config.train_sizes_per_chi,
                         f"allowed: counts summing to len(train_sizes) = "
                         f"{len(config.train_sizes)}")
    if config.fit_t_alpha not in config.noise_t_alpha:
        raise UsageError("fit_t_alpha", config.fit_t_alpha,
                         "allowed: one of the noise_t_alpha values")
    flag_checks.check_batch_below_train(config.batch, config.train_sizes)
    period = max(model.check_period(p, config.batch) for p in config.train_sizes)
    flag_checks.check_cap_above_period(config.max_steps, period)


EXPERIMENT = Experiment.of(
    __name__, "Hinge perceptron on depleted_sign data: signal, noise, t*, crossover (ICML 2023).",
    PROFILES, CHECKS, validate=validate, x64=True)
