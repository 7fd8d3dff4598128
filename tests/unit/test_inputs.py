"""Input modelling pieces: samplers, arrival processes, trace files, client attributes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.engine.arrivals import poisson_times
from sim.config.traces import read_trace
from sim.config.traces import load_traces
from sim.engine.distributions import make_sampler
from sim.run.experiment import simulate
from sim.engine.rng import UniformStream
from tests.conftest import dist, make_config

N = 40_000


def draws(d, seed: int = 3) -> np.ndarray:
    s = UniformStream(np.random.SeedSequence(seed))
    f = make_sampler(d)
    return np.array([f(s.next()) for _ in range(N)])


@pytest.mark.parametrize("d, mean, sd", [
    (dist("exponential", 42.0), 42.0, 42.0),
    (dist("lognormal", 42.0, 30.0), 42.0, 30.0),
    (dist("gamma", 10.0, 4.0), 10.0, 4.0),
    (dist("empirical", values=[1.0, 2.0, 9.0]), 4.0, float(np.std([1.0, 2.0, 9.0]))),
])
def test_sampler_mean_and_sd_match_the_config(d, mean, sd):
    x = draws(d)
    se = sd / math.sqrt(N)  # standard error of the sample mean
    assert abs(x.mean() - mean) < 3 * se
    assert x.std() == pytest.approx(sd, rel=0.05)  # sd of the sample sd is well under 5% at this N
    assert (x >= 0).all()


def test_fixed_sampler_is_constant():
    assert set(draws(dist("fixed", 5.0))[:100]) == {5.0}


def test_piecewise_rate_gives_the_configured_counts_per_period():
    # 2 a day on [0, 500), none on [500, 600), 0.5 a day on [600, 2000)
    steps = [(0.0, 2.0), (500.0, 0.0), (600.0, 0.5)]
    counts = []
    for seed in range(30):
        s = UniformStream(np.random.SeedSequence(seed))
        t = np.array(list(poisson_times(steps, s.next, 2000.0)))
        counts.append([((t >= a) & (t < b)).sum() for a, b in ((0, 500), (500, 600), (600, 2000))])
    c = np.array(counts)
    assert c[:, 1].sum() == 0
    for col, expected in ((0, 1000.0), (2, 700.0)):  # Poisson: variance = mean
        assert abs(c[:, col].mean() - expected) < 3 * math.sqrt(expected / len(c))


def test_trace_csv_drives_the_arrivals(tmp_path):
    f = tmp_path / "arrivals.csv"
    f.write_text("date\n2018-01-01\n2018-01-03\n2018-01-03\n2018-02-01\n")
    assert read_trace(str(f), "2018-01-01", "k") == (0.0, 2.0, 2.0, 31.0)
    g = tmp_path / "arrivals_days.csv"
    g.write_text("t_days\n0.5\n1.25\n")
    cfg = make_config(capacity=5, stay=dist("fixed", 1.0), horizon=40.0)
    cfg.groups["g"].arrivals_csv = str(f)
    assert load_traces(cfg) == {"g": (0.0, 2.0, 2.0, 31.0)}
    ev = simulate(cfg, 0)
    assert list(ev[ev.kind == "arrive"].t_days) == [0.0, 2.0, 2.0, 31.0]
    cfg.groups["g"].arrivals_csv = str(g)
    ev = simulate(cfg, 0)
    assert list(ev[ev.kind == "arrive"].t_days) == [0.5, 1.25]


def test_client_attributes_follow_the_configured_shares():
    cfg = make_config(capacity=1000, arrivals_per_year=365 * 20.0, horizon=200.0)
    cfg.origin_shares = {"maastricht": 0.5, "region": 0.08, "other": 0.42}
    cfg.sex_shares = {"male": 0.75, "female": 0.25}
    arrivals = [e[e.kind == "arrive"] for e in (simulate(cfg, r) for r in range(12))]
    for col, shares in (("origin", cfg.origin_shares), ("sex", cfg.sex_shares)):
        for name, p in shares.items():
            per_rep = np.array([(a[col] == name).mean() for a in arrivals])
            se = per_rep.std(ddof=1) / math.sqrt(len(per_rep))  # SE of the mean over replications
            assert abs(per_rep.mean() - p) < 3 * se, (col, name, per_rep.mean())


def test_poisson_arrival_rate_matches_the_yearly_rate():
    cfg = make_config(capacity=1000, arrivals_per_year=365 * 3.0, horizon=1000.0)
    n = [int((simulate(cfg, r).kind == "arrive").sum()) for r in range(10)]
    assert abs(np.mean(n) - 3000) < 3 * math.sqrt(3000 / 10)


def test_empty_event_record_gives_zero_occupancy_not_an_error():
    from sim.analysis.metrics import kpis

    cfg = make_config(capacity=1, arrivals_per_year=0.0, horizon=10.0)
    k = kpis(simulate(cfg, 0), cfg)
    v = k.set_index(["place", "metric"])["value"]
    assert v[("p", "mean_occupancy")] == 0.0 and v[("p", "arrivals")] == 0 and math.isnan(v[("p", "p_turned_away")])
    assert isinstance(k, pd.DataFrame)
