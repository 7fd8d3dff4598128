"""Where the time goes: cProfile tops and the simulation/KPI split.

Profiles (sorted by own time, top ``--top``) the loss place of bench_loss through
``simulate`` and one baseline replication through ``run_replication``; then times, without
the profiler, ``simulate`` against ``metrics.kpis`` over baseline replications.

    python benchmarks/profile_engine.py [--arrivals 200000] [--reps 10] [--top 15]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import time
from pathlib import Path
from typing import Callable

from bench_loss import project_config
from sim.config.compose import load_config
from bench_loss import simulate
from sim.run.experiment import run_replication
from sim.analysis.metrics import kpis

ROOT = str(Path(__file__).resolve().parent.parent) + "/"


def profile(label: str, fn: Callable[[], object], top: int) -> None:
    """Print the ``top`` functions of ``fn`` by own time."""
    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    out = io.StringIO()
    pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(top)
    text = re.sub(r"\S*site-packages/", "", out.getvalue().replace(ROOT, ""))  # simpy/core.py, sim/model.py
    lines = [ln for ln in text.splitlines() if ln.strip() and "Ordered by" not in ln and "List reduced" not in ln]
    print(f"-- {label} (cProfile; the profiler inflates small calls)")
    print("\n".join(lines))


def split(reps: int) -> None:
    """Simulation against KPI time over baseline replications 0..reps-1 (no profiler)."""
    cfg = load_config("baseline")
    t_sim = t_kpi = 0.0
    rows = 0
    for r in range(reps):
        t0 = time.perf_counter()
        ev = simulate(cfg, r)
        t1 = time.perf_counter()
        kpis(ev, cfg)
        t_sim, t_kpi, rows = t_sim + t1 - t0, t_kpi + time.perf_counter() - t1, rows + len(ev)
    print(f"-- baseline, {reps} replications of {cfg.run.horizon_days / 365:.0f} years ({rows / reps:,.0f} rows each): "
          f"simulate {t_sim / reps * 1e3:.0f} ms, kpis {t_kpi / reps * 1e3:.0f} ms per replication "
          f"(kpis = {t_kpi / (t_sim + t_kpi):.0%} of the replication)")


def run(arrivals: int, reps: int, top: int) -> None:
    print("== profile ==")
    cfg = project_config(arrivals)
    profile(f"loss place, {arrivals:,} arrivals: simulate()", lambda: simulate(cfg, 0), top)
    ev = simulate(cfg, 0)
    profile("loss place: kpis()", lambda: kpis(ev, cfg), top)
    base = load_config("baseline")
    profile("baseline: run_replication(cfg, 0)", lambda: run_replication(base, 0), top)
    split(reps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arrivals", type=int, default=200_000)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    run(a.arrivals, a.reps, a.top)


if __name__ == "__main__":
    main()
