"""The model against queueing theory (sim.theory), within 3 standard errors at a fixed seed.

Every tolerance is 3 standard errors of the mean over replications, estimated from the
replications' own values (scipy.stats.sem); no constant is guessed. Replications are
independent, so their means are close to normal; with 30 replications a correct model
falls outside 3 SE in about 0.5% of seeds (t with 29 df). Each check also asserts that
its 3 SE is small next to the effect it claims to measure, so a test cannot pass merely
because the run was too short to tell anything apart.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.results import Results
from sim.run.experiment import run_experiment
from sim.config.schema import DistCfg, FollowupCfg, SimConfig
from sim.analysis.theory import erlang_b, erlang_c, littles_law_l, mmc_mean_wait
from tests.conftest import dist, make_config

pytestmark = pytest.mark.slow  # statistical checks against queueing theory (long runs)

# 30 replications of 10,000 days: the whole file runs in about 20 s on two cores.
N_REPS = 30
HORIZON_DAYS = 10_000.0
# The model starts empty. The slowest case (M/M/3 at 80% load) relaxes in about
# s / (1 - sqrt(rho))^2 ~ 450 days, so 500 days leave a negligible start-up bias.
WARMUP_DAYS = 500.0
SEED = 20181017
MEAN_STAY_DAYS = 5.0
LOSS_PLACES, LOSS_LOAD = 8, 6.0  # erlangs: arrivals per day x mean stay in days
WAIT_PLACES, WAIT_LOAD = 3, 2.4


def run(**kw: object) -> Results:
    cfg: SimConfig = make_config(horizon=HORIZON_DAYS, warmup=WARMUP_DAYS, n_reps=N_REPS, seed=SEED, **kw)
    return run_experiment(cfg)


def per_rep(res: Results, place: str, metric: str) -> np.ndarray:
    """One value per replication, in rep order."""
    k = res.kpis
    rows = k[(k["place"] == place) & (k["metric"] == metric)].sort_values("rep")
    assert len(rows) == N_REPS
    return rows["value"].to_numpy(dtype=float)


def assert_within_3se(x: np.ndarray, exact: float, power: float) -> None:
    """Mean of ``x`` within 3 SE of ``exact``; and 3 SE below ``power`` (the run can tell)."""
    se = float(stats.sem(x))
    assert 3 * se < power, f"too imprecise to test: 3 SE = {3 * se:.4g}, need < {power:.4g}"
    assert abs(x.mean() - exact) <= 3 * se, f"simulated {x.mean():.5g} +- {se:.2g} (SE), exact {exact:.5g}"


def loss_place(stay: DistCfg) -> Results:
    return run(capacity=LOSS_PLACES, stay=stay, arrivals_per_year=365.0 * LOSS_LOAD / MEAN_STAY_DAYS)


@pytest.fixture(scope="module")
def mm_loss() -> Results:
    return loss_place(dist("exponential", MEAN_STAY_DAYS))


@pytest.fixture(scope="module")
def lognormal_loss() -> Results:
    return loss_place(dist("lognormal", MEAN_STAY_DAYS, 1.5 * MEAN_STAY_DAYS))


@pytest.fixture(scope="module")
def mmc_wait() -> Results:
    return run(capacity=WAIT_PLACES, stay=dist("exponential", MEAN_STAY_DAYS), when_full="wait",
               arrivals_per_year=365.0 * WAIT_LOAD / MEAN_STAY_DAYS)


@pytest.fixture(scope="module")
def tandem() -> Results:
    """4 crisis beds feeding 2 follow-up places: a bed stays taken until a place frees."""
    followup = {"f": FollowupCfg(capacity=2, stay=DistCfg("exponential", MEAN_STAY_DAYS)), "home": FollowupCfg()}
    return run(capacity=4, stay=dist("exponential", MEAN_STAY_DAYS), arrivals_per_year=365.0 * 0.5,
               routes={"f": 0.7, "home": 0.3}, followup=followup)


def test_loss_place_matches_erlang_b(mm_loss: Results) -> None:
    # power: a 10% error in the blocking probability must show
    exact = erlang_b(LOSS_PLACES, LOSS_LOAD)
    assert_within_3se(per_rep(mm_loss, "p", "p_turned_away"), exact, power=0.1 * exact)


def test_erlang_b_is_insensitive_to_the_stay_distribution(lognormal_loss: Results) -> None:
    # M/G/c/c: blocking depends on the stays only through their mean (same power as above)
    exact = erlang_b(LOSS_PLACES, LOSS_LOAD)
    assert_within_3se(per_rep(lognormal_loss, "p", "p_turned_away"), exact, power=0.1 * exact)


def test_waiting_list_matches_erlang_c(mmc_wait: Results) -> None:
    # unlimited patience, FCFS: by PASTA an arrival waits iff all places are taken
    exact = erlang_c(WAIT_PLACES, WAIT_LOAD)
    assert_within_3se(per_rep(mmc_wait, "p", "p_wait"), exact, power=0.1 * exact)
    assert per_rep(mmc_wait, "p", "turned_away").sum() == 0


def test_wait_for_admission_matches_mmc(mmc_wait: Results) -> None:
    # mean over admissions, direct ones counting 0, is Wq; at 80% load it is noisy, so the
    # power asked is a 20% error
    exact = mmc_mean_wait(WAIT_PLACES, WAIT_LOAD / MEAN_STAY_DAYS, MEAN_STAY_DAYS)
    assert_within_3se(per_rep(mmc_wait, "p", "mean_wait_admission_days"), exact, power=0.2 * exact)


def little_gap(res: Results, place: str) -> np.ndarray:
    """Per replication: mean occupancy minus lambda * W, lambda = admissions per window day."""
    admissions_per_day = per_rep(res, place, "admissions") / (HORIZON_DAYS - WARMUP_DAYS)
    return per_rep(res, place, "mean_occupancy") - littles_law_l(admissions_per_day,
                                                                   per_rep(res, place, "mean_stay_days"))


@pytest.mark.parametrize("place", ["p", "f"])
def test_littles_law_with_blocking(tandem: Results, place: str) -> None:
    # L = lambda W holds for any stable system; the gap per replication comes only from
    # stays cut by the window edges and averages to 0. Power: a 2% error in occupancy.
    occupancy = per_rep(tandem, place, "mean_occupancy").mean()
    assert_within_3se(little_gap(tandem, place), 0.0, power=0.02 * occupancy)


def test_tandem_case_really_blocks(tandem: Results) -> None:
    # the Little check above is only worth its name if crisis stays include blocked time:
    # the stay measured at p (enter -> exit) must exceed the drawn mean by more than 3 SE
    stay = per_rep(tandem, "p", "mean_stay_days")
    assert stay.mean() - MEAN_STAY_DAYS > 3 * stats.sem(stay)
    assert per_rep(tandem, "p", "blocked_days").min() > 0


def test_littles_law_with_a_waiting_list(mmc_wait: Results) -> None:
    # admissions, not arrivals, feed the place; the wait before admission is not a stay
    occupancy = per_rep(mmc_wait, "p", "mean_occupancy").mean()
    assert_within_3se(little_gap(mmc_wait, "p"), 0.0, power=0.02 * occupancy)
