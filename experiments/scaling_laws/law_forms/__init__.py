"""Other published scaling-law forms, each with a fit routine and a synthetic recovery test.

Papers and claims (spec §3.3, §7 `law_forms.*`):
- Luo et al., "Sparsing Law", arXiv:2411.02335 (Eqs. 4-5, Table 2): activation ratio
  A(D) = exp(−cD^α + b) + A0 (ReLU), −c/D^α + A0 (SiLU); Table 2 values and LM recovery.
- Gallego-Feliciano et al., "Hidden Dynamics of Massive Activations", arXiv:2508.03616 (Eqs. 9,
  14): f(t) = A e^{−λx} log x + K, x = γt + t0; Lambert-W peak, reparameterisation, recovery.
- Xiao et al., "Densing Law of LLMs", arXiv:2412.04315 (Eqs. 2-4): density inversion identity,
  doubling time ln 2/A, OLS recovery of the growth rate.
- Yuan et al., "Information Capacity", arXiv:2511.08066: shared-intercept recovery of IC_s, b.
- Hägele et al., "The Hot Mess of AI", arXiv:2601.23045: KL identity, unbiased incoherence
  estimator, plug-in bias, ensembling.

Run:  python -m experiments.scaling_laws.law_forms --profile=cpu
Runtime, measured on 2 CPU cores shared with other jobs (load average 9-12, so several-fold slower
than idle): smoke 59 s wall (28 CPU-s, nearly all XLA compilation of the vmapped fits), cpu 75 s
wall (47 s in compute; 34 CPU-s); paper (more seeds only) not run here.

Expected outcome (cpu, seed 0: all 16 claims pass): Table 2 values to 5e-5; SiLU and ReLU
(0.2B-2.4B) parameters and all curves within the spec tolerances; t_peak 8070 / 7739 / 189,491
from Lambert W with f'(t_peak) ≈ 0; densing doubling time 99.0 days = 3.25 months; OLS SEs
≈ 3.3e-4 / 2.0e-4 (densing), 0.0024 / 0.079 (IC) with ≈ 95 % coverage; hot-mess
incoherence 0.50, 0.33, 0.20, 0.11 for E = 1, 2, 4, 8.

Conventions: all data synthetic [illustrative/reconstructed]; D in billions of tokens, densing t
in days (A per day, 1 month = 30.44 days), IC in bits (log2), massive-activation t in optimizer
steps. Noise is drawn with ``numpy.random.default_rng`` (nothing is traced; the spec allows it),
one ``SeedSequence([seed, stream])`` per law; fits and estimators run in float64 as one
``jit(vmap)`` over seeds (nonlinear fits by a fixed-step JAX Levenberg-Marquardt that the tests
check against SciPy's ``least_squares``; spec §3.3 names SciPy). Parameters that are not
identifiable (ReLU 0.1B's b, c; the late trajectory's K) are never tested.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.scaling_laws.shared import provenance

_MODEL = {"sparsing_points": 40, "sparsing_sigma_param": 1e-4, "sparsing_sigma_curve": 1e-3,
          "massive_noise_frac": 0.14, "densing_noise_sd": 0.33, "ic_noise_sd": 0.02,
          "hotmess_questions": 200, "hotmess_samples": 30, "hotmess_ensembles": [1, 2, 4, 8],
          "hotmess_categories": 4}
PROFILES = {
    "smoke": {**_MODEL, "sparsing_seeds": 1, "massive_seeds": 1, "densing_seeds": 5,
              "ic_seeds": 5, "hotmess_seeds": 2, "hotmess_ensemble_seeds": 2},
    "cpu": {**_MODEL, "sparsing_seeds": 10, "massive_seeds": 20, "densing_seeds": 200,
            "ic_seeds": 200, "hotmess_seeds": 50, "hotmess_ensemble_seeds": 20},
    "paper": {**_MODEL, "sparsing_seeds": 100, "massive_seeds": 100, "densing_seeds": 2000,
              "ic_seeds": 2000, "hotmess_seeds": 500, "hotmess_ensemble_seeds": 500},
}
CHECKS = {
    "sparsing_points": cfg.int_at_least(5),
    "sparsing_sigma_param": cfg.positive(), "sparsing_sigma_curve": cfg.positive(),
    "massive_noise_frac": cfg.positive(), "densing_noise_sd": cfg.positive(),
    "ic_noise_sd": cfg.positive(),
    "hotmess_questions": cfg.int_at_least(1), "hotmess_samples": cfg.int_at_least(2),
    "hotmess_ensembles": cfg.each(cfg.int_at_least(1)),
    "hotmess_categories": cfg.int_at_least(2),
    **{field: provenance.POSITIVE_INT for field in (
        "sparsing_seeds", "massive_seeds", "densing_seeds", "ic_seeds", "hotmess_seeds",
        "hotmess_ensemble_seeds")},
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    ensembles = list(config.hotmess_ensembles)
    if ensembles != sorted(set(ensembles)) or ensembles[0] != 1:
        raise UsageError("hotmess_ensembles", ensembles,
                         "allowed: strictly increasing integers starting at 1")


EXPERIMENT = Experiment.of(
    __name__,
    "Sparsing, massive-activation, densing, information-capacity and hot-mess laws: closed "
    "forms, fits and synthetic recovery.",
    PROFILES, CHECKS, validate=validate, x64=True)
