"""Removing stored activities: a run imported by mistake goes, and stays gone.

Its rows (track, surface parts, pace profile) go with it in one transaction. Its source
file's row stays (outcome "removed"), so the same bytes are known on the next import and
not read again; an export's id for it is remembered in `removed_activities`, so the
export's entry does not bring it back either, and a run's start and distance in
`removed_runs`, so another copy of it (the GPX beside a FIT, a later export) does not
either (`runwear import --force` brings them back).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from runwear.store.activities import same_distance, start_window
from runwear.store.database import writing

if TYPE_CHECKING:  # a re-import asks was_removed of a known file without loading sqlite_utils
    from sqlite_utils import Database

REMOVED = "removed"  # sources.outcome of a file whose every activity was removed
CHILD_TABLES = ("activity_profiles", "activity_tracks", "activity_surfaces")


def activity_detail(db: Database, activity_id: int) -> dict[str, Any] | None:
    """One activity with its shoe's name, source file and surface parts, or None."""
    cursor = db.execute(
        "select a.*, s.name as shoe, src.path as source_path, src.format as source_format, "
        "t.points as track_points from activities a "
        "left join shoes s on s.id = a.shoe_id "
        "left join sources src on src.id = a.source_id "
        "left join activity_tracks t on t.activity_id = a.id where a.id = ?",
        [activity_id],
    )
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip(names, row, strict=True))
    found["parts"] = [
        {"surface": surface, "distance_m": distance_m, "source": source}
        for surface, distance_m, source in db.execute(
            "select surface, distance_m, source from activity_surfaces where activity_id = ? "
            "order by distance_m desc, surface",
            [activity_id],
        )
    ]
    return found


def remove_activities(db: Database, activity_ids: Sequence[int]) -> int:
    """Delete these activities and their rows (in one transaction, a savepoint in the
    caller's); their sources stay known and their export ids are remembered. How many went."""
    ids = list(dict.fromkeys(activity_ids))
    if not ids:
        return 0
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    removed = 0
    sources: set[int] = set()
    with writing(db):
        for activity_id in ids:
            row = db.execute(
                "select external_id, started_at, distance_m, source_id, sport from activities "
                "where id = ?",
                [activity_id],
            ).fetchone()
            if row is None:
                continue
            if row[4] == "running":
                db.execute(
                    "insert into removed_runs "
                    "(activity_id, started_at, distance_m, removed_at) values (?, ?, ?, ?)",
                    [activity_id, row[1], row[2], now],
                )
            if row[3] is not None:
                sources.add(row[3])
            if row[0] is not None:
                db.execute(
                    "insert or replace into removed_activities "
                    "(external_id, activity_id, started_at, distance_m, removed_at) "
                    "values (?, ?, ?, ?, ?)",
                    [row[0], activity_id, row[1], row[2], now],
                )
            for table in CHILD_TABLES:
                db.execute(f"delete from {table} where activity_id = ?", [activity_id])
            db.execute("delete from activities where id = ?", [activity_id])
            removed += 1
        for source_id in sources:
            db.execute(
                f"update sources set outcome = '{REMOVED}', note = ? where id = ? and not exists "
                "(select 1 from activities where source_id = sources.id)",
                [f"its activities were removed on {now[:10]}", source_id],
            )
    return removed


def removed_export_id(db: Database, external_id: str) -> dict[str, Any] | None:
    """The removed activity an export knew by this id, or None."""
    row = db.execute(
        "select activity_id, started_at, removed_at from removed_activities where external_id = ?",
        [external_id],
    ).fetchone()
    if row is None:
        return None
    return {"activity_id": row[0], "started_at": row[1], "removed_at": row[2]}


def removed_run(db: Database, started_at: datetime, distance_m: float) -> dict[str, Any] | None:
    """A removed run this one is a copy of (the same start within 60 s, the same distance
    within 2%), or None."""
    return next(iter(_removed_copies(db, started_at, distance_m)), None)


def forget_removed_runs(db: Database, started_at: datetime, distance_m: float) -> None:
    """Forget the removed runs this one is a copy of (import --force brings it back)."""
    for gone in _removed_copies(db, started_at, distance_m):
        db.execute("delete from removed_runs where id = ?", [gone["id"]])


def _removed_copies(db: Database, started_at: datetime, distance_m: float) -> list[dict[str, Any]]:
    """The removed runs starting within 60 s of `started_at` at this distance (within 2%)."""
    rows = db.execute(
        "select id, activity_id, started_at, distance_m, removed_at from removed_runs "
        "where started_at between ? and ? order by started_at, id",
        start_window(started_at),
    ).fetchall()
    return [
        {
            "id": r[0],
            "activity_id": r[1],
            "started_at": r[2],
            "distance_m": r[3],
            "removed_at": r[4],
        }
        for r in rows
        if same_distance(r[3], distance_m)
    ]


def forget_removed(db: Database, external_id: str) -> None:
    """Let an export's entry be imported again (import --force)."""
    db.execute("delete from removed_activities where external_id = ?", [external_id])


def was_removed(source: dict[str, Any]) -> bool:
    """Whether a stored source is a file whose every activity was removed."""
    return source.get("outcome") == REMOVED
