"""The STRESS-DES model description is generated from the configs: places, capacities and overrides."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pandas as pd
import pytest

from sim.config.compose import load_config
from sim.analysis.results import KPI_COLUMNS, SUMMARY_COLUMNS, Results
from sim.outputs.report_doc import Heading, Table, to_markdown
from sim.config.schema import CrisisPlaceCfg, SimConfig
from sim.outputs.stress import METRICS, overrides, stress_blocks
from sim.outputs.stress_inputs import assumption_notes, flatten


def results(cfg: SimConfig) -> Results:
    """Results with empty frames: the description needs only the config."""
    return Results(cfg, pd.DataFrame(columns=["scenario", "rep"]), pd.DataFrame(columns=KPI_COLUMNS),
                   pd.DataFrame(columns=SUMMARY_COLUMNS))


@pytest.fixture(scope="module")
def pair() -> tuple[Results, Results]:
    ref = load_config("baseline", ["run=ci"])
    cfg = deepcopy(ref)
    cfg.name = "dno20_mo_cap"
    cfg.crisis_places["dno"].capacity = 20
    cfg.followup["mo"].max_wait_days = 30.0
    cfg.followup["mo"].fallback = "street"
    cfg.crisis_places["pop_up"] = CrisisPlaceCfg(capacity=6)
    return results(ref), results(cfg)


def table_after(blocks: list, heading: str, nth: int = 0) -> Table:
    """The ``nth`` table after the heading whose text is ``heading``."""
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == heading)
    return [b for b in blocks[start:] if isinstance(b, Table)][nth]


def test_every_crisis_place_listed_with_its_capacity(pair: tuple[Results, Results]) -> None:
    ref, _ = pair
    blocks = stress_blocks([ref], "baseline")
    crisis = table_after(blocks, "2.5.3 Resources")
    assert crisis.columns[:3] == ["place", "provider", "capacity"]
    assert {row[0]: row[2] for row in crisis.rows} == {p: str(c.capacity) for p, c in ref.cfg.crisis_places.items()}
    follow = table_after(blocks, "2.5.3 Resources", 1)
    assert [row[0] for row in follow.rows] == list(ref.cfg.followup)
    assert dict((r[0], r[2]) for r in follow.rows)["bw"] == "600"


def test_overrides_are_the_config_diff(pair: tuple[Results, Results]) -> None:
    ref, scen = pair
    rows = overrides(ref, scen)
    assert ["`crisis_places.dno.capacity`", "35", "20"] in rows
    assert ["`followup.mo.max_wait_days`", "null", "30"] in rows
    assert ["`followup.mo.fallback`", "null", "street"] in rows
    assert ["`crisis_places.pop_up.capacity`", "(absent)", "6"] in rows
    assert not any(r[0] in ("`name`", "`description`") for r in rows)  # text, not a model change
    assert overrides(ref, ref) == []


def test_scenario_logic_lists_each_scenario_and_its_overrides(pair: tuple[Results, Results]) -> None:
    ref, scen = pair
    blocks = stress_blocks([ref, scen], "baseline")
    diff = table_after(blocks, "2.3 Scenario logic")
    assert diff.columns == ["key", "baseline", "dno20_mo_cap"]
    assert ["`crisis_places.dno.capacity`", "35", "20"] in diff.rows
    md = to_markdown(blocks)
    assert "`dno20_mo_cap` differs from `baseline` in" in md
    assert "after 30 d waiting" not in md  # components describe the reference ...
    assert "after 30 d waiting the client goes to `street`" in to_markdown(stress_blocks([scen], None))  # ... or the one
    for metric in METRICS:
        assert f"| `{metric}` |" in md
    assert "| `run.n_reps` | 3 |" in md and "| S2 |" in md  # run settings and the region's sources


def test_metric_definitions_cover_the_metrics() -> None:
    from sim.engine.vocab import ALL_METRICS, CRISIS_METRICS, FOLLOWUP_METRICS

    assert set(CRISIS_METRICS) | set(FOLLOWUP_METRICS) | set(ALL_METRICS) <= set(METRICS)


def test_assumption_notes_join_multiline_comments(tmp_path: Path) -> None:
    y = tmp_path / "r.yaml"
    y.write_text("places:\n"
                 "  dno:\n"
                 "    capacity: 35   # S2 'officieel 35'\n"
                 "    # ASSUMPTION: no spread given,\n"
                 "    # so exponential\n"
                 "    stay: {kind: exponential}\n"
                 "    cost: 5        # ASSUMPTION: as elsewhere\n"
                 "init:\n"
                 "  - {place: dno, count: 3}   # ASSUMPTION: near steady state\n")
    assert assumption_notes(y) == [
        ("places.dno", "ASSUMPTION: no spread given, so exponential"),
        ("places.dno.cost", "ASSUMPTION: as elsewhere"),
        ("init {place: dno, count: 3}", "ASSUMPTION: near steady state"),
    ]


def test_flatten() -> None:
    assert flatten({"a": {"b": 1, "c": [{"d": 2}], "e": []}}) == {"a.b": 1, "a.c[0].d": 2, "a.e": []}
