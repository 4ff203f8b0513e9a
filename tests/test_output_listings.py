"""Listings and reports: hostile names escaped, CSV cells safe, empty results, periods, dates."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlite_utils import Database

from runwear.cli import cli
from runwear.cli.output import csv_cell, printable, to_csv
from runwear.store import open_db
from runwear.store.shoes import add_shoe

from .helpers import NOW, add_run, add_run_on, cli_invoker

HOSTILE = "Evil\x1b]8;;http://x\x07\x1b[31m\u202eNUL\x00"


@pytest.fixture
def run():
    return cli_invoker()


def test_printable_escapes_control_and_bidi_characters():
    assert printable(HOSTILE) == "Evil\\x1b]8;;http://x\\x07\\x1b[31m\\u202eNUL\\x00"
    assert printable("Pégasus 41") == "Pégasus 41"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\\tx"),
        ("\rx", "'\\rx"),
        ("Pegasus", "Pegasus"),
        (-5.5, -5.5),
        (12, 12),
        (None, None),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_get_a_quote(value, cell):
    assert csv_cell(value) == cell


def test_csv_numbers_stay_numbers():
    assert to_csv([{"name": "=1+1", "distance_km": -1.5}]) == "name,distance_km\n'=1+1,-1.5\n"


def test_hostile_names_are_escaped_in_every_listing(run, runwear_db):
    db = open_db(runwear_db)
    shoe = add_shoe(db, HOSTILE, start_distance_m=900_000)
    run_id = add_run(db, 10_000, days_ago=1, shoe_id=shoe, now=NOW)
    db.execute("update activities set name = ? where id = ?", [HOSTILE, run_id])
    db.conn.commit()
    escaped = printable(HOSTILE)
    for args in (
        ["activities"],
        ["shoes"],
        ["surfaces", "--by", "shoe"],
        ["check"],
        ["activities", "--csv"],
        ["shoes", "--csv"],
    ):
        output = run(*args).output
        assert "\x1b" not in output and "\u202e" not in output and "\x00" not in output, args
        assert escaped[:12] in output, args
    assert json.loads(run("shoes", "--json").output)[0]["name"] == HOSTILE


def test_check_on_an_empty_database_says_how_to_import(run):
    result = run("check")
    assert (result.exit_code, result.output) == (
        0,
        "No runs yet. Import some: runwear import PATH... (or try the sample: runwear demo)\n",
    )


def test_an_empty_filter_says_it_matched_nothing(run, runwear_db):
    empty = run("activities")
    assert empty.output == (
        "No runs yet. Import some: runwear import PATH... (or try the sample: runwear demo)\n"
    )
    db = Database(runwear_db)
    add_run(db, 5_000, days_ago=400)
    db.conn.commit()
    assert (
        run("activities", "--since", "7d").output == "No runs match those options (1 run stored).\n"
    )
    assert run("surfaces", "--since", "7d").output == (
        "No runs match those options (1 run stored).\n"
    )


def test_empty_csv_prints_the_header(run):
    assert run("activities", "--csv").output == (
        "id,started_at,name,sport,sub_sport,distance_km,duration_s,shoe,surface\n"
    )
    assert run("surfaces", "--csv").output == "surface,distance_km,runs,share\n"
    assert run("surfaces", "--by", "week", "--csv").output == (
        "period,surface,distance_km,runs,share\n"
    )
    assert run("check", "--csv").output == "kind,severity,subject,message,value,threshold\n"


def test_check_csv(run):
    run("shoe", "add", "Worn", "--start-distance", "701km")
    result = run("check", "--csv")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "kind,severity,subject,message,value,threshold",
        'shoe_retire,alert,Worn,"Worn has run 701.0 km of its 700 km limit (100%): retire it. '
        'Worn midsoles stop absorbing impact, and the lower back takes it.",701.0,700.0',
    ]


@pytest.mark.parametrize("command", [["activities"], ["surfaces"], ["tag", "--shoe", "X"]])
def test_until_before_since_is_a_usage_error(run, command):
    result = run(*command, "--since", "2026-03-01", "--until", "2026-02-01")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: --until must be after --since"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["activities", "--since", "0001-01-01"],
            "Error: Invalid value for '--since': '0001-01-01' is out of range: "
            "from 1900-01-01 to 2999-12-31",
        ),
        (
            ["check", "--as-of", "9999-12-31"],
            "Error: Invalid value for '--as-of': '9999-12-31' is out of range: "
            "from 1900-01-01 to 2999-12-31",
        ),
        (
            ["surfaces", "--since", "999999999999d"],
            "Error: Invalid value for '--since': '999999999999d' is out of range: "
            "at most 36,600d (100 years)",
        ),
        (
            ["shoe", "add", "X", "--purchased", "0001-01-01"],
            "Error: Invalid value for '--purchased': '0001-01-01' is out of range: "
            "from 1900-01-01 to 2999-12-31",
        ),
        (
            ["load", "--as-of", "9999-12-31"],
            "Error: Invalid value for '--as-of': '9999-12-31' is out of range: "
            "from 1900-01-01 to 2999-12-31",
        ),
    ],
)
def test_dates_out_of_range_are_one_usage_line(run, args, line):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == line
    assert "Traceback" not in result.output


def test_check_as_of_judges_shoes_by_their_distance_then(run, runwear_db):
    db = open_db(runwear_db)
    shoe = add_shoe(db, "Pegasus", limit_m=100_000)
    add_run_on(db, (NOW - timedelta(days=60)).date(), 50_000, shoe_id=shoe)
    add_run_on(db, (NOW - timedelta(days=2)).date(), 60_000, shoe_id=shoe)
    db.close()
    before = (NOW - timedelta(days=30)).date().isoformat()
    then = json.loads(run("check", "--as-of", before, "--json").output)
    wear = ("shoe_retire", "shoe_nearing")
    assert [f["kind"] for f in then if f["kind"] in wear] == []
    now = json.loads(run("check", "--as-of", NOW.date().isoformat(), "--json").output)
    assert [(f["kind"], f["value"]) for f in now if f["kind"] in wear] == [("shoe_retire", 110.0)]


def test_shoe_age_warns_from_the_purchase_date_or_the_first_run(run, runwear_db):
    run("shoe", "add", "Old", "--purchased", "2025-01-10")
    run("shoe", "add", "Young", "--purchased", "2026-05-01", "--max-age", "1mo")
    run("shoe", "add", "Unbought")
    result = run("check", "--as-of", "2026-06-15", "--json")
    assert [(f["subject"], f["value"]) for f in json.loads(result.output)] == [("Young", 1.0)]
    run("config", "shoe_max_age_months", "12")
    db = Database(runwear_db)
    add_run_on(db, (NOW - timedelta(days=500)).date(), 5_000, shoe_id=3)
    db.close()
    found = json.loads(run("check", "--as-of", "2026-06-15", "--json").output)
    ages = [(f["kind"], f["subject"], f["value"]) for f in found if f["kind"] == "shoe_age"]
    assert ages == [
        ("shoe_age", "Old", 17.0),
        ("shoe_age", "Unbought", 16.0),
        ("shoe_age", "Young", 1.0),
    ]
    old = next(f for f in found if f["subject"] == "Old")
    assert old["message"] == (
        "Old is 17 months old (since 2025-01-10; warning from 12): its foam has aged even "
        "if the distance is low, so replace it soon."
    )


def test_surfaces_by_week_and_load_use_the_same_local_weeks(run, runwear_db):
    db = open_db(runwear_db)
    monday = date(2026, 6, 8)
    # Sunday 22:00 in New York is Monday 02:00 UTC: the run belongs to the week before.
    add_run_on(db, monday - timedelta(days=1), 10_000, at=time(22, 0), utc_offset_s=-4 * 3600)
    add_run_on(db, monday - timedelta(days=1), 5_000, at=time(22, 0))
    db.close()
    run("config", "timezone", "America/New_York")
    weeks = json.loads(run("surfaces", "--by", "week", "--json").output)
    assert [(w["period"], w["distance_km"]) for w in weeks] == [("2026-06-01", 15.0)]
    view = (
        Database(runwear_db)
        .execute(
            "select week_start, sum(distance_m) from weekly_surface_mix group by week_start "
            "order by week_start"
        )
        .fetchall()
    )
    assert view[0] == ("2026-06-01", 10_000.0) or view == [("2026-06-01", 15_000.0)]
    load = json.loads(run("load", "--as-of", "2026-06-10", "--weeks", "2", "--json").output)
    assert {w["week_start"]: w["distance_km"] for w in load}["2026-06-01"] == 15.0


def test_rule_add_refuses_an_unknown_sport_listing_the_known(run):
    run("shoe", "add", "Pegasus")
    result = run("rule", "add", "--sport", "runing", "--shoe", "Pegasus")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--sport': unknown sport 'runing'. "
        "Sports: running, walking, hiking, cycling, swimming, generic"
    )
    assert run("rule", "add", "--sport", "Running", "--shoe", "Pegasus").exit_code == 0


def test_tag_surface_auto_on_several_runs_says_their_surfaces(run, runwear_db):
    db = open_db(runwear_db)
    for days in (1, 2, 3):
        add_run(db, 5_000, days_ago=days, surface="sand")
    db.close()
    result = run("tag", "--since", "2000-01-01", "--surface", "auto")
    assert result.output == (
        "Tagged 3 run(s) with surface auto.\nTheir surfaces are now: unknown 3.\n"
    )


def test_shell_completion_of_shoes_surfaces_keys_and_places(run, runwear_db, monkeypatch):
    from click.shell_completion import ShellComplete

    run("shoe", "add", "Pégasus")
    run("shoe", "add", "Speedgoat")
    run("place", "add", "Park", "--surface", "grass", "--center", "51.5,-0.1", "--radius", "200m")

    def complete(*words: str) -> list[str]:
        shell = ShellComplete(cli, {}, "runwear", "_RUNWEAR_COMPLETE")
        return [c.value for c in shell.get_completions(list(words[:-1]), words[-1])]

    assert complete("shoe", "edit", "pé") == ["Pégasus"]
    assert complete("shoe", "retire", "PE") == ["Pégasus"]
    assert complete("tag", "--shoe", "") == ["Pégasus", "Speedgoat"]
    assert complete("tag", "--surface", "gr") == ["grass", "gravel"]
    assert complete("config", "shoe_l") == ["shoe_limit_km"]
    assert complete("place", "edit", "p") == ["Park"]
    assert complete("--db", str(runwear_db.parent / "none.db"), "shoe", "edit", "") == []
