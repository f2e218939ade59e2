"""Compute stage of `toy_models`: trains the four parts and derives their metrics (spec §2.2).

The instance trainer and the measurements of trained weights are in ``compute.instances``; the
2 → 1 grid, the analytic diagram and the selection of trained inits in ``compute.phase_diagram``.

Every part is one resumable stage (``ctx.stage``) holding one jit(vmap) over its instance axis:
20 → 5 ReLU and linear instances share one axis (a traced ReLU flag); 5 → 2 (k × seed);
200 → 20 (k × seed); 2 → 1 (cell × init). The analytic 2 → 1 diagram is its own stage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.superposition.shared.seed_stats import spread_by_x
from experiments.superposition.toy_models.compute import instances as tp
from experiments.superposition.toy_models.compute import phase_diagram as ph
from experiments.superposition.toy_models.metrics import add_summaries
from theory.superposition_geometry import tms_linear_optimal_loss, tms_two_feature_boundary

PARTS = ("sparsity", "pentagon", "geometry", "phase")
LOG_EVERY = 100


def selected_parts(config: Config) -> tuple[str, ...]:
    if config.parts == "all":
        return PARTS
    chosen = {v.strip() for v in config.parts.split(",")}
    return tuple(p for p in PARTS if p in chosen)


def _train(config: Config, ctx: RunContext, part: str, *, density, importance, wd, relu, m,
           batch, labels) -> dict[str, np.ndarray]:
    n = importance.shape[1]
    keys, evals = tp.instance_keys(config.seed, part, len(labels))
    return tp.train_instances(
        part, keys=keys, evals=evals, thresh=tp.thresholds(np.asarray(density), n),
        importance=importance, weight_decay=wd, relu=relu, m=m, batch=batch,
        steps=config.steps, eval_batch=config.eval_batch, eval_batches=config.eval_batches,
        num_devices=ctx.num_devices, labels=labels)


def _sparsity(config: Config, ctx: RunContext) -> tuple[dict, dict]:
    rows = [(True, d, s) for d in config.relu_densities for s in range(config.relu_seeds)]
    rows += [(False, d, s) for d in config.linear_densities for s in range(config.linear_seeds)]
    relu = np.array([r[0] for r in rows])
    density = np.array([r[1] for r in rows], np.float64)
    importance = np.tile(0.7 ** np.arange(20), (len(rows), 1))
    labels = [f"20→5 {'ReLU' if r else 'linear'} 1−S={d:g} seed {s}" for r, d, s in rows]
    out = ctx.stage("sparsity", lambda: _train(
        config, ctx, "sparsity", density=density, importance=importance,
        wd=np.full(len(rows), config.weight_decay), relu=relu, m=5,
        batch=config.sparsity_batch, labels=labels))
    stats = tp.norm_stats(out["W"])
    loss, se = tp.loss_summary(out["eval_losses"])
    instances = []
    for i, (is_relu, d, s) in enumerate(rows):
        entry = {"relu": bool(is_relu), "density": float(d), "seed": int(s),
                 "frob2": float(stats["frob2"][i]), "count": int(stats["count"][i]),
                 "norms": stats["norms"][i].tolist(), "loss": float(loss[i]),
                 "loss_se": float(se[i]), "final_train_loss": float(out["loss_curve"][i, -1])}
        if not is_relu:
            entry["theory_loss"] = tms_linear_optimal_loss(importance[i], float(d), 5)
            entry["expected_loss"] = tp.linear_expected_loss(out["W"][i], out["b"][i],
                                                             importance[i], float(d))
        instances.append(entry)
    W = out["W"]
    arrays = {"sparsity_W": W, "sparsity_b": out["b"],
              "sparsity_WWt": np.einsum("kim,kjm->kij", W, W),
              "sparsity_curves": out["loss_curve"], "sparsity_relu": relu,
              "sparsity_density": density}
    frob2 = {name: spread_by_x([1 / e["density"] for e in sel], [e["frob2"] for e in sel])
             for name, sel in (("relu", [e for e in instances if e["relu"]]),
                               ("linear", [e for e in instances if not e["relu"]])) if sel}
    return {"instances": instances, "importance": importance[0].tolist(),
            "frob2_by_sparsity": frob2}, arrays


def _pentagon(config: Config, ctx: RunContext) -> tuple[dict, dict]:
    rows = [(k, s) for k in config.pentagon_k for s in range(config.pentagon_seeds)]
    density = np.array([20.0 ** (-k / 9.0) for k, _ in rows])
    importance = np.tile(0.9 ** np.arange(5), (len(rows), 1))
    labels = [f"5→2 k={k} (1−S={d:.3g}) seed {s}" for (k, s), d in zip(rows, density,
                                                                         strict=True)]
    out = ctx.stage("pentagon", lambda: _train(
        config, ctx, "pentagon", density=density, importance=importance,
        wd=np.full(len(rows), config.weight_decay), relu=np.ones(len(rows), bool), m=2,
        batch=config.pentagon_batch, labels=labels))
    loss, se = tp.loss_summary(out["eval_losses"])
    instances = []
    for i, (k, s) in enumerate(rows):
        geo = tp.pentagon_geometry(out["W"][i])
        instances.append({"k": int(k), "seed": int(s), "density": float(density[i]), **geo,
                          "pair_angle": tp.pair_angle(out["W"][i]), "loss": float(loss[i]),
                          "loss_se": float(se[i])})
    arrays = {"pentagon_W": out["W"], "pentagon_b": out["b"],
              "pentagon_curves": out["loss_curve"], "pentagon_density": density}
    return {"instances": instances}, arrays


def _geometry_train(config: Config, ctx: RunContext, part: str, ks: list[int],
                    batch: int) -> tuple[list[tuple[int, int]], np.ndarray, dict]:
    n, m = config.geometry_n, config.geometry_m
    rows = [(k, s) for k in ks for s in range(config.geometry_seeds)]
    density = np.array([20.0 ** (-k / 19.0) for k, _ in rows])
    labels = [f"{n}→{m} k={k} (1−S={d:.3g}) seed {s} B={batch}"
              for (k, s), d in zip(rows, density, strict=True)]
    out = ctx.stage(part, lambda: _train(
        config, ctx, part, density=density, importance=np.ones((len(rows), n)),
        wd=np.full(len(rows), config.weight_decay), relu=np.ones(len(rows), bool), m=m,
        batch=batch, labels=labels))
    return rows, density, out


def _geometry_instances(rows, density, out, batch: int) -> tuple[list[dict], dict]:
    dstar, d_i = tp.dimensionality(out["W"])
    norms = np.linalg.norm(np.asarray(out["W"], np.float64), axis=-1)
    loss, se = tp.loss_summary(out["eval_losses"])
    instances = []
    for i, (k, s) in enumerate(rows):
        alive = norms[i] > 0.1
        di = d_i[i][alive]
        instances.append({
            "k": int(k), "seed": int(s), "batch": int(batch), "density": float(density[i]),
            "inv_density": float(1.0 / density[i]), "dstar": float(dstar[i]),
            "frob2": float(np.sum(norms[i] ** 2)), "n_alive": int(alive.sum()),
            "n_half": int(np.sum(np.abs(di - 0.5) <= 0.05)),
            "n_two_fifths": int(np.sum((di >= 0.35) & (di <= 0.45))),
            "n_represented": int(np.sum(norms[i] > tp.REPRESENTED)),
            "n_half_represented": int(np.sum(np.abs(d_i[i][norms[i] > tp.REPRESENTED] - 0.5)
                                             <= 0.05)),
            "max_di": float(d_i[i].max()), "loss": float(loss[i]), "loss_se": float(se[i])})
    return instances, {"W": out["W"], "b": out["b"], "Di": d_i, "norms": norms,
                       "curves": out["loss_curve"], "density": density}


def _geometry(config: Config, ctx: RunContext) -> tuple[dict, dict]:
    """The D* curve at ``geometry_batch``; the D_i-cluster instances (``cluster_k``) again at the
    paper's ``cluster_batch`` when that differs (cpu: B = 256 leaves the unrepresented features
    at norms 0.1–0.2 after 10⁴ steps, which dilutes the D_i cluster counts; B = 1024 does not)."""
    rows, density, out = _geometry_train(config, ctx, "geometry", list(config.geometry_k),
                                         config.geometry_batch)
    instances, raw = _geometry_instances(rows, density, out, config.geometry_batch)
    arrays = {f"geometry_{k}": v for k, v in raw.items()}
    metrics = {"instances": instances, "n": config.geometry_n, "m": config.geometry_m,
               "dstar_by_sparsity": spread_by_x([e["inv_density"] for e in instances],
                                                [e["dstar"] for e in instances]),
               "cluster_instances": []}
    if config.cluster_k and config.cluster_batch != config.geometry_batch:
        rows, density, out = _geometry_train(config, ctx, "geometry_cluster",
                                             list(config.cluster_k), config.cluster_batch)
        metrics["cluster_instances"], raw = _geometry_instances(rows, density, out,
                                                                config.cluster_batch)
        arrays.update({f"geometry_cluster_{k}": v for k, v in raw.items()})
    return metrics, arrays


def _phase(config: Config, ctx: RunContext) -> tuple[dict, dict]:
    R, P, K = config.phase_R, config.phase_P, config.phase_inits
    r, p = ph.phase_grid(R, P)
    r_cell = np.tile(r, P)          # cell index c = k R + j: row k (p_k), column j (r_j)
    p_cell = np.repeat(p, R)
    importance = np.stack([np.ones(P * R), r_cell], axis=1)
    labels = [f"2→1 r={rr:.3g} p={pp:.3g} init {i}" for rr, pp in zip(r_cell, p_cell,
                                                                    strict=True)
              for i in range(K)]
    out = ctx.stage("phase_trained", lambda: _train(
        config, ctx, "phase", density=np.repeat(p_cell, K), importance=np.repeat(
            importance, K, axis=0), wd=np.full(P * R * K, config.phase_weight_decay),
        relu=np.ones(P * R * K, bool), m=1, batch=config.phase_batch, labels=labels))
    analytic = ctx.stage("phase_analytic", lambda: ph.analytic_diagram(r, p, config.n_quad))
    trained = ph.select_trained(out["W"].reshape(P * R, K, 2, 1), out["b"].reshape(P * R, K, 2),
                                r_cell, p_cell, config.n_quad)
    trained_theta = trained["trained_theta"].reshape(P, R, 4)
    lab_t, lab_a = ph.labels_of(trained_theta), ph.labels_of(analytic["analytic_theta"])
    agree = lab_t == lab_a
    interior = ph.interior_mask(lab_a)
    metrics = {
        "r": r.tolist(), "p": p.tolist(), "boundary": tms_two_feature_boundary(r).tolist(),
        "trained_labels": ["".join(row) for row in lab_t],
        "analytic_labels": ["".join(row) for row in lab_a],
        "agreement": float(agree.mean()), "n_cells": int(agree.size), "inits": int(K),
        "interior_agreement": float(agree[interior].mean()) if interior.any() else 0.0,
        "n_interior": int(interior.sum()),
        "counts_trained": ph.label_counts(lab_t), "counts_analytic": ph.label_counts(lab_a),
        "cells_trained_worse": int(np.sum(
            trained["trained_loss"].reshape(P, R) - analytic["analytic_loss"] > 1e-4)),
        "trained_minus_analytic_loss_max": float(np.max(
            trained["trained_loss"].reshape(P, R) - analytic["analytic_loss"])),
    }
    code = {name: i for i, name in enumerate(ph.LABELS)}
    arrays = {"phase_r": r, "phase_p": p, "phase_trained_theta": trained_theta,
              "phase_trained_loss": trained["trained_loss"].reshape(P, R),
              "phase_trained_loss_all": trained["trained_loss_all"].reshape(P, R, K),
              "phase_analytic_theta": analytic["analytic_theta"],
              "phase_analytic_loss": analytic["analytic_loss"],
              "phase_trained_labels": np.vectorize(code.get)(lab_t),
              "phase_analytic_labels": np.vectorize(code.get)(lab_a),
              "phase_interior": interior, "phase_W": out["W"], "phase_b": out["b"],
              "phase_curves": out["loss_curve"]}
    return metrics, arrays


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict]:
    """Metrics and arrays of every selected part; a part left out has metrics None."""
    builders = {"sparsity": _sparsity, "pentagon": _pentagon, "geometry": _geometry,
                "phase": _phase}
    chosen = selected_parts(config)
    metrics: dict[str, Any] = {"parts": list(chosen)}
    arrays: dict[str, np.ndarray] = {}
    for part in PARTS:
        if part in chosen:
            metrics[part], part_arrays = builders[part](config, ctx)
            arrays.update(part_arrays)
        else:
            metrics[part] = None
    add_summaries(metrics, arrays)
    return metrics, arrays
