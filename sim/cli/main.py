"""``python -m sim scenarios=<name> [overrides]``: check every job's config, then run it with Hydra."""

import os
import sys


def main() -> None:
    from sim.cli.preflight import check_jobs, hydra_argv
    from sim.config.messages import one_line
    from sim.outputs.terminal import error

    try:
        check_jobs(sys.argv[1:])
        sys.argv[1:] = hydra_argv(sys.argv[1:])  # what was checked is what Hydra runs (globs expanded)
    except Exception as exc:  # any composition or value error: one line, exit 2, nothing written
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        error(f"sim: invalid config: {one_line(exc)}")
        sys.exit(2)
    from sim.cli.app import app

    app()

