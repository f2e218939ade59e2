"""Simulation sweeps of ``bahri_regimes`` (spec §3.1 sweeps A–C): per-draw teacher-averaged losses.

Every sweep is ``jit(vmap(...))`` over a flat instance axis (α_K index × seed, or seed), chunked
and sharded by ``run_sweep``; the only Python loops are over sizes (n, fixed P, fixed D), which
change array shapes and so need one compile each. Random streams (keys derived from values, so
results do not depend on batching or devices):

- A (resolution): fold_in(fold_in(fold_in(key(seed), alpha_idx), n), seed_i), then sub-stream 0
  for the design G_D and 1 for the projection G_P (spec §3.1).
- B (fixed P) / C (fixed D): fold_in(fold_in(fold_in(key(seed), TAG), size), seed_i), then
  sub-stream 0 for 𝒫 and 1 for X. Designs (B) and projections (C) are drawn once at their
  largest size and sliced (nested: common random numbers across the grid).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.sweep import find_non_finite, one_after_another, run_sweep
from experiments.scaling_laws import rf_model as rf
from theory import scaling_rf as th

TAG_FIXED_P = 1_000_001  # stream tags of sweeps B and C: far above any α_K index of sweep A
TAG_FIXED_D = 1_000_002


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


def fixed_p_sweep(P: int, grid: Sequence[int], *, S: int, alpha: float, seeds: int, seed: int,
                  batch: int, num_devices: int) -> dict[str, np.ndarray]:
    """Sweep B: per seed one 𝒫 (P×S) and one nested design; L̄(X[:D], 𝒫) over the D-grid and
    L̄(∞, 𝒫) with the same 𝒫."""
    d_max = max(grid)

    def cell(seed_i):
        lam = th.power_law_spectrum(S, alpha)
        key = _sweep_key(seed, TAG_FIXED_P, P, seed_i)
        pm = rf.gaussian(jax.random.fold_in(key, 0), P, S)
        design = rf.gaussian(jax.random.fold_in(key, 1), d_max, S) * jnp.sqrt(lam)[None, :]
        *losses, limit = one_after_another(
            [(rf.loss_finite, (design[:D], pm, lam)) for D in grid]
            + [(rf.loss_param_limited, (pm, lam))])
        return jnp.stack(losses), limit

    losses, limit = run_sweep(cell, (np.arange(seeds, dtype=np.int32),), batch=batch,
                              num_devices=num_devices, name=f"fixed P={P}")
    labels = [f"fixed P={P} alpha_K={alpha} seed={s}" for s in range(seeds)]
    _raise_non_finite(np.concatenate([losses, limit[:, None]], axis=1), labels, "loss")
    return {"loss": losses, "limit": limit}


def fixed_d_sweep(D: int, grid: Sequence[int], *, S: int, alpha: float, seeds: int, seed: int,
                  batch: int, num_devices: int) -> dict[str, np.ndarray]:
    """Sweep C: per seed one design X (D×S) and one nested 𝒫_max; L̄(X, 𝒫[:P]) over the P-grid
    and L̄(X, ∞) with the same X."""
    p_max = max(grid)

    def cell(seed_i):
        lam = th.power_law_spectrum(S, alpha)
        key = _sweep_key(seed, TAG_FIXED_D, D, seed_i)
        pm_max = rf.gaussian(jax.random.fold_in(key, 0), p_max, S)
        design = rf.gaussian(jax.random.fold_in(key, 1), D, S) * jnp.sqrt(lam)[None, :]
        *losses, limit = one_after_another(
            [(rf.loss_finite, (design, pm_max[:P], lam)) for P in grid]
            + [(rf.loss_data_limited_design, (design, lam))])
        return jnp.stack(losses), limit

    losses, limit = run_sweep(cell, (np.arange(seeds, dtype=np.int32),), batch=batch,
                              num_devices=num_devices, name=f"fixed D={D}")
    labels = [f"fixed D={D} alpha_K={alpha} seed={s}" for s in range(seeds)]
    _raise_non_finite(np.concatenate([losses, limit[:, None]], axis=1), labels, "loss")
    return {"loss": losses, "limit": limit}
