"""Pieces shared by the majority-tree figures: claim-status legend entries and text helpers.

A figure marks the claims it shows whose verdict (``plotting.verdict``) is not "passed": a red
cross "FAILED: …" or a grey hollow marker "not run on this profile: …" in its legend, so that the
figure and REPORT.md never disagree. Smoke runs check no claim; their figures say so once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.lines as mlines
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from experiments.common.plotting import verdict

FAILED_COLOUR = "#C00000"
_SMOKE = "not checked (smoke)"
_NOT_RUN = "not run on this profile"


def status_entries(claims: Mapping[str, str]) -> list[tuple[mlines.Line2D, str]]:
    """(handle, label) legend entries for the shown claims whose verdict is not "passed".

    ``claims``: {experiment-local claim id: a few words naming what the figure shows of it}.
    """
    entries: list[tuple[mlines.Line2D, str]] = []
    statuses = {claim: verdict(claim) for claim in claims}
    for claim, words in claims.items():
        if statuses[claim] == "failed":
            handle = mlines.Line2D([], [], ls="none", marker="X", ms=7, color=FAILED_COLOUR)
            entries.append((handle, f"FAILED: {words}"))
        elif statuses[claim] == _NOT_RUN:
            handle = mlines.Line2D([], [], ls="none", marker="o", ms=6, mfc="none",
                                   color="0.45")
            entries.append((handle, f"{_NOT_RUN}: {words}"))
    if any(status == _SMOKE for status in statuses.values()):
        handle = mlines.Line2D([], [], ls="none", marker="o", ms=6, mfc="none", color="0.45")
        entries.append((handle, "claims not checked (smoke run)"))
    return entries


def with_status(handles: Sequence, labels: Sequence[str],
                claims: Mapping[str, str]) -> tuple[list, list[str]]:
    """``handles``/``labels`` followed by the status entries of ``claims``."""
    extra = status_entries(claims)
    return list(handles) + [h for h, _ in extra], list(labels) + [t for _, t in extra]


def paint_status(legend: Legend | None) -> None:
    """Colours the "FAILED" entries of ``legend`` red (call after creating the legend)."""
    if legend is None:
        return
    for text in legend.get_texts():
        if text.get_text().startswith("FAILED"):
            text.set_color(FAILED_COLOUR)
            text.set_fontweight("bold")


def legend_with_status(ax, claims: Mapping[str, str], **kwargs) -> Legend:
    """``ax.legend`` over the axes' labelled artists plus the status entries of ``claims``."""
    handles, labels = ax.get_legend_handles_labels()
    handles, labels = with_status(handles, labels, claims)
    legend = ax.legend(handles, labels, **kwargs)
    paint_status(legend)
    return legend


def g(value: float) -> str:
    """Compact number: 0.02, 1e+10 -> as ``:g``."""
    return f"{value:g}"


def sci(value: float) -> str:
    """A power of ten as mathtext ($10^{10}$), other numbers as ``:g``."""
    if value > 0:
        exponent = round(float(f"{value:e}".split("e")[1]))
        if abs(value - 10.0**exponent) <= 1e-9 * value:
            return f"$10^{{{exponent}}}$"
    return f"{value:.3g}"


def hidden_axes_unlabelled(fig: Figure) -> None:
    """Turns off the tick labels of hidden axes (a twin's shared x axis, a text-only panel).

    Matplotlib never draws them, but it still formats them; the figure checks would count
    them as text.
    """
    for ax in fig.get_axes():
        if not ax.axison:
            ax.tick_params(which="both", labelbottom=False, labeltop=False, labelleft=False,
                           labelright=False)
            continue
        if not ax.xaxis.get_visible():
            ax.tick_params(axis="x", which="both", labelbottom=False, labeltop=False)
        if not ax.yaxis.get_visible():
            ax.tick_params(axis="y", which="both", labelleft=False, labelright=False)
