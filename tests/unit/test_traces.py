"""Exact event traces on tiny configs with fixed stays and given arrival times."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.run.experiment import simulate
from sim.analysis.metrics import kpis
from sim.engine.model import ShelterModel
from sim.config.schema import FollowupCfg
from tests.conftest import dist, make_config, trace


def run(cfg, arrivals: list[float]) -> pd.DataFrame:
    """Events of replication 0 with the group's arrivals at the given days."""
    log = ShelterModel(cfg, 0, {"g": tuple(arrivals)}).run()
    return pd.DataFrame(log.columns())


def kpi(ev: pd.DataFrame, cfg, place: str, metric: str) -> float:
    k = kpis(ev, cfg)
    return float(k[(k.place == place) & (k.metric == metric)]["value"].iloc[0])


@pytest.fixture
def blocking():
    # 1 crisis bed (stay 1 day), 1 follow-up place 'fu' (stay 10 days)
    fu = {"fu": FollowupCfg(capacity=1, stay=dist("fixed", 10.0))}
    return make_config(capacity=1, stay=dist("fixed", 1.0), routes={"fu": 1.0}, followup=fu, horizon=30.0)


def test_who_gets_a_bed_who_is_blocked_who_is_turned_away(blocking):
    ev = run(blocking, [0.0, 0.5, 1.5, 3.0])
    assert trace(ev, 0) == [(0.0, "p", "arrive"), (0.0, "p", "enter"), (1.0, "p", "ready"), (1.0, "p", "exit"),
                            (1.0, "fu", "enter"), (11.0, "fu", "exit")]
    assert trace(ev, 1) == [(0.5, "p", "arrive"), (0.5, "p", "turned_away")]  # client 0 holds the bed
    # client 2 is ready at 2.5 but 'fu' is full until 11: it keeps the crisis bed (silting up)
    assert trace(ev, 2) == [(1.5, "p", "arrive"), (1.5, "p", "enter"), (2.5, "p", "ready"), (11.0, "p", "exit"),
                            (11.0, "fu", "enter"), (21.0, "fu", "exit")]
    assert trace(ev, 3) == [(3.0, "p", "arrive"), (3.0, "p", "turned_away")]  # the blocked client holds the bed


def test_kpis_of_the_blocking_trace(blocking):
    ev = run(blocking, [0.0, 0.5, 1.5, 3.0])
    assert kpi(ev, blocking, "p", "arrivals") == 4
    assert kpi(ev, blocking, "p", "admissions") == 2
    assert kpi(ev, blocking, "p", "turned_away") == 2
    assert kpi(ev, blocking, "p", "p_turned_away") == 0.5
    assert kpi(ev, blocking, "p", "blocked_days") == pytest.approx(8.5)
    assert kpi(ev, blocking, "p", "mean_wait_followup_days") == pytest.approx((0.0 + 8.5) / 2)
    assert kpi(ev, blocking, "p", "mean_stay_days") == pytest.approx((1.0 + 9.5) / 2)
    assert kpi(ev, blocking, "p", "mean_occupancy") == pytest.approx(10.5 / 30)
    assert kpi(ev, blocking, "p", "p_full") == pytest.approx(10.5 / 30)
    assert kpi(ev, blocking, "fu", "mean_occupancy") == pytest.approx(20.0 / 30)
    assert kpi(ev, blocking, "fu", "mean_wait_followup_days") == pytest.approx(4.25)


def test_max_wait_sends_the_blocked_client_to_the_fallback():
    fu = {"fu": FollowupCfg(capacity=1, stay=dist("fixed", 10.0), max_wait_days=3.0, fallback="street"),
          "street": FollowupCfg(unsheltered=True)}
    cfg = make_config(capacity=1, stay=dist("fixed", 1.0), routes={"fu": 1.0}, followup=fu, horizon=30.0)
    ev = run(cfg, [0.0, 1.5])
    assert trace(ev, 1) == [(1.5, "p", "arrive"), (1.5, "p", "enter"), (2.5, "p", "ready"), (5.5, "p", "exit"),
                            (5.5, "street", "enter")]
    assert kpi(ev, cfg, "all", "left_unsheltered") == 1
    assert kpi(ev, cfg, "p", "left_unsheltered") == 1


@pytest.mark.parametrize("patience, expected", [
    (0.25, [(0.5, "p", "arrive"), (0.5, "p", "wait"), (0.75, "p", "renege")]),
    (1.0, [(0.5, "p", "arrive"), (0.5, "p", "wait"), (1.0, "p", "enter"), (2.0, "p", "ready"), (2.0, "p", "exit"),
           (2.0, "home", "enter")]),
])
def test_waiting_list_with_patience(patience, expected):
    cfg = make_config(capacity=1, stay=dist("fixed", 1.0), when_full="wait", patience=dist("fixed", patience))
    ev = run(cfg, [0.0, 0.5])
    assert trace(ev, 1) == expected


def test_waiting_list_is_first_come_first_served():
    cfg = make_config(capacity=1, stay=dist("fixed", 1.0), when_full="wait")
    ev = run(cfg, [0.0, 0.2, 0.4])
    enters = ev[(ev.kind == "enter") & (ev.place == "p")]
    assert list(enters.client_id) == [0, 1, 2]
    assert list(enters.t_days) == [0.0, 1.0, 2.0]
    assert kpi(ev, cfg, "p", "mean_wait_admission_days") == pytest.approx((0 + 0.8 + 1.6) / 3)


def test_overflow_places_are_used_only_when_regular_ones_are_full():
    cfg = make_config(capacity=1, overflow=1, stay=dist("fixed", 2.0), horizon=10.0)
    ev = run(cfg, [0.0, 1.0, 1.5])
    assert [k for _, _, k in trace(ev, 1)][:2] == ["arrive", "enter"]  # takes the overflow place
    assert trace(ev, 2) == [(1.5, "p", "arrive"), (1.5, "p", "turned_away")]
    # two present from day 1 to day 2: one place-day above the regular capacity
    assert kpi(ev, cfg, "p", "overflow_days") == pytest.approx(1.0)


def test_capacity_schedule_cut_evicts_nobody_and_admits_nobody_above_the_new_capacity():
    cfg = make_config(capacity=2, schedule=[(1.0, 1)], stay=dist("fixed", 3.0), horizon=10.0)
    ev = run(cfg, [0.0, 0.5, 2.0, 3.2, 3.6])
    assert trace(ev, 1)[:3] == [(0.5, "p", "arrive"), (0.5, "p", "enter"), (3.5, "p", "ready")]
    assert trace(ev, 2) == [(2.0, "p", "arrive"), (2.0, "p", "turned_away")]  # 2 present, capacity now 1
    assert trace(ev, 3) == [(3.2, "p", "arrive"), (3.2, "p", "turned_away")]  # still 1 present, capacity 1
    assert trace(ev, 4)[:2] == [(3.6, "p", "arrive"), (3.6, "p", "enter")]


def test_max_stay_cuts_the_stay():
    cfg = make_config(capacity=1, stay=dist("fixed", 10.0), max_stay=3.0)
    ev = run(cfg, [0.0])
    assert trace(ev, 0)[2] == (3.0, "p", "ready")


def test_reentry_returns_the_same_client_as_a_new_visit():
    cfg = make_config(capacity=1, stay=dist("fixed", 5.0), reentry_share=1.0, reentry_delay=dist("fixed", 2.0),
                      horizon=10.0)
    ev = run(cfg, [0.0, 1.0])
    c1 = ev[ev.client_id == 1]
    assert list(zip(c1.t_days, c1.visit, c1.kind)) == [(1.0, 1, "arrive"), (1.0, 1, "turned_away"),
                                                      (3.0, 2, "arrive"), (3.0, 2, "turned_away"),
                                                      (5.0, 3, "arrive"), (5.0, 3, "enter")]


def test_initial_state_occupies_places_at_time_zero():
    cfg = make_config(capacity=1, stay=dist("fixed", 4.0), initial=[("p", 1)], horizon=10.0)
    ev = run(cfg, [0.01])
    (t0, p0, k0), (t1, _, k1), (t2, _, k2), (t3, p3, k3) = trace(ev, 0)
    assert (t0, p0, k0) == (0.0, "p", "enter") and (k1, k2, k3, p3) == ("ready", "exit", "enter", "home")
    assert 0.0 < t1 == t2 == t3 <= 4.0  # the remaining part of a fixed 4-day stay
    assert trace(ev, 1) == [(0.01, "p", "arrive"), (0.01, "p", "turned_away")]


def test_initial_clients_remaining_stays_follow_the_residual_law():
    # steady state: the remaining part of a fixed 4-day stay is uniform on (0, 4], mean 2, sd 4/sqrt(12)
    n = 2000
    cfg = make_config(capacity=n, stay=dist("fixed", 4.0), initial=[("p", n)], arrivals_per_year=0.0,
                      horizon=10.0)
    ev = run(cfg, [])
    ready = ev[ev.kind == "ready"].t_days.to_numpy()
    assert len(ready) == n and ready.max() <= 4.0
    assert abs(ready.mean() - 2.0) < 3 * (4.0 / 12**0.5) / n**0.5


def test_warmup_events_are_excluded_from_counts():
    cfg = make_config(capacity=1, stay=dist("fixed", 0.5), warmup=5.0, horizon=10.0)
    ev = run(cfg, [1.0, 2.0, 6.0])
    assert kpi(ev, cfg, "p", "arrivals") == 1
    assert kpi(ev, cfg, "p", "mean_occupancy") == pytest.approx(0.5 / 5.0)


def test_simulate_uses_the_same_draws_for_the_same_rep():
    cfg = make_config(capacity=2, stay=dist("exponential", 1.0), arrivals_per_year=365.0 * 1.5, horizon=50.0)
    pd.testing.assert_frame_equal(simulate(cfg, 3), simulate(cfg, 3))


def test_system_p_full_needs_every_crisis_place_full():
    from sim.config.schema import CrisisPlaceCfg, GroupCfg

    cfg = make_config(capacity=1, stay=dist("fixed", 4.0), horizon=10.0)
    cfg.crisis_places["q"] = CrisisPlaceCfg(capacity=1, stay=dist("fixed", 2.0))
    cfg.groups["h"] = GroupCfg(places=["q"], routes={"default": {"home": 1.0}})
    log = ShelterModel(cfg, 0, {"g": (0.0,), "h": (1.0,)}).run()
    ev = pd.DataFrame(log.columns())
    # p full on [0, 4), q full on [1, 3): both full on [1, 3) = 2 of 10 days
    assert kpi(ev, cfg, "all", "p_full") == pytest.approx(0.2)
    assert kpi(ev, cfg, "all", "mean_stay_days") == pytest.approx((4.0 + 2.0) / 2)
