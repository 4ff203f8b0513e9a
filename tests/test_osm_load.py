"""`runwear osm load`: tiny generated extracts, stored with an R*Tree, and runs split by them."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.geo import destination
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.osm_writer import SampleWay, write_osm, write_pbf
from runwear.samples.route import SampleRun
from runwear.store import memory_db
from runwear.store import osm as osm_store
from runwear.surfacing.geometry import BBox

START = (51.5007, -0.1246)
BEARING = 45.0
T0 = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)


def along(metres: float, offset_m: float = 0.0) -> tuple[float, float]:
    point = destination(*START, BEARING, metres)
    return destination(*point, BEARING - 90.0, offset_m) if offset_m else point


def line(first_m: float, last_m: float, offset_m: float = 0.0) -> list[tuple[float, float]]:
    return [along(first_m + (last_m - first_m) * k / 4, offset_m) for k in range(5)]


# On the run's line: paved footway 0-1000 m, untagged path 1000-1500 m, road 1500-2000 m; a
# main road 15 m beside the footway (the footway is nearer), and a grass path 30 m off (too far).
WAYS = [
    SampleWay({"highway": "footway", "surface": "paving_stones"}, line(0, 1000), osm_id=11),
    SampleWay({"highway": "path"}, line(1000, 1500), osm_id=12),
    SampleWay({"highway": "residential"}, line(1500, 2000), osm_id=13),
    SampleWay({"highway": "primary"}, line(0, 1000, 15.0), osm_id=14),
    SampleWay({"highway": "path", "surface": "grass"}, line(0, 2000, 30.0), osm_id=15),
    SampleWay({"building": "yes"}, line(0, 100, -5.0), osm_id=16),
]


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def import_run(run, tmp_path, day: int = 0, start: tuple[float, float] = START) -> None:
    sample = SampleRun(
        T0 + timedelta(days=day), 4000.0, 1200.0, lat=start[0], lon=start[1], step_s=5.0
    )
    path = tmp_path / f"run-{day}.fit"
    path.write_bytes(fit_activity_bytes([sample]))
    run("import", str(path))


def split(db_path, activity_id: int = 1) -> dict[str, tuple[float, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {
            surface: (metres, source)
            for surface, metres, source in conn.execute(
                "select surface, distance_m, source from activity_surfaces where activity_id = ?",
                [activity_id],
            )
        }


def expected_split(got: dict[str, tuple[float, str | None]]) -> None:
    """2 km paved footway (concrete), 1 km road (asphalt), 1 km path of unknown surface."""
    assert got["concrete"][0] == pytest.approx(2000.0, rel=0.01)
    assert got["asphalt"][0] == pytest.approx(1000.0, rel=0.01)
    assert got["unknown"][0] == pytest.approx(1000.0, rel=0.01)
    assert (got["concrete"][1], got["asphalt"][1], got["unknown"][1]) == ("osm", "osm", None)
    assert "grass" not in got


def test_load_then_runs_are_split_by_the_nearest_way(run, tmp_path, runwear_db):
    import_run(run, tmp_path)
    import_run(run, tmp_path, 1, destination(*START, 180.0, 1000.0))  # south of the area
    extract = write_osm(tmp_path / "area.osm", WAYS)
    out = run("osm", "load", str(extract), "--quiet").output
    assert out.startswith("Loaded 5 ways from area.osm in ")
    assert out.endswith(
        " s, 4 with a known surface. Runs in the area split again: 1 of 2 changed.\n"
    )
    expected_split(split(runwear_db))
    assert split(runwear_db, 2) == {"unknown": (4000.0, None)}
    with sqlite3.connect(runwear_db) as conn:
        assert conn.execute("select id, surface, highway from osm_ways order by id").fetchall() == [
            (11, "concrete", "footway"),
            (12, "unknown", "path"),
            (13, "asphalt", "residential"),
            (14, "asphalt", "primary"),
            (15, "grass", "path"),
        ]
        assert conn.execute("select count(*) from osm_ways_rtree").fetchone() == (5,)


def test_runs_imported_after_the_load_are_split_on_import(run, tmp_path, runwear_db):
    run("shoe", "add", "Pegasus", "--default", "--surface", "trail")
    run("osm", "load", str(write_osm(tmp_path / "area.osm", WAYS)), "-q")
    import_run(run, tmp_path)
    got = split(runwear_db)
    assert got["trail"] == (pytest.approx(1000.0, rel=0.01), "shoe")  # the path: shoe's surface
    assert got["concrete"][0] == pytest.approx(2000.0, rel=0.01)


def test_places_come_before_openstreetmap(run, tmp_path, runwear_db):
    run("osm", "load", str(write_osm(tmp_path / "area.osm", WAYS)), "-q")
    centre = along(500.0)
    run(
        "place",
        "add",
        "Plaza",
        "--surface",
        "grass",
        "--center",
        f"{centre[0]},{centre[1]}",
        "--radius",
        "100m",
    )
    import_run(run, tmp_path)
    got = split(runwear_db)
    assert got["grass"] == (pytest.approx(400.0, rel=0.01), "place")
    assert got["concrete"][0] == pytest.approx(1600.0, rel=0.01)


def test_loading_again_and_replacing(run, tmp_path, runwear_db):
    import_run(run, tmp_path)
    extract = write_osm(tmp_path / "area.osm", WAYS)
    run("osm", "load", str(extract), "-q")
    again = run("osm", "load", str(extract)).output
    assert again.startswith("Already loaded: area.osm has the same bytes as ")
    assert again.endswith("Nothing to do.\n")
    # An updated extract: the footway is gone, the path got a surface.
    newer = [WAYS[1], WAYS[2]]
    newer[0] = SampleWay({"highway": "path", "surface": "gravel"}, WAYS[1].points, osm_id=12)
    updated = write_osm(tmp_path / "newer.osm", newer)
    run("osm", "load", str(updated), "-q")  # merged: the old footway is still there
    got = split(runwear_db)
    assert got["gravel"][0] == pytest.approx(1000.0, rel=0.01)
    assert got["concrete"][0] == pytest.approx(2000.0, rel=0.01)
    listed = json.loads(run("osm", "list", "--json").output)
    assert [(r["path"].rsplit("/", 1)[-1], r["ways"]) for r in listed] == [
        ("area.osm", 3),
        ("newer.osm", 2),
    ]
    run("osm", "load", str(updated), "--replace", "-q")  # only the newer extract's ways now
    got = split(runwear_db)
    assert "concrete" not in got
    assert got["asphalt"][0] == pytest.approx(1000.0, rel=0.01)
    assert [r["ways"] for r in json.loads(run("osm", "list", "--json").output)] == [2]
    cleared = run("osm", "clear").output
    assert cleared == "Forgot 2 OpenStreetMap ways. Runs in the area split again: 1 of 1 changed.\n"
    assert split(runwear_db) == {"unknown": (4000.0, None)}
    assert run("osm", "list").output.startswith("No OpenStreetMap data yet.")


def test_osm_list_table(run, tmp_path):
    run("osm", "load", str(write_osm(tmp_path / "area.osm", WAYS)), "-q")
    lines = run("osm", "list").output.splitlines()
    assert lines[0].split() == ["extract", "ways", "MB", "loaded", "area"]
    assert lines[2].startswith("area.osm     5  0.0  ")


def test_pbf_loads_like_xml(run, tmp_path, runwear_db):
    pytest.importorskip("osmium", reason="pyosmium (the osm extra) is not installed")
    import_run(run, tmp_path)
    run("osm", "load", str(write_pbf(tmp_path / "area.osm.pbf", WAYS)), "-q")
    expected_split(split(runwear_db))


def test_pbf_without_the_extra_says_how_to_install_it(run, tmp_path, monkeypatch):
    path = tmp_path / "area.osm.pbf"
    path.write_bytes(b"\x00" * 16)
    monkeypatch.setitem(sys.modules, "osmium", None)
    result = run("osm", "load", str(path), code=1)
    assert result.output == (
        "Error: reading .osm.pbf needs the osm extra. Install it with: pip install 'runwear[osm]'\n"
    )


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("area.osm", b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY x "y">]><osm/>', "DOCTYPE"),
        ("area.osm", b"<osm><node id='1' lat='51' lon='0'/>", "not valid OpenStreetMap XML"),
        ("area.geojson", b"{}", "not an OpenStreetMap extract: area.geojson"),
    ],
)
def test_a_bad_extract_is_one_line_and_loads_nothing(run, tmp_path, runwear_db, name, data, why):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("osm", "load", str(path), code=1)
    assert result.output.startswith(f"Error: cannot load the extract ({path}): ")
    assert why in result.output
    assert len(result.output.splitlines()) == 1
    if runwear_db.exists():  # else refused before the database was opened
        with sqlite3.connect(runwear_db) as conn:
            assert conn.execute("select count(*) from osm_sources").fetchone() == (0,)
            assert conn.execute("select count(*) from osm_ways").fetchone() == (0,)


def test_a_load_that_fails_halfway_stores_nothing(tmp_path):
    """Ways read before the extract turns out broken are rolled back with the rest."""
    from runwear.ingest.model import IngestError
    from runwear.ingest.osm import OsmWay

    def broken():
        yield OsmWay(1, "asphalt", "residential", (START, along(100.0)))
        raise IngestError("not valid OpenStreetMap XML (line 9: mismatched tag)")

    db = memory_db()
    with pytest.raises(IngestError):
        osm_store.load_ways(db, broken(), path="x.osm", sha256="x", size_bytes=1)
    assert db["osm_ways"].count == 0
    assert db["osm_sources"].count == 0
    assert not osm_store.has_ways(db)


def test_ways_in_reads_the_rtree(tmp_path):
    from runwear.ingest.osm import iter_osm_ways

    db = memory_db()
    extract = write_osm(tmp_path / "area.osm", WAYS)
    loaded = osm_store.load_ways(
        db, iter_osm_ways(extract), path="a.osm", sha256="a", size_bytes=1, on_batch=None
    )
    assert (loaded.ways, loaded.known) == (5, 4)
    near_start = BBox(*START, *START).expanded(20.0)
    assert [osm_id for osm_id, _, _ in osm_store.ways_in(db, near_start)] == [11, 14]
    far = BBox(*destination(*START, 180.0, 5000.0), *destination(*START, 180.0, 5000.0))
    assert list(osm_store.ways_in(db, far)) == []
    assert osm_store.any_way_in(db, near_start) and not osm_store.any_way_in(db, far)
    [(_, surface, points)] = [w for w in osm_store.ways_in(db, near_start) if w[0] == 11]
    assert surface == "concrete"
    assert points[0] == pytest.approx(START, abs=1e-6)
