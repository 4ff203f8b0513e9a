"""Records read as batches (columns) against records read one message at a time.

On every real file, on generated files and on random hostile ones: the batched decoder's
rows are the unbatched decoder's dicts, and the record columns parse_fit builds from
batches are those `_Records.add` builds a message at a time (or both refuse the file).
"""

from __future__ import annotations

import random
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.ingest import fit, fit_decode
from runwear.ingest.fit_decode import Batch, FitDecodeError, read_messages
from runwear.samples.fit_writer import SampleLap, fit_activity_bytes
from runwear.samples.route import SampleRun

from .conftest import FIT_REAL
from .test_fit_decode import body_file

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
COLUMNS = ("time_s", "lat", "lon", "distance_m", "cadence_spm")


def one_at_a_time(data: bytes) -> tuple[list, fit._Records]:
    """(messages, record columns) read a message at a time, as before batches."""
    messages = list(read_messages(data, fit.WANTED))
    records = fit._Records()
    for name, values in messages:
        if name == "record":
            records.add(values)
    return messages, records


def batched(data: bytes) -> tuple[list, fit._Records]:
    """(messages with batches expanded, record columns) as parse_fit reads them."""
    messages = []
    for name, values in read_messages(data, fit.WANTED, fit.BATCHED):
        if isinstance(values, Batch):
            assert values.count > 1
            messages.extend((name, row) for row in values.rows())
        else:
            messages.append((name, values))
    return messages, fit._read(data).records


def outcome(read, data: bytes):
    """What a reader gives: messages and column bytes, or the error class it raises."""
    try:
        messages, records = read(data)
    except FitDecodeError as exc:
        return type(exc)
    return messages, {name: getattr(records, name).tobytes() for name in COLUMNS}


def assert_same(data: bytes) -> None:
    """Batched and one-at-a-time reading agree on data."""
    assert outcome(batched, data) == outcome(one_at_a_time, data)


@pytest.mark.parametrize("name", sorted(p.name for p in FIT_REAL.glob("*.[fF][iI][tT]")))
def test_real_file_reads_the_same_in_batches(name: str, fit_real: Path) -> None:
    assert_same((fit_real / name).read_bytes())


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"with_record_distance": False},
        {"developer_fields": True, "cadence_spm": 171.0},
        {"compressed_timestamps": True, "cadence_spm": 172.0},
        {"compressed_timestamps": True, "developer_fields": True},
        {"laps": [[SampleLap(600, 5000, "warmup"), SampleLap(4200, 35_000)], []]},
    ],
)
def test_generated_file_reads_the_same_in_batches(options: dict) -> None:
    runs = [
        SampleRun(START, 40_000.0, 4800.0, sport="cycling", step_s=5.0),
        SampleRun(START + timedelta(hours=2), 10_000.0, 3000.0),
    ]
    data = fit_activity_bytes(runs, **options)
    assert_same(data)
    assert_same(data + data)  # chained
    assert_same(data[:-7])  # truncated inside the records


# Record fields a hostile file may declare: (field number, size, base type), several shapes.
FIELD_SHAPES = {
    253: [(253, 4, 0x86), (253, 4, 0x85), (253, 8, 0x8F), (253, 4, 0x88), (253, 4, 0x07)],
    0: [(0, 4, 0x85), (0, 4, 0x86), (0, 8, 0x8E), (0, 4, 0x88)],
    1: [(1, 4, 0x85), (1, 4, 0x86), (1, 2, 0x83)],
    5: [(5, 4, 0x86), (5, 4, 0x88), (5, 8, 0x89), (5, 2, 0x84), (5, 4, 0x0D), (5, 8, 0x86)],
    4: [(4, 1, 0x02), (4, 1, 0x0A), (4, 4, 0x88), (4, 2, 0x02)],
    53: [(53, 1, 0x02), (53, 4, 0x88)],
    8: [(8, 3, 0x0D), (8, 2, 0x0D)],
    2: [(2, 2, 0x84)],  # altitude: nobody asks for it
}
CODES = {0x02: "B", 0x0A: "B", 0x83: "h", 0x84: "H", 0x85: "i", 0x86: "I", 0x88: "f"}
CODES |= {0x89: "d", 0x8E: "q", 0x8F: "Q", 0x07: "s", 0x0D: "s"}
TAME_INVALID = {"B": 0xFF, "H": 0xFFFF, "i": 0x7FFFFFFF, "I": 0xFFFFFFFF}
SPECIAL = [0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2**31, 2**32, 2**63 - 1]


def random_value(rng: random.Random, size: int, base_type: int, tame: bool) -> bytes:
    """Bytes of one field: a plausible value, an invalid marker, an extreme, or noise."""
    code = CODES[base_type]
    count = size // struct.calcsize(code) if code != "s" else 1
    if tame and code in TAME_INVALID:
        value = 1_000_000_000 + rng.randrange(3600) if size == 4 else rng.randrange(2 ** (8 * size))
        return struct.pack("<" + code, value if rng.random() < 0.97 else TAME_INVALID[code])
    if code == "s" or rng.random() < 0.1:
        return rng.randbytes(size) if rng.random() < 0.7 else b"\xff" * size
    out = b""
    for _ in range(count):
        if code in "fd":
            value = rng.choice([1.5, -0.0, float("nan"), float("inf"), 3e38, rng.random() * 1e4])
        elif rng.random() < 0.3:
            value = rng.choice(SPECIAL)
        else:
            value = 1_000_000_000 + rng.randrange(3600) if size >= 4 else rng.randrange(256)
        try:
            out += struct.pack("<" + code, value)
        except struct.error:
            out += struct.pack("<" + code, 0)
    return out


def random_body(rng: random.Random) -> bytes:
    """Definitions and record messages with random shapes, values and headers."""
    body = b""
    layouts: dict[int, tuple[bool, list[tuple[int, int, int]]]] = {}
    for _ in range(rng.randrange(1, 5)):  # a few definitions, then records of them
        local = rng.choice([0, 1, 3])
        tame = rng.random() < 0.5  # the usual shapes and values, a few invalid ones
        shapes = [s[:1] if tame else s for s in FIELD_SHAPES.values()]
        fields = [rng.choice(s) for s in shapes if rng.random() < 0.75]
        rng.shuffle(fields)
        layouts[local] = tame, fields
        body += struct.pack("<BBBHB", 0x40 | local, 0, 0, 20, len(fields))
        body += b"".join(bytes(f) for f in fields)
        for _ in range(rng.randrange(0, 60)):
            local = rng.choice(list(layouts))
            compressed = rng.random() < 0.3
            header = 0x80 | local << 5 | rng.randrange(32) if compressed else local
            tame, fields = layouts[local]
            values = b"".join(random_value(rng, size, base, tame) for _, size, base in fields)
            body += bytes((header,)) + values
    return body


@pytest.mark.parametrize("min_batch", [2, fit_decode.MIN_BATCH])
@pytest.mark.parametrize("seed", range(300))
def test_random_hostile_records_read_the_same_in_batches(seed: int, min_batch, monkeypatch) -> None:
    monkeypatch.setattr(fit_decode, "MIN_BATCH", min_batch)  # 2: many more, shorter batches
    rng = random.Random(seed)
    data = body_file(random_body(rng))
    assert_same(data)
    if seed % 3 == 0:
        assert_same(data[: rng.randrange(14, len(data))])  # truncated anywhere
    if seed % 3 == 1:  # a data size that ends inside a message
        broken = bytearray(data)
        broken[4:8] = struct.pack("<I", rng.randrange(len(data) - 16))
        assert_same(bytes(broken))


def test_a_run_of_records_comes_as_one_batch() -> None:
    data = fit_activity_bytes([SampleRun(START, 1000.0, 300.0)])
    batches = [v for _, v in read_messages(data, fit.WANTED, fit.BATCHED) if type(v) is Batch]
    assert [b.count for b in batches] == [301]


def test_an_invalid_value_is_looked_for_at_value_boundaries_only() -> None:
    # 0xFFFFFF00 then 0x000000FF: their bytes hold ff ff ff ff across the two values.
    body = struct.pack("<BBBHB", 0x40, 0, 0, 20, 2) + bytes((253, 4, 0x86, 5, 4, 0x86))
    distances = [0xFFFFFF00, 0xFF] * 4
    for second, distance in enumerate(distances):
        body += b"\x00" + struct.pack("<II", 1_000_000_000 + second, distance)
    (batch,) = [v for _, v in read_messages(body_file(body), fit.WANTED, fit.BATCHED)]
    assert list(batch.columns["distance"]) == [d / 100 for d in distances]
    assert_same(body_file(body))
