"""Experiment configs: profile presets, flag overrides and range checks.

A config is a flat mapping of field name to a scalar or a flat list of scalars. Each profile
(``smoke``, ``cpu``, ``paper``) is a complete preset; any single field can be overridden by the
flag of the same name. Range checks run on the resolved config and raise ``UsageError``, which
the app turns into exit status 2 and one line naming the flag, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

PROFILES = ("smoke", "cpu", "paper")

# A check returns None when the value is allowed, else a phrase saying what is allowed.
Check = Callable[[Any], str | None]


class UsageError(Exception):
    """A bad flag or value: reported as one line, exit status 2, no traceback."""

    def __init__(self, flag: str, value: Any, allowed: str):
        self.flag, self.value, self.allowed = flag, value, allowed
        super().__init__(f"--{flag}={format_value(value)}: {allowed}")


class Config(dict):
    """A resolved config: a dict whose fields read as attributes (``config.trials``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error

    def replace(self, **changes: Any) -> Config:
        unknown = set(changes) - set(self)
        if unknown:
            raise KeyError(f"unknown config fields: {sorted(unknown)}")
        return Config({**self, **changes})


def format_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(format_value(v) for v in value)
    return str(value)


def resolve(
    profiles: Mapping[str, Mapping[str, Any]],
    profile: str,
    overrides: Mapping[str, Any],
    checks: Mapping[str, Check],
) -> Config:
    """Profile preset + overrides, range-checked. Raises UsageError on any bad value."""
    if profile not in profiles:
        raise UsageError("profile", profile, f"unknown profile; allowed: {', '.join(profiles)}")
    config = Config(profiles[profile])
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in config:
            raise UsageError(name, value, "not a field of this experiment's config")
        config[name] = value
    for name, check in checks.items():
        problem = check(config[name])
        if problem is not None:
            raise UsageError(name, config[name], problem)
    return config


# --- reusable checks -----------------------------------------------------------------------


def _scalar_check(test: Callable[[Any], bool], allowed: str) -> Check:
    return lambda value: None if test(value) else allowed


def odd_int_in(lo: int, hi: int) -> Check:
    return _scalar_check(
        lambda v: isinstance(v, int) and v % 2 == 1 and lo <= v <= hi,
        f"allowed: odd integers in [{lo}, {hi}]",
    )


def int_at_least(lo: int) -> Check:
    check = _scalar_check(lambda v: isinstance(v, int) and v >= lo, f"allowed: integers >= {lo}")
    check.minimum = lo  # read by ``minimal_overrides``
    return check


def float_in(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Check:
    left, right = "(" if lo_open else "[", ")" if hi_open else "]"

    def test(v: Any) -> bool:
        v = float(v)
        above = v > lo if lo_open else v >= lo
        below = v < hi if hi_open else v <= hi
        return above and below

    return _scalar_check(test, f"allowed: numbers in {left}{lo}, {hi}{right}")


def probability() -> Check:
    return float_in(0.0, 1.0)


def positive() -> Check:
    return _scalar_check(lambda v: float(v) > 0, "allowed: numbers > 0")


def non_negative() -> Check:
    return _scalar_check(lambda v: float(v) >= 0, "allowed: numbers >= 0")


def one_of(*choices: str) -> Check:
    return _scalar_check(lambda v: v in choices, f"allowed: {', '.join(choices)}")


def each(check: Check, *, min_len: int = 1) -> Check:
    """Applies ``check`` to every element of a list field."""

    def check_list(values: Sequence[Any]) -> str | None:
        if len(values) < min_len:
            return f"allowed: lists of at least {min_len} value(s)"
        for value in values:
            problem = check(value)
            if problem is not None:
                return f"element {format_value(value)} is not allowed; {problem}"
        return None

    check_list.min_len = min_len  # read by ``minimal_overrides``
    return check_list


def minimal_overrides(preset: Mapping[str, Any], checks: Mapping[str, Check],
                      validate: Callable[[Config], None] | None = None) -> dict[str, Any]:
    """The smallest configuration near ``preset`` that the checks accept: one seed, one value per
    list (or the fewest a list's check allows), as overrides of ``preset``.

    Used by the tests to run every experiment at the edges of what its flags allow (one width,
    one temperature, one seed), where plots that assume the presets' shapes break. Overrides
    that ``validate`` rejects in combination (e.g. lists that must have equal lengths) are
    dropped one at a time, the field it names first.
    """
    overrides: dict[str, Any] = {}
    for name, value in preset.items():
        check = checks.get(name)
        if isinstance(value, list) and hasattr(check, "min_len"):
            shortest = value[:max(check.min_len, 1)]
            if shortest != value:
                overrides[name] = shortest
        elif name.endswith("seeds") and hasattr(check, "minimum"):
            fewest = max(check.minimum, 1)
            if value != fewest:
                overrides[name] = fewest
    while overrides:
        try:
            config = resolve({"preset": preset}, "preset", overrides, checks)
            if validate is not None:
                validate(config)
            return overrides
        except UsageError as error:
            overrides.pop(error.flag if error.flag in overrides else next(iter(overrides)))
    return overrides


def figure_root(profile: str, given: str | None) -> Path:
    """Where figures go: ``given``, else ``figures/`` on cpu and ``results/figures/<profile>/``."""
    if given:
        return Path(given)
    return Path("figures") if profile == "cpu" else Path("results") / "figures" / profile
