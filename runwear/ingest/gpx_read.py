"""Read a GPX document into plain tracks, segments and points, streaming it with ElementTree.

Only what runwear measures is kept: per point its position (None when the attribute is
missing or not a number, as an eTrex writes before its first fix), elevation and time (epoch
seconds and the UTC offset written); per track its name, type and description; for the file
its name, description, creator, metadata time, and whether it holds routes or waypoints.
Points are dropped from the element tree as soon as they are read, so memory follows the
points kept, not the XML. Elements are matched by local name: any namespace, or none.

The text must have passed `runwear.ingest.xmlsafe.check_prolog` (no DTD, no entities).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import NamedTuple

from runwear.ingest.model import IngestError
from runwear.ingest.timestamps import parse_time

CHUNK_CHARS = 1 << 20
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
    parser = ET.XMLPullParser(events=("start", "end"))
    doc = GpxDoc()
    stack: list[ET.Element] = []
    names: list[str] = []
    track: GpxTrack | None = None
    segment: list[GpxPoint] | None = None
    point_ele: float | None = None
    point_time: tuple[float, int | None] | None = None
    try:
        for start in range(0, len(text), CHUNK_CHARS):
            parser.feed(text[start : start + CHUNK_CHARS])
            for event, elem in parser.read_events():
                if event == "start":
                    name = _local(elem.tag)
                    stack.append(elem)
                    names.append(name)
                    if name == "gpx" and len(names) == 1:
                        doc.creator = _clean(elem.get("creator"))
                    elif name == "trk":
                        track = GpxTrack()
                        doc.tracks.append(track)
                    elif name == "trkseg" and track is not None:
                        segment = []
                        track.segments.append(segment)
                    elif name == "trkpt":
                        point_ele = point_time = None
                    elif name == "rte":
                        doc.has_routes = True
                    elif name == "wpt" and len(names) == 2:
                        doc.has_waypoints = True
                    continue
                name = names.pop()
                stack.pop()
                parent = names[-1] if names else ""
                if name == "trkpt":
                    if segment is None:  # a point outside any segment: its own segment
                        if track is None:
                            track = GpxTrack()
                            doc.tracks.append(track)
                        segment = []
                        track.segments.append(segment)
                    t_s, offset_s = point_time if point_time else (None, None)
                    segment.append(
                        GpxPoint(
                            number(elem.get("lat")),
                            number(elem.get("lon")),
                            point_ele,
                            t_s,
                            offset_s,
                        )
                    )
                    if stack:
                        stack[-1].remove(elem)  # memory follows the points kept, not the XML
                elif parent == "trkpt":
                    if name == "ele":
                        point_ele = number(elem.text)
                    elif name == "time":
                        point_time = parse_time(elem.text)
                elif name == "trkseg":
                    segment = None
                elif name == "trk":
                    track = segment = None
                elif parent == "trk" and track is not None and name in ("name", "type", "desc"):
                    setattr(track, name, _clean(elem.text))
                elif parent in ("gpx", "metadata") and name in ("name", "desc"):
                    setattr(doc, name, getattr(doc, name) or _clean(elem.text))
                elif parent in ("gpx", "metadata") and name == "time":
                    doc.time = parse_time(elem.text)
        parser.close()
    except ET.ParseError as exc:
        raise IngestError(f"not valid GPX XML ({_position(exc)}). {RETRY}") from exc
    return doc


def _position(exc: ET.ParseError) -> str:
    """ "line 3: mismatched tag" from expat's "mismatched tag: line 3, column 4"."""
    message = str(exc).split(": line ", 1)[0]
    line = exc.position[0] if exc.position else None
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
