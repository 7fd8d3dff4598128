"""Speed of the project's engine against a minimal plain-SimPy model of the same system.

A single loss place: 35 places, exponential stays of 42 days, 0.8 arrivals a day, no
follow-up blocking. Both models run in this process, one after the other, each several
times (best of ``--repeats``, rounds interleaved so a busy neighbour hurts both alike);
the ratio per client (project seconds per client / plain seconds per client) is what to
compare across machines.

    python benchmarks/bench_loss.py [--arrivals 200000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from importlib.metadata import version
from typing import Any, Callable

import numpy as np
import pandas as pd
import simpy

from sim.analysis.metrics import kpis
from sim.engine.model import ShelterModel
from sim.config.schema import CrisisPlaceCfg, DistCfg, FollowupCfg, GroupCfg, RunCfg, SimConfig

CAPACITY, MEAN_STAY_DAYS, ARRIVALS_PER_DAY = 35, 42.0, 0.8


def simulate(cfg: SimConfig, rep: int) -> pd.DataFrame:
    """``sim.simulate`` without the gate: a benchmark's horizon of hundreds of years is beyond the
    plausibility bound the gate holds planners' configs to (100 years), the engine is the same."""
    from sim.config.gate import CheckedConfig
    from sim.run.experiment import _simulate

    return _simulate(CheckedConfig(cfg), rep)


def project_config(n_arrivals: int) -> SimConfig:
    """The loss place as a project config; the horizon gives ``n_arrivals`` on average."""
    horizon = n_arrivals / ARRIVALS_PER_DAY
    return SimConfig(
        name="bench", origin_shares={"x": 1.0}, sex_shares={"x": 1.0},
        groups={"g": GroupCfg(arrivals_per_year=ARRIVALS_PER_DAY * 365, places=["p"], routes={"p": {"out": 1.0}})},
        crisis_places={"p": CrisisPlaceCfg(capacity=CAPACITY, stay=DistCfg("exponential", MEAN_STAY_DAYS))},
        followup={"out": FollowupCfg()},
        run=RunCfg(horizon_days=horizon, warmup_days=0.0, n_reps=1, seed=1, plots=False),
    )


def simpy_events(env: simpy.Environment) -> int:
    """Events the SimPy kernel scheduled in ``env`` (its event-id counter; -1 if SimPy changes it)."""
    eid = getattr(env, "_eid", None)
    return next(eid) if eid is not None else -1


def plain_simpy(n_arrivals: int, seed: int = 1) -> tuple[int, int, int]:
    """The textbook SimPy model: a process per client, a Resource for the places.

    Returns (arrivals, lost, SimPy events scheduled).
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    beds = simpy.Resource(env, CAPACITY)
    lost = [0]

    def client(stay: float):
        with beds.request() as req:
            yield req
            yield env.timeout(stay)

    def source():
        for _ in range(n_arrivals):
            yield env.timeout(rng.exponential(1 / ARRIVALS_PER_DAY))
            if beds.count == CAPACITY:
                lost[0] += 1
            else:
                env.process(client(rng.exponential(MEAN_STAY_DAYS)))

    env.process(source())
    env.run()
    return n_arrivals, lost[0], simpy_events(env)


def project_run(cfg: SimConfig) -> tuple[int, int]:
    """The project's model without the DataFrame build: (record rows, SimPy events scheduled)."""
    m = ShelterModel(cfg, 0)
    log = m.run()
    return len(log), simpy_events(m.env)


def machine() -> str:
    """One line on where the numbers come from."""
    pkgs = ", ".join(f"{p} {version(p)}" for p in ("simpy", "numpy", "pandas"))
    cpu = platform.processor() or platform.machine()
    try:  # Linux: the CPU model name
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {pkgs}; "
            f"load average {load:.1f} (other work on the machine slows every number here)")


def best_of(fns: dict[str, Callable[[], Any]], repeats: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Best wall time of each function over ``repeats`` interleaved rounds, and its last result."""
    best = {k: float("inf") for k in fns}
    out: dict[str, Any] = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()  # start each timing from the same heap state
            t0 = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best, out


def kpi(k: pd.DataFrame, metric: str) -> float:
    return float(k[(k.place == "p") & (k.metric == metric)]["value"].iloc[0])


def run(n: int, repeats: int) -> None:
    """Time both models and print seconds, clients/s, events/s and the ratio per client."""
    cfg = project_config(n)
    fns: dict[str, Callable[[], Any]] = {
        "plain": lambda: plain_simpy(n), "run": lambda: project_run(cfg), "simulate": lambda: simulate(cfg, 0)}
    t, out = best_of(fns, repeats)
    ev: pd.DataFrame = out["simulate"]
    t_kpi, k_out = best_of({"kpis": lambda: kpis(ev, cfg)}, repeats)
    k: pd.DataFrame = k_out["kpis"]
    lost: int = out["plain"][1]
    plain_ev: int = out["plain"][2]
    rows: int = out["run"][0]
    proj_ev: int = out["run"][1]
    arrivals = int(kpi(k, "arrivals"))
    print(f"== loss place: {CAPACITY} places, exponential stays of {MEAN_STAY_DAYS:g} days, {ARRIVALS_PER_DAY} "
          f"arrivals/day, {n:,} arrivals; best of {repeats} ==")
    print(machine())
    print(f"clients: plain {n:,} (lost {lost / n:.4f}), project {arrivals:,} (lost {kpi(k, 'p_turned_away'):.4f}); "
          f"SimPy events: plain {plain_ev:,}, project {proj_ev:,}; project record rows {rows:,}")
    print(f"{'':34s}{'seconds':>8s}{'clients/s':>11s}{'SimPy ev/s':>12s}{'record rows/s':>15s}{'ratio/client':>14s}")
    per_plain = t["plain"] / n
    lines = [("plain SimPy (records nothing)", t["plain"], n, plain_ev, 0),
             ("project: model run only", t["run"], arrivals, proj_ev, rows),
             ("project: simulate() (+DataFrame)", t["simulate"], arrivals, proj_ev, rows),
             ("project: simulate() + kpis()", t["simulate"] + t_kpi["kpis"], arrivals, proj_ev, rows)]
    for label, sec, clients, sev, r in lines:
        rr = f"{r / sec:15,.0f}" if r else f"{'-':>15s}"
        print(f"{label:34s}{sec:8.2f}{clients / sec:11,.0f}{sev / sec:12,.0f}{rr}{sec / clients / per_plain:14.2f}")
    print(f"kpis() alone: {t_kpi['kpis']:.2f} s ({t_kpi['kpis'] / t['simulate']:.0%} of simulate()). "
          f"Goal: simulate() ratio/client <= 1.00 (it includes writing the event record).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arrivals", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3, help="best of this many interleaved rounds")
    a = ap.parse_args()
    run(a.arrivals, a.repeats)


if __name__ == "__main__":
    main()
