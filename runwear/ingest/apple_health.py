"""Read an Apple Health export: its workouts, streamed from export.xml, and their route files.

What was verified, and where (FORMATS.md "Apple Health export"; dogsheep/healthkit-to-sqlite,
`healthkit_to_sqlite/utils.py` and `tests/zip_contents/apple_health_export/export.xml`):

- The Health app shares `export.zip` holding `apple_health_export/export.xml` (0.5-4 GB for
  long-time users), `export_cda.xml` and `workout-routes/route_YYYY-MM-DD_H.MMam.gpx`.
- export.xml opens with `<!DOCTYPE HealthData [ <!ELEMENT ...> <!ATTLIST ...> ]>`: a subset
  declaring elements and attributes only. `xmlsafe.check_prolog_declarations` accepts that and
  refuses any entity, parameter entity or external DTD before expat sees a byte more.
- `<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="5.19"
  durationUnit="min" totalDistance="0.497" totalDistanceUnit="mi" sourceName=...
  startDate="2016-11-14 07:25:41 -0700" endDate=...>`, direct children `MetadataEntry key
  value` (HKIndoorWorkout "1", HKTimeZone, HKElevationAscended "1234 cm"), `WorkoutEvent`,
  `WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum unit` (newer
  iOS: the distance only there, not in totalDistance) and `WorkoutRoute` holding
  `FileReference path="/workout-routes/route_....gpx"` (relative to apple_health_export/).
- Older exports (that project's test file) have no XML declaration and no DOCTYPE at all;
  route GPX files carry `<name>Route 2019-06-11 3:00pm</name>` and no `<type>`.

Decisions: the file is streamed through expat in 1 MB pieces with no tree kept, so memory
stays flat however large it is (benchmarks/health_stream.py); the size limit is not applied
to it. Distance: the statistics' Distance* sum, else totalDistance, else the route's length
(`ExportFacts.distance_overrides`: the workout's distance wins over its route's). A workout's id is
`apple:<startDate>|<type>`, stable across exports. Types runwear does not know are kept as
sport "generic" (not runs). Not read: Records (steps, heart rate), export_cda.xml, ECGs.
"""

from __future__ import annotations

import codecs
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO
from xml.parsers import expat

from runwear.ingest.archive import Container, Member
from runwear.ingest.model import ExportFacts, IngestError
from runwear.ingest.xmlsafe import check_prolog_declarations

FOLDER = "apple_health_export/"
EXPORT_XML = "export.xml"
ROUTES = "workout-routes/"
TYPE_PREFIX = "HKWorkoutActivityType"
DISTANCE_PREFIX = "HKQuantityTypeIdentifierDistance"
HEAD_BYTES = 1 << 20  # the prolog (with its DOCTYPE subset, ~20 KB in real files) lies within
_CHUNK = 1 << 20
_AGAIN = "Export the health data again from the Health app (profile > Export All Health Data)"

# workoutActivityType without its prefix -> (sport, sub_sport, indoor sub_sport), FIT names.
APPLE_TYPES: dict[str, tuple[str, str, str]] = {
    "Running": ("running", "generic", "treadmill"),
    "Walking": ("walking", "generic", "indoor_walking"),
    "Hiking": ("hiking", "generic", "generic"),
    "Cycling": ("cycling", "generic", "indoor_cycling"),
    "HandCycling": ("cycling", "hand_cycling", "indoor_hand_cycling"),
    "Swimming": ("swimming", "generic", "lap_swimming"),
    "TraditionalStrengthTraining": ("training", "strength_training", "strength_training"),
    "FunctionalStrengthTraining": ("training", "strength_training", "strength_training"),
    "CoreTraining": ("training", "generic", "generic"),
    "HighIntensityIntervalTraining": ("training", "generic", "generic"),
    "CrossTraining": ("training", "generic", "generic"),
    "MixedCardio": ("training", "cardio_training", "cardio_training"),
    "Yoga": ("training", "yoga", "yoga"),
    "Pilates": ("training", "pilates", "pilates"),
    "Elliptical": ("fitness_equipment", "elliptical", "elliptical"),
    "StairClimbing": ("fitness_equipment", "stair_climbing", "stair_climbing"),
    "Rowing": ("rowing", "generic", "indoor_rowing"),
    "CrossCountrySkiing": ("cross_country_skiing", "generic", "generic"),
    "DownhillSkiing": ("alpine_skiing", "generic", "generic"),
    "Snowboarding": ("snowboarding", "generic", "generic"),
    "Tennis": ("tennis", "generic", "generic"),
    "Soccer": ("soccer", "generic", "generic"),
    "Golf": ("golf", "generic", "generic"),
}
_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_SECONDS = {"s": 1.0, "sec": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}


@dataclass(frozen=True)
class Workout:
    """One Workout of export.xml: what Health says of it, and the route file it names."""

    facts: ExportFacts
    route: str | None  # the route GPX's path in the container, or None without a route
    source: str  # sourceName: "Apple Watch", "Strava", "Nike Run Club", ...


def export_xml(container: Container) -> Member | None:
    """export.xml: in apple_health_export/, or at the top when that folder is the container."""
    member = container.find(FOLDER + EXPORT_XML)
    if member is not None:
        return member
    member = container.find(EXPORT_XML)
    if member is None:
        return None
    with container.open(member) as stream:
        head = stream.read(4096)
    return member if b"<HealthData" in head or b"HealthData [" in head else None


def is_apple_health(container: Container) -> bool:
    """True when the folder or archive holds an Apple Health export.xml."""
    return export_xml(container) is not None


def route_files(container: Container, xml: Member) -> list[Member]:
    """The GPX files in workout-routes/ beside export.xml, in name order."""
    folder = posixpath.dirname(xml.path)
    start = f"{folder}/{ROUTES}" if folder else ROUTES
    found = [m for m in container.members() if m.path.startswith(start) and m.path.endswith(".gpx")]
    return sorted(found, key=lambda m: m.path)


def route_path(xml: Member, reference: str) -> str:
    """The container path of a FileReference path ("/workout-routes/route_1.gpx")."""
    folder = posixpath.dirname(xml.path)
    return posixpath.normpath(posixpath.join(folder, reference.lstrip("/")))


def read_workouts(
    stream: IO[bytes],
    xml: Member | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Workout]:
    """Every Workout of export.xml in file order, streamed: memory stays flat.

    `on_bytes` is told how many bytes of the file are read so far, after each piece.
    """
    head = stream.read(HEAD_BYTES)
    read_bytes = len(head)
    text = codecs.decode(head, "utf-8", errors="replace")
    root = check_prolog_declarations(text, "export.xml")
    if root != "HealthData":
        raise IngestError(f"not an Apple Health export.xml (its root is <{root[:40]}>). {_AGAIN}")
    reader = _Reader(xml or Member(FOLDER + EXPORT_XML))
    data = head
    while True:
        final = not data
        try:
            reader.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise IngestError(
                f"export.xml is not valid XML (line {exc.lineno}: "
                f"{expat.ErrorString(exc.code)}). {_AGAIN}"
            ) from exc
        yield from reader.done
        reader.done.clear()
        if on_bytes is not None:
            on_bytes(read_bytes)
        if final:
            return
        data = stream.read(_CHUNK)
        read_bytes += len(data)


class _Reader:
    """expat callbacks that gather one Workout at a time from its start tag and children."""

    def __init__(self, xml: Member) -> None:
        self.xml = xml
        self.done: list[Workout] = []
        self.depth = 0
        self.workout: dict[str, str] | None = None
        self.meta: dict[str, str] = {}
        self.distance: tuple[str, str, str] | None = None  # (type, sum, unit)
        self.route: str | None = None
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        self.parser = parser

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 2 and name == "Workout":
            self.workout, self.meta, self.distance, self.route = attrs, {}, None, None
        elif self.workout is None:
            return
        elif self.depth == 3 and name == "MetadataEntry":
            self.meta[attrs.get("key", "")] = attrs.get("value", "")
        elif self.depth == 3 and name == "WorkoutStatistics":
            kind = attrs.get("type", "")
            if kind.startswith(DISTANCE_PREFIX) and (
                self.distance is None or kind.endswith("WalkingRunning")
            ):
                self.distance = (kind, attrs.get("sum", ""), attrs.get("unit", ""))
        elif name == "FileReference" and self.route is None and attrs.get("path"):
            self.route = route_path(self.xml, attrs["path"])

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.depth == 1 and name == "Workout" and self.workout is not None:
            self.done.append(self._workout(self.workout))
            self.workout = None

    def _workout(self, attrs: dict[str, str]) -> Workout:
        """The Workout gathered so far, as runwear's values."""
        kind = attrs.get("workoutActivityType", "")
        label = kind.removeprefix(TYPE_PREFIX) or "no type"
        indoor = self.meta.get("HKIndoorWorkout", "").strip() in ("1", "true")
        sport = APPLE_TYPES.get(label)
        start = attrs.get("startDate", "")
        started_at, offset_s = _moment(start)
        distance_m = None
        if self.distance is not None:
            distance_m = _quantity(self.distance[1], self.distance[2], _METRES)
        if distance_m is None:
            distance_m = _quantity(
                attrs.get("totalDistance", ""), attrs.get("totalDistanceUnit", "km"), _METRES
            )
        ascent = self.meta.get("HKElevationAscended", "").split()
        facts = ExportFacts(
            external_id=f"apple:{start}|{label}",
            label=label,
            started_at=started_at,
            sport=sport[0] if sport else "generic",
            sub_sport=(sport[2] if indoor else sport[1]) if sport else None,
            distance_m=distance_m,
            duration_s=_quantity(
                attrs.get("duration", ""), attrs.get("durationUnit", "min"), _SECONDS
            ),
            ascent_m=_quantity(ascent[0], ascent[1] if len(ascent) > 1 else "m", _METRES)
            if ascent
            else None,
            utc_offset_s=offset_s,
            distance_overrides=True,
        )
        return Workout(facts, self.route, attrs.get("sourceName", ""))


def _moment(text: str) -> tuple[datetime | None, int | None]:
    """A Health date ("2016-11-14 07:25:41 -0700") as UTC, and its offset in seconds."""
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None, None
    offset = local.utcoffset()
    return local.astimezone(timezone.utc), int(offset.total_seconds()) if offset else 0


def _quantity(number: str, unit: str, factors: dict[str, float]) -> float | None:
    """A number in `unit` converted by `factors`; None when blank, unreadable or unknown."""
    factor = factors.get(unit.strip().lower())
    try:
        value = float(number)
    except ValueError:
        return None
    if factor is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return value * factor
