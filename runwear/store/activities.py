"""Every write to activities, their surfaces, tracks and source files; lookups for import."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from runwear.geo import encode_polyline
from runwear.ingest.model import Activity

DUPLICATE_START_S = 60
DUPLICATE_DISTANCE_SHARE = 0.02


def iso_utc(moment: datetime) -> str:
    """A UTC timestamp as stored: 2026-03-01T07:15:00Z (second precision, sortable as text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def known_source(db: Database, sha256: str) -> dict[str, Any] | None:
    """The source file already stored with these bytes, or None."""
    rows = list(db.query("select * from sources where sha256 = ?", [sha256]))
    return rows[0] if rows else None


def same_run(db: Database, started_at: datetime, distance_m: float) -> dict[str, Any] | None:
    """A stored run starting within 60 s with a distance within 2%: the same run, another file."""
    window = timedelta(seconds=DUPLICATE_START_S)
    rows = db.query(
        "select id, started_at, distance_m, format from activities "
        "where sport = 'running' and started_at between ? and ? order by started_at",
        [iso_utc(started_at - window), iso_utc(started_at + window)],
    )
    for row in rows:
        if abs(row["distance_m"] - distance_m) <= DUPLICATE_DISTANCE_SHARE * max(
            row["distance_m"], distance_m
        ):
            return row
    return None


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
    source_id: int,
    session_index: int,
    fmt: str,
    shoe_id: int | None,
    shoe_source: str | None,
    surface: str,
    surface_source: str,
) -> int:
    """Store one activity, its one-surface split and its track (in the caller's transaction)."""
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
            }
        )
        .last_pk
    )
    db["activity_surfaces"].insert(
        {"activity_id": activity_id, "surface": surface, "distance_m": activity.distance_m}
    )
    if activity.track:
        db["activity_tracks"].insert(
            {
                "activity_id": activity_id,
                "polyline": encode_polyline(activity.track),
                "points": len(activity.track),
            }
        )
    return activity_id


def set_shoe(db: Database, activity_ids: Sequence[int], shoe_id: int | None) -> None:
    """Tag activities with a shoe (None untags them), as a manual choice."""
    source = "manual" if shoe_id is not None else None
    with db.conn:
        db.conn.executemany(
            "update activities set shoe_id = ?, shoe_source = ? where id = ?",
            [(shoe_id, source, i) for i in activity_ids],
        )


def set_surface(db: Database, activity_ids: Sequence[int], surface: str) -> None:
    """Tag whole activities with one surface, as a manual choice; their split follows."""
    with db.conn:
        for activity_id in activity_ids:
            db.execute(
                "update activities set surface = ?, surface_source = 'manual' where id = ?",
                [surface, activity_id],
            )
            db.execute("delete from activity_surfaces where activity_id = ?", [activity_id])
            db.execute(
                "insert into activity_surfaces (activity_id, surface, distance_m) "
                "select id, surface, distance_m from activities where id = ?",
                [activity_id],
            )


def existing_ids(db: Database, activity_ids: Iterable[int]) -> list[int]:
    """Those of `activity_ids` that exist, in the order given."""
    wanted = list(activity_ids)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    found = {
        row[0] for row in db.execute(f"select id from activities where id in ({marks})", wanted)
    }
    return [i for i in wanted if i in found]


def _now() -> str:
    return iso_utc(datetime.now(timezone.utc))
