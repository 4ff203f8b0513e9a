"""GPX files from the wild (issue 9): handhelds, untyped rides and car traces, invented times,
broken points, vehicle stretches; and the streaming reader against gpxpy, the reference."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import gpxpy
import pytest

from runwear.geo import destination
from runwear.ingest.gpx import parse_gpx
from runwear.ingest.gpx_read import read_gpx
from runwear.ingest.model import IngestError
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
RUN = SampleRun(started_at=START, distance_m=5_000.0, duration_s=1_500.0, step_s=5.0)


def untyped(*runs: SampleRun, creator: str = "Runkeeper - http://www.runkeeper.com") -> bytes:
    """GPX without a <type>, as Runkeeper, Movescount and handhelds write."""
    return gpx_bytes(list(runs), creator=creator, activity_type=None)


def tracks_as_segments(data: bytes) -> bytes:
    """The same points with every <trk> after the first joined into one <trkseg> run."""
    text = re.sub(r"</trkseg>\s*</trk>\s*<trk>.*?<trkseg>", "", data.decode(), flags=re.S)
    return text.encode()


# -- the right sport -------------------------------------------------------------------------


def test_untyped_ride_at_24_kmh_is_not_a_run():
    ride = replace(RUN, distance_m=20_000.0, duration_s=3_000.0, name="Afternoon")  # 24 km/h
    parsed = parse_gpx(untyped(ride))
    [activity] = parsed.activities
    assert activity.sport == "cycling"
    assert activity.distance_m == pytest.approx(20_000.0, rel=0.001)  # not cut by the jump filter
    assert any("by its speed (median 24.0 km/h)" in n for n in parsed.sport_notes)


def test_car_trace_is_not_a_run():
    car = replace(RUN, distance_m=60_000.0, duration_s=3_000.0, name="Track 001")  # 72 km/h
    assert parse_gpx(untyped(car, creator="OsmAnd")).activities[0].sport == "cycling"


def test_untyped_run_at_running_speed_is_a_run():
    [activity] = parse_gpx(untyped(RUN)).activities
    assert activity.sport == "running"
    assert activity.distance_m == pytest.approx(5_000.0, rel=0.001)


@pytest.mark.parametrize("name", ["Evening Ride", "Cycling to work", "bike commute"])
def test_untyped_track_named_a_ride_is_not_a_run(name):
    parsed = parse_gpx(untyped(replace(RUN, name=name)))
    assert parsed.activities[0].sport == "cycling"
    assert any("by its name" in n for n in parsed.sport_notes)


def test_apple_health_route_alone_is_not_a_run():
    parsed = parse_gpx(untyped(RUN, creator="Apple Health Export"))
    assert parsed.activities[0].sport == "generic"
    assert any("Apple Health export (export.zip)" in n for n in parsed.sport_notes)


def test_invented_times_of_a_route_planner_are_a_planned_route():
    planned = replace(RUN, started_at=datetime(2010, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(IngestError, match=r"a planned route.*2010-01-01 00:00 in even steps"):
        parse_gpx(untyped(planned))


def test_every_point_at_one_time_is_a_planned_route():
    text = gpx_bytes([RUN]).decode()
    text = re.sub(r"<time>[^<]+</time>", "<time>2024-05-01T06:30:00Z</time>", text)
    with pytest.raises(IngestError, match="every point has the same time"):
        parse_gpx(text.encode())


# -- the right distance ----------------------------------------------------------------------


def test_etrex_first_point_before_the_fix_is_skipped():
    text = gpx_bytes([RUN]).decode()
    text = text.replace(
        "<trkseg>", "<trkseg><trkpt><ele>12</ele><time>2024-05-01T06:29:55Z</time></trkpt>", 1
    )
    [activity] = parse_gpx(text.encode()).activities
    assert activity.distance_m == pytest.approx(5_000.0, rel=0.001)
    assert activity.started_at == START


@pytest.mark.parametrize("year", ["2099", "1970"])
def test_a_point_dated_far_from_the_others_is_dropped(year):
    text = gpx_bytes([RUN]).decode()
    times = re.findall(r"<time>([^<]+)</time>", text)
    text = text.replace(f"<time>{times[100]}</time>", f"<time>{year}{times[100][4:]}</time>")
    [activity] = parse_gpx(text.encode()).activities
    assert activity.started_at == START
    assert activity.duration_s == RUN.duration_s
    assert activity.distance_m == pytest.approx(5_000.0, rel=0.002)


def test_points_out_of_time_order_never_make_moving_exceed_elapsed():
    text = gpx_bytes([RUN]).decode()
    points = re.findall(r"<trkpt.*?</trkpt>", text)
    shuffled = points[:10] + points[10:40][::-1] + points[40:]
    text = text.replace("".join(points), "".join(shuffled)) if "".join(points) in text else text
    body = (
        text.split("<trkseg>")[0]
        + "<trkseg>\n"
        + "\n".join(shuffled)
        + "\n</trkseg>"
        + text.split("</trkseg>")[1]
    )
    [activity] = parse_gpx(body.encode()).activities
    assert activity.moving_s <= activity.duration_s
    assert activity.distance_m == pytest.approx(5_000.0, rel=0.002)


def test_implausible_climb_is_unknown_not_infinite():
    text = gpx_bytes([RUN]).decode()
    text = re.sub(r"<ele>[^<]+</ele>", "<ele>99999.0</ele>", text, count=50)
    [activity] = parse_gpx(text.encode()).activities
    assert activity.ascent_m is None


def test_a_vehicle_stretch_is_left_out_and_nothing_else():
    """3 km run, 2 km on a bus at 15 m/s, 3 km run: 6 km stored, and a line says why."""
    first = replace(RUN, distance_m=3_000.0, duration_s=900.0, step_s=1.0, bearing_deg=90.0)
    end_first = destination(first.lat, first.lon, 90.0, 1_500.0)  # out and back: ends at start
    bus_start = (first.lat, first.lon)
    bus = replace(
        first,
        started_at=START + timedelta(seconds=900),
        distance_m=2_000.0,
        duration_s=2_000.0 / 15,
        bearing_deg=0.0,
        lat=bus_start[0],
        lon=bus_start[1],
    )
    del end_first
    # The bus goes out 1 km and back 1 km; put the second run 2 km north instead, so the
    # vehicle stretch is a straight 2 km: a one-way bus leg.
    bus = replace(bus, distance_m=4_000.0, duration_s=4_000.0 / 15)
    after = destination(bus_start[0], bus_start[1], 0.0, 2_000.0)
    second = replace(
        first,
        started_at=START + timedelta(seconds=900 + 4_000.0 / 15 / 2 + 1),
        lat=after[0],
        lon=after[1],
    )
    bus_points = gpx_bytes([bus]).decode()
    out_leg = re.findall(r"<trkpt.*?</trkpt>", bus_points)
    out_leg = out_leg[: len(out_leg) // 2 + 1]
    data = gpx_bytes([first, second]).decode()
    data = re.sub(r"</trkseg>\s*</trk>\s*<trk>.*?<trkseg>", "\n".join(out_leg), data, flags=re.S)
    parsed = parse_gpx(data.encode())
    [activity] = parsed.activities
    assert activity.distance_m == pytest.approx(6_000.0, abs=60)
    assert any(
        re.search(r"left out 2\.0 km of the track covered faster than", n) for n in parsed.notes
    )


# -- one run per outing ----------------------------------------------------------------------


def test_handheld_active_log_split_at_power_cycles_is_one_outing():
    """An eTrex's ACTIVE LOG: one walk as 7 tracks, three of a few metres, minutes apart."""
    parts = []
    at = START
    lat, lon = RUN.lat, RUN.lon
    for i, metres in enumerate((1_500, 30, 1_200, 28, 900, 32, 1_310)):
        seconds = max(10.0, metres * 0.4)
        part = replace(
            RUN,
            started_at=at,
            distance_m=float(metres),
            duration_s=seconds,
            lat=lat,
            lon=lon,
            name="ACTIVE LOG" if i == 0 else f"ACTIVE LOG {i:03d}",
            step_s=2.0,
            bearing_deg=0.0,
        )
        parts.append(part)
        at += timedelta(seconds=seconds + 240)
    parsed = parse_gpx(untyped(*parts, creator="eTrex 30"))
    [activity] = parsed.activities
    assert activity.distance_m == pytest.approx(
        sum((1_500, 30, 1_200, 28, 900, 32, 1_310)), rel=0.01
    )
    assert activity.name == "ACTIVE LOG"


def test_tracks_hours_apart_stay_separate_activities():
    later = replace(RUN, started_at=START + timedelta(hours=3), name="Evening")
    activities = parse_gpx(gpx_bytes([RUN, later])).activities
    assert [a.name for a in activities] == ["Morning Run", "Evening"]


def test_untimed_track_beside_timed_ones_gets_a_line():
    data = gpx_bytes([RUN]).decode()
    course = (
        '<trk><name>Course</name><trkseg><trkpt lat="51.5" lon="-0.12"/>'
        '<trkpt lat="51.6" lon="-0.12"/></trkseg></trk>'
    )
    parsed = parse_gpx(data.replace("</gpx>", course + "</gpx>").encode())
    assert len(parsed.activities) == 1
    assert parsed.notes == (
        "1 track without times beside the recorded one left out (a planned course?)",
    )


def test_timeline_follows_time_and_distance():
    [activity] = parse_gpx(gpx_bytes([RUN])).activities
    assert activity.timeline[0] == (0.0, 0.0)
    assert activity.timeline[-1][0] == RUN.duration_s
    assert activity.timeline[-1][1] == pytest.approx(5_000.0, rel=0.001)


# -- the streaming reader against gpxpy ------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        gpx_bytes([RUN]),
        gpx_bytes([RUN, replace(RUN, started_at=START + timedelta(days=1), name="Two")]),
        gpx_bytes([replace(RUN, started_at=START.replace(microsecond=250_000))]),
        gpx_bytes([RUN]).replace(b"Z</time>", b"+02:00</time>"),
        untyped(RUN),
    ],
    ids=["one", "two tracks", "fractions", "offsets", "untyped"],
)
def test_streaming_reader_reads_what_gpxpy_reads(data):
    ours = read_gpx(data.decode())
    theirs = gpxpy.parse(data.decode())
    assert [t.name for t in ours.tracks] == [t.name for t in theirs.tracks]
    assert [t.type for t in ours.tracks] == [t.type for t in theirs.tracks]
    assert ours.creator == theirs.creator
    for mine, reference in zip(ours.tracks, theirs.tracks, strict=True):
        for seg, ref_seg in zip(mine.segments, reference.segments, strict=True):
            assert [(p.lat, p.lon, p.ele) for p in seg] == [
                (p.latitude, p.longitude, p.elevation) for p in ref_seg.points
            ]
            assert [p.t_s for p in seg] == pytest.approx(
                [p.time.timestamp() for p in ref_seg.points]
            )


def test_import_says_what_was_left_out_and_counts_runs_too_short(tmp_path, runwear_db):
    from click.testing import CliRunner

    from runwear.cli import cli

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "run.gpx").write_bytes(gpx_bytes([RUN]))
    tiny = replace(RUN, started_at=START + timedelta(days=1), distance_m=150.0, duration_s=60.0)
    (folder / "oops.gpx").write_bytes(gpx_bytes([tiny]))
    ride = replace(RUN, started_at=START + timedelta(days=2), distance_m=20_000.0)
    (folder / "ride.gpx").write_bytes(untyped(ride))
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", str(folder)])
    lines = result.output.splitlines()
    assert f"{folder / 'oops.gpx'}: too short to count as a run (150 m; under 200 m)" in lines
    assert (
        f"{folder / 'ride.gpx'}: not a run (cycling; a ride or a vehicle by its speed "
        "(median 48.0 km/h))"
    ) in lines
    assert lines[-1] == (
        "Imported 1 run (5.0 km) from 3 files; 0 duplicates, 2 not runs, 1 too short, 0 errors."
    )
    assert result.exit_code == 0


# -- the same run twice: the best copy wins, whatever the order ------------------------------


def _snapshot(db) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select a.started_at, round(a.distance_m, 3), a.format, a.duration_s, a.ascent_m, "
            "s.name, a.surface, t.points, (select group_concat(surface || '=' || "
            "round(distance_m, 3)) from activity_surfaces where activity_id = a.id) "
            "from activities a left join shoes s on s.id = a.shoe_id "
            "left join activity_tracks t on t.activity_id = a.id order by a.started_at"
        ).fetchall()


@pytest.mark.parametrize("first", ["gpx", "fit"])
def test_the_best_copy_wins_whatever_the_order(tmp_path, first):
    from click.testing import CliRunner

    from runwear.cli import cli
    from runwear.samples.fit_writer import fit_activity_bytes

    fit_run = replace(RUN, step_s=1.0)  # the watch's own file: more points
    gpx_run = replace(RUN, started_at=START + timedelta(seconds=20), distance_m=5_040.0)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "watch.fit").write_bytes(fit_activity_bytes([fit_run]))
    (folder / "phone.gpx").write_bytes(gpx_bytes([gpx_run]))
    db = tmp_path / f"{first}.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "shoe", "add", "Peggy", "--default"]).exit_code == 0
    order = ["phone.gpx", "watch.fit"] if first == "gpx" else ["watch.fit", "phone.gpx"]
    for name in order:
        result = runner.invoke(cli, ["--db", str(db), "import", "--jobs", "1", str(folder / name)])
        assert result.exit_code == 0, result.output
    assert (
        runner.invoke(cli, ["--db", str(db), "tag", "--last", "--surface", "grass"]).exit_code == 0
    )
    stored = _snapshot(db)
    assert stored == [
        ("2024-05-01T06:30:00Z", 5000.0, "fit", 1500.0, 0.0, "Peggy", "grass", 301, "grass=5000.0")
    ]
    from tests.helpers import assert_db_sound

    assert_db_sound(db)


def test_a_better_copy_keeps_the_tags_chosen_by_hand(tmp_path):
    from click.testing import CliRunner

    from runwear.cli import cli
    from runwear.samples.fit_writer import fit_activity_bytes

    db = str(tmp_path / "r.db")
    runner = CliRunner()
    runner.invoke(cli, ["--db", db, "shoe", "add", "Trail"])
    (tmp_path / "phone.gpx").write_bytes(gpx_bytes([RUN]))
    (tmp_path / "watch.fit").write_bytes(fit_activity_bytes([replace(RUN, step_s=1.0)]))
    runner.invoke(cli, ["--db", db, "import", "--jobs", "1", str(tmp_path / "phone.gpx")])
    runner.invoke(cli, ["--db", db, "tag", "--last", "--shoe", "Trail", "--surface", "trail"])
    result = runner.invoke(cli, ["--db", db, "import", "--jobs", "1", str(tmp_path / "watch.fit")])
    assert "a better copy of activity 1 (fit over gpx)" in result.output
    [row] = _snapshot(tmp_path / "r.db")
    assert (row[2], row[5], row[6], row[8]) == ("fit", "Trail", "trail", "trail=5000.0")
