"""Every write to activities, their surfaces, tracks and source files; lookups for import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from runwear.store.database import writing

if TYPE_CHECKING:  # the write paths import their helpers, so that reading figures (iso_utc)
    # does not load the surfacing code: `runwear shoes` starts sooner
    from sqlite_utils import Database

    from runwear.ingest.model import Activity
    from runwear.store.surfaces import Surfacer
    from runwear.surfacing.split import SurfacePart, SurfaceSplit

DUPLICATE_START_S = 60
DUPLICATE_DISTANCE_SHARE = 0.02
# Surface sources of runs whose stretches may have come from the shoe's usual surface.
FOLLOWS_SHOE = (None, "shoe", "place", "osm")
IDS_PER_QUERY = 500  # ids bound per "in (...)": well under SQLite's limit (999 in old builds)


def iso_utc(moment: datetime) -> str:
    """A UTC timestamp as stored: 2026-03-01T07:15:00Z (second precision, sortable as text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def known_source(db: Database, sha256: str) -> dict[str, Any] | None:
    """The source file already stored with these bytes, or None."""
    return _one(db, "select * from sources where sha256 = ?", [sha256])


def forget_source(db: Database, source_id: int) -> None:
    """Forget a source file that no activity comes from (it is read anew); in the caller's
    transaction."""
    db.execute(
        "delete from sources where id = ? and not exists "
        "(select 1 from activities where source_id = sources.id)",
        [source_id],
    )


def same_run(db: Database, started_at: datetime, distance_m: float) -> dict[str, Any] | None:
    """A stored run starting within 60 s with a distance within 2%: the same run, another file."""
    rows = _all(
        db,
        "select a.id, a.started_at, a.distance_m, a.format, a.source_id, t.points "
        "from activities a left join activity_tracks t on t.activity_id = a.id "
        "where a.sport = 'running' and a.started_at between ? and ? order by a.started_at",
        start_window(started_at),
    )
    return next((row for row in rows if same_distance(row["distance_m"], distance_m)), None)


def start_window(started_at: datetime) -> list[str]:
    """The stored UTC starts (first, last) of one outing's copies: within 60 s of this one."""
    window = timedelta(seconds=DUPLICATE_START_S)
    return [iso_utc(started_at - window), iso_utc(started_at + window)]


def same_distance(a_m: float, b_m: float) -> bool:
    """Whether two distances are one run's, measured twice (within 2%)."""
    return abs(a_m - b_m) <= DUPLICATE_DISTANCE_SHARE * max(a_m, b_m)


def add_source(
    db: Database,
    sha256: str,
    path: str,
    fmt: str,
    file_type: str,
    outcome: str,
    note: str | None = None,
) -> int:
    """Record a file as seen (inside the caller's transaction) and return its id."""
    return int(
        db["sources"]
        .insert(
            {
                "sha256": sha256,
                "path": path,
                "format": fmt,
                "file_type": file_type,
                "outcome": outcome,
                "note": note,
                "imported_at": _now(),
            }
        )
        .last_pk
    )


def add_activity(
    db: Database,
    activity: Activity,
    *,
    source_id: int | None,
    session_index: int,
    fmt: str,
    shoe_id: int | None,
    shoe_source: str | None,
    surface: str,
    surface_source: str | None,
    external_id: str | None = None,
    parts: Sequence[SurfacePart] | None = None,
) -> int:
    """Store one activity, its split by surface and its track (in the caller's transaction).

    `parts` is the split (`runwear.store.surfaces.Surfacer.split`); without it the run is
    `surface` whole. `source_id` is None for runs an export lists without a file (`fmt`
    manual, strava, ...).
    """
    from runwear.geo import encode_polyline
    from runwear.store.surfaces import insert_parts, track_box
    from runwear.surfacing.split import SurfacePart

    activity_id = int(
        db["activities"]
        .insert(
            {
                "source_id": source_id,
                "session_index": session_index,
                "format": fmt,
                "started_at": iso_utc(activity.started_at),
                "utc_offset_s": activity.utc_offset_s,
                "sport": activity.sport,
                "sub_sport": activity.sub_sport,
                "name": activity.name,
                "distance_m": activity.distance_m,
                "duration_s": activity.duration_s,
                "moving_s": activity.moving_s,
                "ascent_m": activity.ascent_m,
                "device": activity.device,
                "shoe_id": shoe_id,
                "shoe_source": shoe_source,
                "surface": surface,
                "surface_source": surface_source,
                "imported_at": _now(),
                "external_id": external_id,
                "cadence_spm": activity.cadence_spm,
            }
        )
        .last_pk
    )
    _add_profile(db, activity_id, activity)
    if parts is None:
        parts = (SurfacePart(surface, surface_source, activity.distance_m),)
    insert_parts(db, activity_id, parts)
    if activity.track:
        db["activity_tracks"].insert(
            {
                "activity_id": activity_id,
                "polyline": encode_polyline(activity.track),
                "points": len(activity.track),
                **track_box(activity.track),
            }
        )
    return activity_id


def replace_copy(
    db: Database,
    activity_id: int,
    activity: Activity,
    source_id: int,
    session_index: int,
    fmt: str,
    split: SurfaceSplit,
) -> None:
    """Give a stored run the figures, track and split of a better copy from another file (in
    the caller's transaction); its shoe, external id and manual tags stay. The file it came
    from is left a duplicate when it holds no other run."""
    from runwear.geo import encode_polyline
    from runwear.store.surfaces import track_box, write_split

    old_source = db.execute(
        "select source_id from activities where id = ?", [activity_id]
    ).fetchone()[0]
    db.execute(
        "update activities set source_id = ?, session_index = ?, format = ?, started_at = ?, "
        "utc_offset_s = ?, sub_sport = ?, name = ?, distance_m = ?, duration_s = ?, "
        "moving_s = ?, ascent_m = ?, device = ? where id = ?",
        [
            source_id,
            session_index,
            fmt,
            iso_utc(activity.started_at),
            activity.utc_offset_s,
            activity.sub_sport,
            activity.name,
            activity.distance_m,
            activity.duration_s,
            activity.moving_s,
            activity.ascent_m,
            activity.device,
            activity_id,
        ],
    )
    db.execute("delete from activity_tracks where activity_id = ?", [activity_id])
    if activity.track:
        db["activity_tracks"].insert(
            {
                "activity_id": activity_id,
                "polyline": encode_polyline(activity.track),
                "points": len(activity.track),
                **track_box(activity.track),
            }
        )
    write_split(db, activity_id, split)
    if old_source is not None:
        db.execute(
            "update sources set outcome = 'duplicate', note = ? where id = ? and not exists "
            "(select 1 from activities where source_id = ?)",
            [f"a better copy replaced its run (activity {activity_id})", old_source, old_source],
        )


def _add_profile(db: Database, activity_id: int, activity: Activity) -> None:
    """Store the pace at the activity's start and end, when its timeline or laps give one."""
    from runwear.ingest.profile import encode_metres, pace_profile

    profile = pace_profile(activity)
    if profile is not None:
        db["activity_profiles"].insert(
            {
                "activity_id": activity_id,
                "moving_s": profile.moving_s,
                "distance_m": profile.distance_m,
                "head_m": encode_metres(profile.head_m),
                "tail_m": encode_metres(profile.tail_m),
                "warmup_lap": int(profile.warmup_lap),
                "cooldown_lap": int(profile.cooldown_lap),
            }
        )


def add_other(
    db: Database,
    activity: Activity,
    source_id: int | None,
    session_index: int,
    fmt: str,
    external_id: str | None,
) -> int:
    """Store an activity that is not a run (in the caller's transaction), unless the same one
    (same sport, start within 60 s, or the same export id) is stored; 1 when stored, else 0.
    It never has a shoe; its distance is one part of unknown surface."""
    if external_id is not None and by_external_id(db, external_id) is not None:
        return 0
    twin = db.execute(
        "select 1 from activities where sport = ? and started_at between ? and ? limit 1",
        [activity.sport, *start_window(activity.started_at)],
    ).fetchone()
    if twin is not None:
        return 0
    add_activity(
        db,
        replace(activity, track=()),
        source_id=source_id,
        session_index=session_index,
        fmt=fmt,
        shoe_id=None,
        shoe_source=None,
        surface="unknown",
        surface_source=None,
        external_id=external_id,
    )
    return 1


def by_external_id(db: Database, external_id: str) -> dict[str, Any] | None:
    """The activity an export knows by this id ("strava:123"), or None. One removed with
    `runwear activity remove` is still known (format "removed"), so it does not come back."""
    return _one(
        db,
        "select id, source_id, started_at, format from activities where external_id = ? "
        "union all select activity_id, null, started_at, 'removed' from removed_activities "
        "where external_id = ? limit 1",
        [external_id, external_id],
    )


def runs_of_source(db: Database, source_id: int) -> list[dict[str, Any]]:
    """The running activities stored from one source file, in session order."""
    return _all(
        db,
        "select id, started_at, distance_m from activities "
        "where source_id = ? and sport = 'running' order by session_index",
        [source_id],
    )


def adopt_export(
    db: Database,
    activity_id: int,
    shoe_id: int | None,
    external_id: str | None,
    surfacer: Surfacer | None = None,
    yielding: tuple[str, ...] = (),
) -> bool:
    """Give a stored run what an export says about it (in the caller's transaction).

    The export's shoe replaces none, a default-chosen one or a rule's, never a manual or
    another export's choice; the stretches whose surface came from the old shoe follow the
    new one (the run is split again). The export's id is kept when the run has none, or one
    starting with a `yielding` prefix, and no other run holds it. True when the shoe changed.
    """
    from runwear.store.surfaces import resplit

    row = db.execute(
        "select shoe_id, shoe_source, surface_source, external_id from activities where id = ?",
        [activity_id],
    ).fetchone()
    if row is None:
        return False
    old_shoe, shoe_source, surface_source, old_external = row
    free = old_external is None or old_external.startswith(yielding)
    if external_id and free and by_external_id(db, external_id) is None:
        db.execute("update activities set external_id = ? where id = ?", [external_id, activity_id])
    if shoe_id is None or shoe_id == old_shoe or shoe_source not in (None, "default", "rule"):
        return False
    db.execute(
        "update activities set shoe_id = ?, shoe_source = 'export' where id = ?",
        [shoe_id, activity_id],
    )
    if surface_source in FOLLOWS_SHOE:
        resplit(db, [activity_id], surfacer)
    return True


def set_shoe(db: Database, activity_ids: Sequence[int], shoe_id: int | None) -> None:
    """Tag activities with a shoe (None untags them), as a manual choice."""
    source = "manual" if shoe_id is not None else None
    with writing(db):
        db.conn.executemany(
            "update activities set shoe_id = ?, shoe_source = ? where id = ?",
            [(shoe_id, source, i) for i in activity_ids],
        )


def set_surface(db: Database, activity_ids: Sequence[int], surface: str) -> None:
    """Tag whole activities with one surface, as a manual choice; their split follows."""
    with writing(db):
        for activity_id in activity_ids:
            db.execute(
                "update activities set surface = ?, surface_source = 'manual' where id = ?",
                [surface, activity_id],
            )
            db.execute("delete from activity_surfaces where activity_id = ?", [activity_id])
            db.execute(
                "insert into activity_surfaces (activity_id, surface, distance_m, source) "
                "select id, surface, distance_m, 'manual' from activities where id = ?",
                [activity_id],
            )


def existing_ids(db: Database, activity_ids: Iterable[int]) -> list[int]:
    """Those of `activity_ids` that exist, in the order given."""
    wanted = list(activity_ids)
    if not wanted:
        return []
    found: set[int] = set()
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = wanted[start : start + IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0] for row in db.execute(f"select id from activities where id in ({marks})", chunk)
        )
    return [i for i in wanted if i in found]


def _all(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows as dicts, straight from the connection (import look-ups run thousands of times)."""
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _one(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The first row as a dict, or None."""
    rows = _all(db, sql, params)
    return rows[0] if rows else None


def _now() -> str:
    return iso_utc(datetime.now(timezone.utc))
