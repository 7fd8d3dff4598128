"""The resource guard: estimates close to real runs, and huge runs refused before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.config.resources as guard
from sim.config.compose import load_config
from sim.config.messages import one_line
from sim.run.experiment import run_experiment
from sim.config import gate
from sim.config.resources import ResourceError, check_sweep, estimate, memory_limit
from sim.cli.preflight import check_jobs
from sim.config.schema import RatePeriodCfg
from sim.config.errors import ConfigError
from tests.conftest import dist, make_config

HUGE = ["run.horizon_days=36500", "run.n_reps=100000"]  # 100 years x 100,000 replications: terabytes


def check(cfg, limit=None):
    """The gate's memory check: the estimate of a run that passes, ResourceError otherwise."""
    return gate.check(cfg, limit).estimate


@pytest.mark.parametrize("scenario", ["baseline", "dno20"])
def test_estimate_within_factor_two_of_real_run(scenario: str) -> None:
    cfg = load_config(scenario, ["run=ci", "run.n_reps=2"])
    est, events = estimate(cfg, {}), len(run_experiment(cfg).events)
    assert events / 2 <= est.events <= 2 * events, (est, events)
    assert est.events >= events  # meant as an upper-ish bound
    assert est.reps == 2 and est.bytes > guard.BYTES_PER_EVENT * events


def test_estimate_counts_schedules_reentry_and_initial_state() -> None:
    cfg = make_config(capacity=4, arrivals_per_year=365.0, horizon=100.0, n_reps=3, initial=[("p", 4)])
    assert estimate(cfg, {}).clients == pytest.approx(100.0 + 4)
    cfg.groups["g"].rate_schedule = [RatePeriodCfg(from_day=50.0, arrivals_per_year=730.0)]
    assert estimate(cfg, {}).clients == pytest.approx(50.0 + 100.0 + 4)
    cfg.groups["g"].rate_schedule = []
    cfg.groups["g"].reentry_share, cfg.groups["g"].reentry_delay = 0.5, dist("exponential", 30.0)
    assert estimate(cfg, {}).clients == pytest.approx(200.0 + 4)
    cfg.groups["g"].reentry_share = 1.0  # everybody returns: bounded by one return per mean delay
    assert estimate(cfg, {}).clients == pytest.approx(100.0 * (1 + 100.0 / 30.0) + 4)
    assert estimate(cfg, traces={"g": (1.0, 2.0, 500.0)}).clients == pytest.approx(2 * (1 + 100.0 / 30.0) + 4)


def test_small_run_passes_and_huge_run_is_refused_in_one_line() -> None:
    assert check(make_config()).events > 0  # what run_experiment would call first
    with pytest.raises(ResourceError) as err:  # the gate refuses it as the config is loaded
        load_config("baseline", [*HUGE, "run.max_memory_gb=4"])
    msg = one_line(err.value)
    assert isinstance(err.value, ConfigError) and err.value.key == "run"
    assert msg.startswith("run: about ") and "\n" not in msg
    assert "100000 replications" in msg and "run.max_memory_gb=" in msg and "run.n_reps" in msg


def test_override_lets_the_check_pass() -> None:
    cfg = load_config("baseline", ["run.horizon_days=36500", "run.n_reps=1000", "run.max_memory_gb=1e6"])
    assert memory_limit(cfg) == (1e6 * guard.GB, "run.max_memory_gb")
    assert check(cfg).bytes < 1e6 * guard.GB
    cfg.run.max_memory_gb = 1.0
    with pytest.raises(ResourceError, match=r"the limit is 1\.0 GB \(run\.max_memory_gb\)"):
        check(cfg)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_limit_is_refused(bad: float) -> None:
    cfg = make_config()
    cfg.run.max_memory_gb = bad
    with pytest.raises(ConfigError, match="run.max_memory_gb"):
        check(cfg)


def test_default_limit_is_share_of_available_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    avail = guard.available_bytes()
    assert avail is None or avail > 0
    monkeypatch.setattr(guard, "available_bytes", lambda: 10e9)
    limit, source = memory_limit(make_config())
    assert limit == pytest.approx(8e9) and "80% of the 10.0 GB available" in source
    monkeypatch.setattr(guard, "available_bytes", lambda: None)  # the system does not say: no machine limit
    assert memory_limit(make_config())[0] == float("inf")


def test_sweep_total_is_checked() -> None:
    one = guard.Estimate(events=1e7, bytes=5.3e9, clients=1.0, reps=10)
    check_sweep([one], (6e9, "run.max_memory_gb"))  # a single job: its own check suffices
    with pytest.raises(ResourceError, match="2 jobs hold about 20,000,000 events"):
        check_sweep([one, one], (6e9, "run.max_memory_gb"))


def test_check_jobs_refuses_a_sweep_too_large_together() -> None:
    argv = ["-m", "scenarios=baseline,dno20", "run.horizon_days=36500", "run.n_reps=20", "run.max_memory_gb=6"]
    with pytest.raises(ResourceError, match="side-by-side report"):
        check_jobs(argv)
    with pytest.raises(ResourceError, match="in job 1 of 2"):
        check_jobs([*argv[:-1], "run.max_memory_gb=2"])


def test_cli_refuses_huge_run_quickly_and_writes_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "sim", "scenarios=baseline", *HUGE, f"hydra.run.dir={tmp_path}/run"],
                       cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    took = time.monotonic() - t0
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "run.max_memory_gb" in lines[0] and "events" in lines[0], p.stderr
    assert p.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no run folder, no outputs/
    assert took < 5.0, f"took {took:.1f} s: something was simulated"
