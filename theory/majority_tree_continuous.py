"""Continuous warm-up of the majority-tree pillar: star, chain and tree risks and floors.

Paper: Bang Liu, Linglong Kong, Jian Pei, "Phase Transition for Budgeted Multi-Agent Synergy",
arXiv:2601.17311 (section 3, "Continuous Warm-up"). The full text was not available; every formula
carries the label of specs/majority_tree.md, section 2.3:

- tree floor v* = sigma_c^2 / ((b-1)(1-rho)): [summary] (the summaries' "Eq. 13");
- the generative model, tree recursion, star risk: [reconstructed] (chosen to reproduce Eq. 13);
- chain definition and the continuous mixing depth: [convention].

Conventions (stated in every module of this pillar):

- **Clone before noise (continuous model).** At every aggregation node, with probability rho all
  b children *values* are replaced by child 0's value *before* the channel; then each of the b
  messages gets independent noise xi ~ N(0, sigma_c^2); the node averages. Cloning after the noise
  would give the floor sigma^2 (b rho + 1 - rho) / ((b-1)(1-rho)), which is not Eq. 13.
  (The binary model places its shock *after* the channel instead; see ``theory.majority_tree``.)
- **Channel on inputs, root not transmitted** [convention]: messages travel child -> parent; the
  root's output is not sent through the channel. Target theta = 0, risk R = E[output^2].

This module is import-safe: it never changes JAX's global configuration. It is float64-correct
when ``jax_enable_x64`` is on (the experiments and tests turn it on); without x64 it computes in
float32. All functions are elementwise and broadcast their arguments explicitly, so they work
under ``JAX_NUMPY_RANK_PROMOTION=raise``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike


def _f(x: ArrayLike) -> jax.Array:
    """Cast to the default float dtype (float64 under x64)."""
    return jnp.asarray(x, dtype=jax.dtypes.canonicalize_dtype(jnp.float64))


def _fb(*xs: ArrayLike) -> list[jax.Array]:
    """Cast every argument to float and broadcast them against each other explicitly."""
    return jnp.broadcast_arrays(*(_f(x) for x in xs))


@jax.jit
def tree_lambda(rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Per-level contraction lambda = rho + (1 - rho)/b of the tree recursion [reconstructed].

    Implements v_{l+1} = lambda v_l + sigma_c^2 / b (spec 2.3).
    """
    rho, b = _fb(rho, b)
    return rho + (1.0 - rho) / b


@jax.jit
def star_risk(v0: ArrayLike, rho: ArrayLike, sigma2: ArrayLike, N: ArrayLike) -> jax.Array:
    """Star risk R_star(N) = v0 (rho + (1-rho)/N) + sigma^2/N [reconstructed], spec 2.3.

    One aggregator averages N leaf messages; with probability rho (per trial) all N leaf values are
    clones of leaf 0, and every message passes the channel once, so R_star(1) = v0 + sigma^2 (a lone
    agent answering directly has risk v0). Floor rho*v0 as N -> inf; the context window caps
    N <= floor(W/m) (not enforced here).
    """
    v0, rho, sigma2, N = _fb(v0, rho, sigma2, N)
    return v0 * (rho + (1.0 - rho) / N) + sigma2 / N


@jax.jit
def chain_risk(v0: ArrayLike, rho: ArrayLike, sigma2: ArrayLike, L: ArrayLike) -> jax.Array:
    """Running-average chain risk [convention], spec 2.3.

    R_chain(L) = v0 (rho + (1-rho)/L) + sigma^2 (L-1)(2L-1)/(6L). Agent 1 sends M_1 = Y_1 + xi_1;
    agent k >= 2 forms Z_k = ((k-1)/k) M_{k-1} + Y_k / k and sends M_k = Z_k + xi_k if k < L; the
    output is Z_L. Noise accumulates like L sigma^2/3, so the chain has an interior optimum. A pure
    relay chain without averaging would instead give v0 + (L-1) sigma^2.
    """
    v0, rho, sigma2, L = _fb(v0, rho, sigma2, L)
    return v0 * (rho + (1.0 - rho) / L) + sigma2 * (L - 1.0) * (2.0 * L - 1.0) / (6.0 * L)


@jax.jit
def tree_floor(rho: ArrayLike, sigma2: ArrayLike, b: ArrayLike) -> jax.Array:
    """Deep-tree floor v* = sigma_c^2 / ((b-1)(1-rho)) [summary] ("Eq. 13"), spec 2.3."""
    rho, sigma2, b = _fb(rho, sigma2, b)
    return sigma2 / ((b - 1.0) * (1.0 - rho))


@jax.jit
def tree_risk(
    v0: ArrayLike, rho: ArrayLike, sigma2: ArrayLike, b: ArrayLike, L: ArrayLike
) -> jax.Array:
    """Tree risk v_L = lambda^L (v0 - v*) + v* [reconstructed; reproduces Eq. 13], spec 2.3.

    Closed form of v_{l+1} = lambda v_l + sigma^2/b with lambda = rho + (1-rho)/b. ``L`` may be an
    array of depths (L = 0 is a lone leaf, risk v0).
    """
    v0, rho, sigma2, b, L = _fb(v0, rho, sigma2, b, L)
    lam = tree_lambda(rho, b)
    vstar = tree_floor(rho, sigma2, b)
    return lam**L * (v0 - vstar) + vstar


@jax.jit
def tree_floor_global(v0: ArrayLike, rho: ArrayLike, sigma2: ArrayLike, b: ArrayLike) -> jax.Array:
    """Contrast floor rho v0 + sigma^2/(b-1) under *global* equicorrelation [reconstructed].

    Not Eq. 13: it is what a task-level shared error of all leaves would give (spec 2.3, 3.4e).
    """
    v0, rho, sigma2, b = _fb(v0, rho, sigma2, b)
    return rho * v0 + sigma2 / (b - 1.0)


@jax.jit
def continuous_mixing_depth(
    v0: ArrayLike, rho: ArrayLike, sigma2: ArrayLike, b: ArrayLike, delta: ArrayLike = 0.05
) -> jax.Array:
    """Depth where the tree risk is within a factor 1+delta of its floor [convention], spec 2.3.

    L_mix,cont(delta) = ln((v0 - v*)/(delta v*)) / ln(1/lambda); 0 if v0 <= (1+delta) v*; +inf if
    v* = 0 < v0 (noiseless channel: the floor is approached but never within a relative band).
    """
    v0, rho, sigma2, b, delta = _fb(v0, rho, sigma2, b, delta)
    lam = tree_lambda(rho, b)
    vstar = tree_floor(rho, sigma2, b)
    near = v0 <= (1.0 + delta) * vstar
    num = jnp.where(near, 1.0, v0 - vstar)
    den = jnp.where(near, 1.0, delta * vstar)
    depth = jnp.log(num / den) / jnp.log(1.0 / lam)
    return jnp.where(near, 0.0, depth)
