"""Schedules as step functions of time: capacities and arrival rates, each ``[(from_day, value), ...]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine.vocab import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.config.schema import CrisisPlaceCfg, GroupCfg


def capacity_steps(p: CrisisPlaceCfg) -> list[tuple[float, int]]:
    """[(from_day, regular capacity), ...] starting at day 0."""
    steps = [(0.0, p.capacity)]
    for period in p.capacity_schedule:
        if period.from_day == 0:
            steps[0] = (0.0, period.capacity)
        else:
            steps.append((float(period.from_day), period.capacity))
    return steps


def rate_steps(g: GroupCfg) -> list[tuple[float, float]]:
    """[(from_day, arrivals_per_day), ...] starting at day 0."""
    steps = [(0.0, g.arrivals_per_year / DAYS_PER_YEAR)]
    for p in g.rate_schedule:
        step = (float(p.from_day), p.arrivals_per_year / DAYS_PER_YEAR)
        if p.from_day == 0:
            steps[0] = step
        else:
            steps.append(step)
    return steps
