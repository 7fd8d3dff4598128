"""The crisis-shelter flow model: clients arrive, take a crisis place, wait for a follow-up place.

The model only appends events to an :class:`~sim.engine.events.EventLog`; every KPI is computed
from that record afterwards (:mod:`sim.analysis.metrics`). The clock runs in days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generator, Iterator, Optional

import simpy

from sim.engine.arrivals import poisson_times
from sim.engine.distributions import Sampler, make_sampler
from sim.engine.events import EventLog
from sim.engine.places import CrisisPlace, Followup
from sim.engine.rng import (
    EXTERNAL,
    FIRST_VISIT,
    INITIAL,
    RETURN_VISIT,
    UniformStream,
    uniform_streams,
)
from sim.engine.schedules import rate_steps
from sim.engine.vocab import DAYS_PER_YEAR, DEFAULT_ROUTE, EXTERNAL_GROUP

if TYPE_CHECKING:  # the engine reads any object shaped like the schema; it imports no config code
    from sim.config.schema import GroupCfg, SimConfig

ProcessGenerator = Generator[simpy.Event, object, None]


@dataclass(slots=True)
class Client:
    """One visit of one person; every random number it needs is drawn at arrival."""

    id: int
    visit: int
    group: str
    origin: str
    sex: str
    u_stay: float
    u_route: float
    u_patience: float
    u_followup_stay: float
    u_reentry: float
    u_reentry_delay: float


def _pick(shares: list[tuple[str, float]], u: float) -> str:
    """The category whose cumulative share first reaches ``1 - u`` (u in (0, 1])."""
    x, acc = 1.0 - u, 0.0
    for name, p in shares:
        acc += p
        if x < acc:
            return name
    return shares[-1][0]


class ShelterModel:
    """One replication: SimPy environment, crisis places, follow-up places, waiting list."""

    def __init__(self, cfg: SimConfig, rep: int, traces: Optional[dict[str, tuple[float, ...]]] = None) -> None:
        self.cfg, self.rep = cfg, rep
        self.env = simpy.Environment()
        self.log = EventLog()
        self.traces = traces or {}
        self.places = {pid: CrisisPlace.from_cfg(pid, p) for pid, p in cfg.crisis_places.items()}
        self.followup = {fid: Followup.from_cfg(fid, f) for fid, f in cfg.followup.items()}
        self.waiting: dict[int, Client] = {}  # access waiting list, in order of arrival
        self.origin_shares = list(cfg.origin_shares.items())
        self.sex_shares = list(cfg.sex_shares.items())
        self.routes = {g: {src: list(r.items()) for src, r in gc.routes.items()} for g, gc in cfg.groups.items()}
        self.patience: dict[str, Optional[Sampler]] = {
            g: make_sampler(gc.patience) if gc.patience else None for g, gc in cfg.groups.items()}
        self.reentry_delay: dict[str, Optional[Sampler]] = {
            g: make_sampler(gc.reentry_delay) if gc.reentry_delay else None for g, gc in cfg.groups.items()}
        seed = cfg.run.seed
        self.streams = {(g, k): uniform_streams(seed, rep, g, k) for g in cfg.groups for k in (FIRST_VISIT, RETURN_VISIT)}
        self.next_id = 0

    # ----------------------------------------------------------------- set-up
    def run(self) -> EventLog:
        """Simulate until ``run.horizon_days`` and return the event record."""
        self._initial_state()
        for gid, g in self.cfg.groups.items():
            self.env.process(self.arrivals(gid, g))
        for fid, f in self.cfg.followup.items():
            if f.other_arrivals_per_year > 0:
                self.env.process(self.other_arrivals(self.followup[fid], f.other_arrivals_per_year))
        for place in self.places.values():
            if len(place.steps) > 1:
                self.env.process(self.capacity_schedule(place))
        self.env.run(until=self.cfg.run.horizon_days)
        return self.log

    def _initial_state(self) -> None:
        """Clients present at day 0; their remaining stays follow the steady-state residual law."""
        for init in self.cfg.initial_state:
            streams = uniform_streams(self.cfg.run.seed, self.rep, init.place, INITIAL)
            for _ in range(init.count):
                c = self.new_client(init.group, 0, streams)
                u = streams["initial"].next()
                if init.place in self.places:
                    place = self.places[init.place]
                    self.admit(c, place, place.remaining_days(c.u_stay, u))
                else:
                    dest = self.followup[init.place]
                    dest.n += 1
                    self.start_followup(c, dest, dest.remaining(c.u_followup_stay, u))  # type: ignore[misc]

    def new_client(self, gid: str, visit: int, s: dict[str, UniformStream], cid: Optional[int] = None) -> Client:
        """A client of group ``gid`` with all its draws made now, each from its own stream."""
        if cid is None:
            cid, self.next_id = self.next_id, self.next_id + 1
        return Client(cid, visit, gid, _pick(self.origin_shares, s["origin"].next()),
                      _pick(self.sex_shares, s["sex"].next()), s["crisis_stay"].next(), s["route"].next(),
                      s["patience"].next(), s["followup_stay"].next(), s["reentry"].next(),
                      s["reentry_delay"].next())

    # ---------------------------------------------------------------- processes
    def arrivals(self, gid: str, g: GroupCfg) -> ProcessGenerator:
        """First visits of group ``gid``: a Poisson stream or a trace of dates."""
        s = self.streams[(gid, FIRST_VISIT)]
        times: Iterator[float]
        if gid in self.traces:
            times = iter(t for t in self.traces[gid] if t < self.cfg.run.horizon_days)
        else:
            times = poisson_times(rate_steps(g), s["interarrival"].next, self.cfg.run.horizon_days)
        for t in times:
            yield self.env.timeout(t - self.env.now)
            self.arrive(self.new_client(gid, 1, s))

    def other_arrivals(self, dest: Followup, per_year: float) -> ProcessGenerator:
        """People from outside the crisis places who compete for ``dest`` (group ``external``)."""
        s = uniform_streams(self.cfg.run.seed, self.rep, dest.id, EXTERNAL)
        for t in poisson_times([(0.0, per_year / DAYS_PER_YEAR)], s["interarrival"].next, self.cfg.run.horizon_days):
            yield self.env.timeout(t - self.env.now)
            c = self.new_client(EXTERNAL_GROUP, 1, s)
            self.log.add(self.env.now, c, dest.id, "arrive")
            self.env.process(self.external_wait(c, dest))

    def external_wait(self, c: Client, dest: Followup) -> ProcessGenerator:
        """An outside client waits at home (holding no crisis bed) for ``dest``."""
        if dest.has_room():
            dest.n += 1
        else:
            granted = self.env.event()
            dest.queue.append((c, granted))
            self.log.add(self.env.now, c, dest.id, "wait")
            yield granted
        self.start_followup(c, dest)

    def arrive(self, c: Client) -> None:
        """Take the first crisis place with room; otherwise turned away or onto the waiting list."""
        g = self.cfg.groups[c.group]
        first = g.places[0]
        self.log.add(self.env.now, c, first, "arrive")
        for pid in g.places:
            place = self.places[pid]
            if place.has_room():
                self.admit(c, place)
                return
        if g.when_full == "turn_away":
            self.log.add(self.env.now, c, first, "turned_away")
            self.leave(c)
            return
        self.waiting[id(c)] = c
        self.log.add(self.env.now, c, first, "wait")
        patience = self.patience[c.group]
        if patience is not None:
            self.env.timeout(patience(c.u_patience)).callbacks.append(lambda _ev: self.renege(c))

    def renege(self, c: Client) -> None:
        """Out of patience: leave the waiting list unsheltered (unless admitted meanwhile)."""
        if self.waiting.pop(id(c), None) is not None:
            self.log.add(self.env.now, c, self.cfg.groups[c.group].places[0], "renege")
            self.leave(c)

    def admit(self, c: Client, place: CrisisPlace, stay_days: Optional[float] = None) -> None:
        """Take a bed now (counted at once, so no one else can take it this instant)."""
        place.n += 1
        self.log.add(self.env.now, c, place.id, "enter")
        days = place.stay_days(c.u_stay) if stay_days is None else stay_days
        # a stay needs no process of its own: a process starts only if the client must wait (below)
        self.env.timeout(days).callbacks.append(lambda _ev: self.stay_over(c, place))

    def stay_over(self, c: Client, place: CrisisPlace) -> None:
        """The crisis stay has ended: move on now if the follow-up place has room, else hold the bed."""
        dest = self.followup[self.route(c, place.id)]
        self.log.add(self.env.now, c, place.id, "ready", dest.id)
        if dest.has_room():
            dest.n += 1
            self.leave_crisis(c, place, dest)
        else:
            granted = self.env.event()
            dest.queue.append((c, granted))  # queue now, as before: same order when times tie
            self.env.process(self.blocked(c, place, dest, granted))

    def blocked(self, c: Client, place: CrisisPlace, dest: Followup, granted: simpy.Event) -> ProcessGenerator:
        """Hold the crisis place until ``granted`` (a follow-up place is free: silting up), or the maximum wait."""
        if dest.max_wait_days is None:
            yield granted
        else:
            yield granted | self.env.timeout(dest.max_wait_days)
            if not granted.triggered:  # waited too long: leave to the fallback destination
                dest.queue.remove((c, granted))
                dest = self.followup[dest.fallback]  # type: ignore[index]
                dest.n += 1
        self.leave_crisis(c, place, dest)

    def leave_crisis(self, c: Client, place: CrisisPlace, dest: Followup) -> None:
        """Free the crisis place, give it to a waiting client, and move into ``dest``."""
        place.n -= 1
        self.log.add(self.env.now, c, place.id, "exit", dest.id)
        self.admit_waiting(place)
        self.start_followup(c, dest)

    def start_followup(self, c: Client, dest: Followup, stay_days: Optional[float] = None) -> None:
        """Move into a follow-up place (its slot already reserved by ``dest.n``)."""
        self.log.add(self.env.now, c, dest.id, "enter")
        if dest.stay is None:  # leaves the modelled system on arrival
            self.leave(c)
        else:
            days = dest.stay(c.u_followup_stay) if stay_days is None else stay_days
            self.env.timeout(days).callbacks.append(lambda _ev: self.followup_over(c, dest))

    def followup_over(self, c: Client, dest: Followup) -> None:
        """Leave a follow-up place; hand it to the longest waiter."""
        dest.n -= 1
        self.log.add(self.env.now, c, dest.id, "exit")
        while dest.queue and dest.has_free_place():
            _, granted = dest.queue.popleft()
            dest.n += 1
            granted.succeed()
        self.leave(c)

    def capacity_schedule(self, place: CrisisPlace) -> ProcessGenerator:
        """Change the regular capacity on the scheduled days; nobody present is evicted."""
        for day, cap in place.steps[1:]:
            yield self.env.timeout(day - self.env.now)
            place.capacity = cap
            self.admit_waiting(place)

    # ------------------------------------------------------------------ helpers
    def route(self, c: Client, pid: str) -> str:
        """The destination after a stay at ``pid``, from the group's routing shares."""
        r = self.routes[c.group]
        return _pick(r[pid] if pid in r else r[DEFAULT_ROUTE], c.u_route)

    def admit_waiting(self, place: CrisisPlace) -> None:
        """Give free beds of ``place`` to waiting clients that accept it, first come first served."""
        while self.waiting and place.has_room():
            c = next((w for w in self.waiting.values() if place.id in self.cfg.groups[w.group].places), None)
            if c is None:
                return
            del self.waiting[id(c)]
            self.admit(c, place)

    def leave(self, c: Client) -> None:
        """Leave the system; a share of the group returns later as a new visit.

        Only visits that began in the run return: clients present at the start (visit 0)
        and outside clients of follow-up places are not part of the crisis flow's demand.
        """
        if c.group == EXTERNAL_GROUP or c.visit == 0:
            return
        g = self.cfg.groups[c.group]
        delay = self.reentry_delay[c.group]
        if delay is None or (1.0 - c.u_reentry) >= g.reentry_share:
            return
        s = self.streams[(c.group, RETURN_VISIT)]
        back = self.env.timeout(delay(c.u_reentry_delay))
        back.callbacks.append(lambda _ev: self.arrive(self.new_client(c.group, c.visit + 1, s, c.id)))
