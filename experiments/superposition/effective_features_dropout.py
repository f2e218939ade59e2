"""Part B of ``effective_features``: dropout on multi-task sparse parity (spec §2.3, Bereska §6.1).

Per width h (one shape bucket): MLPs for every (dropout rate, seed) train on one instance axis;
the eval-mode pre-ReLU fc1 outputs on the activation set feed an untied SAE (the authors' dropout
code: biases, PyTorch-Linear init, no early stopping) with D = min(max_dict, e·h); F comes from
the per-atom code mass (F = 0 when every code is 0, the code's convention). The model key depends
on the seed only, so every rate starts from the same init (common random numbers, as the
authors' ``torch.manual_seed(seed)`` per run); dropout masks, shuffles and SAEs have their own
streams. Dictionary scaling (paper Fig. 4a): models at rate 0, SAEs over (model, λ, SAE seed) per
expansion e, reusing the sweep's rate-0 models of that width.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.sweep import find_non_finite, run_sweep
from experiments.superposition import _parity, _sae

MODEL_STREAM, SAE_STREAM, DICT_SAE_STREAM = 11, 12, 14


def parity_setup(config: Any) -> dict[str, np.ndarray]:
    """Train/test arrays and the activation rows (indices into the train set)."""
    x, y, task = _parity.parity_data(config.parity_tasks, config.parity_bits)
    train, test = _parity.stratified_split(task, y, config.data_seed)
    rows = _parity.activation_rows(train.size, config.activation_samples,
                                   config.activation_subset, config.data_seed)
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test],
            "act_rows": rows}


def dict_size(width: int, expansion: float, cap: int) -> int:
    return int(min(cap, int(expansion * width)))


def _train_mlp_fn(config: Any, data: dict[str, np.ndarray], width: int):
    return functools.partial(
        _parity.train_mlp, x_train=jnp.asarray(data["x_train"]),
        y_train=jnp.asarray(data["y_train"]), hidden=width, epochs=config.mlp_epochs,
        batch=config.mlp_batch, lr=config.mlp_lr)


def _sae_fn(config: Any, size: int, epochs: int):
    return functools.partial(_sae.train_sae, dict_size=size, tied=False, epochs=epochs,
                             batch=config.sae_batch, patience=0, reduction="mean",
                             lr=config.sae_lr)


def dropout_bucket(config: Any, ctx: Any, data: dict[str, np.ndarray],
                   width: int) -> dict[str, np.ndarray]:
    """(rates × seeds) models of width h: accuracies, SAE masses and curves."""
    rates = np.asarray(config.dropout_rates, np.float32)
    seeds = config.dropout_seeds
    size = dict_size(width, config.dropout_sae_expansion, config.sae_max_dict)
    model_base = jax.random.fold_in(jax.random.fold_in(jax.random.key(config.seed),
                                                       MODEL_STREAM), width)
    sae_base = jax.random.fold_in(jax.random.fold_in(jax.random.key(config.seed), SAE_STREAM),
                                  width)
    train_mlp = _train_mlp_fn(config, data, width)
    train_sae = _sae_fn(config, size, config.dropout_sae_epochs)
    x_act = jnp.asarray(data["x_train"][data["act_rows"]])
    x_tr, y_tr = jnp.asarray(data["x_train"]), jnp.asarray(data["y_train"])
    x_te, y_te = jnp.asarray(data["x_test"]), jnp.asarray(data["y_test"])

    def one(row, seed_index, rate):
        model = train_mlp(jax.random.fold_in(model_base, seed_index), rate)
        params = model["params"]
        acts = _parity.pre_activations(params, x_act)
        sae = train_sae(jax.random.fold_in(sae_base, row), acts, jnp.float32(config.sae_l1))
        return {**_sae.code_summary(sae["params"], acts),
                "train_acc": _parity.accuracy(params, x_tr, y_tr),
                "test_acc": _parity.accuracy(params, x_te, y_te),
                "mlp_loss": model["epoch_loss"], "sae_loss": sae["epoch_loss"],
                "W1": params["W1"], "b1": params["b1"]}

    rate_idx, seed_idx = np.meshgrid(np.arange(rates.size), np.arange(seeds), indexing="ij")
    rows = (np.arange(rates.size * seeds, dtype=np.int32), seed_idx.ravel().astype(np.int32),
            rates[rate_idx.ravel()])
    out = run_sweep(one, rows, batch=rows[0].size, num_devices=ctx.num_devices,
                    name=f"dropout h={width}")
    labels = [f"h={width}, rate={rates[r]:.2f}, seed={s}"
              for r, s in zip(rate_idx.ravel(), seed_idx.ravel(), strict=True)]
    bad = find_non_finite(np.concatenate([out["mlp_loss"], out["sae_loss"]], axis=1), labels)
    if bad:
        raise FloatingPointError(f"non-finite dropout-experiment loss: {', '.join(bad)}")
    return {k: v.reshape(rates.size, seeds, *v.shape[1:]) for k, v in out.items()}


def dict_scaling(config: Any, ctx: Any, data: dict[str, np.ndarray],
                 bucket: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """F per (λ, e, model seed, SAE seed) for the rate-0 models of width ``dict_width``.

    The models are the dropout sweep's own rate-0 models of that width (one per seed), so no
    extra MLP is trained; their activations on the activation set feed untied SAEs over
    (model, λ, SAE seed) per expansion e (one shape bucket per dictionary size).
    """
    width = config.dict_width
    rate0 = list(config.dropout_rates).index(0.0)
    x_act = data["x_train"][data["act_rows"]]
    acts = np.einsum("si,mih->msh", x_act, bucket["W1"][rate0]) + bucket["b1"][rate0][:, None]
    acts = acts.astype(np.float32)
    seeds = acts.shape[0]
    l1s = np.asarray(config.dict_l1s, np.float32)
    li, mi, si = np.meshgrid(np.arange(l1s.size), np.arange(seeds),
                             np.arange(config.dict_sae_seeds), indexing="ij")
    masses = []
    for e_index, expansion in enumerate(config.dict_expansions):
        size = dict_size(width, expansion, config.sae_max_dict)
        train_sae = _sae_fn(config, size, config.dict_sae_epochs)
        sae_base = jax.random.fold_in(jax.random.fold_in(
            jax.random.key(config.seed), DICT_SAE_STREAM), e_index)

        def one(row, a, l1, train_sae=train_sae, sae_base=sae_base):
            sae = train_sae(jax.random.fold_in(sae_base, row), a, l1)
            return _sae.code_summary(sae["params"], a)["mass"]

        rows = (np.arange(li.size, dtype=np.int32), acts[mi.ravel()], l1s[li.ravel()])
        mass = run_sweep(one, rows, batch=li.size, num_devices=ctx.num_devices,
                         name=f"dictionary scaling e={expansion:g} (D={size})")
        masses.append(mass.reshape(*li.shape, size))
    width_max = max(m.shape[-1] for m in masses)
    padded = [np.pad(m, [(0, 0)] * 3 + [(0, width_max - m.shape[-1])]) for m in masses]
    return {"mass": np.stack(padded, axis=1)}  # (λ, e, model seed, SAE seed, D_max)
