"""The project's words, spelled once: event kinds, metric names, reserved ids and time units.

Every module that records, reads or names one of these imports it from here, and mypy checks
each use against the ``Literal`` types below, so a misspelt kind or metric fails the type check
instead of silently matching nothing.
"""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

# ------------------------------------------------------------------ time
DAYS_PER_YEAR: Final = 365.0  # the clock runs in days; "per year" figures divide by this


def measured_years(run: Any) -> float:
    """Length of the measured window ``[warmup_days, horizon_days)`` of a run config, in years."""
    return (float(run.horizon_days) - float(run.warmup_days)) / DAYS_PER_YEAR


# ------------------------------------------------------------------ event kinds
EventKind = Literal["arrive", "turned_away", "wait", "renege", "enter", "ready", "exit"]
KINDS: Final[tuple[EventKind, ...]] = get_args(EventKind)

# ------------------------------------------------------------------ reserved ids
ALL: Final = "all"  # the whole system, in KPI tables (place="all")
DEFAULT_ROUTE: Final = "default"  # a group's route used at places without one of their own
EXTERNAL_GROUP: Final = "external"  # people who enter a follow-up place from outside the crisis places
RESERVED_IDS: Final = (ALL, DEFAULT_ROUTE, EXTERNAL_GROUP, "")

# ------------------------------------------------------------------ metric names
Metric = Literal["arrivals", "admissions", "turned_away", "p_turned_away", "p_wait", "mean_wait_admission_days",
                 "left_unsheltered", "mean_occupancy", "p_full", "overflow_days", "mean_stay_days",
                 "blocked_days", "mean_wait_followup_days", "cost_eur"]
METRICS: Final[tuple[Metric, ...]] = get_args(Metric)
CRISIS_METRICS: Final[tuple[Metric, ...]] = METRICS
FOLLOWUP_METRICS: Final[tuple[Metric, ...]] = (
    "arrivals", "admissions", "left_unsheltered", "mean_occupancy", "p_full", "mean_stay_days",
    "mean_wait_followup_days", "cost_eur")
ALL_METRICS: Final[tuple[Metric, ...]] = (
    "arrivals", "admissions", "turned_away", "p_turned_away", "left_unsheltered", "mean_occupancy", "p_full",
    "overflow_days", "mean_stay_days", "blocked_days", "mean_wait_followup_days", "cost_eur")
# Counts, days and costs over the measured window: shown per measured year in tables
PER_YEAR_METRICS: Final[frozenset[Metric]] = frozenset(
    {"arrivals", "admissions", "turned_away", "left_unsheltered", "overflow_days", "blocked_days", "cost_eur"})
