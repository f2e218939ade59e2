"""Metrics of ``chinchilla_fit`` (spec §3.2): parameter sets, bootstrap and posterior summaries,
likelihood table, fit quality, compute-optimal tables and curves, recovery errors.

Host-side float64 NumPy/SciPy on results of the vmapped fits; no training here (the profiled
Huber likelihood maximises over one scale parameter only).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from experiments.common import stats
from experiments.scaling_laws.shared import fit
from theory import scaling_chinchilla as tc

COMPUTE_GRID = np.logspace(18.0, 26.0, 41)


def theta_of(params: dict[str, float]) -> np.ndarray:
    """(a, b, e, α, β) of a natural parameter set {E, A, B, alpha, beta}."""
    return np.array([math.log(params["A"]), math.log(params["B"]), math.log(params["E"]),
                     params["alpha"], params["beta"]])


def natural(theta: np.ndarray) -> dict[str, float]:
    a, b, e, alpha, beta = (float(v) for v in theta)
    return {"E": math.exp(e), "A": math.exp(a), "B": math.exp(b), "alpha": alpha, "beta": beta,
            "a_opt": beta / (alpha + beta), "b_opt": alpha / (alpha + beta)}


def parameter_sets(refit_theta: np.ndarray) -> dict[str, np.ndarray]:
    """θ of the refit and of the published sets (Hoffmann un-rounded/rounded, Epoch)."""
    return {"refit": np.asarray(refit_theta, np.float64),
            "epoch": theta_of(tc.EPOCH_2024["estimates"]),
            "hoffmann_unrounded": np.array([tc.HOFFMANN_UNROUNDED[k] for k in fit.PARAM_NAMES]),
            "hoffmann_rounded": theta_of(tc.HOFFMANN_ROUNDED)}


def predicted_loss(theta: np.ndarray, N: np.ndarray, D: np.ndarray) -> np.ndarray:
    p = natural(theta)
    return np.asarray(tc.chinchilla_loss(N, D, p["E"], p["A"], p["B"], p["alpha"], p["beta"]))


def fit_quality(theta: np.ndarray, N: np.ndarray, D: np.ndarray,
                loss: np.ndarray) -> dict[str, float]:
    """Loss-space residuals observed − predicted: RMSE and mean."""
    residual = loss - predicted_loss(theta, N, D)
    return {"rmse": float(np.sqrt(np.mean(residual**2))), "mean": float(residual.mean())}


def compute_optimal_row(theta: np.ndarray, C: float = tc.CHINCHILLA_COMPUTE) -> dict[str, float]:
    p = natural(theta)
    opt = tc.compute_optimal(C, p["A"], p["B"], p["alpha"], p["beta"])
    row = {k: float(v) for k, v in opt.items()}
    row["tokens_per_param"] = row["D_opt"] / row["N_opt"]
    return row


def compute_optimal_curves(thetas: np.ndarray, C: np.ndarray = COMPUTE_GRID) -> dict[str, Any]:
    """N_opt(C), D_opt(C) for each θ row (rows, len(C))."""
    n_opt, d_opt = [], []
    for theta in np.atleast_2d(thetas):
        p = natural(theta)
        opt = tc.compute_optimal(C, p["A"], p["B"], p["alpha"], p["beta"])
        n_opt.append(np.asarray(opt["N_opt"]))
        d_opt.append(np.asarray(opt["D_opt"]))
    return {"N_opt": np.array(n_opt), "D_opt": np.array(d_opt)}


def compute_optimal_bands(boot_n_opt: np.ndarray, boot_d_opt: np.ndarray) -> dict[str, Any]:
    """2.5 and 97.5 % bootstrap quantiles of N_opt(C), D_opt(C) and D_opt/N_opt over
    ``COMPUTE_GRID`` (arrays (resamples, len(C)))."""
    bands = {"N_opt": boot_n_opt, "D_opt": boot_d_opt, "tokens_per_param": boot_d_opt / boot_n_opt}
    return {k: np.quantile(v, [0.025, 0.975], axis=0).tolist() for k, v in bands.items()}


def bootstrap_summary(theta_boot: np.ndarray, grad_norm: np.ndarray, point: np.ndarray,
                      hoffmann_theta: np.ndarray, n_points: int) -> dict[str, Any]:
    """SEs, 95% percentile CIs, a_opt stats, covariance, χ² of Hoffmann vs the refit, and the
    runs Hoffmann's 80% CI width would need (spec §3.2, Uncertainty)."""
    quantities = {
        "alpha": theta_boot[:, 3], "beta": theta_boot[:, 4], "E": np.exp(theta_boot[:, 2]),
        "A": np.exp(theta_boot[:, 0]), "B": np.exp(theta_boot[:, 1]),
        "a_opt": theta_boot[:, 4] / (theta_boot[:, 3] + theta_boot[:, 4]),
    }
    tpp = np.array([compute_optimal_row(t)["tokens_per_param"] for t in theta_boot])
    quantities["tokens_per_param"] = tpp
    se = {k: float(np.std(v, ddof=1)) for k, v in quantities.items()}
    ci95 = {k: [float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975))]
            for k, v in quantities.items()}
    a10, a90 = (float(np.quantile(quantities["a_opt"], q)) for q in (0.1, 0.9))
    cov = np.cov(theta_boot, rowvar=False)
    diff = np.asarray(hoffmann_theta) - np.asarray(point)
    chi2 = float(diff @ np.linalg.solve(cov, diff))
    width = a90 - a10
    return {"n": int(theta_boot.shape[0]), "se": se, "ci95": ci95,
            "mean": {k: float(v.mean()) for k, v in quantities.items()},
            "a_opt_10_90": [a10, a90], "a_opt_width_10_90": width,
            "n_needed": float(n_points * (width / 0.001) ** 2),
            "covariance": cov.tolist(), "chi2": chi2,
            "chi2_log10_p": stats.chi2_log10_sf(chi2, 5),
            "max_grad_norm": float(np.max(grad_norm)),
            "converged_fraction": float(np.mean(grad_norm <= 1e-8))}


def likelihood_table(sets: dict[str, np.ndarray], data_240: fit.ChinchillaData,
                     data_245: fit.ChinchillaData) -> dict[str, Any]:
    """Profiled Huber log-likelihoods on 240 and 245 points; LR test refit vs un-rounded."""
    table = {}
    for name, theta in sets.items():
        ll240, ls240 = fit.huber_loglik(theta, data_240)
        ll245, ls245 = fit.huber_loglik(theta, data_245)
        table[name] = {"loglik_240": ll240, "log_scale_240": ls240, "loglik_245": ll245,
                       "log_scale_245": ls245}
    lr = 2.0 * (table["refit"]["loglik_240"] - table["hoffmann_unrounded"]["loglik_240"])
    return {"table": table, "lr_refit_vs_unrounded": lr,
            "lr_log10_p": stats.chi2_log10_sf(lr, 5)}


def posterior_summary(nuts: dict[str, Any]) -> dict[str, Any]:
    """Medians, SDs, 5/95% quantiles of every site and derived quantity; R-hat, ESS."""
    out = {}
    for name, draws in nuts["samples"].items():
        flat = np.asarray(draws).ravel()
        out[name] = {"median": float(np.median(flat)), "sd": float(np.std(flat, ddof=1)),
                     "q05": float(np.quantile(flat, 0.05)), "q95": float(np.quantile(flat, 0.95)),
                     "r_hat": nuts["r_hat"][name], "ess": nuts["ess"][name]}
    return {"params": out, "divergences": nuts["divergences"],
            "draws_total": nuts["draws_total"]}


def recovery_summary(truth: np.ndarray, estimates: np.ndarray) -> dict[str, Any]:
    """Per-replicate errors of (α, β, E, log A, log B, a_opt), their SDs and mean biases."""
    def features(theta):
        theta = np.atleast_2d(theta)
        return {"alpha": theta[:, 3], "beta": theta[:, 4], "E": np.exp(theta[:, 2]),
                "log_A": theta[:, 0], "log_B": theta[:, 1],
                "a_opt": theta[:, 4] / (theta[:, 3] + theta[:, 4])}

    true, est = features(truth), features(estimates)
    errors = {k: (est[k] - true[k]).tolist() for k in true}
    return {"errors": errors,
            "sd": {k: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for k, v in errors.items()},
            "bias": {k: float(np.mean(v)) for k, v in errors.items()},
            "max_abs": {k: float(np.max(np.abs(v))) for k, v in errors.items()}}
