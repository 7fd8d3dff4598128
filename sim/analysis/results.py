"""What a scenario run produced: its config, event record, KPIs per replication and summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis.compare import t_interval
from sim.config.schema import SimConfig

KPI_COLUMNS = ["scenario", "rep", "place", "metric", "value"]
SUMMARY_COLUMNS = ["scenario", "place", "metric", "mean", "ci_low", "ci_high", "n_reps"]


def summarise(k: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval over replications per scenario, place and metric (NaN reps dropped)."""
    rows = []
    for (scen, place, metric), g in k.groupby(["scenario", "place", "metric"], sort=False):
        x = g["value"].dropna().to_numpy()
        mean, lo, hi = t_interval(x, confidence)
        lo = max(lo, 0.0)  # every metric is a count, time, share or cost: never negative
        if metric.startswith("p_"):  # a share cannot exceed 1
            hi = min(hi, 1.0)
        rows.append((scen, place, metric, mean, lo, hi, len(x)))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


@dataclass
class Results:
    """Everything one scenario run produced; ``notes`` say how warm-up and replications were chosen."""

    cfg: SimConfig
    events: pd.DataFrame
    kpis: pd.DataFrame
    summary: pd.DataFrame
    wall_seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def reps(self) -> list[int]:
        """The replications that ran, from the KPI table (every replication has KPI rows, also
        one without events, and a run without an event file). A precision target
        (``run.precision_half_width``) may have run more than ``run.n_reps``: divide by these."""
        return sorted(int(r) for r in pd.unique(self.kpis["rep"]))

    @property
    def n_reps_run(self) -> int:
        """How many replications ran (see :attr:`reps`); not the configured ``run.n_reps``."""
        return len(self.reps)
