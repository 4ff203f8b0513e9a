"""Read GPX files: one Activity per recorded track, measured the way the sample generator measures.

Decisions (each a module constant below):

- Sport comes from `<trk><type>` (`sport_for_gpx_type`). A track without a type counts as
  running: the running apps that omit it (and old Strava exports) are the usual source.
- Distance is the sum of great-circle steps (`runwear.geo.haversine_m`) between kept points.
  A step faster than the sport's limit (12 m/s on foot) is a GPS jump: it is left out, and the
  next point is judged against the last good point. Five consistent points in a row after a
  jump (the watch really is somewhere else) become the new reference. Points at (0, 0) or out
  of range are dropped. The gap between two segments of a track adds no distance.
- Moving time sums the steps faster than 0.5 m/s and at most 60 s long.
- Ascent ignores reversals smaller than 3 m (a hysteresis, or zig-zag, filter): GPS
  elevation noise on flat ground adds nothing, while each real climb counts from its low
  point to its high point.
- Safety: the prolog is checked before gpxpy sees the text. A DOCTYPE with an internal subset
  (where entities are declared) or an external DTD is refused, so no entity can be expanded
  or fetched, whichever XML parser gpxpy picks (the standard library's expat, or lxml when
  installed). Namespace declarations that would make gpxpy's own regular expressions or
  ElementTree's namespace registry take quadratic time are refused too.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import pairwise

import gpxpy
import gpxpy.gpx

from runwear.geo import haversine_m
from runwear.ingest.model import Activity, IngestError, ParsedFile
from runwear.ingest.xmlsafe import check_prolog

MAX_FOOT_SPEED_MPS = 12.0  # faster than any runner: a GPS jump
MAX_OTHER_SPEED_MPS = 40.0  # for rides, skiing and unknown sports
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "swimming"})
MIN_STEP_S = 1.0  # many files keep whole seconds: judge shorter steps as 1 s long
REANCHOR_POINTS = 5  # consistent points after a jump that make a new reference
MOVING_MIN_SPEED_MPS = 0.5
MOVING_MAX_GAP_S = 60.0
ASCENT_THRESHOLD_M = 3.0
TRACK_STEP_S = 5.0  # at most one kept track point per 5 s ...
TRACK_STEP_M = 10.0  # ... or per 10 m when the points carry no time
MAX_NAMESPACE_PREFIXES = 64
NULL_ISLAND_DEG = 1e-6

_RETRY = "Export the activity again"

# `<trk><type>` values, normalized by `_type_key`, and the (sport, sub_sport) they mean, in FIT
# names. Garmin Connect writes its activity type keys (running, trail_running,
# treadmill_running, ...); Strava writes running, cycling, ... in new files and numbers in old
# ones (1 ride, 4 hike, 9 run, 10 walk, 16 swim); RunKeeper writes Running, Walking, Cycling;
# OpenTracks writes running, biking, walking; some tools write Strava sport types (TrailRun).
_SPORTS: dict[str, tuple[str, str]] = {
    "run": ("running", "generic"),
    "running": ("running", "generic"),
    "jogging": ("running", "generic"),
    "9": ("running", "generic"),
    "street_running": ("running", "street"),
    "trail_running": ("running", "trail"),
    "trail_run": ("running", "trail"),
    "trailrunning": ("running", "trail"),
    "treadmill": ("running", "treadmill"),
    "treadmill_running": ("running", "treadmill"),
    "treadmill_run": ("running", "treadmill"),
    "indoor_running": ("running", "indoor_running"),
    "indoor_run": ("running", "indoor_running"),
    "track_running": ("running", "track"),
    "track_run": ("running", "track"),
    "virtual_run": ("running", "virtual_activity"),
    "virtual_running": ("running", "virtual_activity"),
    "ultra_run": ("running", "ultra"),
    "cycling": ("cycling", "generic"),
    "biking": ("cycling", "generic"),
    "bike": ("cycling", "generic"),
    "ride": ("cycling", "generic"),
    "cycle": ("cycling", "generic"),
    "1": ("cycling", "generic"),
    "road_biking": ("cycling", "road"),
    "road_cycling": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"),
    "mountain_bike_ride": ("cycling", "mountain"),
    "gravel_cycling": ("cycling", "gravel_cycling"),
    "gravel_ride": ("cycling", "gravel_cycling"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "virtual_ride": ("cycling", "virtual_activity"),
    "e_bike_ride": ("cycling", "generic"),
    "ebike_ride": ("cycling", "generic"),
    "walking": ("walking", "generic"),
    "walk": ("walking", "generic"),
    "10": ("walking", "generic"),
    "casual_walking": ("walking", "casual_walking"),
    "speed_walking": ("walking", "speed_walking"),
    "hiking": ("hiking", "generic"),
    "hike": ("hiking", "generic"),
    "4": ("hiking", "generic"),
    "swimming": ("swimming", "generic"),
    "swim": ("swimming", "generic"),
    "16": ("swimming", "generic"),
    "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s\-]+")
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_PARSER_POSITION = re.compile(r"^(.*?)[:,] line (\d+), column \d+")


def sport_for_gpx_type(type_text: str | None) -> tuple[str, str | None]:
    """The (sport, sub_sport) in FIT names for a `<trk><type>` value; absent means running."""
    if type_text is None or not type_text.strip():
        return "running", "generic"
    key = _type_key(type_text)
    if key in _SPORTS:
        return _SPORTS[key]
    return key, None


def parse_gpx(data: bytes) -> ParsedFile:
    """Read a GPX file's bytes into one Activity per recorded track, or raise IngestError."""
    text = _decode(data)
    _check_root(check_prolog(text, "GPX"))
    _check_namespaces(text)
    try:
        gpx = gpxpy.parse(text)
    except Exception as exc:  # the parser boundary: gpxpy, expat or lxml may raise anything
        raise IngestError(_describe_parser_error(exc)) from exc
    return ParsedFile(format="gpx", activities=_activities(gpx), file_type="activity")


# -- bytes to checked text -------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """The document as text, BOM gone and the XML declaration blanked (gpxpy gets a str)."""
    if not data or not data.strip():
        raise IngestError("the file is empty. Export the activity again")
    if data[8:12] == b".FIT":
        raise IngestError("this is a FIT file, not GPX. Import it with a .fit name")
    if data[:2] == b"\x1f\x8b":
        raise IngestError("the file is gzip-compressed. Decompress it and import the .gpx")
    if data[:4] == b"PK\x03\x04":
        raise IngestError("the file is a zip archive, not GPX. Unpack it and import the .gpx")
    encoding = _encoding(data)
    try:
        text = data.decode(encoding)
    except LookupError:
        encoding = "utf-8"
        text = _decode_strict(data, encoding)
    except UnicodeDecodeError as exc:
        raise _not_text(exc, encoding) from exc
    # Whitespace (or a stray BOM) before `<?xml` makes parsers refuse the file, and the
    # declaration is useless once decoded: blank both out, newlines kept, so that parser line
    # numbers still match the file.
    lead = len(text) - len(text.lstrip(" \t\r\n\ufeff"))
    if "\ufeff" in text[:lead]:
        text = text[:lead].replace("\ufeff", " ") + text[lead:]
    match = _XML_DECL.match(text)
    if match:
        text = re.sub(r"[^\n]", " ", match.group()) + text[match.end() :]
    return text


def _encoding(data: bytes) -> str:
    """The codec for the bytes: BOM first, then the declared encoding, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data[:4] == b"<\x00?\x00":
        return "utf-16-le"
    if data[:4] == b"\x00<\x00?":
        return "utf-16-be"
    match = _DECLARED_ENCODING.match(data[:512])
    if match:
        declared = match.group(1).decode("ascii").lower()
        # A file that declares UTF-16/32 but reached here is 8-bit: trust the bytes.
        if not declared.startswith(("utf-16", "utf16", "utf-32", "utf32", "ucs")):
            return declared
    return "utf-8"


def _decode_strict(data: bytes, encoding: str) -> str:
    """Decode or raise IngestError."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _not_text(exc, encoding) from exc


def _not_text(exc: UnicodeDecodeError, encoding: str) -> IngestError:
    """The error for bytes that are not text in their encoding."""
    return IngestError(
        f"not {encoding.upper()} text (bad byte at offset {exc.start}): not a GPX file, "
        f"or a damaged one. {_RETRY}"
    )


def _check_root(root: str) -> None:
    """Refuse a root element other than <gpx>, naming TCX files for what they are."""
    local = root.rpartition(":")[2]
    if local != "gpx":
        tcx = local == "TrainingCenterDatabase"
        hint = " (a TCX file: import it under a .tcx name)" if tcx else ""
        shown = root[:40] or "?"
        raise IngestError(f"not GPX: the root element is <{shown}>, not <gpx>{hint}. {_RETRY}")


def _check_namespaces(text: str) -> None:
    """Refuse namespace declarations that would make gpxpy take quadratic time.

    gpxpy scans every ` xmlns` up to the next `=` with a regular expression, and registers
    each prefix in ElementTree's global registry (a linear scan per registration).
    """
    n = len(text)
    prefixes: set[str] = set()
    cost = 0
    next_eq = -1
    i = text.find("xmlns")
    while i >= 0:
        if i > 0 and text[i - 1].isspace():
            pos = i + 5
            if next_eq < pos:
                next_eq = text.find("=", pos)
                if next_eq < 0:
                    next_eq = n
            cost += next_eq - pos
            prefixes.add(text[pos : min(next_eq, pos + 64)])
        i = text.find("xmlns", i + 5)
    if cost > 8 * n + 100_000 or len(prefixes) > MAX_NAMESPACE_PREFIXES:
        raise IngestError(
            "the file has malformed or thousands of XML namespace declarations (xmlns), which "
            f"would make reading it take hours. {_RETRY}"
        )


def _describe_parser_error(exc: Exception) -> str:
    """One line for an exception from gpxpy or the XML parser below it."""
    original = exc.__cause__  # gpxpy keeps the expat or lxml error there
    if isinstance(exc, gpxpy.gpx.GPXXMLSyntaxException) and original is not None:
        detail = _short(str(original))
        match = _PARSER_POSITION.search(detail)
        if match:
            detail = f"line {match.group(2)}: {match.group(1)}"
        return f"not valid GPX XML ({detail}). {_RETRY}"
    if isinstance(exc, gpxpy.gpx.GPXException):
        return f"not valid GPX ({_short(str(exc))}). {_RETRY}"
    return f"not valid GPX ({type(exc).__name__}: {_short(str(exc))}). {_RETRY}"


def _short(message: str, limit: int = 160) -> str:
    """A message cut to one line of at most `limit` characters."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


# -- parsed GPX to activities ----------------------------------------------------------------


@dataclass(slots=True)
class _Kept:
    """A point that counts: position, elevation, epoch seconds, cumulative distance."""

    lat: float
    lon: float
    ele: float | None
    t_s: float | None
    distance_m: float


class _Meter:
    """One pass over a track's points: distance without GPS jumps, moving time, kept points."""

    def __init__(self, max_speed_mps: float) -> None:
        self.max_speed_mps = max_speed_mps
        self.points = 0  # usable points
        self.timed = 0  # usable points with a time
        self.distance_m = 0.0
        self.moving_s = 0.0
        self.first_s: float | None = None
        self.last_s: float | None = None
        self.first_time: datetime | None = None  # the earliest time, as the file wrote it
        self.kept: list[_Kept] = []
        self._segment_start = 0
        self._anchor: _Kept | None = None  # the last good point of the segment
        self._streak: list[_Kept] = []  # points refused since, each believable from the last

    def measure(self, track: gpxpy.gpx.GPXTrack) -> _Meter:
        """Walk every segment of `track`; the gap between segments adds nothing."""
        for segment in track.segments:
            self._segment_start = len(self.kept)
            self._anchor = None
            self._streak = []
            for point in segment.points:
                self._add(point)
        return self

    def _add(self, point: gpxpy.gpx.GPXTrackPoint) -> None:
        lat, lon = point.latitude, point.longitude
        if not _usable(lat, lon):
            return
        self.points += 1
        t_s = None
        if point.time is not None:
            t_s = _epoch_s(point.time)
            self.timed += 1
            if self.first_s is None or t_s < self.first_s:
                self.first_s, self.first_time = t_s, point.time
            if self.last_s is None or t_s > self.last_s:
                self.last_s = t_s
        ele = point.elevation
        if ele is not None and not math.isfinite(ele):
            ele = None
        here = _Kept(lat, lon, ele, t_s, self.distance_m)
        if self._anchor is None:
            self._keep(here)
            return
        step_m, step_s, believable = self._step(self._anchor, here)
        if not believable:
            self._set_aside(here)
            return
        self.distance_m += step_m
        self.moving_s += _moving_s(step_m, step_s)
        here.distance_m = self.distance_m
        self._keep(here)
        if self._streak:
            self._streak = []  # the jump was a lone glitch

    def _set_aside(self, here: _Kept) -> None:
        """A jump: hold the point back; REANCHOR_POINTS believable ones become the reference."""
        streak = self._streak
        here.distance_m = 0.0  # distance along the streak until it is taken
        if streak:
            step_m, _, believable = self._step(streak[-1], here)
            if believable:
                here.distance_m = streak[-1].distance_m + step_m
            else:
                streak.clear()
        streak.append(here)
        if len(streak) < REANCHOR_POINTS:
            return
        if len(self.kept) - self._segment_start == 1:
            self.kept.pop()  # the segment began on the jump: drop its lone first point
        for previous, point in pairwise(streak):
            self.moving_s += _moving_s(
                point.distance_m - previous.distance_m, _gap_s(previous, point)
            )
        base = self.distance_m
        for point in streak:
            point.distance_m += base
            self.kept.append(point)
        self.distance_m = streak[-1].distance_m
        self._anchor = streak[-1]
        self._streak = []

    def _keep(self, point: _Kept) -> None:
        self.kept.append(point)
        self._anchor = point

    def _step(self, start: _Kept, end: _Kept) -> tuple[float, float | None, bool]:
        """Distance and time from `start` to `end`, and whether that speed is believable."""
        step_m = haversine_m(start.lat, start.lon, end.lat, end.lon)
        step_s = _gap_s(start, end)
        if step_s is None:
            return step_m, None, True  # no time, no speed check
        return step_m, step_s, step_m <= self.max_speed_mps * max(step_s, MIN_STEP_S)


def _gap_s(start: _Kept, end: _Kept) -> float | None:
    """Seconds from `start` to `end`, or None when either has no time."""
    if start.t_s is None or end.t_s is None:
        return None
    return end.t_s - start.t_s


def _activities(gpx: gpxpy.gpx.GPX) -> tuple[Activity, ...]:
    """One Activity per track with points; IngestError when no track makes one."""
    measured = []
    for track in gpx.tracks:
        sport, sub_sport = sport_for_gpx_type(track.type)
        limit = MAX_FOOT_SPEED_MPS if sport in FOOT_SPORTS else MAX_OTHER_SPEED_MPS
        meter = _Meter(limit).measure(track)
        if meter.points:
            measured.append((track, sport, sub_sport, meter))
    if not measured:
        if any(seg.points for track in gpx.tracks for seg in track.segments):
            raise IngestError(
                f"the track has no usable position (all at 0,0 or out of range). {_RETRY}"
            )
        if gpx.routes or gpx.waypoints:
            raise IngestError(
                "the file holds no track (only routes or waypoints): a planned route, not a "
                "recorded run. Export the recorded activity instead"
            )
        raise IngestError(
            "the file holds no track points (an indoor run without GPS?). "
            "Import the activity's FIT file instead"
        )

    any_timed = any(m.timed for _, _, _, m in measured)
    # The file's own time (<metadata><time>) stands in only when no point has a time.
    file_time = _utc(gpx.time) if gpx.time is not None and not any_timed else None
    if not any_timed and file_time is None:
        raise IngestError(
            "no timestamps: a route or plan, not a recorded run. "
            "Export the recorded activity instead"
        )
    activities = []
    for track, sport, sub_sport, m in measured:
        if m.points < 2 or (any_timed and not m.timed):
            continue  # a lone point, or an untimed course beside the recorded track
        started_at = _utc(m.first_time) if m.first_time is not None else file_time
        assert started_at is not None  # checked above: some time exists for every track kept
        duration_s = None
        if m.first_s is not None and m.last_s is not None:
            duration_s = m.last_s - m.first_s
        activities.append(
            Activity(
                started_at=started_at,
                sport=sport,
                sub_sport=sub_sport,
                distance_m=m.distance_m,
                duration_s=duration_s,
                moving_s=m.moving_s if duration_s is not None else None,
                ascent_m=_ascent_m([k.ele for k in m.kept if k.ele is not None]),
                name=_text(track.name) or _text(gpx.name),
                device=_text(gpx.creator),
                utc_offset_s=_offset_s(m.first_time),
                track=_compact_track(m.kept),
            )
        )
    if not activities:
        raise IngestError(
            "the track has a single point: too short to measure a run. Export the recorded "
            "activity instead"
        )
    return tuple(activities)


def _moving_s(step_m: float, step_s: float | None) -> float:
    """The step's time when it counts as moving (fast enough, no pause), else 0."""
    if step_s is None or step_s <= 0 or step_s > MOVING_MAX_GAP_S:
        return 0.0
    return step_s if step_m / step_s > MOVING_MIN_SPEED_MPS else 0.0


def _usable(lat: float, lon: float) -> bool:
    """A finite, in-range position that is not null island (0, 0); NaN fails the ranges."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (abs(lat) < NULL_ISLAND_DEG and abs(lon) < NULL_ISLAND_DEG)


def _epoch_s(time: datetime) -> float:
    """Seconds since the Unix epoch; naive times are UTC."""
    try:
        if time.tzinfo is None:
            return time.replace(tzinfo=timezone.utc).timestamp()
        return time.timestamp()
    except (ValueError, OverflowError) as exc:
        raise _bad_time(time, exc) from exc


def _utc(time: datetime) -> datetime:
    """The same instant as an aware UTC datetime; naive times are UTC."""
    try:
        if time.tzinfo is None:
            return time.replace(tzinfo=timezone.utc)
        return time.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise _bad_time(time, exc) from exc


def _bad_time(time: datetime, exc: Exception) -> IngestError:
    """The error for a timestamp whose offset or date cannot be converted to UTC."""
    return IngestError(f"a timestamp cannot be read ({_short(str(exc))}). {_RETRY}")


def _offset_s(time: datetime | None) -> int | None:
    """The explicit non-zero UTC offset a timestamp carries, in seconds, else None."""
    if time is None or time.tzinfo is None:
        return None
    try:
        offset = time.utcoffset()
    except ValueError:
        return None
    if offset is None or not offset:
        return None
    return int(offset.total_seconds())


def _ascent_m(elevations_m: list[float]) -> float | None:
    """Total climb, ignoring reversals under ASCENT_THRESHOLD_M; None without elevations."""
    if not elevations_m:
        return None
    ascent = 0.0
    low = high = elevations_m[0]
    rising: bool | None = None  # unknown until the first change of ASCENT_THRESHOLD_M
    for ele in elevations_m:
        if rising is None:
            low, high = min(low, ele), max(high, ele)
            if ele - low >= ASCENT_THRESHOLD_M:
                rising, high = True, ele
            elif high - ele >= ASCENT_THRESHOLD_M:
                rising, low = False, ele
        elif rising:
            if ele > high:
                high = ele
            elif high - ele >= ASCENT_THRESHOLD_M:
                ascent += high - low
                rising, low = False, ele
        elif ele < low:
            low = ele
        elif ele - low >= ASCENT_THRESHOLD_M:
            rising, high = True, ele
    if rising:
        ascent += high - low
    return ascent


def _compact_track(kept: list[_Kept]) -> tuple[tuple[float, float], ...]:
    """Kept points, at most one per TRACK_STEP_S (or TRACK_STEP_M untimed), last one always."""
    out: list[tuple[float, float]] = []
    last: _Kept | None = None
    for point in kept:
        if last is None or _far_enough(last, point):
            out.append((point.lat, point.lon))
            last = point
    if kept and last is not kept[-1]:
        out.append((kept[-1].lat, kept[-1].lon))
    return tuple(out)


def _far_enough(last: _Kept, point: _Kept) -> bool:
    """Whether `point` is TRACK_STEP_S after `last` (or TRACK_STEP_M along, untimed)."""
    if point.t_s is not None and last.t_s is not None:
        return abs(point.t_s - last.t_s) >= TRACK_STEP_S
    return point.distance_m - last.distance_m >= TRACK_STEP_M


def _text(value: str | None) -> str | None:
    """Stripped text, or None when blank."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _type_key(text: str) -> str:
    """`TrailRun`, `trail running`, `Trail-Running` -> `trail_run(ning)`: lower snake case."""
    snake = _CAMEL_BOUNDARY.sub("_", text.strip())
    return _SEPARATORS.sub("_", snake.lower()).strip("_")
