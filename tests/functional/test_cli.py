"""End to end through the command line: `python -m sim ...` in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

from sim.config.paths import PROJECT_ROOT
from sim.engine.events import COLUMNS
from sim.engine.vocab import KINDS
from sim.outputs.provenance import PACKAGES

KPI_COLUMNS = ["scenario", "rep", "place", "metric", "value"]
SUMMARY_COLUMNS = ["scenario", "place", "metric", "mean", "ci_low", "ci_high", "n_reps"]
EVENT_COLUMNS = ["scenario", "rep", *COLUMNS]
PROVENANCE = ("scenario", "seed", "packages", "git_commit", "wall_seconds", "config")
PLOTS = ("occupancy.png", "turned_away_per_year.png", "wait_followup.png")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIMEOUT = 300


def run_sim(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sim <args>` from ``cwd`` (a temporary folder, so nothing lands in the checkout)."""
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT)


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    base = tmp_path_factory.mktemp("cli_single")
    out = base / "run"
    proc = run_sim(["scenarios=dno20", "run=ci", "run.n_reps=2", "run.plots=true", f"hydra.run.dir={out}"], base)
    return proc, out


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    base = tmp_path_factory.mktemp("cli_multi")
    sweep = base / "sweep"
    proc = run_sim(["-m", "scenarios=baseline,dno20", "run=ci", f"hydra.sweep.dir={sweep}"], base)
    return proc, sweep


# ------------------------------------------------------------------ single run
def test_single_run_exits_zero(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = single
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert out.is_dir()
    assert not (out.parent / "outputs").exists(), "hydra.run.dir was not honoured"


def test_single_run_files_and_columns(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = single
    for name in ("kpis.csv", "summary.csv", "events.csv.gz", "run.json", *PLOTS):
        assert (out / name).is_file(), name
    k = pd.read_csv(out / "kpis.csv")
    s = pd.read_csv(out / "summary.csv")
    ev = pd.read_csv(out / "events.csv.gz", keep_default_na=False)
    assert list(k.columns) == KPI_COLUMNS
    assert list(s.columns) == SUMMARY_COLUMNS
    assert list(ev.columns) == EVENT_COLUMNS
    assert set(k["scenario"]) == set(s["scenario"]) == set(ev["scenario"]) == {"dno20"}
    assert sorted(k["rep"].unique()) == [0, 1] == sorted(ev["rep"].unique())
    assert (s["n_reps"] <= 2).all() and (s["n_reps"] == 2).any()
    assert set(ev["kind"]) <= set(KINDS)
    assert {"arrive", "enter", "exit"} <= set(ev["kind"])
    # one row per client event: no exact duplicates, and time runs forward within a replication
    assert not ev.duplicated().any()
    for _, e in ev.groupby("rep"):
        assert e["t_days"].is_monotonic_increasing
    # the summary is the mean of the per-replication KPIs
    row = s[(s["place"] == "dno") & (s["metric"] == "arrivals")].iloc[0]
    reps = k[(k["place"] == "dno") & (k["metric"] == "arrivals")]["value"]
    assert row["mean"] == pytest.approx(reps.mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]


def test_single_run_provenance(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = single
    info = json.loads((out / "run.json").read_text())
    missing = [key for key in PROVENANCE if key not in info]
    assert not missing, missing
    assert info["scenario"] == "dno20"
    assert info["config"]["name"] == "dno20"
    assert info["seed"] == info["config"]["run"]["seed"]
    assert info["config"]["run"]["n_reps"] == 2
    assert info["config"]["crisis_places"]["dno"]["capacity"] == 20
    assert isinstance(info["wall_seconds"], (int, float)) and info["wall_seconds"] >= 0
    for p in PACKAGES:
        assert info["packages"][p] == version(p), p
    if (PROJECT_ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", info["git_commit"] or ""), info["git_commit"]


def test_single_run_prints_key_table(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, _ = single
    assert "dno p_turned_away" in proc.stdout
    assert "dno20" in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("dno p_turned_away"))
    assert re.search(r"\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", line), line


def test_single_run_plots_are_png(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = single
    for name in PLOTS:
        data = (out / name).read_bytes()
        assert data[:8] == PNG_MAGIC, name
        assert len(data) > 1000, name


def test_single_run_leaves_no_tmp_files(single: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = single
    assert leftovers(out) == []


# -------------------------------------------------------------------- multirun
def test_multirun_exits_zero(multi: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, sweep = multi
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = sorted(p.name for p in sweep.iterdir() if p.is_dir())
    assert jobs == ["0_baseline", "1_dno20"]
    for job in jobs:
        assert (sweep / job / "run.json").is_file()
        assert not any((sweep / job / name).exists() for name in PLOTS), "run=ci has plots off"
    assert leftovers(sweep) == []


def test_multirun_combined_tables(multi: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, sweep = multi
    s = pd.read_csv(sweep / "summary.csv")
    k = pd.read_csv(sweep / "kpis.csv")
    assert list(s.columns) == SUMMARY_COLUMNS
    assert list(k.columns) == KPI_COLUMNS
    assert set(s["scenario"]) == {"baseline", "dno20"} == set(k["scenario"])
    jobs = [pd.read_csv(sweep / job / "summary.csv") for job in ("0_baseline", "1_dno20")]
    pd.testing.assert_frame_equal(s, pd.concat(jobs, ignore_index=True))
    assert len(k) == sum(len(pd.read_csv(sweep / job / "kpis.csv")) for job in ("0_baseline", "1_dno20"))
    # the two scenarios differ where the policy acts
    cap = s[(s["place"] == "dno") & (s["metric"] == "mean_occupancy")].set_index("scenario")["mean"]
    assert cap["dno20"] < cap["baseline"]


def test_multirun_prints_side_by_side(multi: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, _ = multi
    tail = proc.stdout[proc.stdout.rfind("side by side"):]
    assert "side by side" in proc.stdout
    header = next(ln for ln in tail.splitlines() if "baseline" in ln)
    assert "dno20" in header and header.index("baseline") < header.index("dno20")
    line = next(ln for ln in tail.splitlines() if ln.startswith("dno p_turned_away"))
    assert len(re.findall(r"\[", line)) == 2, line
