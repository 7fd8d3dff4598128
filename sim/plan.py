"""``python -m sim.plan``: the capacity planner; the command lives in :mod:`sim.cli.plan`."""

from sim.cli.plan import main

if __name__ == "__main__":
    raise SystemExit(main())
