"""A batch-friendly L-BFGS: one objective evaluation per ``lax.scan`` step, no inner loops.

Why not ``optax.lbfgs`` in the hot path: its zoom line search is a ``while_loop``; under ``vmap``
over thousands of starts every step runs as many line-search rounds as the slowest start needs,
and its large per-round state makes each round expensive (measured: 256 starts × 150 steps took
≈ 95 s on 2 loaded CPU cores, most of it line-search overhead). Here each scan step evaluates
(value, gradient) once per start at a trial point and then either accepts it (Armijo sufficient
decrease; L-BFGS memory update when s·y > 0; new two-loop direction, trial step 1 — or, while the
slope along the old direction is still steep (Wolfe curvature condition unmet), the same
direction with a doubled step) or shrinks the step by safeguarded quadratic interpolation
(factor in [0.1, 0.5]). Starts that need many
backtracks never hold back the others, and converged starts just keep rejecting tiny steps.

``steps`` therefore counts objective evaluations (≈ 1.1 per L-BFGS iteration once the curvature
memory is warm). Memory 10, as optax's default. The first direction is the unit-length steepest
descent (−g/‖g‖); the direction after a memory update is H·(−g) with the usual scaling
γ = s·y/y·y. A non-descent direction or a collapsed step clears the memory (steepest-descent
restart). Pure function of (objective, start, steps): vmappable over starts and data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

MEMORY = 10
ARMIJO_C1 = 1e-4
WOLFE_C2 = 0.9  # accepted steps with slope still ≤ 0.9 × the initial slope are expanded
EXPAND = 2.0
FLAT_RTOL = 1e-12  # rounding slack of the plateau acceptance (relative to |f|)
MIN_STEP = 1e-30  # below this a rejected step restarts from steepest descent


class LbfgsState(NamedTuple):
    x: jax.Array  # accepted point
    f: jax.Array  # objective there
    g: jax.Array  # gradient there
    d: jax.Array  # search direction
    t: jax.Array  # trial step length
    s_hist: jax.Array  # (MEMORY, n) newest first
    y_hist: jax.Array
    rho_hist: jax.Array  # 1/(s·y); 0 marks an empty slot


def two_loop(g: jax.Array, s_hist: jax.Array, y_hist: jax.Array,
             rho_hist: jax.Array) -> jax.Array:
    """−H·g by the L-BFGS two-loop recursion (histories newest first; rho = 0 = empty)."""
    q = g
    alphas = []
    for i in range(MEMORY):
        a_i = rho_hist[i] * jnp.dot(s_hist[i], q)
        q = q - a_i * y_hist[i]
        alphas.append(a_i)
    yy = jnp.dot(y_hist[0], y_hist[0])
    gamma = jnp.where(rho_hist[0] > 0, 1.0 / (rho_hist[0] * jnp.where(yy > 0, yy, 1.0)), 1.0)
    r = gamma * q
    for i in reversed(range(MEMORY)):
        b_i = rho_hist[i] * jnp.dot(y_hist[i], r)
        r = r + (alphas[i] - b_i) * s_hist[i]
    return -r


def _steepest(g: jax.Array) -> jax.Array:
    norm = jnp.linalg.norm(g)
    return -g / jnp.where(norm > 0, norm, 1.0)


def lbfgs_minimize(objective: Callable[[jax.Array], jax.Array] | None, start: jax.Array,
                   steps: int, *,
                   value_and_grad: Callable[[jax.Array], tuple[jax.Array, jax.Array]] | None = None,
                   ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Minimises ``objective`` from ``start`` with ``steps`` evaluations (``value_and_grad``,
    when given, replaces ``jax.value_and_grad(objective)``).

    Returns (best accepted point, objective there, gradient norm there, objective of the
    accepted point before each step (steps,)).
    """
    if value_and_grad is None:
        value_and_grad = jax.value_and_grad(objective)
    f0, g0 = value_and_grad(start)
    n = start.shape[0]
    zeros_hist = jnp.zeros((MEMORY, n), start.dtype)
    init = LbfgsState(start, f0, g0, _steepest(g0), jnp.ones((), start.dtype), zeros_hist,
                      zeros_hist, jnp.zeros((MEMORY,), start.dtype))

    def step(state: LbfgsState, _):
        x_trial = state.x + state.t * state.d
        f_trial, g_trial = value_and_grad(x_trial)
        slope = jnp.dot(state.g, state.d)
        slope_trial = jnp.dot(g_trial, state.d)
        # Armijo, or (on flat plateaus, where the decrease drowns in rounding) a step along
        # which the slope is still steep and f did not rise beyond rounding.
        armijo = f_trial <= state.f + ARMIJO_C1 * state.t * slope
        flat = ((slope_trial <= WOLFE_C2 * slope)
                & (f_trial <= state.f + FLAT_RTOL * jnp.abs(state.f)))
        accept = jnp.isfinite(f_trial) & jnp.all(jnp.isfinite(g_trial)) & (armijo | flat)

        # Accepted: store (s, y) when the curvature is positive, then a new direction.
        s, y = x_trial - state.x, g_trial - state.g
        sy = jnp.dot(s, y)
        store = accept & (sy > 1e-12 * jnp.linalg.norm(s) * jnp.linalg.norm(y))
        s_hist = jnp.where(store, jnp.roll(state.s_hist, 1, axis=0).at[0].set(s), state.s_hist)
        y_hist = jnp.where(store, jnp.roll(state.y_hist, 1, axis=0).at[0].set(y), state.y_hist)
        rho_hist = jnp.where(store, jnp.roll(state.rho_hist, 1).at[0].set(
            1.0 / jnp.where(store, sy, 1.0)), state.rho_hist)
        x = jnp.where(accept, x_trial, state.x)
        f = jnp.where(accept, f_trial, state.f)
        g = jnp.where(accept, g_trial, state.g)
        d_new = two_loop(g, s_hist, y_hist, rho_hist)
        descent = jnp.dot(d_new, g) < 0

        # Rejected: safeguarded quadratic interpolation of φ(t) = f(x + t d).
        curvature = f_trial - state.f - slope * state.t
        t_quad = -slope * state.t**2 / (2.0 * jnp.where(curvature > 0, curvature, 1.0))
        t_quad = jnp.where(jnp.isfinite(f_trial) & (curvature > 0), t_quad, 0.1 * state.t)
        t_shrunk = jnp.clip(t_quad, 0.1 * state.t, 0.5 * state.t)
        collapsed = ~accept & (t_shrunk < MIN_STEP)

        # Accepted but the slope along d is still steep (curvature condition of Wolfe fails):
        # expand along the same direction. This is what lets starts on the flat plateaus of the
        # grid (a term e^{a − α log N} ≈ 1e-12 of the loss) escape, as a zoom search does.
        steep = accept & (slope_trial <= WOLFE_C2 * slope)
        restart = (accept & ~steep & ~descent) | collapsed
        keep = ~restart
        s_hist, y_hist = s_hist * keep, y_hist * keep
        rho_hist = rho_hist * keep
        d = jnp.where(descent, d_new, _steepest(g))
        d = jnp.where(accept, jnp.where(steep, state.d, d), state.d)
        d = jnp.where(collapsed, _steepest(g), d)
        t = jnp.where(accept | collapsed, 1.0, t_shrunk)
        t = jnp.where(steep, EXPAND * state.t, t)
        return LbfgsState(x, f, g, d, t, s_hist, y_hist, rho_hist), state.f

    final, trace = jax.lax.scan(step, init, None, length=steps)
    return final.x, final.f, jnp.linalg.norm(final.g), trace
