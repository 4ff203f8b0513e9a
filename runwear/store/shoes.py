"""Every write to the shoes table, and looking shoes up by name."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from runwear.store.database import writing
from runwear.store.names import clean_name, loose_key, name_key

if TYPE_CHECKING:  # not at run time: listing shoes needs no ingest code
    from sqlite_utils import Database

    from runwear.ingest.model import ExportShoe

__all__ = ["clean_name", "loose_key", "name_key"]  # names as shoes compare them


def find_shoe(db: Database, name: str) -> dict[str, Any] | None:
    """The shoe called `name` (compared by `name_key`: any case, any Unicode form), or None."""
    key = name_key(name)
    if not key:
        return None
    for row in db.query("select * from shoes order by id"):
        if name_key(row["name"]) == key:
            return row
    return None


def shoe_names(db: Database, include_retired: bool = True) -> list[str]:
    """Names of the shoes, in the order they were added."""
    where = "" if include_retired else " where retired_on is null"
    return [row["name"] for row in db.query(f"select name from shoes{where} order by id")]


def add_shoe(db: Database, name: str, **fields: Any) -> int:
    """Add a shoe and return its id; `fields` are shoes columns."""
    row = {"name": name, "created_at": _now(), **fields}
    with writing(db):
        shoe_id = db["shoes"].insert(row).last_pk
        _settle_defaults(db, shoe_id, fields)
    return int(shoe_id)


def update_shoe(db: Database, shoe_id: int, **fields: Any) -> None:
    """Change some columns of a shoe."""
    if not fields:
        return
    with writing(db):
        db["shoes"].update(shoe_id, fields)
        _settle_defaults(db, shoe_id, fields)


def set_retired(db: Database, shoe_id: int, retired_on: date | None) -> None:
    """Retire a shoe on a date (it stops being anyone's default), or bring it back with None."""
    fields: dict[str, Any] = {"retired_on": retired_on.isoformat() if retired_on else None}
    if retired_on:
        fields.update(is_default=0, default_for=None)
    with writing(db):
        db["shoes"].update(shoe_id, fields)


def remove_shoe(db: Database, shoe_id: int) -> int:
    """Delete a shoe, untagging its activities; return how many were untagged. Its platform
    ids are remembered, so that re-importing an export does not bring it back."""
    from runwear.store.shoe_identity import remember_removed  # listing shoes needs none of it

    shoe = db["shoes"].get(shoe_id)
    with writing(db):
        cursor = db.execute(
            "update activities set shoe_id = null, shoe_source = null where shoe_id = ?", [shoe_id]
        )
        remember_removed(db, shoe)
        db.execute("delete from shoe_aliases where shoe_id = ?", [shoe_id])
        db.execute("delete from shoe_platform_ids where shoe_id = ?", [shoe_id])
        db.execute("delete from shoes where id = ?", [shoe_id])
    return cursor.rowcount


def has_platform_ids(db: Database, shoe_id: int) -> bool:
    """Whether shoes merged into this one brought platform ids."""
    row = db.execute("select 1 from shoe_platform_ids where shoe_id = ? limit 1", [shoe_id])
    return row.fetchone() is not None


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


def last_activity_id(db: Database) -> int:
    """The id of the newest stored activity (0 when there is none)."""
    return db.execute("select coalesce(max(id), 0) from activities").fetchone()[0]


def untagged_after(db: Database, activity_id: int) -> int:
    """How many runs stored after the activity `activity_id` have no shoe."""
    return db.execute(
        "select count(*) from activities where sport = 'running' and shoe_id is null and id > ?",
        [activity_id],
    ).fetchone()[0]


def default_shoe_id(db: Database, sub_sport: str | None) -> int | None:
    """The id of the active general default shoe (sub_sport None) or of `sub_sport`'s own."""
    where = "default_for = ?" if sub_sport else "is_default = 1"
    row = db.execute(
        f"select id from shoes where {where} and retired_on is null order by id limit 1",
        [sub_sport] if sub_sport else [],
    ).fetchone()
    return row[0] if row else None


def runs_tagged_by_default(db: Database) -> int:
    """How many stored runs got their shoe from a default (not by hand, rule or export)."""
    return db.execute(
        "select count(*) from activities where shoe_source = 'default' and shoe_id is not null"
    ).fetchone()[0]


def retag_defaults(db: Database) -> list[int]:
    """Give every run tagged by a default today's default shoe; return the ids that changed."""
    changed = []
    rows = db.execute(
        "select id, sub_sport, shoe_id from activities where shoe_source = 'default'"
    ).fetchall()
    with writing(db):
        for activity_id, sub_sport, shoe_id in rows:
            shoe = default_shoe(db, sub_sport)
            new_id = shoe["id"] if shoe else None
            if new_id != shoe_id:
                db.execute(
                    "update activities set shoe_id = ?, shoe_source = ? where id = ?",
                    [new_id, "default" if new_id else None, activity_id],
                )
                changed.append(activity_id)
    return changed


def ensure_export_shoe(db: Database, shoe: ExportShoe) -> tuple[int | None, bool]:
    """The stored shoe for an export's shoe, added when new; (id, whether it was added).

    Found by its platform id (its own or that of a shoe merged into it); a shoe the user
    removed stays removed (id None). Else by an alias (the platform id is then remembered),
    else by name when that shoe has no platform id yet (it is then claimed); names compare
    case- and accent-insensitively, brand and model prefixes aside. A name another shoe
    holds gets a number: "Pegasus (2)". An existing shoe is left as the runner has it. A new
    shoe becomes a default only where no active shoe is.
    """
    from runwear.store.shoe_identity import is_removed, match_alias, match_name, shoe_of_platform_id

    found_id = shoe_of_platform_id(db, shoe.external_id)
    if found_id is not None:
        return found_id, False
    if is_removed(db, shoe.external_id):
        return None, False
    alias_id = match_alias(db, shoe.name, shoe.brand, shoe.model)
    if alias_id is not None:
        db["shoe_platform_ids"].insert(
            {"external_id": shoe.external_id, "shoe_id": alias_id}, replace=True
        )
        return alias_id, False
    same_name = match_name(db, shoe.name, shoe.brand, shoe.model)
    if same_name is not None and same_name["external_id"] is None:
        db["shoes"].update(same_name["id"], {"external_id": shoe.external_id})
        return same_name["id"], False
    name = shoe.name
    number = 1
    while find_shoe(db, name) is not None:
        number += 1
        name = f"{shoe.name} ({number})"
    active = shoe.retired_on is None
    is_default = active and shoe.is_default and not _any(db, "is_default = 1")
    default_for = (
        shoe.default_for
        if active and shoe.default_for and not _any(db, "default_for = ?", [shoe.default_for])
        else None
    )
    row = {
        "name": name,
        "brand": shoe.brand,
        "model": shoe.model,
        "limit_m": shoe.limit_m,
        "retired_on": shoe.retired_on,
        "is_default": int(is_default),
        "default_for": default_for,
        "external_id": shoe.external_id,
        "created_at": _now(),
    }
    return int(db["shoes"].insert(row).last_pk), True


def _any(db: Database, where: str, params: list[Any] | None = None) -> bool:
    """Whether an active shoe matches `where`."""
    sql = f"select 1 from shoes where retired_on is null and {where} limit 1"
    return db.execute(sql, params or []).fetchone() is not None


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
