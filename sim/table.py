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
    ("all", "turned_away"),
    ("all", "left_unsheltered"),
    ("all", "mean_wait_followup_days"),
    ("all", "cost_eur"),
)


def _cell(row: pd.Series) -> str:
    fmt = "{:,.3f}" if abs(row["mean"]) < 10 else "{:,.0f}"
    return f"{fmt.format(row['mean'])} [{fmt.format(row['ci_low'])}, {fmt.format(row['ci_high'])}]"


def key_table(summary: pd.DataFrame, figures: tuple[tuple[str, str], ...] = KEY_FIGURES) -> str:
    """Key figures per scenario side by side: 'mean [95% CI]' per place and metric."""
    keys = pd.DataFrame(figures, columns=["place", "metric"])
    s = keys.merge(summary, on=["place", "metric"], how="inner")
    if s.empty:
        return "(no key figures)"
    s = s.assign(cell=s.apply(_cell, axis=1), figure=s["place"] + " " + s["metric"])
    order = list(dict.fromkeys(s["figure"]))
    wide = s.pivot(index="figure", columns="scenario", values="cell").reindex(order)
    wide.columns.name = None
    return wide.to_string()
