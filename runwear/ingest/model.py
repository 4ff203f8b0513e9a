"""Plain values that ingest produces: activities read from files, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from runwear.vocab import RUNNING_SPORTS


class IngestError(Exception):
    """A file runwear cannot read. The message says what is wrong and what to do."""


@dataclass(frozen=True)
class Activity:
    """One session read from a file: a run, or another sport that runwear will not count."""

    started_at: datetime  # timezone-aware, UTC
    sport: str  # FIT names: running, walking, cycling, swimming, generic, ...
    sub_sport: str | None  # FIT names: generic, treadmill, trail, track, indoor_running, ...
    distance_m: float
    duration_s: float | None = None  # elapsed time
    moving_s: float | None = None  # timer time (pauses left out)
    ascent_m: float | None = None
    name: str | None = None
    device: str | None = None
    utc_offset_s: int | None = None  # local time minus UTC, when the file says
    track: tuple[tuple[float, float], ...] = field(default=(), repr=False)  # (lat, lon)

    @property
    def is_run(self) -> bool:
        """True for running sessions, the only ones that count toward shoes."""
        return self.sport in RUNNING_SPORTS


@dataclass(frozen=True)
class ParsedFile:
    """What one file holds: its format, its FIT file type, and its sessions."""

    format: str  # "fit" | "gpx"
    activities: tuple[Activity, ...]
    file_type: str = "activity"  # FIT file_id.type: activity, settings, workout, ...
