"""Importing whole Strava and Garmin Connect exports: runs, shoes, distances, re-imports."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest import strava
from runwear.ingest.garmin import GarminGear, read_summaries
from runwear.samples.exports import (
    GarminEntry,
    GarminShoeRow,
    StravaEntry,
    StravaShoeRow,
    garmin_summaries_json,
    strava_activities_csv,
    write_garmin_export,
    write_strava_export,
)
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun


def run(day: int, km: float, name: str = "Morning Run", hour: int = 7) -> SampleRun:
    """A run on May `day` 2026 at `hour` UTC, 5:00/km, a point every 5 s."""
    return SampleRun(
        started_at=datetime(2026, 5, day, hour, tzinfo=timezone.utc),
        distance_m=km * 1000,
        duration_s=km * 300,
        name=name,
        step_s=5.0,
    )


STRAVA_SHOES = [
    StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run"),  # a nickname; the default for runs
    StravaShoeRow("", "Hoka", "Speedgoat 5", "Trail Run"),  # no nickname; default for trail
    StravaShoeRow("Race day", "Asics", "Metaspeed Sky"),
]
STRAVA_ENTRIES = [
    StravaEntry(101, run(1, 10, "Easy"), file="gpx", gear="Peggy"),
    StravaEntry(
        102, run(2, 12, "Hills"), "Trail Run", "fit.gz", gear="Hoka Speedgoat 5", old_date=True
    ),
    StravaEntry(103, run(3, 5, "Zwift"), "Virtual Run", "tcx.gz", tcx_leading="  \n "),
    StravaEntry(104, run(4, 8.0375, "Treadmill"), file=None, gear="Asics Metaspeed Sky Race day"),
    StravaEntry(105, run(5, 30, "Ride"), "Ride", "gpx"),
    StravaEntry(106, run(6, 6.0125, "Lost"), file="gpx.gz", missing=True, old_date=True),
    StravaEntry(107, run(7, 7, "Tempo"), file="tcx", gear="Nike Pegasus 40"),
    StravaEntry(108, run(8, 4, "Stroll"), "Walk", None),
    StravaEntry(109, run(9, 21, "Half"), file="fit", gear="Race day"),
]
STRAVA_SUMMARY = (
    "Imported 7 runs (69.1 km) from 7 files and 4 export entries; 3 shoes created; "
    "0 duplicates, 2 not runs (2 kept as cross-training), 0 errors."
)
# (started_at, km, sub_sport, shoe, surface, format, external_id), newest first
STRAVA_RUNS = [
    ("2026-05-09T07:00:00Z", 21.0, "generic", "Race day", "unknown", "fit", "strava:109"),
    ("2026-05-07T07:00:00Z", 7.0, "generic", "Peggy", "unknown", "tcx", "strava:107"),
    ("2026-05-06T07:00:00Z", 6.0125, "generic", None, "unknown", "strava", "strava:106"),
    ("2026-05-04T07:00:00Z", 8.0375, "generic", "Race day", "unknown", "manual", "strava:104"),
    ("2026-05-03T07:00:00Z", 5.0, "virtual_activity", None, "treadmill", "tcx", "strava:103"),
    ("2026-05-02T07:00:00Z", 12.0, "trail", "Hoka Speedgoat 5", "trail", "fit", "strava:102"),
    ("2026-05-01T07:00:00Z", 10.0, "generic", "Peggy", "unknown", "gpx", "strava:101"),
]

GARMIN_SHOES = [
    GarminShoeRow(11, "Nike", "Nike Pegasus 40", nickname="Daily", maximum_m=800_000),
    GarminShoeRow(12, "Hoka", "Hoka Speedgoat 5", status="retired", date_end="2026-05-30T00:00"),
]
GARMIN_ENTRIES = [
    GarminEntry(1, run(10, 10, "Easy"), gear_pk=11, upload_id=9001),
    GarminEntry(2, run(11, 8, "Hills"), "trail_running", gear_pk=12, upload_id=9002),
    GarminEntry(3, run(12, 5, "Belt"), "treadmill_running", manual=True),
    GarminEntry(4, run(13, 9.5, "Oval"), "track_running"),  # no file in the export
    GarminEntry(5, run(14, 30, "Ride"), "cycling", upload_id=9005),  # the summary says ride
    GarminEntry(6, run(15, 6, "Indoor"), "indoor_running", upload_id=9006),
    GarminEntry(7, run(16, 7, "Zwift"), "virtual_run", gear_pk=11, upload_id=9007),
]
GARMIN_SUMMARY = (
    "Imported 6 runs (45.5 km) from 7 files and 2 export entries; 2 shoes created; "
    "0 duplicates, 1 not run (1 kept as cross-training), 0 errors."
)
GARMIN_RUNS = [
    ("2026-05-16T07:00:00Z", 7.0, "virtual_activity", "Daily", "treadmill", "fit", "garmin:7"),
    ("2026-05-15T07:00:00Z", 6.0, "indoor_running", None, "track", "fit", "garmin:6"),
    ("2026-05-13T07:00:00Z", 9.5, "track", None, "track", "garmin", "garmin:4"),
    ("2026-05-12T07:00:00Z", 5.0, "treadmill", None, "treadmill", "manual", "garmin:3"),
    ("2026-05-11T07:00:00Z", 8.0, "trail", "Hoka Speedgoat 5", "trail", "fit", "garmin:2"),
    ("2026-05-10T07:00:00Z", 10.0, "generic", "Daily", "unknown", "fit", "garmin:1"),
]


@pytest.fixture
def run_cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["import", "--jobs", "1", *args], catch_exceptions=False)

    return invoke


def stored_runs(db: Path) -> list[tuple]:
    """The runs as (started_at, km, sub_sport, shoe, surface, format, external_id)."""
    with sqlite3.connect(db) as conn:
        return [
            (r[0], round(r[1] / 1000, 4), *r[2:])
            for r in conn.execute(
                "select a.started_at, a.distance_m, a.sub_sport, s.name, a.surface, a.format, "
                "a.external_id from activities a left join shoes s on s.id = a.shoe_id "
                "where a.sport = 'running' order by a.started_at desc"
            )
        ]


def stored_shoes(db: Path) -> list[tuple]:
    """The shoes as (name, brand, model, limit_m, retired_on, is_default, default_for)."""
    with sqlite3.connect(db) as conn:
        return list(
            conn.execute(
                "select name, brand, model, limit_m, retired_on, is_default, default_for "
                "from shoes order by id"
            )
        )


# -- Strava --------------------------------------------------------------------------------


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "folder"])
def test_strava_export(tmp_path, runwear_db, run_cli, zipped):
    export = write_strava_export(
        tmp_path / ("export_1234.zip" if zipped else "export_1234"),
        STRAVA_ENTRIES,
        STRAVA_SHOES,
        zipped=zipped,
    )
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == STRAVA_SUMMARY
    assert lines[:-1] == [
        f"{export}/activities/105.gpx: not a run (Ride)",
        f"{export}/activities.csv line 7: activities/106.gpx.gz is listed in activities.csv "
        "but not in the export: run imported from activities.csv, without a track",
        f"{export}/activities.csv line 9: not a run (Walk)",
    ]
    assert stored_runs(runwear_db) == STRAVA_RUNS
    assert stored_shoes(runwear_db) == [
        ("Peggy", "Nike", "Pegasus 40", None, None, 1, None),
        ("Hoka Speedgoat 5", "Hoka", "Speedgoat 5", None, None, 0, "trail"),
        ("Race day", "Asics", "Metaspeed Sky", None, None, 0, None),
    ]
    with sqlite3.connect(runwear_db) as conn:
        tracks = dict(
            conn.execute(
                "select a.external_id, t.points from activities a "
                "left join activity_tracks t on t.activity_id = a.id"
            )
        )
    assert tracks["strava:104"] is None and tracks["strava:106"] is None  # no file, no track
    assert tracks["strava:101"] > 100

    again = run_cli(str(export))
    assert again.exit_code == 0
    assert again.output.splitlines()[-1] == (
        "Imported 0 runs (0.0 km) from 7 files and 4 export entries; "
        "9 duplicates, 0 not runs, 0 errors."  # the walk and the ride were kept the first time
    )
    assert stored_runs(runwear_db) == STRAVA_RUNS
    assert len(stored_shoes(runwear_db)) == 3


def test_strava_export_in_a_top_folder_inside_the_zip(tmp_path, runwear_db, run_cli):
    folder = write_strava_export(
        tmp_path / "unpacked" / "export_1234", STRAVA_ENTRIES, STRAVA_SHOES, zipped=False
    )
    result = run_cli(str(folder.parent))
    assert result.output.splitlines()[-1] == STRAVA_SUMMARY
    assert stored_runs(runwear_db) == STRAVA_RUNS


def test_strava_gear_without_a_shoe_row_becomes_a_shoe(tmp_path, runwear_db, run_cli):
    entries = [StravaEntry(1, run(1, 10), gear="Old faithful"), StravaEntry(2, run(2, 5))]
    result = run_cli(str(write_strava_export(tmp_path / "e.zip", entries)))
    assert "1 shoe created" in result.output
    assert [r[3] for r in stored_runs(runwear_db)] == [None, "Old faithful"]


def test_strava_runs_without_gear_get_no_default_shoe(tmp_path, runwear_db, run_cli):
    CliRunner().invoke(cli, ["shoe", "add", "Everyday", "--default"])
    entries = [StravaEntry(1, run(1, 10)), StravaEntry(2, run(2, 5), file=None)]
    run_cli(str(write_strava_export(tmp_path / "e.zip", entries)))
    assert [r[3] for r in stored_runs(runwear_db)] == [None, None]


def test_unreadable_file_in_an_export_keeps_the_run_from_the_csv(tmp_path, runwear_db, run_cli):
    export = write_strava_export(
        tmp_path / "e", [StravaEntry(1, run(1, 10), file="fit", gear="Peggy")], zipped=False
    )
    broken = export / "activities" / "1.fit"
    broken.write_bytes(broken.read_bytes()[:300])
    result = run_cli(str(export))
    assert result.exit_code == 1
    assert f"{broken}: error: truncated FIT file" in result.output
    assert "its run was imported from activities.csv, without a track" in result.output
    assert stored_runs(runwear_db) == [
        ("2026-05-01T07:00:00Z", 10.0, "generic", "Peggy", "unknown", "strava", "strava:1")
    ]
    again = run_cli(str(export))
    assert "its run is stored already" in again.output
    assert len(stored_runs(runwear_db)) == 1


def test_strava_filename_leaving_the_folder_is_not_read(tmp_path, runwear_db, run_cli):
    (tmp_path / "secret.gpx").write_bytes(gpx_bytes([run(1, 10)]))
    export = tmp_path / "export"
    export.mkdir()
    entry = StravaEntry(1, run(2, 5), file="gpx")
    csv = strava_activities_csv([entry]).replace(b"activities/1.gpx", b"../secret.gpx")
    (export / "activities.csv").write_bytes(csv)
    result = run_cli(str(export))
    assert "../secret.gpx is listed in activities.csv but not in the export" in result.output
    assert [r[0] for r in stored_runs(runwear_db)] == ["2026-05-02T07:00:00Z"]


def test_activities_csv_by_position_dates_and_units():
    header = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
        "Elapsed Time,Distance,Relative Effort,Commute,Activity Gear,Filename,Athlete Weight,"
        "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain"
    )
    rows = [
        '1,"Sep 12, 2018, 3:02:23 PM",Lunch,Run,,1800,5.01,,false,Peggy,activities/1.gpx,'
        ",,1800.0,1700.0,5012.3,3.1,2.8,41.0",
        "2,2018-09-13 06:05:00,Dawn,Trail Run,,900,2.50,,false,,,,,900.0,900.0,2500.0,,,",
        '3,"Jan 1, 2020, 12:30:00 AM",Odd,Běh,,60,1.00,,false,,,,,60.0,60.0,1000.0,,,',
        "4,yesterday,Bad,Run,,60,1.00,,false,,,,,60.0,60.0,1000.0,,,",
    ]
    parsed = strava.read_activities(("\n".join([header, *rows]) + "\n").encode())
    first, second, third, fourth = parsed
    assert first.facts.started_at == datetime(2018, 9, 12, 15, 2, 23, tzinfo=timezone.utc)
    assert (first.facts.distance_m, first.facts.duration_s, first.facts.moving_s) == (
        5012.3,
        1800.0,
        1700.0,
    )
    assert (first.facts.ascent_m, first.gear, first.filename) == (41.0, "Peggy", "activities/1.gpx")
    assert (second.facts.sport, second.facts.sub_sport) == ("running", "trail")
    assert second.facts.manual and not first.facts.manual
    assert third.facts.started_at == datetime(2020, 1, 1, 0, 30, tzinfo=timezone.utc)
    assert third.facts.sport is None  # a type runwear does not know: the file decides
    assert fourth.error == "unreadable Activity Date 'yesterday'"


def test_activities_csv_with_a_localised_header_is_read_by_the_known_layout():
    entry = StravaEntry(7, run(3, 12.5), file="gpx", gear="Peggy")
    data = strava_activities_csv([entry]).decode().split("\n", 1)
    localised = (
        "ID aktivity,Datum aktivity,Název aktivity"
        + data[0][len("Activity ID,Activity Date,Activity Name") :]
    )
    [row] = strava.read_activities((localised + "\n" + data[1]).encode())
    assert (row.facts.external_id, row.facts.distance_m, row.gear) == ("strava:7", 12500.0, "Peggy")


def test_gear_index_matches_name_brand_model_and_refuses_shared_keys():
    shoes = [
        strava.StravaShoe("Peggy", "Nike", "Pegasus 40", ("run",)),
        strava.StravaShoe("Spare", "Nike", "Pegasus 40", ()),
        strava.StravaShoe("", "Hoka", "Clifton 9", ()),
    ]
    index = strava.GearIndex(shoes)
    assert index.find("peggy") is shoes[0]
    assert index.find("Nike  Pegasus 40 Spare") is shoes[1]
    assert index.find("Nike Pegasus 40") is None  # two pairs answer to it
    assert index.find("Hoka Clifton 9") is shoes[2]
    assert index.find("12345") is None


# -- Garmin --------------------------------------------------------------------------------


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "folder"])
def test_garmin_export(tmp_path, runwear_db, run_cli, zipped):
    export = write_garmin_export(
        tmp_path / ("garmin.zip" if zipped else "garmin"),
        GARMIN_ENTRIES,
        GARMIN_SHOES,
        zipped=zipped,
        extra_files={"notes.txt": b"not an activity"},
    )
    result = run_cli(str(export))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == GARMIN_SUMMARY
    uploads = f"{export}/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
    summaries = (
        f"{export}/DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json"
    )
    assert lines[:-1] == [
        f"{uploads}/runner@example.com_9005.fit: not a run (cycling)",
        f"{summaries} activity 4: no file for it in the export: run imported from its Garmin "
        "summary, without a track",
    ]
    assert stored_runs(runwear_db) == GARMIN_RUNS
    assert stored_shoes(runwear_db) == [
        ("Daily", "Nike", "Pegasus 40", 800_000.0, None, 0, None),
        ("Hoka Speedgoat 5", "Hoka", "Speedgoat 5", None, "2026-05-30", 0, None),
    ]
    again = run_cli(str(export))
    assert again.output.splitlines()[-1] == (
        "Imported 0 runs (0.0 km) from 7 files and 2 export entries; "
        "6 duplicates, 1 not run, 0 errors."
    )
    assert stored_runs(runwear_db) == GARMIN_RUNS


def test_garmin_summaries_units_and_types():
    data = garmin_summaries_json([GARMIN_ENTRIES[1], GARMIN_ENTRIES[2]])
    gear = GarminGear((), {2: "garmin:12"})
    import io

    trail, belt = read_summaries(io.BytesIO(data), gear)
    assert (trail.external_id, trail.sport, trail.sub_sport, trail.shoe) == (
        "garmin:2",
        "running",
        "trail",
        "garmin:12",
    )
    assert (trail.distance_m, trail.duration_s) == (8000.0, 2400.0)
    assert trail.started_at == datetime(2026, 5, 11, 7, tzinfo=timezone.utc)
    assert (belt.sub_sport, belt.manual) == ("treadmill", True)


# -- the same run from an export and from the watch ---------------------------------------


def watch_file(folder: Path, sample: SampleRun) -> Path:
    """The watch's own FIT file of a run."""
    folder.mkdir(exist_ok=True)
    path = folder / f"{sample.started_at:%Y-%m-%d}.fit"
    path.write_bytes(fit_activity_bytes([sample], device="garmin fenix5"))
    return path


def test_export_shoe_replaces_a_default_shoe_on_a_watch_run(tmp_path, runwear_db, run_cli):
    CliRunner().invoke(cli, ["shoe", "add", "Everyday", "--default", "--surface", "concrete"])
    sample = run(1, 10, "Easy")
    assert run_cli(str(watch_file(tmp_path / "watch", sample))).exit_code == 0
    assert stored_runs(runwear_db)[0][3:5] == ("Everyday", "concrete")
    export = write_strava_export(
        tmp_path / "e.zip", [StravaEntry(101, sample, file="gpx", gear="Peggy")], STRAVA_SHOES
    )
    result = run_cli(str(export))
    assert (
        f"{export}/activities/101.gpx: duplicate: same run as activity 1 "
        "(fit, 2026-05-01T07:00:00Z); shoe set to Peggy as the export says"
    ) in result.output
    assert stored_runs(runwear_db) == [
        ("2026-05-01T07:00:00Z", 10.0, "generic", "Peggy", "unknown", "fit", "strava:101")
    ]
    assert run_cli(str(export)).output.splitlines()[-1].startswith("Imported 0 runs")


def test_manual_shoe_is_never_replaced_by_the_export(tmp_path, runwear_db, run_cli):
    CliRunner().invoke(cli, ["shoe", "add", "Mine"])
    sample = run(1, 10)
    run_cli(str(watch_file(tmp_path / "watch", sample)), "--shoe", "Mine")
    export = write_strava_export(
        tmp_path / "e.zip", [StravaEntry(101, sample, file="gpx", gear="Peggy")], STRAVA_SHOES
    )
    result = run_cli(str(export))
    assert "same run as activity 1 (fit, 2026-05-01T07:00:00Z)\n" in result.output
    assert stored_runs(runwear_db)[0][3] == "Mine"


def test_watch_file_after_the_export_keeps_the_export_shoe(tmp_path, runwear_db, run_cli):
    CliRunner().invoke(cli, ["shoe", "add", "Everyday", "--default"])
    sample = run(1, 10)
    export = write_strava_export(
        tmp_path / "e.zip", [StravaEntry(101, sample, file="gpx", gear="Peggy")], STRAVA_SHOES
    )
    run_cli(str(export))
    result = run_cli(str(watch_file(tmp_path / "watch", sample)))
    assert "duplicate: a better copy of activity 1 (fit over gpx)" in result.output
    assert stored_runs(runwear_db) == [
        ("2026-05-01T07:00:00Z", 10.0, "generic", "Peggy", "unknown", "fit", "strava:101")
    ]


def test_garmin_export_tags_the_same_bytes_imported_from_the_watch(tmp_path, runwear_db, run_cli):
    CliRunner().invoke(cli, ["shoe", "add", "Everyday", "--default"])
    entry = GARMIN_ENTRIES[0]
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "a.fit").write_bytes(fit_activity_bytes([entry.run], device="garmin"))
    run_cli(str(watch))
    export = write_garmin_export(tmp_path / "g.zip", [entry], GARMIN_SHOES)
    result = run_cli(str(export))
    assert "already imported (same bytes as" in result.output
    assert "; shoe set to Daily as the export says" in result.output
    assert stored_runs(runwear_db) == [
        ("2026-05-10T07:00:00Z", 10.0, "generic", "Daily", "unknown", "fit", "garmin:1")
    ]
    assert run_cli(str(export)).output.splitlines()[-1] == (
        "Imported 0 runs (0.0 km) from 3 files; 1 duplicate, 0 not runs, 0 errors."
    )


# -- output --------------------------------------------------------------------------------


def test_routine_lines_are_counted_when_over_twenty(tmp_path, run_cli):
    entries = [StravaEntry(i, run(1 + i % 28, 5, hour=i // 28), file="gpx") for i in range(30)]
    entries += [StravaEntry(100 + i, run(1 + i, 20, hour=12), "Ride", "gpx") for i in range(3)]
    export = write_strava_export(tmp_path / "e.zip", entries)
    first = run_cli(str(export))
    assert first.output.splitlines()[:-1] == [
        f"{export}/activities/{i}.gpx: not a run (Ride)" for i in (100, 101, 102)
    ]
    again = run_cli(str(export))
    assert again.output.splitlines() == [
        "33 duplicates not listed one by one (--verbose lists them).",
        "Imported 0 runs (0.0 km) from 32 files and 3 export entries; 33 duplicates, 0 not runs, "
        "0 errors.",
    ]
    verbose = run_cli(str(export), "--verbose")
    assert len(verbose.output.splitlines()) == 34
    quiet = run_cli(str(export), "--quiet")
    assert quiet.output.splitlines() == [
        "Imported 0 runs (0.0 km) from 32 files and 3 export entries; 33 duplicates, 0 not runs, "
        "0 errors."
    ]


def test_export_json_listing_shows_export_runs(tmp_path, run_cli):
    run_cli(str(write_strava_export(tmp_path / "e.zip", STRAVA_ENTRIES, STRAVA_SHOES)))
    listed = json.loads(CliRunner().invoke(cli, ["activities", "--json"]).output)
    assert [(a["name"], a["distance_km"], a["shoe"]) for a in listed][:2] == [
        ("Half", 21.0, "Race day"),
        ("Tempo", 7.0, "Peggy"),
    ]
