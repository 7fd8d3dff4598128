"""Silently wrong numbers: inputs and uses of the library that once ran and gave a wrong answer.

Each test names the class it closes; the refused inputs among them are in
``test_hostile.py``'s tables (exact one-line messages), these are the ones that need a run.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from sim.engine.rng import EXTERNAL, FIRST_VISIT, INITIAL, RETURN_VISIT, STREAMS, uniform_streams
from sim.run.experiment import simulate
from tests.conftest import make_config

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
