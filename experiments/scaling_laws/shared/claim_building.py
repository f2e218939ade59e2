"""Pieces of claims shared by the scaling-law pillar's claim modules.

``limit_verdict`` builds the verdict fields of a claim made of several ``value ≤ limit`` checks
(recovery errors, deviations from a published estimate): the claim reports the tightest check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from experiments.common.claims import rounded


def _general(limit: float) -> str:
    return f"{limit:g}"


def limit_verdict(checks: dict[str, tuple[float, float]], *, context: str, reason: str,
                  limit_text: Callable[[float], str] = _general,
                  digits: int = 3) -> dict[str, Any]:
    """``measured``, ``context``, ``passed`` and ``reason`` of a claim that passes when every
    ``value ≤ limit`` of ``checks`` (name -> (value, limit)) holds.

    ``measured`` is the value of the tightest check (largest value/limit), rounded to ``digits``;
    ``context`` and ``reason`` are ``str.format`` templates of that check's ``{name}`` and
    ``{limit}`` (written by ``limit_text``).
    """
    name = max(checks, key=lambda k: checks[k][0] / checks[k][1])
    value, limit = checks[name]
    words = {"name": name, "limit": limit_text(limit)}
    return {"measured": rounded(value, digits), "context": context.format(**words),
            "passed": all(v <= t for v, t in checks.values()), "reason": reason.format(**words)}
