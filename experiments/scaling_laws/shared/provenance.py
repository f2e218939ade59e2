"""Provenance of the scaling-law pillar's claims: cited papers, labels, and flag checks.

Provenance labels (spec §"Labels"): ``paper`` (stated in the cited paper or the authors' code),
``derived`` (derived for this suite and checked numerically), ``reconstructed`` (a design choice
standing in for something the paper did differently or did not specify), ``illustrative``
(parameter values chosen by the suite because none are published). The flag checks at the end are
shared by the pillar's experiments (bad values exit with status 2).
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.claims import provenance

BAHRI = "Bahri et al. 2021 (arXiv:2102.06701)"
SHARMA_KAPLAN = "Sharma & Kaplan 2022 (arXiv:2004.10802)"
HOFFMANN = "Hoffmann et al. 2022 (arXiv:2203.15556)"
EPOCH = "Besiroglu et al. 2024 (arXiv:2404.10102)"
THEORY = "this suite (theory/scaling.py)"
LABELS = ("paper", "derived", "reconstructed", "illustrative")


def source(labels: str, where: str, paper: str = BAHRI) -> str:
    """Claim source with its provenance label(s) first: ``[paper] Bahri et al. 2021, Eq. 4``."""
    return provenance(labels, where, allowed=LABELS, paper=paper)


POSITIVE_INT = cfg.int_at_least(1)
SIZE = cfg.int_at_least(2)
SIZES = cfg.each(SIZE)
POSITIVE = cfg.positive()
POSITIVES = cfg.each(POSITIVE)
