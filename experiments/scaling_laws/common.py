"""Shared pieces of the scaling-law pillar: sources, provenance labels, x64 guard, flag checks.

Provenance labels (spec §"Labels"): ``paper`` (stated in the cited paper or the authors' code),
``derived`` (derived for this suite and checked numerically), ``reconstructed`` (a design choice
standing in for something the paper did differently or did not specify), ``illustrative``
(parameter values chosen by the suite because none are published).
"""

from __future__ import annotations

from experiments.common import config as cfg

BAHRI = "Bahri et al. 2021 (arXiv:2102.06701)"
SHARMA_KAPLAN = "Sharma & Kaplan 2022 (arXiv:2004.10802)"
HOFFMANN = "Hoffmann et al. 2022 (arXiv:2203.15556)"
EPOCH = "Besiroglu et al. 2024 (arXiv:2404.10102)"
THEORY = "this suite (theory/scaling.py)"
LABELS = ("paper", "derived", "reconstructed", "illustrative")
SOURCE_PACKAGES = ("theory", "experiments/common", "experiments/scaling_laws", "data")


def source(labels: str, where: str, paper: str = BAHRI) -> str:
    """Claim source with its provenance label(s) first: ``[paper] Bahri et al. 2021, Eq. 4``."""
    names = [label.strip() for label in labels.split(",")]
    unknown = [name for name in names if name not in LABELS]
    if unknown:
        raise ValueError(f"unknown provenance label(s) {unknown}; allowed: {LABELS}")
    tags = " ".join(f"[{name}]" for name in names)
    return f"{tags} {paper}, {where}"


def require_x64() -> None:
    """Spec trap 2: every loss and fit of this pillar needs float64; fail loudly otherwise."""
    import jax.numpy as jnp

    dtype = jnp.zeros(()).dtype
    if dtype != jnp.float64:
        raise RuntimeError(f"scaling_laws needs float64 (jax_enable_x64); got {dtype}")


# Flag checks shared by the experiments of this pillar (bad values exit with status 2).
POSITIVE_INT = cfg.int_at_least(1)
SIZE = cfg.int_at_least(2)
SIZES = cfg.each(SIZE)
POSITIVE = cfg.positive()
POSITIVES = cfg.each(POSITIVE)
