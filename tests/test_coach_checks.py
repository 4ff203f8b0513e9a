"""The back coach's checks: each fires at or past its threshold, not below it.

Seasons are dated in UTC and checked as of Monday 2026-06-15 00:00 UTC, so today is Sunday
2026-06-14 (see tests/helpers.py).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone

import pytest

from runwear.ingest.model import Activity, Lap
from runwear.monitor.checks import run_checks
from runwear.monitor.coach_data import is_strength, strength_sql
from runwear.store import Settings, memory_db
from runwear.store.pain import add_pain
from runwear.store.settings import parse_setting

from .helpers import LAST_MONDAY, LOAD_AS_OF, add_run_on, add_weeks, store_run

UTC = Settings(timezone="UTC")
TODAY = date(2026, 6, 14)
_numbers = itertools.count(1)


def add_activity_on(db, day: date, distance_m: float = 0.0, sport="running", **fields) -> int:
    """Store one activity starting at 07:00 UTC on `day`, with any Activity fields."""
    started = datetime.combine(day, time(7), tzinfo=timezone.utc)
    activity = Activity(started, sport, fields.pop("sub_sport", "generic"), distance_m, **fields)
    return store_run(db, activity, f"sha-coach-{next(_numbers)}", "trail", None)


def paced_run(db, day: date, *, first=200.0, last=200.0, minutes=5, laps=(), cadence=None):
    """A run of 32 minutes at 200 m/min (about 6.4 km) whose first and last `minutes` run at
    `first` and `last` metres a minute, one point every 10 s."""
    speeds = [first] * minutes + [200.0] * (32 - 2 * minutes) + [last] * minutes
    points, t, m = [(0.0, 0.0)], 0.0, 0.0
    for speed in speeds:
        for _ in range(6):
            t, m = t + 10, m + speed / 6
            points.append((t, m))
    return add_activity_on(
        db, day, m, duration_s=t, moving_s=t, timeline=tuple(points), laps=laps, cadence_spm=cadence
    )


def kinds(db, kind, settings=UTC, as_of=LOAD_AS_OF):
    """(severity, value, threshold) of the findings of one kind."""
    return [
        (f.severity, f.value, f.threshold)
        for f in run_checks(db, settings, as_of)
        if f.kind == kind
    ]


def messages(db, kind, settings=UTC):
    return [f.message for f in run_checks(db, settings, LOAD_AS_OF) if f.kind == kind]


# -- strength_sessions ---------------------------------------------------------------------


def test_strength_set_is_one_definition():
    assert is_strength("training", "strength_training")
    assert is_strength("fitness_equipment", None)
    assert is_strength("generic", "yoga")
    assert not is_strength("walking", "generic")
    assert not is_strength("running", "generic")
    assert "'training'" in strength_sql() and "'pilates'" in strength_sql()


def strength_season(sessions: int, run_days=(0, 2, 4)):
    """Eight weeks of running on `run_days`, `sessions` strength sessions in the last 28 days
    (one a day back from today) and one long before them."""
    db = memory_db()
    add_weeks(db, [30] * 8, run_days=run_days)
    add_activity_on(db, TODAY - timedelta(days=40), sport="training", sub_sport="strength_training")
    for n in range(sessions):
        add_activity_on(db, TODAY - timedelta(days=n * 3), sport="training", sub_sport="yoga")
    return db


@pytest.mark.parametrize(
    "sessions, expected",
    [(7, [("info", 1.8, 2.0)]), (8, []), (9, [])],  # 1.8 a week (just below), 2.0 (at), 2.3
)
def test_strength_sessions_at_threshold(sessions, expected):
    assert kinds(strength_season(sessions), "strength_sessions") == expected


def test_strength_sessions_message_and_running_often():
    assert messages(strength_season(3), "strength_sessions") == [
        "3 strength/core sessions in the last 28 days (0.8 a week, fewer than 2) while running "
        "3.0 times a week: add 2 short sessions a week for core and glutes. Regular strength "
        "work cut overuse injuries by about half."
    ]
    # Running twice a week (just below 3): no note.
    assert kinds(strength_season(3, run_days=(0, 3)), "strength_sessions") == []


def test_strength_sessions_silent_without_any_recorded():
    db = memory_db()
    add_weeks(db, [30] * 8, run_days=(0, 2, 4))
    assert kinds(db, "strength_sessions") == []


def test_strength_sessions_never_count_as_runs():
    db = strength_season(9)
    assert db.execute("select count(*) from activities where sport = 'running'").fetchone() == (24,)
    assert kinds(db, "run_frequency") == []


# -- warm_up and cool_down -----------------------------------------------------------------


@pytest.mark.parametrize(
    "first, expected",
    [(189.8, []), (190.0, [("info", 50.0, 50.0)]), (190.2, [("info", 50.0, 50.0)])],
)
def test_warm_up_full_pace_from_95_percent(first, expected):
    db = memory_db()
    paced_run(db, TODAY - timedelta(days=1), first=first)  # 94.9%, 95.0%, 95.1% of the rest
    paced_run(db, TODAY - timedelta(days=3), first=150.0)  # warmed up
    assert kinds(db, "warm_up") == expected


def test_warm_up_needs_half_the_runs():
    db = memory_db()
    paced_run(db, TODAY - timedelta(days=1), first=200.0)
    paced_run(db, TODAY - timedelta(days=2), first=150.0)
    paced_run(db, TODAY - timedelta(days=3), first=150.0)  # 1 of 3 at full pace: no note
    assert kinds(db, "warm_up") == []
    paced_run(db, TODAY - timedelta(days=4), first=200.0)  # 2 of 4: a note
    assert messages(db, "warm_up") == [
        "2 of the last 7 days' 4 judged runs over 5 km began at full pace (the first 5 minutes "
        "at 95% or more of the rest's speed): walk or jog slowly for a few minutes before "
        "breaking into your usual stride."
    ]


def test_warm_up_lap_short_runs_and_old_runs():
    db = memory_db()
    paced_run(db, TODAY - timedelta(days=1), laps=(Lap(0, 300, 1000, "warmup"),))  # a warm-up
    paced_run(db, TODAY - timedelta(days=8), first=200.0)  # 8 days ago: not in the window
    add_activity_on(db, TODAY - timedelta(days=2), 5_000.0)  # 5.0 km: not over 5 km
    add_activity_on(db, TODAY - timedelta(days=2), 8_000.0)  # no timeline: not judged
    assert kinds(db, "warm_up") == []


def test_warm_up_minutes_change_without_reimport():
    db = memory_db()
    # Three easy minutes, then full pace: warmed up for warmup_min 3 (the default 5 sees
    # 3 x 150 + 2 x 200 = 850 m in 5 minutes, 85% of the rest: warmed up too).
    paced_run(db, TODAY - timedelta(days=1), first=150.0, minutes=3)
    assert kinds(db, "warm_up", UTC._replace(warmup_min=3)) == []
    assert kinds(db, "warm_up", UTC._replace(warmup_min=1)) == []
    assert kinds(db, "warm_up", UTC._replace(warmup_min=1, full_pace_pct=75)) == [
        ("info", 100.0, 50.0)
    ]


@pytest.mark.parametrize("last, expected", [(189.8, []), (190.0, [("info", 100.0, 50.0)])])
def test_cool_down_full_pace_from_95_percent(last, expected):
    db = memory_db()
    paced_run(db, TODAY - timedelta(days=1), last=last)
    assert kinds(db, "cool_down") == expected


def test_cool_down_lap_counts():
    db = memory_db()
    paced_run(db, TODAY - timedelta(days=1), laps=(Lap(1600, 300, 1000, "cooldown"),))
    assert kinds(db, "cool_down") == []
    assert kinds(db, "warm_up") == [("info", 100.0, 50.0)]


# -- cadence -------------------------------------------------------------------------------


@pytest.mark.parametrize("spm, expected", [(159.0, [("info", 159.0, 160.0)]), (160.0, [])])
def test_cadence_below_minimum(spm, expected):
    db = memory_db()
    for n, offset in enumerate((-5.0, 0.0, 7.0)):  # the median is the middle one
        add_run_on(db, TODAY - timedelta(days=n * 4), 8_000)
        db.execute(
            "update activities set cadence_spm = ? where id = last_insert_rowid()", [spm + offset]
        )
    assert kinds(db, "cadence") == expected


def test_cadence_unknown_is_skipped_never_zero():
    db = memory_db()
    add_activity_on(db, TODAY - timedelta(days=1), 8_000.0, cadence_spm=None)
    add_activity_on(db, TODAY - timedelta(days=2), 8_000.0, cadence_spm=None)
    add_activity_on(db, TODAY - timedelta(days=3), 8_000.0, cadence_spm=170.0)
    assert kinds(db, "cadence") == []
    assert messages(db, "cadence", UTC._replace(min_cadence_spm=171)) == [
        "Median cadence 170 steps/min over the last 14 days (1 run; below 171): a low step rate "
        "often means overstriding, which brakes into the lower back. Try shorter, quicker steps "
        "(5-10% more)."
    ]


def cadence_season(recent_spm: float, base_pace=1.5):
    """Four runs at 180 steps/min in the 12 weeks before the last 14 days, one at
    `recent_spm` in them; the earlier runs at `base_pace` s/m (the recent one at 1.5)."""
    db = memory_db()
    for weeks in (3, 5, 7, 9):
        add_activity_on(
            db,
            TODAY - timedelta(weeks=weeks),
            8_000.0,
            cadence_spm=180.0,
            duration_s=8_000 * base_pace,
        )
    add_activity_on(
        db, TODAY - timedelta(days=2), 8_000.0, cadence_spm=recent_spm, duration_s=12_000
    )
    return db


@pytest.mark.parametrize(
    "spm, expected",
    [(172.0, []), (171.0, [("info", 5.0, 5.0)]), (170.0, [("info", 5.6, 5.0)])],
)
def test_cadence_drop_against_own_from_5_percent(spm, expected):
    assert kinds(cadence_season(spm), "cadence") == expected


def test_cadence_drop_only_at_a_similar_pace():
    assert kinds(cadence_season(170.0, base_pace=1.2), "cadence") == []  # 20% faster back then
    assert messages(cadence_season(170.0), "cadence") == [
        "Median cadence 170 steps/min over the last 14 days (1 run) is 5.6% below your own 180 "
        "of the 12 weeks before at a similar pace (at least 5%): are you overstriding while "
        "tired? Try shorter, quicker steps."
    ]


# -- long_run_spike ------------------------------------------------------------------------


def spike_season(km: float, history_days: int = 35):
    """A 10 km run every 5 days from `history_days` ago, then a run of `km` yesterday."""
    db = memory_db()
    for days_ago in range(history_days, 5, -5):
        add_run_on(db, TODAY - timedelta(days=days_ago), 10_000)
    add_run_on(db, TODAY - timedelta(days=1), km * 1000)
    return db


@pytest.mark.parametrize(
    "km, expected",
    [
        (11.0, []),
        (11.01, []),  # 10.1%, shown and compared as 10.1: over 10%
        (11.1, [("warn", 11.0, 10.0)]),
        (19.9, [("warn", 99.0, 10.0)]),
        (20.0, [("alert", 100.0, 100.0)]),
    ],
)
def test_long_run_spike_thresholds(km, expected):
    if km == 11.01:
        expected = [("warn", 10.1, 10.0)]
    assert kinds(spike_season(km), "long_run_spike") == expected


def test_long_run_spike_waits_for_30_days_of_history():
    assert kinds(spike_season(15.0, history_days=30), "long_run_spike") == []  # 29 days before
    assert kinds(spike_season(15.0, history_days=31), "long_run_spike") == [("warn", 50.0, 10.0)]


def test_long_run_spike_message_and_minimum_distance():
    db = spike_season(15.0)
    assert messages(db, "long_run_spike") == [
        "The 15.0 km run on 2026-06-13 was 50.0% longer than your longest of the 30 days "
        "before it (10.0 km; over 10%): make long runs longer by no more than 10% at a time. "
        "Runs much longer than the month's longest were linked to injuries."
    ]
    assert kinds(db, "long_run_spike", UTC._replace(spike_min_km=15.1)) == []
    assert kinds(db, "long_run_spike", UTC._replace(spike_min_km=15.0)) != []


# -- pain_continues ------------------------------------------------------------------------


def pain_season(since_km: float, entry_days_ago: int = 2, level: int = 4):
    """5 km every day for three weeks before a pain entry, then `since_km` a day since."""
    db = memory_db()
    entry = TODAY - timedelta(days=entry_days_ago)
    for n in range(21):
        add_run_on(db, entry - timedelta(days=n + 1), 5_000)
    for n in range(entry_days_ago):
        add_run_on(db, TODAY - timedelta(days=n), since_km * 1000)
    add_pain(db, entry, level, "lower-back", "stiff after the long run")
    return db


@pytest.mark.parametrize(
    "since_km, expected",
    [(4.9, []), (5.0, [("warn", 5.0, 5.0)]), (5.1, [("warn", 5.1, 5.0)])],
)
def test_pain_continues_without_cutting_back(since_km, expected):
    assert kinds(pain_season(since_km), "pain_continues") == expected


@pytest.mark.parametrize(
    "days_ago, warns",
    [(0, False), (1, True), (3, True), (4, False)],  # 0: nothing run since
)
def test_pain_continues_for_pain_days(days_ago, warns):
    assert bool(kinds(pain_season(6.0, days_ago), "pain_continues")) is warns


def test_pain_continues_message_no_pain_and_today():
    assert messages(pain_season(5.0), "pain_continues") == [
        "You logged lower-back pain 4/10 on 2026-06-12; since then 5.0 km a day vs 5.0 km a "
        "day in the 7 days before it (no cutting back): stop at the first sign of a problem, "
        "and run less or not at all until it settles. See a doctor or physiotherapist if it "
        "lasts, is sharp, or spreads down a leg."
    ]
    assert kinds(pain_season(6.0, level=0), "pain_continues") == []


def test_coach_checks_quiet_for_a_plain_season():
    db = memory_db()
    add_weeks(db, [30] * 8, last_monday=LAST_MONDAY)
    coach = {"strength_sessions", "warm_up", "cool_down", "cadence", "long_run_spike"}
    assert [
        f for f in run_checks(db, UTC, LOAD_AS_OF) if f.kind in coach | {"pain_continues"}
    ] == []


@pytest.mark.parametrize(
    "key, text, value",
    [
        ("warmup_min", "1", 1),
        ("warmup_min", "20", 20),
        ("cooldown_min", "5m", 5),
        ("full_pace_pct", "95%", 95.0),
        ("min_strength_per_week", "0", 0.0),
        ("spike_min_km", "0", 0.0),
        ("pain_days", "3", 3),
    ],
)
def test_coach_settings_parse(key, text, value):
    assert parse_setting(key, text) == value


@pytest.mark.parametrize(
    "key, text, reason",
    [
        ("warmup_min", "0", "must be between 1 and 20"),
        ("warmup_min", "21", "must be between 1 and 20"),
        ("min_cadence_spm", "0", "must be between 100 and 220"),
        ("spike_pct", "301", "must be a percentage between 1 and 300"),
        ("strength_min_runs_per_week", "8", "must be between 0 and 7"),
    ],
)
def test_coach_settings_refuse(key, text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_setting(key, text)
