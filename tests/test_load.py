"""Weekly load figures in local time, shoe forecasts, and `runwear load` / `runwear shoes`."""

from __future__ import annotations

import json
import time as clock
from datetime import date, datetime, time, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.monitor.checks import run_checks
from runwear.monitor.load import (
    Run,
    WeekLoad,
    format_pace,
    history_days,
    load_runs,
    shoe_forecasts,
    today_of,
    weekly_load,
)
from runwear.store import Settings, memory_db
from runwear.store.settings import parse_setting
from runwear.store.shoes import add_shoe

from .helpers import LAST_MONDAY, LOAD_AS_OF, add_run_on, add_weeks

UTC = Settings(timezone="UTC")
HOUR = 3600


def week(start: date, **figures: object) -> WeekLoad:
    """A WeekLoad with the figures of an empty full week, changed by `figures`."""
    year, number, _ = start.isocalendar()
    empty = WeekLoad(
        week=f"{year}-W{number:02d}",
        week_start=start,
        days=7,
        distance_m=0.0,
        runs=0,
        rest_days=7,
        longest_m=0.0,
        pace_s_per_km=None,
        ascent_m=0.0,
        ascent_unknown_runs=0,
        hard_share=None,
        change_pct=None,
        acwr=None,
    )
    return empty._replace(**figures)


def test_steady_season_weekly_figures():
    db = memory_db()
    add_weeks(db, [30] * 6, climb_m_per_km=10, surface="concrete")
    add_run_on(db, LAST_MONDAY + timedelta(days=6), 6_000, surface="grass", ascent_m=None)
    steady = {
        "distance_m": 30_000.0,
        "runs": 4,
        "rest_days": 3,
        "longest_m": 7_500.0,
        "pace_s_per_km": 300.0,
        "ascent_m": 300.0,
        "hard_share": 1.0,
    }
    weeks = weekly_load(db, UTC, LOAD_AS_OF, weeks=5)
    assert [w.week for w in weeks] == ["2026-W20", "2026-W21", "2026-W22", "2026-W23", "2026-W24"]
    assert weeks[0] == week(date(2026, 5, 11), **steady, change_pct=0.0, acwr=None)
    assert weeks[2] == week(date(2026, 5, 25), **steady, change_pct=0.0, acwr=1.0)
    assert weeks[4] == week(
        LAST_MONDAY,
        distance_m=36_000.0,
        runs=5,
        rest_days=3,
        longest_m=7_500.0,
        pace_s_per_km=300.0,
        ascent_m=300.0,
        ascent_unknown_runs=1,
        hard_share=30_000 / 36_000,
        change_pct=20.0,
        acwr=1.14,  # 36 km over the average of 30, 30, 30 and 36
    )


def test_empty_weeks_and_the_current_week_so_far():
    db = memory_db()
    add_weeks(db, [20, 0, 20], last_monday=LAST_MONDAY - timedelta(weeks=1))
    add_run_on(db, date(2026, 6, 9), 5_000)  # Tuesday of W24
    wednesday_noon = datetime(2026, 6, 10, 12, tzinfo=timezone.utc)
    weeks = weekly_load(db, UTC, wednesday_noon, weeks=4)
    assert [(w.week, w.distance_m, w.runs, w.rest_days, w.days, w.change_pct) for w in weeks] == [
        ("2026-W21", 20_000.0, 4, 3, 7, None),
        ("2026-W22", 0.0, 0, 7, 7, -100.0),
        ("2026-W23", 20_000.0, 4, 3, 7, None),  # the week before had under 5 km
        ("2026-W24", 5_000.0, 1, 2, 3, None),  # Monday to Wednesday so far: no change yet
    ]
    assert weeks[-1].acwr is None


def test_week_of_runs_either_side_of_local_midnight_on_sunday():
    db = memory_db()
    sunday, monday = date(2026, 6, 14), date(2026, 6, 15)
    # Berlin summer time: 23:50 on Sunday and 00:10 on Monday are both Sunday in UTC.
    add_run_on(db, sunday, 10_000, at=time(23, 50), utc_offset_s=2 * HOUR)
    add_run_on(db, monday, 7_000, at=time(0, 10), utc_offset_s=2 * HOUR)
    # New York: 23:55 on Sunday is already Monday in UTC.
    add_run_on(db, sunday, 5_000, at=time(23, 55), utc_offset_s=-4 * HOUR)
    later = datetime(2026, 6, 17, tzinfo=timezone.utc)
    runs = load_runs(db, UTC, later)
    assert [(r.distance_m, r.day) for r in runs] == [
        (10_000, sunday),
        (7_000, monday),
        (5_000, sunday),
    ]
    weeks = weekly_load(db, UTC, later, weeks=2)
    assert [(w.week, w.distance_m, w.runs) for w in weeks] == [
        ("2026-W24", 15_000.0, 2),
        ("2026-W25", 7_000.0, 1),
    ]


def test_timezone_setting_dates_runs_without_an_offset():
    db = memory_db()
    # 02:00 UTC on Monday, no offset in the file: Sunday evening in New York.
    add_run_on(db, date(2026, 6, 15), 8_000, at=time(2, 0))
    later = datetime(2026, 6, 17, tzinfo=timezone.utc)
    new_york = Settings(timezone="America/New_York")
    assert [r.day for r in load_runs(db, new_york, later)] == [date(2026, 6, 14)]
    assert [r.day for r in load_runs(db, UTC, later)] == [date(2026, 6, 15)]
    # An offset in the file wins over the setting.
    add_run_on(db, date(2026, 6, 15), 9_000, at=time(2, 0), utc_offset_s=9 * HOUR)
    assert [(r.distance_m, r.day) for r in load_runs(db, new_york, later)] == [
        (9_000, date(2026, 6, 15)),
        (8_000, date(2026, 6, 14)),
    ]


@pytest.mark.skipif(not hasattr(clock, "tzset"), reason="needs time.tzset (not on Windows)")
def test_local_timezone_is_the_machines(monkeypatch):
    db = memory_db()
    add_run_on(db, date(2026, 6, 15), 8_000, at=time(2, 0))
    later = datetime(2026, 6, 17, tzinfo=timezone.utc)
    try:
        monkeypatch.setenv("TZ", "America/Los_Angeles")
        clock.tzset()
        assert [r.day for r in load_runs(db, Settings(), later)] == [date(2026, 6, 14)]
        monkeypatch.setenv("TZ", "Asia/Tokyo")
        clock.tzset()
        assert [r.day for r in load_runs(db, Settings(), later)] == [date(2026, 6, 15)]
    finally:
        monkeypatch.undo()
        clock.tzset()


def test_runner_crossing_time_zones_keeps_local_days():
    """Berlin Monday to Thursday, then Tokyo: every local day has one run at 06:30.

    In UTC the Tokyo runs fall on the day before, so Sunday looks like a rest day and the
    next Monday's run lands in this week; in local time neither happens.
    """
    db = memory_db()
    for n in range(7):
        offset = 2 * HOUR if n < 4 else 9 * HOUR
        add_run_on(db, LAST_MONDAY + timedelta(days=n), 8_000, at=time(6, 30), utc_offset_s=offset)
    add_run_on(db, date(2026, 6, 15), 8_000, at=time(6, 30), utc_offset_s=9 * HOUR)
    tokyo = Settings(timezone="Asia/Tokyo")
    weeks = weekly_load(db, tokyo, datetime(2026, 6, 16, tzinfo=timezone.utc), weeks=2)
    assert [(w.week, w.runs, w.rest_days, w.days) for w in weeks] == [
        ("2026-W24", 7, 0, 7),
        ("2026-W25", 1, 1, 2),  # Monday and Tuesday (09:00 in Tokyo) so far
    ]
    # As of Sunday midnight in Tokyo (15:00 UTC): a run on each of the last 7 local days.
    sunday_midnight = datetime(2026, 6, 14, 15, tzinfo=timezone.utc)
    found = run_checks(db, tokyo, sunday_midnight)
    assert [(f.kind, f.value) for f in found if f.kind == "no_rest_day"] == [("no_rest_day", 0.0)]
    # The home zone setting does not move runs whose files give their offset.
    assert [r.day for r in load_runs(db, UTC, sunday_midnight)] == [
        LAST_MONDAY + timedelta(days=n) for n in range(7)
    ]


def test_today_is_the_day_before_an_exclusive_midnight_as_of():
    db = memory_db()
    assert today_of([], UTC, LOAD_AS_OF) == date(2026, 6, 14)
    assert today_of([], UTC, LOAD_AS_OF + timedelta(seconds=1)) == date(2026, 6, 15)
    assert today_of([], Settings(timezone="Europe/Berlin"), LOAD_AS_OF) == date(2026, 6, 15)
    # A run already on Monday in Tokyo (Sunday 23:00 UTC) makes Monday today.
    add_run_on(db, date(2026, 6, 15), 5_000, at=time(8, 0), utc_offset_s=9 * HOUR)
    assert today_of(load_runs(db, UTC, LOAD_AS_OF), UTC, LOAD_AS_OF) == date(2026, 6, 15)


def test_shoe_reaching_its_limit_in_three_weeks():
    db = memory_db()
    shoe = add_shoe(db, "Pegasus", start_distance_m=480_000, limit_m=700_000)
    other = add_shoe(db, "Fresh")
    add_weeks(db, [20] * 8, shoe_ids=[shoe])  # 640 km now, 20 km a week
    add_weeks(db, [10] * 2, shoe_ids=[other])  # 2 weeks old: rate over its 14 days
    by_name = {f.name: f for f in shoe_forecasts(db, UTC, LOAD_AS_OF)}
    pegasus = by_name["Pegasus"]
    assert (pegasus.distance_m, pegasus.rate_m_per_week) == (640_000, 20_000)
    # 60 km left at 20 km a week: 21 days after Sunday 2026-06-14.
    assert abs(pegasus.limit_on - date(2026, 7, 5)) <= timedelta(days=1)
    assert (pegasus.limit_on, pegasus.days_left) == (date(2026, 7, 5), 21)
    fresh = by_name["Fresh"]
    assert fresh.rate_m_per_week == 10_000
    assert fresh.limit_on == date(2026, 6, 14) + timedelta(weeks=68)
    [finding] = [f for f in run_checks(db, UTC, LOAD_AS_OF) if f.kind == "shoe_forecast"]
    assert finding.as_dict() == {
        "kind": "shoe_forecast",
        "severity": "info",
        "subject": "Pegasus",
        "message": "Pegasus reaches its 700 km limit around 2026-07-05: in 21 days at its last "
        "8 weeks' 20.0 km a week (within 6 weeks). Buy the next pair before then and run it "
        "in alongside.",
        "value": 21.0,
        "threshold": 42.0,
    }


def test_shoe_past_its_limit_shows_the_day_it_got_there():
    db = memory_db()
    shoe = add_shoe(db, "Old", start_distance_m=690_000, limit_m=700_000)
    never = add_shoe(db, "Bought worn", start_distance_m=800_000, limit_m=700_000)
    add_shoe(db, "Idle")
    add_weeks(db, [20], shoe_ids=[shoe, never])  # 5 km runs Mon, Wed, Fri, Sun
    by_name = {f.name: f for f in shoe_forecasts(db, UTC, LOAD_AS_OF)}
    assert (by_name["Old"].limit_on, by_name["Old"].days_left) == (date(2026, 6, 12), -2)
    assert by_name["Bought worn"].limit_on is None
    assert (by_name["Idle"].limit_on, by_name["Idle"].rate_m_per_week) == (None, 0)


@pytest.mark.parametrize(("start_km", "fires"), [(580, True), (579.99, False)])
def test_shoe_forecast_fires_within_six_weeks(start_km, fires):
    db = memory_db()
    shoe = add_shoe(db, "Pegasus", start_distance_m=start_km * 1000 - 160_000, limit_m=700_000)
    add_weeks(db, [20] * 8, shoe_ids=[shoe])  # 120 km left at 20 km a week: exactly 42 days
    [forecast] = shoe_forecasts(db, UTC, LOAD_AS_OF)
    assert forecast.days_left == (42 if fires else 43)
    kinds = [f.kind for f in run_checks(db, UTC, LOAD_AS_OF)]
    assert ("shoe_forecast" in kinds) is fires


def test_pace_format():
    assert format_pace(300, "km") == "5:00 /km"
    assert format_pace(300, "mi") == "8:03 /mi"
    assert format_pace(None, "km") == "-"


def test_thousand_five_hundred_runs_are_instant():
    db = memory_db()
    shoes = [add_shoe(db, "A"), add_shoe(db, "B")]
    add_weeks(db, [40] * 215, run_days=range(7), shoe_ids=shoes)  # 1505 runs, over 4 years
    assert db["activities"].count == 1505
    took_s = min(_timed(db) for _ in range(3))
    assert took_s < 0.2


def _timed(db) -> float:
    start = clock.perf_counter()
    assert len(weekly_load(db, UTC, LOAD_AS_OF, weeks=12)) == 12
    run_checks(db, UTC, LOAD_AS_OF)
    return clock.perf_counter() - start


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("timezone", "Europe/Berlin", "Europe/Berlin"),
        ("timezone", "LOCAL", "local"),
        ("ramp_pct", "12.5", 12.5),
        ("acwr_max", "1.5", 1.5),
        ("min_history_weeks", "4", 4),
        ("max_runs_per_week", "5", 5),
        ("min_rest_days_per_week", "0", 0),
        ("hills_min_m_per_km", "0", 0.0),
        ("comeback_gap_days", "21d", 21),
        ("forecast_weeks", "8w", 8),
    ],
)
def test_load_settings_parse(key, text, value):
    assert parse_setting(key, text) == value


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        (
            "timezone",
            "Mars/Olympus",
            "must be an IANA time zone name like Europe/Berlin or America/New_York, or local",
        ),
        ("acwr_max", "0.8", "must be a factor between 1 and 3"),
        ("max_runs_per_week", "0", "must be between 1 and 21 runs"),
        ("min_history_weeks", "60", "must be between 1 and 52 weeks"),
        ("single_shoe_pct", "120", "must be a percentage between 50 and 100"),
        ("min_week_km", "-1", "must be between 1 and 200 km"),
    ],
)
def test_load_settings_refuse(key, text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_setting(key, text)


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_load_command_json_csv_and_table(run, runwear_db):
    from runwear.store import open_db

    db = open_db(runwear_db)
    add_weeks(db, [20, 22, 20, 24], climb_m_per_km=5, surface="asphalt")
    add_run_on(db, LAST_MONDAY, 4_000, surface="grass", ascent_m=None)
    db.close()
    assert run("config", "timezone", "UTC").exit_code == 0
    records = json.loads(run("load", "--as-of", "2026-06-15", "--weeks", "2", "--json").output)
    assert records == [
        {
            "week": "2026-W23",
            "week_start": "2026-06-01",
            "distance_km": 20.0,
            "runs": 4,
            "rest_days": 3,
            "longest_km": 5.0,
            "pace_s_per_km": 300.0,
            "ascent_m": 100,
            "hard_share": 1.0,
            "change_pct": -9.1,
            "acwr": None,
            "ascent_unknown_runs": 0,
        },
        {
            "week": "2026-W24",
            "week_start": "2026-06-08",
            "distance_km": 28.0,
            "runs": 5,
            "rest_days": 3,
            "longest_km": 6.0,
            "pace_s_per_km": 300.0,
            "ascent_m": 120,
            "hard_share": 0.8571,
            "change_pct": 40.0,
            "acwr": 1.24,
            "ascent_unknown_runs": 1,
        },
    ]
    csv_lines = run("load", "--as-of", "2026-06-15", "--weeks", "1", "--csv").output.splitlines()
    assert csv_lines == [
        "week,week_start,distance_km,runs,rest_days,longest_km,pace_s_per_km,ascent_m,"
        "hard_share,change_pct,acwr,ascent_unknown_runs",
        "2026-W24,2026-06-08,28.0,5,3,6.0,300.0,120,0.8571,40.0,1.24,1",
    ]
    table = run("load", "--as-of", "2026-06-15", "--weeks", "2").output.splitlines()
    assert table[0].split() == [
        "week",
        "from",
        "km",
        "runs",
        "rest",
        "longest",
        "pace",
        "/km",
        "climb",
        "m",
        "hard",
        "change",
        "acwr",
    ]
    assert table[2].split() == [
        "2026-W23",
        "2026-06-01",
        "20.0",
        "4",
        "3",
        "5.0",
        "5:00",
        "100",
        "100%",
        "-9.1%",
        "-",
        "##############......",
    ]
    assert table[3].endswith("1.24  ####################")
    assert table[3].split()[7] == "120*"
    assert table[4] == "* climb unknown for some runs (counted as 0)."
    miles = run("--units", "mi", "load", "--as-of", "2026-06-15", "--weeks", "1").output
    assert "17.4" in miles and "8:03" in miles  # 28 km, 5:00 /km
    midweek = run("load", "--as-of", "2026-06-10", "--weeks", "1").output.splitlines()
    assert midweek[-2:] == [
        "2026-W24 so far: 2 of 7 days (change and acwr once it is complete).",
        "* climb unknown for some runs (counted as 0).",
    ]


def test_load_command_without_runs(run):
    result = run("load")
    assert result.exit_code == 0
    assert result.output == "No runs in the last 12 weeks. Import some: runwear import PATH...\n"
    assert json.loads(run("load", "--json").output) == []
    assert run("load", "--weeks", "0").exit_code == 2


def test_shoes_lists_limit_on(run, runwear_db):
    from runwear.store import open_db

    db = open_db(runwear_db)
    now = datetime.now(timezone.utc)
    shoe = add_shoe(db, "Pegasus", start_distance_m=600_000, limit_m=700_000)
    add_shoe(db, "Unworn")
    for n in range(56):  # 1 km a day for the last 8 weeks, today included (600 + 56 km)
        add_run_on(db, (now - timedelta(days=n)).date(), 1_000, at=time(0, 0), shoe_id=shoe)
    db.close()
    run("config", "timezone", "UTC")
    shoes = {s["name"]: s for s in json.loads(run("shoes", "--json").output)}
    # 44 km left at 1 km a day.
    limit_on = date.fromisoformat(shoes["Pegasus"]["limit_on"])
    assert abs(limit_on - (now.date() + timedelta(days=44))) <= timedelta(days=1)
    assert shoes["Unworn"]["limit_on"] is None
    assert list(shoes["Unworn"])[-1] == "limit_on"
    table = run("shoes").output.splitlines()
    assert table[0].split()[-2:] == ["limit", "on"]
    assert table[2].split()[-1] == shoes["Pegasus"]["limit_on"]
    assert table[3].split()[-1] == "-"


def test_history_days_count_from_the_last_break():
    def run(day: date) -> Run:
        return Run(0, day, 5_000.0, 1_500.0, 0.0, 0.0, None)

    start = date(2026, 3, 2)
    runs = [run(start + timedelta(days=n)) for n in (0, 3, 6, 30, 32, 45)]
    assert history_days(runs, start - timedelta(days=1), 14) == 0  # no run by then
    assert history_days(runs, start + timedelta(days=6), 14) == 7
    assert history_days(runs, start + timedelta(days=29), 14) == 30  # 23 days rest: not yet
    assert history_days(runs, start + timedelta(days=30), 14) == 1  # ... a break, then back
    assert history_days(runs, start + timedelta(days=45), 14) == 16  # 12 days off: no break
    assert history_days(runs, start + timedelta(days=45), 12) == 1  # ... of 12: a break
