"""Mutable state of crisis places and follow-up places during one replication."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

import simpy

from sim.engine.distributions import Sampler, make_residual_sampler, make_sampler
from sim.engine.schedules import capacity_steps

if TYPE_CHECKING:
    from sim.config.schema import CrisisPlaceCfg, FollowupCfg


@dataclass
class CrisisPlace:
    """A crisis place: ``n`` present (blocked clients included), regular capacity plus overflow."""

    id: str
    capacity: int
    overflow: int
    steps: list[tuple[float, int]]
    sampler: Sampler
    residual: Callable[[float, float], float]
    max_stay_days: Optional[float]
    n: int = 0

    @classmethod
    def from_cfg(cls, pid: str, p: CrisisPlaceCfg) -> "CrisisPlace":
        steps = capacity_steps(p)
        return cls(pid, steps[0][1], p.overflow_capacity, steps, make_sampler(p.stay), make_residual_sampler(p.stay),
                   p.max_stay_days)

    def has_room(self) -> bool:
        """True while a regular or an overflow place is free."""
        return self.n < self.capacity + self.overflow

    def stay_days(self, u: float) -> float:
        """Length of the crisis stay for uniform ``u``, cut at the maximum stay."""
        d = self.sampler(u)
        return d if self.max_stay_days is None else min(d, self.max_stay_days)

    def remaining_days(self, u1: float, u2: float) -> float:
        """Remaining stay of someone present at day 0 (steady-state residual), cut at the maximum."""
        d = self.residual(u1, u2)
        return d if self.max_stay_days is None else min(d, self.max_stay_days)


@dataclass
class Followup:
    """A follow-up destination with a first-come-first-served queue of blocked clients."""

    id: str
    capacity: Optional[int]
    stay: Optional[Sampler]
    remaining: Optional[Callable[[float, float], float]]
    max_wait_days: Optional[float]
    fallback: Optional[str]
    n: int = 0
    queue: deque[tuple[object, simpy.Event]] = field(default_factory=deque)

    @classmethod
    def from_cfg(cls, fid: str, f: FollowupCfg) -> "Followup":
        if f.stay is None:
            return cls(fid, f.capacity, None, None, f.max_wait_days, f.fallback)
        return cls(fid, f.capacity, make_sampler(f.stay), make_residual_sampler(f.stay), f.max_wait_days, f.fallback)

    def has_free_place(self) -> bool:
        """True if a place is free now."""
        return self.capacity is None or self.n < self.capacity

    def has_room(self) -> bool:
        """True if a newcomer may take a place now: one is free and nobody queues for it (FCFS)."""
        return self.has_free_place() and not self.queue
