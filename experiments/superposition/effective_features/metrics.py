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
    out["spearman_psi_sae_vs_inv_density_ci"] = spearman_interval(
        out["spearman_psi_sae_vs_inv_density"], dens.size)
    out["monotone_diagnostics"] = _monotone_diagnostics(out)
    out["psi_frob_dense_theory"] = float(geo.psi_frobenius(np.eye(config.toy_features,
                                                                  config.toy_hidden)))
    return out


def spearman_interval(rho: float, n: int) -> list[float] | None:
    """95 % Fisher-z interval of a Spearman ρ over n points (variance 1.06/(n − 3))."""
    if not math.isfinite(rho) or n <= 3 or abs(rho) >= 1:
        return None
    half = 1.96 * math.sqrt(1.06 / (n - 3))
    z = math.atanh(rho)
    return [math.tanh(z - half), math.tanh(z + half)]


def _monotone_diagnostics(toy: dict[str, Any]) -> dict[str, Any]:
    """Why ψ_SAE may fail to rise with sparsity: Spearman ρ of ψ_ref and of ψ_SAE without the
    sparsest third, medians in the sparsest third and past the antipodal value ψ_ref > 2.2."""
    inv = np.asarray(toy["inv_density"], float)
    sae, ref = np.asarray(toy["psi_sae"], float), np.asarray(toy["psi_ref"], float)
    count = inv.size
    order = np.argsort(inv)
    third = order[-max(count // 3, 1):]
    dense_part = order[:count - count // 3]
    beyond = ref > 2.2  # past the antipodal-pair value ψ = 2
    return undefined_as_none({
        "spearman_psi_ref_vs_inv_density": float(scipy.stats.spearmanr(inv, ref).statistic)
        if count > 2 else math.nan,
        "spearman_psi_sae_vs_inv_density_without_sparsest_third":
            float(scipy.stats.spearmanr(inv[dense_part], sae[dense_part]).statistic)
            if dense_part.size > 2 else math.nan,
        "sparsest_third_median_psi_sae": float(np.median(sae[third])),
        "sparsest_third_median_psi_ref": float(np.median(ref[third])),
        "sparsest_third_median_dead_fraction": float(np.median(np.asarray(
            toy["dead_fraction"], float)[third])),
        "beyond_2.2_count": int(beyond.sum()),
        "beyond_2.2_median_psi_sae": float(np.median(sae[beyond])) if beyond.any() else math.nan,
        "beyond_2.2_median_psi_ref": float(np.median(ref[beyond])) if beyond.any() else math.nan,
    })


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
    for w in widths.values():
        w.update(_seed_contrast(w["F"], base, top))
    ratios = [w["ratio_top_to_base"] for w in widths.values()]
    return {"rates": rates.tolist(), "base_rate": float(rates[base]),
            "top_rate": float(rates[top]), "widths": widths,
            "min_ratio_top_to_base": float(np.nanmin(ratios)) if np.any(np.isfinite(ratios))
            else float("nan"),
            "capacity_gap": _capacity_gap(widths, base, top)}


def _seed_stats(F: list[list[float]], i: int) -> tuple[float, float]:
    """Seed mean and its standard error of F at rate index i (NaN SE for one seed)."""
    values = np.asarray(F[i], float)
    if values.size < 2:
        return float(values.mean()), math.nan
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def _seed_contrast(F: list[list[float]], base: int, top: int) -> dict[str, Any]:
    """Per rate the seed mean of F and its SE; the drop F(base) − F(top) of the seed means and
    the ratio F(top)/F(base), each with its SE (seed SEs combined in quadrature; None for one
    seed)."""
    stats = [_seed_stats(F, i) for i in range(len(F))]
    (b, b_se), (t, t_se) = stats[base], stats[top]
    ratio = t / b if b > 0 else math.nan
    return undefined_as_none({
        "F_seed_mean": [s[0] for s in stats], "F_seed_se": [s[1] for s in stats],
        "drop_top_vs_base": b - t, "drop_top_vs_base_se": math.hypot(b_se, t_se),
        "ratio_top_to_base_se": ratio * math.hypot(b_se / b, t_se / t)
        if b > 0 and t > 0 else math.nan})


def _capacity_gap(widths: dict[str, dict], base: int, top: int) -> dict[str, Any] | None:
    """The narrowest width's ratio F(top)/F(base) of the seed means against the smallest ratio
    of the other widths: the gap (other − narrowest) and its SE (the two ratio SEs in
    quadrature); None with fewer than two widths."""
    if len(widths) < 2:
        return None
    ratio = {h: w["F_seed_mean"][top] / w["F_seed_mean"][base] if w["F_seed_mean"][base] > 0
             else math.nan for h, w in widths.items()}
    se = {h: math.nan if w["ratio_top_to_base_se"] is None else w["ratio_top_to_base_se"]
          for h, w in widths.items()}
    narrow = min(widths, key=int)
    others = {h: v for h, v in ratio.items() if h != narrow}
    rival = min(others, key=others.get)
    return undefined_as_none({"narrow": f"h={narrow}", "rival": f"h={rival}",
                              "gap": others[rival] - ratio[narrow],
                              "se": math.hypot(se[narrow], se[rival])})


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
