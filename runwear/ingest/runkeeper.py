"""Read a Runkeeper export: cardioActivities.csv, one row per activity, and its GPX files.

What was verified, and where (FORMATS.md "Runkeeper export"; the header comment and key map of
the Perl importers `Moove::Import::Activity::RunKeeper` and
`CardioTracker::Import::Activity::RunKeeper`, and public parser tests with sample rows):

- Header `Activity Id,Date,Type,Route Name,Distance (km),Duration,Average Pace,Average Speed
  (km/h),Calories Burned,Climb (m),Average Heart Rate (bpm),Friend's Tagged,Notes,GPX File`;
  with imperial settings `Distance (mi)`, `Average Speed (mph)`, `Climb (ft)`. Columns are
  found by name, so their order does not matter.
- `Activity Id` is a UUID (older exports: a number); `Date` is local time
  `2019-05-04 16:35:09` with no offset; `Duration` is `28:30` or `1:02:03`; `GPX File` is
  `2019-05-04-163509.gpx` beside the CSV, blank for activities without a track.
- Types seen: Running, Walking, Cycling, Hiking, Strength Training, Elliptical, Swimming...

Decisions: a run with a GPX takes its start time from the file (UTC); without one, the local
Date is taken as UTC (its offset is unknown) and the run has no track. Names: Route Name,
else Notes' first line, else none.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from runwear.ingest.archive import Container, Member
from runwear.ingest.model import ExportFacts, IngestError

ACTIVITIES_CSV = "cardioActivities.csv"
_AGAIN = "Export the data again from Runkeeper (Account Settings > Export Data)"

# Type -> (sport, sub_sport), FIT names.
RUNKEEPER_TYPES: dict[str, tuple[str, str]] = {
    "running": ("running", "generic"),
    "walking": ("walking", "generic"),
    "hiking": ("hiking", "generic"),
    "cycling": ("cycling", "generic"),
    "mountain biking": ("cycling", "mountain"),
    "swimming": ("swimming", "generic"),
    "strength training": ("training", "strength_training"),
    "circuit training": ("training", "generic"),
    "yoga": ("training", "yoga"),
    "elliptical": ("fitness_equipment", "elliptical"),
    "rowing": ("rowing", "generic"),
    "cross-country skiing": ("cross_country_skiing", "generic"),
    "downhill skiing": ("alpine_skiing", "generic"),
    "snowboarding": ("snowboarding", "generic"),
    "skating": ("inline_skating", "generic"),
    "wheelchair": ("wheelchair_push_run", "generic"),
    "other": ("generic", "generic"),
}
_UNITS_M = {"km": 1000.0, "mi": 1609.344, "m": 1.0, "ft": 0.3048}


@dataclass(frozen=True)
class RunkeeperRow:
    """One row of cardioActivities.csv: the facts, its GPX file, and why it is unusable."""

    line: int
    facts: ExportFacts
    gpx: Member | None  # the GPX file in the container, when the row names one that is there
    gpx_name: str  # GPX File as written ("" when none)
    error: str | None = None


def is_runkeeper_export(container: Container) -> bool:
    """True when the folder or archive holds Runkeeper's cardioActivities.csv at its top."""
    return container.find(ACTIVITIES_CSV) is not None


def read_activities(container: Container, max_bytes: int) -> Iterator[RunkeeperRow]:
    """Every row of cardioActivities.csv, with its GPX member when the export holds it."""
    member = container.find(ACTIVITIES_CSV)
    if member is None:
        raise IngestError(f"no {ACTIVITIES_CSV} in the export. {_AGAIN}")
    text = container.read(member, max_bytes).decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        at = {name.lower(): i for i, name in enumerate(header)}
        if "date" not in at or "type" not in at:
            raise IngestError(f"{ACTIVITIES_CSV} lacks the Date or Type column. {_AGAIN}")
        for cells in reader:
            if any(c.strip() for c in cells):
                yield _row(container, reader.line_num, cells, at)
    except csv.Error as exc:
        raise IngestError(
            f"{ACTIVITIES_CSV} is not valid CSV (line {reader.line_num}: {exc}). {_AGAIN}"
        ) from exc


def _row(container: Container, line: int, cells: list[str], at: dict[str, int]) -> RunkeeperRow:
    """One CSV row as a RunkeeperRow."""

    def cell(*names: str) -> str:
        for name in names:
            i = at.get(name)
            if i is not None and i < len(cells):
                return cells[i].strip()
        return ""

    label = cell("type")
    sport = RUNKEEPER_TYPES.get(label.lower())
    activity_id = cell("activity id")
    started_at = _date(cell("date"))
    distance_m = _length(cell("distance (km)"), "km")
    if distance_m is None:
        distance_m = _length(cell("distance (mi)"), "mi")
    ascent_m = _length(cell("climb (m)"), "m")
    if ascent_m is None:
        ascent_m = _length(cell("climb (ft)"), "ft")
    gpx_name = cell("gpx file")
    notes = cell("notes").splitlines()
    facts = ExportFacts(
        external_id=f"runkeeper:{activity_id or cell('date')}",
        label=label or "no type",
        started_at=started_at,
        sport=sport[0] if sport else "generic",
        sub_sport=sport[1] if sport else None,
        name=cell("route name") or (notes[0].strip() if notes else None) or None,
        distance_m=distance_m,
        duration_s=_duration(cell("duration")),
        ascent_m=ascent_m,
        manual=not gpx_name,
    )
    error = None
    if started_at is None:
        error = f"unreadable Date {cell('date')[:40]!r}"
    gpx = container.find(gpx_name) if gpx_name and "/" not in gpx_name else None
    return RunkeeperRow(line, facts, gpx, gpx_name, error)


def _date(text: str) -> datetime | None:
    """A Date cell ("2019-05-04 16:35:09", local time) taken as UTC; None when unreadable."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _duration(text: str) -> float | None:
    """A Duration cell ("28:30", "1:02:03", "45:00.5") in seconds; None when unreadable."""
    parts = text.split(":")
    if not 2 <= len(parts) <= 3:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds if math.isfinite(seconds) else None


def _length(text: str, unit: str) -> float | None:
    """A length cell in `unit` as metres; None when blank or not a finite number."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value * _UNITS_M[unit] if math.isfinite(value) else None
