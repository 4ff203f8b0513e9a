"""The pace profile of a run's first and last minutes: built from its timeline, stored, read."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from runwear.ingest.model import Activity, Lap
from runwear.ingest.profile import (
    PaceProfile,
    decode_metres,
    encode_metres,
    end_ratio,
    pace_profile,
    start_ratio,
)
from runwear.store import memory_db

from .helpers import store_run

START = datetime(2026, 6, 1, 7, tzinfo=timezone.utc)


def timeline(*speeds_m_per_min: float, step_s: float = 10.0) -> tuple[tuple[float, float], ...]:
    """One point every `step_s` seconds, at each of the speeds for one minute in turn."""
    points, t, m = [(0.0, 0.0)], 0.0, 0.0
    for speed in speeds_m_per_min:
        for _ in range(int(60 / step_s)):
            t += step_s
            m += speed * step_s / 60
            points.append((t, m))
    return tuple(points)


def run(points=(), laps=(), cadence_spm=None) -> Activity:
    distance_m = points[-1][1] if points else 5_000.0
    return Activity(
        START, "running", "generic", distance_m, timeline=points, laps=laps, cadence_spm=cadence_spm
    )


def test_profile_keeps_twenty_minutes_at_each_end():
    profile = pace_profile(run(timeline(*[150] * 5, *[200] * 30, *[100] * 5)))
    assert profile is not None
    assert (profile.moving_s, round(profile.distance_m)) == (2400.0, 7250)
    assert profile.head_m[:6] == (150, 300, 450, 600, 750, 950)
    assert len(profile.head_m) == len(profile.tail_m) == 20
    assert profile.tail_m[:6] == (100, 200, 300, 400, 500, 700)
    assert start_ratio(profile, 5) == pytest.approx(150 / (6500 / 35))  # the rest: 35 min
    assert end_ratio(profile, 5) == pytest.approx(100 / (6750 / 35))


def test_pauses_are_not_moving_time():
    first = timeline(*[200] * 5)
    # Ten minutes at the lights (10 m shuffled), then five more minutes at the same speed.
    after = tuple((t + 900, m + 1010) for t, m in timeline(*[200] * 5))
    profile = pace_profile(run((*first, *after)))
    assert (profile.moving_s, round(profile.distance_m)) == (600.0, 2010)
    assert profile.head_m == (200, 400, 600, 800, 1000, 1210, 1410, 1610, 1810, 2010)


def test_short_run_keeps_its_whole_minutes_and_cannot_be_judged():
    profile = pace_profile(run(timeline(200, 200, 200, 200, 200, 200)))
    assert profile.head_m == (200, 400, 600, 800, 1000, 1200)
    assert start_ratio(profile, 4) is None  # the rest must be at least as long
    assert start_ratio(profile, 3) == pytest.approx(1.0)


def test_marked_laps_without_a_timeline():
    laps = (Lap(0, 300, 800, "warmup"), Lap(300, 1500, 5000, "active"))
    assert pace_profile(run(laps=laps)) == PaceProfile(0.0, 0.0, (), (), True, False)
    assert pace_profile(run()) is None
    assert pace_profile(run(laps=(Lap(0, 300, 800, "active"),))) is None


def test_metres_round_trip_as_text():
    assert encode_metres((150, 300, 455)) == "150,300,455"
    assert decode_metres("150,300,455") == (150, 300, 455)
    assert decode_metres(encode_metres(())) == ()


def test_add_activity_stores_cadence_and_profile():
    db = memory_db()
    laps = (Lap(0, 60, 150, "warmup"),)
    activity_id = store_run(
        db, run(timeline(150, 200, 200), laps, cadence_spm=171.5), "sha-p", "trail", None
    )
    assert db["activities"].get(activity_id)["cadence_spm"] == 171.5
    assert db["activity_profiles"].get(activity_id) == {
        "activity_id": activity_id,
        "moving_s": 180.0,
        "distance_m": 550.0,
        "head_m": "150,350,550",
        "tail_m": "200,400,550",
        "warmup_lap": 1,
        "cooldown_lap": 0,
    }
    bare = store_run(db, run(), "sha-bare", "trail", None)
    assert db["activities"].get(bare)["cadence_spm"] is None
    assert db["activity_profiles"].count_where("activity_id = ?", [bare]) == 0


def test_blank_database_has_the_coach_schema():
    db = memory_db()
    assert db["activities"].columns_dict["cadence_spm"] is float
    assert db["activity_profiles"].pks == ["activity_id"]
    assert [(k.column, k.other_table) for k in db["activity_profiles"].foreign_keys] == [
        ("activity_id", "activities")
    ]
    assert list(db["pain"].columns_dict) == [
        "id",
        "day",
        "level",
        "location",
        "note",
        "created_at",
    ]
