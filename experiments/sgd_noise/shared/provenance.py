"""Provenance of the SGD-noise pillar's claims (spec §0): the papers' citations, the pillar's
provenance tags, and ``tagged_claim``, the claim constructor every experiment of the pillar uses
(id prefixed by the experiment, ``source`` led by its tags, ``label`` its first tag).
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, make_claim, provenance

PAPER = "Sclocchi, Geiger & Wyart, ICML 2023 (arXiv:2301.13703)"
APS = "Sclocchi, Geiger & Wyart, APS March Meeting 2023, abstract F02.00003"
PNAS = "Sclocchi & Wyart, PNAS 121 (2024) (arXiv:2309.10688)"
LIU = "Liu et al., ICLR 2024 (arXiv:2310.08513)"
PAPER_VALUE_NONE = "n/a (full text not consulted)"

# Spec §0 tags; each is also a ``claims.LABELS`` entry, so the report's label column shows it.
TAGS = ("code", "paper-abstract", "authors-APS", "PNAS", "reconstructed", "stand-in", "suite")


def source(tags: str, where: str) -> str:
    """Claim source led by its spec §0 tag(s): ``source("PNAS", PNAS)`` → ``[PNAS] Sclocchi…``."""
    return provenance(tags, where, allowed=TAGS)


def tagged_claim(experiment: str, profile: str, cid: str, tags: str, where: str, *,
                 label: str | None = None, **fields: Any) -> Claim:
    """``make_claim`` with id ``<experiment>.<cid>``, source ``source(tags, where)`` and, unless
    given, the first of ``tags`` as its label."""
    return make_claim(profile=profile, id=f"{experiment}.{cid}", source=source(tags, where),
                      label=label or tags.split(",")[0].strip(), **fields)
