"""Shoes on the command line: names, limits, dates, retiring, defaults, the `shoes` listing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from runwear.cli import cli

from .helpers import NOW, add_run, cli_invoker


@pytest.fixture
def run():
    return cli_invoker()


def error_line(result) -> str:
    return result.output.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_blank_shoe_names_are_refused(run, name):
    result = run("shoe", "add", name)
    assert result.exit_code == 2
    assert error_line(result) == "Error: Invalid value for 'NAME': a shoe name cannot be blank"


def test_names_compare_after_nfc_and_casefold(run):
    assert run("shoe", "add", "Pe\u0301gasus").exit_code == 0  # e + combining accent
    clash = run("shoe", "add", "P\u00c9GASUS")
    assert clash.exit_code == 2
    assert error_line(clash) == (
        "Error: Invalid value for NAME: a shoe named 'P\u00e9gasus' exists already"
    )
    edited = run("shoe", "edit", "p\u00e9gasus", "--notes", "x")
    assert edited.output == "Updated shoe P\u00e9gasus.\n"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "'0'"), ("-5km", "'-5km'"), ("0km", "'0km'"), ("99999km", "'99999km'")],
)
def test_limits_out_of_range(run, value, shown):
    result = run("shoe", "add", "Pegasus", "--limit", value)
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: Invalid value for '--limit': {shown} is out of range: "
        "must be above 0 km and at most 20,000 km"
    )


def test_negative_start_distance_is_out_of_range(run):
    result = run("shoe", "add", "Pegasus", "--start-distance", "-5")
    assert error_line(result) == (
        "Error: Invalid value for '--start-distance': '-5' is out of range: "
        "must be between 0 km and 20,000 km"
    )


def test_future_purchase_and_retirement_are_refused(run):
    result = run("shoe", "add", "Pegasus", "--purchased", "2999-01-01")
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Invalid value for '--purchased': 2999-01-01 is in the future"
    )
    assert run("shoe", "add", "Pegasus").exit_code == 0
    late = run("shoe", "retire", "Pegasus", "--on", "2999-01-01")
    assert error_line(late) == "Error: Invalid value for '--on': 2999-01-01 is in the future"


def test_retire_twice_says_so(run):
    run("shoe", "add", "Pegasus")
    assert run("shoe", "retire", "Pegasus", "--on", "2026-05-01").exit_code == 0
    again = run("shoe", "retire", "Pegasus")
    assert again.exit_code == 1
    assert again.output == (
        "Error: Pegasus is retired already (since 2026-05-01). "
        "`runwear shoe unretire` brings it back\n"
    )


def test_retiring_the_default_says_what_new_runs_get(run):
    run("shoe", "add", "Pegasus", "--default")
    run("shoe", "add", "Speedgoat", "--default-for", "trail")
    assert run("shoe", "retire", "Speedgoat").output == (
        "Retired Speedgoat. `runwear shoes --all` still lists it.\n"
        "It was the default shoe for trail runs: new trail runs now get Pegasus.\n"
    )
    assert run("shoe", "retire", "Pegasus").output == (
        "Retired Pegasus. `runwear shoes --all` still lists it.\n"
        "It was the default shoe: new runs now get no shoe "
        "(choose another: runwear shoe edit NAME --default).\n"
    )


def test_changing_the_default_offers_retag(run, runwear_db):
    run("shoe", "add", "Old", "--default")
    db = Database(runwear_db)
    ids = [add_run(db, 10_000, days_ago=d) for d in (1, 2)]
    db.execute("update activities set shoe_id = 1, shoe_source = 'default'")
    hand = add_run(db, 5_000, days_ago=3, shoe_id=1)
    db.conn.commit()
    result = run("shoe", "add", "New", "--default")
    assert result.output == (
        "Added shoe New.\n"
        "2 stored run(s) got their shoe from a default before this change; "
        "`runwear retag --defaults` gives them today's defaults (runs tagged by hand, "
        "by a rule or by an export are never touched).\n"
    )
    assert run("retag", "--defaults").output == "Retagged 2 run(s) with today's default shoes.\n"
    shoes = dict(db.execute("select id, shoe_id from activities").fetchall())
    assert shoes == {ids[0]: 2, ids[1]: 2, hand: 1}


def test_units_after_the_command(run):
    run("shoe", "add", "Pegasus", "--start-distance", "160.9344km")
    assert run("shoes", "--units", "mi").output.splitlines()[0].split()[:3] == [
        "shoe",
        "mi",
        "limit",
    ]
    assert "100.0" in run("shoes", "--units", "mi").output


def test_shoes_and_check_round_alike(run):
    run("shoe", "add", "Pegasus", "--limit", "720km", "--start-distance", "719.251km")
    table = run("shoes").output
    check = run("check").output
    assert "719.2" not in table
    assert " 719.3 " in table
    assert "719.3 km" in check


def test_empty_csv_prints_its_header(run):
    assert run("shoes", "--csv").output == (
        "name,brand,model,distance_km,limit_km,used_pct,runs,last_run,status,price,"
        "cost_per_km,limit_on\n"
    )


def test_wear_bar_fits_80_columns_and_no_colour_when_piped(run):
    run("shoe", "add", "A very long shoe name for trail", "--limit", "100km")
    run("shoe", "add", "Worn", "--limit", "100km", "--start-distance", "99km")
    output = run("shoes").output
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "A very long sho…" in output
    assert "########  99%" in output
    assert "NEARING" in output
    assert "\x1b[" not in output


def test_colour_on_a_terminal_unless_no_color(monkeypatch, run):
    from runwear.cli import output

    run("shoe", "add", "Worn", "--limit", "100km", "--start-distance", "100km")
    monkeypatch.setattr(output, "colour_on", lambda stream=None: True)
    coloured = CliRunner().invoke(cli, ["shoes"], color=True).output
    assert "\x1b[31m\x1b[1mRETIRE\x1b[0m" in coloured
    monkeypatch.undo()
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert output.colour_on() is False


def test_shoes_as_of_counts_runs_before_that_date(run, runwear_db):
    run("shoe", "add", "Pegasus", "--limit", "100km")
    db = Database(runwear_db)
    add_run(db, 60_000, days_ago=30, shoe_id=1)
    add_run(db, 30_000, days_ago=1, shoe_id=1)
    db.conn.commit()
    day = (NOW.date()).isoformat()
    early = (NOW.date().replace(day=1)).isoformat()
    assert [s["distance_km"] for s in json.loads(run("shoes", "--json").output)] == [90.0]
    later = json.loads(run("shoes", "--as-of", day, "--json").output)[0]
    assert (later["distance_km"], later["status"]) == (90.0, "nearing")
    before = json.loads(run("shoes", "--as-of", early, "--json").output)[0]
    assert (before["distance_km"], before["status"], before["runs"]) == (60.0, "ok", 1)


def test_price_gives_cost_per_km(run):
    run("shoe", "add", "Pegasus", "--price", "140", "--start-distance", "200km")
    shoe = json.loads(run("shoes", "--json").output)[0]
    assert (shoe["price"], shoe["cost_per_km"]) == (140.0, 0.7)
