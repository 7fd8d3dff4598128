"""Speed of the project's engine against a minimal plain-SimPy model of the same system.

A single loss place: 35 places, exponential stays of 42 days, 0.8 arrivals a day, no
follow-up blocking. Both models run in this process, one after the other; the ratio
(project seconds / plain seconds) is what to compare across machines.

    python benchmarks/bench_loss.py [--arrivals 200000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

from sim.experiment import simulate
from sim.metrics import kpis
from sim.schema import CrisisPlaceCfg, DistCfg, FollowupCfg, GroupCfg, RunCfg, SimConfig

CAPACITY, MEAN_STAY_DAYS, ARRIVALS_PER_DAY = 35, 42.0, 0.8


def project_config(n_arrivals: int) -> SimConfig:
    horizon = n_arrivals / ARRIVALS_PER_DAY
    return SimConfig(
        name="bench", origin_shares={"x": 1.0}, sex_shares={"x": 1.0},
        groups={"g": GroupCfg(arrivals_per_year=ARRIVALS_PER_DAY * 365, places=["p"], routes={"p": {"out": 1.0}})},
        crisis_places={"p": CrisisPlaceCfg(capacity=CAPACITY, stay=DistCfg("exponential", MEAN_STAY_DAYS))},
        followup={"out": FollowupCfg()},
        run=RunCfg(horizon_days=horizon, warmup_days=0.0, n_reps=1, seed=1, plots=False),
    )


def plain_simpy(n_arrivals: int, seed: int = 1) -> tuple[int, int]:
    """The textbook SimPy model: a process per client, a Resource for the places."""
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
    return n_arrivals, lost[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arrivals", type=int, default=200_000)
    n = ap.parse_args().arrivals
    t0 = time.perf_counter()
    _, lost = plain_simpy(n)
    plain = time.perf_counter() - t0
    cfg = project_config(n)
    t0 = time.perf_counter()
    ev = simulate(cfg, 0)
    engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    k = kpis(ev, cfg)
    metrics = time.perf_counter() - t0
    arrivals = int(k[(k.place == "p") & (k.metric == "arrivals")]["value"].iloc[0])
    p_lost = float(k[(k.place == "p") & (k.metric == "p_turned_away")]["value"].iloc[0])
    print(f"clients: plain {n:,} (lost {lost / n:.4f}), project {arrivals:,} (lost {p_lost:.4f}); events {len(ev):,}")
    print(f"plain SimPy       {plain:7.2f} s  {n / plain:10,.0f} clients/s")
    print(f"project engine    {engine:7.2f} s  {arrivals / engine:10,.0f} clients/s  (event record included)")
    print(f"project + KPIs    {engine + metrics:7.2f} s")
    print(f"ratio per client (project / plain): engine {engine / arrivals / (plain / n):.2f}, "
          f"with KPIs {(engine + metrics) / arrivals / (plain / n):.2f}")


if __name__ == "__main__":
    main()
