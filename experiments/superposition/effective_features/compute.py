"""The sweeps of ``effective_features``: toy models and their SAEs (part A), dropout MLPs on
multi-task sparse parity and their SAEs (part B), and ``compute`` around them.

Part A (spec §2.3): toy models train with ``shared.toy_model.train_tms`` (TMS defaults: AdamW lr
1e-3, wd 0.01, Xavier-normal W, b = 0), one instance per sparsity on an instance axis. For each
model, ``samples`` fresh inputs from its own distribution give activations a = f W (hidden
layer, no nonlinearity); an SAE is trained on them (vmapped over models, early stopping emulated
per instance) and its per-atom L1 code mass gives F = exp(H(p)), ψ_SAE = F / N
(``metrics.psi_table``, with the weight-based references).

Part B (Bereska §6.1): per width h (one shape bucket), MLPs for every (dropout rate, seed) train
on one instance axis; the eval-mode pre-ReLU fc1 outputs on the activation set feed an untied SAE
(the authors' dropout code: biases, PyTorch-Linear init, no early stopping) with D = min(max_dict,
e·h); F comes from the per-atom code mass (F = 0 when every code is 0, the code's convention). The
model key depends on the seed only, so every rate starts from the same init (common random
numbers, as the authors' ``torch.manual_seed(seed)`` per run); dropout masks, shuffles and SAEs
have their own streams. Dictionary scaling (paper Fig. 4a): models at rate 0, SAEs over (model,
λ, SAE seed) per expansion e, reusing the sweep's rate-0 models of that width.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import find_non_finite, run_sweep
from experiments.superposition.effective_features.metrics import build_metrics, psi_table
from experiments.superposition.effective_features.model import parity_mlp
from experiments.superposition.effective_features.model import sae as sae_model
from experiments.superposition.shared import toy_model
from experiments.superposition.shared.sampler import thresholds_to_device

# fold_in streams of the base key: one per random purpose, never shared.
TOY_STREAM, TOY_SAE_STREAM = 1, 2
MLP_STREAM, DROPOUT_SAE_STREAM, DICT_SAE_STREAM = 11, 12, 14
# Robustness axes: λ 200, D/N 300 + i, M 400 + i (toy models) and 500 + i (their SAEs).


def densities(count: int, high: float, low: float) -> np.ndarray:
    """1 − S_j = high · (low/high)^(j/(K − 1)), j = 0..K−1 (log-spaced; reconstructed)."""
    if count == 1:
        return np.array([high])
    return high * (low / high) ** (np.arange(count) / (count - 1))


@functools.cache
def _toy_program(seed: int, m: int, batch: int, steps: int, lr: float):
    """jit(vmap) of one toy-model run; cached so equal shapes reuse one compilation."""
    train = functools.partial(toy_model.train_tms, m=m, batch=batch, steps=steps, lr=lr,
                              log_every=min(100, steps))

    def one(stream, row, thr, imp, wd):
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), stream), row)
        return train(key, thr, imp, wd)

    return jax.jit(jax.vmap(one))


def train_toy_models(config: Any, ctx: Any, features: int, stream: int) -> dict[str, np.ndarray]:
    """W (K, M, N), b (K, M), loss curves and densities of the K toy models of one M."""
    dens = densities(config.toy_models, config.density_max, config.density_min)
    thresholds = np.stack([np.asarray(thresholds_to_device(np.full(features, d)))
                           for d in dens])
    importance = np.tile(0.7 ** np.arange(features, dtype=np.float32), (dens.size, 1))
    program = _toy_program(config.seed, config.toy_hidden, config.toy_batch, config.toy_steps,
                           config.toy_lr)
    rows = (np.full(dens.size, stream, np.int32), np.arange(dens.size, dtype=np.int32),
            thresholds, importance, np.full(dens.size, config.toy_weight_decay, np.float32))
    out = run_sweep(None, rows, batch=dens.size, num_devices=ctx.num_devices,
                    name=f"toy models M={features}", jitted=program)
    bad = find_non_finite(out["loss_curve"], [f"toy model M={features}, 1-S={d:.4g}"
                                              for d in dens])
    if bad:
        raise FloatingPointError(f"non-finite toy-model loss: {', '.join(bad)}")
    return {"W": out["W"], "b": out["b"], "loss_curve": out["loss_curve"], "density": dens,
            "thresholds": thresholds}


@functools.cache
def _sae_program(seed: int, dict_size: int, tied: bool, epochs: int, batch: int, patience: int,
                 reduction: str, lr: float, samples: int):
    """jit(vmap) of one (toy model, λ) SAE run; cached across the robustness axes."""
    train = functools.partial(sae_model.train_sae, dict_size=dict_size, tied=tied, epochs=epochs,
                              batch=batch, patience=patience, reduction=reduction, lr=lr)

    def one(stream, row, thr, W, b, l1):
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), stream), row)
        f = toy_model.sample_tms(jax.random.fold_in(key, 0), thr, samples)
        acts = f @ W
        out = train(jax.random.fold_in(key, 1), acts, l1)
        summary = sae_model.code_summary(out["params"], acts)
        outputs = toy_model.tms_forward(W, b, f)  # y = ReLU(a W^T + b), the toy model's own codes
        return {**summary, "toy_mass": jnp.sum(jnp.abs(outputs), axis=0),
                "stop_epoch": out["stop_epoch"], "best_epoch": out["best_epoch"],
                "epoch_loss": out["epoch_loss"], "E": out["params"]["E"]}

    return jax.jit(jax.vmap(one))


def sae_on_toys(config: Any, ctx: Any, toys: dict[str, np.ndarray], l1s: np.ndarray,
                dict_size: int, stream: int, label: str) -> dict[str, np.ndarray]:
    """One SAE per (toy model, λ) row; ``l1s`` has one λ per row of ``toys``."""
    program = _sae_program(config.seed, dict_size, config.sae_tied, config.sae_max_epochs,
                           config.sae_batch, config.sae_patience, config.sae_loss_reduction,
                           config.sae_lr, config.sae_samples)
    count = toys["W"].shape[0]
    rows = (np.full(count, stream, np.int32), np.arange(count, dtype=np.int32),
            toys["thresholds"], toys["W"], toys["b"], np.asarray(l1s, np.float32))
    out = run_sweep(None, rows, batch=count, num_devices=ctx.num_devices, name=f"SAEs {label}",
                    jitted=program)
    bad = find_non_finite(out["mass"], [f"SAE {label} row {i}" for i in range(count)])
    if bad:
        raise FloatingPointError(f"non-finite SAE codes: {', '.join(bad)}")
    return out


def _tile(toys: dict[str, np.ndarray], reps: int) -> dict[str, np.ndarray]:
    return {k: np.concatenate([v] * reps, axis=0) for k, v in toys.items()
            if k in ("W", "b", "thresholds")}


def robustness(config: Any, ctx: Any, toys: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """ψ_SAE (and references) per value of each robustness axis (paper Fig. 3b).

    Each axis varies alone, the others at their defaults (λ = ``sae_l1``, D = ``sae_dict_size``,
    M = ``toy_features``); the M axis keeps N = ``toy_hidden`` (reconstructed, trap 14) and
    trains new toy models per M.
    """
    count = toys["W"].shape[0]
    l1s = np.asarray(config.robust_l1s, np.float32)
    by_l1 = sae_on_toys(config, ctx, _tile(toys, l1s.size), np.repeat(l1s, count),
                        config.sae_dict_size, 200, "robustness λ")
    out = {"l1_psi_sae": psi_table(np.concatenate([toys["W"]] * l1s.size), by_l1)["psi_sae"]
           .reshape(l1s.size, count)}
    psi = []
    for index, expansion in enumerate(config.robust_expansions):
        sae = sae_on_toys(config, ctx, toys, np.full(count, config.sae_l1, np.float32),
                          int(expansion) * config.toy_hidden, 300 + index,
                          f"robustness D/N={expansion}")
        psi.append(psi_table(toys["W"], sae)["psi_sae"])
    out["expansion_psi_sae"] = np.stack(psi)
    tables = []
    for index, features in enumerate(config.robust_features):
        new = train_toy_models(config, ctx, int(features), 400 + index)
        sae = sae_on_toys(config, ctx, new, np.full(count, config.sae_l1, np.float32),
                          config.sae_dict_size, 500 + index, f"robustness M={features}")
        tables.append(psi_table(new["W"], sae))
    for name in ("psi_sae", "psi_ref", "psi_frob"):
        out[f"features_{name}"] = np.stack([t[name] for t in tables])
    return out


# --- part B: dropout on multi-task sparse parity --------------------------------------------------


def parity_setup(config: Any) -> dict[str, np.ndarray]:
    """Train/test arrays and the activation rows (indices into the train set)."""
    x, y, task = parity_mlp.parity_data(config.parity_tasks, config.parity_bits)
    train, test = parity_mlp.stratified_split(task, y, config.data_seed)
    rows = parity_mlp.activation_rows(train.size, config.activation_samples,
                                   config.activation_subset, config.data_seed)
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test],
            "act_rows": rows}


def dict_size(width: int, expansion: float, cap: int) -> int:
    return int(min(cap, int(expansion * width)))


def _train_mlp_fn(config: Any, data: dict[str, np.ndarray], width: int):
    return functools.partial(
        parity_mlp.train_mlp, x_train=jnp.asarray(data["x_train"]),
        y_train=jnp.asarray(data["y_train"]), hidden=width, epochs=config.mlp_epochs,
        batch=config.mlp_batch, lr=config.mlp_lr)


def _sae_fn(config: Any, size: int, epochs: int):
    return functools.partial(sae_model.train_sae, dict_size=size, tied=False, epochs=epochs,
                             batch=config.sae_batch, patience=0, reduction="mean",
                             lr=config.sae_lr)


def dropout_bucket(config: Any, ctx: Any, data: dict[str, np.ndarray],
                   width: int) -> dict[str, np.ndarray]:
    """(rates × seeds) models of width h: accuracies, SAE masses and curves."""
    rates = np.asarray(config.dropout_rates, np.float32)
    seeds = config.dropout_seeds
    size = dict_size(width, config.dropout_sae_expansion, config.sae_max_dict)
    model_base = jax.random.fold_in(jax.random.fold_in(jax.random.key(config.seed),
                                                       MLP_STREAM), width)
    sae_base = jax.random.fold_in(jax.random.fold_in(jax.random.key(config.seed),
                                                    DROPOUT_SAE_STREAM),
                                  width)
    train_mlp = _train_mlp_fn(config, data, width)
    train_sae = _sae_fn(config, size, config.dropout_sae_epochs)
    x_act = jnp.asarray(data["x_train"][data["act_rows"]])
    x_tr, y_tr = jnp.asarray(data["x_train"]), jnp.asarray(data["y_train"])
    x_te, y_te = jnp.asarray(data["x_test"]), jnp.asarray(data["y_test"])

    def one(row, seed_index, rate):
        model = train_mlp(jax.random.fold_in(model_base, seed_index), rate)
        params = model["params"]
        acts = parity_mlp.pre_activations(params, x_act)
        sae = train_sae(jax.random.fold_in(sae_base, row), acts, jnp.float32(config.sae_l1))
        return {**sae_model.code_summary(sae["params"], acts),
                "train_acc": parity_mlp.accuracy(params, x_tr, y_tr),
                "test_acc": parity_mlp.accuracy(params, x_te, y_te),
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
            return sae_model.code_summary(sae["params"], a)["mass"]

        rows = (np.arange(li.size, dtype=np.int32), acts[mi.ravel()], l1s[li.ravel()])
        mass = run_sweep(one, rows, batch=li.size, num_devices=ctx.num_devices,
                         name=f"dictionary scaling e={expansion:g} (D={size})")
        masses.append(mass.reshape(*li.shape, size))
    width_max = max(m.shape[-1] for m in masses)
    padded = [np.pad(m, [(0, 0)] * 3 + [(0, width_max - m.shape[-1])]) for m in masses]
    return {"mass": np.stack(padded, axis=1)}  # (λ, e, model seed, SAE seed, D_max)


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Trains toy models, their SAEs, the parity MLPs and their SAEs; returns metrics, arrays."""
    count = config.toy_models
    toys = ctx.stage("toy_models", lambda: train_toy_models(
        config, ctx, config.toy_features, TOY_STREAM))
    saes = ctx.stage("toy_saes", lambda: sae_on_toys(
        config, ctx, toys, np.full(count, config.sae_l1, np.float32), config.sae_dict_size,
        TOY_SAE_STREAM, "toy"))
    robust = (ctx.stage("robustness", lambda: robustness(config, ctx, toys))
              if config.robustness_sweeps else None)
    data = parity_setup(config)
    dropout = {w: ctx.stage(f"dropout_h{w}", lambda w=w: dropout_bucket(
        config, ctx, data, w)) for w in config.mlp_widths}
    scaling = (ctx.stage("dict_scaling", lambda: dict_scaling(
        config, ctx, data, dropout[config.dict_width]))
               if config.dict_scaling else None)
    metrics = build_metrics(config, toys, saes, robust, dropout, scaling, data)
    arrays = {"toy_W": toys["W"], "toy_b": toys["b"], "toy_loss_curve": toys["loss_curve"],
              "sae_dictionary": saes["E"], "sae_mass": saes["mass"],
              "sae_epoch_loss": saes["epoch_loss"], "toy_output_mass": saes["toy_mass"]}
    for w, out in dropout.items():
        arrays[f"dropout_h{w}_mass"] = out["mass"]
        arrays[f"dropout_h{w}_mlp_loss"] = out["mlp_loss"]
        arrays[f"dropout_h{w}_sae_loss"] = out["sae_loss"]
    if scaling is not None:
        arrays["dict_scaling_mass"] = scaling["mass"]
    return metrics, arrays
