"""All benchmarks, or one part: engine speed, peak memory, and the baseline/dno20 comparison.

    python benchmarks/run_all.py [--part loss|memory|comparison|profile|all]

loss        the loss place through the project's engine and a plain-SimPy model (bench_loss.py)
memory      peak memory at 10^6 clients and its scaling, in child processes (bench_memory.py)
comparison  wall time of `python -m sim -m scenarios=baseline,dno20` at 100 replications (bench_comparison.py)
profile     cProfile tops and the simulation/KPI split (profile_engine.py; not part of 'all')

The whole set takes about 4-5 minutes on 2 cores; the comparison takes most of it.
"""

from __future__ import annotations

import argparse
import time

import bench_comparison
import bench_loss
import bench_memory
import profile_engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("loss", "memory", "comparison", "profile", "all"), default="all")
    ap.add_argument("--arrivals", type=int, default=200_000, help="loss: arrivals per run")
    ap.add_argument("--repeats", type=int, default=3, help="loss: best of this many rounds")
    ap.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000],
                    help="memory: clients per run (the largest is the headline)")
    ap.add_argument("--reps", type=int, default=100, help="comparison: replications per scenario")
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2], help="comparison: worker counts")
    a = ap.parse_args()
    t0 = time.perf_counter()
    if a.part in ("loss", "all"):
        bench_loss.run(a.arrivals, a.repeats)
        print()
    if a.part in ("memory", "all"):
        bench_memory.run(a.sizes)
        print()
    if a.part in ("comparison", "all"):
        bench_comparison.run(a.reps, a.n_jobs)
        print()
    if a.part == "profile":
        profile_engine.run(a.arrivals, 10, 15)
        print()
    print(f"benchmarks done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
