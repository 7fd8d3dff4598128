"""Resource guard: estimate a run's events and memory from its config and refuse a run that
would not fit, before anything is simulated.

All replications' events are held in memory at once (:func:`sim.run.experiment.run_experiment`
concatenates them), so memory grows with ``n_reps`` times the events of one replication.
The constants below were measured on this project's own pipeline (Python 3.11, pandas 3.1,
numpy 2.4, ``python -m sim scenarios=baseline`` with 2 to 20 replications of 2 to 50 years).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from sim.config.errors import ConfigError
from sim.config.schema import DistCfg, GroupCfg, SimConfig
from sim.engine.schedules import rate_steps
from sim.engine.vocab import DAYS_PER_YEAR

# Events per visit, an upper-ish bound of what the model writes (sim.model):
# a crisis visit logs arrive, [wait], enter, ready, exit and, at a follow-up place with a stay,
# enter and exit: at most 7; measured 4.5-5.2 per visit on baseline, dno20 and current_2022
# (2, 11 and 100 years). A visit that is turned away logs 2.
EVENTS_PER_VISIT = 6.0
# An outside client of a follow-up place: arrive, [wait], enter, exit (measured 2.3-3.5).
EVENTS_PER_EXTERNAL = 4.0
# Present at day 0: in a crisis place enter, ready, exit, enter, exit; in a follow-up place enter, exit.
EVENTS_PER_INITIAL_CRISIS = 5.0
EVENTS_PER_INITIAL_FOLLOWUP = 2.0
# Peak resident memory per event of the whole pipeline (EventLog lists -> DataFrame per replication,
# concat, KPIs, CSV writing, report): measured 270-300 B serially and about 390 B in the parent
# process with run.n_jobs=2 (its peak held pickled copies too); the sweep's side-by-side report
# re-reads every job's events at about 180 B each. 500 B leaves a margin of about 1.7.
BYTES_PER_EVENT = 500.0
BASE_BYTES = 300e6  # interpreter, numpy, pandas, simpy, Hydra and matplotlib: measured 210-235 MB
WORKER_BYTES = 150e6  # each extra worker process of run.n_jobs imports the model again
MEMORY_SHARE = 0.8  # default limit: this share of the memory available now
GB = 1e9


@dataclass(frozen=True)
class Estimate:
    """Expected size of a run: ``events`` over all replications, peak ``bytes``, ``clients``
    (visits) in one replication, and the number of replications ``reps`` held at once."""

    events: float
    bytes: float
    clients: float
    reps: int


class ResourceError(ConfigError):
    """A run too large for the memory limit; ``str()`` is the whole one-line message."""

    def __init__(self, message: str, estimate: Estimate) -> None:
        super().__init__("run", estimate, message)
        self.estimate = estimate
        self.args = (f"run: {message}",)

    def __str__(self) -> str:
        return str(self.args[0])


def _mean_days(d: DistCfg) -> float:
    """Mean of a duration distribution in days (empirical: the mean of its values)."""
    if d.kind == "empirical":
        return sum(d.values_days) / len(d.values_days) if d.values_days else 0.0
    return float(d.mean_days or 0.0)


def first_visits(g: GroupCfg, horizon: float, trace: Optional[tuple[float, ...]] = None) -> float:
    """Expected first visits of group ``g`` in ``[0, horizon)`` days: the (piecewise-constant)
    rate integrated over the horizon, or the trace's dates before the horizon."""
    if trace is not None:
        return float(sum(1 for t in trace if t < horizon))
    steps = rate_steps(g)  # [(from_day, arrivals_per_day)], exactly as the model reads them
    total = 0.0
    for i, (start, per_day) in enumerate(steps):
        end = min(steps[i + 1][0] if i + 1 < len(steps) else horizon, horizon)
        total += max(end - start, 0.0) * per_day
    return total


def reentry_factor(g: GroupCfg, horizon: float) -> float:
    """Visits per first visit: 1/(1 - reentry_share) (geometric), but no more than one return
    per mean re-entry delay within the horizon (which bounds reentry_share = 1)."""
    if g.reentry_delay is None or g.reentry_share <= 0:
        return 1.0
    geometric = 1.0 / (1.0 - g.reentry_share) if g.reentry_share < 1 else math.inf
    delay = _mean_days(g.reentry_delay)
    return min(geometric, 1.0 + horizon / delay) if delay > 0 else geometric


def estimate(cfg: SimConfig, traces: Mapping[str, tuple[float, ...]]) -> Estimate:
    """Expected visits, events and peak memory of running ``cfg`` (all replications); ``traces``
    are the arrival days of the groups that read them from a CSV (as the gate read them)."""
    h = float(cfg.run.horizon_days)
    crisis = sum(first_visits(g, h, traces.get(gid)) * reentry_factor(g, h) for gid, g in cfg.groups.items())
    external = sum(f.other_arrivals_per_year * h / DAYS_PER_YEAR for f in cfg.followup.values())
    initial_crisis = sum(i.count for i in cfg.initial_state if i.place in cfg.crisis_places)
    initial_followup = sum(i.count for i in cfg.initial_state if i.place not in cfg.crisis_places)
    per_rep = (crisis * EVENTS_PER_VISIT + external * EVENTS_PER_EXTERNAL
               + initial_crisis * EVENTS_PER_INITIAL_CRISIS + initial_followup * EVENTS_PER_INITIAL_FOLLOWUP)
    reps = cfg.run.n_reps if cfg.run.precision_half_width is None else max(cfg.run.n_reps, cfg.run.max_reps)
    workers = min(cfg.run.n_jobs, reps) if cfg.run.n_jobs > 1 else 0  # each holds one replication at a time
    peak = BASE_BYTES + BYTES_PER_EVENT * per_rep * (reps + workers) + WORKER_BYTES * workers
    clients = crisis + external + initial_crisis + initial_followup
    return Estimate(events=per_rep * reps, bytes=peak, clients=clients, reps=reps)


def _read_int(path: Path) -> Optional[int]:
    try:
        text = path.read_text().strip()
        return int(text) if text.isdigit() else None  # cgroup v2 writes "max" for no limit
    except (OSError, ValueError):
        return None


def available_bytes() -> Optional[float]:
    """Memory available to this process now: MemAvailable (or free pages), lowered to the room
    left under a container's cgroup limit; None if the system does not say."""
    avail: Optional[float] = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = float(line.split()[1]) * 1024  # the kernel reports kB
    except (OSError, ValueError, IndexError):
        pass
    if avail is None:
        try:
            avail = float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            pass
    cg = Path("/sys/fs/cgroup")
    for limit_file, usage_file in ((cg / "memory.max", cg / "memory.current"),  # cgroup v2, then v1
                                   (cg / "memory/memory.limit_in_bytes", cg / "memory/memory.usage_in_bytes")):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:  # v1 writes ~2**63 for no limit
            room = float(max(limit - usage, 0))
            avail = room if avail is None else min(avail, room)
            break
    return avail


def memory_limit(cfg: SimConfig) -> tuple[float, str]:
    """(limit in bytes, where it comes from): ``run.max_memory_gb``, else 80% of the available memory."""
    gb = cfg.run.max_memory_gb
    if gb is not None:
        if isinstance(gb, bool) or not isinstance(gb, (int, float)) or not math.isfinite(gb) or gb <= 0:
            raise ConfigError("run.max_memory_gb", gb, "a number of GB > 0, or null for 80% of the available memory")
        return float(gb) * GB, "run.max_memory_gb"
    avail = available_bytes()
    if avail is None:
        return math.inf, "memory unknown"
    return MEMORY_SHARE * avail, f"{MEMORY_SHARE:.0%} of the {avail / GB:.1f} GB available; run.max_memory_gb"


def _about(x: float) -> str:
    """A large count to 3 significant digits with thousands separators, e.g. 123,000,000."""
    if not math.isfinite(x):
        return "infinitely many"
    return f"{float(f'{x:.3g}'):,.0f}"


def check_memory(cfg: SimConfig, traces: Mapping[str, tuple[float, ...]], limit: tuple[float, str]) -> Estimate:
    """Refuse (raise :class:`ResourceError`, a ConfigError on key ``run``) a run whose estimated
    peak memory exceeds ``limit`` (see :func:`memory_limit`); return the estimate."""
    est = estimate(cfg, traces)
    limit_bytes, source = limit
    if est.bytes <= limit_bytes:
        return est
    reps = f"{est.reps} replications" + (" (run.max_reps)" if est.reps != cfg.run.n_reps else "")
    need = max(math.ceil(est.bytes / GB * 10) / 10, 0.1)  # GB rounded up
    raise ResourceError(
        f"about {_about(est.events)} events in {reps} need about {est.bytes / GB:,.1f} GB; the limit is "
        f"{limit_bytes / GB:,.1f} GB ({source}). Lower run.n_reps or run.horizon_days, or set "
        f"run.max_memory_gb={need:g} to override", est)


def check_sweep(estimates: list[Estimate], limit: tuple[float, str]) -> None:
    """Refuse a multirun whose side-by-side report (it loads every job's events at once) would not fit."""
    events = sum(e.events for e in estimates)
    need = BASE_BYTES + BYTES_PER_EVENT * events
    if len(estimates) > 1 and need > limit[0]:
        total = Estimate(events, need, sum(e.clients for e in estimates), sum(e.reps for e in estimates))
        raise ResourceError(
            f"the {len(estimates)} jobs hold about {_about(events)} events together, and the side-by-side report "
            f"loads them at once: about {need / GB:,.1f} GB; the limit is {limit[0] / GB:,.1f} GB ({limit[1]}). "
            f"Lower run.n_reps or run.horizon_days, run fewer jobs, or set run.max_memory_gb="
            f"{math.ceil(need / GB * 10) / 10:g} to override", total)
