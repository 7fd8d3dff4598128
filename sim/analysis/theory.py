"""Reference values from queueing theory, for validation tests and notebooks.

Loads are offered loads in erlangs (arrivals per day times mean stay in days); the
clock runs in days, as in the model.
"""

from __future__ import annotations


def _check_servers(c: int) -> None:
    if c < 1:
        raise ValueError(f"need at least one place, got c={c}")


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of an M/G/c/c loss system with ``c`` places and offered load ``a`` (erlangs).

    Uses the recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1, which never overflows.
    """
    _check_servers(c)
    if a < 0:
        raise ValueError(f"need a >= 0, got a={a}")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with ``c`` places and load ``a`` (erlangs).

    Needs ``a < c`` (a stable queue); computed from Erlang B as C = B / (1 - (a/c)(1 - B)).
    """
    _check_servers(c)
    if not 0 <= a < c:
        raise ValueError(f"need 0 <= a < c for a stable queue, got a={a}, c={c}")
    b = erlang_b(c, a)
    return b / (1.0 - (a / c) * (1.0 - b))


def mmc_mean_wait(c: int, arrivals_per_day: float, mean_stay_days: float) -> float:
    """Mean wait in the queue Wq (days) of an M/M/c queue: C(c, a) * mean_stay / (c - a)."""
    a = arrivals_per_day * mean_stay_days
    return erlang_c(c, a) * mean_stay_days / (c - a)


def littles_law_l(arrival_rate_per_day: float, mean_time_days: float) -> float:
    """Mean number present (places) by Little's law: L = lambda (per day) * W (days)."""
    return arrival_rate_per_day * mean_time_days
