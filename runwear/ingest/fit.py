"""Read FIT files with fitparse: one Activity per session, with sport, distance, times and track.

Decisions worth knowing when a figure looks wrong:

- distance_m is the session's `total_distance`; without it, the record `distance` reached
  inside the session's time span (less the distance already counted before the span, for
  devices that keep counting across multisport sessions); without that, the length of the
  track; without a track, 0.0.
- A file with records but no session (a recording cut short) gives one Activity built from
  the records. Its sport comes from the `sport` message, else a lap's sport, else "generic":
  runwear does not guess "running", so an unlabelled file never adds mileage to a shoe.
- Times are FIT date_times: seconds since 1989-12-31T00:00Z. Old devices (Forerunner 70)
  write values below 0x10000000, which the FIT profile defines as seconds since the device
  was switched on; they are read on the same FIT epoch, so such runs land in 1990.
- The track keeps one (lat, lon) point every TRACK_STEP_S seconds, plus the last point;
  a length measured on the track uses every point.
- A hostile file can declare any field with any base type: a figure that is not a finite
  number (NaN, infinity) counts as absent, and a time no calendar holds refuses the file.
"""

from __future__ import annotations

import io
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import fitparse
from fitparse.processors import FitFileDataProcessor
from fitparse.records import Crc
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError

from runwear.geo import path_length_m
from runwear.ingest.model import Activity, IngestError, ParsedFile

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)  # FIT date_time 0 (Unix 631065600)
SEMICIRCLE_DEG = 180.0 / 2**31  # degrees per semicircle
TRACK_STEP_S = 5  # keep one track point every 5 seconds
MAX_UTC_OFFSET_S = 14 * 3600  # local_timestamp further than this from UTC is not a time zone
OFFSET_STEP_S = 15 * 60  # time zones move in quarter hours

# One record, compactly: (timestamp_s, lat_semicircles, lon_semicircles, distance_m).
_Record = tuple[int, Any, Any, Any]


class _RawValues(FitFileDataProcessor):
    """fitparse's data processor with its hooks off: dates stay FIT seconds, fields stay raw.

    The default processor turns some date_times into naive datetimes and leaves others as
    ints, and looks up three hook methods per field, which costs about 40% of parse time.
    """

    def run_type_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_field_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_unit_processor(self, field_data: Any) -> None:
        """Leave the value as fitparse decoded it."""

    def run_message_processor(self, data_message: Any) -> None:
        """Leave the message as fitparse decoded it."""


@dataclass
class _Contents:
    """What one pass over a FIT file's messages keeps."""

    file_type: str | None = None
    device: str | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    records: list[_Record] = field(default_factory=list)
    sport: dict[str, Any] | None = None  # the first `sport` message
    lap_sport: str | None = None
    utc_offset_s: int | None = None


def parse_fit(data: bytes) -> ParsedFile:
    """Read a FIT file's bytes into its file type and one Activity per session."""
    if not data:
        raise IngestError("empty file. Check the export finished and pick the .fit file again")
    if len(data) < 12 or data[8:12] != b".FIT":
        raise IngestError("not a FIT file (bad header). Check the file is a FIT export")
    _check_header_crc(data)
    try:
        contents = _read(data)
    except Exception as exc:  # fitparse raises many kinds on bad input: one boundary here
        raise IngestError(_describe(exc, len(data))) from exc
    has_data = bool(contents.sessions or contents.records)
    file_type = contents.file_type or ("activity" if has_data else "unknown")
    if file_type != "activity":
        return ParsedFile(format="fit", activities=(), file_type=file_type)
    records = sorted((r for r in contents.records if isinstance(r[0], int)), key=_time_s)
    if contents.sessions:
        times_s = [r[0] for r in records]
        activities = tuple(
            _session_activity(session, number, records, times_s, contents)
            for number, session in enumerate(contents.sessions, 1)
        )
    else:
        activities = _records_activity(records, contents)
    return ParsedFile(format="fit", activities=activities, file_type=file_type)


def _check_header_crc(data: bytes) -> None:
    """Refuse a 14-byte header whose CRC (0 means none) does not match its first 12 bytes."""
    if data[0] < 14 or len(data) < 14:
        return
    stored = int.from_bytes(data[12:14], "little")
    if stored and stored != Crc.calculate(data[:12]):
        raise IngestError(
            "FIT file header fails its CRC check (corrupted). "
            "Export the activity again from the watch or app"
        )


def _read(data: bytes) -> _Contents:
    """One pass over the messages (all chained FIT files), keeping what runwear uses."""
    fit = fitparse.FitFile(io.BytesIO(data), data_processor=_RawValues())
    out = _Contents()
    records = out.records
    for message in fit.get_messages():
        name = message.name
        if name == "record":
            v = message.get_values()
            records.append(
                (
                    v.get("timestamp"),
                    v.get("position_lat"),
                    v.get("position_long"),
                    v.get("distance"),
                )
            )
        elif name == "session":
            out.sessions.append(message.get_values())
        elif name == "file_id" and out.file_type is None:
            v = message.get_values()
            out.file_type = _name(v.get("type"))
            out.device = _device(v)
        elif name == "activity":
            v = message.get_values()
            out.utc_offset_s = _utc_offset_s(v.get("local_timestamp"), v.get("timestamp"))
        elif name == "sport" and out.sport is None:
            out.sport = message.get_values()
        elif name == "lap" and out.lap_sport is None:
            out.lap_sport = _name(message.get_value("sport"))
    return out


def _describe(exc: Exception, size_bytes: int) -> str:
    """The IngestError message for an exception out of fitparse: what is wrong, what to do."""
    again = "Export the activity again from the watch or app"
    if isinstance(exc, FitEOFError):
        return f"truncated FIT file (ended after {size_bytes} bytes). {again}"
    if isinstance(exc, FitCRCError):
        return f"FIT file fails its CRC check (corrupted). {again}"
    if isinstance(exc, FitHeaderError):
        return f"corrupt FIT file (bad header inside the file). {again}"
    detail = str(exc) or type(exc).__name__
    detail = detail[0].lower() + detail[1:]
    return (
        f"fitparse cannot read this FIT file ({detail}). "
        "Export it again, or export the activity as GPX instead"
    )


def _session_activity(
    session: dict[str, Any],
    number: int,
    records: list[_Record],
    times_s: list[int],
    contents: _Contents,
) -> Activity:
    """The Activity of one session message, with the records inside its time span."""
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
    lo = bisect_left(times_s, start_s)
    hi = bisect_right(times_s, end_s) if end_s is not None and end_s >= start_s else len(records)
    points = _positions(records, lo, hi)
    distance_m = _num(session.get("total_distance"))
    if distance_m is None:
        distance_m = _record_distance_m(records, lo, hi)
    if distance_m is None:
        distance_m = path_length_m(point for _, point in points)
    return Activity(
        started_at=_datetime(start_s),
        sport=_name(session.get("sport")) or _fallback_sport(contents),
        sub_sport=_name(session.get("sub_sport")) or "generic",
        distance_m=distance_m,
        duration_s=elapsed_s,
        moving_s=_num(session.get("total_timer_time")),
        ascent_m=_num(session.get("total_ascent")),
        name=_text(session.get("sport_profile_name") or session.get("unknown_110")),
        device=contents.device,
        utc_offset_s=contents.utc_offset_s,
        track=_thin(points),
    )


def _records_activity(records: list[_Record], contents: _Contents) -> tuple[Activity, ...]:
    """The one Activity of a file with records but no session; none without timestamps."""
    if not records:
        return ()
    sport = contents.sport or {}
    points = _positions(records, 0, len(records))
    distance_m = _record_distance_m(records, 0, len(records))
    if distance_m is None:
        distance_m = path_length_m(point for _, point in points)
    activity = Activity(
        started_at=_datetime(records[0][0]),
        sport=_fallback_sport(contents),
        sub_sport=_name(sport.get("sub_sport")) or "generic",
        distance_m=distance_m,
        duration_s=float(records[-1][0] - records[0][0]),
        name=_text(sport.get("name")),
        device=contents.device,
        utc_offset_s=contents.utc_offset_s,
        track=_thin(points),
    )
    return (activity,)


def _fallback_sport(contents: _Contents) -> str:
    """The sport when a session does not say: the `sport` message's, a lap's, or generic."""
    return _name((contents.sport or {}).get("sport")) or contents.lap_sport or "generic"


def _positions(records: list[_Record], lo: int, hi: int) -> list[tuple[int, tuple[float, float]]]:
    """(timestamp_s, (lat, lon)) of records[lo:hi] that carry a valid position, in degrees."""
    out: list[tuple[int, tuple[float, float]]] = []
    for time_s, lat, lon, _ in records[lo:hi]:
        if isinstance(lat, int) and isinstance(lon, int):
            lat_deg, lon_deg = lat * SEMICIRCLE_DEG, lon * SEMICIRCLE_DEG
            if -90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0:
                out.append((time_s, (lat_deg, lon_deg)))
    return out


def _thin(points: list[tuple[int, tuple[float, float]]]) -> tuple[tuple[float, float], ...]:
    """One point every TRACK_STEP_S seconds, and the last point."""
    kept: list[tuple[float, float]] = []
    next_s = float("-inf")
    for time_s, point in points:
        if time_s >= next_s:
            kept.append(point)
            next_s = time_s + TRACK_STEP_S
    if points and kept[-1] is not points[-1][1]:
        kept.append(points[-1][1])
    return tuple(kept)


def _record_distance_m(records: list[_Record], lo: int, hi: int) -> float | None:
    """Distance covered by records[lo:hi] according to their cumulative `distance` field.

    Devices either restart the count at each multisport session or keep counting: when the
    first distance in the span continues the last one before it, that earlier part is not
    this session's. The maximum, not the last value, is taken, as the record closing a
    session can already belong to the next one.
    """
    inside = [d for _, _, _, d in records[lo:hi] if _num(d) is not None]
    if not inside:
        return None
    before = next((d for _, _, _, d in reversed(records[:lo]) if _num(d) is not None), None)
    if before is not None and inside[0] >= before:
        return float(max(inside) - before)
    return float(max(inside))


def _device(file_id: dict[str, Any]) -> str | None:
    """The device as "manufacturer product" from a file_id message ("garmin fenix5"), or None."""
    product = next(
        (v for k, v in file_id.items() if k == "product" or k.endswith("_product")), None
    )
    parts = [_name(file_id.get("manufacturer")), _name(product)]
    return " ".join(p for p in parts if p) or None


def _utc_offset_s(local_s: Any, utc_s: Any) -> int | None:
    """Local time minus UTC from an activity message, to the quarter hour, when plausible."""
    if not isinstance(local_s, int) or not isinstance(utc_s, int):
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


def _name(value: Any) -> str | None:
    """An enum as fitparse names it, or the number as text when the profile has no name."""
    if value is None or value == "":
        return None
    return str(value)


def _text(value: Any) -> str | None:
    """A string field without padding; None when absent or blank."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _time_s(record: _Record) -> int:
    """A record's timestamp, the sort key of records."""
    return record[0]


def _num(value: Any) -> float | None:
    """A numeric field as float; None when absent, not a number, or not finite (NaN, inf)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _int(value: Any) -> int | None:
    """A FIT date_time field as int seconds; None when absent."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
