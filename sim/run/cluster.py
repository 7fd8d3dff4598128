"""Replications beyond one machine, on Dask (``dask.distributed``): a local cluster, a remote
scheduler, or SLURM/PBS through dask-jobqueue (optional; imported only when asked for).

Each replication is a pure function of (config, rep), so the results equal the serial run's
exactly, whatever the cluster. Workers must be able to ``import sim`` at the same version
(same checkout, ``pip install -e .``): tasks refer to :func:`sim.run.experiment.run_replication`.

``python -m sim.cluster scenarios=dno20 [--address tcp://host:8786 | --jobqueue slurm --cluster-kw
cores=2 ...] [--workers 2] [--out DIR] [overrides]`` runs one scenario and writes its result folder
(default ``outputs/dask/<name>_<timestamp>``).
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from contextlib import contextmanager
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
    """An Executor on a Dask cluster for :func:`sim.run.experiment.run_experiment`; closed on exit.

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
