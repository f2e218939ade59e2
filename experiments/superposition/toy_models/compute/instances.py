"""Instances and measurements of the `toy_models` parts (spec superposition.md §2.2).

Each part is one flat instance axis (sparsity × seed, or cell × init) trained by one
``jit(vmap(train_tms))`` (``train_instances``); measurements read the trained W and b only.
Keys: fold_in(key(seed), part id) → fold_in(·, instance index) → split into train / eval keys,
so an instance's stream does not depend on the other instances of its axis.
"""

from __future__ import annotations

import functools

import jax
import numpy as np

from experiments.common.sweep import find_non_finite, run_sweep
from experiments.superposition.shared import toy_model
from theory.superposition import sampler_thresholds
from theory.superposition_geometry import feature_dimensionality

PART_IDS = {"sparsity": 1, "pentagon": 2, "geometry": 3, "phase": 4, "geometry_cluster": 5}
REPRESENTED = 0.5  # ‖W_i‖ above this counts a feature as represented (spec §2.2)


def instance_keys(seed: int, part: str, count: int) -> np.ndarray:
    """(count, 2) raw train keys and (count, 2) eval keys of a part's instances."""
    base = jax.random.fold_in(jax.random.key(seed), PART_IDS[part])
    keys = [jax.random.split(jax.random.fold_in(base, i)) for i in range(count)]
    train = np.stack([np.asarray(jax.random.key_data(k[0])) for k in keys])
    evals = np.stack([np.asarray(jax.random.key_data(k[1])) for k in keys])
    return train, evals


def thresholds(density: np.ndarray, n: int) -> np.ndarray:
    """(k, n) uint32 sampler thresholds, every feature of instance k at density[k] (= 1 − S)."""
    return np.stack([sampler_thresholds(np.full(n, d, dtype=np.float64)) for d in density])


def _train_one(key_data, thresh, importance, weight_decay, relu, eval_key_data, *, m, batch,
               steps, eval_batch, eval_batches):
    out = toy_model.train_tms(jax.random.wrap_key_data(key_data), thresh, importance, weight_decay,
                         m=m, batch=batch, steps=steps, relu=relu)
    losses = toy_model.tms_eval_loss(jax.random.wrap_key_data(eval_key_data), out["W"], out["b"],
                                thresh, importance, batch=eval_batch, batches=eval_batches,
                                relu=relu)
    return {**out, "eval_losses": losses}


def train_instances(name: str, *, keys, evals, thresh, importance, weight_decay, relu, m: int,
                    batch: int, steps: int, eval_batch: int, eval_batches: int,
                    num_devices: int, labels: list[str]) -> dict[str, np.ndarray]:
    """Trains every instance of one shape in one jit(vmap); raises if any loss is non-finite."""
    fn = functools.partial(_train_one, m=m, batch=batch, steps=steps, eval_batch=eval_batch,
                           eval_batches=eval_batches)
    rows = (keys, thresh, np.asarray(importance, np.float32),
            np.asarray(weight_decay, np.float32), np.asarray(relu, bool), evals)
    out = run_sweep(fn, rows, batch=len(labels), num_devices=num_devices, name=name)
    bad = find_non_finite(np.concatenate([out["loss_curve"], out["eval_losses"],
                                          out["W"].reshape(len(labels), -1)], axis=1), labels)
    if bad:
        raise FloatingPointError(f"toy_models: non-finite loss or weights in {', '.join(bad)}")
    return {k: np.asarray(v) for k, v in out.items()}


def loss_summary(eval_losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over evaluation batches, per instance."""
    losses = np.asarray(eval_losses, np.float64)
    se = losses.std(axis=1, ddof=1) / np.sqrt(losses.shape[1])
    return losses.mean(axis=1), se


def norm_stats(W: np.ndarray) -> dict[str, np.ndarray]:
    """Row norms (k, n), ‖W‖_F^2 (k,) and count(‖W_i‖ > 0.5) (k,) of stacked W (k, n, m)."""
    W = np.asarray(W, np.float64)
    norms = np.linalg.norm(W, axis=-1)
    return {"norms": norms, "frob2": np.sum(W * W, axis=(-2, -1)),
            "count": np.sum(norms > REPRESENTED, axis=-1)}


def pentagon_geometry(W: np.ndarray) -> dict:
    """Polar angles (degrees) of the 2-D rows and circular gaps between represented rows."""
    W = np.asarray(W, np.float64)
    norms = np.linalg.norm(W, axis=-1)
    angles = np.degrees(np.arctan2(W[:, 1], W[:, 0])) % 360.0
    rep = np.sort(angles[norms > REPRESENTED])
    gaps = np.diff(np.concatenate([rep, rep[:1] + 360.0])) if rep.size >= 2 else np.zeros(0)
    return {"norms": norms.tolist(), "angles": angles.tolist(), "gaps": gaps.tolist(),
            "represented": int(rep.size)}


def pair_angle(W: np.ndarray) -> float:
    """Angle (degrees, in [0, 180]) between the two largest-norm rows of a 2-D W."""
    W = np.asarray(W, np.float64)
    top = np.argsort(-np.linalg.norm(W, axis=-1))[:2]
    a, b = W[top[0]], W[top[1]]
    cos = float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def dimensionality(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """D* = m/‖W‖_F^2 (k,) and D_i (k, n) of stacked W (k, n, m) (theory functions)."""
    W = np.asarray(W, np.float64)
    dstar = W.shape[-1] / np.sum(W * W, axis=(-2, -1))
    d_i = np.stack([feature_dimensionality(w) for w in W])
    return dstar, d_i


def linear_expected_loss(W: np.ndarray, b: np.ndarray, importance: np.ndarray,
                         density: float) -> float:
    """Exact expected loss of a linear model y = x W W^T + b (float64, no sampling noise).

    The residual is e = x A − b with A = I − W W^T; features are independent with mean
    μ = d/2 and variance σ² = d/3 − d²/4 (d = 1 − S), so
    E[e_i^2] = σ² Σ_j A_ji^2 + (μ Σ_j A_ji − b_i)^2, weighted by I_i and summed.
    """
    W, b = np.asarray(W, np.float64), np.asarray(b, np.float64)
    A = np.eye(W.shape[0]) - W @ W.T
    mean, var = density / 2.0, density / 3.0 - density ** 2 / 4.0
    per_feature = var * np.sum(A * A, axis=0) + (mean * np.sum(A, axis=0) - b) ** 2
    return float(np.sum(np.asarray(importance, np.float64) * per_feature))
