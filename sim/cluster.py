"""``python -m sim.cluster``: a run on a Dask cluster; the command lives in :mod:`sim.cli.cluster`."""

from sim.cli.cluster import main

if __name__ == "__main__":
    raise SystemExit(main())
