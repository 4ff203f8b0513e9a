"""Importing real device FIT files (../shared/fixtures/fit-real) through the command line."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from runwear.cli import cli


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Import the whole real-file folder once; give the output and the stored runs."""
    from .conftest import FIT_REAL

    if not FIT_REAL.is_dir():
        pytest.skip(f"real FIT fixtures not found at {FIT_REAL}")
    db = tmp_path_factory.mktemp("real") / "runwear.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "import", str(FIT_REAL)], catch_exceptions=False)
    runs = json.loads(runner.invoke(cli, ["--db", str(db), "activities", "--json"]).output)
    lines = {}
    for line in result.output.splitlines()[:-1]:
        path, detail = line.split(": ", 1)
        lines[path.rsplit("/", 1)[-1]] = detail
    metres = {
        row[0]: row[1]
        for row in sqlite3.connect(db).execute(
            "select started_at, distance_m from activities where sport = 'running'"
        )
    }
    return result, lines, runs, metres


def test_exit_code_and_no_traceback(imported):
    result, _, _, _ = imported
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1].startswith("Imported 6 runs")
    assert "3 too short" in result.output.splitlines()[-1]


def test_single_runs_have_the_device_distance(imported):
    _, _, _, metres = imported
    assert metres["2013-02-06T12:11:14Z"] == pytest.approx(4835.38)  # Forerunner 110
    assert metres["2015-08-15T14:45:08Z"] == pytest.approx(9008.22)  # fenix 2 run


def test_runs_under_200_m_are_too_short_to_store(imported):
    _, lines, _, metres = imported
    assert "2017-06-11T14:34:09Z" not in metres  # fenix 5, 157.56 m
    assert lines["garmin-fenix-5-run.fit"] == ("too short to count as a run (158 m; under 200 m)")
    assert lines["Activity.fit"].startswith("too short to count as a run (6 m")


def metres_on(metres, day):
    return sorted(m for start, m in metres.items() if start.startswith(day))


def test_multisport_file_gives_one_run_per_running_session(imported):
    _, lines, runs, metres = imported
    assert "activity-large-fenxi2-multisport.fit" not in lines  # simply imported
    assert metres_on(metres, "2015-08-29") == pytest.approx([2245.23, 12740.37])
    assert metres_on(metres, "2018-05-27") == pytest.approx([9805.92])
    assert {r["sub_sport"] for r in runs} == {"generic"}


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("garmin-fenix-5-walk.fit", "walking"),
        ("garmin-fenix-5-bike.fit", "cycling"),
        ("garmin-edge-500-activity.fit", "cycling"),
        ("event_timestamp.fit", "swimming"),
        # fitparse 1.2.0 refused it (a field of 1 byte declared uint32): now read, a ride.
        ("coros-pace-2-cycling-misaligned-fields.fit", "cycling"),
    ],
)
def test_walks_rides_and_swims_are_not_runs(imported, name, sport):
    _, lines, _, _ = imported
    assert lines[name] == f"not a run ({sport})"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Settings.fit", "settings"),
        ("Settings2.fit", "settings"),
        ("WorkoutRepeatSteps.fit", "workout"),
        ("MonitoringFile.fit", "monitoring_b"),
        ("WeightScaleSingleUser.fit", "weight"),
    ],
)
def test_settings_and_workouts_are_not_activities(imported, name, kind):
    _, lines, _, _ = imported
    assert lines[name] == f"not an activity ({kind} file)"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("activity-filecrc.fit", "FIT file fails its CRC check (corrupted)"),
        ("activity-activity-filecrc.fit", "FIT file fails its CRC check (corrupted)"),
        ("activity-settings-corruptheader.fit", "corrupt FIT file (bad header inside the file)"),
        ("activity-unexpected-eof.fit", "truncated FIT file"),
        ("activity-settings-nodata.fit", "truncated FIT file"),
        ("nick.fit", "truncated FIT file"),
        (
            "strava-android-app-201.10-b1218918.fit",
            "corrupt FIT file (a message of undefined local type 11 at byte 7471: bytes lost",
        ),
        ("compressed-speed-distance.fit", "implausible start date 1990-07-18"),
    ],
)
def test_broken_files_are_one_error_line(imported, name, reason):
    _, lines, _, _ = imported
    assert lines[name].startswith(f"error: {reason}")
