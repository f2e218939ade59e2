"""Mechanical checks of a drawn figure: what a referee would notice first, found by geometry.

``figure_problems(fig)`` lays the figure out (as ``savefig`` would) and returns one line per
problem:

- two visible text objects overlap (titles, labels, tick labels, annotations, legends counted
  as one box each);
- a legend covers plotted points (line vertices or scatter/errorbar points inside the axes);
- an axis with numeric tick labels has no label (panels of one grid row or column may share the
  label of a neighbour, or a figure-level ``supxlabel``/``supylabel``);
- a legend entry has no visible artist, or its text is empty;
- text outside mathtext (``$…$``) contains ``_`` or ``^``: raw math ("b^L") or a code name
  ("n_ntk") where mathtext or words belong.

The tests run it on every smoke figure (``tests/test_figures.py``); ``plotting.inspecting``
is the hook that hands each figure over before it is saved. Geometry uses display pixels
after layout; overlaps smaller than ``TOLERANCE_PX`` in either direction are ignored
(antialiasing and glyph padding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import matplotlib.collections as mcollections
import matplotlib.lines as mlines
import matplotlib.patches as mpatches
import matplotlib.text as mtext
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

TOLERANCE_PX = 2.0
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")
_NUMBER = re.compile(r"^[\s−\-+]*[\d.,]+(e[−\-+]?\d+)?\s*%?$|^$")


def _visible_text(artist: mtext.Text) -> bool:
    return artist.get_visible() and bool(artist.get_text().strip()) and artist.get_alpha() != 0


def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOLERANCE_PX and height > TOLERANCE_PX


def _axes_of(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.get_axes() if ax.get_visible()]


def _legends(fig: Figure) -> list[Legend]:
    found = [ax.get_legend() for ax in _axes_of(fig)] + list(fig.legends)
    return [leg for leg in found if leg is not None and leg.get_visible()]


def _texts(fig: Figure, renderer) -> list[tuple[str, Bbox]]:
    """(label, display bbox) of every visible text object outside legends."""
    items: list[mtext.Text] = list(fig.texts)
    for sub in getattr(fig, "subfigs", []):
        items += list(sub.texts)
    for attr in ("_suptitle", "_supxlabel", "_supylabel"):
        if getattr(fig, attr, None) is not None:
            items.append(getattr(fig, attr))
    for ax in _axes_of(fig):
        items += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        items += list(ax.texts)
        for axis in (ax.xaxis, ax.yaxis):
            if not ax.axison or not axis.get_visible():
                continue
            # Only the ticks drawn: matplotlib keeps labelled ticks just outside the view limits
            # that are never drawn (``_update_ticks`` is what ``Axis.draw`` uses to pick them).
            for tick in axis._update_ticks():
                if tick.get_visible():
                    items += [t for t in (tick.label1, tick.label2) if t.get_visible()]
            if axis.offsetText.get_visible():
                items.append(axis.offsetText)
    unique = {id(t): t for t in items if _visible_text(t)}
    return [(t.get_text(), t.get_window_extent(renderer)) for t in unique.values()]


def _text_overlaps(fig: Figure, renderer) -> list[str]:
    boxes = _texts(fig, renderer)
    boxes += [(f"legend ({', '.join(t.get_text() for t in leg.get_texts())[:40]})",
               leg.get_window_extent(renderer)) for leg in _legends(fig)]
    problems = []
    for i, (text_a, box_a) in enumerate(boxes):
        for text_b, box_b in boxes[i + 1:]:
            if _overlap(box_a, box_b):
                problems.append(f"text {text_a!r} overlaps {text_b!r}")
    return problems


def _points(ax: Axes) -> Iterable[tuple[str, np.ndarray]]:
    """Display coordinates of the data points drawn in ``ax`` (inside its view)."""
    for line in ax.get_lines():
        if line.get_visible() and not line.get_label().startswith("_child"):
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
            yield line.get_label(), xy
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, mcollections.PathCollection):  # scatter
            xy = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            yield coll.get_label(), xy
        elif isinstance(coll, mcollections.LineCollection):  # error bars
            segments = [np.asarray(s, float) for s in coll.get_segments() if len(s)]
            if segments:
                xy = coll.get_transform().transform(np.concatenate(segments))
                yield coll.get_label(), xy


def _legend_covers_points(fig: Figure, renderer) -> list[str]:
    """Every legend (of an axes or of the figure) against the points of every axes it covers."""
    problems = []
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer).padded(-TOLERANCE_PX)
        for ax in _axes_of(fig):
            view = ax.get_window_extent(renderer)
            if not _overlap(box, view):
                continue
            for label, xy in _points(ax):
                xy = xy[np.all(np.isfinite(xy), axis=1)]
                covered = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                           & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
                           & (xy[:, 0] >= view.x0) & (xy[:, 0] <= view.x1)
                           & (xy[:, 1] >= view.y0) & (xy[:, 1] <= view.y1))
                if covered.any():
                    title = ax.get_title() or "untitled axes"
                    problems.append(f"a legend covers {int(covered.sum())} point(s) of "
                                    f"{label!r} in {title!r}")
    return problems


def _numeric_ticks(axis) -> bool:
    labels = [t.get_text() for t in axis.get_ticklabels() if _visible_text(t)]
    plain = [_MATH.sub(lambda m: m.group(0).strip("$"), s).replace("\\mathdefault", "")
             .replace("{", "").replace("}", "").replace("\\times", "").replace("^", "")
             .replace("−", "-") for s in labels]
    return bool(labels) and all(_NUMBER.match(s.strip()) for s in plain)


def _missing_axis_labels(fig: Figure) -> list[str]:
    axes = _axes_of(fig)
    has_sup = {"x": getattr(fig, "_supxlabel", None) is not None,
               "y": getattr(fig, "_supylabel", None) is not None}
    problems = []
    for ax in axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible() or not _numeric_ticks(axis) or axis.label.get_text().strip():
                continue
            if has_sup[name] or _neighbour_labels(ax, axes, name):
                continue
            problems.append(f"{name} axis of {ax.get_title() or 'untitled axes'!r} has no label")
    return problems


def _neighbour_labels(ax: Axes, axes: list[Axes], name: str) -> bool:
    """A panel of a grid may rely on the label of another panel in its column (x) or row (y)."""
    spec = ax.get_subplotspec()
    if spec is None:
        return False
    for other in axes:
        other_spec = other.get_subplotspec()
        if other is ax or other_spec is None:
            continue
        if other_spec.get_gridspec() is not spec.get_gridspec():
            continue
        same = (other_spec.colspan == spec.colspan if name == "x"
                else other_spec.rowspan == spec.rowspan)
        label = (other.xaxis if name == "x" else other.yaxis).label.get_text().strip()
        if same and label:
            return True
    return False


def _handle_visible(handle) -> bool:
    if handle is None or not handle.get_visible() or handle.get_alpha() == 0:
        return False
    if isinstance(handle, mlines.Line2D):
        line = handle.get_linestyle() not in ("None", "", " ") and handle.get_linewidth() > 0
        marker = handle.get_marker() not in (None, "None", "", " ") and handle.get_markersize() > 0
        return line or marker
    if isinstance(handle, mpatches.Patch):
        face = handle.get_facecolor()[3] > 0 if handle.get_fill() else False
        edge = handle.get_edgecolor()[3] > 0 and handle.get_linewidth() > 0
        return face or edge or bool(handle.get_hatch())
    if isinstance(handle, mcollections.Collection):
        return len(handle.get_facecolor()) + len(handle.get_edgecolor()) > 0
    return True


def _legend_entries(fig: Figure) -> list[str]:
    problems = []
    for legend in _legends(fig):
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
            if not text.get_text().strip():
                problems.append("legend entry with empty text")
            elif not _handle_visible(handle):
                problems.append(f"legend entry {text.get_text()!r} has no visible artist")
    return problems


def _raw_markup(fig: Figure, renderer) -> list[str]:
    texts = [t for t, _ in _texts(fig, renderer)]
    texts += [t.get_text() for leg in _legends(fig) for t in leg.get_texts()]
    problems = []
    for text in texts:
        plain = _MATH.sub("", text)
        if "_" in plain or "^" in plain:
            problems.append(f"text {text!r} has '_' or '^' outside mathtext")
    return problems


def figure_problems(fig: Figure) -> list[str]:
    """Every problem the checks above find in ``fig`` (empty when it passes)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    return (_text_overlaps(fig, renderer) + _legend_covers_points(fig, renderer)
            + _missing_axis_labels(fig) + _legend_entries(fig) + _raw_markup(fig, renderer))
