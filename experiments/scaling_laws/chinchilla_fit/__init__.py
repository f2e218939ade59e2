"""Refit of Chinchilla Approach 3 on Epoch's digitised data (specs/scaling_laws.md §3.2).

Papers: Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models" (arXiv
2203.15556, App. D.2, Table 2); Besiroglu, Erdil, Barnett & You 2024, "Chinchilla Scaling: A
replication attempt" (arXiv 2404.10102, v2). Claims (spec §7): the Huber-sum optimum on Epoch's
240 points matches Epoch's estimates (E 1.8172, A 482.01, B 2085.43, α 0.3478, β 0.3658), not
Hoffmann's published ones (E 1.69, A 406.4, B 410.7, α 0.34, β 0.28); Hoffmann's β and E lie
outside the bootstrap CIs and are rejected by a χ² test; a = β/(α+β) ≈ 0.51, not 0.46, and
Hoffmann's 80% CI for a is implausibly narrow; averaging instead of summing the Huber loss makes
SciPy's L-BFGS-B stop at the start ("reproducing" Hoffmann); a numpyro fit converges and is
narrower than the bootstrap; synthetic Chinchilla-form data are recovered.

Run:  python -m experiments.scaling_laws.chinchilla_fit --profile=cpu
Runtime (whole process, measured on 2 CPU cores shared with other jobs, load ≈ 4–10): smoke
≈ 40 s; cpu ≈ 3 min (spec estimate on idle cores: 1.5 min). paper: full grid, 4000 resamples,
4 chains, 100 recovery replicates; meant for a GPU or ≈ 20 min of CPU (not run here).

Expected outcome (cpu): best J = 1.01827402e-3 at A 477.83, B 2143.4, E 1.81722, α 0.347311,
β 0.367172 (a_opt 0.5139); every §7 claim passes (see the claims for measured values).

Conventions: all numbers are on Epoch's digitised Fig. 4 points, not Hoffmann's runs; D = C/(6N);
residuals in log-loss; J summed, δ = 1e-3; float64 throughout. Hoffmann "rounded" = the printed
values, "un-rounded" = (a, b, e, α, β) = (6.0073404, 6.0179186, 0.5267228, 0.33917084, 0.2849083).
``lbfgs_steps``, ``boot_steps``, ``recovery_steps`` count objective evaluations of this suite's one-
evaluation-per-step L-BFGS (``shared/lbfgs.py``), not optax iterations (each of which costs several
evaluations); the profiles use more of them than the spec's optax step counts. RNG streams:
fold_in(key(seed), k) with k = 0 grid subset, 1 bootstrap, 2 NUTS, 3 recovery noise, 4 recovery
starts, 5 mean-objective multi-start subset.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.scaling_laws.shared import fit, provenance
from experiments.scaling_laws.shared.bayes_fit import LIKELIHOODS

PROFILES = {
    "smoke": {"n_starts": 16, "lbfgs_steps": 30, "n_boot": 8, "boot_steps": 30, "delta": 1e-3,
              "nuts_chains": 1, "nuts_warmup": 50, "nuts_draws": 50, "likelihood": "studentt",
              "recovery_reps": 1, "recovery_starts": 8, "recovery_steps": 30,
              "recovery_noise": 4.7e-3, "mean_starts": 8},
    "cpu": {"n_starts": 256, "lbfgs_steps": 400, "n_boot": 400, "boot_steps": 150,
            "delta": 1e-3, "nuts_chains": 2, "nuts_warmup": 500, "nuts_draws": 1000,
            "likelihood": "studentt", "recovery_reps": 8, "recovery_starts": 64,
            "recovery_steps": 400, "recovery_noise": 4.7e-3, "mean_starts": 256},
    "paper": {"n_starts": 4500, "lbfgs_steps": 1000, "n_boot": 4000, "boot_steps": 200,
              "delta": 1e-3, "nuts_chains": 4, "nuts_warmup": 1000, "nuts_draws": 2000,
              "likelihood": "studentt", "recovery_reps": 100, "recovery_starts": 256,
              "recovery_steps": 600, "recovery_noise": 4.7e-3, "mean_starts": 4500},
}
START_COUNT = cfg._scalar_check(lambda v: isinstance(v, int) and 1 <= v <= fit.FULL_GRID_SIZE,
                                f"allowed: integers in [1, {fit.FULL_GRID_SIZE}]")
CHECKS = {
    # n_boot ≥ 6: the χ² of Hoffmann's values needs a full-rank 5 × 5 bootstrap covariance.
    "n_starts": START_COUNT, "lbfgs_steps": provenance.POSITIVE_INT, "n_boot": cfg.int_at_least(6),
    "boot_steps": provenance.POSITIVE_INT, "delta": provenance.POSITIVE,
    "nuts_chains": provenance.POSITIVE_INT, "nuts_warmup": provenance.POSITIVE_INT,
    "nuts_draws": cfg.int_at_least(4), "likelihood": cfg.one_of(*LIKELIHOODS),
    "recovery_reps": provenance.POSITIVE_INT, "recovery_starts": START_COUNT,
    "recovery_steps": provenance.POSITIVE_INT, "recovery_noise": provenance.POSITIVE,
    "mean_starts": START_COUNT,
}


EXPERIMENT = Experiment.of(
    __name__,
    "Chinchilla Approach 3 refit on Epoch's digitised data: multi-start L-BFGS, bootstrap, "
    "NUTS, compute-optimal exponents, mean-vs-sum bug, recovery.",
    PROFILES, CHECKS, x64=True, data_files=("data/scaling_laws/chinchilla_fig4_epoch.csv",))
