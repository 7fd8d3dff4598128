"""Check every job's config before Hydra creates a folder or anything is simulated."""

from __future__ import annotations

from typing import Sequence

PASS_THROUGH = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--shell-completion", "-sc",
                "--version", "--resolve", "--package", "-p")
MULTIRUN = ("--multirun", "-m")


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


def check_jobs(argv: Sequence[str]) -> int:
    """Compose and check every job; return the number of jobs (0 for Hydra's own commands)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config import CONFIG_DIR, check_overrides, to_sim_config
    from sim.guard import check, check_sweep, memory_limit

    jobs = job_overrides(argv)
    if jobs is None:
        return 0
    estimates = []
    for n, overrides in enumerate(jobs, start=1):
        try:
            check_overrides(overrides)
            GlobalHydra.instance().clear()
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                cfg = to_sim_config(compose("config", overrides=overrides))
            limit = memory_limit(cfg)
            estimates.append(check(cfg, limit))  # too large for the memory: refused before anything runs
        except Exception as exc:
            if len(jobs) > 1:  # say which job of a multirun is invalid (sim.errors.one_line prints notes)
                exc.add_note(f"in job {n} of {len(jobs)}: {' '.join(overrides)}")
            raise
    GlobalHydra.instance().clear()
    if len(estimates) > 1:
        check_sweep(estimates, limit)
    return len(jobs)
