"""Claims: what a paper says, what theory predicts, what this run measured, and the verdict.

A claim is built by an experiment from its own metrics (never from a hard-coded paper value)
and saved in ``claims.json``. Its ``status`` is one of:

- ``passed`` / ``failed``: the tolerance was checked on this profile;
- ``not checked (smoke)``: the smoke profile only proves that the pipeline runs;
- ``not run``: a claim marked for another profile only (e.g. paper-only checks on cpu).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

# Provenance labels across pillars: majority_tree (abstract, summary, reconstructed, convention,
# classical, external), scaling_laws (paper, derived, illustrative, reconstructed), sgd_noise
# (code, paper-abstract, authors-APS, PNAS, reconstructed, stand-in, suite), superposition
# (paper, reconstructed, code, theory).
LABELS = ("abstract", "summary", "reconstructed", "convention", "classical", "external",
          "paper", "theory", "derived", "illustrative", "code", "paper-abstract", "authors-APS",
          "PNAS", "stand-in", "suite")
STATUSES = ("passed", "failed", "not checked (smoke)", "not run")
PAPER_UNAVAILABLE = "n/a (full text unavailable)"


@dataclasses.dataclass(frozen=True)
class Claim:
    """One checkable statement and this run's verdict on it.

    Attributes:
      id: ``<experiment>.<short_name>``.
      statement: the claim in words.
      source: paper and section, starting with the provenance label(s) in brackets.
      label: the main provenance label (one of ``LABELS``).
      paper: the paper's own value, or a phrase when there is none.
      theory: the value the closed forms give in this run (number, list or short text).
      measured: the value this run measured (simulation, brute force or fit).
      tolerance: the pass criterion in words.
      passed: the verdict, or None when it was not checked (see ``status``).
      status: one of ``STATUSES``.
      note: context a reader needs (e.g. why a claim failed).
    """

    id: str
    statement: str
    source: str
    label: str
    paper: Any
    theory: Any
    measured: Any
    tolerance: str
    passed: bool | None
    status: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def make_claim(*, profile: str, check_on: Sequence[str] = ("cpu", "paper"),
               passed: bool, **fields: Any) -> Claim:
    """Builds a claim whose verdict counts only on the profiles in ``check_on``."""
    if profile in check_on:
        status = "passed" if passed else "failed"
        verdict: bool | None = bool(passed)
    elif profile == "smoke":
        status, verdict = "not checked (smoke)", None
    else:
        status, verdict = "not run", None
    return Claim(passed=verdict, status=status, **fields)


def _finite(value: Any) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    return False


def validate(claims: Iterable[dict[str, Any]]) -> list[str]:
    """Problems with a list of claim dicts (empty when the list is valid and finite)."""
    problems = []
    fields = {f.name for f in dataclasses.fields(Claim)}
    for claim in claims:
        cid = claim.get("id", "?")
        missing = fields - set(claim)
        if missing:
            problems.append(f"{cid}: missing fields {sorted(missing)}")
            continue
        if claim["label"] not in LABELS:
            problems.append(f"{cid}: unknown label {claim['label']!r}")
        if claim["status"] not in STATUSES:
            problems.append(f"{cid}: unknown status {claim['status']!r}")
        if not claim["source"].startswith("["):
            problems.append(f"{cid}: source must start with a [label]")
        for key in ("theory", "measured"):
            if not _finite(claim[key]):
                problems.append(f"{cid}: {key} is not finite: {claim[key]!r}")
    return problems
