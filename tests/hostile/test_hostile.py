"""Hostile input: every file in ``tests/hostile/`` (and a few made on the fly) ends in one
exact line and exit code 2, or is read correctly; nothing hangs, exhausts memory or runs code.

* ``scenarios/*.yaml`` are composed exactly as a planner's scenario would be, through
  ``hydra.searchpath=[<project root>, tests/hostile]`` and ``scenarios=<file name>``.
* ``csv/*.csv`` are given as ``groups.single_adults.arrivals_csv`` on top of the baseline.
* ``GENERATED`` cases are made in ``tmp_path``: files too large to commit (60 MB CSV, 5 MB
  YAML), 100,000-deep nesting, a gzip and a ZIP file, devices and folders, command-line attacks.

Every case runs in-process through ``sim.cli.preflight.check_jobs`` and ``sim.config.messages.one_line``
(what ``python -m sim`` runs and prints) and must give exactly the expected line. The cases in
``SUBPROCESS`` also run as ``python -m sim`` under a 60 s timeout and a 2 GiB address-space
limit (``RLIMIT_AS``): exit code 2, one line on stderr, no ``outputs/``, and none of the
``pwned_*`` files that the payloads would create if they ever ran.
"""

from __future__ import annotations

import gzip
import os
import resource
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
import yaml

from sim.config.traces import read_trace
from sim.config.paths import PROJECT_ROOT, scenario_names
from sim.config.messages import one_line
from sim.run.experiment import simulate
from sim.cli.preflight import check_jobs
from tests.conftest import dist, make_config

HERE = Path(__file__).resolve().parent
SCEN, CSVS = HERE / "scenarios", HERE / "csv"
ROOT = PROJECT_ROOT.as_posix()
BASE = ["scenarios=baseline", "run=ci"]
CSV_KEY = "groups.single_adults.arrivals_csv"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for each `python -m sim` subprocess
Case = Callable[[Path], tuple[list[str], str]]  # tmp folder -> (command-line arguments, expected line)

DAYS = "at most 36500 days (100 years; no real duration is longer: is the unit days?)"
PER_YEAR = "at most 1000000 a year (far above any real demand: is the unit per year?)"
PLACES = "at most 100000 places or people (more than all shelter places in the Netherlands together)"
ANCHOR = "write the values out in full (a few lines of aliases can expand into billions of values)"
CODE = "a config file may not name code to import or run (sim never imports code named in a config)"
HYDRA = ("not allowed here, Hydra settings (output folder, callbacks, launcher) belong in configs/config.yaml or"
         " on the command line")
INTERPOLATION = "write values out; interpolations ${...} are not allowed here"
HEADER = "a CSV with a header 'date' or 't_days' and at least one row"
NOT_UTF8 = "which is not UTF-8: Latin-1 or Windows-1252? save it as 'CSV UTF-8'"
START = "a finite time on or after run.start_date=2018-01-01"
NAME = "letters, digits and '_', '-', '.', '+', starting with a letter or digit (it names the output folder)"
TARGET = ("one of sim.cli.app.SideBySide, Hydra's BasicLauncher or BasicSweeper, or the submitit LocalLauncher or"
          " SlurmLauncher (README 'Reliability'): a config may not name other code to import or run")
COST = ("a number >= 0 and at most 1000000 EUR a place-day (far above any real cost: is the unit EUR per day?)")
AFTER_END = ("a day before run.horizon_days=730: a change at or after the end never happens (lengthen the run or"
             " leave the change out)")
DELETE = "a value (key=value); deleting a key or config group with '~' is not allowed: sim would silently use its" \
         " built-in defaults instead"


def future() -> str:
    return f"a date no later than today ({date.today().isoformat()}): an arrival trace records past arrivals"


# --- scenario files: name -> the exact line (a file refused before Hydra reads it starts with scenarios=)
def refused(name: str, problem: str) -> str:
    return f"scenarios='{name}' is invalid: {SCEN / name}.yaml {problem}"


SCENARIO_FILES: dict[str, str | Callable[[], str]] = {
    # the file itself: empty, no header, encodings
    "empty": refused("empty", "is empty: a scenario starts with '# @package _global_' and sets name: empty"),
    "header_only": refused("header_only", "sets no name: a scenario sets name: header_only (its file name)"),
    "no_package_header": refused("no_package_header", "does not start with '# @package _global_' (a scenario"
                                 " overrides the whole config tree)"),
    "bom": refused("bom", "starts with a UTF-8 byte-order mark, which hides its first line from Hydra: save it as"
                   " UTF-8 without BOM"),
    "utf16": refused("utf16", "is UTF-16 text: save it as UTF-8 (without BOM)"),
    "latin1": refused("latin1", "is not UTF-8 text (line 3 has byte 0xe9): save it as UTF-8"),
    "name_mismatch": refused("name_mismatch", "sets name='dno25': a scenario's name must be its file name,"
                             " 'name_mismatch'"),
    "top_level_list": refused("top_level_list", "holds a list, not a mapping of keys to values"),
    "tab_indent": refused("tab_indent", "is not valid YAML: found character '\\t' that cannot start any token"
                          " (line 5, column 1)"),
    "duplicate_key": refused("duplicate_key", "is not valid YAML: found duplicate key capacity (line 6, column 5)"),
    # YAML that expands or constructs objects
    "billion_laughs": refused("billion_laughs", f"uses a YAML anchor or alias (&lol0 on line 6): {ANCHOR}"),
    "anchor_merge_key": refused("anchor_merge_key", f"uses a YAML anchor or alias (&small on line 5): {ANCHOR}"),
    "python_tag": refused("python_tag", "uses a YAML tag (!!python/object/apply:os.system on line 4): plain values"
                          " only"),
    "deep_nesting": refused("deep_nesting", "nests deeper than 20 levels (on line 4); real configs are about 5 deep"),
    "interpolation_bomb": refused("interpolation_bomb", "sets sources.s1='${sources.s0}${sources.s0}${sources.s0}"
                                  "${sources.s0}${so...: " + INTERPOLATION),
    "env_interpolation": refused("env_interpolation", f"sets description='${{oc.env:HOME}}': {INTERPOLATION}"),
    # code and Hydra settings
    "target_os_system": refused("target_os_system", f"sets _target_='os.system': {CODE}"),
    "target_in_sources": refused("target_in_sources", f"sets sources.S9._target_='builtins.eval': {CODE}"),
    "hydra_callback": refused("hydra_callback", f"sets hydra.callbacks.evil._target_='os.system': {CODE}"),
    "hydra_run_dir": refused("hydra_run_dir", f"sets hydra.run.dir='/tmp/sim_hostile_elsewhere': {HYDRA}"),
    "hydra_searchpath": refused("hydra_searchpath", f"sets hydra.searchpath[0]='file:///tmp': {HYDRA}"),
    "defaults_list": refused("defaults_list", "sets defaults[0]./run='ci': not allowed here, a defaults list pulls"
                             " in other files"),
    # values: NaN, infinity, negative
    "nan_stay": "crisis_places.dno.stay.mean_days=nan is invalid: a number > 0",
    "inf_max_wait": "followup.bw.max_wait_days=inf is invalid: a number > 0",
    "negative_arrivals": "groups.single_adults.arrivals_per_year=-1.0 is invalid: a number >= 0",
    "negative_capacity_schedule": "crisis_places.dno.capacity_schedule[0].capacity=-1 is invalid: a whole number >= 0",
    "capacity_bool": "key crisis_places.dno.capacity: In 'scenarios/capacity_bool': ValidationError raised while"
                     " composing config: Value 'True' of type 'bool' could not be converted to Integer",
    # numbers in the wrong unit: the plausibility bounds
    "stay_100000_days": f"crisis_places.dno.stay.mean_days=100000.0 is invalid: {DAYS}",
    "patience_in_minutes": f"groups.single_adults.patience.mean_days=43200.0 is invalid: {DAYS}",
    "reentry_delay_200_years": f"groups.single_adults.reentry_delay.mean_days=73000.0 is invalid: {DAYS}",
    "empirical_stay_in_hours": f"crisis_places.aom.stay.values_days[4]=40000.0 is invalid: {DAYS}",
    "schedule_day_in_seconds": f"groups.single_adults.rate_schedule[0].from_day=63072000.0 is invalid: {DAYS}",
    "horizon_200_years": f"run.horizon_days=73000.0 is invalid: {DAYS}",
    "arrivals_1e7": f"groups.single_adults.arrivals_per_year=10000000.0 is invalid: {PER_YEAR}",
    "other_arrivals_1e7": f"followup.bw.other_arrivals_per_year=10000000.0 is invalid: {PER_YEAR}",
    "capacity_1e9": f"crisis_places.dno.capacity=1000000000 is invalid: {PLACES}",
    "capacity_float_1e9": "key crisis_places.dno.capacity: In 'scenarios/capacity_float_1e9': ValidationError raised"
                          " while composing config: Value '1000000000.0' of type 'float' could not be converted to"
                          " Integer",
    "followup_capacity_1e6": f"followup.mo.capacity=1000000 is invalid: {PLACES}",
    "initial_state_1e6": f"initial_state[0].count=1000000 is invalid: {PLACES}",
    # nonsense that once ran: costs, day-0 clients, accepts, schedules after the end
    "cost_per_day_1e7": f"crisis_places.dno.cost_per_day_eur=10000000.0 is invalid: {COST}",
    "cost_inf": f"followup.mo.cost_per_day_eur=inf is invalid: {COST}",
    "initial_state_not_accepted": "initial_state[0].group='domestic_violence' is invalid: a group that 'dno' accepts:"
                                  " single_adults, young_adults, ex_detainees",
    "accepts_empty": "crisis_places.jekerzicht.accepts=[] is invalid: leave accepts out for every group, or list the"
                     " groups",
    "schedule_after_horizon": f"crisis_places.dno.capacity_schedule[0].from_day=800.0 is invalid: {AFTER_END}",
    "rate_schedule_at_horizon": f"groups.single_adults.rate_schedule[0].from_day=730.0 is invalid: {AFTER_END}",
    # a scenario that points at a bad arrivals CSV (relative path, found from the project root)
    "trace_future_dates": lambda: f"{CSV_KEY}[line 3]='2999-01-01' is invalid: {future()}",
}


# --- arrival CSVs: name -> the exact line
def csv_refused(name: str, allowed: str) -> str:
    return f"{CSV_KEY}='{CSVS / name}.csv' is invalid: {allowed}"


def csv_line(line: int, value: str, allowed: str) -> str:
    return f"{CSV_KEY}[line {line}]='{value}' is invalid: {allowed}"


CSV_FILES: dict[str, str | Callable[[], str]] = {
    "empty": csv_refused("empty", f"{HEADER} (the file is empty)"),
    "blank_lines_only": csv_refused("blank_lines_only", f"{HEADER} (the file is empty)"),
    "header_only": csv_refused("header_only", f"{HEADER} (found the header and no rows)"),
    "wrong_columns": csv_refused("wrong_columns", f"{HEADER} (found columns: when, count)"),
    "semicolons": csv_refused("semicolons", f"{HEADER} (found columns: date;group; separate the columns with commas)"),
    "capitalised_header": csv_refused("capitalised_header", f"{HEADER} (found columns: Date)"),
    "dutch_dates": csv_line(2, "01-02-2018", "an ISO date YYYY-MM-DD"),
    "bad_date": csv_line(3, "2018-02-30", "an ISO date YYYY-MM-DD"),
    "out_of_order": csv_line(4, "2018-02-01", "dates in increasing order"),
    "before_start": csv_line(2, "2017-12-31", START),
    "future_date": lambda: csv_line(3, "2999-01-01", future()),
    "t_days_nan": csv_line(3, "nan", START),
    "t_days_inf": csv_line(3, "inf", START),
    "t_days_negative": csv_line(2, "-1", START),
    "t_days_out_of_order": csv_line(3, "2.5", "dates in increasing order"),
    "t_days_in_seconds": csv_line(3, "86400", DAYS),
    "t_days_not_a_number": csv_line(3, "two", "a number of days"),
    "t_days_empty_cell": csv_line(3, "", "a number of days"),
    "latin1": csv_refused("latin1", f"a UTF-8 text file (line 3 has byte 0xe9, {NOT_UTF8})"),
    "cp1252": csv_refused("cp1252", f"a UTF-8 text file (line 2 has byte 0x93, {NOT_UTF8})"),
    "utf16": csv_refused("utf16", "a UTF-8 text file (this one is UTF-16, e.g. Excel's 'Unicode text': save it as"
                         " 'CSV UTF-8')"),
    "date_and_t_days": csv_refused("date_and_t_days", "a CSV with one of the columns 'date' or 't_days', not both"),
    "utf16_no_bom": csv_refused("utf16_no_bom", "a UTF-8 text file (this one holds NUL bytes: UTF-16 without a BOM,"
                                " or binary?)"),
}

# read correctly: name -> days since run.start_date (2018-01-01)
ACCEPTED_CSVS = {
    "ok_bom": (0.0, 2.0, 31.0),  # a UTF-8 byte-order mark, as Excel's "CSV UTF-8" writes
    "ok_bom_crlf_excel": (0.0, 2.0),  # BOM, CRLF line ends, empty spreadsheet rows (",")
    "ok_beyond_horizon": (0.0, 2.0, 2708.0),  # 2025-06-01 is past the run's end: kept here, ignored by the model
    "ok_t_days_padded": (0.5, 1.25),  # spaces around names and values, a blank line
}


def scenario_case(name: str, expected: str | Callable[[], str]) -> Case:
    def build(tmp: Path) -> tuple[list[str], str]:
        argv = [f"hydra.searchpath=[file://{ROOT},file://{HERE.as_posix()}]", f"scenarios={name}", "run=ci"]
        return argv, expected() if callable(expected) else expected
    return build


def csv_case(name: str, expected: str | Callable[[], str]) -> Case:
    def build(tmp: Path) -> tuple[list[str], str]:
        return [*BASE, f"{CSV_KEY}={CSVS / name}.csv"], expected() if callable(expected) else expected
    return build


# --- made on the fly
def huge_csv(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "huge.csv"
    with path.open("w") as fh:  # 60 MB of real rows, not a sparse file
        fh.write("date\n")
        for _ in range(60):
            fh.write("2018-01-02\n" * 90_910)
    size = path.stat().st_size
    return [*BASE, f"{CSV_KEY}={path}"], (f"{CSV_KEY}='{path}' is invalid: a CSV of at most 50000000 bytes (this one"
                                          f" has {size}; a real register of arrivals is far smaller)")


def extra_scenario(tmp: Path, name: str, text: str) -> tuple[list[str], Path]:
    path = tmp / "extra" / "scenarios" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return [f"hydra.searchpath=[file://{ROOT},file://{tmp.as_posix()}/extra]", f"scenarios={name}", "run=ci"], path


def huge_yaml(tmp: Path) -> tuple[list[str], str]:
    rows = "".join(f"  note_{i}: \"{'x' * 80}\"\n" for i in range(50_000))
    argv, path = extra_scenario(tmp, "huge", f"# @package _global_\nname: huge\nsources:\n{rows}")
    size = path.stat().st_size
    return argv, (f"scenarios='huge' is invalid: {path} has {size} bytes; at most 1000000 (real scenario files are a"
                  " few KB)")


def yaml_nesting_100k(tmp: Path) -> tuple[list[str], str]:  # would end in RecursionError inside PyYAML
    argv, path = extra_scenario(tmp, "deep", "# @package _global_\nname: deep\nsources:\n  x: "
                                + "[" * 100_000 + "]" * 100_000 + "\n")
    return argv, (f"scenarios='deep' is invalid: {path} nests deeper than 20 levels (on line 4); real configs are"
                  " about 5 deep")


def scenario_symlink_to_dev_zero(tmp: Path) -> tuple[list[str], str]:  # Hydra lists regular files only
    path = tmp / "extra" / "scenarios" / "zeros.yaml"
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    argv = [f"hydra.searchpath=[file://{ROOT},file://{tmp.as_posix()}/extra]", "scenarios=zeros", "run=ci"]
    return argv, f"scenarios='zeros' is invalid: one of {', '.join(scenario_names())}"


def hydra_callbacks_group_file(tmp: Path) -> tuple[list[str], str]:  # a callback brought in as a config group
    path = tmp / "extra" / "hydra" / "callbacks" / "evil.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("evil:\n  _target_: os.system\n  _args_: [\"touch pwned_by_group\"]\n")
    argv = [f"hydra.searchpath=[file://{ROOT},file://{tmp.as_posix()}/extra]", *BASE, "hydra/callbacks=evil"]
    return argv, f"hydra/callbacks='evil' is invalid: {path} sets evil._target_='os.system': {CODE}"


def csv_file(tmp: Path, name: str, data: bytes, line: str = "") -> tuple[list[str], str]:
    """An arrivals file made here: (arguments, the start of the expected line)."""
    (tmp / name).write_bytes(data)
    return [*BASE, f"{CSV_KEY}={tmp / name}"], f"{CSV_KEY}{line}='{tmp / name}' is invalid: "


def csv_field_200kb(tmp: Path) -> tuple[list[str], str]:  # one 200 KB cell
    argv, head = csv_file(tmp, "field.csv", b"date\n" + b"x" * 200_000 + b"\n", line="[line 2]")
    return argv, head + "a well-formed CSV (field larger than field limit (131072))"


def csv_gzip(tmp: Path) -> tuple[list[str], str]:
    argv, head = csv_file(tmp, "arrivals.csv.gz", gzip.compress(b"date\n2018-02-01\n"))
    return argv, head + "a UTF-8 text file (this one is gzip-compressed: unpack it first)"


def csv_xlsx(tmp: Path) -> tuple[list[str], str]:  # an Excel workbook is a ZIP archive
    (tmp / "sheet.zip").unlink(missing_ok=True)
    with zipfile.ZipFile(tmp / "sheet.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 1000 + "</worksheet>")
    argv, head = csv_file(tmp, "arrivals.xlsx", (tmp / "sheet.zip").read_bytes())
    return argv, head + "a UTF-8 text file (this one is a ZIP archive, e.g. an Excel workbook: save it as 'CSV UTF-8')"


def not_a_file(path: str) -> Case:  # reading /dev/zero would never end
    def build(tmp: Path) -> tuple[list[str], str]:
        target = path.replace("{tmp}", tmp.as_posix())
        return [*BASE, f"{CSV_KEY}={target}"], (f"{CSV_KEY}='{target}' is invalid: an existing CSV file with a 'date'"
                                                " or 't_days' column, not a folder or a device")
    return build


def relative_missing(tmp: Path) -> tuple[list[str], str]:
    return [*BASE, f"{CSV_KEY}=no/such.csv"], (f"{CSV_KEY}='no/such.csv' is invalid: an existing CSV file with a"
                                               " 'date' or 't_days' column (a relative path is read from the working"
                                               f" folder {tmp.as_posix()}, else from the project root {ROOT})")


def cli(overrides: list[str], expected: str) -> Case:
    return lambda tmp: ([*BASE, *overrides], expected)


GENERATED: dict[str, Case] = {
    "huge_csv_60mb": huge_csv,
    "huge_yaml_5mb": huge_yaml,
    "yaml_nesting_100k": yaml_nesting_100k,
    "scenario_symlink_to_dev_zero": scenario_symlink_to_dev_zero,
    "hydra_callbacks_group_file": hydra_callbacks_group_file,
    "csv_field_200kb": csv_field_200kb,
    "csv_gzip": csv_gzip,
    "csv_xlsx": csv_xlsx,
    "csv_dev_zero": not_a_file("/dev/zero"),
    "csv_folder": not_a_file("{tmp}"),
    "csv_relative_missing": relative_missing,
    "cli_hydra_callback_target": cli(["+hydra.callbacks.evil._target_=os.system",
                                      "+hydra.callbacks.evil._args_=[touch pwned_by_cli]"],
                                     f"hydra.callbacks.evil._target_='os.system' is invalid: {TARGET}"),
    "cli_replace_own_callback": cli(["hydra.callbacks.side_by_side._target_=subprocess.getoutput"],
                                    "hydra.callbacks.side_by_side._target_='subprocess.getoutput' is invalid: "
                                    + TARGET),
    "cli_name_outside_outputs": cli(["name=../../outside"], f"name='../../outside' is invalid: {NAME}"),
    "cli_delete_run": cli(["~run"], f"run='~run' is invalid: {DELETE}"),
    "cli_delete_seed": cli(["~run.seed"], f"run.seed='~run.seed' is invalid: {DELETE}"),
    "cli_delete_capacity": cli(["~crisis_places.dno.capacity"],
                               f"crisis_places.dno.capacity='~crisis_places.dno.capacity' is invalid: {DELETE}"),
    "cli_window_half_a_day": cli(["run.horizon_days=180.5"], "run.horizon_days=180.5 is invalid: at least 1 day"
                                 " longer than run.warmup_days=180.0 (the measured window)"),
    "cli_mser5_one_day": cli(["run.warmup_method=mser5", "run.horizon_days=1.5", "run.warmup_days=0"],
                             "run.horizon_days=1.5 is invalid: at least 2 days with run.warmup_method=mser5 (it may cut"
                             " half the run)"),
    "cli_share_nan": cli(["sex_shares.male=nan"], "sex_shares.male=nan is invalid: a probability in [0, 1]"),
    "cli_negative_max_wait": cli(["followup.bw.max_wait_days=-3"],
                                 "followup.bw.max_wait_days=-3.0 is invalid: a number > 0"),
    "cli_nan_stay": cli(["crisis_places.dno.stay.mean_days=nan"],
                        "crisis_places.dno.stay.mean_days=nan is invalid: a number > 0"),
}

CASES: dict[str, Case] = {
    **{f"scenario:{n}": scenario_case(n, e) for n, e in SCENARIO_FILES.items()},
    **{f"csv:{n}": csv_case(n, e) for n, e in CSV_FILES.items()},
    **{f"made:{n}": build for n, build in GENERATED.items()},
}

SUBPROCESS = [
    "scenario:billion_laughs", "scenario:interpolation_bomb", "scenario:target_os_system",
    "scenario:target_in_sources", "scenario:hydra_callback", "scenario:python_tag", "scenario:hydra_run_dir",
    "scenario:empty", "scenario:bom", "scenario:latin1", "scenario:capacity_1e9", "scenario:stay_100000_days",
    "scenario:cost_per_day_1e7", "made:cli_delete_run",
    "csv:empty", "csv:latin1", "csv:future_date", "made:huge_csv_60mb", "made:huge_yaml_5mb",
    "made:yaml_nesting_100k", "made:csv_dev_zero", "made:cli_hydra_callback_target", "made:hydra_callbacks_group_file",
]


def test_corpus_files_are_all_in_the_tables():
    assert {p.stem for p in SCEN.glob("*.yaml")} == set(SCENARIO_FILES)
    assert {p.stem for p in CSVS.glob("*.csv")} == set(CSV_FILES) | set(ACCEPTED_CSVS)
    assert set(SUBPROCESS) <= set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_exactly_one_line(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, expected = CASES[case](tmp_path)
    with pytest.raises(Exception) as err:
        check_jobs(argv)
    assert one_line(err.value) == expected
    assert not (tmp_path / "outputs").exists()
    assert not list(tmp_path.glob("pwned_*"))


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("case", SUBPROCESS)
def test_cli_exits_2_in_time_and_memory(case, tmp_path):
    argv, expected = CASES[case](tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    env["OPENBLAS_NUM_THREADS"] = "1"  # on many cores OpenBLAS reserves address space per thread at import
    proc = subprocess.run([sys.executable, "-m", "sim", *argv], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, preexec_fn=limit_memory)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.splitlines() == [f"sim: invalid config: {expected}"]
    assert not (tmp_path / "outputs").exists()
    assert not list(tmp_path.glob("pwned_*")), "a payload ran"


def run_payload(name: str, tmp: Path) -> None:
    """Run a corpus payload on purpose, in ``tmp``, the way the unsafe path would."""
    text = (SCEN / f"{name}.yaml").read_text()
    if name == "python_tag":
        yaml.unsafe_load(text)  # PyYAML's full loader constructs (and calls) os.system
        return
    node = yaml.safe_load(text)
    for part in {"target_os_system": [], "target_in_sources": ["sources", "S9"],
                 "hydra_callback": ["hydra", "callbacks", "evil"]}[name]:
        node = node[part]
    target = {"os.system": os.system, "builtins.eval": eval}[node["_target_"]]
    target(*node["_args_"])  # what hydra.utils.instantiate would do


@pytest.mark.parametrize("name", ["python_tag", "target_os_system", "target_in_sources", "hydra_callback"])
def test_the_payloads_would_leave_a_pwned_file(name, tmp_path, monkeypatch):
    """So ``no pwned_* file`` above really shows that the payload never ran."""
    monkeypatch.chdir(tmp_path)
    run_payload(name, tmp_path)
    assert list(tmp_path.glob("pwned_*"))


@pytest.mark.parametrize(("name", "days"), list(ACCEPTED_CSVS.items()))
def test_bom_crlf_and_blank_rows_are_read_correctly(name, days, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = str(CSVS / f"{name}.csv")
    assert read_trace(path, "2018-01-01", CSV_KEY) == days
    assert check_jobs([*BASE, f"{CSV_KEY}={path}"]) == 1


def test_arrivals_after_the_horizon_are_ignored():
    cfg = make_config(capacity=5, stay=dist("fixed", 1.0), horizon=40.0)
    cfg.groups["g"].arrivals_csv = str(CSVS / "ok_beyond_horizon.csv")
    ev = simulate(cfg, 0)
    assert list(ev[ev.kind == "arrive"].t_days) == [0.0, 2.0]
