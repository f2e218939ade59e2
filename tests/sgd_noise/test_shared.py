"""Code shared by the SGD-noise pillar (experiments/sgd_noise/shared/): the SGD machinery, the
MNIST-1D data, the FC network and its NTK (spec §2, §3.2, §3.3, §8.2).

SGD machinery: hinge loss and the α-trick by hand, the temperature convention, SGD noise covariance,
the stopping rule. Data: MNIST-1D generator args pinned and parity labels balanced; test set fixed
across seeds, training sets per seed. FC network: the Flax module's forward pass equals the
hand-written formula on the same params, ``init_params`` draws the weights of the original key use
(one key of split(key, L + 1) per layer) in the tree of ``FCNetwork.init``, and the optax SGD step
is bit-identical to p − η·g; forward at init (F(w0) = 0, Var f ≈ 1/h); η = T·B·h; vmap cell ==
single run (status, steps, parameters), frozen lanes; stopping (converged ⇒ zero hinge loss up to
the float32 slack; capped at the cap); divergence (α = 2^−6, T = 2^−2 ends diverged with a NaN test
error). NTK: the Gram matrix from per-point gradients equals the one from ``jax.jacrev`` and from
JVPs (``jax.linearize``) to 1e−5 on a small FC; the NTK points are the first n_ntk training points
whatever P is.
"""

from __future__ import annotations

import math

import jax
import optax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from mnist1d.data import get_dataset_args  # noqa: E402

from experiments.sgd_noise.shared import fc_network, mnist1d_data, ntk, sgd  # noqa: E402

# --- hinge loss, α-trick, temperature ------------------------------------------------------


def test_hinge_loss_by_hand_and_alpha_independent_gradient():
    # (1/α) max(0, 1 − α y F): α = 2, F = 0.3, y = 1 → 0.5·0.4 = 0.2; α = 4 → 0 (fitted).
    assert float(sgd.hinge_loss(0.3, 1.0, 2.0)) == pytest.approx(0.2)
    assert float(sgd.hinge_loss(0.3, 1.0, 4.0)) == 0.0
    assert float(sgd.hinge_loss(-0.3, 1.0, 4.0)) == pytest.approx(0.25 + 0.3)
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal(50), rng.choice([-1.0, 1.0], 50)
    for alpha in (0.5, 3.0, 100.0):
        grad = jax.vmap(jax.grad(sgd.hinge_loss), in_axes=(0, 0, None))(F, y, alpha)
        np.testing.assert_array_equal(np.asarray(grad),
                                      np.asarray(sgd.hinge_dloss(F, y, alpha)))
        np.testing.assert_array_equal(np.asarray(grad), np.where(alpha * y * F < 1, -y, 0.0))
    # All points unfitted: the batch-loss gradient in w does not change with α.
    x = rng.standard_normal((16, 4))
    y = rng.choice([-1.0, 1.0], 16)
    w = 1e-3 * rng.standard_normal(4)

    def batch_loss(w, alpha):
        return jnp.mean(sgd.hinge_loss(x @ w, y, alpha))

    g1, g2 = jax.grad(batch_loss)(w, 1.0), jax.grad(batch_loss)(w, 50.0)
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g2), rtol=0, atol=0)


def test_temperature_convention_and_centred_output():
    assert sgd.learning_rate(2.0**-10, 16, 128) == 2.0**-10 * 2048
    assert sgd.temperature(sgd.learning_rate(0.3, 8), 8) == pytest.approx(0.3)
    assert sgd.learning_rate(0.5, 8) == 4.0  # perceptron: h = 1, η = T·B
    assert sgd.training_time(0.25, 400) == 100.0
    f0 = jnp.array([0.1, -0.2])
    np.testing.assert_array_equal(np.asarray(sgd.centred_output(f0, f0)), [0.0, 0.0])
    # A NaN output must never count as correct.
    assert np.isnan(float(sgd.test_error(jnp.array([1.0, jnp.nan]), jnp.array([1.0, 1.0]))))
    assert float(sgd.test_error(jnp.array([1.0, 0.0]), jnp.array([1.0, 1.0]))) == 0.5


@pytest.mark.parametrize("sampling", ["replace", "distinct"])
def test_sgd_noise_covariance(sampling):
    """Covariance of batch-mean gradients over 10^5 draws = Σ/B (× (P−B)/(P−1) if distinct)."""
    n_train, batch, draws = 16, 4, 100_000
    grads = np.random.default_rng(1).standard_normal((n_train, 3))
    idx = jax.jit(jax.vmap(lambda s: sgd.batch_indices(jax.random.key(5), s, n_train, batch,
                                                       sampling)))(jnp.arange(draws))
    idx = np.asarray(idx)
    if sampling == "distinct":
        assert all(len(set(row)) == batch for row in idx[:100])
    batch_means = grads[idx].mean(axis=1)
    sigma = np.cov(grads.T, bias=True)
    factor = 1.0 if sampling == "replace" else (n_train - batch) / (n_train - 1)
    np.testing.assert_allclose(np.cov(batch_means.T), sigma * factor / batch, rtol=0.03,
                               atol=0.03 * np.abs(np.diag(sigma)).max() / batch)


def test_train_until_fit_statuses():
    def margin(p):
        return p

    grow = sgd.train_until_fit(lambda p, s: p + 0.01, margin, jnp.float32(0.0),
                               check_period=16, max_steps=1000)
    assert int(grow.status) == sgd.CONVERGED and int(grow.steps) == 112  # 0.01·112 ≥ 1
    capped = sgd.train_until_fit(lambda p, s: p + 1e-4, margin, jnp.float32(0.0),
                                 check_period=16, max_steps=40)
    assert int(capped.status) == sgd.CAPPED and int(capped.steps) == 48
    blow = sgd.train_until_fit(lambda p, s: p * 1e30 - 1.0, margin, jnp.float32(-1.0),
                               check_period=16, max_steps=1000)
    assert int(blow.status) == sgd.DIVERGED


# --- MNIST-1D data and the FC network ------------------------------------------------------

N_POOL, N_TEST = 400, 100


@pytest.fixture(scope="module")
def pool():
    return mnist1d_data.load_pool(N_POOL, N_TEST, seed_testset=0)


def test_generator_args_pinned():
    defaults = vars(get_dataset_args())
    assert set(defaults) == set(mnist1d_data.GENERATOR_ARGS)
    for name, value in mnist1d_data.GENERATOR_ARGS.items():
        assert defaults[name] == value, name
    args = mnist1d_data.generator_args(N_POOL)
    assert args["num_samples"] == N_POOL and args["train_split"] == 1.0
    record = mnist1d_data.data_record(N_POOL, N_TEST, 0)
    assert record["generator_args"] == args


def test_parity_labels_and_split(pool):
    digits = np.arange(10)
    np.testing.assert_array_equal(mnist1d_data.parity_labels(digits),
                                  [1, -1, 1, -1, 1, -1, 1, -1, 1, -1])
    for x, y, d in ((pool.x_test, pool.y_test, pool.digits_test),
                    (pool.x_train_pool, pool.y_train_pool, pool.digits_train_pool)):
        assert x.shape[1] == mnist1d_data.INPUT_DIM and x.dtype == np.float32
        np.testing.assert_array_equal(y, np.where(d % 2 == 0, 1.0, -1.0))
    y_all = np.concatenate([pool.y_test, pool.y_train_pool])
    assert abs(np.mean(y_all == 1) - 0.5) <= 0.02  # balanced (exactly, 10 equal classes)
    again = mnist1d_data.load_pool(N_POOL, N_TEST, seed_testset=0)
    np.testing.assert_array_equal(again.x_test, pool.x_test)
    other = mnist1d_data.load_pool(N_POOL, N_TEST, seed_testset=1)
    assert not np.array_equal(other.x_test, pool.x_test)


def test_training_sets_per_seed():
    keys = [sgd.lane_keys(0, s)["train"] for s in (0, 0, 1)]
    idx = [np.asarray(mnist1d_data.training_indices(k, 300, 64)) for k in keys]
    np.testing.assert_array_equal(idx[0], idx[1])
    assert not np.array_equal(idx[0], idx[2])
    assert len(set(idx[0].tolist())) == 64  # distinct points


@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_forward_at_init(pool, activation):
    spec = fc_network.FCSpec(mnist1d_data.INPUT_DIM, 3, 64, activation)
    x = pool.x_test[:8]
    # Inputs with |x|²/d = 1, so every pre-activation has unit variance at init.
    x = jnp.asarray(x / np.sqrt(np.mean(x**2, axis=1, keepdims=True)))
    keys = jax.random.split(jax.random.key(0), 200)
    f = jax.vmap(lambda k: fc_network.forward(fc_network.init_params(k, spec), x, spec))(keys)
    assert f.shape == (200, 8)
    # Mean-field read-out with normalised activations: Var f(w0, x) ≈ 1/h (within 20 %).
    var = float(jnp.mean(f**2)) * spec.width
    assert var == pytest.approx(1.0, rel=0.2)
    f0 = fc_network.forward(fc_network.init_params(keys[0], spec), x, spec)
    assert np.all(np.asarray(sgd.centred_output(f0, f0)) == 0.0)
    assert fc_network.activation_norm("gelu") == pytest.approx(0.652090, abs=2e-6)
    assert fc_network.param_count(fc_network.FCSpec(40, 5, 128, "gelu")) == 70_784


def _hand_written_forward(weights, x, activation):
    """z_l = φ̂(z_{l−1} W_l / sqrt(fan_in)), f = z_L·w_out/h: the formula, on a weight list."""
    phi = jax.nn.relu if activation == "relu" else lambda z: jax.nn.gelu(z, approximate=False)
    norm = fc_network.activation_norm(activation)
    z = x
    for w in weights[:-1]:
        z = phi(z @ w / math.sqrt(w.shape[0])) / norm
    return z @ weights[-1] / weights[-1].shape[0]


@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_flax_module_is_the_formula_with_the_original_init(activation):
    spec = fc_network.FCSpec(12, 3, 16, activation)
    key = sgd.lane_keys(0, 2)["init"]
    params = fc_network.init_params(key, spec)
    # The original init: split(key, L + 1), layer i from keys[i], read-out from keys[-1], N(0, 1).
    keys = jax.random.split(key, spec.depth + 1)
    fans = [spec.input_dim] + [spec.width] * spec.depth
    weights = [jax.random.normal(keys[i], (fans[i], spec.width), jnp.float32)
               for i in range(spec.depth)]
    weights.append(jax.random.normal(keys[-1], (spec.width,), jnp.float32))
    for got, want in zip(fc_network.layer_weights(params), weights, strict=True):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    # Same tree, shapes and dtypes as the module's own init.
    x = jax.random.normal(jax.random.key(7), (9, spec.input_dim), jnp.float32)
    own = jax.eval_shape(fc_network.network(spec).init, jax.random.key(0), x)["params"]
    assert jax.tree.structure(own) == jax.tree.structure(params)
    assert jax.tree.map(lambda a: (a.shape, a.dtype), own) == \
        jax.tree.map(lambda a: (a.shape, a.dtype), params)
    assert sum(w.size for w in weights) == fc_network.param_count(spec)
    # Forward: module.apply equals the formula bit for bit (both jitted).
    f_flax = jax.jit(fc_network.forward, static_argnums=2)(params, x, spec)
    f_hand = jax.jit(_hand_written_forward, static_argnums=2)(weights, x, activation)
    assert f_flax.shape == (9,)
    np.testing.assert_array_equal(np.asarray(f_flax), np.asarray(f_hand))


def test_optax_sgd_step_is_the_hand_written_update():
    """optax.sgd(η): p + (−η)·g, bit-identical to p − η·g (traced η, jitted, several steps)."""
    params = fc_network.init_params(jax.random.key(4), NTK_SPEC)
    x = jax.random.normal(jax.random.key(5), (6, NTK_SPEC.input_dim), jnp.float32)

    def loss(p):
        return jnp.mean(jnp.maximum(0.0, 1.0 - fc_network.forward(p, x, NTK_SPEC)))

    @jax.jit
    def both(p_tx, p_hand, eta):
        tx = optax.sgd(eta)
        state = tx.init(p_tx)
        for _ in range(5):
            updates, state = tx.update(jax.grad(loss)(p_tx), state, p_tx)
            p_tx = optax.apply_updates(p_tx, updates)
            p_hand = jax.tree.map(lambda p, g: p - eta * g, p_hand, jax.grad(loss)(p_hand))
        return p_tx, p_hand

    p_tx, p_hand = both(params, params, jnp.float32(0.37))
    for a, b in zip(fc_network.layer_weights(p_tx), fc_network.layer_weights(p_hand),
                    strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert a.dtype == jnp.float32
    assert not np.array_equal(np.asarray(p_tx["readout"]), np.asarray(params["readout"]))


SPEC = fc_network.FCSpec(mnist1d_data.INPUT_DIM, 3, 32, "gelu")
TRAIN = fc_network.TrainSpec(num_train=64, batch=8, check_period=16, max_steps=800,
                             batch_sampling="replace", return_params=True)
# Lanes: lazy (stops early), rich small-T (runs long; capped at 800 steps), far above the edge.
LANES = (np.array([0, 1, 0], np.int32), np.array([2.0**10, 2.0**-6, 2.0**-6], np.float32),
         np.array([2.0**-6, 2.0**-12, 2.0**-2], np.float32))


@pytest.fixture(scope="module")
def sweep_out(pool):
    data = fc_network.device_data(pool)
    sweep = fc_network.make_sweep(SPEC, TRAIN, 3, data)
    out = jax.tree.map(np.asarray, sweep(*(jnp.asarray(a) for a in LANES)))
    solo = jax.jit(fc_network.make_run_one(SPEC, TRAIN, 3))
    singles = [jax.tree.map(np.asarray, solo(*(jnp.asarray(a[i]) for a in LANES), data))
               for i in range(len(LANES[0]))]
    return out, singles


def test_vmap_cell_equals_single_run(sweep_out):
    out, singles = sweep_out
    for i, single in enumerate(singles):
        assert out["status"][i] == single["status"] and out["steps"][i] == single["steps"]
        for p_vmap, p_single in zip(jax.tree.leaves(out["params"]),
                                    jax.tree.leaves(single["params"]), strict=True):
            if out["status"][i] != sgd.DIVERGED:
                np.testing.assert_allclose(p_vmap[i], p_single, rtol=1e-6, atol=1e-6)
    # The lazy lane stopped long before the others: its frozen carry equals its solo run.
    assert out["steps"][0] < out["steps"][1]


def test_stopping_statuses(sweep_out):
    out, _ = sweep_out
    alpha, temp = LANES[1], LANES[2]
    assert out["status"].tolist() == [sgd.CONVERGED, sgd.CAPPED, sgd.DIVERGED]
    # Converged: min α y F ≥ 1 − 1e−6, so the training hinge loss is 0 up to that slack.
    assert out["margin"][0] >= 1.0 - sgd.MARGIN_TOLERANCE
    assert out["train_loss"][0] <= sgd.MARGIN_TOLERANCE / alpha[0]
    assert out["steps"][0] % TRAIN.check_period == 0
    # Capped: stopped at the cap (a multiple of K), margin below 1, results finite.
    assert out["steps"][1] == TRAIN.max_steps and out["margin"][1] < 1.0
    assert np.isfinite(out["test_error"][1]) and np.isfinite(out["rel_change"][1])
    # Diverged: test error and weight change masked as NaN, never a perfect score.
    assert np.isnan(out["test_error"][2]) and np.isnan(out["rel_change"][2])
    # Temperature: η = T·B·h, t* = η·steps.
    np.testing.assert_allclose(out["eta"], temp * TRAIN.batch * SPEC.width, rtol=1e-7)
    np.testing.assert_allclose(out["t_star"], out["eta"] * out["steps"], rtol=1e-6)


# --- the FC network's NTK ------------------------------------------------------------------

NTK_SPEC = fc_network.FCSpec(6, 2, 8, "relu")


def _small_problem():
    params = fc_network.init_params(jax.random.key(1), NTK_SPEC)
    x = jax.random.normal(jax.random.key(2), (5, NTK_SPEC.input_dim), jnp.float32)
    return params, x


def test_ntk_matches_jacrev_and_jvp():
    params, x = _small_problem()
    k = np.asarray(ntk.gram(params, x, NTK_SPEC))
    jac = jax.jacrev(lambda p: fc_network.forward(p, x, NTK_SPEC))(params)
    flat = jnp.concatenate([j.reshape(x.shape[0], -1) for j in fc_network.layer_weights(jac)],
                           axis=1)
    np.testing.assert_allclose(k, np.asarray(flat @ flat.T), rtol=1e-5, atol=1e-5)
    # JVP route: K e_ν = J (Jᵀ e_ν), with Jᵀ from the linearisation's transpose.
    _, f_jvp = jax.linearize(lambda p: fc_network.forward(p, x, NTK_SPEC), params)
    f_vjp = jax.linear_transpose(f_jvp, params)
    basis = jnp.eye(x.shape[0], dtype=jnp.float32)  # float32 cotangents also under x64
    cols = [f_jvp(f_vjp(basis[n])[0]) for n in range(x.shape[0])]
    np.testing.assert_allclose(k, np.asarray(jnp.stack(cols, axis=1)), rtol=1e-5, atol=1e-5)
    delta, align = ntk.kernel_change(jnp.asarray(k), 3.0 * jnp.asarray(k))
    assert float(align) == pytest.approx(1.0, abs=1e-6)
    assert float(delta) == pytest.approx(2.0, rel=1e-6)


def test_ntk_points_do_not_depend_on_p():
    key = sgd.lane_keys(0, 3)["train"]
    first = np.asarray(mnist1d_data.training_indices(key, 500, 16))
    for p in (64, 256):
        np.testing.assert_array_equal(np.asarray(mnist1d_data.training_indices(key, 500, p))[:16],
                                      first)
