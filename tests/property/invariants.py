"""Invariants of one replication's event record, written without sim.metrics or sim.places.

Each ``check_*`` raises AssertionError with a message that names the invariant and the
offending rows, so a shrunk hypothesis example says what broke, not only that something did.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from sim.config.schema import CrisisPlaceCfg, SimConfig

KINDS = ["arrive", "turned_away", "wait", "renege", "enter", "ready", "exit"]
EXTERNAL = "external"
TOL = 1e-9


def capacity_at(p: CrisisPlaceCfg, t: float) -> int:
    """Regular capacity in force at day ``t`` (a schedule step applies from its own day on)."""
    cap = p.capacity
    for step in p.capacity_schedule:
        if step.from_day <= t:
            cap = step.capacity
    return cap


def _fail(what: str, rows: pd.DataFrame | pd.Series) -> str:
    return f"{what}:\n{rows.head(10).to_string()}"


def _counts(ev: pd.DataFrame) -> pd.DataFrame:
    """Number of events of each kind per (client_id, visit)."""
    n = ev.groupby(["client_id", "visit", "kind"]).size().unstack(fill_value=0)
    return n.reindex(columns=KINDS, fill_value=0)


def check_every_visit_accounted_for(ev: pd.DataFrame, cfg: SimConfig) -> None:
    """Invariant 1: each arrival ends exactly once (enter / turned_away / renege) or is still waiting."""
    crisis = list(cfg.crisis_places)
    flow = ev[(ev.group != EXTERNAL) & ev.place.isin(crisis)]
    n = _counts(flow)
    assert (n <= 1).all().all(), _fail("a visit has a crisis event kind twice", n[(n > 1).any(axis=1)])
    arrived, initial = n[n.arrive == 1], n[n.arrive == 0]
    ends = arrived.enter + arrived.turned_away + arrived.renege
    ok = (ends == 1) | ((ends == 0) & (arrived.wait == 1))
    assert ok.all(), _fail("an arrival without exactly one ending that is not still waiting", arrived[~ok])
    bad = arrived[(arrived.turned_away == 1) & ((arrived.wait == 1) | (arrived.enter == 1))]
    assert bad.empty, _fail("turned away although it waited or entered", bad)
    assert (arrived.renege <= arrived.wait).all(), _fail("renege without wait", arrived[arrived.renege > arrived.wait])
    assert ((initial.index.get_level_values("visit") == 0) & (initial.enter == 1)
            & (initial[["turned_away", "wait", "renege"]].sum(axis=1) == 0)).all(), \
        _fail("a crisis visit without arrival that is not an initial client", initial)
    assert (n.ready <= n.enter).all() and (n.exit <= n.ready).all(), _fail("ready/exit without enter", n)
    want = sum(i.count for i in cfg.initial_state if i.place in cfg.crisis_places)
    assert len(initial) == want, f"{len(initial)} initial crisis clients, configured {want}"
    _check_policies(flow, cfg)
    _check_followup_moves(ev, cfg)


def _check_policies(flow: pd.DataFrame, cfg: SimConfig) -> None:
    """Access events sit at the first choice; enters at an accepted place; each policy only where set."""
    first = flow.group.map({g: gc.places[0] for g, gc in cfg.groups.items()})
    access = flow.kind.isin(["arrive", "turned_away", "wait", "renege"])
    assert (flow.place[access] == first[access]).all(), _fail("access event not at first choice", flow[access])
    enters = flow[(flow.kind == "enter") & (flow.visit > 0)]
    ok = [p in cfg.groups[g].places for g, p in zip(enters.group, enters.place)]
    assert all(ok), _fail("entered a place outside the group's list", enters[~np.array(ok, dtype=bool)])
    for kind, allowed in (("turned_away", lambda g: g.when_full == "turn_away"),
                          ("wait", lambda g: g.when_full == "wait"),
                          ("renege", lambda g: g.patience is not None)):
        groups = set(flow.group[flow.kind == kind])
        assert all(allowed(cfg.groups[g]) for g in groups), f"{kind} in groups {groups} whose policy forbids it"


def _check_followup_moves(ev: pd.DataFrame, cfg: SimConfig) -> None:
    """Each crisis exit is an enter at its ``to_place`` at the same instant; outside referrals end once."""
    crisis = list(cfg.crisis_places)
    exits = ev[(ev.kind == "exit") & ev.place.isin(crisis)]
    fu_enter = ev[(ev.kind == "enter") & ev.place.isin(list(cfg.followup))]
    moves = exits.merge(fu_enter, on=["client_id", "visit"], how="left", suffixes=("", "_fu"))
    ok = (moves.place_fu == moves.to_place) & (moves.t_days_fu == moves.t_days)
    assert ok.all() and len(moves) == len(exits), _fail("crisis exit without matching follow-up enter", moves[~ok])
    inside = fu_enter[fu_enter.group != EXTERNAL]
    want = len(exits) + sum(i.count for i in cfg.initial_state if i.place in cfg.followup)
    assert len(inside) == want, f"{len(inside)} follow-up enters from the crisis flow, expected {want}"
    ext = _counts(ev[ev.group == EXTERNAL])
    ok = (ext.arrive == 1) & ((ext.enter == 1) | (ext.wait == 1)) & (ext.enter <= 1) & (ext.wait <= 1)
    assert ok.all(), _fail("an outside referral without exactly one arrive and an enter or wait", ext[~ok])


def check_capacity(ev: pd.DataFrame, cfg: SimConfig) -> None:
    """Invariant 2: no admission into a full place; levels within bounds, schedule changes included."""
    t_all, place_all, kind_all = ev.t_days.tolist(), ev.place.tolist(), ev.kind.tolist()
    for pid, p in cfg.crisis_places.items():
        steps = {s.from_day for s in p.capacity_schedule if s.from_day > 0}
        ceiling = max([p.capacity] + [s.capacity for s in p.capacity_schedule]) + p.overflow_capacity
        level = 0
        for t, place, kind in zip(t_all, place_all, kind_all):
            if place != pid or kind not in ("enter", "exit"):
                continue
            if kind == "enter":
                limit = capacity_at(p, t) + p.overflow_capacity
                if t in steps:  # at the very instant of a change either capacity may apply (event order)
                    limit = max(limit, capacity_at(p, np.nextafter(t, -np.inf)) + p.overflow_capacity)
                assert level < limit, f"admission at {pid} on day {t} with {level} present, limit {limit}"
                level += 1
            else:
                level -= 1
            assert 0 <= level <= ceiling, f"{pid}: level {level} on day {t} outside [0, {ceiling}]"
    for fid, f in cfg.followup.items():
        e = ev[(ev.place == fid) & ev.kind.isin(["enter", "exit"])]
        present = np.cumsum(np.where(e.kind == "enter", 1, -1))
        assert len(present) == 0 or present.min() >= 0, f"{fid}: negative level"
        if f.capacity is not None and len(present):
            assert present.max() <= f.capacity, f"{fid}: {present.max()} present, capacity {f.capacity}"
        if f.stay is None:
            assert not (e.kind == "exit").any(), f"{fid} has no stay, yet someone exits it"


def check_times(ev: pd.DataFrame, cfg: SimConfig) -> None:
    """Invariant 3: time runs forward inside [0, horizon); no negative durations; caps respected."""
    t = ev.t_days.to_numpy()
    h = cfg.run.horizon_days
    assert (np.diff(t) >= 0).all(), "event times decrease in record order"
    assert len(t) == 0 or (t.min() >= 0 and t.max() < h), f"times outside [0, {h}): {t.min()}..{t.max()}"
    crisis = ev[ev.place.isin(list(cfg.crisis_places)) & (ev.group != EXTERNAL)]
    wide = crisis.pivot_table(index=["client_id", "visit"], columns="kind", values="t_days", aggfunc="first")
    wide = wide.reindex(columns=KINDS)
    chains = [*combinations(["arrive", "wait", "enter", "ready", "exit"], 2),
              ("arrive", "turned_away"), ("wait", "renege"), ("arrive", "renege")]
    for a, b in chains:
        bad = wide[wide[a].notna() & wide[b].notna() & (wide[a] > wide[b])]
        assert bad.empty, _fail(f"{a} after {b}", bad)
    assert ((wide.enter - wide.arrive).fillna(0) <= h).all(), "a wait for admission longer than the run"
    _check_stay_limits(ev, crisis, cfg)
    _check_followup_stays(ev, cfg)
    _check_reentry_order(ev)


def _check_stay_limits(ev: pd.DataFrame, crisis: pd.DataFrame, cfg: SimConfig) -> None:
    """A crisis stay is at most max_stay_days; a blocked wait at most the destination's max_wait_days."""
    stays = crisis[crisis.kind == "enter"].merge(crisis[crisis.kind == "ready"], on=["client_id", "visit", "place"],
                                                 suffixes=("", "_r"))
    cap = stays.place.map({p: pc.max_stay_days for p, pc in cfg.crisis_places.items()}).astype(float)
    bad = stays[(stays.t_days_r - stays.t_days > cap + TOL)]
    assert bad.empty, _fail("crisis stay longer than max_stay_days", bad)
    blocked = crisis[crisis.kind == "ready"].merge(crisis[crisis.kind == "exit"], on=["client_id", "visit", "place"],
                                                   suffixes=("", "_x"))
    limit = blocked.to_place.map({f: fc.max_wait_days for f, fc in cfg.followup.items()}).astype(float)
    bad = blocked[blocked.t_days_x - blocked.t_days > limit + TOL]
    assert bad.empty, _fail("blocked longer than the destination's max_wait_days", bad)
    went = blocked[blocked.to_place_x != blocked.to_place]
    fallback = went.to_place.map({f: fc.fallback for f, fc in cfg.followup.items()})
    assert (went.to_place_x == fallback).all(), _fail("left to a place that is neither route nor fallback", went)


def _check_followup_stays(ev: pd.DataFrame, cfg: SimConfig) -> None:
    fu = ev[ev.place.isin(list(cfg.followup))]
    n = _counts(fu)
    assert (n.enter <= 1).all() and (n.exit <= n.enter).all(), _fail("follow-up exit without enter", n)
    stays = fu[fu.kind == "enter"].merge(fu[fu.kind == "exit"], on=["client_id", "visit", "place"], suffixes=("", "_x"))
    assert (stays.t_days_x >= stays.t_days).all(), _fail("follow-up exit before enter", stays)
    ext = fu[fu.group == EXTERNAL]
    w = ext[ext.kind == "wait"].merge(ext[ext.kind == "enter"], on=["client_id", "visit"], suffixes=("", "_e"))
    assert (w.t_days_e >= w.t_days).all(), _fail("outside referral entered before it waited", w)


def _check_reentry_order(ev: pd.DataFrame) -> None:
    """A re-entry (visit k >= 2) arrives no earlier than the last event of visit k - 1."""
    flow = ev[ev.group != EXTERNAL]
    last = flow.groupby(["client_id", "visit"]).t_days.max().rename("t_prev").reset_index()
    back = flow[(flow.kind == "arrive") & (flow.visit >= 2)][["client_id", "visit", "t_days"]]
    prev = back.assign(visit=back.visit - 1).merge(last, on=["client_id", "visit"], how="left")
    assert prev.t_prev.notna().all(), _fail("a re-entry without an earlier visit", prev[prev.t_prev.isna()])
    assert (prev.t_days >= prev.t_prev).all(), _fail("re-entry before the previous visit ended", prev)
