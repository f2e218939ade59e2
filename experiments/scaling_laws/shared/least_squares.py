"""Generic fitting helpers of the scaling-law pillar (spec §4b): multi-start nonlinear least
squares (SciPy, host, float64), the same as a pure-JAX Levenberg-Marquardt that vmaps over
starts and data sets, and ordinary least squares with standard errors (jax.numpy, vmappable).

``experiments/scaling_laws/shared/fit.py`` re-exports ``least_squares_fit`` and ``ols``. ``ols``
and ``lm_fit`` are building blocks traced inside the callers' ``jit(vmap)``: they compute in the
dtype of their inputs (float64 where the caller runs under x64).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from jax.scipy.linalg import solve_triangular

__all__ = ["OLSResult", "best_of_starts", "least_squares_fit", "lm_fit", "ols"]


def least_squares_fit(
    fun: Callable[[np.ndarray, np.ndarray], np.ndarray],
    starts: Sequence[Sequence[float]] | np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    method: str = "trf",
    bounds: tuple[Any, Any] = (-np.inf, np.inf),
    *,
    jac: Callable[[np.ndarray, np.ndarray], np.ndarray] | str = "2-point",
    **options: Any,
) -> scipy.optimize.OptimizeResult:
    """Fits ``fun(params, x) ≈ y`` from every start; returns the lowest finite-cost result.

    Residuals are ``fun(params, x) − y``; ``jac(params, x)`` (optional) is their Jacobian.
    ``method``/``bounds``/``options`` go to ``scipy.optimize.least_squares`` ("lm" takes no
    bounds). Starts whose cost is not finite, or that raise (e.g. overflow), are skipped. The
    result gains ``start_index`` (which start won) and ``n_finite`` (starts with finite cost).
    Raises ValueError when no start gives a finite cost.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    starts = np.atleast_2d(np.asarray(starts, np.float64))
    residual = lambda p: fun(p, x) - y  # noqa: E731
    jacobian = (lambda p: jac(p, x)) if callable(jac) else jac
    kwargs = dict(options)
    if method != "lm":
        kwargs["bounds"] = bounds
    best, n_finite = None, 0
    for index, start in enumerate(starts):
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                result = scipy.optimize.least_squares(residual, start, jac=jacobian,
                                                      method=method, **kwargs)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        if not (np.isfinite(result.cost) and np.all(np.isfinite(result.x))):
            continue
        n_finite += 1
        if best is None or result.cost < best.cost:
            best = result
            best.start_index = index
    if best is None:
        raise ValueError(f"least_squares_fit: none of {len(starts)} starts gave a finite cost")
    best.n_finite = n_finite
    return best


class OLSResult(NamedTuple):
    """Ordinary least squares y ≈ X·coef (X of full column rank)."""

    coef: jnp.ndarray  # (p,)
    se: jnp.ndarray  # (p,) sqrt(diag(σ̂²(XᵀX)⁻¹))
    resid_var: jnp.ndarray  # σ̂² = RSS/(n − p)
    r_squared: jnp.ndarray  # 1 − RSS/Σ(y − ȳ)²
    dof: int  # n − p


def ols(X: jnp.ndarray, y: jnp.ndarray) -> OLSResult:
    """OLS by QR (no normal equations, so conditioning is that of X, not XᵀX).

    ``X``: (n, p) design (include a constant column for an intercept); ``y``: (n,). Pure
    jax.numpy: vmap it over data sets. R² is centred (about ȳ), as for a model with intercept.
    """
    X, y = jnp.asarray(X), jnp.asarray(y)
    n, p = X.shape
    if n <= p:
        raise ValueError(f"ols needs more rows than columns, got X{X.shape}")
    q, r = jnp.linalg.qr(X)
    coef = solve_triangular(r, q.T @ y, lower=False)
    resid = y - X @ coef
    rss = resid @ resid
    resid_var = rss / (n - p)
    r_inv = solve_triangular(r, jnp.eye(p, dtype=r.dtype), lower=False)
    se = jnp.sqrt(resid_var * jnp.sum(r_inv**2, axis=1))  # diag((RᵀR)⁻¹) = row norms of R⁻¹
    centred = y - jnp.mean(y)
    return OLSResult(coef, se, resid_var, 1.0 - rss / (centred @ centred), n - p)


def lm_fit(residual: Callable[..., jnp.ndarray], start: jnp.ndarray, *args: Any, steps: int = 200,
           lower: jnp.ndarray | None = None, upper: jnp.ndarray | None = None,
           scaled: bool = True, mu0: float = 1e-3) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Levenberg-Marquardt with Marquardt scaling for a fixed number of steps (pure, vmappable).

    Minimises ½‖residual(p, *args)‖² from ``start``; returns (p, cost). Each step solves
    (JᵀJ + μ·diag(JᵀJ))δ = −Jᵀr and accepts it if the cost falls (μ ÷ 3), else μ × 4. Optional
    box bounds keep iterates strictly feasible: a coordinate whose step would leave the box moves
    half-way to its bound; a parameter that starts on its bound with its descent direction
    pointing outside is frozen for that step (projected Newton).
    Non-finite trial costs count as rejections, so a start that wanders into overflow stays put.
    """
    start = jnp.asarray(start)
    n_par = start.shape[0]
    lo = jnp.full((n_par,), -jnp.inf) if lower is None else jnp.asarray(lower, start.dtype)
    hi = jnp.full((n_par,), jnp.inf) if upper is None else jnp.asarray(upper, start.dtype)
    jac = jax.jacfwd(residual)

    def cost_of(p: jnp.ndarray) -> jnp.ndarray:
        r = residual(p, *args)
        c = 0.5 * (r @ r)
        return jnp.where(jnp.isfinite(c), c, jnp.inf)

    def step(state, _):
        p, mu, cost = state
        r, J = residual(p, *args), jac(p, *args)
        g, H = J.T @ r, J.T @ J
        frozen = ((p <= lo) & (g > 0)) | ((p >= hi) & (g < 0))
        free = (~frozen).astype(p.dtype)
        H = H * free[:, None] * free[None, :] + jnp.diag(1.0 - free)
        scale = jnp.maximum(jnp.diag(H), 1e-30) if scaled else jnp.ones_like(g)
        delta = jnp.linalg.solve(H + mu * jnp.diag(scale), -g * free)
        # Strictly feasible steps (as in trust-region-reflective): a coordinate whose step would
        # leave the box moves half-way to its bound instead, so it can still come back.
        raw = p + delta
        trial = jnp.where(raw < lo, p + 0.5 * (lo - p),
                          jnp.where(raw > hi, p + 0.5 * (hi - p), raw))
        trial_cost = cost_of(trial)
        accept = trial_cost < cost
        p = jnp.where(accept, trial, p)
        cost = jnp.where(accept, trial_cost, cost)
        mu = jnp.clip(jnp.where(accept, mu / 3.0, mu * 4.0), 1e-15, 1e15)
        return (p, mu, cost), None

    start = jnp.clip(start, lo, hi)
    init = (start, jnp.asarray(mu0, start.dtype), cost_of(start))
    (p, _, cost), _ = jax.lax.scan(step, init, None, length=steps)
    return p, cost


def best_of_starts(params: jnp.ndarray, costs: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """The lowest finite-cost row of (starts, p) ``params`` (vmappable); cost ∞ if none."""
    costs = jnp.where(jnp.isfinite(costs), costs, jnp.inf)
    best = jnp.argmin(costs)
    return params[best], costs[best]
