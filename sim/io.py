"""Write and read result folders. The only module that writes files; every write is atomic.

A folder is complete when ``run.json`` exists: it is written last.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from sim.config import PROJECT_ROOT
from sim.experiment import Results

PACKAGES = ("simpy", "numpy", "scipy", "pandas", "matplotlib", "hydra-core", "omegaconf")


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Write through ``write(tmp)`` then rename, so no half file ever carries the final name.

    The data reach the disk before the rename (fsync), so even a power cut cannot leave a
    renamed but empty file; an interrupted write (Ctrl-C, an error) removes its temporary file.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # also a failed rename (e.g. a folder in the way): no temporary file stays
        tmp.unlink(missing_ok=True)
        raise


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A CSV written atomically (gzip if the name ends in .gz)."""
    _atomic(path, lambda tmp: df.to_csv(tmp, index=False, compression="gzip" if path.suffix == ".gz" else None))


def write_json(obj: dict[str, Any], path: Path) -> None:
    _atomic(path, lambda tmp: tmp.write_text(json.dumps(obj, indent=2, default=str)))


def write_text(text: str, path: Path) -> None:
    """A UTF-8 text file written atomically."""
    _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(data: bytes, path: Path) -> None:
    """A binary file (e.g. a PNG) written atomically."""
    _atomic(path, lambda tmp: tmp.write_bytes(data))


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
        "n_reps": int(res.kpis["rep"].nunique()),
        "wall_seconds": round(res.wall_seconds, 3),
        **res.notes,  # how the warm-up and the number of replications were chosen
        "python": platform.python_version(),
        "packages": {p: version(p) for p in PACKAGES},
        **git_state(),
        "config": asdict(res.cfg),
    }


def begin(out: Path) -> None:
    """Make ``out`` stop looking complete before anything in it is rewritten: remove run.json,
    the error.json of an earlier failed attempt and the temporary files an interrupted run may have left."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").unlink(missing_ok=True)
    (out / "error.json").unlink(missing_ok=True)
    for tmp in out.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def save(res: Results, out: Path, before_marker: Callable[[], Any] | None = None,
         extra: dict[str, Any] | None = None) -> list[Path]:
    """Write kpis.csv, summary.csv, events.csv.gz, plots, ``before_marker()`` (e.g. the report)
    and, last, run.json (with the ``extra`` keys, e.g. ``job_key``) into ``out``.

    A folder rewritten by a new run stops looking complete first (:func:`begin`), and an
    events.csv.gz of an older run is removed when this run writes none, so that
    :func:`load_results` never mixes two runs.
    """
    begin(out)
    write_csv(res.kpis, out / "kpis.csv")
    write_csv(res.summary, out / "summary.csv")
    if res.cfg.run.write_events:
        write_csv(res.events, out / "events.csv.gz")
    else:
        (out / "events.csv.gz").unlink(missing_ok=True)
    if res.cfg.run.plots:
        from sim.plots import save_plots

        save_plots(res, out, _atomic)
    if before_marker is not None:
        before_marker()
    _sync_dir(out)  # every result file is durable under its name before the marker appears
    write_json({**run_info(res), **(extra or {})}, out / "run.json")
    _sync_dir(out)
    return sorted(out.iterdir())


def _sync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (POSIX; skipped where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_complete(folder: Path) -> bool:
    """True if ``folder`` holds a finished result (run.json is written last)."""
    return (folder / "run.json").is_file()


def job_folders(sweep_dir: Path) -> list[Path]:
    """Complete job folders of a multirun, in job order (Hydra names them ``<num>_<name>``)."""
    jobs = [d for d in sweep_dir.iterdir() if d.is_dir() and is_complete(d)]
    return sorted(jobs, key=lambda d: (int(d.name.split("_")[0]) if d.name.split("_")[0].isdigit() else 1 << 30, d.name))


def job_labels(folders: list[Path]) -> list[str]:
    """Scenario name per job; where names repeat (a sweep), the overrides that differ between jobs are added."""
    names = [json.loads((d / "run.json").read_text())["scenario"] for d in folders]
    if len(set(names)) == len(names):
        return names
    own = []
    for d in folders:
        ov_file = d / ".hydra" / "overrides.yaml"
        lines = ov_file.read_text().split("\n") if ov_file.is_file() else []
        own.append([o.strip().lstrip("- ").strip() for o in lines if o.strip() and "scenarios=" not in o])
    shared = set.intersection(*(set(o) for o in own)) if own else set()
    labels = []
    for d, name, ov in zip(folders, names, own):
        varying = [o for o in ov if o not in shared]
        labels.append(f"{name}[{','.join(varying)}]" if varying else f"{name}[{d.name}]")
    return labels


def collect(sweep_dir: Path, name: str = "summary.csv") -> pd.DataFrame:
    """One table of ``name`` from every complete job folder under ``sweep_dir``, scenario column labelled per job."""
    folders = job_folders(sweep_dir)
    frames = [pd.read_csv(d / name).assign(scenario=label) for d, label in zip(folders, job_labels(folders))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def load_results(folder: Path, label: str | None = None) -> Results:
    """Results of one finished job folder; frames and ``cfg.name`` relabelled to ``label`` if given.

    The event record is empty (columns only) when the run had ``run.write_events=false``.
    """
    from dataclasses import replace

    from sim.config import to_sim_config
    from sim.events import COLUMNS

    info = json.loads((folder / "run.json").read_text())
    cfg = to_sim_config(info["config"])
    ev_file = folder / "events.csv.gz"
    if ev_file.is_file():  # keep_default_na: an empty to_place stays "", as the model wrote it
        events = pd.read_csv(ev_file, keep_default_na=False, dtype={"group": str, "place": str, "to_place": str})
    else:
        events = pd.DataFrame(columns=["scenario", "rep", *COLUMNS])
    provenance = {"scenario", "seed", "n_reps", "wall_seconds", "python", "packages", "git_commit", "git_dirty",
                  "config", "job_key"}
    notes = {k: v for k, v in info.items() if k not in provenance}  # the rest of run.json is res.notes
    res = Results(cfg, events, pd.read_csv(folder / "kpis.csv"), pd.read_csv(folder / "summary.csv"),
                  float(info.get("wall_seconds", 0.0)), notes)
    if label is not None and label != cfg.name:
        res.cfg = replace(cfg, name=label)
        for frame in (res.events, res.kpis, res.summary):
            frame["scenario"] = label
    return res
