"""Fuzzing the ingest layer: mutated FIT, GPX and TCX bytes give values or an IngestError.

Real device FIT files seed the FIT mutations when ../shared/fixtures/fit-real is present,
else generated ones. Mutations flip, insert, delete and duplicate bytes and cut the file
short; for FIT, the header and file CRCs are then often made right again, so the damage
reaches the message decoding and the figures built from it instead of stopping at the CRC
check. Runs are derandomized: CI sees the same examples every time.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwear.ingest import IngestError, ParsedFile, parse_source
from runwear.ingest.sanity import implausible
from runwear.samples.exports import tcx_bytes
from runwear.samples.fit_writer import fit_activity_bytes, fit_crc, fit_settings_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

from .conftest import FIT_REAL

REAL_SEEDS = ("garmin-fenix-5-run.fit", "Activity.fit", "2013-02-06-12-11-14.fit")
RUN = SampleRun(
    started_at=datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc),
    distance_m=400.0,
    duration_s=120.0,
    step_s=10.0,
    hill_m=5.0,
)


def fit_seeds() -> list[bytes]:
    """Small real FIT files when the fixtures are there, else generated ones of each shape."""
    real = [FIT_REAL / name for name in REAL_SEEDS]
    if all(path.is_file() for path in real):
        return [path.read_bytes() for path in real]
    later = replace(RUN, started_at=RUN.started_at + timedelta(hours=1), sport="cycling")
    return [
        fit_activity_bytes([RUN], utc_offset_s=3600),
        fit_activity_bytes([RUN, later], with_total_distance=False),
        fit_activity_bytes([RUN], with_sessions=False),
        fit_settings_bytes(),
    ]


FIT_SEEDS = fit_seeds()
GPX_SEED = gpx_bytes([RUN], jump_at=[3]).replace(
    b'creator="runwear sample"', b'creator="x" xmlns:ns3="urn:x"'
)
TCX_SEED = tcx_bytes([RUN], creator="Forerunner")

# Bytes an insertion or a flip puts in: markup, digits and signs, and some binary.
ALPHABET = list(b"<>&;\"'=/!?[]% \n\t0123456789.-+:eEZTxX\x00\x7f\x80\xff")

EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "random"]),
        st.integers(min_value=0, max_value=1 << 20),
        st.sampled_from(ALPHABET),
        st.integers(min_value=1, max_value=64),
    ),
    min_size=1,
    max_size=8,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def mutate(seed: bytes, edits: list[tuple[str, int, int, int]]) -> bytes:
    """`seed` with each edit applied in turn, at its position modulo the current length."""
    data = bytearray(seed)
    for kind, position, byte, length in edits:
        at = position % max(len(data), 1)
        if kind == "flip":
            data[at : at + 1] = bytes([byte])
        elif kind == "random":  # a whole field overwritten: a value no device writes
            data[at : at + length] = bytes((byte * (i + 7)) & 0xFF for i in range(length))
        elif kind == "insert":
            data[at:at] = bytes([byte]) * (1 + length % 4)
        elif kind == "delete":
            del data[at : at + length]
        elif kind == "duplicate":
            data[at:at] = data[at : at + length]
        else:
            del data[at:]
    return bytes(data)


def fix_fit_crcs(data: bytes) -> bytes:
    """The FIT file made consistent again: its data size, header CRC and file CRC."""
    if len(data) < 16 or data[8:12] != b".FIT":
        return data
    out = bytearray(data)
    header_size = out[0]
    if header_size not in (12, 14):
        return data
    out[4:8] = (len(out) - header_size - 2).to_bytes(4, "little")
    if header_size == 14:
        out[12:14] = fit_crc(bytes(out[:12])).to_bytes(2, "little")
    out[-2:] = fit_crc(bytes(out[:-2])).to_bytes(2, "little")
    return bytes(out)


def assert_only_ingest_errors(data: bytes, fmt: str) -> None:
    """parse_source gives usable values or raises IngestError, nothing else."""
    try:
        parsed = parse_source(data, fmt)
    except IngestError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        return
    assert isinstance(parsed, ParsedFile)
    for activity in parsed.activities:
        assert activity.started_at.utcoffset() == timedelta(0)
        # The plausibility check reads every figure; a run it lets through can be stored.
        if implausible(activity) is None:
            assert math.isfinite(activity.distance_m) and activity.distance_m > 0
        for lat, lon in activity.track:
            assert -90 <= lat <= 90 and -180 <= lon <= 180


@FUZZ
@given(seed=st.sampled_from(FIT_SEEDS), edits=EDITS, fix_crcs=st.booleans())
def test_mutated_fit_gives_values_or_ingest_error(seed, edits, fix_crcs):
    data = mutate(seed, edits)
    assert_only_ingest_errors(fix_fit_crcs(data) if fix_crcs else data, "fit")


@FUZZ
@given(edits=EDITS)
def test_mutated_gpx_gives_values_or_ingest_error(edits):
    assert_only_ingest_errors(mutate(GPX_SEED, edits), "gpx")


@FUZZ
@given(edits=EDITS)
def test_mutated_tcx_gives_values_or_ingest_error(edits):
    assert_only_ingest_errors(mutate(TCX_SEED, edits), "tcx")


def test_the_fuzzed_seeds_parse():
    # A mutation is worth something only if the file it damages was readable to begin with.
    for seed in FIT_SEEDS:
        assert isinstance(parse_source(seed, "fit"), ParsedFile)
    assert parse_source(fix_fit_crcs(FIT_SEEDS[0]), "fit") == parse_source(FIT_SEEDS[0], "fit")
    assert parse_source(GPX_SEED, "gpx").activities
    assert parse_source(TCX_SEED, "tcx").activities
