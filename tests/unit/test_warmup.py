"""MSER-5 finds a known transient, leaves a stationary series alone, and searches the first half only.

Bounds on the truncation point are not guessed: they come from the sampling law of the
MSER statistic itself (``mser_bounds`` below), at 3 standard errors, for a series whose
mean path and noise are known exactly.
"""

import numpy as np

from sim.analysis.warmup import BATCH, mser

N_DAYS = 2000
NOISE_SD = 1.0  # the series are a known mean path plus iid N(0, NOISE_SD^2) per day
TAU, AMPLITUDE, LEVEL = 60.0, 50.0, 10.0  # transient: AMPLITUDE * exp(-t / TAU) above LEVEL


def mser_bounds(mean_path: np.ndarray, sd: float, batch: int = BATCH) -> tuple[int, int]:
    """Cut points (in observations) that MSER-``batch`` may return, at 3 SE, for ``mean_path`` + N(0, sd^2).

    Cutting a head of k batch means off a tail of m lowers the MSER statistic
    sum((y - mean)^2) / len^2 exactly when G = X / k - Q (2m + k) / m^2 > 0, where X is the
    head's squared deviation (about its own mean, plus k m / (k + m) times the squared
    difference of head and tail means) and Q the tail's sum of squared deviations (algebra
    on the two sums of squares). For normal batch means of variance s2 = sd^2 / batch, X and
    Q are independent, s2 times noncentral chi-squares with k and m - 1 degrees of freedom,
    so the mean and SE of G follow exactly from the mean path. A cut d is excluded when some
    later cut d + k beats it by more than 3 SE (E[G] - 3 SE > 0), or some earlier cut
    d - k does (E[G] + 3 SE < 0). Only cuts up to the half run are candidates, as in mser.
    Many (d, k) pairs are tested, so a correct mser falls outside somewhat more often than
    one 3-SE test would: in about 0.2% of seeds for the stationary series and 0.04% for the
    transient (20,000 seeds each).
    """
    n = len(mean_path) // batch
    b = mean_path[: n * batch].reshape(n, batch).mean(axis=1)
    s2 = sd ** 2 / batch
    csum, csq = np.concatenate([[0.0], np.cumsum(b)]), np.concatenate([[0.0], np.cumsum(b * b)])

    def ss_mean(i: int, j: int) -> tuple[float, float]:
        mu = (csum[j] - csum[i]) / (j - i)
        return csq[j] - csq[i] - (j - i) * mu * mu, mu

    def gain(d: int, k: int) -> tuple[float, float]:
        """E[G] and SE[G] for the head [d, d + k) and the tail [d + k, n), in units of s2."""
        m = n - d - k
        ss_h, mu_h = ss_mean(d, d + k)
        ss_t, mu_t = ss_mean(d + k, n)
        lam_h = (ss_h + k * m * (mu_h - mu_t) ** 2 / (k + m)) / s2  # noncentralities
        lam_t = ss_t / s2
        c = (2 * m + k) / m ** 2
        mean = (k + lam_h) / k - c * (m - 1 + lam_t)
        var = 2 * (k + 2 * lam_h) / k ** 2 + c ** 2 * 2 * (m - 1 + 2 * lam_t)
        return mean, float(np.sqrt(var))

    def excluded(d: int) -> bool:
        for k in range(1, n - d - 1):
            mu, se = gain(d, k)
            if mu - 3 * se > 0:
                return True
        for k in range(1, d + 1):
            mu, se = gain(d - k, k)
            if mu + 3 * se < 0:
                return True
        return False

    allowed = [d for d in range(n // 2 + 1) if not excluded(d)]
    return allowed[0] * batch, allowed[-1] * batch


def test_mser_cuts_a_known_initial_transient():
    rng = np.random.default_rng(5)
    t = np.arange(N_DAYS)
    transient = AMPLITUDE * np.exp(-t / TAU)
    lo, hi = mser_bounds(transient, NOISE_SD)  # (210, 445) days
    # power: the bounds exclude both not cutting at all and cutting the whole first half
    assert 0 < lo and hi < N_DAYS // 2
    d = mser(LEVEL + transient + rng.normal(0, NOISE_SD, N_DAYS))
    assert lo <= d <= hi, (d, lo, hi)


def test_mser_keeps_a_stationary_series():
    rng = np.random.default_rng(6)
    lo, hi = mser_bounds(np.zeros(N_DAYS), NOISE_SD)  # (0, 100) days
    # power: a cut of more than a tenth of the run on pure noise is excluded
    assert lo == 0 and hi < N_DAYS // 10
    d = mser(rng.normal(LEVEL, NOISE_SD, N_DAYS))
    assert lo <= d <= hi, (d, hi)


def _mser_statistic(series: np.ndarray, cut_batches: int) -> float:
    """The MSER-5 statistic with the first ``cut_batches`` batch means removed (as in sim.warmup)."""
    n = len(series) // BATCH
    tail = series[: n * BATCH].reshape(n, BATCH).mean(axis=1)[cut_batches:]
    return float(((tail - tail.mean()) ** 2).sum()) / len(tail) ** 2


def test_mser_searches_only_the_first_half():
    # noise up to one batch past the half run, then exactly flat: the statistic is 0 for the
    # cut at day 1005 and > 0 for every cut up to day 1000, so a search that goes even one
    # batch beyond the half run returns a cut in the second half
    first_flat = N_DAYS // 2 + BATCH
    rng = np.random.default_rng(7)
    series = np.concatenate([rng.normal(LEVEL, NOISE_SD, first_flat), np.full(N_DAYS - first_flat, LEVEL)])
    n = N_DAYS // BATCH
    assert _mser_statistic(series, first_flat // BATCH) == 0.0
    assert min(_mser_statistic(series, d) for d in range(n // 2 + 1)) > 0.0
    assert mser(series) <= N_DAYS // 2


def test_mser_may_cut_at_the_midpoint():
    # a level shift at the midpoint: the tail from day 1000 is flat (statistic exactly 0), and
    # every earlier cut keeps some zeros (statistic > 0), so the half run itself is the answer
    series = np.concatenate([np.zeros(1000), np.ones(1000) * 5])
    assert mser(series) == 1000
