"""Sweeps at scale: sweep.csv and its plots, paired monotonicity over a capacity sweep,
resuming a sweep with an interrupted and a failed job, and failures recorded while the others go on.

Every multirun here goes through the command line (`python -m sim -m ...`) in a subprocess.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.config.compose import load_config
from sim.cli.app import SideBySide
from sim.outputs.folders import is_complete
from sim.studies.sweep import collect_sweep, is_done, job_key, run_job
from sim.cli.sweep import main

pytestmark = pytest.mark.slow  # end to end: runs multiruns through the command line

SUMMARY_COLUMNS = ["scenario", "place", "metric", "mean", "ci_low", "ci_high", "n_reps"]
CAP = "crisis_places.dno.capacity"
CAPACITIES = (20, 25, 30, 35)
COMMON = ["run=ci", "run.n_reps=4", "run.plots=false"]
SWEEP = ["-m", "scenarios=baseline", f"{CAP}={','.join(map(str, CAPACITIES))}", *COMMON]
LINE_PLOTS = ("sweep_dno_p_turned_away.png", "sweep_dno_turned_away.png", "sweep_dno_mean_occupancy.png",
              "sweep_all_mean_wait_followup_days.png", "sweep_dno_cost_eur.png")
RESULTS = ("kpis.csv", "summary.csv")
SWEEP_TABLES = ("sweep.csv", "summary.csv", "kpis.csv", "comparison.csv")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_sim(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh CI-sized capacity sweep: 4 jobs of 4 replications."""
    base = tmp_path_factory.mktemp("sweep")
    proc = run_sim([*SWEEP, f"hydra.sweep.dir={base / 'sweep'}"], base)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Sweep table:" in proc.stdout
    return base / "sweep"


# ------------------------------------------------------------------ sweep.csv and plots
def test_sweep_csv_has_one_column_per_swept_parameter(sweep: Path) -> None:
    table = pd.read_csv(sweep / "sweep.csv")
    assert list(table.columns) == [CAP, *SUMMARY_COLUMNS]  # run=ci, run.n_reps=4: same in every job, not swept
    assert tuple(sorted(table[CAP].unique())) == CAPACITIES and set(table["scenario"]) == {"baseline"}
    for num, cap in enumerate(CAPACITIES):  # each job's summary, unchanged, under its parameter value
        job = pd.read_csv(sweep / f"{num}_baseline" / "summary.csv")
        rows = table[table[CAP] == cap].drop(columns=CAP).reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, job)


def test_sweep_csv_is_written_before_the_marker(sweep: Path) -> None:
    info = json.loads((sweep / "sweep.json").read_text())
    assert info["failed"] == [] and info["jobs"] == [f"{n}_baseline" for n in range(len(CAPACITIES))]
    assert (sweep / "sweep.csv").stat().st_mtime_ns <= (sweep / "sweep.json").stat().st_mtime_ns
    assert not list(sweep.rglob("*.tmp"))


def test_sweep_plots(sweep: Path) -> None:
    for name in LINE_PLOTS:
        assert (sweep / name).read_bytes()[:8] == PNG_MAGIC, name
    assert not list(sweep.glob("sweep_heatmap_*.png")), "one numeric parameter: no heatmap"


def test_heatmap_when_two_numeric_parameters_are_swept(sweep: Path, tmp_path: Path) -> None:
    from sim.outputs.sweep_plots import save_sweep_plots

    one = pd.read_csv(sweep / "sweep.csv")
    two = pd.concat([one.assign(**{"run.seed": s}) for s in (1, 2)], ignore_index=True)
    two = two[[CAP, "run.seed", *one.columns[1:]]]
    names = {p.name for p in save_sweep_plots(two, tmp_path)}
    assert {f"sweep_heatmap_{n[len('sweep_'):]}" for n in LINE_PLOTS} | set(LINE_PLOTS) == names


def test_command_recollects_an_existing_folder(sweep: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (sweep / "sweep.csv").read_bytes()
    assert main([str(sweep)]) == 0
    assert (sweep / "sweep.csv").read_bytes() == before
    assert str(sweep / "sweep.csv") in capsys.readouterr().out


# ------------------------------------------------------------------ monotonicity, paired by replication
def test_turned_away_never_rises_with_capacity_paired_by_rep(sweep: Path) -> None:
    """More DNO beds never turn more people away at the DNO: the paired per-replication
    difference (value at c + 5 minus value at c, same clients) has a 95% interval below 0 at every step.

    Why the paired interval and not every replication: measured before writing this test, the
    exact per-replication statement held in this sweep and in 40 replications x capacities
    10..50 (run=ci), but not in 20 replications of run=quick (3 measured years): in replication 6
    the DNO turned away 153 people at 25 beds and 156 at 30. With re-entry switched off
    (reentry_share=0) or without the overflow places that replication is monotone again: a
    person admitted instead of turned away changes who leaves, and returns, when. Every paired
    mean difference of those runs was negative (upper 95% bounds from -0.9 to -3.5 people while
    any were turned away), which is what is asserted here.
    """
    from sim.analysis.compare import t_interval

    k = collect_sweep(sweep, "kpis.csv")
    assert list(k.columns) == [CAP, "scenario", "rep", "place", "metric", "value"]
    for metric in ("turned_away", "p_turned_away"):
        wide = k[(k["place"] == "dno") & (k["metric"] == metric)].pivot_table(index="rep", columns=CAP,
                                                                              values="value")
        assert list(wide.columns) == list(CAPACITIES) and len(wide) == 4
        step = wide.diff(axis=1).iloc[:, 1:]  # per rep: value at c + 5 minus value at c
        for cap in step.columns:
            mean, lo, hi = t_interval(step[cap].to_numpy())
            assert hi < 0, f"{metric} from {cap - 5} to {cap} beds: paired difference {mean} [{lo}, {hi}]"
    means = pd.read_csv(sweep / "sweep.csv").query("place == 'dno' and metric == 'turned_away'")["mean"]
    assert means.is_monotonic_decreasing


# ------------------------------------------------------------------ resume
def test_job_key_follows_config_and_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sim.studies.sweep

    cfg = load_config("baseline", ["run=ci"])
    key = job_key(cfg)
    assert key == job_key(load_config("baseline", ["run=ci"])) and len(key) == 64
    assert key != job_key(load_config("baseline", ["run=ci", f"{CAP}=21"]))
    monkeypatch.setattr(sim.studies.sweep, "code_version", lambda: {"sources_sha256": "edited"})
    assert job_key(cfg) != key
    (tmp_path / "run.json").write_text(json.dumps({"job_key": key}))
    assert is_done(tmp_path, key) and not is_done(tmp_path, "other")
    (tmp_path / "run.json").write_text('{"job_key": "')  # a torn file is never taken as done
    assert not is_done(tmp_path, key)


@pytest.fixture(scope="module")
def resumed(sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fresh sweep copied, then hurt: job 2 interrupted before its marker (run.json gone) and
    job 1 failing at run time (a folder stands where its events.csv.gz goes, so writing it fails:
    a real failure, no test hook). The same command is run again; then, with the obstacle gone, once more."""
    base = tmp_path_factory.mktemp("resume")
    out = base / "sweep"
    shutil.copytree(sweep, out)  # keeps mtimes
    (out / "1_baseline" / "run.json").unlink()
    (out / "1_baseline" / "events.csv.gz").unlink()
    (out / "1_baseline" / "events.csv.gz").mkdir()
    (out / "2_baseline" / "run.json").unlink()
    mtime = {n: (out / f"{n}_baseline" / "run.json").stat().st_mtime_ns for n in (0, 3)}
    first = run_sim([*SWEEP, f"hydra.sweep.dir={out}"], base)
    after_first = {n: json.loads((out / f"{n}_baseline" / "run.json").read_text()) for n in (0, 2, 3)}
    failed_info = json.loads((out / "sweep.json").read_text())
    failed_csv = pd.read_csv(out / "sweep.csv")
    error = json.loads((out / "1_baseline" / "error.json").read_text())
    (out / "1_baseline" / "events.csv.gz").rmdir()
    second = run_sim([*SWEEP, f"hydra.sweep.dir={out}"], base)
    return {"out": out, "mtime": mtime, "first": first, "second": second, "after_first": after_first,
            "failed_info": failed_info, "failed_csv": failed_csv, "error": error}


def test_rerun_skips_complete_jobs_and_redoes_the_interrupted_one(resumed: dict[str, Any], sweep: Path) -> None:
    first, out = resumed["first"], resumed["out"]
    assert (first.stdout + first.stderr).count("skipped: complete") == 2  # jobs 0 and 3
    for n, t in resumed["mtime"].items():
        assert (out / f"{n}_baseline" / "run.json").stat().st_mtime_ns == t, f"job {n} was recomputed"
    fresh_key = json.loads((sweep / "2_baseline" / "run.json").read_text())["job_key"]
    assert resumed["after_first"][2]["job_key"] == fresh_key  # job 2 redone, after job 1 had failed


def test_failed_job_is_recorded_and_the_command_exits_nonzero(resumed: dict[str, Any]) -> None:
    first = resumed["first"]
    assert first.returncode == 1, first.stderr[-3000:]
    assert "FAILED jobs (1; see error.json in each): 1_baseline" in first.stdout
    assert resumed["error"]["error_type"] == "IsADirectoryError" and "Traceback" in resumed["error"]["traceback"]
    assert resumed["failed_info"]["failed"] == ["1_baseline"]  # sweep.json written before the exit
    assert resumed["failed_info"]["jobs"] == ["0_baseline", "2_baseline", "3_baseline"]
    assert set(resumed["failed_csv"][CAP]) == {20, 30, 35}


def test_second_rerun_redoes_only_the_failed_job(resumed: dict[str, Any]) -> None:
    second, out = resumed["second"], resumed["out"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert (second.stdout + second.stderr).count("skipped: complete") == 3
    assert is_complete(out / "1_baseline") and not (out / "1_baseline" / "error.json").exists()
    assert json.loads((out / "sweep.json").read_text())["failed"] == []
    for n in (0, 2, 3):
        assert json.loads((out / f"{n}_baseline" / "run.json").read_text()) == resumed["after_first"][n]


def test_resumed_sweep_equals_the_fresh_one(resumed: dict[str, Any], sweep: Path) -> None:
    out = resumed["out"]
    for n in range(len(CAPACITIES)):
        job, fresh = out / f"{n}_baseline", sweep / f"{n}_baseline"
        for name in RESULTS:
            assert (job / name).read_bytes() == (fresh / name).read_bytes(), f"job {n}: {name}"
        assert gzip.decompress((job / "events.csv.gz").read_bytes()) == gzip.decompress(
            (fresh / "events.csv.gz").read_bytes())
    for name in SWEEP_TABLES:
        assert (out / name).read_bytes() == (sweep / name).read_bytes(), name


# ------------------------------------------------------------------ failures
def test_failed_job_records_its_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.run.experiment

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(sim.run.experiment, "run_experiment", broken)
    cfg = load_config("baseline", ["run=ci", "run.n_reps=1"])
    (tmp_path / "run.json").write_text("{}")  # an older complete result must not vouch for this attempt
    assert run_job(cfg, tmp_path, "key") is None
    err = json.loads((tmp_path / "error.json").read_text())
    assert (err["error_type"], err["message"], err["job_key"]) == ("RuntimeError", "simulated failure", "key")
    assert "Traceback" in err["traceback"] and "simulated failure" in err["traceback"]
    assert not is_complete(tmp_path)
    with pytest.raises(RuntimeError):  # a single run re-raises (exit code from Hydra), still recorded
        run_job(cfg, tmp_path, "key", reraise=True)
    assert (tmp_path / "error.json").is_file()


def test_callback_lists_failed_jobs_and_exits_nonzero(sweep: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    hand = tmp_path / "hand"
    shutil.copytree(sweep / "0_baseline", hand / "0_baseline")
    (hand / "1_baseline").mkdir()
    (hand / "1_baseline" / "error.json").write_text(json.dumps({"error_type": "RuntimeError", "message": "x"}))
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(hand)}},
                               "run": {"horizon_days": 730, "warmup_days": 180, "reference": "baseline"}})
    with pytest.raises(SystemExit) as exit_:
        SideBySide().on_multirun_end(config)
    assert exit_.value.code == 1
    info = json.loads((hand / "sweep.json").read_text())  # written before the exit
    assert info["failed"] == ["1_baseline"] and info["jobs"] == ["0_baseline"]
    assert (hand / "sweep.csv").read_bytes() == (sweep / "0_baseline" / "summary.csv").read_bytes()
    assert "FAILED jobs (1" in capsys.readouterr().out
    assert main([str(hand), "--no-plots"]) == 1


def test_job_key_follows_the_content_of_a_trace(tmp_path: Path) -> None:
    """Editing an arrival CSV (same path) changes the key, so a resumed sweep reruns the job."""
    from tests.conftest import make_config

    trace = tmp_path / "arrivals.csv"
    trace.write_text("t_days\n1.0\n2.0\n")
    cfg = make_config()
    cfg.groups["g"].arrivals_csv = str(trace)
    key = job_key(cfg)
    assert key == job_key(cfg)
    trace.write_text("t_days\n1.0\n3.0\n")
    assert job_key(cfg) != key
