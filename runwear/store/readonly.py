"""Reading a current runwear database without sqlite-utils (issue 15: `runwear shoes` starts
in under 0.15 s; importing sqlite_utils alone costs ~100 ms of it).

`open_current` gives a `LightDb` only when nothing would happen on a full open: the file is
runwear's, in WAL mode, has every known migration and none unknown, and no re-split is left
half done. Otherwise it gives None and the caller opens the database with `open_db`, which
creates, migrates, refuses or explains exactly as it always did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from runwear.store.database import BUSY_TIMEOUT_S, MIGRATIONS_TABLE

# Every migration of runwear.store.migrations, in order. A test keeps it equal to
# known_migrations() (which needs sqlite_utils to work out).
CURRENT_MIGRATIONS = (
    "m001_initial",
    "m002_exports",
    "m003_surfaces",
    "m005_shoes",
    "m006_coach",
    "m007_report_indexes",
    "m008_pending_splits",
    "m009_removed_runs",
    "m010_file_fingerprints",
)


class ReadTable(Protocol):
    """The part of a sqlite_utils Table that reading commands use."""

    @property
    def rows(self) -> Iterator[dict[str, Any]]: ...

    @property
    def count(self) -> int: ...

    def exists(self) -> bool: ...

    def get(self, pk: Any) -> dict[str, Any]: ...


class ReadDb(Protocol):
    """The part of a sqlite_utils Database that reading commands use; a `LightDb` or a
    sqlite_utils Database."""

    conn: sqlite3.Connection

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> sqlite3.Cursor: ...

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]: ...

    def __getitem__(self, table_name: str) -> Any: ...

    def table_names(self) -> list[str]: ...

    def close(self) -> None: ...


class LightDb:
    """A read-only sqlite3 connection with the ReadDb methods of sqlite_utils' Database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> sqlite3.Cursor:
        """Run one statement, as Database.execute."""
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]:
        """The rows of `sql` as dicts, as Database.query."""
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def __getitem__(self, table_name: str) -> LightTable:
        return LightTable(self, table_name)

    def table_names(self) -> list[str]:
        """Names of the tables, as Database.table_names."""
        rows = self.execute("select name from sqlite_master where type = 'table'")
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class LightTable:
    """A table of a LightDb, read as a sqlite_utils Table reads it."""

    def __init__(self, db: LightDb, name: str) -> None:
        self.db = db
        self.name = name

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row, as dicts."""
        return self.db.query(f"select * from {_quoted(self.name)}")

    @property
    def count(self) -> int:
        """How many rows."""
        return self.db.execute(f"select count(*) from {_quoted(self.name)}").fetchone()[0]

    def exists(self) -> bool:
        """Whether the table exists."""
        return self.name in self.db.table_names()

    def get(self, pk: Any) -> dict[str, Any]:
        """The row whose primary key (one column) is `pk`; KeyError when there is none."""
        columns = self.db.execute(f"pragma table_info({_quoted(self.name)})").fetchall()
        keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]] or ["rowid"]
        if len(keys) != 1:
            raise ValueError(f"{self.name} has a primary key of {len(keys)} columns")
        sql = f"select * from {_quoted(self.name)} where {_quoted(keys[0])} = ?"
        found = next(self.db.query(sql, [pk]), None)
        if found is None:
            raise KeyError(pk)
        return found


def _quoted(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def open_current(path: Path) -> LightDb | None:
    """A read-only LightDb of the database at `path` when its schema is current and nothing
    is left to finish; None when a full open (`open_db`) has something to do or to say."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates the file
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        if _is_current(conn):
            conn.execute("pragma query_only = on")  # a write here would be a bug: refuse it
            return LightDb(conn)
    except sqlite3.Error:
        pass  # open_db meets the same error and says it in one line
    conn.close()
    return None


def _is_current(conn: sqlite3.Connection) -> bool:
    """Whether every known migration and no other is applied, the journal is WAL, and no
    re-split is pending."""
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    if MIGRATIONS_TABLE not in tables or "pending_splits" not in tables:
        return False
    sql = f"select name from {MIGRATIONS_TABLE} where migration_set = 'runwear'"
    if {r[0] for r in conn.execute(sql)} != set(CURRENT_MIGRATIONS):
        return False
    if conn.execute("pragma journal_mode").fetchone()[0] != "wal":
        return False
    return not conn.execute("select exists (select 1 from pending_splits)").fetchone()[0]
