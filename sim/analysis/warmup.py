"""Warm-up detection by MSER-5 (White 1997; White, Cobb and Spratt 2000).

The statistic is applied to the daily number of people in all crisis places, averaged
over replications: the truncation point is the batch count d (batches of 5 days) that
minimises the squared standard error of the remaining batch means, searched over the
first half of the run only (the published rule, as later points rest on too few data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.series import occupancy_on_grid
from sim.config.schema import SimConfig

BATCH = 5


def mser(series: np.ndarray, batch: int = BATCH) -> int:
    """Truncation point (in observations) of ``series`` by MSER-``batch``."""
    n = len(series) // batch
    if n < 4:
        return 0
    means = series[: n * batch].reshape(n, batch).mean(axis=1)
    best_d, best = 0, np.inf
    for d in range(n // 2 + 1):
        tail = means[d:]
        stat = float(((tail - tail.mean()) ** 2).sum()) / len(tail) ** 2
        if stat < best:
            best_d, best = d, stat
    return best_d * batch


def crisis_occupancy_series(events: pd.DataFrame, cfg: SimConfig) -> np.ndarray:
    """People in all crisis places at each whole day, averaged over replications."""
    grid = np.arange(0.0, float(cfg.run.horizon_days), 1.0)
    total = np.zeros(len(grid))
    reps = sorted(pd.unique(events["rep"]))  # a replication nobody entered a place in counts as 0 there
    for pid in cfg.crisis_places:
        occ = occupancy_on_grid(events, pid, grid, reps)
        if not occ.empty:
            total += occ.mean(axis=1).to_numpy()
    return total


def detect_warmup_days(events: pd.DataFrame, cfg: SimConfig) -> tuple[float, str]:
    """(warm-up in days, a sentence saying how it was chosen)."""
    series = crisis_occupancy_series(events, cfg)
    d = float(mser(series))
    why = (f"MSER-5 on the daily number present in all crisis places (mean of {events['rep'].nunique()}"
           " replications): "
           f"truncating {d:.0f} days minimises the standard error of the remaining 5-day batch means")
    return d, why
