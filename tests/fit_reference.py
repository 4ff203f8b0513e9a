"""The FIT reader runwear had before its own decoder, on fitparse: the reference to compare with.

It reads a file the way `parse_fit` did up to then (fitparse with its data processing off,
one pass over all messages) and gives the figures the differential test compares: per
session the start, sport, sub-sport and distance (session total, else record distance,
else the track's length). `benchmarks/fit_speed.py` times it as "old".
"""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

import fitparse
from fitparse.processors import FitFileDataProcessor

from runwear.geo import path_length_m

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)
SEMICIRCLE_DEG = 180.0 / 2**31


class Session(NamedTuple):
    """What the differential test compares of one session."""

    started_at: datetime
    sport: str
    sub_sport: str
    distance_m: float


class _RawValues(FitFileDataProcessor):
    """fitparse's data processor with its hooks off, as runwear used it."""

    def run_type_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_field_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_unit_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_message_processor(self, data_message: Any) -> None:
        """Leave the message as fitparse decoded it."""


def reference_sessions(data: bytes) -> tuple[str, list[Session]]:
    """(file type, sessions) of a FIT file as the fitparse-based reader read it.

    Raises whatever fitparse raises on a file it cannot read.
    """
    fit = fitparse.FitFile(io.BytesIO(data), data_processor=_RawValues())
    file_type = None
    sessions: list[dict[str, Any]] = []
    records: list[tuple[int, Any, Any, Any]] = []
    lap_sport = None
    for message in fit.get_messages():
        name = message.name
        if name == "record":
            v = message.get_values()
            records.append(
                (
                    v.get("timestamp"),
                    v.get("position_lat"),
                    v.get("position_long"),
                    v.get("distance"),
                )
            )
        elif name == "session":
            sessions.append(message.get_values())
        elif name == "file_id" and file_type is None:
            file_type = _name(message.get_values().get("type"))
        elif name == "lap" and lap_sport is None:
            lap_sport = _name(message.get_value("sport"))
    if file_type is None:
        file_type = "activity" if sessions or records else "unknown"
    records = sorted((r for r in records if isinstance(r[0], int)), key=lambda r: r[0])
    times_s = [r[0] for r in records]
    out = [_session(s, records, times_s, lap_sport) for s in sessions]
    return file_type, out


def _session(session: dict[str, Any], records: list, times_s: list[int], lap_sport: Any) -> Session:
    """The compared figures of one session message."""
    start_s, end_s = session.get("start_time"), session.get("timestamp")
    elapsed_s = session.get("total_elapsed_time")
    if not isinstance(start_s, int) and isinstance(end_s, int) and elapsed_s is not None:
        start_s = end_s - round(elapsed_s)
    if (not isinstance(end_s, int) or end_s < start_s) and elapsed_s is not None:
        end_s = start_s + round(elapsed_s)
    lo = bisect_left(times_s, start_s)
    hi = (
        bisect_right(times_s, end_s)
        if isinstance(end_s, int) and end_s >= start_s
        else len(records)
    )
    distance_m = session.get("total_distance")
    if distance_m is None:
        inside = [r[3] for r in records[lo:hi] if r[3] is not None]
        before = next((r[3] for r in reversed(records[:lo]) if r[3] is not None), None)
        if inside:
            distance_m = max(inside) - (before if before is not None and inside[0] >= before else 0)
    if distance_m is None:
        points = [
            (lat * SEMICIRCLE_DEG, lon * SEMICIRCLE_DEG)
            for _, lat, lon, _ in records[lo:hi]
            if isinstance(lat, int) and isinstance(lon, int)
        ]
        distance_m = path_length_m(points)
    return Session(
        started_at=FIT_EPOCH + timedelta(seconds=start_s),
        sport=_name(session.get("sport")) or lap_sport or "generic",
        sub_sport=_name(session.get("sub_sport")) or "generic",
        distance_m=float(distance_m),
    )


def _name(value: Any) -> str | None:
    """An enum as fitparse names it, or the number as text."""
    return None if value is None or value == "" else str(value)
