"""Claims and report entries for the tests of experiments.common (valid by default)."""

from __future__ import annotations

from typing import Any

from experiments.common import claims


def sample_claim(**overrides: Any) -> claims.Claim:
    """A valid passing claim on cpu; ``overrides`` change any field (``profile`` too)."""
    fields = dict(id="x.y", statement="s", kind="identity", source="[summary] P, §1",
                  label="summary", expected=1.0, measured=1.0, tolerance="exact",
                  tolerance_source="numerical precision", passed=True, reason="differs")
    fields.update(overrides)
    return claims.make_claim(profile=fields.pop("profile", "cpu"), **fields)


def report_entry(module: str, *claim_list: claims.Claim, wall: float = 10.0) -> dict[str, Any]:
    """A report entry as ``report.write_report`` builds it from a results folder."""
    return {"module": module, "name": module.replace(".", "/"), "wall": wall, "env": None,
            "claims": [c.as_dict() for c in claim_list]}
