"""The FIT decoder on its own: CRC, base types, invalid values, headers, chains, odd layouts."""

from __future__ import annotations

import random
import struct
from datetime import datetime, timedelta, timezone

import pytest

from runwear.ingest.fit import parse_fit
from runwear.ingest.fit_decode import (
    FitBadHeader,
    FitCorrupt,
    FitCrcMismatch,
    FitTruncated,
    fit_crc,
    read_messages,
)
from runwear.samples import fit_writer
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
RECORDS = {20: ("record", {253: ("timestamp", None), 5: ("distance", 100), 9: ("x", None)})}


def body_file(body: bytes, header_size: int = 14, profile: int = 2132) -> bytes:
    """A FIT file around message bytes: header (12 or 14 bytes) and file CRC."""
    header = struct.pack("<BBHI4s", header_size, 0x20, profile, len(body), b".FIT")
    if header_size == 14:
        header += struct.pack("<H", fit_crc(header))
    data = header + body
    return data + struct.pack("<H", fit_crc(data))


def definition(local: int, number: int, fields: list[tuple[int, int, int]], big: bool = False):
    """A definition message: (field number, size, base type) per field."""
    out = struct.pack(">BBBHB" if big else "<BBBHB", 0x40 | local, 0, int(big), number, len(fields))
    return out + b"".join(bytes(f) for f in fields)


def records(data: bytes, wanted=RECORDS) -> list[dict]:
    """The values of every wanted message."""
    return [values for _, values in read_messages(data, wanted)]


@pytest.mark.parametrize("size", [0, 1, 2, 3, 100, 1001])
def test_crc_matches_the_writers_nibble_crc(size: int) -> None:
    data = random.Random(size).randbytes(size)
    assert fit_crc(data) == fit_writer.fit_crc(data)
    assert fit_crc(b"xx" + data + b"y", 2, 2 + size) == fit_writer.fit_crc(data)


@pytest.mark.parametrize("size", [63, 64, 65, 129, 512, 575, 600, 4095, 76_001])
def test_crc_in_steps_matches_the_nibble_crc_at_any_offset_and_start(size: int) -> None:
    data = random.Random(size).randbytes(size)
    for start in (0, 1, 7, 63):
        head = fit_writer.fit_crc(data[:start])
        assert fit_crc(data, start, size, head) == fit_writer.fit_crc(data)
        assert fit_crc(data, start, size - 1) == fit_writer.fit_crc(data[start : size - 1])


def test_crc_of_a_known_value() -> None:
    assert fit_crc(b"123456789") == 0xBB3D  # CRC-16/ARC check value


@pytest.mark.parametrize("big", [False, True])
def test_both_byte_orders(big: bool) -> None:
    order = ">" if big else "<"
    body = definition(0, 20, [(253, 4, 0x86), (5, 4, 0x86)], big=big)
    body += b"\x00" + struct.pack(order + "II", 1_000_000_000, 123_456)
    assert records(body_file(body)) == [{"timestamp": 1_000_000_000, "distance": 1234.56}]


@pytest.mark.parametrize(
    ("base_type", "size", "code", "invalid"),
    [
        (0x00, 1, "B", 0xFF),
        (0x01, 1, "b", 0x7F),
        (0x02, 1, "B", 0xFF),
        (0x83, 2, "h", 0x7FFF),
        (0x84, 2, "H", 0xFFFF),
        (0x85, 4, "i", 0x7FFFFFFF),
        (0x86, 4, "I", 0xFFFFFFFF),
        (0x0A, 1, "B", 0),
        (0x8B, 2, "H", 0),
        (0x8C, 4, "I", 0),
        (0x8E, 8, "q", 2**63 - 1),
        (0x8F, 8, "Q", 2**64 - 1),
        (0x90, 8, "Q", 0),
        (0x88, 4, "f", float("nan")),
        (0x89, 8, "d", float("nan")),
    ],
)
def test_invalid_values_are_absent(base_type: int, size: int, code: str, invalid) -> None:
    body = definition(0, 20, [(9, size, base_type)])
    body += b"\x00" + struct.pack("<" + code, invalid)
    body += b"\x00" + struct.pack("<" + code, 5)
    assert records(body_file(body)) == [{}, {"x": 5}]


def test_arrays_strings_and_misaligned_fields() -> None:
    wanted = {20: ("record", {1: ("array", None), 2: ("text", None), 3: ("odd", None)})}
    body = definition(0, 20, [(1, 4, 0x84), (2, 6, 0x07), (3, 3, 0x86), (4, 2, 0x84)])
    body += b"\x00" + struct.pack("<HH", 7, 0xFFFF) + b"Run\0\0\0" + b"\x01\x02\x03" + b"\x09\x00"
    # A 3-byte uint32 is read as bytes (no caller takes it for a number); the rest stays right.
    assert records(body_file(body), wanted) == [
        {"array": (7, None), "text": "Run", "odd": b"\x01\x02\x03"}
    ]


def test_developer_fields_are_skipped_by_size_without_descriptions() -> None:
    header = 0x40 | 0x20
    body = struct.pack("<BBBHB", header, 0, 0, 20, 1) + bytes((253, 4, 0x86))
    body += bytes((2, 0, 3, 0, 1, 9, 0))  # two developer fields, 3 and 9 bytes, never described
    for time_s in (1_000_000_000, 1_000_000_001):
        body += b"\x00" + struct.pack("<I", time_s) + b"\xaa" * 12
    assert records(body_file(body)) == [{"timestamp": 1_000_000_000}, {"timestamp": 1_000_000_001}]


def test_compressed_timestamps_roll_over_32_seconds() -> None:
    body = definition(0, 20, [(253, 4, 0x86)]) + definition(1, 20, [(5, 4, 0x86)])
    body += b"\x00" + struct.pack("<I", 1_000_000_030)  # 30 in its low five bits
    for offset in (31, 2, 3):
        body += bytes((0x80 | 1 << 5 | offset,)) + struct.pack("<I", 100)
    times = [r["timestamp"] for r in records(body_file(body))]
    assert times == [1_000_000_030, 1_000_000_031, 1_000_000_034, 1_000_000_035]


def test_a_12_byte_header_and_chained_files() -> None:
    one = definition(0, 20, [(253, 4, 0x86)]) + b"\x00" + struct.pack("<I", 1_000_000_000)
    two = definition(0, 20, [(5, 4, 0x86)]) + b"\x00" + struct.pack("<I", 500)
    data = body_file(one, header_size=12) + body_file(two)
    assert records(data) == [{"timestamp": 1_000_000_000}, {"distance": 5.0}]


def test_messages_nobody_asked_for_are_skipped() -> None:
    body = definition(0, 21, [(0, 1, 0x00), (253, 4, 0x86)]) + b"\x00\x01" + b"\x00" * 4
    assert records(body_file(body)) == []


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda d: d[:-1], FitTruncated),
        (lambda d: d[:20], FitTruncated),
        (lambda d: d[:-2] + b"\x00\x00", FitCrcMismatch),
        (lambda d: d + d[:13], FitTruncated),
        (lambda d: d + b"X" * 14, FitBadHeader),
        (lambda d: d[:14] + b"\x05" + d[15:], FitCorrupt),
    ],
)
def test_broken_files_raise_one_error_each(damage, error) -> None:
    data = fit_activity_bytes([SampleRun(START, 100.0, 30.0)])
    with pytest.raises(error):
        records(damage(data))


def test_a_chained_file_whose_header_crc_fails() -> None:
    data = fit_activity_bytes([SampleRun(START, 100.0, 30.0)])
    second = bytearray(data)
    second[12] ^= 0xFF
    with pytest.raises(FitCrcMismatch):
        records(data + bytes(second))


def test_decoding_is_linear_in_the_chain_length() -> None:
    one = fit_activity_bytes([SampleRun(START, 1000.0, 300.0)])
    count = sum(1 for _ in read_messages(one * 200, RECORDS))
    assert count == 200 * sum(1 for _ in read_messages(one, RECORDS))


def test_sample_writer_options_decode(tmp_path) -> None:
    run = SampleRun(START, 1000.0, 300.0)
    data = fit_activity_bytes(
        [run], developer_fields=True, compressed_timestamps=True, cadence_spm=170.0
    )
    times = [r["timestamp"] for r in records(data)]
    first = round((START - fit_writer.FIT_EPOCH).total_seconds())
    assert times == [first + i for i in range(301)]
    assert START + timedelta(seconds=300) == fit_writer.FIT_EPOCH + timedelta(seconds=times[-1])


def test_a_64_bit_timestamp_is_no_time_not_a_crash() -> None:
    body = definition(0, 0, [(0, 1, 0x00)]) + b"\x00\x04"  # file_id: activity
    body += definition(1, 20, [(253, 8, 0x8F), (5, 4, 0x86)])
    body += b"\x01" + struct.pack("<QI", 2**63 + 5, 1000)
    assert parse_fit(body_file(body)).activities == ()
