"""Flag checks shared by the SGD-noise pillar's experiments (bad values exit with status 2):
per-field range checks and the two cross-field checks every SGD sweep needs.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.config import UsageError

ALPHA = cfg.positive()
TEMPERATURES = cfg.each(cfg.positive())
BATCH = cfg.int_at_least(1)
DIMENSION = cfg.int_at_least(2)
SEEDS = cfg.int_at_least(1)
MAX_STEPS = cfg.int_at_least(1)
BATCH_SAMPLING = cfg.one_of("replace", "distinct")
TRAIN_SIZES = cfg.each(cfg.int_at_least(2))


def check_batch_below_train(batch: int, train_sizes: list[int], field: str = "batch") -> None:
    """B ≤ P for every training-set size (UsageError naming ``field`` otherwise)."""
    if batch > min(train_sizes):
        raise UsageError(field, batch,
                         f"allowed: integers <= the smallest training-set size {min(train_sizes)}")


def check_cap_above_period(max_steps: int, largest_period: int) -> None:
    """max_steps must allow at least one full check period."""
    if max_steps < largest_period:
        raise UsageError("max_steps", max_steps,
                         f"allowed: integers >= the check period ({largest_period} steps)")


def check_pool(n_pool: int, n_test: int) -> None:
    """The MNIST-1D pool: a multiple of 10 points (10 digit classes), more than the test set."""
    if n_pool % 10:
        raise UsageError("n_pool", n_pool, "allowed: multiples of 10 (10 digit classes)")
    if n_test >= n_pool:
        raise UsageError("n_test", n_test, f"allowed: integers < n_pool ({n_pool})")
