"""Policy questions and calibration checks on the Maastricht/Heuvelland scenarios.

Comparisons use the 95% t-intervals the tool itself reports (``Results.summary``) or
standard errors over replications; no simulated number is hard-coded.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.config.compose import load_config
from sim.analysis.results import Results
from sim.run.experiment import run_experiment
from sim.engine.schedules import capacity_steps
from sim.analysis.series import occupancy_on_grid

pytestmark = pytest.mark.slow  # statistical checks of the Maastricht scenarios (long runs)

# S0 (Dec 2022): "gemiddeld 10 personen", "zes weken". Rounded figures, so a band around them:
OCCUPANCY_BAND = (9.5, 10.5)          # 10 people, rounded to whole people
STAY_BAND = (5.5 * 7, 6.5 * 7)        # six weeks, rounded to whole weeks: [38.5, 45.5] days


def run(scenario: str, *overrides: str) -> Results:
    t0 = time.perf_counter()
    res = run_experiment(load_config(scenario, ["run.plots=false", "run.n_jobs=2", *overrides]))
    print(f"{scenario}: {res.cfg.run.n_reps} reps x {res.cfg.run.horizon_days:.0f} days "
          f"in {time.perf_counter() - t0:.1f} s")
    return res


def row(res: Results, place: str, metric: str) -> pd.Series:
    s = res.summary
    hit = s[(s["place"] == place) & (s["metric"] == metric)]
    assert len(hit) == 1, (place, metric)
    return hit.iloc[0]


def overlaps(lo: float, hi: float, band: tuple[float, float]) -> bool:
    return lo <= band[1] and hi >= band[0]


# ------------------------------------------------------------------ (a) dno20
@pytest.fixture(scope="module")
def base_and_dno20() -> tuple[Results, Results]:
    # 1 year warm-up + 5 measured years, 10 replications: far enough apart to be robust
    over = ["run.horizon_days=2190", "run.n_reps=10", "run.write_events=false"]
    return run("baseline", *over), run("dno20", *over)


@pytest.mark.parametrize("metric", ["turned_away", "p_turned_away"])
def test_dno20_turns_away_more_than_baseline(base_and_dno20: tuple[Results, Results], metric: str) -> None:
    base, cut = base_and_dno20
    b, c = row(base, "dno", metric), row(cut, "dno", metric)
    print(f"dno {metric}: baseline {b['mean']:.3f} [{b['ci_low']:.3f}, {b['ci_high']:.3f}], "
          f"dno20 {c['mean']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}]")
    assert b["n_reps"] == c["n_reps"] == 10
    assert c["mean"] > b["mean"]
    assert c["ci_low"] > b["ci_high"], "95% intervals overlap"


def test_dno20_same_demand(base_and_dno20: tuple[Results, Results]) -> None:
    """Common random numbers: fewer places, same first-visit demand; the DNO holds fewer people."""
    base, cut = base_and_dno20
    b, c = row(base, "dno", "mean_occupancy"), row(cut, "dno", "mean_occupancy")
    assert c["ci_high"] < b["ci_low"]
    cap = cut.cfg.crisis_places["dno"]
    assert c["mean"] <= cap.capacity + cap.overflow_capacity


# ----------------------------------------------------------- (b) current_2022
@pytest.fixture(scope="module")
def current() -> Results:
    return run("current_2022", "run.n_reps=20", "run.write_events=false")


def test_current_2022_occupancy_matches_s0(current: Results) -> None:
    r = row(current, "dno", "mean_occupancy")
    lo, hi = r["ci_low"], r["ci_high"]
    within = OCCUPANCY_BAND[0] <= lo and hi <= OCCUPANCY_BAND[1]
    print(f"current_2022 dno mean_occupancy {r['mean']:.3f} [{lo:.3f}, {hi:.3f}], within band: {within}")
    assert r["n_reps"] == 20
    assert hi - lo < OCCUPANCY_BAND[1] - OCCUPANCY_BAND[0], "interval too wide to say anything"
    assert overlaps(lo, hi, OCCUPANCY_BAND), f"S0 says about 10 present; simulated [{lo:.2f}, {hi:.2f}]"


def test_current_2022_stay_matches_s0(current: Results) -> None:
    r = row(current, "dno", "mean_stay_days")
    lo, hi = r["ci_low"], r["ci_high"]
    print(f"current_2022 dno mean_stay_days {r['mean']:.2f} [{lo:.2f}, {hi:.2f}]")
    assert hi - lo < STAY_BAND[1] - STAY_BAND[0], "interval too wide to say anything"
    assert overlaps(lo, hi, STAY_BAND), f"S0 says six weeks; simulated [{lo:.1f}, {hi:.1f}] days"


def test_current_2022_capacity_is_not_binding(current: Results) -> None:
    """S0: 10 of 20 places in use, so the DNO is seldom full in this scenario."""
    full = row(current, "dno", "p_full")
    occ = row(current, "dno", "mean_occupancy")
    assert occ["ci_high"] < current.cfg.crisis_places["dno"].capacity
    assert full["ci_high"] < 0.5


# --------------------------------------------------------- (c) dno_cut_midrun
@pytest.fixture(scope="module")
def midrun() -> Results:
    res = run("dno_cut_midrun", "run.n_reps=10")
    assert res.cfg.run.write_events
    return res


def test_cut_lowers_occupancy(midrun: Results) -> None:
    cfg = midrun.cfg
    w, h = cfg.run.warmup_days, cfg.run.horizon_days
    cut_day = cfg.crisis_places["dno"].capacity_schedule[0].from_day
    assert w + 365 <= cut_day <= h - 365, "the cut must fall between the first and the last measured year"
    first = occupancy_on_grid(midrun.events, "dno", np.arange(w, w + 365, 1.0)).mean(axis=0)
    last = occupancy_on_grid(midrun.events, "dno", np.arange(h - 365, h, 1.0)).mean(axis=0)
    assert len(first) == len(last) == cfg.run.n_reps
    diff = (last - first).to_numpy()  # paired by replication
    lo, hi = stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(), scale=stats.sem(diff))
    print(f"dno_cut_midrun: first measured year {first.mean():.2f}, last year {last.mean():.2f}, "
          f"difference {diff.mean():.2f} [{lo:.2f}, {hi:.2f}]")
    assert hi < 0


def dno_levels(e: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, level before the event, is_enter) for the DNO's enter/exit events in record order."""
    e = e[(e["place"] == "dno") & e["kind"].isin(["enter", "exit"])]
    step = np.where(e["kind"].to_numpy() == "enter", 1, -1)
    after = np.cumsum(step)
    return e["t_days"].to_numpy(), after - step, step == 1


def test_no_admission_beyond_capacity_plus_overflow(midrun: Results) -> None:
    p = midrun.cfg.crisis_places["dno"]
    steps = capacity_steps(p)
    step_t = np.array([t for t, _ in steps])
    step_c = np.array([c for _, c in steps])
    cut_day = step_t[-1]
    assert len(steps) == 2 and step_c[1] < step_c[0]
    reached_after_cut = 0
    for rep, e in midrun.events.groupby("rep"):
        t, before, enter = dno_levels(e)
        assert (before >= 0).all() and (before + np.where(enter, 1, -1) >= 0).all(), f"rep {rep}: negative level"
        cap = step_c[np.searchsorted(step_t, t, side="right") - 1]
        # at the very instant of a change, either capacity may apply (SimPy orders same-time events)
        cap_left = step_c[np.maximum(np.searchsorted(step_t, t, side="left") - 1, 0)]
        limit = np.maximum(cap, cap_left) + p.overflow_capacity
        bad = enter & (before >= limit)
        assert not bad.any(), (f"rep {rep}: admitted at day {t[bad][0]:.2f} with {before[bad][0]} present, "
                               f"limit {limit[bad][0]}")
        # the limit binds: admissions happen up to the last free place, also after the cut
        reached_after_cut += int((enter & (t > cut_day) & (before == limit - 1)).any())
        # the cut evicts nobody
        assert not ((t == cut_day) & ~enter).any(), f"rep {rep}: exits at the cut"
    assert reached_after_cut > 0


def test_cut_evicts_nobody_and_level_drains(midrun: Results) -> None:
    p = midrun.cfg.crisis_places["dno"]
    cut_day, new_cap = capacity_steps(p)[-1]
    at_cut = occupancy_on_grid(midrun.events, "dno", np.array([cut_day - 1e-9, cut_day + 1e-9]))
    assert (at_cut.iloc[0] == at_cut.iloc[1]).all(), "the level jumps at the cut"
    # in at least one replication more people are present at the cut than the new limit allows
    assert (at_cut.iloc[1] > new_cap + p.overflow_capacity).any()
