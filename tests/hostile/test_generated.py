"""Generated hostile input through the real command line: every run ends in exit 0 with a
complete result folder, or in exit 2 with exactly one line and nothing written.

Hypothesis writes scenario files and override lists from the real keys of the config and
from values of every awkward kind (negative, zero, huge, NaN, text, lists, mappings, code,
YAML anchors, control characters); each example runs ``python -m sim`` in a subprocess.
A payload that ever ran would leave the file ``pwned`` behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow  # each example starts a real run (about 3 s)

KEYS = ["crisis_places.dno.capacity", "crisis_places.dno.overflow_capacity", "crisis_places.dno.stay.mean_days",
        "crisis_places.dno.stay.kind", "crisis_places.dno.max_stay_days", "crisis_places.dno.cost_per_day_eur",
        "crisis_places.dno.accepts", "groups.single_adults.arrivals_per_year", "groups.single_adults.when_full",
        "groups.single_adults.reentry_share", "followup.bw.capacity", "followup.bw.max_wait_days",
        "run.n_reps", "run.seed", "run.horizon_days", "run.warmup_days", "run.start_date", "name", "description",
        "origin_shares.maastricht", "initial_state", "hydra.callbacks.x._target_", "hydra.job_logging"]
VALUES = st.sampled_from([0, 1, 3, -1, -5, 10**9, 1e308, 1e-300, 0.5, "nan", "inf", "abc", "", "null", "true",
                          "[1, 2]", "{}", "{_target_: os.system}", "'${oc.env:HOME}'", "'\\x1b[31mred'",
                          "2018-01-01", "exponential", "turn_away", "[single_adults]", "os.system"])
PWNED_CODE = "{_target_: os.system, _args_: [touch pwned]}"


def _yaml_value(v: object) -> str:
    return str(v)


@st.composite
def scenario_files(draw: st.DrawFn) -> str:
    lines = ["# @package _global_"]
    lines.append(f"name: {draw(st.sampled_from(['gen', 'gen', 'other', '../x']))}")
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
        value = draw(VALUES)
        parts = key.split(".")
        lines += [f"{'  ' * i}{p}:" for i, p in enumerate(parts[:-1])]
        lines.append(f"{'  ' * (len(parts) - 1)}{parts[-1]}: {_yaml_value(value)}")
    if draw(st.integers(0, 9)) == 0:
        lines.append("anchors: &a [x, x]\nuse: *a")
    if draw(st.integers(0, 9)) == 0:
        lines.append(f"hydra:\n  callbacks:\n    x: {PWNED_CODE}")
    return "\n".join(lines) + "\n"


OVERRIDES = st.lists(st.one_of(
    st.builds(lambda k, v: f"{k}={v}".replace(" ", ""), st.sampled_from(KEYS), VALUES),
    st.sampled_from(["~run", "+hydra.callbacks.x._target_=os.system", "+crisis_places.new.capacity=3",
                     "scenarios=[baseline,gen]", "region=null", "run=nosuch", "--config-name=nosuch",
                     "hydra.job_logging.handlers.console.class=os.system"])), max_size=2)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=scenario_files(), overrides=OVERRIDES)
def test_every_generated_run_is_complete_or_refused_in_one_line(tmp_path_factory: pytest.TempPathFactory,
                                                                 text: str, overrides: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("gen")
    (tmp / "cfg" / "scenarios").mkdir(parents=True)
    (tmp / "cfg" / "scenarios" / "gen.yaml").write_text(text)
    out_dir = tmp / "out"
    argv = [sys.executable, "-m", "sim", "scenarios=gen", "run=ci", "run.n_reps=1", "run.horizon_days=400",
            "run.warmup_days=30", f"hydra.searchpath=[file://{PROJECT_ROOT.as_posix()},file://{tmp / 'cfg'}]",
            f"hydra.run.dir={out_dir}", *overrides]
    res = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, timeout=180)
    assert not (tmp / "pwned").exists(), (text, overrides)
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    if res.returncode == 0:
        info = json.loads((out_dir / "run.json").read_text())
        assert info["scenario"] == "gen" and (out_dir / "kpis.csv").stat().st_size > 0
    else:
        assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sim: invalid config: "), res.stderr
        assert lines[0].isprintable()
        assert not out_dir.exists(), sorted(p.name for p in out_dir.iterdir())
