"""Reading a current database without sqlite-utils: when `open_current` answers, and that its
LightDb reads as sqlite_utils' Database does."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from runwear.cli import cli
from runwear.store import open_db
from runwear.store.migrations import migrations
from runwear.store.readonly import CURRENT_MIGRATIONS, LightDb, open_current
from runwear.store.shoes import add_shoe
from tests.test_startup import modules_after


def test_current_migrations_are_every_migration_runwear_knows():
    assert list(CURRENT_MIGRATIONS) == [m.name for m in migrations.pending(Database(memory=True))]


@pytest.fixture
def current(tmp_path):
    """A current database with two shoes."""
    path = tmp_path / "current.db"
    db = open_db(path)
    add_shoe(db, "Pegasus", limit_m=700_000, price=120.0)
    add_shoe(db, 'Tra"il', limit_m=800_000)
    db.close()
    return path


@pytest.mark.parametrize("command", ["shoes", "load", "check", "surfaces"])
def test_reading_a_current_database_imports_no_sqlite_utils(runwear_db, command):
    CliRunner().invoke(cli, ["shoe", "add", "Pegasus"])
    modules = modules_after(command)
    assert "sqlite_utils" not in modules
    assert "runwear.store.migrations" not in modules


def test_shoes_lists_the_same_through_the_light_database(runwear_db):
    CliRunner().invoke(cli, ["shoe", "add", "Pegasus", "--limit", "700km", "--price", "140"])
    light = CliRunner().invoke(cli, ["shoes", "--json"])
    full = CliRunner().invoke(cli, ["shoe", "edit", "Pegasus", "--notes", "x"])  # opens fully
    assert full.exit_code == 0
    assert CliRunner().invoke(cli, ["shoes", "--json"]).output == light.output
    assert '"price": 140.0' in light.output


def test_open_current_reads_a_current_database(current):
    db = open_current(current)
    assert isinstance(db, LightDb)
    assert [r["name"] for r in db.query("select name from shoes order by id")] == [
        "Pegasus",
        'Tra"il',
    ]
    db.close()


def test_open_current_refuses_to_write(current):
    db = open_current(current)
    assert db is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("delete from shoes")
    db.close()


def _changed(path, *sql):
    """Run `sql` on the database at `path` with a plain connection."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in sql:
            conn.execute(statement)
    conn.close()
    return path


@pytest.mark.parametrize(
    "change",
    [
        "delete from _sqlite_migrations where name = 'm008_pending_splits'",
        "insert into _sqlite_migrations (migration_set, name) values ('runwear', 'm999_future')",
        "insert into pending_splits (reason, activity_ids, done, owner_pid, created_at) "
        "values ('shoe edit', '[]', 0, 1, 'now')",
    ],
    ids=["needs-a-migration", "newer", "half-done-resplit"],
)
def test_open_current_leaves_to_the_full_open_anything_it_would_do_or_say(current, change):
    assert open_current(_changed(current, change)) is None


def test_open_current_leaves_missing_empty_foreign_and_rollback_journal_files(tmp_path, current):
    assert open_current(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").write_bytes(b"")
    assert open_current(tmp_path / "empty.db") is None
    assert open_current(_changed(tmp_path / "foreign.db", "create table t (x)")) is None
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    assert open_current(tmp_path / "junk.db") is None
    assert open_current(tmp_path) is None
    assert open_current(_changed(current, "pragma journal_mode = delete")) is None


def test_light_tables_read_as_sqlite_utils_tables(current):
    light, full = open_current(current), Database(sqlite3.connect(current))
    assert light is not None
    assert sorted(light.table_names()) == sorted(full.table_names())
    for name in ("shoes", "settings"):
        assert list(light[name].rows) == list(full[name].rows)
        assert light[name].count == full[name].count
        assert light[name].exists() and full[name].exists()
    assert not light["nothing"].exists()
    assert light["shoes"].get(2) == full["shoes"].get(2)
    with pytest.raises(KeyError):
        light["shoes"].get(99)
    sql, params = "select id, name from shoes where id > ?", [0]
    assert list(light.query(sql, params)) == list(full.query(sql, params))
    assert light.execute("select count(*) from shoes").fetchone() == (2,)
    light.close()
    full.close()
