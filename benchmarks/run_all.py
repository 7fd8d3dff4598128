"""All benchmarks, or one part, each measured against references taken in the same run.

    python benchmarks/run_all.py [--part engines|question|memory|scale|loss|profile|all]

engines   loss place and tandem with blocking: the project's engine, plain SimPy, Ciw and a
          pure-Python heapq loop, as a ratio per client to plain SimPy (bench_engines.py)
question  the 100-replication baseline-vs-dno20 question through the CLI for run.n_jobs=1 and 2:
          wall / (clients x plain-SimPy s per client), and peak memory (bench_question.py)
memory    peak memory at 10^6 clients and its scaling, in child processes (bench_memory.py)
scale     one 11-year replication at 1x to 40x Maastricht's demand and capacity (bench_scale.py)
loss      the loss place in detail: model run, DataFrame, KPIs (bench_loss.py; not part of 'all')
profile   cProfile tops and the simulation/KPI split (profile_engine.py; not part of 'all')

The whole set takes about 6 minutes on 2 cores; the question takes most of it.
"""

from __future__ import annotations

import argparse
import time

import bench_engines
import bench_loss
import bench_memory
import bench_question
import bench_scale
import profile_engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("engines", "question", "memory", "scale", "loss", "profile", "all"),
                    default="all")
    ap.add_argument("--clients", type=int, default=200_000, help="engines/loss: clients per run")
    ap.add_argument("--repeats", type=int, default=3, help="engines/loss: best of this many rounds")
    ap.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000],
                    help="memory: clients per run (the largest is the headline)")
    ap.add_argument("--reps", type=int, default=100, help="question: replications per scenario")
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2], help="question: worker counts")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 5, 10, 40], help="scale: multiples of demand")
    a = ap.parse_args()
    t0 = time.perf_counter()
    parts = ("engines", "question", "memory", "scale") if a.part == "all" else (a.part,)
    for part in parts:
        if part == "engines":
            bench_engines.run(a.clients, a.repeats)
        elif part == "question":
            bench_question.run(a.reps, a.n_jobs)
        elif part == "memory":
            bench_memory.run(a.sizes)
        elif part == "scale":
            bench_scale.run(a.scales, 1)
        elif part == "loss":
            bench_loss.run(a.clients, a.repeats)
        elif part == "profile":
            profile_engine.run(a.clients, 10, 15)
        print()
    print(f"benchmarks done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
