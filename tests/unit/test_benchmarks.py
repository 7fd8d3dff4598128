"""The benchmark scripts run (tiny sizes): their figures are what the README quotes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

pytestmark = pytest.mark.slow  # they time real runs


def test_every_engine_simulates_the_same_systems(capsys: pytest.CaptureFixture[str]) -> None:
    import bench_engines

    ratios = bench_engines.run(20_000, 1)
    assert set(ratios) == {"loss", "tandem"} and all(set(r) == set(bench_engines.ENGINES) for r in ratios.values())
    assert ratios["loss"]["simpy"] == 1.0 and all(v > 0 for r in ratios.values() for v in r.values())
    for system in bench_engines.SYSTEMS:  # all four engines see the same clients and about the same losses
        shares = [bench_engines.ENGINES[e](system, 20_000) for e in bench_engines.ENGINES]
        assert all(abs(n - 20_000) < 4 * 20_000 ** 0.5 + 50 for n, _ in shares)
        p = [lost / n for n, lost in shares]
        assert max(p) - min(p) < 0.05, (system, p)
    assert "Erlang B" in capsys.readouterr().out


def test_the_scale_benchmark_scales_the_region() -> None:
    import bench_scale

    from sim import load_config

    base = load_config("baseline", ["run=ci"])
    big = bench_scale.scaled(base, 3)
    assert big.crisis_places["dno"].capacity == 3 * base.crisis_places["dno"].capacity
    assert big.groups["single_adults"].arrivals_per_year == 3 * base.groups["single_adults"].arrivals_per_year
    assert sum(i.count for i in big.initial_state) == 3 * sum(i.count for i in base.initial_state)
