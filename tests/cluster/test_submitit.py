"""Hydra's submitit launcher (SLURM's local stand-in) gives the basic launcher's results exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.preflight import check_jobs

pytestmark = pytest.mark.slow  # end to end: launches jobs through submitit

ROOT = Path(__file__).resolve().parents[2]
JOBS = ("0_baseline", "1_dno20")
ARGS = ("scenarios=baseline,dno20", "run=ci", "run.n_reps=2")


def test_submitit_local_equals_basic_launcher(tmp_path: Path) -> None:
    """Both sweeps run at once (two cores); every job's kpis.csv and summary.csv, and the
    side-by-side files written by the callback in the launching process, are byte-identical."""
    runs = {}
    for name, launcher in (("submitit", ["hydra/launcher=submitit_local"]), ("basic", [])):
        cmd = [sys.executable, "-m", "sim", "-m", *launcher, *ARGS, f"hydra.sweep.dir={tmp_path / name}"]
        runs[name] = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for name, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name}: {err[-2000:]}"
    sub, basic = tmp_path / "submitit", tmp_path / "basic"
    assert (sub / ".submitit").is_dir()  # the jobs really went through submitit
    for job in JOBS:
        for name in ("kpis.csv", "summary.csv", "run.json"):
            assert (sub / job / name).is_file(), f"{job}/{name} missing"
        for name in ("kpis.csv", "summary.csv"):
            assert (sub / job / name).read_bytes() == (basic / job / name).read_bytes(), f"{job}/{name} differs"
    for name in ("kpis.csv", "summary.csv", "comparison.csv"):  # SideBySide ran after the submitit jobs
        assert (sub / name).read_bytes() == (basic / name).read_bytes(), f"{name} differs"
    assert (sub / "sweep.json").is_file() and (sub / "report.html").is_file()


@pytest.mark.parametrize("launcher", ["submitit_local", "submitit_slurm", "slurm"])
def test_preflight_composes_every_job_with_the_launcher(launcher: str) -> None:
    """configs/hydra/launcher/slurm.yaml and the plugin's own launchers are on the search path."""
    assert check_jobs(["-m", f"hydra/launcher={launcher}", *ARGS]) == 2


def test_preflight_refuses_an_unknown_launcher() -> None:
    with pytest.raises(Exception, match="nosuch"):
        check_jobs(["-m", "hydra/launcher=nosuch", *ARGS])


def test_slurm_launcher_config() -> None:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm"], return_hydra_config=True)
    GlobalHydra.instance().clear()
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert (launcher.timeout_min, launcher.cpus_per_task, launcher.mem_gb, launcher.array_parallelism) == (60, 2, 4, 256)
    assert launcher.partition is None  # a placeholder the user sets
