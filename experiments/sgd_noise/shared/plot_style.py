"""Figure helpers shared by the pillar's plot modules: power-of-two tick labels in mathtext,
readable log ticks, and the verdict tags of the claims a figure shows
(``experiments.common.plotting.verdict``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from experiments.common.plotting import FAILED_COLOUR, verdict

SHOWN = {"passed": "passed", "failed": "FAILED",
         "not run on this profile": "not run on this profile",
         "not checked (smoke)": "not checked (smoke)"}


def thin(values: Sequence[float], most: int) -> list[float]:
    """At most ``most`` of ``values``, evenly spaced, always keeping both ends."""
    values = list(values)
    if len(values) <= most:
        return values
    keep = np.unique(np.round(np.linspace(0, len(values) - 1, most)).astype(int))
    return [values[i] for i in keep]


def pow2_label(exponent: float) -> str:
    """``$2^{-6}$`` (integers) or ``$2^{-6.5}$``."""
    e = float(exponent)
    return f"$2^{{{int(e) if e.is_integer() else e:g}}}$"


def pow2_ticks(ax: Axes, which: str, exponents: Sequence[float], *, log_axis: bool,
               most: int = 9, regular: bool = False) -> None:
    """Ticks at the grid's exponents, labelled $2^{k}$. ``log_axis``: the axis is in units of
    2^k on a log scale (tick at 2^k); otherwise it is in units of k (tick at k). ``regular``:
    evenly spaced integer exponents over the grid's range instead of the grid points."""
    grid = sorted(set(float(e) for e in exponents))
    if regular and grid[-1] > grid[0]:
        lo, hi = math.floor(grid[0]), math.ceil(grid[-1])
        step = max(1, math.ceil((hi - lo) / max(most - 1, 1)))
        grid = [float(e) for e in range(lo, hi + 1, step)]
    shown = thin(grid, most)
    where = [2.0**e for e in shown] if log_axis else shown
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_ticks(where, [pow2_label(e) for e in shown])
    axis.set_ticks([], minor=True)


def ticks_inside(ax: Axes) -> None:
    """Keeps only the tick marks inside the current view limits (call after the data are drawn):
    ticks a locator places just outside the view are not drawn, but their labels still take
    space in the layout and the figure checks."""
    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        lo, hi = min(limits), max(limits)
        for minor in (False, True):
            locs = axis.get_minorticklocs() if minor else axis.get_majorticklocs()
            inside = [v for v in locs if lo <= v <= hi]
            if len(inside) < len(locs):
                axis.set_ticks(inside, minor=minor)


def log_ticks(axis: Any) -> None:
    """Readable labels on a log axis (call after the data are drawn): labels at the powers of ten
    only when at least two show; otherwise plain numbers at 1, 2, 5 × 10^k (or finer steps,
    until three show)."""
    axis.axes.get_xlim(), axis.axes.get_ylim()  # applies pending autoscaling
    lo, hi = sorted(axis.get_view_interval())
    if lo <= 0:
        return
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    if sum(lo <= 10.0**k <= hi for k in decades) >= 2:  # two powers of ten show: keep them
        axis.set_minor_formatter(NullFormatter())
        return
    ticks: list[float] = []
    for subs in ((1, 2, 5), (1, 2, 3, 5), tuple(range(1, 10))):
        ticks = [m * 10.0**k for k in decades for m in subs if lo <= m * 10.0**k <= hi]
        if len(ticks) >= 3:
            break
    if len(ticks) < 3:  # a narrow range: evenly spaced plain numbers
        ticks = [v for v in MaxNLocator(4).tick_values(lo, hi) if lo <= v <= hi]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    axis.set_minor_formatter(NullFormatter())


def claim_status(claim: str) -> str:
    """The verdict of one claim in the words the figures use ('' when drawn without claims)."""
    return SHOWN.get(verdict(claim), "")


def verdict_line(claims: Sequence[tuple[str, str]], width: int = 0) -> str:
    """'claims passed: noise helps; FAILED: …' for (claim id, words) pairs, grouped by verdict
    ('' when the figure is drawn without claims); wrapped at ``width`` characters if given."""
    groups: dict[str, list[str]] = {}
    for cid, words in claims:
        if claim_status(cid):
            groups.setdefault(claim_status(cid), []).append(words)
    if not groups:
        return ""
    line = "claims " + "; ".join(f"{status}: {', '.join(w)}" for status, w in groups.items())
    return textwrap.fill(line, width) if width else line


def any_failed(claims: Sequence[tuple[str, str]]) -> bool:
    return any(verdict(cid) == "failed" for cid, _ in claims)


def title_with_verdicts(ax: Axes, title: str, claims: Sequence[tuple[str, str]],
                        **kwargs: object) -> None:
    """Axes title with a second line of claim verdicts, red when one of them failed."""
    line = verdict_line(claims)
    text = f"{title}\n{line}" if line else title
    ax.set_title(text, color=FAILED_COLOUR if any_failed(claims) else "black", **kwargs)
