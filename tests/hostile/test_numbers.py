"""Silently wrong numbers: inputs and uses of the library that once ran and gave a wrong answer.

Each test names the class it closes; the refused inputs among them are in
``test_hostile.py``'s tables (exact one-line messages), these are the ones that need a run.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import replace

import pandas as pd
from pandas.testing import assert_frame_equal

from sim.config.rules import validate
from sim.config.schema import FollowupCfg, SimConfig
from sim.engine.rng import EXTERNAL, FIRST_VISIT, INITIAL, RETURN_VISIT, STREAMS, uniform_streams
from sim.outputs.folders import collect, load_results, read_table
from sim.outputs.writers import save, write_csv
from sim.run.experiment import run_experiment, simulate
from sim.studies.sweep import collect_sweep
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
