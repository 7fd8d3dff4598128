"""KPIs recomputed from raw event rows with plain loops: an independent oracle for sim.metrics.

Follows the README's definitions: the window is [warmup_days, horizon_days); counts take
events inside it; time averages integrate over it (an event at the window's start already
counts); stays and waits count when they end inside it and their start was recorded.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable, Mapping

import pandas as pd

from sim.config.schema import SimConfig
from tests.property.invariants import capacity_at

Key = tuple[int, int]  # (client_id, visit)


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


class Record:
    """The event rows as tuples, with first times per (client, visit, place, kind)."""

    def __init__(self, ev: pd.DataFrame, cfg: SimConfig) -> None:
        self.w, self.h = float(cfg.run.warmup_days), float(cfg.run.horizon_days)
        self.rows = list(zip(ev.t_days.tolist(), ev.client_id.tolist(), ev.visit.tolist(), ev.place.tolist(),
                             ev.kind.tolist(), ev.to_place.tolist()))
        self.n = Counter((p, k) for t, _, _, p, k, _ in self.rows if self.inside(t))
        self.first: dict[tuple[int, int, str, str], float] = {}
        for t, c, v, p, k, _ in self.rows:
            self.first.setdefault((c, v, p, k), t)
        self.arrive = {(c, v): t for (c, v, _, k), t in self.first.items() if k == "arrive"}  # at any place

    def inside(self, t: float) -> bool:
        return self.w <= t < self.h

    def durations(self, start: Callable[[Key], float | None], places: set[str], kind: str) -> list[float]:
        """end - start for every ``kind`` event at ``places`` inside the window whose start is known."""
        out = []
        for t, c, v, p, k, _ in self.rows:
            if k == kind and p in places and self.inside(t):
                s = start((c, v))
                if s is not None:
                    out.append(t - s)
        return out

    def at(self, place_set: set[str], kind: str) -> Callable[[Key], float | None]:
        """First time of ``kind`` at any of ``place_set`` for a visit."""
        return lambda key: next((self.first[(*key, p, kind)] for p in place_set if (*key, p, kind) in self.first),
                                None)

    def blocked_days(self, places: set[str]) -> float:
        """ready -> exit (or the horizon) at the same place, clipped to the window."""
        total = 0.0
        for t, c, v, p, k, _ in self.rows:
            if k == "ready" and p in places:
                end = self.first.get((c, v, p, "exit"), self.h)
                total += max(0.0, min(end, self.h) - max(t, self.w))
        return total


def occupancy(rec: Record, caps: Mapping[str, Callable[[float], float]], breaks: Iterable[float]) -> dict[str, tuple]:
    """Per place (mean level, share of time level >= capacity, place-days above capacity), plus the
    share of time every place in ``caps`` is at or above capacity under key ``"__all__"``."""
    pts = [(t, p, 1 if k == "enter" else -1) for t, _, _, p, k, _ in rec.rows if p in caps and k in ("enter", "exit")]
    pts += [(b, "", 0) for b in breaks]
    pts.sort(key=lambda x: x[0])  # stable: same-time events keep record order
    level = dict.fromkeys(caps, 0)
    acc = {p: [0.0, 0.0, 0.0] for p in caps}
    all_full, last = 0.0, rec.w

    def hold(until: float) -> None:
        nonlocal all_full
        seg, every = until - last, True
        for p, a in acc.items():
            cap = caps[p](last)
            a[0] += level[p] * seg
            a[1] += seg if level[p] >= cap else 0.0
            a[2] += max(level[p] - cap, 0) * seg
            every &= level[p] >= cap
        all_full += seg if every else 0.0

    for t, p, d in pts:
        if t >= rec.h:
            break
        if t > last:
            hold(t)
            last = t
        if p:
            level[p] += d
    hold(rec.h)
    span = rec.h - rec.w
    out: dict[str, tuple] = {p: (a[0] / span, a[1] / span, a[2]) for p, a in acc.items()}
    out["__all__"] = (all_full / span,)
    return out


def crisis_expected(rec: Record, cfg: SimConfig, pid: str, occ: tuple, unsheltered: set[str]) -> dict[str, float]:
    n, here = rec.n, {pid}
    arrivals, turned = n[(pid, "arrive")], n[(pid, "turned_away")]
    to_street = sum(1 for t, _, _, p, k, to in rec.rows if p == pid and k == "exit" and to in unsheltered
                    and rec.inside(t))
    return {
        "arrivals": arrivals, "admissions": n[(pid, "enter")], "turned_away": turned,
        "p_turned_away": _ratio(turned, arrivals), "p_wait": _ratio(n[(pid, "wait")], arrivals),
        "mean_wait_admission_days": _mean(rec.durations(rec.arrive.get, here, "enter")),
        "left_unsheltered": n[(pid, "renege")] + to_street,
        "mean_occupancy": occ[0], "p_full": occ[1], "overflow_days": occ[2],
        "mean_stay_days": _mean(rec.durations(rec.at(here, "enter"), here, "exit")),
        "blocked_days": rec.blocked_days(here),
        "mean_wait_followup_days": _mean(rec.durations(rec.at(here, "ready"), here, "exit")),
        "cost_eur": occ[0] * (rec.h - rec.w) * cfg.crisis_places[pid].cost_per_day_eur,
    }


def followup_expected(rec: Record, cfg: SimConfig, fid: str, occ: tuple) -> dict[str, float]:
    f, crisis = cfg.followup[fid], set(cfg.crisis_places)
    ready = [(t, c, v) for t, c, v, p, k, to in rec.rows if k == "ready" and to == fid and p in crisis]
    asked = {(c, v): t for t, c, v in reversed(ready)}  # the first request of a visit
    admissions = rec.n[(fid, "enter")]
    occ = occ if f.stay is not None else (0.0, 0.0, 0.0)  # left at once: holds nobody
    return {
        "arrivals": sum(1 for t, _, _ in ready if rec.inside(t)) + rec.n[(fid, "arrive")],
        "admissions": admissions, "left_unsheltered": admissions if f.unsheltered else 0,
        "mean_occupancy": occ[0], "p_full": occ[1],
        "mean_stay_days": _mean(rec.durations(rec.at({fid}, "enter"), {fid}, "exit")),
        "mean_wait_followup_days": _mean(rec.durations(asked.get, crisis, "exit")),
        "cost_eur": occ[0] * (rec.h - rec.w) * f.cost_per_day_eur,
    }


def expected_kpis(ev: pd.DataFrame, cfg: SimConfig) -> dict[tuple[str, str], float]:
    """{(place, metric): value} for every crisis place, follow-up place and ``all``."""
    rec = Record(ev, cfg)
    crisis = set(cfg.crisis_places)
    unsheltered = {f for f, fc in cfg.followup.items() if fc.unsheltered}
    caps = {p: (lambda t, pc=pc: capacity_at(pc, t)) for p, pc in cfg.crisis_places.items()}
    breaks = [s.from_day for pc in cfg.crisis_places.values() for s in pc.capacity_schedule]
    occ = occupancy(rec, caps, breaks)
    fcaps = {f: (lambda t, c=fc.capacity: float("inf") if c is None else c) for f, fc in cfg.followup.items()}
    focc = occupancy(rec, fcaps, [])
    per = {p: crisis_expected(rec, cfg, p, occ[p], unsheltered) for p in cfg.crisis_places}
    per |= {f: followup_expected(rec, cfg, f, focc[f]) for f in cfg.followup}
    arrivals = sum(per[p]["arrivals"] for p in crisis)
    turned = sum(per[p]["turned_away"] for p in crisis)
    per["all"] = {
        "arrivals": arrivals, "admissions": sum(per[p]["admissions"] for p in crisis), "turned_away": turned,
        "p_turned_away": _ratio(turned, arrivals),
        "left_unsheltered": sum(v for (_, k), v in rec.n.items() if k == "renege")
        + sum(per[f]["left_unsheltered"] for f in cfg.followup),
        "mean_occupancy": sum(per[p]["mean_occupancy"] for p in crisis), "p_full": occ["__all__"][0],
        "overflow_days": sum(per[p]["overflow_days"] for p in crisis),
        "mean_stay_days": _mean(rec.durations(rec.at(crisis, "enter"), crisis, "exit")),
        "blocked_days": rec.blocked_days(crisis),
        "mean_wait_followup_days": _mean(rec.durations(rec.at(crisis, "ready"), crisis, "exit")),
        "cost_eur": sum(per[p]["cost_eur"] for p in per),
    }
    return {(place, m): float(v) for place, d in per.items() for m, v in d.items()}
