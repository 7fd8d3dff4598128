"""The planner's report: report.html (one self-contained file) and report.md with its PNGs.

Both hold the same blocks: the question and scenarios, key figures with 95% intervals,
paired differences against the reference, figures, and the STRESS-DES model description.
Files are written only through :mod:`sim.io`'s atomic writers.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd

from sim.outputs import report_plots as rp
from sim.analysis.results import Results
from sim.outputs.plots import occupancy_figure
from sim.outputs.report_doc import Block, Heading, Image, Para, Table, to_html, to_markdown
from sim.outputs.stress import stress_blocks
from sim.outputs.table import Figures, _cell, key_figures
from sim.engine.vocab import PER_YEAR_METRICS as PER_YEAR

log = logging.getLogger("sim")
NO_EVENTS = "left out for {names}: the run had `run.write_events=false`, so there is no event record."


def fmt_cell(mean: float, lo: float, hi: float) -> str:
    """'mean [low, high]' exactly as the terminal table prints it (sim.table)."""
    return "-" if pd.isna(mean) else _cell(mean, lo, hi)


def figure_label(place: str, metric: str) -> str:
    """Row label of a key figure, e.g. 'dno turned_away per year'."""
    return f"{place} {metric}" + (" per year" if metric in PER_YEAR else "")


def _cells(frame: pd.DataFrame, place: str, metric: str, years: float, cols: tuple[str, str, str]) -> Optional[
        tuple[float, float, float]]:
    """(mean, low, high) of one place and metric, totals divided by ``years``; None if absent."""
    row = frame[(frame["place"] == place) & (frame["metric"] == metric)]
    if row.empty:
        return None
    f = 1.0 / years if metric in PER_YEAR else 1.0
    return tuple(float(row.iloc[0][c]) * f for c in cols)  # type: ignore[return-value]


def key_table(results: list[Results]) -> Table:
    """The key figures per scenario, 'mean [95% CI]'; each cell carries data-scenario/-place/-metric/-mean."""
    rows, attrs = [], []
    for place, metric in key_figures(results[0].summary):
        vals = [_cells(r.summary, place, metric, rp.measured_years(r), ("mean", "ci_low", "ci_high"))
                for r in results]
        if all(v is None for v in vals):
            continue
        rows.append([figure_label(place, metric), *(fmt_cell(*v) if v else "-" for v in vals)])
        attrs.append([{}, *({"data-scenario": r.cfg.name, "data-place": place, "data-metric": metric,
                             "data-mean": repr(v[0]) if v else ""} for r, v in zip(results, vals))])
    return Table(["figure", *(r.cfg.name for r in results)], rows, attrs, id="key-figures")


def difference_table(comparison: pd.DataFrame, reference: str, years: float, figures: Figures) -> Table:
    """Paired differences 'scenario - reference' per key figure, 'mean [95% CI]', with data attributes."""
    scen = [s for s in dict.fromkeys(comparison["scenario"]) if s != reference]
    rows, attrs = [], []
    for place, metric in figures:
        vals = [_cells(comparison[comparison["scenario"] == s], place, metric, years,
                       ("diff_mean", "diff_ci_low", "diff_ci_high")) for s in scen]
        if all(v is None for v in vals):
            continue
        rows.append([figure_label(place, metric), *(fmt_cell(*v) if v else "-" for v in vals)])
        attrs.append([{}, *({"data-scenario": s, "data-reference": reference, "data-place": place,
                             "data-metric": metric, "data-mean": repr(v[0]) if v else ""} for s, v in zip(scen, vals))])
    return Table(["figure", *(f"{s} - {reference}" for s in scen)], rows, attrs, id="paired-differences")


def question(results: list[Results], reference: Optional[str]) -> list[Block]:
    """The question in words and the scenarios with their descriptions from the configs."""
    names = [r.cfg.name for r in results]
    others = [n for n in names if n != reference]
    q = (f"What happens to the people turned away, the days spent waiting for a follow-up place, the blocked "
         f"crisis bed-days and the cost in `{results[0].cfg.region}` under "
         + ", ".join(f"`{n}`" for n in names) + "?")
    if reference and others and reference in names:
        who = f"`{others[0]}` is" if len(others) == 1 else "Each of " + ", ".join(f"`{n}`" for n in others) + " is"
        q += (f" {who} compared with the reference `{reference}`, paired by replication (the same simulated "
              "clients in every scenario).")
    rows = [[r.cfg.name, r.cfg.description.strip(), str(r.n_reps_run), f"{rp.measured_years(r):.1f}"]
            for r in results]
    return [Heading("The question"), Para(q),
            Table(["scenario", "description", "replications", "measured years"], rows)]


def _slug(name: str) -> str:
    """A file-name-safe form of a scenario label (sweep labels hold brackets and commas)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "scenario"


def figure_specs(results: list[Results]) -> list[tuple[str, str, Callable[[], Any]]]:
    """(file name, caption, figure maker) of every report figure the results allow."""
    ev = [r for r in results if not r.events.empty]
    crisis, places = rp.active_crisis_places(results), _costed_places(results)
    specs: list[tuple[str, str, Callable[[], Any]]] = []
    if ev:
        specs.append(("report_occupancy_distribution.png", "Occupancy distribution: share of the measured time "
                      "with each number of people present, per crisis place and scenario (all replications).",
                      lambda: rp.occupancy_distribution_figure(ev)))
    for r in ev:
        name = "report_occupancy.png" if len(results) == 1 else f"report_occupancy_{_slug(r.cfg.name)}.png"
        specs.append((name, f"Occupancy over time in `{r.cfg.name}`: mean people present and the 10-90% band "
                      "across replications, with capacity (grey: warm-up).", partial(occupancy_figure, r)))
    specs += [
        ("report_turned_away.png", "Turned away per year, per crisis place and scenario (mean, 95% interval).",
         lambda: rp.interval_bars(results, "turned_away", crisis, "Turned away per year", "people a year", True)),
        ("report_wait_followup.png", "Days waiting in a crisis bed for a follow-up place: mean per crisis stay "
         "with 95% interval" + (", and the distribution of waits above 0." if ev else "."),
         lambda: rp.waits_figure(results)),
        ("report_blocked_days.png", "Blocked bed-days per year: crisis place-days held by people whose stay was "
         "over, waiting for a follow-up place (mean, 95% interval).",
         lambda: rp.interval_bars(results, "blocked_days", crisis, "Blocked bed-days per year", "place-days a year",
                                  True)),
        ("report_cost.png", "Cost per year per place and scenario (mean, 95% interval; log scale).",
         lambda: rp.interval_bars(results, "cost_eur", places, "Cost per year", "EUR a year", True, log=True))]
    return specs


def _costed_places(results: list[Results]) -> list[str]:
    """Places with a cost per day in any scenario, crisis places first."""
    out: dict[str, None] = {}
    for r in results:
        out |= {p: None for p, c in r.cfg.crisis_places.items() if c.cost_per_day_eur > 0 and
                p in rp.active_crisis_places([r])}
    for r in results:
        out |= {f: None for f, c in r.cfg.followup.items() if c.cost_per_day_eur > 0 and c.capacity != 0}
    return list(out)


def figures(results: list[Results]) -> list[Block]:
    """Heading, figures (rendered to PNG) and a note for scenarios without an event record."""
    blocks: list[Block] = [Heading("Figures")]
    missing = [r.cfg.name for r in results if r.events.empty]
    if missing:
        blocks.append(Para("Occupancy figures and the wait distribution are "
                           + NO_EVENTS.format(names=", ".join(f"`{n}`" for n in missing))))
    for file, caption, make in figure_specs(results):
        blocks.append(Image(file, caption, rp.to_png(make())))
    return blocks


def build(results: list[Results], comparison: Optional[pd.DataFrame], reference: Optional[str]) -> list[Block]:
    """All blocks of the report, in order."""
    names = [r.cfg.name for r in results]
    blocks: list[Block] = [Heading("Crisis-shelter flow: " + ", ".join(names), 1),
                           Para(f"Generated by `sim` on {datetime.now():%Y-%m-%d %H:%M}."),
                           *question(results, reference),
                           Heading("Key figures"),
                           Para("Mean [95% interval] over replications; totals (counts, days, cost) per measured "
                                "year. Definitions in section 1.2 below."),
                           key_table(results)]
    if comparison is not None and not comparison.empty and reference is not None:
        ref = next((r for r in results if r.cfg.name == reference), results[0])
        blocks += [Heading(f"Differences against {reference}"),
                   Para("Scenario minus reference, paired by replication (common random numbers): mean [95% "
                        "interval]. An interval that excludes 0 is a difference the replications can tell apart."),
                   difference_table(comparison, reference, rp.measured_years(ref), key_figures(ref.summary))]
    return blocks + figures(results) + stress_blocks(results, reference)


def write_report(folder: Path, results: list[Results], comparison: Optional[pd.DataFrame] = None,
                 reference: Optional[str] = None) -> list[Path]:
    """Write the report PNGs, report.md and report.html into ``folder`` (atomically); return their paths."""
    from sim.outputs.writers import write_bytes, write_text

    folder.mkdir(parents=True, exist_ok=True)
    blocks = build(results, comparison, reference)
    written = []
    for img in (b for b in blocks if isinstance(b, Image)):
        write_bytes(img.png, folder / img.file)
        written.append(folder / img.file)
    title = "Crisis-shelter flow: " + ", ".join(r.cfg.name for r in results)
    write_text(to_markdown(blocks), folder / "report.md")
    write_text(to_html(blocks, title), folder / "report.html")
    written += [folder / "report.md", folder / "report.html"]
    log.info("report: %s (%d figures)", folder / "report.html", len(written) - 2)
    return written
