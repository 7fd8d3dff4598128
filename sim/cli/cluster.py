"""``python -m sim.cluster``: one scenario's replications on a Dask cluster, then its result folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Optional

from sim.cli.args import OneLineParser
from sim.engine.vocab import measured_years
from sim.outputs.terminal import error, show
from sim.run.cluster import JOBQUEUE, JOBQUEUE_PIN, dask_executor, require_jobqueue


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m sim.cluster", allow_abbrev=False,
                                description="Run one scenario's replications on a Dask cluster and save its"
                                            " result folder.",
                                epilog="Other arguments are Hydra overrides: scenarios=dno20 run=quick ...")
    p.add_argument("--address", help="scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    p.add_argument("--jobqueue", choices=sorted(JOBQUEUE), help=f"start workers as batch jobs ({JOBQUEUE_PIN})")
    p.add_argument("--cluster-kw", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting of the cluster (dask-jobqueue or LocalCluster), e.g. --cluster-kw"
                        " cores=2 --cluster-kw memory=4GB --cluster-kw walltime=01:00:00")
    p.add_argument("--workers", type=int, default=2, help="workers of a local or jobqueue cluster (default 2)")
    p.add_argument("--out", type=Path, help="result folder (default outputs/dask/<name>_<timestamp>)")
    return p


def _setting(item: str) -> tuple[str, Any]:
    """``"cores=2"`` -> ("cores", 2): numbers become numbers, the rest stays text."""
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ValueError(f"--cluster-kw {item!r} is invalid: KEY=VALUE")
    return key, int(value) if value.isdigit() else value


def main(argv: Optional[list[str]] = None) -> int:
    """The command line: exit 0 when the folder is written, 2 on bad input."""

    from sim.config.compose import load_checked
    from sim.config.messages import one_line
    from sim.outputs.table import key_table
    from sim.outputs.writers import save
    from sim.run.experiment import run_experiment

    args, rest = _parser().parse_known_args(argv)
    try:  # composition and value errors: one line, exit 2, nothing written
        if unknown := [a for a in rest if a.startswith("-")]:
            raise ValueError(f"{unknown[0]} is invalid: an option of python -m sim.cluster --help or key=value")
        scenarios = [a.split("=", 1)[1] for a in rest if a.startswith("scenarios=")]
        checked = load_checked(scenarios[-1] if scenarios else "baseline",
                               [a for a in rest if not a.startswith("scenarios=")])
        cfg = checked.cfg
        settings = dict(_setting(s) for s in args.cluster_kw)
        if args.address is not None and (args.jobqueue is not None or settings):
            raise ValueError(f"--address={args.address} is invalid: with --jobqueue or --cluster-kw (give one)")
        if args.jobqueue is not None:
            require_jobqueue(args.jobqueue)  # fail before any work, in one line
    except Exception as exc:
        error(f"sim.cluster: invalid input: {one_line(exc)}")
        return 2
    out = args.out or Path("outputs") / "dask" / f"{cfg.name}_{time.strftime('%Y-%m-%d_%H-%M-%S')}"
    with dask_executor(args.address, jobqueue=args.jobqueue, n_workers=args.workers, **settings) as executor:
        res = run_experiment(checked, executor)
    save(res, out)
    years = measured_years(res.cfg.run)
    n_reps = res.n_reps_run  # a precision target may have added replications
    show(f"\n{cfg.name}: mean [95% CI] over {n_reps} replications of {years:.1f} measured years"
         f" ({res.wall_seconds:.1f} s on Dask) -> {out}\n" + key_table(res.summary, years) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
