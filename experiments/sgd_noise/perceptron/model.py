"""The paper's hinge perceptron on depleted_sign data, one lane = one SGD run (spec §3.1).

Data [code]: x1 = s·sqrt(2G), G ~ Gamma((χ+1)/2, 1), s = ±1; x2..xd ~ N(0, 1); y = s = sign(x1).
Model: f(w, x) = w·x/√d, h = 1, so T = η/B. The output is centred and the model linear, so the
dynamics of Δw = w − w0 do not depend on w0: Δw starts at 0 and w0 ~ N(0, I_d) only enters the
relative change ‖Δw‖/‖w0‖. SGD step (spec §2.2 with dl/dF = −y·1[y F < κ], κ = 1/α):

    Δw ← Δw + (η/B) Σ_{μ∈I} 1[y_μ Δw·x_μ/√d < κ] y_μ x_μ/√d

through optax: ``optax.sgd(η/B)`` on g = (Σ_{μ∈I} dl/dF_μ x_μ)/√d with dl/dF = −y·1[…], the gradient
of the batch-summed hinge loss (written by hand, not ``jax.grad``: the indicator is the one above).
Its update Δw + (−η/B)·g is bit-identical to the earlier hand-written Δw + (η/B)·((Σ y_μ 1[…]
x_μ)/√d) for any η, d and B, jitted or vmapped (tested at d = 8, B = 2; also checked at (d, B) =
(16, 8), (20, 3), (32, 8), (128, 2), CPU, XLA -O0 and default): the paper-claims are sensitive to
the last bit. The sign sits on dl/dF, before the sum, on purpose: with g = −((Σ y 1[…] x)/√d) XLA
reassociates the scalar factors differently and the two rules part by an ulp per step when η/B and
1/√d are not powers of two. The SGD carry is (Δw, optax state); plain SGD's state is empty.

Stop when min_μ y_μ Δw·x_μ/√d ≥ κ, checked every K = max(16, P // (8B)) steps. The comparison is
exact (tolerance 0: the margin has no subtraction), so a converged lane has training hinge loss
exactly 0 in float32. α and η are traced and the data are inputs, so one compilation serves
every (χ, α, T) at a given P. The (Δw, η, κ) → (cΔw, cη, cκ) symmetry is bit-exact for c a
power of two [suite].
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax
from jax.sharding import Mesh, PartitionSpec

from experiments.sgd_noise.shared import sgd

OUTPUTS = ("w1", "w_perp", "rel_change", "steps", "status", "margin")


def check_period(train_size: int, batch: int) -> int:
    """K = max(16, P // (8B)) steps between full-training-set margin checks."""
    return max(16, train_size // (8 * batch))


def sample_depleted_sign(key: jax.Array, num: int, dim: int,
                         chi: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``num`` depleted_sign points (float32 x of shape (num, dim), labels y = sign(x1))."""
    k_gamma, k_sign, k_perp = jax.random.split(key, 3)
    shape = (jnp.asarray(chi, jnp.float32) + 1.0) / 2.0
    g = jax.random.gamma(k_gamma, shape, (num,), dtype=jnp.float32)
    sign = jax.random.rademacher(k_sign, (num,), dtype=jnp.float32)
    x1 = sign * jnp.sqrt(2.0 * g)
    x_perp = jax.random.normal(k_perp, (num, dim - 1), dtype=jnp.float32)
    return jnp.concatenate([x1[:, None], x_perp], axis=1), sign


def sample_pool(base_seed: jax.Array, replica: jax.Array, chi: jax.Array, *, num: int,
                dim: int) -> tuple[jax.Array, jax.Array]:
    """The seed's data pool (from its ``train`` stream); a run with P points uses the first P.

    Training sets of one seed are therefore nested across P (common random numbers); each seed
    draws its own pool. One compilation (pool size = the largest P) serves every P: the gamma
    sampler is the most expensive piece to compile.
    """
    return sample_depleted_sign(sgd.lane_keys(base_seed, replica)["train"], num, dim, chi)


@functools.cache
def compiled_pool(num: int, dim: int) -> Callable[..., tuple[jax.Array, jax.Array]]:
    """``jit(vmap(sample_pool))`` over (base seed, replica, χ) rows."""
    return jax.jit(jax.vmap(functools.partial(sample_pool, num=num, dim=dim)))


SGDState = tuple[jax.Array, optax.OptState]  # (Δw, optimizer state)
Step = Callable[[SGDState, jax.Array], SGDState]  # (state, step index) -> state


def optimizer(eta: jax.Array, batch: int) -> optax.GradientTransformation:
    """Plain SGD with step η/B on the batch-summed loss (= step η on the batch mean)."""
    return optax.sgd(eta / batch)


def sgd_start(dim: int) -> SGDState:
    """Δw = 0 and the optimizer's state (empty for plain SGD, whatever η: ``init`` reads the
    parameters only)."""
    dw = jnp.zeros((dim,), jnp.float32)
    return dw, optimizer(jnp.float32(1.0), 1).init(dw)


def _dynamics(x: jax.Array, y: jax.Array, batch_key: jax.Array, alpha: jax.Array,
              eta: jax.Array, *, batch: int, sampling: str
              ) -> tuple[Step, Callable[[SGDState], jax.Array]]:
    """(sgd_step, margin) of one lane: the hinge SGD update of Δw (optax) and
    min_μ α y_μ Δw·x_μ/√d."""
    train_size, dim = x.shape
    alpha = jnp.asarray(alpha, jnp.float32)
    eta = jnp.asarray(eta, jnp.float32)
    kappa = 1.0 / alpha
    inv_sqrt_d = jnp.float32(1.0 / dim**0.5)
    tx = optimizer(eta, batch)

    def sgd_step(state: SGDState, step: jax.Array) -> SGDState:
        dw, opt_state = state
        idx = sgd.batch_indices(batch_key, step, train_size, batch, sampling)
        xb, yb = x[idx], y[idx]
        margins = yb * (xb @ dw) * inv_sqrt_d
        dloss = jnp.where(margins < kappa, -yb, 0.0)  # dl/dF = −y for the unfitted points
        grad = (dloss @ xb) * inv_sqrt_d  # ∇_Δw Σ_{μ∈I} l_μ
        updates, opt_state = tx.update(grad, opt_state, dw)
        return optax.apply_updates(dw, updates), opt_state

    def margin(state: SGDState) -> jax.Array:
        return jnp.min(y * (x @ state[0]) * inv_sqrt_d) * alpha

    return sgd_step, margin


def _observables(dw: jax.Array, init_key: jax.Array) -> dict[str, jax.Array]:
    w0 = jax.random.normal(init_key, dw.shape, dtype=jnp.float32)
    return {"w1": dw[0], "w_perp": jnp.linalg.norm(dw[1:]),
            "rel_change": jnp.linalg.norm(dw) / jnp.linalg.norm(w0)}


def run_one(x: jax.Array, y: jax.Array, base_seed: jax.Array, replica: jax.Array,
            alpha: jax.Array, eta: jax.Array, *, batch: int, max_steps: int, sampling: str,
            return_params: bool = False) -> dict[str, jax.Array]:
    """One SGD run to zero training hinge loss; returns the lane's observables.

    Args:
      x, y: the lane's training set, float32 (P, d) and (P,) (the first P points of its seed's
        pool, see ``sample_pool``).
      base_seed, replica: int32 seeds (init and batch streams derive from them only).
      alpha: α (κ = 1/α; traced). eta: learning rate η = T·B (traced).
      batch, max_steps, sampling: static.
      return_params: also return Δw (tests).
    """
    train_size, dim = x.shape
    keys = sgd.lane_keys(base_seed, replica)
    sgd_step, margin = _dynamics(x, y, keys["batch"], alpha, eta, batch=batch, sampling=sampling)
    result = sgd.train_until_fit(
        sgd_step, margin, sgd_start(dim),
        check_period=check_period(train_size, batch), max_steps=max_steps, tolerance=0.0)
    dw = result.params[0]
    out = {**_observables(dw, keys["init"]), "steps": result.steps,
           "status": result.status, "margin": result.margin}
    if return_params:
        out["dw"] = dw
    return out


@functools.cache
def compiled_sweep(batch: int, max_steps: int, sampling: str
                   ) -> Callable[..., dict[str, jax.Array]]:
    """``jit(vmap(run_one))`` over lanes (x, y, base seed, replica, α, η); one compile per P."""
    fn = functools.partial(run_one, batch=batch, max_steps=max_steps, sampling=sampling)
    return jax.jit(jax.vmap(fn))


def run_queue(x: jax.Array, y: jax.Array, base_seed: jax.Array, replica: jax.Array,
              alpha: jax.Array, eta: jax.Array, *, batch: int, max_steps: int, sampling: str,
              slots: int) -> dict[str, jax.Array]:
    """``vmap(run_one)`` over n lanes, computed with ``slots`` lanes in flight.

    A vmapped while loop runs every lane until the slowest one stops, and the perceptron's
    stopping times are heavy-tailed (at χ = 0 the slowest of 64 lanes takes ≈ 3.4x the mean), so
    most of that work is discarded. Here a lane that stops hands its slot to the next lane not
    yet started; the loop ends when the last lane stops. Each lane runs exactly the chunks of
    ``train_until_fit`` (same ``fit_chunk``, same step indices), so its outputs are those of
    ``run_one`` (tested); only the schedule changes. Lanes start in the given order, so put the
    slow ones first.

    Args: as ``run_one``, each with a leading lane axis of size n; ``slots`` (static) ≤ n.
    Returns: ``run_one``'s outputs (without ``dw``), each of shape (n,).
    """
    n, train_size, dim = x.shape
    slots = min(slots, n)
    keys = jax.vmap(sgd.lane_keys)(base_seed, replica)

    def lane_chunk(lane_x, lane_y, batch_key, a, e, carry):
        sgd_step, margin = _dynamics(lane_x, lane_y, batch_key, a, e, batch=batch,
                                     sampling=sampling)
        chunk = sgd.fit_chunk(sgd_step, margin, check_period=check_period(train_size, batch),
                              max_steps=max_steps, tolerance=0.0)
        return chunk(carry)

    def fresh(count: int) -> sgd.FitCarry:
        return jax.vmap(lambda _: sgd.fit_start(sgd_start(dim)))(
            jnp.arange(count))

    def hand_over(state):
        """Records the lanes that stopped and gives their slots to the next lanes."""
        lane, xs, ys, carry, next_lane, out = state
        done = (carry[2] != sgd.RUNNING) & (lane < n)
        finished = jax.vmap(_observables)(carry[0][0], keys["init"][jnp.minimum(lane, n - 1)])
        finished |= {"steps": carry[1], "status": carry[2], "margin": carry[3]}
        target = jnp.where(done, lane, n)  # index n is out of range: dropped
        out = {k: v.at[target].set(finished[k].astype(v.dtype), mode="drop")
               for k, v in out.items()}
        order = next_lane + jnp.cumsum(done, dtype=jnp.int32) - 1
        lane = jnp.where(done, jnp.where(order < n, order, n), lane).astype(jnp.int32)
        source = jnp.minimum(lane, n - 1)
        xs = jnp.where(done[:, None, None], x[source], xs)
        ys = jnp.where(done[:, None], y[source], ys)
        restart = fresh(slots)
        carry = jax.tree.map(
            lambda new, old: jnp.where(done.reshape((-1,) + (1,) * (old.ndim - 1)), new, old),
            restart, carry)
        return lane, xs, ys, carry, next_lane + jnp.sum(done, dtype=jnp.int32), out

    def body(state):
        lane, xs, ys, carry, next_lane, out = state
        source = jnp.minimum(lane, n - 1)
        carry = jax.vmap(lane_chunk)(xs, ys, keys["batch"][source], alpha[source], eta[source],
                                     carry)
        state = (lane, xs, ys, carry, next_lane, out)
        any_done = jnp.any((carry[2] != sgd.RUNNING) & (lane < n))
        return lax.cond(any_done, hand_over, lambda s: s, state)

    out = {"w1": jnp.zeros(n, jnp.float32), "w_perp": jnp.zeros(n, jnp.float32),
           "rel_change": jnp.zeros(n, jnp.float32), "steps": jnp.zeros(n, jnp.int32),
           "status": jnp.zeros(n, jnp.int32), "margin": jnp.zeros(n, jnp.float32)}
    first = jnp.arange(slots, dtype=jnp.int32)
    state = (first, x[:slots], y[:slots], fresh(slots), jnp.int32(slots), out)
    state = lax.while_loop(lambda s: jnp.any(s[0] < n), body, state)
    return state[-1]


@functools.cache
def compiled_queue(batch: int, max_steps: int, sampling: str, slots: int, num_devices: int = 1
                   ) -> Callable[..., dict[str, jax.Array]]:
    """``jit(run_queue)``; one compile per (P, lane count). With several devices each runs its
    own queue over its block of lanes (``shard_map`` over the lane axis)."""
    fn = functools.partial(run_queue, batch=batch, max_steps=max_steps, sampling=sampling,
                           slots=slots)
    if num_devices > 1:
        mesh = Mesh(np.array(jax.devices()[:num_devices]), ("grid",))
        fn = jax.shard_map(fn, mesh=mesh, in_specs=PartitionSpec("grid"),
                           out_specs=PartitionSpec("grid"), check_vma=False)
    return jax.jit(fn)
