"""Simulation sweeps of ``bahri_regimes`` (spec §3.1 sweeps A–D) and the experiment's ``compute``.

Every sweep is ``jit(vmap(...))`` over a flat instance axis (α_K index × seed, or seed), chunked
and sharded by ``run_sweep``; the only Python loops are over sizes (n, fixed P, fixed D), which
change array shapes and so need one compile each. Random streams (keys derived from values, so
results do not depend on batching or devices):

- A (resolution): fold_in(fold_in(fold_in(key(seed), alpha_idx), n), seed_i), then sub-stream 0
  for the design G_D and 1 for the projection G_P (spec §3.1).
- B (fixed P) / C (fixed D): fold_in(fold_in(fold_in(key(seed), TAG), size), seed_i), then
  sub-stream 0 for 𝒫 and 1 for X. Designs (B) and projections (C) are drawn once at their
  largest size and sliced (nested: common random numbers across the grid).
- D (manifold): points drawn on device (float64, keys fold_in(fold_in(fold_in(fold_in(key(seed),
  TAG), d), D), seed_i), sub-streams 0 train / 1 test); the exact k-NN search runs on the host
  (``scipy.spatial.cKDTree``); the local fits are one ``jit(vmap)`` over all test points of all
  seeds and sizes of one d.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from scipy.spatial import cKDTree

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import find_non_finite, one_after_another, run_sweep
from experiments.scaling_laws.bahri_regimes import metrics as metrics_lib
from experiments.scaling_laws.bahri_regimes import model as rf
from experiments.scaling_laws.bahri_regimes.model import embed, local_linear_predict, target
from theory import scaling_rf as th

TAG_FIXED_P = 1_000_001  # stream tags of sweeps B and C: far above any α_K index of sweep A
TAG_FIXED_D = 1_000_002
TAG_MANIFOLD = 1_000_003


def _raise_non_finite(values: np.ndarray, labels: list[str], what: str) -> None:
    bad = find_non_finite(values, labels)
    if bad:
        raise FloatingPointError(f"bahri_regimes: non-finite {what} for {', '.join(bad[:5])}")


def resolution_keys(seed: int, alpha_idx: jax.Array, n: int, seed_i: jax.Array) -> jax.Array:
    root = jax.random.key(seed)
    return jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(root, alpha_idx), n), seed_i)


def resolution_sweep(n: int, *, S: int, alphas: Sequence[float], seeds: int, seed: int,
                     batch: int, num_devices: int) -> dict[str, np.ndarray]:
    """Sweep A at one n: L̄(D = n, P = ∞) from G_D, L̄(D = ∞, P = n) from an independent G_P
    (arrays α_K × seeds), and the P-path evaluated on G_D of seed 0 (common random numbers)."""
    alpha_values = jnp.asarray(alphas, jnp.float64)

    def cell(alpha_idx, seed_i, param_stream):
        # param_stream 1: independent G_P (main rows); 0: G_P = G_D (the CRN rows of seed 0).
        # One function for both keeps one compile per n.
        key = resolution_keys(seed, alpha_idx, n, seed_i)
        lam = th.power_law_spectrum(S, alpha_values[alpha_idx])
        g_data = rf.gaussian(jax.random.fold_in(key, 0), n, S)
        g_param = rf.gaussian(jax.random.fold_in(key, param_stream), n, S)
        return tuple(one_after_another([(rf.loss_data_limited, (g_data, lam)),
                                        (rf.loss_param_limited, (g_param, lam))]))

    num_alphas = len(alphas)
    alpha_rows = np.concatenate([np.repeat(np.arange(num_alphas, dtype=np.int32), seeds),
                                 np.arange(num_alphas, dtype=np.int32)])
    seed_rows = np.concatenate([np.tile(np.arange(seeds, dtype=np.int32), num_alphas),
                                np.zeros(num_alphas, np.int32)])
    stream_rows = np.concatenate([np.ones(num_alphas * seeds, np.uint32),
                                  np.zeros(num_alphas, np.uint32)])
    data, param = run_sweep(cell, (alpha_rows, seed_rows, stream_rows), batch=batch,
                            num_devices=num_devices, name=f"resolution n={n}")
    labels = [f"alpha_K={alphas[a]} n={n} seed={s}" + ("" if k else " (CRN)")
              for a, s, k in zip(alpha_rows, seed_rows, stream_rows, strict=True)]
    _raise_non_finite(np.stack([data, param], axis=1), labels, "resolution loss")
    main = num_alphas * seeds
    crn, data, param = param[main:], data[:main], param[:main]
    return {"data": data.reshape(num_alphas, seeds), "param": param.reshape(num_alphas, seeds),
            "crn_param_on_design": crn}


def d_grid(P: int, d_max: int) -> list[int]:
    """Sweep B grid: {2^3..d_max} ∪ {P−4, P−2, P, P+2, P+4} (∪ {24, 40, 48} at P = 32), ≥ 2."""
    grid = {2**k for k in range(3, 64) if 2**k <= d_max}
    grid |= {P + o for o in (-4, -2, 0, 2, 4)}
    if P == 32:
        grid |= {24, 40, 48}
    return sorted(v for v in grid if 2 <= v <= d_max)


def p_grid(D: int, p_max: int) -> list[int]:
    """Sweep C grid: {2^3..p_max} ∪ {D−4, D−2, D, D+2, D+4}, ≥ 2."""
    grid = {2**k for k in range(3, 64) if 2**k <= p_max} | {D + o for o in (-4, -2, 0, 2, 4)}
    return sorted(v for v in grid if 2 <= v <= p_max)


def _sweep_key(seed: int, tag: int, size: int, seed_i: jax.Array) -> jax.Array:
    root = jax.random.fold_in(jax.random.key(seed), tag)
    return jax.random.fold_in(jax.random.fold_in(root, size), seed_i)


def _seed_sweep(cell, name: str, *, alpha: float, seeds: int, batch: int,
                num_devices: int) -> dict[str, np.ndarray]:
    """Sweeps B and C: ``cell(seed_i) -> (losses over the grid, limit)`` over every seed."""
    losses, limit = run_sweep(cell, (np.arange(seeds, dtype=np.int32),), batch=batch,
                              num_devices=num_devices, name=name)
    labels = [f"{name} alpha_K={alpha} seed={s}" for s in range(seeds)]
    _raise_non_finite(np.concatenate([losses, limit[:, None]], axis=1), labels, "loss")
    return {"loss": losses, "limit": limit}


def _nested_sweep(tag: int, size: int, grid: Sequence[int], nest: str, *, S: int,
                  alpha: float, seeds: int, seed: int, batch: int,
                  num_devices: int) -> dict[str, np.ndarray]:
    """Per seed one feature draw 𝒫 and one design X, one of them nested over ``grid``.

    ``nest == "data"`` (sweep B): 𝒫 is P×S with P = ``size`` and X has max(grid) rows; the
    losses are L̄(X[:D], 𝒫) over the D-grid, then L̄(∞, 𝒫). ``nest == "param"`` (sweep C): X is
    D×S with D = ``size`` and 𝒫 has max(grid) rows; L̄(X, 𝒫[:P]) over the P-grid, then
    L̄(X, ∞).
    """
    top = max(grid)
    pm_rows, design_rows = (size, top) if nest == "data" else (top, size)

    def cell(seed_i):
        lam = th.power_law_spectrum(S, alpha)
        key = _sweep_key(seed, tag, size, seed_i)
        pm = rf.gaussian(jax.random.fold_in(key, 0), pm_rows, S)
        design = rf.gaussian(jax.random.fold_in(key, 1), design_rows, S) * jnp.sqrt(lam)[None, :]
        if nest == "data":
            calls = [(rf.loss_finite, (design[:n], pm, lam)) for n in grid]
            calls.append((rf.loss_param_limited, (pm, lam)))
        else:
            calls = [(rf.loss_finite, (design, pm[:n], lam)) for n in grid]
            calls.append((rf.loss_data_limited_design, (design, lam)))
        *losses, limit = one_after_another(calls)
        return jnp.stack(losses), limit

    label = f"fixed P={size}" if nest == "data" else f"fixed D={size}"
    return _seed_sweep(cell, label, alpha=alpha, seeds=seeds, batch=batch,
                       num_devices=num_devices)


def fixed_p_sweep(P: int, grid: Sequence[int], **kw: Any) -> dict[str, np.ndarray]:
    """Sweep B: L̄(X[:D], 𝒫) over the D-grid and L̄(∞, 𝒫), one 𝒫 (P×S) per seed."""
    return _nested_sweep(TAG_FIXED_P, P, grid, "data", **kw)


def fixed_d_sweep(D: int, grid: Sequence[int], **kw: Any) -> dict[str, np.ndarray]:
    """Sweep C: L̄(X, 𝒫[:P]) over the P-grid and L̄(X, ∞), one X (D×S) per seed."""
    return _nested_sweep(TAG_FIXED_D, D, grid, "param", **kw)


# --- sweep D: data manifold ------------------------------------------------------------------


def _draw(key: jax.Array, D: int, n_test: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    train = jax.random.uniform(jax.random.fold_in(key, 0), (D, d), dtype=jnp.float64)
    test = jax.random.uniform(jax.random.fold_in(key, 1), (n_test, d), dtype=jnp.float64)
    return np.asarray(train), np.asarray(test)


def manifold_keys(seed: int, d: int, D: int, seed_i: int) -> jax.Array:
    root = jax.random.fold_in(jax.random.key(seed), TAG_MANIFOLD)
    return jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(root, d), D), seed_i)


def manifold_sweep(d: int, sizes: Sequence[int], *, seeds: int, n_test: int,
                   seed: int) -> dict[str, np.ndarray]:
    """Test MSE of both estimators, arrays (len(sizes), seeds)."""
    k = 2 * (d + 1)
    neighbour_x, neighbour_y, queries, truths, nn_pred = [], [], [], [], []
    for D in sizes:
        for seed_i in range(seeds):
            train_u, test_u = _draw(manifold_keys(seed, d, D, seed_i), D, n_test, d)
            train_x, test_x = np.asarray(embed(train_u)), np.asarray(embed(test_u))
            train_y = np.asarray(target(train_u))
            _, index = cKDTree(train_x).query(test_x, k=k)
            neighbour_x.append(train_x[index])
            neighbour_y.append(train_y[index])
            queries.append(test_x)
            truths.append(np.asarray(target(test_u)))
            nn_pred.append(train_y[index[:, 0]])
    predict = jax.jit(jax.vmap(lambda nx, ny, q: local_linear_predict(nx, ny, q, d)))
    local = np.asarray(predict(jnp.asarray(np.concatenate(neighbour_x)),
                               jnp.asarray(np.concatenate(neighbour_y)),
                               jnp.asarray(np.concatenate(queries))))
    truth = np.concatenate(truths)
    shape = (len(sizes), seeds, n_test)
    mse_local = ((local - truth) ** 2).reshape(shape).mean(axis=-1)
    mse_nn = ((np.concatenate(nn_pred) - truth) ** 2).reshape(shape).mean(axis=-1)
    if not (np.all(np.isfinite(mse_local)) and np.all(np.isfinite(mse_nn))):
        raise FloatingPointError(f"bahri_regimes: non-finite manifold MSE at d={d}")
    return {"mse_local_linear": mse_local, "mse_nearest": mse_nn}


# --- the experiment's compute ----------------------------------------------------------------


def manifold_sizes(config: Config, index: int) -> list[int]:
    """Sweep D sizes of the ``index``-th manifold dimension: powers of two."""
    lo, hi = config.manifold_log2_min[index], config.manifold_log2_max[index]
    return [2**k for k in range(lo, hi + 1)]


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Sweeps A–D, each size a resumable stage, then the metrics (the experiment's ``compute``)."""
    arrays: dict[str, np.ndarray] = {}
    shared = {"S": config.S, "seed": config.seed, "num_devices": ctx.num_devices}
    per_n = [ctx.stage(f"resolution_n{n}", lambda n=n: resolution_sweep(
        n, alphas=config.alphas, seeds=config.seeds, batch=config.seed_batch, **shared))
        for n in config.ns]
    data = np.stack([r["data"] for r in per_n], axis=1)          # (α_K, n, seeds)
    param = np.stack([r["param"] for r in per_n], axis=1)
    crn = np.stack([r["crn_param_on_design"] for r in per_n], axis=1)
    arrays.update(resolution_data=data, resolution_param=param, resolution_crn=crn)
    sweep_args = {"alpha": config.sweep_alpha, "seeds": config.sweep_seeds,
                  "batch": config.sweep_batch, **shared}
    fixed: dict[str, list] = {"P": [], "D": []}
    peak_rng = np.random.default_rng(0)  # bootstrap of the peak heights, fixed-P then fixed-D
    for axis, sizes, grid_of, sweep, summarize in (
            ("P", config.fixed_P, lambda n: d_grid(n, config.d_max), fixed_p_sweep,
             metrics_lib.fixed_p_metrics),
            ("D", config.fixed_D, lambda n: p_grid(n, config.p_max), fixed_d_sweep,
             metrics_lib.fixed_d_metrics)):
        for n in sizes:
            grid = grid_of(n)
            run = ctx.stage(f"fixed_{axis}{n}", lambda n=n, grid=grid, sweep=sweep: sweep(
                n, grid, **sweep_args))
            arrays[f"fixed_{axis}{n}_loss"] = run["loss"]
            arrays[f"fixed_{axis}{n}_limit"] = run["limit"]
            fixed[axis].append(summarize(config, n, grid, run["loss"], run["limit"], peak_rng))
    fixed_p, fixed_d = fixed["P"], fixed["D"]
    manifold = []
    for i, d in enumerate(config.manifold_dims):
        sizes = manifold_sizes(config, i)
        run = ctx.stage(f"manifold_d{d}", lambda d=d, sizes=sizes: manifold_sweep(
            d, sizes, seeds=config.manifold_seeds, n_test=config.n_test, seed=config.seed))
        arrays[f"manifold_d{d}_local_linear"] = run["mse_local_linear"]
        arrays[f"manifold_d{d}_nearest"] = run["mse_nearest"]
        manifold.append(metrics_lib.manifold_metrics(d, sizes, run["mse_local_linear"],
                                                     run["mse_nearest"]))
    metrics = {
        "S": config.S, "sweep_alpha": config.sweep_alpha,
        "resolution": metrics_lib.resolution_metrics(config, data, param, crn),
        "steepening_reference": metrics_lib.steepening_reference(),
        "fixed_P": fixed_p, "fixed_D": fixed_d, "manifold": manifold,
    }
    return metrics, arrays
