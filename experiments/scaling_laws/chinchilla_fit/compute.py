"""The computation of ``chinchilla_fit``: Epoch's data, the multi-start grid fit, the bootstrap,
NUTS, the synthetic recovery and the SciPy mean-vs-sum regression (spec §3.2), then the metrics.

The fits are ``jit(vmap)`` over starts and/or resampled data (``shared.fit``); the SciPy
L-BFGS-B runs of the mean-vs-sum regression are a Python loop by design: they reproduce SciPy's
stopping rule (spec trap 6). RNG streams: fold_in(key(seed), k) with k = 0 grid subset,
1 bootstrap, 2 NUTS, 3 recovery noise, 4 recovery starts, 5 mean-objective multi-start subset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.results import SUITE_ROOT, undefined_as_none
from experiments.scaling_laws.chinchilla_fit import metrics as an
from experiments.scaling_laws.shared import fit
from experiments.scaling_laws.shared.bayes_fit import reference_init, run_nuts
from theory import scaling_chinchilla as tc

DATA_FILE = SUITE_ROOT / "data" / "scaling_laws" / "chinchilla_fig4_epoch.csv"
SCIPY_TIGHT = {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000}
TRUTHS = ("epoch", "hoffmann_unrounded")
POSTERIOR_KEYS = ("alpha", "beta", "E", "A", "B", "a_opt", "scale", "a", "b", "e")


def load_data(path: Path = DATA_FILE) -> dict[str, np.ndarray]:
    """The shipped CSV: N, C, loss (245 rows) and D = C/(6N), plus Epoch's outlier mask."""
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    N, C, loss = raw[:, 0], raw[:, 1], raw[:, 2]
    keep = loss < np.sort(loss)[-5]  # [paper: Epoch] drop the 5 highest losses (strict)
    return {"N": N, "C": C, "loss": loss, "D": C / (6.0 * N), "keep": keep}


def recovery_data(key: jax.Array, truth: np.ndarray, logN: np.ndarray, logD: np.ndarray,
                  reps: int, scale: float) -> np.ndarray:
    """log L of ``reps`` noisy replicates (Laplace(0, scale) i.i.d.) plus a noise-free row
    (row 0), shape (reps + 1, n)."""
    clean = np.asarray(tc.chinchilla_log_loss(logN, logD, *truth))
    noise = np.asarray(jax.random.laplace(key, (reps, logN.shape[0]), dtype=np.float64)) * scale
    return np.concatenate([clean[None], clean[None] + noise], axis=0)


def mean_vs_sum(data: fit.ChinchillaData, start: np.ndarray,
                multistart: np.ndarray) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The mean-vs-sum regression with SciPy (spec §3.2): four runs from Hoffmann's un-rounded
    values, then the mean objective from every row of ``multistart`` (SciPy defaults)."""
    runs = {
        "mean_defaults": fit.scipy_lbfgsb_fit(start, data, "mean"),
        "sum_defaults": fit.scipy_lbfgsb_fit(start, data, "sum"),
        "mean_tight": fit.scipy_lbfgsb_fit(start, data, "mean", SCIPY_TIGHT),
        "bfgs_sum": fit.scipy_lbfgsb_fit(start, data, "sum", method="BFGS"),
    }
    metrics = {name: {"nit": r["nit"], "message": r["message"], "j_sum": r["j_sum"],
                      "theta": r["x"].tolist(), **an.natural(r["x"]),
                      "max_abs_step_from_start": float(np.max(np.abs(r["x"] - start)))}
               for name, r in runs.items()}
    j_multi, theta_multi = [], []
    for row in multistart:  # Python loop on purpose: SciPy's L-BFGS-B, one start at a time
        r = fit.scipy_lbfgsb_fit(row, data, "mean")
        j_multi.append(r["j_sum"])
        theta_multi.append(r["x"])
    j_multi = np.where(np.isfinite(j_multi), j_multi, np.inf)
    best = int(np.argmin(j_multi))
    metrics["mean_multistart"] = {"n_starts": int(len(multistart)),
                                  "best_j_sum": float(j_multi[best]),
                                  **an.natural(theta_multi[best])}
    arrays = {f"trace_{name}": r["trace"] for name, r in runs.items()}
    arrays["mean_multistart_j_sum"] = np.asarray(j_multi)
    return metrics, arrays


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
        logL = recovery_data(noise_key, sets[name], logN, logD, config.recovery_reps,
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
    """Every fit of the experiment, each a resumable stage, then its metrics and arrays."""
    raw = load_data()
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
    mean_sum, mean_arrays = mean_vs_sum(data, sets["hoffmann_unrounded"], multistart)

    n_points = int(keep.sum())
    curves = an.compute_optimal_curves(np.stack([sets[k] for k in sets]))
    boot_curves = an.compute_optimal_curves(boot["theta"])
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
        "compute_optimal_bands": an.compute_optimal_bands(boot_curves["N_opt"],
                                                          boot_curves["D_opt"]),
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
        "table2": undefined_as_none({k: list(v["a"]) for k, v in tc.HOFFMANN_TABLE2.items()}),
    }
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
