"""Silently wrong numbers: inputs and uses of the library that once ran and gave a wrong answer.

Each test names the class it closes; the refused inputs among them are in
``test_hostile.py``'s tables (exact one-line messages), these are the ones that need a run.
"""

from __future__ import annotations

import copy
import json
import math
import re
import subprocess
import sys
import zlib
from contextlib import contextmanager
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.analysis.results import Results
from sim.analysis.series import occupancy_on_grid
from sim.cli.cluster import main as cluster_main
from sim.cli.preflight import check_jobs, checked_job
from sim.config.compose import load_checked, load_config
from sim.config.errors import ConfigError
from sim.config.gate import CheckedConfig, check
from sim.config.paths import PROJECT_ROOT
from sim.config.rules import validate
from sim.config.schema import FollowupCfg, SimConfig
from sim.engine.rng import EXTERNAL, FIRST_VISIT, INITIAL, RETURN_VISIT, STREAMS, uniform_streams
from sim.outputs.folders import collect, load_results, read_table
from sim.outputs.plots import occupancy_figure, turned_away_figure
from sim.outputs.report_plots import occupancy_shares
from sim.outputs.writers import save, write_csv
from sim.run.experiment import run_experiment, run_replication, simulate
from sim.studies.calibrate import FreeParam, Target, build_config, calibrate
from sim.studies.plan import plan_capacity
from sim.studies.sweep import collect_sweep, job_key, run_job
from tests.conftest import dist, make_config

# ------------------------------------------------------------------ stream keys
# Two ids with the same CRC-32 (4010488050), found by brute force among random 8-letter names.
# (Names of one length that differ only in lowercase letters never collide: CRC-32 is affine
# in the bits, and 6 letters vary only 30 of them.)
COLLIDING = ("group_cpahvtaa", "group_flfyehrf")


def test_ids_with_equal_crc32_get_different_streams():
    a, b = COLLIDING
    assert zlib.crc32(a.encode()) == zlib.crc32(b.encode())  # the old key could not tell them apart
    for kind in (FIRST_VISIT, RETURN_VISIT, INITIAL, EXTERNAL):
        sa, sb = uniform_streams(1, 0, a, kind), uniform_streams(1, 0, b, kind)
        for name in STREAMS:
            assert [sa[name].next() for _ in range(3)] != [sb[name].next() for _ in range(3)], (kind, name)


def test_groups_with_equal_crc32_ids_get_different_clients():
    cfg = make_config(capacity=100, arrivals_per_year=3650.0, horizon=30.0)
    g = cfg.groups.pop("g")
    cfg.groups = {gid: replace(g) for gid in COLLIDING}  # two groups alike in everything but the id
    ev = simulate(cfg, 0)
    arrive = ev[ev["kind"] == "arrive"]
    times = [list(arrive[arrive["group"] == gid]["t_days"]) for gid in COLLIDING]
    assert len(times[0]) > 100 and len(times[1]) > 100
    assert times[0] != times[1]


# ------------------------------------------------------------------ ids pandas reads as missing
MISSING_LOOKING = {"place": "NA", "group": "null", "followup": "None", "unused": "NaN", "origin": "nan", "sex": "N/A"}


def missing_named_config() -> SimConfig:
    """A tiny config whose ids are all words pandas reads as a missing value by default."""
    ids = MISSING_LOOKING
    cfg = make_config(capacity=3, arrivals_per_year=1000.0, horizon=60.0, n_reps=2)
    g, p = cfg.groups["g"], cfg.crisis_places["p"]
    routes = {ids["place"]: {ids["followup"]: 1.0, ids["unused"]: 0.0}}
    cfg.groups = {ids["group"]: replace(g, places=[ids["place"]], routes=routes)}
    cfg.crisis_places = {ids["place"]: p}
    cfg.followup = {ids["followup"]: FollowupCfg(capacity=1, stay=dist("fixed", 5.0)),  # blocking: waits too
                    ids["unused"]: FollowupCfg(stay=dist("fixed", 5.0))}  # nobody goes there: NaN stays
    cfg.origin_shares, cfg.sex_shares = {ids["origin"]: 1.0}, {ids["sex"]: 1.0}
    return validate(cfg)


def test_ids_named_like_missing_values_survive_the_result_folders(tmp_path):
    res = run_experiment(missing_named_config())
    ids = MISSING_LOOKING
    assert {ids["place"], ids["followup"], ids["unused"]} <= set(res.kpis["place"])
    assert res.kpis["value"].isna().any()  # a genuinely undefined KPI, which must stay NaN
    save(res, tmp_path / "0_tiny")  # a multirun's job folder
    for name, frame in (("kpis.csv", res.kpis), ("summary.csv", res.summary)):
        assert_frame_equal(collect(tmp_path, name), frame, check_dtype=False)
        swept = collect_sweep(tmp_path, name)  # no swept parameter: the same table
        assert_frame_equal(swept, frame, check_dtype=False)
    back = load_results(tmp_path / "0_tiny")
    assert_frame_equal(back.kpis, res.kpis, check_dtype=False)
    assert_frame_equal(back.events, res.events, check_dtype=False)  # to_place "" stays "", "NA" stays "NA"
    assert set(back.events["group"]) == {ids["group"]} and set(back.events["origin"]) == {ids["origin"]}


def test_read_table_keeps_ids_and_reads_numbers(tmp_path):
    frame = pd.DataFrame({"scenario": ["1", "NA"], "place": ["nan", ""], "metric": ["None", "null"],
                          "rep": [0, 1], "value": [math.nan, math.inf], "ok": [True, False], "note": ["a", "NA"]})
    write_csv(frame, tmp_path / "t.csv")
    back = read_table(tmp_path / "t.csv")
    assert back["scenario"].tolist() == ["1", "NA"] and back["place"].tolist() == ["nan", ""]
    assert back["metric"].tolist() == ["None", "null"] and back["rep"].tolist() == [0, 1]
    assert math.isnan(back["value"][0]) and back["value"][1] == math.inf
    assert back["ok"].tolist() == [True, False] and back["note"].tolist() == ["a", "NA"]


# ------------------------------------------------------------------ relative trace paths
def test_relative_trace_is_resolved_once_from_the_working_folder(tmp_path, monkeypatch):
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir(), elsewhere.mkdir()
    (here / "arrivals.csv").write_text("t_days\n0.5\n1.5\n")
    cfg = make_config(capacity=5, horizon=10.0)
    cfg.groups["g"].arrivals_csv = "arrivals.csv"
    monkeypatch.chdir(here)
    checked = check(cfg)
    assert checked.cfg.groups["g"].arrivals_csv == str(here / "arrivals.csv")  # the checked config says which
    assert cfg.groups["g"].arrivals_csv == "arrivals.csv"  # the caller's config is not changed
    monkeypatch.chdir(elsewhere)  # as a Hydra job with hydra.job.chdir=true, or another process
    for c in (checked, checked.cfg):
        ev = simulate(c, 0)
        assert list(ev[ev["kind"] == "arrive"]["t_days"]) == [0.5, 1.5]
    with pytest.raises(ConfigError, match="a relative path is read from the working folder"):
        simulate(cfg, 0)  # the relative path itself, from the other folder: not there, not in the project


def test_relative_trace_falls_back_to_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = make_config(capacity=5, horizon=40.0)
    cfg.groups["g"].arrivals_csv = "tests/hostile/csv/ok_bom.csv"
    assert check(cfg).cfg.groups["g"].arrivals_csv == str(PROJECT_ROOT / "tests/hostile/csv/ok_bom.csv")


def test_a_job_in_another_process_reads_the_file_the_preflight_read(tmp_path):
    """The Hydra task without this process's pre-flight (as under a launcher), with hydra.job.chdir=true."""
    (tmp_path / "arrivals.csv").write_text("t_days\n0.5\n1.5\n")
    argv = ["scenarios=baseline", "run=ci", "run.n_reps=1", "run.horizon_days=100", "run.warmup_days=0",
            "run.plots=false", "groups.single_adults.arrivals_csv=arrivals.csv",
            "hydra.job.chdir=true", f"hydra.run.dir={tmp_path / 'out'}"]
    code = "import sys; from sim.cli.app import app; sys.argv = ['sim', *sys.argv[1:]]; app()"
    proc = subprocess.run([sys.executable, "-c", code, *argv], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert info["config"]["groups"]["single_adults"]["arrivals_csv"] == str(tmp_path / "arrivals.csv")
    ev = read_table(tmp_path / "out" / "events.csv.gz")
    assert ev.query("group == 'single_adults' and kind == 'arrive' and visit == 1")["t_days"].tolist() == [0.5, 1.5]


# ------------------------------------------------------------------ stale trace contents
def first_arrivals(ev: pd.DataFrame) -> list[float]:
    return [float(t) for t in ev[(ev["kind"] == "arrive") & (ev["visit"] == 1)]["t_days"]]


def test_no_module_level_cache_of_traces_in_sim():
    """The only memoised function in sim hashes the package's own sources (not trace contents)."""
    cached = set()
    for path in (PROJECT_ROOT / "sim").rglob("*.py"):
        for m in re.finditer(r"^@(?:functools\.)?(?:lru_)?cache\b.*\n(?:@.*\n)*def (\w+)", path.read_text(), re.M):
            cached.add((path.relative_to(PROJECT_ROOT).as_posix(), m.group(1)))
    assert cached == {("sim/studies/sweep.py", "code_version")}


def test_an_edited_trace_is_read_again_by_every_entry_point(tmp_path):
    trace = tmp_path / "arrivals.csv"
    cfg = make_config(capacity=5, horizon=20.0)
    cfg.groups["g"].arrivals_csv = str(trace)
    for n, run in enumerate((lambda c: simulate(c, 0), lambda c: run_replication(c, 0)[0],
                             lambda c: run_experiment(c).events)):
        days = [float(d) for d in range(1, n + 3)]
        trace.write_text("t_days\n1\n")
        checked = check(cfg)
        assert first_arrivals(run(cfg)) == [1.0]
        trace.write_text("t_days\n" + "\n".join(f"{d:g}" for d in days) + "\n")  # edited between two runs
        assert first_arrivals(run(cfg)) == days  # a plain config: checked (and read) again
        assert first_arrivals(run(checked)) == days  # a checked one whose file changed: checked again


def test_an_edited_trace_is_read_again_after_load_config(tmp_path):
    trace = tmp_path / "arrivals.csv"
    trace.write_text("t_days\n0.5\n")
    cfg = load_config("baseline", ["run=ci", "run.n_reps=1", "run.horizon_days=30", "run.warmup_days=0",
                                   f"groups.single_adults.arrivals_csv={trace}"])
    ev = simulate(cfg, 0)
    assert first_arrivals(ev[ev["group"] == "single_adults"]) == [0.5]
    trace.write_text("t_days\n0.5\n2.5\n")
    ev = simulate(cfg, 0)
    assert first_arrivals(ev[ev["group"] == "single_adults"]) == [0.5, 2.5]


def test_the_preflight_hands_each_checked_job_out_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["scenarios=baseline", "run=ci", f"hydra.run.dir={tmp_path}"]
    assert check_jobs(argv) == 1
    task = ["scenarios=baseline", "run=ci"]  # what Hydra gives the job: without its own overrides
    assert checked_job(task) is not None
    assert checked_job(task) is None  # a second run in this process checks (and reads) again


# ------------------------------------------------------------------ configs changed after load_config
@pytest.fixture(scope="module")
def loaded() -> CheckedConfig:
    return load_checked("baseline", ["run=ci", "run.n_reps=1", "run.horizon_days=200", "run.warmup_days=10",
                                     "run.plots=false"])


def negative_capacity(cfg: SimConfig) -> None:
    cfg.crisis_places["dno"].capacity = -5


def routes_summing_to_0_2(cfg: SimConfig) -> None:
    cfg.groups["single_adults"].routes["dno"] = {"mo": 0.2}


def capacity_true(cfg: SimConfig) -> None:
    cfg.crisis_places["dno"].capacity = True  # a bool where a number belongs (Python counts it as 1)


def rate_true(cfg: SimConfig) -> None:
    cfg.groups["single_adults"].arrivals_per_year = True


CHANGES = {
    "capacity=-5": (negative_capacity, "crisis_places.dno.capacity=-5 is invalid: a whole number >= 0"),
    "routes sum to 0.2": (routes_summing_to_0_2, "groups.single_adults.routes.dno=0.2 is invalid: shares that sum to 1"),
    "capacity=True": (capacity_true, "crisis_places.dno.capacity=True is invalid: a whole number >= 0"),
    "arrivals_per_year=True": (rate_true, "groups.single_adults.arrivals_per_year=True is invalid: a number >= 0"),
}
TARGETS = [Target("dno", "p_turned_away", 0.05, sd=0.01)]
FREE = [FreeParam("groups.single_adults.arrivals_per_year", 100.0, 200.0)]
ENTRY_POINTS = {  # (config, a folder for results) -> never returns
    "run_experiment": lambda c, out: run_experiment(c),
    "run_replication": lambda c, out: run_replication(c, 0),
    "simulate": lambda c, out: simulate(c, 0),
    "plan_capacity": lambda c, out: plan_capacity(c, "dno", "p_turned_away", 0.05, 1, 2),
    "calibrate": lambda c, out: calibrate(c, TARGETS, FREE, method="bounded 1-D", max_evaluations=1),
    "calibrate.build_config": lambda c, out: build_config(c, ["run.n_reps=1"]),
    "job_key": lambda c, out: job_key(c),
    "run_job": lambda c, out: run_job(c, out, "key", reraise=True),
}


@pytest.mark.parametrize("kind", ["SimConfig", "CheckedConfig"])
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_a_config_changed_after_loading_is_refused(loaded, entry, change, kind, tmp_path):
    checked = copy.deepcopy(loaded)
    edit, expected = CHANGES[change]
    edit(checked.cfg)
    with pytest.raises(ConfigError) as err:
        ENTRY_POINTS[entry](checked.cfg if kind == "SimConfig" else checked, tmp_path / "job")
    assert str(err.value) == expected
    assert not (tmp_path / "job" / "run.json").exists()


# ------------------------------------------------------------------ replications actually run
@pytest.fixture(scope="module")
def more_reps() -> Results:
    """3 replications configured; a precision target no run of 12 can meet adds 9."""
    cfg = make_config(capacity=2, arrivals_per_year=730.0, stay=dist("exponential", 1.5), horizon=400.0, warmup=10.0,
                      n_reps=3, precision_half_width=0.001, max_reps=12)
    res = run_experiment(cfg)
    assert res.cfg.run.n_reps == 3 and res.n_reps_run == 12 == res.notes["precision"]["n_reps_used"]
    return res


def test_turned_away_per_year_divides_by_the_replications_run(more_reps):
    fig = turned_away_figure(more_reps)
    heights = [b.get_height() for b in sorted(fig.axes[0].patches, key=lambda b: b.get_x())]
    ev = more_reps.events
    e = ev[(ev["kind"] == "turned_away") & (ev["t_days"] >= 10.0)]
    direct = e.groupby(((e["t_days"] - 10.0) // 365.0).astype(int)).size() / 12
    np.testing.assert_allclose(heights, direct.to_numpy())
    plt.close(fig)


def test_occupancy_mean_is_over_every_replication_run(more_reps):
    fig = occupancy_figure(more_reps)
    mean_line = next(line for line in fig.axes[0].lines if line.get_label() == "mean present")
    grid = np.arange(0.0, 400.0, 1.0)
    ev = more_reps.events
    levels = []
    for rep in range(12):  # by hand: people present at each day, in each replication
        e = ev[(ev["rep"] == rep) & (ev["place"] == "p") & ev["kind"].isin(["enter", "exit"])]
        delta = np.where(e["kind"] == "enter", 1, -1)
        levels.append([delta[e["t_days"].to_numpy() <= t].sum() for t in grid])
    np.testing.assert_allclose(mean_line.get_ydata(), np.mean(levels, axis=0))
    plt.close(fig)


def test_a_replication_without_visits_counts_as_zero_occupancy():
    ev = pd.DataFrame({"rep": [0, 0, 1], "t_days": [1.0, 3.0, 0.5], "place": ["p", "p", "q"],
                       "kind": ["enter", "exit", "enter"]})
    occ = occupancy_on_grid(ev, "p", np.array([2.0]), reps=[0, 1])
    assert occ.mean(axis=1).tolist() == [0.5]  # rep 1 had nobody at p: 0, not left out
    assert occupancy_shares(ev, "p", 0.0, 4.0, reps=[0, 1]).tolist() == [0.75, 0.25]


def test_the_dask_command_prints_and_records_the_replications_run(tmp_path, monkeypatch, capsys):
    @contextmanager
    def serial(*args, **kwargs):  # the Dask path without a cluster: run_experiment with no executor
        yield None
    monkeypatch.setattr("sim.cli.cluster.dask_executor", serial)
    argv = ["--out", str(tmp_path / "res"), "scenarios=baseline", "run=ci", "run.n_reps=2", "run.max_reps=5",
            "run.precision_half_width=0.001", "run.horizon_days=200", "run.warmup_days=10", "run.plots=false",
            "run.write_events=false"]
    assert cluster_main(argv) == 0
    assert "over 5 replications" in capsys.readouterr().out
    assert json.loads((tmp_path / "res" / "run.json").read_text())["n_reps"] == 5
    assert read_table(tmp_path / "res" / "kpis.csv")["rep"].nunique() == 5


# ------------------------------------------------------------------ nonsense that once ran
API_NONSENSE = {  # set through the Python API, where no YAML typing stands in the way
    "run.plots": ("plots", "no", "run.plots='no' is invalid: true or false"),
    "run.write_events": ("write_events", 1, "run.write_events=1 is invalid: true or false"),
    "run.precision_relative": ("precision_relative", "yes", "run.precision_relative='yes' is invalid: true or false"),
}


@pytest.mark.parametrize("key", list(API_NONSENSE))
def test_a_flag_must_be_true_or_false(key):
    name, value, expected = API_NONSENSE[key]
    cfg = make_config()
    setattr(cfg.run, name, value)
    with pytest.raises(ConfigError) as err:
        simulate(cfg, 0)
    assert str(err.value) == expected


def test_accepts_left_out_takes_every_group_and_an_empty_list_is_refused():
    cfg = make_config()
    assert cfg.crisis_places["p"].accepts is None  # the schema's default: every group
    cfg.crisis_places["p"].accepts = []
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    assert str(err.value) == ("crisis_places.p.accepts=[] is invalid: leave accepts out for every group, or list"
                              " the groups")
    cfg.crisis_places["p"].accepts = ["g"]
    validate(cfg)


def test_day0_clients_only_where_their_group_is_accepted():
    cfg = make_config(capacity=3, initial=[("p", 2)])
    cfg.crisis_places["q"] = replace(cfg.crisis_places["p"], accepts=["h"])
    cfg.crisis_places["p"].accepts = ["g"]
    cfg.groups["h"] = replace(cfg.groups["g"], places=["q"], routes={"default": {"home": 1.0}})
    validate(cfg)  # g's day-0 clients at p, which accepts g
    cfg.initial_state[0].group = "h"  # h has a route from anywhere, but p does not take h
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    assert str(err.value) == "initial_state[0].group='h' is invalid: a group that 'p' accepts: g"


def test_the_biggest_allowed_costs_give_a_finite_total():
    cfg = make_config(capacity=100_000, arrivals_per_year=1_000_000.0, stay=dist("fixed", 36_500.0),
                      horizon=36_500.0)
    cfg.crisis_places["p"].cost_per_day_eur = 1_000_000.0
    validate(cfg)  # every bound at its maximum: cost <= 1e5 places * 36,500 days * 1e6 EUR = 3.65e15 EUR
    assert math.isfinite(100_000 * 36_500.0 * cfg.crisis_places["p"].cost_per_day_eur)
    cfg.crisis_places["p"].cost_per_day_eur = 1_000_001.0
    with pytest.raises(ConfigError, match="at most 1000000 EUR a place-day"):
        validate(cfg)
