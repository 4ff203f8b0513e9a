"""A small, linear FIT decoder: header and file CRCs, chained files, only the fields asked for.

Decisions worth knowing when a file reads differently from fitparse:

- Each definition message is compiled once into one `struct.Struct` (little- or big-endian)
  that unpacks a whole data message; fields nobody asked for, and developer fields, are pad
  bytes in it, so they cost nothing. Identical definitions share one compiled form. Messages
  nobody asked for are stepped over by their size; only their timestamp is read (for the
  compressed-timestamp headers that follow).
- Developer fields are skipped by the size their definition gives: the decoder needs no
  field_description or developer_data_id message to stay in step (fitparse 1.2.0 does, and
  loses step when a developer field's size is not a multiple of its described type).
- A value equal to its base type's invalid value (0xFF.., 0x7F.., 0 for the z types, NaN)
  is absent: its key is left out of the message's dict.
- A field whose size is not a multiple of its base type (some COROS files) is read as
  bytes, which no caller takes for a number: absent, and the rest of the message is read
  right. fitparse 1.2.0 refuses such files whole.
- A data message of a local type never defined cannot be stepped over (its size is
  unknown): the file is corrupt.
- Messages named in `batched` come as a Batch (columns) when MIN_BATCH or more data
  messages in a row have the same header byte (for compressed-timestamp headers, the same
  local type): each number field of the run is gathered from its bytes into an array by
  strided slices (other fields by `iter_unpack`), and checked and scaled in one pass. A
  Batch's rows are exactly the dicts one message at a time would give
  (tests/test_fit_batches.py).
- Several FIT files chained in one (a header after each file's CRC) are read in turn;
  each has its own header CRC (0 means none) and file CRC (must match, as fitparse checks).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Collection, Iterator, Mapping, Sequence
from itertools import accumulate, islice, repeat
from operator import add, lt, mul
from typing import Any, NamedTuple

from runwear.ingest.fit_crc import fit_crc

HEADER_MIN_BYTES = 12  # header size, protocol, profile, data size, ".FIT"
TIMESTAMP_FIELD = 253

# Wanted fields per global message number: (message name, {field number: (key, scale)}).
Wanted = Mapping[int, tuple[str, Mapping[int, tuple[str, float | None]]]]

# FIT base types by their byte: (struct code, size in bytes, invalid raw value).
_BASE_TYPES: dict[int, tuple[str, int, Any]] = {
    0x00: ("B", 1, 0xFF),  # enum
    0x01: ("b", 1, 0x7F),  # sint8
    0x02: ("B", 1, 0xFF),  # uint8
    0x83: ("h", 2, 0x7FFF),  # sint16
    0x84: ("H", 2, 0xFFFF),  # uint16
    0x85: ("i", 4, 0x7FFFFFFF),  # sint32
    0x86: ("I", 4, 0xFFFFFFFF),  # uint32
    0x88: ("f", 4, None),  # float32: NaN is invalid
    0x89: ("d", 8, None),  # float64: NaN is invalid
    0x0A: ("B", 1, 0),  # uint8z
    0x8B: ("H", 2, 0),  # uint16z
    0x8C: ("I", 4, 0),  # uint32z
    0x8E: ("q", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x8F: ("Q", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x90: ("Q", 8, 0),  # uint64z
}
_STRING = 0x07
_SCALAR, _ARRAY, _TEXT, _BYTES = range(4)
NO_TIME = 0xFFFFFFFF  # a date_time's invalid value
MIN_BATCH = 8  # shorter runs are read a message at a time: a batch costs ~15 us more
FIRST_RUN_LOOK = 16  # messages looked at for a run, then 4x more each time they all match
# Struct codes an array reads the same way (its item size is the struct's): batch columns.
_ARRAY_CODES = frozenset(c for c in "bBhHiIqQfd" if array(c).itemsize == struct.calcsize(c))
# Header bytes as run classes: a compressed-timestamp header loses its time offset.
_RUN_CLASS = bytes(b & 0xE0 if b & 0x80 else b for b in range(256))
_TIME_OFFSET = bytes(b & 0x1F for b in range(256))  # a compressed header's time offset


class FitDecodeError(Exception):
    """The bytes are not a readable FIT file; subclasses say why."""


class FitTruncated(FitDecodeError):
    """The file ends before its header, a message or its CRC."""


HEADER_CRC = "header CRC"  # what FitCrcMismatch says of a header's CRC


class FitCrcMismatch(FitDecodeError):
    """A file CRC, or the header CRC of a chained file, does not match."""


class FitBadHeader(FitDecodeError):
    """A chained file's header is not a FIT header."""


class FitCorrupt(FitDecodeError):
    """A message cannot be read (an undefined local message type)."""


class Batch(NamedTuple):
    """A run of data messages of one definition, as columns.

    columns[key][i] is message i's value, None where it has none (the key a one-message
    dict would leave out); a key the definition does not have is missing. The values of a
    column are of one type (the field's), or None. A column that is an `array` has a
    valid, finite number for every message (its typecode says int or float).
    """

    count: int
    columns: dict[str, Sequence[Any]]

    def rows(self) -> Iterator[dict[str, Any]]:
        """The messages one at a time, as read_messages gives unbatched messages."""
        columns = self.columns.items()
        for i in range(self.count):
            yield {key: column[i] for key, column in columns if column[i] is not None}


class _Plan:
    """A compiled definition message: how to unpack and name one data message's fields."""

    __slots__ = (
        "byte_order",
        "fields",
        "items",
        "name",
        "row",
        "scalars_at",
        "size",
        "timestamp_index",
        "unpack_from",
    )

    def __init__(
        self,
        name: str | None,
        layout: struct.Struct,
        fields: tuple[tuple[str, int, int, Any, float | None], ...],
        timestamp_index: int,
        batched: bool,
        scalars_at: dict[int, tuple[int, str, int]],
        items: int,
    ) -> None:
        self.name = name  # None: not asked for, only its timestamp is read
        self.size = layout.size
        self.unpack_from = layout.unpack_from
        self.fields = fields  # (key, index in the unpacked tuple, kind, invalid, scale)
        self.timestamp_index = timestamp_index  # -1: no usable timestamp field
        # Runs of these messages are read as Batches: the layout after the header byte.
        order, codes = layout.format[:1], layout.format[1:]
        self.row = struct.Struct(f"{order}x{codes}") if batched else None
        self.byte_order = "big" if order == ">" else "little"
        # Scalars an array can read straight from a run's bytes: tuple index ->
        # (byte offset after the header byte, struct code, size in bytes).
        self.scalars_at = scalars_at
        self.items = items  # values in the unpacked tuple


def read_messages(
    data: bytes, wanted: Wanted, batched: Collection[str] = ()
) -> Iterator[tuple[str, dict[str, Any] | Batch]]:
    """(message name, {key: value}) for each wanted message of every chained FIT file in data.

    Values are scaled (raw / scale) where a scale is given; enums stay numbers; strings are
    text. Messages whose name is in `batched` come as (name, Batch) for each run of
    MIN_BATCH or more alike in a row. Raises a FitDecodeError subclass on a file it cannot
    read to the end.
    """
    size = len(data)
    plans: dict[bytes, _Plan] = {}
    pos = 0
    while True:
        file_start = pos
        pos, data_end = _file_header(data, pos)
        local: dict[int, _Plan] = {}
        last_time_s = 0
        single_until = 0  # the messages before this position are read one at a time
        while pos < data_end:
            if pos >= size:
                raise FitTruncated(size)
            header = data[pos]
            if header & 0x40 and not header & 0x80:  # definition message
                pos, number, plan = _definition(data, pos, header, wanted, plans, batched)
                local[number] = plan
                continue
            local_type = (header >> 5) & 0x3 if header & 0x80 else header & 0x0F
            plan = local.get(local_type)
            if plan is None:
                raise FitCorrupt(f"a message of undefined local type {local_type} at byte {pos}")
            if plan.row is not None and pos >= single_until:
                stride, limit = plan.size + 1, min(data_end, size)
                ahead = pos + (MIN_BATCH - 1) * stride  # where a long enough run goes on
                count = 1
                if ahead < limit and _RUN_CLASS[data[ahead]] == _RUN_CLASS[header]:
                    count = _run_length(data, pos, stride, limit)
                if count >= MIN_BATCH:
                    batch, last_time_s = _batch(data, pos, count, plan, last_time_s)
                    pos += count * stride
                    yield plan.name, batch
                    continue
                single_until = pos + count * stride
            start = pos + 1
            pos = start + plan.size
            if pos > size:
                raise FitTruncated(size)
            raw = plan.unpack_from(data, start)
            if plan.timestamp_index >= 0:
                time_s = raw[plan.timestamp_index]
                if isinstance(time_s, int) and time_s != 0xFFFFFFFF:
                    last_time_s = time_s
            if header & 0x80:
                offset_s = header & 0x1F
                time_s = (last_time_s & ~0x1F) + offset_s
                if offset_s < last_time_s & 0x1F:
                    time_s += 0x20
                last_time_s = time_s
            if plan.name is None:
                continue
            values = _values(raw, plan.fields)
            if header & 0x80:
                values["timestamp"] = last_time_s
            yield plan.name, values
        if pos + 2 > size:
            raise FitTruncated(size)
        stored = data[pos] | data[pos + 1] << 8
        if fit_crc(data, file_start, pos) != stored:
            raise FitCrcMismatch("file CRC")
        pos += 2
        if pos >= size:
            return


def _file_header(data: bytes, pos: int) -> tuple[int, int]:
    """(where the messages start, where they end) for the FIT header at pos; checks it."""
    size = len(data)
    if pos + HEADER_MIN_BYTES > size:
        raise FitTruncated(size)
    if data[pos + 8 : pos + 12] != b".FIT":
        raise FitBadHeader("no .FIT signature")
    header_size = data[pos]
    data_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
    if header_size > HEADER_MIN_BYTES:
        if header_size < HEADER_MIN_BYTES + 2:
            raise FitBadHeader(f"header of {header_size} bytes")
        if pos + header_size > size:
            raise FitTruncated(size)
        stored = data[pos + 12] | data[pos + 13] << 8
        if stored and stored != fit_crc(data, pos, pos + HEADER_MIN_BYTES):
            raise FitCrcMismatch(HEADER_CRC)
    start = pos + max(header_size, HEADER_MIN_BYTES)
    return start, start + data_size


def _definition(
    data: bytes,
    pos: int,
    header: int,
    wanted: Wanted,
    plans: dict[bytes, _Plan],
    batched: Collection[str],
) -> tuple[int, int, _Plan]:
    """(position after it, local message type, compiled plan) of the definition at pos."""
    size = len(data)
    fields_at = pos + 6
    if fields_at > size:
        raise FitTruncated(size)
    end = fields_at + 3 * data[pos + 5]
    if header & 0x20:  # developer fields follow
        if end >= size:
            raise FitTruncated(size)
        end += 1 + 3 * data[end]
    if end > size:
        raise FitTruncated(size)
    key = data[pos + 2 : end]
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _compile(data, pos, header, wanted, batched)
    return end, header & 0x0F, plan


def _compile(data: bytes, pos: int, header: int, wanted: Wanted, batched: Collection[str]) -> _Plan:
    """One Struct for the data messages of the definition at pos; unwanted bytes are padding."""
    big_endian = data[pos + 2] == 1
    number = int.from_bytes(data[pos + 3 : pos + 5], "big" if big_endian else "little")
    name, keys = wanted.get(number, (None, {}))
    codes = [">" if big_endian else "<"]
    fields: list[tuple[str, int, int, Any, float | None]] = []
    timestamp_index = -1
    index = 0
    offset = 0  # bytes of the data message before this field
    scalars_at: dict[int, tuple[int, str, int]] = {}
    at = pos + 6
    for _ in range(data[pos + 5]):
        field_number, field_size, base_type = data[at], data[at + 1], data[at + 2]
        at += 3
        offset += field_size
        key, scale = keys.get(field_number, (None, None))
        if key is None and field_number != TIMESTAMP_FIELD:
            codes.append(f"{field_size}x")
            continue
        code, kind, invalid = _layout(field_size, base_type)
        codes.append(code)
        if kind == _SCALAR and code in _ARRAY_CODES:
            scalars_at[index] = (offset - field_size, code, field_size)
        if field_number == TIMESTAMP_FIELD and kind == _SCALAR:
            timestamp_index = index
        if key is not None and name is not None:
            fields.append((key, index, kind, invalid, scale))
        index += invalid[1] if kind == _ARRAY else 1
    if header & 0x20:
        for _ in range(data[at]):
            codes.append(f"{data[at + 2]}x")  # developer field: skipped by its size
            at += 3
    layout = struct.Struct("".join(codes))
    return _Plan(name, layout, tuple(fields), timestamp_index, name in batched, scalars_at, index)


def _layout(field_size: int, base_type: int) -> tuple[str, int, Any]:
    """(struct code, value kind, invalid raw value) of one field of a definition."""
    if base_type == _STRING:
        return f"{field_size}s", _TEXT, None
    known = _BASE_TYPES.get(base_type)
    if known is None or field_size == 0 or field_size % known[1]:
        return f"{field_size}s", _BYTES, None  # byte fields, and sizes that do not fit
    code, type_size, invalid = known
    if field_size == type_size:
        return code, _SCALAR, invalid
    return f"{field_size // type_size}{code}", _ARRAY, (invalid, field_size // type_size)


def _values(
    raw: tuple[Any, ...], fields: tuple[tuple[str, int, int, Any, float | None], ...]
) -> dict[str, Any]:
    """The named values of one unpacked data message, invalid ones left out."""
    values: dict[str, Any] = {}
    for key, index, kind, invalid, scale in fields:
        if kind == _SCALAR:
            value = raw[index]
            if value == invalid or value != value:  # NaN is a float's invalid value
                continue
            values[key] = value / scale if scale else value
        else:
            value = _other_value(raw, index, kind, invalid, scale)
            if value is not None:
                values[key] = value
    return values


def _other_value(raw: tuple[Any, ...], index: int, kind: int, invalid: Any, scale: Any) -> Any:
    """The value of a text, array or bytes field of one unpacked message; None: absent."""
    if kind == _TEXT:
        text = raw[index].split(b"\0", 1)[0].decode("utf-8", "replace")
        return text or None
    if kind == _ARRAY:
        bad, count = invalid
        items = raw[index : index + count]
        return tuple(None if v == bad or v != v else (v / scale if scale else v) for v in items)
    return raw[index] if raw[index].strip(b"\xff") else None


def _run_length(data: bytes, pos: int, stride: int, limit: int) -> int:
    """How many data messages from pos on have the header class of the one at pos (0 or more).

    Only messages that end by `limit` count. A run is looked at in growing windows, so
    runs of one cost little however long the file.
    """
    fits = (limit - pos) // stride
    compressed = data[pos] & 0x80
    mark = _RUN_CLASS[data[pos] : data[pos] + 1] if compressed else data[pos : pos + 1]
    count, look = 0, FIRST_RUN_LOOK
    while count < fits:
        at = pos + count * stride
        n = min(look, fits - count)
        heads = data[at : at + n * stride : stride]
        if compressed:
            heads = heads.translate(_RUN_CLASS)
        same = n - len(heads.lstrip(mark))
        count += same
        if same < n:
            break
        look *= 4
    return count


def _batch(data: bytes, pos: int, count: int, plan: _Plan, last_time_s: int) -> tuple[Batch, int]:
    """The Batch of `count` messages of one plan from pos on, and the last time after them."""
    stride = plan.size + 1
    chunk = data[pos : pos + count * stride]
    rows: list[tuple[Any, ...]] = []
    raw: list[Sequence[Any]] = []
    if plan.row is not None and len(plan.scalars_at) < plan.items:  # some not as arrays
        rows = list(plan.row.iter_unpack(chunk))
        raw = list(zip(*rows, strict=True))
    swap = plan.byte_order != sys.byteorder

    def raw_column(index: int) -> Sequence[Any]:
        if index not in plan.scalars_at:
            return raw[index]
        offset, code, size = plan.scalars_at[index]
        return _column(chunk, stride, 1 + offset, code, size, swap)

    columns: dict[str, Sequence[Any]] = {}
    for key, index, kind, invalid, scale in plan.fields:
        if kind == _SCALAR:
            columns[key] = _scalars(raw_column(index), invalid, scale)
        else:
            columns[key] = [_other_value(r, index, kind, invalid, scale) for r in rows]
    stamps = raw_column(plan.timestamp_index) if plan.timestamp_index >= 0 else ()
    if stamps and type(stamps[0]) is not int:
        stamps = ()
    if data[pos] & 0x80 and not stamps:
        times = _compressed_times(chunk[::stride], last_time_s)
        columns["timestamp"] = times
        last_time_s = times[-1]
    elif data[pos] & 0x80:  # compressed timestamp headers: each message's time from the last
        times = []
        for i, header in enumerate(chunk[::stride]):
            if stamps and stamps[i] != NO_TIME:
                last_time_s = stamps[i]
            offset_s = header & 0x1F
            time_s = (last_time_s & ~0x1F) + offset_s
            if offset_s < last_time_s & 0x1F:
                time_s += 0x20
            times.append(last_time_s := time_s)
        columns["timestamp"] = times
    else:
        last_time_s = next((t for t in reversed(stamps) if t != NO_TIME), last_time_s)
    return Batch(count, columns), last_time_s


def _compressed_times(headers: bytes, last_time_s: int) -> list[int]:
    """The times of compressed-timestamp headers in a row after a time of last_time_s.

    Each header gives the low 5 bits of its time; the time rolls over 32 s each time
    these go down (or, for the first, are below last_time_s's).
    """
    offsets = headers.translate(_TIME_OFFSET)
    first_s = (last_time_s & ~0x1F) + 32 * (offsets[0] < last_time_s & 0x1F)
    rolls_s = map(mul, map(lt, islice(offsets, 1, None), offsets), repeat(32))
    return list(map(add, offsets, accumulate(rolls_s, initial=first_s)))


def _column(chunk: bytes, stride: int, at: int, code: str, size: int, swap: bool) -> array:
    """One scalar field of every message of a run (messages of `stride` bytes), as an array."""
    if size == 1:
        return array(code, chunk[at::stride])
    values = bytearray(len(chunk) // stride * size)
    for byte in range(size):
        values[byte::size] = chunk[at + byte :: stride]
    column = array(code, values)
    if swap:
        column.byteswap()
    return column


def _scalars(column: Sequence[Any], invalid: Any, scale: float | None) -> Sequence[Any]:
    """One scalar field's values over a run: invalid ones None, the others scaled.

    An int field's without an invalid value and unscaled stay an array; the others are
    lists (a float field's infinity stays a value).
    """
    if type(column[0]) is float:
        return [None if v != v else (v / scale if scale else v) for v in column]
    if column_holds(column, invalid):
        values: Sequence[Any] = [None if v == invalid else v for v in column]
        if scale:
            return [None if v is None else v / scale for v in values]
        return values
    if scale:
        return [v / scale for v in column]
    return column


def column_holds(column: Sequence[Any], value: int) -> bool:
    """True when an int column holds value (an array's bytes are searched, aligned)."""
    if type(column) is not array:
        return value in column
    try:
        pattern = array(column.typecode, [value]).tobytes()
    except OverflowError:  # not a value of the column's type
        return False
    data, size = column.tobytes(), column.itemsize
    at = data.find(pattern)
    while at >= 0 and at % size:
        at = data.find(pattern, at + 1)
    return at >= 0
