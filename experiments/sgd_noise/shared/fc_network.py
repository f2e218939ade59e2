"""The paper's fully connected network (Flax) and one SGD run (optax) on MNIST-1D parity
(spec §2, §3.2, §3.3).

Model (``[code]``, the authors' ``mlp``), the ``flax.linen`` Module ``FCNetwork``: L hidden
layers of width h, no biases, weights N(0, 1); z_0 = x, z_l = φ̂(z_{l−1} W_l / sqrt(fan_in_l)),
f = z_L · w_out / h, with φ̂ = φ/c_φ and c_φ = sqrt(E φ(z)²) (ReLU 1/√2, exact-erf GELU
0.652090). Parameters are the Module's ``params`` collection, a dict pytree
``{"hidden_1": {"kernel": W_1}, ..., "hidden_L": {"kernel": W_L}, "readout": w_out}``;
``init_params`` draws it with the Module's initialiser and the key use of the original
hand-written net (``split(key, L + 1)``, one key per layer in order), so the initial weights
are those of earlier versions; ``layer_weights`` lists the leaves in layer order (every
reduction over layers uses it, so the summation order does not depend on dict-key sorting).

Training (§2.1–2.3): centred output F = f(w, ·) − f(w0, ·); per-sample loss max(0, 1/α − y F) (the
1/α convention: the gradient does not depend on α); plain SGD (``optax.sgd``, no momentum; the carry
is (params, optax state)) with η = T·B·h traced; its update p + (−η)·g is bit-identical to the
earlier hand-written p − η·g; batches of B indices drawn per step from ``fold_in(batch_key, step)``;
chunks of K steps (``lax.scan``) inside a ``lax.while_loop`` that stops at min α y F ≥ 1 − 1e−6
(converged, 1), a non-finite margin or parameter (diverged, 2) or the step cap (capped, 3).

One run is ``run_one(seed, alpha, temperature, data)``; α and T are traced, so one compilation
serves every (α, T) of a given shape. Keys: ``sgd.lane_keys(base_seed, seed)`` gives the
init, training-set and batch streams; they never depend on (α, T) (common random numbers). The
loss, temperature, batch draw and stopping rule are those of ``experiments.sgd_noise.shared.sgd``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from experiments.sgd_noise.shared import sgd
from experiments.sgd_noise.shared.mnist1d_data import training_indices
from theory import sgd_noise as theory


@functools.cache
def activation_norm(name: str) -> float:
    """c_φ = sqrt(E φ(z)²) from ``theory.sgd_noise.activation_norm`` (a Python float)."""
    with jax.ensure_compile_time_eval():  # first call may happen while tracing
        return float(theory.activation_norm(name))


def _activation(name: str) -> Callable[[jax.Array], jax.Array]:
    if name == "relu":
        return jax.nn.relu
    if name == "gelu":
        return functools.partial(jax.nn.gelu, approximate=False)
    raise ValueError(f"unknown activation {name!r}")


class FCSpec(NamedTuple):
    """Static shape of the network."""

    input_dim: int
    depth: int  # L hidden layers
    width: int  # h
    activation: str


class TrainSpec(NamedTuple):
    """Static training settings of one compiled sweep."""

    num_train: int  # P
    batch: int  # B
    check_period: int  # K
    max_steps: int
    batch_sampling: str  # "replace" or "distinct"
    return_params: bool = False


class Data(NamedTuple):
    """Device arrays every lane reads (passed as arguments, not baked into the program)."""

    x_candidates: jax.Array
    y_candidates: jax.Array
    x_test: jax.Array
    y_test: jax.Array


Params = dict[str, Any]  # FCNetwork's "params" collection

WEIGHT_INIT = nn.initializers.normal(1.0)  # every weight N(0, 1); fan-in scaling in __call__


class FCNetwork(nn.Module):
    """f(w, x) = z_L · w_out / h with z_l = φ̂(z_{l−1} W_l / sqrt(fan_in_l)), z_0 = x.

    No biases; every weight N(0, 1) (``WEIGHT_INIT``). ``x`` has shape (n, d); returns (n,).
    Use ``init_params`` (not ``FCNetwork.init``, whose per-parameter keys differ) for the
    experiments' initial weights.
    """

    depth: int  # L hidden layers
    width: int  # h
    activation: str

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        phi, norm = _activation(self.activation), activation_norm(self.activation)
        z = x
        for layer in range(self.depth):
            fan_in = z.shape[-1]
            z = nn.Dense(self.width, use_bias=False, kernel_init=WEIGHT_INIT,
                         name=f"hidden_{layer + 1}")(z)
            z = phi(z / math.sqrt(fan_in)) / norm
        w_out = self.param("readout", WEIGHT_INIT, (self.width,), jnp.float32)
        return z @ w_out / self.width


def network(spec: FCSpec) -> FCNetwork:
    return FCNetwork(spec.depth, spec.width, spec.activation)


def init_params(key: jax.Array, spec: FCSpec) -> Params:
    """FCNetwork's params, all N(0, 1): one key of ``split(key, L + 1)`` per layer, in order
    (the read-out last), each drawn by ``WEIGHT_INIT`` (the key use of the original net)."""
    fans = [spec.input_dim] + [spec.width] * spec.depth
    keys = jax.random.split(key, spec.depth + 1)
    params: Params = {f"hidden_{i + 1}": {"kernel": WEIGHT_INIT(keys[i], (fans[i], spec.width),
                                                                jnp.float32)}
                      for i in range(spec.depth)}
    params["readout"] = WEIGHT_INIT(keys[-1], (spec.width,), jnp.float32)
    return params


def layer_weights(params: Params) -> tuple[jax.Array, ...]:
    """(W_1, ..., W_L, w_out) in layer order (also for a tree of gradients or changes)."""
    depth = len(params) - 1
    return (*(params[f"hidden_{i + 1}"]["kernel"] for i in range(depth)), params["readout"])


def forward(params: Params, x: jax.Array, spec: FCSpec) -> jax.Array:
    """f(w, x) for a batch x of shape (n, d); returns (n,) (``FCNetwork.apply``)."""
    return network(spec).apply({"params": params}, x)


def _tree_norm(tree: Params) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in layer_weights(tree)))


def make_run_one(spec: FCSpec, train: TrainSpec, base_seed: int) -> Callable[..., dict]:
    """Builds ``run_one(seed, alpha, temperature, data) -> metrics`` for one static shape."""
    P, B, K = train.num_train, train.batch, train.check_period

    def run_one(seed: jax.Array, alpha: jax.Array, temperature: jax.Array,
                data: Data) -> dict[str, jax.Array]:
        keys = sgd.lane_keys(base_seed, seed)
        params0 = init_params(keys["init"], spec)
        idx = training_indices(keys["train"], data.x_candidates.shape[0], P)
        x, y = data.x_candidates[idx], data.y_candidates[idx]
        f0 = forward(params0, x, spec)
        alpha = jnp.asarray(alpha, jnp.float32)
        eta = sgd.learning_rate(jnp.asarray(temperature, jnp.float32), B, spec.width)
        optimizer = optax.sgd(eta)

        def batch_loss(params: Params, bi: jax.Array) -> jax.Array:
            centred = sgd.centred_output(forward(params, x[bi], spec), f0[bi])
            return jnp.mean(sgd.hinge_loss(centred, y[bi], alpha))

        def sgd_step(carry: tuple[Params, Any], step: jax.Array) -> tuple[Params, Any]:
            params, state = carry
            bi = sgd.batch_indices(keys["batch"], step, P, B, train.batch_sampling)
            grads = jax.grad(batch_loss)(params, bi)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        def margin(carry: tuple[Params, Any]) -> jax.Array:
            return jnp.min(alpha * y * sgd.centred_output(forward(carry[0], x, spec), f0))

        stop = sgd.train_until_fit(sgd_step, margin, (params0, optimizer.init(params0)),
                                   check_period=K, max_steps=train.max_steps)
        params = stop.params[0]
        centred_test = sgd.centred_output(forward(params, data.x_test, spec),
                                          forward(params0, data.x_test, spec))
        diverged = stop.status == sgd.DIVERGED
        per_layer = jnp.stack([jnp.linalg.norm(p - p0) / jnp.linalg.norm(p0)
                               for p, p0 in zip(layer_weights(params), layer_weights(params0),
                                                strict=True)])
        delta = jax.tree.map(jnp.subtract, params, params0)
        train_centred = sgd.centred_output(forward(params, x, spec), f0)
        out = {
            "status": stop.status, "steps": stop.steps, "margin": stop.margin, "eta": eta,
            "t_star": sgd.training_time(eta, stop.steps.astype(jnp.float32)),
            "test_error": jnp.where(diverged, jnp.nan, sgd.test_error(centred_test,
                                                                      data.y_test)),
            "rel_change": jnp.where(diverged, jnp.nan, _tree_norm(delta) / _tree_norm(params0)),
            "rel_change_layers": jnp.where(diverged, jnp.nan, per_layer),
            "train_loss": jnp.mean(sgd.hinge_loss(train_centred, y, alpha)),
        }
        if train.return_params:
            out["params"] = params
        return out

    return run_one


def make_sweep(spec: FCSpec, train: TrainSpec, base_seed: int,
               data: Data) -> Callable[..., dict]:
    """``jit(vmap(run_one))`` over lanes (seed, α, T), with the data passed unbatched."""
    run_one = make_run_one(spec, train, base_seed)
    compiled = jax.jit(jax.vmap(run_one, in_axes=(0, 0, 0, None)))
    return lambda seeds, alphas, temps: compiled(seeds, alphas, temps, data)


def device_data(pool: Any) -> Data:
    """Moves the pool's arrays to the device once."""
    return Data(jnp.asarray(pool.x_train_pool), jnp.asarray(pool.y_train_pool),
                jnp.asarray(pool.x_test), jnp.asarray(pool.y_test))


def param_count(spec: FCSpec) -> int:
    return spec.input_dim * spec.width + (spec.depth - 1) * spec.width**2 + spec.width
