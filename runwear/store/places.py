"""Every write to the user's places and rules, and reading them back as surfacing values."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlite_utils import Database

from runwear.geo import decode_polyline, encode_polyline
from runwear.store.database import writing
from runwear.surfacing.geometry import BBox, Circle, Corridor
from runwear.surfacing.rules import Rule
from runwear.surfacing.split import Place

POLYLINE_PRECISION = 6  # corridor routes: 1e-6 degrees, about 0.1 m

Shape = Circle | Corridor


# -- places ----------------------------------------------------------------------------------


def find_place(db: Database, name: str) -> dict[str, Any] | None:
    """The place called `name` (any letter case), or None."""
    rows = list(db.query("select * from places where name = ? collate nocase", [name]))
    return rows[0] if rows else None


def place_rows(db: Database) -> list[dict[str, Any]]:
    """Every place, in the order they were added."""
    return list(db.query("select * from places order by id"))


def place_names(db: Database) -> list[str]:
    """Names of the places, in the order they were added."""
    return [row["name"] for row in place_rows(db)]


def shape_of(row: dict[str, Any]) -> Shape:
    """The circle or corridor a places row describes."""
    if row["kind"] == "circle":
        return Circle(row["center_lat"], row["center_lon"], row["radius_m"])
    return Corridor(tuple(decode_polyline(row["polyline"], POLYLINE_PRECISION)), row["width_m"])


def load_places(db: Database) -> list[Place]:
    """Every place as a `Place`, in the order they were added."""
    return [Place(row["name"], row["surface"], shape_of(row)) for row in place_rows(db)]


def box_of(row: dict[str, Any]) -> BBox:
    """The stored box around a place's shape."""
    return BBox(row["min_lat"], row["min_lon"], row["max_lat"], row["max_lon"])


def add_place(db: Database, name: str, surface: str, shape: Shape) -> int:
    """Add a place and return its id."""
    row = {"name": name, "surface": surface, **_shape_columns(shape), "created_at": _now()}
    with writing(db):
        return int(db["places"].insert(row).last_pk)


def update_place(
    db: Database,
    place_id: int,
    *,
    name: str | None = None,
    surface: str | None = None,
    shape: Shape | None = None,
) -> None:
    """Change a place's name, surface and/or shape."""
    fields: dict[str, Any] = {"updated_at": _now()}
    if name is not None:
        fields["name"] = name
    if surface is not None:
        fields["surface"] = surface
    if shape is not None:
        fields.update(_shape_columns(shape))
    with writing(db):
        db["places"].update(place_id, fields)


def remove_place(db: Database, place_id: int) -> None:
    """Delete a place; rules for runs starting in it must be gone first."""
    with writing(db):
        db.execute("delete from places where id = ?", [place_id])


def _shape_columns(shape: Shape) -> dict[str, Any]:
    """The places columns for a shape: kind, its figures (the others null), and its box."""
    box = shape.bbox
    columns: dict[str, Any] = {
        "kind": "circle",
        "center_lat": None,
        "center_lon": None,
        "radius_m": None,
        "polyline": None,
        "width_m": None,
        "min_lat": box.min_lat,
        "min_lon": box.min_lon,
        "max_lat": box.max_lat,
        "max_lon": box.max_lon,
    }
    if isinstance(shape, Circle):
        columns.update(
            center_lat=shape.center_lat, center_lon=shape.center_lon, radius_m=shape.radius_m
        )
    else:
        columns.update(
            kind="corridor",
            polyline=encode_polyline(shape.points, POLYLINE_PRECISION),
            width_m=shape.width_m,
        )
    return columns


# -- rules -----------------------------------------------------------------------------------

RULE_CONDITIONS = ("sport", "sub_sport", "name_contains", "weekday", "min_km", "max_km")


def rule_rows(db: Database) -> list[dict[str, Any]]:
    """Every rule in order, with its place's and shoe's names (place, shoe)."""
    return list(
        db.query(
            "select r.*, p.name as place, s.name as shoe from rules r "
            "left join places p on p.id = r.starts_in_place_id "
            "left join shoes s on s.id = r.shoe_id order by r.position"
        )
    )


def rule_from_row(
    row: dict[str, Any], starts_in: Shape | None = None, shoe_retired_on: str | None = None
) -> Rule:
    """The `Rule` a rules row describes, with its place's shape and its shoe's retirement."""
    return Rule(
        id=row["id"],
        **{key: row[key] for key in RULE_CONDITIONS},
        starts_in=starts_in,
        shoe_id=row["shoe_id"],
        shoe_retired_on=date.fromisoformat(shoe_retired_on) if shoe_retired_on else None,
        surface=row["surface"],
    )


def load_rules(db: Database) -> list[Rule]:
    """Every rule in order, as `Rule` values (places as shapes, shoes with retirement days)."""
    shapes = {row["id"]: shape_of(row) for row in place_rows(db)}
    return [
        rule_from_row(row, shapes.get(row["starts_in_place_id"]), row["shoe_retired_on"])
        for row in db.query(
            "select r.*, s.retired_on as shoe_retired_on from rules r "
            "left join shoes s on s.id = r.shoe_id order by r.position"
        )
    ]


def add_rule(db: Database, fields: dict[str, Any], position: int | None = None) -> int:
    """Add a rule at `position` (1 = first; None or past the end: last) and return its id.

    `fields` are rules columns: the conditions, starts_in_place_id, shoe_id, surface.
    """
    with writing(db):
        count = db.execute("select count(*) from rules").fetchone()[0]
        if position is None or position > count:
            position = count + 1
        db.execute("update rules set position = position + 1 where position >= ?", [position])
        row = {**fields, "position": position, "created_at": _now()}
        return int(db["rules"].insert(row).last_pk)


def remove_rule(db: Database, rule_id: int) -> bool:
    """Delete a rule, closing the gap in the order; False when there is no such rule."""
    with writing(db):
        row = db.execute("select position from rules where id = ?", [rule_id]).fetchone()
        if row is None:
            return False
        db.execute("delete from rules where id = ?", [rule_id])
        db.execute("update rules set position = position - 1 where position > ?", [row[0]])
    return True


def rules_using_place(db: Database, place_id: int) -> list[int]:
    """Ids of the rules for runs starting in the place."""
    return [
        row[0]
        for row in db.execute(
            "select id from rules where starts_in_place_id = ? order by position", [place_id]
        )
    ]


def rules_using_shoe(db: Database, shoe_id: int) -> list[int]:
    """Ids of the rules that tag runs with the shoe."""
    return [
        row[0]
        for row in db.execute("select id from rules where shoe_id = ? order by position", [shoe_id])
    ]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
