"""The short table of key figures printed in the terminal."""

from __future__ import annotations

import pandas as pd

KEY_FIGURES = (
    ("dno", "mean_occupancy"),
    ("dno", "p_full"),
    ("dno", "turned_away"),
    ("dno", "p_turned_away"),
    ("dno", "mean_stay_days"),
    ("dno", "blocked_days"),
    ("dno", "cost_eur"),
    ("all", "turned_away"),
    ("all", "left_unsheltered"),
    ("all", "mean_wait_followup_days"),
    ("all", "cost_eur"),
)
# totals over the measured window; the table shows them per year so planners read them directly
PER_YEAR = {"arrivals", "admissions", "turned_away", "left_unsheltered", "overflow_days", "blocked_days", "cost_eur"}


def _cell(mean: float, lo: float, hi: float) -> str:
    fmt = "{:,.3f}" if abs(mean) < 10 else "{:,.1f}" if abs(mean) < 1000 else "{:,.0f}"
    return f"{fmt.format(mean)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def key_table(summary: pd.DataFrame, years: float, figures: tuple[tuple[str, str], ...] = KEY_FIGURES) -> str:
    """Key figures per scenario side by side: 'mean [95% CI]', totals divided by ``years``."""
    keys = pd.DataFrame(figures, columns=["place", "metric"])
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


def diff_table(comparison: pd.DataFrame, years: float, figures: tuple[tuple[str, str], ...] = KEY_FIGURES) -> str:
    """Paired differences 'scenario - reference' per key figure, 'mean [95% CI]'."""
    s = comparison.rename(columns={"diff_mean": "mean", "diff_ci_low": "ci_low", "diff_ci_high": "ci_high"})
    s = s.assign(scenario=s["scenario"] + " - " + s["reference"])
    return key_table(s, years, figures)
