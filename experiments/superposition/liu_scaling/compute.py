"""The sweep of ``liu_scaling``: the table of trained cells, buckets, training, measuring.

Every trained configuration (cell) of the small-model series, the density and Fig. 18 sweeps and
the large models is one lane of a bucket of equal (n, batch, steps); with the sparse encoder all
widths of a bucket share one compiled ``model.train_seeds`` program (and its words and slots),
with the dense one each width has its own (instance chunks, optionally sharded over devices);
each program is a resumable stage. Afterwards every model is measured on the host
(``measure_model``) and the metrics (``metrics.power_law_fits``, ``metrics.overlap_reference``)
are added.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from absl import logging

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.common.sweep import grid_sharding
from experiments.superposition.liu_scaling import model
from experiments.superposition.liu_scaling.metrics import (
    density_correlations,
    fit_spreads,
    measure_model,
    overlap_fits,
    overlap_reference,
    phi_one_steps,
    power_law_fits,
    rank_gaps,
    row_norms,
    seed_spreads,
    theory_curves,
    theory_values,
)
from experiments.superposition.shared.sparse_features import candidate_thresholds
from theory import superposition as th

CURVE_EVERY = 100
LARGE_KINDS = (("exponential", None), ("power", 1.2), ("linear", None))


def cell_table(config: Config) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Every trained configuration (without the seed axis) and the frequency vectors."""
    cells: list[dict[str, Any]] = []
    probs: dict[str, np.ndarray] = {}

    def add(group, family, ms, p_key, p, **fields):
        probs.setdefault(p_key, p)
        for m in ms:
            cells.append(dict(group=group, family=family, m=int(m), p_key=p_key,
                              E=float(np.sum(p)), n=int(p.size), **fields))

    for alpha, gamma, mask in zip(config.series_alpha, config.series_gamma,
                                  config.series_m_mask, strict=True):
        ms = [m for j, m in enumerate(config.ms) if mask == 0 or mask >> j & 1]
        add("small", "small", ms, f"p_power_{alpha:g}", th.feature_probabilities(
            config.n, alpha, E=config.E), alpha=float(alpha), gamma=float(gamma), kind="power")
    base = th.feature_probabilities(config.n, 1.0)
    for s in config.density_s:
        for gamma in config.density_gammas:
            add("density", "small", config.ms, f"p_density_{s:g}",
                th.density_scaled_probabilities(base, s), alpha=1.0, gamma=float(gamma),
                kind="power", s=float(s))
    for alpha in config.fig18_alphas:
        add("fig18", "small", config.fig18_ms, f"p_power_{alpha:g}",
            th.feature_probabilities(config.n, alpha, E=config.E), alpha=float(alpha),
            gamma=float(config.fig18_gamma), kind="power")
    for kind, alpha in LARGE_KINDS:
        p = th.feature_probabilities(config.large_n, alpha or 1.0, kind=kind,
                                     scale=config.large_exp_scale)
        for gamma in config.large_gammas:
            add("large", "large", config.large_ms, f"p_large_{kind}", p, alpha=alpha,
                gamma=float(gamma), kind=kind)
    for i, cell in enumerate(cells):
        cell["cell_id"] = i
    return cells, probs


def label(cell: dict[str, Any]) -> str:
    extra = f" s={cell['s']:g}" if "s" in cell else ""
    return (f"{cell['group']} {cell['kind']} alpha={cell['alpha']} gamma={cell['gamma']:.4g} "
            f"m={cell['m']} E={cell['E']:.4g}{extra} (cell {cell['cell_id']})")


def bucket_of(config: Config, cell: dict[str, Any]) -> tuple[int, int, int]:
    """(n, batch, steps): the cells sharing it train in one compiled program (every width)."""
    if cell["family"] == "small":
        return cell["n"], config.batch, config.steps
    return cell["n"], config.large_batch, config.large_steps


def instance_hparams(config: Config, cell: dict[str, Any]) -> tuple[float, ...]:
    """(γ, peak lr_W, peak lr_b, warm-up steps, loss scale) of one cell (§2.1 table)."""
    if cell["family"] == "small":
        return cell["gamma"], config.lr_w, config.lr_b, config.warmup, 1.0
    m = cell["m"]
    return (cell["gamma"], config.large_lr_w_ref * (8.0 / m) ** 0.25, config.large_lr_b_num / m,
            int(round(config.large_warmup_frac * config.large_steps)), config.large_loss_scale)


def _seed_keys(config: Config, stream: int) -> jax.Array:
    root = jax.random.key(config.seed)
    return jnp.stack([jax.random.fold_in(jax.random.fold_in(root, j), stream)
                      for j in range(config.seeds)])


def _init_keys(roots: jax.Array, ids: jax.Array) -> jax.Array:
    """(S, I) init keys fold_in(root_s, cell_id): independent of chunking and device count."""
    return jax.vmap(lambda r: jax.vmap(lambda i: jax.random.fold_in(r, i))(ids))(roots)


def _train_bucket(config: Config, cells: list[dict], probs: dict, settings: model.TrainSettings,
                  num_devices: int) -> dict[str, np.ndarray]:
    """Trains and evaluates every cell of one bucket for every seed: one program per round, a
    round holding the next chunk of every width's cells (one round when they fit). Returns
    ``m<m>_<W|b|curve|eval>`` per width and dense_steps (per round)."""
    seeds = config.seeds
    by_width = {m: [c for c in cells if c["m"] == m] for m in settings.widths}
    thr = {m: np.stack([th.sampler_thresholds(probs[c["p_key"]]) for c in members])
           for m, members in by_width.items()}
    init_roots = _seed_keys(config, model.INIT_STREAM)
    data_keys, eval_keys = (_seed_keys(config, s) for s in (model.DATA_STREAM,
                                                            model.EVAL_STREAM))
    devices = max(num_devices, 1)
    sharding = grid_sharding(num_devices)
    # The bucket's candidate thresholds, not each round's: the sparse slots of a step are then
    # the same in every round and device layout.
    candidates = jnp.asarray(np.broadcast_to(candidate_thresholds(np.concatenate(
        list(thr.values()))), (seeds, next(iter(thr.values())).shape[1])))
    chunks = {}  # m -> list of padded row index arrays
    for m, members in by_width.items():
        total = len(members)
        count = math.ceil(total / (config.instance_chunk * devices))
        size = math.ceil(math.ceil(total / count) / devices) * devices
        chunks[m] = [np.minimum(np.arange(g * size, (g + 1) * size), total - 1)  # pad: repeat
                     for g in range(count)]
    rounds = max(len(c) for c in chunks.values())
    out: dict[str, list] = {"dense_steps": []}
    start = time.perf_counter()
    for r in range(rounds):
        widths = tuple(m for m in settings.widths if r < len(chunks[m]))
        groups = []
        for m in widths:
            rows = chunks[m][r]
            hps = np.asarray([instance_hparams(config, by_width[m][i]) for i in rows], np.float32)
            ids = jnp.asarray([by_width[m][i]["cell_id"] for i in rows], np.int32)
            group = model.WidthGroup(
                jnp.asarray(np.broadcast_to(thr[m][rows], (seeds, rows.size, thr[m].shape[1]))),
                model.make_hparams(*np.broadcast_to(hps.T[:, None], (5, seeds, rows.size))),
                _init_keys(init_roots, ids))
            if sharding is not None:
                group = jax.device_put(group, jax.sharding.NamedSharding(
                    sharding.mesh, jax.sharding.PartitionSpec(None, "grid")))
            groups.append(group)
        results = model.train_seeds(tuple(groups), data_keys,
                                    settings._replace(widths=widths), candidates)
        for m, group, res in zip(widths, groups, results, strict=True):
            losses = model.eval_seeds(res["W"], res["b"], group.thresholds, eval_keys,
                                      config.eval_batches, config.eval_batch)
            keep = slice(0, min(chunks[m][r].size, len(by_width[m]) - r * chunks[m][0].size))
            for name, value in (("W", res["W"]), ("b", res["b"]), ("curve", res["curve"]),
                                ("eval", losses)):
                out.setdefault(f"m{m}_{name}", []).append(np.asarray(value)[:, keep])
        out["dense_steps"].append(np.asarray(results[0]["dense_steps"]).reshape(1))
        elapsed = time.perf_counter() - start
        logging.info("liu_scaling n=%d B=%d (widths %s, %d cells x %d seeds): round %d/%d, "
                     "elapsed %.0f s, ETA %.0f s", candidates.shape[1], settings.batch,
                     ",".join(map(str, widths)), len(cells), seeds, r + 1, rounds, elapsed,
                     elapsed / (r + 1) * (rounds - r - 1))
    result = {k: np.concatenate(v, axis=0 if k == "dense_steps" else 1) for k, v in out.items()}
    for m, members in by_width.items():
        bad = ~(np.isfinite(result[f"m{m}_curve"]).all(-1)
                & np.isfinite(result[f"m{m}_eval"]).all(-1)
                & np.isfinite(result[f"m{m}_W"]).all((-1, -2)))
        if bad.any():
            s, i = np.argwhere(bad)[0]
            raise FloatingPointError(f"liu_scaling: non-finite loss or weights in seed {s}, "
                                     f"{label(members[i])}")
    return result


def _measure_bucket(config: Config, cells: list[dict], probs: dict, res: dict,
                    keep_w: set[int]) -> tuple[list[dict], dict[str, np.ndarray]]:
    rows, arrays = [], {}
    for s in range(config.seeds):
        for i, cell in enumerate(cells):
            W = res["W"][s, i]
            ev = res["eval"][s, i].astype(np.float64)
            loss = float(ev.mean())
            std = float(ev.std(ddof=1))
            meas = measure_model(W, probs[cell["p_key"]], alpha=cell["alpha"],
                                      E=cell["E"], with_ambiguity=config.ambiguity)
            row = {**cell, "seed": s, "L": loss, "L_std": std, "L_se": std / math.sqrt(ev.size),
                   "train_final": float(res["curve"][s, i, -1]), **meas}
            for key in ("pred_eq14", "pred_discrete", "pred_exact"):
                pred = row[key]
                row["ratio_" + key[5:]] = loss / pred if pred else None
            rows.append(row)
            uid = f"c{cell['cell_id']}_s{s}"
            arrays[f"norms_{uid}"] = row_norms(W).astype(np.float32)
            arrays[f"curve_{uid}"] = res["curve"][s, i]
            if cell["cell_id"] in keep_w:
                arrays[f"W_{uid}"] = W
    return rows, arrays

def encoder_of(config: Config, on_gpu: bool) -> str:
    """The encoder form: the profile's choice; "auto" is dense on a GPU (not measured there: the
    paper profile's estimate is for the dense form, and the sparse gradient's scatter-add would
    sum in a nondeterministic order there) and sparse-where-it-saves on CPU."""
    return "dense" if config.encoder == "auto" and on_gpu else config.encoder


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    on_gpu = jax.default_backend() == "gpu"
    precision = config.gpu_matmul_precision if on_gpu else "default"
    encoder = encoder_of(config, on_gpu)
    cells, probs = cell_table(config)
    largest_small = max(config.ms)
    keep_w = {c["cell_id"] for c in cells if (c["family"] == "small" and c["alpha"] == 1.0
                                               and c["group"] == "small"
                                               and c["m"] == largest_small)
              or (c["family"] == "large" and c["m"] <= 256)}
    buckets: dict[tuple[int, int, int], list[dict]] = {}
    for cell in cells:
        buckets.setdefault(bucket_of(config, cell), []).append(cell)
    rows: list[dict] = []
    encoders: dict[str, dict[str, Any]] = {}
    arrays: dict[str, np.ndarray] = {k: v for k, v in probs.items()}
    context = (contextlib.nullcontext() if precision == "default"
               else jax.default_matmul_precision(precision))
    with context:
        for (n, batch, steps), members in sorted(buckets.items()):
            thresholds = np.stack([th.sampler_thresholds(probs[c["p_key"]]) for c in members])
            slots, capacity = model.sparse_layout(thresholds, batch, steps, config.seeds,
                                                  encoder)
            widths = tuple(sorted({c["m"] for c in members}))
            # Sparse: every width in one program (they share the step's words and slots).
            # Dense (the GPU default): one program per width as before, so the (B × n)
            # activations of one width, not of all, are alive at once.
            for program in [widths] if slots else [(m,) for m in widths]:
                cells_in = [c for c in members if c["m"] in program]
                settings = model.TrainSettings(program, batch, steps, config.floor_frac,
                                               CURVE_EVERY, slots, capacity=capacity)
                name = f"n{n}_B{batch}_T{steps}" + ("" if slots else f"_m{program[0]}")
                res = ctx.stage(name, lambda s=settings, c=cells_in: _train_bucket(
                    config, c, probs, s, ctx.num_devices))
                for m in program:
                    width_cells = [c for c in cells_in if c["m"] == m]
                    width_res = {k: res[f"m{m}_{k}"] for k in ("W", "b", "curve", "eval")}
                    bucket_rows, bucket_arrays = _measure_bucket(config, width_cells, probs,
                                                                 width_res, keep_w)
                    rows += bucket_rows
                    arrays.update(bucket_arrays)
                encoders[name] = {
                    "widths": list(program), "slots": slots, "capacity": capacity,
                    "row_chunk": math.gcd(batch, settings.row_chunk),
                    "dense_steps": int(res["dense_steps"].max()), "steps": steps}
    rows.sort(key=lambda r: (r["cell_id"], r["seed"]))
    fits = power_law_fits(config, rows)
    metrics = {
        "cells": rows, "fits": fits, "seed_spreads": seed_spreads(rows),
        "fit_spreads": fit_spreads(fits), "overlap_fits": overlap_fits(rows),
        "density_correlations": density_correlations(rows),
        "overlap_reference": overlap_reference(config),
        "rank_gaps": rank_gaps(rows), "phi_one_steps": phi_one_steps(rows),
        "theory": theory_values(config, rows),
        "settings": {
            "matmul_precision": precision, "backend": jax.default_backend(),
            "encoder": encoder,
            "encoder_buckets": encoders,
            "encoder_note": "slots = K > 0: the encoder reads each row's active entries (at most "
                            "K per row, sized so that a row with more is improbable over the "
                            "run); dense_steps counts the steps computed densely (a row had more "
                            "than K candidates; all steps when K = 0)",
            "test_loss": f"fresh data: {config.eval_batches} batches of {config.eval_batch}, "
                         "sum over features; L_std = std over batches, L_se = L_std/sqrt(batches)",
            "train_final": "train loss (sum over features) averaged over the last "
                           f"{CURVE_EVERY} steps",
            "common_random_numbers": "all models of a seed (every alpha, gamma, E, distribution "
                                     "and width bucket of one n) read the same training words at "
                                     "each step, and the same evaluation words",
            "curve_every": CURVE_EVERY,
            "paper_sweeps": bool(config.density_s or config.large_gammas or config.fig18_alphas),
        },
    }
    arrays.update(theory_curves(rows, metrics["fit_spreads"]))
    return metrics, arrays
