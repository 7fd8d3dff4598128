"""MSER-5 finds a known transient and leaves a stationary series alone."""

import numpy as np

from sim.analysis.warmup import mser


def test_mser_cuts_a_known_initial_transient():
    rng = np.random.default_rng(5)
    t = np.arange(2000)
    series = 50 * np.exp(-t / 60.0) + rng.normal(10, 1, len(t))  # transient of a few hundred days
    d = mser(series)
    assert 150 <= d <= 450  # the bias is below the noise after about 4 time constants (240 d)


def test_mser_keeps_a_stationary_series():
    rng = np.random.default_rng(6)
    d = mser(rng.normal(10, 1, 2000))
    assert d <= 200  # nothing to cut: at most a small random truncation


def test_mser_searches_only_the_first_half():
    series = np.concatenate([np.zeros(1000), np.ones(1000) * 5])  # a level shift at the midpoint
    assert mser(series) <= 1000
