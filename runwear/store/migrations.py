"""The database schema, grown only by numbered migrations applied on every open."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("runwear")

SHOE_MILEAGE_VIEW = """
select
    shoes.id as shoe_id,
    shoes.name,
    shoes.brand,
    shoes.model,
    shoes.start_distance_m,
    coalesce(
        shoes.limit_m,
        (select cast(value as real) * 1000 from settings where key = 'shoe_limit_km'),
        700000.0
    ) as limit_m,
    shoes.retired_on,
    coalesce(sum(activities.distance_m), 0) as run_distance_m,
    shoes.start_distance_m + coalesce(sum(activities.distance_m), 0) as distance_m,
    count(activities.id) as runs,
    max(activities.started_at) as last_run
from shoes
left join activities on activities.shoe_id = shoes.id and activities.sport = 'running'
group by shoes.id
"""

WEEKLY_SURFACE_MIX_VIEW = """
select
    date(activities.started_at, 'weekday 0', '-6 days') as week_start,
    activity_surfaces.surface,
    sum(activity_surfaces.distance_m) as distance_m,
    count(distinct activities.id) as runs
from activity_surfaces
join activities on activities.id = activity_surfaces.activity_id
where activities.sport = 'running'
group by week_start, activity_surfaces.surface
"""


@migrations()
def m001_initial(db: Database) -> None:
    """Settings, shoes, source files, activities, their surfaces and tracks, and the views."""
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["shoes"].create(
        {
            "id": int,
            "name": str,
            "brand": str,
            "model": str,
            "purchased_on": str,
            "start_distance_m": float,
            "limit_m": float,
            "retired_on": str,
            "notes": str,
            "surface": str,
            "is_default": int,
            "default_for": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "start_distance_m", "is_default"},
        defaults={"start_distance_m": 0.0, "is_default": 0},
    )
    db.execute("create unique index idx_shoes_name on shoes (name collate nocase)")
    db["sources"].create(
        {
            "id": int,
            "sha256": str,
            "path": str,
            "format": str,
            "file_type": str,
            "outcome": str,
            "note": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"sha256", "path", "format", "outcome", "imported_at"},
    )
    db["sources"].create_index(["sha256"], unique=True)
    db["activities"].create(
        {
            "id": int,
            "source_id": int,
            "session_index": int,
            "format": str,
            "started_at": str,
            "utc_offset_s": int,
            "sport": str,
            "sub_sport": str,
            "name": str,
            "distance_m": float,
            "duration_s": float,
            "moving_s": float,
            "ascent_m": float,
            "device": str,
            "shoe_id": int,
            "shoe_source": str,
            "surface": str,
            "surface_source": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"started_at", "sport", "distance_m", "surface", "imported_at"},
        foreign_keys=[("source_id", "sources", "id"), ("shoe_id", "shoes", "id")],
    )
    db["activities"].create_index(["source_id", "session_index"], unique=True)
    db["activities"].create_index(["started_at"])
    db["activities"].create_index(["shoe_id"])
    db["activity_surfaces"].create(
        {"activity_id": int, "surface": str, "distance_m": float},
        pk=("activity_id", "surface"),
        foreign_keys=[("activity_id", "activities", "id")],
    )
    db["activity_tracks"].create(
        {"activity_id": int, "polyline": str, "points": int},
        pk="activity_id",
        foreign_keys=[("activity_id", "activities", "id")],
    )
    db.create_view("shoe_mileage", SHOE_MILEAGE_VIEW)
    db.create_view("weekly_surface_mix", WEEKLY_SURFACE_MIX_VIEW)


@migrations()
def m002_exports(db: Database) -> None:
    """External ids from account exports: Strava / Garmin activity ids, export shoe ids."""
    db["activities"].add_column("external_id", str)
    db["activities"].create_index(["external_id"], unique=True)
    db["shoes"].add_column("external_id", str)
    db["shoes"].create_index(["external_id"], unique=True)
