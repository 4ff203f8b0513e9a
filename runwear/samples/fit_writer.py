"""A small FIT encoder (struct + FIT CRC-16): sample activity and settings files for tests and demo.

Only what runwear reads is written: file_id, record, lap, session and activity messages.
Field numbers, types, scales and enum values follow the FIT profile (fitparse `profile.py`).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
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
    "walking": 11,
    "hiking": 17,
}
SUB_SPORTS = {
    "generic": 0,
    "treadmill": 1,
    "street": 2,
    "trail": 3,
    "track": 4,
    "indoor_running": 45,
    "virtual_activity": 58,
}
MANUFACTURERS = {"garmin": 1, "dynastream": 15, "wahoo_fitness": 32, "development": 255}
GARMIN_PRODUCTS = {"fenix2": 1967, "fr935": 2691, "fenix5": 2697}

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


def _message(number: int, *fields: _Field) -> _Message:
    """A message type: its global number and the fields runwear writes, in order."""
    return _Message(number, fields)


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

    def __init__(self) -> None:
        self._body = bytearray()
        self._local: dict[int, int] = {}  # global message number -> local message type

    def write(self, message: _Message, **values: float | str | None) -> None:
        """Append one data message (values in SI units), defining its type on first use."""
        unknown = set(values) - {field.name for field in message.fields}
        if unknown:
            raise ValueError(f"message {message.number} has no field {sorted(unknown)}")
        local = self._local.get(message.number)
        if local is None:
            local = self._local[message.number] = len(self._local)
            self._body += _definition(message, local)
        self._body.append(local)
        for field in message.fields:
            self._body += _encode(field, values.get(field.name))

    def finish(self) -> bytes:
        """The whole file: 14-byte header with its CRC, the messages, the file CRC."""
        header = struct.pack("<BBHI4s", 14, 0x20, PROFILE_VERSION, len(self._body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        data = header + bytes(self._body)
        return data + struct.pack("<H", fit_crc(data))


def _definition(message: _Message, local: int) -> bytes:
    """The definition message of `message` for local message type `local`, little-endian."""
    out = bytearray(struct.pack("<BBBHB", 0x40 | local, 0, 0, message.number, len(message.fields)))
    for field in message.fields:
        if field.base_type == "string":
            out += bytes((field.number, _STRING_SIZE, _STRING_BASE_TYPE))
        else:
            code, base, _ = _BASE_TYPES[field.base_type]
            out += bytes((field.number, struct.calcsize(code), base))
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
) -> bytes:
    """A FIT activity file: one session per run (several runs make a multisport file).

    `device` is "manufacturer [product]" as `parse_fit` reports it ("garmin fenix5").
    `utc_offset_s` sets the activity message's local_timestamp. The `with_*` switches
    leave out sessions, session total_distance or record distance, as some devices do.
    """
    if not runs:
        raise ValueError("fit_activity_bytes needs at least one run")
    manufacturer, product = _device_ids(device)
    fit = _FitEncoder()
    start_s = fit_seconds(runs[0].started_at)
    fit.write(
        FILE_ID,
        type=FILE_TYPE_ACTIVITY,
        manufacturer=manufacturer,
        product=product,
        serial_number=3_900_000_000,
        time_created=start_s,
    )
    end_s = start_s
    timer_s = 0.0
    for index, run in enumerate(runs):
        sport = _enum(SPORTS, run.sport)
        speed_m_s = run.distance_m / run.duration_s if run.duration_s else 0.0
        for point in run.points():
            fit.write(
                RECORD,
                timestamp=fit_seconds(point.time),
                position_lat=semicircles(point.lat),
                position_long=semicircles(point.lon),
                altitude=point.elevation_m,
                distance=point.distance_m if with_record_distance else None,
                speed=speed_m_s,
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
        fit.write(LAP, event=EVENT_LAP, **totals)
        if with_sessions:
            fit.write(
                SESSION,
                event=EVENT_SESSION,
                sub_sport=_enum(SUB_SPORTS, run.sub_sport),
                total_ascent=round(run.ascent_m),
                first_lap_index=index,
                num_laps=1,
                sport_profile_name=run.name,
                **totals,
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
