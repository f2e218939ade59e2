"""The paper's fully connected network and one SGD run on MNIST-1D parity (spec §2, §3.2, §3.3).

Model (``[code]``, the authors' ``mlp``): L hidden layers of width h, no biases, weights N(0, 1);
z_0 = x, z_l = φ̂(z_{l−1} W_l / sqrt(fan_in_l)), f = z_L · w_out / h, with φ̂ = φ/c_φ and
c_φ = sqrt(E φ(z)²) (ReLU 1/√2, exact-erf GELU 0.652090).

Training (§2.1–2.3): centred output F = f(w, ·) − f(w0, ·); per-sample loss
max(0, 1/α − y F) (the 1/α convention: the gradient does not depend on α); plain SGD with
η = T·B·h; batches of B indices drawn per step from ``fold_in(batch_key, step)``; chunks of K
steps (``lax.scan``) inside a ``lax.while_loop`` that stops at min α y F ≥ 1 − 1e−6
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

import jax
import jax.numpy as jnp

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


Params = tuple[jax.Array, ...]  # (W_1, ..., W_L, w_out)


def init_params(key: jax.Array, spec: FCSpec) -> Params:
    """All weights N(0, 1): fan-in scaling lives in the forward pass."""
    fans = [spec.input_dim] + [spec.width] * spec.depth
    keys = jax.random.split(key, spec.depth + 1)
    hidden = [jax.random.normal(keys[i], (fans[i], spec.width), jnp.float32)
              for i in range(spec.depth)]
    return (*hidden, jax.random.normal(keys[-1], (spec.width,), jnp.float32))


def forward(params: Params, x: jax.Array, spec: FCSpec) -> jax.Array:
    """f(w, x) for a batch x of shape (n, d); returns (n,)."""
    phi, norm = _activation(spec.activation), activation_norm(spec.activation)
    z = x
    for weight in params[:-1]:
        z = phi(z @ weight / math.sqrt(weight.shape[0])) / norm
    return z @ params[-1] / spec.width


def _tree_norm(tree: Params) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in tree))


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

        def batch_loss(params: Params, bi: jax.Array) -> jax.Array:
            centred = sgd.centred_output(forward(params, x[bi], spec), f0[bi])
            return jnp.mean(sgd.hinge_loss(centred, y[bi], alpha))

        def sgd_step(params: Params, step: jax.Array) -> Params:
            bi = sgd.batch_indices(keys["batch"], step, P, B, train.batch_sampling)
            grads = jax.grad(batch_loss)(params, bi)
            return tuple(p - eta * g for p, g in zip(params, grads, strict=True))

        def margin(params: Params) -> jax.Array:
            return jnp.min(alpha * y * sgd.centred_output(forward(params, x, spec), f0))

        stop = sgd.train_until_fit(sgd_step, margin, params0, check_period=K,
                                   max_steps=train.max_steps)
        params = stop.params
        centred_test = sgd.centred_output(forward(params, data.x_test, spec),
                                          forward(params0, data.x_test, spec))
        diverged = stop.status == sgd.DIVERGED
        per_layer = jnp.stack([jnp.linalg.norm(p - p0) / jnp.linalg.norm(p0)
                               for p, p0 in zip(params, params0, strict=True)])
        delta = tuple(p - p0 for p, p0 in zip(params, params0, strict=True))
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
