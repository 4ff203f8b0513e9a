"""The pain log: entries a runner adds by hand (a day, a level 0-10, where, a note)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from runwear.store.activities import iso_utc

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

DEFAULT_LOCATION = "lower-back"


@dataclass(frozen=True)
class PainEntry:
    """One entry of the pain log."""

    id: int
    day: date  # the runner's local date
    level: int  # 0 (none) .. 10 (worst)
    location: str  # where it hurts: lower-back, knee, ...
    note: str | None
    created_at: str  # UTC ISO 8601


def add_pain(
    db: Database, day: date, level: int, location: str = DEFAULT_LOCATION, note: str | None = None
) -> int:
    """Store one pain entry and return its id."""
    with db.conn:
        return int(
            db["pain"]
            .insert(
                {
                    "day": day.isoformat(),
                    "level": level,
                    "location": location,
                    "note": note,
                    "created_at": iso_utc(datetime.now(timezone.utc)),
                }
            )
            .last_pk
        )


def pain_entries(db: Database, before: date | None = None) -> list[PainEntry]:
    """Every pain entry (only those on days before `before` when given), oldest first."""
    sql = "select id, day, level, location, note, created_at from pain"
    params: list[str] = []
    if before is not None:
        sql += " where day < ?"
        params.append(before.isoformat())
    rows = db.execute(sql + " order by day, id", params).fetchall()
    return [
        PainEntry(row[0], date.fromisoformat(row[1]), row[2], row[3], row[4], row[5])
        for row in rows
    ]


def remove_pain(db: Database, pain_id: int) -> bool:
    """Delete one pain entry; False when there is none with that id."""
    with db.conn:
        return db.execute("delete from pain where id = ?", [pain_id]).rowcount > 0
