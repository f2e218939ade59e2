"""Provenance of the superposition claims: the pillar's tags and its ``source`` wrapper.

Tags: ``paper`` (the paper's text or figures), ``reconstructed`` (a piece the specification had
to reconstruct), ``code`` (the authors' code), ``theory`` (an exact result) and ``external``
(another work's measured value, e.g. a replication).
"""

from __future__ import annotations

from experiments.common.claims import provenance

TAGS = ("paper", "reconstructed", "code", "theory", "external")


def source(tags: str, where: str, paper: str = "") -> str:
    """A claim's ``source``: ``[paper] <paper>, <where>`` (comma-separated tags, checked)."""
    return provenance(tags, where, allowed=TAGS, paper=paper)
