"""The event record: one row per client event, kept columnar while the model runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine.vocab import EventKind

COLUMNS = ("t_days", "client_id", "visit", "group", "origin", "sex", "place", "kind", "to_place")


class EventLog:
    """Append-only columnar log of client events (lists of plain values)."""

    __slots__ = COLUMNS

    def __init__(self) -> None:
        self.t_days: list[float] = []
        self.client_id: list[int] = []
        self.visit: list[int] = []
        self.group: list[str] = []
        self.origin: list[str] = []
        self.sex: list[str] = []
        self.place: list[str] = []
        self.kind: list[str] = []
        self.to_place: list[str] = []

    def add(self, t: float, c: Any, place: str, kind: EventKind, to_place: str = "") -> None:
        """Record that client ``c`` had event ``kind`` at ``place`` on day ``t``."""
        self.t_days.append(t)
        self.client_id.append(c.id)
        self.visit.append(c.visit)
        self.group.append(c.group)
        self.origin.append(c.origin)
        self.sex.append(c.sex)
        self.place.append(place)
        self.kind.append(kind)
        self.to_place.append(to_place)

    def __len__(self) -> int:
        return len(self.t_days)

    def columns(self) -> dict[str, Any]:
        """The record as plain arrays and lists, ready for one DataFrame build."""
        out: dict[str, Any] = {col: getattr(self, col) for col in COLUMNS}
        out["t_days"] = np.asarray(self.t_days, dtype=float)
        out["client_id"] = np.asarray(self.client_id, dtype=np.int64)
        out["visit"] = np.asarray(self.visit, dtype=np.int32)
        return out
