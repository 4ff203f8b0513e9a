"""A small FIT encoder (struct + FIT CRC-16): sample activity and settings files for tests and demo.

Only what runwear reads is written: file_id, record, lap, session and activity messages; on
request also cadence, lap intensity, developer fields (with their developer_data_id and
field_description messages) and compressed-timestamp records, the way real devices do.
Chained files are FIT files one after the other: `b"".join(files)`.
Field numbers, types, scales and enum values follow the FIT profile (fitparse `profile.py`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import NamedTuple

from runwear.samples.route import SampleRun

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=timezone.utc)  # FIT date_time 0 (Unix 631065600)
PROFILE_VERSION = 2132  # FIT profile 21.32

SPORTS = {
    "generic": 0,
    "running": 1,
    "cycling": 2,
    "transition": 3,
    "fitness_equipment": 4,
    "swimming": 5,
    "training": 10,
    "walking": 11,
    "hiking": 17,
}
SUB_SPORTS = {
    "generic": 0,
    "treadmill": 1,
    "street": 2,
    "trail": 3,
    "track": 4,
    "strength_training": 20,
    "indoor_running": 45,
    "virtual_activity": 58,
}
MANUFACTURERS = {"garmin": 1, "dynastream": 15, "wahoo_fitness": 32, "development": 255}
GARMIN_PRODUCTS = {"fenix2": 1967, "fr935": 2691, "fenix5": 2697}

INTENSITIES = {"active": 0, "rest": 1, "warmup": 2, "cooldown": 3}

COMPRESSED_LOCAL = 3  # compressed timestamp headers have room for local types 0-3
FILE_TYPE_ACTIVITY = 4
FILE_TYPE_SETTINGS = 2
EVENT_SESSION, EVENT_LAP, EVENT_ACTIVITY = 8, 9, 26
EVENT_TYPE_STOP = 1

# FIT base types: struct code, base type number, invalid ("no value") raw value.
_BASE_TYPES: dict[str, tuple[str, int, int]] = {
    "enum": ("B", 0x00, 0xFF),
    "uint8": ("B", 0x02, 0xFF),
    "uint16": ("H", 0x84, 0xFFFF),
    "sint32": ("i", 0x85, 0x7FFFFFFF),
    "uint32": ("I", 0x86, 0xFFFFFFFF),
    "uint32z": ("I", 0x8C, 0),
}
_STRING_BASE_TYPE = 0x07
_STRING_SIZE = 16  # bytes, NUL-terminated and padded

_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of `data`, continuing from `crc`."""
    for byte in data:
        for nibble in (byte & 0x0F, byte >> 4):
            tmp = _CRC_TABLE[crc & 0x0F]
            crc = (crc >> 4) & 0x0FFF
            crc ^= tmp ^ _CRC_TABLE[nibble]
    return crc


class _Field(NamedTuple):
    name: str
    number: int
    base_type: str  # a key of _BASE_TYPES, or "string"
    scale: float = 1
    offset: float = 0


class _Message(NamedTuple):
    number: int  # global message number
    fields: tuple[_Field, ...]
    developer: tuple[tuple[int, int], ...] = ()  # (field number, size) of developer index 0


def _message(number: int, *fields: _Field) -> _Message:
    """A message type: its global number and the fields runwear writes, in order."""
    return _Message(number, fields)


class SampleLap(NamedTuple):
    """A lap to write inside a run: laps follow each other from the run's start."""

    duration_s: float
    distance_m: float
    intensity: str = "active"  # a key of INTENSITIES


DATE = "uint32"  # FIT date_time: seconds since FIT_EPOCH

FILE_ID = _message(
    0,
    _Field("type", 0, "enum"),
    _Field("manufacturer", 1, "uint16"),
    _Field("product", 2, "uint16"),
    _Field("serial_number", 3, "uint32z"),
    _Field("time_created", 4, DATE),
)
USER_PROFILE = _message(
    3,
    _Field("friendly_name", 0, "string"),
    _Field("gender", 1, "enum"),
    _Field("age", 2, "uint8"),
    _Field("weight", 4, "uint16", scale=10),
)
RECORD = _message(
    20,
    _Field("timestamp", 253, DATE),
    _Field("position_lat", 0, "sint32"),
    _Field("position_long", 1, "sint32"),
    _Field("altitude", 2, "uint16", scale=5, offset=500),
    _Field("distance", 5, "uint32", scale=100),
    _Field("speed", 6, "uint16", scale=1000),
)
RECORD_CADENCE = _message(
    20,
    *RECORD.fields,
    _Field("cadence", 4, "uint8"),
    _Field("fractional_cadence", 53, "uint8", scale=128),
)
DEVELOPER_POWER = ((0, 2),)  # developer index 0, field 0: 2 bytes of Stryd-like power
DEVELOPER_DATA_ID = _message(
    207,
    _Field("application_id", 1, "string"),
    _Field("developer_data_index", 3, "uint8"),
)
FIELD_DESCRIPTION = _message(
    206,
    _Field("developer_data_index", 0, "uint8"),
    _Field("field_definition_number", 1, "uint8"),
    _Field("fit_base_type_id", 2, "uint8"),
    _Field("field_name", 3, "string"),
)
LAP = _message(
    19,
    _Field("timestamp", 253, DATE),
    _Field("message_index", 254, "uint16"),
    _Field("event", 0, "enum"),
    _Field("event_type", 1, "enum"),
    _Field("start_time", 2, DATE),
    _Field("total_elapsed_time", 7, "uint32", scale=1000),
    _Field("total_timer_time", 8, "uint32", scale=1000),
    _Field("total_distance", 9, "uint32", scale=100),
    _Field("sport", 25, "enum"),
)
LAP_INTENSITY = _message(19, *LAP.fields, _Field("intensity", 23, "enum"))
SESSION = _message(
    18,
    _Field("timestamp", 253, DATE),
    _Field("message_index", 254, "uint16"),
    _Field("event", 0, "enum"),
    _Field("event_type", 1, "enum"),
    _Field("start_time", 2, DATE),
    _Field("sport", 5, "enum"),
    _Field("sub_sport", 6, "enum"),
    _Field("total_elapsed_time", 7, "uint32", scale=1000),
    _Field("total_timer_time", 8, "uint32", scale=1000),
    _Field("total_distance", 9, "uint32", scale=100),
    _Field("total_ascent", 22, "uint16"),
    _Field("first_lap_index", 25, "uint16"),
    _Field("num_laps", 26, "uint16"),
    _Field("sport_profile_name", 110, "string"),
)
SESSION_CADENCE = _message(
    18,
    *SESSION.fields,
    _Field("avg_cadence", 18, "uint8"),
    _Field("avg_fractional_cadence", 92, "uint8", scale=128),
)
ACTIVITY = _message(
    34,
    _Field("timestamp", 253, DATE),
    _Field("total_timer_time", 0, "uint32", scale=1000),
    _Field("num_sessions", 1, "uint16"),
    _Field("type", 2, "enum"),
    _Field("event", 3, "enum"),
    _Field("event_type", 4, "enum"),
    _Field("local_timestamp", 5, DATE),
)


class _FitEncoder:
    """Appends definition and data messages; `finish` wraps them in header and CRC."""

    def __init__(self, *, compressed: bool = False) -> None:
        self._body = bytearray()
        self._local: dict[_Message, int] = {}  # message layout -> local message type
        self._next_local = 0
        self._compressed = compressed  # keep local type 3 for compressed timestamp headers

    def write(
        self,
        message: _Message,
        *,
        time_offset_s: int | None = None,
        developer: bytes = b"",
        **values: float | str | None,
    ) -> None:
        """Append one data message (values in SI units), defining its type on first use.

        `time_offset_s` (0-31) writes a compressed timestamp header, on local type 3;
        `developer` holds the bytes of the message's developer fields.
        """
        unknown = set(values) - {field.name for field in message.fields}
        if unknown:
            raise ValueError(f"message {message.number} has no field {sorted(unknown)}")
        local = self._local.get(message)
        if local is None or (time_offset_s is not None and local != COMPRESSED_LOCAL):
            local = self._define(message, compressed=time_offset_s is not None)
        if time_offset_s is None:
            self._body.append(local)
        else:
            self._body.append(0x80 | local << 5 | (time_offset_s & 0x1F))
        for field in message.fields:
            self._body += _encode(field, values.get(field.name))
        self._body += developer

    def _define(self, message: _Message, *, compressed: bool) -> int:
        """Write the definition of `message`; compressed-header messages take local type 3."""
        if compressed:
            local = COMPRESSED_LOCAL
        else:
            if self._compressed and self._next_local == COMPRESSED_LOCAL:
                self._next_local += 1
            local = self._next_local
            self._next_local += 1
        self._local = {m: n for m, n in self._local.items() if n != local}
        if local > 15:
            raise ValueError("more than 16 message layouts in one sample file")
        self._local[message] = local
        self._body += _definition(message, local)
        return local

    def finish(self) -> bytes:
        """The whole file: 14-byte header with its CRC, the messages, the file CRC."""
        header = struct.pack("<BBHI4s", 14, 0x20, PROFILE_VERSION, len(self._body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        data = header + bytes(self._body)
        return data + struct.pack("<H", fit_crc(data))


def _definition(message: _Message, local: int) -> bytes:
    """The definition message of `message` for local message type `local`, little-endian."""
    header = 0x40 | local | (0x20 if message.developer else 0)
    out = bytearray(struct.pack("<BBBHB", header, 0, 0, message.number, len(message.fields)))
    for field in message.fields:
        if field.base_type == "string":
            out += bytes((field.number, _STRING_SIZE, _STRING_BASE_TYPE))
        else:
            code, base, _ = _BASE_TYPES[field.base_type]
            out += bytes((field.number, struct.calcsize(code), base))
    if message.developer:
        out.append(len(message.developer))
        for number, size in message.developer:
            out += bytes((number, size, 0))
    return bytes(out)


def _encode(field: _Field, value: float | str | None) -> bytes:
    """One field's bytes: the scaled, offset value, or the type's invalid value for None."""
    if field.base_type == "string":
        raw = str(value or "").encode()[: _STRING_SIZE - 1]
        return raw.ljust(_STRING_SIZE, b"\0")
    code, _, invalid = _BASE_TYPES[field.base_type]
    if value is None:
        return struct.pack("<" + code, invalid)
    return struct.pack("<" + code, round((float(value) + field.offset) * field.scale))


def fit_seconds(moment: datetime) -> int:
    """A timezone-aware datetime as a FIT date_time (whole seconds since 1989-12-31 UTC)."""
    return round((moment - FIT_EPOCH).total_seconds())


def semicircles(degrees: float) -> int:
    """Degrees as FIT semicircles (2**31 semicircles = 180 degrees)."""
    return round(degrees * 2**31 / 180)


def _enum(table: dict[str, int], name: str) -> int:
    """The FIT enum number of `name`; a bare number passes through (unknown values)."""
    if name in table:
        return table[name]
    if name.isdigit():
        return int(name)
    raise ValueError(f"no FIT number known for {name!r}; known: {', '.join(table)}")


def _device_ids(device: str) -> tuple[int, int | None]:
    """(manufacturer, product) numbers from "garmin" or "garmin fenix5" (numbers also work)."""
    manufacturer, _, product = device.partition(" ")
    maker = _enum(MANUFACTURERS, manufacturer)
    if not product:
        return maker, None
    return maker, _enum(GARMIN_PRODUCTS if maker == 1 else {}, product)


def fit_activity_bytes(
    runs: Sequence[SampleRun],
    *,
    device: str = "garmin",
    utc_offset_s: int | None = None,
    with_sessions: bool = True,
    with_total_distance: bool = True,
    with_record_distance: bool = True,
    with_records: bool = True,
    cadence_spm: float | Callable[[int], float] | None = None,
    session_cadence_spm: float | None = None,
    laps: Sequence[Sequence[SampleLap]] | None = None,
    developer_fields: bool = False,
    compressed_timestamps: bool = False,
) -> bytes:
    """A FIT activity file: one session per run (several runs make a multisport file).

    `device` is "manufacturer [product]" as `parse_fit` reports it ("garmin fenix5").
    `utc_offset_s` sets the activity message's local_timestamp. The `with_*` switches
    leave out sessions, session total_distance, record distance or the records themselves
    (a strength session has none), as some devices do.

    `cadence_spm` gives each record a running cadence in steps/min (a number, or a function
    of the record's index); `session_cadence_spm` writes the session's avg_running_cadence.
    `laps` lists each run's laps (default: one lap over the whole run). `developer_fields`
    adds a developer field to every record; `compressed_timestamps` writes every record
    after each run's first with a compressed timestamp header.
    """
    if not runs:
        raise ValueError("fit_activity_bytes needs at least one run")
    manufacturer, product = _device_ids(device)
    fit = _FitEncoder(compressed=compressed_timestamps)
    start_s = fit_seconds(runs[0].started_at)
    fit.write(
        FILE_ID,
        type=FILE_TYPE_ACTIVITY,
        manufacturer=manufacturer,
        product=product,
        serial_number=3_900_000_000,
        time_created=start_s,
    )
    if developer_fields:
        fit.write(DEVELOPER_DATA_ID, application_id="runwear-sample", developer_data_index=0)
        fit.write(
            FIELD_DESCRIPTION,
            developer_data_index=0,
            field_definition_number=0,
            fit_base_type_id=0x84,
            field_name="Power",
        )
    end_s = start_s
    timer_s = 0.0
    for index, run in enumerate(runs):
        sport = _enum(SPORTS, run.sport)
        if with_records:
            _write_records(
                fit, run, with_record_distance, cadence_spm, developer_fields, compressed_timestamps
            )
        run_start_s = fit_seconds(run.started_at)
        end_s = run_start_s + round(run.duration_s)
        timer_s += run.duration_s
        totals = {
            "timestamp": end_s,
            "message_index": index,
            "event_type": EVENT_TYPE_STOP,
            "start_time": run_start_s,
            "sport": sport,
            "total_elapsed_time": run.duration_s,
            "total_timer_time": run.duration_s,
            "total_distance": run.distance_m if with_total_distance else None,
        }
        run_laps = laps[index] if laps is not None else ()
        if run_laps:
            _write_laps(fit, run_laps, run_start_s, sport)
        else:
            fit.write(LAP, event=EVENT_LAP, **totals)
        if with_sessions:
            session, extra = SESSION, {}
            if session_cadence_spm is not None:
                strides, fraction = divmod(session_cadence_spm / 2, 1)
                session = SESSION_CADENCE
                extra = {"avg_cadence": strides, "avg_fractional_cadence": fraction}
            fit.write(
                session,
                event=EVENT_SESSION,
                sub_sport=_enum(SUB_SPORTS, run.sub_sport),
                total_ascent=round(run.ascent_m),
                first_lap_index=index,
                num_laps=max(1, len(run_laps)),
                sport_profile_name=run.name,
                **totals,
                **extra,
            )
    fit.write(
        ACTIVITY,
        timestamp=end_s,
        total_timer_time=timer_s,
        num_sessions=len(runs) if with_sessions else 0,
        type=0,  # manual
        event=EVENT_ACTIVITY,
        event_type=EVENT_TYPE_STOP,
        local_timestamp=None if utc_offset_s is None else end_s + utc_offset_s,
    )
    return fit.finish()


def _write_records(
    fit: _FitEncoder,
    run: SampleRun,
    with_distance: bool,
    cadence_spm: float | Callable[[int], float] | None,
    developer_fields: bool,
    compressed: bool,
) -> None:
    """The record messages of one run, in the layout the options ask for."""
    speed_m_s = run.distance_m / run.duration_s if run.duration_s else 0.0
    speed = speed_m_s if speed_m_s < 65.0 else None  # past uint16 at 1/1000 m/s: not written
    for number, point in enumerate(run.points()):
        time_s = fit_seconds(point.time)
        values: dict[str, float | None] = {
            "position_lat": semicircles(point.lat),
            "position_long": semicircles(point.lon),
            "altitude": point.elevation_m,
            "distance": point.distance_m if with_distance else None,
            "speed": speed,
        }
        message = RECORD
        if cadence_spm is not None:
            spm = cadence_spm(number) if callable(cadence_spm) else cadence_spm
            strides, fraction = divmod(spm / 2, 1)
            values.update(cadence=strides, fractional_cadence=fraction)
            message = RECORD_CADENCE
        developer = b""
        if developer_fields:
            message = message._replace(developer=DEVELOPER_POWER)
            developer = struct.pack("<H", 250 + number % 50)
        if compressed and number:  # the header carries the time: no timestamp field
            fields = tuple(f for f in message.fields if f.name != "timestamp")
            message = message._replace(fields=fields)
            fit.write(message, time_offset_s=time_s & 0x1F, developer=developer, **values)
        else:
            fit.write(message, developer=developer, timestamp=time_s, **values)


def _write_laps(fit: _FitEncoder, laps: Sequence[SampleLap], start_s: int, sport: int) -> None:
    """Lap messages one after the other from start_s, with their intensity."""
    lap_start_s = float(start_s)
    for index, lap in enumerate(laps):
        fit.write(
            LAP_INTENSITY,
            timestamp=round(lap_start_s + lap.duration_s),
            message_index=index,
            event=EVENT_LAP,
            event_type=EVENT_TYPE_STOP,
            start_time=round(lap_start_s),
            sport=sport,
            total_elapsed_time=lap.duration_s,
            total_timer_time=lap.duration_s,
            total_distance=lap.distance_m,
            intensity=_enum(INTENSITIES, lap.intensity),
        )
        lap_start_s += lap.duration_s


def fit_settings_bytes(*, device: str = "garmin fenix5") -> bytes:
    """A FIT settings file (a user profile): a valid FIT file that holds no activity."""
    manufacturer, product = _device_ids(device)
    fit = _FitEncoder()
    fit.write(
        FILE_ID,
        type=FILE_TYPE_SETTINGS,
        manufacturer=manufacturer,
        product=product,
        serial_number=3_900_000_000,
        time_created=fit_seconds(datetime(2024, 1, 1, tzinfo=timezone.utc)),
    )
    fit.write(USER_PROFILE, friendly_name="runner", gender=1, age=40, weight=70.5)
    return fit.finish()
