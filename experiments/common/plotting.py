"""Plotting: the suite's style file, the Agg backend, and byte-stable PNG + PDF output.

Plot functions read saved results only and never train, so ``--plots_only`` redraws a figure in
seconds. Metadata (software version, creation date) is stripped so that reruns give identical
bytes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import logging as _logging  # noqa: E402

import matplotlib.lines as mlines  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from absl import logging as absl_logging  # noqa: E402

# absl runs Python logging at INFO; keep the PDF font subsetter quiet.
_logging.getLogger("fontTools").setLevel(_logging.WARNING)

from experiments.common.results import SUITE_ROOT, atomic_write_bytes  # noqa: E402

FAILED_COLOUR = "#C00000"  # failed claims, on every figure that shows one
NOT_RUN_COLOUR = "0.45"  # claims not run on this profile
STYLE_FILE = SUITE_ROOT / "figures" / "style.mplstyle"
INTERVAL_95 = 1.959963984540054  # Φ⁻¹(0.975): half-width of a 95 % normal interval, in SEs


_METADATA = {"png": {"Software": None},
             "pdf": {"Creator": None, "Producer": None, "CreationDate": None}}
_formats: tuple[str, ...] = ("png", "pdf")
_profile = "cpu"
# What the current ``plot`` call drew and skipped (``execute`` reads both), and the optional
# inspector that sees each figure before it is saved (the figure tests).
_drawn: dict[str, str] = {}
_verdicts: dict[str, str] = {}  # claim id (without the pillar.experiment prefix) -> status
_inspector: Callable[[matplotlib.figure.Figure, str], None] | None = None


def figure_formats(profile: str) -> tuple[str, ...]:
    """File formats of a profile's figures: smoke (CI's pipeline check) writes PNG only, since
    each PDF costs a second full draw; cpu and paper write PNG and PDF."""
    return ("png",) if profile == "smoke" else ("png", "pdf")


def use_style(profile: str = "cpu") -> None:
    """Loads the suite's style over matplotlib's defaults (whatever was set before, e.g. by
    another test in the same process) and sets the formats ``save_figure`` writes."""
    global _formats, _profile
    matplotlib.rc_file_defaults()
    plt.style.use(STYLE_FILE)
    _formats = figure_formats(profile)
    _profile = profile


def profile() -> str:
    """The profile whose results are being drawn (figures pick that profile's tolerances)."""
    return _profile


def save_figure(fig: matplotlib.figure.Figure, directory: Path, stem: str) -> list[Path]:
    """Saves ``fig`` as ``<directory>/<stem>.png`` (and ``.pdf`` outside smoke), atomically, and
    closes it.

    The layout is computed once, then fixed: constrained layout is not a fixed point (each
    further draw moved texts by up to 21 px on the smoke figures), and savefig draws twice per
    format (the tight bounding box, then the image). Fixed, the PNG, the PDF and the figure
    the tests' inspector checks all have the same positions.
    """
    # Laid out at the resolution saved: at a second dpi matplotlib parses all mathtext again.
    if matplotlib.rcParams["savefig.dpi"] != "figure":
        fig.set_dpi(matplotlib.rcParams["savefig.dpi"])
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    if _inspector is not None:
        _inspector(fig, stem)
    paths = []
    for ext in _formats:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, metadata=_METADATA[ext])
        path = Path(directory) / f"{stem}.{ext}"
        atomic_write_bytes(path, buffer.getvalue())
        paths.append(path)
    plt.close(fig)
    _drawn[stem] = "written"
    return paths


def skip_figure(stem: str, reason: str) -> None:
    """Records that this configuration cannot show figure ``stem`` (one log line, no file).

    For configurations the range checks accept but a figure has nothing to show for (one seed
    where the figure compares seeds, one width where it draws a trend across widths).
    """
    absl_logging.info("figure %s skipped: %s", stem, reason)
    _drawn[stem] = f"skipped: {reason}"


@contextlib.contextmanager
def recording(claim_dicts: list[dict] | None = None) -> Iterator[dict[str, str]]:
    """Collects {stem: "written" | "skipped: reason"} of the figures drawn inside the block.

    ``claim_dicts``: this run's claims, so that figures can mark the verdicts of the claims they
    show (``verdict``) exactly as REPORT.md states them.
    """
    _drawn.clear()
    _verdicts.clear()
    _verdicts.update({c["id"].split(".", 2)[-1]: c["status"] for c in claim_dicts or []})
    yield _drawn


def verdict(claim: str) -> str:
    """Status of this run's claim ``claim`` (its id without the pillar.experiment prefix):
    "passed", "failed", "not run on this profile", "not checked (smoke)", or "unknown" when the
    figure is drawn without claims (e.g. by a test)."""
    return _verdicts.get(claim, "unknown")


@contextlib.contextmanager
def inspecting(inspector: Callable[[matplotlib.figure.Figure, str], None]) -> Iterator[None]:
    """Calls ``inspector(fig, stem)`` on every figure before ``save_figure`` writes it, after
    its layout is fixed: what the inspector sees is what is written, byte for byte."""
    global _inspector
    previous, _inspector = _inspector, inspector
    try:
        yield
    finally:
        _inspector = previous


def status_entries(claims: dict[str, str]) -> list[tuple[mlines.Line2D, str]]:
    """(handle, label) legend entries for the shown claims whose verdict is not "passed": a red
    cross "FAILED: …", a grey hollow circle "not run on this profile: …", and one "claims not
    checked (smoke run)" entry on smoke figures.

    ``claims``: {experiment-local claim id: a few words naming what the figure shows of it}.
    """
    entries: list[tuple[mlines.Line2D, str]] = []
    statuses = {claim: verdict(claim) for claim in claims}
    hollow = {"ls": "none", "marker": "o", "ms": 6, "mfc": "none", "color": NOT_RUN_COLOUR}
    for claim, words in claims.items():
        if statuses[claim] == "failed":
            handle = mlines.Line2D([], [], ls="none", marker="X", ms=7, color=FAILED_COLOUR)
            entries.append((handle, f"FAILED: {words}"))
        elif statuses[claim] == "not run on this profile":
            entries.append((mlines.Line2D([], [], **hollow), f"not run on this profile: {words}"))
    if any(status == "not checked (smoke)" for status in statuses.values()):
        entries.append((mlines.Line2D([], [], **hollow), "claims not checked (smoke run)"))
    return entries


def paint_status(legend: matplotlib.legend.Legend | None) -> matplotlib.legend.Legend | None:
    """Colours the "FAILED" entries of ``legend`` red and bold (call after creating it)."""
    if legend is not None:
        for text in legend.get_texts():
            if text.get_text().startswith("FAILED"):
                text.set_color(FAILED_COLOUR)
                text.set_fontweight("bold")
    return legend
