"""Read result folders back: which are complete, their labels, their tables and Results.

A folder is complete when ``run.json`` exists: it is written last. Every table the project
reads back goes through :func:`read_table`, so ids keep their names.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.results import Results

# Columns of the tables sim writes that hold ids or names: always read as text. pandas would
# read a place or group named NA, null, nan, None or N/A as a missing value (and drop it from
# every groupby), and a scenario named 1 as a number.
ID_COLUMNS = frozenset({"scenario", "reference", "case", "place", "to_place", "group", "origin", "sex", "kind",
                        "metric", "answer"})


def read_table(path: Path) -> pd.DataFrame:
    """A CSV written by :func:`sim.outputs.writers.write_csv` (also .csv.gz), read back as written.

    Id columns (:data:`ID_COLUMNS`) stay text exactly, the empty ``to_place`` included. Any other
    column is numeric if every cell is a number or empty (write_csv writes NaN as an empty cell,
    so it is NaN again), True/False if every cell is one of those, else text.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    for col in frame.columns:
        if col not in ID_COLUMNS:
            frame[col] = _typed(frame[col])
    return frame


def _typed(text: pd.Series) -> pd.Series:
    """A text column as numbers (an empty cell is NaN), as booleans, or unchanged."""
    values = set(text.unique())
    if values and values <= {"True", "False"}:
        return text == "True"
    try:
        return pd.to_numeric(text.replace("", np.nan))
    except (ValueError, TypeError):
        return text


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
    frames = [read_table(d / name).assign(scenario=label) for d, label in zip(folders, job_labels(folders))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def load_results(folder: Path, label: str | None = None) -> Results:
    """Results of one finished job folder; frames and ``cfg.name`` relabelled to ``label`` if given.

    The event record is empty (columns only) when the run had ``run.write_events=false``.
    """
    from dataclasses import replace

    from sim.config.compose import structured
    from sim.engine.events import COLUMNS

    info = json.loads((folder / "run.json").read_text())
    cfg = structured(info["config"])  # our own record of a config that passed the gate when it ran
    ev_file = folder / "events.csv.gz"
    if ev_file.is_file():
        events = read_table(ev_file)
    else:
        events = pd.DataFrame(columns=["scenario", "rep", *COLUMNS])
    provenance = {"scenario", "seed", "n_reps", "wall_seconds", "python", "packages", "git_commit", "git_dirty",
                  "config", "job_key"}
    notes = {k: v for k, v in info.items() if k not in provenance}  # the rest of run.json is res.notes
    res = Results(cfg, events, read_table(folder / "kpis.csv"), read_table(folder / "summary.csv"),
                  float(info.get("wall_seconds", 0.0)), notes)
    if label is not None and label != cfg.name:
        res.cfg = replace(cfg, name=label)
        for frame in (res.events, res.kpis, res.summary):
            frame["scenario"] = label
    return res
