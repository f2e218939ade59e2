"""Every experiment that ``run_all.sh`` runs, in order, grouped by pillar.

To add an experiment: write the package ``experiments/<pillar>/<name>/`` (``__init__.py``
defines ``EXPERIMENT``, an ``experiments.common.app.Experiment``; ``__main__.py`` calls
``app_main``; see the README's "Adding an experiment"), then add ``<pillar>.<name>`` here. A new
pillar also sets ``REPORT_PREAMBLE`` in its package ``__init__``. This module imports no JAX: the
runner reads it before starting each experiment in its own process.
"""

from __future__ import annotations

import importlib

EXPERIMENTS: tuple[str, ...] = (
    "majority_tree.phase_diagram",
    "majority_tree.synergy",
    "majority_tree.saturation",
    "majority_tree.continuous",
    "majority_tree.touchpoints",
    "superposition.liu_scaling",
    "superposition.toy_models",
    "superposition.effective_features",
    "scaling_laws.bahri_regimes",
    "scaling_laws.chinchilla_fit",
    "scaling_laws.law_forms",
    "sgd_noise.perceptron",
    "sgd_noise.phase_diagram",
    "sgd_noise.critical_temperature",
    "sgd_noise.rich_lazy_init",
)


def experiment_name(module: str) -> str:
    """``majority_tree.synergy`` -> ``majority_tree/synergy`` (results and figure folders)."""
    return module.replace(".", "/")


def pillar_of(module: str) -> str:
    return module.split(".")[0]


def load(module: str):
    """The ``Experiment`` object of a registered module (imports the module)."""
    return importlib.import_module(f"experiments.{module}").EXPERIMENT


def preamble(pillar: str) -> str:
    return getattr(importlib.import_module(f"experiments.{pillar}"), "REPORT_PREAMBLE", "")
