"""Exact-recursion part of the ``saturation`` experiment (spec §3.3 (a) and (b)).

Per cell (b, γ, ρ, μ0) one ``lax.scan`` of the bias map g to depth L_max gives μ_0…μ_Lmax in
float64; the clipped predictor μ̂_L = sign(μ0)·min(α^L|μ0|, μ*) (α > 1; α^L·μ0 otherwise) and
the error in probability units Δp_L = (μ̂_L − μ_L)/2 follow. Cells are evaluated by
``run_sweep`` (jit(vmap) over the flattened grid, chunked and sharded over devices); only the
per-cell statistics and a knee-aligned window of |Δp| come back to the host, so the fine paper
grid never materialises a (cells × L) array on the host.

Regimes [reconstructed]: growth L ≤ L_mix − 3, knee |L − L_mix| < 3, saturated L ≥ L_mix + 3.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.common.sweep import run_sweep
from theory import majority_tree as mt

KNEE_HALF_WIDTH = 3.0  # the knee is |L − L_mix| < 3 (spec §3.3)
WINDOW = 30  # knee-aligned offsets k = −30…30 kept per cell for the Δp density (figure 12)
BOUND_SLACK = 1e-12  # slack of the bound checks |μ_L| ≤ |μ̂_L| (+/−) 1e−12
DP_BINS = np.linspace(0.0, 0.25, 51)  # Δp axis of the knee density (max over the grid ≈ 0.22)


def decimal_grid(lo: float, hi: float, step: float) -> np.ndarray:
    """lo, lo + step, … ≤ hi, built from integers in units of 1e−3 so decimals are exact."""
    lo_m, hi_m, step_m = (int(round(v * 1000)) for v in (lo, hi, step))
    return np.arange(lo_m, hi_m + 1, step_m, dtype=np.int64) / 1000.0


def grid_cells(fanins: Sequence[int], gammas: np.ndarray, rhos: np.ndarray,
               mu0s: Sequence[float]) -> dict[str, np.ndarray]:
    """Flattened product grid, b-major then γ, ρ, μ0 (row i is cell i)."""
    b, gamma, rho, mu0 = np.meshgrid(np.asarray(fanins, np.int64), np.asarray(gammas, np.float64),
                                     np.asarray(rhos, np.float64), np.asarray(mu0s, np.float64),
                                     indexing="ij")
    return {"b": b.ravel(), "gamma": gamma.ravel(), "rho": rho.ravel(), "mu0": mu0.ravel()}


def clipped_curve(mu0: jax.Array, alpha: jax.Array, mstar: jax.Array,
                  levels: jax.Array) -> jax.Array:
    """The clipped predictor of ``mt.clipped_bias`` from a cell's α and μ* (computed once).

    It reuses the α and μ* that the cell's statistics already computed (``mt.clipped_bias``
    would bisect for μ* again) and guards α^L overflow at μ0 = 0. A test checks that both agree.
    μ* > 0 iff α > 1 + 1e−12.
    """
    safe = jnp.where(mu0 == 0.0, 0.0, alpha**levels * mu0)  # α^L may overflow; 0·inf is NaN
    clipped = jnp.sign(mu0) * jnp.minimum(jnp.abs(safe), mstar)
    return jnp.where(mstar > 0.0, clipped, safe)


def cell_stats(mu0: jax.Array, gamma: jax.Array, rho: jax.Array, b: jax.Array, *, depth: int,
               curves: bool = False) -> dict[str, jax.Array]:
    """Predictor error statistics of one cell over L = 0…depth (scalars; vmapped by the sweep)."""
    alpha = mt.alpha_rho(gamma, rho, b)
    mstar = mt.fixed_point(gamma, rho, b)
    lmix = mt.mixing_depth(mu0, gamma, rho, b)
    mu = mt.iterate_bias(mu0, gamma, rho, b, depth)
    levels = jnp.arange(depth + 1)
    clip = clipped_curve(mu0, alpha, mstar, levels)
    dp = jnp.abs(clip - mu) / 2.0  # probability units
    offset = levels - lmix  # −inf everywhere when L_mix = +inf (α ≤ 1)
    growth = (offset <= -KNEE_HALF_WIDTH) & (mu != 0.0)
    rel = jnp.where(growth, jnp.abs(clip - mu) / jnp.where(growth, jnp.abs(mu), 1.0), 0.0)
    upper = jnp.abs(mu0) <= mstar  # domain of the upper bound |μ_L| ≤ |μ̂_L|
    lower = (mstar > 0.0) & (jnp.abs(mu0) > mstar)  # strong leaves: μ̂_L = ±μ* is a lower bound
    finite_lmix = jnp.isfinite(lmix)
    centre = jnp.round(jnp.where(finite_lmix, lmix, 0.0)).astype(jnp.int64)
    window_levels = centre + jnp.arange(-WINDOW, WINDOW + 1)
    in_range = finite_lmix & (window_levels >= 0) & (window_levels <= depth)
    out = {
        "alpha": alpha, "mstar": mstar, "lmix": lmix,
        "max_dp": dp.max(), "argmax_level": jnp.argmax(dp),
        "far_dp": jnp.where(jnp.abs(offset) >= KNEE_HALF_WIDTH, dp, 0.0).max(),
        "growth_rel": rel.max(),
        "upper_pairs": jnp.where(upper, depth + 1, 0),
        "upper_violations": jnp.where(upper, jnp.sum(jnp.abs(mu) > jnp.abs(clip) + BOUND_SLACK),
                                      0),
        "lower_pairs": jnp.where(lower, depth + 1, 0),
        "lower_violations": jnp.where(lower, jnp.sum(jnp.abs(mu) < jnp.abs(clip) - BOUND_SLACK),
                                      0),
        "finite": jnp.all(jnp.isfinite(mu)),
        # |Δp| at L = round(L_mix) + k (NaN outside 0…depth), and the exact L − L_mix there.
        "window_dp": jnp.where(in_range, dp[jnp.clip(window_levels, 0, depth)], jnp.nan),
        "window_offset": window_levels - jnp.where(finite_lmix, lmix, 0.0),
    }
    if curves:
        out |= {"mu": mu, "clip": clip}
    return out


@functools.cache
def _compiled(depth: int, curves: bool):
    fn = functools.partial(cell_stats, depth=depth, curves=curves)
    return fn, jax.jit(jax.vmap(fn))


def evaluate_cells(cells: dict[str, np.ndarray], *, depth: int, batch: int, num_devices: int,
                   name: str, curves: bool = False) -> dict[str, np.ndarray]:
    """``cell_stats`` on every cell (jit(vmap), chunked and sharded); raises on divergence."""
    fn, jitted = _compiled(depth, curves)
    rows = (cells["mu0"], cells["gamma"], cells["rho"], cells["b"])
    stats = run_sweep(fn, rows, batch=batch, num_devices=num_devices, name=name, jitted=jitted)
    stats = {k: np.asarray(v) for k, v in stats.items()}
    bad = np.flatnonzero(~stats["finite"])
    if bad.size:
        i = bad[0]
        raise FloatingPointError(
            f"{name}: non-finite bias recursion in {bad.size} cell(s), first b={cells['b'][i]} "
            f"gamma={cells['gamma'][i]} rho={cells['rho'][i]} mu0={cells['mu0'][i]}")
    return stats


def snap_alpha(alpha: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """α with values within 1e−9 of a band edge set to the edge.

    Grid cells whose α equals an edge in exact arithmetic (e.g. b = 3, γ = 1, ρ = 0.4: α = 1.3)
    come out 1 ulp either side, depending on how XLA fuses the product; like the critical cells
    of spec §2.5 they are assigned as in exact arithmetic.
    """
    alpha = np.asarray(alpha, np.float64)
    for edge in edges:
        alpha = np.where(np.abs(alpha - edge) <= 1e-9, edge, alpha)
    return alpha


def band_mask(cells: dict[str, np.ndarray], lo: float, hi: float) -> np.ndarray:
    """Cells of the α band [lo, hi) that enter the band statistics: μ* > |μ0| > 0 (spec §3.3b)."""
    alpha = snap_alpha(cells["alpha"], (lo, hi))
    mu0 = np.abs(cells["mu0"])
    return (alpha >= lo) & (alpha < hi) & (cells["mstar"] > mu0) & (mu0 > 0)


def band_stats(cells: dict[str, np.ndarray], edges: Sequence[float]) -> list[dict[str, Any]]:
    """Per α band: n, max and median of max_L |Δp|, max |Δp| away from the knee, and the max
    relative error of μ in the growth regime. Empty bands report n = 0 and zeros.
    ``n_on_edges`` counts the eligible cells whose α lies on one of the band's edges (±1e−9).

    ``cells`` holds per-cell arrays (``alpha``, ``mstar``, ``mu0``, ``max_dp``, ``far_dp``,
    ``growth_rel``), e.g. the output of ``summarize``.
    """
    bands = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = band_mask(cells, lo, hi)
        n = int(m.sum())

        def pick(key: str, fn: Any, m: np.ndarray = m, n: int = n) -> float:
            return float(fn(cells[key][m])) if n else 0.0

        eligible = (cells["mstar"] > np.abs(cells["mu0"])) & (cells["mu0"] != 0)
        on_edge = eligible & ((np.abs(cells["alpha"] - lo) <= 1e-9)
                              | (np.abs(cells["alpha"] - hi) <= 1e-9))
        bands.append({"alpha_lo": float(lo), "alpha_hi": float(hi), "n": n,
                      "n_on_edges": int(on_edge.sum()),
                      "max_dp": pick("max_dp", np.max), "median_dp": pick("max_dp", np.median),
                      "far_dp": pick("far_dp", np.max), "growth_rel": pick("growth_rel", np.max)})
    return bands


VIOLATION_KEYS = ("upper_violations", "upper_pairs", "lower_violations", "lower_pairs")


def violation_summary(*results: dict[str, np.ndarray]) -> dict[str, int]:
    """Bound violations and (cell, L) pairs checked, summed over the given evaluations."""
    return {k: int(sum(int(np.sum(r[k])) for r in results)) for k in VIOLATION_KEYS}


def knee_density(stats: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """Density of |Δp| against L − L_mix over the masked cells, plus per-offset median and max."""
    dp, offset = stats["window_dp"][mask], stats["window_offset"][mask]
    valid = np.isfinite(dp)
    x_edges = np.arange(-WINDOW - 0.5, WINDOW + 1.0)
    hist, _, _ = np.histogram2d(offset[valid], np.minimum(dp[valid], DP_BINS[-1]),
                                bins=(x_edges, DP_BINS))
    count = valid.sum(axis=0)
    column = np.where(valid, dp, np.nan)
    with warnings.catch_warnings():  # offsets that no cell reaches are all-NaN columns: set to 0
        warnings.simplefilter("ignore", RuntimeWarning)
        median, top = np.nanmedian(column, axis=0), np.nanmax(column, axis=0)
    return {"knee_hist": hist.astype(np.int64), "knee_hist_x_edges": x_edges,
            "knee_hist_dp_edges": DP_BINS, "knee_offsets": np.arange(-WINDOW, WINDOW + 1),
            "knee_median": np.where(count > 0, median, 0.0),
            "knee_max": np.where(count > 0, top, 0.0), "knee_count": count.astype(np.int64)}


def summarize(stats: dict[str, np.ndarray], cells: dict[str, np.ndarray],
              alpha_min: float) -> dict[str, np.ndarray]:
    """What a grid run keeps (all finite): per-cell arrays of the cells with μ* > |μ0| > 0,
    the knee density over the band cells (α ≥ alpha_min), the bound counts and the cell count."""
    keep = (stats["mstar"] > np.abs(cells["mu0"])) & (cells["mu0"] != 0)
    out = {k: cells[k][keep] for k in ("b", "gamma", "rho", "mu0")}
    for key in ("alpha", "mstar", "lmix", "max_dp", "far_dp", "growth_rel"):
        out[key] = stats[key][keep]
    out["argmax_offset"] = stats["argmax_level"][keep] - stats["lmix"][keep]
    full = {"alpha": stats["alpha"], "mstar": stats["mstar"], "mu0": cells["mu0"]}
    out |= knee_density(stats, band_mask(full, alpha_min, np.inf))
    out |= {k: np.int64(stats[k].sum()) for k in VIOLATION_KEYS}
    out["num_cells"] = np.int64(cells["b"].size)
    return out
