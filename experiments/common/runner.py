"""Driver behind ``run_all.sh``: runs every registered experiment of a profile, then the report.

Each experiment runs in its own process, so a crash in one is reported and the others still run,
and ``--devices`` can force a host-device count before JAX starts. Finished experiments are
cached by their results store, so rerunning after an interruption resumes where it stopped.
Exit status: 0 when every experiment finished (failed claims included), 1 when one crashed,
2 on a bad option.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from experiments import registry
from experiments.common import report
from experiments.common.config import PROFILES, figure_root
from experiments.common.results import SUITE_ROOT, format_seconds


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, like the experiments
        print(f"error: run_all: {message}", file=sys.stderr)
        sys.exit(2)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="run_all.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu", choices=PROFILES)
    parser.add_argument("--only", default="", help="NAME[,NAME]: pillars or experiments to run "
                        "(e.g. majority_tree, sgd_noise.phase_diagram, or a bare experiment "
                        "name that only one pillar has)")
    parser.add_argument("--plots-only", "--plots_only", dest="plots_only", action="store_true",
                        help="redraw figures and re-derive claims from saved results")
    parser.add_argument("--force", action="store_true", help="recompute despite cached results")
    parser.add_argument("--devices", type=int, default=1, help="devices to shard sweeps over")
    parser.add_argument("--jobs", type=int, default=None,
                        help="experiments run at once (default: 1; smoke: one per CPU core, "
                        "since smoke runs are dominated by single-threaded compiling and "
                        "plotting); with more than one, each program's output goes to "
                        "<out>/logs/")
    parser.add_argument("--coordinator_address", "--coordinator-address", default=None,
                        help="jax.distributed: host:port of process 0 (with --num_processes "
                        "and --process_id; every process runs run_all.sh with the same options)")
    parser.add_argument("--num_processes", "--num-processes", type=int, default=None)
    parser.add_argument("--process_id", "--process-id", type=int, default=None)
    parser.add_argument("--distributed", action="store_true", help="start jax.distributed "
                        "from the cluster's environment (SLURM, Open MPI, TPU pods)")
    parser.add_argument("--out", default="results", help="results root")
    parser.add_argument("--figures", default=None, help="figures root (default: figures/ for "
                        "cpu, results/figures/<profile>/ otherwise)")
    args = parser.parse_args(argv)
    if args.devices < 1:
        parser.error(f"argument --devices: {args.devices} is not allowed; allowed: integers >= 1")
    multi = args.distributed or args.coordinator_address is not None
    if args.jobs is None:
        args.jobs = (os.cpu_count() or 1) if args.profile == "smoke" and not multi else 1
    if multi and args.jobs != 1:
        parser.error(f"argument --jobs: {args.jobs} is not allowed with jax.distributed; "
                     "allowed: 1 (each experiment uses every process)")
    if args.jobs < 1:
        parser.error(f"argument --jobs: {args.jobs} is not allowed; allowed: integers >= 1")
    return args


def select(only: str) -> list[str]:
    """Modules named by ``--only``: pillars, ``pillar.experiment`` (or ``pillar/experiment``),
    or a bare experiment name when exactly one pillar has it."""
    if not only:
        return list(registry.EXPERIMENTS)
    wanted = [w.strip().replace("/", ".") for w in only.split(",") if w.strip()]
    chosen: set[str] = set()
    for word in wanted:
        matches = [m for m in registry.EXPERIMENTS
                   if word in (m, registry.pillar_of(m), m.split(".")[1])]
        if not matches:
            _usage(f"--only={only}: unknown {word}; allowed: a pillar "
                   f"({', '.join(dict.fromkeys(map(registry.pillar_of, registry.EXPERIMENTS)))})"
                   " or pillar.experiment")
        if "." not in word and word not in map(registry.pillar_of, registry.EXPERIMENTS) \
                and len(matches) > 1:
            _usage(f"--only={only}: {word} names {len(matches)} experiments "
                   f"({', '.join(matches)}); allowed: one of those pillar.experiment names")
        chosen.update(matches)
    return [m for m in registry.EXPERIMENTS if m in chosen]


def _usage(message: str) -> None:
    print(f"error: run_all: {message}", file=sys.stderr)
    sys.exit(2)


_RUNNING: set[subprocess.Popen] = set()


def _wait(child: subprocess.Popen) -> int:
    _RUNNING.add(child)
    try:
        return child.wait()
    finally:
        _RUNNING.discard(child)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    modules = select(args.only)
    figures = figure_root(args.profile, args.figures)
    start = time.perf_counter()
    wall: dict[str, float] = {}
    crashed: list[str] = []
    logs = Path(args.out) / "logs"

    def stamp() -> str:
        return f"[run_all {format_seconds(time.perf_counter() - start)}]"

    def run_one(index: int, module: str) -> None:
        command = [sys.executable, "-m", f"experiments.{module}", f"--profile={args.profile}",
                   f"--out={args.out}", f"--figures={figures}", f"--devices={args.devices}"]
        command += ["--force"] * args.force + ["--plots_only"] * args.plots_only
        command += ["--distributed"] * args.distributed + [
            f"--{name}={value}" for name in ("coordinator_address", "num_processes", "process_id")
            if (value := getattr(args, name)) is not None]
        print(f"{stamp()} ({index}/{len(modules)}) {module} started", flush=True)
        t0 = time.perf_counter()
        if args.jobs == 1:  # stream the program's own progress lines
            code = _wait(subprocess.Popen(command, cwd=SUITE_ROOT))
        else:
            logs.mkdir(parents=True, exist_ok=True)
            log = logs / f"{module}.{args.profile}.log"
            with open(log, "w") as handle:
                code = _wait(subprocess.Popen(command, cwd=SUITE_ROOT, stdout=handle,
                                              stderr=subprocess.STDOUT))
            if code != 0:
                print(log.read_text()[-4000:], file=sys.stderr)
        wall[module] = round(time.perf_counter() - t0, 1)
        if code != 0:
            crashed.append(f"{module} (exit {code})")
        outcome = ("finished" if code == 0 else f"stopped by signal {-code}" if code < 0
                   else f"CRASHED with exit {code}")
        print(f"{stamp()} ({index}/{len(modules)}) {module} {outcome} in {wall[module]} s",
              flush=True)

    # An interrupted run_all stops its experiments too; what they finished is already saved
    # atomically, and a rerun resumes from it.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(run_one, range(1, len(modules) + 1), modules))
    except KeyboardInterrupt:
        for child in list(_RUNNING):
            child.terminate()
        print(f"{stamp()} interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    if (args.process_id or 0) > 0:  # process 0 writes the report, as it writes the results
        return 1 if crashed else 0
    # The report shows each run's saved compute time (run.json), not the time of this pass,
    # which is seconds when the results were cached.
    entries = report.write_report(Path(args.out), args.profile, figures,
                                  modules=registry.EXPERIMENTS)
    if args.profile == "cpu" and args.figures is None and not args.only:
        report.update_readme(SUITE_ROOT / "README.md", entries)
    ran = [e for e in entries if e["module"] in modules]
    print("\n" + "\n".join(report.summary_rows(ran)))
    print(f"\n{report.headline(ran, args.profile)}".replace("**", ""))
    print(f"this pass: {format_seconds(time.perf_counter() - start)}; "
          f"report: {figures / 'REPORT.md'}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
