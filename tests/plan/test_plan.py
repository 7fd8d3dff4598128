"""The capacity planner (sim.plan): against Erlang B where the answer is exact, and its search."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.studies.plan import PLAN_COLUMNS, plan_capacity, smallest
from sim.config.gate import PlanError, parse_target, with_capacity
from sim.config.schema import FollowupCfg, SimConfig
from sim.analysis.theory import erlang_b
from tests.conftest import dist, make_config

ROOT = Path(__file__).resolve().parents[2]
LOAD = 6.0  # erlangs: 6 arrivals a day, exponential stays of 1 day, no follow-up wait (a pure loss place)
TARGET = 0.05
C_STAR = next(c for c in range(1, 100) if erlang_b(c, LOAD) <= TARGET)  # 10: B(9, 6) = 0.075, B(10, 6) = 0.043


def loss(horizon: float = 1000.0, n_reps: int = 10) -> SimConfig:
    """A loss place; 1000 days x 10 reps give a 95% half-width of about 0.005 at c* (measured), far
    less than the gaps B(9) - 0.05 = 0.025 and 0.05 - B(10) = 0.007."""
    return make_config(stay=dist("exponential", 1.0), arrivals_per_year=365.0 * LOAD, horizon=horizon, warmup=20.0,
                       n_reps=n_reps, seed=20181017)


@pytest.mark.slow  # bisection over 20-replication runs at several capacities
def test_erlang_b_answer_is_inside_the_interval() -> None:
    res = plan_capacity(loss(), "p", "p_turned_away", TARGET, low=1, high=40)
    assert C_STAR == 10
    assert res.c_lo is not None and res.c_mean is not None and res.c_hi is not None
    assert res.c_lo <= C_STAR <= res.c_hi
    assert abs(res.c_mean - C_STAR) <= 1
    assert res.c_lo <= res.c_mean <= res.c_hi
    t = res.table()
    assert list(t.columns) == PLAN_COLUMNS and t["capacity"].is_monotonic_increasing
    assert (t["ci_low"] <= t["mean"]).all() and (t["mean"] <= t["ci_high"]).all()
    assert t["mean"].is_monotonic_decreasing  # common random numbers: paired clients, monotone in capacity
    assert "c_mean" in t.loc[t["capacity"] == res.c_mean, "answer"].iloc[0]


def test_target_met_at_low_returns_low_after_one_evaluation() -> None:
    res = plan_capacity(loss(horizon=200.0, n_reps=3), "p", "p_turned_away", TARGET, low=16, high=40)
    assert (res.c_lo, res.c_mean, res.c_hi) == (16, 16, 16)
    assert [e.capacity for e in res.evaluations] == [16]


def test_target_never_met_says_so() -> None:
    res = plan_capacity(loss(horizon=200.0, n_reps=3), "p", "p_turned_away", TARGET, low=1, high=5)
    assert (res.c_lo, res.c_mean, res.c_hi) == (None, None, None)
    assert "NOT MET at any capacity from 1 to 5" in res.verdict()
    assert sorted(e.capacity for e in res.evaluations) == [1, 5]


def test_bisection_evaluates_log_many_capacities() -> None:
    low, high = 1, 64
    res = plan_capacity(loss(horizon=200.0, n_reps=3), "p", "p_turned_away", TARGET, low=low, high=high)
    caps = [e.capacity for e in res.evaluations]
    assert caps[:3] == [1, 64, 32]  # low, high, then halves
    assert len(caps) == len(set(caps))  # cached: no capacity runs twice
    assert len(caps) <= 2 + 3 * math.ceil(math.log2(high - low))  # 20, against 64 for a scan
    assert res.c_mean is not None and abs(res.c_mean - C_STAR) <= 1


@pytest.mark.parametrize("n", [1, 2, 7, 64, 199])
def test_smallest_finds_every_threshold_in_log_calls(n: int) -> None:
    for threshold in range(0, n + 2):
        calls: list[int] = []

        def meets(c: int) -> bool:
            calls.append(c)
            return c >= threshold

        found = smallest(meets, 0, n)
        assert found == (threshold if threshold <= n else None)
        assert len(calls) <= 2 + math.ceil(math.log2(max(n, 1)))


def test_followup_place_and_refusals() -> None:
    follow = {"home": FollowupCfg(capacity=4, stay=dist("exponential", 5.0))}
    cfg = make_config(capacity=50, stay=dist("exponential", 1.0), arrivals_per_year=365.0, followup=follow,
                      horizon=400.0, warmup=50.0, n_reps=3)
    assert with_capacity(cfg, "home", 9).followup["home"].capacity == 9 and cfg.followup["home"].capacity == 4
    res = plan_capacity(cfg, "home", "mean_wait_followup_days", 1.0, low=1, high=20)
    assert res.c_lo is not None and res.c_mean is not None and res.c_hi is not None
    assert res.c_lo <= res.c_mean <= res.c_hi and res.c_mean > 5  # load 5 erlangs: at least 6 places
    with pytest.raises(PlanError, match="falls as p's capacity grows"):
        plan_capacity(cfg, "p", "mean_occupancy", 1.0)
    with pytest.raises(PlanError, match="crisis or follow-up place"):
        plan_capacity(cfg, "nowhere", "p_full", 0.1)
    with pytest.raises(PlanError, match="capacity_schedule"):
        plan_capacity(make_config(schedule=[(10.0, 2)]), "p", "p_full", 0.1)
    with pytest.raises(PlanError, match="metric<=number"):
        parse_target("p_full < 0.1")
    assert parse_target(" p_turned_away <= 0.05 ") == ("p_turned_away", 0.05)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim.plan", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_writes_csv_and_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    out = cli("scenarios=baseline", "--place", "dno", "--target", "p_turned_away<=0.05", "--low", "30", "--high",
              "40", "run=ci", "run.n_reps=2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "plan_baseline_dno_p_turned_away.csv")
    assert list(table.columns) == PLAN_COLUMNS and table["answer"].str.contains("c_mean").any()
    assert "smallest capacity whose mean meets the target" in out.stdout
    for bad in (["--place", "dnoo", "--target", "p_full<=0.1"], ["--place", "dno", "--target", "p_full=0.1"],
                ["--place", "dno", "--target", "p_full<=0.1", "scenarios=dno_cut_midrun"]):
        out = cli(*bad, "run=ci", cwd=tmp_path)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert out.stderr.startswith("sim.plan: invalid input: ")
