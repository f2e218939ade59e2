"""Builds REPORT.md: one row per claim with the paper's value, the theory's value, this run's
measurement, the tolerance and the verdict; plus wall times and the environment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments import registry
from experiments.common import results

_STATUS_MARK = {"passed": "PASS", "failed": "**FAIL**", "not checked (smoke)": "smoke",
                "not run": "not run"}


def format_value(value: Any, *, max_items: int = 6) -> str:
    """Short, table-safe text for a number, list, mapping or string."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3e}"
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        items = [f"{k}: {format_value(v, max_items=3)}" for k, v in value.items()]
        shown = items[:max_items] + (["…"] if len(items) > max_items else [])
        return "; ".join(shown)
    if isinstance(value, list | tuple):
        items = [format_value(v, max_items=3) for v in value[:max_items]]
        if len(value) > max_items:
            items.append(f"… ({len(value)} values)")
        return "[" + ", ".join(items) + "]"
    if value is None:
        return "—"
    return str(value)


def _cell(value: Any) -> str:
    return format_value(value).replace("|", "\\|").replace("\n", " ")


def _claims_table(claim_dicts: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = [
        "| claim | label | statement | source | paper | theory | measured | tolerance | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in claim_dicts:
        lines.append("| " + " | ".join([
            f"`{c['id']}`", _cell(c["label"]), _cell(c["statement"]), _cell(c["source"]),
            _cell(c["paper"]),
            _cell(c["theory"]), _cell(c["measured"]), _cell(c["tolerance"]),
            _STATUS_MARK[c["status"]],
        ]) + " |")
    notes = [f"- `{c['id']}`: {c['note']}" for c in claim_dicts if c.get("note")]
    return lines + ([""] + notes if notes else [])


def summary_rows(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = ["| experiment | wall time (s) | claims | passed | failed | not checked / not run |",
             "|---|---|---|---|---|---|"]
    for e in entries:
        statuses = [c["status"] for c in e["claims"]]
        lines.append(
            f"| {e['name']} | {e['wall']} | {len(statuses)} | {statuses.count('passed')} | "
            f"{statuses.count('failed')} | "
            f"{len(statuses) - statuses.count('passed') - statuses.count('failed')} |")
    return lines


def collect(out: Path, profile: str, modules: Sequence[str],
            wall_seconds: Mapping[str, float]) -> list[dict[str, Any]]:
    """Loads the finished results of each registered experiment that has them."""
    entries = []
    for module in modules:
        name = registry.experiment_name(module)
        run_dir = results.RunDir(out / name / profile)
        if run_dir.finished_key() is None:
            entries.append({"module": module, "name": name, "claims": [], "wall": "no results",
                            "env": None})
            continue
        wall = wall_seconds.get(module, results.read_json(run_dir.path("run.json"))
                                .get("wall_seconds"))
        entries.append({
            "module": module, "name": name, "wall": wall,
            "claims": results.read_json(run_dir.path("claims.json")),
            "env": results.read_json(run_dir.path("env.json")),
        })
    return entries


def build_report(entries: Sequence[Mapping[str, Any]], profile: str, figures: Path) -> str:
    env = next((e["env"] for e in entries if e["env"]), None)
    lines = ["# Claims report", ""]
    lines.append(f"Profile `{profile}`. Regenerate with `./run_all.sh --profile {profile}`; "
                 "every number below was computed by that run (simulations, brute force or "
                 "fits), and the theory column by this suite's closed forms.")
    if profile == "smoke":
        lines.append("The smoke profile only proves that every code path runs: its claims are "
                     "not checked.")
    if env:
        versions = env["versions"]
        lines += ["", f"Environment: jax {versions['jax']}, jaxlib {versions['jaxlib']}, "
                  f"numpy {versions['numpy']}, scipy {versions['scipy']}; platform "
                  f"{env['platform']} ({env['device_kind']}), {env['device_count']} device(s), "
                  f"{env['cpu_count']} CPU cores; commit {env['git_commit']}."]
    lines += ["", "## Summary", "", *summary_rows(entries)]
    for pillar in dict.fromkeys(registry.pillar_of(e["module"]) for e in entries):
        lines += ["", f"## Pillar `{pillar}`", "", registry.preamble(pillar).strip()]
        for e in (e for e in entries if registry.pillar_of(e["module"]) == pillar):
            lines += ["", f"### {e['name']}", "", f"Wall time: {e['wall']} s.", ""]
            lines += _claims_table(e["claims"]) if e["claims"] else ["No results."]
            figure_dir = figures / e["name"]
            pngs = sorted(figure_dir.glob("*.png")) if figure_dir.exists() else []
            if pngs:
                links = ", ".join(f"[{p.stem}]({p.relative_to(figures).as_posix()})" for p in pngs)
                lines += ["", f"Figures: {links}."]
    return "\n".join(lines) + "\n"


def write_report(out: Path, profile: str, figures: Path,
                 wall_seconds: Mapping[str, float] | None = None,
                 modules: Sequence[str] = registry.EXPERIMENTS) -> list[dict[str, Any]]:
    entries = collect(out, profile, modules, wall_seconds or {})
    text = build_report(entries, profile, figures)
    results.atomic_write_bytes(figures / "REPORT.md", text.encode())
    return entries


README_START, README_END = "<!-- claims-table:start -->", "<!-- claims-table:end -->"


def update_readme(readme: Path, entries: Sequence[Mapping[str, Any]]) -> bool:
    """Replaces the claims table between the README's markers; False when there are none."""
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    rows = ["| claim | result | theory | measured |", "|---|---|---|---|"]
    for e in entries:
        for c in e["claims"]:
            rows.append(f"| `{c['id']}` | {_STATUS_MARK[c['status']]} | {_cell(c['theory'])} | "
                        f"{_cell(c['measured'])} |")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    new = f"{head}{README_START}\n" + "\n".join(rows) + f"\n{README_END}{tail}"
    results.atomic_write_bytes(readme, new.encode())
    return True
