"""Opening the runwear database: create on first use, WAL mode, migrations on every open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite_utils (and the migrations) load when a database is opened to write
    from sqlite_utils import Database

BUSY_TIMEOUT_S = 30.0
MIGRATIONS_TABLE = "_sqlite_migrations"  # where sqlite-utils records applied migrations


class StoreError(Exception):
    """The database cannot be opened or written. The message says why and what to do."""


def known_migrations() -> list[str]:
    """Names of every migration this version of runwear knows, in order."""
    return list(_known_migrations())


@cache
def _known_migrations() -> tuple[str, ...]:
    """known_migrations, worked out once (an empty database's pending list) per process."""
    from sqlite_utils import Database

    from runwear.store.migrations import migrations

    return tuple(m.name for m in migrations.pending(Database(memory=True, execute_plugins=False)))


def open_db(path: Path) -> Database:
    """Open (creating if needed) the database at `path`, in WAL mode with migrations applied.

    sqlite-utils plugins installed for its own CLI are not run on runwear's connection
    (execute_plugins=False): they would change runwear's SQL behind its back, and finding
    them scans every installed distribution's entry points, 45 ms of each command's start.
    """
    from sqlite_utils import Database

    from runwear.store.migrations import migrations

    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file. Pass a file path with --db")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        db = Database(conn, execute_plugins=False)
        db.execute("pragma foreign_keys = on")
        _refuse_foreign(db, path)
        applied = {m.name for m in migrations.applied(db)}
        _refuse_newer(applied, path)
        if db.journal_mode != "wal":
            db.enable_wal()
        if set(_known_migrations()) - applied:
            # Under the write lock: a second runwear opening the same new database waits,
            # then finds nothing left to apply.
            with write_transaction(db):
                migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain_db_error(exc, path)) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create {path} ({exc.strerror}). Pass another path with --db"
        ) from exc
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at once (waiting for another writer), so
    reading then writing inside it never fails because a concurrent import committed."""
    db.conn.execute("begin immediate")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction for a store function: at the top level one that takes the write
    lock at once (`write_transaction`), so reading inside it never meets another process's
    newer commit (SQLite's instant "database is locked" on a deferred transaction's first
    write); inside the caller's transaction, a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
    else:
        with write_transaction(db):
            yield db


def memory_db() -> Database:
    """A migrated in-memory database (tests and dry runs)."""
    from sqlite_utils import Database

    from runwear.store.migrations import migrations

    db = Database(memory=True, execute_plugins=False)
    db.execute("pragma foreign_keys = on")
    migrations.apply(db)
    return db


def _refuse_foreign(db: Database, path: Path) -> None:
    """Stop before touching a SQLite file of another application: tables, none of runwear's.

    An empty file, or a new one, becomes a runwear database; nothing is written before this.
    """
    tables = {
        row[0]
        for row in db.execute("select name from sqlite_master where type in ('table', 'view')")
    }
    if tables and MIGRATIONS_TABLE not in tables:
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise StoreError(
            f"{path} is a SQLite database of another application (tables {shown}), not "
            "runwear's; it was left untouched. Pass another path with --db"
        )


def _refuse_newer(applied: set[str], path: Path) -> None:
    """Stop before touching a database written by a newer runwear (it has migrations we lack)."""
    unknown = applied - set(_known_migrations())
    if unknown:
        raise StoreError(
            f"{path} was written by a newer runwear (schema {sorted(unknown)[-1]}). "
            "Upgrade runwear to open it; the file was left untouched"
        )


def explain_db_error(exc: sqlite3.Error, path: Path) -> str:
    """One line for a database failure a user can fix."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only. Make it writable or pass another path with --db"
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a runwear database ({text}). Pass another path with --db"
    if "unable to open" in text:
        return f"cannot open {path} ({text}). Check the folder exists and is writable"
    if "locked" in text:
        return f"{path} is busy in another program ({text}). Try again in a moment"
    return f"database error on {path} ({text})"
