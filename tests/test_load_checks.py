"""The load checks on generated seasons: each fires exactly past its threshold, not below it.

Every season is dated in UTC (timezone setting "UTC") and checked as of Monday 2026-06-15
00:00 UTC, so "the last 7 days" are ISO week 2026-W24 (see tests/helpers.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from runwear.monitor.checks import run_checks
from runwear.monitor.findings import is_problem
from runwear.store import Settings, memory_db
from runwear.store.shoes import add_shoe

from .helpers import LAST_MONDAY, LOAD_AS_OF, add_run_on, add_weeks

UTC = Settings(timezone="UTC")


def season(weekly_km, **options):
    """A database holding a season in two shoes worn in turn (so no rotation or untagged note)."""
    db = memory_db()
    shoes = [add_shoe(db, "Left pair"), add_shoe(db, "Right pair")]
    add_weeks(db, weekly_km, shoe_ids=shoes, **options)
    return db


def found(db, settings=UTC, as_of=LOAD_AS_OF):
    """(kind, severity, subject) of every finding."""
    return [(f.kind, f.severity, f.subject) for f in run_checks(db, settings, as_of)]


def messages(db, kind, settings=UTC, as_of=LOAD_AS_OF):
    return [f.message for f in run_checks(db, settings, as_of) if f.kind == kind]


@pytest.mark.parametrize("run_days", [(0, 3, 5), (0, 2, 4, 6)])
def test_steady_runner_gets_no_warning(run_days):
    db = season([30] * 12, run_days=run_days, climb_m_per_km=10, surface="trail")
    assert run_checks(db, UTC, LOAD_AS_OF) == []
    assert run_checks(db, UTC, LOAD_AS_OF - timedelta(days=3)) == []  # mid-week too


def test_fast_ramp_warns_on_every_comparison():
    db = season([20, 20, 20, 20, 26, 34])
    findings = run_checks(db, UTC, LOAD_AS_OF)
    assert [f.as_dict() for f in findings] == [
        {
            "kind": "weekly_ramp",
            "severity": "alert",
            "subject": "14 days",
            "message": "Last 14 days 60.0 km vs 40.0 km the 14 before (+50.0%, over 30%): cut "
            "back next week. A rise of over 30% in two weeks was linked to running injuries.",
            "value": 50.0,
            "threshold": 30.0,
        },
        {
            "kind": "weekly_ramp",
            "severity": "warn",
            "subject": "7 days",
            "message": "Last 7 days 34.0 km vs 26.0 km the 7 before (+30.8%, over 10%): hold "
            "distance next week; add no more than 10% a week.",
            "value": 30.8,
            "threshold": 10.0,
        },
        {
            "kind": "weekly_ramp",
            "severity": "warn",
            "subject": "acute:chronic",
            "message": "Last 7 days 34.0 km is 1.36x your average week of the last 28 days "
            "(25.0 km; over 1.3x): make next week an easy one before adding more.",
            "value": 1.36,
            "threshold": 1.3,
        },
    ]
    assert is_problem(findings)


def test_messages_use_the_display_units_and_json_stays_metric():
    db = season([20, 20, 20, 20, 26, 34])
    miles = UTC._replace(units="mi")
    [seven] = [f for f in run_checks(db, miles, LOAD_AS_OF) if f.subject == "7 days"]
    assert seven.message.startswith("Last 7 days 21.1 mi vs 16.2 mi the 7 before (+30.8%")
    assert (seven.value, seven.threshold) == (30.8, 10.0)


@pytest.mark.parametrize(("last_km", "fires"), [(11.0, False), (11.01, True)])
def test_weekly_ramp_more_than_10_percent(last_km, fires):
    db = season([10, 10, 10, last_km])  # +10.0% is not more than 10%; +10.1% is
    assert found(db) == ([("weekly_ramp", "warn", "7 days")] if fires else [])


@pytest.mark.parametrize(("last_km", "fires"), [(13.0, False), (13.1, True)])
def test_acute_chronic_above_1_3(last_km, fires):
    db = season([9, 9, 9, last_km])  # 13 / 10 = 1.30; 13.1 / 10.025 = 1.31
    assert (("weekly_ramp", "warn", "acute:chronic") in found(db)) is fires


@pytest.mark.parametrize(("last_km", "fires"), [(13.0, False), (13.02, True)])
def test_two_weeks_more_than_30_percent(last_km, fires):
    db = season([10, 10, 13, last_km])  # 26 vs 20 = +30.0%; 26.02 vs 20 = +30.1%
    assert (("weekly_ramp", "alert", "14 days") in found(db)) is fires


@pytest.mark.parametrize(("run_days", "fires"), [((0, 2, 4, 6), True), ((1, 3, 5, 6), False)])
def test_weekly_ramp_waits_for_three_weeks_of_history(run_days, fires):
    # From Monday: 21 days of running. From Tuesday: 20 days, so no ramp warning yet.
    db = season([10, 10, 15], run_days=run_days)
    assert found(db) == ([("weekly_ramp", "warn", "7 days")] if fires else [])


@pytest.mark.parametrize(("before_km", "fires"), [(4.9, False), (5.0, True)])
def test_weekly_ramp_ignores_weeks_under_5_km(before_km, fires):
    db = season([10, 10, before_km, 10])
    assert found(db) == ([("weekly_ramp", "warn", "7 days")] if fires else [])


def test_ramp_thresholds_are_settings():
    db = season([10, 10, 10, 11.5])
    assert found(db) == [("weekly_ramp", "warn", "7 days")]
    assert found(db, UTC._replace(ramp_pct=15)) == []
    assert found(db, UTC._replace(min_history_weeks=5)) == []


def four_steady_weeks_then(last_week_days):
    """Three weeks of 20 km in 4 runs, then a last week of 20 km on `last_week_days`."""
    db = season([20, 20, 20], last_monday=LAST_MONDAY - timedelta(weeks=1))
    shoes = [1, 2]
    for n, weekday in enumerate(last_week_days):
        add_run_on(
            db,
            LAST_MONDAY + timedelta(days=weekday),
            20_000 / len(last_week_days),
            shoe_id=shoes[n % 2],
        )
    return db


@pytest.mark.parametrize(
    ("last_week_days", "fires"),
    [
        ((0, 2, 4, 6), False),
        ((0, 1, 2, 4, 6), True),
        ((0, 0, 2, 4, 6), True),  # two runs on Monday: 5 runs on 4 days
    ],
)
def test_run_frequency_more_than_4_runs(last_week_days, fires):
    db = four_steady_weeks_then(last_week_days)
    assert found(db) == ([("run_frequency", "warn", "7 days")] if fires else [])
    if fires:
        assert messages(db, "run_frequency") == [
            "5 runs in the last 7 days (more than 4): keep to 4 a week and rest or cross-train "
            "on the other days."
        ]


@pytest.mark.parametrize(("days_run", "fires"), [(6, False), (7, True)])
def test_no_rest_day_in_the_last_7(days_run, fires):
    db = four_steady_weeks_then(range(days_run))
    assert (("no_rest_day", "warn", "7 days") in found(db)) is fires
    if fires:
        assert messages(db, "no_rest_day") == [
            "No rest day in the last 7 days (2026-06-08 to 2026-06-14: a run every day; at "
            "least 1 wanted): take a rest day next. The back recovers between runs, not during "
            "them."
        ]


def test_rest_days_wanted_is_a_setting():
    db = four_steady_weeks_then(range(6))
    two = UTC._replace(min_rest_days_per_week=2, max_runs_per_week=6)
    assert found(db, two) == [("no_rest_day", "warn", "7 days")]
    assert messages(db, "no_rest_day", two) == [
        "1 rest day in the last 7 days (2026-06-08 to 2026-06-14; at least 2 wanted): take a "
        "rest day next. The back recovers between runs, not during them."
    ]


def test_six_runs_a_week_streak():
    db = season([36] * 6, run_days=range(6))  # Monday to Saturday, Sunday off
    assert found(db) == [("run_frequency", "warn", "7 days")]
    assert messages(db, "run_frequency") == [
        "6 runs in the last 7 days (more than 4): keep to 4 a week and rest or cross-train on "
        "the other days."
    ]
    assert found(db, UTC._replace(max_runs_per_week=6)) == []


@pytest.mark.parametrize(
    ("last_km", "pace_s_per_km", "fires"),
    [
        (11.0, 285, True),  # 5.0% faster and +10.0%: both "at least"
        (11.0, 286, False),  # 4.7% faster
        (10.99, 285, False),  # +9.9%
    ],
)
def test_speed_and_distance_at_least_5_and_10_percent(last_km, pace_s_per_km, fires):
    db = season([10, 10, 10], last_monday=LAST_MONDAY - timedelta(weeks=1))
    add_weeks(db, [last_km], pace_s_per_km=pace_s_per_km, shoe_ids=[1, 2])
    assert found(db) == ([("speed_and_distance", "warn", "7 days")] if fires else [])
    if fires:
        assert messages(db, "speed_and_distance") == [
            "Last 7 days 4:45 /km vs 5:00 /km the 7 before (5.0% faster, at least 5%) and "
            "11.0 km vs 10.0 km (+10.0%, at least 10%): raise one at a time; hold distance "
            "while speed rises."
        ]


@pytest.mark.parametrize(
    ("usual_m_per_km", "last_m_per_km", "fires"),
    [
        (10, 18, False),  # exactly 1.5x the 28 days' 12.0 m/km
        (10, 18.2, True),  # 1.51x
        (5, 15, False),  # 2.0x but not above 15 m/km
        (5, 15.1, True),
    ],
)
def test_hills_over_1_5x_and_above_15_m_per_km(usual_m_per_km, last_m_per_km, fires):
    db = season([10, 10, 10], climb_m_per_km=usual_m_per_km, last_monday=date(2026, 6, 1))
    add_weeks(db, [10], climb_m_per_km=last_m_per_km, shoe_ids=[1, 2])
    findings = run_checks(db, UTC, LOAD_AS_OF)
    assert [(f.kind, f.severity) for f in findings] == ([("hills", "info")] if fires else [])
    assert not is_problem(findings)


def test_hills_message_and_unknown_climb():
    db = season([10, 10, 10], climb_m_per_km=10, last_monday=date(2026, 6, 1))
    add_weeks(db, [10], climb_m_per_km=18.2, shoe_ids=[1, 2])
    add_run_on(db, date(2026, 5, 20), 1_000, ascent_m=None, shoe_id=1)  # 41 km, 482 m
    [hills] = [f for f in run_checks(db, UTC, LOAD_AS_OF) if f.kind == "hills"]
    assert hills.message == (
        "Last 7 days 18.2 m of climb per km vs 11.8 m/km over the last 28 days (1.55x; over 1.5x "
        "and above 15 m/km): hills load the lower back; keep the climbing to one run a week while "
        "it is new. Climb unknown for 1 run, counted as 0."
    )
    assert (hills.value, hills.threshold) == (18.2, 17.6)  # 1.5 x 11.76 m/km


BREAK_END = date(2026, 5, 25)  # a Monday: runs end Sunday 2026-05-10, 14 days without running


def comeback_season(weeks_back, *, extra_before=None):
    """Four weeks of 20 km to 2026-05-10, a break, then `weeks_back` from 2026-05-25."""
    db = season([20] * 4, last_monday=date(2026, 5, 4))
    if extra_before:
        add_run_on(db, date(2026, 5, 11), extra_before, shoe_id=1)
    add_weeks(
        db,
        weeks_back,
        last_monday=BREAK_END + timedelta(weeks=len(weeks_back) - 1),
        shoe_ids=[1, 2],
    )
    as_of = datetime.combine(
        BREAK_END + timedelta(weeks=len(weeks_back)), datetime.min.time(), timezone.utc
    )
    return db, as_of


@pytest.mark.parametrize(("first_km", "fires"), [(16.0, False), (16.1, True)])
def test_comeback_first_week_above_16_km(first_km, fires):
    db, as_of = comeback_season([first_km])
    assert found(db, as_of=as_of) == ([("comeback", "warn", "week 1 back")] if fires else [])
    if fires:
        [finding] = run_checks(db, UTC, as_of)
        assert finding.message == (
            "First week back after 14 days without running: 16.1 km (above 16.0 km): keep a "
            "week back under 16.0 km, then add no more than 10% a week."
        )
        assert (finding.value, finding.threshold) == (16.1, 16.0)


def test_thirteen_days_off_is_no_break():
    db, as_of = comeback_season([20], extra_before=5_000)  # a run on 2026-05-11: 13 days off
    kinds = found(db, as_of=as_of)
    assert "comeback" not in [k for k, _, _ in kinds]
    assert ("weekly_ramp", "warn", "acute:chronic") in kinds  # 20 km vs 11.25 a week


@pytest.mark.parametrize(("second_km", "fires"), [(13.2, False), (13.3, True)])
def test_comeback_week_rising_more_than_10_percent(second_km, fires):
    db, as_of = comeback_season([12, second_km])
    assert found(db, as_of=as_of) == ([("comeback", "warn", "week 2 back")] if fires else [])
    if fires:
        assert messages(db, "comeback", as_of=as_of) == [
            "Week 2 back after 14 days without running: 13.3 km vs 12.0 km the week before "
            "(+10.8%, over 10%): hold distance next week; come back by no more than that a week."
        ]


@pytest.mark.parametrize(("second_km", "fires"), [(16.0, False), (17.0, True)])
def test_comeback_after_a_tiny_first_week_is_held_to_16_km(second_km, fires):
    db, as_of = comeback_season([3, second_km])
    assert found(db, as_of=as_of) == ([("comeback", "warn", "week 2 back")] if fires else [])


def test_weekly_ramp_takes_over_after_three_weeks_back():
    db, as_of = comeback_season([12, 13.2, 20])
    # Day 21 back: the ramp check, 20 km vs 13.2 km.
    assert found(db, as_of=as_of) == [("weekly_ramp", "warn", "7 days")]
    # Day 20 back: still the comeback check, 15 km so far vs 13.2 km.
    assert found(db, as_of=as_of - timedelta(days=1)) == [("comeback", "warn", "week 3 back")]


@pytest.mark.parametrize(
    ("other_pair_km", "fires"),
    [(24.0, False), (23.7, True)],  # 216 of 240 km = 90.0%; 216 of 239.7 = 90.1%
)
def test_single_shoe_over_90_percent(other_pair_km, fires):
    db = memory_db()
    only, other = add_shoe(db, "Pegasus"), add_shoe(db, "Spare")
    add_weeks(db, [27] * 8, run_days=(0, 2, 4), shoe_ids=[only])  # 24 runs from 2026-04-20
    add_run_on(db, date(2026, 4, 21), other_pair_km * 1000, shoe_id=other)
    assert found(db) == ([("single_shoe", "info", "Pegasus")] if fires else [])


@pytest.mark.parametrize(("last_week_runs", "fires"), [(2, False), (3, True)])
def test_single_shoe_only_when_running_3_times_a_week(last_week_runs, fires):
    db = memory_db()
    only = add_shoe(db, "Pegasus")
    add_weeks(db, [27] * 7, run_days=(0, 2, 4), shoe_ids=[only], last_monday=date(2026, 6, 1))
    add_weeks(db, [9 * last_week_runs], run_days=(0, 2, 4)[:last_week_runs], shoe_ids=[only])
    assert found(db) == ([("single_shoe", "info", "Pegasus")] if fires else [])
    if fires:
        assert messages(db, "single_shoe") == [
            "Pegasus carried 100.0% of your last 8 weeks' 216.0 km (24 runs, 3.0 a week; over "
            "90%): rotate a second pair. Runners who rotated shoes had fewer injuries."
        ]


def test_load_checks_are_quiet_without_runs():
    assert run_checks(memory_db(), UTC, LOAD_AS_OF) == []
