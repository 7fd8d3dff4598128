"""Replications of one scenario: events -> KPIs -> summary with 95% t-intervals."""

from __future__ import annotations

import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

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
    k = _tag(kpis(ev, cfg), cfg, rep)
    ev.insert(0, "scenario", cfg.name)
    return ev, k


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
    """Everything one scenario run produced; ``notes`` say how warm-up and replications were chosen."""

    cfg: SimConfig
    events: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)


def _progress(it: Iterable[Any], total: int, label: str) -> Iterable[Any]:
    """A tqdm bar on an interactive terminal; silent in CI, logs and batch runs."""
    import sys

    from tqdm import tqdm

    return tqdm(it, total=total, desc=label, unit="rep", disable=not sys.stderr.isatty(), leave=False)


def _run_reps(cfg: SimConfig, reps: range, executor: Optional[Executor]) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(events, kpis) of replications ``reps``, in rep order, serially or through an executor."""
    if executor is None and cfg.run.n_jobs > 1 and len(reps) > 1:
        with ProcessPoolExecutor(min(cfg.run.n_jobs, len(reps))) as pool:
            return list(_progress(pool.map(run_replication, [cfg] * len(reps), reps), len(reps), cfg.name))
    if executor is not None:
        return list(_progress(executor.map(run_replication, [cfg] * len(reps), list(reps)), len(reps), cfg.name))
    return [run_replication(cfg, r) for r in _progress(reps, len(reps), cfg.name)]


def _with_warmup(cfg: SimConfig, out: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[SimConfig, list[Any], dict[str, Any]]:
    """Detect the warm-up if asked (MSER-5) and recompute the KPIs with it."""
    if cfg.run.warmup_method != "mser5":
        why = "fixed by run.warmup_days" + (" after the configured initial state" if cfg.initial_state else "")
        return cfg, out, {"method": "fixed", "warmup_days": cfg.run.warmup_days, "reason": why}
    from sim.warmup import detect_warmup_days

    days, why = detect_warmup_days(pd.concat([e for e, _ in out], ignore_index=True), cfg)
    cfg = replace(cfg, run=replace(cfg.run, warmup_days=days))
    out = [(e, _tag(kpis(e, cfg), cfg, int(e["rep"].iloc[0]) if len(e) else i)) for i, (e, _) in enumerate(out)]
    return cfg, out, {"method": "mser5", "warmup_days": days, "reason": why}


def _tag(k: pd.DataFrame, cfg: SimConfig, rep: int) -> pd.DataFrame:
    k.insert(0, "rep", rep)
    k.insert(0, "scenario", cfg.name)
    return k[KPI_COLUMNS]


def run_experiment(cfg: SimConfig, executor: Optional[Executor] = None) -> Results:
    """All replications of ``cfg``; through ``executor`` if given, else ``run.n_jobs`` processes.

    Results are the same for any executor and worker count: each replication is pure. With
    ``run.warmup_method=mser5`` the warm-up is detected from the first ``n_reps``; with
    ``run.precision_half_width`` replications are added until the target is met or
    ``run.max_reps`` is reached.
    """
    from sim.guard import check

    check(cfg)  # refuse before simulating a run that would not fit in memory
    t0 = time.perf_counter()
    out = _run_reps(cfg, range(cfg.run.n_reps), executor)
    cfg, out, warmup_note = _with_warmup(cfg, out)
    notes: dict[str, Any] = {"warmup": warmup_note}
    if cfg.run.precision_half_width is not None:
        from sim.precision import precision_report, reps_needed

        while (need := reps_needed(cfg.run, pd.concat([k for _, k in out]))) > len(out):
            out += _run_reps(cfg, range(len(out), need), executor)
        notes["precision"] = precision_report(cfg.run, pd.concat([k for _, k in out]))
    events = pd.concat([e for e, _ in out], ignore_index=True)
    k = pd.concat([x for _, x in out], ignore_index=True)
    return Results(cfg, events, k, summarise(k), time.perf_counter() - t0, notes)
