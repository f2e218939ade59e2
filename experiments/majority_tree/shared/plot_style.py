"""Pieces shared by the majority-tree figures: claim-status legend entries and text helpers.

A figure marks the claims it shows whose verdict (``plotting.verdict``) is not "passed": a red
cross "FAILED: …" or a grey hollow marker "not run on this profile: …" in its legend, so that the
figure and REPORT.md never disagree. Smoke runs check no claim; their figures say so once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.legend import Legend

from experiments.common.plotting import paint_status, status_entries


def with_status(handles: Sequence, labels: Sequence[str],
                claims: Mapping[str, str]) -> tuple[list, list[str]]:
    """``handles``/``labels`` followed by the status entries of ``claims``."""
    extra = status_entries(claims)
    return list(handles) + [h for h, _ in extra], list(labels) + [t for _, t in extra]




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
