"""Builds REPORT.md from every experiment's saved ``claims.json``, for a reader in a hurry.

Layout: a headline (claims by verdict and by kind, every failed claim in one line with its
reason, where and when the numbers were computed), then per pillar its preamble and per
experiment a compact table (id, statement, kind, expected, measured, tolerance, verdict) with
links to the figures and the full measured records folded below. The README gets the headline
and one line per pillar, generated from the same results so its numbers cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments import registry
from experiments.common import results
from experiments.common.claims import (
    FAILED,
    KINDS,
    NOT_RUN,
    PASSED,
    SMOKE,
    VALIDATION_KINDS,
    format_measured,
    format_value,
    natural_key,
)

_VERDICT = {PASSED: "pass", FAILED: "**FAIL**", NOT_RUN: "not run", SMOKE: "smoke"}
Entry = Mapping[str, Any]


def _cell(text: Any) -> str:
    return format_value(text).replace("|", "\\|").replace("\n", " ")


def _claims(entries: Sequence[Entry]) -> list[Mapping[str, Any]]:
    return [c for e in entries for c in e["claims"]]


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _wall(entries: Sequence[Entry]) -> float:
    return sum(e["wall"] for e in entries if isinstance(e["wall"], int | float))


def count_table(claims: Sequence[Mapping[str, Any]]) -> list[str]:
    """Markdown table: rows are verdicts, columns kinds (validation kinds first)."""
    kinds = [k for k in KINDS if any(c["kind"] == k for c in claims)]
    statuses = [s for s in (PASSED, FAILED, NOT_RUN, SMOKE) if any(c["status"] == s
                                                                   for c in claims)]
    lines = ["| verdict | " + " | ".join(kinds) + " | total |",
             "|---|" + "---|" * (len(kinds) + 1)]
    for status in statuses:
        row = [sum(c["status"] == status and c["kind"] == k for c in claims) for k in kinds]
        lines.append(f"| {status} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = [sum(c["kind"] == k for c in claims) for k in kinds]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | {len(claims)} |")
    return lines


def headline(entries: Sequence[Entry], profile: str) -> str:
    """One paragraph: how many validation claims passed, failed, were not run."""
    claims = _claims(entries)
    validation = [c for c in claims if c["kind"] in VALIDATION_KINDS]
    shown = len(claims) - len(validation)
    count = {s: sum(c["status"] == s for c in validation) for s in (PASSED, FAILED, NOT_RUN)}
    experiments = sum(1 for e in entries if e["claims"])
    if profile == "smoke":
        return (f"{len(claims)} claims from {experiments} experiments ran through the pipeline "
                "at toy size; the smoke profile checks no claim.")
    return (f"**{count[PASSED]} of {count[PASSED] + count[FAILED]} validation claims checked on "
            f"the `{profile}` profile pass and {count[FAILED]} fail**; {count[NOT_RUN]} more are "
            f"not run on this profile (checked on another profile, or underpowered here). "
            f"{shown} consistency and regression checks are shown but not counted as "
            f"validation. {experiments} experiments, {_minutes(_wall(entries))} of computation "
            "(not counting process start-up and figures).")


def failure_lines(entries: Sequence[Entry]) -> list[str]:
    lines = []
    for c in _claims(entries):
        if c["status"] == FAILED:
            lines.append(f"- `{c['id']}` ({c['kind']}): expected {_cell(c['expected'])}; "
                         f"measured {format_measured(c)}; tolerance {c['tolerance']}. "
                         f"{c['reason']}")
    return lines


def _claims_table(claims: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = ["| id | statement | kind | expected | measured | tolerance | verdict |",
             "|---|---|---|---|---|---|---|"]
    for c in claims:
        lines.append("| " + " | ".join([
            f"`{c['id']}`", _cell(c["statement"]), c["kind"], _cell(c["expected"]),
            _cell(format_measured(c)), _cell(c["tolerance"]), _VERDICT[c["status"]],
        ]) + " |")
    return lines


def _record(c: Mapping[str, Any]) -> list[str]:
    lines = [f"- `{c['id']}` — {c['status']}. Source: {c['source']}. Tolerance from: "
             f"{c['tolerance_source']}."]
    if c["interval_kind"]:
        lines.append(f"  Interval: {c['interval_kind']}.")
    if c["reason"]:
        lines.append(f"  Reason: {c['reason']}")
    if c["note"]:
        lines.append(f"  Note: {c['note']}")
    for key in sorted(c["details"], key=lambda k: natural_key(str(k))):
        lines.append(f"  - {key}: {_cell(c['details'][key])}")
    return lines


def _short(commit: str) -> str:
    dirty = commit.endswith("+dirty")
    suffix = " with uncommitted compute changes" if dirty else ""
    return commit.removesuffix("+dirty")[:12] + suffix


def _environment(entries: Sequence[Entry]) -> list[str]:
    done = [e for e in entries if e["env"]]
    if not done:
        return []
    versions, env = done[0]["env"]["versions"], done[0]["env"]
    computed: dict[str, int] = {}
    for e in done:
        computed[e["env"]["git_commit"]] = computed.get(e["env"]["git_commit"], 0) + 1
    derived = {e["derived"]["git_commit"] for e in done if e.get("derived")}
    stale = [e["module"] for e in done if not (e.get("derived") and
                                              e["derived"]["cache_key_matches"])]
    lines = ["Numbers computed at commit " + "; ".join(
        f"{_short(c)} ({n} experiment{'s' * (n != 1)})" for c, n in computed.items()) + "."]
    if derived:
        lines.append(f"Claims and figures derived from them at {', '.join(map(_short, derived))}"
                     + (", where every experiment's compute code still gives the cache key of its "
                        "saved numbers." if not stale else
                        f"; the compute code differs from that of the saved numbers (or was not "
                        f"checked) for {', '.join(stale)}."))
    lines.append(f"Environment: jax {versions['jax']}, jaxlib {versions['jaxlib']}, numpy "
                 f"{versions['numpy']}, scipy {versions['scipy']}; {env['platform']} "
                 f"({env['device_kind']}), {env['device_count']} device(s), {env['cpu_count']} "
                 "CPU cores.")
    return [" ".join(lines)]


def summary_rows(entries: Sequence[Entry]) -> list[str]:
    lines = ["| experiment | wall time (s) | claims | passed | failed | not run / smoke |",
             "|---|---|---|---|---|---|"]
    for e in entries:
        statuses = [c["status"] for c in e["claims"]]
        lines.append(
            f"| {e['module']} | {e['wall']} | {len(statuses)} | {statuses.count(PASSED)} | "
            f"{statuses.count(FAILED)} | "
            f"{len(statuses) - statuses.count(PASSED) - statuses.count(FAILED)} |")
    return lines


def collect(out: Path, profile: str, modules: Sequence[str]) -> list[dict[str, Any]]:
    """Loads the finished results of each registered experiment that has them; ``wall`` is the
    compute time saved with the results."""
    entries = []
    for module in modules:
        name = registry.experiment_name(module)
        run_dir = results.RunDir(out / name / profile)
        try:
            finished = run_dir.finished_key() is not None
        except results.CorruptFile:  # moved aside: reported as missing, recomputed on the next run
            finished = False
        if not finished:
            entries.append({"module": module, "name": name, "claims": [], "wall": "no results",
                            "env": None})
            continue
        wall = results.read_json(run_dir.path("run.json")).get("wall_seconds")
        derived = run_dir.path("derived.json")
        entries.append({
            "module": module, "name": name, "wall": wall,
            "claims": results.read_json(run_dir.path("claims.json")),
            "env": results.read_json(run_dir.path("env.json")),
            "derived": results.read_json(derived) if derived.exists() else None,
        })
    return entries


def _experiment_section(e: Entry, figures: Path) -> list[str]:
    lines = ["", f"### {e['module']}", ""]
    figure_dir = figures / e["name"]
    pngs = sorted(figure_dir.glob("*.png")) if figure_dir.exists() else []
    if pngs:
        links = " · ".join(f"[{p.stem}]({p.relative_to(figures).as_posix()})" for p in pngs)
        lines += [f"Figures: {links}. Wall time {e['wall']} s.", ""]
    if not e["claims"]:
        return lines + ["No results."]
    lines += _claims_table(e["claims"])
    lines += ["", "<details><summary>Sources, tolerance sources and full measured records"
              "</summary>", ""]
    for c in e["claims"]:
        lines += _record(c)
    return lines + ["", "</details>"]


def build_report(entries: Sequence[Entry], profile: str, figures: Path) -> str:
    lines = [f"# Claims report (`{profile}` profile)", "", headline(entries, profile), ""]
    lines += count_table(_claims(entries))
    failures = failure_lines(entries)
    if failures:
        lines += ["", "## Failed claims", "", *failures]
    lines += ["", "Kinds: " + "; ".join(f"*{k}*: {v}" for k, v in KINDS.items()) + ".",
              "Verdicts: *not run* means checked on another profile or underpowered here (the "
              "record says which); no value is shown for it.", ""]
    lines += _environment(entries)
    lines += [f"Regenerate with `./run_all.sh --profile {profile}`; every number was computed "
              "by that run.", "", "## Runs", "", *summary_rows(entries)]
    for pillar in dict.fromkeys(registry.pillar_of(e["module"]) for e in entries):
        lines += ["", f"## Pillar `{pillar}`", "", registry.preamble(pillar).strip()]
        for e in (e for e in entries if registry.pillar_of(e["module"]) == pillar):
            lines += _experiment_section(e, figures)
    return "\n".join(lines) + "\n"


def write_report(out: Path, profile: str, figures: Path,
                 modules: Sequence[str] = registry.EXPERIMENTS) -> list[dict[str, Any]]:
    entries = collect(out, profile, modules)
    text = build_report(entries, profile, figures)
    results.atomic_write_bytes(figures / "REPORT.md", text.encode())
    return entries


README_START, README_END = "<!-- claims-summary:start -->", "<!-- claims-summary:end -->"


def readme_summary(entries: Sequence[Entry], profile: str) -> list[str]:
    """The README's generated block: the headline, then one line per pillar."""
    lines = [headline(entries, profile), ""]
    for pillar in dict.fromkeys(registry.pillar_of(e["module"]) for e in entries):
        mine = [e for e in entries if registry.pillar_of(e["module"]) == pillar]
        claims = [c for c in _claims(mine) if c["kind"] in VALIDATION_KINDS]
        shown = len(_claims(mine)) - len(claims)
        count = {s: sum(c["status"] == s for c in claims) for s in (PASSED, FAILED, NOT_RUN)}
        failed = [c["id"].split(".", 1)[1] for c in claims if c["status"] == FAILED]
        lines.append(f"- `{pillar}` ({len(mine)} experiments, {_minutes(_wall(mine))}): "
                     f"{count[PASSED]} of {count[PASSED] + count[FAILED]} validation claims "
                     f"pass, {count[NOT_RUN]} not run, {shown} consistency/regression checks"
                     + (f"; failed: {', '.join(f'`{f}`' for f in failed)}" if failed else ""))
    return lines + ["", "Every claim, its kind, expected and measured values: "
                    "[`figures/REPORT.md`](figures/REPORT.md)."]


def update_readme(readme: Path, entries: Sequence[Entry], profile: str = "cpu") -> bool:
    """Replaces the generated block between the README's markers; False when there are none."""
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = "\n".join(readme_summary(entries, profile))
    new = f"{head}{README_START}\n{block}\n{README_END}{tail}"
    results.atomic_write_bytes(readme, new.encode())
    return True
