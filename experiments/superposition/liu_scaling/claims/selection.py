"""What every claim module of ``liu_scaling`` shares: the paper reference, the claim constructor,
selections of cells and fits from metrics, and the short names and listings claims print."""

from __future__ import annotations

import math
from typing import Any

from experiments.common.claims import Claim, make_claim, rounded
from experiments.common.results import as_float
from experiments.superposition.shared.provenance import source

PAPER = "Liu, Liu & Gore 2025 (arXiv:2505.10465v4)"
PAPER_ONLY = ("paper",)
EPS = 1e-6
Z95 = 1.96
FIT_CI = "± 1.96 fit SE (one seed)"
MAX_LISTED = 40  # cells listed one by one in details; larger selections are summarised


def liu_claim(profile: str, name: str, where: str, label: str = "paper", **fields: Any) -> Claim:
    return make_claim(profile=profile, id=f"liu_scaling.{name}", source=source(label, where, PAPER),
                      label=label, **fields)


def cells_of(metrics: dict, group: str = "small", **where: Any) -> list[dict]:
    out = []
    for c in metrics["cells"]:
        if c["group"] != group:
            continue
        if all(test(c) if callable(test) else c.get(k) == test for k, test in where.items()):
            out.append(c)
    return out


def fits_of(metrics: dict, group: str, window: str, **where: Any) -> list[dict]:
    return [f for f in metrics["fits"] if f["group"] == group and f["window"] == window
            and all(test(f) if callable(test) else f.get(k) == test
                    for k, test in where.items())]


def near(value: float) -> Any:
    return lambda c: c.get("gamma") is not None and abs(c["gamma"] - value) < EPS


def gamma_text(gamma: float) -> str:
    """γ as the fraction the grid means (linspace(−1, 1, 10) = multiples of 1/9)."""
    ninths = gamma * 9
    if abs(ninths - round(ninths)) < 1e-6 and round(ninths) % 9:
        num = round(ninths)
        return f"{num // 3}/3" if num % 3 == 0 else f"{num}/9"
    return f"{gamma:g}"


def cell_name(c: dict) -> str:
    """Short cell label, e.g. "α=1 γ=−1 m=25" (large models: the frequency law)."""
    head = c["kind"] if c.get("group") == "large" else f"α={c['alpha']:g}"
    seed = f" s{c['seed']}" if c.get("seed") else ""
    return f"{head} γ={gamma_text(c['gamma'])} m={c['m']}{seed}"


def fit_name(f: dict) -> str:
    head = f["kind"] if f.get("group") == "large" else f"α={f['alpha']:g}"
    seed = f" s{f['seed']}" if f.get("seed") else ""
    return f"{head} γ={gamma_text(f['gamma'])}{seed}"


def listing(items: dict[str, Any]) -> dict[str, Any]:
    """Every entry when there are few, else the count and the extremes."""
    if len(items) <= MAX_LISTED:
        return items
    numbers = {k: v for k, v in items.items() if isinstance(v, int | float)}
    if not numbers:
        return {"entries": len(items)}
    low, high = min(numbers, key=numbers.get), max(numbers, key=numbers.get)
    return {"entries": len(items), f"min ({low})": numbers[low], f"max ({high})": numbers[high]}


def fit_interval(f: dict | None) -> list[float] | None:
    if not f or not math.isfinite(as_float(f.get("alpha_m_se"))):
        return None
    a, se = as_float(f["alpha_m"]), as_float(f["alpha_m_se"])
    return [a - Z95 * se, a + Z95 * se]


def fit_record(f: dict) -> dict[str, Any]:
    return {"α_m": rounded(f["alpha_m"]), "SE": rounded(f.get("alpha_m_se"), 3),
            "R²": rounded(f.get("r2")), "m": f.get("ms")}


def theory_of(metrics: dict, name: str, **key: Any) -> Any:
    """A closed-form value saved in ``metrics["theory"]``: the entry itself, or for a list of
    entries the ``value`` of the one matching ``key`` (None when none matches)."""
    entry = metrics["theory"][name]
    if not key:
        return entry
    return next((e["value"] for e in entry if all(e[k] == v for k, v in key.items())), None)
