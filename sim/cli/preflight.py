"""Check every job's config before Hydra creates a folder or anything is simulated.

The command line is read with Hydra's own argument parser (:func:`sim.config.choices.parse_argv`),
every file it can load is scanned before Hydra parses any (also for ``--help`` and ``--cfg``),
and each job is composed and passed through the gate once here; the job itself then runs the
:class:`~sim.config.gate.CheckedConfig` kept for its overrides (:func:`checked_job`), so it
simulates exactly what was checked (traces included) and nothing is checked twice.
"""

from __future__ import annotations

from typing import Optional, Sequence

from sim.config.choices import Launch
from sim.config.errors import ConfigError
from sim.config.gate import CheckedConfig
from sim.config.resources import Estimate

# This process's latest pre-flight, by the job's task overrides; each entry is handed out once
# (checked_job), so no later run in this process can get a config, or trace days, checked before.
_CHECKED: dict[tuple[str, ...], CheckedConfig] = {}


def job_overrides(launch: Launch) -> list[list[str]]:
    """The override list of each job the launch would run (a multirun's sweeps expanded)."""
    if not launch.multirun:
        return [list(launch.overrides)]
    from hydra import initialize_config_dir
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(launch.config_dir), version_base="1.3"):
            loader = GlobalHydra.instance().config_loader()  # lists a group's options for glob(...)
            parsed = OverridesParser.create(config_loader=loader).parse_overrides(list(launch.overrides))
            return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    finally:
        GlobalHydra.instance().clear()


def task_key(overrides: Sequence[str]) -> tuple[str, ...]:
    """The overrides as Hydra hands them to the job (``hydra.overrides.task``): all but Hydra's own."""
    return tuple(o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/")))


def checked_job(overrides: Sequence[str]) -> Optional[CheckedConfig]:
    """The config the pre-flight checked for the job with these task overrides, if unchanged since;
    taken out of the store, so it is handed out once (None: check the job again)."""
    checked = _CHECKED.pop(task_key(overrides), None)
    return checked if checked is not None and checked.is_current() else None


def check_jobs(argv: Sequence[str]) -> int:
    """Scan the files, compose and check every job; return the number of jobs (0 for Hydra's own commands)."""
    from sim.config.choices import compose_launch, expand_globs, parse_argv, scan_launch
    from sim.config.compose import structured
    from sim.config.gate import check
    from sim.config.resources import check_sweep, memory_limit

    _CHECKED.clear()  # only this pre-flight's configs may be handed to its jobs
    launch = scan_launch(expand_globs(parse_argv(argv)))
    if launch.hydra_command:
        return 0
    jobs = job_overrides(launch)
    if not jobs:
        raise ConfigError("command line", " ".join(argv), "a command that runs at least one job")
    estimates: list[Estimate] = []
    limit: Optional[tuple[float, str]] = None
    for n, overrides in enumerate(jobs, start=1):
        try:
            # the launch's scan covered every option of every sweep; composing verifies it for this job
            job = Launch(launch.config_dir, launch.config_name, launch.extra_dirs, tuple(overrides),
                         scanned=launch.scanned)
            cfg = structured(compose_launch(job))
            limit = memory_limit(cfg)
            checked = check(cfg, limit)
            _CHECKED[task_key(overrides)] = checked
            if checked.estimate is not None:
                estimates.append(checked.estimate)
        except Exception as exc:
            if len(jobs) > 1:  # say which job of a multirun is invalid (sim.config.messages.one_line prints notes)
                exc.add_note(f"in job {n} of {len(jobs)}: {' '.join(overrides)}")
            raise
    if len(estimates) > 1 and limit is not None:
        check_sweep(estimates, limit)
    return len(jobs)


def hydra_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` as Hydra should get it: options first, then the overrides, with ``group=glob(...)``
    replaced by the options it matches."""
    from sim.config.choices import expand_globs, parse_argv, split_argv

    options, _ = split_argv(argv)
    return [*options, *expand_globs(parse_argv(argv)).overrides]
