"""Metrics and arrays of the ``continuous`` experiment: Monte Carlo sums against closed forms.

Every theory value comes from ``theory.majority_tree`` (float64). A Monte Carlo estimate is
v̂ = Σe²/n over the trials pooled from all seed streams, with SE = sqrt((E e⁴ − (E e²)²)/n) from
fourth moments; z = (v̂ − formula)/SE. The across-seed SD over sqrt(S)·(pooled SE) is reported
(``seed_spread``, ≈ 1 when the SEs are right), not claimed; it is None with one stream.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.majority_tree.continuous import model as mc
from experiments.majority_tree.shared.statistics import z_threshold
from theory import majority_tree as mt

LIMIT_TOLERANCE = 1e-12  # |v_L − v*| of the iterated recursion at the deep limit


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, np.float64)


def _spread(est: dict[str, np.ndarray], index: Any) -> Any:
    return est["seed_spread"][index].tolist() if "seed_spread" in est else None


def _compare(est: dict[str, np.ndarray], formula: np.ndarray) -> dict[str, np.ndarray]:
    return {"z": (est["v_hat"] - formula) / est["se"], "rel": est["v_hat"] / formula - 1.0}


def _tree_estimates(run: dict[str, np.ndarray], b: int, depth: int) -> dict[str, np.ndarray]:
    per_stream = int(run["trials_per_stream"])
    samples = per_stream * np.int64(b) ** (depth - np.arange(depth + 1, dtype=np.int64))
    return mc.estimates(run["sums"], samples)


def _pooled_trials(run: dict[str, np.ndarray]) -> int:
    return int(run["trials_per_stream"]) * run["sums"].shape[1]


def deep_limit(v0: np.ndarray, rho: np.ndarray, sigma2: np.ndarray, b: np.ndarray
               ) -> tuple[int, np.ndarray]:
    """Iterates v_{l+1} = λv_l + σ²/b until λ^L < e^−40; returns L and v_L (float64)."""
    lam = _f(mt.tree_lambda(rho, b))
    depth = max(200, math.ceil(40.0 / -math.log(float(lam.max()))))
    step = jnp.asarray(_f(sigma2) / _f(b))
    lam_j = jnp.asarray(lam)
    v = jax.lax.fori_loop(0, depth, lambda _, v: lam_j * v + step, jnp.asarray(_f(v0)))
    return depth, np.asarray(v)


def _tree(config: Any, run: dict[str, np.ndarray]) -> tuple[dict, dict]:
    b, depth = config.fanin, config.depth
    levels = np.arange(depth + 1)
    formula = _f(mt.tree_risk(config.v0, config.rho, config.sigma2, b, levels))
    est = _tree_estimates(run, b, depth)
    cmp = _compare({k: v[0] for k, v in est.items() if k != "per_stream"}, formula)
    vstar = float(mt.tree_floor(config.rho, config.sigma2, b))
    metrics = {
        "b": b, "L": depth, "v0": config.v0, "rho": config.rho, "sigma2": config.sigma2,
        "lambda": float(mt.tree_lambda(config.rho, b)), "v_star": vstar,
        "L_mix_cont": float(mt.continuous_mixing_depth(config.v0, config.rho, config.sigma2, b))
        if config.sigma2 > 0 else None,
        "trials_pooled": _pooled_trials(run), "trials_per_stream": int(run["trials_per_stream"]),
        "levels": [{"l": int(lv), "n": int(est["n"][0, lv]), "v_hat": float(est["v_hat"][0, lv]),
                    "se": float(est["se"][0, lv]), "formula": float(formula[lv]),
                    "z": float(cmp["z"][lv]), "rel_err": float(cmp["rel"][lv])} for lv in levels],
        "seed_spread": _spread(est, 0),
        "max_abs_z": float(np.abs(cmp["z"]).max()), "max_rel_err": float(np.abs(cmp["rel"]).max()),
    }
    fine = np.linspace(0.0, depth, 200)
    arrays = {"tree_level": levels, "tree_v_hat": est["v_hat"][0], "tree_se": est["se"][0],
              "tree_formula": formula, "tree_fine_l": fine,
              "tree_fine_v": _f(mt.tree_risk(config.v0, config.rho, config.sigma2, b, fine))}
    return metrics, arrays


def _floors(table: list[dict], runs: dict[int, dict]) -> tuple[dict, dict]:
    cells, arrays = [], {k: [] for k in ("b", "L", "rho", "sigma2", "vstar", "ratio", "ratio_se")}
    all_z, all_rel, pooled = [], [], None
    for row in (r for r in table if r["kind"] == "floor"):
        b, depth, vstar, run = row["b"], row["L"], row["v0"], runs[row["config_id"]]
        pooled = _pooled_trials(run)
        est = {k: v[0] for k, v in _tree_estimates(run, b, depth).items() if k != "per_stream"}
        formula = _f(mt.tree_risk(vstar, row["rho"], row["sigma2"], b, np.arange(depth + 1)))
        cmp = _compare(est, formula)
        all_z.append(cmp["z"])
        all_rel.append(cmp["rel"])
        ratio, ratio_se = est["v_hat"][-1] / vstar, est["se"][-1] / vstar
        cells.append({
            "config_id": row["config_id"], "b": b, "L": depth, "rho": row["rho"],
            "sigma2": row["sigma2"], "v_star": vstar, "v_hat": est["v_hat"].tolist(),
            "se": est["se"].tolist(), "z": cmp["z"].tolist(),
            "root_ratio": float(ratio), "root_ratio_se": float(ratio_se),
            "root_ratio_interval": [float(ratio) - 1.96 * float(ratio_se),
                                    float(ratio) + 1.96 * float(ratio_se)],
            "seed_spread_root": _spread(est, -1)})
        for key, value in (("b", b), ("L", depth), ("rho", row["rho"]),
                           ("sigma2", row["sigma2"]), ("vstar", vstar), ("ratio", ratio),
                           ("ratio_se", ratio_se)):
            arrays[key].append(value)
    z, rel = np.concatenate(all_z), np.concatenate(all_rel)
    metrics = {"cells": cells, "trials_pooled": pooled, "num_estimates": int(z.size),
               "max_abs_z": float(np.abs(z).max()), "max_rel_err": float(np.abs(rel).max())}
    return metrics, {f"floor_{k}": np.asarray(v) for k, v in arrays.items()}


def _floor_limit(config: Any) -> dict[str, Any]:
    """The recursion iterated from v0 (main) and from v0 = 1 (sweep cells) reaches v*."""
    rhos = [config.rho] + [r for _ in config.floor_fanins for r in config.floor_rhos
                           for _ in config.floor_sigma2s]
    sig = [config.sigma2] + [s for _ in config.floor_fanins for _ in config.floor_rhos
                             for s in config.floor_sigma2s]
    bs = [config.fanin] + [b for b in config.floor_fanins for _ in config.floor_rhos
                           for _ in config.floor_sigma2s]
    v0 = [config.v0] + [1.0] * (len(rhos) - 1)
    depth, v_deep = deep_limit(_f(v0), _f(rhos), _f(sig), _f(bs))
    error = np.abs(v_deep - _f(mt.tree_floor(_f(rhos), _f(sig), _f(bs))))
    return {"depth": depth, "max_abs_error": float(error.max()), "tolerance": LIMIT_TOLERANCE}


def _line(config: Any, kind: str, run: dict[str, np.ndarray], sizes: np.ndarray
          ) -> tuple[dict, dict]:
    risk = mt.star_risk if kind == "star" else mt.chain_risk
    formula = _f(risk(config.v0, config.rho, config.sigma2, sizes))
    est = mc.estimates(run["sums"], np.full(sizes.shape, int(run["trials_per_stream"])))
    cmp = _compare({k: v[0] for k, v in est.items() if k != "per_stream"}, formula)
    axis = "N" if kind == "star" else "L"
    metrics = {
        axis: sizes.tolist(), "v_hat": est["v_hat"][0].tolist(), "se": est["se"][0].tolist(),
        "formula": formula.tolist(), "z": cmp["z"].tolist(), "rel_err": cmp["rel"].tolist(),
        "seed_spread": _spread(est, 0), "trials_pooled": _pooled_trials(run),
        "max_abs_z": float(np.abs(cmp["z"]).max()), "max_rel_err": float(np.abs(cmp["rel"]).max())}
    arrays = {f"{kind}_{axis}": sizes, f"{kind}_v_hat": est["v_hat"][0],
              f"{kind}_se": est["se"][0], f"{kind}_formula": formula}
    return metrics, arrays


def _star(config: Any, run: dict[str, np.ndarray]) -> tuple[dict, dict]:
    metrics, arrays = _line(config, "star", run, np.asarray(config.star_sizes, np.int64))
    cap = config.window // config.message_tokens
    fine = np.geomspace(1.0, max(config.star_sizes), 200)
    metrics.update({"floor": config.rho * config.v0, "window": config.window,
                    "message_tokens": config.message_tokens, "cap": cap,
                    "feasible": [n <= cap for n in config.star_sizes]})
    arrays.update({"star_fine_N": fine,
                   "star_fine_R": _f(mt.star_risk(config.v0, config.rho, config.sigma2, fine))})
    return metrics, arrays


def _chain(config: Any, run: dict[str, np.ndarray]) -> tuple[dict, dict]:
    lengths = np.arange(1, config.chain_max_length + 1, dtype=np.int64)
    metrics, arrays = _line(config, "chain", run, lengths)
    metrics["argmin_formula"] = int(lengths[np.argmin(metrics["formula"])])
    metrics["argmin_mc"] = int(lengths[np.argmin(metrics["v_hat"])])
    metrics["L_opt_relaxation"] = (math.sqrt(3.0 * (1.0 - config.rho) * config.v0 / config.sigma2)
                                   if config.sigma2 > 0 else None)
    return metrics, arrays


def _contrast(config: Any) -> tuple[dict, dict]:
    b, v0, rho, sigma2 = config.fanin, config.v0, config.rho, config.sigma2
    grid = np.linspace(0.0, 0.95, 96)
    metrics = {"v_star": float(mt.tree_floor(rho, sigma2, b)), "star_floor": rho * v0,
               "global_floor": float(mt.tree_floor_global(v0, rho, sigma2, b)),
               "sigma2_bound": (b - 1) * (1 - rho) * rho * v0}
    metrics["tree_below_star"] = bool(metrics["v_star"] < metrics["star_floor"])
    arrays = {"contrast_rho": grid, "contrast_tree_floor": _f(mt.tree_floor(grid, sigma2, b)),
              "contrast_star_floor": grid * v0,
              "contrast_global_floor": _f(mt.tree_floor_global(v0, grid, sigma2, b))}
    return metrics, arrays


def derive(config: Any, table: list[dict], runs: dict[int, dict]
           ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(metrics, arrays) of a run from the closed forms and the Monte Carlo sums.

    ``runs[config_id]`` holds ``sums`` [1, stream, 2, estimate] and ``trials_per_stream``.
    """
    kinds = {r["kind"]: r["config_id"] for r in table if r["kind"] != "floor"}
    metrics: dict[str, Any] = {"config_table": table, "seed_streams": config.seed_streams}
    arrays: dict[str, np.ndarray] = {}
    for name, (m, a) in (("tree", _tree(config, runs[kinds["tree"]])),
                         ("floors", _floors(table, runs)),
                         ("star", _star(config, runs[kinds["star"]])),
                         ("chain", _chain(config, runs[kinds["chain"]])),
                         ("contrast", _contrast(config))):
        metrics[name] = m
        arrays.update(a)
    metrics["floor_limit"] = _floor_limit(config)
    counts = {"tree_closed_form": config.depth + 1,
              "tree_floor": metrics["floors"]["num_estimates"],
              "star": len(config.star_sizes), "chain": config.chain_max_length}
    metrics["z_thresholds"] = {k: {"K": k_, "z_K": z_threshold(k_)}
                               for k, k_ in counts.items()}
    return metrics, arrays
