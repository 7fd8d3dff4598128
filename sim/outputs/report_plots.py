"""Figures for the report: several scenarios in one figure, with 95% intervals; never runs the model."""

from __future__ import annotations


import io
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.results import Results
from sim.engine.vocab import measured_years as vocab_measured_years
from sim.outputs.figures import pyplot
from sim.analysis.series import enter_exit_delta, followup_waits, level_at

DPI = 80  # small PNGs: the report embeds them and CI builds it on every push


def measured_years(res: Results) -> float:
    """Length of the measured window [warmup, horizon) in years of 365 days."""
    return vocab_measured_years(res.cfg.run)


def active_crisis_places(results: list[Results]) -> list[str]:
    """Crisis places with a capacity (now or by schedule) in at least one scenario, in config order."""
    places: dict[str, None] = {}
    for res in results:
        for pid, c in res.cfg.crisis_places.items():
            if c.capacity > 0 or c.overflow_capacity > 0 or any(p.capacity > 0 for p in c.capacity_schedule):
                places[pid] = None
    return list(places)


def occupancy_shares(ev: pd.DataFrame, place: str, start: float, end: float,
                     reps: Optional[Sequence[int]] = None) -> pd.Series:
    """Share of time (0-1) with n present at ``place`` over [start, end) days, pooled over the
    replications ``reps`` (e.g. ``Results.reps``; default: those in ``ev``)."""
    totals = np.zeros(1)
    reps = list(ev["rep"].unique()) if reps is None else list(reps)
    e = ev[(ev["place"] == place) & ev["kind"].isin(["enter", "exit"])]
    for rep in reps:
        g = e[e["rep"] == rep]
        t = g["t_days"].to_numpy(dtype=float)
        grid = np.unique(np.concatenate([[start], t[(t > start) & (t < end)]]))
        lev = np.clip(level_at(t, enter_exit_delta(g["kind"].to_numpy()), grid), 0, None)
        held = np.bincount(lev, weights=np.diff(np.append(grid, end)))
        totals = np.pad(totals, (0, max(0, len(held) - len(totals))))
        totals[: len(held)] += held
    share = totals / (max(len(reps), 1) * (end - start))
    return pd.Series(share, index=pd.RangeIndex(len(share), name="present"), name="share")


def _plt() -> Any:
    """matplotlib.pyplot, imported only when a figure is drawn (start-up time)."""
    return pyplot()


def to_png(fig: Any) -> bytes:
    """The figure as PNG bytes (closed afterwards)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    _plt().close(fig)
    return buf.getvalue()


def occupancy_distribution_figure(results: list[Results]) -> Any:
    """Per crisis place: share of measured time at each number present, one line per scenario."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    places = active_crisis_places(results)
    ncols = 2 if len(places) > 1 else 1
    nrows = -(-len(places) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, 2.3 * nrows), squeeze=False)
    for ax, pid in zip(axes.flat, places):
        for res in results:
            run = res.cfg.run
            s = occupancy_shares(res.events, pid, run.warmup_days, run.horizon_days, res.reps)
            line = ax.plot(s.index, s.to_numpy(), drawstyle="steps-mid", lw=1.2, label=res.cfg.name)[0]
            c = res.cfg.crisis_places.get(pid)
            if c is not None:  # regular capacity at day 0, in the scenario's colour
                ax.axvline(c.capacity, color=line.get_color(), lw=0.8, ls=":")
        ax.set_title(f"{pid} (dotted: regular capacity)", fontsize="medium")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("share of time")
    for ax in list(axes.flat)[len(places):]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize="small")
    for ax in axes[-1, :]:
        ax.set_xlabel("people present")
    fig.suptitle("Occupancy distribution per crisis place (measured window, all replications)")
    fig.tight_layout()
    return fig


def interval_bars(results: list[Results], metric: str, places: list[str], title: str, unit: str,
                  per_year: bool, log: bool = False) -> Any:
    """Grouped horizontal bars: ``metric`` per place (rows) and scenario (colours), with 95% intervals."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 0.5 + 0.35 * len(places) * max(len(results), 2)))
    height = 0.8 / len(results)
    y = np.arange(len(places))
    for i, res in enumerate(results):
        scale = 1.0 / measured_years(res) if per_year else 1.0
        s = res.summary[res.summary["metric"] == metric].set_index("place").reindex(places)
        mean, lo, hi = (s[c].to_numpy(dtype=float) * scale for c in ("mean", "ci_low", "ci_high"))
        err = np.vstack([np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)])
        ax.barh(y - 0.4 + height * (i + 0.5), mean, height, xerr=err, capsize=2, label=res.cfg.name)
    ax.set_yticks(y, places)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(unit + (" (log scale)" if log else ""))
    ax.set_title(title + " (mean and 95% interval over replications)", fontsize="medium")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def waits_figure(results: list[Results]) -> Any:
    """Days waiting in a crisis bed for a follow-up place: mean with interval per place, and the distribution."""
    plt = _plt()
    with_events = [r for r in results if not r.events.empty]
    fig, axes = plt.subplots(1, 2 if with_events else 1, figsize=(11, 3.8), squeeze=False)
    places = active_crisis_places(results)
    ax = axes[0, 0]
    width = 0.8 / len(results)
    x = np.arange(len(places))
    for i, res in enumerate(results):
        s = res.summary[res.summary["metric"] == "mean_wait_followup_days"].set_index("place").reindex(places)
        mean = s["mean"].to_numpy(dtype=float)
        err = np.vstack([np.clip(mean - s["ci_low"].to_numpy(dtype=float), 0, None),
                         np.clip(s["ci_high"].to_numpy(dtype=float) - mean, 0, None)])
        ax.bar(x - 0.4 + width * (i + 0.5), mean, width, yerr=err, capsize=2, label=res.cfg.name)
    ax.set_xticks(x, places, rotation=30)
    ax.set_ylabel("mean days (95% interval)")
    ax.set_title("Mean wait for a follow-up place per crisis stay", fontsize="medium")
    ax.legend(fontsize="small")
    if with_events:
        ax = axes[0, 1]
        for res in with_events:
            measured = res.events[res.events["t_days"] >= res.cfg.run.warmup_days]  # waits begun after warm-up
            w = followup_waits(measured, list(res.cfg.crisis_places))
            w = w[w["wait_days"] > 0]["wait_days"].to_numpy(dtype=float)
            reps = max(res.n_reps_run, 1)
            if len(w):
                ax.hist(w, bins=30, histtype="step", weights=np.full(len(w), 1.0 / reps), label=res.cfg.name)
        ax.set_xlabel("days blocked in a crisis bed (waits > 0)")
        ax.set_ylabel("clients per replication")
        ax.set_title("Distribution of waits begun in the measured window", fontsize="medium")
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
