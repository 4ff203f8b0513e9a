"""Reading OpenStreetMap extracts: tags mapped to surfaces, ways kept or left out, bad files."""

from __future__ import annotations

import bz2
import gzip
import sys
import tracemalloc
from pathlib import Path

import pytest

from runwear.geo import destination
from runwear.ingest.model import IngestError
from runwear.ingest.osm import (
    HIGHWAY_SURFACES,
    OSM_SURFACES,
    OsmWay,
    iter_osm_ways,
    osm_surface,
    way_surface,
)
from runwear.samples.osm_writer import SampleWay, osm_bytes, street_grid, write_osm, write_pbf
from runwear.vocab import SURFACES

START = (51.5007, -0.1246)


def line(metres: float = 100.0, bearing: float = 90.0) -> list[tuple[float, float]]:
    return [START, destination(*START, bearing, metres / 2), destination(*START, bearing, metres)]


def flat(points) -> list[float]:
    return [value for point in points for value in point]


# -- tags to surfaces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "surface"),
    [
        ({"highway": "footway", "surface": "concrete"}, "concrete"),
        ({"highway": "footway", "surface": "concrete:plates"}, "concrete"),
        ({"highway": "footway", "surface": "paving_stones"}, "concrete"),
        ({"highway": "footway", "surface": "paving_stones:30"}, "concrete"),
        ({"highway": "residential", "surface": "asphalt"}, "asphalt"),
        ({"leisure": "track", "surface": "tartan"}, "track"),
        ({"leisure": "track"}, "track"),
        ({"leisure": "track", "sport": "athletics"}, "track"),
        ({"leisure": "track", "sport": "horse_racing"}, "unknown"),
        ({"leisure": "track", "sport": "horse_racing", "surface": "sand"}, "sand"),
        ({"leisure": "track", "surface": "dirt"}, "trail"),
        ({"highway": "path", "surface": "grass"}, "grass"),
        ({"highway": "path", "surface": "gravel"}, "gravel"),
        ({"highway": "path", "surface": "fine_gravel"}, "gravel"),
        ({"highway": "track", "surface": "compacted"}, "gravel"),
        ({"highway": "path", "surface": "dirt"}, "trail"),
        ({"highway": "path", "surface": "earth"}, "trail"),
        ({"highway": "path", "surface": "ground"}, "trail"),
        ({"highway": "path", "surface": "mud"}, "trail"),
        ({"highway": "path", "surface": "woodchips"}, "trail"),
        ({"highway": "path", "surface": "sand"}, "sand"),
        ({"highway": "path", "surface": "Asphalt;Concrete"}, "asphalt"),
        ({"highway": "path", "surface": "wood"}, "unknown"),
        ({"highway": "residential", "surface": "metal"}, "unknown"),
        ({"highway": "footway"}, "unknown"),
        ({"highway": "path"}, "unknown"),
        ({"highway": "cycleway"}, "unknown"),
        ({"highway": "steps"}, "unknown"),
        ({"highway": "track"}, "unknown"),
        ({"highway": "track", "tracktype": "grade1"}, "asphalt"),
        ({"highway": "track", "tracktype": "grade2"}, "gravel"),
        ({"highway": "track", "tracktype": "grade4"}, "trail"),
        ({"highway": "residential"}, "asphalt"),
        ({"highway": "primary"}, "asphalt"),
        ({"highway": "service"}, "asphalt"),
        ({"highway": "living_street"}, "asphalt"),
        ({"highway": "something_new"}, "unknown"),
        ({"amenity": "parking", "surface": "asphalt"}, "asphalt"),
        ({"highway": "construction", "surface": "asphalt"}, "asphalt"),
    ],
)
def test_way_surface(tags, surface):
    assert way_surface(tags) == surface


@pytest.mark.parametrize(
    "tags",
    [
        {},
        {"building": "yes"},
        {"landuse": "grass"},
        {"leisure": "park"},
        {"highway": "proposed"},
        {"highway": "construction"},
        {"highway": "abandoned"},
    ],
)
def test_ways_not_kept(tags):
    assert way_surface(tags) is None


def test_mapping_tables_name_runwear_surfaces():
    assert set(OSM_SURFACES.values()) <= set(SURFACES)
    assert set(HIGHWAY_SURFACES.values()) <= set(SURFACES)
    assert osm_surface(" Fine_Gravel ") == "gravel"


# -- reading .osm XML ------------------------------------------------------------------------


def test_ways_are_read_with_their_points(tmp_path):
    ways = [
        SampleWay({"highway": "residential", "name": "High Street"}, line(), osm_id=101),
        SampleWay({"building": "yes"}, line(50.0, 0.0), osm_id=102),
        SampleWay({"highway": "footway", "surface": "grass"}, line(80.0, 180.0), osm_id=103),
        SampleWay({"leisure": "track"}, line(60.0, 270.0), osm_id=104),
        SampleWay({"highway": "proposed"}, line(70.0, 45.0), osm_id=105),
    ]
    path = write_osm(tmp_path / "area.osm", ways)
    got = list(iter_osm_ways(path))
    assert [(w.osm_id, w.surface, w.highway) for w in got] == [
        (101, "asphalt", "residential"),
        (103, "grass", "footway"),
        (104, "track", None),
    ]
    assert flat(got[0].points) == pytest.approx(flat(line()), abs=1e-7)
    assert flat(got[2].points) == pytest.approx(flat(line(60.0, 270.0)), abs=1e-7)
    assert isinstance(got[0], OsmWay)


def test_a_street_grid_shares_its_corners(tmp_path):
    path = write_osm(tmp_path / "grid.osm", street_grid(*START, rows=3, cols=4, spacing_m=100.0))
    text = path.read_text()
    assert text.count("<node ") == 12
    assert text.count("<way ") == 7
    got = list(iter_osm_ways(path))
    assert len(got) == 7
    assert {w.surface for w in got} == {"asphalt"}
    assert got[0].points[0] == got[3].points[0]  # row 0 and column 0 meet at the corner


def _xml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n{body}\n</osm>\n'.encode()


NODES = """
  <node id="1" lat="51.5" lon="-0.12"/>
  <node id="2" lat="51.501" lon="-0.12"/>
  <node id="3" lat="51.502" lon="-0.12"/>
"""


def test_missing_nodes_are_left_out(tmp_path):
    """A way clipped at the extract's edge keeps the nodes the file has."""
    body = (
        NODES
        + """
  <way id="7"><nd ref="1"/><nd ref="99"/><nd ref="3"/><tag k="highway" v="path"/></way>
  <way id="8"><nd ref="2"/><nd ref="98"/><tag k="highway" v="path"/></way>
"""
    )
    path = tmp_path / "clipped.osm"
    path.write_bytes(_xml(body))
    got = list(iter_osm_ways(path))
    assert got == [OsmWay(7, "unknown", "path", ((51.5, -0.12), (51.502, -0.12)))]


def test_nodes_out_of_id_order_are_found(tmp_path):
    body = """
  <node id="30" lat="51.502" lon="-0.12"/>
  <node id="10" lat="51.5" lon="-0.12"/>
  <node id="20" lat="51.501" lon="-0.12"/>
  <way id="1"><nd ref="10"/><nd ref="20"/><nd ref="30"/><tag k="highway" v="primary"/></way>
"""
    path = tmp_path / "unsorted.osm"
    path.write_bytes(_xml(body))
    (way,) = iter_osm_ways(path)
    assert way.points == ((51.5, -0.12), (51.501, -0.12), (51.502, -0.12))


def test_deleted_objects_are_skipped(tmp_path):
    """JOSM keeps deleted objects in its files, marked action="delete"."""
    body = (
        NODES
        + """
  <node id="4" action="delete" lat="51.503" lon="-0.12"/>
  <way id="1" action="delete"><nd ref="1"/><nd ref="2"/><tag k="highway" v="path"/></way>
  <way id="2"><nd ref="2"/><nd ref="3"/><nd ref="4"/><tag k="highway" v="path"/></way>
  <relation id="5"><member type="way" ref="2" role=""/><tag k="type" v="route"/></relation>
"""
    )
    path = tmp_path / "josm.osm"
    path.write_bytes(_xml(body))
    got = list(iter_osm_ways(path))
    assert [(w.osm_id, len(w.points)) for w in got] == [(2, 2)]


def test_compressed_xml(tmp_path):
    data = osm_bytes([SampleWay({"highway": "footway", "surface": "sand"}, line())])
    for name, pack in (("area.osm.gz", gzip.compress), ("area.osm.bz2", bz2.compress)):
        path = tmp_path / name
        path.write_bytes(pack(data))
        assert [w.surface for w in iter_osm_ways(path)] == ["sand"]


def test_progress_reports_bytes_read(tmp_path):
    ways = street_grid(*START, rows=100, cols=100, spacing_m=20.0)
    path = write_osm(tmp_path / "big.osm", ways)
    seen: list[int] = []
    assert len(list(iter_osm_ways(path, progress=seen.append))) == 200
    assert seen[0] == 0
    assert seen[-1] == path.stat().st_size
    assert len(seen) > 2
    assert seen == sorted(seen)


def test_memory_stays_bounded(tmp_path):
    """Elements are cleared as read: what grows is 16 bytes a node (measured: 0.94 MB here)."""
    ways = street_grid(*START, rows=150, cols=150, spacing_m=20.0)
    path = write_osm(tmp_path / "dense.osm", ways)
    nodes = 150 * 150  # in a 2.5 MB file, with 300 ways of 150 nodes
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_osm_ways(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 300
    assert peak < 600_000 + 24 * nodes


# -- files runwear refuses -------------------------------------------------------------------


def _refused(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        list(iter_osm_ways(path))
    return str(caught.value)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE osm [<!ENTITY lol "lol">]>',
        '<!DOCTYPE osm SYSTEM "file:///etc/passwd">',
        "<!DOCTYPE osm>",
        "<!-- a comment first --><!doctype osm [<!ENTITY x SYSTEM 'http://example.com/x'>]>",
    ],
)
def test_a_doctype_is_refused(tmp_path, doctype):
    data = f'<?xml version="1.0"?>\n{doctype}\n<osm version="0.6">{NODES}</osm>'.encode()
    path = tmp_path / "hostile.osm"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=r"declares a DOCTYPE .* Refusing to read it"):
        iter_osm_ways(path)  # refused on the call, before any parsing


def test_broken_xml_names_the_line(tmp_path):
    data = _xml(NODES + '  <way id="1"><nd ref="1"/>\n  <tag k="highway" v="path">\n</way>')
    message = _refused(tmp_path, "broken.osm", data)
    assert message.startswith("not valid OpenStreetMap XML (line ")
    assert message.endswith("Download or export the extract again")


def test_a_truncated_file_is_refused(tmp_path):
    data = _xml(NODES)[:-20]
    assert _refused(tmp_path, "cut.osm", data).startswith("not valid OpenStreetMap XML (line ")


def test_a_node_without_an_id_is_refused(tmp_path):
    message = _refused(tmp_path, "noid.osm", _xml('<node lat="51.5" lon="-0.12"/>'))
    assert message.startswith("a node or way in the extract is malformed")


def test_nodes_after_ways_are_refused(tmp_path):
    body = NODES + '<way id="1"><nd ref="1"/><nd ref="2"/></way><node id="9" lat="1" lon="1"/>'
    message = _refused(tmp_path, "late.osm", _xml(body))
    assert message == (
        "the file lists nodes after ways (not sorted). Sort it with "
        "`osmium sort FILE -o sorted.osm.pbf` and load that"
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.osm", b"  \n", "the file is empty. Download or export the extract again"),
        (
            "gpx.osm",
            b'<?xml version="1.0"?><gpx version="1.1"></gpx>',
            "not OpenStreetMap XML: the root element is <gpx>, not <osm>. "
            "Download or export the extract again",
        ),
        (
            "diff.osm",
            b'<osmChange version="0.6"><create/></osmChange>',
            "not OpenStreetMap XML: the root element is <osmChange>, not <osm> (an osmChange "
            "diff, not an extract). Download or export the extract again",
        ),
        (
            "json.osm",
            b'{"elements": []}',
            "not XML: the file does not start with '<'. Download or export the extract again",
        ),
        (
            "renamed.osm",
            b"\x00\x00\x00\x0e\n\tOSMHeader\x18\x7c",
            "this is an .osm.pbf file under an XML name. Rename it to end in .osm.pbf",
        ),
    ],
)
def test_not_openstreetmap_xml(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        iter_osm_ways(path)
    assert str(caught.value) == message


def test_an_unsupported_file_type(tmp_path):
    path = tmp_path / "area.geojson"
    path.write_text("{}")
    with pytest.raises(IngestError, match=r"^not an OpenStreetMap extract: area.geojson \("):
        iter_osm_ways(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(IngestError, match=r"^no such file: .*nowhere\.osm\. Check the path"):
        iter_osm_ways(tmp_path / "nowhere.osm")


def test_a_damaged_gzip(tmp_path):
    data = gzip.compress(_xml(NODES))
    message = _refused(tmp_path, "bad.osm.gz", data[:30] + b"\xff" * 40)
    assert message.startswith("the compressed file is damaged (")


# -- .osm.pbf with pyosmium ------------------------------------------------------------------


def test_pbf_without_the_osm_extra(tmp_path, monkeypatch):
    path = tmp_path / "area.osm.pbf"
    path.write_bytes(b"\x00")
    monkeypatch.setitem(sys.modules, "osmium", None)  # makes `import osmium` fail
    with pytest.raises(IngestError) as caught:
        iter_osm_ways(path)
    assert str(caught.value) == (
        "reading .osm.pbf needs the osm extra. Install it with: pip install 'runwear[osm]'"
    )


def test_pbf_reads_like_xml(tmp_path):
    pytest.importorskip("osmium", reason="pyosmium (the osm extra) is not installed")
    ways = street_grid(
        *START,
        rows=3,
        cols=3,
        spacing_m=100.0,
        tags_for=lambda kind, i: (
            {"highway": "path", "surface": "dirt"} if kind == "col" else {"highway": "primary"}
        ),
    )
    ways.append(SampleWay({"building": "yes"}, line(30.0, 200.0)))
    ways.append(SampleWay({"leisure": "track"}, line(40.0, 300.0)))
    from_xml = list(iter_osm_ways(write_osm(tmp_path / "area.osm", ways)))
    seen: list[int] = []
    pbf = write_pbf(tmp_path / "area.osm.pbf", ways)
    from_pbf = list(iter_osm_ways(pbf, progress=seen.append))
    assert [(w.osm_id, w.surface, w.highway) for w in from_pbf] == [
        (w.osm_id, w.surface, w.highway) for w in from_xml
    ]
    assert len(from_pbf) == 7
    for a, b in zip(from_pbf, from_xml, strict=True):
        assert flat(a.points) == pytest.approx(flat(b.points), abs=1e-7)
    assert seen == [0, pbf.stat().st_size]


def test_a_broken_pbf(tmp_path):
    pytest.importorskip("osmium", reason="pyosmium (the osm extra) is not installed")
    message = _refused(tmp_path, "broken.osm.pbf", b"not a pbf at all" * 20)
    assert message.startswith("not a readable .osm.pbf (")
    assert message.endswith("Download or export the extract again")
