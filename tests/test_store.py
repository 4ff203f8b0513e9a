"""The database: schema from migrations, views, and refusing what it cannot safely open."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from runwear.cli import cli
from runwear.store import StoreError, known_migrations, memory_db, open_db
from runwear.store.database import explain_db_error
from runwear.store.shoes import add_shoe

from .helpers import add_run


def test_blank_database_has_the_schema(tmp_path):
    db = open_db(tmp_path / "new" / "runwear.db")
    assert set(db.table_names()) >= {
        "settings",
        "shoes",
        "sources",
        "activities",
        "activity_surfaces",
        "activity_tracks",
    }
    assert set(db.view_names()) == {
        "shoe_mileage",
        "weekly_surface_mix",
        "surface_sources",
        "shoe_surface_mix",
    }
    assert db.journal_mode == "wal"
    assert {c.name for c in db["activities"].columns} >= {
        "id",
        "source_id",
        "started_at",
        "utc_offset_s",
        "sport",
        "sub_sport",
        "name",
        "distance_m",
        "duration_s",
        "moving_s",
        "ascent_m",
        "device",
        "shoe_id",
        "surface",
        "imported_at",
    }
    fks = {(fk.column, fk.other_table) for fk in db["activities"].foreign_keys}
    assert fks == {("source_id", "sources"), ("shoe_id", "shoes")}
    assert {(fk.column, fk.other_table) for fk in db["activity_surfaces"].foreign_keys} == {
        ("activity_id", "activities")
    }
    assert [
        m.name
        for m in __import__("runwear.store.migrations", fromlist=["x"]).migrations.applied(db)
    ] == known_migrations()


def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path):
    path = tmp_path / "runwear.db"
    db = open_db(path)
    add_shoe(db, "Pegasus")
    db.close()
    db = open_db(path)
    assert [r["name"] for r in db["shoes"].rows] == ["Pegasus"]
    assert db["_sqlite_migrations"].count == len(known_migrations())


def test_views_agree_with_stored_runs():
    db = memory_db()
    shoe = add_shoe(db, "Pegasus", start_distance_m=1_000)
    add_run(db, 5_000, shoe_id=shoe, surface="concrete")
    [row] = db["shoe_mileage"].rows
    assert (row["name"], row["distance_m"], row["runs"], row["limit_m"]) == (
        "Pegasus",
        6_000,
        1,
        700_000,
    )
    [week] = db["weekly_surface_mix"].rows
    assert (week["week_start"], week["surface"], week["distance_m"]) == (
        "2026-06-08",
        "concrete",
        5_000,
    )


def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "runwear.db"
    open_db(path).close()
    raw = sqlite3.connect(path)
    raw.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) "
        "values ('runwear', 'm999_future', 'x')"
    )
    raw.commit()
    raw.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="written by a newer runwear"):
        open_db(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_another_applications_database_is_refused_untouched(tmp_path):
    path = tmp_path / "photos.db"
    raw = sqlite3.connect(path)
    raw.execute("create table albums (id integer primary key, title text)")
    raw.execute("insert into albums (title) values ('Holidays')")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(
        StoreError,
        match=r"photos\.db is a SQLite database of another application "
        r"\(tables albums\), not runwear's; it was left untouched",
    ):
        open_db(path)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()
    result = CliRunner().invoke(cli, ["--db", str(path), "shoes"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
    assert path.read_bytes() == before


def test_an_empty_file_becomes_a_runwear_database(tmp_path):
    path = tmp_path / "new.db"
    path.write_bytes(b"")
    db = open_db(path)
    assert "shoes" in db.table_names()


def test_folder_and_non_database_files_are_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder, not a database file"):
        open_db(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="is not a runwear database"):
        open_db(junk)


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root writes read-only files anyway; tests/test_permissions.py runs it as nobody",
)
def test_read_only_database_is_refused(tmp_path):
    path = tmp_path / "runwear.db"
    db = open_db(path)
    db.close()
    Database(path).conn.close()
    os.chmod(path, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        db = open_db(path)
        with pytest.raises(sqlite3.OperationalError):
            add_shoe(db, "x")
    finally:
        os.chmod(tmp_path, 0o755)


def test_read_only_error_message():
    err = sqlite3.OperationalError("attempt to write a readonly database")
    assert (
        explain_db_error(err, "/x/runwear.db")
        == "/x/runwear.db is read-only. Make it writable or pass another path with --db"
    )


def test_store_writes_take_the_write_lock_at_once(tmp_path):
    """A store function that reads then writes begins with BEGIN IMMEDIATE at the top level
    (a deferred BEGIN fails at once with "database is locked" when another process commits
    between its read and its write), and a savepoint inside the caller's transaction."""
    from runwear.store.database import write_transaction
    from runwear.store.shoes import update_shoe

    db = open_db(tmp_path / "runwear.db")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    shoe_id = add_shoe(db, "Pegasus")
    assert statements[0].lower() == "begin immediate", statements
    statements.clear()
    with write_transaction(db):
        update_shoe(db, shoe_id, brand="Nike")
    assert statements[0].lower() == "begin immediate"
    assert any(s.upper().startswith("SAVEPOINT") for s in statements)
    assert sum(s.lower().startswith("begin") for s in statements) == 1
