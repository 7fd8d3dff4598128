"""Sweeps at scale: resumable jobs, failures recorded per job, and one table of every job.

A job is keyed by its resolved config, the arrival CSVs it reads and the code version
(:func:`job_key`); a re-run skips a job whose folder already holds a complete ``run.json``
with the same key. A job that raises writes ``error.json`` instead of stopping the sweep.
``sweep.csv`` holds every job's summary with one column per swept parameter.

Run ``python -m sim.sweep <sweep_dir>`` to collect an existing multirun folder and draw its plots.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import traceback
from dataclasses import asdict
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Optional

import pandas as pd

from sim.analysis.results import Results
from sim.config.gate import AnyConfig, config_of, ensure_checked
from sim.config.overrides import parse_overrides, swept_in
from sim.config.schema import SimConfig

log = logging.getLogger("sim")
SWEEP_CSV = "sweep.csv"
ERROR_FILE = "error.json"
SOURCE_DIR = Path(__file__).resolve().parent.parent  # the sim package



@lru_cache(maxsize=1)
def code_version() -> dict[str, Any]:
    """What the results depend on besides the config: the sim package version, a hash of the
    sim/**/*.py sources (an edit counts, committed or not; a commit that only touches docs does
    not), and the Python and dependency versions."""
    from sim.outputs.provenance import PACKAGES

    sources = hashlib.sha256()
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        name = path.relative_to(SOURCE_DIR).as_posix()
        sources.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return {"sim": version("sim"), "sources_sha256": sources.hexdigest(),
            "python": platform.python_version(), "packages": {p: version(p) for p in PACKAGES}}


def job_key(cfg: AnyConfig) -> str:
    """sha256 of the resolved config (``asdict``, JSON with sorted keys), the arrival days the
    gate read from every trace CSV, and :func:`code_version`: equal keys give identical results."""
    checked = ensure_checked(cfg)  # the traces as checked: no CSV is read a second time
    inputs = {gid: hashlib.sha256(repr(days).encode()).hexdigest() for gid, days in sorted(checked.traces.items())}
    blob = json.dumps({"config": asdict(checked.cfg), "inputs": inputs, "code": code_version()}, sort_keys=True,
                      default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def is_done(out: Path, key: str) -> bool:
    """True if ``out`` holds a complete result (run.json) made with job key ``key``."""
    try:
        return bool(json.loads((out / "run.json").read_text()).get("job_key") == key)
    except (OSError, ValueError, AttributeError):  # missing, half-read or not a JSON object: not done
        return False


def run_job(cfg: AnyConfig, out: Path, key: str, reraise: bool = False) -> Optional[Results]:
    """Simulate ``cfg`` and save its folder (report, then run.json with ``job_key`` last).

    An exception is recorded in ``out/error.json`` (type, message, traceback) and logged; the
    job then returns None so the other jobs of a sweep go on, or re-raises if ``reraise``.
    """
    from sim.outputs.report import write_report
    from sim.outputs.writers import begin, save
    from sim.run.experiment import run_experiment

    begin(out)  # a folder being rewritten stops looking complete (and loses an old error.json) first
    try:
        res = run_experiment(cfg)
        save(res, out, before_marker=lambda: write_report(out, [res]), extra={"job_key": key})
        return res
    except Exception as exc:
        record_failure(out, config_of(cfg), key, exc)
        if reraise:
            raise
        return None


def record_failure(out: Path, cfg: SimConfig, key: str, exc: BaseException) -> None:
    """Write error.json (atomically) and log the error in one line."""
    from sim.outputs.writers import write_json

    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    write_json({"scenario": cfg.name, "job_key": key, "error_type": type(exc).__name__, "message": str(exc),
                "traceback": tb}, out / ERROR_FILE)
    log.error("%s: failed: %s: %s (details in %s)", cfg.name, type(exc).__name__, exc, out / ERROR_FILE)


def failed_jobs(sweep_dir: Path) -> list[str]:
    """Names of the job folders that recorded an error and hold no complete result."""
    from sim.outputs.folders import is_complete

    folders = [d for d in sweep_dir.iterdir() if d.is_dir() and (d / ERROR_FILE).is_file() and not is_complete(d)]
    return sorted((d.name for d in folders), key=_job_order)


def _job_order(name: str) -> tuple[int, str]:
    """Hydra's job number first (``<num>_<name>``), then the name."""
    head = name.split("_")[0]
    return (int(head) if head.isdigit() else 1 << 30, name)


def job_params(folder: Path) -> dict[str, Any]:
    """The job's own overrides other than ``scenarios=``, as {key: value} (values typed as Hydra parses them)."""
    import yaml  # type: ignore[import-untyped]  # PyYAML comes with Hydra; its stubs are not installed

    ov_file = folder / ".hydra" / "overrides.yaml"
    overrides = [str(o) for o in (yaml.safe_load(ov_file.read_text()) or [])] if ov_file.is_file() else []
    return {k: v for k, v in parse_overrides(overrides) if k != "scenarios"}




def swept_keys(sweep_dir: Path, params: list[dict[str, Any]]) -> list[str]:
    """Parameters swept by the multirun: sweep overrides on its command line (multirun.yaml, e.g.
    ``x=1,2`` or ``x=range(10,51,5)``) and any key whose value differs between jobs; not ``scenarios``."""
    swept = swept_in(sweep_dir / "multirun.yaml") if (sweep_dir / "multirun.yaml").is_file() else set()
    order = list(dict.fromkeys(k for p in params for k in p))
    varying = {k for k in order if len({repr(p.get(k)) for p in params}) > 1}
    return [k for k in order if (k in swept or k in varying) and k != "scenarios"]


def collect_sweep(sweep_dir: Path, name: str = "summary.csv") -> pd.DataFrame:
    """``name`` of every complete job, with one column per swept parameter in front.

    With the default ``summary.csv`` the columns are the swept parameters, then ``scenario,
    place, metric, mean, ci_low, ci_high, n_reps`` (what ``sweep.csv`` holds); with
    ``kpis.csv`` they are the parameters, then ``scenario, rep, place, metric, value``.
    """
    from sim.outputs.folders import job_folders, read_table

    folders = job_folders(Path(sweep_dir))
    params = [job_params(d) for d in folders]
    keys = swept_keys(Path(sweep_dir), params)
    frames = []
    for d, p in zip(folders, params):
        frame = read_table(d / name)
        for i, k in enumerate(keys):
            frame.insert(i, k, p.get(k))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=keys)


def write_sweep(sweep_dir: Path, plots: bool = True) -> tuple[pd.DataFrame, list[Path]]:
    """Write sweep.csv and (if ``plots``) the sweep plots into ``sweep_dir``; (table, files written)."""
    from sim.outputs.writers import write_csv

    table = collect_sweep(sweep_dir)
    if table.empty:
        return table, []
    write_csv(table, sweep_dir / SWEEP_CSV)
    files = [sweep_dir / SWEEP_CSV]
    if plots:
        from sim.outputs.sweep_plots import save_sweep_plots

        files += save_sweep_plots(table, sweep_dir)
    return table, files


def describe(sweep_dir: Path, table: pd.DataFrame, files: list[Path], failed: list[str]) -> str:
    """What was written and which jobs failed, for the terminal."""
    params = list(table.columns[:table.columns.get_loc("scenario")]) if "scenario" in table.columns else []
    lines = [f"Sweep table: {sweep_dir / SWEEP_CSV} ({len(table)} rows; swept:"
             f" {', '.join(params) or 'no parameter besides scenarios'})"] if files else []
    lines += [f"Sweep plots: {', '.join(f.name for f in files[1:])}"] if len(files) > 1 else []
    if failed:
        lines.append(f"FAILED jobs ({len(failed)}; see error.json in each): {', '.join(failed)}")
    return "\n".join(lines)
