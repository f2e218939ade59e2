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
values, "un-rounded" = (a, b, e, α, β) = (6.0073404, 6.0179186, 0.5267228, 0.33917084,
0.2849083). ``lbfgs_steps``, ``boot_steps``, ``recovery_steps`` count objective evaluations of
this suite's one-evaluation-per-step L-BFGS (``lbfgs.py``), not optax iterations (each of which
costs several evaluations); the profiles use more of them than the spec's optax step counts.
RNG streams: fold_in(key(seed), k) with k = 0 grid subset, 1 bootstrap, 2 NUTS, 3 recovery
noise, 4 recovery starts, 5 mean-objective multi-start subset.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from experiments.common import config as cfg
from experiments.common.app import Experiment, RunContext, app_main
from experiments.common.config import Config
from experiments.common.results import undefined_as_none
from experiments.scaling_laws import chinchilla_fit_analysis as an
from experiments.scaling_laws import common, fit
from experiments.scaling_laws.chinchilla_fit_claims import make_claims
from experiments.scaling_laws.chinchilla_fit_plots import FIGURES, plot
from experiments.scaling_laws.fit_bayes import LIKELIHOODS, reference_init, run_nuts

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
    "n_starts": START_COUNT, "lbfgs_steps": common.POSITIVE_INT, "n_boot": cfg.int_at_least(6),
    "boot_steps": common.POSITIVE_INT, "delta": common.POSITIVE,
    "nuts_chains": common.POSITIVE_INT, "nuts_warmup": common.POSITIVE_INT,
    "nuts_draws": cfg.int_at_least(4), "likelihood": cfg.one_of(*LIKELIHOODS),
    "recovery_reps": common.POSITIVE_INT, "recovery_starts": START_COUNT,
    "recovery_steps": common.POSITIVE_INT, "recovery_noise": common.POSITIVE,
    "mean_starts": START_COUNT,
}
TRUTHS = ("epoch", "hoffmann_unrounded")


def _stream(config: Config, index: int) -> jax.Array:
    return jax.random.fold_in(jax.random.key(config["seed"]), index)


def _main_fit(config: Config, data: fit.ChinchillaData, num_devices: int) -> dict[str, Any]:
    grid = fit.chinchilla_grid(config.n_starts, _stream(config, 0))

    def objective(params, logN, logD, logL):
        return fit.huber_objective(params, logN, logD, logL, config.delta)

    out = fit.lbfgs_fit(objective, grid, data, config.lbfgs_steps, num_devices=num_devices,
                        name="grid fit", closed_form_grad=True, delta=config.delta)
    best = fit.summarize_starts(grid, out)
    return {"theta": best.theta, "objective": np.float64(best.objective),
            "grad_norm": np.float64(best.grad_norm), "start_objectives": out["objective"],
            "start_params": out["params"], "starts": grid,
            "converged_by_step": np.mean(out["trace"] <= best.objective * (1 + 1e-6), axis=0)}


def _recovery(config: Config, logN: np.ndarray, logD: np.ndarray,
              num_devices: int) -> dict[str, np.ndarray]:
    """Noise-free + noisy replicates for both truths; (truth, replicate, start) vmapped flat."""
    sets = an.parameter_sets(np.zeros(5))
    reps, n_starts = config.recovery_reps + 1, config.recovery_starts
    logL_rows, start_rows = [], []
    for t_index, name in enumerate(TRUTHS):
        noise_key = jax.random.fold_in(_stream(config, 3), t_index)
        logL = an.recovery_data(noise_key, sets[name], logN, logD, config.recovery_reps,
                                config.recovery_noise)
        for rep in range(reps):
            start_key = jax.random.fold_in(jax.random.fold_in(_stream(config, 4), t_index), rep)
            start_rows.append(fit.chinchilla_grid(n_starts, start_key))
            logL_rows.append(np.broadcast_to(logL[rep], (n_starts, logN.shape[0])))
    starts = np.concatenate(start_rows)
    logL = np.concatenate(logL_rows)
    rows = starts.shape[0]
    data = (np.broadcast_to(logN, (rows, logN.shape[0])),
            np.broadcast_to(logD, (rows, logD.shape[0])), logL)
    out = fit.lbfgs_fit(fit.huber_objective, starts, data, config.recovery_steps,
                        batched_data=True, num_devices=num_devices, batch=4096,
                        name="recovery", closed_form_grad=True, delta=config.delta)
    shape = (len(TRUTHS), reps, n_starts)
    objective = out["objective"].reshape(shape)
    best = np.argmin(objective, axis=-1)
    params = out["params"].reshape(*shape, 5)
    chosen = np.take_along_axis(params, best[..., None, None], axis=2)[:, :, 0]
    j_best = np.take_along_axis(objective, best[..., None], axis=2)[..., 0]
    reached = np.mean(objective <= j_best[..., None] * (1 + 1e-6) + 1e-30, axis=-1)
    return {"theta": chosen, "objective": j_best, "reached_fraction": reached}


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    common.require_x64()
    raw = an.load_data()
    keep = raw["keep"]
    data_all = fit.make_data(raw["N"], raw["D"], raw["loss"])
    data = fit.make_data(raw["N"][keep], raw["D"][keep], raw["loss"][keep])
    logN, logD = np.asarray(data.logN), np.asarray(data.logD)

    main = ctx.stage("fit", lambda: _main_fit(config, data, ctx.num_devices))
    theta = main["theta"]
    sets = an.parameter_sets(theta)
    boot = ctx.stage("bootstrap", lambda: fit.bootstrap_fit(
        _stream(config, 1), data, theta, config.n_boot, config.boot_steps, delta=config.delta,
        num_devices=ctx.num_devices))
    nuts = ctx.stage("nuts", lambda: _nuts_arrays(config, data, theta, ctx.num_devices))
    recovery = ctx.stage("recovery", lambda: _recovery(config, logN, logD, ctx.num_devices))
    multistart = fit.chinchilla_grid(config.mean_starts, _stream(config, 5))
    mean_sum, mean_arrays = an.mean_vs_sum(data, sets["hoffmann_unrounded"], multistart)

    n_points = int(keep.sum())
    metrics = {
        "data": {"rows": int(raw["N"].size), "kept": n_points,
                 "dropped_losses": np.sort(raw["loss"][~keep])[::-1].tolist(),
                 "distinct_N": int(np.unique(raw["N"]).size),
                 **{f"{k}_range": [float(raw[k].min()), float(raw[k].max())]
                    for k in ("N", "C", "D", "loss")}},
        "fit": {**an.natural(theta), "theta": theta.tolist(),
                "objective": float(main["objective"]), "grad_norm": float(main["grad_norm"]),
                "n_starts": int(config.n_starts), "steps": int(config.lbfgs_steps),
                "converged_fraction": float(np.mean(
                    main["start_objectives"] <= main["objective"] * (1 + fit.CONVERGED_RTOL))),
                "non_finite": int(np.sum(~np.isfinite(main["start_objectives"])))},
        "parameter_sets": {k: an.natural(v) for k, v in sets.items()},
        "bootstrap": an.bootstrap_summary(boot["theta"], boot["grad_norm"], theta,
                                          sets["hoffmann_unrounded"], n_points),
        "likelihood": an.likelihood_table(sets, data, data_all),
        "fit_quality": {k: an.fit_quality(v, raw["N"][keep], raw["D"][keep], raw["loss"][keep])
                        for k, v in sets.items()},
        "compute_optimal": {k: an.compute_optimal_row(v) for k, v in sets.items()},
        "mean_vs_sum": mean_sum,
        "bayes": an.posterior_summary(_nuts_dict(nuts)),
        "recovery": {name: {"truth": an.natural(sets[name]),
                            "noise_free_objective": float(recovery["objective"][i, 0]),
                            "noise_free_max_abs_dtheta": float(np.max(np.abs(
                                recovery["theta"][i, 0] - sets[name]))),
                            "reached_fraction_noise_free": float(
                                recovery["reached_fraction"][i, 0]),
                            **an.recovery_summary(sets[name], recovery["theta"][i, 1:])}
                     for i, name in enumerate(TRUTHS)},
        # Kaplan gives a point estimate only: its interval ends are written as null.
        "table2": undefined_as_none({k: list(v["a"]) for k, v in an.tc.HOFFMANN_TABLE2.items()}),
    }
    curves = an.compute_optimal_curves(np.stack([sets[k] for k in sets]))
    boot_curves = an.compute_optimal_curves(boot["theta"])
    residuals = {f"residual_{k}": raw["loss"] - an.predicted_loss(v, raw["N"], raw["D"])
                 for k, v in sets.items()}
    arrays = {
        "N": raw["N"], "C": raw["C"], "D": raw["D"], "loss": raw["loss"], "keep": keep,
        "start_objectives": main["start_objectives"], "converged_by_step":
            main["converged_by_step"], "bootstrap_theta": boot["theta"],
        "posterior": _thinned_posterior(nuts), "compute_grid": an.COMPUTE_GRID,
        "curve_sets": np.array(list(sets)), "curve_N_opt": curves["N_opt"],
        "curve_D_opt": curves["D_opt"], "boot_N_opt": boot_curves["N_opt"],
        "boot_D_opt": boot_curves["D_opt"], "recovery_theta": recovery["theta"],
        "recovery_truths": np.stack([sets[k] for k in TRUTHS]), **residuals, **mean_arrays,
    }
    return metrics, arrays


POSTERIOR_KEYS = ("alpha", "beta", "E", "A", "B", "a_opt", "scale", "a", "b", "e")


def _nuts_arrays(config: Config, data: fit.ChinchillaData, theta: np.ndarray,
                 num_devices: int) -> dict[str, np.ndarray]:
    result = run_nuts(_stream(config, 2), data.logN, data.logD, data.logL,
                      chains=config.nuts_chains, warmup=config.nuts_warmup,
                      draws=config.nuts_draws, likelihood=config.likelihood,
                      init=reference_init(theta), num_devices=num_devices)
    out = {f"draws_{k}": result["samples"][k] for k in POSTERIOR_KEYS}
    out.update({f"rhat_{k}": np.float64(v) for k, v in result["r_hat"].items()})
    out.update({f"ess_{k}": np.float64(v) for k, v in result["ess"].items()})
    out["divergences"] = np.int64(result["divergences"])
    out["draws_total"] = np.int64(result["draws_total"])
    return out


def _nuts_dict(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The stage's flat arrays back into ``run_nuts``'s layout (for the summary)."""
    return {"samples": {k: arrays[f"draws_{k}"] for k in POSTERIOR_KEYS},
            "r_hat": {k: float(arrays[f"rhat_{k}"]) for k in POSTERIOR_KEYS},
            "ess": {k: float(arrays[f"ess_{k}"]) for k in POSTERIOR_KEYS},
            "divergences": int(arrays["divergences"]),
            "draws_total": int(arrays["draws_total"])}


def _thinned_posterior(arrays: dict[str, np.ndarray], limit: int = 4000) -> np.ndarray:
    """(draws, 6) of α, β, E, A, B, a_opt, chains pooled, thinned to ≤ ``limit`` rows."""
    stacked = np.stack([np.asarray(arrays[f"draws_{k}"]).ravel()
                        for k in ("alpha", "beta", "E", "A", "B", "a_opt")], axis=-1)
    step = max(1, -(-stacked.shape[0] // limit))
    return stacked[::step]


EXPERIMENT = Experiment(
    name="scaling_laws/chinchilla_fit",
    description="Chinchilla Approach 3 refit on Epoch's digitised data: multi-start L-BFGS, "
                "bootstrap, NUTS, compute-optimal exponents, mean-vs-sum bug, recovery.",
    profiles=PROFILES, checks=CHECKS, compute=compute, make_claims=make_claims, plot=plot,
    figures=FIGURES, x64=True, source_packages=common.SOURCE_PACKAGES,
)

if __name__ == "__main__":
    app_main(EXPERIMENT)
