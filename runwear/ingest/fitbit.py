"""Read a Fitbit export (Google Takeout or the older Fitbit data export): exercise-*.json.

What was verified, and where (public parsers' notes and sample records: an R analysis of
exercise-0.json ... exercise-1100.json, a Fitbit-to-Health port's README, a Japanese
Takeout parser's README):

- `Takeout/Fitbit/Global Export Data/exercise-<N>.json` (older: `user-site-export/`), each a
  JSON list of up to 100 exercises.
- An exercise: `logId`, `activityName` ("Run"; localised in some accounts, e.g. ランニング),
  `activityTypeId` (90009 for Run, 90001 for Bike), `startTime` "MM/DD/YY HH:MM:SS" (UTC per
  the Takeout parser's note), `duration` and `activeDuration` in milliseconds, `distance`
  with `distanceUnit` ("Kilometer"; "Mile" taken as miles), `source.name` (the tracker).

Decisions: a run is activityTypeId 90009 or activityName "Run", so localised names still
count. Not read, not verified: elevationGain's unit, TCX links (they point at the Fitbit
web API, not at files in the export). An exercise without logId or startTime is skipped
with its index in the error line of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from runwear.ingest.archive import Container, Member
from runwear.ingest.jsonvalues import json_number, load_json, named_like
from runwear.ingest.model import ExportFacts

_AGAIN = "Download the Fitbit data again (Google Takeout > Fitbit)"
RUN_TYPE_ID = 90009
# activityTypeId or activityName (lower case) -> (sport, sub_sport), FIT names.
FITBIT_TYPES: dict[int | str, tuple[str, str]] = {
    90009: ("running", "generic"),
    "run": ("running", "generic"),
    "treadmill": ("running", "treadmill"),
    90001: ("cycling", "generic"),
    "bike": ("cycling", "generic"),
    "outdoor bike": ("cycling", "generic"),
    "walk": ("walking", "generic"),
    "hike": ("hiking", "generic"),
    "swim": ("swimming", "generic"),
    "weights": ("training", "strength_training"),
    "yoga": ("training", "yoga"),
    "elliptical": ("fitness_equipment", "elliptical"),
}
_UNITS_M = {"kilometer": 1000.0, "mile": 1609.344, "meter": 1.0}


@dataclass(frozen=True)
class FitbitFile:
    """The exercises of one exercise-*.json, and the ones that could not be read."""

    exercises: tuple[ExportFacts, ...]
    skipped: tuple[str, ...]  # why each unreadable exercise was left out


def exercise_files(container: Container) -> list[Member]:
    """The exercise-*.json files anywhere in the container, in name order."""
    return sorted(
        (m for m in container.members() if named_like(m.path, "exercise-", ".json")),
        key=lambda m: m.path,
    )


def is_fitbit_export(container: Container) -> bool:
    """True when the folder or archive holds Fitbit's exercise-*.json files."""
    return any(named_like(m.path, "exercise-", ".json") for m in container.members())


def read_exercises(data: bytes) -> FitbitFile:
    """Every exercise of one exercise-*.json; IngestError when the file is not such a list."""
    document = load_json(data, _AGAIN, list, "a Fitbit exercise list")
    found: list[ExportFacts] = []
    skipped: list[str] = []
    for index, item in enumerate(document):
        facts = _facts(item) if isinstance(item, dict) else None
        if facts is None:
            skipped.append(f"exercise {index} has no logId or readable startTime")
        else:
            found.append(facts)
    return FitbitFile(tuple(found), tuple(skipped))


def _facts(item: dict[str, Any]) -> ExportFacts | None:
    """One exercise as ExportFacts; None without logId or a readable startTime."""
    log_id = item.get("logId")
    started_at = _moment(item.get("startTime"))
    if not isinstance(log_id, int) or started_at is None:
        return None
    label = str(item.get("activityName") or "no type")
    kind = FITBIT_TYPES.get(item.get("activityTypeId")) or FITBIT_TYPES.get(label.lower())
    distance = json_number(item.get("distance"))
    factor = _UNITS_M.get(str(item.get("distanceUnit") or "").lower())
    duration_ms = json_number(item.get("duration"))
    active_ms = json_number(item.get("activeDuration"))
    return ExportFacts(
        external_id=f"fitbit:{log_id}",
        label=label,
        started_at=started_at,
        sport=kind[0] if kind else "generic",
        sub_sport=kind[1] if kind else None,
        distance_m=distance * factor if distance is not None and factor else None,
        duration_s=duration_ms / 1000 if duration_ms is not None else None,
        moving_s=active_ms / 1000 if active_ms is not None else None,
        manual=True,
    )


def _moment(value: Any) -> datetime | None:
    """startTime "10/22/23 07:37:43" (UTC); None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), "%m/%d/%y %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
