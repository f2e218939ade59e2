"""Vectorised kernels of the ``synergy`` experiment (spec §3.2): exponent fit, best tree at every
budget, golden-section allocation, context-window curves.

All of it is exact float64 computation (no Monte Carlo). Conventions [convention, spec §2.4]:
leaf law μ0(x) = min(κ·x^β, 1), 0 where x ≤ 0 (masked *before* the power); "approx" accounting
B = N·(x + c0), "exact" accounting B = N·x + c0·(N − 1), i.e. x = (B + extra)/N − c0 with
extra = 0 or c0; the single agent has μ = min(κ·B^β, 1) and pays no communication; L = 0 is the
single agent, trees have L ≥ 1.

The best-tree map evaluates the exact recursion g(μ) = ργμ + (1−ρ) f_b(γμ) [reconstructed,
spec §2.2] with one ``lax.scan`` over levels for every depth L = 1…L_max at once (a depth stops
moving once its L levels are done) and then takes the maximum over L. It is vmapped over
configurations and vectorised over (β, B). f_b is the odd polynomial of spec §2.2, evaluated by
Horner with a per-configuration coefficient row (padded with zeros to the largest fan-in of the
sweep); it equals ``theory.majority_tree.step_bias`` to rounding (tested). The theory function
gathers its coefficient row per *element*, which under vmap costs a (cells × 16) array per level;
the row per configuration avoids that. The bias is clipped at 1 after every level: the
polynomial gives f_b(1) = 1 + 1 ulp, and without the guard a γ = 1 tree would "beat" a saturated
single agent by one ulp.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from experiments.common.sweep import run_sweep
from theory import majority_tree as mt


def poly_coefficients(fanins: Sequence[int]) -> np.ndarray:
    """Rows c[j] = f_b'(0)·C(k, j)(−1)^j/(2j+1), k = (b−1)/2: f_b(μ) = Σ_j c[j] μ^(2j+1).

    Rows are padded with zeros to the largest fan-in of ``fanins`` (shape [len, K+1]).
    """
    fanins = [int(b) for b in fanins]
    top = max((b - 1) // 2 for b in fanins)
    rows = np.zeros((len(fanins), top + 1), np.float64)
    for i, b in enumerate(fanins):
        k = (b - 1) // 2
        slope = float(mt.majority_slope(b))
        rows[i, :k + 1] = [slope * math.comb(k, j) * (-1) ** j / (2 * j + 1) for j in range(k + 1)]
    return rows


def step_bias_poly(mu: jax.Array, gamma: jax.Array, rho: jax.Array,
                   coef: jax.Array) -> jax.Array:
    """g(μ) = ργμ + (1−ρ) f_b(γμ) with f_b from one coefficient row (scalar γ, ρ; coef [K+1])."""
    nu = gamma * mu
    nu2 = nu * nu
    acc = jnp.full_like(nu, coef[-1])
    for j in range(coef.shape[0] - 2, -1, -1):
        acc = acc * nu2 + coef[j]
    return rho * nu + (1.0 - rho) * (nu * acc)  # same association as theory.step_bias


def max_depth(fanins: Sequence[int], c0: Sequence[float], budget_max: float) -> int:
    """L_max = max over configurations of ⌊log_b(B_max/c0)⌋ + 1 (spec §3.2b)."""
    return max(int(math.floor(math.log(budget_max / c) / math.log(b))) + 1
               for b, c in zip(fanins, c0, strict=True))


def _best_tree_one(b, gamma, rho, c0, coef, betas, budgets, extra, *, kappa: float, depth: int):
    """Best tree over L = 1…depth for one configuration, on the (β, B) grid."""
    depths = jnp.arange(1, depth + 1)
    # b^L by repeated multiplication: exact below 2^53, unlike pow (exp·log), so x = 0 at
    # B = b^L·c0 is exactly 0 and masked.
    leaves = jnp.cumprod(jnp.full(depth, b, budgets.dtype))
    # x = (B + extra − c0·N)/N: the sign comes from the numerator, so a budget that exactly
    # pays for N messages gives x = 0 (masked), whatever XLA does with the division.
    x = (budgets[:, None] + extra - c0 * leaves[None, :]) / leaves[None, :]    # [B, L]
    mu = mt.leaf_bias(x[None, :, :], kappa, betas[:, None, None])      # [β, B, L]

    def level(mu, index):
        moving = (index < depths)[None, None, :]
        nxt = jnp.minimum(step_bias_poly(mu, gamma, rho, coef), 1.0)
        return jnp.where(moving, nxt, mu), None

    mu, _ = lax.scan(level, mu, jnp.arange(depth))
    return mu.max(axis=-1), (mu.argmax(axis=-1) + 1).astype(jnp.int8)


@functools.cache
def _compiled_map(kappa: float, depth: int):
    """jit(vmap) of the per-configuration kernel; (β, B) grids are arguments, not constants."""
    cell = functools.partial(_best_tree_one, kappa=kappa, depth=depth)
    return jax.jit(jax.vmap(cell, in_axes=(0, 0, 0, 0, 0, None, None, 0)))


def best_tree_map(fanins: np.ndarray, gammas: np.ndarray, rhos: np.ndarray, c0: np.ndarray,
                  exact: np.ndarray, betas: np.ndarray, budgets: np.ndarray, *, kappa: float,
                  batch: int = 16, num_devices: int = 1) -> dict[str, np.ndarray]:
    """Best-tree bias and its depth for every (configuration, β, B), vmapped over configurations.

    ``exact`` (bool per configuration) picks the accounting of that row: x = (B + c0)/N − c0
    (exact) or B/N − c0 (approx). Returns ``best`` [config, β, B] (0 where no depth has x > 0)
    and ``depth`` [config, β, B] (int8, the maximising L; ties go to the smallest L).
    """
    depth = max_depth(fanins, c0, float(np.max(budgets)))
    compiled = _compiled_map(float(kappa), depth)
    betas_d, budgets_d = jnp.asarray(betas, jnp.float64), jnp.asarray(budgets, jnp.float64)
    c0 = np.asarray(c0, np.float64)
    extra = np.where(np.asarray(exact, bool), c0, 0.0)

    def jitted(b, gamma, rho, c, row, add):
        return compiled(b, gamma, rho, c, row, betas_d, budgets_d, add)

    best, arg = run_sweep(
        None, (np.asarray(fanins, np.int64), np.asarray(gammas, np.float64),
               np.asarray(rhos, np.float64), c0, poly_coefficients(fanins), extra),
        batch=batch, num_devices=num_devices, name="synergy map", jitted=jitted)
    return {"best": np.asarray(best), "depth": np.asarray(arg)}


def onset_index(win: np.ndarray) -> np.ndarray:
    """Index of the first True along the last axis, −1 where there is none."""
    return np.where(win.any(axis=-1), win.argmax(axis=-1), -1)


def exponent_fit(mu: np.ndarray, fanins: np.ndarray, last: np.ndarray) -> np.ndarray:
    """OLS slope (with intercept) of ln μ_L on L·ln b over L = 0…last, per row of ``mu`` [cell, L].

    Rows use different ranges: levels above ``last`` are masked out of the sums.
    """
    levels = np.arange(mu.shape[-1])[None, :]
    weight = (levels <= last[:, None]).astype(np.float64)
    x = levels * np.log(np.asarray(fanins, np.float64))[:, None]
    y = np.log(np.where(weight > 0, mu, 1.0))
    count = weight.sum(axis=1, keepdims=True)
    x_mean = (weight * x).sum(axis=1, keepdims=True) / count
    y_mean = (weight * y).sum(axis=1, keepdims=True) / count
    cov = (weight * (x - x_mean) * (y - y_mean)).sum(axis=1)
    var = (weight * (x - x_mean) ** 2).sum(axis=1)
    return cov / var


def golden_section_allocation(s: np.ndarray, beta: np.ndarray, c0: np.ndarray, *, lo: float,
                              hi: float, rel_tol: float) -> np.ndarray:
    """argmax_x J(x) = s·ln N(x) + β·ln x by golden-section search on u = ln x in [ln lo, ln hi].

    N(x) = (B + c0)/(x + c0) (exact accounting) or B/(x + c0) (approx). J is concave in u when
    s > β (J''(u) = −s·c0·x/(x + c0)² < 0), so the bracket shrinks to the unique maximiser. The
    search compares J(u1) − J(u2) = s·log1p(w·expm1(u2 − u1)) − β·(u2 − u1), w = x1/(x1 + c0),
    which is J's difference rewritten without cancellation: evaluating J itself loses ~1e−15 of
    J's size to rounding, which flattens J near its maximum and caps the relative accuracy of
    the argmax at ~1e−5 when s − β is small. B and the accounting cancel from the difference,
    which is why x* depends on neither. The iteration count is fixed by ``rel_tol`` (final bracket
    width in u, i.e. the relative error in x), so every cell follows the same vectorised loop.
    """
    s, beta, c0 = (np.asarray(v, np.float64) for v in np.broadcast_arrays(s, beta, c0))
    return np.asarray(_golden(s, beta, c0, lo=float(lo), hi=float(hi), rel_tol=float(rel_tol)))


@functools.partial(jax.jit, static_argnames=("lo", "hi", "rel_tol"))
def _golden(s, beta, c0, *, lo: float, hi: float, rel_tol: float) -> jax.Array:
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    width = math.log(hi) - math.log(lo)
    iterations = int(math.ceil(math.log(rel_tol / width) / math.log(ratio)))

    def left_is_higher(u1, u2):
        x1 = jnp.exp(u1)
        gain = s * jnp.log1p(x1 / (x1 + c0) * jnp.expm1(u2 - u1)) - beta * (u2 - u1)
        return gain >= 0.0  # J(u1) >= J(u2): the maximiser lies in [a, u2]

    def shrink(_, bracket):
        a, d = bracket
        u1 = d - ratio * (d - a)
        u2 = a + ratio * (d - a)
        left = left_is_higher(u1, u2)
        return jnp.where(left, a, u1), jnp.where(left, u2, d)

    start = (jnp.full_like(s, math.log(lo)), jnp.full_like(s, math.log(hi)))
    a, d = lax.fori_loop(0, iterations, shrink, start)
    return jnp.exp(0.5 * (a + d))


def context_window_curves(m: np.ndarray, *, window: int, rho: float, m0: float, family: str,
                          fanin_cap: int, beta: float) -> dict[str, np.ndarray]:
    """b(m), γ(m), α(m), s(m), c0(m) and B_th(m) for message lengths m (spec §2.4, §3.2e).

    b(m) = the largest odd b ≤ min(⌊W/m⌋, cap). Every m must leave room for a tree (b ≥ 3, i.e.
    m ≤ W/3); B_th is +inf where s ≤ β.
    """
    m = np.asarray(m, np.int64)
    curves = {k: np.asarray(v) for k, v in _window_theory(
        m, np.int64(window), np.float64(rho), np.float64(m0), np.int64(fanin_cap),
        np.float64(beta), family=family).items()}
    if np.any(curves["b"] < 3):
        raise ValueError("context_window_curves needs m ≤ W/3 (a tree needs b ≥ 3)")
    return {"m": m, **curves}


@functools.partial(jax.jit, static_argnames=("family",))
def _window_theory(m, window, rho, m0, fanin_cap, beta, *, family: str) -> dict[str, jax.Array]:
    fanin = mt.max_odd_fanin(window, m, fanin_cap)
    gamma = mt.fidelity(m.astype(jnp.float64), m0, family)
    s = mt.organization_exponent(gamma, rho, fanin)
    c0 = mt.comm_overhead(m.astype(jnp.float64), fanin)
    return {"b": fanin, "gamma": gamma, "alpha": mt.alpha_rho(gamma, rho, fanin), "s": s,
            "c0": c0, "B_th": mt.budget_threshold(beta, s, c0)}
