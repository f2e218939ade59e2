"""Liu, Liu & Gore, "Superposition Yields Robust Neural Scaling" (NeurIPS 2025, arXiv:2505.10465v4).

Claims (spec superposition.md §1.1, §6.1): in a tied ReLU autoencoder a decoupled weight decay γ
tunes superposition; γ > 0 gives weak superposition (≈ m rows of norm 1, loss = frequency mass
of the ignored features, L ≈ (4/3) Σ_{i>φn} p_i, α_m = α − 1), γ < 0 strong superposition (all
rows ≈ norm 1, mean squared overlap of the frequent rows ≈ 1/m, L ∝ 1/m, α_m ≈ 1, rising
towards 2(α − 1) for very skewed frequencies).

Run:  python -m experiments.superposition.liu_scaling --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process, 2026-11-26): cpu 345 s (buckets
m = 10, 15, 25, 39, 63 of 2, 1, 3, 2, 3 models at B = 512, 5 000 steps: 58, ~35, 78, 62, ~100 s
incl. compilation, then evaluation, fits and figures); a later run the same day took 360 s.
smoke 18 s alone (two compiled width buckets; smoke compiles at XLA backend optimisation
level 0). paper: ≈ 2–2.5 h on one H100 (extrapolated; not run); on GPU the
program sets jax_default_matmul_precision = "highest" (trap 10) and records it in
metrics["settings"]["matmul_precision"].

Expected (cpu, spec §4.1): C1 = (α 1, γ −1): φ_{1/2} = 1, m·MSO_strong ≈ 1, α_m ≈ 1.00 on
m ∈ [25, 63]; C2 = (α 1.5, γ −1): α_m ≈ 1.20; C3 = (α 1, γ 5/9): 4–15 represented rows,
L / eq. 14 ≈ 1.06, α_m ≈ 0.05.

Conventions: α is the paper's exponent (p_i ∝ i^−α; the authors' scripts use i^−(1+a), trap 1);
"loss" is the sum over features of the squared error on fresh evaluation batches (trap 6), the
optimised loss is the mean over batch and features (× 100 for the large models, trap 2).
Common random numbers: all models of one seed read the same training words at each step (in
every width bucket and for every α, γ, E) and the same evaluation words; each model still sees
i.i.d. data of its own frequencies. Differences between cells are therefore less noisy than
their absolute values.
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

from experiments.common import config as cfg
from experiments.common.app import Experiment, RunContext, app_main
from experiments.common.config import Config, UsageError
from experiments.common.stats import power_law_fit
from experiments.common.sweep import grid_sharding
from experiments.superposition import _liu
from experiments.superposition.liu_scaling_claims import make_claims
from experiments.superposition.liu_scaling_plots import FIGURES, PAPER_FIGURES, plot
from theory import superposition as th

SOURCE_PACKAGES = ("theory", "experiments/common", "experiments/superposition")
CURVE_EVERY = 100
_GAMMAS = [round(-1.0 + 2.0 * j / 9, 10) for j in range(10)]  # linspace(-1, 1, 10)
_ALPHAS = [0.125 * j for j in range(17)]
_SMALL_MS = [10, 15, 25, 39, 63, 100]
_LARGE = dict(large_gammas=[-1.0, 0.1], large_warmup_frac=0.05, large_lr_w_ref=0.02,
              large_lr_b_num=2.0, large_loss_scale=100.0)

PROFILES = {
    "smoke": dict(
        n=64, E=1.0, ms=[4, 8], series_alpha=[1.0, 1.0], series_gamma=[-1.0, 5 / 9],
        series_m_mask=[0, 0], batch=64, steps=200, warmup=20, lr_w=1e-2, lr_b=1e-2,
        floor_frac=0.05, eval_batches=2, eval_batch=256, seeds=1, fit_m_min=1, fit_m_max=100000,
        density_s=[0.0, 1.0], density_gammas=[-1.0], fig18_alphas=[1.0, 2.0], fig18_ms=[4, 8],
        fig18_gamma=-1.0, large_n=64, large_ms=[4, 8], large_batch=64, large_steps=200,
        large_exp_scale=5.0, **_LARGE, ambiguity=True, overlap_check_ms=[4],
        overlap_check_pairs=1000, instance_chunk=256, gpu_matmul_precision="highest"),
    "cpu": dict(
        n=1000, E=1.0, ms=[10, 15, 25, 39, 63], series_alpha=[1.0, 1.5, 1.0],
        series_gamma=[-1.0, -1.0, 5 / 9], series_m_mask=[0, 28, 21], batch=512, steps=5000,
        warmup=500, lr_w=1e-2, lr_b=1e-2, floor_frac=0.05, eval_batches=20, eval_batch=2048,
        seeds=1, fit_m_min=25, fit_m_max=63, density_s=[], density_gammas=[-1.0],
        fig18_alphas=[], fig18_ms=[50, 62, 77, 96, 120, 150], fig18_gamma=-1.0, large_n=10240,
        large_ms=[8, 16, 32, 64, 128, 256, 512, 1024], large_batch=2048, large_steps=20000,
        large_exp_scale=400.0, **{**_LARGE, "large_gammas": []}, ambiguity=False,
        overlap_check_ms=[10, 100], overlap_check_pairs=100_000, instance_chunk=256,
        gpu_matmul_precision="highest"),
    "paper": dict(
        n=1000, E=1.0, ms=_SMALL_MS, series_alpha=[a for a in _ALPHAS for _ in _GAMMAS],
        series_gamma=[g for _ in _ALPHAS for g in _GAMMAS], series_m_mask=[0] * 170,
        batch=2048, steps=20000, warmup=2000, lr_w=1e-2, lr_b=1e-2, floor_frac=0.05,
        eval_batches=100, eval_batch=2048, seeds=1, fit_m_min=1, fit_m_max=100000,
        density_s=[j / 8 for j in range(9)], density_gammas=_GAMMAS, fig18_alphas=_ALPHAS,
        fig18_ms=[50, 62, 77, 96, 120, 150], fig18_gamma=-1.0, large_n=10240,
        large_ms=[8, 16, 32, 64, 128, 256, 512, 1024], large_batch=2048, large_steps=20000,
        large_exp_scale=400.0, **_LARGE, ambiguity=True, overlap_check_ms=[10, 100],
        overlap_check_pairs=100_000, instance_chunk=256, gpu_matmul_precision="highest"),
}

_ALPHA = cfg.each(cfg.non_negative(), min_len=0)
_GAMMA = cfg.each(cfg.float_in(-2.0, 2.0), min_len=0)
_WIDTHS = cfg.each(cfg.int_at_least(1))
CHECKS = {
    "n": cfg.int_at_least(2), "E": cfg.positive(), "ms": _WIDTHS, "series_alpha": _ALPHA,
    "series_gamma": _GAMMA, "series_m_mask": cfg.each(cfg.int_at_least(0), min_len=0),
    "batch": cfg.int_at_least(1), "steps": cfg.int_at_least(CURVE_EVERY),
    "warmup": cfg.int_at_least(0), "lr_w": cfg.positive(), "lr_b": cfg.positive(),
    "floor_frac": cfg.float_in(0.0, 1.0), "eval_batches": cfg.int_at_least(2),
    "eval_batch": cfg.int_at_least(1), "seeds": cfg.int_at_least(1),
    "fit_m_min": cfg.int_at_least(1), "fit_m_max": cfg.int_at_least(1),
    "density_s": cfg.each(cfg.float_in(0.0, 1.0), min_len=0), "density_gammas": _GAMMA,
    "fig18_alphas": _ALPHA, "fig18_ms": _WIDTHS, "fig18_gamma": cfg.float_in(-2.0, 2.0),
    "large_n": cfg.int_at_least(2), "large_ms": _WIDTHS, "large_gammas": _GAMMA,
    "large_batch": cfg.int_at_least(1), "large_steps": cfg.int_at_least(CURVE_EVERY),
    "large_warmup_frac": cfg.float_in(0.0, 1.0, hi_open=True), "large_lr_w_ref": cfg.positive(),
    "large_lr_b_num": cfg.positive(), "large_loss_scale": cfg.positive(),
    "large_exp_scale": cfg.positive(), "overlap_check_ms": _WIDTHS,
    "overlap_check_pairs": cfg.int_at_least(10), "instance_chunk": cfg.int_at_least(1),
    "gpu_matmul_precision": cfg.one_of("default", "high", "highest"),
}
LARGE_KINDS = (("exponential", None), ("power", 1.2), ("linear", None))


def validate(config: Config) -> None:
    """Cross-field checks: one UsageError line, exit status 2."""
    if not len(config.series_alpha) == len(config.series_gamma) == len(config.series_m_mask):
        raise UsageError("series_gamma", config.series_gamma,
                         "allowed: as many values as series_alpha and series_m_mask")
    for field, widths, n in (("ms", config.ms, config.n), ("fig18_ms", config.fig18_ms, config.n),
                             ("large_ms", config.large_ms, config.large_n)):
        if any(m >= n for m in widths):
            raise UsageError(field, widths, f"allowed: widths 1 <= m < n = {n}")
    if any(mask >= 2 ** len(config.ms) for mask in config.series_m_mask):
        raise UsageError("series_m_mask", config.series_m_mask,
                         f"allowed: bit masks over ms below 2^{len(config.ms)} (0 = every m)")
    for field in ("steps", "large_steps"):
        if config[field] % CURVE_EVERY:
            raise UsageError(field, config[field], f"allowed: multiples of {CURVE_EVERY}")
    if config.warmup >= config.steps:
        raise UsageError("warmup", config.warmup, f"allowed: integers < steps = {config.steps}")
    for alpha in sorted(set(config.series_alpha) | set(config.fig18_alphas)):
        p1 = config.E / float(np.sum(np.arange(1, config.n + 1, dtype=np.float64) ** -alpha))
        if p1 > 1.0 + 1e-12:
            raise UsageError("E", config.E, f"allowed: E with p_1 <= 1 (alpha = {alpha} gives "
                             f"p_1 = {p1:.4g})")


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


def bucket_of(config: Config, cell: dict[str, Any]) -> tuple[int, int, int, int]:
    """(n, m, batch, steps): cells sharing it share one compiled program."""
    if cell["family"] == "small":
        return cell["n"], cell["m"], config.batch, config.steps
    return cell["n"], cell["m"], config.large_batch, config.large_steps


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


def _train_bucket(config: Config, cells: list[dict], probs: dict, settings: _liu.TrainSettings,
                  num_devices: int) -> dict[str, np.ndarray]:
    """Trains and evaluates every cell of one width bucket for every seed (instance chunks)."""
    seeds, total = config.seeds, len(cells)
    thr = np.stack([th.sampler_thresholds(probs[c["p_key"]]) for c in cells])
    hps = np.asarray([instance_hparams(config, c) for c in cells], np.float32)
    ids = np.asarray([c["cell_id"] for c in cells], np.int32)
    init_roots = _seed_keys(config, _liu.INIT_STREAM)
    data_keys, eval_keys = (_seed_keys(config, s) for s in (_liu.DATA_STREAM,
                                                            _liu.EVAL_STREAM))
    devices = max(num_devices, 1)
    groups = math.ceil(total / (config.instance_chunk * devices))
    size = math.ceil(math.ceil(total / groups) / devices) * devices
    sharding = grid_sharding(num_devices)
    out: dict[str, list] = {"W": [], "b": [], "curve": [], "eval": []}
    start = time.perf_counter()
    for g in range(groups):
        rows = np.minimum(np.arange(g * size, (g + 1) * size), total - 1)  # pad: repeat last
        t = jnp.asarray(np.broadcast_to(thr[rows], (seeds, size, thr.shape[1])))
        hp = _liu.make_hparams(*np.broadcast_to(hps[rows].T[:, None], (5, seeds, size)))
        args = [t, hp, _init_keys(init_roots, jnp.asarray(ids[rows]))]
        if sharding is not None:
            args = jax.device_put(args, jax.sharding.NamedSharding(
                sharding.mesh, jax.sharding.PartitionSpec(None, "grid")))
        res = _liu.train_seeds(*args, data_keys, settings)
        losses = _liu.eval_seeds(res["W"], res["b"], args[0], eval_keys,
                                 config.eval_batches, config.eval_batch)
        keep = slice(0, min(size, total - g * size))
        for name, value in (("W", res["W"]), ("b", res["b"]), ("curve", res["curve"]),
                            ("eval", losses)):
            out[name].append(np.asarray(value)[:, keep])
        elapsed = time.perf_counter() - start
        logging.info("liu_scaling m=%d (%d cells x %d seeds): group %d/%d, elapsed %.0f s, "
                     "ETA %.0f s", settings.m, total, seeds, g + 1, groups, elapsed,
                     elapsed / (g + 1) * (groups - g - 1))
    result = {k: np.concatenate(v, axis=1) for k, v in out.items()}
    bad = ~(np.isfinite(result["curve"]).all(-1) & np.isfinite(result["eval"]).all(-1)
            & np.isfinite(result["W"]).all((-1, -2)))
    if bad.any():
        s, i = np.argwhere(bad)[0]
        raise FloatingPointError(f"liu_scaling: non-finite loss or weights in seed {s}, "
                                 f"{label(cells[i])}")
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
            meas = _liu.measure_model(W, probs[cell["p_key"]], alpha=cell["alpha"],
                                      E=cell["E"], with_ambiguity=config.ambiguity)
            row = {**cell, "seed": s, "L": loss, "L_std": std, "L_se": std / math.sqrt(ev.size),
                   "train_final": float(res["curve"][s, i, -1]), **meas}
            for key in ("pred_eq14", "pred_discrete", "pred_exact"):
                pred = row[key]
                row["ratio_" + key[5:]] = loss / pred if pred else None
            rows.append(row)
            uid = f"c{cell['cell_id']}_s{s}"
            arrays[f"norms_{uid}"] = _liu.row_norms(W).astype(np.float32)
            arrays[f"curve_{uid}"] = res["curve"][s, i]
            if cell["cell_id"] in keep_w:
                arrays[f"W_{uid}"] = W
    return rows, arrays


def _fit_entry(rows: list[dict], window: str, **key: Any) -> dict[str, Any]:
    ms = np.asarray([r["m"] for r in rows], np.float64)
    losses = np.asarray([r["L"] for r in rows], np.float64)
    entry = {**key, "window": window, "ms": [int(m) for m in ms]}
    if ms.size < 2 or np.unique(ms).size < 2:
        return {**entry, "alpha_m": None, "alpha_m_se": None, "r2": None}
    fit = power_law_fit(ms, losses)
    se = fit.slope_se if np.isfinite(fit.slope_se) else None
    return {**entry, "alpha_m": -fit.slope, "alpha_m_se": se, "r2": fit.r_squared,
            "intercept": fit.intercept}


def _large_window(kind: str, gamma: float, rows: list[dict]) -> list[dict]:
    """Paper D.1 windows: weak power last 5 points; strong power/linear from the third."""
    if gamma > 0 and kind == "power":
        return rows[-5:] if len(rows) > 5 else rows
    if gamma < 0 and kind in ("power", "linear"):
        return rows[2:] if len(rows) > 3 else rows
    return rows


def power_law_fits(config: Config, rows: list[dict]) -> list[dict]:
    """α_m, SE and R² per (group, α or distribution, γ, E, seed) on the stated windows."""
    series: dict[tuple, list[dict]] = {}
    for r in rows:
        series.setdefault((r["group"], r["kind"], r["alpha"], r["gamma"], r.get("s"),
                           r["seed"]), []).append(r)
    fits = []
    for (group, kind, alpha, gamma, s, seed), members in series.items():
        members = sorted(members, key=lambda r: r["m"])
        key = dict(group=group, kind=kind, alpha=alpha, gamma=gamma, s=s, seed=seed,
                   E=members[0]["E"])
        fits.append(_fit_entry(members, "all", **key))
        if group == "small":
            inside = [r for r in members if config.fit_m_min <= r["m"] <= config.fit_m_max]
            fits.append(_fit_entry(inside, "window", **key))
        if group == "large":
            fits.append(_fit_entry(_large_window(kind, gamma, members), "paper", **key))
    return fits


def overlap_reference(config: Config) -> list[dict]:
    """Monte Carlo of (ŵ_i·ŵ_j)² for independent uniform unit vectors vs Beta(1/2, (m−1)/2)."""
    out = []
    for m in config.overlap_check_ms:
        key = jax.random.fold_in(jax.random.key(config.seed), 1000 + m)
        u = np.asarray(jax.random.normal(key, (2, config.overlap_check_pairs, m)), np.float64)
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        q = np.sum(u[0] * u[1], axis=-1) ** 2
        mean, var = th.random_overlap_moments(m)
        n = q.size
        central4 = float(np.mean((q - q.mean()) ** 4))
        out.append({"m": int(m), "pairs": n, "mean": float(q.mean()),
                    "mean_se": float(q.std(ddof=1) / math.sqrt(n)), "var": float(q.var(ddof=1)),
                    "var_se": math.sqrt(max(central4 - q.var() ** 2, 0.0) / n),
                    "theory_mean": float(mean), "theory_var": float(var)})
    return out


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    validate(config)
    on_gpu = jax.default_backend() == "gpu"
    precision = config.gpu_matmul_precision if on_gpu else "default"
    cells, probs = cell_table(config)
    largest_small = max(config.ms)
    keep_w = {c["cell_id"] for c in cells if (c["family"] == "small" and c["alpha"] == 1.0
                                               and c["group"] == "small"
                                               and c["m"] == largest_small)
              or (c["family"] == "large" and c["m"] <= 256)}
    buckets: dict[tuple[int, int, int, int], list[dict]] = {}
    for cell in cells:
        buckets.setdefault(bucket_of(config, cell), []).append(cell)
    rows: list[dict] = []
    arrays: dict[str, np.ndarray] = {k: v for k, v in probs.items()}
    context = (contextlib.nullcontext() if precision == "default"
               else jax.default_matmul_precision(precision))
    with context:
        for (n, m, batch, steps), members in sorted(buckets.items()):
            settings = _liu.TrainSettings(m, batch, steps, config.floor_frac, CURVE_EVERY)
            res = ctx.stage(f"n{n}_m{m}_B{batch}_T{steps}",
                            lambda s=settings, c=members: _train_bucket(config, c, probs, s,
                                                                        ctx.num_devices))
            bucket_rows, bucket_arrays = _measure_bucket(config, members, probs, res, keep_w)
            rows += bucket_rows
            arrays.update(bucket_arrays)
    rows.sort(key=lambda r: (r["cell_id"], r["seed"]))
    metrics = {
        "cells": rows, "fits": power_law_fits(config, rows),
        "overlap_reference": overlap_reference(config),
        "settings": {
            "matmul_precision": precision, "backend": jax.default_backend(),
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
    return metrics, arrays


EXPERIMENT = Experiment(
    name="superposition/liu_scaling",
    description="Liu et al. 2025: weight decay tunes superposition; loss vs width scaling.",
    profiles=PROFILES, checks=CHECKS, compute=compute, make_claims=make_claims, plot=plot,
    figures=FIGURES, paper_figures=PAPER_FIGURES, x64=False, source_packages=SOURCE_PACKAGES,
    validate=validate,
)

if __name__ == "__main__":
    app_main(EXPERIMENT)
