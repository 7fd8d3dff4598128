"""Arrival times of one client group: Poisson (constant or piecewise-constant rate) or a trace."""

from __future__ import annotations

import csv
import math
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from sim.schema import GroupCfg
from sim.validate import ConfigError

DAYS_PER_YEAR = 365.0
MAX_TRACE_BYTES = 50_000_000  # far above any real register of arrivals


def rate_steps(g: GroupCfg) -> list[tuple[float, float]]:
    """[(from_day, arrivals_per_day), ...] starting at day 0."""
    steps = [(0.0, g.arrivals_per_year / DAYS_PER_YEAR)]
    for p in g.rate_schedule:
        step = (float(p.from_day), p.arrivals_per_year / DAYS_PER_YEAR)
        if p.from_day == 0:
            steps[0] = step
        else:
            steps.append(step)
    return steps


def poisson_times(steps: list[tuple[float, float]], next_u: Callable[[], float], horizon: float) -> Iterator[float]:
    """Arrival days of a Poisson process with piecewise-constant rate, by inverting its
    cumulative intensity: each gap is a unit exponential spent across the rate steps."""
    t, i = 0.0, 0
    while True:
        e = -math.log(next_u())
        while True:
            rate = steps[i][1]
            end = steps[i + 1][0] if i + 1 < len(steps) else math.inf
            if rate > 0 and t + e / rate < end:
                t += e / rate
                break
            if math.isinf(end):
                return
            e -= rate * (end - t)
            t, i = end, i + 1
        if t >= horizon:
            return
        yield t


def resolve_path(path: str, root: Path) -> Path:
    """A relative path is looked up from the working folder, then from the project root."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return root / p


@lru_cache(maxsize=32)
def read_trace(path: str, start_date: str, key: str) -> tuple[float, ...]:
    """Arrival days from a CSV with a ``date`` column (ISO dates) or a ``t_days`` column
    (days since ``run.start_date``), in increasing order."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(key, path, "an existing CSV file with a 'date' or 't_days' column")
    if p.stat().st_size > MAX_TRACE_BYTES:
        raise ConfigError(key, path, f"a CSV of at most {MAX_TRACE_BYTES} bytes")
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except UnicodeDecodeError:
        raise ConfigError(key, path, "a UTF-8 text file") from None
    column = next((c for c in ("date", "t_days") if rows and c in rows[0]), None)
    if column is None:
        raise ConfigError(key, path, "a CSV with a header 'date' or 't_days' and at least one row")
    start = date.fromisoformat(start_date)
    days: list[float] = []
    for line, row in enumerate(rows, start=2):
        day = _parse_day((row[column] or "").strip(), column, start, f"{key}[line {line}]")
        if days and day < days[-1]:
            raise ConfigError(f"{key}[line {line}]", row[column], "dates in increasing order")
        days.append(day)
    return tuple(days)


def _parse_day(text: str, column: str, start: date, key: str) -> float:
    """Days since ``start`` of one CSV cell."""
    try:
        day = float((date.fromisoformat(text) - start).days) if column == "date" else float(text)
    except ValueError:
        allowed = "an ISO date YYYY-MM-DD" if column == "date" else "a number of days"
        raise ConfigError(key, text, allowed) from None
    if not math.isfinite(day) or day < 0:
        raise ConfigError(key, text, f"a finite time on or after run.start_date={start.isoformat()}")
    return day
