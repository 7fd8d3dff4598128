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
SWEEP_FILES = ("summary.csv", "kpis.csv", "comparison.csv", "report.html", "report.md", "sweep.json")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(dcfg: DictConfig) -> None:
    """Run one scenario's replications and write its result folder (run.json last)."""
    from sim.experiment import run_experiment
    from sim.io import begin, save
    from sim.report import write_report
    from sim.table import key_table

    cfg = to_sim_config(dcfg)
    out = Path(HydraConfig.get().runtime.output_dir)
    begin(out)  # a folder being rewritten stops looking complete before anything runs
    res = run_experiment(cfg)
    save(res, out, before_marker=lambda: write_report(out, [res]))
    years = (res.cfg.run.horizon_days - res.cfg.run.warmup_days) / 365.0  # warm-up may have been detected
    n_reps = int(res.kpis["rep"].nunique())
    log.info("%s: %d replications, %.1f measured years each, %.1f s -> %s", cfg.name, n_reps, years,
             res.wall_seconds, out)
    for note in res.notes.values():
        log.info("%s", {k: v for k, v in note.items() if k != "metrics"})
    print(f"\n{cfg.name}: mean [95% CI] over {n_reps} replications of {years:.1f} measured years\n"
          + key_table(res.summary, years) + "\n")


class SideBySide(Callback):
    """After a multirun: one summary.csv and kpis.csv of all jobs, comparison.csv of paired
    differences against the reference scenario, report.html, and sweep.json last (complete)."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep = Path(config.hydra.sweep.dir)
        for name in reversed(SWEEP_FILES):  # the marker first: a re-used folder stops looking complete
            (sweep / name).unlink(missing_ok=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.compare import paired_differences
        from sim.io import collect, job_folders, job_labels, load_results, write_csv, write_json
        from sim.report import write_report
        from sim.table import diff_table, key_table

        sweep = Path(config.hydra.sweep.dir)
        if not sweep.is_dir() or (summary := collect(sweep)).empty:
            return
        t0, kpis = time.perf_counter(), collect(sweep, "kpis.csv")
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
        write_json({"jobs": [d.name for d in folders], "scenarios": labels, "reference": reference,
                    "collect_seconds": round(time.perf_counter() - t0, 3)}, sweep / "sweep.json")
