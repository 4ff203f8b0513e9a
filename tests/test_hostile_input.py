"""Broken and hostile files imported next to a good run: one line each, the good run kept.

Every case writes its bad input beside one good generated run, imports both with `runwear
import`, and checks: exactly one line names the bad file and its problem, the good run is
stored, no traceback, exit code 1 (0 for files that are simply not runs), and a sound
database with nothing half-written.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import random
import sqlite3
import struct
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest import gpx as gpx_module
from runwear.ingest import gpx_read as gpx_read_module
from runwear.samples.fit_writer import (
    fit_activity_bytes,
    fit_crc,
    fit_seconds,
    fit_settings_bytes,
)
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

from .helpers import (
    GOOD_STORED,
    MB,
    assert_clean,
    assert_db_sound,
    assert_refused,
    db_dump,
    other_run,
    run_import,
    stored_runs,
    write_good,
)


def fit_with_header_crc_broken() -> bytes:
    data = bytearray(fit_activity_bytes([other_run()]))
    data[12] ^= 0xFF
    return bytes(data)


def fit_with_file_crc_broken() -> bytes:
    data = bytearray(fit_activity_bytes([other_run()]))
    data[-1] ^= 0xFF
    return bytes(data)


def cut(share: float) -> Callable[[], bytes]:
    """A generated FIT run cut to `share` of its length."""

    def make() -> bytes:
        data = fit_activity_bytes([other_run()])
        return data[: int(len(data) * share)]

    return make


def gpx_text(body: str) -> bytes:
    """A GPX 1.1 document around `body`."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>\n"
    ).encode()


def trkpt(lat: float, lon: float, time: str | None = "2024-05-02T07:00:00Z") -> str:
    inner = f"<time>{time}</time>" if time else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>'


HTML_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>Log in to Strava</title></head>
<body><form action="/session"><input name="email"></form></body></html>
"""

# name -> (the bad file's bytes, a part of the one line that must name it)
BROKEN_FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty.fit": (lambda: b"", "empty file. Export the activity again"),
    "empty.gpx": (lambda: b"", "empty file. Export the activity again"),
    "empty.tcx": (lambda: b"  \n", "empty file. Export the activity again"),
    "random.fit": (
        lambda: random.Random("fit").randbytes(4096),
        "not a FIT file (bad header). Check the file is a FIT export",
    ),
    "random.gpx": (
        lambda: random.Random("gpx").randbytes(4096),
        "not UTF-8 text (bad byte at offset 1): not a GPX file, or a damaged one",
    ),
    "random.tcx": (
        lambda: random.Random("tcx").randbytes(4096),
        "not UTF-8 text (bad byte at offset 2): not a TCX file, or a damaged one",
    ),
    "login-page.gpx": (
        lambda: HTML_PAGE,
        "not GPX: the file is an HTML web page (a login or error page saved as .gpx?)",
    ),
    "cut-10.fit": (cut(0.1), "truncated FIT file (ended after"),
    "cut-50.fit": (cut(0.5), "truncated FIT file (ended after"),
    "cut-90.fit": (cut(0.9), "truncated FIT file (ended after"),
    "header-crc.fit": (fit_with_header_crc_broken, "FIT file header fails its CRC check"),
    "file-crc.fit": (fit_with_file_crc_broken, "FIT file fails its CRC check (corrupted)"),
    "before-year-1.tcx": (
        lambda: (
            b'<TrainingCenterDatabase><Activities><Activity Sport="Running">'
            b"<Id>0001-01-01T00:00:00+01:00</Id><Lap><DistanceMeters>5000</DistanceMeters></Lap>"
            b"</Activity></Activities></TrainingCenterDatabase>"
        ),
        "the activity has no start time (no Id, lap start or timed trackpoint)",
    ),
    "notes.gpx": (
        lambda: b"Ran 5k today, felt good.\n",
        "not XML: the file does not start with '<'",
    ),
    "route.gpx": (
        lambda: gpx_text(
            f"<rte><name>Plan</name>{trkpt(51.5, -0.12)}</rte>".replace("trkpt", "rtept")
        ),
        "the file holds no track (only routes or waypoints): a planned route",
    ),
    "waypoints.gpx": (
        lambda: gpx_text('<wpt lat="51.5" lon="-0.12"><name>Start</name></wpt>'),
        "the file holds no track (only routes or waypoints)",
    ),
    "untimed.gpx": (
        lambda: gpx_text(
            f"<trk><trkseg>{trkpt(51.5, -0.12, None)}{trkpt(51.51, -0.12, None)}</trkseg></trk>"
        ),
        "no timestamps: a route or plan, not a recorded run",
    ),
    "one-point.gpx": (
        lambda: gpx_text(f"<trk><trkseg>{trkpt(51.5, -0.12)}</trkseg></trk>"),
        "the track has a single point: too short to measure a run",
    ),
    "null-island.gpx": (
        lambda: gpx_text(
            f"<trk><trkseg>{trkpt(0, 0)}{trkpt(0.0, 0.0, '2024-05-02T07:10:00Z')}</trkseg></trk>"
        ),
        "the track has no usable position (all at 0,0 or out of range)",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN_FILES))
def test_broken_file_is_one_line_and_the_good_run_is_imported(tmp_path, runwear_db, name):
    make, reason = BROKEN_FILES[name]
    folder = tmp_path / "in"
    write_good(folder)
    bad = folder / name
    bad.write_bytes(make())
    assert_refused(run_import(folder), runwear_db, bad, reason)


# Runs no watch records: refused with their reason, never stored. FIT's total_distance is
# unsigned, so negative distances come through the account exports (test_hostile_archives).
ABSURD_RUNS: dict[str, tuple[SampleRun, str]] = {
    "zero-distance.fit": (other_run(distance_m=0.0), "no distance recorded"),
    "10000-km.fit": (
        other_run(distance_m=10_000_000.0, duration_s=50 * 3600.0, step_s=600.0),
        "implausible distance of 10,000 km",
    ),
    "born-1989.fit": (
        other_run(started_at=datetime(1989, 12, 31, 8, 0, tzinfo=timezone.utc)),
        "implausible start date 1989-12-31 (device clock not set?)",
    ),
    "year-2099.fit": (
        other_run(started_at=datetime(2099, 6, 1, 7, 0, tzinfo=timezone.utc)),
        "start date 2099-06-01 is in the future",
    ),
    "400-hours.fit": (
        other_run(distance_m=50_000.0, duration_s=400 * 3600.0, step_s=3600.0),
        "implausible duration of 400 hours",
    ),
}


@pytest.mark.parametrize("name", list(ABSURD_RUNS))
def test_absurd_run_is_refused_not_counted(tmp_path, runwear_db, name):
    run, reason = ABSURD_RUNS[name]
    folder = tmp_path / "in"
    write_good(folder)
    bad = folder / name
    bad.write_bytes(fit_activity_bytes([run]))
    line = assert_refused(run_import(folder), runwear_db, bad, reason)
    assert line.endswith(". Check the file in the app that recorded it")
    # Refused files are forgotten, so a corrected file with the same start imports later.
    with sqlite3.connect(runwear_db) as conn:
        assert conn.execute("select count(*) from sources").fetchone() == (1,)


def fit_definition(local: int, number: int, fields: list[tuple[int, int, int]]) -> bytes:
    """A FIT definition message: (field number, size, base type) for each field."""
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(fields))
    return out + b"".join(bytes(field) for field in fields)


def fit_session_only(time: bytes, time_base: int, distance: bytes, distance_base: int) -> bytes:
    """A FIT activity file of one running session whose start time and distance fields are
    declared with the given base types (a hostile file can declare any), CRCs all correct."""
    body = fit_definition(0, 0, [(0, 1, 0x00)]) + bytes([0, 4])  # file_id: activity
    body += fit_definition(
        1,
        18,
        [(2, len(time), time_base), (5, 1, 0x00), (7, 4, 0x86), (9, len(distance), distance_base)],
    )
    body += bytes([1]) + time + bytes([1]) + struct.pack("<I", 1_500_000) + distance
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    data = header + struct.pack("<H", fit_crc(header)) + body
    return data + struct.pack("<H", fit_crc(data))


START_S = struct.pack("<I", fit_seconds(datetime(2024, 5, 2, 7, tzinfo=timezone.utc)))
UINT32, UINT64, FLOAT32, FLOAT64 = 0x86, 0x8F, 0x88, 0x89


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "time-2-63.fit",
            fit_session_only(struct.pack("<Q", 2**63), UINT64, struct.pack("<I", 500_000), UINT32),
            "a FIT time is out of any calendar (9223372036854775808 s after 1989-12-31)",
        ),
        (
            "infinite.fit",
            fit_session_only(START_S, UINT32, struct.pack("<f", math.inf), FLOAT32),
            "no distance recorded",
        ),
        (
            "1e298-m.fit",
            fit_session_only(START_S, UINT32, struct.pack("<d", 1e300), FLOAT64),
            "implausible distance of 1.0e+295 km",
        ),
    ],
)
def test_fit_fields_no_device_writes_are_refused(tmp_path, runwear_db, name, data, reason):
    folder = tmp_path / "in"
    write_good(folder)
    (folder / name).write_bytes(data)
    assert_refused(run_import(folder), runwear_db, folder / name, reason)


RIDE = other_run(sport="cycling")
WALK = other_run(sport="walking")


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("settings.fit", fit_settings_bytes, "not an activity (settings file)"),
        (
            "ride.fit",
            lambda: fit_activity_bytes([other_run(sport="cycling")]),
            "not a run (cycling)",
        ),
        (
            "walk.gpx",
            lambda: gpx_bytes([other_run()], activity_type="walking"),
            "not a run (walking)",
        ),
    ],
)
def test_files_that_are_not_runs_are_one_line_and_exit_zero(tmp_path, runwear_db, name, data, line):
    # The contract since the import command began: exit 1 means a file could not be read.
    # A settings file or a ride is read perfectly well; it is simply not a run.
    folder = tmp_path / "in"
    write_good(folder)
    (folder / name).write_bytes(data())
    result = run_import(folder)
    assert_clean(result)
    kept = "" if name == "settings.fit" else " (1 kept as cross-training)"
    assert result.output.splitlines() == [
        f"{folder / name}: {line}",
        f"Imported 1 run (5.0 km) from 2 files; 0 duplicates, 1 not run{kept}, 0 errors.",
    ]
    assert result.exit_code == 0
    runs = [r for r in stored_runs(runwear_db) if r != ("2024-05-02T07:00:00Z", 5.0)]
    assert runs == GOOD_STORED  # a ride or walk is kept as another activity, not a run
    assert_db_sound(runwear_db)


def test_gps_jumps_and_null_island_points_are_left_out_of_the_distance(tmp_path, runwear_db):
    run = other_run(distance_m=6_000.0, duration_s=1_800.0)
    text = gpx_bytes([run], jump_at=[40, 41, 200]).decode()
    # A point at (0, 0) (a watch with no fix yet) in the middle of the run.
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "<trkpt" in line) + 100
    lines.insert(at, '   <trkpt lat="0.0000000" lon="0.0000000"><ele>0</ele></trkpt>')
    (tmp_path / "jumpy.gpx").write_text("\n".join(lines))
    result = run_import(tmp_path / "jumpy.gpx")
    assert_clean(result)
    assert result.output == (
        "Imported 1 run (6.0 km) from 1 file; 0 duplicates, 0 not runs, 0 errors.\n"
    )
    [(_, km)] = stored_runs(runwear_db)
    assert km == pytest.approx(6.0, abs=0.001)  # 5 km jumps would have added 20 km
    assert_db_sound(runwear_db)


# -- XML attacks ---------------------------------------------------------------------------


def laughs(root: str, levels: int = 9) -> bytes:
    """A billion-laughs document: `levels` entities, each ten of the one before."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n {chr(10).join(entities)}\n]>\n'
        f"<{root}><name>&lol{levels};</name></{root}>\n"
    ).encode()


@pytest.mark.parametrize(
    ("name", "root"), [("laughs.gpx", "gpx"), ("laughs.tcx", "TrainingCenterDatabase")]
)
def test_billion_laughs_is_refused_before_any_parser_runs(
    tmp_path, runwear_db, monkeypatch, name, root
):
    def no_parser(*args: object, **kwargs: object) -> None:
        raise AssertionError("an XML parser was given the billion-laughs file")

    monkeypatch.setattr(gpx_read_module, "read_gpx", no_parser)
    monkeypatch.setattr(gpx_module, "read_gpx", no_parser)
    monkeypatch.setattr(ET, "fromstring", no_parser)
    monkeypatch.setattr(ET, "XMLPullParser", no_parser)
    folder = tmp_path / "in"
    write_good(folder, "fit")
    bad = folder / name
    bad.write_bytes(laughs(root))
    tracemalloc.start()
    try:
        result = run_import(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(result, runwear_db, bad, "the file declares XML entities or an external DTD")
    assert peak < 20 * MB  # the expansion would be 3 GB


SECRET = "RUNWEAR-SECRET-7f3a9c"

# (name, template): {url} is the secret file's URL.
XXE_FILES = [
    (
        "entity.gpx",
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY s SYSTEM "{url}">]>\n'
        '<gpx version="1.1" creator="&s;"><trk><name>&s;</name><trkseg>'
        '<trkpt lat="51.5" lon="-0.12"><time>2024-05-02T07:00:00Z</time></trkpt>'
        '<trkpt lat="51.51" lon="-0.12"><time>2024-05-02T07:05:00Z</time></trkpt>'
        "</trkseg></trk></gpx>",
    ),
    (
        "parameter.gpx",
        '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY % p SYSTEM "{url}"> %p;]><gpx/>',
    ),
    (
        "dtd.gpx",
        '<!DOCTYPE gpx SYSTEM "{url}"><gpx version="1.1"><trk><name>&s;</name></trk></gpx>',
    ),
    (
        "entity.tcx",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "{url}">]>'
        '<TrainingCenterDatabase><Activities><Activity Sport="Running">'
        "<Id>2024-05-02T07:00:00Z</Id><Notes>&s;</Notes><Lap StartTime='2024-05-02T07:00:00Z'>"
        "<DistanceMeters>&s;</DistanceMeters></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>",
    ),
]


@pytest.mark.parametrize(("name", "template"), XXE_FILES, ids=[n for n, _ in XXE_FILES])
def test_external_entity_never_reaches_output_or_database(tmp_path, runwear_db, name, template):
    secret = tmp_path / "private" / "notes.txt"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}\n")
    folder = tmp_path / "in"
    write_good(folder)
    bad = folder / name
    bad.write_text(template.format(url=secret.as_uri()))
    result = run_import(folder)
    assert_refused(result, runwear_db, bad, "declares XML entities or an external DTD")
    assert SECRET not in result.output
    assert SECRET not in db_dump(runwear_db)
    listing = CliRunner().invoke(cli, ["activities", "--json"])
    assert SECRET not in listing.output
    assert [a["name"] for a in json.loads(listing.output)] == ["Good run"]


# -- size limits ---------------------------------------------------------------------------


def test_file_over_the_limit_is_refused_from_its_size(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder, "fit")
    bad = folder / "huge.gpx"
    with bad.open("wb") as f:  # 1 GB, sparse: reading it whole would show in the peak
        f.truncate(1024 * MB)
    tracemalloc.start()
    try:
        result = run_import(folder, options=("--max-size", "1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(
        result,
        runwear_db,
        bad,
        "file is 1024 MB, over the 1 MB limit. Raise it with --max-size if the file is genuine",
    )
    assert peak < 16 * MB


def test_the_default_limit_is_200_mb(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder)
    bad = folder / "huge.fit"
    with bad.open("wb") as f:
        f.truncate(201 * MB)
    assert_refused(run_import(folder), runwear_db, bad, "file is 201 MB, over the 200 MB limit")


def gzip_of_zeros(size_bytes: int) -> bytes:
    """A gzip stream that expands to `size_bytes` zero bytes, written a piece at a time."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream:
        chunk = bytes(MB)
        for _ in range(size_bytes // MB):
            stream.write(chunk)
    return buffer.getvalue()


def test_gzip_bomb_is_refused_while_streaming(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder, "fit")
    bad = folder / "bomb.fit.gz"
    bad.write_bytes(gzip_of_zeros(64 * MB))  # 64 KB on disk
    tracemalloc.start()
    try:
        result = run_import(folder, options=("--max-size", "1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(
        result,
        runwear_db,
        bad,
        "expands past the 1 MB limit when decompressed (a zip or gzip bomb?)",
    )
    assert peak < 16 * MB


def test_a_reader_bug_is_one_line_not_a_crash(tmp_path, runwear_db, monkeypatch):
    # The last line of defence: should a reader ever raise something other than an
    # IngestError, that file gets its line and the import goes on.
    from runwear.importing import worker

    real_parse = worker.parse_source

    def buggy(data: bytes, fmt: str):
        if b"Buggy" in data:
            raise ValueError("an unforeseen value\nin two lines")
        return real_parse(data, fmt)

    monkeypatch.setattr(worker, "parse_source", buggy)
    folder = tmp_path / "in"
    write_good(folder)
    (folder / "odd.gpx").write_bytes(gpx_bytes([other_run(name="Buggy")]))
    assert_refused(
        run_import(folder),
        runwear_db,
        folder / "odd.gpx",
        "runwear failed to read this file (ValueError: an unforeseen value in two lines): a bug "
        "in runwear. Please report it with the file if you can share it",
    )
