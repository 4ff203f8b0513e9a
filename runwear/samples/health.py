"""Sample Apple Health exports laid out as the Health app shares them, with known figures.

`write_health_export` writes export.zip: `apple_health_export/export.xml` (the DOCTYPE subset,
records, workouts in iOS 16 style or the older totalDistance style) and the route GPX files
in `workout-routes/`, as Apple writes them (no <type>, speed/course/accuracy extensions).
`health_xml_lines` yields export.xml line by line, for the benchmark's gigabyte file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

from runwear.samples.exports import _write_tree as write_tree  # one writer of sample trees
from runwear.samples.route import SampleRun

# The start of the subset iOS writes (shortened; the real one declares every element).
DOCTYPE = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  totalDistance         CDATA #IMPLIED
  totalDistanceUnit     CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ATTLIST WorkoutStatistics
  type                  CDATA #REQUIRED
  sum                   CDATA #IMPLIED
  unit                  CDATA #IMPLIED
>
<!ELEMENT WorkoutRoute ((MetadataEntry|FileReference)*)>
<!ELEMENT FileReference EMPTY>
<!ATTLIST FileReference
  path CDATA #REQUIRED
>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
]>"""

WALKING_RUNNING = "HKQuantityTypeIdentifierDistanceWalkingRunning"


@dataclass(frozen=True)
class HealthWorkout:
    """One workout of a sample export.

    `style` "stats" gives the distance only in WorkoutStatistics (iOS 16), "total" only in
    totalDistance (older iOS); `unit` is km or mi. `route` writes the run's track as a route
    file that the workout names.
    """

    run: SampleRun
    activity_type: str = "Running"  # without the HKWorkoutActivityType prefix
    indoor: bool = False
    route: bool = False
    style: str = "stats"
    unit: str = "km"
    source: str = "Apple Watch"
    offset_h: int = -7  # the local time's UTC offset
    ascent_cm: int | None = None
    route_run: SampleRun | None = None  # the route's own track, when GPS measured otherwise

    @property
    def route_name(self) -> str:
        """route_YYYY-MM-DD_H.MMam.gpx, from the local start time, as Health names them."""
        local = self.local_start
        hour = local.hour % 12 or 12
        half = "pm" if local.hour >= 12 else "am"
        return f"route_{local:%Y-%m-%d}_{hour}.{local:%M}{half}.gpx"

    @property
    def local_start(self) -> datetime:
        """The start in the workout's local time."""
        return self.run.started_at.astimezone(timezone(timedelta(hours=self.offset_h)))


def health_date(moment: datetime) -> str:
    """A Health date: local time and offset, "2016-11-14 07:25:41 -0700"."""
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def workout_xml(workout: HealthWorkout) -> str:
    """One <Workout> element with its metadata, statistics and route reference."""
    run = workout.run
    start = workout.local_start
    end = start + timedelta(seconds=run.duration_s)
    per_unit = 1609.344 if workout.unit == "mi" else 1000.0
    distance = f"{run.distance_m / per_unit:.6f}" if run.distance_m else ""
    attrs = (
        f'workoutActivityType="HKWorkoutActivityType{workout.activity_type}" '
        f'duration="{run.duration_s / 60:.6f}" durationUnit="min" '
    )
    if workout.style == "total" and distance:
        attrs += f'totalDistance="{distance}" totalDistanceUnit="{workout.unit}" '
    attrs += (
        f'sourceName={quoteattr(workout.source)} sourceVersion="16.1" '
        f'device="&lt;&lt;HKDevice: 0x281&gt;, name:Apple Watch&gt;" '
        f'creationDate="{health_date(end)}" startDate="{health_date(start)}" '
        f'endDate="{health_date(end)}"'
    )
    lines = [f" <Workout {attrs}>"]
    if workout.indoor:
        lines.append('  <MetadataEntry key="HKIndoorWorkout" value="1"/>')
    lines.append('  <MetadataEntry key="HKTimeZone" value="America/Los_Angeles"/>')
    if workout.ascent_cm is not None:
        lines.append(f'  <MetadataEntry key="HKElevationAscended" value="{workout.ascent_cm} cm"/>')
    lines.append(
        f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{health_date(start)}" '
        f'duration="{run.duration_s / 60:.4f}" durationUnit="min"/>'
    )
    span = f'startDate="{health_date(start)}" endDate="{health_date(end)}"'
    lines.append(
        f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" {span} '
        f'sum="{run.duration_s / 10:.1f}" unit="Cal"/>'
    )
    if workout.style == "stats" and distance:
        kind = (
            "HKQuantityTypeIdentifierDistanceCycling"
            if workout.activity_type == "Cycling"
            else WALKING_RUNNING
        )
        lines.append(
            f'  <WorkoutStatistics type="{kind}" {span} sum="{distance}" unit="{workout.unit}"/>'
        )
    if workout.route:
        lines.append(f'  <WorkoutRoute sourceName="{workout.source}" sourceVersion="16.1" {span}>')
        lines.append('   <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>')
        lines.append(f'   <FileReference path="/workout-routes/{workout.route_name}"/>')
        lines.append("  </WorkoutRoute>")
    lines.append(" </Workout>")
    return "\n".join(lines)


def record_xml(moment: datetime, steps: int) -> str:
    """One step-count <Record>, the kind that fills most of a real export.xml."""
    date = health_date(moment)
    return (
        ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" '
        f'sourceVersion="16.1" unit="count" creationDate="{date}" startDate="{date}" '
        f'endDate="{date}" value="{steps}">\n'
        '  <MetadataEntry key="HKMetadataKeySyncIdentifier" value="3:9C1A"/>\n'
        " </Record>"
    )


def health_xml_lines(
    workouts: Sequence[HealthWorkout], records_per_workout: int = 3
) -> Iterator[str]:
    """export.xml line by line: the prolog, Me, then records and workouts interleaved."""
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield DOCTYPE
    yield '<HealthData locale="en_US">'
    yield ' <ExportDate value="2026-11-30 20:00:00 -0700"/>'
    yield (
        ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01" '
        'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>'
    )
    for workout in workouts:
        for i in range(records_per_workout):
            yield record_xml(workout.local_start - timedelta(minutes=i + 1), 40 + i)
        yield workout_xml(workout)
    yield "</HealthData>"


def route_gpx(run: SampleRun) -> bytes:
    """A route file as Health writes it: no <type>, speed and accuracy in extensions."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Apple Health Export" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        f" <metadata><time>{_utc(run.started_at)}</time></metadata>",
        " <trk>",
        f"  <name>Route {run.started_at:%Y-%m-%d %H:%M}</name>",
        "  <trkseg>",
    ]
    speed = run.distance_m / run.duration_s if run.duration_s else 0.0
    for point in run.points():
        lines.append(
            f'   <trkpt lon="{point.lon:.6f}" lat="{point.lat:.6f}">'
            f"<ele>{point.elevation_m:.6f}</ele><time>{_utc(point.time)}</time>"
            f"<extensions><speed>{speed:.6f}</speed><course>45.0</course>"
            "<hAcc>2.5</hAcc><vAcc>1.8</vAcc></extensions></trkpt>"
        )
    lines += ["  </trkseg>", " </trk>", "</gpx>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_health_export(
    dest: Path,
    workouts: Sequence[HealthWorkout],
    *,
    orphan_routes: Sequence[SampleRun] = (),
    zipped: bool = True,
) -> Path:
    """export.zip at `dest` (or the unpacked folder holding apple_health_export/)."""
    files: dict[str, bytes] = {
        "apple_health_export/export.xml": ("\n".join(health_xml_lines(workouts)) + "\n").encode(),
        "apple_health_export/export_cda.xml": b'<?xml version="1.0"?>\n<ClinicalDocument/>\n',
    }
    for workout in workouts:
        if workout.route:
            name = f"apple_health_export/workout-routes/{workout.route_name}"
            files[name] = route_gpx(workout.route_run or workout.run)
    for i, run in enumerate(orphan_routes):
        files[f"apple_health_export/workout-routes/route_orphan_{i}.gpx"] = route_gpx(run)
    return write_tree(dest, files, zipped)


def sample_workouts() -> list[HealthWorkout]:
    """The test export: a routed run, an indoor run, a walk with a route, strength, a Strava run."""

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 11, day, hour, 30, tzinfo=timezone.utc)

    return [
        HealthWorkout(
            SampleRun(at(2, 14), 8000.0, 2880.0, name="Route run", step_s=10.0),
            route=True,
            ascent_cm=4200,
        ),
        HealthWorkout(
            SampleRun(at(3, 15), 6437.376, 2100.0), indoor=True, style="total", unit="mi"
        ),
        HealthWorkout(
            SampleRun(at(4, 16), 3000.0, 2400.0, sport="walking", step_s=20.0),
            activity_type="Walking",
            route=True,
        ),
        HealthWorkout(
            SampleRun(at(5, 17), 0.0, 1800.0, sport="training"),
            activity_type="TraditionalStrengthTraining",
        ),
        HealthWorkout(
            SampleRun(at(6, 14), 10000.0, 3300.0, step_s=10.0), route=True, source="Strava"
        ),
    ]


def _utc(moment: datetime) -> str:
    """UTC ISO 8601 with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
