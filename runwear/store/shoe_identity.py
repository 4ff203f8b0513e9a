"""One pair, many names: aliases, the platform ids of merged and removed shoes, merging,
and matching an export's gear to a stored shoe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from runwear.store.database import writing
from runwear.store.names import clean_name, loose_key

if TYPE_CHECKING:  # sqlite_utils loads only where a command writes
    from sqlite_utils import Database

# Columns KEEP takes from OTHER in a merge wherever KEEP has none.
TAKEN_WHEN_UNSET = ("limit_m", "retired_on", "purchased_on", "brand", "model", "price", "notes")


def aliases_of(db: Database, shoe_id: int) -> list[str]:
    """A shoe's aliases, in the order they were given."""
    return [
        row[0]
        for row in db.execute(
            "select alias from shoe_aliases where shoe_id = ? order by rowid", [shoe_id]
        )
    ]


def alias_owner(db: Database, alias: str) -> int | None:
    """The id of the shoe holding `alias` (compared case- and accent-insensitively)."""
    row = db.execute("select shoe_id from shoe_aliases where alias_key = ?", [loose_key(alias)])
    found = row.fetchone()
    return found[0] if found else None


def add_aliases(db: Database, shoe_id: int, aliases: list[str]) -> list[str]:
    """Give a shoe more names; return those that were new (others it had already)."""
    added = []
    with writing(db):
        for alias in aliases:
            key = loose_key(alias)
            if not key or alias_owner(db, alias) == shoe_id:
                continue
            db["shoe_aliases"].insert(
                {"alias_key": key, "alias": clean_name(alias), "shoe_id": shoe_id}, replace=True
            )
            added.append(clean_name(alias))
    return added


def gear_keys(name: str, brand: str | None, model: str | None) -> set[str]:
    """The keys a gear name matches by: itself, and itself without the brand / brand + model /
    model prefix, as Strava's `Activity Gear` column varies ("Nike Pegasus 41 Daily Pegs")."""
    key = loose_key(name)
    keys = {key}
    prefixes = [p for p in (brand, model, f"{brand or ''} {model or ''}") if p and p.strip()]
    for prefix in prefixes:
        start = loose_key(prefix) + " "
        if key.startswith(start) and len(key) > len(start):
            keys.add(key[len(start) :])
    return keys


def match_name(
    db: Database, name: str, brand: str | None = None, model: str | None = None
) -> dict[str, Any] | None:
    """The stored shoe whose name an export's gear name is (brand/model prefixes aside), or
    None; a name that could mean two shoes matches none."""
    wanted = gear_keys(name, brand, model)
    found = [
        shoe
        for shoe in db.query("select * from shoes order by id")
        if gear_keys(shoe["name"], shoe["brand"], shoe["model"]) & wanted
    ]
    return found[0] if len(found) == 1 else None


def match_alias(
    db: Database, name: str, brand: str | None = None, model: str | None = None
) -> int | None:
    """The id of the shoe holding an alias that an export's gear name is (prefixes aside)."""
    wanted = gear_keys(name, brand, model)
    found = {
        shoe_id
        for shoe_id, alias in db.execute("select shoe_id, alias from shoe_aliases")
        if loose_key(alias) in wanted
    }
    return found.pop() if len(found) == 1 else None


def shoe_of_platform_id(db: Database, external_id: str) -> int | None:
    """The shoe that holds a platform id, its own or a merged shoe's."""
    row = db.execute(
        "select id from shoes where external_id = ? union all "
        "select shoe_id from shoe_platform_ids where external_id = ?",
        [external_id, external_id],
    ).fetchone()
    return row[0] if row else None


def remember_removed(db: Database, shoe: dict[str, Any]) -> None:
    """Remember a removed shoe's platform ids, so that a re-import does not bring it back."""
    ids = [shoe["external_id"]] if shoe.get("external_id") else []
    ids += [
        row[0]
        for row in db.execute(
            "select external_id from shoe_platform_ids where shoe_id = ?", [shoe["id"]]
        )
    ]
    for external_id in ids:
        db["removed_shoes"].insert(
            {"external_id": external_id, "name": shoe["name"], "removed_at": _now()},
            replace=True,
        )


def is_removed(db: Database, external_id: str) -> bool:
    """Whether the user removed the shoe with this platform id."""
    row = db.execute("select 1 from removed_shoes where external_id = ?", [external_id])
    return row.fetchone() is not None


@dataclass(frozen=True)
class Merged:
    """What a merge moved onto the shoe kept."""

    runs: int
    start_distance_m: float
    aliases: list[str]
    taken: list[str]  # columns KEEP took from the others


def merge_shoes(db: Database, keep_id: int, other_ids: list[int], add_start: bool) -> Merged:
    """Move the others' runs, rules, platform ids and names (as aliases) onto KEEP; KEEP takes
    the larger start distance (the sum with `add_start`) and, where it has none, the others'
    limit, retirement, purchase date, brand, model, price and notes. The others are deleted."""
    keep = db["shoes"].get(keep_id)
    others = [db["shoes"].get(i) for i in other_ids]
    starts = [keep["start_distance_m"] or 0.0, *(o["start_distance_m"] or 0.0 for o in others)]
    fields: dict[str, Any] = {"start_distance_m": sum(starts) if add_start else max(starts)}
    taken = []
    for column in TAKEN_WHEN_UNSET:
        if keep[column] is None:
            value = next((o[column] for o in others if o[column] is not None), None)
            if value is not None:
                fields[column] = value
                taken.append(column)
    if not keep["is_default"] and any(o["is_default"] for o in others):
        fields["is_default"] = 1
    if not keep["default_for"]:
        fields["default_for"] = next((o["default_for"] for o in others if o["default_for"]), None)
    runs = 0
    aliases = []
    with writing(db):
        for other in others:
            runs += db.execute(
                "update activities set shoe_id = ? where shoe_id = ?", [keep_id, other["id"]]
            ).rowcount
            db.execute("update rules set shoe_id = ? where shoe_id = ?", [keep_id, other["id"]])
            db.execute(
                "update shoe_aliases set shoe_id = ? where shoe_id = ?", [keep_id, other["id"]]
            )
            db.execute(
                "update shoe_platform_ids set shoe_id = ? where shoe_id = ?",
                [keep_id, other["id"]],
            )
            db.execute("delete from shoes where id = ?", [other["id"]])
            if other["external_id"]:
                db["shoe_platform_ids"].insert(
                    {"external_id": other["external_id"], "shoe_id": keep_id}, replace=True
                )
            db["shoe_aliases"].insert(
                {"alias_key": loose_key(other["name"]), "alias": other["name"], "shoe_id": keep_id},
                replace=True,
            )
            aliases.append(other["name"])
        db["shoes"].update(keep_id, fields)
    return Merged(runs, fields["start_distance_m"], aliases, taken)


@dataclass(frozen=True)
class Twin:
    """A shoe an import created that is plausibly one already stored."""

    new_name: str
    existing_name: str


def plausible_twins(db: Database, new_ids: list[int]) -> list[Twin]:
    """New shoes with the same brand and model as an older one, worn over the same dates."""
    found = []
    spans = {
        row[0]: (row[1], row[2])
        for row in db.execute(
            "select shoe_id, min(started_at), max(started_at) from activities "
            "where shoe_id is not null group by shoe_id"
        )
    }
    for new in (db["shoes"].get(i) for i in new_ids):
        if not (new["brand"] and new["model"]) or new["id"] not in spans:
            continue
        for old in db.query(
            "select id, name, brand, model from shoes where id != ? and id not in "
            f"({','.join('?' * len(new_ids))})",
            [new["id"], *new_ids],
        ):
            same = (loose_key(old["brand"] or ""), loose_key(old["model"] or "")) == (
                loose_key(new["brand"]),
                loose_key(new["model"]),
            )
            if same and old["id"] in spans:
                (a_first, a_last), (b_first, b_last) = spans[new["id"]], spans[old["id"]]
                if a_first <= b_last and b_first <= a_last:
                    found.append(Twin(new["name"], old["name"]))
    return found


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
