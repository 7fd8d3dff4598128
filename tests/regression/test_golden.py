"""The KPIs of a small fixed set of configs and seeds are reproduced byte for byte."""

import difflib

import pytest

from tests.regression.golden import GOLDEN, golden_text


def test_golden_kpis_are_reproduced_exactly():
    want = GOLDEN.read_text(encoding="utf-8")
    got = golden_text()
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "now"))[:40])
        pytest.fail("KPIs differ from tests/regression/golden_kpis.csv:\n" + diff)
    assert len(want.splitlines()) > 400  # the file really holds the cases' KPIs
