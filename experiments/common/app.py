"""absl bootstrap shared by every experiment program.

An experiment module builds an ``Experiment`` and ends with::

    if __name__ == "__main__":
        app_main(EXPERIMENT)

which gives it the plumbing flags (``--profile --out --figures --seed --force --plots_only
--devices``), one flag per config field (``--<field>``, overriding the profile preset), JAX's
own flags (``--jax_enable_x64``..., via ``jax.config.config_with_absl``), range checks with
exit status 2 on bad input, the results store with its cache, and the plots.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import jax
import numpy as np
from absl import app, flags, logging

from experiments.common import checkpoint as checkpoint_lib
from experiments.common import claims as claims_lib
from experiments.common import cli, distributed, plotting, results
from experiments.common.checkpoint import Checkpoint
from experiments.common.config import PROFILES, Check, Config, UsageError, figure_root

FLAGS = flags.FLAGS
Metrics = dict[str, Any]
Arrays = dict[str, np.ndarray]


@dataclasses.dataclass
class RunContext:
    """What ``compute`` gets besides its config: profile, devices and resumable stages.

    ``num_devices`` counts the devices of all processes that a sweep shards its grid over.
    """

    profile: str
    num_devices: int
    run_dir: results.RunDir
    key: str
    checkpoint: Checkpoint | None = None

    def stage(self, name: str, compute: Callable[[], Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """Saves a finished piece of the run, so an interrupted run resumes after it."""
        if self.checkpoint is None:
            self.checkpoint = Checkpoint(self.run_dir, self.key)
        return self.checkpoint.stage(name, compute)


class Interrupted(Exception):
    """SIGINT or SIGTERM during ``compute``; the message says what was kept."""


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One experiment: presets, checks, the computation, its claims and its figures.

    Attributes:
      name: ``<pillar>/<experiment>``; results go to ``<out>/<name>/<profile>/`` and figures to
        ``<figures>/<name>/``.
      description: one line for ``--help``.
      profiles: complete config preset per profile (flat: scalars and flat lists).
      checks: range check per config field (see ``experiments.common.config``).
      compute: ``(config, ctx) -> (metrics, arrays)``; the only part that simulates.
      make_claims: ``(config, metrics, arrays, profile) -> [Claim]``; reads results only.
      plot: ``(config, metrics, arrays, figure_dir) -> None``; reads results only.
      figures: stems of the figures ``plot`` must write (PNG, and PDF outside smoke).
      paper_figures: stems written only where the paper-only parts run (smoke, at toy size, and
        paper); the cpu profile skips them.
      x64: enable float64 before computing.
      data_files: data files ``compute`` reads (paths from the suite root); with the code of
        the compute path (``compute``'s module and what it imports) they make the cache key.
      extra_outputs: other files ``plot`` writes into the figure folder (e.g. tables).
      validate: checks across fields (e.g. equal list lengths); raises ``UsageError``.
    """

    name: str
    description: str
    profiles: Mapping[str, Mapping[str, Any]]
    checks: Mapping[str, Check]
    compute: Callable[[Config, RunContext], tuple[Metrics, Arrays]]
    make_claims: Callable[[Config, Metrics, Arrays, str], list[claims_lib.Claim]]
    plot: Callable[[Config, Metrics, Arrays, Path], None]
    figures: Sequence[str]
    x64: bool = False
    data_files: Sequence[str] = ()
    extra_outputs: Sequence[str] = ()
    validate: Callable[[Config], None] | None = None
    paper_figures: Sequence[str] = ()

    def __post_init__(self) -> None:
        if tuple(self.profiles) != PROFILES:
            raise ValueError(f"{self.name}: profiles must be exactly {PROFILES}")
        fields = [set(p) for p in self.profiles.values()]
        if any(f != fields[0] for f in fields):
            raise ValueError(f"{self.name}: every profile must set the same fields")

    @classmethod
    def of(cls, package: str, description: str, profiles: Mapping[str, Mapping[str, Any]],
           checks: Mapping[str, Check], **options: Any) -> Experiment:
        """The experiment of the package ``experiments.<pillar>.<name>``, from its fixed roles.

        ``compute`` is ``<package>.compute.compute``; ``make_claims`` is
        ``<package>.claims.make_claims``; ``plot``, ``FIGURES`` and, when defined,
        ``PAPER_FIGURES`` and ``EXTRA_OUTPUTS`` come from ``<package>.plots``. ``options`` are
        the remaining fields (``validate``, ``x64``, ``data_files``). Every experiment's
        ``__init__`` ends with one such call, so its pieces are always where the layout says.
        """
        def role(name: str) -> Any:
            return importlib.import_module(f"{package}.{name}")

        plots = role("plots")
        return cls(
            name="/".join(package.split(".")[1:]), description=description, profiles=profiles,
            checks=checks, compute=role("compute").compute, make_claims=role("claims").make_claims,
            plot=plots.plot, figures=plots.FIGURES,
            paper_figures=getattr(plots, "PAPER_FIGURES", ()),
            extra_outputs=getattr(plots, "EXTRA_OUTPUTS", ()), **options)

    def figures_for(self, profile: str) -> tuple[str, ...]:
        """Figure stems a run of ``profile`` writes (paper-only figures are skipped on cpu)."""
        extra = () if profile == "cpu" else tuple(self.paper_figures)
        return tuple(self.figures) + extra


# Smoke runs are almost all XLA compilation of tiny programs: compiling them without LLVM's
# backend optimisations is about 2.5x faster (measured: a toy_models training loop 2.9 s -> 1.2 s)
# and costs nothing at smoke sizes. cpu and paper keep XLA's defaults.
SMOKE_XLA_FLAGS = ("--xla_backend_optimization_level=0",)


def configure_compiler(profile: str) -> None:
    """Adds ``SMOKE_XLA_FLAGS`` to XLA_FLAGS for the smoke profile (before the backend starts).

    Flags the user already set win; env.json records the XLA_FLAGS a run used.
    """
    if profile != "smoke":
        return
    current = os.environ.get("XLA_FLAGS", "")
    missing = [f for f in SMOKE_XLA_FLAGS if f.split("=")[0] not in current]
    if missing:
        os.environ["XLA_FLAGS"] = " ".join([current, *missing]).strip()


def _configure_devices(num_devices: int, start_distributed: Callable[[], None]) -> int:
    """Forces ``num_devices`` host devices on CPU, starts ``jax.distributed`` (both before the
    backend starts), and returns the devices a sweep shards over: ``num_devices`` per process,
    in all processes."""
    if num_devices < 1:
        raise UsageError("devices", num_devices, "allowed: integers >= 1")
    if jax.config.jax_platforms in (None, "", "cpu") and num_devices > 1:
        jax.config.update("jax_num_cpu_devices", num_devices)
    start_distributed()
    if jax.local_device_count() < num_devices:
        raise UsageError("devices", num_devices,
                         f"allowed: at most {jax.local_device_count()} on this machine")
    return num_devices * jax.process_count()


def _saved_results(run_dir: results.RunDir, key: str, *, plots_only: bool, force: bool
                   ) -> tuple[Metrics, Arrays] | None:
    """The finished results to reuse, or None to compute. An unreadable results file is moved
    aside and named; the run then recomputes (with ``--plots_only``: a usage error)."""
    try:
        finished = run_dir.finished_key()
        if plots_only and finished is None:
            raise UsageError("plots_only", True,
                             f"no finished results in {run_dir.root}; run without it first")
        if not plots_only and (force or finished != key):
            return None
        return run_dir.read_finished()
    except results.CorruptFile as error:
        if plots_only:
            raise UsageError("plots_only", True,
                             f"{error}; run without it to recompute") from None
        logging.warning("%s; recomputing", error)
        return None


def capture_env() -> dict[str, Any]:
    """Versions, platform, devices, XLA flags and git commit of this run (``env.json``)."""
    return {
        "versions": results.package_versions(),
        "python": platform.python_version(),
        "platform": jax.default_backend(),
        "device_kind": jax.devices()[0].device_kind,
        "device_count": jax.device_count(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "jax_enable_x64": bool(jax.config.jax_enable_x64),
        "jax_default_matmul_precision": str(jax.config.jax_default_matmul_precision),
        "git_commit": results.git_commit(),
    }


def execute(experiment: Experiment, config: Config, *, profile: str, out: Path,
            figures: Path, num_devices: int, force: bool, plots_only: bool) -> list[dict]:
    """Computes (or loads), writes, claims and plots one run. Returns the claim dicts."""
    if experiment.x64:
        jax.config.update("jax_enable_x64", True)
    run_dir = results.RunDir(out / experiment.name / profile)
    figure_dir = figures / experiment.name
    env = capture_env()
    key = results.cache_key(
        experiment=experiment.name, config=config, profile=profile, devices=num_devices,
        versions=env["versions"], platform=env["platform"],
        x64=experiment.x64,
        sources=results.compute_digest(experiment.compute.__module__, experiment.data_files),
    )
    start = time.perf_counter()
    writer = distributed.is_writer()
    saved = _saved_results(run_dir, key, plots_only=plots_only, force=force)
    if not distributed.all_agree(saved is not None):
        saved = None  # every process computes, or none does
    if saved is not None:
        logging.info("%s: using saved results in %s", experiment.name, run_dir.root)
        metrics, arrays = saved
        # Claims are re-derived from the saved metrics on every run (they are cheap), so a
        # tolerance or statement change takes effect without recomputing.
        claim_dicts = derive_claims(experiment, config, metrics, arrays, profile)
        if writer:
            results.write_json(run_dir.path("claims.json"), claim_dicts)
    else:
        if force and writer:
            run_dir.clear_stages()
        ctx = RunContext(profile=profile, num_devices=num_devices, run_dir=run_dir, key=key,
                         checkpoint=Checkpoint(run_dir, key))
        try:
            with checkpoint_lib.active(ctx.checkpoint):
                metrics, arrays = experiment.compute(config, ctx)
        except KeyboardInterrupt:
            raise Interrupted(ctx.checkpoint.interrupted_message()) from None
        metrics = results.to_jsonable(metrics)
        claim_dicts = derive_claims(experiment, config, metrics, arrays, profile)
        if not writer:  # the numbers are the same everywhere; process 0 writes them
            return claim_dicts
        results.write_arrays(run_dir.path("arrays.npz"), arrays)
        results.write_json(run_dir.path("metrics.json"), metrics)
        results.write_json(run_dir.path("claims.json"), claim_dicts)
        results.write_json(run_dir.path("config.json"), dict(config))
        results.write_json(run_dir.path("env.json"), env)
        results.write_json(run_dir.path("run.json"), {
            "cache_key": key, "experiment": experiment.name, "profile": profile,
            "wall_seconds": round(time.perf_counter() - start, 2),
        })
        run_dir.clear_stages()
    if not writer:
        return claim_dicts
    # Where the claims were derived, and whether the saved numbers still match this checkout's
    # compute path: the report states both.
    results.write_json(run_dir.path("derived.json"), {
        "git_commit": env["git_commit"], "cache_key_matches": run_dir.finished_key() == key})
    plotting.use_style(profile)
    with plotting.recording(claim_dicts) as drawn:
        experiment.plot(config, metrics, arrays, figure_dir)
    expected = experiment.figures_for(profile)
    for stem in expected:  # a skipped figure leaves no stale file of an earlier config behind
        if drawn.get(stem, "").startswith("skipped"):
            for ext in ("png", "pdf"):
                (figure_dir / f"{stem}.{ext}").unlink(missing_ok=True)
    missing = [s for s in expected if s not in drawn]
    missing += [n for n in experiment.extra_outputs if not (figure_dir / n).exists()]
    if missing:
        raise RuntimeError(f"{experiment.name}: plot did not write {missing}")
    return claim_dicts


def derive_claims(experiment: Experiment, config: Config, metrics: Metrics, arrays: Arrays,
                  profile: str) -> list[dict]:
    """The experiment's claims as validated JSON dicts, built from its saved numbers only.

    Claim ids are built as ``<experiment>.<name>`` and qualified here with the pillar
    (``<pillar>.<experiment>.<name>``), so they are unique across the suite.
    """
    prefix = experiment.name.replace("/", ".") + "."
    pillar = experiment.name.split("/")[0]
    claim_list = [dataclasses.replace(c, id=f"{pillar}.{c.id}")
                  for c in experiment.make_claims(config, metrics, arrays, profile)]
    claim_dicts = results.to_jsonable([c.as_dict() for c in claim_list])
    problems = claims_lib.validate(claim_dicts, prefix=prefix)
    if problems:
        raise ValueError(f"{experiment.name}: invalid claims: {problems}")
    return claim_dicts


def summarize(name: str, profile: str, claim_dicts: list[dict]) -> str:
    counts: dict[str, int] = {}
    for claim in claim_dicts:
        counts[claim["status"]] = counts.get(claim["status"], 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    failed = [c["id"] for c in claim_dicts if c["status"] == "failed"]
    line = f"{name} [{profile}]: {len(claim_dicts)} claims: {parts}"
    return line + (f"; failed: {', '.join(failed)}" if failed else "")


_SIGNALS: dict[str, int] = {}


def _raise_interrupt(signum: int, frame: object) -> None:
    _SIGNALS["last"] = signum
    raise KeyboardInterrupt


def app_main(experiment: Experiment) -> None:
    """Entry point of an experiment program (``python -m experiments.<pillar>.<name>``)."""
    cli.define_flags(experiment)
    # --help lists the key flags of the main module (sys.argv[0] to absl): make them ours.
    for name in cli.flag_names(experiment):
        FLAGS.register_key_flag_for_module(sys.argv[0], FLAGS[name])
    if hasattr(jax.config, "config_with_absl"):  # JAX's own flags (--jax_enable_x64, ...) too
        jax.config.config_with_absl()

    def usage_error(error: UsageError | flags.Error) -> NoReturn:
        print(cli.error_line(experiment.name, error), file=sys.stderr)
        sys.exit(2)

    def parse(argv: list[str]) -> list[str]:
        try:
            return cli.parse_flags(argv)
        except flags.Error as error:
            usage_error(error)

    def main(argv: Sequence[str]) -> None:
        if len(argv) > 1:
            print(f"error: unexpected arguments {' '.join(argv[1:])}", file=sys.stderr)
            sys.exit(2)
        if FLAGS["verbosity"].using_default_value:
            logging.set_verbosity(logging.INFO)
        configure_compiler(FLAGS.profile)
        # SIGTERM (a scheduler's preemption notice) stops the run like Ctrl-C: what finished is
        # saved already, and the program says so in one line.
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            config = cli.config_from_flags(experiment)
            out, figures = Path(FLAGS.out), figure_root(FLAGS.profile, FLAGS.figures)
            results.check_writable("out", out)
            if not FLAGS.plots_only or FLAGS.figures is not None:
                results.check_writable("figures", figures)
            num_devices = _configure_devices(FLAGS.devices, lambda: distributed.initialize(
                FLAGS.coordinator_address, FLAGS.num_processes, FLAGS.process_id,
                FLAGS.distributed))
            claim_dicts = execute(
                experiment, config, profile=FLAGS.profile, out=out, figures=figures,
                num_devices=num_devices, force=FLAGS.force, plots_only=FLAGS.plots_only,
            )
        except UsageError as error:
            usage_error(error)
        except Interrupted as stop:
            print(f"{experiment.name}: {stop}", file=sys.stderr)
            sys.exit(128 + _SIGNALS.get("last", signal.SIGINT))
        except KeyboardInterrupt:  # outside compute: finished results are already saved
            print(f"{experiment.name}: interrupted; rerun the same command to resume",
                  file=sys.stderr)
            sys.exit(128 + _SIGNALS.get("last", signal.SIGINT))
        if distributed.is_writer():
            print(summarize(experiment.name, FLAGS.profile, claim_dicts))

    app.run(main, flags_parser=parse)
