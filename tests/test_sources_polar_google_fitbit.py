"""Polar Flow, Google Takeout (Fit) and Fitbit exports: recognised by contents, runs read."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from runwear.ingest import fitbit, google_fit, polar
from runwear.ingest.archive import open_container
from runwear.ingest.files import parse_source
from runwear.ingest.model import IngestError
from runwear.ingest.tcx import parse_tcx
from runwear.samples.route import SampleRun
from runwear.samples.sources import (
    SourceEntry,
    polar_session_json,
    write_fitbit_export,
    write_google_fit_export,
    write_polar_export,
)

MAX = 10 << 20


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 6, 15, tzinfo=timezone.utc)


def test_polar_sessions(tmp_path):
    sessions = [
        SourceEntry(SampleRun(at(2), 10000.0, 3000.0, name="Tempo", step_s=10), "RUNNING"),
        SourceEntry(SampleRun(at(3), 7000.0, 2400.0), "TREADMILL_RUNNING", track=False),
        SourceEntry(SampleRun(at(4), 30000.0, 3600.0, sport="cycling"), "ROAD_BIKING"),
        SourceEntry(SampleRun(at(5), 0.0, 1200.0), "KETTLEBELL", track=False),
    ]
    path = write_polar_export(tmp_path / "polar-user-data-export.zip", sessions)
    with open_container(path) as container:
        assert polar.is_polar_export(container)
        assert not fitbit.is_fitbit_export(container)
        read = [
            polar.read_session(container.read(m, MAX), m.path)
            for m in polar.session_files(container)
        ]
    got = [
        (s.facts.sport, s.facts.sub_sport, s.facts.distance_m, s.facts.duration_s, len(s.track) > 0)
        for s in read
    ]
    assert got == [
        ("running", "generic", 10000.0, 3000.0, True),
        ("running", "treadmill", 7000.0, 2400.0, False),
        ("cycling", "road", 30000.0, 3600.0, True),
        ("kettlebell", None, None, 1200.0, False),  # unknown sport: named, not a run
    ]
    assert read[0].facts.started_at == at(2)
    assert read[0].facts.name == "Tempo"
    assert read[0].facts.external_id == "polar:training-session-2026-11-02-1000"
    assert len(read[0].track) == 301


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"startTime": "2026-11-02T06:15:00.000", "exercises": []}, "no exercises"),
        ({"exercises": [{"sport": "RUNNING"}]}, "no readable startTime"),
        ([], r"not a Polar training session \(no JSON object"),
    ],
)
def test_polar_file_lacking_what_runwear_needs_is_one_line(document, message):
    with pytest.raises(IngestError, match=message) as caught:
        polar.read_session(json.dumps(document).encode(), "training-session-1.json")
    assert "\n" not in str(caught.value)


def test_polar_iso_durations():
    assert polar._seconds("PT1H2M3.5S") == 3723.5
    assert polar._seconds("PT") is None
    assert polar._seconds(12) is None


def test_google_fit_activities_are_tcx_files(tmp_path):
    runs = [
        SourceEntry(SampleRun(at(2), 5000.0, 1500.0)),
        SourceEntry(SampleRun(at(3), 12000.0, 2400.0, sport="cycling"), "Biking"),
    ]
    path = write_google_fit_export(tmp_path / "takeout-20261130.zip", runs)
    with open_container(path) as container:
        assert google_fit.is_google_fit_export(container)
        files = google_fit.activity_files(container)
        parsed = [parse_tcx(container.read(m, MAX)).activities[0] for m in files]
    assert [m.path for m in files] == [
        "Takeout/Fit/Activities/2026-11-02T06_15_00+00_00_RUNNING.tcx",
        "Takeout/Fit/Activities/2026-11-03T06_15_00+00_00_BIKING.tcx",
    ]
    assert [(a.sport, round(a.distance_m)) for a in parsed] == [
        ("running", 5000),
        ("cycling", 12000),
    ]


def test_fitbit_exercises(tmp_path):
    runs = [
        SourceEntry(SampleRun(at(2), 4345.576, 2707.0), "Run", entry_id="253307636"),
        SourceEntry(SampleRun(at(3), 6000.0, 2000.0), "ランニング"),  # localised name
        SourceEntry(SampleRun(at(4), 20000.0, 3600.0, sport="cycling"), "Bike"),
    ]
    path = write_fitbit_export(tmp_path / "takeout.zip", runs)
    with open_container(path) as container:
        assert fitbit.is_fitbit_export(container)
        assert not google_fit.is_google_fit_export(container)
        (member,) = fitbit.exercise_files(container)
        read = fitbit.read_exercises(container.read(member, MAX))
    got = [
        (f.external_id, f.sport, round(f.distance_m or 0, 3), f.duration_s, f.started_at)
        for f in read.exercises
    ]
    assert got[0] == ("fitbit:253307636", "running", 4345.576, 2707.0, at(2))
    assert got[1][1] == "generic"  # a localised name without the Run type id is not a run
    assert got[2][1] == "cycling"
    assert read.skipped == ()


def test_fitbit_localised_run_counts_by_its_type_id_and_bad_items_are_named():
    data = json.dumps(
        [
            {
                "logId": 1,
                "activityName": "Laufen",
                "activityTypeId": 90009,
                "startTime": "10/22/23 07:37:43",
                "distance": 3.1,
                "distanceUnit": "Mile",
            },
            {"logId": 2, "activityName": "Run", "startTime": "yesterday"},
        ]
    ).encode()
    read = fitbit.read_exercises(data)
    (run,) = read.exercises
    assert run.is_run and run.distance_m == pytest.approx(4988.97, abs=0.01)
    assert run.started_at == datetime(2023, 10, 22, 7, 37, 43, tzinfo=timezone.utc)
    assert read.skipped == ("exercise 1 has no logId or readable startTime",)
    with pytest.raises(IngestError, match="not a Fitbit exercise list"):
        fitbit.read_exercises(b"{}")


def test_a_polar_session_with_a_route_parses_as_a_file_with_its_track():
    run = SampleRun(at(2), 5000.0, 1500.0, step_s=15)
    data = polar_session_json(SourceEntry(run, "TRAIL_RUNNING"))
    parsed = parse_source(data, "polar")
    (activity,) = parsed.activities
    assert (parsed.format, activity.sport, activity.sub_sport) == ("polar", "running", "trail")
    assert (activity.started_at, activity.distance_m, activity.duration_s) == (at(2), 5000, 1500)
    assert len(activity.track) == 101
    document = json.loads(data)
    del document["distance"]  # no distance in the session: the route's length
    no_distance = parse_source(json.dumps(document).encode(), "polar").activities[0]
    assert no_distance.distance_m == pytest.approx(5000.0, rel=1e-3)
