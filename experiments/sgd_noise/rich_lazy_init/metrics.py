"""Every number the claims and figures of ``rich_lazy_init`` use, computed once from the lanes.

Per part (linear, rnn) and initialisation (each rank, and the aligned control): means and
standard errors over seeds of the weight change and of the kernel and representation changes
1 − KA and 1 − RA. The comparisons the claims make are paired over seeds (every rank of a seed
starts from the same draw and sees the same data), so each difference is computed per seed and
gets its mean, standard error and 95 % percentile bootstrap interval (scipy.stats.bootstrap).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.stats

from experiments.common.stats import bootstrap_interval

ALIGNED = -1  # rank code of the aligned rank-1 control (``compute.lane_table``)

OBSERVABLES = ("rel_change", "kernel_change", "representation_change")


def _per_seed(arrays: dict[str, np.ndarray], part: str, name: str, code: int) -> np.ndarray:
    """(seeds,) values of one observable at one rank code, ordered by seed."""
    rank, seed = arrays[f"{part}/rank"], arrays[f"{part}/seed"]
    if name == "kernel_change":
        values = 1.0 - arrays[f"{part}/kernel_alignment"]
    elif name == "representation_change":
        values = 1.0 - arrays[f"{part}/representation_alignment"]
    else:
        values = arrays[f"{part}/{name}"]
    mask = rank == code
    return np.asarray(values[mask][np.argsort(seed[mask])], np.float64)


def _summary(values: np.ndarray) -> dict[str, float]:
    se = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else None
    return {"mean": float(values.mean()), "se": se}


def paired(first: np.ndarray, second: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """first − second per seed: mean, SE and 95 % bootstrap interval (None with one seed), and
    the sign test: how many seeds are positive, with the exact (Clopper–Pearson) 95 % interval
    of that fraction. Weight changes are heavy-tailed across seeds (one rank-1 seed in eight
    changes ten times more than the others), so orderings are decided by the sign test.
    """
    diff = np.asarray(first, np.float64) - np.asarray(second, np.float64)
    positive = int(np.sum(diff > 0))
    ci = scipy.stats.binomtest(positive, diff.size).proportion_ci(confidence_level=0.95)
    out: dict[str, Any] = {**_summary(diff), "low": None, "high": None, "seeds": int(diff.size),
                           "positive": positive, "fraction": positive / diff.size,
                           "fraction_low": float(ci.low), "fraction_high": float(ci.high)}
    if diff.size > 1 and np.ptp(diff) > 0:
        low, high = bootstrap_interval(diff[:, None], seed=seed)
        out["low"], out["high"] = float(low[0]), float(high[0])
    return out


def _part(arrays: dict[str, np.ndarray], part: str, ranks: list[int]) -> dict[str, Any]:
    codes = [*ranks, ALIGNED]
    names = (*OBSERVABLES, "effective_rank_entropy", "effective_rank_participation",
             "final_loss" if part == "linear" else "accuracy")
    per_rank = {str(c): {n: _summary(_per_seed(arrays, part, n, c)) for n in names}
                for c in codes}
    low, full = ranks[0], ranks[-1]
    get = {n: {c: _per_seed(arrays, part, n, c) for c in codes} for n in OBSERVABLES}
    comparisons = {
        # weight change: lowest rank minus full rank (> 0: low rank is richer)
        "weight_low_minus_full": paired(get["rel_change"][low], get["rel_change"][full]),
        # kernel and representation change: lowest rank minus full rank (> 0: alignment rises)
        "kernel_low_minus_full": paired(get["kernel_change"][low], get["kernel_change"][full]),
        "representation_low_minus_full": paired(get["representation_change"][low],
                                                get["representation_change"][full]),
        # unaligned rank 1 minus the aligned rank-1 control (> 0: the aligned init is lazier)
        "weight_unaligned_minus_aligned": paired(get["rel_change"][low],
                                                 get["rel_change"][ALIGNED]),
        "adjacent": {n: {f"{a}-{b}": paired(get[n][a], get[n][b])
                         for a, b in zip(ranks[:-1], ranks[1:], strict=True)}
                     for n in OBSERVABLES},
    }
    means = {n: {c: per_rank[str(c)][n]["mean"] for c in codes} for n in OBSERVABLES}
    comparisons["weight_ratio_low_over_full"] = means["rel_change"][low] / \
        means["rel_change"][full]
    comparisons["weight_aligned_over_full"] = means["rel_change"][ALIGNED] / \
        means["rel_change"][full]
    comparisons["largest_adjacent_weight_ratio"] = max(
        means["rel_change"][b] / means["rel_change"][a] for a, b in zip(ranks[:-1], ranks[1:],
                                                                        strict=True))
    # The lower rank with the smallest kernel change, against full rank (> 0: full rank is the
    # laziest unaligned init in kernel terms).
    nearest = min(ranks[:-1], key=lambda c: means["kernel_change"][c])
    comparisons["kernel_nearest_lower_minus_full"] = {
        "rank": nearest, **paired(get["kernel_change"][nearest], get["kernel_change"][full])}
    curves = {"loss": _curve_means(arrays, part, "loss_curve", codes)}
    if part == "rnn":
        curves["accuracy"] = _curve_means(arrays, part, "accuracy_curve", codes)
    return {"ranks": ranks, "seeds": int(np.sum(arrays[f"{part}/rank"] == low)),
            "per_rank": per_rank, "comparisons": comparisons, "curves": curves}


def _curve_means(arrays: dict[str, np.ndarray], part: str, name: str,
                 codes: list[int]) -> dict[str, list[float]]:
    rank = arrays[f"{part}/rank"]
    return {str(c): np.asarray(arrays[f"{part}/{name}"][rank == c], np.float64).mean(0).tolist()
            for c in codes}


def summarize(config: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """metrics.json of the experiment."""
    for name, values in arrays.items():
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            bad = np.flatnonzero(~np.isfinite(values.reshape(values.shape[0], -1)).all(1))
            part = name.split("/")[0]
            lanes = [f"rank {arrays[f'{part}/rank'][i]} seed {arrays[f'{part}/seed'][i]}"
                     for i in bad[:5]]
            raise FloatingPointError(f"rich_lazy_init: non-finite {name} at {', '.join(lanes)}")
    return {"linear": _part(arrays, "linear", list(config.linear_ranks)),
            "rnn": _part(arrays, "rnn", list(config.rnn_ranks)),
            "record_every": config.record_every, "aligned_code": ALIGNED}
