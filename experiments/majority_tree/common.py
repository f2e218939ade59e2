"""Shared pieces of the majority-tree pillar: sources and labels, Monte Carlo thresholds, error
criteria, seed streams and flag checks.

Conventions (spec §2): binary Monte Carlo draws uint32 bits and compares them with thresholds
t(p) = min(⌊p·2^32⌋, 2^32 − 1) computed on the host in float64; the event is ``bits < t``, so
p = 0 gives no events exactly. Level l of a depth-L tree pools T·b^(L−l) i.i.d. samples.
"""

from __future__ import annotations

import numpy as np

from experiments.common import config as cfg
from experiments.common.stats import binomial_se, family_z_threshold

PAPER = "Liu, Kong & Pei 2026 (arXiv:2601.17311)"
KIM = "Kim et al. 2025 (arXiv:2512.08296v2)"
PAPER_VALUE_NONE = "n/a (full text unavailable)"
SOURCE_PACKAGES = ("theory", "experiments/common", "experiments/majority_tree", "data")
CRITICAL_TOLERANCE = 1e-9  # |α − 1| at or below this is critical: left out of sign rules
SEED_STREAMS = {"smoke": 1, "cpu": 5, "paper": 5}
MC_CAPTION = "95 % binomial interval, T trials pooled over {streams} seed stream(s)"


def source(labels: str, where: str, paper: str = PAPER) -> str:
    """Claim source with its provenance label(s) first: ``[summary] Liu-Kong-Pei 2026, §4``."""
    tags = " ".join(f"[{label.strip()}]" for label in labels.split(","))
    return f"{tags} {paper}, {where}"


def threshold_u32(p: np.ndarray) -> np.ndarray:
    """t(p) = min(⌊p·2^32⌋, 2^32 − 1) as uint32, computed in float64 on the host."""
    p = np.asarray(p, np.float64)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    return np.minimum(np.floor(p * 2.0**32), 2.0**32 - 1).astype(np.uint32)


def level_samples(trials: int, b: int, depth: int) -> np.ndarray:
    """Samples per level l = 0…L pooled over T trees: T·b^(L−l) (int64)."""
    return trials * np.int64(b) ** (depth - np.arange(depth + 1, dtype=np.int64))


def level_stats(counts: np.ndarray, trials: int, b: int, depth: int,
                exact_p: np.ndarray) -> dict[str, np.ndarray]:
    """Per-level estimate p̂, its SE at the exact p, and z = (p̂ − p)/SE.

    ``counts`` has the level axis last (length depth+1); so does ``exact_p``.
    """
    n = level_samples(trials, b, depth)
    p_hat = np.asarray(counts, np.float64) / n
    se = binomial_se(exact_p, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p_hat - exact_p) / se, 0.0)
    return {"p_hat": p_hat, "se": se, "se_hat": binomial_se(p_hat, n), "z": z, "n": n}


def z_threshold(num_estimates: int) -> float:
    """Family-wise criterion z_K of spec §2.5 (two-sided family-wise rate 1e−3)."""
    return family_z_threshold(num_estimates, 1e-3)


def is_critical(alpha: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(alpha) - 1.0) <= CRITICAL_TOLERANCE


# Flag checks shared by the experiments of this pillar (bad values exit with status 2).
FANIN = cfg.odd_int_in(3, 31)
FANINS = cfg.each(FANIN)
DEPTH = cfg.int_at_least(1)
PROBABILITY = cfg.probability()
PROBABILITIES = cfg.each(PROBABILITY)
FIDELITY = cfg.float_in(0.0, 1.0, lo_open=True)
CORRELATION = cfg.float_in(0.0, 1.0, hi_open=True)
BIAS = cfg.float_in(-1.0, 1.0)
TRIALS = cfg.int_at_least(1)
# Trees per chunk come from mc_chunk_elems (leaves per chunk and configuration). On 2 CPU
# cores 2^15 keeps a chunk's random words in cache: measured 5-7x more leaves/s than 2^20
# (benchmarks/majority_tree.py); GPUs want large chunks (2^24 in the paper profiles).
CHUNK_ELEMS = cfg.int_at_least(1)
CONFIG_BATCH = cfg.int_at_least(1)
SEED_STREAM_COUNT = cfg.int_at_least(1)
