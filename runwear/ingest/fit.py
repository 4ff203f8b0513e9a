"""Read FIT files: one Activity per session, with sport, distance, times, track, laps, cadence.

Decoding is runwear's own (`fit_decode`, linear in the file); this module turns the
messages into Activities. Decisions worth knowing when a figure looks wrong:

- distance_m is the session's `total_distance`; without it, the record `distance` reached
  inside the session's time span (less the distance already counted before the span, for
  devices that keep counting across multisport sessions); without that, the length of the
  track; without a track, 0.0. Old devices' records carry `compressed_speed_distance`
  instead: its 12-bit distance is accumulated as the FIT profile says.
- A file with records but no session (a recording cut short) gives one Activity built from
  the records. Its sport comes from the `sport` message, else a lap's sport, else "generic":
  runwear does not guess "running", so an unlabelled file never adds mileage to a shoe.
- Sessions of one file that overlap in time by more than half of the shorter one are one
  outing recorded twice (or a corrupt file repeating it): the longest by distance is kept
  (the first of equals), so its kilometres count once. Back-to-back multisport sessions
  (which may share a second) stay separate.
- Times are FIT date_times: seconds since 1989-12-31T00:00Z. Old devices (Forerunner 70)
  write values below 0x10000000, which the FIT profile defines as seconds since the device
  was switched on; they are read on the same FIT epoch, so such runs land in 1990.
- The track keeps one (lat, lon) point every TRACK_STEP_S seconds, plus the last point;
  a length measured on the track uses every point. The timeline is thinned the same way.
  (Thinning takes the records in time order: they are sorted first.)
- cadence_spm (running sessions only, steps per minute): the median over the session's
  records with a cadence above 0 (standing still is left out) of 2 x (cadence +
  fractional_cadence / 128); else the session's 2 x (avg_cadence + avg_fractional_cadence);
  else None, never 0.
- Laps belong to the session whose time span holds their start; start_s counts from the
  session's start; intensity is the FIT name (active, rest, warmup, cooldown, ...).
- device is "manufacturer product" with the FIT profile's names ("garmin fenix5"); the
  profile names products of Garmin-made devices only, so others are the maker alone
  ("coros"), and an unknown maker stays its number.
- A hostile file can declare any field with any base type: a figure that is not a finite
  number (NaN, infinity) counts as absent, and a time no calendar holds refuses the file.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import islice, pairwise, repeat
from operator import and_, lshift, lt, or_
from statistics import median
from typing import Any

from runwear.geo import path_length_m
from runwear.ingest import fit_profile
from runwear.ingest.fit_decode import (
    HEADER_CRC,
    Batch,
    FitBadHeader,
    FitCrcMismatch,
    FitDecodeError,
    FitTruncated,
    Wanted,
    column_holds,
    read_messages,
)
from runwear.ingest.model import Activity, IngestError, Lap, ParsedFile

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)  # FIT date_time 0 (Unix 631065600)
SEMICIRCLE_DEG = 180.0 / 2**31  # degrees per semicircle
TRACK_STEP_S = 5  # keep one track point every 5 seconds
MAX_UTC_OFFSET_S = 14 * 3600  # local_timestamp further than this from UTC is not a time zone
OFFSET_STEP_S = 15 * 60  # time zones move in quarter hours
# fitparse's profile (FIT SDK 20.8) predates these makers' numbers (see FORMATS.md).
MANUFACTURERS = {**fit_profile.MANUFACTURERS, 294: "coros"}
GARMIN_MADE = frozenset({1, 13, 15})  # garmin, dynastream_oem, dynastream: garmin_product
SAME_OUTING_SHARE = 0.5  # sessions overlapping by more than this share of the shorter one
NAN = float("nan")
MERGED_RUNS = 1024  # records in fewer time-ordered runs than this are merged, more are sorted
NO_POSITION = 2**31 - 1  # sint32's invalid value: a record without a (valid) position
_INT32 = -(2**31)

# The messages and fields runwear reads: global number -> (name, {field: (key, scale)}).
WANTED: Wanted = {
    0: ("file_id", {0: ("type", None), 1: ("manufacturer", None), 2: ("product", None)}),
    12: ("sport", {0: ("sport", None), 1: ("sub_sport", None), 3: ("name", None)}),
    18: (
        "session",
        {
            253: ("timestamp", None),
            2: ("start_time", None),
            5: ("sport", None),
            6: ("sub_sport", None),
            7: ("total_elapsed_time", 1000),
            8: ("total_timer_time", 1000),
            9: ("total_distance", 100),
            18: ("avg_cadence", None),
            22: ("total_ascent", None),
            92: ("avg_fractional_cadence", 128),
            110: ("sport_profile_name", None),
        },
    ),
    19: (
        "lap",
        {
            253: ("timestamp", None),
            2: ("start_time", None),
            7: ("total_elapsed_time", 1000),
            8: ("total_timer_time", 1000),
            9: ("total_distance", 100),
            23: ("intensity", None),
            25: ("sport", None),
        },
    ),
    20: (
        "record",
        {
            253: ("timestamp", None),
            0: ("position_lat", None),
            1: ("position_long", None),
            4: ("cadence", None),
            5: ("distance", 100),
            8: ("compressed_speed_distance", None),
            53: ("fractional_cadence", 128),
        },
    ),
    34: ("activity", {253: ("timestamp", None), 5: ("local_timestamp", None)}),
}
BATCHED = frozenset({"record"})  # read as columns, a run of records at a time


@dataclass
class _Records:
    """The records of a file as columns (NaN: absent), in time order once `sort` ran."""

    time_s: array = field(default_factory=lambda: array("q"))
    lat: array = field(default_factory=lambda: array("i"))  # semicircles, or NO_POSITION
    lon: array = field(default_factory=lambda: array("i"))
    distance_m: array = field(default_factory=lambda: array("d"))
    cadence_spm: array = field(default_factory=lambda: array("d"))  # steps/min, both feet
    _compressed_m: int = 0  # compressed_speed_distance accumulator, 1/16 m

    def add(self, values: dict[str, Any]) -> None:
        """Append one record message; one without an integer timestamp cannot be placed."""
        time_s = values.get("timestamp")
        if type(time_s) is not int or not -(2**31) <= time_s < 2**32:  # a 32-bit date_time
            return
        self.time_s.append(time_s)
        lat, lon = values.get("position_lat"), values.get("position_long")
        both = type(lat) is int and type(lon) is int
        if both and _INT32 <= lat < NO_POSITION and _INT32 <= lon < NO_POSITION:
            self.lat.append(lat)
            self.lon.append(lon)
        else:
            self.lat.append(NO_POSITION)
            self.lon.append(NO_POSITION)
        distance_m = values.get("distance")
        if type(distance_m) is not float or distance_m - distance_m != 0.0:  # NaN, inf
            distance_m = _num(distance_m)
            packed = values.get("compressed_speed_distance")
            if distance_m is None and type(packed) is bytes and len(packed) >= 3:
                distance_m = self._accumulate(packed)
        self.distance_m.append(NAN if distance_m is None else distance_m)
        cadence = values.get("cadence")
        if cadence is None or (cadence := _num(cadence)) is None:
            self.cadence_spm.append(NAN)
        else:
            fraction = _num(values.get("fractional_cadence")) or 0.0
            self.cadence_spm.append(2 * (cadence + fraction))

    def add_batch(self, batch: Batch) -> None:
        """Append a run of record messages, as `add` would one by one.

        The columns are taken whole when every time is a 32-bit int, positions and
        distances have a plain type and no record needs compressed_speed_distance; any
        other run goes through `add` a record at a time.
        """
        columns, count = batch.columns, batch.count
        times = columns.get("timestamp")
        distances = _plain(columns.get("distance"), float)
        cadences = _plain(columns.get("cadence"), int)
        fractions = _plain(columns.get("fractional_cadence"), float)
        packed = columns.get("compressed_speed_distance")
        if (
            times is None
            or not _date_times(times)
            or distances is None
            or cadences is None
            or fractions is None
            or (packed is not None and packed.count(None) < count)
        ):
            for values in batch.rows():
                self.add(values)
            return
        _extend(self.time_s, times)
        lats, lons = _batch_positions(
            columns.get("position_lat"), columns.get("position_long"), count
        )
        _extend(self.lat, lats)
        _extend(self.lon, lons)
        if not distances:
            self.distance_m.extend(array("d", [NAN]) * count)
        elif type(distances) is not array and None in distances:
            self.distance_m.extend([NAN if d is None else d for d in distances])
        else:
            _extend(self.distance_m, distances)
        if not cadences or cadences.count(None) == count:
            self.cadence_spm.extend(array("d", [NAN]) * count)
        else:
            if not fractions:
                fractions = [None] * count
            self.cadence_spm.extend(
                [
                    NAN if c is None else 2 * (c + (0.0 if f is None else f))
                    for c, f in zip(cadences, fractions, strict=True)
                ]
            )

    def _accumulate(self, packed: bytes) -> float:
        """The distance (m) of a compressed_speed_distance field: 12 bits of 1/16 m, rolling."""
        raw = (packed[1] >> 4) | (packed[2] << 4)
        total = raw + (self._compressed_m & ~0xFFF)
        if raw < self._compressed_m & 0xFFF:
            total += 0x1000
        self._compressed_m = total
        return total / 16

    def sort(self) -> None:
        """Put the records in time order (stable), unless they already are.

        Chained files and multisport devices give a few runs already in order: they are
        merged, so memory stays near two copies of the columns. Many runs are sorted.
        """
        times = self.time_s
        if not any(map(lt, islice(times, 1, None), times)):
            return
        breaks = [i for i in range(1, len(times)) if times[i] < times[i - 1]]
        if len(breaks) < MERGED_RUNS:
            # Each record is one int, time << shift | index: merged as (time, index) pairs
            # would be, by C-level iterators rather than a generator per run.
            shift = len(times).bit_length()
            bounds = [0, *breaks, len(times)]
            runs = (
                map(or_, map(lshift, times[lo:hi], repeat(shift)), range(lo, hi))
                for lo, hi in pairwise(bounds)
            )
            order = array("q", map(and_, heapq.merge(*runs), repeat((1 << shift) - 1)))
        else:
            order = array("q", sorted(range(len(times)), key=times.__getitem__))
        for name in ("time_s", "lat", "lon", "distance_m", "cadence_spm"):
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, map(column.__getitem__, order)))

    def distances_before(self, indexes: Iterable[int]) -> dict[int, float]:
        """For each index i asked, the last valid distance of the records before i (NaN: none)."""
        out: dict[int, float] = {}
        last, position = NAN, 0
        distances = self.distance_m
        for index in sorted(set(indexes)):
            for distance_m in distances[position:index]:
                if distance_m == distance_m:
                    last = distance_m
            position = max(position, index)
            out[index] = last
        return out


def _date_times(times: Sequence[Any]) -> bool:
    """True when every time of a batch column is an int that a 32-bit date_time holds."""
    if type(times) is array and times.typecode in "iI":  # valid 32-bit values, none absent
        return True
    return (
        None not in times and type(times[0]) is int and -(2**31) <= min(times) <= max(times) < 2**32
    )


def _extend(column: array, values: Sequence[Any]) -> None:
    """Append values to an array column (an array of another typecode too)."""
    if type(values) is array and values.typecode != column.typecode:
        column.fromlist(values.tolist())
    else:
        column.extend(values)


def _plain(column: Sequence[Any] | None, kind: type) -> Sequence[Any] | None:
    """A batch column if `add` would take its values as they are, () if it has none.

    None when its values are of another type than `kind`, or floats that are not finite.
    """
    if column is None:
        return ()
    if type(column) is array:  # every value valid and finite
        return column if (column.typecode in "fd") == (kind is float) else None
    present = [v for v in column if v is not None] if None in column else column
    if not present:
        return ()
    if type(present[0]) is not kind:
        return None
    total = sum(present)
    if kind is float and total - total != 0.0:  # an infinity (or NaN) among them
        return None
    return column


def _batch_positions(
    lats: Sequence[Any] | None, lons: Sequence[Any] | None, count: int
) -> tuple[Sequence[int], Sequence[int]]:
    """The lat and lon columns of `count` records as `add` keeps them.

    Both are NO_POSITION where either is absent, not an int, or outside sint32's valid range.
    """
    if lats is None or lons is None:
        nowhere = array("i", [NO_POSITION]) * count
        return nowhere, nowhere
    if type(lats) is array and type(lons) is array and lats.typecode == lons.typecode == "i":
        return lats, lons  # sint32 values, none of them the invalid one
    if (
        None not in lats
        and None not in lons
        and type(lats[0]) is int
        and type(lons[0]) is int
        and _INT32 <= min(lats) <= max(lats) < NO_POSITION
        and _INT32 <= min(lons) <= max(lons) < NO_POSITION
    ):
        return lats, lons
    valid = [
        type(lat) is int
        and type(lon) is int
        and _INT32 <= lat < NO_POSITION
        and _INT32 <= lon < NO_POSITION
        for lat, lon in zip(lats, lons, strict=True)
    ]
    return (
        [lat if ok else NO_POSITION for lat, ok in zip(lats, valid, strict=True)],
        [lon if ok else NO_POSITION for lon, ok in zip(lons, valid, strict=True)],
    )


@dataclass
class _Contents:
    """What one pass over a FIT file's messages keeps."""

    file_type: str | None = None
    device: str | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    records: _Records = field(default_factory=_Records)
    sport: dict[str, Any] | None = None  # the first `sport` message
    lap_sport: str | None = None
    utc_offset_s: int | None = None


@dataclass
class _Span:
    """The records of one session: indexes [lo, hi) and the distance counted before them."""

    lo: int
    hi: int
    before_m: float  # NaN: no distance before the span


def parse_fit(data: bytes) -> ParsedFile:
    """Read a FIT file's bytes into its file type and one Activity per session."""
    if not data:
        raise IngestError("empty file. Check the export finished and pick the .fit file again")
    if len(data) < 12 or data[8:12] != b".FIT":
        raise IngestError("not a FIT file (bad header). Check the file is a FIT export")
    try:
        contents = _read(data)
    except FitDecodeError as exc:
        raise IngestError(_describe(exc, len(data))) from exc
    records = contents.records
    has_data = bool(contents.sessions or len(records.time_s))
    file_type = contents.file_type or ("activity" if has_data else "unknown")
    if file_type != "activity":
        return ParsedFile(format="fit", activities=(), file_type=file_type)
    records.sort()
    if contents.sessions:
        spans = [
            _session_span(session, number) for number, session in enumerate(contents.sessions, 1)
        ]
        kept = _one_per_outing(contents.sessions, spans)
        bounds = {i: _bounds(records, spans[i]) for i in kept}
        before = records.distances_before(lo for lo, _ in bounds.values())
        laps = sorted((lap for lap in map(_lap, contents.laps) if lap is not None), key=_lap_start)
        activities = tuple(
            _session_activity(
                contents.sessions[i],
                spans[i],
                _record_span(records, *bounds[i], before[bounds[i][0]]),
                laps,
                contents,
            )
            for i in kept
        )
    else:
        activities = _records_activity(records, contents)
    return ParsedFile(format="fit", activities=activities, file_type=file_type)


def _read(data: bytes) -> _Contents:
    """One pass over the messages (all chained FIT files), keeping what runwear uses."""
    out = _Contents()
    add_record, add_records = out.records.add, out.records.add_batch
    for name, values in read_messages(data, WANTED, BATCHED):
        if type(values) is Batch:
            add_records(values)
        elif name == "record":
            add_record(values)
        elif name == "lap":
            out.laps.append(values)
            if out.lap_sport is None:
                out.lap_sport = _enum_name(fit_profile.SPORTS, values.get("sport"))
        elif name == "session":
            out.sessions.append(values)
        elif name == "file_id" and out.file_type is None:
            out.file_type = _enum_name(fit_profile.FILE_TYPES, values.get("type"))
            out.device = _device(values)
        elif name == "activity":
            out.utc_offset_s = _utc_offset_s(values.get("local_timestamp"), values.get("timestamp"))
        elif name == "sport" and out.sport is None:
            out.sport = values
    return out


def _describe(exc: FitDecodeError, size_bytes: int) -> str:
    """The IngestError message for a decoding error: what is wrong, what to do."""
    again = "Export the activity again from the watch or app"
    if isinstance(exc, FitTruncated):
        return f"truncated FIT file (ended after {size_bytes} bytes). {again}"
    if isinstance(exc, FitCrcMismatch):
        part = "FIT file header" if str(exc) == HEADER_CRC else "FIT file"
        return f"{part} fails its CRC check (corrupted). {again}"
    if isinstance(exc, FitBadHeader):
        return f"corrupt FIT file (bad header inside the file). {again}"
    return (
        f"corrupt FIT file ({exc}: bytes lost or changed, e.g. by a text-mode copy). "
        "Export it again, or export the activity as GPX instead"
    )


def _session_span(session: dict[str, Any], number: int) -> tuple[int, int | None]:
    """(start_s, end_s) of a session message; end_s None when it cannot be known."""
    start_s = _int(session.get("start_time"))
    end_s = _int(session.get("timestamp"))
    elapsed_s = _num(session.get("total_elapsed_time"))
    if start_s is None and end_s is not None and elapsed_s is not None:
        start_s = end_s - round(elapsed_s)
    if start_s is None:
        raise IngestError(
            f"FIT session {number} has no start time (incomplete file). "
            "Export the activity again from the watch or app"
        )
    if (end_s is None or end_s < start_s) and elapsed_s is not None:
        end_s = start_s + round(elapsed_s)
    if end_s is not None and end_s < start_s:
        end_s = None
    return start_s, end_s


def _one_per_outing(
    sessions: list[dict[str, Any]], spans: list[tuple[int, int | None]]
) -> list[int]:
    """Indexes of the sessions to keep, in file order: one of each group that overlaps.

    Sessions are taken by start time; each is compared only with the kept ones that have
    not ended by its start, so many sessions one after the other cost little.
    """
    kept: set[int] = set()
    open_: list[int] = []  # kept sessions that may still overlap a later start
    for index in sorted(range(len(spans)), key=lambda i: spans[i][0]):
        start_s = spans[index][0]
        open_ = [k for k in open_ if (spans[k][1] or 0) > start_s]
        rival = next((k for k in open_ if _same_outing(spans[k], spans[index])), None)
        if rival is None:
            kept.add(index)
            open_.append(index)
        elif _size(sessions[index]) > _size(sessions[rival]):
            kept.discard(rival)
            kept.add(index)
            open_[open_.index(rival)] = index
    return sorted(kept)


def _same_outing(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """True when two sessions' spans overlap by more than SAME_OUTING_SHARE of the shorter."""
    if a[1] is None or b[1] is None:
        return False
    overlap_s = min(a[1], b[1]) - max(a[0], b[0])
    shorter_s = min(a[1] - a[0], b[1] - b[0])
    return overlap_s > 0 and overlap_s > SAME_OUTING_SHARE * shorter_s


def _size(session: dict[str, Any]) -> tuple[float, float]:
    """How much a session holds: (distance, elapsed time), the larger the better."""
    distance_m = _num(session.get("total_distance"))
    elapsed_s = _num(session.get("total_elapsed_time"))
    return (distance_m or 0.0, elapsed_s or 0.0)


def _bounds(records: _Records, span_s: tuple[int, int | None]) -> tuple[int, int]:
    """The indexes [lo, hi) of the records inside a session's time span."""
    start_s, end_s = span_s
    times = records.time_s
    lo = bisect_left(times, start_s)
    hi = bisect_right(times, end_s) if end_s is not None else len(times)
    return lo, hi


def _session_activity(
    session: dict[str, Any],
    span_s: tuple[int, int | None],
    span: _Span,
    laps: list[tuple[int, Lap]],
    contents: _Contents,
) -> Activity:
    """The Activity of one session message, with the records inside its time span."""
    records = contents.records
    lo, hi = span.lo, span.hi
    start_s, end_s = span_s
    distance_m = _num(session.get("total_distance"))
    if distance_m is None:
        distance_m = _record_distance_m(records, span)
    if distance_m is None:
        distance_m = path_length_m(point for _, point in _positions(records, lo, hi))
    sport = _enum_name(fit_profile.SPORTS, session.get("sport")) or _fallback_sport(contents)
    return Activity(
        started_at=_datetime(start_s),
        sport=sport,
        sub_sport=_enum_name(fit_profile.SUB_SPORTS, session.get("sub_sport")) or "generic",
        distance_m=distance_m,
        duration_s=_num(session.get("total_elapsed_time")),
        moving_s=_num(session.get("total_timer_time")),
        ascent_m=_num(session.get("total_ascent")),
        name=_text(session.get("sport_profile_name")),
        device=contents.device,
        utc_offset_s=contents.utc_offset_s,
        track=_track(records, lo, hi),
        cadence_spm=_cadence_spm(session, records, span) if sport == "running" else None,
        laps=_session_laps(laps, start_s, end_s),
        timeline=_timeline(records, span, start_s),
    )


def _records_activity(records: _Records, contents: _Contents) -> tuple[Activity, ...]:
    """The one Activity of a file with records but no session; none without timestamps."""
    count = len(records.time_s)
    if not count:
        return ()
    sport_message = contents.sport or {}
    span = _Span(0, count, NAN)
    distance_m = _record_distance_m(records, span)
    if distance_m is None:
        distance_m = path_length_m(point for _, point in _positions(records, 0, count))
    start_s = records.time_s[0]
    sport = _fallback_sport(contents)
    activity = Activity(
        started_at=_datetime(start_s),
        sport=sport,
        sub_sport=_enum_name(fit_profile.SUB_SPORTS, sport_message.get("sub_sport")) or "generic",
        distance_m=distance_m,
        duration_s=float(records.time_s[-1] - start_s),
        name=_text(sport_message.get("name")),
        device=contents.device,
        utc_offset_s=contents.utc_offset_s,
        track=_track(records, 0, count),
        cadence_spm=_cadence_spm({}, records, span) if sport == "running" else None,
        timeline=_timeline(records, span, start_s),
    )
    return (activity,)


def _fallback_sport(contents: _Contents) -> str:
    """The sport when a session does not say: the `sport` message's, a lap's, or generic."""
    named = _enum_name(fit_profile.SPORTS, (contents.sport or {}).get("sport"))
    return named or contents.lap_sport or "generic"


def _positions(records: _Records, lo: int, hi: int) -> Iterator[tuple[int, tuple[float, float]]]:
    """(index, (lat, lon)) of records[lo:hi] that carry a valid position, in degrees."""
    lats, lons = records.lat, records.lon
    for i in range(lo, hi):
        lat = lats[i]
        if lat == NO_POSITION:
            continue
        lat_deg, lon_deg = lat * SEMICIRCLE_DEG, lons[i] * SEMICIRCLE_DEG
        if -90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0:
            yield i, (lat_deg, lon_deg)


def _track(records: _Records, lo: int, hi: int) -> tuple[tuple[float, float], ...]:
    """The (lat, lon) track of records[lo:hi] in degrees, thinned (see `_thinned`)."""
    lats, lons = records.lat, records.lon
    some_lat = lats[lo:hi]
    if (
        some_lat
        and not column_holds(some_lat, NO_POSITION)
        and min(some_lat) * SEMICIRCLE_DEG >= -90.0
        and max(some_lat) * SEMICIRCLE_DEG <= 90.0
    ):  # every record has a valid position: degrees grow with semicircles, and any sint32
        # longitude is within [-180, 180) degrees
        where: Sequence[int] = range(lo, hi)
        times: Sequence[int] = records.time_s[lo:hi]
    else:
        where = [i for i, _ in _positions(records, lo, hi)]
        times = [records.time_s[i] for i in where]
    return tuple(
        (lats[i] * SEMICIRCLE_DEG, lons[i] * SEMICIRCLE_DEG)
        for i in map(where.__getitem__, _thinned(times))
    )


def _thinned(times: Sequence[int]) -> list[int]:
    """Which points to keep, by index, of points at these times in time order.

    One every TRACK_STEP_S seconds (the first at or after the last kept plus the step, found
    by bisection), and the last point.
    """
    kept: list[int] = []
    count = len(times)
    index = 0
    while index < count:
        kept.append(index)
        index = bisect_left(times, times[index] + TRACK_STEP_S, index + 1)
    if kept and kept[-1] != count - 1:
        kept.append(count - 1)
    return kept


def _record_span(records: _Records, lo: int, hi: int, previous_m: float) -> _Span:
    """The span of records[lo:hi], with the distance counted before it when it continues it.

    Devices either restart the count at each multisport session or keep counting: when the
    first distance in the span continues the last one before it (previous_m), that earlier
    part is not this session's.
    """
    distances = records.distance_m
    first = next((distances[i] for i in range(lo, hi) if distances[i] == distances[i]), NAN)
    return _Span(lo, hi, previous_m if first >= previous_m else NAN)


def _record_distance_m(records: _Records, span: _Span) -> float | None:
    """Distance covered by a span's records according to their cumulative `distance` field.

    The maximum, not the last value, is taken, as the record closing a session can already
    belong to the next one.
    """
    inside = [d for d in records.distance_m[span.lo : span.hi] if d == d]
    if not inside:
        return None
    if span.before_m == span.before_m:
        return float(max(inside) - span.before_m)
    return float(max(inside))


def _timeline(records: _Records, span: _Span, start_s: int) -> tuple[tuple[float, float], ...]:
    """(seconds since start_s, metres so far) of the span's records, thinned like the track."""
    offset_m = span.before_m if span.before_m == span.before_m else 0.0
    times, distances = records.time_s, records.distance_m
    total_m = sum(distances[span.lo : span.hi])
    if total_m == total_m:  # no NaN: every record has a distance
        where: Sequence[int] = range(span.lo, span.hi)
        some_times: Sequence[int] = times[span.lo : span.hi]
    else:
        where = [i for i in range(span.lo, span.hi) if distances[i] == distances[i]]
        some_times = [times[i] for i in where]
    return tuple(
        (float(times[i] - start_s), distances[i] - offset_m)
        for i in map(where.__getitem__, _thinned(some_times))
    )


def _cadence_spm(session: dict[str, Any], records: _Records, span: _Span) -> float | None:
    """Running cadence in steps/min: the records' median, else the session average, else None."""
    moving = [c for c in records.cadence_spm[span.lo : span.hi] if c > 0]
    if moving:
        return float(median(moving))
    average = _num(session.get("avg_cadence"))
    if average is None or average <= 0:
        return None
    return 2 * (average + (_num(session.get("avg_fractional_cadence")) or 0.0))


def _lap(values: dict[str, Any]) -> tuple[int, Lap] | None:
    """(start time in FIT seconds, Lap with start_s 0) of a lap message; None without a time."""
    start_s = _int(values.get("start_time"))
    elapsed_s = _num(values.get("total_elapsed_time"))
    end_s = _int(values.get("timestamp"))
    if start_s is None and end_s is not None and elapsed_s is not None:
        start_s = end_s - round(elapsed_s)
    if start_s is None:
        return None
    lap = Lap(
        start_s=0.0,
        duration_s=_num(values.get("total_timer_time")),
        distance_m=_num(values.get("total_distance")),
        intensity=_enum_name(fit_profile.INTENSITIES, values.get("intensity")),
    )
    return start_s, lap


def _lap_start(lap: tuple[int, Lap]) -> int:
    """A lap's start time, the sort key of laps."""
    return lap[0]


def _session_laps(laps: list[tuple[int, Lap]], start_s: int, end_s: int | None) -> tuple[Lap, ...]:
    """The laps that start inside a session's span, start_s counted from the session start."""
    lo = bisect_left(laps, start_s, key=_lap_start)
    hi = bisect_left(laps, end_s, key=_lap_start) if end_s is not None else len(laps)
    return tuple(
        Lap(float(lap_start - start_s), lap.duration_s, lap.distance_m, lap.intensity)
        for lap_start, lap in laps[lo:hi]
    )


def _device(file_id: dict[str, Any]) -> str | None:
    """The device as "manufacturer product" from a file_id message ("garmin fenix5"), or None."""
    manufacturer = file_id.get("manufacturer")
    maker = _enum_name(MANUFACTURERS, manufacturer)
    model = None
    if manufacturer in GARMIN_MADE:
        model = _enum_name(fit_profile.GARMIN_PRODUCTS, file_id.get("product"))
    return " ".join(p for p in (maker, model) if p) or None


def _utc_offset_s(local_s: Any, utc_s: Any) -> int | None:
    """Local time minus UTC from an activity message, to the quarter hour, when plausible."""
    if not _is_int(local_s) or not _is_int(utc_s):
        return None
    offset_s = round((local_s - utc_s) / OFFSET_STEP_S) * OFFSET_STEP_S
    return offset_s if abs(offset_s) <= MAX_UTC_OFFSET_S else None


def _datetime(fit_s: int) -> datetime:
    """A FIT date_time (seconds since 1989-12-31T00:00Z) as an aware UTC datetime."""
    try:
        return FIT_EPOCH + timedelta(seconds=fit_s)
    except OverflowError as exc:
        raise IngestError(
            f"a FIT time is out of any calendar ({fit_s} s after 1989-12-31): a corrupted file. "
            "Export the activity again from the watch or app"
        ) from exc


def _enum_name(table: dict[int, str], value: Any) -> str | None:
    """An enum's FIT profile name, the number as text when the profile has none; None if absent."""
    if value is None or value == "":
        return None
    if _is_int(value):
        return table.get(value, str(value))
    return str(value)


def _text(value: Any) -> str | None:
    """A string field without padding; None when absent or blank."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _is_int(value: Any) -> bool:
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _num(value: Any) -> float | None:
    """A numeric field as float; None when absent, not a number, or not finite (NaN, inf)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _int(value: Any) -> int | None:
    """A FIT date_time field as int seconds; None when absent."""
    return value if _is_int(value) else None
