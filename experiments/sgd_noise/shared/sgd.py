"""The SGD machinery every experiment of the SGD-noise pillar uses (spec specs/sgd_noise.md §2):
α-trick, hinge loss, temperature, batch draws, per-lane keys and the stop-at-zero-loss rule.

API (all JAX functions are pure, jit- and vmap-safe, with α and η as traced scalars):

- ``hinge_loss(F, y, alpha)``: per-sample (1/α)·max(0, 1 − α y F) = max(0, 1/α − y F) [code].
  Its derivative in F, ``hinge_dloss``, is −y·1[α y F < 1]: it does not depend on α, which
  only sets the margin κ = 1/α that y F must reach (Chizat–Bach's 1/α² convention would need
  η_CB = α η for the same dynamics; do not use it).
- ``centred_output(f, f0)``: F = f(w, x) − f(w0, x) with f(w0, ·) computed once and stored.
- ``learning_rate(T, batch, width)``: η = T·B·h (T = η/(B h); h = 1 for the perceptron, the
  width dividing the read-out for the FC net). ``training_time(eta, steps)``: t* = η·steps.
- ``batch_indices(batch_key, step, num_train, batch, sampling)``: B indices for SGD step
  ``step`` from ``fold_in(batch_key, step)``; ``sampling`` "replace" (i.i.d. uniform) or
  "distinct" (first B of a fresh permutation, the authors' code).
- ``lane_keys(base_seed, replica)``: the per-lane streams (init, train, batch), functions of the
  seeds only (common random numbers across α and T).
- ``train_until_fit(sgd_step, margin, params, check_period=K, max_steps=N)``: SGD in chunks of K
  steps (``lax.scan`` inside ``lax.while_loop``); after each chunk m = margin(params) =
  min_μ α y_μ F(w, x_μ) on the full training set; status CONVERGED if m ≥ 1 − tolerance,
  DIVERGED if m or any parameter is not finite, CAPPED once steps ≥ max_steps (steps are
  multiples of K, so a capped run has ceil(N/K)·K steps), RUNNING (0) otherwise. Under vmap a lane
  that stopped keeps its carry unchanged (JAX batches the while predicate per lane), so one
  ``jit(vmap(...))`` serves a whole group of (α, T, seed) lanes.
- ``test_error(F, y)``: fraction of y·F ≤ 0 (F = 0 counts as an error), NaN if any F is not
  finite, so a diverged lane never looks perfect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

# --- statuses and numerics (spec §2.3) ------------------------------------------------------

RUNNING, CONVERGED, DIVERGED, CAPPED = 0, 1, 2, 3
STATUS_NAMES = {RUNNING: "running", CONVERGED: "converged", DIVERGED: "diverged",
                CAPPED: "capped"}
MARGIN_TOLERANCE = 1e-6  # α y F ≥ 1 − 1e−6 in float32 (spec §8.1 item 14)
STREAMS = {"init": 0, "train": 1, "batch": 2}


def hinge_loss(F: jax.Array, y: jax.Array, alpha: jax.Array) -> jax.Array:
    """Per-sample loss l = (1/α) max(0, 1 − α y F) = max(0, 1/α − y F)."""
    return jnp.maximum(0.0, 1.0 / alpha - y * F)


def hinge_dloss(F: jax.Array, y: jax.Array, alpha: jax.Array) -> jax.Array:
    """dl/dF = −y·1[α y F < 1] (independent of α except through the margin)."""
    return jnp.where(alpha * y * F < 1.0, -y, jnp.zeros_like(y))


def centred_output(f: jax.Array, f0: jax.Array) -> jax.Array:
    """F(w, x) = f(w, x) − f(w0, x)."""
    return f - f0


def learning_rate(T: Any, batch: int, width: int = 1) -> Any:
    """η = T·B·h (temperature T = η/(B·h), spec §2.2)."""
    return T * batch * width


def temperature(eta: Any, batch: int, width: int = 1) -> Any:
    """T = η/(B·h)."""
    return eta / (batch * width)


def training_time(eta: Any, steps: Any) -> Any:
    """t* = η × steps (never report steps as time)."""
    return eta * steps


def lane_keys(base_seed: jax.Array, replica: jax.Array) -> dict[str, jax.Array]:
    """Independent streams of one lane: ``fold_in(fold_in(key(base_seed), replica), stream)``.

    ``base_seed`` is the run's ``--seed``, ``replica`` the lane's seed index; the streams never
    depend on (α, T), so cells with the same replica share init, training set and batches.
    """
    base = jax.random.fold_in(jax.random.key(base_seed), replica)
    return {name: jax.random.fold_in(base, index) for name, index in STREAMS.items()}


def batch_indices(batch_key: jax.Array, step: jax.Array, num_train: int, batch: int,
                  sampling: str) -> jax.Array:
    """B training indices for SGD step ``step`` (int32), from ``fold_in(batch_key, step)``."""
    key = jax.random.fold_in(batch_key, step)
    if sampling == "replace":
        return jax.random.randint(key, (batch,), 0, num_train, dtype=jnp.int32)
    if sampling == "distinct":
        return jax.random.permutation(key, num_train)[:batch].astype(jnp.int32)
    raise ValueError(f"unknown batch_sampling {sampling!r}; allowed: replace, distinct")


def test_error(F: jax.Array, y: jax.Array) -> jax.Array:
    """Fraction of points with y·F ≤ 0; NaN if any output is not finite (diverged lane)."""
    wrong = jnp.mean((y * F <= 0).astype(F.dtype))
    return jnp.where(jnp.all(jnp.isfinite(F)), wrong, jnp.nan)


test_error.__test__ = False  # not a pytest test when imported into a test module


class StopResult(NamedTuple):
    """End of ``train_until_fit`` for one lane."""

    params: Any
    steps: jax.Array  # int32, multiple of the check period
    status: jax.Array  # int32: CONVERGED, DIVERGED or CAPPED
    margin: jax.Array  # min_μ α y_μ F at the stop (NaN/inf when diverged)


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree)]
    return jnp.all(jnp.stack(leaves))


def train_until_fit(
    sgd_step: Callable[[Any, jax.Array], Any],
    margin: Callable[[Any], jax.Array],
    params: Any,
    *,
    check_period: int,
    max_steps: int,
    tolerance: float = MARGIN_TOLERANCE,
) -> StopResult:
    """Runs ``params ← sgd_step(params, step)`` until the training hinge loss is zero.

    Args:
      sgd_step: one SGD update; ``step`` is the global int32 step index (fold it into the batch
        key, so the batch sequence is the same for every α and T of a seed).
      margin: min over the full training set of α·y·F(params, x) (dimensionless; ≥ 1 means every
        point is fitted, i.e. the training hinge loss is exactly zero).
      params: initial parameters (any pytree).
      check_period: K, static; the margin is checked after every K steps (t* is quantised to K).
      max_steps: static cap; the lane stops CAPPED once steps ≥ max_steps.
      tolerance: converged iff margin ≥ 1 − tolerance (1e−6 tolerates the last float32 ulp of
        F = f − f0; the perceptron uses 0, its margin has no subtraction).

    Returns:
      ``StopResult``. Vmapping this function over lanes is the intended use.
    """
    chunk = fit_chunk(sgd_step, margin, check_period=check_period, max_steps=max_steps,
                      tolerance=tolerance)
    params, steps, status, m = lax.while_loop(lambda c: c[2] == RUNNING, chunk,
                                              fit_start(params))
    return StopResult(params, steps, status, m)


FitCarry = tuple[Any, jax.Array, jax.Array, jax.Array]  # (params, steps, status, margin)


def fit_start(params: Any) -> FitCarry:
    """The carry of ``fit_chunk`` before the first step."""
    return params, jnp.int32(0), jnp.int32(RUNNING), jnp.float32(0.0)


def fit_chunk(sgd_step: Callable[[Any, jax.Array], Any], margin: Callable[[Any], jax.Array], *,
              check_period: int, max_steps: int, tolerance: float = MARGIN_TOLERANCE
              ) -> Callable[[FitCarry], FitCarry]:
    """One chunk of ``train_until_fit``: K SGD steps, then the margin check and the status.

    Exposed so that a scheduler that keeps a fixed number of lanes in flight (the perceptron's
    lane queue) runs exactly the arithmetic of ``train_until_fit``.
    """
    threshold = 1.0 - tolerance

    def chunk(carry: FitCarry) -> FitCarry:
        params, steps, _, _ = carry

        def one(p, i):
            return sgd_step(p, steps + i), None

        params, _ = lax.scan(one, params, jnp.arange(check_period, dtype=jnp.int32))
        steps = steps + check_period
        m = margin(params)
        finite = jnp.isfinite(m) & _all_finite(params)
        status = jnp.where(~finite, DIVERGED,
                           jnp.where(m >= threshold, CONVERGED,
                                     jnp.where(steps >= max_steps, CAPPED, RUNNING)))
        return params, steps, status.astype(jnp.int32), m.astype(jnp.float32)

    return chunk
