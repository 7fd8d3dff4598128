"""After a multirun: every job's tables side by side, paired differences, the report and the
sweep table, with ``sweep.json`` written last as the marker that the folder is complete."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Mapping

from sim.engine.vocab import DAYS_PER_YEAR

log = logging.getLogger("sim")
SWEEP_FILES = ("summary.csv", "kpis.csv", "comparison.csv", "report.html", "report.md", "sweep.csv", "sweep.json")


def clear(sweep: Path) -> None:
    """Remove the sweep-level files of an earlier multirun in ``sweep``, the marker first, so a
    re-used folder stops looking complete."""
    for name in reversed(SWEEP_FILES):
        (sweep / name).unlink(missing_ok=True)
    for png in sweep.glob("sweep_*.png") if sweep.is_dir() else []:
        png.unlink()


def finish(sweep: Path, run: Mapping[str, Any]) -> list[str]:
    """Write the sweep-level files, sweep.json last; return the names of the failed jobs.

    ``run`` is the multirun's ``run`` settings (for the reference scenario and the window).
    """
    from sim.outputs.folders import job_folders
    from sim.outputs.terminal import show
    from sim.outputs.writers import write_json
    from sim.studies.sweep import describe, failed_jobs, write_sweep

    if not sweep.is_dir():
        return []
    t0, failed = time.perf_counter(), failed_jobs(sweep)
    folders = job_folders(sweep)
    if not folders and not failed:
        return []
    info = side_by_side(sweep, run) if folders else {"jobs": [], "scenarios": [], "reference": None}
    table, files = write_sweep(sweep)  # nothing without a complete job
    if files or failed:
        show(describe(sweep, table, files, failed) + "\n")
    write_json({**info, "failed": failed, "collect_seconds": round(time.perf_counter() - t0, 3)},
               sweep / "sweep.json")
    if failed:
        log.error("%d of %d jobs failed: %s (error.json in each)", len(failed), len(failed) + len(folders),
                  ", ".join(failed))
    return failed


def side_by_side(sweep: Path, run: Mapping[str, Any]) -> dict[str, Any]:
    """summary.csv, kpis.csv, comparison.csv and report.html of the complete jobs; sweep.json's entries."""
    from sim.analysis.compare import paired_differences
    from sim.outputs.folders import collect, job_folders, job_labels, load_results
    from sim.outputs.report import write_report
    from sim.outputs.table import diff_table, key_figures, key_table
    from sim.outputs.terminal import show
    from sim.outputs.writers import write_csv

    summary, kpis = collect(sweep), collect(sweep, "kpis.csv")
    write_csv(summary, sweep / "summary.csv")
    write_csv(kpis, sweep / "kpis.csv")
    years = (float(run.get("horizon_days", DAYS_PER_YEAR)) - float(run.get("warmup_days", 0.0))) / DAYS_PER_YEAR
    show(f"\nAll scenarios side by side: mean [95% CI] over replications, {years:.1f} measured years;"
         f" tables in {sweep}\n" + key_table(summary, years) + "\n")
    scenarios = list(dict.fromkeys(kpis["scenario"]))
    reference = str(run.get("reference", "baseline"))
    reference = reference if reference in scenarios else scenarios[0]
    comparison = None
    if len(scenarios) > 1:
        comparison = paired_differences(kpis, reference)
        write_csv(comparison, sweep / "comparison.csv")
        show(f"Differences against {reference}, paired by replication (same clients in every scenario):"
             f" mean [95% CI]\n" + diff_table(comparison, years, key_figures(summary)) + "\n")
    folders = job_folders(sweep)
    labels = job_labels(folders)
    write_report(sweep, [load_results(d, label) for d, label in zip(folders, labels)], comparison, reference)
    return {"jobs": [d.name for d in folders], "scenarios": labels, "reference": reference}
