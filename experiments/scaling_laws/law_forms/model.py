"""Synthetic designs and planted truths of ``law_forms``: what the generators draw around and the
fits must recover (spec §3.3). Constants only, plus the designs derived from them; the draws and
fits are in ``compute``, the theory values in ``metrics``.
"""

from __future__ import annotations

import numpy as np

from theory import scaling_forms as sf

SPARSING_D_RANGE = (10.0, 300.0)  # billions of tokens [reconstructed design]

# Massive-activation trajectories [illustrative]: (A, λ, γ, t0, K).
MASSIVE_CASES = {
    "peaked": (50.0, 0.05, 1e-3, 1.0, 20.0),
    "mid": (40.0, 0.02, 2e-3, 2.0, 10.0),
    "late": (30.0, 0.001, 1e-3, 1.0, 5.0),
}
DAYS_PER_MONTH = 30.44
# Planted densing cases (A per day, models, window in days) [reconstructed]: arXiv (Feb 2023 to
# late 2024) and the NMI version (3.5-month doubling, 51 models).
DENSING_CASES = {"arxiv": (0.007, 29, 640.0),
                 "nmi": (np.log(2.0) / (3.5 * DAYS_PER_MONTH), 51, 790.0)}
# Illustrative densing pipeline constants (spec §3.3 (c)).
DENSING_PIPELINE = {"a": 482.01, "alpha": 0.3478, "b": 2085.43, "beta": 0.3658, "c": 0.7,
                    "gamma": -10.0, "l": 0.6, "d": 0.25}
# Information-capacity generator [illustrative].
IC_SERIES = (0.15, 0.17, 0.19)
IC_TEXT_BITS = (30.0, 32.0, 34.0)
IC_SIZES = (0.5e9, 1.5e9, 3e9, 7e9, 14e9, 32e9)
IC_BIAS = -24.0
BETA_A, BETA_B = 2.0, 1.0  # p_q ~ Beta(2, 1) (sampled as √U): population incoherence 0.5


def pythia_steps() -> np.ndarray:
    """Pythia-style checkpoints {0, 1, 2, 4, …, 512} ∪ {1000, 5000, …, 141000} ∪ {143000}."""
    powers = 2.0 ** np.arange(10)
    return np.concatenate([[0.0], powers, np.arange(1000.0, 141001.0, 4000.0), [143000.0]])


def sparsing_grid(num_points: int) -> np.ndarray:
    """The sparsing law's D grid (billions of tokens), log-spaced over ``SPARSING_D_RANGE``."""
    return np.geomspace(*SPARSING_D_RANGE, num_points)


def sparsing_truths() -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Table 2 rows: ReLU names and (α, b, c, A0); SiLU names and (α, c, A0)."""
    relu, silu = sf.SPARSING_TABLE2["relu"], sf.SPARSING_TABLE2["silu"]
    relu_p = np.array([[v["alpha"], v["b"], v["c"], v["A0"]] for v in relu.values()])
    silu_p = np.array([[v["alpha"], v["c"], v["A0"]] for v in silu.values()])
    return list(relu), relu_p, list(silu), silu_p
