"""Multi-task sparse parity data and the dropout MLP (Bereska et al. §6.1; spec §2.3 part B).

Data (authors' ``dataset_multitasksparseparity.py``): T tasks × b bits. Input = one-hot task
(T dims) followed by the T·b data bits; the label of task t is the parity of data bits
t·b .. t·b + b − 1. All T·2^(T·b) inputs in the authors' order (task-major, then the integer i of
the data bits written most-significant bit first). Split: within each (task, label) stratum, in
the order task 0 label 0, task 0 label 1, task 1 label 0, …, shuffle with a fixed seed and put the
first floor(0.8 · size) in train; the train set is the concatenation of the strata (unshuffled,
stratum-ordered: its first rows all belong to task 0, label 0 — trap 15). The shuffle uses
numpy's generator, not torch's, so the exact membership differs from the authors' split.

Model (Flax module ``ParityMLP``; parameters kept as the plain ``{"params": ...}`` pytree): fc1
Linear(d → h) → inverted dropout on the pre-activation (training only) → ReLU → fc2 Linear(h → 1);
PyTorch Linear init; BCE-with-logits; ``optax.adam`` (0.9, 0.999, eps 1e-8) at constant lr;
shuffle every epoch with fixed-size batches (the authors' last partial batch is dropped).
``train_mlp`` is pure and vmappable over (key, dropout rate).
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.superposition.effective_features.model.sae import symmetric_uniform

Params = dict[str, jax.Array]


def parity_data(num_tasks: int = 3, bits_per_task: int = 4) -> tuple[np.ndarray, ...]:
    """(inputs (T·2^(Tb), T + Tb) float32, labels int, task int) in the authors' order."""
    data_bits = num_tasks * bits_per_task
    codes = np.arange(2 ** data_bits)
    shifts = np.arange(data_bits - 1, -1, -1)  # most significant bit first
    patterns = ((codes[:, None] >> shifts[None, :]) & 1).astype(np.int64)
    task = np.repeat(np.arange(num_tasks), codes.size)
    bits = np.tile(patterns, (num_tasks, 1))
    onehot = np.eye(num_tasks, dtype=np.int64)[task]
    offsets = task[:, None] * bits_per_task + np.arange(bits_per_task)[None, :]
    labels = np.take_along_axis(bits, offsets, axis=1).sum(axis=1) % 2
    inputs = np.concatenate([onehot, bits], axis=1).astype(np.float32)
    return inputs, labels.astype(np.int64), task


def stratified_split(task: np.ndarray, labels: np.ndarray, seed: int,
                     train_frac: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices, stratified by (task, label); train is stratum-ordered."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for t in range(int(task.max()) + 1):
        for label in (0, 1):
            rows = np.flatnonzero((task == t) & (labels == label))
            rows = rows[rng.permutation(rows.size)]
            cut = int(np.floor(train_frac * rows.size))
            train.append(rows[:cut])
            test.append(rows[cut:])
    return np.concatenate(train), np.concatenate(test)


def activation_rows(num_train: int, count: int, subset: str, seed: int) -> np.ndarray:
    """Rows of the train set whose activations the SAE sees: ``random`` (uniform without
    replacement, fixed seed) or ``first_block`` (the authors' first rows: task 0, label 0)."""
    if count > num_train:
        raise ValueError(f"asked for {count} activation rows of {num_train}")
    if subset == "first_block":
        return np.arange(count)
    if subset == "random":
        return np.sort(np.random.default_rng(seed).choice(num_train, count, replace=False))
    raise ValueError(f"unknown activation subset {subset!r}")


class ParityMLP(nn.Module):
    """fc1 (W1 (in, h), b1) → inverted dropout on the pre-activation → ReLU → fc2 (W2 (h, 1), b2).

    PyTorch Linear init: weights and biases U(±1/sqrt(fan_in)); weights stored (in, out).
    Dropout takes its rate and key as call arguments (the rate is traced along an instance axis,
    which ``nn.Dropout``'s static rate does not allow).
    """

    n_in: int
    hidden: int

    def initializers(self) -> dict[str, tuple[nn.initializers.Initializer, tuple[int, ...]]]:
        """Parameter name -> (initialiser, shape), in the order of ``init_mlp``'s keys."""
        fc1, fc2 = symmetric_uniform(self.n_in ** -0.5), symmetric_uniform(self.hidden ** -0.5)
        return {"W1": (fc1, (self.n_in, self.hidden)), "b1": (fc1, (self.hidden,)),
                "W2": (fc2, (self.hidden, 1)), "b2": (fc2, (1,))}

    def setup(self) -> None:
        self.p = {name: self.param(name, init, shape)
                  for name, (init, shape) in self.initializers().items()}

    def pre_activations(self, x: jax.Array) -> jax.Array:
        """fc1 outputs before dropout and ReLU (what the SAE reads, eval mode)."""
        b1 = self.p["b1"]
        return x @ self.p["W1"] + jnp.reshape(b1, (1,) * (x.ndim - 1) + b1.shape)

    def __call__(self, x: jax.Array, rate: jax.Array | float,
                 key: jax.Array | None = None) -> jax.Array:
        """Logits (B,); inverted dropout on the pre-activation when ``key`` is given."""
        h = self.pre_activations(x)
        if key is not None:
            keep = 1.0 - rate
            mask = jax.random.uniform(key, h.shape) < keep
            h = jnp.where(mask, h / keep, 0.0)
        return (jax.nn.relu(h) @ self.p["W2"])[:, 0] + self.p["b2"][0]


def module_for(params: Params) -> ParityMLP:
    """The module whose parameters ``params`` are (shapes read off the arrays)."""
    return ParityMLP(*params["W1"].shape)


def init_mlp(key: jax.Array, n_in: int, hidden: int) -> Params:
    """Initial parameters: the module's initialisers with keys ``split(key, 4)`` for
    (W1, b1, W2, b2), the pre-Flax draws (``ParityMLP.init`` would derive per-name keys)."""
    inits = ParityMLP(n_in, hidden).initializers()
    return {name: init(k, shape, jnp.float32)
            for k, (name, (init, shape)) in zip(jax.random.split(key, 4), inits.items(),
                                                strict=True)}


def pre_activations(params: Params, x: jax.Array) -> jax.Array:
    """fc1 outputs before dropout and ReLU (what the SAE reads, eval mode)."""
    return module_for(params).apply({"params": params}, x, method=ParityMLP.pre_activations)


def mlp_logits(params: Params, x: jax.Array, rate: jax.Array | float,
               key: jax.Array | None = None) -> jax.Array:
    """Logits (B,); inverted dropout on the pre-activation when ``key`` is given (training)."""
    return module_for(params).apply({"params": params}, x, rate, key)


def bce_with_logits(logits: jax.Array, targets: jax.Array) -> jax.Array:
    return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, targets))


def accuracy(params: Params, x: jax.Array, labels: jax.Array) -> jax.Array:
    """Eval-mode accuracy with the decision logit > 0."""
    pred = mlp_logits(params, x, 0.0) > 0
    return jnp.mean(pred == (labels > 0.5))


def train_mlp(key: jax.Array, rate: jax.Array, x_train: jax.Array, y_train: jax.Array, *,
              hidden: int, epochs: int, batch: int, lr: float = 1e-3) -> dict[str, jax.Array]:
    """Trains one MLP with dropout ``rate``; returns dict(params, epoch_loss (epochs,))."""
    samples, n_in = x_train.shape
    num_batches = samples // batch
    init_key, shuffle_key, dropout_key = jax.random.split(key, 3)
    params = init_mlp(init_key, n_in, hidden)
    optimizer = optax.adam(lr, b1=0.9, b2=0.999, eps=1e-8)
    y_train = y_train.astype(jnp.float32)

    def loss_fn(params, xb, yb, k):
        return bce_with_logits(mlp_logits(params, xb, rate, k), yb)

    grad_fn = jax.value_and_grad(loss_fn)

    def epoch_step(carry, epoch):
        params, opt_state = carry
        order = jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), samples)
        idx = order[:num_batches * batch].reshape(num_batches, batch)
        epoch_key = jax.random.fold_in(dropout_key, epoch)

        def batch_step(carry, item):
            params, opt_state = carry
            step, rows = item
            loss, grads = grad_fn(params, x_train[rows], y_train[rows],
                                  jax.random.fold_in(epoch_key, step))
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        (params, opt_state), losses = jax.lax.scan(
            batch_step, (params, opt_state), (jnp.arange(num_batches), idx))
        return (params, opt_state), jnp.mean(losses)

    (params, _), curve = jax.lax.scan(epoch_step, (params, optimizer.init(params)),
                                      jnp.arange(epochs))
    return {"params": params, "epoch_loss": curve}
