"""Write result folders. The one writer of result files: every write is atomic.

A folder is complete when ``run.json`` exists: it is written last.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from sim.analysis.results import Results
from sim.outputs.provenance import run_info


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
        from sim.outputs.plots import save_plots

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
