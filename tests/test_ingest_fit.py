"""FIT ingest: generated files read back exactly, broken bytes give IngestError, real files."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest

from runwear.geo import haversine_m
from runwear.ingest.fit import FIT_EPOCH, TRACK_STEP_S, parse_fit
from runwear.ingest.model import IngestError, ParsedFile
from runwear.samples.fit_writer import fit_activity_bytes, fit_settings_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)


def run(
    distance_m: float = 5000.0,
    duration_s: float = 1500.0,
    start: datetime = START,
    **fields: object,
) -> SampleRun:
    """A sample run with round figures; keyword fields override SampleRun's defaults."""
    return SampleRun(started_at=start, distance_m=distance_m, duration_s=duration_s, **fields)


def only_activity(data: bytes):
    """The single activity of a FIT file."""
    parsed = parse_fit(data)
    assert len(parsed.activities) == 1
    return parsed.activities[0]


# Round trips of generated files


def test_plain_run_round_trip() -> None:
    sample = run(hill_m=10.0)
    parsed = parse_fit(fit_activity_bytes([sample]))
    assert parsed.format == "fit"
    assert parsed.file_type == "activity"
    (activity,) = parsed.activities
    assert activity.started_at == START
    assert activity.started_at.utcoffset() == timedelta(0)
    assert (activity.sport, activity.sub_sport) == ("running", "generic")
    assert activity.is_run
    assert activity.distance_m == pytest.approx(5000.0, abs=0.01)
    assert activity.duration_s == 1500.0
    assert activity.moving_s == 1500.0
    assert activity.ascent_m == sample.ascent_m == 100.0
    assert activity.name == "Morning Run"
    assert activity.device == "garmin"
    assert activity.utc_offset_s is None


def test_track_is_thinned_and_follows_the_route() -> None:
    sample = run(distance_m=3000.0, duration_s=900.0)
    activity = only_activity(fit_activity_bytes([sample]))
    points = sample.points()
    assert len(activity.track) == 900 // TRACK_STEP_S + 1
    for got, want in ((activity.track[0], points[0]), (activity.track[-1], points[-1])):
        assert haversine_m(got[0], got[1], want.lat, want.lon) < 0.05
    turn = max(activity.track, key=lambda p: haversine_m(p[0], p[1], sample.lat, sample.lon))
    assert haversine_m(turn[0], turn[1], sample.lat, sample.lon) == pytest.approx(1500.0, abs=1.0)


@pytest.mark.parametrize(
    "sub_sport", ["treadmill", "trail", "track", "street", "indoor_running", "virtual_activity"]
)
def test_sub_sport_round_trip(sub_sport: str) -> None:
    activity = only_activity(fit_activity_bytes([run(sub_sport=sub_sport)]))
    assert (activity.sport, activity.sub_sport) == ("running", sub_sport)
    assert activity.distance_m == pytest.approx(5000.0, abs=0.01)


def test_multisport_file_gives_one_activity_per_session() -> None:
    ride = run(40_000.0, 4800.0, START, sport="cycling", name="Ride", step_s=5.0)
    first = run(10_000.0, 3000.0, START + timedelta(hours=2), sub_sport="trail", lat=46.5)
    second = run(4_321.09, 1300.0, START + timedelta(hours=4), sub_sport="treadmill", lat=40.0)
    parsed = parse_fit(fit_activity_bytes([ride, first, second], device="garmin fenix5"))
    got = [(a.sport, a.sub_sport, a.started_at, round(a.distance_m, 2)) for a in parsed.activities]
    assert got == [
        ("cycling", "generic", START, 40_000.0),
        ("running", "trail", START + timedelta(hours=2), 10_000.0),
        ("running", "treadmill", START + timedelta(hours=4), 4_321.09),
    ]
    assert [a.is_run for a in parsed.activities] == [False, True, True]
    assert {a.device for a in parsed.activities} == {"garmin fenix5"}
    # Each track holds only its own session's records.
    for activity, sample in zip(parsed.activities, (ride, first, second), strict=True):
        lats = [lat for lat, _ in activity.track]
        assert abs(lats[0] - sample.lat) < 1e-6
        assert abs(lats[-1] - sample.lat) < 1e-6
        assert max(abs(lat - sample.lat) for lat in lats) < 0.2


def test_settings_file_has_no_activities() -> None:
    assert parse_fit(fit_settings_bytes()) == ParsedFile("fit", (), file_type="settings")


@pytest.mark.parametrize("offset_s", [0, 7200, -5 * 3600, 5 * 3600 + 1800, 14 * 3600])
def test_utc_offset_from_the_activity_message(offset_s: int) -> None:
    activity = only_activity(fit_activity_bytes([run()], utc_offset_s=offset_s))
    assert activity.utc_offset_s == offset_s
    assert activity.started_at == START  # stays UTC


def test_start_time_to_the_second() -> None:
    start = START + timedelta(microseconds=400_000)
    activity = only_activity(fit_activity_bytes([run(start=start)]))
    assert abs((activity.started_at - start).total_seconds()) <= 1


def test_unknown_enum_numbers_come_back_as_text() -> None:
    activity = only_activity(fit_activity_bytes([run(sport="200", sub_sport="67")]))
    assert (activity.sport, activity.sub_sport) == ("200", "67")
    assert not activity.is_run


def test_distance_from_records_without_session_total() -> None:
    data = fit_activity_bytes([run(7_654.32, 2400.0)], with_total_distance=False)
    assert only_activity(data).distance_m == pytest.approx(7_654.32, abs=0.01)


def test_distance_from_track_without_any_distance_field() -> None:
    data = fit_activity_bytes(
        [run(7_654.32, 2400.0)], with_total_distance=False, with_record_distance=False
    )
    assert only_activity(data).distance_m == pytest.approx(7_654.32, abs=0.05)


def test_multisport_fallback_distances_stay_per_session() -> None:
    runs = [run(3000.0, 900.0), run(2000.0, 600.0, START + timedelta(hours=1))]
    data = fit_activity_bytes(runs, with_total_distance=False)
    got = [a.distance_m for a in parse_fit(data).activities]
    assert got == pytest.approx([3000.0, 2000.0], abs=0.01)


def test_records_without_session_make_one_activity() -> None:
    data = fit_activity_bytes([run(6_000.0, 1800.0)], with_sessions=False)
    activity = only_activity(data)
    assert activity.started_at == START
    assert activity.sport == "running"  # from the lap: no sport message, no session
    assert activity.sub_sport == "generic"
    assert activity.distance_m == pytest.approx(6_000.0, abs=0.01)
    assert activity.duration_s == 1800.0
    assert activity.moving_s is None
    assert activity.track


# Broken input: IngestError and nothing else


def sample_bytes() -> bytes:
    """A short generated run, small enough to damage at every byte."""
    return fit_activity_bytes([run(100.0, 30.0, step_s=2.0)], utc_offset_s=3600)


def test_empty_file() -> None:
    with pytest.raises(IngestError, match=r"^empty file\. "):
        parse_fit(b"")


@pytest.mark.parametrize("size", [1, 11, 12, 14, 5000])
def test_random_bytes_are_not_fit(size: int) -> None:
    data = random.Random(size).randbytes(size)
    with pytest.raises(IngestError, match=r"^not a FIT file \(bad header\)\. Check"):
        parse_fit(data)


def test_random_bytes_behind_a_fit_signature() -> None:
    rng = random.Random(7)
    for _ in range(50):
        data = bytearray(rng.randbytes(400))
        data[8:12] = b".FIT"
        with pytest.raises(IngestError):
            parse_fit(bytes(data))


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_truncated_file(share: float) -> None:
    data = fit_activity_bytes([run()])
    cut = data[: int(len(data) * share)]
    with pytest.raises(IngestError) as info:
        parse_fit(cut)
    assert str(info.value) == (
        f"truncated FIT file (ended after {len(cut)} bytes). "
        "Export the activity again from the watch or app"
    )
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("position", [20, 200, 1000, -3])
def test_flipped_byte_fails_the_crc(position: int) -> None:
    data = bytearray(fit_activity_bytes([run(1000.0, 300.0)]))
    data[position] ^= 0x01
    with pytest.raises(IngestError, match=r"^FIT file fails its CRC check \(corrupted\)\. "):
        parse_fit(bytes(data))


def test_every_flipped_byte_and_every_truncation_gives_ingest_error() -> None:
    data = sample_bytes()
    for position in range(len(data)):
        for mask in (0x01, 0xFF):
            damaged = bytearray(data)
            damaged[position] ^= mask
            with pytest.raises(IngestError) as info:
                parse_fit(bytes(damaged))
            assert ". " in str(info.value)
    for size in range(len(data)):
        with pytest.raises(IngestError):
            parse_fit(data[:size])


# Real device files from python-fitparse (skipped when ../shared/fixtures is absent)


@cache
def real(path: Path) -> ParsedFile | IngestError:
    """A real file parsed once for the whole module: its ParsedFile or its IngestError."""
    try:
        return parse_fit(path.read_bytes())
    except IngestError as exc:
        return exc


def parsed_real(folder: Path, name: str) -> ParsedFile:
    """The ParsedFile of a real file that must parse."""
    result = real(folder / name)
    assert isinstance(result, ParsedFile), f"{name}: {result}"
    return result


def distances_m(parsed: ParsedFile, sport: str) -> list[float]:
    """The distances of one sport's sessions, to the centimetre."""
    return [round(a.distance_m, 2) for a in parsed.activities if a.sport == sport]


def test_every_real_file_parses_or_gives_ingest_error(fit_real: Path) -> None:
    # Files over 300 KB take seconds each; the ones that matter have their own tests.
    files = sorted(p for p in fit_real.iterdir() if p.suffix.lower() == ".fit")
    assert len(files) >= 40
    for path in (p for p in files if p.stat().st_size <= 300_000):
        assert isinstance(real(path), (ParsedFile, IngestError)), path.name


def test_real_fenix5_run(fit_real: Path) -> None:
    (activity,) = parsed_real(fit_real, "garmin-fenix-5-run.fit").activities
    assert (activity.sport, activity.sub_sport, activity.distance_m) == (
        "running",
        "generic",
        157.56,
    )
    assert activity.started_at == datetime(2017, 6, 11, 14, 34, 9, tzinfo=timezone.utc)
    assert activity.name == "Run"  # session field 110, sport_profile_name
    assert activity.device == "garmin fenix5"
    assert activity.utc_offset_s == -7 * 3600
    assert activity.track


def test_real_forerunner110_run(fit_real: Path) -> None:
    (activity,) = parsed_real(fit_real, "2013-02-06-12-11-14.fit").activities
    assert (activity.sport, activity.distance_m) == ("running", 4835.38)
    assert activity.started_at == datetime(2013, 2, 6, 12, 11, 14, tzinfo=timezone.utc)
    assert activity.duration_s == pytest.approx(2625.14)
    assert activity.device == "garmin fr110"
    assert activity.utc_offset_s is None  # no local_timestamp in this file


def test_real_multisport_fenix2(fit_real: Path) -> None:
    parsed = parsed_real(fit_real, "activity-large-fenxi2-multisport.fit")
    assert [a.sport for a in parsed.activities] == [
        "generic", "transition", "running", "transition", "running", "transition", "cycling",
    ]  # fmt: skip
    assert distances_m(parsed, "running") == [2245.23, 12740.37]
    assert {a.sub_sport for a in parsed.activities} == {"generic"}  # sub_sport absent


def test_real_chained_headers_triathlon(fit_real: Path) -> None:
    parsed = parsed_real(fit_real, "sample_mulitple_header.fit")
    assert [a.sport for a in parsed.activities] == [
        "swimming", "transition", "cycling", "transition", "running",
    ]  # fmt: skip
    assert distances_m(parsed, "running") == [9805.92]
    (run_activity,) = (a for a in parsed.activities if a.is_run)
    assert run_activity.started_at == datetime(2018, 5, 27, 9, 23, 41, tzinfo=timezone.utc)
    assert run_activity.utc_offset_s == 7200


@pytest.mark.parametrize(
    ("name", "sport", "distance_m"),
    [("garmin-fenix-5-walk.fit", "walking", 67.85), ("garmin-fenix-5-bike.fit", "cycling", 459.52)],
)
def test_real_other_sports_are_not_runs(
    fit_real: Path, name: str, sport: str, distance_m: float
) -> None:
    (activity,) = parsed_real(fit_real, name).activities
    assert (activity.sport, activity.distance_m, activity.is_run) == (sport, distance_m, False)


def test_real_compressed_timestamps(fit_real: Path) -> None:
    (activity,) = parsed_real(fit_real, "compressed-speed-distance.fit").activities
    # start_time is a raw 17217864: below 0x10000000, the FIT profile's "seconds since the
    # device was switched on". Read on the FIT epoch it lands in July 1990.
    assert activity.started_at == FIT_EPOCH + timedelta(seconds=17217864)
    assert activity.started_at == datetime(1990, 7, 18, 6, 44, 24, tzinfo=timezone.utc)
    assert (activity.sport, activity.distance_m) == ("running", 10248.67)
    assert activity.utc_offset_s is None  # local_timestamp is real, timestamp is not


def test_real_antfs_dump_holds_no_distance_at_all(fit_real: Path) -> None:
    # The fixtures README says "distance from records": in fact its 686 records hold only
    # timestamp and heart_rate, the session no total_distance, and nothing has a position.
    (activity,) = parsed_real(fit_real, "antfs-dump.63.fit").activities
    assert (activity.sport, activity.sub_sport) == ("running", "generic")
    assert activity.distance_m == 0.0
    assert activity.track == ()
    assert activity.duration_s == pytest.approx(3426.898)
    assert activity.started_at == FIT_EPOCH + timedelta(seconds=16441241)


def test_real_activity_followed_by_settings(fit_real: Path) -> None:
    parsed = parsed_real(fit_real, "activity-settings.fit")  # two chained files
    assert parsed.file_type == "activity"
    assert [round(a.distance_m, 2) for a in parsed.activities] == [5.73]


@pytest.mark.parametrize(
    ("name", "file_type"),
    [
        ("Settings.fit", "settings"),
        ("Settings2.fit", "settings"),
        ("nametest.FIT", "settings"),
        ("WorkoutCustomTargetValues.fit", "workout"),
        ("WorkoutIndividualSteps.fit", "workout"),
        ("WorkoutRepeatGreaterThanStep.fit", "workout"),
        ("WorkoutRepeatSteps.fit", "workout"),
        ("MonitoringFile.fit", "monitoring_b"),
        ("WeightScaleMultiUser.fit", "weight"),
        ("WeightScaleSingleUser.fit", "weight"),
        # file_id says activity, but its 3 records carry no timestamp: nothing to date.
        ("DeveloperData.fit", "activity"),
    ],
)
def test_real_files_without_activities(fit_real: Path, name: str, file_type: str) -> None:
    assert parsed_real(fit_real, name) == ParsedFile("fit", (), file_type=file_type)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("activity-filecrc.fit", r"^FIT file fails its CRC check \(corrupted\)\. Export"),
        ("activity-activity-filecrc.fit", r"^FIT file fails its CRC check \(corrupted\)\. "),
        (
            "activity-settings-corruptheader.fit",
            r"^corrupt FIT file \(bad header inside the file\)",
        ),
        ("activity-settings-nodata.fit", r"^truncated FIT file \(ended after 786 bytes\)\. "),
        ("activity-unexpected-eof.fit", r"^truncated FIT file \(ended after 768 bytes\)\. "),
        ("nick.fit", r"^truncated FIT file \(ended after 403456 bytes\)\. "),
        (
            # 33 of its CR LF byte pairs were turned into LF (a text-mode copy): unreadable.
            "strava-android-app-201.10-b1218918.fit",
            r"^corrupt FIT file \(a message of undefined local type 11 at byte 7471: bytes lost "
            r"or changed, e\.g\. by a text-mode copy\)\. Export it again, or export the activity "
            r"as GPX instead$",
        ),
    ],
)
def test_real_broken_files(fit_real: Path, name: str, message: str) -> None:
    result = real(fit_real / name)
    assert isinstance(result, IngestError), name
    assert result.__cause__ is not None
    assert re.search(message, str(result)), str(result)
