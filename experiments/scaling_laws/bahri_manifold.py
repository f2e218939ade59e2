"""Sweep D of ``bahri_regimes``: interpolation on a d-dimensional data manifold (spec §3.1 D).

[reconstructed demonstration of Bahri et al.'s Theorems 2–3; the paper's Fig. 1b uses deep
teacher-student networks.] Data lie on the flat d-torus u ∈ [0, 1)^d embedded in R^(2d) by
φ(u) = (cos 2πu_k, sin 2πu_k)_k / (2π) (locally isometric, unit volume, no boundary); the target
is F(u) = Π_k sin(2πu_k) + 0.5 cos(2π Σ_k u_k). Estimators see ambient coordinates only:

- 1-NN: the target of the nearest training point (error O(h), MSE ∝ D^(-2/d));
- local-linear: k = 2(d+1) nearest points, tangent basis = top-d right singular vectors of the
  centred neighbour matrix, affine least squares (normal equations + 1e-12 ridge) evaluated at the
  test point (error O(h²), MSE ∝ D^(-4/d)).

Points are drawn on device (float64, keys fold_in(fold_in(fold_in(fold_in(key(seed), TAG), d),
D), seed_i), sub-streams 0 train / 1 test); the exact k-NN search runs on the host
(``scipy.spatial.cKDTree``); the local fits are one ``jit(vmap)`` over all test points of all
seeds and sizes of one d.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from scipy.spatial import cKDTree

TAG_MANIFOLD = 1_000_003
RIDGE = 1e-12


def embed(u: jax.Array) -> jax.Array:
    """φ(u): (…, d) torus coordinates -> (…, 2d) ambient coordinates, interleaved cos/sin."""
    angle = 2.0 * jnp.pi * u
    return jnp.stack([jnp.cos(angle), jnp.sin(angle)], axis=-1).reshape(
        *u.shape[:-1], 2 * u.shape[-1]) / (2.0 * jnp.pi)


def target(u: jax.Array) -> jax.Array:
    """F(u) = Π_k sin(2πu_k) + 0.5 cos(2π Σ_k u_k)."""
    return (jnp.prod(jnp.sin(2.0 * jnp.pi * u), axis=-1)
            + 0.5 * jnp.cos(2.0 * jnp.pi * jnp.sum(u, axis=-1)))


def local_linear_predict(neighbours: jax.Array, values: jax.Array, query: jax.Array,
                         d: int) -> jax.Array:
    """Affine fit on the d-dimensional tangent estimate of k neighbours (k×2d), at ``query``."""
    mean = jnp.mean(neighbours, axis=0, keepdims=True)             # 1 × 2d
    centred = neighbours - mean
    _, _, vt = jnp.linalg.svd(centred, full_matrices=False)
    basis = vt[:d]                                            # d × 2d
    coords = centred @ basis.T                                # k × d
    design = jnp.concatenate([jnp.ones((coords.shape[0], 1), coords.dtype), coords], axis=1)
    gram = design.T @ design + RIDGE * jnp.eye(d + 1, dtype=coords.dtype)
    weights = jnp.linalg.solve(gram, design.T @ values)
    return weights[0] + ((query - mean[0]) @ basis.T) @ weights[1:]


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


def brute_force_neighbours(train_x: jax.Array, test_x: jax.Array, k: int) -> jax.Array:
    """Exact k nearest neighbours by a JAX top-k over all squared distances (tests only)."""
    sq = jnp.sum((test_x[:, None, :] - train_x[None, :, :]) ** 2, axis=-1)
    return jax.lax.top_k(-sq, k)[1]
