"""Reference formulas in sim.theory against published values and hand computations."""

from __future__ import annotations

import math

import pytest

from sim.analysis.theory import erlang_b, erlang_c, littles_law_l, mmc_mean_wait


def erlang_b_direct(c: int, a: float) -> float:
    """B(c, a) = (a^c / c!) / sum_k a^k / k!, summed in log space so large c stays finite."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    top = max(logs)
    return math.exp(logs[-1] - top) / sum(math.exp(x - top) for x in logs)


# Values as printed in Erlang B tables; the tolerance is half a unit of the last printed
# digit, i.e. exactly the rounding of the quoted figure.
@pytest.mark.parametrize(("c", "a", "quoted", "half_unit"), [
    (20, 10.0, 0.0019, 0.00005),
    (35, 30.0, 0.054, 0.0005),
    (20, 20.0, 0.159, 0.0005),
    (35, 45.0, 0.272, 0.0005),
])
def test_erlang_b_matches_table_values(c: int, a: float, quoted: float, half_unit: float) -> None:
    assert abs(erlang_b(c, a) - quoted) <= half_unit


@pytest.mark.parametrize("a", [0.1, 0.5, 1.0, 3.0, 12.5])
def test_erlang_b_one_place(a: float) -> None:
    # one place: busy with probability a / (1 + a); only float rounding separates them
    assert erlang_b(1, a) == pytest.approx(a / (1.0 + a), rel=1e-12)


def test_erlang_b_small_exact_cases() -> None:
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2; no load, no blocking
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-12)
    assert erlang_b(5, 0.0) == 0.0


@pytest.mark.parametrize(("c", "a"), [(3, 2.4), (8, 6.0), (30, 25.0), (150, 170.0), (2000, 1900.0)])
def test_erlang_b_recursion_equals_direct_formula(c: int, a: float) -> None:
    # (2000, 1900) would overflow a^c / c! in floats: the recursion must stay finite and exact
    assert erlang_b(c, a) == pytest.approx(erlang_b_direct(c, a), rel=1e-9)


def test_erlang_b_falls_as_places_are_added() -> None:
    values = [erlang_b(c, 6.0) for c in range(1, 20)]
    assert all(later < earlier for earlier, later in zip(values, values[1:]))


def test_erlang_c_hand_computed() -> None:
    # c=3, a=2.4: sum_{k<3} a^k/k! = 1 + 2.4 + 2.88 = 6.28; (a^3/3!) * 3/(3-2.4) = 2.304 * 5 = 11.52
    assert erlang_c(3, 2.4) == pytest.approx(11.52 / (6.28 + 11.52), rel=1e-12)
    # c=2, a=1: 1 / (1 + 1 + 1) = 1/3; one place: an arrival waits with probability a (= rho)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-12)
    assert erlang_c(1, 0.7) == pytest.approx(0.7, rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(1, 0.3), (2, 1.0), (3, 2.4), (8, 6.0), (20, 19.5), (100, 80.0)])
def test_erlang_c_at_least_erlang_b(c: int, a: float) -> None:
    # waiting happens whenever all places are busy, blocking only in the loss system, whose
    # busy probability is smaller; equality only at a = 0
    assert erlang_c(c, a) > erlang_b(c, a)


@pytest.mark.parametrize("a", [3.0, 3.5])
def test_erlang_c_refuses_unstable_queue(a: float) -> None:
    with pytest.raises(ValueError):
        erlang_c(3, a)


def test_erlang_refuses_no_places() -> None:
    with pytest.raises(ValueError):
        erlang_b(0, 1.0)


def test_mmc_mean_wait_hand_computed() -> None:
    # M/M/1, rho = 0.8, mean stay 5 days: Wq = rho * s / (1 - rho) = 20 days
    assert mmc_mean_wait(1, 0.16, 5.0) == pytest.approx(20.0, rel=1e-12)
    # M/M/2, lambda = mu = 1 per day: Lq = 1/3, so Wq = Lq / lambda = 1/3 day
    assert mmc_mean_wait(2, 1.0, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-12)


def test_littles_law() -> None:
    assert littles_law_l(2.0, 3.5) == pytest.approx(7.0)
    assert littles_law_l(0.0, 10.0) == 0.0
