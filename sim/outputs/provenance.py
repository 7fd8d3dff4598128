"""Provenance of a run: what produced it (config, seed, versions, git commit), for run.json."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import asdict
from importlib.metadata import version
from typing import Any

from sim.analysis.results import Results
from sim.config.paths import PROJECT_ROOT

PACKAGES = ("simpy", "numpy", "scipy", "pandas", "matplotlib", "hydra-core", "omegaconf")


def git_state() -> dict[str, Any]:
    """Commit and dirty flag of the project checkout, or nulls outside git."""
    try:
        run = lambda *a: subprocess.run(["git", *a], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5)
        sha = run("rev-parse", "HEAD").stdout.strip() or None
        dirty = bool(run("status", "--porcelain", "--untracked-files=no").stdout.strip()) if sha else None
        return {"git_commit": sha, "git_dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}

def run_info(res: Results) -> dict[str, Any]:
    """Provenance: resolved config, seed, versions, git commit, wall seconds."""
    return {
        "scenario": res.cfg.name,
        "seed": res.cfg.run.seed,
        "n_reps": res.n_reps_run,
        "wall_seconds": round(res.wall_seconds, 3),
        **res.notes,  # how the warm-up and the number of replications were chosen
        "python": platform.python_version(),
        "packages": {p: version(p) for p in PACKAGES},
        **git_state(),
        "config": asdict(res.cfg),
    }
