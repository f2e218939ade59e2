"""Sparse autoencoders of the effective-features experiment (Bereska et al., spec §2.3).

The network is the Flax module ``SparseAutoencoder``; training keeps its parameters as the plain
``{"params": ...}`` pytree and applies the module. Two variants, both z = ReLU(a E^T + c) with
the dictionary E of shape (D, N) (rows = atoms):

- tied, no decoder bias (paper's toy validation, authors' ``experiments/adversarial/sae.py``):
  a' = z E; init E Xavier-uniform (bound sqrt(6/(N + D))), c = 0.
- untied with biases (authors' ``experiments/interventions/dropout.py``): a' = z G^T + d;
  every weight and bias PyTorch-Linear init U(±1/sqrt(fan_in)).

Loss reduction (trap 14): ``mean`` (authors' code, default) = mean (a − a')^2 + λ mean |z|;
``sum`` (paper's equation) = batch mean of ‖a − a'‖^2 + λ‖z‖_1. They are the same objective only
with λ_sum = λ N / D.

Training is one pure function, vmappable over (key, activations, λ): epoch-wise reshuffle with
fixed-size batches (the remainder is dropped: 78 batches of 128 for 10 000 samples), Adam
(``optax.adam``, β = (0.9, 0.999), eps 1e-8, constant lr), ``lax.scan`` over epochs and batches.
Early stopping (trap 16) is emulated per instance: the epoch-mean training loss (batch losses
before each update, as PyTorch accumulates them) is tracked with the best parameters and the epoch
of the best loss; once ``patience`` epochs pass without improvement the instance's updates are
frozen (its neighbours on the instance axis keep training), and the best epoch's parameters are
returned. ``patience = 0`` disables early stopping and returns the last parameters. Note: the
authors' trainer stores ``state_dict().copy()``, a shallow copy whose tensors the optimizer keeps
updating in place, so their "restore best" returns the stop epoch's parameters; the spec (and
this module) return the best epoch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

Params = dict[str, jax.Array]
REDUCTIONS = ("mean", "sum")


def symmetric_uniform(bound: float) -> nn.initializers.Initializer:
    """U(−bound, bound) (PyTorch's Linear and Xavier-uniform shape)."""
    def init(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
        return jax.random.uniform(key, shape, dtype, -bound, bound)
    return init


def _row(vector: jax.Array, like: jax.Array) -> jax.Array:
    """``vector`` reshaped to broadcast over the leading axes of ``like`` (explicit ranks)."""
    return jnp.reshape(vector, (1,) * (like.ndim - 1) + vector.shape)


class SparseAutoencoder(nn.Module):
    """z = ReLU(a E^T + c); a' = z E (tied, no decoder bias) or z G^T + d (untied).

    Initialisers (module docstring): tied E Xavier-uniform, c = 0; untied E, c U(±1/sqrt(N)),
    G, d U(±1/sqrt(D)). ``init_sae`` draws them with the experiment's explicit key split.
    """

    n_in: int
    dict_size: int
    tied: bool

    def initializers(self) -> dict[str, tuple[nn.initializers.Initializer, tuple[int, ...]]]:
        """Parameter name -> (initialiser, shape), in the order of ``init_sae``'s keys."""
        n, d = self.n_in, self.dict_size
        if self.tied:
            return {"E": (symmetric_uniform((6.0 / (n + d)) ** 0.5), (d, n)),
                    "c": (nn.initializers.zeros_init(), (d,))}
        enc, dec = symmetric_uniform(n ** -0.5), symmetric_uniform(d ** -0.5)
        return {"E": (enc, (d, n)), "c": (enc, (d,)), "G": (dec, (n, d)), "d": (dec, (n,))}

    def setup(self) -> None:
        self.p = {name: self.param(name, init, shape)
                  for name, (init, shape) in self.initializers().items()}

    def encode(self, acts: jax.Array) -> jax.Array:
        """Codes z = ReLU(a E^T + c), shape (..., D)."""
        return jax.nn.relu(acts @ self.p["E"].T + _row(self.p["c"], acts))

    def decode(self, codes: jax.Array) -> jax.Array:
        """Reconstruction: z E (tied, no bias) or z G^T + d (untied)."""
        if self.tied:
            return codes @ self.p["E"]
        return codes @ self.p["G"].T + _row(self.p["d"], codes)

    def __call__(self, acts: jax.Array) -> tuple[jax.Array, jax.Array]:
        """(codes, reconstruction)."""
        codes = self.encode(acts)
        return codes, self.decode(codes)


def module_for(params: Params) -> SparseAutoencoder:
    """The module whose parameters ``params`` are (shapes and variant read off the arrays)."""
    dict_size, n_in = params["E"].shape
    return SparseAutoencoder(n_in, dict_size, tied="G" not in params)


def init_sae(key: jax.Array, n_in: int, dict_size: int, tied: bool) -> Params:
    """Initial SAE parameters (float32): the module's initialisers with explicit keys — ``key``
    itself for the tied E, ``split(key, 4)`` for (E, c, G, d) untied — so the draws are those of
    the pre-Flax code (``SparseAutoencoder.init`` would derive per-name keys instead)."""
    inits = SparseAutoencoder(n_in, dict_size, tied).initializers()
    keys = [key] * 2 if tied else list(jax.random.split(key, 4))
    return {name: init(k, shape, jnp.float32)
            for k, (name, (init, shape)) in zip(keys, inits.items(), strict=True)}


def encode(params: Params, acts: jax.Array) -> jax.Array:
    """Codes z = ReLU(a E^T + c), shape (..., D)."""
    return module_for(params).apply({"params": params}, acts, method=SparseAutoencoder.encode)


def decode(params: Params, codes: jax.Array) -> jax.Array:
    """Reconstruction: z E (tied, no bias) or z G^T + d (untied)."""
    return module_for(params).apply({"params": params}, codes, method=SparseAutoencoder.decode)


def sae_loss(params: Params, acts: jax.Array, l1: jax.Array, reduction: str) -> jax.Array:
    """Training objective of one batch (acts (B, N)); ``reduction`` in REDUCTIONS."""
    codes, recon = module_for(params).apply({"params": params}, acts)
    err = (acts - recon) ** 2
    if reduction == "mean":
        return jnp.mean(err) + l1 * jnp.mean(jnp.abs(codes))
    if reduction == "sum":
        return jnp.mean(jnp.sum(err, axis=-1) + l1 * jnp.sum(jnp.abs(codes), axis=-1))
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


class StopState(NamedTuple):
    """Per-instance early-stopping bookkeeping (all scalars except ``best_params``)."""

    best_loss: jax.Array
    best_epoch: jax.Array  # 0-based epoch of the best epoch-mean loss
    active: jax.Array  # False once the patience ran out: updates are frozen
    stop_epoch: jax.Array  # epochs actually trained (= max epochs when never stopped)
    best_params: Any


def init_stop_state(params: Params, max_epochs: int) -> StopState:
    return StopState(jnp.asarray(jnp.inf, jnp.float32), jnp.asarray(-1, jnp.int32),
                     jnp.asarray(True), jnp.asarray(max_epochs, jnp.int32), params)


def early_stopping_update(state: StopState, epoch: jax.Array, epoch_loss: jax.Array,
                          params: Any, patience: int) -> StopState:
    """One end-of-epoch step of the authors' rule, for an instance that may already be frozen.

    Code: ``if loss < best: best = loss, best_epoch = epoch, keep params; elif patience > 0 and
    epoch - best_epoch >= patience: stop``. ``epoch`` is 0-based; ``stop_epoch`` counts epochs.
    """
    # int32 whatever jax_enable_x64 says, so the scan carry keeps its dtype.
    epoch = jnp.asarray(epoch, jnp.int32)
    improved = state.active & (epoch_loss < state.best_loss)
    stop_now = (state.active & ~improved & (patience > 0)
                & (epoch - state.best_epoch >= patience))
    pick = lambda new, old: jnp.where(improved, new, old)  # noqa: E731
    return StopState(
        best_loss=pick(epoch_loss, state.best_loss),
        best_epoch=pick(epoch, state.best_epoch),
        active=state.active & ~stop_now,
        stop_epoch=jnp.where(stop_now, epoch + 1, state.stop_epoch),
        best_params=jax.tree.map(pick, params, state.best_params),
    )


def train_sae(key: jax.Array, acts: jax.Array, l1: jax.Array, *, dict_size: int, tied: bool,
              epochs: int, batch: int, patience: int, reduction: str = "mean",
              lr: float = 1e-3) -> dict[str, jax.Array]:
    """Trains one SAE on ``acts`` (S, N); pure and vmappable over (key, acts, l1).

    Returns dict(params=the best epoch's parameters (last ones when patience = 0),
    epoch_loss=(epochs,) epoch-mean training loss (NaN after the stop), best_epoch (1-based),
    stop_epoch (epochs trained)).
    """
    samples, n_in = acts.shape
    num_batches = samples // batch
    if num_batches < 1:
        raise ValueError(f"need at least one batch of {batch} samples, got {samples}")
    init_key, shuffle_key = jax.random.split(key)
    params = init_sae(init_key, n_in, dict_size, tied)
    optimizer = optax.adam(lr, b1=0.9, b2=0.999, eps=1e-8)
    grad_fn = jax.value_and_grad(sae_loss)

    def batch_step(carry, batch_acts):
        params, opt_state, active = carry
        loss, grads = grad_fn(params, batch_acts, l1, reduction)
        updates, new_opt = optimizer.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        # Frozen instances keep their parameters and moments (trap 16).
        keep = lambda new, old: jnp.where(active, new, old)  # noqa: E731
        return (jax.tree.map(keep, new_params, params), jax.tree.map(keep, new_opt, opt_state),
                active), loss

    def epoch_step(carry, epoch):
        params, opt_state, stop = carry
        order = jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), samples)
        batches = acts[order[:num_batches * batch]].reshape(num_batches, batch, n_in)
        (params, opt_state, _), losses = jax.lax.scan(
            batch_step, (params, opt_state, stop.active), batches)
        epoch_loss = jnp.mean(losses)
        logged = jnp.where(stop.active, epoch_loss, jnp.nan)
        stop = early_stopping_update(stop, epoch, epoch_loss, params, patience)
        return (params, opt_state, stop), logged

    carry = (params, optimizer.init(params), init_stop_state(params, epochs))
    (params, _, stop), curve = jax.lax.scan(epoch_step, carry, jnp.arange(epochs))
    final = stop.best_params if patience > 0 else params
    return {"params": final, "epoch_loss": curve, "best_epoch": stop.best_epoch + 1,
            "stop_epoch": stop.stop_epoch}


def code_summary(params: Params, acts: jax.Array) -> dict[str, jax.Array]:
    """Per-atom L1 code mass Σ_s |z_{s,i}| (D,), reconstruction MSE and the dictionary norm.

    ``dict_frob`` is ‖E‖_F^2 for the tied SAE and ‖G‖_F^2 (decoder) for the untied one.
    """
    codes, recon = module_for(params).apply({"params": params}, acts)
    decoder = params.get("G", params["E"])
    return {"mass": jnp.sum(jnp.abs(codes), axis=0),
            "recon_mse": jnp.mean((acts - recon) ** 2),
            "dict_frob": jnp.sum(decoder ** 2)}
