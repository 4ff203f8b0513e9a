"""The pain log: stored entries, `runwear pain` commands, and what came before pain."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from runwear.cli import cli
from runwear.monitor.pain import before_pain, load_history, rank_factors
from runwear.store import Settings, memory_db, open_db
from runwear.store.pain import add_pain, pain_entries, remove_pain

from .helpers import add_run_on

UTC = Settings(timezone="UTC")
TODAY = date(2026, 6, 14)
AS_OF = datetime(2026, 6, 15, tzinfo=timezone.utc)


def pain(*args: str):
    """`runwear pain ARGS` against the test's database."""
    return CliRunner().invoke(cli, ["pain", *args], catch_exceptions=False)


def test_store_adds_lists_and_removes():
    db = memory_db()
    first = add_pain(db, date(2026, 6, 2), 4, "lower-back", "stiff")
    second = add_pain(db, date(2026, 6, 1), 2)
    entries = pain_entries(db)
    assert [(e.id, e.day, e.level, e.location, e.note) for e in entries] == [
        (second, date(2026, 6, 1), 2, "lower-back", None),
        (first, date(2026, 6, 2), 4, "lower-back", "stiff"),
    ]
    assert [e.id for e in pain_entries(db, before=date(2026, 6, 2))] == [second]
    assert remove_pain(db, first) is True
    assert remove_pain(db, first) is False
    assert [e.id for e in pain_entries(db)] == [second]


def test_pain_commands(runwear_db):
    assert pain("list").output == "No pain logged. Log it: runwear pain add --level N\n"
    added = pain("add", "2026-06-12", "--level", "4", "--note", "after the long run")
    assert (added.exit_code, added.output) == (0, "Logged pain 1: lower-back 4/10 on 2026-06-12.\n")
    assert pain("add", "2026-06-13", "--level", "2", "--where", "knee").exit_code == 0
    listed = json.loads(pain("list", "--json").output)
    assert [(p["id"], p["day"], p["level"], p["where"], p["note"]) for p in listed] == [
        (1, "2026-06-12", 4, "lower-back", "after the long run"),
        (2, "2026-06-13", 2, "knee", None),
    ]
    assert pain("list", "--csv").output.splitlines()[0] == ("id,day,level,where,note,created_at")
    table = pain("list").output.splitlines()
    assert table[0].split() == ["id", "day", "level", "where", "note"]
    assert pain("remove", "2").output == "Removed pain entry 2.\n"
    missing = pain("remove", "2")
    assert missing.exit_code == 2
    assert "Error: Invalid value for PAIN_ID: no pain entry with id 2. See `runwear pain list`" in (
        missing.output
    )


@pytest.mark.parametrize("level, code", [("-1", 2), ("0", 0), ("10", 0), ("11", 2)])
def test_pain_level_is_0_to_10(level, code):
    assert pain("add", "2026-06-12", "--level", level).exit_code == code


def test_pain_add_refuses_bad_and_future_days():
    bad = pain("add", "12/06/2026", "--level", "3")
    assert bad.exit_code == 2
    assert "'12/06/2026' is not a date; write it as YYYY-MM-DD" in bad.output
    future = pain("add", (date.today() + timedelta(days=2)).isoformat(), "--level", "3")
    assert future.exit_code == 2
    assert "is in the future" in future.output


def steady_then_concrete(db: Database, pain_days: list[date]) -> None:
    """20 weeks of 3 runs of 8 km on trail; the 14 days before each pain day on concrete."""
    start = TODAY - timedelta(weeks=20)
    for n in range((TODAY - start).days + 1):
        day = start + timedelta(days=n)
        if day.weekday() not in (0, 2, 4):
            continue
        hard = any(0 < (p - day).days <= 14 for p in pain_days)
        add_run_on(db, day, 8_000, at=time(7), surface="concrete" if hard else "trail")
    for day in pain_days:
        add_pain(db, day, 5)


def test_why_names_what_was_outside_the_usual():
    db = memory_db()
    steady_then_concrete(db, [TODAY - timedelta(days=3)])
    history = load_history(db, UTC, AS_OF)
    [entry] = history.pain
    factors = {b.factor.key: b for b in before_pain(history, entry)}
    concrete = factors["concrete_pct"]
    assert concrete.figures == {14: 100.0, 28: 50.0}
    assert (concrete.usual[28].low, concrete.usual[28].high) == (0.0, 0.0)
    assert concrete.outside
    assert factors["weekly_km"].figures == {14: 24.0, 28: 24.0}
    assert not factors["weekly_km"].outside  # the same as ever
    assert [k for k, b in factors.items() if b.outside] == ["concrete_pct", "hard_pct"]


def test_why_without_history_says_so():
    db = memory_db()
    add_run_on(db, TODAY - timedelta(days=5), 8_000)
    add_pain(db, TODAY - timedelta(days=1), 5)
    history = load_history(db, UTC, AS_OF)
    factors = before_pain(history, history.pain[0])
    assert all(b.usual == {14: None, 28: None} and not b.outside for b in factors)


def test_why_all_ranks_by_counts():
    db = memory_db()
    pains = [TODAY - timedelta(days=3), TODAY - timedelta(weeks=10)]
    steady_then_concrete(db, pains)
    ranks = rank_factors(load_history(db, UTC, AS_OF))
    top = ranks[0]
    assert top.factor.key in ("concrete_pct", "hard_pct")
    assert (top.pain_out, top.pain_judged) == (2, 2)
    assert top.free_out == 0 and top.free_judged >= 4
    assert top.lift == 1.0
    weekly = next(r for r in ranks if r.factor.key == "weekly_km")
    assert weekly.pain_out == 0


def test_pain_why_command(runwear_db):
    db = open_db(runwear_db)
    today = date.today()
    for n in range(20 * 7):
        day = today - timedelta(days=n + 1)
        if day.weekday() in (0, 2, 4):
            # concrete only in the 13 days before the pain: the pain-free window that ends
            # 14 days back (whatever today's weekday) holds none
            surface = "concrete" if n < 13 else "trail"
            add_run_on(db, day, 8_000, surface=surface)
    add_pain(db, today, 6, "lower-back", None)
    db.close()
    shown = pain("why")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert lines[0] == (
        f"Pain 1: lower-back 6/10 on {today}. The 14 and 28 days before it against your usual:"
    )
    concrete = next(line for line in lines if line.startswith("on concrete  "))
    assert concrete.split()[-1] == "higher"
    assert "Outside your usual range: on concrete, on concrete or asphalt." in lines
    assert lines[-1].startswith("A pattern in your own data, not a diagnosis.")
    as_json = json.loads(pain("why", "1", "--json").output)
    assert {r["factor"] for r in as_json if r["outside"]} == {"concrete_pct", "hard_pct"}
    ranked = pain("why", "--all").output.splitlines()
    assert ranked[0].startswith("on concrete")
    assert "1 of 1 pain entries came after 28 days above your usual range; 0 of" in ranked[0]
    assert pain("why", "9").exit_code == 2
    assert pain("why", "1", "--all").exit_code == 2


def test_pain_why_without_entries():
    result = pain("why")
    assert (result.exit_code, result.output) == (
        1,
        "Error: no pain entries of level 1+. Log one: runwear pain add\n",
    )
