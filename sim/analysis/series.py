"""Time series and distributions from the event record, for plots and notebooks."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd

from sim.engine.vocab import DAYS_PER_YEAR, EventKind


def level_at(t: np.ndarray, delta: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Number present at each ``grid`` time: the running sum of ``delta`` (+1/-1 at sorted event
    times ``t``) after the last event at or before it; 0 before the first event."""
    return np.append(0, np.cumsum(delta))[np.searchsorted(t, grid, side="right")]


def step_at(steps: Sequence[tuple[float, float]], grid: np.ndarray) -> np.ndarray:
    """Value of a step schedule ``[(from_day, value), ...]`` (first step at day 0) at each ``grid`` time."""
    times = np.array([s[0] for s in steps])
    return np.array([s[1] for s in steps], dtype=float)[np.searchsorted(times, grid, side="right") - 1]


def enter_exit_delta(kind: np.ndarray) -> np.ndarray:
    """+1 for an ``enter`` event, -1 for an ``exit``."""
    enter: EventKind = "enter"
    return np.where(kind == enter, 1, -1)


def occupancy_on_grid(ev: pd.DataFrame, place: str, grid: np.ndarray,
                      reps: Optional[Sequence[int]] = None) -> pd.DataFrame:
    """Number present at ``place`` at each day of ``grid``, one column per replication.

    ``reps``: every replication that ran (e.g. ``Results.reps``); one in which nobody entered
    ``place`` gets a column of zeros, so a mean over the columns is a mean over all of them.
    Default: the replications with an enter or exit at ``place``.
    """
    out = {}
    for rep, e in ev[(ev["place"] == place) & ev["kind"].isin(["enter", "exit"])].groupby("rep"):
        out[rep] = level_at(e["t_days"].to_numpy(), enter_exit_delta(e["kind"].to_numpy()), grid)
    frame = pd.DataFrame(out, index=pd.Index(grid, name="t_days"))
    if reps is not None:
        frame = frame.reindex(columns=list(reps), fill_value=0)
    return frame


def per_year(ev: pd.DataFrame, kind: EventKind, warmup_days: float) -> pd.DataFrame:
    """Count of ``kind`` events per place, replication and year after warm-up (year 1 = first measured)."""
    e = ev[(ev["kind"] == kind) & (ev["t_days"] >= warmup_days)]
    year = ((e["t_days"] - warmup_days) // DAYS_PER_YEAR).astype(int) + 1
    return e.assign(year=year).groupby(["place", "year", "rep"]).size().rename("count").reset_index()


def followup_waits(ev: pd.DataFrame, crisis_places: list[str]) -> pd.DataFrame:
    """Days from ready to exit per crisis stay that ended: columns place, to_place, wait_days."""
    e = ev[ev["place"].isin(crisis_places)]
    ready = e[e["kind"] == "ready"].set_index(["rep", "client_id", "visit"])
    done = e[e["kind"] == "exit"].set_index(["rep", "client_id", "visit"])
    j = ready[["t_days", "place", "to_place"]].join(done[["t_days"]].rename(columns={"t_days": "t_days_exit"}), how="inner")
    return pd.DataFrame({"place": j["place"], "to_place": j["to_place"],
                         "wait_days": j["t_days_exit"] - j["t_days"]}).reset_index(drop=True)
