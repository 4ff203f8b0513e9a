"""Write small OpenStreetMap extracts for tests and benchmarks: .osm XML, and .osm.pbf.

Ways are given as tags and (lat, lon) points; nodes are numbered from 1 and shared where ways
meet at the same position (to 1e-7 degrees), the way OpenStreetMap draws street corners. Nodes
come first, sorted by id, then ways, as OpenStreetMap itself writes extracts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from runwear.geo import destination


@dataclass(frozen=True)
class SampleWay:
    """A way to write: its tags and its (lat, lon) points, in degrees."""

    tags: Mapping[str, str]
    points: Sequence[tuple[float, float]] = field(repr=False)
    osm_id: int | None = None  # numbered from 1 in file order when None


def street_grid(
    lat: float,
    lon: float,
    *,
    rows: int,
    cols: int,
    spacing_m: float,
    tags_for: Callable[[str, int], Mapping[str, str]] | None = None,
) -> list[SampleWay]:
    """A grid of streets with its south-west corner at (lat, lon).

    `rows` east-west streets and `cols` north-south streets, `spacing_m` apart; each street
    crosses the whole grid with a node at every crossing. `tags_for("row" | "col", index)` gives
    each street's tags (default: `highway=residential`).
    """

    def tags(kind: str, index: int) -> Mapping[str, str]:
        return tags_for(kind, index) if tags_for else {"highway": "residential"}

    corners = [
        [_offset(lat, lon, north_m=r * spacing_m, east_m=c * spacing_m) for c in range(cols)]
        for r in range(rows)
    ]
    ways = [SampleWay(tags("row", r), corners[r]) for r in range(rows)]
    ways += [SampleWay(tags("col", c), [corners[r][c] for r in range(rows)]) for c in range(cols)]
    return ways


def osm_lines(ways: Iterable[SampleWay], *, generator: str = "runwear sample") -> Iterator[str]:
    """The lines of an OSM XML 0.6 document holding `ways` and their nodes."""
    ways = list(ways)
    nodes, refs = _number_nodes(ways)
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield f'<osm version="0.6" generator={quoteattr(generator)}>'
    for node_id, (lat, lon) in enumerate(nodes, start=1):
        yield f'  <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>'
    for way_id, (way, way_refs) in enumerate(zip(ways, refs, strict=True), start=1):
        yield f'  <way id="{way.osm_id or way_id}" version="1">'
        for ref in way_refs:
            yield f'    <nd ref="{ref}"/>'
        for key, value in way.tags.items():
            yield f"    <tag k={quoteattr(key)} v={quoteattr(value)}/>"
        yield "  </way>"
    yield "</osm>"


def osm_bytes(ways: Iterable[SampleWay]) -> bytes:
    """An OSM XML document holding `ways`, as bytes."""
    return ("\n".join(osm_lines(ways)) + "\n").encode("utf-8")


def write_osm(path: Path, ways: Iterable[SampleWay]) -> Path:
    """Write `ways` as an OSM XML file, line by line (large grids never sit in memory twice)."""
    with path.open("w", encoding="utf-8") as out:
        for line in osm_lines(ways):
            out.write(line)
            out.write("\n")
    return path


def write_pbf(path: Path, ways: Iterable[SampleWay]) -> Path:
    """Write `ways` as an .osm.pbf with pyosmium (ImportError when it is not installed)."""
    import osmium
    from osmium.osm import mutable

    ways = list(ways)
    nodes, refs = _number_nodes(ways)
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    try:
        for node_id, (lat, lon) in enumerate(nodes, start=1):
            writer.add_node(mutable.Node(id=node_id, version=1, location=(lon, lat)))
        for way_id, (way, way_refs) in enumerate(zip(ways, refs, strict=True), start=1):
            writer.add_way(
                mutable.Way(id=way.osm_id or way_id, version=1, nodes=way_refs, tags=dict(way.tags))
            )
    finally:
        writer.close()
    return path


def _number_nodes(
    ways: Sequence[SampleWay],
) -> tuple[list[tuple[float, float]], list[list[int]]]:
    """Every distinct position once (ids from 1), and each way's node ids."""
    ids: dict[tuple[int, int], int] = {}
    nodes: list[tuple[float, float]] = []
    refs: list[list[int]] = []
    for way in ways:
        way_refs = []
        for lat, lon in way.points:
            key = (round(lat * 1e7), round(lon * 1e7))
            if key not in ids:
                ids[key] = len(nodes) + 1
                nodes.append((key[0] / 1e7, key[1] / 1e7))
            way_refs.append(ids[key])
        refs.append(way_refs)
    return nodes, refs


def _offset(lat: float, lon: float, *, north_m: float, east_m: float) -> tuple[float, float]:
    """The point north_m metres north, then east_m metres east, of (lat, lon)."""
    here = destination(lat, lon, 0.0, north_m) if north_m else (lat, lon)
    return destination(here[0], here[1], 90.0, east_m) if east_m else here
