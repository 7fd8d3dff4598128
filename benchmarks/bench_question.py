"""The question ratio: wall seconds of the planner's question over what plain SimPy needs for the
same clients, and its peak memory.

The question is ``python -m sim -m scenarios=baseline,dno20 run.n_reps=<reps> run.plots=false
run.write_events=false run.n_jobs=<k>`` (1 year warm-up + 10 measured years), run as a
subprocess from the project root. Each job records in run.json how many client visits it
simulated; plain SimPy's seconds per client are measured in this process on the loss place
(``bench_loss.plain_simpy``), so

    question ratio = wall seconds / (clients simulated x plain-SimPy seconds per client)

compares across machines. Peak memory is the largest resident set of the command and its
children (``RUSAGE_CHILDREN``, the peak of any one process).

    python benchmarks/bench_question.py [--reps 100] [--n-jobs 1 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_loss import best_of, machine, plain_simpy

ROOT = Path(__file__).resolve().parent.parent


def plain_seconds_per_client(n: int = 100_000, repeats: int = 3) -> float:
    t, _ = best_of({"plain": lambda: plain_simpy(n)}, repeats)
    return t["plain"] / n


def question(reps: int, n_jobs: int, extra: list[str] | None = None) -> dict[str, float]:
    """Run the question once: wall seconds, clients simulated, replication seconds, peak MiB."""
    with tempfile.TemporaryDirectory(prefix="bench_q_") as tmp:
        sweep = Path(tmp) / "sweep"
        cmd = [sys.executable, "-m", "sim", "-m", "scenarios=baseline,dno20", f"run.n_reps={reps}",
               "run.plots=false", "run.write_events=false", f"run.n_jobs={n_jobs}", f"hydra.sweep.dir={sweep}",
               *(extra or [])]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
        infos = [json.loads(f.read_text()) for f in sorted(sweep.glob("*/run.json"))]
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "clients": float(sum(i["clients_simulated"] for i in infos)),
            "reps_s": sum(float(i["wall_seconds"]) for i in infos), "peak_mib": peak_mib}


def run(reps: int, n_jobs: list[int]) -> dict[int, float]:
    print(f"== the question: baseline vs dno20, {reps} replications x 11 years each, no plots, no events file ==")
    print(machine())
    per_client = plain_seconds_per_client()
    print(f"plain SimPy, loss place: {per_client * 1e6:.2f} us per client (best of 3, this run)")
    print(f"{'n_jobs':>6s}{'wall s':>8s}{'clients':>11s}{'replications s':>16s}{'other s':>9s}{'ratio':>7s}"
          f"{'peak MiB':>10s}")
    ratios = {}
    for k in n_jobs:
        q = question(reps, k)
        ratios[k] = q["wall"] / (q["clients"] * per_client)
        print(f"{k:6d}{q['wall']:8.1f}{q['clients']:11,.0f}{q['reps_s']:16.1f}{q['wall'] - q['reps_s']:9.1f}"
              f"{ratios[k]:7.2f}{q['peak_mib']:10.0f}")
    print("ratio: wall / (clients x plain-SimPy s per client). Goals: <= 1.0 with one worker, <= 0.6 with two. "
          "'other': start-up, checks, Hydra, tables and report (wall minus the jobs' replication time).")
    return ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2])
    a = ap.parse_args()
    run(a.reps, a.n_jobs)


if __name__ == "__main__":
    main()
