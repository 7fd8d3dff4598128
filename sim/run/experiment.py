"""Replications of one scenario: events -> KPIs -> summary with 95% t-intervals.

Every entry point takes a config from :func:`sim.load_config` (or a
:class:`~sim.config.gate.CheckedConfig`) and passes it through the gate first, so a config
edited after loading is checked again before anything runs.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from typing import Any, Iterable, Optional

import pandas as pd

from sim.analysis.metrics import kpis
from sim.analysis.results import KPI_COLUMNS, Results, summarise
from sim.config.gate import AnyConfig, CheckedConfig, derive, ensure_checked
from sim.config.schema import SimConfig
from sim.engine.events import COLUMNS
from sim.engine.model import ShelterModel

Outcome = tuple[pd.DataFrame, pd.DataFrame]


def _simulate(checked: CheckedConfig, rep: int) -> pd.DataFrame:
    log = ShelterModel(checked.cfg, rep, dict(checked.traces)).run()
    ev = pd.DataFrame(log.columns(), columns=list(COLUMNS))
    ev.insert(0, "rep", rep)
    return ev


def simulate(cfg: AnyConfig, rep: int) -> pd.DataFrame:
    """The event record of replication ``rep``: a pure function of (cfg, rep)."""
    return _simulate(ensure_checked(cfg), rep)


def _replication(checked: CheckedConfig, rep: int) -> Outcome:
    ev = _simulate(checked, rep)
    k = _tag(kpis(ev, checked.cfg), checked.cfg, rep)
    ev.insert(0, "scenario", checked.cfg.name)
    return ev, k


def run_replication(cfg: AnyConfig, rep: int) -> Outcome:
    """(events, kpis) of one replication, both tagged with scenario and rep."""
    return _replication(ensure_checked(cfg), rep)


def _progress(it: Iterable[Any], total: int, label: str) -> Iterable[Any]:
    """A tqdm bar on an interactive terminal; silent in CI, logs and batch runs."""
    import sys

    from tqdm import tqdm

    return tqdm(it, total=total, desc=label, unit="rep", disable=not sys.stderr.isatty(), leave=False)


def _run_reps(checked: CheckedConfig, reps: range, executor: Optional[Executor]) -> list[Outcome]:
    """(events, kpis) of replications ``reps``, in rep order, serially or through an executor."""
    cfg = checked.cfg
    if executor is None and cfg.run.n_jobs > 1 and len(reps) > 1:
        with ProcessPoolExecutor(min(cfg.run.n_jobs, len(reps))) as pool:
            return list(_progress(pool.map(_replication, [checked] * len(reps), reps), len(reps), cfg.name))
    if executor is not None:
        return list(_progress(executor.map(_replication, [checked] * len(reps), list(reps)), len(reps), cfg.name))
    return [_replication(checked, r) for r in _progress(reps, len(reps), cfg.name)]


def _with_warmup(cfg: SimConfig, out: list[Outcome]) -> tuple[SimConfig, list[Outcome], dict[str, Any]]:
    """Detect the warm-up if asked (MSER-5) and recompute the KPIs with it."""
    if cfg.run.warmup_method != "mser5":
        why = "fixed by run.warmup_days" + (" after the configured initial state" if cfg.initial_state else "")
        return cfg, out, {"method": "fixed", "warmup_days": cfg.run.warmup_days, "reason": why}
    from sim.analysis.warmup import detect_warmup_days

    days, why = detect_warmup_days(pd.concat([e for e, _ in out], ignore_index=True), cfg)
    cfg = replace(cfg, run=replace(cfg.run, warmup_days=days))
    out = [(e, _tag(kpis(e, cfg), cfg, int(e["rep"].iloc[0]) if len(e) else i)) for i, (e, _) in enumerate(out)]
    return cfg, out, {"method": "mser5", "warmup_days": days, "reason": why}


def _tag(k: pd.DataFrame, cfg: SimConfig, rep: int) -> pd.DataFrame:
    k.insert(0, "rep", rep)
    k.insert(0, "scenario", cfg.name)
    return k[KPI_COLUMNS]


def run_experiment(cfg: AnyConfig, executor: Optional[Executor] = None) -> Results:
    """All replications of ``cfg``; through ``executor`` if given, else ``run.n_jobs`` processes.

    Results are the same for any executor and worker count: each replication is pure. With
    ``run.warmup_method=mser5`` the warm-up is detected from the first ``n_reps``; with
    ``run.precision_half_width`` replications are added until the target is met or
    ``run.max_reps`` is reached. The gate runs first: a run that would not fit in memory is
    refused before anything is simulated.
    """
    checked = ensure_checked(cfg)
    t0 = time.perf_counter()
    out = _run_reps(checked, range(checked.cfg.run.n_reps), executor)
    run_cfg, out, warmup_note = _with_warmup(checked.cfg, out)
    if run_cfg is not checked.cfg:
        checked = derive(checked, run_cfg)  # with the detected warm-up, through the gate
    notes: dict[str, Any] = {"warmup": warmup_note}
    if run_cfg.run.precision_half_width is not None:
        from sim.analysis.precision import precision_report, reps_needed

        while (need := reps_needed(run_cfg.run, pd.concat([k for _, k in out]))) > len(out):
            out += _run_reps(checked, range(len(out), need), executor)
        notes["precision"] = precision_report(run_cfg.run, pd.concat([k for _, k in out]))
    events = pd.concat([e for e, _ in out], ignore_index=True)
    k = pd.concat([x for _, x in out], ignore_index=True)
    initial = sum(i.count for i in run_cfg.initial_state) * len(out)
    notes["clients_simulated"] = int((events["kind"] == "arrive").sum()) + initial  # visits, for speed ratios
    return Results(run_cfg, events, k, summarise(k), time.perf_counter() - t0, notes)
