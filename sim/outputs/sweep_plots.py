"""Figures of a parameter sweep from sweep.csv; never runs the model.

A key metric against a swept numeric parameter with its 95% band, one line per scenario
(and per value of any other swept parameter), and, when two numeric parameters are
swept, a heatmap of the metric's mean over both.
"""

from __future__ import annotations


import io
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.vocab import ALL, Metric
from sim.outputs.figures import pyplot
from sim.outputs.table import main_place

PLACE_METRICS: tuple[Metric, ...] = ("p_turned_away", "turned_away", "mean_occupancy", "cost_eur")
SYSTEM_METRICS: tuple[Metric, ...] = ("mean_wait_followup_days",)
DPI = 80
TOTALS = ("turned_away", "cost_eur")  # summed over the measured period, as in summary.csv


def swept_params(table: pd.DataFrame) -> list[str]:
    """The parameter columns of sweep.csv: every column before ``scenario``."""
    return list(table.columns[:table.columns.get_loc("scenario")]) if "scenario" in table.columns else []


def numeric_params(table: pd.DataFrame) -> list[str]:
    """Swept parameters with numbers (not booleans) as values and at least two distinct values."""
    out = []
    for p in swept_params(table):
        col = table[p]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col) and col.nunique() > 1:
            out.append(p)
    return out


def _label(metric: str) -> str:
    return f"{metric} (whole measured period)" if metric in TOTALS else metric


def line_figure(table: pd.DataFrame, x: str, place: str, metric: str) -> Any:
    """``place metric`` against ``x``: mean and 95% band, one line per scenario and other swept values."""
    plt = pyplot()

    rows = table[(table["place"] == place) & (table["metric"] == metric)]
    others = [p for p in swept_params(table) if p != x]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, g in rows.groupby(["scenario", *others], sort=False, dropna=False):
        parts = key if isinstance(key, tuple) else (key,)
        label = ", ".join([str(parts[0]), *(f"{p}={v}" for p, v in zip(others, parts[1:]))])
        g = g.sort_values(x)
        (line,) = ax.plot(g[x], g["mean"], marker="o", ms=3, lw=1.2, label=label)
        ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=line.get_color(), alpha=0.2)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{place} {_label(metric)}")
    ax.set_title(f"{place} {metric}: mean and 95% CI over replications")
    if len(rows):
        ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def heatmap_figure(table: pd.DataFrame, x: str, y: str, place: str, metric: str) -> Any:
    """Mean of ``place metric`` over ``x`` and ``y``, one panel per scenario (averaged over other parameters)."""
    plt = pyplot()

    rows = table[(table["place"] == place) & (table["metric"] == metric)]
    scenarios = list(dict.fromkeys(rows["scenario"])) or ["-"]
    fig, axes = plt.subplots(1, len(scenarios), figsize=(5.5 * len(scenarios), 4.5), squeeze=False)
    for ax, scen in zip(axes[0], scenarios):
        grid = rows[rows["scenario"] == scen].pivot_table(index=y, columns=x, values="mean", aggfunc="mean")
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns], rotation=45)
        ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"{scen}: {place} {metric} (mean)")
        fig.colorbar(im, ax=ax, label=_label(metric))
    fig.tight_layout()
    return fig


def save_sweep_plots(table: pd.DataFrame, out: Path) -> list[Path]:
    """sweep_<place>_<metric>.png against the first numeric swept parameter, and
    sweep_heatmap_<place>_<metric>.png over the first two; nothing if no numeric parameter is swept."""
    from sim.outputs.writers import write_bytes

    plt = pyplot()

    nums = numeric_params(table)
    present = set(zip(table["place"], table["metric"]))
    place0 = main_place(table)
    keys = [(place0, m) for m in PLACE_METRICS if place0 is not None] + [(ALL, m) for m in SYSTEM_METRICS]
    figures = []
    for place, metric in (m for m in keys if m in present and nums):
        figures.append((f"sweep_{place}_{metric}.png", line_figure(table, nums[0], place, metric)))
        if len(nums) >= 2:
            figures.append((f"sweep_heatmap_{place}_{metric}.png",
                            heatmap_figure(table, nums[0], nums[1], place, metric)))
    written = []
    for name, fig in figures:
        buf = io.BytesIO()
        fig.savefig(buf, dpi=DPI, format="png")
        plt.close(fig)
        write_bytes(buf.getvalue(), out / name)
        written.append(out / name)
    return written
