"""Value rules of a composed :class:`~sim.config.schema.SimConfig`.

Each failure raises :class:`ConfigError` naming the key, the value and what is allowed,
so the command line can print it as one line and stop before any simulation.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable, Sequence

from sim.config.errors import ConfigError
from sim.config.schema import DIST_KINDS, WHEN_FULL, DistCfg, SimConfig
from sim.engine.vocab import (
    ALL,
    ALL_METRICS,
    CRISIS_METRICS,
    DEFAULT_ROUTE,
    FOLLOWUP_METRICS,
    RESERVED_IDS,
)

PROB_TOL = 1e-9
WARMUP_METHODS = ("fixed", "mser5")
NAME = re.compile(r"\w[\w.+-]*")  # a scenario name becomes a folder name: no '/', no '..', no spaces
# Plausibility bounds, far beyond any real input: a value above one is a wrong unit or a typo
# (a stay in hours or minutes, a rate per decade, a budget typed as a capacity).
MAX_DAYS = 36_500.0  # 100 years: longer than any stay, wait, delay or run
MAX_PER_YEAR = 1_000_000.0  # about 2,700 a day: far above the demand of any Dutch region
MAX_PLACES = 100_000  # more than all shelter places in the Netherlands together
MAX_COST_PER_DAY = 1_000_000.0  # EUR per place-day: a shelter place costs about 100-300 EUR a day
MIN_WINDOW_DAYS = 1.0  # the measured window [warmup_days, horizon_days) must hold at least a day
DAYS_BOUND = f"at most {MAX_DAYS:.0f} days (100 years; no real duration is longer: is the unit days?)"
PER_YEAR_BOUND = f"at most {MAX_PER_YEAR:.0f} a year (far above any real demand: is the unit per year?)"
PLACES_BOUND = f"at most {MAX_PLACES} places or people (more than all shelter places in the Netherlands together)"
COST_BOUND = (f"a number >= 0 and at most {MAX_COST_PER_DAY:.0f} EUR a place-day (far above any real cost:"
              " is the unit EUR per day?)")


def _check(ok: bool, key: str, value: Any, allowed: str) -> None:
    if not ok:
        raise ConfigError(key, value, allowed)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    """A real number: an int or float, not a bool (Python counts True as 1)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_count(key: str, x: Any) -> None:
    """A whole number of places or people from 0 to MAX_PLACES (capacities, counts)."""
    _check(_is_int(x) and x >= 0, key, x, "a whole number >= 0")
    _check(x <= MAX_PLACES, key, x, PLACES_BOUND)


def check_positive(key: str, x: Any) -> None:
    _check(_is_number(x) and math.isfinite(x) and x > 0, key, x, "a number > 0")


def check_nonneg(key: str, x: Any) -> None:
    _check(_is_number(x) and math.isfinite(x) and x >= 0, key, x, "a number >= 0")


def check_days(key: str, x: Any, positive: bool = True) -> None:
    """A duration in days, > 0 (or >= 0) and at most MAX_DAYS."""
    (check_positive if positive else check_nonneg)(key, x)
    _check(x <= MAX_DAYS, key, x, DAYS_BOUND)


def check_cost(key: str, x: Any) -> None:
    """A cost per place-day in EUR, >= 0 and at most MAX_COST_PER_DAY. With the other bounds
    (places, days) a run's total cost stays below about 4e15 EUR: finite, whatever the run."""
    _check(_is_number(x) and math.isfinite(x) and 0 <= x <= MAX_COST_PER_DAY, key, x, COST_BOUND)


def check_bool(key: str, x: Any) -> None:
    _check(isinstance(x, bool), key, x, "true or false")


def check_per_year(key: str, x: Any) -> None:
    """A rate per year, >= 0 and at most MAX_PER_YEAR."""
    check_nonneg(key, x)
    _check(x <= MAX_PER_YEAR, key, x, PER_YEAR_BOUND)


def check_prob(key: str, x: Any) -> None:
    _check(_is_number(x) and 0.0 <= x <= 1.0, key, x, "a probability in [0, 1]")


def check_shares(key: str, shares: dict[str, float]) -> None:
    """Probabilities in [0, 1] that sum to 1."""
    _check(len(shares) > 0, key, dict(shares), "at least one share")
    for k, p in shares.items():
        check_prob(f"{key}.{k}", p)
    total = sum(shares.values())
    _check(abs(total - 1.0) < 1e-6, key, round(total, 9), "shares that sum to 1")


def check_dist(key: str, d: DistCfg) -> None:
    """A duration distribution with the parameters its kind needs."""
    _check(d.kind in DIST_KINDS, f"{key}.kind", d.kind, f"one of {', '.join(DIST_KINDS)}")
    if d.kind == "empirical":
        _check(len(d.values_days) > 0, f"{key}.values_days", list(d.values_days), "a non-empty list")
        for i, v in enumerate(d.values_days):
            check_days(f"{key}.values_days[{i}]", v, positive=False)
        _check(sum(d.values_days) > 0, f"{key}.values_days", list(d.values_days), "not all zero")
        return
    check_days(f"{key}.mean_days", d.mean_days)
    if d.kind in ("lognormal", "gamma"):
        check_days(f"{key}.sd_days", d.sd_days)


def _check_ids(key: str, ids: Iterable[str]) -> None:
    for i in ids:
        _check(i not in RESERVED_IDS, key, i, f"an id other than {RESERVED_IDS}")


def validate(cfg: SimConfig) -> SimConfig:
    """Check every value of ``cfg``; return it unchanged or raise ConfigError."""
    _check(isinstance(cfg.name, str) and NAME.fullmatch(cfg.name) is not None, "name", cfg.name,
           "letters, digits and '_', '-', '.', '+', starting with a letter or digit (it names the output folder)")
    _check_run(cfg)
    _check_ids("crisis_places", cfg.crisis_places)
    _check_ids("followup", cfg.followup)
    clash = set(cfg.crisis_places) & set(cfg.followup)
    _check(not clash, "followup", sorted(clash), "ids not also used by crisis_places")
    check_shares("origin_shares", cfg.origin_shares)
    check_shares("sex_shares", cfg.sex_shares)
    for pid, p in cfg.crisis_places.items():
        _check_crisis_place(cfg, pid)
    for fid in cfg.followup:
        _check_followup(cfg, fid)
    _check(len(cfg.groups) > 0, "groups", {}, "at least one client group")
    _check_ids("groups", cfg.groups)
    for gid in cfg.groups:
        _check_group(cfg, gid)
    _check_initial(cfg)
    _check_precision_metrics(cfg)
    return cfg


def _check_precision_metrics(cfg: SimConfig) -> None:
    if cfg.run.precision_half_width is None:
        return
    known = {ALL: ALL_METRICS, **{p: CRISIS_METRICS for p in cfg.crisis_places},
             **{f: FOLLOWUP_METRICS for f in cfg.followup}}
    for i, name in enumerate(cfg.run.precision_metrics):
        place, _, metric = str(name).partition(".")
        _check(place in known and metric in known[place], f"run.precision_metrics[{i}]", name,
               "'place.metric' with a place id (or 'all') and one of its metrics, e.g. 'dno.p_turned_away'")


def _check_run(cfg: SimConfig) -> None:
    r = cfg.run
    check_days("run.horizon_days", r.horizon_days)
    check_days("run.warmup_days", r.warmup_days, positive=False)
    _check(r.horizon_days - r.warmup_days >= MIN_WINDOW_DAYS, "run.horizon_days", r.horizon_days,
           f"at least {MIN_WINDOW_DAYS:g} day longer than run.warmup_days={r.warmup_days} (the measured window)")
    _check(_is_int(r.n_reps) and r.n_reps >= 1, "run.n_reps", r.n_reps, "a whole number >= 1")
    _check(_is_int(r.n_jobs) and r.n_jobs >= 1, "run.n_jobs", r.n_jobs, "a whole number >= 1")
    _check(_is_int(r.seed) and r.seed >= 0, "run.seed", r.seed, "a whole number >= 0")
    _check(r.warmup_method in WARMUP_METHODS, "run.warmup_method", r.warmup_method,
           f"one of {', '.join(WARMUP_METHODS)}")
    if r.warmup_method == "mser5":  # MSER-5 may cut up to half the run: half must still be a window
        _check(r.horizon_days >= 2 * MIN_WINDOW_DAYS, "run.horizon_days", r.horizon_days,
               f"at least {2 * MIN_WINDOW_DAYS:g} days with run.warmup_method=mser5 (it may cut half the run)")
    for name in ("write_events", "plots", "precision_relative"):
        check_bool(f"run.{name}", getattr(r, name))
    if r.precision_half_width is not None:
        check_positive("run.precision_half_width", r.precision_half_width)
        _check(_is_int(r.max_reps) and r.max_reps >= max(r.n_reps, 2), "run.max_reps", r.max_reps,
               f"a whole number >= run.n_reps={r.n_reps} and >= 2")
        _check(len(r.precision_metrics) > 0, "run.precision_metrics", list(r.precision_metrics),
               "at least one 'place.metric'")
    from datetime import date

    try:
        date.fromisoformat(r.start_date)
    except (TypeError, ValueError):
        raise ConfigError("run.start_date", r.start_date, "an ISO date YYYY-MM-DD") from None


def _check_schedule(cfg: SimConfig, key: str, periods: Sequence[Any], field: str,
                    check_value: Callable[[str, Any], None]) -> None:
    """A schedule: from_day >= 0 in strictly increasing order and before the end of the run (a
    change at or after run.horizon_days would never happen), each with a valid ``field``."""
    last, horizon = -math.inf, cfg.run.horizon_days
    for i, period in enumerate(periods):
        k = f"{key}[{i}]"
        check_days(f"{k}.from_day", period.from_day, positive=False)
        _check(period.from_day > last, f"{k}.from_day", period.from_day, "days in increasing order")
        _check(period.from_day < horizon, f"{k}.from_day", period.from_day,
               f"a day before run.horizon_days={horizon:g}: a change at or after the end never happens"
               " (lengthen the run or leave the change out)")
        check_value(f"{k}.{field}", getattr(period, field))
        last = period.from_day


def _check_crisis_place(cfg: SimConfig, pid: str) -> None:
    p, key = cfg.crisis_places[pid], f"crisis_places.{pid}"
    check_count(f"{key}.capacity", p.capacity)
    check_count(f"{key}.overflow_capacity", p.overflow_capacity)
    _check_schedule(cfg, f"{key}.capacity_schedule", p.capacity_schedule, "capacity", check_count)
    if p.accepts is not None:
        _check(len(p.accepts) > 0, f"{key}.accepts", [], "leave accepts out for every group, or list the groups")
        for g in p.accepts:
            _check(g in cfg.groups, f"{key}.accepts", g, f"a group in {sorted(cfg.groups)}")
    check_dist(f"{key}.stay", p.stay)
    if p.max_stay_days is not None:
        check_days(f"{key}.max_stay_days", p.max_stay_days)
    check_cost(f"{key}.cost_per_day_eur", p.cost_per_day_eur)


def _check_followup(cfg: SimConfig, fid: str) -> None:
    f, key = cfg.followup[fid], f"followup.{fid}"
    if f.capacity is not None:
        check_count(f"{key}.capacity", f.capacity)
    if f.stay is not None:
        check_dist(f"{key}.stay", f.stay)
    _check(f.stay is not None or f.capacity is None, f"{key}.capacity", f.capacity,
           "null (unlimited) when stay is null: a place nobody leaves would fill for good")
    check_cost(f"{key}.cost_per_day_eur", f.cost_per_day_eur)
    check_bool(f"{key}.unsheltered", f.unsheltered)
    check_per_year(f"{key}.other_arrivals_per_year", f.other_arrivals_per_year)
    _check(f.other_arrivals_per_year == 0 or f.stay is not None, f"{key}.other_arrivals_per_year",
           f.other_arrivals_per_year, "0 for a destination without a stay")
    if f.max_wait_days is not None:
        check_days(f"{key}.max_wait_days", f.max_wait_days)
        _check(f.fallback is not None, f"{key}.fallback", f.fallback,
               "a follow-up id when max_wait_days is set")
    if f.fallback is not None:
        ok = f.fallback in cfg.followup and cfg.followup[f.fallback].capacity is None
        _check(ok, f"{key}.fallback", f.fallback,
               f"an unlimited follow-up id in {sorted(k for k, v in cfg.followup.items() if v.capacity is None)}")


def _check_group(cfg: SimConfig, gid: str) -> None:
    g, key = cfg.groups[gid], f"groups.{gid}"
    check_per_year(f"{key}.arrivals_per_year", g.arrivals_per_year)
    _check_schedule(cfg, f"{key}.rate_schedule", g.rate_schedule, "arrivals_per_year", check_per_year)
    _check(len(g.places) > 0, f"{key}.places", list(g.places), "at least one crisis place id")
    for pid in g.places:
        _check(pid in cfg.crisis_places, f"{key}.places", pid, f"a crisis place in {sorted(cfg.crisis_places)}")
        acc = cfg.crisis_places[pid].accepts
        _check(acc is None or gid in acc, f"{key}.places", pid, f"a place whose accepts list includes {gid!r}")
    _check(g.when_full in WHEN_FULL, f"{key}.when_full", g.when_full, f"one of {', '.join(WHEN_FULL)}")
    if g.patience is not None:
        check_dist(f"{key}.patience", g.patience)
    _check_routes(cfg, gid)
    check_prob(f"{key}.reentry_share", g.reentry_share)
    if g.reentry_share > 0:
        _check(g.reentry_delay is not None, f"{key}.reentry_delay", None, "a distribution when reentry_share > 0")
    if g.reentry_delay is not None:
        check_dist(f"{key}.reentry_delay", g.reentry_delay)


def _check_routes(cfg: SimConfig, gid: str) -> None:
    g, key = cfg.groups[gid], f"groups.{gid}.routes"
    for src, shares in g.routes.items():
        _check(src == DEFAULT_ROUTE or src in g.places, key, src, f"'default' or a place in {list(g.places)}")
        _check(isinstance(shares, dict), f"{key}.{src}", shares, "a mapping {destination: share}")
        for dest in shares:
            _check(dest in cfg.followup, f"{key}.{src}", dest, f"a follow-up id in {sorted(cfg.followup)}")
        check_shares(f"{key}.{src}", shares)
    for pid in g.places:
        _check(pid in g.routes or DEFAULT_ROUTE in g.routes, key, sorted(g.routes),
               f"a route for place {pid!r} or a 'default' route")


def _check_initial(cfg: SimConfig) -> None:
    for i, init in enumerate(cfg.initial_state):
        key = f"initial_state[{i}]"
        places = list(cfg.crisis_places) + list(cfg.followup)
        _check(init.place in places, f"{key}.place", init.place, f"a place in {sorted(places)}")
        _check(init.group in cfg.groups, f"{key}.group", init.group, f"a group in {sorted(cfg.groups)}")
        check_count(f"{key}.count", init.count)
        routes = cfg.groups[init.group].routes
        _check(init.place not in cfg.crisis_places or init.place in routes or DEFAULT_ROUTE in routes,
               f"{key}.group", init.group, f"a group with a route from {init.place!r} (or a 'default' route)")
        acc = cfg.crisis_places[init.place].accepts if init.place in cfg.crisis_places else None
        _check(acc is None or init.group in acc, f"{key}.group", init.group,
               f"a group that {init.place!r} accepts: {', '.join(acc or [])}")
    for pid, p in cfg.crisis_places.items():
        n = sum(i.count for i in cfg.initial_state if i.place == pid)
        cap0 = p.capacity_schedule[0].capacity if p.capacity_schedule and p.capacity_schedule[0].from_day == 0 else p.capacity
        _check(n <= cap0 + p.overflow_capacity, f"initial_state[place={pid}].count", n,
               f"at most capacity + overflow_capacity = {cap0 + p.overflow_capacity}")
    for fid, f in cfg.followup.items():
        n = sum(i.count for i in cfg.initial_state if i.place == fid)
        _check(f.capacity is None or n <= f.capacity, f"initial_state[place={fid}].count", n,
               f"at most capacity = {f.capacity}")
        _check(n == 0 or f.stay is not None, f"initial_state[place={fid}].count", n,
               "0 for a destination without a stay")
