"""Read TCX (Training Center XML) files: one Activity per <Activity>, with the standard library.

Decisions worth knowing when a figure looks wrong:

- Sport comes from `Activity@Sport`: Running, Biking, or Other (which Strava writes at times;
  runwear does not guess "running", so an Other file is not a run unless an export says so).
- distance_m is the sum of the laps' `DistanceMeters` (the device's own figure), unless the
  trackpoints reach over 2% further (a Movescount TCX whose laps cover part of the activity):
  then, and without laps, the largest trackpoint `DistanceMeters`, else the track's length.
- started_at is the activity's `Id` (its start time), else the first lap's `StartTime`, else the
  first trackpoint's time; the UTC offset written there (Polar: +01:00) is kept.
  duration_s runs from there to the last trackpoint (else the laps'
  total time); moving_s is the laps' `TotalTimeSeconds`.
- Ascent uses the same 3 m hysteresis as GPX over `AltitudeMeters`.
- Leading whitespace or a byte order mark before `<?xml` (some exports have them) is ignored.
  The prolog is checked like GPX's (`runwear.ingest.xmlsafe`): no entities, no DTD.
- Elements are matched by local name, so any namespace prefix (or none) reads the same.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from runwear.geo import path_length_m
from runwear.ingest.climb import ascent_m, plausible_ascent_m
from runwear.ingest.gpx_read import number as _number
from runwear.ingest.model import Activity, IngestError, ParsedFile
from runwear.ingest.timestamps import parse_time
from runwear.ingest.xmlsafe import RETRY, check_prolog

TRACK_STEP_S = 5.0  # keep one track point every 5 seconds, like FIT and GPX
LAPS_SHORT_SHARE = 1.02  # trackpoints reaching further than this x the laps' sum win

# Activity@Sport -> (sport, sub_sport) in FIT names.
SPORTS: dict[str, tuple[str, str | None]] = {
    "running": ("running", "generic"),
    "biking": ("cycling", "generic"),
    "other": ("generic", None),
}

# One trackpoint: (time_s, lat, lon, altitude_m, distance_m), None where absent.
_Point = tuple[float | None, float | None, float | None, float | None, float | None]

_XML_DECL = re.compile(r"\A<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")


def parse_tcx(data: bytes) -> ParsedFile:
    """Read a TCX file's bytes into one Activity per <Activity>, or raise IngestError."""
    text = _decode(data)
    root = check_prolog(text, "TCX")
    if _local(root.rpartition(":")[2]) != "TrainingCenterDatabase":
        shown = root[:40] or "?"
        raise IngestError(
            f"not TCX: the root element is <{shown}>, not <TrainingCenterDatabase>. {RETRY}"
        )
    try:
        tree = ET.fromstring(text)
    except ET.ParseError as exc:
        raise IngestError(f"not valid TCX XML ({exc}). {RETRY}") from exc
    elements = [e for e in tree.iter() if _local(e.tag) == "Activity"]
    if not elements:
        raise IngestError(
            "the file holds no activity (a course or a workout plan?). "
            "Export the recorded activity instead"
        )
    return ParsedFile(format="tcx", activities=tuple(_activity(e) for e in elements))


def _decode(data: bytes) -> str:
    """The document as text: BOM and leading whitespace gone, the XML declaration dropped."""
    if not data or not data.strip():
        raise IngestError(f"the file is empty. {RETRY}")
    if data[8:12] == b".FIT":
        raise IngestError("this is a FIT file, not TCX. Import it with a .fit name")
    if data[:2] == b"\x1f\x8b":
        raise IngestError("the file is gzip-compressed. Import it with a .tcx.gz name")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        match = _DECLARED_ENCODING.match(data[:512])
        encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
        if encoding.startswith(("utf-16", "utf16", "utf-32", "utf32", "ucs")):
            encoding = "utf-8"  # declared so, but 8-bit bytes reached here
        if encoding in ("utf-8", "utf8"):
            encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except LookupError:
        text = _strict(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_text(exc, encoding) from exc
    text = text.lstrip(" \t\r\n\ufeff")
    match = _XML_DECL.match(text)
    return text[match.end() :] if match else text


def _strict(data: bytes, encoding: str) -> str:
    """Decode or raise IngestError."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _not_text(exc, encoding) from exc


def _not_text(exc: UnicodeDecodeError, encoding: str) -> IngestError:
    """The error for bytes that are not text in their encoding."""
    name = encoding.upper().removesuffix("-SIG")
    return IngestError(
        f"not {name} text (bad byte at offset {exc.start}): not a TCX file, or a damaged one. "
        f"{RETRY}"
    )


def _activity(element: ET.Element) -> Activity:
    """The Activity of one <Activity> element."""
    sport_text = (element.get("Sport") or "other").strip().lower()
    sport, sub_sport = SPORTS.get(sport_text, ("generic", None))
    laps = [c for c in element if _local(c.tag) == "Lap"]
    points: list[_Point] = []
    for lap in laps:
        for node in lap.iter():
            if _local(node.tag) == "Trackpoint":
                points.append(_trackpoint(node))
    lap_distances = [_number(_child_text(lap, "DistanceMeters")) for lap in laps]
    lap_times = [_number(_child_text(lap, "TotalTimeSeconds")) for lap in laps]
    positions = [(p[1], p[2]) for p in points if p[1] is not None and p[2] is not None]
    point_distances = [p[4] for p in points if p[4] is not None]
    times = [p[0] for p in points if p[0] is not None]
    track_m = path_length_m(positions)
    measured_m = max(point_distances) if point_distances else track_m
    distance_m = measured_m
    if laps and all(d is not None for d in lap_distances):
        lap_m = float(sum(d for d in lap_distances if d is not None))
        # Laps that cover less than the trackpoints (a Movescount TCX) give way to them.
        if measured_m <= lap_m * LAPS_SHORT_SHARE:
            distance_m = lap_m
    start_text = _child_text(element, "Id") if _epoch_s(_child_text(element, "Id")) else None
    if start_text is None and laps and _epoch_s(laps[0].get("StartTime")) is not None:
        start_text = laps[0].get("StartTime")
    start_s = _first(_epoch_s(start_text), times[0] if times else None)
    if start_s is None:
        raise IngestError(
            f"the activity has no start time (no Id, lap start or timed trackpoint). {RETRY}"
        )
    moving_s = float(sum(t for t in lap_times if t is not None)) if any(lap_times) else None
    duration_s = max(times) - start_s if times else moving_s
    elevations = [p[3] for p in points if p[3] is not None]
    return Activity(
        started_at=datetime.fromtimestamp(start_s, timezone.utc),
        sport=sport,
        sub_sport=sub_sport,
        distance_m=distance_m,
        duration_s=duration_s,
        moving_s=moving_s,
        ascent_m=plausible_ascent_m(ascent_m(elevations), distance_m, elevations),
        device=_device(element),
        utc_offset_s=_offset_s(start_text),
        track=_thin(points),
        timeline=_timeline(points, start_s),
    )


def _trackpoint(node: ET.Element) -> _Point:
    """(time_s, lat, lon, altitude_m, distance_m) of a <Trackpoint>; None where absent."""
    time_s = lat = lon = altitude = distance = None
    for child in node:
        name = _local(child.tag)
        if name == "Time":
            time_s = _epoch_s(child.text)
        elif name == "Position":
            for part in child:
                key = _local(part.tag)
                if key == "LatitudeDegrees":
                    lat = _number(part.text)
                elif key == "LongitudeDegrees":
                    lon = _number(part.text)
        elif name == "AltitudeMeters":
            altitude = _number(child.text)
        elif name == "DistanceMeters":
            distance = _number(child.text)
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    return time_s, lat, lon, altitude, distance


def _thin(points: list[_Point]) -> tuple[tuple[float, float], ...]:
    """One (lat, lon) every TRACK_STEP_S seconds (every untimed one), and the last one."""
    kept: list[tuple[float, float]] = []
    last: tuple[float, float] | None = None
    next_s = float("-inf")
    for time_s, lat, lon, _, _ in points:
        if lat is None or lon is None:
            continue
        last = (lat, lon)
        if time_s is None:
            kept.append(last)
        elif time_s >= next_s:
            kept.append(last)
            next_s = time_s + TRACK_STEP_S
    if last is not None and kept[-1] is not last:
        kept.append(last)
    return tuple(kept)


def _timeline(points: list[_Point], start_s: float) -> tuple[tuple[float, float], ...]:
    """(seconds since the start, metres so far) of timed trackpoints with a distance, at most
    one per TRACK_STEP_S."""
    out: list[tuple[float, float]] = []
    next_s = float("-inf")
    for time_s, _, _, _, distance in points:
        if time_s is not None and distance is not None and time_s >= next_s:
            out.append((time_s - start_s, distance))
            next_s = time_s + TRACK_STEP_S
    return tuple(out)


def _device(element: ET.Element) -> str | None:
    """The recording device's name from <Creator><Name>, or None."""
    for child in element:
        if _local(child.tag) == "Creator":
            return _child_text(child, "Name")
    return None


def _child_text(element: ET.Element, name: str) -> str | None:
    """The stripped text of the first direct child called `name`, or None when absent or blank."""
    for child in element:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _local(tag: str) -> str:
    """An element name without its namespace: {uri}Lap -> Lap."""
    return tag.rpartition("}")[2]


def _epoch_s(text: str | None) -> float | None:
    """Seconds since the Unix epoch of an ISO 8601 time (no offset means UTC), or None."""
    parsed = parse_time(text)
    return parsed[0] if parsed else None


def _offset_s(text: str | None) -> int | None:
    """The non-zero UTC offset an ISO 8601 time was written with, or None."""
    parsed = parse_time(text)
    return (parsed[1] or None) if parsed else None


def _first(*values: float | None) -> float | None:
    """The first value that is not None."""
    return next((v for v in values if v is not None), None)
