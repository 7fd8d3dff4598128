"""Figures from result tables; never runs the model."""

from __future__ import annotations


from pathlib import Path
from typing import Any, Callable

import numpy as np

from sim.analysis.results import Results
from sim.engine.schedules import capacity_steps
from sim.outputs.figures import pyplot
from sim.analysis.series import followup_waits, occupancy_on_grid, per_year, step_at


def occupancy_figure(res: Results) -> Any:
    """Occupancy over time per crisis place: mean and 10-90% band over replications, with capacity."""
    plt = pyplot()

    cfg = res.cfg
    places = [p for p, c in cfg.crisis_places.items() if c.capacity > 0 or c.capacity_schedule]
    grid = np.arange(0.0, cfg.run.horizon_days, 1.0)
    fig, axes = plt.subplots(len(places), 1, figsize=(9, 2.2 * len(places)), sharex=True, squeeze=False)
    for ax, pid in zip(axes[:, 0], places):
        occ = occupancy_on_grid(res.events, pid, grid, res.reps)  # every replication run, not run.n_reps
        ax.fill_between(grid, occ.quantile(0.1, axis=1), occ.quantile(0.9, axis=1), alpha=0.3, label="10-90% of reps")
        ax.plot(grid, occ.mean(axis=1), lw=1, label="mean present")
        cap = step_at(capacity_steps(cfg.crisis_places[pid]), grid)
        ax.step(grid, cap, where="post", color="k", lw=1, label="capacity")
        if cfg.crisis_places[pid].overflow_capacity:
            ax.step(grid, cap + cfg.crisis_places[pid].overflow_capacity, where="post", color="k", ls="--", lw=1,
                    label="capacity + overflow")
        ax.axvspan(0, cfg.run.warmup_days, color="grey", alpha=0.15)
        ax.set_ylabel(pid)
    axes[0, 0].legend(loc="upper right", fontsize="small", ncol=2)
    axes[0, 0].set_title(f"{cfg.name}: people present (grey = warm-up, excluded from KPIs)")
    axes[-1, 0].set_xlabel("day")
    fig.tight_layout()
    return fig


def turned_away_figure(res: Results) -> Any:
    """Mean number turned away per measured year, per crisis place."""
    plt = pyplot()

    counts = per_year(res.events, "turned_away", res.cfg.run.warmup_days)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if not counts.empty:
        # replications run: a precision target may add some to run.n_reps
        mean = counts.groupby(["year", "place"])["count"].sum().unstack(fill_value=0) / res.n_reps_run
        mean.plot.bar(stacked=True, ax=ax)
    ax.set_xlabel("measured year")
    ax.set_ylabel("turned away (mean per rep)")
    ax.set_title(f"{res.cfg.name}: turned away per year")
    fig.tight_layout()
    return fig


def waits_figure(res: Results) -> Any:
    """Distribution of days waiting in a crisis place for a follow-up place (waits > 0 only)."""
    plt = pyplot()

    w = followup_waits(res.events, list(res.cfg.crisis_places))
    w = w[w["wait_days"] > 0]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for dest, g in w.groupby("to_place"):
        ax.hist(g["wait_days"], bins=40, histtype="step", label=f"{dest} (n={len(g)})")
    if len(w):
        ax.legend(fontsize="small")
    ax.set_xlabel("days waiting for a follow-up place (blocked in a crisis bed)")
    ax.set_ylabel("clients")
    ax.set_title(f"{res.cfg.name}: waiting for follow-up ({len(w)} waits > 0, all reps)")
    fig.tight_layout()
    return fig


def save_plots(res: Results, out: Path, atomic: Callable[[Path, Callable[[Path], Any]], None]) -> None:
    """occupancy.png, turned_away_per_year.png, wait_followup.png."""
    plt = pyplot()

    for name, make in (("occupancy.png", occupancy_figure), ("turned_away_per_year.png", turned_away_figure),
                       ("wait_followup.png", waits_figure)):
        fig = make(res)
        atomic(out / name, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
        plt.close(fig)
