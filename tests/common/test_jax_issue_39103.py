"""Guards against jax/jaxlib 0.10.2 (jax issue 39103): a jitted vmap of a small matrix-vector
product followed by a reduction returns wrong sums on CPU. That is the sweep pattern of this
suite, so the pinned jax must compute it exactly (eager and jit agree with the closed form)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest


def _last_row_sum(dtype, n: int, jit: bool) -> float:
    i = jnp.arange(n, dtype=dtype)
    x = jnp.stack((i, jnp.zeros_like(i), jnp.zeros_like(i)), axis=1)
    matrix = jnp.eye(3, dtype=dtype)

    def f(x):
        return jax.vmap(lambda row: jnp.sum((matrix @ row) ** 2))(x)

    return float((jax.jit(f) if jit else f)(x)[-1])


def test_installed_version_is_not_the_broken_one():
    assert jax.__version__ != "0.10.2"


@pytest.mark.parametrize("dtype_name,n", [("float64", 16_385), ("float32", 32_769)])
def test_reproducer_gives_exact_sum(dtype_name, n):
    with jax.enable_x64(dtype_name == "float64"):
        dtype = getattr(jnp, dtype_name)
        expected = float((n - 1) ** 2)  # 268435456 (float64), 1073741824 (float32)
        assert _last_row_sum(dtype, n, jit=False) == expected
        assert _last_row_sum(dtype, n, jit=True) == expected


def test_vmapped_count_then_sum_is_exact():
    # The majority count of the tree engine: a vmapped sum of booleans, then a total.
    bits = np.random.default_rng(0).integers(0, 2, size=(64, 4097, 3)).astype(bool)
    counts = jax.jit(jax.vmap(lambda x: (x.sum(-1) > 1).sum()))(bits)
    np.testing.assert_array_equal(np.asarray(counts), (bits.sum(-1) > 1).sum(axis=1))
