"""The database schema, grown only by numbered migrations applied on every open."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from runwear.geo import decode_polyline

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


SURFACE_SOURCES_VIEW = """
select
    case when activity_surfaces.surface = 'unknown' then 'unknown'
         else coalesce(activity_surfaces.source, 'unknown') end as source,
    activity_surfaces.surface,
    sum(activity_surfaces.distance_m) as distance_m,
    count(distinct activities.id) as runs
from activity_surfaces
join activities on activities.id = activity_surfaces.activity_id
where activities.sport = 'running'
group by 1, activity_surfaces.surface
"""

SHOE_SURFACE_MIX_VIEW = """
select
    shoes.name as shoe,
    activity_surfaces.surface,
    sum(activity_surfaces.distance_m) as distance_m,
    count(distinct activities.id) as runs
from activity_surfaces
join activities on activities.id = activity_surfaces.activity_id
left join shoes on shoes.id = activities.shoe_id
where activities.sport = 'running'
group by activities.shoe_id, activity_surfaces.surface
"""


@migrations()
def m003_surfaces(db: Database) -> None:
    """Places, rules, OpenStreetMap ways (with an R*Tree), and each surface part's source.

    Existing runs keep their one-surface split: its part takes the run's surface source, and
    each stored track gets its bounding box (decoded once here), so that a later place or
    OpenStreetMap load finds the runs it touches.
    """
    db["places"].create(
        {
            "id": int,
            "name": str,
            "surface": str,
            "kind": str,  # circle | corridor
            "center_lat": float,
            "center_lon": float,
            "radius_m": float,
            "polyline": str,  # corridor route, encoded at precision 6
            "width_m": float,
            "min_lat": float,
            "min_lon": float,
            "max_lat": float,
            "max_lon": float,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"name", "surface", "kind", "min_lat", "min_lon", "max_lat", "max_lon"},
    )
    db.execute("create unique index idx_places_name on places (name collate nocase)")
    db["rules"].create(
        {
            "id": int,
            "position": int,
            "sport": str,
            "sub_sport": str,
            "name_contains": str,
            "weekday": str,  # mon .. sun
            "min_km": float,
            "max_km": float,
            "starts_in_place_id": int,
            "shoe_id": int,
            "surface": str,
            "created_at": str,
        },
        pk="id",
        not_null={"position"},
        foreign_keys=[("starts_in_place_id", "places", "id"), ("shoe_id", "shoes", "id")],
    )
    db["rules"].create_index(["position"])
    db["rules"].create_index(["starts_in_place_id"])
    db["rules"].create_index(["shoe_id"])
    db["osm_sources"].create(
        {
            "id": int,
            "path": str,
            "sha256": str,
            "size_bytes": int,
            "ways": int,
            "min_lat": float,
            "min_lon": float,
            "max_lat": float,
            "max_lon": float,
            "loaded_at": str,
        },
        pk="id",
        not_null={"path", "sha256", "loaded_at"},
    )
    db["osm_ways"].create(
        {
            "id": int,  # the OpenStreetMap way id
            "source_id": int,
            "surface": str,
            "highway": str,
            "polyline": str,  # encoded at precision 6 (about 0.1 m)
            "points": int,
        },
        pk="id",
        not_null={"source_id", "surface", "polyline"},
        foreign_keys=[("source_id", "osm_sources", "id")],
    )
    db["osm_ways"].create_index(["source_id"])
    db.execute(
        "create virtual table osm_ways_rtree using rtree(id, min_lat, max_lat, min_lon, max_lon)"
    )
    db["activity_surfaces"].add_column("source", str)
    db.execute(
        "update activity_surfaces set source = "
        "(select surface_source from activities where activities.id = activity_id)"
    )
    for column in ("min_lat", "min_lon", "max_lat", "max_lon"):
        db["activity_tracks"].add_column(column, float)
    boxes = []
    for activity_id, polyline in db.execute("select activity_id, polyline from activity_tracks"):
        points = decode_polyline(polyline)
        if points:
            lats = [p[0] for p in points]
            lons = [p[1] for p in points]
            boxes.append((min(lats), min(lons), max(lats), max(lons), activity_id))
    db.conn.executemany(
        "update activity_tracks set min_lat = ?, min_lon = ?, max_lat = ?, max_lon = ? "
        "where activity_id = ?",
        boxes,
    )
    db.create_view("surface_sources", SURFACE_SOURCES_VIEW)
    db.create_view("shoe_surface_mix", SHOE_SURFACE_MIX_VIEW)


WEEKLY_SURFACE_MIX_LOCAL_VIEW = """
select
    date(
        activities.started_at,
        case when activities.utc_offset_s is null then 'localtime'
             else activities.utc_offset_s || ' seconds' end,
        'weekday 0',
        '-6 days'
    ) as week_start,
    activity_surfaces.surface,
    sum(activity_surfaces.distance_m) as distance_m,
    count(distinct activities.id) as runs
from activity_surfaces
join activities on activities.id = activity_surfaces.activity_id
where activities.sport = 'running'
group by week_start, activity_surfaces.surface
"""


SHOE_MILEAGE_GUARDED_VIEW = SHOE_MILEAGE_VIEW.replace(
    "where key = 'shoe_limit_km')",
    "where key = 'shoe_limit_km' and cast(value as real) between 50 and 5000)",
)


@migrations()
def m005_shoes(db: Database) -> None:
    """Shoes: a price, aliases, the platform ids of merged and removed shoes; weekly surface
    mix in local weeks (the run's own UTC offset, else the machine's zone)."""
    db["shoes"].add_column("price", float)
    db["shoes"].add_column("max_age_months", int)
    db["shoe_aliases"].create(
        {"alias_key": str, "alias": str, "shoe_id": int},
        pk="alias_key",
        foreign_keys=[("shoe_id", "shoes", "id")],
    )
    db["shoe_aliases"].create_index(["shoe_id"])
    db["shoe_platform_ids"].create(
        {"external_id": str, "shoe_id": int},
        pk="external_id",
        foreign_keys=[("shoe_id", "shoes", "id")],
    )
    db["shoe_platform_ids"].create_index(["shoe_id"])
    db["removed_shoes"].create(
        {"external_id": str, "name": str, "removed_at": str}, pk="external_id"
    )
    db.execute("drop view if exists weekly_surface_mix")
    db.create_view("weekly_surface_mix", WEEKLY_SURFACE_MIX_LOCAL_VIEW)
    db.execute("drop view if exists shoe_mileage")  # a bad stored limit falls back, as in the CLI
    db.create_view("shoe_mileage", SHOE_MILEAGE_GUARDED_VIEW)


@migrations()
def m006_coach(db: Database) -> None:
    """What the back coach reads: cadence per activity, the pace at a run's start and end
    (`runwear.ingest.profile`), and the pain log."""
    db["activities"].add_column("cadence_spm", float)
    db["activity_profiles"].create(
        {
            "activity_id": int,
            "moving_s": float,  # moving seconds of the whole timeline
            "distance_m": float,  # metres of the whole timeline
            "head_m": str,  # "312,640,...": metres by the end of moving minute 1, 2, ... 20
            "tail_m": str,  # metres in the last 1, 2, ... 20 moving minutes
            "warmup_lap": int,  # 1: a lap was marked warmup
            "cooldown_lap": int,  # 1: a lap was marked cooldown
        },
        pk="activity_id",
        not_null={"moving_s", "distance_m", "head_m", "tail_m", "warmup_lap", "cooldown_lap"},
        foreign_keys=[("activity_id", "activities", "id")],
    )
    db["pain"].create(
        {
            "id": int,
            "day": str,  # local date, YYYY-MM-DD
            "level": int,  # 0 (none) .. 10 (worst)
            "location": str,  # where it hurts: lower-back, ...
            "note": str,
            "created_at": str,
        },
        pk="id",
        not_null={"day", "level", "location", "created_at"},
    )
    db["pain"].create_index(["day"])


@migrations()
def m007_report_indexes(db: Database) -> None:
    """Indexes for the reports. Each shoe's runs in time order, with their distance: `shoes`
    and `check` sum a shoe's distance, find its first run and walk to the run that crossed
    its limit from the index alone, never reading other (retired) shoes' runs. Surface parts
    by surface and source, with their distance: `surfaces` sums them without a sort."""
    db.execute(
        "create index idx_activities_shoe_started on activities "
        "(shoe_id, started_at, sport, distance_m)"
    )
    db.execute(
        "create index idx_activity_surfaces_mix on activity_surfaces "
        "(surface, source, activity_id, distance_m)"
    )


@migrations()
def m008_pending_splits(db: Database) -> None:
    """Re-splits recorded with the change that needs them, so a kill halfway is finished by
    the next command (`runwear.store.pending_splits`); the export ids of removed activities,
    so an export's entry does not bring them back (`runwear.store.removal`)."""
    db["pending_splits"].create(
        {
            "id": int,
            "reason": str,  # the command that asked: "place add Stadium"
            "activity_ids": str,  # JSON list, in the order they are split
            "done": int,  # how many of them are split again
            "rule_shoes": int,
            "rule_surfaces": int,
            "drop_manual": int,
            "owner_pid": int,  # the process doing it; gone: the next command finishes it
            "created_at": str,
        },
        pk="id",
        not_null={"reason", "activity_ids", "done", "owner_pid", "created_at"},
    )
    db["removed_activities"].create(
        {
            "external_id": str,  # "strava:123"
            "activity_id": int,  # the id it had (not a foreign key: it is gone)
            "started_at": str,
            "distance_m": float,
            "removed_at": str,
        },
        pk="external_id",
        not_null={"activity_id", "started_at", "removed_at"},
    )


@migrations()
def m009_removed_runs(db: Database) -> None:
    """Every removed run's start and distance, so that another copy of it (the GPX of a
    removed FIT, a later export) does not bring it back either (`runwear.store.removal`).
    The runs removed before this migration are known only by their export ids."""
    db["removed_runs"].create(
        {
            "id": int,  # its own: SQLite gives a removed activity's id to the next one stored
            "activity_id": int,  # the id it had (not a foreign key: it is gone)
            "started_at": str,
            "distance_m": float,
            "removed_at": str,
        },
        pk="id",
        not_null={"activity_id", "started_at", "distance_m", "removed_at"},
    )
    db["removed_runs"].create_index(["started_at"])
    db.execute(
        "insert into removed_runs (activity_id, started_at, distance_m, removed_at) "
        "select activity_id, started_at, distance_m, removed_at from removed_activities "
        "where distance_m is not null"
    )


@migrations()
def m010_file_fingerprints(db: Database) -> None:
    """What a file on disk (path, size, modification time) or a zip member (name, CRC-32,
    size) held when it was read: the SHA-256 of its bytes, so that a re-import knows a file
    it stored without reading it again (`runwear.store.fingerprints`)."""
    db.execute(
        "create table file_fingerprints (fingerprint text primary key, sha256 text not null) "
        "without rowid"
    )
