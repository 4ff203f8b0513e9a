"""Plain values that ingest produces: activities read from files, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from runwear.vocab import RUNNING_SPORTS


class IngestError(Exception):
    """A file runwear cannot read. The message says what is wrong and what to do."""


@dataclass(frozen=True)
class Lap:
    """A lap as the device recorded it: when it began, its figures, and what it was for."""

    start_s: float  # seconds after the activity's start
    duration_s: float | None  # timer time (pauses left out)
    distance_m: float | None
    intensity: str | None = None  # FIT lap intensity: active, rest, warmup, cooldown; None: unknown


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
    # Running cadence in steps per minute (both feet), from the device; None: not recorded.
    cadence_spm: float | None = None
    laps: tuple[Lap, ...] = field(default=(), repr=False)
    # (seconds since the start, metres so far), about one pair every few seconds: the speed
    # profile that warm-up and cool-down checks read. Empty when the file has no times.
    timeline: tuple[tuple[float, float], ...] = field(default=(), repr=False)

    @property
    def is_run(self) -> bool:
        """True for running sessions, the only ones that count toward shoes."""
        return self.sport in RUNNING_SPORTS


@dataclass(frozen=True)
class ParsedFile:
    """What one file holds: its format, its FIT file type, and its sessions."""

    format: str  # "fit" | "gpx" | "tcx"
    activities: tuple[Activity, ...]
    file_type: str = "activity"  # FIT file_id.type: activity, settings, workout, ...
    # What the reader left out, one phrase each ("left out 2.1 km ..."): a line on import.
    notes: tuple[str, ...] = ()
    # How the reader judged a sport the file does not state ("a ride by its speed ..."): said
    # when the file is not a run; moot when an export states the sport.
    sport_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportShoe:
    """A shoe an account export lists, ready to store."""

    external_id: str  # stable across re-imports: "strava:<brand|model|name>", "garmin:<gearPk>"
    name: str
    brand: str | None = None
    model: str | None = None
    limit_m: float | None = None  # None: the configured default limit
    retired_on: str | None = None  # YYYY-MM-DD
    is_default: bool = False  # the export's default shoe for runs
    default_for: str | None = None  # sub-sport it is the default for (trail, ...)


@dataclass(frozen=True)
class ExportFacts:
    """What an account export says about one activity, over and above its file.

    A file's own sport, sub-sport and name give way to these when they are set (the
    runner may have corrected them on the platform). Without a file, `activity()` builds
    the run from these figures alone.
    """

    external_id: str  # "strava:<Activity ID>", "garmin:<activityId>"
    label: str  # the platform's own activity type ("Trail Run", "trail_running")
    started_at: datetime | None
    sport: str | None = None  # FIT names; None: unknown type, the file decides
    sub_sport: str | None = None
    name: str | None = None
    shoe: str | None = None  # the ExportShoe.external_id worn
    distance_m: float | None = None
    duration_s: float | None = None
    moving_s: float | None = None
    ascent_m: float | None = None
    manual: bool = False  # entered by hand on the platform: there never was a file
    utc_offset_s: int | None = None  # local time minus UTC, when the export says
    # The export's distance_m replaces the file's in `apply` (Apple Health: the workout's
    # distance, not its route's length).
    distance_overrides: bool = False

    @property
    def is_run(self) -> bool:
        """True when the export calls it a run."""
        return self.sport in RUNNING_SPORTS

    def activity(self) -> Activity | None:
        """The activity from the export's figures alone (no track), or None without a date."""
        if self.started_at is None or self.sport is None:
            return None
        return Activity(
            started_at=self.started_at,
            sport=self.sport,
            sub_sport=self.sub_sport,
            distance_m=self.distance_m or 0.0,
            duration_s=self.duration_s,
            moving_s=self.moving_s,
            ascent_m=self.ascent_m,
            name=self.name,
            utc_offset_s=self.utc_offset_s,
        )

    def apply(self, activity: Activity) -> Activity:
        """The file's activity with the export's sport, sub-sport and name over its own."""
        changes: dict[str, object] = {}
        if self.sport is not None:
            changes["sport"] = self.sport
            if self.sub_sport not in (None, "generic") or activity.sport != self.sport:
                changes["sub_sport"] = self.sub_sport
        if self.name:
            changes["name"] = self.name
        if self.distance_overrides and self.distance_m:
            changes["distance_m"] = self.distance_m
        if self.utc_offset_s is not None and activity.utc_offset_s is None:
            changes["utc_offset_s"] = self.utc_offset_s
        return replace(activity, **changes) if changes else activity
