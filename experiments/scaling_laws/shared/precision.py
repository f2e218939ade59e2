"""Float64 for the pillar's public fits without a global switch.

Every loss and fit of this pillar needs float64 (spec trap 2: the Chinchilla objective is ≈ 1e-3
with gradient norms of 1e-8 to 1e-14 at convergence; the random-feature losses cancel to 1e-6 of
TrΛ). ``float64`` wraps a function so that it runs under ``jax.enable_x64(True)``: a library
caller gets float64 results whether or not ``jax_enable_x64`` is set globally, and nothing changes
where it already is (the experiments' programs enable it through ``Experiment.x64``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import jax

P = ParamSpec("P")
R = TypeVar("R")


def float64(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run under ``jax.enable_x64(True)``."""

    @functools.wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with jax.enable_x64(True):
            return function(*args, **kwargs)

    return wrapped
