"""Scenario comparison with common random numbers, warm-up detection and a precision target."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import paired_differences, welch_interval
from sim.config.compose import load_config
from sim.run.experiment import run_experiment

# 20 replications: the paired and the shared-arrival counts correlate by only about 0.4-0.5
# (measured over 60 replications), so with 8 the sample widths were a coin toss for some seeds;
# with 20 the paired interval is narrower for all three metrics at 8 of 8 seeds tried.
SHORT = ["run=ci", "run.n_reps=20", "run.horizon_days=1200", "run.warmup_days=200"]


@pytest.fixture(scope="module")
def base_and_cut() -> pd.DataFrame:
    base = run_experiment(load_config("baseline", SHORT))
    cut = run_experiment(load_config("dno20", SHORT))
    return pd.concat([base.kpis, cut.kpis], ignore_index=True)


def test_a_scenario_that_changes_nothing_differs_by_exactly_zero():
    base = run_experiment(load_config("baseline", SHORT[:1] + ["run.n_reps=4"]))
    # the same policy reached through an override that restates the baseline's value
    same = run_experiment(load_config("baseline", SHORT[:1] + ["run.n_reps=4", "crisis_places.dno.capacity=35"]))
    k = pd.concat([base.kpis, same.kpis.assign(scenario="restated")], ignore_index=True)
    d = paired_differences(k, "baseline")
    assert len(d) > 50
    assert (d[["diff_mean", "diff_ci_low", "diff_ci_high"]].fillna(0.0) == 0.0).all().all()


def test_paired_interval_is_narrower_than_the_unpaired_one(base_and_cut):
    d = paired_differences(base_and_cut, "baseline")
    narrower = 0
    # the counts driven by the shared arrivals; occupancy of a DNO that is full all the time in
    # dno20 hardly co-varies with the baseline over this short run, so it is not asserted here
    for metric in ("turned_away", "p_turned_away", "admissions"):
        row = d[(d.place == "dno") & (d.metric == metric)].iloc[0]
        a = base_and_cut[(base_and_cut.scenario == "dno20") & (base_and_cut.place == "dno")
                         & (base_and_cut.metric == metric)].sort_values("rep")["value"].to_numpy()
        b = base_and_cut[(base_and_cut.scenario == "baseline") & (base_and_cut.place == "dno")
                         & (base_and_cut.metric == metric)].sort_values("rep")["value"].to_numpy()
        mean, lo, hi = welch_interval(a, b)
        assert mean == pytest.approx(row.diff_mean)
        narrower += (row.diff_ci_high - row.diff_ci_low) < (hi - lo)
    assert narrower == 3  # common random numbers pay off on every one of them


def test_dno20_turns_away_more_than_baseline_in_the_paired_comparison(base_and_cut):
    d = paired_differences(base_and_cut, "baseline")
    row = d[(d.place == "dno") & (d.metric == "turned_away")].iloc[0]
    assert row.scenario == "dno20" and row.n_reps == 20
    assert row.diff_ci_low > 0


def test_unknown_reference_is_refused(base_and_cut):
    with pytest.raises(KeyError, match="nosuch"):
        paired_differences(base_and_cut, "nosuch")


def test_mser5_detects_the_warmup_and_reports_it():
    cfg = load_config("dno20", ["run=ci", "run.n_reps=4", "run.warmup_method=mser5", "run.horizon_days=1500"])
    cfg = replace(cfg, initial_state=[])  # start empty: a clear transient to cut
    res = run_experiment(cfg)
    note = res.notes["warmup"]
    assert note["method"] == "mser5" and "MSER-5" in note["reason"]
    assert 0 < note["warmup_days"] <= 750 and res.cfg.run.warmup_days == note["warmup_days"]
    # KPIs use the detected warm-up: no admission before it is counted
    ev = res.events
    first_rep = ev[ev.rep == 0]
    counted = first_rep[(first_rep.kind == "enter") & (first_rep.place == "dno")
                        & (first_rep.t_days >= note["warmup_days"])]
    k = res.kpis
    assert k[(k.rep == 0) & (k.place == "dno") & (k.metric == "admissions")]["value"].item() == len(counted)


@pytest.mark.slow  # adds replications until a precision target is met
def test_precision_target_adds_replications_until_met():
    cfg = load_config("dno20", ["run=ci", "run.n_reps=3", "run.precision_half_width=0.06",
                                "run.precision_metrics=[dno.p_turned_away]", "run.max_reps=40"])
    res = run_experiment(cfg)
    p = res.notes["precision"]
    n = res.kpis["rep"].nunique()
    assert p["n_reps_used"] == n > 3
    assert sorted(res.kpis["rep"].unique()) == list(range(n))  # replications 0..n-1, none skipped
    hw = p["metrics"]["dno.p_turned_away"]["half_width"]
    assert p["met"] == (hw <= 0.06 * p["metrics"]["dno.p_turned_away"]["mean"])
    assert p["met"] or n == 40
    s = res.summary[(res.summary.place == "dno") & (res.summary.metric == "p_turned_away")].iloc[0]
    assert (s.ci_high - s.ci_low) / 2 == pytest.approx(hw)


def test_precision_target_respects_the_cap():
    cfg = load_config("dno20", ["run=ci", "run.n_reps=2", "run.precision_half_width=0.0001",
                                "run.precision_metrics=[dno.p_turned_away]", "run.max_reps=6"])
    res = run_experiment(cfg)
    assert res.kpis["rep"].nunique() == 6 and res.notes["precision"]["met"] is False
