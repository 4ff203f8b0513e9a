"""Account exports wherever they sit in a runner's folder (issue 9): unpacked below it, in the
old Strava layout, beside lookalike CSV files; what is said when nothing can be imported."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.samples.exports import (
    GarminEntry,
    GarminShoeRow,
    StravaEntry,
    StravaShoeRow,
    write_garmin_export,
    write_strava_export,
)
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

GARMIN_LIST = (
    "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR,Aerobic TE,"
    "Avg Run Cadence,Max Run Cadence,Avg Pace,Best Pace\n"
    "Running,2024-03-02 07:00:00,false,Morning Run,10.02,700,00:50:00,150,170,3.1,159,171,"
    "5:00,4:30\n"
    "Running,2024-03-04 07:00:00,false,Easy,5.01,350,00:26:00,140,155,2.1,162,175,5:12,4:50\n"
)


def run(day: int, km: float, name: str = "Run") -> SampleRun:
    """A run on March `day` 2024, 5:00/km, a point every 5 s."""
    return SampleRun(
        started_at=datetime(2024, 3, day, 7, tzinfo=timezone.utc),
        distance_m=km * 1000,
        duration_s=km * 300,
        name=name,
        step_s=5.0,
    )


def invoke(*args: str):
    return CliRunner().invoke(cli, ["import", "--jobs", "1", *args])


def rows(db, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_csv_only_strava_export_below_a_folder_is_read_as_an_export(tmp_path, runwear_db):
    downloads = tmp_path / "Downloads"
    entries = [
        StravaEntry(1, run(1, 10), file=None, gear="Peggy"),
        StravaEntry(2, run(2, 6), file=None, gear="Peggy"),
        StravaEntry(3, run(3, 30), "Ride", None),
    ]
    write_strava_export(
        downloads / "export_42", entries, [StravaShoeRow("Peggy", "Nike", "Pegasus")], zipped=False
    )
    (downloads / "loose.gpx").write_bytes(gpx_bytes([run(9, 5)]))
    result = invoke(str(downloads))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Imported 3 runs (21.0 km) from 3 files and 3 export entries; 1 shoe created; "
        "0 duplicates, 1 not run (1 kept as cross-training), 0 errors."
    )
    assert rows(runwear_db, "select name from shoes") == [("Peggy",)]
    assert rows(
        runwear_db, "select count(*) from activities a join shoes s on s.id = a.shoe_id"
    ) == [(2,)]


def test_a_garmin_export_below_a_folder_is_read_as_an_export(tmp_path, runwear_db):
    entries = [GarminEntry(1, run(1, 10), gear_pk=7, upload_id=901)]
    write_garmin_export(
        tmp_path / "in" / "garmin", entries, [GarminShoeRow(7, "Asics", "Novablast")], zipped=False
    )
    result = invoke(str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    assert rows(runwear_db, "select s.name from activities a join shoes s on s.id = a.shoe_id") == [
        ("Novablast",)
    ]


@pytest.mark.parametrize("km", [False, True], ids=["metres", "km"])
def test_old_strava_layout_is_read_with_its_files_and_gear(tmp_path, runwear_db, km):
    entries = [
        StravaEntry(11, run(1, 10), file="gpx", gear="Old Pegs"),
        StravaEntry(12, run(2, 8), file="gpx.gz", gear="Old Pegs"),
        StravaEntry(13, run(3, 5.5), file=None),
        StravaEntry(14, run(4, 30), "Ride", "gpx"),
    ]
    export = write_strava_export(tmp_path / "old.zip", entries, old_layout=True, km=km)
    result = invoke(str(export))
    assert result.exit_code == 0, result.output
    assert "1 shoe created" in result.output
    stored = rows(
        runwear_db,
        "select external_id, round(distance_m), format from activities where sport = 'running' "
        "order by started_at",
    )
    assert stored == [
        ("strava:11", 10000, "gpx"),
        ("strava:12", 8000, "gpx"),
        ("strava:13", 5500, "manual"),
    ]
    assert rows(runwear_db, "select name from shoes") == [("Old Pegs",)]


def test_garmin_activity_list_is_refused_in_one_line_and_makes_no_shoe(tmp_path, runwear_db):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "activities.csv").write_text(GARMIN_LIST)
    (folder / "run.fit").write_bytes(fit_activity_bytes([run(5, 7)]))
    result = invoke(str(folder))
    lines = result.output.splitlines()
    listing = folder / "activities.csv"
    assert lines[0].startswith(f"{listing}: error: a Garmin Connect activity list")
    assert lines[-1] == "Imported 1 run (7.0 km) from 2 files; 0 duplicates, 0 not runs, 1 error."
    assert rows(runwear_db, "select count(*) from shoes") == [(0,)]


def test_a_garmin_list_inside_a_strava_like_folder_never_makes_numeric_shoes(tmp_path, runwear_db):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "activities.csv").write_text(GARMIN_LIST)
    (folder / "profile.csv").write_text("Athlete ID\n1\n")
    result = invoke(str(folder))
    assert "a Garmin Connect activity list" in result.output
    assert rows(runwear_db, "select count(*) from shoes") == [(0,)]
    assert result.exit_code == 1


def test_naming_activities_csv_says_to_import_its_folder(tmp_path, runwear_db):
    export = write_strava_export(tmp_path / "export", [StravaEntry(1, run(1, 5))], zipped=False)
    result = invoke(str(export / "activities.csv"))
    assert result.output.splitlines()[0] == (
        f"{export / 'activities.csv'}: error: the list of a Strava export's activities: import "
        f"the folder that holds it (runwear import {export}), so its files and shoes come with it"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_nothing_importable_says_what_it_looked_for(tmp_path, runwear_db, kind):
    import zipfile

    if kind == "folder":
        path = tmp_path / "empty"
        path.mkdir()
        (path / "notes.txt").write_text("hello")
    else:
        path = tmp_path / "photos.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.jpg", b"\xff\xd8")
    result = invoke(str(path))
    assert result.output.splitlines()[0] == (
        f"{path}: error: nothing runwear can import here. It looked for .gpx, .fit and .tcx "
        "files, also gzipped (.gpx.gz, .fit.gz, .tcx.gz), zips of them, and Strava or Garmin "
        "Connect exports"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        (b'{"activityId": ' + b"9" * 5001 + b"}", "too long"),
        (b'{"activityId": 1, "name": "ha', "cut short"),
        (
            json.dumps([{"summarizedActivitiesExport": []}]).encode("utf-16"),
            None,
        ),
    ],
    ids=["deep", "huge-number", "cut", "utf-16"],
)
def test_garmin_json_that_cannot_be_read_is_one_line_and_the_fit_files_still_import(
    tmp_path, runwear_db, content, reason
):
    entries = [GarminEntry(1, run(1, 10), upload_id=901), GarminEntry(2, run(2, 6), upload_id=902)]
    export = write_garmin_export(tmp_path / "g", entries, zipped=False)
    [summaries] = (export / "DI_CONNECT" / "DI-Connect-Fitness").glob("*summarized*")
    wrapped = content if reason is None else b'[{"summarizedActivitiesExport": [' + content
    if reason in ("nested too deep", "too long"):
        wrapped += b"]}]"
    summaries.write_bytes(wrapped)
    result = invoke(str(export))
    lines = result.output.splitlines()
    assert "Traceback" not in result.output
    assert lines[-1].startswith("Imported 2 runs (16.0 km)"), result.output
    if reason is None:
        assert result.exit_code == 0, result.output
    else:
        [line] = [x for x in lines if x.startswith(f"{summaries}: error: ")]
        assert reason in line
        assert result.exit_code == 1
