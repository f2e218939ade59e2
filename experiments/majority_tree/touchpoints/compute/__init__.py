"""The computation of ``touchpoints``: every exact number of the three mechanisms (context
saturation, subcritical cascades, strong baselines) in one compiled call, brute-force binomial
cross-checks, and Kim et al.'s numbers read from the data file; metrics from ``metrics``.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.majority_tree.touchpoints.compute.kim import compare_record, load_kim, table_rows
from experiments.majority_tree.touchpoints.metrics import (
    baseline_metrics,
    cascade_metrics,
    saturation_metrics,
)
from theory import majority_tree as mt


def majority_binomial(q: float, n: int) -> float:
    """Maj_n(q) as the explicit binomial sum (an independent check of ``mt.majority_prob``)."""
    return float(sum(math.comb(n, k) * q**k * (1.0 - q) ** (n - k)
                     for k in range((n + 1) // 2, n + 1)))


def recursion_binomial(p0: float, gamma: float, rho: float, b: int, depth: int) -> np.ndarray:
    """p_0 … p_depth of p ← ρq + (1−ρ)Maj_b(q), q = 1/2 + γ(p − 1/2), in probability space."""
    p = [p0]
    for _ in range(depth):
        q = 0.5 + gamma * (p[-1] - 0.5)
        p.append(rho * q + (1.0 - rho) * majority_binomial(q, b))
    return np.asarray(p)


@partial(jax.jit, static_argnames=("depth",))
def _exact(cells: dict[str, jax.Array], fixed: dict[str, jax.Array], star_q: jax.Array,
           star_n: jax.Array, *, depth: int) -> dict[str, jax.Array]:
    """Every exact number of the three mechanisms in one call, hence one compilation.

    ``cells`` (p0, gamma, rho, b per cell) are iterated to ``depth`` levels; each mechanism reads
    its own depth off the trajectory. ``fixed`` (gamma, rho, b) gets α_ρ and μ*. The fan-in b is
    traced, not static: a static b makes XLA constant-fold majority_bias's per-element coefficient
    gather, which compiles slowly on large grids.
    """
    return {
        "trajectories": mt.iterate(cells["p0"], cells["gamma"], cells["rho"], cells["b"], depth),
        "alpha": mt.alpha_rho(fixed["gamma"], fixed["rho"], fixed["b"]),
        "mu_star": mt.fixed_point(fixed["gamma"], fixed["rho"], fixed["b"]),
        "gamma_c": mt.critical_gamma(fixed["rho"], fixed["b"]),
        "star_maj": mt.majority_prob(star_q, star_n),
    }


def p0_grid(step: float) -> np.ndarray:
    """p0 = 1/2 + i·step, i = 1 … 0.5/step, built from integers so decimals are exact."""
    n = round(0.5 / step)
    return (n + np.arange(1, n + 1)) / (2.0 * n)


DENSE_POINTS = 2**14  # dense p0 grid for the continuous argmax: spacing 0.5/2^14 ≈ 3.1e−5
CURVE_GAMMA = np.arange(1, 201) / 200.0  # (B) theory line; integers → exact grid


class _Cells:
    """Concatenates per-mechanism blocks of cells and hands each block back by name."""

    def __init__(self) -> None:
        self.blocks: dict[str, tuple[int, int]] = {}
        self.cols: dict[str, list[np.ndarray]] = {"p0": [], "gamma": [], "rho": [], "b": []}

    def add(self, name: str, p0: Any, gamma: Any, rho: Any, b: int) -> None:
        p0, gamma, rho = np.broadcast_arrays(*(np.asarray(x, np.float64) for x in (p0, gamma, rho)))
        start = sum(len(c) for c in self.cols["p0"])
        self.blocks[name] = (start, start + p0.size)
        for key, value in (("p0", p0), ("gamma", gamma), ("rho", rho)):
            self.cols[key].append(value.ravel())
        self.cols["b"].append(np.full(p0.size, b, np.int64))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}

    def take(self, name: str, values: np.ndarray) -> np.ndarray:
        lo, hi = self.blocks[name]
        return values[lo:hi]


def exact_model(config: Config) -> dict[str, dict[str, np.ndarray]]:
    """(A) star vs tree under one window, (B) A_e against γ, (C) gain against p0: exact."""
    c = config
    gamma_a = float(jax.jit(mt.fidelity, static_argnums=2)(float(c.message_tokens),
                                                           c.fidelity_m0, c.fidelity_family))
    b_a = int(jax.jit(mt.max_odd_fanin)(c.window_tokens, c.message_tokens))
    q_a = 0.5 + gamma_a * (c.saturation_p0 - 0.5)
    gammas_b = np.asarray(c.cascade_gammas, np.float64)
    rhos_c = np.asarray(c.baseline_rhos, np.float64)
    p0_c, dense_c = p0_grid(c.p0_step), p0_grid(0.5 / DENSE_POINTS)
    p0_all = np.concatenate([p0_c, dense_c])
    cells, fixed = _Cells(), _Cells()
    cells.add("A", c.saturation_p0, gamma_a, c.saturation_rho, b_a)
    cells.add("B", c.cascade_p0, np.concatenate([gammas_b, CURVE_GAMMA]), c.cascade_rho,
              c.cascade_b)
    cells.add("C", p0_all[None, :], c.baseline_gamma, rhos_c[:, None], c.baseline_b)
    fixed.add("A", 0.5, gamma_a, c.saturation_rho, b_a)
    fixed.add("B", 0.5, gammas_b, c.cascade_rho, c.cascade_b)
    fixed.add("C", 0.5, c.baseline_gamma, rhos_c, c.baseline_b)
    star_n = np.arange(1, mt.B_MAX + 1, 2)
    depth = max(c.saturation_depth, c.cascade_depth, c.baseline_depth)
    fixed_arrays = fixed.arrays()
    fixed_arrays.pop("p0")
    out = {k: np.asarray(v) for k, v in _exact(
        cells.arrays(), fixed_arrays, np.full(star_n.shape, q_a), star_n, depth=depth).items()}
    traj, alpha, mu_star = out["trajectories"], out["alpha"], out["mu_star"]
    return {
        "saturation": _saturation(c, gamma_a, b_a, q_a, star_n, out["star_maj"],
                                  cells.take("A", traj)[0, :c.saturation_depth + 1],
                                  fixed.take("A", alpha), fixed.take("A", mu_star)),
        "cascade": _cascade(c, gammas_b, cells.take("B", traj)[:, :c.cascade_depth + 1],
                            fixed.take("B", alpha), fixed.take("B", mu_star),
                            float(fixed.take("B", out["gamma_c"])[0])),
        "baseline": _baseline(c, rhos_c, p0_c, dense_c,
                              cells.take("C", traj)[:, c.baseline_depth].reshape(len(rhos_c), -1),
                              fixed.take("C", alpha), fixed.take("C", mu_star)),
    }


def _saturation(c: Config, gamma: float, b: int, q: float, star_n: np.ndarray,
                star_maj: np.ndarray, tree_p: np.ndarray, alpha: np.ndarray,
                mu_star: np.ndarray) -> dict[str, np.ndarray]:
    rho = c.saturation_rho
    # Maj_N(q) → 1{q > 1/2} (1/2 at q = 1/2) as N → ∞.
    ceiling = rho * q + (1.0 - rho) * (1.0 if q > 0.5 else 0.5 if q == 0.5 else 0.0)
    return {
        "gamma": gamma, "b": b, "q": q, "ceiling": ceiling, "star_n": star_n,
        "star_p": rho * q + (1.0 - rho) * star_maj, "tree_p": tree_p,
        "alpha": alpha[0], "mu_star": mu_star[0],
        "star_p_brute": np.asarray([rho * q + (1 - rho) * majority_binomial(q, int(n))
                                    for n in star_n]),
        "tree_p_brute": recursion_binomial(c.saturation_p0, gamma, rho, b, c.saturation_depth),
    }


def _cascade(c: Config, gammas: np.ndarray, traj: np.ndarray, alpha: np.ndarray,
             mu_star: np.ndarray, gamma_c: float) -> dict[str, np.ndarray]:
    g = len(gammas)
    a_e = (1.0 - traj[:, -1]) / (1.0 - c.cascade_p0)
    return {
        "gammas": gammas, "trajectories": traj[:g], "A_e": a_e[:g], "alpha": alpha,
        "mu_star": mu_star,
        "trajectories_brute": np.stack([recursion_binomial(c.cascade_p0, x, c.cascade_rho,
                                                           c.cascade_b, c.cascade_depth)
                                        for x in gammas]),
        "gamma_c": gamma_c,
        "curve_gamma": CURVE_GAMMA, "curve_A_e": a_e[g:],
    }


def _baseline(c: Config, rhos: np.ndarray, p0: np.ndarray, dense: np.ndarray,
              p_l: np.ndarray, alpha: np.ndarray, mu_star: np.ndarray) -> dict[str, np.ndarray]:
    """Gain on the p0 grid; the argmax from the dense grid (p_L is concave in p0 on [1/2, 1],
    a composition of concave increasing maps, so the maximum is unique; ±1.6e−5)."""
    gain = p_l - np.concatenate([p0, dense])[None, :]
    gain_dense = gain[:, len(p0):]
    best = np.argmax(gain_dense, axis=1)
    return {"rhos": rhos, "p0": p0, "gain": gain[:, :len(p0)], "alpha": alpha,
            "mu_star": mu_star, "argmax": dense[best],
            "max_gain": gain_dense[np.arange(len(rhos)), best]}


def _require_finite(part: dict[str, np.ndarray], where: str) -> None:
    """Raises, naming the configuration, if any computed value is NaN or infinite."""
    for key, value in part.items():
        bad = np.argwhere(~np.isfinite(np.asarray(value, np.float64)))
        if len(bad):
            raise FloatingPointError(
                f"touchpoints: non-finite {key} at index {tuple(bad[0])} for {where}")


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The exact model of the three mechanisms, Kim et al.'s numbers, the metrics."""
    kim = load_kim()
    exact = exact_model(config)  # one compiled call, about a second: no stage needed
    sat, cas, base = exact["saturation"], exact["cascade"], exact["baseline"]
    _require_finite(sat, f"saturation W={config.window_tokens}, m={config.message_tokens}, "
                         f"ρ={config.saturation_rho}, p0={config.saturation_p0}")
    _require_finite(cas, f"cascade b={config.cascade_b}, ρ={config.cascade_rho}, "
                         f"p0={config.cascade_p0}, γ={config.cascade_gammas}")
    _require_finite(base, f"baseline b={config.baseline_b}, γ={config.baseline_gamma}, "
                          f"ρ={config.baseline_rhos}")
    metrics: dict[str, Any] = {
        "saturation": saturation_metrics(config, sat),
        "cascade": cascade_metrics(config, cas),
        "baseline": baseline_metrics(config, base),
        "kim": kim["numbers"], "kim_source": kim["source"],
        "kim_record": compare_record(kim),
        "qualitative": True,
    }
    metrics["table"] = {"rows": table_rows(metrics, kim), "kim_version": kim["version"]}
    arrays = {f"saturation_{k}": v for k, v in sat.items()}
    arrays |= {f"cascade_{k}": v for k, v in cas.items()}
    arrays |= {f"baseline_{k}": v for k, v in base.items()}
    return metrics, arrays
