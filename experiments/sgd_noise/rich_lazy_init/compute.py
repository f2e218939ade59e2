"""The two sweeps of ``rich_lazy_init``: one ``jit(vmap)`` over (rank or aligned) × seed lanes each.

Linear analogue: full-batch gradient descent (optax.sgd) on the exact population loss, one G,
w2 and teacher β per seed shared by every rank (paired comparisons). RNN: SGD with momentum
(optax) on freshly generated decision trials, one draw of (W_in, W_rec, W_out) and one trial
stream per seed shared by every rank. Tangent kernels need the Jacobian of all 768 outputs with
respect to W_rec, so they run in a second pass a few lanes at a time (memory, not arithmetic).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import run_sweep
from experiments.sgd_noise.rich_lazy_init import model
from experiments.sgd_noise.rich_lazy_init.metrics import ALIGNED, summarize
from theory import sgd_noise as theory

Array = jax.Array
STREAMS = {"init": 0, "data": 1, "probe": 2, "eval": 3}
KERNEL_LANES = 4  # lanes per kernel call (the Jacobian is 768 × N² floats per lane)


def lane_table(ranks: list[int], seeds: int) -> dict[str, np.ndarray]:
    """Every lane: its rank code (``ALIGNED`` for the control) and seed."""
    codes = [*ranks, ALIGNED]
    return {"rank": np.repeat(np.asarray(codes, np.int32), seeds),
            "seed": np.tile(np.arange(seeds, dtype=np.int32), len(codes))}


def _keys(base_seed: int, seed: Array) -> dict[str, Array]:
    base = jax.random.fold_in(jax.random.key(base_seed), seed)
    return {name: jax.random.fold_in(base, index) for name, index in STREAMS.items()}


def _shared_key(base_seed: int, stream: str) -> Array:
    """A stream shared by every lane (probe and evaluation inputs)."""
    return jax.random.fold_in(jax.random.key(base_seed), 10_000 + STREAMS[stream])


def _alignment(A: Array, B: Array) -> Array:
    return theory.kernel_alignment(A @ A.T, B @ B.T)


# --- linear analogue ----------------------------------------------------------------------------


def linear_lane(seed: Array, rank: Array, *, base_seed: int, dim: int, hidden: int, steps: int,
                lr: float, probe: Array, record_every: int) -> dict[str, Array]:
    """One linear student from its rank-r (or aligned) initialisation to the end of training."""
    keys = _keys(base_seed, seed)
    k_g, k_w2, k_beta = jax.random.split(keys["init"], 3)
    G = jax.random.normal(k_g, (hidden, dim)) / dim**0.5
    beta = jax.random.normal(k_beta, (dim,))
    beta = beta / jnp.linalg.norm(beta)
    u1 = jnp.linalg.svd(G, full_matrices=False)[0][:, 0]
    W1 = jnp.where(rank == ALIGNED, model.rank_one(jnp.linalg.norm(G), u1, beta),
                   model.rank_truncate(G, rank))
    start = {"W1": W1, "w2": jax.random.normal(k_w2, (hidden,)) / hidden**0.5}
    optimizer = optax.sgd(lr)
    loss_and_grad = jax.value_and_grad(model.linear_population_loss)

    def step(carry, _):
        params, state = carry
        loss, grads = loss_and_grad(params, beta)
        updates, state = optimizer.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), loss

    (end, _), losses = jax.lax.scan(step, (start, optimizer.init(start)), None, length=steps)
    k0 = theory.two_layer_linear_ntk(start["W1"], start["w2"], probe)
    k1 = theory.two_layer_linear_ntk(end["W1"], end["w2"], probe)
    s = model.singular_values(start["W1"])
    return {
        "rel_change": jnp.linalg.norm(end["W1"] - start["W1"]) / jnp.linalg.norm(start["W1"]),
        "readout_change": jnp.linalg.norm(end["w2"] - start["w2"]),
        "kernel_alignment": theory.kernel_alignment(k0, k1),
        "representation_alignment": _alignment(probe @ start["W1"].T, probe @ end["W1"].T),
        "final_loss": model.linear_population_loss(end, beta),
        "effective_rank_entropy": theory.effective_rank(s, "entropy"),
        "effective_rank_participation": theory.effective_rank(s, "participation"),
        "loss_curve": losses[::record_every],
    }


def run_linear(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    table = lane_table(config.linear_ranks, config.linear_seeds)
    probe = jax.random.normal(_shared_key(config.seed, "probe"),
                              (config.linear_probe, config.linear_dim))
    fn = functools.partial(linear_lane, base_seed=config.seed, dim=config.linear_dim,
                           hidden=config.linear_hidden, steps=config.linear_steps,
                           lr=config.linear_lr, probe=probe, record_every=config.record_every)
    out = run_sweep(fn, (table["seed"], table["rank"]), batch=table["seed"].size,
                    num_devices=num_devices, name="rich_lazy_init linear")
    return {**table, **{k: np.asarray(v) for k, v in out.items()}}


# --- RNN ------------------------------------------------------------------------------------


def _rnn(config: Config) -> model.RateRNN:
    return model.RateRNN(hidden=config.rnn_hidden, leak=config.rnn_leak, gain=config.rnn_gain)


def _trials(config: Config, key: Array, trials: int) -> tuple[Array, Array, Array]:
    return model.decision_trials(key, trials, jnp.asarray(config.coherences),
                                 config.stimulus_steps, config.evidence_noise)


def rnn_start(config: Config, seed: Array, rank: Array) -> dict[str, Array]:
    """Initial parameters of one lane: the seed's draw with W_rec truncated to ``rank``.

    The aligned control is the rank-1 truncation with its top left singular vector replaced by
    û = W_in(e₁ − e₂), the direction in which the evidence difference enters the network: its
    column space contains the task's input (as the linear analogue replaces the top right
    singular vector by β). Keeping the random right vector keeps the loop gain of the recurrence
    as small as the unaligned rank-1 init's; û ûᵀ would amplify by ‖G‖_F per step.
    """
    keys = _keys(config.seed, seed)
    dummy = jnp.zeros((config.stimulus_steps + 1, model.N_INPUTS))
    params = _rnn(config).init(keys["init"], dummy)["params"]
    G = params["W_rec"]
    u = params["W_in"][:, 1] - params["W_in"][:, 2]
    v1 = jnp.linalg.svd(G, full_matrices=False)[2][0]
    W_rec = jnp.where(rank == ALIGNED, model.rank_one(jnp.linalg.norm(G), u, v1),
                      model.rank_truncate(G, rank))
    return {**params, "W_rec": W_rec}


def rnn_train_lane(seed: Array, rank: Array, *, config: Config, eval_inputs: Array,
                   eval_targets: Array) -> dict[str, Array]:
    """Trains one lane; returns its start and end parameters, curves and final accuracy."""
    net = _rnn(config)
    start = rnn_start(config, seed, rank)
    data_key = _keys(config.seed, seed)["data"]
    optimizer = optax.sgd(config.rnn_lr, momentum=config.rnn_momentum)

    def loss_fn(params, inputs, targets):
        logits = jax.vmap(lambda x: net.apply({"params": params}, x))(inputs)
        return model.cross_entropy(logits, targets), model.decision_accuracy(logits, targets)

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

    def step(carry, index):
        params, state = carry
        inputs, targets, _ = _trials(config, jax.random.fold_in(data_key, index), config.batch)
        (loss, accuracy), grads = grad_fn(params, inputs, targets)
        updates, state = optimizer.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), (loss, accuracy)

    def window(carry, first):  # record_every steps, their mean loss and accuracy
        carry, (loss, accuracy) = jax.lax.scan(step, carry, first + jnp.arange(
            config.record_every))
        return carry, (jnp.mean(loss), jnp.mean(accuracy))

    records = config.rnn_steps // config.record_every
    (end, _), (losses, accuracies) = jax.lax.scan(
        window, (start, optimizer.init(start)),
        jnp.arange(records) * config.record_every)
    _, final_accuracy = loss_fn(end, eval_inputs, eval_targets)
    return {"start": start, "end": end, "loss_curve": losses, "accuracy_curve": accuracies,
            "accuracy": final_accuracy}


def rnn_kernels(start: dict[str, Array], end: dict[str, Array], *, config: Config,
                probe: Array, rep_inputs: Array) -> dict[str, Array]:
    """Tangent-kernel and representation alignment between the start and the end of one lane.

    K = J Jᵀ with J the Jacobian of every logit (step, probe trial, output unit) with respect
    to W_rec; representations are the decision-step hidden states of ``rep_inputs``.
    """
    net = _rnn(config)

    def logits(W_rec, params):
        full = {**params, "W_rec": W_rec}
        return jax.vmap(lambda x: net.apply({"params": full}, x))(probe).reshape(-1)

    def kernel(params):
        J = jax.jacrev(logits)(params["W_rec"], params)  # (outputs, N, N)
        J = J.reshape(J.shape[0], -1)
        return J @ J.T

    def last_states(params):
        states = jax.vmap(lambda x: net.apply({"params": params}, x,
                                              method=model.RateRNN.hidden_states))(rep_inputs)
        return states[:, -1]

    s = model.singular_values(start["W_rec"])
    delta = jnp.linalg.norm(end["W_rec"] - start["W_rec"])
    return {
        "weight_change": delta, "rel_change": delta / jnp.linalg.norm(start["W_rec"]),
        "kernel_alignment": theory.kernel_alignment(kernel(start), kernel(end)),
        "representation_alignment": _alignment(last_states(start), last_states(end)),
        "effective_rank_entropy": theory.effective_rank(s, "entropy"),
        "effective_rank_participation": theory.effective_rank(s, "participation"),
    }


def run_rnn(config: Config, num_devices: int) -> dict[str, np.ndarray]:
    table = lane_table(config.rnn_ranks, config.rnn_seeds)
    eval_inputs, eval_targets, _ = _trials(config, _shared_key(config.seed, "eval"),
                                           config.eval_trials)
    trained = run_sweep(
        functools.partial(rnn_train_lane, config=config, eval_inputs=eval_inputs,
                          eval_targets=eval_targets),
        (table["seed"], table["rank"]), batch=table["seed"].size, num_devices=num_devices,
        name="rich_lazy_init rnn training")
    probe, _, _ = _trials(config, _shared_key(config.seed, "probe"), config.probe_trials)
    rep_inputs, _, _ = _trials(config, jax.random.fold_in(_shared_key(config.seed, "probe"), 1),
                               config.representation_trials)
    names = sorted(trained["start"])  # run_sweep takes flat arrays: one per parameter

    def lane_kernels(*flat: Array) -> dict[str, Array]:
        start = dict(zip(names, flat[:len(names)], strict=True))
        end = dict(zip(names, flat[len(names):], strict=True))
        return rnn_kernels(start, end, config=config, probe=probe, rep_inputs=rep_inputs)

    kernels = run_sweep(
        lane_kernels, tuple(trained[part][n] for part in ("start", "end") for n in names),
        batch=KERNEL_LANES, num_devices=num_devices, name="rich_lazy_init rnn kernels")
    return {**table, **{k: np.asarray(v) for k, v in kernels.items()},
            **{k: np.asarray(trained[k]) for k in ("loss_curve", "accuracy_curve", "accuracy")}}


def run_lanes(config: Config, ctx: RunContext) -> dict[str, Any]:
    """Both parts, each a resumable stage; returns the flat per-lane arrays."""
    linear = ctx.stage("linear", lambda: run_linear(config, ctx.num_devices))
    rnn = ctx.stage("rnn", lambda: run_rnn(config, ctx.num_devices))
    return {**{f"linear/{k}": v for k, v in linear.items()},
            **{f"rnn/{k}": v for k, v in rnn.items()}}


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Both sweeps (``run_lanes``), then the metrics (``metrics.summarize``)."""
    arrays = run_lanes(config, ctx)
    return summarize(config, arrays), arrays
