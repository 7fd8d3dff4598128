"""The short table of key figures printed in the terminal."""

from __future__ import annotations

from typing import Optional

import pandas as pd

from sim.engine.vocab import ALL, PER_YEAR_METRICS, Metric

# Key figures of the first crisis place of the region (its main shelter), then of the whole system.
PLACE_FIGURES: tuple[Metric, ...] = ("mean_occupancy", "p_full", "turned_away", "p_turned_away", "mean_stay_days",
                                     "blocked_days", "cost_eur")
SYSTEM_FIGURES: tuple[Metric, ...] = ("turned_away", "left_unsheltered", "mean_wait_followup_days", "cost_eur")
# totals over the measured window; the table shows them per year so planners read them directly
PER_YEAR = PER_YEAR_METRICS
Figures = tuple[tuple[str, str], ...]


def main_place(frame: pd.DataFrame) -> Optional[str]:
    """The first place of a KPI, summary or comparison table: the region's first crisis place."""
    places = [p for p in dict.fromkeys(frame["place"]) if p != ALL] if "place" in frame else []
    return places[0] if places else None


def key_figures(frame: pd.DataFrame) -> Figures:
    """(place, metric) of the key figures for the places in ``frame``."""
    place = main_place(frame)
    own = tuple((place, m) for m in PLACE_FIGURES) if place is not None else ()
    return own + tuple((ALL, m) for m in SYSTEM_FIGURES)


def _cell(mean: float, lo: float, hi: float) -> str:
    fmt = "{:,.3f}" if abs(mean) < 10 else "{:,.1f}" if abs(mean) < 1000 else "{:,.0f}"
    return f"{fmt.format(mean)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def key_table(summary: pd.DataFrame, years: float, figures: Optional[Figures] = None) -> str:
    """Key figures per scenario side by side: 'mean [95% CI]', totals divided by ``years``."""
    keys = pd.DataFrame(figures if figures is not None else key_figures(summary), columns=["place", "metric"])
    s = keys.merge(summary, on=["place", "metric"], how="inner")
    if s.empty:
        return "(no key figures)"
    scale = s["metric"].isin(PER_YEAR).map({True: 1.0 / years, False: 1.0})
    cells = [_cell(m * f, lo * f, hi * f) for m, lo, hi, f in zip(s["mean"], s["ci_low"], s["ci_high"], scale)]
    label = s["place"] + " " + s["metric"] + s["metric"].isin(PER_YEAR).map({True: " per year", False: ""})
    s = s.assign(cell=cells, figure=label)
    wide = s.pivot(index="figure", columns="scenario", values="cell").reindex(list(dict.fromkeys(label)))
    wide.columns.name = None
    wide.index.name = None
    return wide.to_string()


def diff_table(comparison: pd.DataFrame, years: float, figures: Optional[Figures] = None) -> str:
    """Paired differences 'scenario - reference' per key figure, 'mean [95% CI]'."""
    s = comparison.rename(columns={"diff_mean": "mean", "diff_ci_low": "ci_low", "diff_ci_high": "ci_high"})
    s = s.assign(scenario=s["scenario"] + " - " + s["reference"])
    return key_table(s, years, figures)
