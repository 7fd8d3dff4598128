"""Replications of one scenario: events -> KPIs -> summary with 95% t-intervals."""

from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from typing import Iterable, Optional

import pandas as pd

from sim.config import load_traces
from sim.events import COLUMNS
from sim.metrics import kpis
from sim.model import ShelterModel
from sim.schema import SimConfig

KPI_COLUMNS = ["scenario", "rep", "place", "metric", "value"]
SUMMARY_COLUMNS = ["scenario", "place", "metric", "mean", "ci_low", "ci_high", "n_reps"]


def simulate(cfg: SimConfig, rep: int) -> pd.DataFrame:
    """The event record of replication ``rep``: a pure function of (cfg, rep)."""
    log = ShelterModel(cfg, rep, load_traces(cfg)).run()
    ev = pd.DataFrame(log.columns(), columns=list(COLUMNS))
    ev.insert(0, "rep", rep)
    return ev


def run_replication(cfg: SimConfig, rep: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, kpis) of one replication, both tagged with scenario and rep."""
    ev = simulate(cfg, rep)
    k = kpis(ev, cfg)
    k.insert(0, "rep", rep)
    k.insert(0, "scenario", cfg.name)
    ev.insert(0, "scenario", cfg.name)
    return ev, k[KPI_COLUMNS]


def summarise(k: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval over replications per scenario, place and metric (NaN reps dropped)."""
    from sim.compare import t_interval

    rows = []
    for (scen, place, metric), g in k.groupby(["scenario", "place", "metric"], sort=False):
        x = g["value"].dropna().to_numpy()
        mean, lo, hi = t_interval(x, confidence)
        lo = max(lo, 0.0)  # every metric is a count, time, share or cost: never negative
        if metric.startswith("p_"):  # a share cannot exceed 1
            hi = min(hi, 1.0)
        rows.append((scen, place, metric, mean, lo, hi, len(x)))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


@dataclass
class Results:
    """Everything one scenario run produced."""

    cfg: SimConfig
    events: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float = 0.0


def _progress(it: Iterable, total: int, label: str) -> Iterable:
    """A tqdm bar on an interactive terminal; silent in CI, logs and notebooks' batch runs."""
    import sys

    from tqdm import tqdm

    return tqdm(it, total=total, desc=label, unit="rep", disable=not sys.stderr.isatty(), leave=False)


def run_experiment(cfg: SimConfig, executor: Optional[Executor] = None) -> Results:
    """All replications of ``cfg``; through ``executor`` if given, else ``run.n_jobs`` processes.

    Results are the same for any executor and worker count: each replication is pure.
    """
    import time

    t0 = time.perf_counter()
    reps = range(cfg.run.n_reps)
    if executor is None and cfg.run.n_jobs > 1:
        with ProcessPoolExecutor(cfg.run.n_jobs) as pool:
            out = list(_progress(pool.map(run_replication, repeat(cfg), reps), len(reps), cfg.name))
    elif executor is not None:
        out = list(_progress(executor.map(run_replication, repeat(cfg), reps), len(reps), cfg.name))
    else:
        out = [run_replication(cfg, r) for r in _progress(reps, len(reps), cfg.name)]
    events = pd.concat([e for e, _ in out], ignore_index=True)
    k = pd.concat([x for _, x in out], ignore_index=True)
    return Results(cfg, events, k, summarise(k), time.perf_counter() - t0)
