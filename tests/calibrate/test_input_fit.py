"""Input modelling recovers known parameters from data drawn with fixed seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.studies.inputs import fit_arrivals, fit_stays, poisson_interval, read_stays, to_yaml

N = 2000


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    s2 = math.log(1 + (sd / mean) ** 2)
    return rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n)


@pytest.mark.parametrize("kind", ["exponential", "lognormal", "gamma"])
def test_aic_picks_the_true_family(kind):
    rng = np.random.default_rng(11)
    x = {"exponential": lambda: rng.exponential(42.0, N),
         "lognormal": lambda: _lognormal(rng, 42.0, 30.0, N),
         "gamma": lambda: rng.gamma(3.0, 14.0, N)}[kind]()
    fit = fit_stays(x, n_boot=50)
    assert fit.chosen == kind, fit.table
    assert fit.snippet["kind"] == kind and set(fit.table.kind) == {"exponential", "lognormal", "gamma"}
    assert {"loglik", "aic", "ks_stat", "ks_p"} <= set(fit.table.columns)


def test_lognormal_mean_and_sd_within_three_standard_errors():
    x = _lognormal(np.random.default_rng(5), 42.0, 30.0, 500)
    fit = fit_stays(x, n_boot=200, seed=2)
    assert fit.chosen == "lognormal"
    assert abs(fit.snippet["mean_days"] - 42.0) < 3 * fit.mean_se_days
    assert abs(fit.snippet["sd_days"] - 30.0) < 3 * fit.sd_se_days
    assert 0 < fit.mean_se_days < 3 and 0 < fit.sd_se_days < 6


def test_fit_stays_refuses_zero_or_too_few():
    with pytest.raises(ValueError):
        fit_stays([1.0, 0.0, 3.0])
    with pytest.raises(ValueError):
        fit_stays([1.0, 2.0])


def test_read_stays_and_yaml_snippet(tmp_path):
    p = tmp_path / "stays.csv"
    p.write_text("client,stay_days\na,3.5\nb,\nc,10\n")
    assert list(read_stays(p)) == [3.5, 10.0]
    assert to_yaml({"kind": "lognormal", "mean_days": 42.0, "sd_days": 30.0}).strip() == \
        "{kind: lognormal, mean_days: 42.0, sd_days: 30.0}"


def test_poisson_interval_is_exact():
    lo, hi = poisson_interval(10, 1.0)
    assert lo == pytest.approx(4.7954, abs=1e-3) and hi == pytest.approx(18.3904, abs=1e-3)
    assert poisson_interval(0, 2.0)[0] == 0.0


def _write_arrivals(path, per_year: float, days: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(365.0 / per_year, int(per_year * days / 365 * 2)))
    path.write_text("t_days\n" + "\n".join(f"{v:.6f}" for v in t[t < days]) + "\n")


def test_true_rate_inside_the_95_percent_interval(tmp_path):
    inside = 0
    for seed in range(20):
        p = tmp_path / f"a{seed}.csv"
        _write_arrivals(p, 87.0, 3 * 365.0, seed)
        fit = fit_arrivals(p, "2019-01-01", end_date="2022-01-01")
        inside += fit.ci_low <= 87.0 <= fit.ci_high
    assert inside >= 17  # 95% coverage: 17 or more of 20 with probability 0.98


def test_poisson_checks_and_per_year_schedule(tmp_path):
    p = tmp_path / "a.csv"
    _write_arrivals(p, 200.0, 3 * 365.0, seed=4)
    fit = fit_arrivals(p, "2019-01-01", end_date="2022-01-01")
    assert fit.ci_low < 200.0 < fit.ci_high
    assert 0.6 < fit.dispersion_index < 1.5 and fit.dispersion_p > 0.01 and fit.ks_p > 0.01
    assert list(fit.per_year.year) == [2019, 2020, 2021]
    sched = fit.schedule_snippet["rate_schedule"]
    assert [r["from_day"] for r in sched] == [0.0, 365.0, 731.0]
    assert "rate_schedule:" in to_yaml(fit.schedule_snippet)


def test_clustered_arrivals_fail_the_dispersion_check(tmp_path):
    rng = np.random.default_rng(8)
    weeks = np.repeat(np.arange(150) * 7.0, rng.poisson(3.0, 150) * 3)  # arrivals come in bursts of 3
    days = np.sort(weeks + rng.uniform(0, 0.01, len(weeks)))
    p = tmp_path / "c.csv"
    p.write_text("t_days\n" + "\n".join(f"{v:.6f}" for v in days) + "\n")
    fit = fit_arrivals(p, "2019-01-01", end_date="2021-11-17")
    assert fit.dispersion_index > 2 and fit.dispersion_p < 0.001
