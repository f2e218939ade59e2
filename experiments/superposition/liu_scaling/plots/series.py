"""What every figure module of ``liu_scaling`` shares: cell series by (α, γ), their points with
intervals (seed spread, or ±1.96 evaluation SE for one seed), the width axis, the fits of a series
and the claims each small-model series tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.common.results import as_floats
from experiments.superposition.shared.plot_style import (
    fraction_text,
    spread_text,
)

EPS = 1e-6
NO_SMALL = "no series of small models (series_alpha is empty)"
gamma_text = fraction_text


def m_axis(ax: Any, ms: Any) -> None:
    """Log x axis with the trained widths as plain tick labels."""
    ms = sorted({int(m) for m in ms})
    ax.set_xscale("log")
    ax.set_xticks(ms, [str(m) for m in ms])
    ax.minorticks_off()
    if len(ms) == 1:
        ax.set_xlim(ms[0] / 1.5, ms[0] * 1.5)


def series(cells: list[dict], **where: Any) -> dict[tuple, list[dict]]:
    """Cells grouped by (group, kind, α, γ, s), members sorted by m (seeds pooled)."""
    out: dict[tuple, list[dict]] = {}
    for c in cells:
        if all(test(c) if callable(test) else c.get(k) == test for k, test in where.items()):
            out.setdefault((c["group"], c["kind"], c["alpha"], c["gamma"], c.get("s")),
                           []).append(c)
    return {k: sorted(v, key=lambda c: (c["m"], c["seed"])) for k, v in out.items()}


def _series_key(entry: dict) -> tuple:
    return entry["group"], entry["kind"], entry["alpha"], entry["gamma"], entry.get("s")


def points(metrics: dict, members: list[dict],
           key: str = "L") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, mean over seeds, half-widths (2, k)) of ``key`` per m for the series of ``members``,
    as saved in ``metrics["seed_spreads"]`` (several seeds: their spread; one seed: ±1.96
    evaluation SE for the loss, no interval otherwise)."""
    wanted = (*_series_key(members[0]), key)
    entry = next(e for e in metrics["seed_spreads"] if (*_series_key(e), e["quantity"]) == wanted)
    return (np.asarray(entry["m"], float), as_floats(entry["mean"]),
            np.asarray([entry["below"], entry["above"]], float))


def fit_spread(metrics: dict, fit: dict) -> dict:
    """The saved seed mean and interval of α_m (``metrics["fit_spreads"]``) of ``fit``'s series
    and window."""
    wanted = (*_series_key(fit), fit["window"])
    return next(e for e in metrics["fit_spreads"] if (*_series_key(e), e["window"]) == wanted)


def seed_count(cells: list[dict]) -> int:
    return len({c["seed"] for c in cells})


def interval_text(cells: list[dict], loss: bool = True) -> str:
    single = "bars: ±1.96 evaluation SE, one seed" if loss else "one seed: no interval"
    return spread_text(seed_count(cells), single)


def series_claims(alpha: float, gamma: float) -> tuple[str, ...]:
    """Claim ids (without prefix) that test the small-model series (α, γ)."""
    if gamma < 0:
        if abs(alpha - 1.0) < EPS:
            return "strong_exponent_alpha1", "strong_beats_weak"
        return ("strong_exponent_skewed", "exponent_grows_with_alpha") if alpha > 1 else ()
    if abs(alpha - 1.0) < EPS:
        return "weak_flat_alpha1", "strong_beats_weak"
    return ("weak_exponent",) if alpha > 1 else ()


def pick(cells: list[dict]) -> dict[tuple, list[dict]]:
    """The small-model series a line figure shows (at most 8)."""
    small = series(cells, group="small")
    if len(small) <= 8:
        return small
    keep = {(round(a, 6), round(g, 6)) for a in (0.5, 1.0, 1.5, 2.0) for g in (-1.0, 5 / 9)}
    return {k: v for k, v in small.items() if (round(k[2], 6), round(k[3], 6)) in keep}


def fits_of(metrics: dict, key: tuple, *windows: str) -> list[dict]:
    """Every seed's power-law fit of series ``key`` on the first window where seed 0 (else any
    seed) has a fitted slope; [] when no window has one."""
    group, kind, alpha, gamma, s = key
    for window in windows:
        found = [f for f in metrics["fits"] if f["alpha_m"] is not None and (
            f["group"], f["kind"], f["alpha"], f["gamma"], f.get("s"), f["window"]) == (
            group, kind, alpha, gamma, s, window)]
        if found:
            return sorted(found, key=lambda f: f["seed"])
    return []
