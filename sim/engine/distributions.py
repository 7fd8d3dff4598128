"""Duration distributions as inverse CDFs: a uniform number in (0, 1] -> days.

Sampling by inversion keeps common random numbers intact: the same client draws the
same uniform whatever distribution a scenario gives the place it lands in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Callable, Optional, Union

import numpy as np
from scipy.special import gammaincinv

if TYPE_CHECKING:  # the engine reads any object shaped like the schema; it imports no config code
    from sim.config.schema import DistCfg

Sampler = Callable[[float], float]
_STD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Shape:
    """A distribution built here (the length-biased law of a configured one), shaped like the schema's."""

    kind: str
    mean_days: Optional[float] = None
    sd_days: Optional[float] = None
    values_days: tuple[float, ...] = ()


Dist = Union["DistCfg", Shape]


def make_sampler(d: Dist) -> Sampler:
    """Return ``f(u) -> days`` for distribution ``d``; ``u`` is uniform on (0, 1]."""
    if d.kind == "fixed":
        value = float(d.mean_days)  # type: ignore[arg-type]
        return lambda u: value
    if d.kind == "exponential":
        mean = float(d.mean_days)  # type: ignore[arg-type]
        return lambda u: -mean * math.log(u)
    if d.kind == "lognormal":
        mu, sigma = lognormal_params(float(d.mean_days), float(d.sd_days))  # type: ignore[arg-type]
        return lambda u: math.exp(mu + sigma * _STD_NORMAL.inv_cdf(min(u, 1.0 - 1e-16)))
    if d.kind == "gamma":
        shape = (float(d.mean_days) / float(d.sd_days)) ** 2  # type: ignore[arg-type]
        scale = float(d.mean_days) / shape  # type: ignore[arg-type]
        return lambda u: scale * float(gammaincinv(shape, min(u, 1.0 - 1e-16)))
    if d.kind == "empirical":
        values = [float(v) for v in d.values_days]
        n = len(values)
        return lambda u: values[min(int((1.0 - u) * n), n - 1)]
    raise ValueError(f"unknown distribution kind {d.kind!r}")


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal for a lognormal with this mean and sd."""
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def dist_mean(d: Dist) -> float:
    """The mean of ``d`` in days."""
    if d.kind == "empirical":
        return sum(d.values_days) / len(d.values_days)
    return float(d.mean_days)  # type: ignore[arg-type]


def make_residual_sampler(d: Dist) -> Callable[[float, float], float]:
    """Return ``f(u1, u2) -> days``: the remaining stay of someone found present in steady state.

    In equilibrium a present client's stay is length-biased and the remaining part is a
    uniform share of it (renewal theory). The length-biased law of an exponential is the
    exponential itself (memoryless), of lognormal(mu, s) lognormal(mu + s^2, s), of
    gamma(k, theta) gamma(k + 1, theta); of a fixed stay the stay itself; of an empirical
    list the values weighted by their length.
    """
    if d.kind == "exponential":
        mean = float(d.mean_days)  # type: ignore[arg-type]
        return lambda u1, u2: -mean * math.log(u1)
    if d.kind == "lognormal":
        mu, sigma = lognormal_params(float(d.mean_days), float(d.sd_days))  # type: ignore[arg-type]
        mean = math.exp(mu + 1.5 * sigma**2)
        biased: Dist = Shape("lognormal", mean, mean * math.sqrt(math.exp(sigma**2) - 1))
    elif d.kind == "gamma":
        shape = (float(d.mean_days) / float(d.sd_days)) ** 2  # type: ignore[arg-type]
        scale = float(d.mean_days) / shape  # type: ignore[arg-type]
        biased = Shape("gamma", (shape + 1) * scale, math.sqrt(shape + 1) * scale)
    elif d.kind == "fixed":
        biased = d
    else:
        values = sorted(float(v) for v in d.values_days)
        cum = np.cumsum(values) / sum(values)
        return lambda u1, u2: (1.0 - u2) * values[min(int(np.searchsorted(cum, 1.0 - u1, side="right")), len(values) - 1)]
    sample = make_sampler(biased)
    return lambda u1, u2: (1.0 - u2) * sample(u1)
