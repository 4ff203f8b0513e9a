"""Long histories: listings past SQLite's limit on bound values, and reports that read only
the weeks they look at, giving the figures the whole history gives."""

from __future__ import annotations

import json
import sqlite3

import pytest

from runwear.store import open_db

from .helpers import cli_invoker

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
