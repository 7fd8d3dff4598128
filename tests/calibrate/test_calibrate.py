"""Calibration recovers a known arrival rate from an occupancy computed by queueing theory."""

from __future__ import annotations

import pytest

from sim.studies.calibrate import FreeParam, Target, calibrate, fit_report
from sim.analysis.theory import erlang_b
from tests.conftest import dist, make_config

BEDS, MEAN_STAY, TRUE_PER_YEAR = 5, 10.0, 146.0  # offered load A = 0.4/day * 10 days = 4 erlangs


def _tiny(seed: int = 3):
    return make_config(capacity=BEDS, stay=dist("exponential", MEAN_STAY), arrivals_per_year=60.0,
                       horizon=2050, warmup=50, n_reps=8, seed=seed)


def _occupancy_target() -> Target:
    a = TRUE_PER_YEAR / 365 * MEAN_STAY
    occupied = a * (1 - erlang_b(BEDS, a))  # Little's law on the admitted: L = A (1 - B(c, A))
    return Target("p", "mean_occupancy", occupied, sd=0.01 * occupied)


PARAM = FreeParam("groups.g.arrivals_per_year", 50.0, 300.0)


@pytest.mark.parametrize("method", ["bounded 1-D", "Nelder-Mead"])
def test_recovers_the_arrival_rate_within_its_uncertainty(method):
    res = calibrate(_tiny(), [_occupancy_target()], [PARAM], method=method, max_evaluations=25, xtol=0.002)
    fitted = res.params[PARAM.key]
    se = float(res.uncertainty.se.iloc[0])
    assert 0 < se < 10
    assert abs(fitted - TRUE_PER_YEAR) < 3 * se, (fitted, se)
    assert res.overrides == [f"{PARAM.key}={fitted:.6g}"]
    assert bool(res.report.met.iloc[0]) and res.n_evaluations <= 27


def test_seed_uncertainty_spread_covers_the_truth():
    res = calibrate(_tiny(), [_occupancy_target()], [PARAM], method="bounded 1-D", max_evaluations=20,
                    xtol=0.005, uncertainty="seeds", seeds=(1, 2, 3))
    u = res.uncertainty.iloc[0]
    assert u.method.startswith("seeds") and u.low <= u.value <= u.high
    assert abs(u.value - TRUE_PER_YEAR) < 3 * max(float(u.se), 1.0) + 6.0


def test_targets_and_params_are_checked():
    with pytest.raises(ValueError):
        Target("p", "mean_occupancy", 1.0)  # neither sd nor interval
    with pytest.raises(ValueError):
        Target("p", "mean_occupancy", 1.0, low=2.0, high=1.0)
    with pytest.raises(ValueError):
        FreeParam("x", 1.0, 1.0)
    with pytest.raises(ValueError):
        calibrate(_tiny(), [_occupancy_target()], [PARAM, PARAM], method="bounded 1-D")


def test_report_met_means_interval_overlap():
    import pandas as pd

    t = Target("p", "m", 10.0, low=9.5, high=10.5)
    sims = pd.DataFrame({"sim_mean": [11.0, 12.0], "ci_low": [10.4, 11.0], "ci_high": [11.6, 13.0], "sim_se": [.3, .5]})
    rep = fit_report([t, t], sims)
    assert list(rep.met) == [True, False]
    assert t.scale == pytest.approx(0.5 / 1.959964)
