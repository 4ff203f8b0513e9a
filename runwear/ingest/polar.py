"""Read a Polar Flow account export: one training-session-*.json per session.

What was verified, and where (AlexanderFabisch/slither `PolarJsonLoader`, two versions, which
reads the files of https://account.polar.com/#export):

- Top level: `startTime` ("2021-01-30T13:24:11.000", the watch's local time, no offset),
  `distance` (metres, absent without GPS or a foot pod), `duration` ("PT1234.5S", seconds in
  ISO 8601), `kiloCalories`, `name`, and `exercises`: a list holding one exercise.
- `exercises[0].sport`: RUNNING, CYCLING, ROAD_BIKING, POOL_SWIMMING, OPEN_WATER_SWIMMING,
  OTHER_OUTDOOR, OTHER_INDOOR; (the issue adds TREADMILL_RUNNING and TRAIL_RUNNING).
- `exercises[0].samples.recordedRoute`: `[{dateTime, latitude, longitude, altitude}, ...]`,
  latitude and longitude in degrees (slither's `slither/io/polar_json_loader.py` reads the
  four keys and turns the degrees into radians; its `heartRate` samples are beside it).

A session with a recorded route is imported as a file (`parse_session_file`: the run with
its track, so its surfaces are found); one without is a run from its figures alone. Its
distance is the session's `distance`, else the route's length.

Left out, not verified: ascent, laps, heart-rate zones, the time zone (startTime is taken as
UTC). A file lacking startTime or the exercise's sport is an error line of its own; a sport
runwear does not know is kept as not a run, with the sport named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from runwear.geo import path_length_m
from runwear.ingest.archive import Container, Member
from runwear.ingest.jsonvalues import json_number, load_json, named_like
from runwear.ingest.model import Activity, ExportFacts, IngestError, ParsedFile

_AGAIN = "Download the Polar Flow export again (account.polar.com > Download your data)"
_ISO_SECONDS = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")

# exercises[0].sport -> (sport, sub_sport), FIT names.
POLAR_SPORTS: dict[str, tuple[str, str]] = {
    "RUNNING": ("running", "generic"),
    "TREADMILL_RUNNING": ("running", "treadmill"),
    "TRAIL_RUNNING": ("running", "trail"),
    "TRACK_AND_FIELD_RUNNING": ("running", "track"),
    "ROAD_RUNNING": ("running", "street"),
    "WALKING": ("walking", "generic"),
    "HIKING": ("hiking", "generic"),
    "CYCLING": ("cycling", "generic"),
    "ROAD_BIKING": ("cycling", "road"),
    "MOUNTAIN_BIKING": ("cycling", "mountain"),
    "INDOOR_CYCLING": ("cycling", "indoor_cycling"),
    "POOL_SWIMMING": ("swimming", "lap_swimming"),
    "OPEN_WATER_SWIMMING": ("swimming", "open_water"),
    "STRENGTH_TRAINING": ("training", "strength_training"),
    "OTHER_OUTDOOR": ("generic", "generic"),
    "OTHER_INDOOR": ("generic", "generic"),
}


@dataclass(frozen=True)
class PolarSession:
    """One training session: the facts, and the recorded route as (lat, lon) points."""

    facts: ExportFacts
    track: tuple[tuple[float, float], ...]


def session_files(container: Container) -> list[Member]:
    """The training-session-*.json files anywhere in the container, in name order."""
    found = [m for m in container.members() if named_like(m.path, "training-session-", ".json")]
    return sorted(found, key=lambda m: m.path)


def is_polar_export(container: Container) -> bool:
    """True when the folder or archive holds Polar Flow training-session JSON files."""
    return any(named_like(m.path, "training-session-", ".json") for m in container.members())


def read_session(data: bytes, file_name: str) -> PolarSession:
    """One training-session JSON file; IngestError (one line) when it lacks what runwear needs."""
    document = load_json(data, _AGAIN, dict, "a Polar training session")
    exercises = document.get("exercises")
    exercise = exercises[0] if isinstance(exercises, list) and exercises else None
    if not isinstance(exercise, dict) or not isinstance(exercise.get("sport"), str):
        raise IngestError(f"no exercises[0].sport, which runwear needs to tell runs. {_AGAIN}")
    started_at = _moment(document.get("startTime"))
    if started_at is None:
        raise IngestError(
            f"no readable startTime ({str(document.get('startTime'))[:40]!r}). {_AGAIN}"
        )
    label = exercise["sport"]
    sport = POLAR_SPORTS.get(label.upper())
    samples = exercise.get("samples")
    route = samples.get("recordedRoute") if isinstance(samples, dict) else None
    track = tuple(
        (lat, lon)
        for point in (route if isinstance(route, list) else [])
        if isinstance(point, dict)
        and (lat := json_number(point.get("latitude"))) is not None
        and (lon := json_number(point.get("longitude"))) is not None
    )
    facts = ExportFacts(
        external_id=f"polar:{file_name.rpartition('/')[2].removesuffix('.json')}",
        label=label,
        started_at=started_at,
        sport=sport[0] if sport else label.lower(),
        sub_sport=sport[1] if sport else None,
        name=name.strip() or None if isinstance(name := document.get("name"), str) else None,
        distance_m=json_number(document.get("distance")),
        duration_s=_seconds(document.get("duration")),
        manual=not track,
    )
    return PolarSession(facts, track)


def parse_session_file(data: bytes, file_name: str = "training-session.json") -> ParsedFile:
    """A training session as a file of one activity, its recorded route as its track."""
    session = read_session(data, file_name)
    facts = session.facts
    assert facts.started_at is not None and facts.sport is not None  # read_session checks
    activity = Activity(
        started_at=facts.started_at,
        sport=facts.sport,
        sub_sport=facts.sub_sport,
        distance_m=facts.distance_m or path_length_m(session.track),
        duration_s=facts.duration_s,
        name=facts.name,
        device="Polar",
        track=session.track,
    )
    return ParsedFile("polar", (activity,))


def _moment(value: Any) -> datetime | None:
    """startTime ("2021-01-30T13:24:11.000") as UTC; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().removesuffix("Z"))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _seconds(value: Any) -> float | None:
    """An ISO 8601 duration ("PT1234.5S", "PT1H2M3S") in seconds; None when unreadable."""
    match = _ISO_SECONDS.match(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds
