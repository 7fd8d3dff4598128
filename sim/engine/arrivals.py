"""Arrival times of a Poisson process with a constant or piecewise-constant rate."""

from __future__ import annotations

import math
from typing import Callable, Iterator


def poisson_times(steps: list[tuple[float, float]], next_u: Callable[[], float], horizon: float) -> Iterator[float]:
    """Arrival days of a Poisson process with piecewise-constant rate, by inverting its
    cumulative intensity: each gap is a unit exponential spent across the rate steps."""
    t, i = 0.0, 0
    while True:
        e = -math.log(next_u())
        while True:
            rate = steps[i][1]
            end = steps[i + 1][0] if i + 1 < len(steps) else math.inf
            if rate > 0 and t + e / rate < end:
                t += e / rate
                break
            if math.isinf(end):
                return
            e -= rate * (end - t)
            t, i = end, i + 1
        if t >= horizon:
            return
        yield t
