"""KPIs of one replication, computed from its event record only (no SimPy here).

Counts take events in the measured window [warmup_days, horizon_days); time averages
integrate over that window; stays and waits are counted when they end inside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.series import enter_exit_delta, level_at, step_at
from sim.config.schema import SimConfig
from sim.engine.schedules import capacity_steps
from sim.engine.vocab import ALL, EventKind, Metric


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")


def time_integrals(t: np.ndarray, delta: np.ndarray, steps: list[tuple[float, float]],
                   start: float, end: float) -> tuple[float, float, float]:
    """(mean level, share of time with level >= capacity, place-days above capacity) on [start, end).

    ``t`` and ``delta`` are event times (sorted) and +1/-1 changes; ``steps`` the capacity schedule.
    """
    step_t = np.array([s[0] for s in steps])
    inside = t[(t > start) & (t < end)]
    grid = np.unique(np.concatenate([[start], inside, step_t[(step_t > start) & (step_t < end)]]))
    lev = level_at(t, delta, grid)  # the level holds until the next event
    cap = step_at(steps, grid)
    dt = np.diff(np.append(grid, end))
    span = end - start
    return float((lev * dt).sum() / span), float(dt[lev >= cap].sum() / span), float((np.maximum(lev - cap, 0) * dt).sum())


class _Window:
    """One replication's events with the lookups every KPI needs."""

    def __init__(self, ev: pd.DataFrame, cfg: SimConfig) -> None:
        self.ev, self.cfg = ev, cfg
        self.w, self.h = float(cfg.run.warmup_days), float(cfg.run.horizon_days)
        self.t = ev["t_days"].to_numpy()
        self.kind = ev["kind"].to_numpy()
        self.place = ev["place"].to_numpy()
        self.to = ev["to_place"].to_numpy()
        self.in_win = (self.t >= self.w) & (self.t < self.h)
        # one integer per (client, visit): visits take the low 32 bits, so any number of re-entries is safe
        self.key = (ev["client_id"].to_numpy().astype(np.int64) << 32) + ev["visit"].to_numpy().astype(np.int64)
        self.unsheltered = [f for f, fc in cfg.followup.items() if fc.unsheltered]
        self._masks: dict[tuple[str, object], np.ndarray] = {}

    def eq(self, col: str, value: str) -> np.ndarray:
        """``column == value``, computed once: comparing strings over the whole record is the main KPI cost."""
        key = (col, value)
        m = self._masks.get(key)
        if m is None:
            m = self._masks[key] = getattr(self, col) == value
            m.flags.writeable = False  # shared between callers: an in-place change would corrupt later KPIs
        return m

    def among(self, col: str, values: list[str]) -> np.ndarray:
        """``np.isin(column, values)``, computed once from the per-value masks."""
        key = (col, tuple(values))
        m = self._masks.get(key)
        if m is None:
            m = np.zeros(len(self.t), dtype=bool)
            for v in values:
                m = m | self.eq(col, v)
            m.flags.writeable = False
            self._masks[key] = m
        return m

    def kind_is(self, kind: EventKind) -> np.ndarray:
        """Events of ``kind`` (mypy checks the word against the vocabulary)."""
        return self.eq("kind", kind)

    def sel(self, kind: EventKind, place: str | None = None, window: bool = True) -> np.ndarray:
        m = self.kind_is(kind)
        if place is not None:
            m = m & self.eq("place", place)
        return m & self.in_win if window else m

    def durations(self, start_mask: np.ndarray, end_mask: np.ndarray) -> np.ndarray:
        """end - start per (client, visit) for ends inside the window whose start was recorded."""
        starts = pd.Series(self.t[start_mask], index=self.key[start_mask])
        starts = starts[~starts.index.duplicated()]
        ends = pd.Series(self.t[end_mask], index=self.key[end_mask])
        joined = starts.reindex(ends.index)
        ok = joined.notna().to_numpy()
        return ends.to_numpy()[ok] - joined.to_numpy()[ok]

    def occupancy(self, place: str, steps: list[tuple[float, float]]) -> tuple[float, float, float]:
        m = self.eq("place", place) & (self.kind_is("enter") | self.kind_is("exit"))
        return time_integrals(self.t[m], enter_exit_delta(self.kind[m]), steps, self.w, self.h)

    def share_all_full(self) -> float:
        """Share of the window in which no crisis place has a free regular place."""
        places = list(self.cfg.crisis_places)
        m = self.among("place", places) & (self.kind_is("enter") | self.kind_is("exit"))
        cuts = [t for pid in places for t, _ in capacity_steps(self.cfg.crisis_places[pid]) if self.w < t < self.h]
        grid = np.unique(np.concatenate([[self.w], self.t[m & (self.t > self.w) & (self.t < self.h)], cuts]))
        all_full = np.ones(len(grid), dtype=bool)
        for pid in places:
            e = m & self.eq("place", pid)
            level = level_at(self.t[e], enter_exit_delta(self.kind[e]), grid)
            all_full &= level >= step_at(capacity_steps(self.cfg.crisis_places[pid]), grid)
        dt = np.diff(np.append(grid, self.h))
        return float(dt[all_full].sum() / (self.h - self.w))

    def blocked_days(self, place_mask: np.ndarray) -> float:
        """Place-days held after the stay ended (ready -> exit), clipped to the window."""
        ready = self.kind_is("ready")
        r = pd.Series(self.t[ready & place_mask], index=self.key[ready & place_mask])
        exits = self.kind_is("exit")
        e = pd.Series(self.t[exits & place_mask], index=self.key[exits & place_mask])
        end = e.reindex(r.index).fillna(self.h).to_numpy()
        return float(np.clip(np.minimum(end, self.h) - np.maximum(r.to_numpy(), self.w), 0, None).sum())


def crisis_kpis(win: _Window, pid: str) -> dict[Metric, float]:
    p = win.cfg.crisis_places[pid]
    arrivals = int(win.sel("arrive", pid).sum())
    turned = int(win.sel("turned_away", pid).sum())
    enter = win.sel("enter", pid)
    steps = [(t, float(c)) for t, c in capacity_steps(p)]
    mean_occ, p_full, over = win.occupancy(pid, steps)
    exits = win.sel("exit", pid)
    to_street = int((exits & win.among("to", win.unsheltered)).sum())
    return {
        "arrivals": arrivals, "admissions": int(enter.sum()), "turned_away": turned,
        "p_turned_away": _ratio(turned, arrivals), "p_wait": _ratio(int(win.sel("wait", pid).sum()), arrivals),
        "mean_wait_admission_days": _mean(win.durations(win.sel("arrive", None, False), enter)),
        "left_unsheltered": int(win.sel("renege", pid).sum()) + to_street,
        "mean_occupancy": mean_occ, "p_full": p_full, "overflow_days": over,
        "mean_stay_days": _mean(win.durations(win.sel("enter", pid, False), exits)),
        "blocked_days": win.blocked_days(win.eq("place", pid)),
        "mean_wait_followup_days": _mean(win.durations(win.sel("ready", pid, False), exits)),
        "cost_eur": mean_occ * (win.h - win.w) * p.cost_per_day_eur,
    }


def followup_kpis(win: _Window, fid: str) -> dict[Metric, float]:
    f = win.cfg.followup[fid]
    cap = float("inf") if f.capacity is None else float(f.capacity)
    # a destination without a stay is left at once: it holds nobody
    mean_occ, p_full, _ = win.occupancy(fid, [(0.0, cap)]) if f.stay is not None else (0.0, 0.0, 0.0)
    asked = win.kind_is("ready") & win.eq("to", fid)
    done = win.kind_is("exit")
    waits = win.durations(asked, done & win.in_win & win.among("place", list(win.cfg.crisis_places)))
    enter = win.sel("enter", fid)
    return {
        "arrivals": int((asked & win.in_win).sum() + win.sel("arrive", fid).sum()),
        "admissions": int(enter.sum()),
        "left_unsheltered": int(enter.sum()) if f.unsheltered else 0,
        "mean_occupancy": mean_occ, "p_full": p_full,
        "mean_stay_days": _mean(win.durations(win.sel("enter", fid, False), win.sel("exit", fid))),
        "mean_wait_followup_days": _mean(waits),
        "cost_eur": mean_occ * (win.h - win.w) * f.cost_per_day_eur,
    }


def system_kpis(win: _Window, per_place: dict[str, dict[Metric, float]]) -> dict[Metric, float]:
    crisis = list(win.cfg.crisis_places)
    arrivals = sum(per_place[p]["arrivals"] for p in crisis)
    turned = sum(per_place[p]["turned_away"] for p in crisis)
    in_crisis = win.among("place", crisis)
    exits = win.kind_is("exit") & in_crisis
    return {
        "arrivals": arrivals, "admissions": sum(per_place[p]["admissions"] for p in crisis),
        "turned_away": turned, "p_turned_away": _ratio(turned, arrivals),
        "left_unsheltered": int(win.sel("renege").sum())
        + sum(per_place[f]["left_unsheltered"] for f in win.cfg.followup),
        "mean_occupancy": sum(per_place[p]["mean_occupancy"] for p in crisis),
        "p_full": win.share_all_full(),
        "overflow_days": sum(per_place[p]["overflow_days"] for p in crisis),
        "mean_stay_days": _mean(win.durations(win.kind_is("enter") & in_crisis, exits & win.in_win)),
        "blocked_days": win.blocked_days(in_crisis),
        "mean_wait_followup_days": _mean(win.durations(win.kind_is("ready") & in_crisis, exits & win.in_win)),
        "cost_eur": sum(per_place[p]["cost_eur"] for p in per_place),
    }


def kpis(ev: pd.DataFrame, cfg: SimConfig) -> pd.DataFrame:
    """Tidy KPIs of one replication: columns place, metric, value."""
    win = _Window(ev, cfg)
    per_place = {pid: crisis_kpis(win, pid) for pid in cfg.crisis_places}
    per_place |= {fid: followup_kpis(win, fid) for fid in cfg.followup}
    per_place[ALL] = system_kpis(win, per_place)
    rows = [(place, m, float(v)) for place, d in per_place.items() for m, v in d.items()]
    return pd.DataFrame(rows, columns=["place", "metric", "value"])
