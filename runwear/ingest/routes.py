"""Read the line of a route from a GPX file: a recorded track or a planned route, for places.

A corridor place (`runwear place add NAME --gpx FILE`) follows the points of the file's first
track with points (its segments joined, in order), else of its first route (`<rte>`, as route
planners export). The XML prolog is checked as for activity files (no DOCTYPE entities).
"""

from __future__ import annotations

import re

import gpxpy
import gpxpy.gpx

from runwear.ingest.model import IngestError
from runwear.ingest.xmlsafe import check_prolog

RETRY = "Export the route again as GPX"
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")


def read_route(data: bytes) -> list[tuple[float, float]]:
    """The (lat, lon) points of the file's first track, else its first route; IngestError."""
    if not data.strip():
        raise IngestError(f"the file is empty. {RETRY}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not a GPX file: not UTF-8 text ({exc.reason}). {RETRY}") from exc
    root = check_prolog(text, "GPX")
    if root.rpartition(":")[2] != "gpx":
        raise IngestError(f"not a GPX file: the root element is <{root[:40]}>. {RETRY}")
    # lxml refuses a str that declares its encoding; the text is decoded already.
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    try:
        gpx = gpxpy.parse(text)
    except Exception as exc:  # the parser boundary: gpxpy, expat or lxml may raise anything
        detail = " ".join(str(exc).split())[:160]
        raise IngestError(f"not valid GPX ({detail}). {RETRY}") from exc
    for track in gpx.tracks:
        points = [_position(p) for segment in track.segments for p in segment.points]
        points = [p for p in points if p is not None]
        if points:
            return points
    for route in gpx.routes:
        points = [p for p in map(_position, route.points) if p is not None]
        if points:
            return points
    raise IngestError(f"the file holds no track or route points. {RETRY}")


def _position(
    point: gpxpy.gpx.GPXTrackPoint | gpxpy.gpx.GPXRoutePoint,
) -> tuple[float, float] | None:
    """(lat, lon) of a point, or None when it is not a position on Earth."""
    lat, lon = point.latitude, point.longitude
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return float(lat), float(lon)
