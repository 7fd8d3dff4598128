"""``python -m sim.sweep``: collect a sweep folder; the command lives in :mod:`sim.cli.sweep`."""

from sim.cli.sweep import main

if __name__ == "__main__":
    raise SystemExit(main())
