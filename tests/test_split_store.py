"""Runs split by surface in the database: on import, again when places change, and in what order
the sources win. Runs are out-and-backs (runwear.samples.route.SampleRun) from START along
BEARING: a place on their line is crossed twice."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlite_utils import Database

from runwear.geo import destination, encode_polyline
from runwear.importing import ImportOptions, ImportRun, Tagging
from runwear.ingest.model import Activity
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun
from runwear.store import memory_db, open_db
from runwear.store import places as place_store
from runwear.store.activities import add_activity, set_surface
from runwear.store.migrations import migrations
from runwear.store.shoes import add_shoe
from runwear.store.surfaces import Surfacer, resplit, runs_in_area, write_split
from runwear.surfacing.geometry import BBox, Circle, Corridor
from runwear.surfacing.split import SurfacePart, TiledWayIndex, WayIndex, split_track

START = (51.5007, -0.1246)
BEARING = 45.0
T0 = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)


def along(metres: float) -> tuple[float, float]:
    return destination(*START, BEARING, metres)


def beside(metres: float, offset_m: float) -> tuple[float, float]:
    return destination(*along(metres), BEARING - 90.0, offset_m)


def sample(day: int = 0, distance_m: float = 4000.0, **kwargs) -> SampleRun:
    return SampleRun(T0 + timedelta(days=day), distance_m, distance_m * 0.3, step_s=5.0, **kwargs)


def import_files(db: Database, tmp_path, *runs: SampleRun, fmt: str = "fit", **tagging) -> None:
    folder = tmp_path / f"files-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    for i, run in enumerate(runs):
        data = fit_activity_bytes([run]) if fmt == "fit" else gpx_bytes([run])
        (folder / f"{i}.{fmt}").write_bytes(data)
    options = ImportOptions(tagging=Tagging(**tagging), jobs=1)
    results = list(ImportRun(db, [folder], options).results())
    assert all(r.status == "imported" for r in results), results


def split_of(db: Database, activity_id: int = 1) -> dict[str, tuple[float, str | None]]:
    return {
        row["surface"]: (row["distance_m"], row["source"])
        for row in db.query("select * from activity_surfaces where activity_id = ?", [activity_id])
    }


def km(db: Database, activity_id: int = 1) -> dict[str, float]:
    return {surface: metres for surface, (metres, _) in split_of(db, activity_id).items()}


def dominant(db: Database, activity_id: int = 1) -> tuple[str, str | None]:
    row = db.execute(
        "select surface, surface_source from activities where id = ?", [activity_id]
    ).fetchone()
    return row[0], row[1]


def add_circle(db: Database, name: str, surface: str, centre, radius_m: float) -> int:
    with db.conn:
        return place_store.add_place(db, name, surface, Circle(*centre, radius_m))


# -- on import -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["fit", "gpx"])
def test_a_run_through_a_stadium_is_split_on_import(tmp_path, fmt):
    """250 m circle 1 km out: 500 m on track each way, 3 km on the shoe's concrete."""
    db = memory_db()
    add_shoe(db, "Pegasus", is_default=1, surface="concrete")
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    import_files(db, tmp_path, sample(), fmt=fmt)
    got = split_of(db)
    assert got["track"][0] == pytest.approx(1000.0, rel=0.01)
    assert got["track"][1] == "place"
    assert got["concrete"][0] == pytest.approx(3000.0, rel=0.01)
    assert got["concrete"][1] == "shoe"
    [distance_m] = db.execute("select distance_m from activities").fetchone()
    assert distance_m == pytest.approx(4000.0, rel=0.001)
    assert math.fsum(m for m, _ in got.values()) == distance_m
    assert dominant(db) == ("concrete", "shoe")
    track = db["activity_tracks"].get(1)
    assert track["min_lat"] == pytest.approx(START[0], abs=1e-4)
    assert track["max_lat"] == pytest.approx(along(2000.0)[0], abs=1e-4)


def test_a_corridor_along_the_run_and_an_off_centre_chord(tmp_path):
    """Corridor 500-1500 m (20 m wide): 1020 m each way; a 250 m circle 150 m off the line
    at 3 km: a 400 m chord each way. Out-and-back of 8 km."""
    db = memory_db()
    with db.conn:
        place_store.add_place(
            db, "Riverside", "trail", Corridor((along(500.0), along(1500.0)), 20.0)
        )
    add_circle(db, "Park", "grass", beside(3000.0, 150.0), 250.0)
    import_files(db, tmp_path, sample(distance_m=8000.0))
    got = km(db)
    assert got["trail"] == pytest.approx(2040.0, rel=0.01)
    assert got["grass"] == pytest.approx(800.0, rel=0.01)
    assert got["unknown"] == pytest.approx(8000.0 - 2040.0 - 800.0, rel=0.01)
    assert split_of(db)["unknown"][1] is None


def test_without_places_a_run_is_not_walked(tmp_path, monkeypatch):
    """No place, no OpenStreetMap data: the whole run is its fallback, the track untouched."""
    import runwear.surfacing.split as split_module

    tracks = []
    real = split_module.split_track

    def watched(track, *args, **kwargs):
        tracks.append(len(track))
        return real(track, *args, **kwargs)

    monkeypatch.setattr(split_module, "split_track", watched)
    db = memory_db()
    add_shoe(db, "Pegasus", is_default=1, surface="asphalt")
    import_files(db, tmp_path, sample())
    assert split_of(db) == {"asphalt": (4000.0, "shoe")}
    assert tracks == [0]  # whole: the fallback, without a walk along the track


def test_places_elsewhere_leave_a_run_whole(tmp_path):
    db = memory_db()
    add_circle(db, "Far away", "sand", destination(*START, 180.0, 20_000.0), 300.0)
    import_files(db, tmp_path, sample(sub_sport="trail"))
    assert split_of(db) == {"trail": (4000.0, "device")}


# -- which source wins -----------------------------------------------------------------------


def test_a_trail_run_is_split_by_places_and_trail_elsewhere(tmp_path):
    """An outdoor trail run: places still split it; the watch's trail is the fallback."""
    db = memory_db()
    add_shoe(db, "Speedgoat", default_for="trail", surface="gravel")
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    import_files(db, tmp_path, sample(sub_sport="trail"))
    got = split_of(db)
    assert got["trail"][1] == "device"
    assert got["trail"][0] == pytest.approx(3000.0, rel=0.01)
    assert got["track"][0] == pytest.approx(1000.0, rel=0.01)
    assert "gravel" not in got  # the trail sub-sport comes before the shoe's usual surface


@pytest.mark.parametrize(
    ("sub_sport", "surface"),
    [("treadmill", "treadmill"), ("indoor_running", "track"), ("virtual_activity", "treadmill")],
)
def test_an_indoor_run_is_its_device_surface_whatever_the_places(tmp_path, sub_sport, surface):
    db = memory_db()
    add_circle(db, "Everywhere", "grass", START, 5000.0)
    import_files(db, tmp_path, sample(sub_sport=sub_sport))
    assert split_of(db) == {surface: (4000.0, "device")}


def test_a_manual_surface_on_import_wins_over_places(tmp_path):
    db = memory_db()
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    import_files(db, tmp_path, sample(sub_sport="treadmill"), surface="sand")
    assert split_of(db) == {"sand": (4000.0, "manual")}
    assert dominant(db) == ("sand", "manual")


# -- splitting stored runs again --------------------------------------------------------------


def test_adding_changing_and_removing_a_place_resplits(tmp_path):
    db = memory_db()
    add_shoe(db, "Pegasus", is_default=1, surface="concrete")
    import_files(db, tmp_path, sample(), sample(1, bearing_deg=225.0))  # the second goes away
    assert split_of(db) == {"concrete": (4000.0, "shoe")}
    place_id = add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    box = Circle(*along(1000.0), 250.0).bbox
    assert runs_in_area(db, box) == [1]
    done = resplit(db, runs_in_area(db, box))
    assert (done.runs, done.changed) == (1, 1)
    assert km(db)["track"] == pytest.approx(1000.0, rel=0.01)
    assert split_of(db, 2) == {"concrete": (4000.0, "shoe")}

    with db.conn:  # a smaller stadium, now grass
        place_store.update_place(db, place_id, surface="grass", shape=Circle(*along(1000.0), 100.0))
    assert resplit(db, [1]).changed == 1
    assert km(db) == {
        "concrete": pytest.approx(3600.0, rel=0.01),
        "grass": pytest.approx(400.0, rel=0.01),
    }
    assert resplit(db, [1]).changed == 0  # nothing moved: nothing written

    with db.conn:
        place_store.remove_place(db, place_id)
    resplit(db, [1])
    assert split_of(db) == {"concrete": (4000.0, "shoe")}


def test_resplit_leaves_manual_surfaces_alone_unless_asked(tmp_path):
    db = memory_db()
    import_files(db, tmp_path, sample())
    set_surface(db, [1], "sand")
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    assert resplit(db, [1]).runs == 0
    assert split_of(db) == {"sand": (4000.0, "manual")}
    resplit(db, [1], drop_manual=True)
    assert km(db)["track"] == pytest.approx(1000.0, rel=0.01)
    assert dominant(db) == ("unknown", None)


def test_a_run_without_a_track_keeps_its_fallback():
    db = memory_db()
    shoe = add_shoe(db, "Pegasus", surface="asphalt")
    with db.conn:
        activity_id = add_activity(
            db,
            Activity(T0, "running", "generic", 5000.0),
            source_id=None,
            session_index=0,
            fmt="strava",
            shoe_id=shoe,
            shoe_source="export",
            surface="unknown",
            surface_source=None,
        )
    add_circle(db, "Everywhere", "grass", START, 50_000.0)
    resplit(db, [activity_id])
    assert split_of(db, activity_id) == {"asphalt": (5000.0, "shoe")}


def test_an_export_hint_stays_an_export_hint(tmp_path):
    """A trail run by the export's word keeps source "export" on its trail parts."""
    db = memory_db()
    import_files(db, tmp_path, sample())
    db.execute("update activities set sub_sport = 'trail' where id = 1")
    with db.conn:
        write_split(
            db, 1, Surfacer(db).split(4000.0, [], sub_sport="trail", shoe_id=None, hinted=True)
        )
    assert split_of(db) == {"trail": (4000.0, "export")}
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    resplit(db, [1])
    assert split_of(db)["trail"][1] == "export"
    assert split_of(db)["track"][1] == "place"


def test_parts_sum_exactly_to_the_distance_after_resplit(tmp_path):
    db = memory_db()
    import_files(
        db, tmp_path, *(sample(d, 3000.0 + 777.7 * d, bearing_deg=30 * d) for d in range(6))
    )
    for k in range(5):
        add_circle(
            db, f"p{k}", ("grass", "track", "sand")[k % 3], beside(400.0 * k, 60.0), 90.0 + 40 * k
        )
    resplit(db, range(1, 7))
    rows = db.execute(
        "select a.distance_m, sum(s.distance_m) from activities a "
        "join activity_surfaces s on s.activity_id = a.id group by a.id"
    ).fetchall()
    assert len(rows) == 6
    assert all(total == distance for distance, total in rows)


# -- OpenStreetMap from the database, tile by tile -------------------------------------------


def test_tiled_index_answers_as_the_in_memory_index():
    """Random ways over 3 km; every answer of the tiled index is the in-memory index's."""
    rng = random.Random(3)
    ways = []
    for osm_id in range(1, 400):
        a = destination(*START, rng.uniform(0, 360), rng.uniform(0, 3000))
        points = [a]
        for _ in range(rng.randint(1, 6)):
            points.append(destination(*points[-1], rng.uniform(0, 360), rng.uniform(5, 300)))
        ways.append((osm_id, rng.choice(["asphalt", "grass", "unknown", "gravel"]), points))

    def fetch(box: BBox):
        for osm_id, surface, points in ways:
            if BBox.around(points).intersects(box):
                yield osm_id, surface, points

    memory = WayIndex()
    for osm_id, surface, points in ways:
        memory.add(osm_id, surface, points)
    tiled = TiledWayIndex(fetch, tile_deg=0.005, max_segments=500)  # evicts as it goes
    for _ in range(3000):
        point = destination(*START, rng.uniform(0, 360), rng.uniform(0, 3200))
        expected = memory.way_at(*point)
        got = tiled.way_at(*point)
        if expected is None:
            assert got is None
        else:
            assert got is not None
            assert got[2] == pytest.approx(expected[2], abs=1e-9)
            assert got[1] == expected[1] or got[2] == pytest.approx(expected[2], abs=1e-6)
    assert tiled.cached_segments <= 500 + max(1, tiled.cached_segments)
    assert tiled.tiles_loaded > 1


def test_tiled_index_splits_like_the_in_memory_one():
    line = [along(float(d)) for d in range(0, 2001, 100)]
    ways = [(7, "grass", line[:8]), (8, "asphalt", line[7:])]
    memory = WayIndex()
    for way in ways:
        memory.add(*way)
    tiled = TiledWayIndex(lambda box: iter(ways))
    track = [(p.lat, p.lon) for p in sample().points()]
    assert split_track(track, 4000.0, [tiled]) == split_track(track, 4000.0, [memory])


# -- the migration ----------------------------------------------------------------------------


def test_m003_migrates_an_older_database_without_loss(tmp_path):
    path = tmp_path / "runwear.db"
    old = Database(path)
    migrations.apply(old, stop_before="m003_surfaces")
    assert "source" not in old["activity_surfaces"].columns_dict
    source = (
        old["sources"]
        .insert(
            {
                "sha256": "x",
                "path": "a.fit",
                "format": "fit",
                "outcome": "imported",
                "imported_at": "2026-06-01T08:00:00Z",
            }
        )
        .last_pk
    )
    activity = (
        old["activities"]
        .insert(
            {
                "source_id": source,
                "session_index": 0,
                "started_at": "2026-06-01T07:00:00Z",
                "sport": "running",
                "sub_sport": "trail",
                "distance_m": 4000.0,
                "surface": "trail",
                "surface_source": "device",
                "imported_at": "2026-06-01T08:00:00Z",
            }
        )
        .last_pk
    )
    old["activity_surfaces"].insert(
        {"activity_id": activity, "surface": "trail", "distance_m": 4000.0}
    )
    track = [(p.lat, p.lon) for p in sample().points()]
    old["activity_tracks"].insert(
        {"activity_id": activity, "polyline": encode_polyline(track), "points": len(track)}
    )
    old.close()

    db = open_db(path)
    assert "m003_surfaces" in [m.name for m in migrations.applied(db)]  # and any later one
    assert split_of(db, activity) == {"trail": (4000.0, "device")}
    box = db["activity_tracks"].get(activity)
    assert (box["min_lat"], box["min_lon"]) == pytest.approx(START, abs=1e-5)
    assert (box["max_lat"], box["max_lon"]) == pytest.approx(along(2000.0), abs=1e-5)
    assert set(db.table_names()) >= {"places", "rules", "osm_sources", "osm_ways", "osm_ways_rtree"}
    fks = {(fk.column, fk.other_table) for fk in db["rules"].foreign_keys}
    assert fks == {("starts_in_place_id", "places"), ("shoe_id", "shoes")}
    assert {(fk.column, fk.other_table) for fk in db["osm_ways"].foreign_keys} == {
        ("source_id", "osm_sources")
    }
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    resplit(db, runs_in_area(db, Circle(*along(1000.0), 250.0).bbox))
    assert km(db, activity)["track"] == pytest.approx(1000.0, rel=0.01)


def test_surface_sources_view_agrees(tmp_path):
    db = memory_db()
    add_shoe(db, "Pegasus", is_default=1, surface="concrete")
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    import_files(db, tmp_path, sample(), sample(1, bearing_deg=225.0))
    rows = {
        (r["source"], r["surface"]): (r["distance_m"], r["runs"])
        for r in db["surface_sources"].rows
    }
    assert set(rows) == {("shoe", "concrete"), ("place", "track")}
    assert rows[("shoe", "concrete")][0] == pytest.approx(7000.0, rel=0.01)
    assert rows[("shoe", "concrete")][1] == 2
    assert SurfacePart  # the parts' type is what the store writes


def test_a_resplit_decodes_only_the_tracks_a_place_or_way_may_reach(tmp_path, monkeypatch):
    """Runs whose stored box no place meets are their fallback whole without decoding; the
    run next to the place is decoded and split, as before."""
    import runwear.store.surfaces as surfaces_module

    db = memory_db()
    add_shoe(db, "Pegasus", is_default=1, surface="asphalt")
    import_files(db, tmp_path, sample(0), sample(1), sample(2))
    add_circle(db, "Stadium", "track", along(1000.0), 250.0)
    far = destination(*START, 180.0, 30_000.0)
    add_circle(db, "Far away", "grass", far, 250.0)
    decoded = []
    real = surfaces_module.decode_polyline

    def watched(polyline):
        decoded.append(polyline)
        return real(polyline)

    monkeypatch.setattr(surfaces_module, "decode_polyline", watched)
    db.execute(
        "update activity_tracks set min_lat = min_lat - 1, max_lat = min_lat - 0.99 "
        "where activity_id in (2, 3)"
    )  # their stored boxes now lie a degree south of the stadium
    done = resplit(db, [1, 2, 3])
    assert len(decoded) == 1  # run 1 only
    assert done.runs == 3
    assert split_of(db, 1)["track"][0] == pytest.approx(1000.0, rel=0.01)
    assert split_of(db, 2) == {"asphalt": (4000.0, "shoe")}
