"""An experiment program's command line: its flags, and the config they resolve to.

``app_main`` defines the flags (``define_flags``), parses the command line (``parse_flags``) and
resolves the run's config (``config_from_flags``); bad input becomes the one line ``error_line``
formats, printed before exiting with status 2. The functions take the ``FlagValues`` to use
(absl's global ``FLAGS`` by default), so the tests run every experiment's own flag checks
in-process, through the code the program runs, without starting a Python process per case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from absl import flags

from experiments.common.config import PROFILES, Check, Config, UsageError, resolve

FLAGS = flags.FLAGS
PLUMBING_FLAGS = ("profile", "out", "figures", "seed", "force", "plots_only", "devices",
                  "coordinator_address", "num_processes", "process_id", "distributed")


class Configurable(Protocol):
    """What the command line needs of an ``app.Experiment``."""

    @property
    def name(self) -> str: ...

    @property
    def profiles(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def checks(self) -> Mapping[str, Check]: ...

    @property
    def validate(self) -> Callable[[Config], None] | None: ...


def define_flags(experiment: Configurable, flag_values: flags.FlagValues = FLAGS) -> None:
    """The plumbing flags, and one flag per config field overriding the profile's preset."""
    def define(kind: Callable[..., Any], name: str, default: Any, help_text: str) -> None:
        kind(name, default, help_text, flag_values=flag_values)

    define(flags.DEFINE_string, "profile", "cpu", f"Preset: one of {', '.join(PROFILES)}.")
    define(flags.DEFINE_string, "out", "results",
           "Results root; this run writes <out>/<name>/<profile>.")
    define(flags.DEFINE_string, "figures", None,
           "Figures root (default: figures/ on cpu, results/figures/<profile>/ else).")
    define(flags.DEFINE_integer, "seed", 0,
           "Base random seed (Monte Carlo streams derive from it).")
    define(flags.DEFINE_bool, "force", False,
           "Recompute even when cached results match the config.")
    define(flags.DEFINE_bool, "plots_only", False,
           "Redraw figures from saved results; compute nothing.")
    # The runner's spelling works here too.
    flags.DEFINE_alias("plots-only", "plots_only", flag_values=flag_values)
    define(flags.DEFINE_integer, "devices", 1,
           "Devices per process to shard sweeps over (CPU: forced host device count).")
    define(flags.DEFINE_string, "coordinator_address", None,
           "jax.distributed: host:port of process 0.")
    define(flags.DEFINE_integer, "num_processes", None, "jax.distributed: number of processes.")
    define(flags.DEFINE_integer, "process_id", None, "jax.distributed: this process's index.")
    define(flags.DEFINE_bool, "distributed", False,
           "Start jax.distributed from the cluster environment (SLURM, Open MPI, TPU pods) "
           "when the three flags above are not given.")
    for field, value in experiment.profiles["cpu"].items():
        help_text = f"Override the profile's {field} (cpu preset: {value})."
        if isinstance(value, bool):
            define(flags.DEFINE_bool, field, None, help_text)
        elif isinstance(value, int):
            define(flags.DEFINE_integer, field, None, help_text)
        elif isinstance(value, float):
            define(flags.DEFINE_float, field, None, help_text)
        elif isinstance(value, str):
            define(flags.DEFINE_string, field, None, help_text)
        elif isinstance(value, list | tuple):
            define(flags.DEFINE_list, field, None, help_text + " Comma-separated.")
        else:
            raise TypeError(f"{experiment.name}: config field {field} must be flat")


def flag_names(experiment: Configurable) -> list[str]:
    """The flags ``define_flags`` defines, plumbing first, in definition order."""
    return [*PLUMBING_FLAGS, *experiment.profiles["cpu"]]


def parse_flags(argv: Sequence[str], flag_values: flags.FlagValues = FLAGS) -> list[str]:
    """Parses ``argv`` (program name first) into ``flag_values``; returns the arguments left.
    Raises ``flags.Error`` on an unknown flag or a value of the wrong type."""
    return flag_values(list(argv))


def config_from_flags(experiment: Configurable,
                      flag_values: flags.FlagValues = FLAGS) -> Config:
    """The run's config from parsed flags: the profile's preset, the flags given, every field's
    check, the experiment's cross-field ``validate`` and the seed. Raises ``UsageError``."""
    config = resolve(experiment.profiles, flag_values.profile,
                     _overrides(experiment, flag_values), experiment.checks)
    if experiment.validate is not None:
        experiment.validate(config)
    if flag_values.seed < 0:
        raise UsageError("seed", flag_values.seed, "allowed: integers >= 0")
    config["seed"] = flag_values.seed
    return config


def error_line(experiment_name: str, error: UsageError | flags.Error) -> str:
    """The one line a program prints for bad input before exiting with status 2."""
    if isinstance(error, flags.Error):  # absl names the flag and the value itself
        return f"error: {error}"
    return f"error: {experiment_name}: {error}"


def _parse_list(field: str, raw: list[str], like: Sequence[Any]) -> list[Any]:
    kind = type(like[0]) if len(like) else float
    try:
        return [kind(item) for item in raw]
    except ValueError:
        noun = "integers" if kind is int else "numbers" if kind is float else "values"
        raise UsageError(field, raw, f"allowed: comma-separated {noun}") from None


def _overrides(experiment: Configurable, flag_values: flags.FlagValues) -> dict[str, Any]:
    overrides = {}
    for field, value in experiment.profiles["cpu"].items():
        given = flag_values[field].value
        if given is not None and isinstance(value, list | tuple):
            given = _parse_list(field, given, value)
        overrides[field] = given
    return overrides
