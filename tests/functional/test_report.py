"""The planner's report: report.html opens in headless Chromium with every image shown and the
numbers of summary.csv; report.md holds the same tables and the STRESS-DES description.

Needs Chromium and its driver (Debian: ``apt-get install -y chromium chromium-driver``) and
selenium; without them these tests FAIL (CI installs them), they do not skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pytest

from sim.outputs.folders import load_results
from sim.outputs.report import write_report
from sim.outputs.report_plots import occupancy_shares
from sim.outputs.table import _cell

pytestmark = pytest.mark.slow  # end to end: builds reports and opens them in headless Chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = ("install them with `apt-get update && apt-get install -y chromium chromium-driver` (Debian/Ubuntu) "
           "and `pip install -e '.[dev]'` (selenium)")
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run")
SCENARIOS = ("baseline", "dno20")
# occupancy distribution, occupancy over time per scenario, turned away, waits, blocked days, cost
N_IMAGES = 5 + len(SCENARIOS)
STRESS_HEADINGS = ("## Model description (STRESS-DES)", "### 1. Objectives", "#### 1.2 Model outputs",
                   "### 2. Logic", "#### 2.3 Scenario logic", "##### 2.5.1 Entities", "##### 2.5.3 Resources",
                   "##### 2.5.4 Queues", "### 3. Data", "#### 3.4 Assumptions", "### 4. Experimentation",
                   "#### 4.1 Initialisation", "### 5. Implementation", "#### 5.2 Random sampling",
                   "### 6. Code access")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real multirun through the command line (the report is written by the Hydra callback)."""
    base = tmp_path_factory.mktemp("report")
    out = base / "sweep"
    proc = subprocess.run([sys.executable, "-m", "sim", "-m", f"scenarios={','.join(SCENARIOS)}", "run=ci",
                           "run.n_reps=3", f"hydra.sweep.dir={out}"], cwd=base, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _missing_browser() -> str:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python package selenium")
    return f"report test needs {', '.join(missing)}: {INSTALL}" if missing else ""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through the system chromedriver; Selenium Manager is never asked to download."""
    if msg := _missing_browser():
        pytest.fail(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        opts.add_argument(arg)
    with tempfile.TemporaryDirectory() as profile:
        opts.add_argument(f"--user-data-dir={profile}")
        # an explicit driver path makes Selenium skip Selenium Manager (no network, no download)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def page(browser: Any, sweep: Path) -> Any:
    browser.get((sweep / "report.html").as_uri())
    return browser


def years_of(folder: Path) -> float:
    run = json.loads((folder / "run.json").read_text())["config"]["run"]
    return (run["horizon_days"] - run["warmup_days"]) / 365.0


def expected(sweep: Path, scenario: str, place: str, metric: str, per_year: bool = False) -> str:
    """The summary.csv figure formatted as the terminal table does (totals per year)."""
    s = pd.read_csv(sweep / "summary.csv")
    row = s[(s["scenario"] == scenario) & (s["place"] == place) & (s["metric"] == metric)].iloc[0]
    f = 1.0 / years_of(sweep / "0_baseline") if per_year else 1.0
    return _cell(row["mean"] * f, row["ci_low"] * f, row["ci_high"] * f)


def test_chromium_is_installed() -> None:
    assert not _missing_browser(), _missing_browser()


def test_every_image_is_embedded_and_shown(page: Any) -> None:
    imgs = page.execute_script(
        "return Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.src.slice(0, 22)])")
    assert len(imgs) >= N_IMAGES
    assert all(ok for ok, _ in imgs), imgs
    assert {src for _, src in imgs} == {"data:image/png;base64,"}  # one self-contained file
    assert page.execute_script("return document.querySelectorAll('link[href], script[src]').length") == 0


@pytest.mark.parametrize("metric, per_year", [("p_turned_away", False), ("turned_away", True)])
def test_key_table_shows_summary_numbers(page: Any, sweep: Path, metric: str, per_year: bool) -> None:
    for scen in SCENARIOS:
        cell = page.execute_script(
            "return document.querySelector(arguments[0]).textContent",
            f'#key-figures td[data-scenario="{scen}"][data-place="dno"][data-metric="{metric}"]')
        assert cell == expected(sweep, scen, "dno", metric, per_year)


def test_differences_table_shows_comparison(page: Any, sweep: Path) -> None:
    c = pd.read_csv(sweep / "comparison.csv")
    row = c[(c["scenario"] == "dno20") & (c["place"] == "dno") & (c["metric"] == "p_turned_away")].iloc[0]
    cell = page.execute_script(
        "return document.querySelector('#paired-differences td[data-scenario=\"dno20\"][data-metric=\"p_turned_away\"]"
        "[data-place=\"dno\"]').textContent")
    assert row["reference"] == "baseline"
    assert cell == _cell(row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"])


def test_markdown_report(sweep: Path) -> None:
    md = (sweep / "report.md").read_text()
    for heading in STRESS_HEADINGS:
        assert f"\n{heading}\n" in md, heading
    cells = " | ".join(expected(sweep, s, "dno", "p_turned_away") for s in SCENARIOS)
    assert f"| dno p_turned_away | {cells} |" in md
    assert "| `crisis_places.dno.capacity` | 35 | 20 |" in md  # dno20's only override
    pngs = [line.split("](", 1)[1].rstrip(")") for line in md.splitlines() if line.startswith("![")]
    assert len(pngs) >= N_IMAGES
    for name in pngs:
        assert (sweep / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert not list(sweep.rglob("*.tmp"))


def test_each_job_has_its_own_report(sweep: Path) -> None:
    for job in ("0_baseline", "1_dno20"):
        md = (sweep / job / "report.md").read_text()
        assert "(report_occupancy.png)" in md and (sweep / job / "report_occupancy.png").is_file()
        assert "## Differences against" not in md


def test_report_without_event_record(sweep: Path, tmp_path: Path) -> None:
    """run.write_events=false: figures that need events are left out with a note; the tables remain."""
    job = tmp_path / "job"
    shutil.copytree(sweep / "1_dno20", job, ignore=shutil.ignore_patterns("events.csv.gz", "report*"))
    res = load_results(job)
    assert res.events.empty and res.cfg.name == "dno20"
    written = write_report(tmp_path / "out", [res])
    md = (tmp_path / "out" / "report.md").read_text()
    assert "`run.write_events=false`" in md
    assert not any("occupancy" in p.name for p in written)
    assert f"| dno p_turned_away | {expected(sweep, 'dno20', 'dno', 'p_turned_away')} |" in md


def test_occupancy_shares_on_a_hand_made_log() -> None:
    """Enter at 0 and 2, exit at 6, window [0, 10): one present 60% of the time, two 40%."""
    ev = pd.DataFrame({"rep": 0, "t_days": [0.0, 2.0, 6.0], "place": "p", "kind": ["enter", "enter", "exit"]})
    s = occupancy_shares(ev, "p", 0.0, 10.0)
    np.testing.assert_allclose(s.to_numpy(), [0.0, 0.6, 0.4])
    np.testing.assert_allclose(occupancy_shares(ev, "p", 4.0, 10.0).to_numpy(), [0.0, 2 / 3, 1 / 3])  # 2 until 6
