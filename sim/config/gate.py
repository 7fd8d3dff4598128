"""The one gate: a config is checked here, once, into a :class:`CheckedConfig` that every
later step trusts (value rules, arrival traces read from their CSVs, the memory estimate
and, for the capacity planner, its arguments).

Everything that runs a config goes through :func:`ensure_checked`: a ``CheckedConfig`` whose
config has not been changed since it was checked passes at once; a plain ``SimConfig``, or a
checked one edited afterwards, is checked again. So a config changed after
:func:`~sim.config.compose.load_config` can never run unchecked.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional, Union

from sim.config.errors import ConfigError
from sim.config.resources import Estimate, check_memory, memory_limit
from sim.config.rules import validate
from sim.config.schema import SimConfig
from sim.config.traces import Stamps, load_traces, resolve_traces, trace_stamps

Traces = Mapping[str, tuple[float, ...]]


def fingerprint(cfg: SimConfig) -> str:
    """A digest of every value of ``cfg`` (dataclass reprs are complete and ordered)."""
    return hashlib.sha256(repr(cfg).encode()).hexdigest()


@dataclass(frozen=True)
class CheckedConfig:
    """A config that passed the gate, with what the gate read: the arrival traces and the
    memory estimate. ``cfg`` holds every ``arrivals_csv`` as the absolute path that was read;
    ``fingerprint`` is the config's digest and ``stamps`` the trace files' size and
    modification time at the time of the check."""

    cfg: SimConfig
    traces: Traces = field(default_factory=dict)
    estimate: Optional[Estimate] = None
    fingerprint: str = ""
    stamps: Stamps = ()

    def is_current(self) -> bool:
        """True if neither the config nor a trace file it reads has changed since the check
        (so an edited CSV is read again, never run from what was read before)."""
        return self.fingerprint == fingerprint(self.cfg) and self.stamps == trace_stamps(self.cfg)


AnyConfig = Union[SimConfig, CheckedConfig]


def _trace_inputs(cfg: SimConfig) -> tuple[object, ...]:
    return (cfg.run.start_date, tuple(sorted((g, c.arrivals_csv) for g, c in cfg.groups.items() if c.arrivals_csv)))


def check(cfg: SimConfig, limit: Optional[tuple[float, str]] = None,
          reuse: Optional[CheckedConfig] = None, cwd: Optional[Path] = None) -> CheckedConfig:
    """Check ``cfg`` (raise :class:`ConfigError` with one line) and return it checked.

    A relative ``arrivals_csv`` is resolved here, once: from the working folder ``cwd``
    (default: the current one) if the file is there, else from the project root; the checked
    config holds the absolute path (``cfg`` itself is not changed).
    ``reuse``: a config checked before whose traces may be kept if ``cfg`` names the same
    trace files and start date (the planner's and the sweep's variants of one config).
    """
    if not isinstance(cfg, SimConfig):
        raise ConfigError("config", type(cfg).__name__, "a SimConfig from sim.load_config (or a CheckedConfig)")
    validate(cfg)
    cfg = resolve_traces(cfg, cwd)
    stamps = trace_stamps(cfg)  # before reading: a file changed while being read counts as changed
    if reuse is not None and _trace_inputs(reuse.cfg) == _trace_inputs(cfg) and reuse.stamps == stamps:
        traces: Traces = reuse.traces
    else:
        traces = load_traces(cfg)
    est = check_memory(cfg, traces, limit if limit is not None else memory_limit(cfg))
    return CheckedConfig(cfg, traces, est, fingerprint(cfg), stamps)


def ensure_checked(cfg: AnyConfig) -> CheckedConfig:
    """``cfg`` as a CheckedConfig: as it is if still current, else checked (again)."""
    if isinstance(cfg, CheckedConfig):
        return cfg if cfg.is_current() else check(cfg.cfg, reuse=None)
    return check(cfg)


def derive(checked: CheckedConfig, cfg: SimConfig) -> CheckedConfig:
    """``cfg``, a variant of ``checked.cfg`` made while running it (e.g. with the detected
    warm-up), through the gate's value rules; the traces and the memory estimate (which do not
    depend on the warm-up) are kept if it reads the same, unchanged trace files, else it is
    checked in full. Nothing runs under a CheckedConfig that the gate did not check."""
    if _trace_inputs(cfg) != _trace_inputs(checked.cfg) or not checked.is_current():
        return check(cfg)
    validate(cfg)
    return replace(checked, cfg=cfg, fingerprint=fingerprint(cfg))


def config_of(cfg: AnyConfig) -> SimConfig:
    """The SimConfig inside ``cfg`` (for reading values; running goes through ensure_checked)."""
    return cfg.cfg if isinstance(cfg, CheckedConfig) else cfg


# ------------------------------------------------------------------ the planner's arguments
# Metrics that fall (or stay) as the place's capacity grows, so "metric <= bound" has a smallest capacity.
CRISIS_TARGETS = ("p_turned_away", "turned_away", "p_full", "p_wait", "mean_wait_admission_days", "overflow_days")
FOLLOWUP_TARGETS = ("mean_wait_followup_days", "p_full")
TARGET = re.compile(r"^\s*([a-z_]+)\s*<=\s*([^\s<=>]+)\s*$")


class PlanError(ConfigError):
    """A target, place or capacity range the planner cannot use."""


def parse_target(text: str) -> tuple[str, float]:
    """``"p_turned_away<=0.05"`` -> ("p_turned_away", 0.05)."""
    m = TARGET.match(text)
    bound = _number(m.group(2)) if m else None
    if m is None or bound is None:
        raise PlanError("--target", text, "metric<=number, e.g. p_turned_away<=0.05 or mean_wait_followup_days<=14")
    return m.group(1), bound


def _number(text: str) -> Optional[float]:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) and x >= 0 else None


def targets_for(cfg: SimConfig, place: str) -> tuple[str, ...]:
    """Metrics the planner can target at ``place`` (crisis or follow-up place of ``cfg``)."""
    if place in cfg.crisis_places:
        return CRISIS_TARGETS
    if place in cfg.followup:
        return FOLLOWUP_TARGETS
    places = [*cfg.crisis_places, *(f for f, fc in cfg.followup.items() if fc.stay is not None)]
    raise PlanError("--place", place, f"a crisis or follow-up place of {cfg.name}: {', '.join(places)}")


def with_capacity(cfg: SimConfig, place: str, capacity: int) -> SimConfig:
    """``cfg`` with ``place`` at ``capacity`` (a new config; ``cfg`` is not changed), value-checked."""
    if place in cfg.crisis_places:
        places = dict(cfg.crisis_places)
        places[place] = replace(places[place], capacity=capacity)
        return validate(replace(cfg, crisis_places=places))
    follow = dict(cfg.followup)
    follow[place] = replace(follow[place], capacity=capacity)
    return validate(replace(cfg, followup=follow))


def check_plan(checked: CheckedConfig, place: str, metric: str, low: int, high: int) -> None:
    """Refuse, before simulating, a plan whose answer would mean nothing."""
    cfg = checked.cfg
    allowed = targets_for(cfg, place)
    if metric not in allowed:
        raise PlanError("--target", metric, f"a metric that falls as {place}'s capacity grows: {', '.join(allowed)}")
    if place in cfg.crisis_places and cfg.crisis_places[place].capacity_schedule:
        raise PlanError(f"crisis_places.{place}.capacity_schedule", "[...]",
                        "empty: the planner sets one capacity for the whole run")
    if place in cfg.followup and cfg.followup[place].stay is None:
        raise PlanError("--place", place, "a follow-up place with a stay (a place nobody stays in has no capacity)")
    if not 0 <= low <= high:
        raise PlanError("--low/--high", f"{low}/{high}", "0 <= low <= high")
    if cfg.run.warmup_method != "fixed" or cfg.run.precision_half_width is not None:
        raise PlanError("run", "warmup_method/precision_half_width",
                        "run.warmup_method=fixed and no run.precision_half_width: every capacity must run the"
                        " same replications over the same window")
    for c in (low, high):  # e.g. an initial state larger than `low` fails here, not mid-search
        check(with_capacity(cfg, place, c), reuse=checked)
