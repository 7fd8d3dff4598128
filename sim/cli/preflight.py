"""Check every job's config before Hydra creates a folder or anything is simulated.

Each job is composed and passed through the gate once here; the job itself then runs the
:class:`~sim.config.gate.CheckedConfig` kept for its overrides (:func:`checked_job`), so it
simulates exactly what was checked (traces included) and nothing is checked twice.
"""

from __future__ import annotations

from typing import Optional, Sequence

from sim.config.gate import CheckedConfig
from sim.config.resources import Estimate

PASS_THROUGH = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--shell-completion", "-sc",
                "--version", "--resolve", "--package", "-p")
MULTIRUN = ("--multirun", "-m")
# This process's latest pre-flight, by the job's task overrides; each entry is handed out once
# (checked_job), so no later run in this process can get a config, or trace days, checked before.
_CHECKED: dict[tuple[str, ...], CheckedConfig] = {}


def job_overrides(argv: Sequence[str]) -> list[list[str]] | None:
    """The override list of each job the command would run, or None for Hydra's own commands."""
    if any(a.split("=")[0] in PASS_THROUGH for a in argv):
        return None
    overrides = [a for a in argv if not a.startswith("-")]
    if not any(a in MULTIRUN for a in argv):
        return [overrides]
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]


def task_key(overrides: Sequence[str]) -> tuple[str, ...]:
    """The overrides as Hydra hands them to the job (``hydra.overrides.task``): all but Hydra's own."""
    return tuple(o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/")))


def checked_job(overrides: Sequence[str]) -> Optional[CheckedConfig]:
    """The config the pre-flight checked for the job with these task overrides, if unchanged since;
    taken out of the store, so it is handed out once (None: check the job again)."""
    checked = _CHECKED.pop(task_key(overrides), None)
    return checked if checked is not None and checked.is_current() else None


def check_jobs(argv: Sequence[str]) -> int:
    """Compose and check every job; return the number of jobs (0 for Hydra's own commands)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.compose import register, structured
    from sim.config.gate import check
    from sim.config.paths import CONFIG_DIR
    from sim.config.resources import check_sweep, memory_limit
    from sim.config.safety import check_overrides

    _CHECKED.clear()  # only this pre-flight's configs may be handed to its jobs
    jobs = job_overrides(argv)
    if jobs is None:
        return 0
    register()
    estimates: list[Estimate] = []
    limit: Optional[tuple[float, str]] = None
    for n, overrides in enumerate(jobs, start=1):
        try:
            check_overrides(overrides)
            GlobalHydra.instance().clear()
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                dcfg = compose("config", overrides=overrides)
            cfg = structured(dcfg)
            limit = memory_limit(cfg)
            checked = check(cfg, limit)
            _CHECKED[task_key(overrides)] = checked
            if checked.estimate is not None:
                estimates.append(checked.estimate)
        except Exception as exc:
            if len(jobs) > 1:  # say which job of a multirun is invalid (sim.config.messages.one_line prints notes)
                exc.add_note(f"in job {n} of {len(jobs)}: {' '.join(overrides)}")
            raise
    GlobalHydra.instance().clear()
    if len(estimates) > 1 and limit is not None:
        check_sweep(estimates, limit)
    return len(jobs)
