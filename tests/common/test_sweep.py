"""Unit tests of experiments.common.sweep: the vmapped, sharded sweep helper."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common import sweep


def test_run_sweep_matches_python_loop_and_ignores_batch():
    def fn(seed, scale):
        key = jax.random.key(seed)
        return scale * jax.random.normal(key, (4,), dtype=jnp.float32).sum()

    seeds = np.arange(7, dtype=np.uint32)
    scales = np.linspace(0.5, 2.0, 7).astype(np.float32)
    loop = np.asarray([fn(s, c) for s, c in zip(seeds, scales, strict=True)])
    for batch in (1, 3, 16):
        swept = sweep.run_sweep(fn, (seeds, scales), batch=batch)
        np.testing.assert_allclose(swept, loop, rtol=1e-6)
    np.testing.assert_array_equal(sweep.run_sweep(fn, (seeds, scales), batch=2),
                                  sweep.run_sweep(fn, (seeds, scales), batch=5))


def test_one_after_another_returns_the_plain_results():
    def cell(x):
        return sweep.one_after_another([(jnp.linalg.qr, (x,)), (lambda a: jnp.linalg.cholesky(
            a @ a.T + jnp.eye(3)), (x,)), (jnp.sum, (x,))])

    x = jax.random.normal(jax.random.key(0), (4, 3, 3))
    q, chol, total = jax.jit(jax.vmap(cell))(x)
    assert np.array_equal(q[0], jax.vmap(jnp.linalg.qr)(x)[0])
    assert np.allclose(chol, jax.vmap(lambda a: jnp.linalg.cholesky(a @ a.T + jnp.eye(3)))(x))
    assert np.array_equal(total, jnp.sum(x, axis=(1, 2)))


def test_find_non_finite_names_the_diverged_configuration():
    values = np.asarray([[1.0, 2.0], [np.nan, 1.0], [np.inf, 0.0]])
    assert sweep.find_non_finite(values, ["a", "b", "c"]) == ["b", "c"]
