"""Neural tangent kernel of the FC net on a lane's first n_ntk training points (spec §3.3).

K_μν = ∇_w f(w, x_μ)·∇_w f(w, x_ν) over all parameters (read-out included); the NTK of the
centred output F equals that of f. The parameters are ``fc_network.FCNetwork``'s Flax params
pytree; the Jacobian's columns follow ``fc_network.layer_weights`` (W_1, ..., W_L, w_out), each
flattened row-major. Lanes go through ``lax.map`` (one Jacobian of
n_ntk × #params floats at a time, never all lanes at once).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp

from experiments.sgd_noise.shared import fc_network, sgd
from experiments.sgd_noise.shared.mnist1d_data import training_indices


def jacobian(params: fc_network.Params, x: jax.Array, spec: fc_network.FCSpec) -> jax.Array:
    """(n, #params) Jacobian of f at x, by one reverse pass per point."""
    def single(p: fc_network.Params, xi: jax.Array) -> jax.Array:
        return fc_network.forward(p, xi[None, :], spec)[0]

    grads = jax.vmap(jax.grad(single), in_axes=(None, 0))(params, x)
    return jnp.concatenate([g.reshape(x.shape[0], -1) for g in fc_network.layer_weights(grads)],
                           axis=1)


def gram(params: fc_network.Params, x: jax.Array, spec: fc_network.FCSpec) -> jax.Array:
    j = jacobian(params, x, spec)
    return j @ j.T


def kernel_change(k0: jax.Array, k1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """ΔK = ‖K1 − K0‖_F/‖K0‖_F and alignment KA = ⟨K0, K1⟩_F/(‖K0‖_F ‖K1‖_F)."""
    n0, n1 = jnp.linalg.norm(k0), jnp.linalg.norm(k1)
    return jnp.linalg.norm(k1 - k0) / n0, jnp.sum(k0 * k1) / (n0 * n1)


@functools.cache
def make_ntk_change(spec: fc_network.FCSpec, n_ntk: int,
                    base_seed: int) -> Callable[..., dict[str, jax.Array]]:
    """``f(seeds, final_params, x_candidates) -> {delta_K, alignment}`` over lanes (lax.map).

    The first n_ntk points of a lane's training set are the first n_ntk entries of its
    training-set permutation whatever P is, so one compilation serves every P.
    """

    def run(seeds: jax.Array, params: fc_network.Params, x_candidates: jax.Array) -> dict:
        def one(args: tuple) -> tuple[jax.Array, jax.Array]:
            seed, final = args
            keys = sgd.lane_keys(base_seed, seed)
            params0 = fc_network.init_params(keys["init"], spec)
            idx = training_indices(keys["train"], x_candidates.shape[0], n_ntk)
            x = x_candidates[idx]
            return kernel_change(gram(params0, x, spec), gram(final, x, spec))

        delta, align = jax.lax.map(one, (seeds, params))
        return {"delta_K": delta, "alignment": align}

    return jax.jit(run)
