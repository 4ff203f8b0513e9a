"""OpenStreetMap ways in the database: loading an extract, and finding the ways near a run.

Ways are stored once each, by their OpenStreetMap id (`osm_ways`), their track as a precision-6
polyline, with their box in an R*Tree (`osm_ways_rtree`). Loading another extract that holds a
way again replaces it (the newer extract wins); `replace_all` forgets everything loaded before
(an updated extract of the same area, where some ways were deleted). `osm_sources` keeps one
row per loaded file while it still holds ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from runwear.geo import decode_polyline, encode_polyline
from runwear.store.database import writing
from runwear.surfacing.geometry import BBox

if TYPE_CHECKING:  # the reader is only needed by whoever loads an extract
    from runwear.ingest.osm import OsmWay

POLYLINE_PRECISION = 6  # 1e-6 degrees, about 0.1 m
BATCH_WAYS = 2_000  # ways per executemany


@dataclass(frozen=True)
class OsmLoad:
    """What one load stored: ways, those with a known surface, and the area they cover."""

    source_id: int
    ways: int
    known: int  # ways whose surface is not "unknown"
    area: BBox | None  # None when no way was kept
    replaced_area: BBox | None  # what `replace_all` forgot (also to re-split), else None


def known_extract(db: Database, sha256: str) -> dict[str, Any] | None:
    """The loaded extract with these bytes, while its ways are stored; else None."""
    rows = list(db.query("select * from osm_sources where sha256 = ?", [sha256]))
    return rows[0] if rows else None


def load_ways(
    db: Database,
    ways: Iterable[OsmWay],
    *,
    path: str,
    sha256: str,
    size_bytes: int,
    replace_all: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> OsmLoad:
    """Store the ways of one extract in one transaction; `on_batch` gets the ways so far.

    Nothing is stored when reading the extract fails halfway (the exception goes on).
    """
    with writing(db):
        replaced = area(db) if replace_all else None
        if replace_all:
            _delete_all(db)
        source_id = int(
            db["osm_sources"]
            .insert({"path": path, "sha256": sha256, "size_bytes": size_bytes, "loaded_at": _now()})
            .last_pk
        )
        count = known = 0
        box: list[float] | None = None
        rows: list[tuple[Any, ...]] = []
        boxes: list[tuple[Any, ...]] = []
        for way in ways:
            lats = [p[0] for p in way.points]
            lons = [p[1] for p in way.points]
            way_box = (min(lats), max(lats), min(lons), max(lons))
            rows.append(
                (
                    way.osm_id,
                    source_id,
                    way.surface,
                    way.highway,
                    encode_polyline(way.points, POLYLINE_PRECISION),
                    len(way.points),
                )
            )
            boxes.append((way.osm_id, *way_box))
            if box is None:
                box = list(way_box)
            else:
                box[0] = min(box[0], way_box[0])
                box[1] = max(box[1], way_box[1])
                box[2] = min(box[2], way_box[2])
                box[3] = max(box[3], way_box[3])
            count += 1
            known += way.surface != "unknown"
            if len(rows) >= BATCH_WAYS:
                _write(db, rows, boxes)
                if on_batch is not None:
                    on_batch(count)
        _write(db, rows, boxes)
        if on_batch is not None:
            on_batch(count)
        loaded = BBox(box[0], box[2], box[1], box[3]) if box is not None else None
        db["osm_sources"].update(
            source_id,
            {
                "ways": count,
                "min_lat": loaded.min_lat if loaded else None,
                "min_lon": loaded.min_lon if loaded else None,
                "max_lat": loaded.max_lat if loaded else None,
                "max_lon": loaded.max_lon if loaded else None,
            },
        )
        _recount_sources(db)
    return OsmLoad(source_id, count, known, loaded, replaced)


def _write(db: Database, rows: list[tuple[Any, ...]], boxes: list[tuple[Any, ...]]) -> None:
    """Insert (or replace) a batch of ways and their boxes, then empty the batch."""
    if not rows:
        return
    db.conn.executemany(
        "insert or replace into osm_ways (id, source_id, surface, highway, polyline, points) "
        "values (?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.conn.executemany(
        "insert or replace into osm_ways_rtree (id, min_lat, max_lat, min_lon, max_lon) "
        "values (?, ?, ?, ?, ?)",
        boxes,
    )
    rows.clear()
    boxes.clear()


def _recount_sources(db: Database) -> None:
    """Each extract's count of the ways it still holds; extracts with none left are dropped."""
    db.execute(
        "update osm_sources set ways = "
        "(select count(*) from osm_ways where osm_ways.source_id = osm_sources.id)"
    )
    db.execute("delete from osm_sources where ways = 0")


def _delete_all(db: Database) -> None:
    db.execute("delete from osm_ways_rtree")
    db.execute("delete from osm_ways")
    db.execute("delete from osm_sources")


def clear(db: Database) -> BBox | None:
    """Forget every loaded way; the area they covered (None when there was none)."""
    with writing(db):
        cleared = area(db)
        _delete_all(db)
    return cleared


def has_ways(db: Database) -> bool:
    """Whether any way is stored."""
    return db.execute("select 1 from osm_ways limit 1").fetchone() is not None


def sources(db: Database) -> list[dict[str, Any]]:
    """The loaded extracts, oldest first."""
    return list(db.query("select * from osm_sources order by id"))


def area(db: Database) -> BBox | None:
    """The box around every loaded extract, or None."""
    row = db.execute(
        "select min(min_lat), min(min_lon), max(max_lat), max(max_lon) from osm_sources"
    ).fetchone()
    return BBox(*row) if row[0] is not None else None


def any_way_in(db: Database, box: BBox) -> bool:
    """Whether some way's box meets `box`."""
    return (
        db.execute(
            "select 1 from osm_ways_rtree where min_lat <= ? and max_lat >= ? "
            "and min_lon <= ? and max_lon >= ? limit 1",
            [box.max_lat, box.min_lat, box.max_lon, box.min_lon],
        ).fetchone()
        is not None
    )


def ways_in(db: Database, box: BBox) -> Iterator[tuple[int, str, list[tuple[float, float]]]]:
    """(osm_id, surface, points) of every way whose box meets `box`, by id."""
    cursor = db.conn.execute(
        "select w.id, w.surface, w.polyline from osm_ways_rtree r "
        "join osm_ways w on w.id = r.id "
        "where r.min_lat <= ? and r.max_lat >= ? and r.min_lon <= ? and r.max_lon >= ? "
        "order by w.id",
        [box.max_lat, box.min_lat, box.max_lon, box.min_lon],
    )
    for osm_id, surface, polyline in cursor:
        yield osm_id, surface, decode_polyline(polyline, POLYLINE_PRECISION)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
