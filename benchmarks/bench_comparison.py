"""Wall time of the planner's question: baseline against dno20 through the CLI.

Runs, as a subprocess from the project root,

    python -m sim -m scenarios=baseline,dno20 run.n_reps=100 run.plots=false \\
        run.write_events=false run.n_jobs=<k> hydra.sweep.dir=<temporary folder>

with the default run preset (1 year warm-up + 10 measured years), and prints the wall time
per worker count next to the replication time each job wrote to its run.json (the rest is
interpreter start, config checks, Hydra, the report and the tables).

    python benchmarks/bench_comparison.py [--reps 100] [--n-jobs 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = "baseline,dno20"


def run_cli(reps: int, n_jobs: int, sweep: Path) -> float:
    """Run the comparison once; its wall seconds. Raises if the CLI fails."""
    cmd = [sys.executable, "-m", "sim", "-m", f"scenarios={SCENARIOS}", f"run.n_reps={reps}", "run.plots=false",
           "run.write_events=false", f"run.n_jobs={n_jobs}", f"hydra.sweep.dir={sweep}"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return wall


def job_seconds(sweep: Path) -> dict[str, float]:
    """Replication wall seconds per job, as each job recorded in its run.json."""
    return {json.loads(f.read_text())["scenario"]: float(json.loads(f.read_text())["wall_seconds"])
            for f in sorted(sweep.glob("*/run.json"))}


def run(reps: int, n_jobs: list[int]) -> None:
    """Time the comparison for each worker count and print one line each."""
    print(f"== baseline vs dno20 through the CLI: {reps} replications x 11 years (1 warm-up + 10 measured), "
          f"no plots, no events file ==")
    print(f"{'n_jobs':>6s}{'wall s':>8s}{'reps/s':>8s}  {'replications per job (run.json)':42s} "
          f"{'other':>7s}{'load':>6s}  (other: start-up, Hydra, report, tables; load: 1-min average after)")
    for k in n_jobs:
        with tempfile.TemporaryDirectory(prefix="bench_cmp_") as tmp:
            sweep = Path(tmp) / "sweep"
            wall = run_cli(reps, k, sweep)
            jobs = job_seconds(sweep)
            if not (sweep / "comparison.csv").is_file() or len(jobs) != 2:
                raise RuntimeError(f"the sweep in {sweep} is incomplete: jobs {sorted(jobs)}")
        per_job = ", ".join(f"{name} {s:6.1f} s" for name, s in jobs.items())
        print(f"{k:6d}{wall:8.1f}{2 * reps / wall:8.2f}  {per_job:42s} {wall - sum(jobs.values()):5.1f} s"
              f"{os.getloadavg()[0]:6.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2], help="worker counts to time (run.n_jobs)")
    a = ap.parse_args()
    run(a.reps, a.n_jobs)


if __name__ == "__main__":
    main()
