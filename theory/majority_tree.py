"""Closed forms for budgeted multi-agent majority trees (pillar ``majority_tree``).

Paper: Bang Liu, Linglong Kong, Jian Pei, "Phase Transition for Budgeted Multi-Agent Synergy",
arXiv:2601.17311. Its full text was not available; see specs/majority_tree.md. Labels:
[summary] = attributed to the paper by third-party summaries (alpha_rho, s = log_b alpha_rho,
x* and c0, the tree floor "Eq. 13"); [reconstructed] = this project's derivation (the generative
model and exact recursion, fixed point, critical curves, B_th, mixing depth, clipped predictor,
star and tree risks); [convention] = this project's choice (leaf law, accounting, fidelity curve,
chain, channel placement); [classical] = Evans-Schulman threshold. Each docstring gives its label.

Conventions:

- **Shock position (binary): after the channel.** Each aggregation node draws S ~ Bernoulli(rho);
  if S = 1 all b *received* (post-channel) messages are replaced by received message 0, so the
  clones share its channel flip. This reproduces the published alpha_rho exactly. If clones instead
  got independent flips (shock "before the channel", the "sent" ablation, see
  ``step_bias_sent_shock``) the gain would be rho f_b(gamma) + (1-rho) gamma f_b'(0), which is
  *not* the published alpha_rho [reconstructed].
- **Clone before noise (continuous):** the continuous model clones children's values before the
  channel noise (``theory.majority_tree_continuous``); each choice is the one that reproduces the
  published formula.
- **Channel on inputs, root not transmitted** [convention]: every message child -> parent is flipped
  with probability eps = (1-gamma)/2; the root's output is not sent.

Numerics: pure ``jax.numpy``, no I/O, no flags. Importing this module does not change JAX's global
configuration; the functions are float64-correct when ``jax_enable_x64`` is on (experiments and
tests enable it) and compute in float32 otherwise. Arguments broadcast elementwise; broadcasting is
explicit (``jnp.broadcast_arrays``) so the code runs under ``JAX_NUMPY_RANK_PROMOTION=raise``.
``b`` may be a Python int or an integer array (odd, 1 <= b <= B_MAX for the majority functions,
b >= 3 for tree functions; invalid b gives NaN in the majority functions). ``depth`` is a static
Python int. Recursions run in bias space mu = 2p - 1 (probability space loses precision near 1/2).
Public functions are wrapped in ``jax.jit`` (one compilation per argument signature) and compose
with ``jit``, ``vmap`` and ``grad``.
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike

from theory.majority_tree_continuous import (
    chain_risk,
    continuous_mixing_depth,
    star_risk,
    tree_floor,
    tree_floor_global,
    tree_lambda,
    tree_risk,
)

__all__ = [
    "B_MAX", "majority_slope", "majority_bias", "majority_prob", "alpha_rho", "step_bias", "step",
    "iterate", "iterate_bias", "fixed_point", "fixed_point_b3", "near_critical_constant",
    "critical_gamma", "critical_rho", "critical_flip_prob", "organization_exponent",
    "mixing_depth", "clipped_bias", "comm_overhead", "leaf_bias", "optimal_leaf_compute",
    "optimal_leaf_count", "budget_threshold", "fidelity", "max_odd_fanin", "tree_lambda",
    "star_risk", "chain_risk", "tree_risk", "tree_floor", "tree_floor_global",
    "continuous_mixing_depth", "step_bias_sent_shock", "iterate_sent_shock",
]

B_MAX = 31
_KMAX = (B_MAX - 1) // 2  # max polynomial degree index: f_b has degree 2k+1, k <= 15
# _SLOPE[k] = f_b'(0) = b C(b-1, k) / 2^(b-1), b = 2k+1.
_SLOPE = np.array([(2 * k + 1) * math.comb(2 * k, k) / 2.0 ** (2 * k) for k in range(_KMAX + 1)],
                  dtype=np.float64)
# _POLY[k, j] = f_b'(0) C(k, j) (-1)^j / (2j+1): f_b(mu) = sum_j _POLY[k, j] mu^(2j+1).
_POLY = np.array([[_SLOPE[k] * math.comb(k, j) * (-1) ** j / (2 * j + 1) for j in range(_KMAX + 1)]
                  for k in range(_KMAX + 1)], dtype=np.float64)
# Central binomials C(b-1, k) for the Evans-Schulman formula (kept separate from _SLOPE).
_CENTRAL = np.array([math.comb(2 * k, k) for k in range(_KMAX + 1)], dtype=np.float64)
_ALPHA_TOL = 1e-12  # alpha <= 1 + _ALPHA_TOL counts as not supercritical (mu* = 0)


def _f(x: ArrayLike) -> jax.Array:
    """Cast to the default float dtype (float64 under x64)."""
    return jnp.asarray(x, dtype=jax.dtypes.canonicalize_dtype(jnp.float64))


def _i(b: ArrayLike) -> jax.Array:
    """Cast a fan-in to the default integer dtype (rounding a float input)."""
    b = jnp.asarray(b)
    if not jnp.issubdtype(b.dtype, jnp.integer):
        b = jnp.round(b)
    return b.astype(jax.dtypes.canonicalize_dtype(jnp.int64))


def _bc(*xs: ArrayLike) -> list[jax.Array]:
    """Cast floats (last argument is the integer fan-in b) and broadcast explicitly."""
    return jnp.broadcast_arrays(*(_f(x) for x in xs[:-1]), _i(xs[-1]))


def _k_valid(b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Index k = (b-1)/2 into the tables (clipped) and the mask of valid odd b in [1, B_MAX]."""
    valid = (b >= 1) & (b <= B_MAX) & (b % 2 == 1)
    return jnp.clip((b - 1) // 2, 0, _KMAX), valid


@jax.jit
def majority_slope(b: ArrayLike) -> jax.Array:
    """Majority slope f_b'(0) = b C(b-1, (b-1)/2) / 2^(b-1) [summary; alpha_rho ingredient].

    Exact table lookup (spec 2.2); NaN for even or out-of-range b.
    """
    k, valid = _k_valid(_i(b))
    return jnp.where(valid, _f(_SLOPE)[k], jnp.nan)


def _rows(b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Coefficient rows _POLY[(b-1)/2] (shape b.shape + (16,)) and the valid-b mask."""
    k, valid = _k_valid(b)
    return _f(_POLY)[k], valid


def _odd_poly(mu: jax.Array, rows: tuple[jax.Array, jax.Array]) -> jax.Array:
    """mu * Horner(mu^2) over the gathered rows (zero-padded to degree 15); NaN for invalid b."""
    coef, valid = rows
    m2 = mu * mu
    acc = jnp.zeros_like(mu)
    for j in range(_KMAX, -1, -1):
        acc = acc * m2 + coef[..., j]
    return jnp.where(valid, mu * acc, jnp.nan)


def _g(mu, gamma, rho, rows, sent: bool = False) -> jax.Array:
    """One level in bias space with pre-gathered rows (loop bodies gather only once)."""
    nu = gamma * mu
    shocked = mu * _odd_poly(gamma, rows) if sent else nu
    return rho * shocked + (1.0 - rho) * _odd_poly(nu, rows)


@jax.jit
def majority_bias(mu: ArrayLike, b: ArrayLike) -> jax.Array:
    """Majority bias map f_b(mu) = 2 Maj_b((1+mu)/2) - 1, spec 2.2 (exact identity).

    f_b(mu) = f_b'(0) sum_{j<=k} C(k,j) (-1)^j mu^(2j+1)/(2j+1), k = (b-1)/2: the coefficient row
    _POLY[k] is gathered per element and evaluated by Horner in mu^2 (fixed degree 15, rows padded
    with zeros), then multiplied by mu, so the result has full relative precision near mu = 0.
    """
    mu, b = _bc(mu, b)
    return _odd_poly(mu, _rows(b))


@jax.jit
def majority_prob(q: ArrayLike, b: ArrayLike) -> jax.Array:
    """Maj_b(q) = sum_{k>(b-1)/2} C(b,k) q^k (1-q)^(b-k) = I_q((b+1)/2, (b+1)/2), spec 2.2.

    Computed as (1 + f_b(2q - 1))/2.
    """
    q = _f(q)
    return 0.5 * (1.0 + majority_bias(2.0 * q - 1.0, b))


@jax.jit
def alpha_rho(gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Small-signal gain alpha_rho = gamma (rho + (1-rho) f_b'(0)) = g'(0) [summary] ("Thm 4")."""
    gamma, rho, b = _bc(gamma, rho, b)
    return gamma * (rho + (1.0 - rho) * majority_slope(b))


@jax.jit
def step_bias(mu: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """One level in bias space, g(mu) = rho gamma mu + (1-rho) f_b(gamma mu) [reconstructed].

    Exact for the generative model of spec 2.2 (channel on inputs, shock after the channel).
    """
    mu, gamma, rho, b = _bc(mu, gamma, rho, b)
    return _g(mu, gamma, rho, _rows(b))


@jax.jit
def step(p: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """One level in probability form, F(p) = rho q + (1-rho) Maj_b(q), q = 1/2 + gamma(p - 1/2).

    [reconstructed] spec 2.2; evaluated through ``step_bias`` in bias space.
    """
    return 0.5 + 0.5 * step_bias(2.0 * _f(p) - 1.0, gamma, rho, b)


@jax.jit
def step_bias_sent_shock(mu: ArrayLike, gamma: ArrayLike, rho: ArrayLike,
                         b: ArrayLike) -> jax.Array:
    """Ablation: shock *before* the channel ("sent"), rho mu f_b(gamma) + (1-rho) f_b(gamma mu).

    [reconstructed] Derivation. Child bits X_j are i.i.d. with bias mu. Without a shock (prob.
    1-rho) the received bits R_j = X_j xor F_j are i.i.d. with bias gamma mu, so the majority has
    bias f_b(gamma mu). With a shock (prob. rho) every copy is X_0 and each copy gets its own flip:
    given X_0 the received bits are i.i.d. with bias gamma sign(X_0), the majority has conditional
    bias f_b(gamma) sign(X_0), and E[sign(X_0)] = mu. Hence the map above; its gain at 0 is
    rho f_b(gamma) + (1-rho) gamma f_b'(0) != alpha_rho (spec 2.2, 8 item 2).
    """
    mu, gamma, rho, b = _bc(mu, gamma, rho, b)
    return _g(mu, gamma, rho, _rows(b), sent=True)


def _scan_bias(mu0, gamma, rho, b, depth: int, sent: bool = False) -> jax.Array:
    """mu_0 ... mu_depth of the bias recursion, trailing axis of length depth+1 (lax.scan)."""
    mu0, gamma, rho, b = _bc(mu0, gamma, rho, b)
    rows = _rows(b)

    def body(mu, _):
        nxt = _g(mu, gamma, rho, rows, sent)
        return nxt, nxt

    _, ys = lax.scan(body, mu0, None, length=depth)
    return jnp.moveaxis(jnp.concatenate([mu0[None], ys], axis=0), 0, -1)


@partial(jax.jit, static_argnames=("depth",))
def iterate_bias(mu0: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike,
                 depth: int) -> jax.Array:
    """Biases mu_0 ... mu_depth of mu_{l+1} = g(mu_l) [reconstructed], trailing axis depth+1."""
    return _scan_bias(mu0, gamma, rho, b, depth)


@partial(jax.jit, static_argnames=("depth",))
def iterate(p0: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike,
            depth: int) -> jax.Array:
    """Accuracies p_0 ... p_depth of p_{l+1} = F(p_l) [reconstructed], via bias space."""
    return 0.5 + 0.5 * _scan_bias(2.0 * _f(p0) - 1.0, gamma, rho, b, depth)


@partial(jax.jit, static_argnames=("depth",))
def iterate_sent_shock(p0: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike,
                       depth: int) -> jax.Array:
    """Accuracies p_0 ... p_depth under the "sent"-shock ablation (``step_bias_sent_shock``)."""
    return 0.5 + 0.5 * _scan_bias(2.0 * _f(p0) - 1.0, gamma, rho, b, depth, sent=True)


@jax.jit
def fixed_point(gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Nontrivial fixed point mu* >= 0 of g [reconstructed; existence per summaries' Thm 4].

    Bisection on h(mu) = g(mu) - mu over [0, 1] with 200 halvings: g is concave, so for
    alpha > 1 + 1e-12, h > 0 on (0, mu*) and h < 0 on (mu*, 1]. Returns 0 where alpha <= 1 + 1e-12.
    """
    gamma, rho, b = _bc(gamma, rho, b)
    alpha = alpha_rho(gamma, rho, b)
    rows = _rows(b)

    def body(_, lohi):
        lo, hi = lohi
        mid = 0.5 * (lo + hi)
        up = _g(mid, gamma, rho, rows) - mid > 0.0
        return jnp.where(up, mid, lo), jnp.where(up, hi, mid)

    lo, hi = lax.fori_loop(0, 200, body, (jnp.zeros_like(gamma), jnp.ones_like(gamma)))
    return jnp.where(alpha > 1.0 + _ALPHA_TOL, 0.5 * (lo + hi), 0.0)


@jax.jit
def fixed_point_b3(gamma: ArrayLike, rho: ArrayLike) -> jax.Array:
    """b = 3 closed form mu*^2 = [3 gamma - 2(1 - rho gamma)/(1-rho)] / gamma^3 [reconstructed].

    Valid where alpha = gamma (rho + 1.5 (1-rho)) > 1 (as in ``fixed_point``, alpha <= 1 + 1e-12
    counts as critical, so exactly critical grid cells give 0, not sqrt(rounding error)).
    """
    gamma, rho = jnp.broadcast_arrays(_f(gamma), _f(rho))
    sup = gamma * (rho + 1.5 * (1.0 - rho)) > 1.0 + _ALPHA_TOL
    sq = (3.0 * gamma - 2.0 * (1.0 - rho * gamma) / (1.0 - rho)) / gamma**3
    return jnp.where(sup, jnp.sqrt(jnp.where(sup, jnp.maximum(sq, 0.0), 0.0)), 0.0)


@jax.jit
def near_critical_constant(gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """C = (1-rho) gamma^3 f_b'(0) (b-1)/6 = (1-rho) gamma^3 |f_b'''(0)|/6 [reconstructed].

    Near criticality mu*^2 ~ (alpha - 1)/C; at alpha = 1, mu_L ~ (2 C L + mu0^-2)^(-1/2).
    """
    gamma, rho, b = _bc(gamma, rho, b)
    return (1.0 - rho) * gamma**3 * majority_slope(b) * (b - 1) / 6.0


@jax.jit
def critical_gamma(rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Critical fidelity gamma_c(rho) = 1/(rho + (1-rho) f_b'(0)), where alpha_rho = 1."""
    rho, b = _bc(rho, b)
    return 1.0 / (rho + (1.0 - rho) * majority_slope(b))


@jax.jit
def critical_rho(gamma: ArrayLike, b: ArrayLike) -> jax.Array:
    """Critical correlation rho_c(gamma) = (f_b'(0) - 1/gamma)/(f_b'(0) - 1) [reconstructed].

    The tree is supercritical iff rho < rho_c; rho_c <= 0 means never.
    """
    gamma, b = _bc(gamma, b)
    slope = majority_slope(b)
    return (slope - 1.0 / gamma) / (slope - 1.0)


@jax.jit
def critical_flip_prob(b: ArrayLike) -> jax.Array:
    """Evans-Schulman threshold eps_b = 1/2 - 2^(b-2)/(b C(b-1, (b-1)/2)) [classical].

    Equals (1 - critical_gamma(0, b))/2; 1/6 for b = 3 (Hajek-Weller).
    """
    k, valid = _k_valid(_i(b))
    bf = _f(2 * k + 1)
    eps = 0.5 - 2.0 ** (bf - 2.0) / (bf * _f(_CENTRAL)[k])
    return jnp.where(valid, eps, jnp.nan)


@jax.jit
def organization_exponent(gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Organization exponent s = ln alpha_rho / ln b [summary]; negative when alpha < 1."""
    gamma, rho, b = _bc(gamma, rho, b)
    return jnp.log(alpha_rho(gamma, rho, b)) / jnp.log(_f(b))


@jax.jit
def mixing_depth(mu0: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike) -> jax.Array:
    """Mixing depth L_mix = ln(mu*/|mu0|)/ln alpha [reconstructed], spec 3.3.

    0 if |mu0| >= mu*; +inf if alpha <= 1 + 1e-12 (mu* = 0) or mu0 = 0.
    """
    mu0, gamma, rho, b = _bc(mu0, gamma, rho, b)
    alpha = alpha_rho(gamma, rho, b)
    mstar = fixed_point(gamma, rho, b)
    a = jnp.abs(mu0)
    sup = alpha > 1.0 + _ALPHA_TOL
    ok = sup & (a > 0.0) & (a < mstar)
    depth = jnp.log(jnp.where(ok, mstar / a, 2.0)) / jnp.log(jnp.where(ok, alpha, 2.0))
    return jnp.where(ok, depth, jnp.where(sup & (a > 0.0), 0.0, jnp.inf))


@jax.jit
def clipped_bias(mu0: ArrayLike, gamma: ArrayLike, rho: ArrayLike, b: ArrayLike,
                 depth: ArrayLike) -> jax.Array:
    """Clipped predictor sign(mu0) min(alpha^L |mu0|, mu*) for alpha > 1, else alpha^L mu0.

    [reconstructed] spec 3.3; an upper bound on |mu_L| when |mu0| <= mu*. ``depth`` may be an int
    array of L values (broadcast with the other arguments).
    """
    # mu* does not depend on the depth: bisect once per cell, before broadcasting over L.
    alpha = alpha_rho(gamma, rho, b)
    mstar = fixed_point(gamma, rho, b)
    mu0, alpha, mstar, depth = _bc(mu0, alpha, mstar, depth)
    lin = alpha**depth * mu0
    clip = jnp.sign(mu0) * jnp.minimum(jnp.abs(lin), mstar)
    return jnp.where(alpha > 1.0 + _ALPHA_TOL, clip, lin)


@jax.jit
def comm_overhead(m: ArrayLike, b: ArrayLike) -> jax.Array:
    """Per-leaf communication overhead c0 = 2 m b/(b-1) [summary], spec 2.4."""
    m, b = jnp.broadcast_arrays(_f(m), _f(b))
    return 2.0 * m * b / (b - 1.0)


@jax.jit
def leaf_bias(x: ArrayLike, kappa: ArrayLike, beta: ArrayLike) -> jax.Array:
    """Leaf law mu0(x) = min(kappa x^beta, 1) [convention], spec 2.4; 0 where x <= 0."""
    x, kappa, beta = jnp.broadcast_arrays(_f(x), _f(kappa), _f(beta))
    pos = x > 0.0
    val = jnp.minimum(kappa * jnp.where(pos, x, 1.0) ** beta, 1.0)
    return jnp.where(pos, val, 0.0)


@jax.jit
def optimal_leaf_compute(beta: ArrayLike, s: ArrayLike, c0: ArrayLike) -> jax.Array:
    """Optimal per-leaf compute x* = beta c0/(s - beta) [summary] ("Thm 9"); +inf if s <= beta."""
    beta, s, c0 = jnp.broadcast_arrays(_f(beta), _f(s), _f(c0))
    win = s > beta
    return jnp.where(win, beta * c0 / jnp.where(win, s - beta, 1.0), jnp.inf)


@partial(jax.jit, static_argnames=("accounting",))
def optimal_leaf_count(B: ArrayLike, beta: ArrayLike, s: ArrayLike, c0: ArrayLike,
                       accounting: str = "approx") -> jax.Array:
    """Optimal leaf count N* [reconstructed]; accounting [convention], spec 2.4 and 3.2c.

    "approx" (B = N (x + c0)): N* = B (s-beta)/(s c0); "exact" (B = N x + c0 (N-1)):
    N* = (B + c0)(s-beta)/(s c0). Returns 1 (a single agent) if s <= beta.
    """
    if accounting not in ("approx", "exact"):
        raise ValueError(f"accounting must be 'approx' or 'exact', got {accounting!r}")
    B, beta, s, c0 = jnp.broadcast_arrays(_f(B), _f(beta), _f(s), _f(c0))
    budget = B if accounting == "approx" else B + c0
    return jnp.where(s > beta, budget * (s - beta) / (s * c0), 1.0)


@jax.jit
def budget_threshold(beta: ArrayLike, s: ArrayLike, c0: ArrayLike) -> jax.Array:
    """Budget threshold B_th = c0 s/(s-beta) (s/beta)^(beta/(s-beta)) [reconstructed].

    The budget at which the optimally allocated tree's small-signal bias, (beta/s)^beta N*^(s-beta)
    times the single agent's, equals the single agent's (approx accounting). +inf if s <= beta.
    """
    beta, s, c0 = jnp.broadcast_arrays(_f(beta), _f(s), _f(c0))
    win = s > beta
    gap = jnp.where(win, s - beta, 1.0)
    val = c0 * s / gap * (s / beta) ** (beta / gap)
    return jnp.where(win, val, jnp.inf)


@partial(jax.jit, static_argnames=("family",))
def fidelity(m: ArrayLike, m0: ArrayLike, family: str = "exp") -> jax.Array:
    """Message fidelity gamma(m) [convention]: 1 - exp(-m/m0) ("exp") or m/(m + m0)."""
    m, m0 = jnp.broadcast_arrays(_f(m), _f(m0))
    if family == "exp":
        return -jnp.expm1(-m / m0)
    if family == "hyperbolic":
        return m / (m + m0)
    raise ValueError(f"family must be 'exp' or 'hyperbolic', got {family!r}")


@jax.jit
def max_odd_fanin(W: ArrayLike, m: ArrayLike, b_cap: ArrayLike = 15) -> jax.Array:
    """Largest odd b <= min(floor(W/m), b_cap), or 0 if that is < 3 [abstract cap; convention].

    The context window W must hold a node's b inputs of m tokens each (spec 2.4).
    """
    W, m, b_cap = jnp.broadcast_arrays(jnp.asarray(W), jnp.asarray(m), _i(b_cap))
    ints = jnp.issubdtype(W.dtype, jnp.integer) and jnp.issubdtype(m.dtype, jnp.integer)
    n = W // m if ints else jnp.floor(_f(W) / _f(m))
    n = jnp.minimum(_i(n), b_cap)
    odd = n - (1 - n % 2)
    return jnp.where(odd >= 3, odd, 0)
