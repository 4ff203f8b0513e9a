"""FIT figures beyond distance: cadence, laps, timeline, strength sessions, devices, outings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.ingest.fit import TRACK_STEP_S, parse_fit
from runwear.ingest.model import Lap
from runwear.ingest.sanity import implausible
from runwear.samples.fit_writer import SampleLap, fit_activity_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def run(distance_m: float = 5000.0, duration_s: float = 1500.0, **fields) -> SampleRun:
    """A sample run starting at START."""
    return SampleRun(started_at=START, distance_m=distance_m, duration_s=duration_s, **fields)


def only(data: bytes):
    """The single activity of a FIT file."""
    (activity,) = parse_fit(data).activities
    return activity


# Cadence


def test_cadence_is_the_records_median_with_fractions() -> None:
    activity = only(fit_activity_bytes([run()], cadence_spm=171.5, session_cadence_spm=150.0))
    assert activity.cadence_spm == pytest.approx(171.5, abs=0.01)


def test_standing_still_is_left_out_of_the_cadence() -> None:
    def spm(index: int) -> float:
        return 0.0 if index < 1000 else 168.0 + index % 3  # 1000 s waiting at a light

    activity = only(fit_activity_bytes([run()], cadence_spm=spm))
    assert activity.cadence_spm == pytest.approx(169.0)


def test_cadence_from_the_session_average_without_record_cadence() -> None:
    activity = only(fit_activity_bytes([run()], session_cadence_spm=163.0))
    assert activity.cadence_spm == pytest.approx(163.0, abs=0.01)


def test_no_cadence_is_none_never_zero() -> None:
    assert only(fit_activity_bytes([run()])).cadence_spm is None
    assert only(fit_activity_bytes([run()], cadence_spm=0.0)).cadence_spm is None


def test_a_ride_has_no_running_cadence() -> None:
    ride = only(fit_activity_bytes([run(sport="cycling")], cadence_spm=180.0))
    assert ride.cadence_spm is None


# Laps and timeline


def test_laps_with_intensity_and_start_from_the_session_start() -> None:
    laps = [SampleLap(300, 800, "warmup"), SampleLap(900, 3400), SampleLap(300, 800, "cooldown")]
    activity = only(fit_activity_bytes([run()], laps=[laps]))
    assert activity.laps == (
        Lap(0.0, 300.0, 800.0, "warmup"),
        Lap(300.0, 900.0, 3400.0, "active"),
        Lap(1200.0, 300.0, 800.0, "cooldown"),
    )


def test_laps_stay_with_their_own_session() -> None:
    second = SampleRun(START + timedelta(hours=2), 3000.0, 900.0)
    laps = [[SampleLap(1500, 5000, "active")], [SampleLap(450, 1500, "rest"), SampleLap(450, 1500)]]
    first_run, second_run = parse_fit(fit_activity_bytes([run(), second], laps=laps)).activities
    assert [lap.intensity for lap in first_run.laps] == ["active"]
    assert [(lap.start_s, lap.intensity) for lap in second_run.laps] == [
        (0.0, "rest"),
        (450.0, "active"),
    ]


def test_timeline_every_five_seconds_from_zero() -> None:
    activity = only(fit_activity_bytes([run(3000.0, 900.0)]))
    assert len(activity.timeline) == 900 // TRACK_STEP_S + 1
    assert activity.timeline[0] == (0.0, 0.0)
    assert activity.timeline[1] == (5.0, pytest.approx(16.67, abs=0.01))
    assert activity.timeline[-1] == (900.0, pytest.approx(3000.0))


def test_timeline_counts_from_each_multisport_session() -> None:
    second = SampleRun(START + timedelta(hours=1), 2000.0, 600.0)
    runs = [run(3000.0, 900.0), second]
    _, later = parse_fit(fit_activity_bytes(runs, with_total_distance=False)).activities
    assert later.timeline[0][0] == 0.0
    assert later.timeline[-1] == (600.0, pytest.approx(2000.0))


def test_no_records_no_timeline() -> None:
    assert only(fit_activity_bytes([run()], with_records=False)).timeline == ()


# Strength sessions, developer fields, compressed timestamps


def test_a_strength_session_without_records() -> None:
    session = run(0.0, 1800.0, sport="training", sub_sport="strength_training", name="Gym")
    activity = only(fit_activity_bytes([session], with_records=False))
    assert (activity.sport, activity.sub_sport, activity.distance_m) == (
        "training",
        "strength_training",
        0.0,
    )
    assert (activity.duration_s, activity.track, activity.is_run) == (1800.0, (), False)


@pytest.mark.parametrize(
    "options",
    [
        {"developer_fields": True},
        {"compressed_timestamps": True},
        {"developer_fields": True, "compressed_timestamps": True, "cadence_spm": 170.0},
    ],
)
def test_device_layouts_give_the_same_figures(options: dict) -> None:
    plain = only(fit_activity_bytes([run()], cadence_spm=options.get("cadence_spm")))
    assert only(fit_activity_bytes([run()], **options)) == plain
    assert only(fit_activity_bytes([run()], **options)).track == plain.track


# Issue 9: one run per outing, plausible speed, device names


def test_overlapping_sessions_are_one_outing_the_longest_kept() -> None:
    copies = [run(400_000.0, 1500.0) for _ in range(29)] + [run(400_500.0, 1500.0)]
    copies += [SampleRun(START + timedelta(minutes=5), 100.0, 1500.0)]
    activities = parse_fit(fit_activity_bytes(copies)).activities
    assert [a.distance_m for a in activities] == [pytest.approx(400_500.0)]


def test_chained_copies_of_one_run_are_one_run() -> None:
    data = fit_activity_bytes([run()]) * 400
    assert [a.distance_m for a in parse_fit(data).activities] == [pytest.approx(5000.0)]


def test_back_to_back_multisport_sessions_stay_apart() -> None:
    swim = run(1000.0, 1500.0, sport="swimming")
    bike = SampleRun(START + timedelta(seconds=1499), 20_000.0, 2400.0, sport="cycling")
    assert len(parse_fit(fit_activity_bytes([swim, bike])).activities) == 2


def test_a_499_km_run_in_25_minutes_is_refused() -> None:
    activity = only(fit_activity_bytes([run(499_000.0, 1500.0)]))
    assert implausible(activity, NOW) == "implausible speed of 1,198 km/h for a run"
    assert implausible(only(fit_activity_bytes([run(5000.0, 1500.0)])), NOW) is None


@pytest.mark.parametrize(
    ("device", "name"),
    [
        ("garmin fenix5", "garmin fenix5"),
        ("294 802", "coros"),
        ("23 34", "suunto"),
        ("999 5", "999"),
    ],
)
def test_device_names_from_the_profile(device: str, name: str) -> None:
    assert only(fit_activity_bytes([run()], device=device)).device == name


# Real files (skipped without ../shared/fixtures)


def test_real_coros_file_with_a_misaligned_field(fit_real: Path) -> None:
    data = (fit_real / "coros-pace-2-cycling-misaligned-fields.fit").read_bytes()
    (ride,) = parse_fit(data).activities
    assert (ride.sport, ride.distance_m, ride.device) == ("cycling", 32145.76, "coros")
    assert ride.started_at == datetime(2020, 10, 25, 11, 10, 19, tzinfo=timezone.utc)
    assert len(ride.track) > 100


def test_real_run_cadence_laps_and_timeline(fit_real: Path) -> None:
    (activity,) = parse_fit((fit_real / "activity-small-fenix2-run.fit").read_bytes()).activities
    assert 140 < activity.cadence_spm < 200
    assert activity.laps and 0.0 <= activity.laps[0].start_s < 5.0
    assert sum(lap.distance_m for lap in activity.laps) == pytest.approx(9008.22, abs=1.0)
    assert activity.timeline[-1][1] == pytest.approx(9008.22, rel=0.01)


def test_import_of_overlapping_and_too_fast_sessions(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from runwear.cli import cli

    folder = tmp_path / "watch"
    folder.mkdir()
    too_fast = [run(400_000.0, 1500.0, step_s=30.0) for _ in range(30)]
    (folder / "a.fit").write_bytes(fit_activity_bytes(too_fast))
    twice = SampleRun(START + timedelta(days=1), 5000.0, 1500.0)
    (folder / "b.fit").write_bytes(fit_activity_bytes([twice, twice]))
    db = str(tmp_path / "runwear.db")
    result = CliRunner().invoke(cli, ["--db", db, "import", str(folder)])
    assert result.output.splitlines() == [
        f"{folder / 'a.fit'}: error: implausible speed of 960 km/h for a run. "
        "Check the file in the app that recorded it",
        "Imported 1 run (5.0 km) from 2 files; 0 duplicates, 0 not runs, 1 error.",
    ]
