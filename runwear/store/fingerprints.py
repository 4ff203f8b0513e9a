"""Files known without reading them: a fingerprint (what `stat` or a zip's directory says of
a file) and the SHA-256 of the bytes that file held when it was read.

A re-import looks up each file's fingerprint before reading it: a hit gives the hash, and
the stored source with that hash decides as a read would have. A file changed in place gets
a new modification time (or CRC-32, in a zip), so a new fingerprint, and is read again; a
hit whose source is gone (forgotten by --force) is read again too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from runwear.store.readonly import ReadDb

TABLE = "file_fingerprints"


def sha_of(db: ReadDb, fingerprint: str) -> str | None:
    """The SHA-256 of what the file with this fingerprint held when read, or None."""
    row = db.execute(f"select sha256 from {TABLE} where fingerprint = ?", [fingerprint]).fetchone()
    return row[0] if row else None


def remember(db: Database, pairs: Iterable[tuple[str, str]]) -> None:
    """Record (fingerprint, sha256) pairs whose bytes are stored as a source (inside the
    caller's write transaction); a pair whose source is not stored is left out."""
    db.conn.executemany(
        f"insert or replace into {TABLE} (fingerprint, sha256) "
        "select ?1, sha256 from sources where sha256 = ?2",
        list(pairs),
    )
