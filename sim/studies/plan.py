"""Capacity planner: the smallest capacity of one place that meets a target such as
``p_turned_away <= 0.05``, found by bisection on the simulation.

Every capacity runs the same seed and replications (common random numbers: the same
clients arrive with the same stays), so the metric falls with capacity for the paired
clients and bisection is sound. Three answers are reported, from the mean and the 95%
t-interval over replications at each capacity evaluated:

- ``c_mean``: the smallest capacity whose mean meets the target (the point answer);
- ``c_hi``: the smallest capacity whose upper 95% bound meets it (surely enough);
- ``c_lo``: the smallest capacity whose lower 95% bound meets it (possibly enough).

So ``c_lo <= c_mean <= c_hi``; below ``c_lo`` the target is missed beyond reasonable doubt.

``python -m sim.plan scenarios=baseline --place dno --target "p_turned_away<=0.05" [--low 1]
[--high 200] [--out plan.csv] [overrides]`` prints the table and writes it to a CSV.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable, Optional

import pandas as pd

from sim.config.gate import (
    AnyConfig,
    CheckedConfig,
    check,
    check_plan,
    ensure_checked,
    with_capacity,
)

log = logging.getLogger("sim.studies.plan")
PLAN_COLUMNS = ["scenario", "place", "metric", "bound", "capacity", "mean", "ci_low", "ci_high", "n_reps",
                "meets_mean", "meets_upper", "meets_lower", "answer"]


@dataclass(frozen=True)
class Evaluation:
    """The metric at one capacity: mean and 95% t-interval over ``n_reps`` replications."""

    capacity: int
    mean: float
    ci_low: float
    ci_high: float
    n_reps: int


@dataclass
class PlanResult:
    """Answers of :func:`plan_capacity` (None: not met at any capacity up to ``high``) and every
    evaluation, in the order they ran."""

    scenario: str
    place: str
    metric: str
    bound: float
    low: int
    high: int
    c_mean: Optional[int]
    c_lo: Optional[int]
    c_hi: Optional[int]
    evaluations: list[Evaluation] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per capacity evaluated (ascending), columns ``PLAN_COLUMNS``."""
        labels = {"c_lo": self.c_lo, "c_mean": self.c_mean, "c_hi": self.c_hi}
        rows = []
        for e in sorted(self.evaluations, key=lambda e: e.capacity):
            answer = ";".join(k for k, c in labels.items() if c == e.capacity)
            rows.append((self.scenario, self.place, self.metric, self.bound, e.capacity, e.mean, e.ci_low,
                         e.ci_high, e.n_reps, _meets(e.mean, self.bound), _meets(e.ci_high, self.bound),
                         _meets(e.ci_low, self.bound), answer))
        return pd.DataFrame(rows, columns=PLAN_COLUMNS)

    def verdict(self) -> str:
        """The answer in words, a few lines."""
        target = f"{self.place} {self.metric} <= {self.bound:g}"
        if self.c_mean is None:
            lo = "" if self.c_lo is None else f" (only its lower 95% bound meets it, from {self.c_lo})"
            return (f"{target}: NOT MET at any capacity from {self.low} to {self.high}{lo};"
                    f" raise --high or change the scenario")
        upper = f"{self.c_hi}" if self.c_hi is not None else f"not reached up to {self.high}"
        at_low = " (= --low: perhaps less)" if self.c_lo == self.low else ""
        return (f"{target}: smallest capacity whose mean meets the target: {self.c_mean}\n"
                f"  range [{self.c_lo}, {upper}]: from {self.c_lo}{at_low} possibly enough (lower 95% bound"
                f" meets it), from {upper} surely enough (upper 95% bound meets it)")


def _meets(value: float, bound: float) -> bool:
    """``value <= bound``; an undefined value (NaN: e.g. nobody arrived) does not meet it."""
    return not math.isnan(value) and value <= bound












def evaluate(checked: CheckedConfig, place: str, metric: str, capacity: int,
             executor: Optional[Executor] = None) -> Evaluation:
    """Run every replication of ``cfg`` with ``place`` at ``capacity``; the metric's mean and 95% interval."""
    from sim.run.experiment import run_experiment

    res = run_experiment(check(with_capacity(checked.cfg, place, capacity), reuse=checked), executor)
    s = res.summary
    row = s[(s["place"] == place) & (s["metric"] == metric)]
    if row.empty:  # no replication defined the metric
        return Evaluation(capacity, math.nan, math.nan, math.nan, 0)
    r = row.iloc[0]
    ev = Evaluation(capacity, float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), int(r["n_reps"]))
    log.info("%s capacity %d: %s = %.4g [%.4g, %.4g] (%.1f s)", place, capacity, metric, ev.mean, ev.ci_low,
             ev.ci_high, res.wall_seconds)
    return ev


def smallest(meets: Callable[[int], bool], low: int, high: int) -> Optional[int]:
    """Smallest ``c`` in [low, high] with ``meets(c)``, for ``meets`` false then true as ``c`` grows
    (bisection: at most 2 + ceil(log2(high - low)) calls); None if ``meets(high)`` is false."""
    if meets(low):
        return low
    if not meets(high):
        return None
    lo, hi = low, high  # invariant: meets(lo) false, meets(hi) true
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    return hi


def _bracket(cache: dict[int, Evaluation], stat: Callable[[Evaluation], float], bound: float, low: int,
             high: int) -> tuple[int, int]:
    """[low, high] narrowed by capacities already evaluated: the largest that misses the target and
    the smallest that meets it (kept only if they are in that order, as they are when monotone)."""
    known = {c: _meets(stat(e), bound) for c, e in cache.items() if low <= c <= high}
    lo = max((c for c, ok in known.items() if not ok), default=low)
    hi = min((c for c, ok in known.items() if ok), default=high)
    return (lo, hi) if lo <= hi else (low, high)


def plan_capacity(cfg: AnyConfig, place: str, metric: str, bound: float, low: int = 1, high: int = 200,
                  executor: Optional[Executor] = None) -> PlanResult:
    """Smallest capacity of ``place`` in [low, high] at which ``metric`` at that place is <= ``bound``.

    Bisection on the mean, then on the lower and the upper 95% bound, sharing one cache of
    evaluations: at most 2 + 3 ceil(log2(high - low)) capacities run, each with all of
    ``cfg.run.n_reps`` replications at ``cfg.run.seed`` (common random numbers).
    """
    checked = ensure_checked(cfg)
    check_plan(checked, place, metric, low, high)
    cache: dict[int, Evaluation] = {}
    order: list[Evaluation] = []

    def at(c: int) -> Evaluation:
        if c not in cache:
            cache[c] = evaluate(checked, place, metric, c, executor)
            order.append(cache[c])
        return cache[c]

    def first(stat: Callable[[Evaluation], float], lo: int, hi: int) -> Optional[int]:
        return smallest(lambda c: _meets(stat(at(c)), bound), *_bracket(cache, stat, bound, lo, hi))

    c_mean = first(lambda e: e.mean, low, high)
    # ci_low <= mean <= ci_high at every capacity, so c_lo <= c_mean <= c_hi
    c_lo = first(lambda e: e.ci_low, low, c_mean if c_mean is not None else high)
    c_hi = None if c_mean is None else first(lambda e: e.ci_high, c_mean, high)
    return PlanResult(checked.cfg.name, place, metric, bound, low, high, c_mean, c_lo, c_hi, order)
