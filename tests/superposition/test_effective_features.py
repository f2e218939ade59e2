"""SAE trainer, early-stopping emulation, sparse-parity data and the F pipeline
(effective_features experiment, spec superposition.md §2.3 and §7.2)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.superposition.effective_features import metrics as ef_metrics
from experiments.superposition.effective_features.model import parity_mlp as parity_mlp
from experiments.superposition.effective_features.model import sae as sae_model
from tests.conftest import usage_error_line
from theory import superposition_geometry as geo


def _toy_acts(key, count, samples=384, n=5):
    return jax.random.uniform(key, (count, samples, n), jnp.float32)


@pytest.mark.parametrize("tied", [True, False])
def test_sae_vmap_cell_equals_single_run(tied):
    kw = dict(dict_size=12, tied=tied, epochs=4, batch=64, patience=2, reduction="mean")
    keys = jax.random.split(jax.random.key(3), 3)
    acts = _toy_acts(jax.random.key(4), 3)
    l1s = jnp.array([0.1, 0.3, 1.0], jnp.float32)
    swept = jax.jit(jax.vmap(functools.partial(sae_model.train_sae, **kw)))(keys, acts, l1s)
    alone = jax.jit(functools.partial(sae_model.train_sae, **kw))(keys[1], acts[1], l1s[1])
    # Not bit-identical: XLA picks a batched dot kernel under vmap, whose float32 summation
    # order differs from the unbatched one (seen: 1 ulp in one epoch loss); integers are exact.
    for leaf_s, leaf_a in zip(jax.tree.leaves(swept), jax.tree.leaves(alone), strict=True):
        np.testing.assert_allclose(np.asarray(leaf_s)[1], np.asarray(leaf_a), rtol=1e-5,
                                   atol=1e-7)
    assert int(swept["stop_epoch"][1]) == int(alone["stop_epoch"])
    assert int(swept["best_epoch"][1]) == int(alone["best_epoch"])


def _reference_early_stopping(losses, patience):
    """The authors' loop (experiments/adversarial/sae.py) on a given loss sequence."""
    best, best_epoch, stop = float("inf"), 0, len(losses)
    for epoch, loss in enumerate(losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif patience > 0 and epoch - best_epoch >= patience:
            stop = epoch + 1
            break
    return best_epoch, stop


@pytest.mark.parametrize("losses,patience", [
    ([5.0, 4.0, 4.5, 4.2, 4.1, 3.9, 4.0, 4.0, 4.0, 3.0], 3),  # stops at epoch 9 (1-based)
    ([5.0, 4.0, 3.0, 2.0, 1.0], 2),  # never stops
    ([1.0, 2.0, 2.0, 0.5, 0.4], 2),  # stops before the late improvements
    ([3.0, 3.0, 3.0, 3.0], 1),  # equal loss is no improvement
    ([3.0, 4.0, 5.0, 6.0], 0),  # patience 0: no early stopping
])
def test_early_stopping_emulation_matches_code(losses, patience):
    state = sae_model.init_stop_state({"w": jnp.zeros(())}, len(losses))
    frozen_at = None
    for epoch, loss in enumerate(losses):
        params = {"w": jnp.asarray(float(epoch))}  # parameters "after" each epoch
        was_active = bool(state.active)
        state = sae_model.early_stopping_update(state, jnp.asarray(epoch), jnp.float32(loss),
                                           params, patience)
        if was_active and not bool(state.active):
            frozen_at = epoch
    best_epoch, stop = _reference_early_stopping(losses, patience)
    assert int(state.best_epoch) == best_epoch
    assert int(state.stop_epoch) == stop
    assert float(state.best_params["w"]) == best_epoch  # the best epoch's parameters
    if stop < len(losses):
        assert frozen_at == stop - 1 and not bool(state.active)
    else:
        assert frozen_at is None and bool(state.active)


def test_frozen_instance_keeps_best_params():
    """With patience 1 and a huge lr, a stopped instance's curve is NaN after its stop."""
    acts = _toy_acts(jax.random.key(5), 1, samples=256)[0]
    out = sae_model.train_sae(jax.random.key(6), acts, jnp.float32(0.1), dict_size=8, tied=True,
                         epochs=30, batch=64, patience=1, lr=0.5)
    stop = int(out["stop_epoch"])
    curve = np.asarray(out["epoch_loss"])
    assert np.all(np.isfinite(curve[:stop])) and np.all(np.isnan(curve[stop:]))
    assert 1 <= int(out["best_epoch"]) <= stop
    assert np.nanmin(curve) == curve[int(out["best_epoch"]) - 1]


def test_parity_labels_and_split():
    x, labels, task = parity_mlp.parity_data(3, 4)
    assert x.shape == (12_288, 15)
    onehot, bits = x[:, :3].astype(int), x[:, 3:].astype(int)
    np.testing.assert_array_equal(onehot.argmax(axis=1), task)
    assert np.all(onehot.sum(axis=1) == 1)
    for t in range(3):
        rows = task == t
        expected = bits[rows, 4 * t:4 * t + 4].sum(axis=1) % 2
        np.testing.assert_array_equal(labels[rows], expected)
        # Every 12-bit pattern appears once per task.
        codes = bits[rows] @ (1 << np.arange(11, -1, -1))
        np.testing.assert_array_equal(np.sort(codes), np.arange(4096))
    train, test = parity_mlp.stratified_split(task, labels, seed=42)
    assert train.size == 9_828 and test.size == 2_460
    assert np.intersect1d(train, test).size == 0
    assert np.union1d(train, test).size == 12_288
    for t in range(3):
        for label in (0, 1):
            assert np.sum((task[train] == t) & (labels[train] == label)) == 1_638
            assert np.sum((task[test] == t) & (labels[test] == label)) == 410
    first = parity_mlp.activation_rows(train.size, 1024, "first_block", 42)
    assert np.all(task[train[first]] == 0) and np.all(labels[train[first]] == 0)
    rand = parity_mlp.activation_rows(train.size, 1024, "random", 42)
    assert np.unique(rand).size == 1024 and len(np.unique(task[train[rand]])) == 3


def test_dropout_is_inverted_and_off_in_eval():
    params = parity_mlp.init_mlp(jax.random.key(0), 15, 32)
    x = jnp.ones((4096, 15), jnp.float32)
    plain = parity_mlp.mlp_logits(params, x, 0.0)
    np.testing.assert_array_equal(parity_mlp.mlp_logits(params, x, 0.0, jax.random.key(1)), plain)
    h = parity_mlp.pre_activations(params, x)
    keep = 0.6
    mask = jax.random.uniform(jax.random.key(2), h.shape) < keep
    dropped = jnp.where(mask, h / keep, 0.0)
    assert float(jnp.mean(dropped)) == pytest.approx(float(jnp.mean(h)), rel=0.05, abs=0.02)


def test_effective_features_through_pipeline():
    """Hand-made codes: E = [I; −I] gives z = ReLU([a, −a]); mass and F match the theory."""
    n = 3
    params = {"E": jnp.concatenate([jnp.eye(n), -jnp.eye(n)]), "c": jnp.zeros((2 * n,))}
    acts = jnp.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    summary = sae_model.code_summary(params, acts)
    codes = np.maximum(np.concatenate([acts, -acts], axis=1), 0.0)
    np.testing.assert_allclose(summary["mass"], codes.sum(axis=0))
    F = ef_metrics.features_from_mass(np.asarray(summary["mass"])[None])[0]
    assert F == pytest.approx(geo.effective_features(codes))
    assert F == pytest.approx(2.0 ** 1.5)  # masses (1, 1, 2): p = (1/4, 1/4, 1/2)
    # k equal atoms -> k; all-zero codes -> F = 0, flagged.
    W = np.eye(5, 2)
    table = ef_metrics.psi_table(W[None].repeat(2, 0), {
        "mass": np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]),
        "toy_mass": np.ones((2, 5)), "dict_frob": np.array([2.0, 2.0]),
        "recon_mse": np.zeros(2), "stop_epoch": np.array([3, 3]), "best_epoch": np.array([1, 1])})
    np.testing.assert_allclose(table["F"], [3.0, 0.0])
    np.testing.assert_array_equal(table["all_zero_codes"], [False, True])
    np.testing.assert_allclose(table["dead_fraction"], [0.25, 1.0])
    np.testing.assert_allclose(table["psi_ref"], [1.0, 1.0])
    np.testing.assert_allclose(table["psi_frob"], [1.0, 1.0])


def test_loss_reductions_agree_when_lambda_rescaled():
    """mean form == (sum form with λ_sum = λ N/D) / N (trap 14)."""
    params = sae_model.init_sae(jax.random.key(0), 5, 40, tied=True)
    acts = _toy_acts(jax.random.key(1), 1, samples=64)[0]
    mean = sae_model.sae_loss(params, acts, 0.1, "mean")
    total = sae_model.sae_loss(params, acts, 0.1 * 5 / 40, "sum")
    assert float(mean) == pytest.approx(float(total) / 5, rel=1e-5)


def test_pearson_ci_perfect_line():
    x = np.linspace(0.0, 1.0, 12)
    c = ef_metrics.pearson_ci(x, 3 * x + 1, seed=0)
    assert c["r"] == pytest.approx(1.0) and c["lo"] == pytest.approx(1.0)


@pytest.mark.parametrize("args,flag", [
    (("--dropout_rates=0.0,1.0",), "--dropout_rates"),
    (("--dropout_rates=-0.1",), "--dropout_rates"),
    (("--sae_dict_size=4",), "--sae_dict_size"),
])
def test_bad_flags_are_refused(args, flag):
    line = usage_error_line("superposition.effective_features", "--profile=smoke", *args)
    assert flag in line, line


@pytest.mark.parametrize("tied", [True, False])
def test_sae_module_matches_hand_formula_and_old_init(tied):
    """Flax ``SparseAutoencoder``: ``init_sae`` draws the pre-Flax weights (same keys), the
    module's own ``init`` has the same tree and shapes, and the forward pass is the formula."""
    key, n, d = jax.random.key(7), 5, 12
    params = sae_model.init_sae(key, n, d, tied)
    if tied:
        bound = (6.0 / (n + d)) ** 0.5
        old = {"E": jax.random.uniform(key, (d, n), jnp.float32, -bound, bound),
               "c": jnp.zeros((d,), jnp.float32)}
    else:
        k_e, k_c, k_g, k_d = jax.random.split(key, 4)
        uni = lambda k, s, a: jax.random.uniform(k, s, jnp.float32, -a, a)  # noqa: E731
        old = {"E": uni(k_e, (d, n), n ** -0.5), "c": uni(k_c, (d,), n ** -0.5),
               "G": uni(k_g, (n, d), d ** -0.5), "d": uni(k_d, (n,), d ** -0.5)}
    assert params.keys() == old.keys()
    for name in old:
        np.testing.assert_array_equal(params[name], old[name])
    acts = _toy_acts(jax.random.key(8), 1, samples=16)[0]
    module = sae_model.SparseAutoencoder(n, d, tied)
    fresh = module.init(jax.random.key(9), acts)["params"]
    assert jax.tree.map(jnp.shape, dict(fresh)) == jax.tree.map(jnp.shape, params)
    codes, recon = module.apply({"params": params}, acts)
    z = jnp.maximum(acts @ params["E"].T + params["c"][None, :], 0.0)
    a_hat = z @ params["E"] if tied else z @ params["G"].T + params["d"][None, :]
    np.testing.assert_array_equal(codes, z)
    np.testing.assert_array_equal(recon, a_hat)
    np.testing.assert_array_equal(sae_model.encode(params, acts), z)
    np.testing.assert_array_equal(sae_model.decode(params, z), a_hat)


def test_parity_mlp_module_matches_hand_formula_and_old_init():
    """Flax ``ParityMLP``: ``init_mlp`` draws the pre-Flax weights (PyTorch Linear init with
    split(key, 4)); logits with and without dropout are the hand formula."""
    key, n_in, hidden = jax.random.key(3), 15, 32
    params = parity_mlp.init_mlp(key, n_in, hidden)
    k1, k2, k3, k4 = jax.random.split(key, 4)
    uni = lambda k, s, a: jax.random.uniform(k, s, jnp.float32, -a, a)  # noqa: E731
    old = {"W1": uni(k1, (n_in, hidden), n_in ** -0.5), "b1": uni(k2, (hidden,), n_in ** -0.5),
           "W2": uni(k3, (hidden, 1), hidden ** -0.5), "b2": uni(k4, (1,), hidden ** -0.5)}
    for name in old:
        np.testing.assert_array_equal(params[name], old[name])
    x = jax.random.bernoulli(jax.random.key(4), 0.5, (64, n_in)).astype(jnp.float32)
    module = parity_mlp.ParityMLP(n_in, hidden)
    fresh = module.init(jax.random.key(5), x, 0.0)["params"]
    assert jax.tree.map(jnp.shape, dict(fresh)) == jax.tree.map(jnp.shape, params)
    h = x @ params["W1"] + params["b1"][None, :]
    np.testing.assert_array_equal(parity_mlp.pre_activations(params, x), h)
    plain = (jnp.maximum(h, 0.0) @ params["W2"])[:, 0] + params["b2"][0]
    np.testing.assert_array_equal(module.apply({"params": params}, x, 0.0), plain)
    rate, drop_key = jnp.float32(0.3), jax.random.key(6)
    mask = jax.random.uniform(drop_key, h.shape) < 1.0 - rate
    dropped = jnp.where(mask, h / (1.0 - rate), 0.0)
    expected = (jnp.maximum(dropped, 0.0) @ params["W2"])[:, 0] + params["b2"][0]
    np.testing.assert_array_equal(parity_mlp.mlp_logits(params, x, rate, drop_key), expected)
