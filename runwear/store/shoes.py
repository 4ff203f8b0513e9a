"""Every write to the shoes table, and looking shoes up by name."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlite_utils import Database


def find_shoe(db: Database, name: str) -> dict[str, Any] | None:
    """The shoe called `name` (any letter case), or None."""
    rows = list(db.query("select * from shoes where name = ? collate nocase", [name]))
    return rows[0] if rows else None


def shoe_names(db: Database, include_retired: bool = True) -> list[str]:
    """Names of the shoes, in the order they were added."""
    where = "" if include_retired else " where retired_on is null"
    return [row["name"] for row in db.query(f"select name from shoes{where} order by id")]


def add_shoe(db: Database, name: str, **fields: Any) -> int:
    """Add a shoe and return its id; `fields` are shoes columns."""
    row = {"name": name, "created_at": _now(), **fields}
    with db.conn:
        shoe_id = db["shoes"].insert(row).last_pk
        _settle_defaults(db, shoe_id, fields)
    return int(shoe_id)


def update_shoe(db: Database, shoe_id: int, **fields: Any) -> None:
    """Change some columns of a shoe."""
    if not fields:
        return
    with db.conn:
        db["shoes"].update(shoe_id, fields)
        _settle_defaults(db, shoe_id, fields)


def set_retired(db: Database, shoe_id: int, retired_on: date | None) -> None:
    """Retire a shoe on a date (it stops being anyone's default), or bring it back with None."""
    fields: dict[str, Any] = {"retired_on": retired_on.isoformat() if retired_on else None}
    if retired_on:
        fields.update(is_default=0, default_for=None)
    with db.conn:
        db["shoes"].update(shoe_id, fields)


def remove_shoe(db: Database, shoe_id: int) -> int:
    """Delete a shoe, untagging its activities; return how many were untagged."""
    with db.conn:
        cursor = db.execute(
            "update activities set shoe_id = null, shoe_source = null where shoe_id = ?", [shoe_id]
        )
        db.execute("delete from shoes where id = ?", [shoe_id])
    return cursor.rowcount


def runs_with_shoe(db: Database, shoe_id: int) -> int:
    """How many activities are tagged with the shoe."""
    return db.execute("select count(*) from activities where shoe_id = ?", [shoe_id]).fetchone()[0]


def default_shoe(db: Database, sub_sport: str | None) -> dict[str, Any] | None:
    """The active shoe worn by default for `sub_sport`, else the general default, else None."""
    if sub_sport:
        rows = list(
            db.query(
                "select * from shoes where default_for = ? and retired_on is null order by id",
                [sub_sport],
            )
        )
        if rows:
            return rows[0]
    rows = list(db.query("select * from shoes where is_default = 1 and retired_on is null"))
    return rows[0] if rows else None


def _settle_defaults(db: Database, shoe_id: int, fields: dict[str, Any]) -> None:
    """Keep one general default shoe and one default per sub-sport."""
    if fields.get("is_default"):
        db.execute("update shoes set is_default = 0 where id != ?", [shoe_id])
    if fields.get("default_for"):
        db.execute(
            "update shoes set default_for = null where default_for = ? and id != ?",
            [fields["default_for"], shoe_id],
        )


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
