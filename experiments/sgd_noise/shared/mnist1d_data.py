"""MNIST-1D parity data for the FC experiments of the SGD-noise pillar (spec §3.2 data).

The pool is generated procedurally by the installed ``mnist1d`` package
(``mnist1d.data.make_dataset``); ``get_dataset`` is never called because it downloads. Every
field of the generator's args object is pinned here (``GENERATOR_ARGS``) and recorded in the
results, with ``num_samples = N_pool`` and ``train_split = 1.0`` set per run. Inputs are
40-dimensional and standardised by the generator with one global mean and std over the pool
(the paper's global-scalar standardisation). Label y = +1 for even digits, −1 for odd.

Split: a fixed permutation of the pool (NumPy ``default_rng(seed_testset)``, independent of the
run seed) puts the first ``n_test`` points in the test set; each run seed draws its P training
points from the remaining ``N_pool − n_test`` points on device (``training_indices``).

Side effects of the generator (spec §8.1 item 12): it reseeds Python's and NumPy's global RNGs
and its output depends on ``num_samples``. ``load_pool`` memoises the pool per process (no disk
cache), so the generator runs once per process and per N_pool; nothing in the suite draws from
the global RNGs.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import mnist1d
import numpy as np
from mnist1d.data import get_dataset_args, make_dataset

# Every field of mnist1d.data.get_dataset_args() (mnist1d 0.0.x), pinned so that a package
# upgrade changing a default cannot silently change the data. num_samples and train_split are
# overwritten per run; url is never used (no download).
GENERATOR_ARGS: dict[str, Any] = {
    "num_samples": 5000, "train_split": 0.8, "template_len": 12, "padding": [36, 60],
    "scale_coeff": 0.4, "max_translation": 48, "corr_noise_scale": 0.25,
    "iid_noise_scale": 0.02, "shear_scale": 0.75, "shuffle_seq": False,
    "final_seq_length": 40, "seed": 42,
    "url": "https://github.com/greydanus/mnist1d/raw/master/mnist1d_data.pkl",
}
INPUT_DIM = 40


class Pool(NamedTuple):
    """Test set and training candidates (float32 inputs, float32 labels ±1)."""

    x_test: np.ndarray
    y_test: np.ndarray
    x_train_pool: np.ndarray
    y_train_pool: np.ndarray
    digits_test: np.ndarray
    digits_train_pool: np.ndarray


def generator_args(n_pool: int) -> dict[str, Any]:
    """The exact args given to ``make_dataset`` for a pool of ``n_pool`` samples."""
    return {**GENERATOR_ARGS, "num_samples": int(n_pool), "train_split": 1.0}


def parity_labels(digits: np.ndarray) -> np.ndarray:
    """y = +1 for even digits, −1 for odd (float32)."""
    digits = np.asarray(digits)
    return np.where(digits % 2 == 0, 1.0, -1.0).astype(np.float32)


@functools.lru_cache(maxsize=2)
def _generate(n_pool: int) -> tuple[np.ndarray, np.ndarray]:
    args = get_dataset_args()
    pinned = generator_args(n_pool)
    unknown = set(vars(args)) - set(pinned)
    if unknown:  # a new generator field would change the data unnoticed
        raise RuntimeError(f"mnist1d args have unpinned fields {sorted(unknown)}")
    for name, value in pinned.items():
        setattr(args, name, value)
    data = make_dataset(args)
    return np.asarray(data["x"], np.float32), np.asarray(data["y"], np.int64)


def load_pool(n_pool: int, n_test: int, seed_testset: int) -> Pool:
    """Generates the pool (once per process) and splits off the fixed test set."""
    if n_pool % 10 or n_test >= n_pool:
        raise ValueError(f"need n_pool a multiple of 10 above n_test, got {n_pool}, {n_test}")
    x, digits = _generate(int(n_pool))
    order = np.random.default_rng(seed_testset).permutation(n_pool)
    test, rest = order[:n_test], order[n_test:]
    y = parity_labels(digits)
    return Pool(x[test], y[test], x[rest], y[rest], digits[test], digits[rest])


def training_indices(key: Any, n_candidates: int, num_train: int) -> Any:
    """P distinct indices into the training candidates, drawn on device from ``key``."""
    return jax.random.permutation(key, n_candidates)[:num_train]


def data_record(n_pool: int, n_test: int, seed_testset: int) -> dict[str, Any]:
    """What goes into metrics.json about the data: generator args, seeds, split sizes."""
    return {"generator": "mnist1d.data.make_dataset", "generator_args": generator_args(n_pool),
            "mnist1d_version": getattr(mnist1d, "__version__", "unknown"),
            "seed_testset": int(seed_testset), "n_pool": int(n_pool), "n_test": int(n_test),
            "label": "parity: +1 even digit, -1 odd digit"}
