"""Read a GPX document into plain tracks, segments and points, streaming it with expat.

Only what runwear measures is kept: per point its position (None when the attribute is
missing or not a number, as an eTrex writes before its first fix), elevation and time (epoch
seconds and the UTC offset written); per track its name, type and description; for the file
its name, description, creator, metadata time, and whether it holds routes or waypoints.
No element tree is built (expat's callbacks fill the values in), so memory follows the
points kept, not the XML. Elements are matched by local name: any namespace, or none.

The text must have passed `runwear.ingest.xmlsafe.check_prolog` (no DTD, no entities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from xml.parsers import expat

from runwear.ingest.model import IngestError
from runwear.ingest.timestamps import parse_time

CHUNK_CHARS = 1 << 20
ELEVATIONS_KEPT = 1 << 16  # distinct <ele> texts whose number is shared by the points
_UNREAD: Any = object()
RETRY = "Export the activity again"


class GpxPoint(NamedTuple):
    """One <trkpt>: position in degrees (None when absent), elevation, time, its UTC offset."""

    lat: float | None
    lon: float | None
    ele: float | None
    t_s: float | None  # seconds since the Unix epoch, UTC
    offset_s: int | None  # the UTC offset the time was written with, when it had one


@dataclass
class GpxTrack:
    """One <trk>: its words and its segments of points, in file order."""

    name: str | None = None
    type: str | None = None
    desc: str | None = None
    segments: list[list[GpxPoint]] = field(default_factory=list)


@dataclass
class GpxDoc:
    """What a GPX file holds that runwear uses."""

    creator: str | None = None
    name: str | None = None
    desc: str | None = None
    time: tuple[float, int | None] | None = None  # <metadata><time> (GPX 1.0: <gpx><time>)
    tracks: list[GpxTrack] = field(default_factory=list)
    has_routes: bool = False
    has_waypoints: bool = False


def read_gpx(text: str) -> GpxDoc:
    """The tracks of a GPX document; IngestError naming the line when the XML is broken."""
    doc, parser = _reader()
    try:
        for start in range(0, len(text), CHUNK_CHARS):
            parser.Parse(text[start : start + CHUNK_CHARS], False)
        parser.Parse("", True)
    except expat.ExpatError as exc:
        raise IngestError(f"not valid GPX XML ({_position(exc)}). {RETRY}") from exc
    return doc


def _reader() -> tuple[GpxDoc, expat.XMLParserType]:
    """An expat parser whose callbacks fill in the GpxDoc: no element objects are built.

    An element's text is what ElementTree calls its `.text`: the characters before its first
    child element. Character data goes straight into one list (its `append` is expat's
    handler, no Python frame per call), emptied at every tag.
    """
    doc = GpxDoc()
    parser = expat.ParserCreate(namespace_separator="}")
    names = [""]  # local names of the open elements, below them the document's ""
    texts: list[str | None] = [""]  # their text, frozen once a child element has begun
    chars: list[str] = []
    positions: list[tuple[float | None, float | None]] = []  # of the open <trkpt>s
    local: dict[str, str] = {}
    elevations: dict[str | None, float | None] = {}  # <ele> text -> its number, one object
    track: GpxTrack | None = None
    segment: list[GpxPoint] | None = None
    ele: float | None = None
    when: tuple[float, int | None] | None = None

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal track, segment, ele, when
        name = local.get(tag)
        if name is None:
            name = local[tag] = _local(tag)
        if texts[-1] is None:
            texts[-1] = "".join(chars)
        chars.clear()
        texts.append(None)
        names.append(name)
        if name == "trkpt":
            positions.append((number(attrs.get("lat")), number(attrs.get("lon"))))
            ele = when = None
        elif name == "gpx" and len(names) == 2:
            doc.creator = _clean(attrs.get("creator"))
        elif name == "trk":
            track = GpxTrack()
            doc.tracks.append(track)
        elif name == "trkseg" and track is not None:
            segment = []
            track.segments.append(segment)
        elif name == "rte":
            doc.has_routes = True
        elif name == "wpt" and len(names) == 3:
            doc.has_waypoints = True

    def end(tag: str) -> None:
        nonlocal track, segment, ele, when
        name = names.pop()
        text = texts.pop()
        if name == "trkpt":
            chars.clear()
            lat, lon = positions.pop()
            if segment is None:  # a point outside any segment: its own segment
                if track is None:
                    track = GpxTrack()
                    doc.tracks.append(track)
                segment = []
                track.segments.append(segment)
            t_s, offset_s = when if when else (None, None)
            segment.append(GpxPoint(lat, lon, ele, t_s, offset_s))
            return
        if text is None and chars:
            text = "".join(chars)
        chars.clear()
        parent = names[-1]
        if parent == "trkpt":
            if name == "ele":
                ele = elevations.get(text, _UNREAD)  # a track repeats its elevations
                if ele is _UNREAD:
                    ele = number(text)
                    if len(elevations) < ELEVATIONS_KEPT:
                        elevations[text] = ele
            elif name == "time":
                when = parse_time(text)
        elif name == "trkseg":
            segment = None
        elif name == "trk":
            track = segment = None
        elif parent == "trk" and track is not None and name in ("name", "type", "desc"):
            setattr(track, name, _clean(text))
        elif parent in ("gpx", "metadata") and name in ("name", "desc"):
            setattr(doc, name, getattr(doc, name) or _clean(text))
        elif parent in ("gpx", "metadata") and name == "time":
            doc.time = parse_time(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars.append
    return doc, parser


def _position(exc: expat.ExpatError) -> str:
    """ "line 3: mismatched tag" from expat's "mismatched tag: line 3, column 4"."""
    message = str(exc).split(": line ", 1)[0]
    line = exc.lineno
    return f"line {line}: {message}" if line else message


def _local(tag: str) -> str:
    """An element name without its namespace: {uri}trkpt -> trkpt."""
    return tag.rpartition("}")[2]


def number(text: str | None) -> float | None:
    """A finite float from attribute or element text, or None."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clean(text: str | None) -> str | None:
    """Stripped text, or None when blank."""
    if text is None:
        return None
    text = text.strip()
    return text or None
