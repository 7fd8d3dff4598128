"""Replications on Dask (sim.cluster) equal the serial run exactly."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from distributed import LocalCluster  # a dependency: a missing install fails here rather than skipping

from sim.run.cluster import dask_executor, jobqueue_cluster
from sim.config.compose import load_config
from sim.analysis.results import Results
from sim.run.experiment import run_experiment
from tests.conftest import dist, make_config

pytestmark = pytest.mark.slow  # end to end: starts Dask clusters and worker processes


def assert_same(a: Results, b: Results) -> None:
    for name in ("kpis", "summary", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_local_cluster_with_two_workers_equals_serial() -> None:
    cfg = load_config("dno20", ["run=ci", "run.n_reps=4"])
    serial = run_experiment(cfg)
    with dask_executor(None) as executor:  # LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
        on_dask = run_experiment(cfg, executor)
    assert_same(serial, on_dask)
    assert serial.kpis["rep"].nunique() == 4


def test_scheduler_address_and_jobqueue_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """A running scheduler by address; a SLURM cluster through a stand-in dask_jobqueue module
    (the real one is optional) that receives the keyword arguments."""
    cfg = make_config(stay=dist("exponential", 2.0), arrivals_per_year=365.0 * 2, horizon=200.0, n_reps=3)
    serial = run_experiment(cfg)
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        with dask_executor(cluster.scheduler_address) as executor:
            assert_same(serial, run_experiment(cfg, executor))
    seen: dict[str, Any] = {}

    def slurm_cluster(**kwargs: Any) -> LocalCluster:
        seen.update(kwargs)
        return LocalCluster(n_workers=0, processes=False, dashboard_address=None)

    monkeypatch.setitem(sys.modules, "dask_jobqueue", types.SimpleNamespace(SLURMCluster=slurm_cluster))
    with dask_executor(jobqueue="slurm", n_workers=1, cores=2, memory="4GB", queue="normal") as executor:
        assert_same(serial, run_experiment(cfg, executor))
    assert seen == {"cores": 2, "memory": "4GB", "queue": "normal"}


def test_missing_jobqueue_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install dask-jobqueue=="):
        jobqueue_cluster("pbs", cores=1)
    with pytest.raises(ValueError, match="one of slurm, pbs"):
        jobqueue_cluster("lsf")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim.cluster", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_saves_the_serial_results(tmp_path: Path) -> None:
    out = cli("scenarios=dno20", "run=ci", "run.n_reps=2", "--workers", "1", "--out", "res", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "res" / "run.json").is_file() and "dno p_turned_away" in out.stdout
    serial = run_experiment(load_config("dno20", ["run=ci", "run.n_reps=2"]))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "res" / "kpis.csv"),
                                  serial.kpis.astype({"value": float}), check_exact=True, check_dtype=False)
    for bad in (["run=cii"], ["--address", "tcp://127.0.0.1:1", "--cluster-kw", "cores=2", "run=ci"],
                ["--cluster-kw", "cores", "run=ci"], ["--bogus", "run=ci"]):
        out = cli(*bad, cwd=tmp_path)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert out.stderr.startswith("sim.cluster: invalid input: ")
