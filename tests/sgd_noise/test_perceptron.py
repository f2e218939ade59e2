"""The perceptron experiment (spec §3.1, §8.2; the shared SGD machinery is tested in
test_shared.py): the optax SGD step equals the hand-written update bit for bit, the bit-exact
(α, T) → (4α, T/4) symmetry, a NumPy brute-force run with the
same batch indices, vmap cell == single run (frozen lanes), the exact test error against fresh
samples, the on-device sampler (KS test) and bad flags (exit status 2).

All perceptron runs share one shape (P = 32, d = 8, B = 2), so the module compiles the sweep once
(vmapped) and the single run once.
"""

from __future__ import annotations

import functools

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.stats  # noqa: E402

from experiments.common.config import UsageError, resolve  # noqa: E402
from experiments.sgd_noise import perceptron  # noqa: E402
from experiments.sgd_noise.perceptron import model as sim  # noqa: E402
from experiments.sgd_noise.shared import sgd  # noqa: E402
from tests.conftest import usage_error_line  # noqa: E402
from theory import sgd_noise as sn  # noqa: E402

P, D, B, MAX_STEPS = 32, 8, 2, 4000
ALPHA, T = 2.0**6, 2.0**-4  # κ = 2^−6, spec §8.2 brute-force setting


# --- the perceptron ---------------------------------------------------------------------------


@functools.cache
def _data(chi: float = 1.0, replica: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x, y = sim.compiled_pool(P, D)(np.array([0], np.int32), np.array([replica], np.int32),
                                   np.array([chi], np.float32))
    return np.asarray(x[0]), np.asarray(y[0])


def _sweep(alphas, temps, replicas=None):
    """Four lanes always (padded by repeating lane 0), so the module compiles the sweep once."""
    n = len(alphas)
    replicas = [0] * n if replicas is None else list(replicas)
    alphas, temps, replicas = (list(v) + [v[0]] * (4 - n) for v in (alphas, temps, replicas))
    replicas = np.asarray(replicas, np.int32)
    n = 4
    pools = [_data(1.0, int(r)) for r in replicas]
    x = np.stack([p[0] for p in pools])
    y = np.stack([p[1] for p in pools])
    eta = np.asarray(temps, np.float32) * B
    fn = sim.compiled_sweep(B, MAX_STEPS, "replace")
    return jax.tree.map(np.asarray, fn(x, y, np.zeros(n, np.int32), replicas,
                                       np.asarray(alphas, np.float32), eta))


_single = jax.jit(functools.partial(sim.run_one, batch=B, max_steps=MAX_STEPS,
                                    sampling="replace", return_params=True))


def test_optax_step_is_the_hand_written_update_bit_for_bit():
    """``_dynamics``'s step (optax.sgd(η/B) on the batch-summed gradient) against the earlier
    hand-written rule Δw + (η/B)·(Σ 1[y Δw·x/√d < κ] y x/√d) over 200 steps, jitted and vmapped,
    with η/B and 1/√d not powers of two (where a reassociated rule would part by an ulp)."""
    x, y = _data()
    x, y = jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32)
    batch_key = sgd.lane_keys(0, 0)["batch"]
    alpha = jnp.float32(ALPHA)
    kappa, inv = 1.0 / alpha, jnp.float32(1.0 / D**0.5)
    steps = jnp.arange(200, dtype=jnp.int32)

    def both(eta):
        def hand(dw, step):
            idx = sgd.batch_indices(batch_key, step, P, B, "replace")
            xb, yb = x[idx], y[idx]
            pull = jnp.where(yb * (xb @ dw) * inv < kappa, yb, 0.0)
            return dw + (eta / B) * ((pull @ xb) * inv), None

        step, margin = sim._dynamics(x, y, batch_key, alpha, eta, batch=B, sampling="replace")
        via_optax, _ = jax.lax.scan(lambda s, i: (step(s, i), None), sim.sgd_start(D), steps)
        by_hand, _ = jax.lax.scan(hand, jnp.zeros(D, jnp.float32), steps)
        return via_optax[0], by_hand, margin(via_optax)

    etas = jnp.asarray([3 * T * B, 0.7 * T * B], jnp.float32)
    for via_optax, by_hand, margin in (jax.jit(both)(etas[0]), jax.jit(jax.vmap(both))(etas)):
        assert np.any(np.asarray(by_hand) != 0.0)
        np.testing.assert_array_equal(np.asarray(via_optax), np.asarray(by_hand))
        np.testing.assert_array_equal(
            np.asarray(margin),
            np.asarray(jnp.min(y[None] * jnp.atleast_2d(by_hand @ x.T) * inv, axis=-1) * alpha)
            .reshape(np.shape(margin)))


def test_alpha_T_symmetry_is_bit_exact():
    out = _sweep([ALPHA, 4 * ALPHA, ALPHA, 4 * ALPHA], [T, T / 4, 4 * T, T])
    for a, b in ((0, 1), (2, 3)):
        assert out["steps"][a] == out["steps"][b] and out["status"][a] == out["status"][b]
        for key in ("w1", "w_perp", "rel_change"):
            assert out[key][b] * 4 == out[key][a]  # bitwise (power-of-two scaling)


def test_brute_force_numpy_loop_matches():
    x, y = _data()
    kappa, eta = np.float32(1 / ALPHA), np.float32(T * B)
    period = sim.check_period(P, B)
    keys = sgd.lane_keys(0, 0)
    steps_max = 2000
    idx = np.asarray(jax.vmap(lambda s: sgd.batch_indices(keys["batch"], s, P, B, "replace"))(
        jnp.arange(steps_max, dtype=jnp.int32)))
    dw = np.zeros(D, np.float32)
    inv = np.float32(1 / np.sqrt(D))
    stop = None
    for step in range(steps_max):
        xb, yb = x[idx[step]], y[idx[step]]
        active = yb * (xb @ dw) * inv < kappa
        dw = dw + (eta / B) * ((np.where(active, yb, 0) @ xb) * inv)
        if (step + 1) % period == 0 and np.min(y * (x @ dw) * inv) >= kappa:
            stop = step + 1
            break
    assert stop is not None
    out = _single(jnp.asarray(x), jnp.asarray(y), 0, 0, ALPHA, T * B)
    assert int(out["status"]) == sgd.CONVERGED and int(out["steps"]) == stop
    np.testing.assert_allclose(np.asarray(out["dw"]), dw, atol=1e-5, rtol=1e-5)
    # Stopping rule: at convergence the full training hinge loss is exactly zero.
    F = jnp.asarray(x) @ out["dw"] * inv
    assert float(jnp.sum(sgd.hinge_loss(F, jnp.asarray(y), jnp.float32(ALPHA)))) == 0.0
    assert float(out["margin"]) >= 1.0 - sgd.MARGIN_TOLERANCE


def test_vmap_cell_equals_single_run_and_frozen_lanes():
    alphas = [ALPHA, ALPHA, ALPHA, ALPHA]
    temps = [T, 8 * T, T / 8, 64 * T]  # different stop steps: early lanes must stay frozen
    replicas = [0, 1, 2, 0]
    out = _sweep(alphas, temps, replicas)
    assert len(set(out["steps"].tolist())) > 1
    for lane in range(4):
        x, y = _data(1.0, replicas[lane])
        alone = _single(jnp.asarray(x), jnp.asarray(y), 0, replicas[lane], alphas[lane],
                        np.float32(temps[lane] * B))
        assert int(alone["steps"]) == out["steps"][lane]
        assert int(alone["status"]) == out["status"][lane]
        for key in ("w1", "w_perp", "rel_change"):
            assert float(alone[key]) == pytest.approx(float(out[key][lane]), rel=1e-6, abs=1e-9)


def test_lane_queue_equals_vmap_bit_for_bit():
    """The lane queue (2 slots for 6 lanes, so lanes start as others stop) gives the outputs of
    ``vmap(run_one)`` exactly: same chunks, same step indices, only the schedule differs."""
    temps = np.array([T / 8, T, 8 * T, 64 * T, T, T / 8])
    replicas = np.array([0, 1, 2, 0, 2, 1], np.int32)
    x = np.stack([_data(1.0, int(r))[0] for r in replicas])
    y = np.stack([_data(1.0, int(r))[1] for r in replicas])
    args = (x, y, np.zeros(6, np.int32), replicas, np.full(6, ALPHA, np.float32),
            (temps * B).astype(np.float32))
    vmapped = jax.tree.map(np.asarray, sim.compiled_sweep(B, MAX_STEPS, "replace")(*args))
    queued = jax.tree.map(np.asarray, sim.compiled_queue(B, MAX_STEPS, "replace", 2)(*args))
    assert len(set(vmapped["steps"].tolist())) > 2
    for key in sim.OUTPUTS:
        np.testing.assert_array_equal(queued[key], vmapped[key], err_msg=key)


def test_capped_lane_is_marked():
    out = _sweep([ALPHA, ALPHA], [2.0**-20, T])  # T·α = 2^−14: GD-like, needs ≫ 4000 steps
    assert out["status"][0] == sgd.CAPPED and out["steps"][0] == MAX_STEPS
    assert out["status"][1] == sgd.CONVERGED and np.isfinite(out["w1"][0])


def test_exact_test_error_against_fresh_samples():
    chi = 1.0
    out = _sweep([ALPHA], [T])
    w1, w_perp = float(out["w1"][0]), float(out["w_perp"][0])
    rng = np.random.default_rng(7)
    n = 100_000
    x1 = rng.choice([-1.0, 1.0], n) * np.sqrt(2 * rng.gamma((chi + 1) / 2, 1.0, n))
    direction = rng.standard_normal(D - 1)
    w = np.concatenate([[w1], w_perp * direction / np.linalg.norm(direction)])
    x = np.concatenate([x1[:, None], rng.standard_normal((n, D - 1))], axis=1)
    wrong = np.mean(np.sign(x1) * (x @ w) <= 0)
    p = float(sn.perceptron_test_error(w1, w_perp, chi))
    assert abs(wrong - p) <= 3 * np.sqrt(p * (1 - p) / n)


def test_sampler_matches_density_and_labels():
    sample = jax.jit(lambda c: sim.sample_depleted_sign(jax.random.key(3), 100_000, 2, c))
    for chi in (0.0, 3.0):
        x, y = sample(jnp.float32(chi))
        x1, y = np.asarray(x[:, 0], np.float64), np.asarray(y)
        np.testing.assert_array_equal(y, np.sign(x1))
        assert abs(y.mean()) <= 0.02

        def cdf(u, c=chi):
            return 0.5 + 0.5 * np.sign(u) * np.asarray(sn.prob_abs_x1_below(np.abs(u), c))

        assert scipy.stats.kstest(x1, cdf).pvalue > 0.01
        assert scipy.stats.kstest(np.asarray(x[:, 1]), "norm").pvalue > 0.01


@pytest.mark.parametrize("field,value", [
    ("noise_t_alpha", [-1.0, 512.0]), ("crossover_t_alpha", [0.0]), ("alpha", 0.0),
    ("batch", 100), ("dim", 1), ("max_steps", 8), ("batch_sampling", "sorted"),
    ("train_sizes_per_chi", [1]),
])
def test_bad_values_raise_usage_error(field, value):
    with pytest.raises(UsageError) as error:
        config = resolve(perceptron.PROFILES, "smoke", {field: value}, perceptron.CHECKS)
        perceptron.validate(config)
    assert error.value.flag == field


def test_a_bad_flag_is_refused():
    line = usage_error_line("sgd_noise.perceptron", "--profile=smoke", "--max_steps=8")
    assert "--max_steps=8" in line, line
