"""Long histories: listings past SQLite's limit on bound values, and reports that read only
the weeks they look at, giving the figures the whole history gives."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, datetime, time, timedelta, timezone

import pytest

from runwear.ingest.model import Activity
from runwear.monitor import coach_checks, load_checks
from runwear.monitor import load as load_module
from runwear.monitor.coach_checks import coach_warnings
from runwear.monitor.coach_data import strength_days
from runwear.monitor.load import (
    ShoeForecast,
    load_runs,
    shoe_forecasts,
    today_of,
    weekly_load,
    window,
)
from runwear.monitor.load_checks import load_warnings
from runwear.monitor.mileage import shoe_wear
from runwear.store import Settings, memory_db, open_db
from runwear.store import activities as store
from runwear.store.pain import add_pain
from runwear.store.shoes import add_shoe, set_retired
from runwear.surfacing.split import SurfacePart

from .helpers import LOAD_AS_OF, add_run_on, cli_invoker

OLD_VARIABLE_LIMIT = 999  # SQLite's default before 3.32, still in some builds


@pytest.fixture
def run():
    return cli_invoker()


@pytest.fixture
def few_variables(monkeypatch):
    """Connections that allow only OLD_VARIABLE_LIMIT bound values in a statement."""
    connect = sqlite3.connect

    def limited(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, OLD_VARIABLE_LIMIT)
        return conn

    monkeypatch.setattr(sqlite3, "connect", limited)


def many_runs(path, count: int) -> None:
    """Store `count` one-surface runs a day apart, directly (no files)."""
    db = open_db(path)
    with db.conn:
        db.conn.executemany(
            "insert into activities (id, started_at, sport, sub_sport, distance_m, duration_s, "
            "surface, imported_at) values (?, ?, 'running', 'generic', ?, 1800, 'trail', 'x')",
            [
                (n, f"{1900 + n // 365:04d}-01-01T07:00:{n % 60:02d}Z", 5_000.0 + n)
                for n in range(1, count + 1)
            ],
        )
    db.close()


def test_activities_json_lists_more_runs_than_sqlite_takes_values(run, runwear_db, few_variables):
    count = OLD_VARIABLE_LIMIT + 200
    many_runs(runwear_db, count)
    result = run("activities", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == count
    assert records[0]["distance_km"] == round((5_000.0 + count) / 1000, 3)
    assert result.output == json.dumps(records, indent=2) + "\n"


def test_activities_csv_and_untagged_past_the_limit_too(run, runwear_db, few_variables):
    count = OLD_VARIABLE_LIMIT + 200
    many_runs(runwear_db, count)
    listed = run("activities", "--csv")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == "id,started_at,name,sport,sub_sport,distance_km,duration_s,shoe,surface"
    assert len(lines) == count + 1
    untagged = run("untagged", "--json")
    assert untagged.exit_code == 0, untagged.output
    assert len(json.loads(untagged.output)) == count


def test_activities_json_with_nothing_stored_is_an_empty_list(run):
    result = run("activities", "--json")
    assert (result.exit_code, result.output) == (0, "[]\n")


# -- windowed reads give the whole history's figures -------------------------------------------

ZONES = ("UTC", "America/New_York", "Asia/Tokyo")
OFFSETS = (None, None, 3_600, -18_000, 50_400)  # GPX (none), Berlin, New York, Kiribati
HISTORY_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def varied_history(db, seed: int) -> list[datetime]:
    """Two years of runs at any hour (day boundaries), with breaks, offsets, three shoes (one
    retired, one past a small limit), surface parts, strength sessions and pain; returns
    moments to check as of (during comebacks, steady weeks, and after the last run)."""
    rng = random.Random(seed)
    shoes = [
        add_shoe(db, "Long", limit_m=60_000.0),
        add_shoe(db, "Other", start_distance_m=20_000.0),
        add_shoe(db, "Gone"),
    ]
    day, moments = HISTORY_START, []
    while day < HISTORY_START + timedelta(days=720):
        if rng.random() < 0.02:
            day += timedelta(days=rng.randint(12, 40))  # a break
            moments += [day + timedelta(days=rng.randint(3, 6), hours=rng.randint(0, 23))]
            moments += [day + timedelta(days=rng.randint(8, 30))]
        started = day + timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        if rng.random() < 0.15:
            add_other(db, started, "training", "strength_training")
        elif rng.random() < 0.75:
            distance_m = rng.uniform(3_000, 25_000)
            parts = [
                SurfacePart("concrete", "place", distance_m * 0.3),
                SurfacePart(rng.choice(["asphalt", "trail"]), "osm", distance_m * 0.7),
            ]
            with db.conn:
                store.add_activity(
                    db,
                    Activity(
                        started_at=started,
                        sport="running",
                        sub_sport="generic",
                        distance_m=distance_m,
                        duration_s=distance_m * rng.uniform(0.25, 0.4),
                        ascent_m=rng.choice([None, 10.0, 80.0, 300.0]),
                        utc_offset_s=rng.choice(OFFSETS),
                        cadence_spm=rng.choice([None, 160.0, 175.0]),
                    ),
                    source_id=None,
                    session_index=0,
                    fmt="gpx",
                    shoe_id=rng.choice([*shoes, None]),
                    shoe_source="manual",
                    surface="concrete",
                    surface_source="place",
                    parts=parts,
                )
        if rng.random() < 0.01:
            add_pain(db, day.date(), rng.randint(1, 6))
        day += timedelta(days=rng.choice([1, 1, 1, 2, 3]))
    set_retired(db, shoes[2], date(2025, 6, 1))
    moments += [HISTORY_START + timedelta(days=rng.randint(1, 720)) for _ in range(12)]
    return [*moments, day + timedelta(days=1), day + timedelta(days=20)]


def add_other(db, started: datetime, sport: str, sub_sport: str) -> None:
    """Store a session that is not a run."""
    with db.conn:
        store.add_other(
            db,
            Activity(started_at=started, sport=sport, sub_sport=sub_sport, distance_m=0.0),
            None,
            0,
            "fit",
            None,
        )


@pytest.fixture(scope="module")
def history():
    db = memory_db()
    return db, varied_history(db, seed=15)


def whole_history(db, settings, as_of):
    """What the reports read before they were windowed: every run before `as_of`."""
    runs = load_runs(db, settings, as_of)
    return runs, today_of(runs, settings, as_of)


def same_when_patched(history, zone, report, patch):
    """`report` at every moment of `history`, asserted equal after `patch` (which makes it
    read the whole history as before); returns the first results."""
    db, moments = history
    settings = Settings(timezone=zone)
    windowed = [report(db, settings, m) for m in moments]
    patch()
    assert windowed == [report(db, settings, m) for m in moments]
    return windowed


@pytest.mark.parametrize("zone", ZONES)
def test_load_warnings_read_a_window_and_find_what_the_whole_history_shows(
    history, zone, monkeypatch
):
    windowed = same_when_patched(
        history,
        zone,
        load_warnings,
        lambda: monkeypatch.setattr(
            load_checks, "recent_runs", lambda db, s, m, _days: whole_history(db, s, m)
        ),
    )
    kinds = {f.kind for found in windowed for f in found}
    assert {"comeback", "weekly_ramp", "shoe_forecast"} <= kinds


@pytest.mark.parametrize("zone", ZONES)
def test_weekly_load_reads_its_weeks_and_gives_the_whole_history_figures(
    history, zone, monkeypatch
):
    db, moments = history
    settings = Settings(timezone=zone)
    windowed = [weekly_load(db, settings, m, 6) for m in moments]

    def every_run(db, s, as_of, first):
        return [r for r in load_runs(db, s, as_of) if r.day >= first]

    monkeypatch.setattr(load_module, "runs_since", every_run)
    monkeypatch.setattr(
        load_module, "latest_run", lambda db, s, m: (load_runs(db, s, m) or [None])[-1]
    )
    monkeypatch.setattr(
        load_module, "first_run", lambda db, s, m: (load_runs(db, s, m) or [None])[0]
    )
    assert windowed == [weekly_load(db, settings, m, 6) for m in moments]


@pytest.mark.parametrize("zone", ZONES)
def test_shoe_forecasts_match_the_whole_history(history, zone):
    db, moments = history
    settings = Settings(timezone=zone)
    for moment in moments:
        assert shoe_forecasts(db, settings, moment) == forecasts_from_every_run(
            db, settings, moment
        )


def forecasts_from_every_run(db, settings, as_of):
    """shoe_forecasts as it was computed from every run before `as_of`."""
    runs, today = whole_history(db, settings, as_of)
    found = []
    for shoe in db.query(
        "select * from shoes where retired_on is null order by name collate nocase"
    ):
        own = [r for r in runs if r.shoe_id == shoe["id"]]
        limit_m = shoe["limit_m"] or settings.shoe_limit_km * 1000
        distance_m = shoe["start_distance_m"] + sum(r.distance_m for r in own)
        days = max(min(56, (today - own[0].day).days + 1) if own else 0, 7)
        recent_m = window(own, today, days).distance_m
        limit_on = (
            load_module._ahead(today, limit_m - distance_m, recent_m, days)
            if distance_m < limit_m
            else load_module._crossed(own, shoe["start_distance_m"], limit_m)
        )
        found.append(
            ShoeForecast(
                shoe["id"],
                shoe["name"],
                distance_m,
                limit_m,
                recent_m / days * 7,
                limit_on,
                (limit_on - today).days if limit_on else None,
            )
        )
    return found


@pytest.mark.parametrize("zone", ZONES)
def test_coach_warnings_count_strength_from_their_window_as_from_every_session(
    history, zone, monkeypatch
):
    same_when_patched(
        history,
        zone,
        coach_warnings,
        lambda: monkeypatch.setattr(
            coach_checks, "_strength", lambda db, s, as_of, _since: strength_days(db, s, as_of)
        ),
    )


def test_shoe_wear_matches_the_shoe_mileage_view_and_every_run_before_a_date(history):
    db, moments = history
    settings = Settings(timezone="UTC")
    view = {r["shoe_id"]: r for r in db.query("select * from shoe_mileage")}
    for shoe in shoe_wear(db, settings, include_retired=True):
        row = view[shoe.id]
        assert (shoe.distance_m, shoe.runs, shoe.last_run, shoe.retired_on) == (
            pytest.approx(row["distance_m"], rel=1e-12),
            row["runs"],
            row["last_run"],
            row["retired_on"],
        )
    for moment in moments:
        runs = load_runs(db, settings, moment)
        for shoe in shoe_wear(db, settings, include_retired=True, as_of=moment):
            own = [r for r in runs if r.shoe_id == shoe.id]
            start_m = db["shoes"].get(shoe.id)["start_distance_m"]
            assert shoe.distance_m == pytest.approx(start_m + sum(r.distance_m for r in own))
            assert shoe.runs == len(own)


def test_streamed_json_is_the_text_json_dumps_writes():
    from runwear.cli.output import _json_chunks

    records = [
        {"id": 1, "name": "Ünïcode \u202e \x1b", "km": 1.5, "n": None, "ok": True, "big": 10**20},
        {"x": float("nan"), "y": float("inf"), "z": -0.0, "nested": [1, {"a": 2}], "e": {}},
        {},
    ]
    assert "".join(_json_chunks(records)) == json.dumps(records, indent=2)
    assert "".join(_json_chunks([])) == json.dumps([], indent=2)


def test_tag_many_runs_past_the_limit(run, runwear_db, few_variables):
    count = OLD_VARIABLE_LIMIT + 200
    many_runs(runwear_db, count)
    result = run("tag", "--since", "1900-01-01", "--surface", "auto")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Tagged {count} run(s) with surface auto."
    assert result.output.splitlines()[-1].startswith("Their surfaces are now: ")
    ids = " ".join(str(n) for n in range(1, count + 1)).split()
    tagged = run("tag", *ids, "--surface", "trail")
    assert tagged.exit_code == 0, tagged.output


def test_the_run_before_the_window_is_the_latest_local_day_even_when_started_earlier():
    db = memory_db()
    # Started 2026-06-03 05:00 UTC, west of the date line; started 2026-06-02 23:00 UTC, east.
    add_run_on(db, date(2026, 6, 2), 8_000, at=time(17), utc_offset_s=-12 * 3600)
    add_run_on(db, date(2026, 6, 3), 8_000, at=time(13), utc_offset_s=14 * 3600)
    add_run_on(db, date(2026, 6, 10), 8_000)
    add_run_on(db, date(2026, 6, 14), 8_000)
    runs, today = load_module.recent_runs(db, Settings(timezone="UTC"), LOAD_AS_OF, 10)
    assert today == date(2026, 6, 14)
    assert [r.day for r in runs] == [date(2026, 6, 3), date(2026, 6, 10), date(2026, 6, 14)]
