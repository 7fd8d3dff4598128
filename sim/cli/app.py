"""The Hydra edge: the task function that runs one job, and the callback that finishes a multirun."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.config.compose import register, to_checked
from sim.config.paths import CONFIG_DIR

log = logging.getLogger("sim")
register()  # the schema must be in Hydra's ConfigStore before @hydra.main composes


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(dcfg: DictConfig) -> str:
    """Run one scenario's replications and write its result folder (run.json last).

    Returns ``"skipped"`` when the folder already holds a complete result of the same config and
    code (``job_key``), ``"failed"`` when the job raised in a multirun (``error.json`` records it
    and the other jobs go on; a single run re-raises), else ``"done"``.
    """
    from hydra.types import RunMode

    from sim.cli.preflight import checked_job
    from sim.engine.vocab import measured_years
    from sim.outputs.table import key_table
    from sim.outputs.terminal import show
    from sim.studies.sweep import is_done, job_key, run_job

    hc = HydraConfig.get()
    # checked once, in the pre-flight; a job in another process (a launcher) checks here, reading
    # relative paths from the folder the command was started in, even with hydra.job.chdir=true
    checked = checked_job(list(hc.overrides.task)) or to_checked(dcfg, cwd=Path(hc.runtime.cwd))
    cfg = checked.cfg
    out = Path(hc.runtime.output_dir)
    key = job_key(checked)
    if is_done(out, key):
        log.info("%s: skipped: complete (same config and code, job_key %s) -> %s", cfg.name, key[:12], out)
        return "skipped"
    res = run_job(checked, out, key, reraise=hc.mode != RunMode.MULTIRUN)
    if res is None:
        return "failed"
    years = measured_years(res.cfg.run)  # the warm-up may have been detected
    n_reps = res.n_reps_run  # a precision target may have added replications
    log.info("%s: %d replications, %.1f measured years each, %.1f s -> %s", cfg.name, n_reps, years,
             res.wall_seconds, out)
    for name, note in res.notes.items():
        if isinstance(note, dict) and note.get("reason"):  # how the warm-up and the replications were chosen
            log.info("%s: %s: %s", cfg.name, name, note["reason"])
    show(f"\n{cfg.name}: mean [95% CI] over {n_reps} replications of {years:.1f} measured years\n"
         + key_table(res.summary, years) + "\n")
    return "done"


class SideBySide(Callback):
    """After a multirun: one summary.csv and kpis.csv of all jobs, comparison.csv of paired
    differences against the reference scenario, report.html, sweep.csv (one column per swept
    parameter) with its plots, and sweep.json last (complete; lists failed jobs). If a job
    failed, the command then exits 1."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.studies.multirun import clear

        clear(Path(config.hydra.sweep.dir))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the sweep-level files, sweep.json last; exit 1 (after writing) if a job failed."""
        from sim.studies.multirun import finish

        run = OmegaConf.to_container(config.get("run", {}), resolve=True)
        settings = {str(k): v for k, v in run.items()} if isinstance(run, dict) else {}
        if finish(Path(config.hydra.sweep.dir), settings):
            raise SystemExit(1)  # Hydra lets SystemExit through its callback guard: the command exits non-zero
