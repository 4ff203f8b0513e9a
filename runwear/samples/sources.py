"""Sample Runkeeper, Polar Flow, Google Takeout (Fit) and Fitbit exports with known figures.

Each writer lays its export out as the platform does (see the readers' docstrings for where
the layouts were verified) and returns the path; every figure comes from a SampleRun.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

from runwear.samples.exports import _write_tree as write_tree  # one writer of sample trees
from runwear.samples.exports import tcx_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

RUNKEEPER_HEADER = [
    "Activity Id",
    "Date",
    "Type",
    "Route Name",
    "Distance (km)",
    "Duration",
    "Average Pace",
    "Average Speed (km/h)",
    "Calories Burned",
    "Climb (m)",
    "Average Heart Rate (bpm)",
    "Friend's Tagged",
    "Notes",
    "GPX File",
]


@dataclass(frozen=True)
class SourceEntry:
    """One activity of a sample export: the run, the platform's type, and whether it has a track."""

    run: SampleRun
    activity_type: str = "Running"
    track: bool = True
    entry_id: str = ""  # the platform's id; "" takes one from the start time


def runkeeper_csv(entries: Sequence[SourceEntry], *, miles: bool = False) -> bytes:
    """cardioActivities.csv for `entries` (distances and climb in km / m, or mi / ft)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(RUNKEEPER_HEADER)
    if miles:
        header[4], header[7], header[9] = "Distance (mi)", "Average Speed (mph)", "Climb (ft)"
    writer.writerow(header)
    for entry in entries:
        run = entry.run
        per = 1609.344 if miles else 1000.0
        minutes, seconds = divmod(round(run.duration_s), 60)
        hours, minutes = divmod(minutes, 60)
        duration = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        writer.writerow(
            [
                entry.entry_id or f"rk-{run.started_at:%Y%m%d%H%M%S}",
                f"{run.started_at:%Y-%m-%d %H:%M:%S}",
                entry.activity_type,
                run.name if run.name != "Morning Run" else "",
                f"{run.distance_m / per:.2f}",
                duration,
                "",
                "",
                "300",
                f"{run.ascent_m / (0.3048 if miles else 1.0):.0f}",
                "150",
                "",
                "",
                _runkeeper_gpx(entry),
            ]
        )
    return out.getvalue().encode("utf-8")


def write_runkeeper_export(
    dest: Path, entries: Sequence[SourceEntry], *, miles: bool = False, zipped: bool = True
) -> Path:
    """A Runkeeper export (runkeeper-data-export-*.zip): the CSV and one GPX per tracked run."""
    files = {"cardioActivities.csv": runkeeper_csv(entries, miles=miles)}
    files["measurements.csv"] = b"Date,Weight\n"
    for entry in entries:
        if entry.track:
            files[_runkeeper_gpx(entry)] = gpx_bytes(
                [entry.run], creator="Runkeeper - http://www.runkeeper.com", activity_type=None
            )
    return write_tree(dest, files, zipped)


def polar_session_json(entry: SourceEntry) -> bytes:
    """A training-session JSON as Polar Flow exports it: one exercise, route samples."""
    run = entry.run
    exercise: dict[str, object] = {
        "sport": entry.activity_type,
        "samples": {"heartRate": [{"value": 140}]},
    }
    if entry.track:
        exercise["samples"] = {
            "heartRate": [{"value": 140}],
            "recordedRoute": [
                {
                    "dateTime": f"{p.time.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S}.000",
                    "latitude": round(p.lat, 7),
                    "longitude": round(p.lon, 7),
                    "altitude": round(p.elevation_m, 1),
                }
                for p in run.points()
            ],
        }
    document = {
        "exportVersion": "1.3",
        "name": run.name,
        "startTime": f"{run.started_at.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S}.000",
        "duration": f"PT{run.duration_s:g}S",
        "kiloCalories": 500,
        "exercises": [exercise],
    }
    if run.distance_m:
        document["distance"] = run.distance_m
    return json.dumps(document, indent=1).encode("utf-8")


def write_polar_export(dest: Path, entries: Sequence[SourceEntry], *, zipped: bool = True) -> Path:
    """A Polar Flow export: training-session-<date>-<id>.json per session, and other files."""
    files = {"account-data.json": b'{"username": "runner"}'}
    for i, entry in enumerate(entries):
        stamp = f"{entry.run.started_at:%Y-%m-%d}"
        files[f"training-session-{stamp}-{entry.entry_id or 1000 + i}.json"] = polar_session_json(
            entry
        )
    return write_tree(dest, files, zipped)


def write_google_fit_export(
    dest: Path, entries: Sequence[SourceEntry], *, zipped: bool = True
) -> Path:
    """A Google Takeout with Fit activities: Takeout/Fit/Activities/<start>_<TYPE>.tcx."""
    files = {"Takeout/archive_browser.html": b"<html></html>"}
    for entry in entries:
        run = entry.run
        stamp = f"{run.started_at.astimezone(timezone.utc):%Y-%m-%dT%H_%M_%S}+00_00"
        sport = {"running": "Running", "cycling": "Biking"}.get(run.sport, "Other")
        name = f"Takeout/Fit/Activities/{stamp}_{entry.activity_type.upper()}.tcx"
        files[name] = tcx_bytes([run], sport=sport, creator="Google Fit")
    return write_tree(dest, files, zipped)


def fitbit_exercises_json(entries: Sequence[SourceEntry]) -> bytes:
    """An exercise-<N>.json list: Fitbit's field names and units (ms, Kilometer)."""
    type_ids = {"Run": 90009, "Bike": 90001, "Walk": 90013}
    items = []
    for i, entry in enumerate(entries):
        run = entry.run
        items.append(
            {
                "logId": int(entry.entry_id) if entry.entry_id else 25330000 + i,
                "activityName": entry.activity_type,
                "activityTypeId": type_ids.get(entry.activity_type, 3000),
                "averageHeartRate": 150,
                "calories": 600,
                "distance": run.distance_m / 1000,
                "distanceUnit": "Kilometer",
                "duration": round(run.duration_s * 1000),
                "activeDuration": round(run.duration_s * 1000),
                "steps": 5000,
                "source": {"type": "tracker", "name": "Charge 5", "id": "31739289"},
                "logType": "tracker",
                "startTime": f"{run.started_at.astimezone(timezone.utc):%m/%d/%y %H:%M:%S}",
                "hasGps": entry.track,
            }
        )
    return json.dumps(items, indent=1).encode("utf-8")


def write_fitbit_export(dest: Path, entries: Sequence[SourceEntry], *, zipped: bool = True) -> Path:
    """A Google Takeout with Fitbit's Global Export Data/exercise-0.json."""
    folder = "Takeout/Fitbit/Global Export Data"
    files = {
        f"{folder}/exercise-0.json": fitbit_exercises_json(entries),
        f"{folder}/steps-2026-11-01.json": b"[]",
    }
    return write_tree(dest, files, zipped)


def _runkeeper_gpx(entry: SourceEntry) -> str:
    """The GPX File column: the local start as Runkeeper names it, or "" without a track."""
    return f"{entry.run.started_at:%Y-%m-%d-%H%M%S}.gpx" if entry.track else ""
