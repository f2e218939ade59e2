"""metrics.json of ``effective_features``: ψ tables, correlations with CIs, dropout and
dictionary-scaling summaries (every number the claims and figures read), and the functions
that compute them from SAE code masses and toy weights (``psi_table``, ``pearson_ci``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.stats

from experiments.common.results import undefined_as_none
from experiments.common.stats import bootstrap_interval
from theory import superposition_geometry as geo

Arrays = dict[str, np.ndarray]


def features_from_mass(mass: np.ndarray) -> np.ndarray:
    """F per row of per-atom masses (rows, D), via the theory function (float64)."""
    return np.array([geo.effective_features(np.asarray(m)[None, :]) for m in mass])


def psi_table(W: np.ndarray, sae: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """ψ_SAE, F, ψ_ref, ψ_Frob, ψ_codes, ψ_Frob^SAE and SAE diagnostics per toy model."""
    n_hidden = W.shape[-1]
    F = features_from_mass(sae["mass"])
    return {
        "F": F, "psi_sae": geo.superposition_ratio(F, n_hidden),
        "psi_ref": np.array([geo.psi_weight_entropy(w) for w in W]),
        "psi_frob": np.array([geo.psi_frobenius(w) for w in W]),
        "psi_codes": geo.superposition_ratio(features_from_mass(sae["toy_mass"]), n_hidden),
        "psi_frob_sae": np.asarray(sae["dict_frob"], np.float64) / n_hidden,
        "dead_fraction": np.mean(np.asarray(sae["mass"]) <= 0, axis=1),
        "all_zero_codes": np.all(np.asarray(sae["mass"]) <= 0, axis=1),
        "recon_mse": np.asarray(sae["recon_mse"], np.float64),
        "stop_epoch": np.asarray(sae["stop_epoch"]), "best_epoch": np.asarray(sae["best_epoch"]),
    }


def pearson_ci(x: np.ndarray, y: np.ndarray, seed: int,
               resamples: int = 2000) -> dict[str, float]:
    """Pearson r with a 95 % paired percentile bootstrap CI over models (scipy.stats.bootstrap)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)

    def stat(a, b, axis=-1):
        a = a - a.mean(axis=axis, keepdims=True)
        b = b - b.mean(axis=axis, keepdims=True)
        den = np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, (a * b).sum(axis=axis) / den, np.nan)

    # Undefined values (too few models, or degenerate resamples at tiny sizes) are None.
    r = float(stat(x, y))
    if x.size < 3 or not np.isfinite(r):
        return undefined_as_none({"r": r, "lo": math.nan, "hi": math.nan, "n": int(x.size)})
    res = scipy.stats.bootstrap((x, y), stat, paired=True, vectorized=True,
                                n_resamples=resamples, confidence_level=0.95,
                                method="percentile", rng=np.random.default_rng(seed))
    ci = res.confidence_interval
    return undefined_as_none({"r": r, "lo": float(ci.low), "hi": float(ci.high),
                              "n": int(x.size)})


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(np.asarray(x)) == 0 or np.ptp(np.asarray(y)) == 0:
        return float("nan")
    return float(scipy.stats.spearmanr(x, y).statistic)


def _seed_summary(values: np.ndarray, seed: int) -> dict[str, list[float]]:
    """Mean over the last (seed) axis with a 95 % percentile bootstrap CI (mean when 1 seed)."""
    values = np.asarray(values, np.float64)
    mean = values.mean(axis=-1)
    if values.shape[-1] < 2:
        return {"mean": mean.tolist(), "lo": mean.tolist(), "hi": mean.tolist()}
    lo, hi = bootstrap_interval(np.moveaxis(values, -1, 0), seed=seed)
    return {"mean": mean.tolist(), "lo": np.asarray(lo).tolist(), "hi": np.asarray(hi).tolist()}


def _toy_metrics(config: Any, toys: Arrays, saes: Arrays) -> dict[str, Any]:
    table = psi_table(toys["W"], saes)
    dens = np.asarray(toys["density"], np.float64)
    seed = config.seed
    out = {"density": dens.tolist(), "inv_density": (1.0 / dens).tolist(),
           "final_train_loss": np.asarray(toys["loss_curve"])[:, -1].tolist(),
           "dict_size": config.sae_dict_size, "n_hidden": config.toy_hidden,
           "n_features": config.toy_features}
    out.update({k: np.asarray(v).tolist() for k, v in table.items()})
    out["num_all_zero_codes"] = int(np.sum(table["all_zero_codes"]))
    out["num_stopped_early"] = int(np.sum(table["stop_epoch"] < config.sae_max_epochs))
    out["correlations"] = {
        "sae_vs_ref": pearson_ci(table["psi_sae"], table["psi_ref"], seed),
        "ref_vs_frob": pearson_ci(table["psi_ref"], table["psi_frob"], seed + 1),
        "frob_sae_vs_ref": pearson_ci(table["psi_frob_sae"], table["psi_ref"], seed + 2),
        "codes_vs_ref": pearson_ci(table["psi_codes"], table["psi_ref"], seed + 3),
    }
    out["spearman_psi_sae_vs_inv_density"] = spearman(1.0 / dens, table["psi_sae"])
    return out


def _robust_metrics(config: Any, toys: Arrays, saes_ref: np.ndarray,
                    robust: Arrays) -> dict[str, Any]:
    seed = config.seed + 10
    axes = {
        "l1": (config.robust_l1s, [pearson_ci(p, saes_ref, seed + i)
                                   for i, p in enumerate(robust["l1_psi_sae"])]),
        "expansion": (config.robust_expansions,
                      [pearson_ci(p, saes_ref, seed + 100 + i)
                       for i, p in enumerate(robust["expansion_psi_sae"])]),
        "features": (config.robust_features,
                     [pearson_ci(p, q, seed + 200 + i) for i, (p, q) in enumerate(
                         zip(robust["features_psi_sae"], robust["features_psi_ref"],
                             strict=True))]),
    }
    return {name: {"values": list(values), "r": [c["r"] for c in cis],
                   "lo": [c["lo"] for c in cis], "hi": [c["hi"] for c in cis]}
            for name, (values, cis) in axes.items()}


def _dropout_metrics(config: Any, dropout: dict[int, Arrays]) -> dict[str, Any]:
    rates = np.asarray(config.dropout_rates, np.float64)
    base = int(np.argmin(rates))
    top = int(np.argmax(rates))
    widths = {}
    for width, out in dropout.items():
        mass = np.asarray(out["mass"])
        F = features_from_mass(mass.reshape(-1, mass.shape[-1])).reshape(mass.shape[:2])
        seed_mean = F.mean(axis=1)
        widths[str(width)] = {
            "dict_size": int(mass.shape[-1]), "F": F.tolist(),
            "F_summary": _seed_summary(F, config.seed + width),
            "test_acc": np.asarray(out["test_acc"]).tolist(),
            "train_acc": np.asarray(out["train_acc"]).tolist(),
            "test_acc_summary": _seed_summary(out["test_acc"], config.seed + width + 1),
            "recon_mse": np.asarray(out["recon_mse"]).tolist(),
            "num_all_zero_codes": int(np.sum(F == 0)),
            "spearman_rate_vs_F": spearman(rates, seed_mean),
            "ratio_top_to_base": float(seed_mean[top] / seed_mean[base])
            if seed_mean[base] > 0 else float("nan"),
        }
    ratios = [w["ratio_top_to_base"] for w in widths.values()]
    return {"rates": rates.tolist(), "base_rate": float(rates[base]),
            "top_rate": float(rates[top]), "widths": widths,
            "min_ratio_top_to_base": float(np.nanmin(ratios)) if np.any(np.isfinite(ratios))
            else float("nan")}


def _scaling_metrics(config: Any, scaling: Arrays) -> dict[str, Any]:
    mass = np.asarray(scaling["mass"])  # (λ, e, model seed, SAE seed, D_max)
    F = features_from_mass(mass.reshape(-1, mass.shape[-1])).reshape(mass.shape[:4])
    F_mean = F.mean(axis=(2, 3))
    exps = list(config.dict_expansions)
    top, ref = int(np.argmax(exps)), exps.index(config.dict_growth_from)
    growth = [float(f[top] / f[ref]) if f[ref] > 0 else float("nan") for f in F_mean]
    return {"expansions": exps, "l1s": list(config.dict_l1s), "width": config.dict_width,
            "F_mean": F_mean.tolist(), "F": F.tolist(),
            "F_summary": _seed_summary(F.mean(axis=3), config.seed + 20),
            "growth_from": config.dict_growth_from, "growth_to": float(exps[top]),
            "growth": growth}


def build_metrics(config: Any, toys: Arrays, saes: Arrays, robust: Arrays | None,
                  dropout: dict[int, Arrays], scaling: Arrays | None,
                  data: Arrays) -> dict[str, Any]:
    """Everything claims and plots read; NaN where a quantity is undefined (e.g. 1 seed)."""
    toy = _toy_metrics(config, toys, saes)
    metrics = {"toy": toy, "dropout": _dropout_metrics(config, dropout),
               "parity": {"train_size": int(data["x_train"].shape[0]),
                          "test_size": int(data["x_test"].shape[0]),
                          "activation_subset": config.activation_subset,
                          "activation_rows": int(data["act_rows"].size)},
               "robustness": None, "dict_scaling": None}
    if robust is not None:
        metrics["robustness"] = _robust_metrics(config, toys, np.asarray(toy["psi_ref"]), robust)
    if scaling is not None:
        metrics["dict_scaling"] = _scaling_metrics(config, scaling)
    return metrics
