"""Arrival traces: CSV registers of arrival dates, read and checked once per job by the gate."""

from __future__ import annotations

import csv
import math
import re
import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

from sim.config.errors import ConfigError
from sim.config.paths import PROJECT_ROOT
from sim.config.rules import DAYS_BOUND, MAX_DAYS

if TYPE_CHECKING:
    from sim.config.schema import SimConfig

MAX_TRACE_BYTES = 50_000_000  # far above any real register of arrivals
Stamps = tuple[tuple[str, int, int], ...]  # (path, size in bytes, modification time in ns) per trace file


def resolve_path(path: str, cwd: Path, root: Path = PROJECT_ROOT) -> Path:
    """``path`` as an absolute path: as it is if absolute; a relative one from the working folder
    ``cwd`` if the file is there, else from the project root ``root``."""
    p = Path(path)
    if p.is_absolute():
        return p
    here = Path(cwd).absolute() / p
    return here if here.exists() else root / p


def resolve_traces(cfg: SimConfig, cwd: Optional[Path] = None) -> SimConfig:
    """``cfg`` with every relative ``arrivals_csv`` made absolute (:func:`resolve_path`, from
    ``cwd``, default the working folder); a new config if a path changed, else ``cfg`` itself.

    The gate resolves once, so the pre-flight and the job read the same file even when Hydra
    runs the job in its output folder (``hydra.job.chdir=true``) or in another process.
    """
    cwd = (Path.cwd() if cwd is None else Path(cwd)).absolute()
    relative = {gid: g for gid, g in cfg.groups.items() if g.arrivals_csv and not Path(g.arrivals_csv).is_absolute()}
    if not relative:
        return cfg
    groups = dict(cfg.groups)
    for gid, g in relative.items():
        path = resolve_path(str(g.arrivals_csv), cwd)
        if not path.exists():
            raise ConfigError(f"groups.{gid}.arrivals_csv", g.arrivals_csv,
                              f"an existing CSV file with a 'date' or 't_days' column (a relative path is read from"
                              f" the working folder {cwd}, else from the project root {PROJECT_ROOT})")
        groups[gid] = replace(g, arrivals_csv=str(path))
    return replace(cfg, groups=groups)


def read_trace(path: str, start_date: str, key: str) -> tuple[float, ...]:
    """Arrival days from a CSV with a ``date`` column (ISO dates) or a ``t_days`` column
    (days since ``run.start_date``), in increasing order.

    A UTF-8 byte-order mark (Excel's "CSV UTF-8") is skipped and blank rows are ignored.
    A trace is a register of past arrivals, so a ``date`` after today is refused; ``t_days``
    is model time (it may be made up for a test) and is only held to 100 years. Arrivals
    after ``run.horizon_days`` are simply beyond the run (the model ignores them).
    """
    p = Path(path)
    if not p.is_file():
        not_file = ", not a folder or a device" if p.exists() else ""
        raise ConfigError(key, path, f"an existing CSV file with a 'date' or 't_days' column{not_file}")
    size = p.stat().st_size
    if size > MAX_TRACE_BYTES:
        raise ConfigError(key, path, f"a CSV of at most {MAX_TRACE_BYTES} bytes (this one has {size};"
                                     " a real register of arrivals is far smaller)")
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:  # utf-8-sig: skips a byte-order mark
            reader = csv.reader(fh)
            try:
                return _read_days(reader, date.fromisoformat(start_date), key, path)
            except csv.Error as exc:
                raise ConfigError(f"{key}[line {reader.line_num}]", path, f"a well-formed CSV ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(key, path, _not_utf8(p)) from None


def _read_days(reader: Iterator[list[str]], start: date, key: str, path: str) -> tuple[float, ...]:
    """Days since ``start`` from the rows of a CSV reader (header first)."""
    header = [h.strip() for h in next(reader, [])]
    if any("\x00" in h for h in header):
        raise ConfigError(key, path, "a UTF-8 text file (this one holds NUL bytes: UTF-16 without a BOM, or binary?)")
    if "date" in header and "t_days" in header:  # which one holds the arrivals? refuse rather than guess
        raise ConfigError(key, path, "a CSV with one of the columns 'date' or 't_days', not both")
    column = next((c for c in ("date", "t_days") if c in header), None)
    if column is None:
        found = f"found columns: {', '.join(header)}" if header else "the file is empty"
        if header and not all(_looks_like_a_cell(h) for h in header[:20]) or len(header) > 20:
            found = "its first line is not such a header"  # never echo another kind of file's content
        elif len(header) == 1 and ";" in header[0]:  # Dutch spreadsheets export with ';'
            found += "; separate the columns with commas"
        raise ConfigError(key, path, f"a CSV with a header 'date' or 't_days' and at least one row ({found})")
    col = header.index(column)
    latest, too_late = MAX_DAYS, DAYS_BOUND  # t_days: model time, held to 100 years
    if column == "date":  # a register of past arrivals
        latest = float((date.today() - start).days)
        too_late = f"a date no later than today ({date.today().isoformat()}): an arrival trace records past arrivals"
    days: list[float] = []
    for row in reader:
        if not any(cell.strip() for cell in row):  # blank line, or an empty spreadsheet row (",,")
            continue
        where = f"{key}[line {getattr(reader, 'line_num', '?')}]"  # the physical line, blank lines counted
        text = (row[col] if col < len(row) else "").strip()
        day = _parse_day(text, column, start, where)
        if day > latest:
            raise ConfigError(where, shown_cell(text), too_late)
        if days and day < days[-1]:
            raise ConfigError(where, shown_cell(text), "dates in increasing order")
        days.append(day)
    if not days:
        raise ConfigError(key, path, "a CSV with a header 'date' or 't_days' and at least one row"
                                     " (found the header and no rows)")
    return tuple(days)


# What a column name, and a date or number of days, can look like; anything else is not shown back,
# so a message never echoes the content of some other kind of file.
HEADER = re.compile(r"[^\W\d][\w .()'-]{0,39}|;[\w ;]*|[\w ]+(;[\w ]+)+")
CELL = re.compile(r"[\w .:/+-]{0,32}")


def _looks_like_a_cell(text: str) -> bool:
    """True if ``text`` looks like a column name (or a ';'-separated header) and can be shown back."""
    return HEADER.fullmatch(text) is not None


def shown_cell(text: str) -> str:
    """A CSV cell as a message may show it: itself if it looks like a date or a number, else its length."""
    return text if CELL.fullmatch(text) is not None else f"<a value of {len(text)} characters>"


def _not_utf8(p: Path) -> str:
    """What is wrong with a file that does not decode as UTF-8 (read again, on this error path only)."""
    data = p.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a UTF-8 text file (this one is UTF-16, e.g. Excel's 'Unicode text': save it as 'CSV UTF-8')"
    if data.startswith(b"\x1f\x8b"):
        return "a UTF-8 text file (this one is gzip-compressed: unpack it first)"
    if data.startswith(b"PK\x03\x04"):
        return "a UTF-8 text file (this one is a ZIP archive, e.g. an Excel workbook: save it as 'CSV UTF-8')"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"a UTF-8 text file (line {line} has byte 0x{data[exc.start]:02x}, which is not UTF-8:"
                " Latin-1 or Windows-1252? save it as 'CSV UTF-8')")
    return "a UTF-8 text file"


def _parse_day(text: str, column: str, start: date, key: str) -> float:
    """Days since ``start`` of one CSV cell."""
    try:
        day = float((date.fromisoformat(text) - start).days) if column == "date" else float(text)
    except ValueError:
        allowed = "an ISO date YYYY-MM-DD" if column == "date" else "a number of days"
        raise ConfigError(key, shown_cell(text), allowed) from None
    if not math.isfinite(day) or day < 0:
        raise ConfigError(key, shown_cell(text), f"a finite time on or after run.start_date={start.isoformat()}")
    return day


def trace_stamps(cfg: SimConfig) -> Stamps:
    """(path, size, modification time in ns) of every trace file ``cfg`` reads ((path, -1, -1) if
    it cannot be read), so a check can tell that a file was edited since (no contents are kept)."""
    out = []
    for path in sorted({g.arrivals_csv for g in cfg.groups.values() if g.arrivals_csv}):
        try:
            st = os.stat(path)
            out.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path, -1, -1))
    return tuple(out)


def load_traces(cfg: SimConfig) -> dict[str, tuple[float, ...]]:
    """Arrival days per group that reads its arrivals from a CSV (checked here, before any run).

    Paths are read as they are: the gate makes them absolute first (:func:`resolve_traces`).
    """
    out = {}
    for gid, g in cfg.groups.items():
        if g.arrivals_csv:
            out[gid] = read_trace(g.arrivals_csv, cfg.run.start_date, f"groups.{gid}.arrivals_csv")
    return out
