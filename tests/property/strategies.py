"""Hypothesis strategies: random *valid* SimConfig objects that switch every mechanism on or off.

Numbers are drawn on a grid of tenths (days, shares) so that shrunk examples read well;
shares are integer weights divided by their sum, which ``validate`` accepts (|sum - 1| < 1e-6).
Every config is passed through :func:`sim.config.rules.validate` before it is handed out, so a
strategy that drifts from the schema fails loudly instead of testing nothing.
"""

from __future__ import annotations

from hypothesis import strategies as st

from sim.config.schema import DIST_KINDS, CapacityPeriodCfg, CrisisPlaceCfg, DistCfg, FollowupCfg, GroupCfg, InitialCfg, RatePeriodCfg, RunCfg, SimConfig
from sim.config.rules import validate

GROUP_IDS = ("g0", "g1", "g2")
CRISIS_IDS = ("c0", "c1", "c2")
FOLLOWUP_IDS = ("f0", "f1", "f2")
COSTS = (0.0, 55.0, 123.45)


def tenths(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Numbers lo, lo + 0.1, ..., hi (shrinks towards lo)."""
    return st.integers(round(lo * 10), round(hi * 10)).map(lambda i: i / 10)


def shares(draw: st.DrawFn, names: list[str]) -> dict[str, float]:
    """Shares over a non-empty subset of ``names`` from integer weights (the first one > 0)."""
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    weights = [draw(st.integers(1, 5))] + [draw(st.integers(0, 5)) for _ in chosen[1:]]
    return {n: w / sum(weights) for n, w in zip(chosen, weights)}


@st.composite
def dists(draw: st.DrawFn, lo: float = 0.1, hi: float = 60.0) -> DistCfg:
    """A duration distribution of any kind; mean in [lo, hi] days, sd 0.1 to 3 times the mean."""
    kind = draw(st.sampled_from(DIST_KINDS))
    if kind == "empirical":  # the first value is > 0, so the list is never all zero
        values = [draw(tenths(lo, hi))] + draw(st.lists(tenths(0.0, hi), max_size=4))
        return DistCfg(kind=kind, values_days=values)
    mean = draw(tenths(lo, hi))
    sd = round(mean * draw(tenths(0.1, 3.0)), 6) if kind in ("lognormal", "gamma") else None
    return DistCfg(kind=kind, mean_days=mean, sd_days=sd)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def crisis_places(draw: st.DrawFn, groups: list[str], horizon: float) -> CrisisPlaceCfg:
    """A crisis place: capacity 0-6, overflow 0-3, an optional 1-2 step schedule and max stay."""
    steps = draw(st.lists(st.integers(0, int(horizon * 2) - 1), max_size=2, unique=True).map(sorted))
    accepts = draw(st.lists(st.sampled_from(groups), max_size=len(groups), unique=True)) or None  # None: all
    return CrisisPlaceCfg(
        capacity=draw(st.integers(0, 6)), overflow_capacity=draw(st.integers(0, 3)),
        capacity_schedule=[CapacityPeriodCfg(from_day=s / 2, capacity=draw(st.integers(0, 6))) for s in steps],
        accepts=accepts, stay=draw(dists()), max_stay_days=draw(optional(tenths(0.5, 60.0))),
        cost_per_day_eur=draw(st.sampled_from(COSTS)))


@st.composite
def followups(draw: st.DrawFn, ids: list[str]) -> dict[str, FollowupCfg]:
    """Follow-up places; a limited one may send long waiters to an unlimited fallback."""
    out = {}
    for fid in ids:
        stay = draw(optional(dists(hi=80.0)))
        out[fid] = FollowupCfg(
            stay=stay, capacity=None if stay is None else draw(optional(st.integers(0, 4))),
            unsheltered=draw(st.booleans()), cost_per_day_eur=draw(st.sampled_from(COSTS)),
            other_arrivals_per_year=0.0 if stay is None else draw(st.sampled_from([0.0, 0.0, 20.0, 150.0])))
    unlimited = [f for f, fc in out.items() if fc.capacity is None]
    for fc in out.values():
        if len(unlimited) > 0 and draw(st.booleans()):
            fc.max_wait_days = draw(tenths(0.5, 30.0))
            fc.fallback = draw(st.sampled_from(unlimited))
    return out


@st.composite
def groups(draw: st.DrawFn, allowed: list[str], followup: list[str], horizon: float) -> GroupCfg:
    """A client group: ordered places it accepts, a full policy, routes, re-entry."""
    places = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=len(allowed), unique=True))
    with_own = [p for p in places if draw(st.booleans())]
    routes = {p: shares(draw, followup) for p in with_own}
    if len(with_own) < len(places) or draw(st.booleans()):
        routes["default"] = shares(draw, followup)
    reentry = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0]))
    schedule = draw(st.lists(st.tuples(tenths(0.0, horizon - 0.1), st.integers(0, 1500)), max_size=1))
    return GroupCfg(
        arrivals_per_year=float(draw(st.sampled_from([0, 40, 365, 1000]) | st.integers(1, 1500))),
        rate_schedule=[RatePeriodCfg(from_day=t, arrivals_per_year=float(r)) for t, r in schedule],
        places=places, when_full=draw(st.sampled_from(["turn_away", "wait"])),
        patience=draw(optional(dists(hi=20.0))), routes=routes, reentry_share=reentry,
        reentry_delay=draw(dists(lo=1.0, hi=60.0)) if reentry > 0 else draw(optional(dists())))


def initial_entries(draw: st.DrawFn, place: str, limit: int, group_ids: list[str]) -> list[InitialCfg]:
    """0-2 entries at ``place`` whose counts add up to at most ``limit``."""
    out: list[InitialCfg] = []
    for _ in range(draw(st.integers(0, 2))):
        n = draw(st.integers(0, limit - sum(i.count for i in out)))
        out.append(InitialCfg(place=place, group=draw(st.sampled_from(group_ids)), count=n))
    return out


def initial_state(draw: st.DrawFn, cfg: SimConfig) -> list[InitialCfg]:
    """Clients present at day 0, within capacity (+ overflow) of each place."""
    out: list[InitialCfg] = []
    gids = list(cfg.groups)
    for pid, p in cfg.crisis_places.items():
        cap0 = p.capacity_schedule[0].capacity if p.capacity_schedule and p.capacity_schedule[0].from_day == 0 \
            else p.capacity
        # validate() requires initial clients at a crisis place to come from a group with a route from it
        # (else they would have nowhere to go); test_invariants.py keeps the refused case as a regression test.
        routed = [g for g in gids if (pid in cfg.groups[g].routes or "default" in cfg.groups[g].routes)
                  and (p.accepts is None or g in p.accepts)]  # and only a group the place accepts
        if routed:
            out += initial_entries(draw, pid, cap0 + p.overflow_capacity, routed)
    for fid, f in cfg.followup.items():
        if f.stay is not None:
            out += initial_entries(draw, fid, 4 if f.capacity is None else f.capacity, gids)
    return out


def allowed_places(crisis: dict[str, CrisisPlaceCfg], gid: str) -> list[str]:
    return [pid for pid, p in crisis.items() if p.accepts is None or gid in p.accepts]


@st.composite
def sim_configs(draw: st.DrawFn) -> SimConfig:
    """A random valid SimConfig: 1-3 groups, 1-3 crisis places, 1-3 follow-up places."""
    horizon = float(draw(st.integers(20, 200)))
    gids = list(GROUP_IDS[:draw(st.integers(1, 3))])
    crisis = {pid: draw(crisis_places(gids, horizon)) for pid in CRISIS_IDS[:draw(st.integers(1, 3))]}
    for gid in gids:  # every group needs a place that accepts it
        if not allowed_places(crisis, gid):
            place = crisis[draw(st.sampled_from(sorted(crisis)))]
            place.accepts = [*(place.accepts or []), gid]
    followup = draw(followups(list(FOLLOWUP_IDS[:draw(st.integers(1, 3))])))
    cfg = SimConfig(
        name="property", origin_shares=shares(draw, ["nl", "eu", "other"]), sex_shares=shares(draw, ["m", "f"]),
        groups={gid: draw(groups(allowed_places(crisis, gid), list(followup), horizon)) for gid in gids},
        crisis_places=crisis, followup=followup,
        run=RunCfg(horizon_days=horizon, warmup_days=draw(st.integers(0, int(horizon * 2) - 2)) / 2, n_reps=1,
                   seed=draw(st.integers(0, 2**32 - 1)), plots=False, write_events=False))
    cfg.initial_state = initial_state(draw, cfg)
    return validate(cfg)  # raises ConfigError if this strategy ever drifts from the schema
