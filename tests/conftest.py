"""Shared builders: tiny configs made in code, without Hydra, for unit and theory tests."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from sim.config.schema import CapacityPeriodCfg, CrisisPlaceCfg, DistCfg, FollowupCfg, GroupCfg, InitialCfg, RunCfg, SimConfig
from sim.config.rules import validate


def dist(kind: str = "exponential", mean: float | None = None, sd: float | None = None,
         values: list[float] | None = None) -> DistCfg:
    return DistCfg(kind=kind, mean_days=mean, sd_days=sd, values_days=list(values or []))


def make_config(
    *,
    capacity: int = 1,
    overflow: int = 0,
    stay: DistCfg | None = None,
    max_stay: float | None = None,
    schedule: list[tuple[float, int]] | None = None,
    arrivals_per_year: float = 365.0,
    when_full: str = "turn_away",
    patience: DistCfg | None = None,
    routes: dict[str, float] | None = None,
    followup: dict[str, FollowupCfg] | None = None,
    initial: list[tuple[str, int]] | None = None,
    horizon: float = 100.0,
    warmup: float = 0.0,
    n_reps: int = 1,
    seed: int = 1,
    reentry_share: float = 0.0,
    reentry_delay: DistCfg | None = None,
    **run: Any,
) -> SimConfig:
    """One group 'g' using one crisis place 'p' routed to follow-up places (default: 'home', unlimited)."""
    followup = followup if followup is not None else {"home": FollowupCfg()}
    cfg = SimConfig(
        name="tiny",
        origin_shares={"here": 1.0},
        sex_shares={"x": 1.0},
        groups={"g": GroupCfg(arrivals_per_year=arrivals_per_year, places=["p"], when_full=when_full,
                              patience=patience, routes={"p": routes or {"home": 1.0}},
                              reentry_share=reentry_share, reentry_delay=reentry_delay)},
        crisis_places={"p": CrisisPlaceCfg(capacity=capacity, overflow_capacity=overflow,
                                           stay=stay or dist("fixed", 1.0), max_stay_days=max_stay,
                                           capacity_schedule=[CapacityPeriodCfg(t, c) for t, c in schedule or []])},
        followup=followup,
        initial_state=[InitialCfg(place=p, group="g", count=n) for p, n in initial or []],
        run=RunCfg(horizon_days=horizon, warmup_days=warmup, n_reps=n_reps, seed=seed, plots=False, **run),
    )
    return validate(cfg)


def trace(ev: pd.DataFrame, client_id: int) -> list[tuple[float, str, str]]:
    """(t_days, place, kind) of one client, in record order."""
    e = ev[ev["client_id"] == client_id]
    return [(round(float(t), 9), p, k) for t, p, k in zip(e["t_days"], e["place"], e["kind"])]


@pytest.fixture
def tiny() -> SimConfig:
    return make_config()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The notebooks (run by nbmake) are end-to-end runs: they belong to the slow tier."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
