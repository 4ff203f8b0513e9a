"""Read OpenStreetMap extracts (.osm XML, .osm.gz, .osm.bz2, .osm.pbf) into ways with surfaces.

Decisions:

- Ways kept: those tagged `highway=*` (except ways not built or gone, IGNORED_HIGHWAYS),
  `leisure=track`, or `surface=*`. Nodes only lend their positions; relations are skipped.
- Surface, first match wins (`way_surface`): the `surface` tag through OSM_SURFACES (a surface
  tag runwear has no name for gives "unknown": the mapper said it is not the usual); a running
  track (`leisure=track`) gives track; a `highway=track` its `tracktype` (TRACKTYPE_SURFACES);
  then the highway's usual surface (HIGHWAY_SURFACES): roads without a surface tag are
  asphalt, as nearly all mapped roads in towns are; footways, paths, cycleways, steps and
  tracks without one are unknown (mapped, but their surface is not).
- A way keeps the nodes the file has, in order; one with fewer than two left (clipped at the
  extract's edge) is skipped.
- XML is streamed with `xml.etree.ElementTree.iterparse` and each element cleared once read.
  Node positions are kept in three arrays (id, lat and lon in 1e-7 degrees, OpenStreetMap's own
  precision: 16 bytes a node), sorted by id for binary search when the first way arrives. So
  files must list nodes before ways, as OpenStreetMap, Overpass, JOSM and osmium write them.
- A DOCTYPE is refused before parsing (OpenStreetMap files never have one), so no entity can
  be declared, expanded or fetched.
- .osm.pbf needs pyosmium (`pip install 'runwear[osm]'`), read with its streaming
  FileProcessor and an in-memory node location index ("flex_mem").
"""

from __future__ import annotations

import bz2
import gzip
import re
import xml.etree.ElementTree as ET
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from runwear.ingest.model import IngestError

Progress = Callable[[int], None]  # called with the bytes of the file read so far

# `surface=*` values -> runwear surfaces. Hard paving other than asphalt counts as concrete
# (the hardest group); loose stone as gravel; bare earth as trail. Anything else -> unknown.
OSM_SURFACES: dict[str, str] = {
    "concrete": "concrete",
    "concrete:plates": "concrete",
    "concrete:lanes": "concrete",
    "paving_stones": "concrete",
    "sett": "concrete",
    "cobblestone": "concrete",
    "unhewn_cobblestone": "concrete",
    "bricks": "concrete",
    "stone": "concrete",
    "asphalt": "asphalt",
    "chipseal": "asphalt",
    "paved": "asphalt",
    "tartan": "track",
    "rubber": "track",
    "grass": "grass",
    "grass_paver": "grass",
    "artificial_turf": "grass",
    "gravel": "gravel",
    "fine_gravel": "gravel",
    "compacted": "gravel",
    "pebblestone": "gravel",
    "dirt": "trail",
    "earth": "trail",
    "ground": "trail",
    "mud": "trail",
    "woodchips": "trail",
    "soil": "trail",
    "unpaved": "trail",
    "sand": "sand",
}

# `highway=*` values -> the surface of such a way without a `surface` tag. Roads: asphalt.
# Paths: unknown (a park path may be anything). Values not listed: unknown.
HIGHWAY_SURFACES: dict[str, str] = {
    **dict.fromkeys(
        (
            "motorway",
            "motorway_link",
            "trunk",
            "trunk_link",
            "primary",
            "primary_link",
            "secondary",
            "secondary_link",
            "tertiary",
            "tertiary_link",
            "unclassified",
            "residential",
            "living_street",
            "service",
            "road",
            "busway",
        ),
        "asphalt",
    ),
    **dict.fromkeys(
        (
            "footway",
            "path",
            "cycleway",
            "pedestrian",
            "steps",
            "track",
            "bridleway",
            "corridor",
        ),
        "unknown",
    ),
}

# `tracktype=*` of a `highway=track` without a surface tag: grade1 is paved, grade2 gravel,
# grade3 to grade5 ever softer earth and grass.
TRACKTYPE_SURFACES: dict[str, str] = {
    "grade1": "asphalt",
    "grade2": "gravel",
    "grade3": "trail",
    "grade4": "trail",
    "grade5": "trail",
}

# Highways not (or no longer) there to run on.
IGNORED_HIGHWAYS = frozenset(
    {"proposed", "construction", "abandoned", "disused", "razed", "planned", "no"}
)

# `sport=*` on a `leisure=track` that makes it a running track; others (horses, cars,
# bicycles) are unknown unless a surface tag says.
RUNNING_TRACK_SPORTS = frozenset({"athletics", "running", "multi"})

ELEMENTS_PER_PROGRESS = 5_000  # nodes and ways between two progress calls
PROLOG_BYTES = 65_536  # how much of the file the DOCTYPE check reads

PBF_MISSING = "reading .osm.pbf needs the osm extra. Install it with: pip install 'runwear[osm]'"
_RETRY = "Download or export the extract again"
_PARSER_POSITION = re.compile(r"^(.*?): line (\d+), column \d+")


@dataclass(frozen=True)
class OsmWay:
    """One OpenStreetMap way worth matching runs to, with its runwear surface."""

    osm_id: int
    surface: str  # a runwear surface (runwear.vocab.SURFACES)
    highway: str | None  # the highway=* value, None for a running track or a surfaced area
    points: tuple[tuple[float, float], ...] = field(repr=False)  # (lat, lon), degrees


def way_surface(tags: Mapping[str, str]) -> str | None:
    """The runwear surface for a way's tags, or None when the way is not worth keeping."""
    highway = tags.get("highway")
    leisure = tags.get("leisure")
    surface_tag = tags.get("surface")
    if highway in IGNORED_HIGHWAYS:
        highway = None
    if highway is None and leisure != "track" and surface_tag is None:
        return None
    if surface_tag is not None:
        return osm_surface(surface_tag)
    if leisure == "track":
        sport = tags.get("sport")
        running = sport is None or any(
            part.strip() in RUNNING_TRACK_SPORTS for part in sport.split(";")
        )
        return "track" if running else "unknown"
    if highway == "track" and tags.get("tracktype") in TRACKTYPE_SURFACES:
        return TRACKTYPE_SURFACES[tags["tracktype"]]
    return HIGHWAY_SURFACES.get(highway or "", "unknown")


def osm_surface(value: str) -> str:
    """The runwear surface for a `surface=*` value ("asphalt;concrete" counts as its first)."""
    key = value.split(";")[0].strip().lower()
    if key in OSM_SURFACES:
        return OSM_SURFACES[key]
    return OSM_SURFACES.get(key.split(":")[0], "unknown")  # paving_stones:30 -> paving_stones


def iter_osm_ways(path: Path, progress: Progress | None = None) -> Iterator[OsmWay]:
    """The ways of an extract, streamed; IngestError for a file runwear cannot read.

    The file's kind and safety are checked on the call; reading errors surface while
    iterating. `progress` gets the bytes read so far (for .osm.pbf: 0 at the start and the
    file's size at the end, as osmium reads in its own threads).
    """
    path = Path(path)
    kind = check_extract(path)
    if kind == "pbf":
        return _pbf_iter(path, progress)
    return _xml_ways(path, kind, progress)


def check_extract(path: Path) -> str:
    """The extract's kind (pbf, xml, gz, bz2) once it passes the checks `iter_osm_ways` makes
    before reading: a name runwear reads, an existing file, pyosmium for .osm.pbf, no DOCTYPE
    in XML. IngestError otherwise."""
    path = Path(path)
    kind = _kind(path)
    if not path.is_file():
        raise IngestError(f"no such file: {path}. Check the path to the OpenStreetMap extract")
    if kind == "pbf":
        try:
            import osmium  # noqa: F401 - only to know whether the extra is installed
        except ImportError as exc:
            raise IngestError(PBF_MISSING) from exc
        return kind
    with _open_xml(path, kind) as (_, stream):
        _check_prolog(_read_head(stream))
    return kind


# -- which kind of file ----------------------------------------------------------------------


def _kind(path: Path) -> str:
    """The kind of file from its name (pbf, xml, gz, bz2); IngestError for anything else."""
    name = path.name.lower()
    if name.endswith(".pbf"):
        return "pbf"
    if name.endswith((".osm", ".xml")):
        return "xml"
    if name.endswith((".osm.gz", ".xml.gz")):
        return "gz"
    if name.endswith((".osm.bz2", ".xml.bz2")):
        return "bz2"
    raise IngestError(
        f"not an OpenStreetMap extract: {path.name} (runwear reads .osm.pbf, .osm, .osm.gz and "
        ".osm.bz2). Download your area as .osm.pbf (Geofabrik, BBBike) or .osm (Overpass)"
    )


@contextmanager
def _open_xml(path: Path, kind: str) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """The raw file (for byte positions) and the XML stream inside it, closed together."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise IngestError(f"cannot open {path}: {exc.strerror}. Check the file") from exc
    with raw:
        if kind == "gz":
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield raw, stream
        elif kind == "bz2":
            with bz2.BZ2File(raw, mode="rb") as stream:
                yield raw, stream
        else:
            yield raw, raw


def _read_head(stream: IO[bytes]) -> bytes:
    """The first PROLOG_BYTES of the (decompressed) XML; IngestError when unreadable."""
    try:
        return stream.read(PROLOG_BYTES)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise IngestError(f"the compressed file is damaged ({exc}). {_RETRY}") from exc


def _check_prolog(head: bytes) -> None:
    """Refuse what is not OpenStreetMap XML, and any DOCTYPE (entities, external DTDs)."""
    if not head.strip():
        raise IngestError(f"the file is empty. {_RETRY}")
    if b"OSMHeader" in head[:64]:
        raise IngestError(
            "this is an .osm.pbf file under an XML name. Rename it to end in .osm.pbf"
        )
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    i = 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            raise IngestError(f"no OpenStreetMap data in the first {PROLOG_BYTES} bytes. {_RETRY}")
        if text.startswith("<?", i) or text.startswith("<!--", i):
            end = text.find("?>" if text[i + 1] == "?" else "-->", i)
            if end < 0:
                raise IngestError(f"the file's XML header is not closed. {_RETRY}")
            i = end + 2 if text[i + 1] == "?" else end + 3
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            raise IngestError(
                "the file declares a DOCTYPE (XML entities or an external DTD), which "
                "OpenStreetMap files never use and hostile files use to read other files or "
                f"exhaust memory. Refusing to read it. {_RETRY}"
            )
        elif text.startswith("<", i):
            root = re.match(r"<([^\s/>]*)", text[i:])
            name = root.group(1) if root else ""
            if name != "osm":
                hint = " (an osmChange diff, not an extract)" if name == "osmChange" else ""
                shown = name[:40] or "?"
                raise IngestError(
                    f"not OpenStreetMap XML: the root element is <{shown}>, not <osm>{hint}. "
                    f"{_RETRY}"
                )
            return
        else:
            raise IngestError(f"not XML: the file does not start with '<'. {_RETRY}")


# -- XML -------------------------------------------------------------------------------------


class _NodeStore:
    """Node positions in arrays: id, lat and lon in 1e-7 degrees; sorted once ways begin."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.lats = array("i")
        self.lons = array("i")
        self.sorted = True

    def add(self, node_id: int, lat: float, lon: float) -> None:
        ids = self.ids
        if ids and node_id <= ids[-1]:
            self.sorted = False
        ids.append(node_id)
        self.lats.append(round(lat * 1e7))
        self.lons.append(round(lon * 1e7))

    def freeze(self) -> None:
        """Sort by id (most files are sorted already) for binary search."""
        if self.sorted:
            return
        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        self.ids = array("q", (self.ids[i] for i in order))
        self.lats = array("i", (self.lats[i] for i in order))
        self.lons = array("i", (self.lons[i] for i in order))
        self.sorted = True

    def get(self, node_id: int) -> tuple[float, float] | None:
        """(lat, lon) of a node, or None when the file does not have it."""
        ids = self.ids
        i = bisect_left(ids, node_id)
        if i == len(ids) or ids[i] != node_id:
            return None
        return self.lats[i] / 1e7, self.lons[i] / 1e7


def _xml_ways(path: Path, kind: str, progress: Progress | None) -> Iterator[OsmWay]:
    """Stream the ways out of an XML extract (see the module's decisions)."""
    nodes = _NodeStore()
    in_ways = False
    count = 0
    with _open_xml(path, kind) as (raw, stream):
        if progress is not None:
            progress(0)
        try:
            events = ET.iterparse(stream, events=("start", "end"))
            _, root = next(events)
            for event, elem in events:
                if event != "end":
                    continue
                tag = elem.tag
                if tag == "node":
                    if in_ways:
                        raise IngestError(
                            "the file lists nodes after ways (not sorted). Sort it with "
                            "`osmium sort FILE -o sorted.osm.pbf` and load that"
                        )
                    _add_node(nodes, elem)
                elif tag == "way":
                    if not in_ways:
                        nodes.freeze()
                        in_ways = True
                    way = _xml_way(elem, nodes)
                    if way is not None:
                        yield way
                elif tag not in ("relation", "bounds", "bound", "changeset"):
                    continue  # a child (tag, nd, member): read with its parent
                root.clear()
                count += 1
                if progress is not None and count % ELEMENTS_PER_PROGRESS == 0:
                    progress(raw.tell())
        except ET.ParseError as exc:
            raise IngestError(_describe_parse_error(exc)) from exc
        except (OSError, EOFError) as exc:  # damaged gzip or bz2 data
            raise IngestError(f"the compressed file is damaged ({exc}). {_RETRY}") from exc
        except (KeyError, ValueError) as exc:  # a missing id, a position that is no number
            raise IngestError(
                f"a node or way in the extract is malformed ({type(exc).__name__}: {exc}). {_RETRY}"
            ) from exc
        if progress is not None:
            progress(raw.tell())


def _add_node(nodes: _NodeStore, elem: ET.Element) -> None:
    """Keep a node's position; deleted and position-less nodes are left out."""
    attrib = elem.attrib
    if attrib.get("action") == "delete" or attrib.get("visible") == "false":
        return
    lat, lon = attrib.get("lat"), attrib.get("lon")
    if lat is None or lon is None:
        return
    node_lat, node_lon = float(lat), float(lon)
    if -90.0 <= node_lat <= 90.0 and -180.0 <= node_lon <= 180.0:
        nodes.add(int(attrib["id"]), node_lat, node_lon)


def _xml_way(elem: ET.Element, nodes: _NodeStore) -> OsmWay | None:
    """The way in `elem` when it is kept and has two located nodes, else None."""
    attrib = elem.attrib
    if attrib.get("action") == "delete" or attrib.get("visible") == "false":
        return None
    tags: dict[str, str] = {}
    refs: list[int] = []
    for child in elem:
        if child.tag == "nd":
            refs.append(int(child.attrib["ref"]))
        elif child.tag == "tag":
            tags[child.attrib.get("k", "")] = child.attrib.get("v", "")
    surface = way_surface(tags)
    if surface is None:
        return None
    points = tuple(p for p in map(nodes.get, refs) if p is not None)
    if len(points) < 2:
        return None
    highway = tags.get("highway")
    return OsmWay(int(attrib["id"]), surface, highway or None, points)


def _describe_parse_error(exc: ET.ParseError) -> str:
    """One line for an XML syntax error, with its line number."""
    detail = " ".join(str(exc).split())[:160]
    match = _PARSER_POSITION.search(detail)
    if match:
        detail = f"line {match.group(2)}: {match.group(1)}"
    return f"not valid OpenStreetMap XML ({detail}). {_RETRY}"


# -- PBF -------------------------------------------------------------------------------------


def _pbf_iter(path: Path, progress: Progress | None) -> Iterator[OsmWay]:
    """Stream the ways out of an .osm.pbf: nodes feed the location index, kept ways come out."""
    import osmium
    import osmium.filter

    if progress is not None:
        progress(0)
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations("flex_mem")
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway", "leisure", "surface"))
        )
        for way in processor:
            tags = {tag.k: tag.v for tag in way.tags}
            surface = way_surface(tags)
            if surface is None:
                continue
            points = tuple(
                (node.location.lat, node.location.lon)
                for node in way.nodes
                if node.location.valid()
            )
            if len(points) >= 2:
                yield OsmWay(way.id, surface, tags.get("highway") or None, points)
    except RuntimeError as exc:  # libosmium reports broken files and I/O errors this way
        detail = " ".join(str(exc).split())[:160]
        raise IngestError(f"not a readable .osm.pbf ({detail}). {_RETRY}") from exc
    if progress is not None:
        progress(path.stat().st_size)
