"""National scale: one replication of 11 years (1 warm-up + 10 measured) of the baseline with
demand and every capacity multiplied by k, and how its time grows from k = 1 to k = 40.

At k = 40 the crisis places see about 19,000 arrivals a year, the order of the whole country.
Times are per replication (``run_replication``: simulation and KPIs), best of ``--repeats``;
``s per 1000 clients`` staying flat means the engine scales linearly.

    python benchmarks/bench_scale.py [--scales 1 5 10 40] [--repeats 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from bench_loss import machine
from sim import load_config, run_replication
from sim.config.schema import SimConfig


def scaled(cfg: SimConfig, k: int) -> SimConfig:
    """``cfg`` with every arrival rate, capacity, overflow and initial count multiplied by ``k``."""
    groups = {g: replace(c, arrivals_per_year=c.arrivals_per_year * k,
                         rate_schedule=[replace(p, arrivals_per_year=p.arrivals_per_year * k) for p in c.rate_schedule])
              for g, c in cfg.groups.items()}
    crisis = {p: replace(c, capacity=c.capacity * k, overflow_capacity=c.overflow_capacity * k,
                         capacity_schedule=[replace(s, capacity=s.capacity * k) for s in c.capacity_schedule])
              for p, c in cfg.crisis_places.items()}
    follow = {f: replace(c, capacity=None if c.capacity is None else c.capacity * k,
                         other_arrivals_per_year=c.other_arrivals_per_year * k) for f, c in cfg.followup.items()}
    initial = [replace(i, count=i.count * k) for i in cfg.initial_state]
    return replace(cfg, name=f"{cfg.name}_x{k}", groups=groups, crisis_places=crisis, followup=follow,
                   initial_state=initial)


def run(scales: list[int], repeats: int) -> dict[int, float]:
    base = load_config("baseline", ["run.n_reps=1", "run.plots=false"])
    print(f"== national scale: one replication of {base.run.horizon_days / 365:.0f} years of the baseline, demand"
          f" and capacities x k; best of {repeats} ==")
    print(machine())
    print(f"{'k':>4s}{'crisis arrivals/yr':>20s}{'clients':>10s}{'seconds':>9s}{'s per 1000 clients':>20s}")
    out = {}
    for k in scales:
        cfg = scaled(base, k)
        best, clients = float("inf"), 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            ev, _ = run_replication(cfg, 0)
            best = min(best, time.perf_counter() - t0)
            clients = int((ev["kind"] == "arrive").sum())
        per_year = sum(g.arrivals_per_year for g in cfg.groups.values())
        out[k] = best
        print(f"{k:4d}{per_year:20,.0f}{clients:10,d}{best:9.2f}{best / clients * 1000:20.3f}")
    if len(out) > 1:
        lo, hi = min(out), max(out)
        print(f"time grows {out[hi] / out[lo]:.1f}x from k = {lo} to k = {hi} ({hi / lo:.0f}x the clients)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 5, 10, 40])
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    run(a.scales, a.repeats)


if __name__ == "__main__":
    main()
