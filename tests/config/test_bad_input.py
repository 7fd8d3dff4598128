"""Bad input stops `python -m sim` before any simulation: exit code 2, one line on stderr
naming the key, the value and what is allowed, no traceback, no result files.

Split, to keep the suite fast:

* every case of ``CASES`` runs in-process through ``sim.cli.preflight.check_jobs`` (the check
  ``python -m sim`` runs first) and ``sim.config.messages.one_line`` (the line it prints);
* the cases listed in ``SUBPROCESS`` (a negative and a non-numeric capacity, a typo on the
  command line and one inside a scenario file, an added ``+key``, an unknown scenario, a bad
  date in an arrivals CSV, and two multiruns whose second job is invalid) also run as a
  real ``python -m sim`` subprocess in ``tmp_path``, where Hydra would write ``outputs/``;
* a typo inside a scenario file also goes through the library (``to_sim_config`` on a plain
  dict, as a notebook would); and ``HYDRA_FULL_ERROR=1`` shows the traceback.

Scenario-file cases put a scenario in ``tmp_path/extra/scenarios/`` and add that folder to
Hydra's search path (``hydra.searchpath=[<project root>, <tmp>/extra]``), so the file is
composed exactly as one in ``scenarios/`` would be.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.config.paths import PROJECT_ROOT
from sim.config.compose import compose, load_config, to_sim_config
from sim.config.messages import one_line
from sim.cli.preflight import check_jobs

SEARCHPATH = "hydra.searchpath=[file://{root},file://{tmp}/extra]"
CSV = "groups.single_adults.arrivals_csv={tmp}/arrivals.csv"
CSV_KEY = "groups.single_adults.arrivals_csv"
UNKNOWN_KEY_HINT = "allowed: provider, description, capacity, capacity_schedule"


def case(id_: str, overrides: list[str], expected: list[str], files: dict[str, str] | None = None):
    return pytest.param(overrides, expected, files or {}, id=id_)


def scenario_file(body: str) -> dict[str, str]:
    return {"extra/scenarios/bad_file.yaml": "# @package _global_\nname: bad_file\n" + body}


CASES = [
    # capacities: negative, not a whole number, not a number, null
    case("capacity_negative", ["crisis_places.dno.capacity=-1"],
         ["crisis_places.dno.capacity=-1", "a whole number >= 0"]),
    case("capacity_2.5", ["crisis_places.dno.capacity=2.5"],
         ["crisis_places.dno.capacity", "2.5", "could not be converted to Integer"]),
    case("capacity_abc", ["crisis_places.dno.capacity=abc"],
         ["crisis_places.dno.capacity", "abc", "could not be converted to Integer"]),
    case("capacity_null", ["crisis_places.dno.capacity=null"], ["crisis_places.dno.capacity=null is invalid", "this key cannot be null"]),
    case("overflow_negative", ["crisis_places.dno.overflow_capacity=-2"],
         ["crisis_places.dno.overflow_capacity=-2", "a whole number >= 0"]),
    case("followup_capacity_negative", ["followup.mo.capacity=-1"], ["followup.mo.capacity=-1", "a whole number >= 0"]),
    # probabilities and shares
    case("reentry_share_above_1", ["groups.single_adults.reentry_share=1.5"],
         ["groups.single_adults.reentry_share=1.5", "a probability in [0, 1]"]),
    case("reentry_share_negative", ["groups.single_adults.reentry_share=-0.1"],
         ["groups.single_adults.reentry_share=-0.1", "a probability in [0, 1]"]),
    case("origin_share_above_1", ["origin_shares.maastricht=1.5"],
         ["origin_shares.maastricht=1.5", "a probability in [0, 1]"]),
    case("origin_shares_sum", ["origin_shares.other=0.5"], ["origin_shares=1.08", "shares that sum to 1"]),
    case("sex_shares_sum", ["sex_shares.female=0.5"], ["sex_shares=1.25", "shares that sum to 1"]),
    case("route_shares_sum", ["groups.single_adults.routes.dno.street=0.5"],
         ["groups.single_adults.routes.dno=1.4", "shares that sum to 1"]),
    # unknown places
    case("route_to_unknown_place_cli", ["groups.families.routes.default={social_housing: 0.6, moon: 0.4}"],
         ["groups.families.routes.default.moon", "unknown key",
          "can only change existing keys: social_housing, regular_care, own_network"]),
    case("typo_in_place_id_cli", ["crisis_places.dnoo.capacity=3"],
         ["crisis_places.dnoo", "can only change existing keys: dno, impuls"]),
    case("route_to_unknown_place_in_file",
         [SEARCHPATH, "scenarios=bad_file"],
         ["groups.families.routes.default='moon'", "a follow-up id in ['bw', 'exodus', 'mo'"],
         scenario_file("groups:\n  families:\n    routes:\n      default: {social_housing: 0.6, moon: 0.4}\n")),
    case("route_from_unknown_place_in_file",
         [SEARCHPATH, "scenarios=bad_file"],
         ["groups.families.routes='shelter_x'", "'default' or a place in ['jekerzicht']"],
         scenario_file("groups:\n  families:\n    routes:\n      shelter_x: {social_housing: 1.0}\n")),
    case("group_place_unknown", ["groups.single_adults.places=[dno,nowhere]"],
         ["groups.single_adults.places='nowhere'", "a crisis place in ['aom', 'bt'"]),
    case("when_full_unknown", ["groups.single_adults.when_full=queue"],
         ["groups.single_adults.when_full='queue'", "one of turn_away, wait"]),
    # distributions, stays
    case("stay_kind_unknown", ["crisis_places.dno.stay.kind=weibull"],
         ["crisis_places.dno.stay.kind='weibull'", "one of exponential, lognormal, gamma, fixed, empirical"]),
    case("reentry_delay_kind_unknown", ["groups.single_adults.reentry_delay.kind=normal"],
         ["groups.single_adults.reentry_delay.kind='normal'", "one of exponential, lognormal"]),
    case("lognormal_without_sd", ["crisis_places.dno.stay.kind=lognormal"],
         ["crisis_places.dno.stay.sd_days=None", "a number > 0"]),
    case("mean_stay_zero", ["crisis_places.dno.stay.mean_days=0"],
         ["crisis_places.dno.stay.mean_days=0.0", "a number > 0"]),
    case("mean_stay_negative", ["crisis_places.dno.stay.mean_days=-5"],
         ["crisis_places.dno.stay.mean_days=-5.0", "a number > 0"]),
    case("mean_stay_abc", ["crisis_places.dno.stay.mean_days=abc"],
         ["crisis_places.dno.stay.mean_days", "abc", "could not be converted to Float"]),
    case("followup_mean_stay_negative", ["followup.mo.stay.mean_days=-1"],
         ["followup.mo.stay.mean_days=-1.0", "a number > 0"]),
    case("max_stay_zero", ["crisis_places.aom.max_stay_days=0"],
         ["crisis_places.aom.max_stay_days=0.0", "a number > 0"]),
    case("max_stay_negative", ["crisis_places.aom.max_stay_days=-1"],
         ["crisis_places.aom.max_stay_days=-1.0", "a number > 0"]),
    # typos and added keys
    case("typo_cli", ["crisis_places.dno.capcity=3"],
         ["crisis_places.dno.capcity", "unknown key", UNKNOWN_KEY_HINT]),
    case("typo_cli_run", ["run.horizon=100"], ["run.horizon", "unknown key", "horizon_days"]),
    case("typo_in_file", [SEARCHPATH, "scenarios=bad_file"],
         ["crisis_places.dno.capcity", "scenarios/bad_file", "unknown key", UNKNOWN_KEY_HINT],
         scenario_file("crisis_places:\n  dno:\n    capcity: 3\n")),
    case("added_key", ["+foo=1"], ["foo='+foo=1'", "adding keys with '+' is not allowed"]),
    case("added_nested_key", ["+crisis_places.dno.foo=1"],
         ["crisis_places.dno.foo='+crisis_places.dno.foo=1'", "adding keys with '+' is not allowed"]),
    case("force_added_key", ["++run.n_reps=2"], ["run.n_reps='++run.n_reps=2'", "adding keys with '+'"]),
    case("override_syntax", ["crisis_places.dno.capacity=[1"],
         ["'crisis_places.dno.capacity=[1' is invalid", "a Hydra override key=value"]),
    case("override_without_value", ["crisis_places.dno.capacity"],
         ["'crisis_places.dno.capacity' is invalid", "missing EQUAL", "a Hydra override key=value"]),
    # run length
    case("horizon_equals_warmup", ["run.horizon_days=180"],
         ["run.horizon_days=180.0", "at least 1 day longer than run.warmup_days=180.0 (the measured window)"]),
    case("horizon_below_warmup", ["run.warmup_days=800"],
         ["run.horizon_days=730.0", "at least 1 day longer than run.warmup_days=800.0 (the measured window)"]),
    case("n_reps_zero", ["run.n_reps=0"], ["run.n_reps=0", "a whole number >= 1"]),
    case("start_date_bad", ["run.start_date=2018-13-01"], ["run.start_date='2018-13-01'", "an ISO date YYYY-MM-DD"]),
    # arrivals CSV
    case("csv_missing", ["groups.single_adults.arrivals_csv={tmp}/nope.csv"],
         [CSV_KEY, "nope.csv", "an existing CSV file with a 'date' or 't_days' column"]),
    case("csv_no_date_column", [CSV], [CSV_KEY, "arrivals.csv", "a header 'date' or 't_days'"],
         {"arrivals.csv": "when,n\n2018-02-01,1\n"}),
    case("csv_no_rows", [CSV], [CSV_KEY, "arrivals.csv", "at least one row"], {"arrivals.csv": "date\n"}),
    case("csv_bad_date", [CSV], [f"{CSV_KEY}[line 3]='2018-13-01'", "an ISO date YYYY-MM-DD"],
         {"arrivals.csv": "date\n2018-02-01\n2018-13-01\n"}),
    case("csv_out_of_order", [CSV], [f"{CSV_KEY}[line 3]='2018-02-01'", "dates in increasing order"],
         {"arrivals.csv": "date\n2018-03-01\n2018-02-01\n"}),
    case("csv_before_start", [CSV], [f"{CSV_KEY}[line 2]='2017-12-01'", "on or after run.start_date=2018-01-01"],
         {"arrivals.csv": "date\n2017-12-01\n2018-02-01\n"}),
    # scenario names and multiruns (the second job is invalid: nothing may run)
    case("scenario_unknown", ["scenarios=nosuch"],
         ["scenarios='nosuch'", "one of baseline, current_2022, dno20"]),
    case("multirun_second_scenario_invalid",  # current_2022 sends young adults to Impuls only; baseline also to the DNO
         ["-m", "scenarios=current_2022,baseline", "crisis_places.dno.accepts=[single_adults,ex_detainees]"],
         ["groups.young_adults.places='dno'", "a place whose accepts list includes 'young_adults'",
          "(in job 2 of 2: run=ci scenarios=baseline crisis_places.dno.accepts=[single_adults,ex_detainees])"]),
    case("multirun_both_invalid", ["-m", "scenarios=baseline,dno20", "crisis_places.dno.capacity=-1"],
         ["crisis_places.dno.capacity=-1", "a whole number >= 0", "(in job 1 of 2: "]),
    case("multirun_second_scenario_unknown", ["-m", "scenarios=baseline,nosuch"],
         ["scenarios='nosuch'", "one of baseline", "(in job 2 of 2: run=ci scenarios=nosuch)"]),
    case("sweep_second_value_invalid", ["-m", "crisis_places.dno.capacity=20,-3"],
         ["crisis_places.dno.capacity=-3", "a whole number >= 0", "(in job 2 of 2: "]),
]

SUBPROCESS = ["capacity_negative", "capacity_abc", "typo_cli", "typo_in_file", "added_key", "scenario_unknown",
              "csv_bad_date", "multirun_second_scenario_invalid", "sweep_second_value_invalid"]


def argv_for(overrides: list[str], tmp: Path, files: dict[str, str]) -> list[str]:
    """``scenarios=baseline run=ci <overrides>``, with files written under ``tmp``."""
    for name, text in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text, encoding="utf-8")
    ovs = [o.replace("{root}", PROJECT_ROOT.as_posix()).replace("{tmp}", tmp.as_posix()) for o in overrides]
    sets_scenario = any(o.startswith("scenarios=") for o in ovs)
    return ([] if sets_scenario else ["scenarios=baseline"]) + ["run=ci", *ovs]


def assert_message(line: str, expected: list[str]) -> None:
    assert line.strip() and "\n" not in line, line
    assert "Traceback" not in line, line
    for text in expected:
        assert text in line, f"{text!r} not in {line!r}"


def run_cli(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run([sys.executable, "-m", "sim", *argv], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("overrides", "expected", "files"), CASES)
def test_preflight_names_key_value_and_allowed(overrides, expected, files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = argv_for(overrides, tmp_path, files)
    with pytest.raises(Exception) as err:
        check_jobs(argv)
    assert_message(one_line(err.value), expected)
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize(("overrides", "expected", "files"), [c for c in CASES if c.id in SUBPROCESS])
def test_cli_exits_2_with_one_line_and_no_outputs(overrides, expected, files, tmp_path):
    proc = run_cli(argv_for(overrides, tmp_path, files), tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sim: invalid config: ")
    assert_message(lines[0], expected)
    assert not (tmp_path / "outputs").exists()


def test_subprocess_cases_are_in_the_table():
    assert set(SUBPROCESS) <= {c.id for c in CASES}


@pytest.mark.parametrize("first_job", [
    ["run=ci", "scenarios=current_2022", "crisis_places.dno.accepts=[single_adults,ex_detainees]"],
    ["run=ci", "scenarios=baseline"],
    ["run=ci", "scenarios=baseline", "crisis_places.dno.capacity=20"],
])
def test_first_job_of_the_multirun_cases_is_valid(first_job, tmp_path, monkeypatch):
    """So the multirun cases above really fail on their second job, before the first one runs."""
    monkeypatch.chdir(tmp_path)
    assert check_jobs(first_job) == 1


def test_hydra_full_error_shows_the_traceback(tmp_path):
    proc = run_cli(["scenarios=baseline", "run=ci", "crisis_places.dno.capacity=-1"], tmp_path, HYDRA_FULL_ERROR="1")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr
    assert "crisis_places.dno.capacity=-1 is invalid: a whole number >= 0" in proc.stderr
    assert not (tmp_path / "outputs").exists()


def _baseline_dict() -> dict:
    """The composed baseline as a plain dict, as if read from a scenario file."""
    d = OmegaConf.to_container(compose("baseline", ["run=ci"]), resolve=False)
    assert isinstance(d, dict)
    d.pop("hydra", None)
    return d


def test_typo_in_file_through_the_library():
    d = _baseline_dict()
    d["crisis_places"]["dno"]["capcity"] = 3
    with pytest.raises(Exception) as err:
        to_sim_config(OmegaConf.create(d))
    assert_message(one_line(err.value), ["crisis_places.dno.capcity", "unknown key", UNKNOWN_KEY_HINT])


def test_route_to_unknown_place_through_the_library():
    d = _baseline_dict()
    d["groups"]["families"]["routes"]["default"] = {"social_housing": 0.6, "moon": 0.4}
    with pytest.raises(Exception) as err:
        to_sim_config(d)
    assert_message(one_line(err.value), ["groups.families.routes.default='moon'", "a follow-up id in"])


@pytest.mark.parametrize(("scenario", "overrides", "expected"), [
    ("baseline", ["crisis_places.dno.capcity=3"], ["crisis_places.dno.capcity", UNKNOWN_KEY_HINT]),
    ("baseline", ["+foo=1"], ["foo='+foo=1'", "adding keys with '+' is not allowed"]),
    ("nosuch", [], ["scenarios='nosuch'", "one of baseline"]),
])
def test_load_config_gives_the_same_one_line(scenario, overrides, expected):
    with pytest.raises(Exception) as err:
        load_config(scenario, ["run=ci", *overrides])
    assert_message(one_line(err.value), expected)
