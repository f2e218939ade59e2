"""The computation of ``law_forms``: five synthetic recovery parts, each one ``jit(vmap)`` over
seeds (``sparsing_massive``: nonlinear fits of the sparsing and massive-activation laws;
``densing_capacity_hotmess``: OLS fits of the densing and information-capacity laws and the
hot-mess estimators), then the metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.app import RunContext
from experiments.common.config import Config
from experiments.scaling_laws.law_forms.compute.densing_capacity_hotmess import (
    run_capacity,
    run_densing,
    run_hotmess,
)
from experiments.scaling_laws.law_forms.compute.sparsing_massive import run_massive, run_sparsing
from experiments.scaling_laws.law_forms.metrics import summarize


def compute(config: Config, ctx: RunContext) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The five parts, each a resumable stage, then the metrics (the experiment's ``compute``)."""
    seed = int(config.seed)
    parts = {
        "sparsing": lambda: run_sparsing(
            seed, config.sparsing_seeds, config.sparsing_points,
            (config.sparsing_sigma_param, config.sparsing_sigma_curve)),
        "massive": lambda: run_massive(seed, config.massive_seeds,
                                            config.massive_noise_frac),
        "densing": lambda: run_densing(seed, config.densing_seeds, config.densing_noise_sd),
        "capacity": lambda: run_capacity(seed, config.ic_seeds, config.ic_noise_sd),
        "hotmess": lambda: run_hotmess(
            seed, config.hotmess_seeds, config.hotmess_ensemble_seeds, config.hotmess_questions,
            config.hotmess_samples, tuple(config.hotmess_ensembles), config.hotmess_categories),
    }
    arrays: dict[str, np.ndarray] = {}
    for name, run in parts.items():
        for key, value in ctx.stage(name, run).items():
            arrays[f"{name}/{key}"] = np.asarray(value)
    for name, value in arrays.items():
        if value.dtype.kind == "f" and not np.all(np.isfinite(value) | np.isinf(value)):
            raise FloatingPointError(f"law_forms: non-finite values in {name}")
    return summarize(config, arrays), arrays
