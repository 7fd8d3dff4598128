"""The Hydra edge: the task function and the callback that sets scenarios side by side."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.config import CONFIG_DIR, to_sim_config

log = logging.getLogger("sim")
SWEEP_FILES = ("summary.csv", "kpis.csv", "comparison.csv", "report.html", "report.md", "sweep.csv", "sweep.json")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(dcfg: DictConfig) -> str:
    """Run one scenario's replications and write its result folder (run.json last).

    Returns ``"skipped"`` when the folder already holds a complete result of the same config and
    code (``job_key``), ``"failed"`` when the job raised in a multirun (``error.json`` records it
    and the other jobs go on; a single run re-raises), else ``"done"``.
    """
    from hydra.types import RunMode

    from sim.sweep import is_done, job_key, run_job

    cfg = to_sim_config(dcfg)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    key = job_key(cfg)
    if is_done(out, key):
        log.info("%s: skipped: complete (same config and code, job_key %s) -> %s", cfg.name, key[:12], out)
        return "skipped"
    res = run_job(cfg, out, key, reraise=hc.mode != RunMode.MULTIRUN)
    if res is None:
        return "failed"
    years = (res.cfg.run.horizon_days - res.cfg.run.warmup_days) / 365.0  # warm-up may have been detected
    n_reps = int(res.kpis["rep"].nunique())
    log.info("%s: %d replications, %.1f measured years each, %.1f s -> %s", cfg.name, n_reps, years,
             res.wall_seconds, out)
    for note in res.notes.values():
        log.info("%s", {k: v for k, v in note.items() if k != "metrics"})
    from sim.table import key_table

    print(f"\n{cfg.name}: mean [95% CI] over {n_reps} replications of {years:.1f} measured years\n"
          + key_table(res.summary, years) + "\n")
    return "done"


class SideBySide(Callback):
    """After a multirun: one summary.csv and kpis.csv of all jobs, comparison.csv of paired
    differences against the reference scenario, report.html, sweep.csv (one column per swept
    parameter) with its plots, and sweep.json last (complete; lists failed jobs). If a job
    failed, the command then exits 1."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep = Path(config.hydra.sweep.dir)
        for name in reversed(SWEEP_FILES):  # the marker first: a re-used folder stops looking complete
            (sweep / name).unlink(missing_ok=True)
        for png in sweep.glob("sweep_*.png") if sweep.is_dir() else []:  # plots of an earlier sweep
            png.unlink()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the sweep-level files, sweep.json last; exit 1 (after writing) if a job failed."""
        from sim.io import job_folders, write_json
        from sim.sweep import describe, failed_jobs, write_sweep

        sweep = Path(config.hydra.sweep.dir)
        if not sweep.is_dir():
            return
        t0, failed = time.perf_counter(), failed_jobs(sweep)
        folders = job_folders(sweep)
        if not folders and not failed:
            return
        info = self._side_by_side(sweep, config) if folders else {"jobs": [], "scenarios": [], "reference": None}
        table, files = write_sweep(sweep)  # nothing without a complete job
        if files or failed:
            print(describe(sweep, table, files, failed) + "\n")
        write_json({**info, "failed": failed, "collect_seconds": round(time.perf_counter() - t0, 3)},
                   sweep / "sweep.json")
        if failed:
            log.error("%d of %d jobs failed: %s (error.json in each)", len(failed), len(failed) + len(folders),
                      ", ".join(failed))
            raise SystemExit(1)  # Hydra lets SystemExit through its callback guard: the command exits non-zero

    def _side_by_side(self, sweep: Path, config: DictConfig) -> dict[str, Any]:
        """summary.csv, kpis.csv, comparison.csv and report.html of the complete jobs; sweep.json's entries."""
        from sim.compare import paired_differences
        from sim.io import collect, job_folders, job_labels, load_results, write_csv
        from sim.report import write_report
        from sim.table import diff_table, key_table

        summary, kpis = collect(sweep), collect(sweep, "kpis.csv")
        write_csv(summary, sweep / "summary.csv")
        write_csv(kpis, sweep / "kpis.csv")
        run = config.get("run", {})
        years = (float(run.get("horizon_days", 365.0)) - float(run.get("warmup_days", 0.0))) / 365.0
        print(f"\nAll scenarios side by side: mean [95% CI] over replications, {years:.1f} measured years;"
              f" tables in {sweep}\n" + key_table(summary, years) + "\n")
        scenarios = list(dict.fromkeys(kpis["scenario"]))
        reference = str(run.get("reference", "baseline"))
        reference = reference if reference in scenarios else scenarios[0]
        comparison = None
        if len(scenarios) > 1:
            comparison = paired_differences(kpis, reference)
            write_csv(comparison, sweep / "comparison.csv")
            print(f"Differences against {reference}, paired by replication (same clients in every scenario):"
                  f" mean [95% CI]\n" + diff_table(comparison, years) + "\n")
        folders = job_folders(sweep)
        labels = job_labels(folders)
        write_report(sweep, [load_results(d, label) for d, label in zip(folders, labels)], comparison, reference)
        return {"jobs": [d.name for d in folders], "scenarios": labels, "reference": reference}
