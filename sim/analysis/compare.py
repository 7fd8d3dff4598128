"""Paired comparison of scenarios that ran on the same clients (common random numbers).

Replication ``rep`` of every scenario sees the same arrivals and client draws, so the
difference ``scenario - reference`` is taken per replication and its t-interval is
usually far narrower than the interval of two independent means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COMPARISON_COLUMNS = ["scenario", "reference", "place", "metric", "diff_mean", "diff_ci_low", "diff_ci_high",
                      "n_reps"]


def t_interval(x: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) Student-t interval of the mean of ``x``; collapses to the mean without spread."""
    from scipy import stats

    mean = float(x.mean()) if len(x) else float("nan")
    if len(x) < 2 or np.ptp(x) == 0:
        return mean, mean, mean
    lo, hi = stats.t.interval(confidence, len(x) - 1, loc=mean, scale=stats.sem(x))
    return mean, float(lo), float(hi)


def welch_interval(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of mean(a) - mean(b) treating the samples as independent (Welch)."""
    from scipy import stats

    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence)
    return float(a.mean() - b.mean()), float(ci.low), float(ci.high)


def paired_differences(kpis: pd.DataFrame, reference: str, confidence: float = 0.95) -> pd.DataFrame:
    """Per scenario other than ``reference``: mean and t-interval of the per-rep differences.

    ``kpis`` has columns scenario, rep, place, metric, value; replications are matched by
    ``rep`` and reps where either side is undefined (NaN) are left out.
    """
    wide = kpis.pivot_table(index=["place", "metric", "rep"], columns="scenario", values="value", dropna=False)
    if reference not in wide.columns:
        raise KeyError(f"reference scenario {reference!r} not among {sorted(wide.columns)}")
    rows = []
    for scen in [s for s in dict.fromkeys(kpis["scenario"]) if s != reference]:
        diff = (wide[scen] - wide[reference]).dropna()
        for (place, metric), d in diff.groupby(level=["place", "metric"], sort=False):
            mean, lo, hi = t_interval(d.to_numpy(), confidence)
            rows.append((scen, reference, place, metric, mean, lo, hi, len(d)))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
