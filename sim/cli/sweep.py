"""``python -m sim.sweep <sweep_dir>``: collect a multirun folder into sweep.csv and its plots."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from sim.cli.args import OneLineParser
from sim.outputs.terminal import show
from sim.studies.sweep import describe, failed_jobs, write_sweep


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m sim.sweep <sweep_dir> [--no-plots]``: exit 1 if a job failed, 2 if there is nothing to collect."""

    parser = OneLineParser(prog="python -m sim.sweep", description=main.__doc__)
    parser.add_argument("sweep_dir", type=Path, help="a multirun folder (hydra.sweep.dir)")
    parser.add_argument("--no-plots", action="store_true", help="write sweep.csv only")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        parser.error(f"{args.sweep_dir} is not a folder")
    table, files = write_sweep(args.sweep_dir, plots=not args.no_plots)
    failed = failed_jobs(args.sweep_dir)
    show(describe(args.sweep_dir, table, files, failed) or f"{args.sweep_dir}: no complete job folder")
    return 1 if failed else (0 if files else 2)


if __name__ == "__main__":
    raise SystemExit(main())
