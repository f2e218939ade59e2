"""Part A of ``effective_features``: SAE-measured ψ on Elhage 20 → 5 toy models (spec §2.3).

Toy models train with ``_tms.train_tms`` (TMS defaults: AdamW lr 1e-3, wd 0.01, Xavier-normal W,
b = 0), one instance per sparsity on an instance axis. For each model, ``samples`` fresh inputs
from its own distribution give activations a = f W (hidden layer, no nonlinearity); an SAE is
trained on them (vmapped over models, early stopping emulated per instance) and its per-atom L1
code mass gives F = exp(H(p)), ψ_SAE = F / N. References from the toy weights: ψ_ref =
exp(H(q))/N with q_i ∝ ‖W_i‖^2 (reconstructed, trap 14) and ψ_Frob = ‖W‖_F^2 / N; diagnostics:
ψ of the toy model's own outputs and ψ_Frob of the SAE dictionary.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from experiments.common.results import undefined_as_none
from experiments.common.sweep import find_non_finite, run_sweep
from experiments.superposition import _sae, _tms
from experiments.superposition._data import thresholds_to_device
from theory import superposition_geometry as geo

# fold_in streams of the base key: one per random purpose, never shared.
TOY_STREAM, SAE_STREAM = 1, 2
# Robustness axes: λ 200, D/N 300 + i, M 400 + i (toy models) and 500 + i (their SAEs).


def densities(count: int, high: float, low: float) -> np.ndarray:
    """1 − S_j = high · (low/high)^(j/(K − 1)), j = 0..K−1 (log-spaced; reconstructed)."""
    if count == 1:
        return np.array([high])
    return high * (low / high) ** (np.arange(count) / (count - 1))


@functools.cache
def _toy_program(seed: int, m: int, batch: int, steps: int, lr: float):
    """jit(vmap) of one toy-model run; cached so equal shapes reuse one compilation."""
    train = functools.partial(_tms.train_tms, m=m, batch=batch, steps=steps, lr=lr,
                              log_every=min(100, steps))

    def one(stream, row, thr, imp, wd):
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), stream), row)
        return train(key, thr, imp, wd)

    return jax.jit(jax.vmap(one))


def train_toy_models(config: Any, ctx: Any, features: int, stream: int) -> dict[str, np.ndarray]:
    """W (K, M, N), b (K, M), loss curves and densities of the K toy models of one M."""
    dens = densities(config.toy_models, config.density_max, config.density_min)
    thresholds = np.stack([np.asarray(thresholds_to_device(np.full(features, d)))
                           for d in dens])
    importance = np.tile(0.7 ** np.arange(features, dtype=np.float32), (dens.size, 1))
    program = _toy_program(config.seed, config.toy_hidden, config.toy_batch, config.toy_steps,
                           config.toy_lr)
    rows = (np.full(dens.size, stream, np.int32), np.arange(dens.size, dtype=np.int32),
            thresholds, importance, np.full(dens.size, config.toy_weight_decay, np.float32))
    out = run_sweep(None, rows, batch=dens.size, num_devices=ctx.num_devices,
                    name=f"toy models M={features}", jitted=program)
    bad = find_non_finite(out["loss_curve"], [f"toy model M={features}, 1-S={d:.4g}"
                                              for d in dens])
    if bad:
        raise FloatingPointError(f"non-finite toy-model loss: {', '.join(bad)}")
    return {"W": out["W"], "b": out["b"], "loss_curve": out["loss_curve"], "density": dens,
            "thresholds": thresholds}


@functools.cache
def _sae_program(seed: int, dict_size: int, tied: bool, epochs: int, batch: int, patience: int,
                 reduction: str, lr: float, samples: int):
    """jit(vmap) of one (toy model, λ) SAE run; cached across the robustness axes."""
    train = functools.partial(_sae.train_sae, dict_size=dict_size, tied=tied, epochs=epochs,
                              batch=batch, patience=patience, reduction=reduction, lr=lr)

    def one(stream, row, thr, W, b, l1):
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), stream), row)
        f = _tms.sample_tms(jax.random.fold_in(key, 0), thr, samples)
        acts = f @ W
        out = train(jax.random.fold_in(key, 1), acts, l1)
        summary = _sae.code_summary(out["params"], acts)
        outputs = _tms.tms_forward(W, b, f)  # y = ReLU(a W^T + b), the toy model's own codes
        return {**summary, "toy_mass": jnp.sum(jnp.abs(outputs), axis=0),
                "stop_epoch": out["stop_epoch"], "best_epoch": out["best_epoch"],
                "epoch_loss": out["epoch_loss"], "E": out["params"]["E"]}

    return jax.jit(jax.vmap(one))


def sae_on_toys(config: Any, ctx: Any, toys: dict[str, np.ndarray], l1s: np.ndarray,
                dict_size: int, stream: int, label: str) -> dict[str, np.ndarray]:
    """One SAE per (toy model, λ) row; ``l1s`` has one λ per row of ``toys``."""
    program = _sae_program(config.seed, dict_size, config.sae_tied, config.sae_max_epochs,
                           config.sae_batch, config.sae_patience, config.sae_loss_reduction,
                           config.sae_lr, config.sae_samples)
    count = toys["W"].shape[0]
    rows = (np.full(count, stream, np.int32), np.arange(count, dtype=np.int32),
            toys["thresholds"], toys["W"], toys["b"], np.asarray(l1s, np.float32))
    out = run_sweep(None, rows, batch=count, num_devices=ctx.num_devices, name=f"SAEs {label}",
                    jitted=program)
    bad = find_non_finite(out["mass"], [f"SAE {label} row {i}" for i in range(count)])
    if bad:
        raise FloatingPointError(f"non-finite SAE codes: {', '.join(bad)}")
    return out


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


def _tile(toys: dict[str, np.ndarray], reps: int) -> dict[str, np.ndarray]:
    return {k: np.concatenate([v] * reps, axis=0) for k, v in toys.items()
            if k in ("W", "b", "thresholds")}


def robustness(config: Any, ctx: Any, toys: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """ψ_SAE (and references) per value of each robustness axis (paper Fig. 3b).

    Each axis varies alone, the others at their defaults (λ = ``sae_l1``, D = ``sae_dict_size``,
    M = ``toy_features``); the M axis keeps N = ``toy_hidden`` (reconstructed, trap 14) and
    trains new toy models per M.
    """
    count = toys["W"].shape[0]
    l1s = np.asarray(config.robust_l1s, np.float32)
    by_l1 = sae_on_toys(config, ctx, _tile(toys, l1s.size), np.repeat(l1s, count),
                        config.sae_dict_size, 200, "robustness λ")
    out = {"l1_psi_sae": psi_table(np.concatenate([toys["W"]] * l1s.size), by_l1)["psi_sae"]
           .reshape(l1s.size, count)}
    psi = []
    for index, expansion in enumerate(config.robust_expansions):
        sae = sae_on_toys(config, ctx, toys, np.full(count, config.sae_l1, np.float32),
                          int(expansion) * config.toy_hidden, 300 + index,
                          f"robustness D/N={expansion}")
        psi.append(psi_table(toys["W"], sae)["psi_sae"])
    out["expansion_psi_sae"] = np.stack(psi)
    tables = []
    for index, features in enumerate(config.robust_features):
        new = train_toy_models(config, ctx, int(features), 400 + index)
        sae = sae_on_toys(config, ctx, new, np.full(count, config.sae_l1, np.float32),
                          config.sae_dict_size, 500 + index, f"robustness M={features}")
        tables.append(psi_table(new["W"], sae))
    for name in ("psi_sae", "psi_ref", "psi_frob"):
        out[f"features_{name}"] = np.stack([t[name] for t in tables])
    return out
