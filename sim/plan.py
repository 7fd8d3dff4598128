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

import argparse
import logging
import math
import re
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

import pandas as pd

from sim.schema import SimConfig
from sim.validate import ConfigError, validate

log = logging.getLogger("sim.plan")
# Metrics that fall (or stay) as the place's capacity grows, so "metric <= bound" has a smallest capacity.
CRISIS_TARGETS = ("p_turned_away", "turned_away", "p_full", "p_wait", "mean_wait_admission_days", "overflow_days")
FOLLOWUP_TARGETS = ("mean_wait_followup_days", "p_full")
TARGET = re.compile(r"^\s*([a-z_]+)\s*<=\s*([^\s<=>]+)\s*$")
PLAN_COLUMNS = ["scenario", "place", "metric", "bound", "capacity", "mean", "ci_low", "ci_high", "n_reps",
                "meets_mean", "meets_upper", "meets_lower", "answer"]


class PlanError(ConfigError):
    """A target, place or capacity range the planner cannot use."""


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
    """``cfg`` with ``place`` at ``capacity`` (a new config; ``cfg`` is not changed), checked."""
    if place in cfg.crisis_places:
        places = dict(cfg.crisis_places)
        places[place] = replace(places[place], capacity=capacity)
        return validate(replace(cfg, crisis_places=places))
    follow = dict(cfg.followup)
    follow[place] = replace(follow[place], capacity=capacity)
    return validate(replace(cfg, followup=follow))


def check_plan(cfg: SimConfig, place: str, metric: str, low: int, high: int) -> None:
    """Refuse, before simulating, a plan whose answer would mean nothing."""
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
    with_capacity(cfg, place, low)  # e.g. an initial state larger than `low` fails here, not mid-search
    with_capacity(cfg, place, high)


def evaluate(cfg: SimConfig, place: str, metric: str, capacity: int,
             executor: Optional[Executor] = None) -> Evaluation:
    """Run every replication of ``cfg`` with ``place`` at ``capacity``; the metric's mean and 95% interval."""
    from sim.experiment import run_experiment

    res = run_experiment(with_capacity(cfg, place, capacity), executor)
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


def plan_capacity(cfg: SimConfig, place: str, metric: str, bound: float, low: int = 1, high: int = 200,
                  executor: Optional[Executor] = None) -> PlanResult:
    """Smallest capacity of ``place`` in [low, high] at which ``metric`` at that place is <= ``bound``.

    Bisection on the mean, then on the lower and the upper 95% bound, sharing one cache of
    evaluations: at most 2 + 3 ceil(log2(high - low)) capacities run, each with all of
    ``cfg.run.n_reps`` replications at ``cfg.run.seed`` (common random numbers).
    """
    check_plan(cfg, place, metric, low, high)
    cache: dict[int, Evaluation] = {}
    order: list[Evaluation] = []

    def at(c: int) -> Evaluation:
        if c not in cache:
            cache[c] = evaluate(cfg, place, metric, c, executor)
            order.append(cache[c])
        return cache[c]

    def first(stat: Callable[[Evaluation], float], lo: int, hi: int) -> Optional[int]:
        return smallest(lambda c: _meets(stat(at(c)), bound), *_bracket(cache, stat, bound, lo, hi))

    c_mean = first(lambda e: e.mean, low, high)
    # ci_low <= mean <= ci_high at every capacity, so c_lo <= c_mean <= c_hi
    c_lo = first(lambda e: e.ci_low, low, c_mean if c_mean is not None else high)
    c_hi = None if c_mean is None else first(lambda e: e.ci_high, c_mean, high)
    return PlanResult(cfg.name, place, metric, bound, low, high, c_mean, c_lo, c_hi, order)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sim.plan", allow_abbrev=False,
                                description="Smallest capacity of a place that meets a target, by bisection on"
                                            " the simulation with common random numbers.",
                                epilog="Other arguments are Hydra overrides: scenarios=baseline run=quick"
                                       " run.n_reps=20 ... Exit 0: answered; 1: not met up to --high; 2: bad input.")
    p.add_argument("--place", required=True, help="crisis place (e.g. dno) or follow-up place whose capacity varies")
    p.add_argument("--target", required=True, help='"metric<=bound", e.g. "p_turned_away<=0.05"')
    p.add_argument("--low", type=int, default=1, help="smallest capacity to try (default 1)")
    p.add_argument("--high", type=int, default=200, help="largest capacity to try (default 200)")
    p.add_argument("--out", type=Path, help="CSV file, or a folder for plan_<scenario>_<place>_<metric>.csv"
                                            " (default: that file in the current folder)")
    return p


def _split(rest: list[str]) -> tuple[str, list[str]]:
    """(scenario, other overrides) from the arguments argparse left over."""
    if unknown := [a for a in rest if a.startswith("-")]:
        raise PlanError(unknown[0], unknown[0], "--place, --target, --low, --high, --out or a Hydra override key=value")
    scenarios = [a.split("=", 1)[1] for a in rest if a.startswith("scenarios=")]
    return (scenarios[-1] if scenarios else "baseline"), [a for a in rest if not a.startswith("scenarios=")]


def _shown(res: PlanResult) -> str:
    t = res.table()
    col = f"{res.metric} mean [95% CI]"
    t[col] = [f"{m:.4g} [{a:.4g}, {b:.4g}]" for m, a, b in zip(t["mean"], t["ci_low"], t["ci_high"])]
    return t[["capacity", col, "n_reps", "answer"]].to_string(index=False)


def main(argv: Optional[list[str]] = None) -> int:
    """The command line; exit 0 with an answer, 1 if the target is not met up to ``--high``, 2 on bad input."""
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import nullcontext

    from sim.config import load_config
    from sim.errors import one_line
    from sim.io import write_csv

    args, rest = _parser().parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:  # any composition or value error: one line, exit 2, nothing written
        scenario, overrides = _split(rest)
        metric, bound = parse_target(args.target)
        cfg = load_config(scenario, overrides)
        check_plan(cfg, args.place, metric, args.low, args.high)
    except Exception as exc:
        print(f"sim.plan: invalid input: {one_line(exc)}", file=sys.stderr)
        return 2
    pool = ProcessPoolExecutor(cfg.run.n_jobs) if cfg.run.n_jobs > 1 else nullcontext()  # one pool for all capacities
    try:
        with pool as executor:
            res = plan_capacity(cfg, args.place, metric, bound, args.low, args.high, executor)
    except ConfigError as exc:  # e.g. the memory guard
        print(f"sim.plan: invalid input: {one_line(exc)}", file=sys.stderr)
        return 2
    out = args.out or Path(".")
    if out.suffix != ".csv":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"plan_{cfg.name}_{args.place}_{metric}.csv"
    write_csv(res.table(), out)
    print(f"\n{cfg.name}: {args.place} capacity {args.low}..{args.high}, {cfg.run.n_reps} replications per capacity"
          f" (seed {cfg.run.seed}, common random numbers)\n{_shown(res)}\n\n{res.verdict()}\n-> {out}")
    return 0 if res.c_mean is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
