"""Every scenario file composes, validates, runs a short horizon and yields the required KPIs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from omegaconf import DictConfig, OmegaConf

from sim.config.paths import SCENARIO_DIR, scenario_names
from sim.config.compose import load_config
from sim.analysis.results import KPI_COLUMNS, SUMMARY_COLUMNS, Results
from sim.run.experiment import run_experiment

SHORT = ["run=ci", "run.n_reps=2", "run.horizon_days=400", "run.warmup_days=100", "run.plots=false"]
# A schedule change at or after the horizon is refused (it would never happen): a scenario whose
# change comes later than the short horizon runs until just past it.
HORIZON = {"dno_cut_midrun": 1900}
REQUIRED = ("arrivals", "admissions", "turned_away", "p_turned_away", "mean_occupancy", "p_full", "overflow_days",
            "mean_stay_days", "blocked_days", "mean_wait_followup_days", "left_unsheltered", "cost_eur")
# Required metrics that sim.analysis.metrics.ALL_METRICS does not compute for place 'all' (reported as a gap).
COUNTS = ("arrivals", "admissions", "turned_away", "left_unsheltered")
NON_NEGATIVE = COUNTS + ("mean_occupancy", "overflow_days", "mean_stay_days", "blocked_days",
                         "mean_wait_followup_days", "cost_eur")

SCENARIOS = scenario_names()


def test_scenario_files_are_found() -> None:
    assert SCENARIOS == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    assert "baseline" in SCENARIOS and "dno20" in SCENARIOS
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_file_has_name_and_description(name: str) -> None:
    raw = OmegaConf.load(SCENARIO_DIR / f"{name}.yaml")
    assert isinstance(raw, DictConfig), f"scenarios/{name}.yaml is not a mapping"
    assert raw.get("name") == name, f"scenarios/{name}.yaml: 'name' must equal the file stem"
    desc = raw.get("description")
    assert isinstance(desc, str) and desc.strip(), f"scenarios/{name}.yaml: empty 'description'"
    first = (SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.strip() == "# @package _global_", "a scenario overrides the whole config tree"


@pytest.fixture(scope="module", params=SCENARIOS)
def short_run(request: pytest.FixtureRequest) -> Results:
    cfg = load_config(request.param, SHORT + [f"run.horizon_days={HORIZON.get(request.param, 400)}"])
    return run_experiment(cfg)


def _value(df: pd.DataFrame, place: str, metric: str) -> pd.Series:
    return df[(df["place"] == place) & (df["metric"] == metric)]["value"]


def test_composes_and_validates(short_run: Results) -> None:
    cfg = short_run.cfg
    assert cfg.name in SCENARIOS
    assert cfg.description.strip()
    assert (cfg.run.n_reps, cfg.run.horizon_days, cfg.run.warmup_days) == (2, HORIZON.get(cfg.name, 400), 100)
    assert "dno" in cfg.crisis_places
    # every scenario is a variant of the region: same places, groups and destinations
    base = load_config("baseline", SHORT)
    assert set(cfg.crisis_places) == set(base.crisis_places)
    assert set(cfg.groups) == set(base.groups)
    assert set(cfg.followup) == set(base.followup)


def test_short_run_tables(short_run: Results) -> None:
    k, s = short_run.kpis, short_run.summary
    assert list(k.columns) == KPI_COLUMNS
    assert list(s.columns) == SUMMARY_COLUMNS
    assert set(k["scenario"]) == {short_run.cfg.name} == set(s["scenario"])
    assert sorted(k["rep"].unique()) == [0, 1]
    assert (s["n_reps"] <= 2).all()
    assert not k.duplicated(["rep", "place", "metric"]).any()
    places = set(k["place"])
    assert places == set(short_run.cfg.crisis_places) | set(short_run.cfg.followup) | {"all"}
    assert len(short_run.events) > 0
    assert short_run.events["t_days"].max() < short_run.cfg.run.horizon_days


@pytest.mark.parametrize("place", ["dno", "all"])
def test_required_metrics(short_run: Results, place: str) -> None:
    k = short_run.kpis
    have = set(k.loc[k["place"] == place, "metric"])
    required = set(REQUIRED)
    assert required <= have, f"{short_run.cfg.name}/{place} lacks {sorted(required - have)}"
    for metric in required:
        v = _value(k, place, metric)
        assert len(v) == 2, (place, metric)  # one value per replication
        if metric in ("p_turned_away", "p_full"):
            assert v.dropna().between(0, 1).all(), (place, metric, v.tolist())
        if metric in NON_NEGATIVE:
            assert (v.dropna() >= 0).all(), (place, metric, v.tolist())
        if metric in COUNTS:
            assert v.notna().all() and np.allclose(v, np.round(v)), (place, metric, v.tolist())
    # the DNO is in use in every scenario, so its core figures are defined
    for metric in ("arrivals", "admissions", "mean_occupancy", "cost_eur"):
        assert _value(k, place, metric).gt(0).all(), (place, metric)


def test_counts_add_up(short_run: Results) -> None:
    k = short_run.kpis
    for rep in (0, 1):
        kr = k[k["rep"] == rep]
        arrivals = _value(kr, "dno", "arrivals").item()
        admissions = _value(kr, "dno", "admissions").item()
        turned = _value(kr, "dno", "turned_away").item()
        assert turned <= arrivals
        p = _value(kr, "dno", "p_turned_away").item()
        assert math.isclose(p, turned / arrivals) if arrivals else math.isnan(p)
        assert admissions >= 0
        crisis = list(short_run.cfg.crisis_places)
        for metric in ("arrivals", "turned_away", "admissions"):
            total = sum(_value(kr, pid, metric).item() for pid in crisis)
            assert _value(kr, "all", metric).item() == total, metric
