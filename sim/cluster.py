"""Replications beyond one machine, on Dask (``dask.distributed``): a local cluster, a remote
scheduler, or SLURM/PBS through dask-jobqueue (optional; imported only when asked for).

Each replication is a pure function of (config, rep), so the results equal the serial run's
exactly, whatever the cluster. Workers must be able to ``import sim`` at the same version
(same checkout, ``pip install -e .``): tasks refer to :func:`sim.experiment.run_replication`.

``python -m sim.cluster scenarios=dno20 [--address tcp://host:8786 | --jobqueue slurm --cluster-kw
cores=2 ...] [--workers 2] [--out DIR] [overrides]`` runs one scenario and writes its result folder
(default ``outputs/dask/<name>_<timestamp>``).
"""

from __future__ import annotations

import argparse
import logging
import time
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

JOBQUEUE = {"slurm": "SLURMCluster", "pbs": "PBSCluster"}  # dask_jobqueue classes
JOBQUEUE_PIN = "dask-jobqueue==0.9.0"


def require_jobqueue(kind: str) -> Any:
    """The ``dask_jobqueue`` module, or an ImportError saying how to install it."""
    try:
        import dask_jobqueue  # optional: only on HPC machines
    except ImportError as exc:
        raise ImportError(f"a {kind.upper()} cluster needs dask-jobqueue: pip install {JOBQUEUE_PIN}") from exc
    return dask_jobqueue


def jobqueue_cluster(kind: str, **kwargs: Any) -> Any:
    """A ``dask_jobqueue.SLURMCluster`` or ``PBSCluster`` built from ``kwargs`` (cores, memory,
    queue, walltime, account, ...; see the dask-jobqueue documentation)."""
    if kind not in JOBQUEUE:
        raise ValueError(f"jobqueue={kind!r} is invalid: one of {', '.join(JOBQUEUE)}")
    return getattr(require_jobqueue(kind), JOBQUEUE[kind])(**kwargs)


@contextmanager
def dask_executor(address: Optional[str] = None, *, jobqueue: Optional[str] = None, n_workers: int = 2,
                  **cluster_kwargs: Any) -> Iterator[Executor]:
    """An Executor on a Dask cluster for :func:`sim.experiment.run_experiment`; closed on exit.

    - ``address=None`` (default): a LocalCluster of ``n_workers`` processes with one thread each
      (``cluster_kwargs`` go to LocalCluster);
    - ``address="tcp://host:8786"``: an existing scheduler and its workers;
    - ``jobqueue="slurm"`` or ``"pbs"``: a dask-jobqueue cluster built from ``cluster_kwargs``,
      scaled to ``n_workers`` workers (batch jobs that each run one or more workers).
    """
    from distributed import Client, LocalCluster

    if address is not None and (jobqueue is not None or cluster_kwargs):
        raise ValueError("give either a scheduler address or cluster settings, not both")
    cluster: Any = None
    if jobqueue is not None:
        cluster = jobqueue_cluster(jobqueue, **cluster_kwargs)
        cluster.scale(n_workers)
    elif address is None:
        settings: dict[str, Any] = {"silence_logs": logging.WARNING, "dashboard_address": None} | cluster_kwargs
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **settings)
    try:
        with Client(cluster if cluster is not None else address) as client:
            yield client.get_executor(pure=False)  # pure=False: no hashing of the config
    finally:
        if cluster is not None:
            cluster.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sim.cluster", allow_abbrev=False,
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
    import sys

    from sim.config import load_config
    from sim.errors import one_line
    from sim.experiment import run_experiment
    from sim.io import save
    from sim.table import key_table

    args, rest = _parser().parse_known_args(argv)
    try:  # composition and value errors: one line, exit 2, nothing written
        if unknown := [a for a in rest if a.startswith("-")]:
            raise ValueError(f"{unknown[0]} is invalid: an option of python -m sim.cluster --help or key=value")
        scenarios = [a.split("=", 1)[1] for a in rest if a.startswith("scenarios=")]
        cfg = load_config(scenarios[-1] if scenarios else "baseline",
                          [a for a in rest if not a.startswith("scenarios=")])
        settings = dict(_setting(s) for s in args.cluster_kw)
        if args.address is not None and (args.jobqueue is not None or settings):
            raise ValueError(f"--address={args.address} is invalid: with --jobqueue or --cluster-kw (give one)")
        if args.jobqueue is not None:
            require_jobqueue(args.jobqueue)  # fail before any work, in one line
    except Exception as exc:
        print(f"sim.cluster: invalid input: {one_line(exc)}", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / "dask" / f"{cfg.name}_{time.strftime('%Y-%m-%d_%H-%M-%S')}"
    with dask_executor(args.address, jobqueue=args.jobqueue, n_workers=args.workers, **settings) as executor:
        res = run_experiment(cfg, executor)
    save(res, out)
    years = (res.cfg.run.horizon_days - res.cfg.run.warmup_days) / 365.0
    print(f"\n{cfg.name}: mean [95% CI] over {cfg.run.n_reps} replications of {years:.1f} measured years"
          f" ({res.wall_seconds:.1f} s on Dask) -> {out}\n" + key_table(res.summary, years) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
