"""Tests of the liu_scaling model code (spec superposition.md §7.2): the Liu AdamW (an optax
GradientTransformation) against optax.adamw and a float64 brute-force rule, the schedule, the
sampler, the ideal weak model, the sparse-encoder step against the dense step on the same words
(with an artificially dense row, read sparsely and through the overflow fallback), vmap cell ==
single run for both encoders, power-law fits and bad flags."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.stats

from experiments.common.config import UsageError, resolve
from experiments.common.stats import power_law_fit
from experiments.superposition import liu_scaling
from experiments.superposition.liu_scaling import model as liu_model
from experiments.superposition.shared.sampler import features_from_bits, sample_features
from tests.conftest import usage_error_line
from theory import superposition as th

MODULE = "experiments.superposition.liu_scaling"


def _params(key, n=12, m=3):
    k1, k2 = jax.random.split(key)
    return liu_model.init_params(k1, n, m), jax.random.normal(k2, (32, n)) ** 2


def test_init_statistics():
    params = liu_model.init_params(jax.random.key(0), 4000, 50)
    norms = np.linalg.norm(np.asarray(params.W), axis=1)
    assert abs(norms.mean() - 1.0) < 0.02
    assert abs(float(params.b.std()) - 1.0) < 0.05 and abs(float(params.b.mean())) < 0.05


def _optimize(tx, params, x, steps):
    """``steps`` optax steps of the objective on a fixed batch (the one loop shape)."""
    state = tx.init(params)
    for _ in range(steps):
        g = jax.grad(liu_model.objective)(params, x, 1.0)
        updates, state = tx.update(g, state, params)
        params = optax.apply_updates(params, updates)
    return params


@pytest.mark.parametrize("gamma", [0.0, 0.1, 1.0])
def test_liu_adamw_equals_optax_adamw_for_nonnegative_gamma(gamma):
    params, x = _params(jax.random.key(1))
    lr = 0.01
    ref = _optimize(optax.adamw(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=gamma,
                                mask=liu_model.Params(True, False)), params, x, 3)
    mine = _optimize(liu_model.liu_adamw(lr, lr, jnp.float32(gamma)), params, x, 3)
    for a, b in zip(mine, ref, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-7, rtol=0)


@pytest.mark.parametrize("gamma", [-1.0, -0.3, 0.0, 0.5])
def test_liu_adamw_equals_brute_force_reference(gamma):
    """``liu_adamw`` on the §2.1 schedule against the spec's rule written out in float64:
    W ← W − η_W γ f(W) W (f = 1 for γ ≥ 0, 1/(‖W_i‖ + 1e-8) − 1 for γ < 0), then Adam with bias
    correction on W and b (b at its own rate η_b, no decay)."""
    params, x = _params(jax.random.key(4))
    steps, warmup, peak_w, peak_b = 6, 3, 0.02, 0.005
    rate = lambda peak: lambda c: liu_model.schedule(c + 1, peak, warmup, steps)  # noqa: E731
    tx = liu_model.liu_adamw(rate(peak_w), rate(peak_b), jnp.float32(gamma))
    mine, state = params, tx.init(params)
    ref = {k: np.asarray(v, np.float64) for k, v in zip("Wb", params, strict=True)}
    mom = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in ref.items()}
    for t in range(1, steps + 1):
        grads = jax.grad(liu_model.objective)(mine, x, 1.0)
        updates, state = tx.update(grads, state, mine)
        mine = optax.apply_updates(mine, updates)
        # Reference, evaluated at the reference's own (float64) parameters.
        g_ref = jax.grad(liu_model.objective)(
            liu_model.Params(*(jnp.asarray(ref[k], jnp.float32) for k in "Wb")), x, 1.0)
        for k, g, peak in (("W", g_ref.W, peak_w), ("b", g_ref.b, peak_b)):
            g = np.asarray(g, np.float64)
            eta = peak * t / warmup if t <= warmup else (
                0.05 * peak + 0.95 * peak * 0.5 * (1 + np.cos(np.pi * (t - warmup)
                                                            / (steps - warmup))))
            p = ref[k]
            if k == "W":
                norms = np.linalg.norm(p, axis=1, keepdims=True)
                f = 1.0 if gamma >= 0 else 1.0 / (norms + 1e-8) - 1.0
                p = p - eta * gamma * f * p
            mom[k][0] = 0.9 * mom[k][0] + 0.1 * g
            mom[k][1] = 0.999 * mom[k][1] + 0.001 * g * g
            m_hat = mom[k][0] / (1 - 0.9 ** t)
            v_hat = mom[k][1] / (1 - 0.999 ** t)
            ref[k] = p - eta * m_hat / (np.sqrt(v_hat) + 1e-8)
    for k, a in zip("Wb", mine, strict=True):
        np.testing.assert_allclose(np.asarray(a), ref[k], atol=2e-6, rtol=0)


def test_growth_increment_is_gradient_step_on_unit_norm_penalty():
    w = jax.random.normal(jax.random.key(2), (20, 5), jnp.float32) * 1.7
    gamma, lr = jnp.float32(-0.7), 0.03

    def penalty(w):
        return 0.5 * jnp.sum((jnp.linalg.norm(w, axis=1) - 1.0) ** 2)

    expected = -lr * abs(float(gamma)) * jax.grad(penalty)(w)
    np.testing.assert_allclose(liu_model.decay_increment(w, gamma, lr), expected, atol=1e-7, rtol=0)
    unit = w / jnp.linalg.norm(w, axis=1, keepdims=True)
    assert float(jnp.max(jnp.abs(liu_model.decay_increment(unit, gamma, lr)))) < 1e-7
    # γ ≥ 0 is plain decoupled decay.
    np.testing.assert_allclose(liu_model.decay_increment(w, jnp.float32(0.5), lr), -lr * 0.5 * w,
                               rtol=1e-6)


def test_schedule_endpoints():
    peak, warm, total = 0.01, 500, 5000
    lr = lambda s: float(liu_model.schedule(s, peak, warm, total))  # noqa: E731
    assert lr(warm) == pytest.approx(peak, rel=1e-6)
    assert lr(total) == pytest.approx(0.05 * peak, rel=1e-5)
    assert lr(1) == pytest.approx(peak / warm, rel=1e-6)
    assert lr(warm + 1) < peak and lr(warm + 1) > 0.999 * peak


def test_ideal_weak_model_matches_weak_regime_loss():
    n, m, batches, batch = 200, 10, 32, 2048
    p = th.feature_probabilities(n, 1.0)
    w = jnp.zeros((n, m)).at[jnp.arange(m), jnp.arange(m)].set(1.0)
    b = jnp.where(jnp.arange(n) < m, 0.0, jnp.asarray(p, jnp.float32))
    thr = jnp.asarray(th.sampler_thresholds(p))

    @jax.jit
    def losses(key):
        x = sample_features(key, thr[None, :], batch, liu_model.V_MAX)
        err = liu_model.forward(liu_model.Params(w, b), x) - x
        return jnp.sum(err * err, axis=1)

    per = np.concatenate([np.asarray(losses(jax.random.key(i)), np.float64)
                          for i in range(batches)])
    se = per.std(ddof=1) / np.sqrt(per.size)
    assert abs(per.mean() - th.weak_regime_loss(p, m)) < 3 * se


def test_sampler_frequencies_means_and_rarest_feature():
    p_rare = float(th.feature_probabilities(1000, 2.0)[-1])  # 6.08e-7, trap 5
    p = np.array([1e-4, 0.01, 0.5, 1.0, p_rare])
    thr = jnp.asarray(th.sampler_thresholds(p))
    draws = 2 ** 21
    x = np.concatenate([np.asarray(sample_features(jax.random.key(10 + i), thr[None, :], draws // 4,
                                                   2.0))
                        for i in range(4)])
    active = x > 0
    freq = active.mean(0)
    se = np.sqrt(np.maximum(p * (1 - p), 1.0 / draws) / draws)
    assert np.all(np.abs(freq - p) <= 3 * se)
    for j in range(4):
        vals = x[active[:, j], j]
        assert abs(vals.mean() - 1.0) <= 3 * vals.std(ddof=1) / np.sqrt(vals.size)
    assert scipy.stats.kstest(x[active[:, 2], 2] / 2.0, "uniform").pvalue > 1e-3
    # The rarest feature: every word below its threshold gives a distinct value level, and the
    # conditional mean is exact (a float32 uniform would give 5 levels and a 15 % high mean).
    t = int(th.sampler_thresholds(np.array([p_rare]))[0])
    words = jnp.arange(t, dtype=jnp.uint32)[:, None]
    vals = np.asarray(features_from_bits(words, jnp.asarray([[t]], jnp.uint32), 2.0))[:, 0]
    assert np.unique(vals).size == t and np.all(vals > 0) and np.all(vals <= 2.0)
    assert vals.mean() == pytest.approx(1.0, rel=1e-5)
    assert int(th.sampler_thresholds(np.array([1.0]))[0]) == 2 ** 32 - 1


def _run_one(threshold, gamma, init_key, data_key, *, m, batch, steps, warmup, lr):
    """Reference single run without any vmap (same functions, same keys)."""
    n = threshold.shape[0]
    params = liu_model.init_params(init_key, n, m)
    eta = lambda c: liu_model.schedule(c + 1, jnp.float32(lr), jnp.float32(warmup),  # noqa: E731
                                       steps)
    tx = liu_model.liu_adamw(eta, eta, gamma)

    def step_fn(carry, step):
        p, st = carry
        bits = liu_model.training_words(data_key, step, batch, n)
        x = features_from_bits(bits, threshold[None, :], liu_model.V_MAX)
        g = jax.grad(liu_model.objective)(p, x, jnp.float32(1.0))
        updates, st = tx.update(g, st, p)
        return (optax.apply_updates(p, updates), st), None

    (params, _), _ = jax.lax.scan(step_fn, (params, tx.init(params)), jnp.arange(1, steps + 1))
    return params


@pytest.mark.parametrize("encoder", ["dense", "sparse"])
def test_vmap_cell_equals_single_run(encoder):
    n, m = 40, 4
    probs = [th.feature_probabilities(n, a) for a in (0.5, 1.0, 1.5)]
    thr = jnp.asarray(np.stack([th.sampler_thresholds(p) for p in probs]))
    gammas = jnp.asarray([-1.0, 5 / 9, 0.1], jnp.float32)
    key = jax.random.key(3)
    kw = dict(m=m, batch=16, steps=30, warmup=10, lr_w=1e-2, lr_b=1e-2, curve_every=10,
              encoder=encoder)
    sweep = liu_model.train_sweep(thr, gammas, key, **kw)
    # The sparse encoder reads a row's slots at the candidate columns of every model sharing
    # the words: alone, a cell gets its sweep's candidates (as compute gives a whole bucket's).
    alone = liu_model.train_sweep(thr[1:2], gammas[1:2], key, init_ids=jnp.array([1]),
                                  candidates=np.asarray(thr).max(axis=0), **kw)
    for name in ("W", "b", "curve"):
        np.testing.assert_array_equal(sweep[name][1], alone[name][0])
    init_key = jax.random.fold_in(jax.random.fold_in(key, liu_model.INIT_STREAM), 1)
    ref = jax.jit(lambda t, g: _run_one(
        t, g, init_key, jax.random.fold_in(key, liu_model.DATA_STREAM), m=m, batch=16, steps=30,
        warmup=10, lr=1e-2))(thr[1], gammas[1])
    # Without any vmap XLA:CPU uses unbatched dot kernels: equal up to float32 rounding.
    # (the sparse encoder: also up to its summation order).
    assert int(sweep["dense_steps"]) == (30 if encoder == "dense" else 0)
    np.testing.assert_allclose(sweep["W"][1], ref.W, atol=1e-5, rtol=0)
    np.testing.assert_allclose(sweep["b"][1], ref.b, atol=1e-5, rtol=0)


def _step_inputs(n=300, m=8, batch=128, dense_row=None):
    probs = np.stack([th.feature_probabilities(n, a) for a in (0.8, 1.0, 1.5)])
    thr = jnp.asarray(th.sampler_thresholds(probs))[None]  # (S=1, I=3, n)
    words = jax.random.bits(jax.random.key(5), (1, batch, n), jnp.uint32)
    if dense_row is not None:
        words = words.at[0, dense_row].set(jnp.arange(n, dtype=jnp.uint32))  # all n active
    keys = jax.random.split(jax.random.key(6), 3)
    params = jax.tree.map(lambda a: a[None],
                          jax.vmap(lambda k: liu_model.init_params(k, n, m))(keys))
    scale = jnp.asarray([[1.0, 1.0, 100.0]], jnp.float32)
    return (params,), words, (thr,), (scale,), jnp.max(thr, axis=1)


_step = jax.jit(liu_model.losses_and_grads, static_argnames=("slots", "row_chunk"))


@pytest.mark.parametrize("dense_row", [None, 3])
def test_sparse_step_equals_dense_step_on_the_same_words(dense_row):
    """Same loss and gradients (float32 tolerance): the sparse encoder with enough slots for
    every row (n when one row has all n features active), against the dense step."""
    params, words, thr, scale, cand = _step_inputs(dense_row=dense_row)
    n = words.shape[-1]
    slots = n if dense_row is not None else 12
    (loss_d,), (grads_d,), dense_d = _step(params, words, thr, scale, cand, slots=0)
    (loss_s,), (grads_s,), dense_s = _step(params, words, thr, scale, cand, slots=slots,
                                           row_chunk=32)
    assert bool(dense_d) and not bool(dense_s)
    np.testing.assert_allclose(loss_s, loss_d, rtol=2e-6)
    for g_s, g_d in zip(grads_s, grads_d, strict=True):
        tol = 1e-5 * float(jnp.max(jnp.abs(g_d)))
        np.testing.assert_allclose(g_s, g_d, rtol=0, atol=tol)
        assert float(jnp.max(jnp.abs(g_s - g_d))) > 0  # the sparse form really ran
    assert float(jnp.max(jnp.abs(grads_d.W))) > 0


def test_a_row_with_more_candidates_than_slots_takes_the_dense_step():
    params, words, thr, scale, cand = _step_inputs(dense_row=3)
    dense = _step(params, words, thr, scale, cand, slots=0)
    fallback = _step(params, words, thr, scale, cand, slots=12)
    assert bool(fallback[2])
    for a, b in zip(jax.tree.leaves(fallback[:2]), jax.tree.leaves(dense[:2]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_sparse_and_dense_training_agree():
    """A short run of each encoder from the same init and words: the same model up to the
    float32 rounding that the different summation order accumulates over 60 steps."""
    n, m = 300, 6
    thr = np.stack([th.sampler_thresholds(th.feature_probabilities(n, a)) for a in (1.0, 1.5)])
    kw = dict(m=m, batch=64, steps=60, warmup=10, lr_w=1e-2, lr_b=1e-2, curve_every=20)
    runs = {e: liu_model.train_sweep(thr, jnp.asarray([-1.0, 0.5]), jax.random.key(8),
                                     encoder=e, **kw) for e in ("dense", "sparse")}
    assert int(runs["dense"]["dense_steps"]) == 60 and int(runs["sparse"]["dense_steps"]) == 0
    np.testing.assert_allclose(runs["sparse"]["W"], runs["dense"]["W"], atol=2e-4, rtol=0)
    np.testing.assert_allclose(runs["sparse"]["curve"], runs["dense"]["curve"], rtol=1e-4)


def test_power_law_fit_recovers_exponent():
    m = np.array([10, 15, 25, 39, 63, 100], float)
    exact = power_law_fit(m, 3.0 * m ** -1.2)
    assert exact.slope == pytest.approx(-1.2, abs=1e-12) and exact.r_squared == pytest.approx(1)
    rng = np.random.default_rng(0)
    slopes = [power_law_fit(m, 3.0 * m ** -1.2 * np.exp(0.05 * rng.standard_normal(6)))
              for _ in range(400)]
    z = (np.mean([f.slope for f in slopes]) + 1.2) / (np.std([f.slope for f in slopes]) / 20)
    assert abs(z) < 4
    assert np.mean([f.slope_se for f in slopes]) == pytest.approx(np.std([f.slope for f in
                                                                         slopes]), rel=0.2)


BAD_FLAGS = {"series_alpha": [-0.5, 1.0, 1.0], "series_gamma": [-1.0, -1.0, 2.5],
             "ms": [10, 1000], "large_ms": [0, 8], "E": 8.0}


@pytest.mark.parametrize("field", sorted(BAD_FLAGS))
def test_bad_values_raise_usage_error(field):
    with pytest.raises(UsageError) as error:
        config = resolve(liu_scaling.PROFILES, "cpu", {field: BAD_FLAGS[field]},
                         liu_scaling.CHECKS)
        liu_scaling.validate(config)
    assert f"--{field}=" in str(error.value) and "allowed" in str(error.value)


def test_a_bad_flag_is_refused():
    line = usage_error_line(MODULE.removeprefix("experiments."), "--profile=cpu", "--E=8.0")
    assert line.startswith("error:") and "--E=8.0" in line, line
