"""Claims: what a paper says, what this run measured, what kind of evidence that is, and the
verdict.

A claim is built by an experiment from its own saved metrics (never from a hard-coded paper
value) and written to ``claims.json``; claims are re-derived on every run, so a tolerance change
never needs a recomputation. Every claim says what kind of evidence it is (``KINDS``); only the
``VALIDATION_KINDS`` count as validation in the report. Its ``status`` is one of:

- ``passed`` / ``failed``: the tolerance was checked on this profile;
- ``not run on this profile``: the claim is checked on another profile only, or its effect is
  smaller than about three standard errors of its estimator here (``underpowered``); the
  ``reason`` says which, and no verdict-like value is shown;
- ``not checked (smoke)``: the smoke profile only proves that the pipeline runs.

The report shows one row per claim built from short fields (``statement``, ``kind``,
``expected``, ``measured`` with its ``interval``, ``tolerance``, verdict); the full record
(every per-size value, paper and theory values, diagnostics) goes to ``details``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KINDS = {
    "identity": "closed form vs brute force or an exact identity, to numerical precision",
    "quantitative": "a measured number vs a theory or paper number, tolerance from stated "
                    "scatter",
    "finite-size": "an effective value at accessible sizes vs an asymptotic prediction, with a "
                   "stated finite-size allowance",
    "qualitative": "a sign, an ordering, a monotone trend or a crossing",
    "consistency": "true by construction of the measurement; shown, not counted as validation",
    "regression": "the target is this project's own earlier reference run, not theory or a "
                  "paper; shown, not counted as validation",
}
VALIDATION_KINDS = ("identity", "quantitative", "finite-size", "qualitative")

# Provenance labels across pillars: majority_tree (abstract, summary, reconstructed, convention,
# classical, external), scaling_laws (paper, derived, illustrative, reconstructed), sgd_noise
# (code, paper-abstract, authors-APS, PNAS, reconstructed, stand-in, suite), superposition
# (paper, reconstructed, code, theory).
LABELS = ("abstract", "summary", "reconstructed", "convention", "classical", "external",
          "paper", "theory", "derived", "illustrative", "code", "paper-abstract", "authors-APS",
          "PNAS", "stand-in", "suite")
PASSED, FAILED, NOT_RUN, SMOKE = ("passed", "failed", "not run on this profile",
                                  "not checked (smoke)")
STATUSES = (PASSED, FAILED, NOT_RUN, SMOKE)
PAPER_UNAVAILABLE = "n/a (full text unavailable)"

MAX_CELL = 120  # characters of one report cell (statement, expected, measured, tolerance)
MAX_SOURCE_PHRASE = 60  # characters of ``tolerance_source``
# Internal references a reader of the report cannot follow.
INTERNAL_REFERENCE = re.compile(r"spec\s*§|\btraps?\b|\bspec\b", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Claim:
    """One checkable statement and this run's verdict on it.

    Attributes:
      id: ``<experiment>.<short_name>`` as built; the app qualifies it with the pillar
        (``<pillar>.<experiment>.<short_name>``), unique across the suite.
      statement: the claim in one plain sentence (≤ ``MAX_CELL`` characters).
      kind: one of ``KINDS``.
      source: paper and section, starting with the provenance label(s) in brackets.
      label: the main provenance label (one of ``LABELS``).
      expected: one number or relation (the theory or paper value the verdict compares with).
      measured: the one number (or short value) the verdict was decided on; None when not run.
      interval: [low, high] of ``measured`` (e.g. a 95 % bootstrap), or None.
      interval_kind: what ``interval`` is, e.g. "95% bootstrap over 8 seeds".
      context: a few words shown after the measured value in the report (e.g. local slopes).
      tolerance: the pass criterion in words.
      tolerance_source: where the tolerance comes from, one short phrase.
      passed: the verdict, or None when it was not checked (see ``status``).
      status: one of ``STATUSES``.
      reason: one line: why it failed, or why it was not run on this profile.
      note: context a reader needs.
      details: the full measured record (per-size values, paper and theory values, diagnostics).
    """

    id: str
    statement: str
    kind: str
    source: str
    label: str
    expected: Any
    measured: Any
    interval: list[float] | None
    interval_kind: str
    context: str
    tolerance: str
    tolerance_source: str
    passed: bool | None
    status: str
    reason: str
    note: str
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def underpowered(effect: float, standard_error: float, *, what: str = "effect",
                 sigmas: float = 3.0) -> str:
    """A not-run reason when ``|effect|`` is below ``sigmas`` standard errors, else "".

    ``effect`` is the size the claim expects (or needs to resolve), ``standard_error`` that of
    its estimator at this profile.
    """
    if not (math.isfinite(effect) and math.isfinite(standard_error)):
        return f"underpowered: the {what} or its standard error is undefined at this profile"
    if abs(effect) >= sigmas * standard_error:
        return ""
    return (f"underpowered: {what} {format_value(abs(effect))} is below {sigmas:g} standard "
            f"errors ({sigmas:g} × {format_value(standard_error)}) at this profile")


def make_claim(*, profile: str, check_on: Sequence[str] = ("cpu", "paper"), passed: bool,
               not_run: str = "", reason: str = "", measured: Any = None,
               interval: Sequence[float] | None = None, details: Mapping[str, Any] | None = None,
               interval_kind: str = "", context: str = "", note: str = "",
               **fields: Any) -> Claim:
    """Builds a claim whose verdict counts only on the profiles in ``check_on``.

    Args:
      profile: the run's profile.
      check_on: profiles where the tolerance is checked.
      passed: the verdict where it is checked.
      not_run: a reason to leave the claim unchecked on a ``check_on`` profile (e.g. the
        result of ``underpowered``).
      reason: one line saying why the claim failed (required when it fails).
      measured, interval, details, interval_kind, context, note: see ``Claim``.
      fields: the remaining ``Claim`` fields.
    """
    details = dict(details or {})
    if interval is not None and not all(
            isinstance(v, int | float) and math.isfinite(v) for v in interval):
        interval = None  # undefined (e.g. one seed): no interval rather than a fake one
    if profile == "smoke":
        status, verdict = SMOKE, None
        reason = "smoke: pipeline only"
    elif profile in check_on and not not_run:
        status, verdict = (PASSED, True) if passed else (FAILED, False)
        reason = "" if passed else reason
    else:
        status, verdict = NOT_RUN, None
        reason = not_run or f"checked on the {' and '.join(check_on)} profile(s) only"
        # No verdict-like value on a profile where the claim is not checked: what was measured
        # stays in the details as a diagnostic.
        if measured is not None:
            details["diagnostic (not a verdict)"] = (
                measured if interval is None else {"value": measured, "interval": list(interval)})
        measured, interval, context = None, None, ""
    return Claim(passed=verdict, status=status, reason=reason, measured=measured,
                 interval=None if interval is None else [float(v) for v in interval],
                 interval_kind=interval_kind if interval is not None else "", context=context,
                 note=note, details=details, **fields)


def rounded(value: Any, digits: int = 4) -> Any:
    """A saved number rounded to ``digits`` significant digits for a claim's fields.

    Undefined values (None, NaN, ±inf, the strings JSON stores them as) become None, so a claim
    never carries a number that is not one; lists and tuples are rounded element by element;
    booleans and other non-numbers pass through unchanged.
    """
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    if value is None or isinstance(value, str):
        return None if value in (None, "nan", "inf", "-inf") else value
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)  # numpy scalars
        except (TypeError, ValueError):
            return value
    value = float(value)
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None


def provenance(tags: str, where: str, *, allowed: Sequence[str], paper: str = "") -> str:
    """A claim's ``source``, led by its provenance tag(s): ``[paper] Bahri et al. 2021, Eq. 4``.

    ``tags`` is comma-separated; each must be one of the pillar's ``allowed`` tags (a typo
    raises). ``paper``, when given, is named before ``where``.
    """
    names = [t.strip() for t in tags.split(",")]
    unknown = [t for t in names if t not in allowed]
    if unknown:
        raise ValueError(f"unknown provenance tag(s) {unknown}; allowed: {sorted(allowed)}")
    lead = " ".join(f"[{t}]" for t in names)
    return f"{lead} {paper}, {where}" if paper else f"{lead} {where}"


# --- formatting shared by validation and the report ----------------------------------------


def format_number(value: float, digits: int = 4) -> str:
    """``digits`` significant digits; scientific notation below 1e−3 and from 1e5."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\^([-−]?\d+(?:\.\d+)?)|[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def natural_key(text: str) -> tuple:
    """Sort key that orders the numbers inside text by value: 2^-6 < 2^0 < 2^10, P=256 < P=1024."""
    key: list[tuple[int, Any]] = []
    position = 0
    for match in _NUMBER.finditer(text):
        if match.start() > position:
            key.append((1, text[position:match.start()]))
        if match.group(1) is not None:
            base, power = match.group(1), match.group(2).replace("−", "-")
            key.append((0, float(base) ** float(power)))
        else:
            key.append((0, float(match.group(0).replace("−", "-"))))
        position = match.end()
    if position < len(text):
        key.append((1, text[position:]))
    return tuple(key)


def format_value(value: Any, *, max_items: int = 6) -> str:
    """Short text for a number, list, mapping or string (mappings in natural key order)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: natural_key(str(k)))
        items = [f"{k}: {format_value(value[k], max_items=max_items)}" for k in keys]
        return "; ".join(items)
    if isinstance(value, list | tuple):
        items = [format_value(v, max_items=max_items) for v in value[:max_items]]
        if len(value) > max_items:
            items.append(f"… ({len(value)} values)")
        return "[" + ", ".join(items) + "]"
    if value is None:
        return "—"
    return str(value)


def format_measured(claim: Mapping[str, Any]) -> str:
    """The measured cell: the decisive value with its interval and context, e.g.
    ``0.87 [0.84, 0.90]; local slopes 0.84, 0.89``."""
    if claim["measured"] is None:
        return "—"
    text = format_value(claim["measured"])
    if claim.get("interval"):
        low, high = claim["interval"]
        text += f" [{format_number(low, 3)}, {format_number(high, 3)}]"
    if claim.get("context"):
        text += f"; {claim['context']}"
    return text


# --- validation -------------------------------------------------------------------------------


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


def validate(claims: Iterable[dict[str, Any]], prefix: str = "") -> list[str]:
    """Problems with a list of claim dicts (empty when the list is valid, finite and short).

    ``prefix``: every id must start with it (e.g. ``sgd_noise.perceptron.``); ids must be unique.
    """
    problems = []
    fields = {f.name for f in dataclasses.fields(Claim)}
    seen: set[str] = set()
    for claim in claims:
        cid = claim.get("id", "?")
        missing = fields - set(claim)
        if missing:
            problems.append(f"{cid}: missing fields {sorted(missing)}")
            continue
        if not cid.startswith(prefix) or cid in seen:
            problems.append(f"{cid}: ids must be unique and start with {prefix!r}")
        seen.add(cid)
        if claim["kind"] not in KINDS:
            problems.append(f"{cid}: unknown kind {claim['kind']!r}; allowed: {list(KINDS)}")
        if claim["label"] not in LABELS:
            problems.append(f"{cid}: unknown label {claim['label']!r}")
        if claim["status"] not in STATUSES:
            problems.append(f"{cid}: unknown status {claim['status']!r}")
        if not claim["source"].startswith("["):
            problems.append(f"{cid}: source must start with a [label]")
        if not claim["tolerance_source"]:
            problems.append(f"{cid}: tolerance_source is empty")
        if claim["status"] in (FAILED, NOT_RUN) and not claim["reason"]:
            problems.append(f"{cid}: a {claim['status']} claim needs a one-line reason")
        cells = {"statement": claim["statement"], "expected": format_value(claim["expected"]),
                 "measured": format_measured(claim), "tolerance": claim["tolerance"]}
        for name, text in cells.items():
            if len(text) > MAX_CELL:
                problems.append(f"{cid}: {name} has {len(text)} > {MAX_CELL} characters: "
                                f"{text!r}")
        if len(claim["tolerance_source"]) > MAX_SOURCE_PHRASE:
            problems.append(f"{cid}: tolerance_source over {MAX_SOURCE_PHRASE} characters")
        for name in ("statement", "source", "expected", "tolerance", "tolerance_source",
                     "reason", "note"):
            text = format_value(claim[name])
            if INTERNAL_REFERENCE.search(text):
                problems.append(f"{cid}: {name} has an internal reference: {text!r}")
        for key in ("expected", "measured", "interval", "details"):
            if not _finite(claim[key]):
                problems.append(f"{cid}: {key} is not finite: {claim[key]!r}")
    return problems
