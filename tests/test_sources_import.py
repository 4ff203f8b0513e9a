"""Apple Health, Runkeeper, Polar, Fitbit and Google Fit exports through `runwear import`."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.samples.exports import StravaEntry, write_strava_export
from runwear.samples.health import HealthWorkout, sample_workouts, write_health_export
from runwear.samples.route import SampleRun
from runwear.samples.sources import (
    SourceEntry,
    write_fitbit_export,
    write_google_fit_export,
    write_polar_export,
    write_runkeeper_export,
)
from tests import test_exports

run_cli = test_exports.run_cli  # the import command's fixture, shared


stored_runs = test_exports.stored_runs  # (started_at, km, sub_sport, shoe, surface, format, id)


def health_export(tmp_path: Path) -> Path:
    orphan = SampleRun(datetime(2026, 10, 1, tzinfo=timezone.utc), 1000.0, 300.0)
    return write_health_export(tmp_path / "export.zip", sample_workouts(), orphan_routes=[orphan])


def test_apple_health_export_imports_its_runs_with_routes(tmp_path, runwear_db, run_cli):
    export = health_export(tmp_path)
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    xml = f"{export}/apple_health_export/export.xml"
    assert lines == [
        f"{export}/apple_health_export/workout-routes/route_2026-11-04_9.30am.gpx: "
        "not a run (Walking)",
        f"{xml} workout 2026-11-05 10:30:00 -0700|TraditionalStrengthTraining: "
        "not a run (TraditionalStrengthTraining)",
        f"{export}/apple_health_export/workout-routes: 1 route file that no workout names: "
        "skipped (routes are read through their workout)",
        "Imported 3 runs (24.4 km) from 4 files and 3 export entries; "
        "0 duplicates, 3 not runs, 0 errors.",
    ]
    apple = "apple:2026-11-{} 07:30:00 -0700|Running"
    treadmill = "apple:2026-11-03 08:30:00 -0700|Running"
    assert stored_runs(runwear_db) == [
        ("2026-11-06T14:30:00Z", 10.0, "generic", None, "unknown", "gpx", apple.format("06")),
        ("2026-11-03T15:30:00Z", 6.4374, "treadmill", None, "treadmill", "apple_health", treadmill),
        ("2026-11-02T14:30:00Z", 8.0, "generic", None, "unknown", "gpx", apple.format("02")),
    ]
    with sqlite3.connect(runwear_db) as conn:
        offsets = {row[0] for row in conn.execute("select utc_offset_s from activities")}
    assert offsets == {-7 * 3600}  # from startDate, for the routes' runs too


def test_apple_health_treadmill_run_is_stored_from_its_figures(tmp_path, runwear_db, run_cli):
    result = run_cli(str(health_export(tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Imported 3 runs (24.4 km) from 4 files and 3 export entries; "
        "0 duplicates, 3 not runs, 0 errors."
    )
    assert stored_runs(runwear_db)[1] == (
        "2026-11-03T15:30:00Z",
        6.4374,
        "treadmill",
        None,
        "treadmill",
        "apple_health",
        "apple:2026-11-03 08:30:00 -0700|Running",
    )


def test_a_run_in_both_strava_and_apple_health_is_stored_once(tmp_path, runwear_db, run_cli):
    strava_run = sample_workouts()[4].run
    strava = write_strava_export(tmp_path / "export_1.zip", [StravaEntry(901, strava_run)])
    assert run_cli(str(strava)).exit_code == 0
    result = run_cli(str(health_export(tmp_path)))
    assert result.exit_code == 0, result.output
    route = f"{tmp_path}/export.zip/apple_health_export/workout-routes/route_2026-11-06_7.30am.gpx"
    assert any(
        line.startswith(f"{route}: duplicate: same run as activity 1")
        for line in result.output.splitlines()
    ), result.output
    assert [r[6] for r in stored_runs(runwear_db)] == [
        "strava:901",
        "apple:2026-11-03 08:30:00 -0700|Running",
        "apple:2026-11-02 07:30:00 -0700|Running",
    ]


def runkeeper_entries() -> list[SourceEntry]:
    def at(day: int) -> datetime:
        return datetime(2026, 11, day, 7, 0, tzinfo=timezone.utc)

    return [
        SourceEntry(SampleRun(at(2), 5230.0, 1691.0, name="Park loop", step_s=5.0)),
        SourceEntry(SampleRun(at(3), 8000.0, 3725.0), track=False),
        SourceEntry(SampleRun(at(4), 3100.0, 2700.0, sport="walking", step_s=10.0), "Walking"),
    ]


def test_runkeeper_export_imports_gpx_runs_and_entries(tmp_path, runwear_db, run_cli):
    export = write_runkeeper_export(tmp_path / "runkeeper-data-export-1.zip", runkeeper_entries())
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{export}/2026-11-04-070000.gpx: not a run (Walking)",
        "Imported 2 runs (13.2 km) from 2 files and 2 export entries; "
        "0 duplicates, 1 not run, 0 errors.",
    ]
    assert [(r[0], r[1], r[5], r[6]) for r in stored_runs(runwear_db)] == [
        ("2026-11-03T07:00:00Z", 8.0, "manual", "runkeeper:rk-20261103070000"),
        ("2026-11-02T07:00:00Z", 5.23, "gpx", "runkeeper:rk-20261102070000"),
    ]
    with sqlite3.connect(runwear_db) as conn:
        (name,) = conn.execute("select name from activities where format = 'gpx'").fetchone()
    assert name == "Park loop"


def test_polar_and_fitbit_runs_are_stored_from_their_figures(tmp_path, runwear_db, run_cli):
    at = datetime(2026, 11, 9, 6, 0, tzinfo=timezone.utc)
    polar = write_polar_export(
        tmp_path / "polar.zip",
        [
            SourceEntry(SampleRun(at, 10000.0, 3000.0, step_s=30), "RUNNING"),
            SourceEntry(SampleRun(at.replace(day=10), 30000.0, 3600.0), "CYCLING", track=False),
        ],
    )
    fitbit = write_fitbit_export(
        tmp_path / "fitbit.zip",
        [SourceEntry(SampleRun(at.replace(day=11), 4345.576, 2707.0), "Run")],
    )
    result = run_cli(str(polar), str(fitbit))
    assert result.exit_code == 0, result.output
    # The Polar run's file is read for its route: a file, no longer an export entry.
    assert result.output.splitlines()[-1] == (
        "Imported 2 runs (14.3 km) from 4 files and 1 export entry; "
        "0 duplicates, 1 not run, 0 errors."
    )
    assert [(r[0], r[1], r[6]) for r in stored_runs(runwear_db)] == [
        ("2026-11-11T06:00:00Z", 4.3456, "fitbit:25330000"),
        ("2026-11-09T06:00:00Z", 10.0, "polar:training-session-2026-11-09-1000"),
    ]
    with sqlite3.connect(runwear_db) as conn:
        tracks = conn.execute(
            "select a.format, t.points from activities a "
            "left join activity_tracks t on t.activity_id = a.id order by a.started_at"
        ).fetchall()
    assert tracks == [("polar", 101), ("manual", None)]  # the route's 101 positions
    again = run_cli(str(polar))
    assert again.output.splitlines()[-1].startswith("Imported 0 runs (0.0 km) from 3 files")


def test_google_takeout_fit_activities_import(tmp_path, runwear_db, run_cli):
    at = datetime(2026, 11, 12, 6, 0, tzinfo=timezone.utc)
    export = write_google_fit_export(
        tmp_path / "takeout-1.zip",
        [
            SourceEntry(SampleRun(at, 6000.0, 1800.0, step_s=10)),
            SourceEntry(SampleRun(at.replace(day=13), 15000.0, 2700.0, sport="cycling"), "Biking"),
        ],
    )
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Imported 1 run (6.0 km) from 2 files; 0 duplicates, 1 not run (1 kept as "
        "cross-training), 0 errors."
    )
    assert [(r[0], r[1], r[5]) for r in stored_runs(runwear_db)] == [
        ("2026-11-12T06:00:00Z", 6.0, "tcx")
    ]


def test_apple_health_workout_distance_wins_over_its_route(tmp_path, runwear_db, run_cli):
    start = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
    route = SampleRun(start, 7800.0, 2880.0, step_s=10.0)  # GPS cut the corners
    workout = HealthWorkout(SampleRun(start, 8000.0, 2880.0), route=True, route_run=route)
    export = write_health_export(tmp_path / "export.zip", [workout])
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    ((started_at, km, *_),) = stored_runs(runwear_db)
    assert (started_at, km) == ("2026-11-20T15:00:00Z", 8.0)


def test_a_takeout_with_fitbit_and_google_fit_reads_both(tmp_path, runwear_db, run_cli):
    at = datetime(2026, 11, 14, 6, 0, tzinfo=timezone.utc)
    folder = write_fitbit_export(
        tmp_path / "takeout", [SourceEntry(SampleRun(at, 5000.0, 1500.0), "Walk")], zipped=False
    )
    write_google_fit_export(folder, [SourceEntry(SampleRun(at, 6000.0, 1800.0))], zipped=False)
    result = run_cli(str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Imported 1 run (6.0 km) from 2 files and 1 export entry; 0 duplicates, 1 not run, "
        "0 errors."
    )


@pytest.mark.parametrize("strava_file", ["fit", "gpx", None])
def test_a_health_copy_of_a_strava_run_gives_the_same_rows_in_either_order(
    tmp_path, monkeypatch, strava_file
):
    """Health holds a copy of a run Strava wrote to it (sourceName Strava): whichever export
    comes first, one run is stored, from the better copy (FIT > GPX > figures), with
    Strava's id (the run's origin)."""
    strava_run = sample_workouts()[4].run
    strava = write_strava_export(
        tmp_path / "export_1.zip", [StravaEntry(901, strava_run, file=strava_file)]
    )
    health = health_export(tmp_path)
    rows = []
    for order in ((strava, health), (health, strava)):
        db = tmp_path / f"{order[0].stem}-first.db"
        monkeypatch.setenv("RUNWEAR_DB", str(db))
        for export in (*order, *order):  # and again: nothing changes
            result = CliRunner().invoke(cli, ["import", "--jobs", "1", str(export)])
            assert result.exit_code == 0, result.output
        with sqlite3.connect(db) as conn:
            sources = conn.execute(
                "select a.started_at, s.path from activities a "
                "left join sources s on s.id = a.source_id order by a.started_at"
            ).fetchall()
        rows.append((stored_runs(db), sources))
    assert rows[0] == rows[1]
    runs, _ = rows[0]
    assert len(runs) == 3
    kept = {"fit": "fit", "gpx": "gpx", None: "gpx"}[strava_file]
    assert runs[0][5:] == (kept, "strava:901")
