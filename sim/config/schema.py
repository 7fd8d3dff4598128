"""Config schema: plain dataclasses that Hydra's ConfigStore types the YAML with.

Every number a planner can change lives here with its unit in the name; the clock runs
in days. Value checks live in :mod:`sim.validate`, so this module stays a pure schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

DIST_KINDS = ("exponential", "lognormal", "gamma", "fixed", "empirical")
WHEN_FULL = ("turn_away", "wait")


@dataclass
class DistCfg:
    """A duration distribution in days.

    ``kind``: exponential (mean), lognormal and gamma (mean and sd), fixed (mean),
    empirical (``values_days``, drawn with equal weight).
    """

    kind: str = "exponential"
    mean_days: Optional[float] = None
    sd_days: Optional[float] = None
    values_days: List[float] = field(default_factory=list)


@dataclass
class RatePeriodCfg:
    """Arrival rate from ``from_day`` on (piecewise constant)."""

    from_day: float = 0.0
    arrivals_per_year: float = 0.0


@dataclass
class CapacityPeriodCfg:
    """Regular capacity from ``from_day`` on (a capacity schedule)."""

    from_day: float = 0.0
    capacity: int = 0


@dataclass
class GroupCfg:
    """A client group with its own arrival stream and access policy.

    ``routes`` maps a crisis place id (or ``default``) to destination probabilities.
    """

    description: str = ""
    arrivals_per_year: float = 0.0
    rate_schedule: List[RatePeriodCfg] = field(default_factory=list)
    arrivals_csv: Optional[str] = None
    places: List[str] = field(default_factory=list)
    when_full: str = "turn_away"
    patience: Optional[DistCfg] = None
    routes: Dict[str, Any] = field(default_factory=dict)  # {place or "default": {destination: share}}
    reentry_share: float = 0.0
    reentry_delay: Optional[DistCfg] = None


@dataclass
class CrisisPlaceCfg:
    """A crisis place (crisisplek): beds, optional overflow, stay and cost.

    ``accepts``: the groups it takes; left out (null), every group. An empty list is refused.
    """

    provider: str = ""
    description: str = ""
    capacity: int = 0
    capacity_schedule: List[CapacityPeriodCfg] = field(default_factory=list)
    overflow_capacity: int = 0
    accepts: Optional[List[str]] = None  # the groups it takes; None (left out): every group
    stay: DistCfg = field(default_factory=DistCfg)
    max_stay_days: Optional[float] = None
    cost_per_day_eur: float = 0.0


@dataclass
class FollowupCfg:
    """A follow-up destination (vervolgplek).

    ``capacity: null`` means unlimited; ``stay: null`` means the client leaves the
    modelled system on arrival there (e.g. own network, street). A client who waits
    longer than ``max_wait_days`` for a place goes to ``fallback`` instead.
    ``other_arrivals_per_year``: people from outside the modelled crisis places (clinics,
    home) who queue for the same places first come first served, in their own home.
    """

    provider: str = ""
    description: str = ""
    capacity: Optional[int] = None
    stay: Optional[DistCfg] = None
    max_wait_days: Optional[float] = None
    fallback: Optional[str] = None
    unsheltered: bool = False
    cost_per_day_eur: float = 0.0
    other_arrivals_per_year: float = 0.0


@dataclass
class InitialCfg:
    """Clients present at time zero at ``place`` (crisis or follow-up), of ``group``."""

    place: str = ""
    group: str = ""
    count: int = 0


@dataclass
class RunCfg:
    """Run length, replications, seed and workers."""

    horizon_days: float = 3650.0
    warmup_days: float = 365.0
    n_reps: int = 10
    seed: int = 20181017
    n_jobs: int = 1
    start_date: str = "2018-01-01"
    write_events: bool = True
    plots: bool = True
    reference: str = "baseline"  # scenario that multirun comparisons are taken against
    warmup_method: str = "fixed"  # fixed: use warmup_days; mser5: detect it from the occupancy series
    precision_half_width: Optional[float] = None  # add replications until the 95% half-widths reach this
    precision_relative: bool = True  # half-width as a share of the mean (True) or in the metric's unit
    precision_metrics: List[str] = field(default_factory=lambda: ["all.p_turned_away", "all.mean_occupancy"])
    max_reps: int = 200  # cap on replications with a precision target
    max_memory_gb: Optional[float] = None  # refuse larger runs (sim.guard); None: 80% of the memory available


@dataclass
class SimConfig:
    """Everything one experiment needs; composed by Hydra from configs/ and scenarios/."""

    name: str = "unnamed"
    description: str = ""
    region: str = ""
    origin_shares: Dict[str, float] = field(default_factory=dict)
    sex_shares: Dict[str, float] = field(default_factory=dict)
    groups: Dict[str, GroupCfg] = field(default_factory=dict)
    crisis_places: Dict[str, CrisisPlaceCfg] = field(default_factory=dict)
    followup: Dict[str, FollowupCfg] = field(default_factory=dict)
    initial_state: List[InitialCfg] = field(default_factory=list)
    run: RunCfg = field(default_factory=RunCfg)
    # free-form notes (sources, assumptions) that the model never reads
    sources: Dict[str, Any] = field(default_factory=dict)
