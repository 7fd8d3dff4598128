"""Replications until a precision target: 95% half-widths of chosen metrics within a bound."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.compare import t_interval
from sim.config.schema import RunCfg


def half_widths(k: pd.DataFrame, targets: list[str]) -> dict[str, tuple[float, float]]:
    """{'place.metric': (mean, 95% half-width)} over the replications in ``k``."""
    out = {}
    for name in targets:
        place, _, metric = name.partition(".")
        x = k[(k["place"] == place) & (k["metric"] == metric)]["value"].dropna().to_numpy()
        mean, lo, hi = t_interval(x)
        out[name] = (mean, (hi - lo) / 2.0)
    return out


def bound(run: RunCfg, mean: float) -> float:
    """The allowed half-width for a metric with this mean."""
    target = float(run.precision_half_width)  # type: ignore[arg-type]
    return target * abs(mean) if run.precision_relative else target


def reps_needed(run: RunCfg, k: pd.DataFrame) -> int:
    """Replications to have after the next step: n grows with (hw / bound)^2, at most doubling."""
    n = int(k["rep"].nunique())
    need = n
    for mean, hw in half_widths(k, list(run.precision_metrics)).values():
        b = bound(run, mean)
        if hw > b:
            need = max(need, math.ceil(n * (hw / b) ** 2) if b > 0 else run.max_reps, n + 1)
    return min(need, 2 * n, run.max_reps)  # at most double per step: early half-widths are rough


def precision_report(run: RunCfg, k: pd.DataFrame) -> dict[str, object]:
    """What was asked, what was reached and with how many replications."""
    hw = half_widths(k, list(run.precision_metrics))
    met = {name: h <= bound(run, m) for name, (m, h) in hw.items()}
    return {
        "target_half_width": run.precision_half_width,
        "relative": run.precision_relative,
        "max_reps": run.max_reps,
        "n_reps_used": int(k["rep"].nunique()),
        "met": all(met.values()),
        "metrics": {name: {"mean": m, "half_width": h, "allowed": bound(run, m), "met": met[name]}
                    for name, (m, h) in hw.items()},
    }
