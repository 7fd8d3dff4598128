"""The Hydra edge: the task function and the callback that sets scenarios side by side."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.config import CONFIG_DIR, to_sim_config

log = logging.getLogger("sim")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(dcfg: DictConfig) -> None:
    """Run one scenario's replications and write its result folder."""
    from sim.experiment import run_experiment
    from sim.io import save
    from sim.table import key_table

    cfg = to_sim_config(dcfg)
    out = Path(HydraConfig.get().runtime.output_dir)
    res = run_experiment(cfg)
    save(res, out)
    years = (res.cfg.run.horizon_days - res.cfg.run.warmup_days) / 365.0  # warm-up may have been detected
    n_reps = int(res.kpis["rep"].nunique())
    log.info("%s: %d replications, %.1f measured years each, %.1f s -> %s", cfg.name, n_reps, years,
             res.wall_seconds, out)
    for note in res.notes.values():
        log.info("%s", {k: v for k, v in note.items() if k != "metrics"})
    print(f"\n{cfg.name}: mean [95% CI] over {n_reps} replications of {years:.1f} measured years\n"
          + key_table(res.summary, years) + "\n")
    from sim.report import write_report

    write_report(out, [res])  # the planner's main output: always written, after the result files


class SideBySide(Callback):
    """After a multirun: one summary.csv and kpis.csv of all jobs, comparison.csv of paired
    differences against the reference scenario, and both printed side by side."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.compare import paired_differences
        from sim.io import collect, write_csv
        from sim.table import diff_table, key_table

        sweep = Path(config.hydra.sweep.dir)
        if not sweep.is_dir():
            return
        summary, kpis = collect(sweep), collect(sweep, "kpis.csv")
        if summary.empty:
            return
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
        from sim.io import job_folders, job_labels, load_results
        from sim.report import write_report

        folders = job_folders(sweep)
        results = [load_results(d, label) for d, label in zip(folders, job_labels(folders))]
        write_report(sweep, results, comparison, reference)
