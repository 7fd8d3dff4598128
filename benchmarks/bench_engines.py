"""The project's engine against three references, on two systems, as a ratio per client.

Systems (exponential stays, Poisson arrivals):

- **loss**: one place, 35 places, stays of 42 days, 0.8 arrivals a day; a newcomer who finds
  it full is turned away (Erlang B).
- **tandem**: a crisis place (10 places, stays of 10 days) then a follow-up place (5 places,
  stays of 15 days), blocking after service: a client whose follow-up place is full keeps the
  crisis bed until one frees; 0.9 arrivals a day; a newcomer who finds the crisis place full is
  turned away.

Engines, all measured in this process, rounds interleaved, best of ``--repeats``:

- ``project``: ``sim.run.experiment.simulate`` (the SimPy model **with** its event record and
  the DataFrame of it);
- ``simpy``: the textbook plain-SimPy model (a process per client, ``simpy.Resource``), which
  records nothing;
- ``ciw``: the same network in Ciw (``queue_capacities=[0, 0]``: loss at entry, blocking
  after service), which keeps its own records;
- ``heapq``: a pure-Python event loop on ``heapq`` (the floor of what Python can do).

Each line gives seconds, clients per second and the ratio per client to plain SimPy, so the
figures compare across machines. Every engine's share turned away is printed beside Erlang B
(loss) as a check that they simulate the same system.

    python benchmarks/bench_engines.py [--clients 200000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import heapq
from collections import deque
from typing import Any, Callable

import numpy as np
import simpy

from bench_loss import best_of, machine, simulate
from sim.analysis.theory import erlang_b
from sim.config.schema import CrisisPlaceCfg, DistCfg, FollowupCfg, GroupCfg, RunCfg, SimConfig

SYSTEMS: dict[str, dict[str, float]] = {
    "loss": {"c1": 35, "s1": 42.0, "lam": 0.8},
    "tandem": {"c1": 10, "s1": 10.0, "c2": 5, "s2": 15.0, "lam": 0.9},
}


def project_config(system: str, n: int) -> SimConfig:
    p = SYSTEMS[system]
    follow = {"out": FollowupCfg()}
    route = {"out": 1.0}
    if system == "tandem":
        follow = {"f": FollowupCfg(capacity=int(p["c2"]), stay=DistCfg("exponential", p["s2"]))}
        route = {"f": 1.0}
    return SimConfig(
        name="bench", origin_shares={"x": 1.0}, sex_shares={"x": 1.0},
        groups={"g": GroupCfg(arrivals_per_year=p["lam"] * 365, places=["p"], routes={"p": route})},
        crisis_places={"p": CrisisPlaceCfg(capacity=int(p["c1"]), stay=DistCfg("exponential", p["s1"]))},
        followup=follow, run=RunCfg(horizon_days=n / p["lam"], warmup_days=0.0, n_reps=1, seed=1, plots=False))


def project(system: str, n: int) -> tuple[int, int]:
    """(clients, turned away) through the project's engine, record and DataFrame included."""
    ev = simulate(project_config(system, n), 0)
    kind = ev["kind"].to_numpy()
    return int((kind == "arrive").sum()), int((kind == "turned_away").sum())


def plain_simpy(system: str, n: int, seed: int = 1) -> tuple[int, int]:
    p = SYSTEMS[system]
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    beds = simpy.Resource(env, int(p["c1"]))
    follow = simpy.Resource(env, int(p.get("c2", 1)))
    lost = [0]

    def client(stay: float, stay2: float):  # type: ignore[no-untyped-def]
        bed = beds.request()
        yield bed
        yield env.timeout(stay)
        if system == "tandem":
            place = follow.request()
            yield place  # blocking after service: the crisis bed is held meanwhile
            beds.release(bed)
            yield env.timeout(stay2)
            follow.release(place)
        else:
            beds.release(bed)

    def source():  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(rng.exponential(1 / p["lam"]))
            if beds.count == beds.capacity:
                lost[0] += 1
            else:
                env.process(client(rng.exponential(p["s1"]), rng.exponential(p.get("s2", 1.0))))

    env.process(source())
    env.run()
    return n, lost[0]


def ciw_run(system: str, n: int, seed: int = 1) -> tuple[int, int]:
    import ciw

    p = SYSTEMS[system]
    horizon = n / p["lam"]
    if system == "loss":
        net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(p["lam"])],
                                 service_distributions=[ciw.dists.Exponential(1 / p["s1"])],
                                 number_of_servers=[int(p["c1"])], queue_capacities=[0])
    else:
        net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(p["lam"]), None],
                                 service_distributions=[ciw.dists.Exponential(1 / p["s1"]),
                                                        ciw.dists.Exponential(1 / p["s2"])],
                                 routing=[[0.0, 1.0], [0.0, 0.0]], number_of_servers=[int(p["c1"]), int(p["c2"])],
                                 queue_capacities=[0, 0])
    ciw.seed(seed)
    q = ciw.Simulation(net)
    q.simulate_until_max_time(horizon)
    first = [r for r in q.get_all_records() if r.node == 1]  # every arrival at the crisis place: served or rejected
    return len(first), sum(1 for r in first if r.record_type == "rejection")


def heapq_run(system: str, n: int, seed: int = 1) -> tuple[int, int]:
    """A pure-Python event loop: events (time, seq, kind), a FIFO of blocked clients."""
    p = SYSTEMS[system]
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / p["lam"], n).tolist()
    s1 = rng.exponential(p["s1"], n).tolist()
    s2 = rng.exponential(p.get("s2", 1.0), n).tolist()
    c1, c2 = int(p["c1"]), int(p.get("c2", 0))
    busy1 = busy2 = lost = 0
    blocked: deque[int] = deque()
    events: list[tuple[float, int, int, int]] = [(gaps[0], 0, 0, 0)]  # (time, seq, kind, client)
    seq, t_arr = 1, gaps[0]
    while events:
        t, _, kind, i = heapq.heappop(events)
        if kind == 0:  # arrival
            if busy1 == c1:
                lost += 1
            else:
                busy1 += 1
                heapq.heappush(events, (t + s1[i], seq, 1, i))
                seq += 1
            if i + 1 < n:
                t_arr += gaps[i + 1]
                heapq.heappush(events, (t_arr, seq, 0, i + 1))
                seq += 1
        elif kind == 1:  # end of the crisis stay
            if system == "loss":
                busy1 -= 1
            elif busy2 < c2:
                busy1, busy2 = busy1 - 1, busy2 + 1
                heapq.heappush(events, (t + s2[i], seq, 2, i))
                seq += 1
            else:
                blocked.append(i)
        else:  # end of the follow-up stay: the longest-blocked client moves up
            busy2 -= 1
            if blocked:
                j = blocked.popleft()
                busy1, busy2 = busy1 - 1, busy2 + 1
                heapq.heappush(events, (t + s2[j], seq, 2, j))
                seq += 1
    return n, lost


ENGINES: dict[str, Callable[[str, int], tuple[int, int]]] = {
    "project": project, "simpy": plain_simpy, "ciw": ciw_run, "heapq": heapq_run}


def run(n: int, repeats: int) -> dict[str, dict[str, float]]:
    """Print and return seconds per client relative to plain SimPy, per system and engine."""
    print(f"== engines: {n:,} clients per run, best of {repeats} ==")
    print(machine())
    ratios: dict[str, dict[str, float]] = {}
    for system in SYSTEMS:
        fns: dict[str, Callable[[], Any]] = {e: (lambda e=e: ENGINES[e](system, n)) for e in ENGINES}
        t, out = best_of(fns, repeats)
        base = t["simpy"] / out["simpy"][0]
        p = SYSTEMS[system]
        theory = f"; Erlang B {erlang_b(int(p['c1']), p['lam'] * p['s1']):.4f}" if system == "loss" else ""
        print(f"-- {system}: {', '.join(f'{k} {v:g}' for k, v in p.items())}{theory}")
        print(f"{'engine':10s}{'seconds':>9s}{'clients/s':>12s}{'turned away':>13s}{'ratio/client':>14s}")
        ratios[system] = {}
        for e in ENGINES:
            clients, lost = out[e]
            r = (t[e] / clients) / base
            ratios[system][e] = r
            print(f"{e:10s}{t[e]:9.2f}{clients / t[e]:12,.0f}{lost / clients:13.4f}{r:14.2f}")
    print("ratio/client: seconds per client over plain SimPy's; the project's includes its event record "
          "and DataFrame. Design goal: project <= 0.60 on the loss place.")
    return ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    run(a.clients, a.repeats)


if __name__ == "__main__":
    main()
