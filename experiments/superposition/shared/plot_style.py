"""Shared figure helpers of the superposition pillar: verdict marks, legends, tick trimming.

Presentation only (imported by plots modules, never by a compute path). Figures mark a
claim they show only when it failed or was not run, with the words REPORT.md uses
(``plotting.verdict``); a passed claim needs no mark.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend import Legend

from experiments.common.plotting import FAILED_COLOUR, verdict

FAILED_COLOR = FAILED_COLOUR
NOT_RUN_COLOR = "0.4"
_MARKS = {"failed": ("FAILED", FAILED_COLOR),
          "not run on this profile": ("not run on this profile", NOT_RUN_COLOR)}


def claim_mark(*claims: str) -> tuple[str, str] | None:
    """(tag, colour) of the first failed, else the first not-run claim; None when none is."""
    statuses = [verdict(c) for c in claims]
    for status in ("failed", "not run on this profile"):
        if status in statuses:
            return _MARKS[status]
    return None


def mark_suffix(*claims: str, prefix: str = "claim") -> str:
    """' (claim FAILED)' / ' (claim not run on this profile)' or '' (passed, smoke, unknown)."""
    mark = claim_mark(*claims)
    return f" ({prefix} {mark[0]})" if mark else ""


def colour_marked(legend: Legend | None) -> Legend | None:
    """Colours the legend lines that carry a verdict mark: red FAILED, grey not run."""
    if legend is None:
        return None
    for text in legend.get_texts():
        for tag, colour in _MARKS.values():
            if tag in text.get_text():
                text.set_color(colour)
    return legend


def legend_right(ax: Axes, **kwargs: Any) -> Legend:
    """Legend outside the axes, to the right, top-aligned; marked lines coloured."""
    kwargs.setdefault("fontsize", 7)
    kwargs.setdefault("title_fontsize", 7)
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                       alignment="left", **kwargs)
    colour_marked(legend)
    return legend


def legend_below(ax: Axes, ncol: int = 2, **kwargs: Any) -> Legend:
    """Legend outside the axes, below the x label; marked lines coloured."""
    kwargs.setdefault("fontsize", 7)
    kwargs.setdefault("title_fontsize", 7)
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), borderaxespad=0.0,
                       ncol=ncol, alignment="left", **kwargs)
    colour_marked(legend)
    return legend


def trim_ticks(ax: Axes, *, x: bool = True, y: bool = True) -> None:
    """Keeps only the tick positions inside the view limits (call after the limits are final).

    Locators return ticks beyond the view; their unlabelled-but-positioned labels then count as
    text outside the axes. Fixing the in-view positions keeps the formatter's labels.
    """
    limits = ax.get_xlim(), ax.get_ylim()
    for on, axis, (lo, hi) in ((x, ax.xaxis, limits[0]), (y, ax.yaxis, limits[1])):
        if not on:
            continue
        lo, hi = min(lo, hi), max(lo, hi)
        span = (hi - lo) * 1e-9
        for minor in (False, True):
            locs = np.asarray(axis.get_minorticklocs() if minor else axis.get_majorticklocs())
            axis.set_ticks(locs[(locs >= lo - span) & (locs <= hi + span)], minor=minor)
    ax.set_xlim(limits[0])
    ax.set_ylim(limits[1])


def spread_text(seeds: int, single: str = "one seed: no interval") -> str:
    """Legend words for a saved seed spread (``shared.seed_stats.seed_spread``) over ``seeds``
    seeds (``single`` for one seed)."""
    if seeds >= 3:
        return f"bars: 95 % bootstrap interval over {seeds} seeds"
    return "bars: range of the 2 seeds" if seeds == 2 else single


def fraction_text(value: float, eps: float = 1e-6) -> str:
    """γ-style number: ninths and thirds as fractions, a true minus sign."""
    for num in range(-18, 19):
        if abs(value - num / 9) < eps and num % 9:
            text = f"{abs(num)}/9" if num % 3 else f"{abs(num) // 3}/3"
            return ("−" if num < 0 else "") + text
    return f"{value:g}".replace("-", "−")
