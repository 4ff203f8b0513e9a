"""Read GPX files: one Activity per outing, measured the way the sample generator measures.

Decisions (each a module constant below):

- Parsing streams the XML (`runwear.ingest.gpx_read`: expat, and a regular expression for
  points written the usual way): a point without a position (an eTrex logs its first
  point before the fix) is skipped, not a reason to refuse the file. gpxpy reads the same
  points, and the regular expression what expat does (differential tests keep them in step).
- Sport comes from `<trk><type>` (`sport_for_gpx_type`). A track without a type is judged by
  its movement: a median moving speed over MAX_RUN_MEDIAN_MPS (23 km/h) is a ride or a vehicle,
  and a name or description saying Ride, Cycling or Bike is a ride; otherwise it is a run
  (the running apps that omit the type, and old Strava exports, are the usual source).
- Tracks that follow each other within OUTING_GAP_S are one outing, one Activity (a handheld's
  "ACTIVE LOG" splits a walk at every power cycle); tracks further apart stay separate. The
  gap between two tracks or segments adds no distance.
- Distance is the sum of great-circle steps (`runwear.geo.haversine_m`) between kept points.
  A step faster than the sport's limit (12 m/s on foot) is a GPS jump: it is left out, and the
  next point is judged against the last good point. Five consistent points in a row after a
  jump (the watch really is somewhere else) become the new reference. When what was left
  out that way passes LEFT_OUT_NOTE_M (a vehicle, or a watch left running), a note says how
  much. Points at (0, 0) or out of range are dropped.
- Times: a point dated more than MAX_RUN_DURATION_S from the track's median time (2099 or
  1970 inside a 2024 run) is dropped; points out of time order are put in order, so moving
  time never exceeds elapsed time. Moving time sums the steps faster than 0.5 m/s and at
  most 60 s long. Tracks whose times are invented (every point at one time, or a start at
  midnight on 1 January with even steps, as route planners write) are planned routes.
- Ascent ignores reversals smaller than 3 m (`runwear.ingest.climb`); a climb that is not
  plausible (elevations off the planet's range, over 100 m per km) is unknown.
- Apple Health's workout routes carry no sport: alone they are not runs (the Apple Health
  export names the workout each belongs to).
- Safety: the prolog is checked before any parser sees the text. A DOCTYPE with an internal
  subset (where entities are declared) or an external DTD is refused, so no entity can be
  expanded or fetched. Floods of namespace declarations are refused too.
"""

from __future__ import annotations

import codecs
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import pairwise

from runwear.geo import haversine_m
from runwear.ingest.climb import ascent_m, plausible_ascent_m
from runwear.ingest.gpx_read import GpxDoc, GpxPoint, GpxTrack, read_gpx
from runwear.ingest.model import Activity, IngestError, ParsedFile
from runwear.ingest.sanity import MAX_RUN_DURATION_S
from runwear.ingest.xmlsafe import check_prolog

MAX_FOOT_SPEED_MPS = 12.0  # faster than any runner: a GPS jump
MAX_OTHER_SPEED_MPS = 40.0  # for rides, skiing and unknown sports
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "swimming"})
MAX_RUN_MEDIAN_MPS = 6.5  # an untyped track moving faster than this (23 km/h) is not a run
MIN_STEP_S = 1.0  # many files keep whole seconds: judge shorter steps as 1 s long
REANCHOR_POINTS = 5  # consistent points after a jump that make a new reference
LEFT_OUT_NOTE_M = 500.0  # jumps adding up to more than this get a line
MOVING_MIN_SPEED_MPS = 0.5
MOVING_MAX_GAP_S = 60.0
OUTING_GAP_S = 3600.0  # tracks closer than this in time are one outing
TRACK_STEP_S = 5.0  # at most one kept track point per 5 s ...
TRACK_STEP_M = 10.0  # ... or per 10 m when the points carry no time
MAX_NAMESPACE_PREFIXES = 64
NULL_ISLAND_DEG = 1e-6
YEAR_S = 365 * 86400

_RETRY = "Export the activity again"
_RIDE_WORDS = re.compile(r"\b(ride|riding|cycling|cycle|bike|biking|e-?bike)\b", re.IGNORECASE)

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


def sport_for_gpx_type(type_text: str | None) -> tuple[str, str | None]:
    """The (sport, sub_sport) in FIT names for a `<trk><type>` value; absent means running."""
    if type_text is None or not type_text.strip():
        return "running", "generic"
    key = _type_key(type_text)
    if key in _SPORTS:
        return _SPORTS[key]
    return key, None


def parse_gpx(data: bytes) -> ParsedFile:
    """Read a GPX file's bytes into one Activity per outing, or raise IngestError."""
    text = _decode(data)
    _check_root(check_prolog(text, "GPX"))
    _check_namespaces(text)
    doc = read_gpx(text)
    del text  # the points are read: the document's text is not needed while measuring them
    notes: list[str] = []
    sport_notes: list[str] = []
    activities = _activities(doc, notes, sport_notes)
    return ParsedFile(
        format="gpx",
        activities=activities,
        file_type="activity",
        notes=tuple(notes),
        sport_notes=tuple(sport_notes),
    )


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
    offset_s: int | None
    distance_m: float


class _Meter:
    """One pass over an outing's points: distance without GPS jumps, moving time, kept points."""

    def __init__(self, max_speed_mps: float) -> None:
        self.max_speed_mps = max_speed_mps
        self.points = 0  # usable points
        self.distance_m = 0.0
        self.moving_s = 0.0
        self.left_out_m = 0.0  # jumps of the reference left out (a vehicle, a glitch)
        self.kept: list[_Kept] = []
        self._segment_start = 0
        self._anchor: _Kept | None = None  # the last good point of the segment
        self._streak: list[_Kept] = []  # points refused since, each believable from the last

    def measure(self, segments: list[list[GpxPoint]]) -> _Meter:
        """Walk every segment, emptying it; the gap between segments adds nothing.

        The usual step (a believable one from the last good point) is worked out here, as
        `_step` and `_moving_s` would, without their calls: this loop runs once per point.
        """
        kept = self.kept
        limit_mps = self.max_speed_mps
        for segment in segments:
            self._segment_start = len(kept)
            self._anchor = None
            self._streak = []
            segment.reverse()
            while segment:  # each point let go once measured: memory holds one form of it
                point = segment.pop()
                lat, lon, t_s = point.lat, point.lon, point.t_s
                assert lat is not None and lon is not None
                self.points += 1
                here = _Kept(lat, lon, point.ele, t_s, point.offset_s, self.distance_m)
                anchor = self._anchor
                if anchor is None:
                    kept.append(here)
                    self._anchor = here
                    continue
                step_m = haversine_m(anchor.lat, anchor.lon, lat, lon)
                if t_s is None or anchor.t_s is None:
                    step_s = None
                else:
                    step_s = t_s - anchor.t_s
                    if not step_m <= limit_mps * max(step_s, MIN_STEP_S):
                        self._set_aside(here)
                        continue
                self.distance_m += step_m
                moving = step_s is not None and 0 < step_s <= MOVING_MAX_GAP_S
                if moving and step_m / step_s > MOVING_MIN_SPEED_MPS:
                    self.moving_s += step_s
                here.distance_m = self.distance_m
                kept.append(here)
                self._anchor = here
                if self._streak:
                    self._streak = []  # the jump was a lone glitch
        return self

    @property
    def timed(self) -> list[_Kept]:
        """The kept points with a time."""
        return [k for k in self.kept if k.t_s is not None]

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
        anchor = self._anchor
        assert anchor is not None
        if len(self.kept) - self._segment_start == 1:
            self.kept.pop()  # the segment began on the jump: drop its lone first point
        else:
            self.left_out_m += haversine_m(anchor.lat, anchor.lon, streak[0].lat, streak[0].lon)
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


@dataclass
class _Outing:
    """Tracks that make one activity: their segments of usable points, in time order."""

    tracks: list[GpxTrack]
    segments: list[list[GpxPoint]] = field(default_factory=list)

    @property
    def first_s(self) -> float | None:
        return min((p.t_s for s in self.segments for p in s if p.t_s is not None), default=None)

    @property
    def last_s(self) -> float | None:
        return max((p.t_s for s in self.segments for p in s if p.t_s is not None), default=None)


def _activities(doc: GpxDoc, notes: list[str], sport_notes: list[str]) -> tuple[Activity, ...]:
    """One Activity per outing with points; IngestError when no track makes one."""
    usable = [_Outing([t], _usable_segments(t)) for t in doc.tracks]
    usable = [o for o in usable if o.segments]
    if not usable:
        _refuse_empty(doc)
    for track in doc.tracks:
        track.segments = []  # the usable points are in the outings: the others can go
    timed = [o for o in usable if o.first_s is not None]
    if timed:
        if len(timed) < len(usable):
            n = len(usable) - len(timed)
            notes.append(
                f"{n} track{'s' if n > 1 else ''} without times beside the recorded one"
                f"{'s' if len(timed) > 1 else ''} left out (a planned course?)"
            )
        for outing in timed:
            outing.segments = _in_time_order(outing.segments)
        outings = _outings([o for o in timed if o.segments])
        _refuse_invented_times([p for o in outings for s in o.segments for p in s])
        file_start = None
    else:
        if doc.time is None:
            raise IngestError(
                "no timestamps: a route or plan, not a recorded run. "
                "Export the recorded activity instead"
            )
        outings, file_start = usable, doc.time
    activities = []
    for outing in outings:
        activity = _measure(doc, outing, file_start, notes, sport_notes)
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise IngestError(
            "the track has a single point: too short to measure a run. Export the recorded "
            "activity instead"
        )
    return tuple(activities)


def _refuse_empty(doc: GpxDoc) -> None:
    """Say why a file with no usable track point holds no run."""
    if any(seg for track in doc.tracks for seg in track.segments):
        raise IngestError(
            f"the track has no usable position (all at 0,0 or out of range). {_RETRY}"
        )
    if doc.has_routes or doc.has_waypoints:
        raise IngestError(
            "the file holds no track (only routes or waypoints): a planned route, not a "
            "recorded run. Export the recorded activity instead"
        )
    raise IngestError(
        "the file holds no track points (an indoor run without GPS?). "
        "Import the activity's FIT file instead"
    )


def _usable_segments(track: GpxTrack) -> list[list[GpxPoint]]:
    """The track's segments with only points at a usable position; empty segments dropped."""
    segments = []
    for segment in track.segments:
        kept = [p for p in segment if _usable(p.lat, p.lon)]
        if kept:
            segments.append(kept)
    return segments


def _in_time_order(segments: list[list[GpxPoint]]) -> list[list[GpxPoint]]:
    """Segments without points dated far from the track's others, each in time order."""
    times = [p.t_s for s in segments for p in s if p.t_s is not None]
    middle = statistics.median(times)
    out = []
    for segment in segments:
        kept = [p for p in segment if p.t_s is None or abs(p.t_s - middle) <= MAX_RUN_DURATION_S]
        if all(p.t_s is not None for p in kept):
            kept.sort(key=lambda p: p.t_s or 0.0)
        else:  # untimed points among timed ones: keep the order, drop points going back
            latest = float("-inf")
            ordered = []
            for p in kept:
                if p.t_s is None or p.t_s >= latest:
                    ordered.append(p)
                    latest = p.t_s if p.t_s is not None else latest
            kept = ordered
        if kept:
            out.append(kept)
    return out


def _outings(tracks: list[_Outing]) -> list[_Outing]:
    """Timed tracks joined into outings: one track starting within OUTING_GAP_S of the end
    of the one before (in time order) continues its outing."""
    ordered = sorted(tracks, key=lambda o: o.first_s or 0.0)
    outings: list[_Outing] = []
    for track in ordered:
        last = outings[-1] if outings else None
        if last is not None and (track.first_s or 0.0) - (last.last_s or 0.0) <= OUTING_GAP_S:
            last.tracks.extend(track.tracks)
            last.segments.extend(track.segments)
        else:
            outings.append(track)
    return outings


def _refuse_invented_times(points: list[GpxPoint]) -> None:
    """Refuse tracks whose times a route planner made up: one time for every point, or a
    start at midnight on 1 January with steps all of one length."""
    times = [p.t_s for p in points if p.t_s is not None]
    if len(times) < 3:
        return
    steps = {round(b - a, 3) for a, b in pairwise(times)}
    start = datetime.fromtimestamp(times[0], timezone.utc)
    new_year = (start.month, start.day, start.hour, start.minute, start.second) == (1, 1, 0, 0, 0)
    if steps == {0.0} or (new_year and len(steps) == 1):
        when = "every point has the same time" if steps == {0.0} else "its times start at "
        if steps != {0.0}:
            when += f"{start:%Y-%m-%d %H:%M} in even steps"
        raise IngestError(
            f"a planned route, not a recorded run ({when}, as route planners write). "
            "Export the recorded activity instead"
        )


def _sport(doc: GpxDoc, outing: _Outing, notes: list[str]) -> tuple[str, str | None]:
    """The outing's sport: its type; without one, a ride by its words or its speed, else a run."""
    typed = next((t.type for t in outing.tracks if t.type), None)
    if typed is not None:
        return sport_for_gpx_type(typed)
    if doc.creator and "apple health" in doc.creator.lower():
        notes.append(
            "an Apple Health workout route, which does not say what the workout was. Import "
            "the whole Apple Health export (export.zip) instead"
        )
        return "generic", None
    words = [t.name for t in outing.tracks] + [t.desc for t in outing.tracks]
    words += [doc.name, doc.desc]
    ride = next((w for w in words if w and _RIDE_WORDS.search(w)), None)
    if ride is not None:
        notes.append(f"a ride by its name ({_short(ride, 40)!r})")
        return "cycling", "generic"
    speeds = []
    for segment in outing.segments:
        for a, b in pairwise(segment):
            if a.t_s is None or b.t_s is None or not 0 < b.t_s - a.t_s <= MOVING_MAX_GAP_S:
                continue
            assert a.lat is not None and a.lon is not None and b.lat is not None
            assert b.lon is not None
            speed = haversine_m(a.lat, a.lon, b.lat, b.lon) / (b.t_s - a.t_s)
            if speed > MOVING_MIN_SPEED_MPS:
                speeds.append(speed)
    if speeds and statistics.median(speeds) > MAX_RUN_MEDIAN_MPS:
        kmh = statistics.median(speeds) * 3.6
        notes.append(f"a ride or a vehicle by its speed (median {kmh:.1f} km/h)")
        return "cycling", "generic"
    return "running", "generic"


def _measure(
    doc: GpxDoc,
    outing: _Outing,
    file_start: tuple[float, int | None] | None,
    notes: list[str],
    sport_notes: list[str],
) -> Activity | None:
    """The Activity of one outing; None for a lone point."""
    sport, sub_sport = _sport(doc, outing, sport_notes)
    limit = MAX_FOOT_SPEED_MPS if sport in FOOT_SPORTS else MAX_OTHER_SPEED_MPS
    m = _Meter(limit).measure(outing.segments)
    if m.points < 2:
        return None
    timed = m.timed
    if timed:
        first = min(timed, key=lambda k: k.t_s or 0.0)
        start_s, offset_s = first.t_s, first.offset_s
    else:
        assert file_start is not None
        start_s, offset_s = file_start
    assert start_s is not None
    duration_s = None
    if len(timed) >= 1:
        duration_s = max(k.t_s or 0.0 for k in timed) - start_s
    if m.left_out_m > LEFT_OUT_NOTE_M:
        notes.append(
            f"left out {m.left_out_m / 1000:.1f} km of the track covered faster than "
            f"{limit * 3.6:.0f} km/h (a vehicle, or the watch left running)"
        )
    elevations = [k.ele for k in m.kept if k.ele is not None]
    names = [t.name for t in outing.tracks if t.name]
    return Activity(
        started_at=datetime.fromtimestamp(start_s, timezone.utc),
        sport=sport,
        sub_sport=sub_sport,
        distance_m=m.distance_m,
        duration_s=duration_s,
        moving_s=min(m.moving_s, duration_s) if duration_s is not None else None,
        ascent_m=plausible_ascent_m(ascent_m(elevations), m.distance_m, elevations),
        name=names[0] if names else doc.name,
        device=doc.creator,
        utc_offset_s=offset_s or None,
        track=_compact_track(m.kept),
        timeline=_timeline(timed, start_s),
    )


def _moving_s(step_m: float, step_s: float | None) -> float:
    """The step's time when it counts as moving (fast enough, no pause), else 0."""
    if step_s is None or step_s <= 0 or step_s > MOVING_MAX_GAP_S:
        return 0.0
    return step_s if step_m / step_s > MOVING_MIN_SPEED_MPS else 0.0


def _usable(lat: float | None, lon: float | None) -> bool:
    """A finite, in-range position that is not null island (0, 0)."""
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (abs(lat) < NULL_ISLAND_DEG and abs(lon) < NULL_ISLAND_DEG)


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


def _timeline(timed: list[_Kept], start_s: float) -> tuple[tuple[float, float], ...]:
    """(seconds since the start, metres so far) at most once per TRACK_STEP_S, last always."""
    out: list[tuple[float, float]] = []
    next_s = float("-inf")
    for point in timed:
        assert point.t_s is not None
        if point.t_s >= next_s:
            out.append((point.t_s - start_s, point.distance_m))
            next_s = point.t_s + TRACK_STEP_S
    if timed and out[-1][0] != (timed[-1].t_s or 0.0) - start_s:
        out.append(((timed[-1].t_s or 0.0) - start_s, timed[-1].distance_m))
    return tuple(out)


def _far_enough(last: _Kept, point: _Kept) -> bool:
    """Whether `point` is TRACK_STEP_S after `last` (or TRACK_STEP_M along, untimed)."""
    if point.t_s is not None and last.t_s is not None:
        return abs(point.t_s - last.t_s) >= TRACK_STEP_S
    return point.distance_m - last.distance_m >= TRACK_STEP_M


def _type_key(text: str) -> str:
    """`TrailRun`, `trail running`, `Trail-Running` -> `trail_run(ning)`: lower snake case."""
    snake = _CAMEL_BOUNDARY.sub("_", text.strip())
    return _SEPARATORS.sub("_", snake.lower()).strip("_")
