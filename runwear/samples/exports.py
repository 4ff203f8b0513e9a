"""Sample TCX files and Strava / Garmin Connect account exports, laid out like the real ones.

Used by the tests (small exports with every awkward case) and the benchmarks (large ones).
Every figure written comes from a SampleRun, so what an import must find is known exactly.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"

# The English activities.csv header as Strava writes it (names repeat: read by position).
_HEADER_TEXT = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,"
    "UV Index,Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,"
    "Average Grade Adjusted Pace,Timer Time,Total Cycles,Media"
)
STRAVA_HEADER = _HEADER_TEXT.split(",")
SHOES_HEADER = ["Shoe Name", "Shoe Brand", "Shoe Model", "Shoe Default Sport Types"]


def tcx_bytes(
    runs: Sequence[SampleRun], *, sport: str = "Running", leading: str = "", creator: str = ""
) -> bytes:
    """A TCX document with one <Activity> per run; `leading` goes before `<?xml`."""
    lines = [
        f'{leading}<?xml version="1.0" encoding="UTF-8"?>',
        f'<TrainingCenterDatabase xmlns="{TCX_NS}">',
        " <Activities>",
    ]
    for run in runs:
        points = run.points()
        lines.append(f"  <Activity Sport={quoteattr(sport)}>")
        lines.append(f"   <Id>{_iso(run.started_at)}</Id>")
        lines.append(f'   <Lap StartTime="{_iso(run.started_at)}">')
        lines.append(f"    <TotalTimeSeconds>{run.duration_s:.1f}</TotalTimeSeconds>")
        lines.append(f"    <DistanceMeters>{run.distance_m:.2f}</DistanceMeters>")
        lines.append("    <Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>")
        lines.append("    <Track>")
        for p in points:
            lines.append(
                f"     <Trackpoint><Time>{_iso(p.time)}</Time><Position>"
                f"<LatitudeDegrees>{p.lat:.7f}</LatitudeDegrees>"
                f"<LongitudeDegrees>{p.lon:.7f}</LongitudeDegrees></Position>"
                f"<AltitudeMeters>{p.elevation_m:.1f}</AltitudeMeters>"
                f"<DistanceMeters>{p.distance_m:.2f}</DistanceMeters></Trackpoint>"
            )
        lines.append("    </Track>")
        lines.append("   </Lap>")
        if creator:
            lines.append(f"   <Creator><Name>{escape(creator)}</Name></Creator>")
        lines.append("  </Activity>")
    lines.append(" </Activities>")
    lines.append("</TrainingCenterDatabase>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- Strava ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StravaEntry:
    """One activity of a sample Strava export.

    `file` is how its upload is stored: gpx, gpx.gz, fit, fit.gz, tcx, tcx.gz, or None for a
    manual entry. `missing` lists the file in activities.csv but leaves it out of the export.
    """

    activity_id: int
    run: SampleRun
    activity_type: str = "Run"
    file: str | None = "gpx"
    gear: str = ""
    missing: bool = False
    old_date: bool = False  # the 2018-09-12 15:02:23 form, used before 2019
    tcx_leading: str = ""  # text before <?xml in a TCX file

    @property
    def filename(self) -> str:
        """The Filename column: activities/<id>.<ext>, or "" for a manual entry."""
        return f"activities/{self.activity_id}.{self.file}" if self.file else ""


@dataclass(frozen=True)
class StravaShoeRow:
    """One row of a sample shoes.csv."""

    name: str
    brand: str
    model: str
    default_types: str = ""


def strava_activities_csv(entries: Sequence[StravaEntry]) -> bytes:
    """activities.csv for `entries`, with Strava's header and its repeated columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STRAVA_HEADER)
    for entry in entries:
        run = entry.run
        row = [""] * len(STRAVA_HEADER)
        row[0] = str(entry.activity_id)
        row[1] = _strava_date(run.started_at, entry.old_date)
        row[2] = run.name
        row[3] = entry.activity_type
        row[5] = str(round(run.duration_s))
        row[6] = f"{run.distance_m / 1000:.2f}"  # the first Distance: km, 2 decimals
        row[9] = "false"
        row[11] = entry.gear
        row[12] = entry.filename
        row[15] = f"{run.duration_s:.1f}"
        row[16] = f"{run.duration_s:.1f}"
        row[17] = f"{run.distance_m:.1f}"  # the second Distance: metres
        row[20] = f"{run.ascent_m:.1f}"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


OLD_STRAVA_HEADER = [
    "id", "date", "name", "type", "description", "elapsed_time", "distance", "commute", "gear",
    "filename",
]  # fmt: skip


def strava_old_activities_csv(entries: Sequence[StravaEntry], *, km: bool = False) -> bytes:
    """activities.csv in Strava's layout before ~2019: lower-case header, ISO dates, the
    distance in metres (or km, by the account's units)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OLD_STRAVA_HEADER)
    for entry in entries:
        run = entry.run
        distance = f"{run.distance_m / 1000:.2f}" if km else f"{run.distance_m:.1f}"
        writer.writerow(
            [
                entry.activity_id,
                _strava_date(run.started_at, old=True),
                run.name,
                entry.activity_type,
                "",
                round(run.duration_s),
                distance,
                "false",
                entry.gear,
                entry.filename,
            ]
        )
    return out.getvalue().encode("utf-8")


def strava_shoes_csv(shoes: Sequence[StravaShoeRow]) -> bytes:
    """shoes.csv for `shoes`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SHOES_HEADER)
    for shoe in shoes:
        writer.writerow([shoe.name, shoe.brand, shoe.model, shoe.default_types])
    return out.getvalue().encode("utf-8")


def strava_file_bytes(entry: StravaEntry) -> bytes:
    """The stored upload of an entry, in its format (gzipped when its name says .gz)."""
    assert entry.file is not None
    kind = entry.file.removesuffix(".gz")
    if kind == "gpx":
        data = gpx_bytes([entry.run], creator="StravaGPX")
    elif kind == "fit":
        data = fit_activity_bytes([entry.run])
    elif kind == "tcx":
        data = tcx_bytes([entry.run], leading=entry.tcx_leading)
    else:
        raise ValueError(f"unknown sample file kind {entry.file!r}")
    return gzip.compress(data, mtime=0) if entry.file.endswith(".gz") else data


def write_strava_export(
    dest: Path,
    entries: Sequence[StravaEntry],
    shoes: Sequence[StravaShoeRow] = (),
    *,
    zipped: bool = True,
    old_layout: bool = False,
    km: bool = False,
) -> Path:
    """A Strava export at `dest`: a .zip as downloaded, or the unpacked folder; `old_layout`
    writes the activities.csv of before ~2019 (distances in km with `km`)."""
    listing = strava_old_activities_csv(entries, km=km) if old_layout else None
    files: dict[str, bytes] = {
        "activities.csv": listing or strava_activities_csv(entries),
        "shoes.csv": strava_shoes_csv(shoes),
        "bikes.csv": b"Bike Name,Bike Brand,Bike Model,Bike Default Sport Types\n",
        "profile.csv": b"Athlete ID,Email Address,First Name,Last Name\n1,a@b.c,Sam,Runner\n",
    }
    for entry in entries:
        if entry.file and not entry.missing:
            files[entry.filename] = strava_file_bytes(entry)
    return _write_tree(dest, files, zipped)


# -- Garmin Connect ----------------------------------------------------------------------


@dataclass(frozen=True)
class GarminEntry:
    """One activity of a sample Garmin export; `upload_id` names its FIT file, if it has one."""

    activity_id: int
    run: SampleRun
    activity_type: str = "running"
    gear_pk: int | None = None
    upload_id: int | None = None  # None: no file in the export
    manual: bool = False


@dataclass(frozen=True)
class GarminShoeRow:
    """One shoe of a sample gear.json."""

    gear_pk: int
    make: str
    model: str
    nickname: str | None = None
    status: str = "active"
    date_begin: str = "2024-01-01T00:00:00.0"
    date_end: str | None = None
    maximum_m: float = 0.0


def garmin_summaries_json(entries: Sequence[GarminEntry]) -> bytes:
    """A summarizedActivities.json: [{"summarizedActivitiesExport": [...]}], Garmin's units."""
    items = []
    for entry in entries:
        run = entry.run
        start_ms = round(run.started_at.timestamp() * 1000)
        items.append(
            {
                "activityId": entry.activity_id,
                "uuidMsb": 1,
                "name": run.name,
                "activityType": entry.activity_type,
                "userProfileId": 42,
                "timeZoneId": 124,
                "beginTimestamp": start_ms,
                "eventTypeId": 9,
                "rule": "subscribers",
                "sportType": "RUNNING" if "run" in entry.activity_type else "GENERIC",
                "startTimeGmt": start_ms,
                "startTimeLocal": start_ms + 3_600_000,
                "duration": run.duration_s * 1000,
                "distance": run.distance_m * 100,
                "elevationGain": run.ascent_m * 100,
                "elapsedDuration": run.duration_s * 1000,
                "movingDuration": run.duration_s * 1000,
                "avgSpeed": run.distance_m / run.duration_s / 10,
                "manualActivity": entry.manual,
                "splits": [],
            }
        )
    return json.dumps([{"summarizedActivitiesExport": items}], indent=1).encode("utf-8")


def garmin_gear_json(shoes: Sequence[GarminShoeRow], entries: Sequence[GarminEntry]) -> bytes:
    """A gear.json: the shoes, and which activities each was worn for."""
    dtos = [
        {
            "gearPk": shoe.gear_pk,
            "uuid": f"uuid-{shoe.gear_pk}",
            "userProfilePk": 42,
            "gearMakeName": shoe.make,
            "gearModelName": "Unknown Shoes",
            "gearTypeName": "Shoes",
            "gearStatusName": shoe.status,
            "displayName": shoe.nickname,
            "customMakeModel": shoe.model,
            "imageNameLarge": None,
            "dateBegin": shoe.date_begin,
            "dateEnd": shoe.date_end,
            "maximumMeters": shoe.maximum_m,
            "notified": False,
        }
        for shoe in shoes
    ]
    dtos.append(
        {
            "gearPk": 999,
            "gearMakeName": "Trek",
            "gearTypeName": "Bike",
            "gearStatusName": "active",
            "displayName": "Commuter",
            "customMakeModel": "FX 3",
            "maximumMeters": 0.0,
        }
    )
    uses: dict[str, list[dict[str, int]]] = {}
    for entry in entries:
        if entry.gear_pk is not None:
            uses.setdefault(str(entry.gear_pk), []).append(
                {"activityId": entry.activity_id, "gearPk": entry.gear_pk}
            )
    return json.dumps([{"gearDTOS": dtos, "gearActivityDTOs": uses}], indent=1).encode("utf-8")


def write_garmin_export(
    dest: Path,
    entries: Sequence[GarminEntry],
    shoes: Sequence[GarminShoeRow] = (),
    *,
    zipped: bool = True,
    user: str = "runner@example.com",
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """A Garmin Connect export at `dest` (.zip, or unpacked), FIT files in a nested zip."""
    fitness = "DI_CONNECT/DI-Connect-Fitness"
    uploads = io.BytesIO()
    with zipfile.ZipFile(uploads, "w", zipfile.ZIP_DEFLATED) as nested:
        for entry in entries:
            if entry.upload_id is not None:
                nested.writestr(
                    f"{user}_{entry.upload_id}.fit",
                    fit_activity_bytes([entry.run], device="garmin"),
                )
        for name, data in (extra_files or {}).items():
            nested.writestr(name, data)
    files = {
        f"{fitness}/{user}_0_summarizedActivities.json": garmin_summaries_json(entries),
        f"{fitness}/{user}_gear.json": garmin_gear_json(shoes, entries),
        f"{fitness}/{user}_personalRecord.json": b"[]",
        "DI_CONNECT/DI-Connect-User/user_profile.json": b'{"userName": "runner"}',
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": uploads.getvalue(),
    }
    return _write_tree(dest, files, zipped)


# -- shared --------------------------------------------------------------------------------


def _write_tree(dest: Path, files: dict[str, bytes], zipped: bool) -> Path:
    """Write `files` (relative path -> bytes) as a deflated zip at `dest`, or under a folder."""
    if zipped:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return dest
    for name, data in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


def _strava_date(moment: datetime, old: bool) -> str:
    """Sep 12, 2018, 3:02:23 PM (since 2019) or 2018-09-12 15:02:23 (before), in UTC."""
    utc = moment.astimezone(timezone.utc)
    if old:
        return utc.strftime("%Y-%m-%d %H:%M:%S")
    hour = utc.hour % 12 or 12
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return (
        f"{months[utc.month - 1]} {utc.day}, {utc.year}, {hour}:{utc.minute:02d}:"
        f"{utc.second:02d} {'PM' if utc.hour >= 12 else 'AM'}"
    )


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
