"""Provenance of the majority-tree claims: the papers cited and each claim's ``source`` line.

Every claim's source starts with its provenance tag(s) (``[summary]``, ``[reconstructed]``, …),
then the paper and the place in it: ``[summary] Liu, Kong & Pei 2026 (arXiv:2601.17311), §4``.
"""

from __future__ import annotations

from experiments.common.claims import provenance

PAPER = "Liu, Kong & Pei 2026 (arXiv:2601.17311)"
KIM = "Kim et al. 2025 (arXiv:2512.08296v2)"
PAPER_VALUE_NONE = "n/a (full text unavailable)"
TAGS = ("abstract", "summary", "reconstructed", "convention", "classical", "external")


def source(labels: str, where: str, paper: str = PAPER) -> str:
    """Claim source with its provenance label(s) first: ``[summary] Liu-Kong-Pei 2026, §4``."""
    return provenance(labels, where, allowed=TAGS, paper=paper)
