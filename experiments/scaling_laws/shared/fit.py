"""Fitting machinery of the scaling-law pillar (specs/scaling_laws.md §3.2, §4b).

Chinchilla Approach 3 (Hoffmann et al. 2022, App. D.2; Besiroglu et al. 2024): parameters
θ = (a, b, e, α, β) with A = e^a, B = e^b, E = e^e, model log L̂ = LSE(a − α log N,
b − β log D, e), objective J(θ) = Σ_i Huber_δ(log L̂_i − log L_i) (δ = 1e-3, **summed**).

- ``fit_chinchilla``: the public one-call fit (multi-start L-BFGS from the paper's grid).
- ``lbfgs_fit``: L-BFGS (memory 10) under ``lax.scan`` for a fixed number of steps,
  ``jit(vmap)`` over starts and/or resampled data (never a Python loop). Default solver: the
  one-evaluation-per-step L-BFGS of ``lbfgs`` (fast under vmap); ``solver="optax"`` runs the
  spec's ``optax.lbfgs`` (zoom line search) instead.
- ``bootstrap_fit``, ``huber_loglik`` (profiled scale), ``scipy_lbfgsb_fit`` (SciPy's
  L-BFGS-B with its stopping rule, for the mean-vs-sum regression only).
- The numpyro model and NUTS driver live in ``bayes_fit``, the generic least-squares fitters in
  ``least_squares``; both are re-exported here.

Everything runs in float64: J ≈ 1e-3 and gradient norms at convergence are 1e-8 to 1e-14. The
public fits (``fit_chinchilla``, ``lbfgs_fit``, ``bootstrap_fit``, ``huber_loglik``,
``scipy_lbfgsb_fit``, ``run_nuts``) enter ``jax.enable_x64(True)`` themselves, so a caller needs no
global switch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.optimize

from experiments.common.sweep import run_sweep
from experiments.scaling_laws.shared.bayes_fit import chinchilla_numpyro_model, run_nuts
from experiments.scaling_laws.shared.lbfgs import lbfgs_minimize
from experiments.scaling_laws.shared.least_squares import least_squares_fit, ols
from experiments.scaling_laws.shared.precision import float64
from theory.scaling_chinchilla import chinchilla_log_loss, huber, huber_log_density

PARAM_NAMES = ("a", "b", "e", "alpha", "beta")
GRID_AXES = {  # [paper] Hoffmann App. D.2 initialisation grid; order = column order of θ
    "a": np.arange(0.0, 25.0 + 1e-9, 5.0),
    "b": np.arange(0.0, 25.0 + 1e-9, 5.0),
    "e": np.arange(-1.0, 1.0 + 1e-9, 0.5),
    "alpha": np.arange(0.0, 2.0 + 1e-9, 0.5),
    "beta": np.arange(0.0, 2.0 + 1e-9, 0.5),
}
FULL_GRID_SIZE = 4500
CONVERGED_RTOL = 1e-6  # a start "reaches the optimum" when J ≤ (1 + 1e-6)·J_best


class ChinchillaData(NamedTuple):
    """Log-space data of a Chinchilla fit: log N, log D, log L (each shape (n,), float64)."""

    logN: jax.Array
    logD: jax.Array
    logL: jax.Array


def _as_1d(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: a fit needs at least one data point")
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array))
        raise ValueError(f"{name} holds non-finite values (NaN or inf) at indices "
                         f"{bad[:5].tolist()}")
    if np.any(array <= 0):
        bad = np.flatnonzero(array <= 0)
        raise ValueError(f"{name} must be positive; got {array[bad[0]]!r} at index {bad[0]}")
    return array


@float64
def make_data(N: Any, D: Any, loss: Any) -> ChinchillaData:
    """Validated log-space data; raises ValueError naming the problem (empty, shape, NaN, ≤ 0)."""
    arrays = [_as_1d(name, v) for name, v in (("N", N), ("D", D), ("loss", loss))]
    sizes = {name: a.size for name, a in zip(("N", "D", "loss"), arrays, strict=True)}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"N, D and loss must have equal lengths, got {sizes}")
    return ChinchillaData(*(jnp.asarray(np.log(a)) for a in arrays))


def chinchilla_grid(kind: str | int, key: jax.Array | None = None) -> np.ndarray:
    """Initial points, shape (n, 5) in (a, b, e, α, β) order.

    ``"full"``: the 4500-point grid (meshgrid with "ij" indexing). An int n: n rows drawn from it
    without replacement with ``key``.
    """
    mesh = np.meshgrid(*GRID_AXES.values(), indexing="ij")
    full = np.stack([m.ravel() for m in mesh], axis=-1)
    if isinstance(kind, str):
        if kind != "full":
            raise ValueError(f"grid kind must be 'full' or an int, got {kind!r}")
        return full
    n = int(kind)
    if not 1 <= n <= FULL_GRID_SIZE:
        raise ValueError(f"number of starts must be in [1, {FULL_GRID_SIZE}], got {n}")
    if key is None:
        raise ValueError("a random subset of the grid needs a key")
    rows = jax.random.choice(key, FULL_GRID_SIZE, (n,), replace=False)
    return full[np.asarray(rows)]


def huber_objective(params: jax.Array, logN: jax.Array, logD: jax.Array, logL: jax.Array,
                    delta: float = 1e-3, reduce: str = "sum") -> jax.Array:
    """J(θ) = Σ_i (or mean_i) Huber_δ(log L̂(N_i, D_i; θ) − log L_i)."""
    a, b, e, alpha, beta = params[0], params[1], params[2], params[3], params[4]
    residual = chinchilla_log_loss(logN, logD, a, b, e, alpha, beta) - logL
    values = huber(residual, delta)
    if reduce == "sum":
        return jnp.sum(values)
    if reduce == "mean":
        return jnp.mean(values)
    raise ValueError(f"reduce must be 'sum' or 'mean', got {reduce!r}")


def huber_objective_grad(params: jax.Array, logN: jax.Array, logD: jax.Array, logL: jax.Array,
                         delta: float = 1e-3) -> jax.Array:
    """Closed-form ∇J (as in Epoch's notebook): clip(residual, ±δ) times the softmax weights of
    the three LSE terms, times ∂(term)/∂θ. Used to check ``jax.grad``."""
    a, b, e, alpha, beta = params[0], params[1], params[2], params[3], params[4]
    terms = jnp.stack([a - alpha * logN, b - beta * logD, e + 0 * logN], axis=-1)
    weights = jax.nn.softmax(terms, axis=-1)
    clipped = jnp.clip(jax.nn.logsumexp(terms, axis=-1) - logL, -delta, delta)
    wa, wb, we = (clipped * weights[:, k] for k in range(3))
    return jnp.stack([wa.sum(), wb.sum(), we.sum(), -(wa * logN).sum(), -(wb * logD).sum()])


def huber_value_and_grad(params: jax.Array, logN: jax.Array, logD: jax.Array,
                         logL: jax.Array, delta: float = 1e-3) -> tuple[jax.Array, jax.Array]:
    """(J, ∇J) of the summed objective in closed form, for the hot loop of the fits.

    Same function as ``huber_objective`` (sum) but with the three terms exponentiated once
    (2 exp + 1 log per point instead of autodiff through logsumexp). Overflow at wild
    line-search trials gives inf, which the line search rejects.
    """
    a, b, e, alpha, beta = params[0], params[1], params[2], params[3], params[4]
    term_a = jnp.exp(a - alpha * logN)
    term_b = jnp.exp(b - beta * logD)
    term_e = jnp.exp(e)
    total = term_a + term_b + term_e
    residual = jnp.log(total) - logL
    abs_r = jnp.abs(residual)
    value = jnp.sum(jnp.where(abs_r <= delta, 0.5 * residual * residual,
                              delta * (abs_r - 0.5 * delta)))
    clipped = jnp.clip(residual, -delta, delta) / total
    wa, wb = clipped * term_a, clipped * term_b
    grad = jnp.stack([wa.sum(), wb.sum(), term_e * clipped.sum(), -(wa * logN).sum(),
                      -(wb * logD).sum()])
    return value, grad


def optax_lbfgs_single(objective: Callable[[jax.Array], jax.Array], start: jax.Array,
                       steps: int) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """One L-BFGS run with ``optax.lbfgs`` (memory 10, zoom line search), ``steps`` iterations.

    The spec's reference optimiser; slow under vmap (see ``lbfgs``), kept for cross-checks.

    Returns (params, final objective, final gradient norm, objective per step (steps,)).
    """
    solver = optax.lbfgs(memory_size=10)
    value_and_grad = optax.value_and_grad_from_state(objective)

    def step(carry, _):
        params, state = carry
        value, grad = value_and_grad(params, state=state)
        updates, state = solver.update(grad, state, params, value=value, grad=grad,
                                       value_fn=objective)
        return (optax.apply_updates(params, updates), state), value

    (params, _), trace = jax.lax.scan(step, (start, solver.init(start)), None, length=steps)
    value, grad = jax.value_and_grad(objective)(params)
    return params, value, jnp.linalg.norm(grad), trace


SOLVERS = {"fast": lbfgs_minimize, "optax": optax_lbfgs_single}


@float64
def lbfgs_fit(objective: Callable[..., jax.Array], starts: np.ndarray,
              data: Sequence[np.ndarray], steps: int, *, batched_data: bool = False,
              num_devices: int = 1, batch: int | None = None, name: str = "lbfgs",
              solver: str = "fast",
              closed_form_grad: bool = False, delta: float = 1e-3) -> dict[str, np.ndarray]:
    """``jit(vmap)`` of one L-BFGS run over starts (and over data rows if ``batched_data``).

    ``solver``: ``"fast"`` (``lbfgs.lbfgs_minimize``: ``steps`` objective evaluations) or
    ``"optax"`` (``optax.lbfgs``: ``steps`` iterations with a zoom line search each).

    ``objective(params, *data)``; ``starts`` (n, 5); ``data`` shared arrays, or arrays with a
    leading axis n when ``batched_data``. ``closed_form_grad``: use ``huber_value_and_grad``
    (threshold ``delta``) instead of autodiff of ``objective`` (which must then be the summed
    Huber objective). Returns numpy ``params`` (n, 5), ``objective`` (n,)
    with non-finite values replaced by +inf, ``grad_norm`` (n,), ``trace`` (n, steps).
    """
    starts = np.asarray(starts, np.float64)
    data = tuple(np.asarray(d, np.float64) for d in data)
    run_one = SOLVERS[solver]
    if closed_form_grad and solver != "fast":
        raise ValueError("closed_form_grad needs solver='fast'")

    def one(start, *row_data):
        used = row_data if batched_data else tuple(jnp.asarray(d) for d in data)
        if closed_form_grad:  # objective(p, *data) must be the summed Huber objective
            vg = lambda p: huber_value_and_grad(p, *used, delta=delta)  # noqa: E731
            params, value, gnorm, trace = lbfgs_minimize(None, start, steps, value_and_grad=vg)
        else:
            params, value, gnorm, trace = run_one(lambda p: objective(p, *used), start, steps)
        return {"params": params, "objective": value, "grad_norm": gnorm, "trace": trace}

    rows = (starts, *data) if batched_data else (starts,)
    out = run_sweep(one, rows, batch=batch or starts.shape[0], num_devices=num_devices,
                    name=name)
    out["objective"] = np.where(np.isfinite(out["objective"]), out["objective"], np.inf)
    return out


@dataclasses.dataclass(frozen=True)
class ChinchillaFit:
    """Result of ``fit_chinchilla``: best parameters, objective, and per-start convergence."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    theta: np.ndarray  # (a, b, e, α, β) of the best start
    objective: float  # J at the best start
    grad_norm: float
    converged_fraction: float  # starts with J ≤ (1 + 1e-6)·J_best
    non_finite: int  # starts whose final objective was NaN/inf
    starts: np.ndarray  # (n, 5)
    start_objectives: np.ndarray  # (n,), +inf where non-finite
    start_params: np.ndarray  # (n, 5)
    start_grad_norms: np.ndarray  # (n,)
    traces: np.ndarray  # (n, steps) objective before each step

    def as_dict(self) -> dict[str, float]:
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta,
                **dict(zip(PARAM_NAMES, map(float, self.theta), strict=True)),
                "objective": self.objective, "grad_norm": self.grad_norm,
                "converged_fraction": self.converged_fraction, "non_finite": self.non_finite}


def summarize_starts(starts: np.ndarray, out: dict[str, np.ndarray]) -> ChinchillaFit:
    """Best start, converged fraction and non-finite count of a multi-start L-BFGS output."""
    objective = out["objective"]
    if not np.any(np.isfinite(objective)):
        raise FloatingPointError("every L-BFGS start diverged (non-finite objective)")
    best = int(np.argmin(objective))
    j_best = float(objective[best])
    theta = np.asarray(out["params"][best], np.float64)
    return ChinchillaFit(
        E=float(np.exp(theta[2])), A=float(np.exp(theta[0])), B=float(np.exp(theta[1])),
        alpha=float(theta[3]), beta=float(theta[4]), theta=theta, objective=j_best,
        grad_norm=float(out["grad_norm"][best]),
        converged_fraction=float(np.mean(objective <= j_best * (1 + CONVERGED_RTOL))),
        non_finite=int(np.sum(~np.isfinite(objective))), starts=starts,
        start_objectives=objective, start_params=out["params"],
        start_grad_norms=out["grad_norm"], traces=out["trace"])


@float64
def fit_chinchilla(N: Any, D: Any, loss: Any, *, starts: str | int | np.ndarray = "full",
                   delta: float = 1e-3, seed: int = 0, steps: int = 500,
                   num_devices: int = 1) -> ChinchillaFit:
    """Fits L̂ = E + A/N^α + B/D^β by Huber-sum L-BFGS from many starts, keeps the best.

    Args:
      N, D, loss: parameters, tokens and loss (nats) per run; 1-D, equal lengths, positive.
      starts: ``"full"`` (the 4500-point grid), an int n (n grid points drawn without
        replacement with ``fold_in(key(seed), 0)``), or an explicit (n, 5) array of θ.
      delta: Huber threshold on log-loss residuals.
      steps: L-BFGS steps per start (fixed; all starts run in one vmapped scan).
    Raises:
      ValueError: empty, mismatched, non-finite or non-positive data; bad starts or delta.
    """
    data = make_data(N, D, loss)
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    if isinstance(starts, str | int):
        grid = chinchilla_grid(starts, jax.random.fold_in(jax.random.key(seed), 0))
    else:
        grid = np.asarray(starts, np.float64)
        if grid.ndim != 2 or grid.shape[1] != 5 or grid.shape[0] == 0:
            raise ValueError(f"starts must have shape (n, 5) with n ≥ 1, got {grid.shape}")

    def objective(params, logN, logD, logL):
        return huber_objective(params, logN, logD, logL, delta)

    out = lbfgs_fit(objective, grid, data, steps, num_devices=num_devices, name="chinchilla fit",
                    closed_form_grad=True, delta=delta)
    return summarize_starts(grid, out)


@float64
def bootstrap_fit(key: jax.Array, data: ChinchillaData, point: np.ndarray, n_boot: int,
                  steps: int, *, delta: float = 1e-3, num_devices: int = 1) -> dict[str, Any]:
    """Refits ``n_boot`` resamples (with replacement, same size) from the full-data optimum.

    Returns ``theta`` (n_boot, 5), ``objective``, ``grad_norm`` and the resample ``indices``.
    """
    n = data.logN.shape[0]
    indices = np.asarray(jax.random.randint(key, (n_boot, n), 0, n))
    resampled = [np.asarray(d)[indices] for d in data]
    starts = np.broadcast_to(np.asarray(point, np.float64), (n_boot, 5))

    def objective(params, logN, logD, logL):
        return huber_objective(params, logN, logD, logL, delta)

    out = lbfgs_fit(objective, starts, resampled, steps, batched_data=True,
                    num_devices=num_devices, name="bootstrap", closed_form_grad=True,
                    delta=delta)
    return {"theta": out["params"], "objective": out["objective"],
            "grad_norm": out["grad_norm"], "indices": indices}


@float64
def huber_loglik(params: Sequence[float], data: ChinchillaData,
                 delta: float = 1e-3) -> tuple[float, float]:
    """Huber log-likelihood of the log-loss residuals, maximised over log s in [−20, 0].

    Returns (log-likelihood, log s at the maximum).
    """
    theta = jnp.asarray(params, jnp.float64)
    residual = chinchilla_log_loss(data.logN, data.logD, *theta) - data.logL

    @jax.jit
    def negative(log_scale):
        return -jnp.sum(huber_log_density(residual, delta, log_scale))

    found = scipy.optimize.minimize_scalar(lambda s: float(negative(s)), bounds=(-20.0, 0.0),
                                           method="bounded", options={"xatol": 1e-10})
    return -float(found.fun), float(found.x)


@float64
def scipy_lbfgsb_fit(start: Sequence[float], data: ChinchillaData, reduce: str = "sum",
                     options: dict[str, Any] | None = None, *, method: str = "L-BFGS-B",
                     delta: float = 1e-3) -> dict[str, Any]:
    """SciPy minimisation (L-BFGS-B by default, SciPy's default options unless given) of the
    sum or mean Huber objective with the exact gradient (``jax.grad``, float64).

    Returns ``x``, ``fun`` (the objective minimised), ``j_sum`` (summed objective at x),
    ``nit``, ``message``, ``success`` and ``trace``: the summed objective at the start and after
    each iteration (callback).
    """
    value_and_grad = _scipy_objective(reduce, delta)
    summed = _scipy_objective("sum", delta)
    logN, logD, logL = (np.asarray(d) for d in data)

    def fun(x):
        value, grad = value_and_grad(x, logN, logD, logL)
        return float(value), np.asarray(grad, np.float64)

    x0 = np.asarray(start, np.float64)
    trace = [float(summed(x0, logN, logD, logL)[0])]
    result = scipy.optimize.minimize(
        fun, x0, jac=True, method=method, options=dict(options or {}),
        callback=lambda xk: trace.append(float(summed(xk, logN, logD, logL)[0])))
    x = np.asarray(result.x, np.float64)
    return {"x": x, "fun": float(result.fun), "j_sum": float(summed(x, logN, logD, logL)[0]),
            "nit": int(result.nit), "message": str(result.message),
            "success": bool(result.success), "trace": np.asarray(trace)}


_SCIPY_CACHE: dict[tuple[str, float], Callable[..., Any]] = {}


def _scipy_objective(reduce: str, delta: float) -> Callable[..., Any]:
    if (reduce, delta) not in _SCIPY_CACHE:
        _SCIPY_CACHE[(reduce, delta)] = jax.jit(jax.value_and_grad(
            lambda p, n, d, l: huber_objective(p, n, d, l, delta, reduce)))
    return _SCIPY_CACHE[(reduce, delta)]


__all__ = [
    "FULL_GRID_SIZE", "PARAM_NAMES", "ChinchillaData", "ChinchillaFit", "bootstrap_fit",
    "chinchilla_grid", "chinchilla_numpyro_model", "fit_chinchilla", "huber_loglik",
    "huber_objective", "huber_objective_grad", "huber_value_and_grad", "lbfgs_fit",
    "lbfgs_minimize", "least_squares_fit", "make_data", "ols", "optax_lbfgs_single", "run_nuts",
    "scipy_lbfgsb_fit", "summarize_starts",
]
