"""``python -m sim.plan``: the smallest capacity of a place that meets a target (see :mod:`sim.studies.plan`)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Optional

from sim.cli.args import OneLineParser
from sim.config.errors import ConfigError
from sim.config.gate import PlanError, check_plan, parse_target
from sim.outputs.terminal import error, show
from sim.studies.plan import PlanResult, plan_capacity


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m sim.plan", allow_abbrev=False,
                                description="Smallest capacity of a place that meets a target, by bisection on"
                                            " the simulation with common random numbers.",
                                epilog="Other arguments are Hydra overrides: scenarios=baseline run=quick"
                                       " run.n_reps=20 ... Exit 0: answered; 1: not met up to --high; 2: bad input.")
    p.add_argument("--place", required=True, help="crisis place (e.g. dno) or follow-up place whose capacity varies")
    p.add_argument("--target", required=True, help='"metric<=bound", e.g. "p_turned_away<=0.05"')
    p.add_argument("--low", type=int, default=1, help="smallest capacity to try (default 1)")
    p.add_argument("--high", type=int, default=200, help="largest capacity to try (default 200)")
    p.add_argument("--out", type=Path, help="CSV file, or a folder for plan_<scenario>_<place>_<metric>.csv"
                                            " (default: that file in the current folder)")
    return p


def _split(rest: list[str]) -> tuple[str, list[str]]:
    """(scenario, other overrides) from the arguments argparse left over."""
    if unknown := [a for a in rest if a.startswith("-")]:
        raise PlanError(unknown[0], unknown[0], "--place, --target, --low, --high, --out or a Hydra override key=value")
    scenarios = [a.split("=", 1)[1] for a in rest if a.startswith("scenarios=")]
    return (scenarios[-1] if scenarios else "baseline"), [a for a in rest if not a.startswith("scenarios=")]


def _shown(res: PlanResult) -> str:
    t = res.table()
    col = f"{res.metric} mean [95% CI]"
    t[col] = [f"{m:.4g} [{a:.4g}, {b:.4g}]" for m, a, b in zip(t["mean"], t["ci_low"], t["ci_high"])]
    return t[["capacity", col, "n_reps", "answer"]].to_string(index=False)


def main(argv: Optional[list[str]] = None) -> int:
    """The command line; exit 0 with an answer, 1 if the target is not met up to ``--high``, 2 on bad input."""
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import nullcontext

    from sim.config.compose import load_checked
    from sim.config.messages import one_line
    from sim.outputs.writers import write_csv

    args, rest = _parser().parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:  # any composition or value error: one line, exit 2, nothing written
        scenario, overrides = _split(rest)
        metric, bound = parse_target(args.target)
        checked = load_checked(scenario, overrides)
        check_plan(checked, args.place, metric, args.low, args.high)
        cfg = checked.cfg
    except Exception as exc:
        error(f"sim.plan: invalid input: {one_line(exc)}")
        return 2
    pool = ProcessPoolExecutor(cfg.run.n_jobs) if cfg.run.n_jobs > 1 else nullcontext()  # one pool for all capacities
    try:
        with pool as executor:
            res = plan_capacity(checked, args.place, metric, bound, args.low, args.high, executor)
    except ConfigError as exc:  # e.g. the memory guard
        error(f"sim.plan: invalid input: {one_line(exc)}")
        return 2
    out = args.out or Path(".")
    if out.suffix != ".csv":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"plan_{cfg.name}_{args.place}_{metric}.csv"
    write_csv(res.table(), out)
    show(f"\n{cfg.name}: {args.place} capacity {args.low}..{args.high}, {cfg.run.n_reps} replications per capacity"
          f" (seed {cfg.run.seed}, common random numbers)\n{_shown(res)}\n\n{res.verdict()}\n-> {out}")
    return 0 if res.c_mean is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
