"""Pieces shared by the scaling-law figures: claim-status legend entries, legends outside the
axes, tick trimming and log-axis labels. Presentation only.

A figure marks the claims it shows whose verdict (``plotting.verdict``) is not "passed": a red
cross "FAILED: …" or a grey hollow circle "not run on this profile: …" in its legend, with the
words REPORT.md uses. Smoke runs check no claim; their figures say so once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from experiments.common.plotting import paint_status, status_entries


def unique_entries(axes: Sequence[Axes]) -> tuple[list, list[str]]:
    """Labelled artists of ``axes``, each label once (first occurrence)."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    return handles, labels


def figure_legend(fig: Figure, axes: Sequence[Axes], claims: Mapping[str, str], *,
                  ncol: int = 2, loc: str = "outside lower center", **kwargs: Any) -> Legend:
    """One legend for the whole figure (outside the axes): every labelled artist of ``axes``
    once, then the status entries of ``claims``."""
    handles, labels = unique_entries(axes)
    extra = status_entries(claims)
    handles += [h for h, _ in extra]
    labels += [t for _, t in extra]
    kwargs.setdefault("fontsize", 7.5)
    kwargs.setdefault("title_fontsize", 7.5)
    legend = fig.legend(handles, labels, loc=loc, ncol=max(1, min(ncol, len(labels))),
                        **kwargs)
    return paint_status(legend)


def legend_right(ax: Axes, claims: Mapping[str, str] | None = None, **kwargs: Any) -> Legend:
    """Legend of ``ax`` outside it, to the right, top-aligned, with the claims' status entries."""
    handles, labels = unique_entries([ax])
    extra = status_entries(claims or {})
    handles += [h for h, _ in extra]
    labels += [t for _, t in extra]
    kwargs.setdefault("fontsize", 7.5)
    kwargs.setdefault("title_fontsize", 7.5)
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       borderaxespad=0.0, alignment="left", **kwargs)
    return paint_status(legend)


def trim_ticks(fig: Figure) -> None:
    """Fixes every axis' ticks to those inside its view, so that no label of a tick outside the
    axes (which matplotlib keeps but does not draw) lies on another text."""
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            for minor in (False, True):
                locs = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
                axis.set_ticks([v for v in locs if lo - span <= v <= hi + span], minor=minor)


def finite(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Saved list with ``None`` for undefined entries as floats with NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def status_legend(fig: Figure, claims: Mapping[str, str], **kwargs: Any) -> Legend | None:
    """A figure legend (below the axes) holding only the status entries of ``claims``, for a
    figure that has no other legend; None when every claim passed."""
    extra = status_entries(claims)
    if not extra:
        return None
    kwargs.setdefault("fontsize", 7.5)
    legend = fig.legend([h for h, _ in extra], [t for _, t in extra], loc="outside lower center",
                        ncol=min(2, len(extra)), **kwargs)
    return paint_status(legend)


def sparse_log_labels(*axes: Axes) -> None:
    """Minor tick labels of log axes: none over more than 1.5 decades, else at 2 and 5 × 10^k,
    so that a short log range is labelled without the labels running into each other."""
    for ax in axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale == "log":
                axis.set_minor_formatter(ticker.FuncFormatter(_minor_label(axis)))


def _minor_label(axis: Any) -> Any:
    base = ticker.LogFormatterSciNotation(labelOnlyBase=False)
    base.set_axis(axis)

    def label(value: float, pos: int | None = None) -> str:
        lo, hi = sorted(axis.get_view_interval())
        mantissa = value / 10 ** np.floor(np.log10(value) + 1e-9)
        wide = lo <= 0 or hi / lo > 30
        return "" if wide or round(mantissa) not in (2, 5) else base(value, pos)

    return label
