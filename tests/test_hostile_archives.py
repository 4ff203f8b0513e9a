"""Hostile archives, folders and account exports, imported next to a good run.

Zips whose member names climb out of the destination, zips nested too deep, zip bombs,
symlink loops, files that cannot be read, and the CSV files of a Strava export in every
state a runner's machine leaves them. The checks are those of test_hostile_input.py.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import random
import sqlite3
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from runwear.ingest.archive import MAX_ZIP_DEPTH, open_container, walk
from runwear.samples.exports import (
    GarminEntry,
    StravaEntry,
    StravaShoeRow,
    strava_activities_csv,
    strava_shoes_csv,
    write_garmin_export,
    write_strava_export,
)
from runwear.samples.gpx_writer import gpx_bytes

from .helpers import (
    GOOD,
    GOOD_STORED,
    MB,
    assert_clean,
    assert_db_sound,
    assert_refused,
    other_run,
    run_import,
    stored_runs,
    write_good,
)


def permissions_hold() -> bool:
    """False where a file without read permission can be read all the same (root)."""
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "locked"
        locked.write_bytes(b"x")
        locked.chmod(0)
        try:
            locked.read_bytes()
        except PermissionError:
            return True
        return False


as_user_only = pytest.mark.skipif(
    not permissions_hold(),
    reason="this user reads files whatever their permissions (root); tests/test_permissions.py "
    "runs these cases as an unprivileged user",
)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deflated zip of `files`, in memory; names are stored exactly as given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def all_files(root: Path) -> set[Path]:
    """Every file and link below `root`."""
    return {Path(folder) / name for folder, dirs, files in os.walk(root) for name in files + dirs}


# -- zip archives --------------------------------------------------------------------------


def test_member_names_climbing_out_are_read_in_memory_and_nothing_is_written(tmp_path, runwear_db):
    archive = tmp_path / "in" / "runs.zip"
    archive.parent.mkdir()
    archive.write_bytes(
        zip_bytes(
            {
                "good.gpx": gpx_bytes([GOOD]),
                "../evil.gpx": gpx_bytes([other_run(name="Climber")]),
                "/abs/evil.gpx": gpx_bytes(
                    [other_run(started_at=datetime(2024, 5, 3, 7, tzinfo=timezone.utc))]
                ),
                "a/../../../evil2.gpx": b"<gpx",
            }
        )
    )
    before_parent = set(tmp_path.parent.iterdir())
    before = all_files(tmp_path)
    result = run_import(archive)
    assert_clean(result)
    # Read from the archive in memory, named as the archive names them; the broken one says so.
    assert result.output.splitlines() == [
        f"{archive}/a/../../../evil2.gpx: error: not valid GPX XML (line 1: unclosed token). "
        "Export the activity again",
        "Imported 3 runs (15.0 km) from 4 files; 0 duplicates, 0 not runs, 1 error.",
    ]
    assert result.exit_code == 1
    assert [started for started, _ in stored_runs(runwear_db)] == [
        "2024-05-01T06:30:00Z",
        "2024-05-02T07:00:00Z",
        "2024-05-03T07:00:00Z",
    ]
    # Nothing was unpacked: the only new files are the database's own.
    new = {p.name for p in all_files(tmp_path) - before}
    assert new <= {"runwear.db", "runwear.db-wal", "runwear.db-shm"}
    assert set(tmp_path.parent.iterdir()) == before_parent
    assert not Path("/abs/evil.gpx").exists()
    assert_db_sound(runwear_db)


def test_names_that_would_drive_the_terminal_are_printed_escaped(tmp_path, runwear_db):
    archive = tmp_path / "runs.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "good.gpx": gpx_bytes([GOOD]),
                "\x1b[2J\x1b]0;owned\x07\nrun.gpx": b"<\x1b[31mgpx>",
            }
        )
    )
    result = run_import(archive)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert_refused(
        result,
        runwear_db,
        f"{archive}/\\x1b[2J\\x1b]0;owned\\x07\\nrun.gpx",
        "not GPX: the root element is <\\x1b[31mgpx>, not <gpx>",
    )


def deep_archive() -> bytes:
    """outer.zip > level2.zip > level3.zip > level4.zip, one run at every level."""

    def run_on(day: int) -> bytes:
        return gpx_bytes([other_run(started_at=datetime(2024, 5, day, 7, tzinfo=timezone.utc))])

    level4 = zip_bytes({"level4.gpx": run_on(4)})
    level3 = zip_bytes({"level3.gpx": run_on(3), "level4.zip": level4})
    level2 = zip_bytes({"level2.gpx": run_on(2), "level3.zip": level3})
    return zip_bytes({"level1.gpx": gpx_bytes([GOOD]), "level2.zip": level2})


def test_walk_opens_zips_three_deep_and_refuses_the_fourth(tmp_path):
    archive = tmp_path / "outer.zip"
    archive.write_bytes(deep_archive())
    with open_container(archive) as container:
        found = [(f.name, str(f.error) if f.error else None) for f in walk(container)]
    assert MAX_ZIP_DEPTH == 3
    assert found == [
        (f"{archive}/level1.gpx", None),
        (f"{archive}/level2.zip/level2.gpx", None),
        (f"{archive}/level2.zip/level3.zip/level3.gpx", None),
        (
            f"{archive}/level2.zip/level3.zip/level4.zip",
            "a zip inside zips 4 deep; runwear opens zips at most 3 deep (zips nested over and "
            "over are a zip bomb's trick). Unpack it and import what it holds",
        ),
    ]


def test_zips_nested_deeper_than_three_are_one_line(tmp_path, runwear_db):
    archive = tmp_path / "outer.zip"
    archive.write_bytes(deep_archive())
    result = run_import(archive)
    assert_refused(
        result,
        runwear_db,
        f"{archive}/level2.zip/level3.zip/level4.zip",
        "a zip inside zips 4 deep; runwear opens zips at most 3 deep",
        sources="4 files",
        stored=[
            ("2024-05-01T06:30:00Z", 5.0),
            ("2024-05-02T07:00:00Z", 5.0),
            ("2024-05-03T07:00:00Z", 5.0),
        ],
    )


def lie_about_size(data: bytes, claimed: int) -> bytes:
    """A one-member zip whose headers claim `claimed` uncompressed bytes (a zip bomb's lie)."""
    out = bytearray(data)
    assert out[:4] == b"PK\x03\x04"
    out[22:26] = claimed.to_bytes(4, "little")
    central = out.rindex(b"PK\x01\x02")
    out[central + 24 : central + 28] = claimed.to_bytes(4, "little")
    return bytes(out)


@pytest.mark.parametrize(
    ("member", "data", "reason"),
    [
        ("big.gpx", lambda: b"<" + b" " * (3 * MB), "file is 3 MB, over the 1 MB limit"),
        (
            "liar.gpx",
            lambda: lie_about_size(zip_bytes({"liar.gpx": b"<" + b" " * (3 * MB)}), 1000),
            "damaged in the zip archive (bad CRC-32 for file 'liar.gpx')",
        ),
        (
            "bomb.fit.gz",
            lambda: gzip.compress(bytes(8 * MB), mtime=0),
            "expands past the 1 MB limit when decompressed (a zip or gzip bomb?)",
        ),
    ],
    ids=["over-the-limit", "lying-headers", "gzip-inside"],
)
def test_zip_member_past_the_limit_is_refused_while_streaming(
    tmp_path, runwear_db, member, data, reason
):
    archive = tmp_path / "runs.zip"
    content = data()
    if member == "liar.gpx":
        raw = zipfile.ZipFile(io.BytesIO(content)).infolist()[0]
        assert raw.file_size == 1000
        # The lying member is copied as is next to the good run.
        archive.write_bytes(content)
        with zipfile.ZipFile(archive, "a") as z:
            z.writestr("good.gpx", gpx_bytes([GOOD]))
    else:
        archive.write_bytes(zip_bytes({"good.gpx": gpx_bytes([GOOD]), member: content}))
    result = run_import(archive, options=("--max-size", "1"))
    assert_refused(result, runwear_db, f"{archive}/{member}", reason)


@pytest.mark.parametrize(
    ("file", "content", "reason"),
    [
        ("gpx", b"<" + b" " * (3 * MB), "file is 3 MB, over the 1 MB limit"),
        ("fit.gz", gzip.compress(bytes(8 * MB), mtime=0), "expands past the 1 MB limit"),
    ],
    ids=["over-the-limit", "gzip-bomb"],
)
def test_strava_export_member_past_the_limit(tmp_path, runwear_db, file, content, reason):
    entries = [StravaEntry(1, GOOD, file="gpx"), StravaEntry(2, other_run(), file=file)]
    export = write_strava_export(tmp_path / "export.zip", entries)
    with zipfile.ZipFile(export) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    files[f"activities/2.{file}"] = content
    export.write_bytes(zip_bytes(files))
    result = run_import(export, options=("--max-size", "1"))
    line = assert_refused(
        result,
        runwear_db,
        f"{export}/activities/2.{file}",
        reason,
        sources="4 files",  # activities.csv and shoes.csv are files read too
        stored=[*GOOD_STORED, ("2024-05-02T07:00:00Z", 5.0)],
    )
    # The file is refused; the run it held is still counted, from activities.csv's figures.
    assert line.endswith("; its run was imported from activities.csv, without a track")


# -- folders -------------------------------------------------------------------------------


def test_symlink_loop_ends_the_walk_and_is_one_line(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder)
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")
    result = run_import(folder)
    assert_refused(
        result,
        runwear_db,
        folder / "sub" / "loop",
        "a link to a folder, not followed (it could loop, or lead outside the folder imported). "
        "Import the folder it points to directly",
    )


def test_link_cycle_between_files_is_one_line(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder)
    os.symlink(folder / "b.fit", folder / "a.fit")
    os.symlink(folder / "a.fit", folder / "b.fit")
    result = run_import(folder)
    assert_clean(result)
    lines = result.output.splitlines()
    assert lines == [
        f"{folder / 'a.fit'}: error: cannot read the file (Too many levels of symbolic links). "
        "Check it exists and is readable",
        f"{folder / 'b.fit'}: error: cannot read the file (Too many levels of symbolic links). "
        "Check it exists and is readable",
        "Imported 1 run (5.0 km) from 3 files; 0 duplicates, 0 not runs, 2 errors.",
    ]
    assert result.exit_code == 1
    assert stored_runs(runwear_db) == GOOD_STORED


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def link_to_dev_zero(path: Path) -> None:
    os.symlink("/dev/zero", path)


def dangling_link(path: Path) -> None:
    os.symlink(path.parent / "gone.fit", path)


def no_permission(path: Path) -> None:
    path.write_bytes(gpx_bytes([other_run()]))
    path.chmod(0)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("dangling.fit", dangling_link, "cannot read the file (No such file or directory)"),
        ("pipe.gpx", make_fifo, "not a regular file (a pipe, socket or device"),
        ("zero.fit", link_to_dev_zero, "a link to a file outside the folder imported"),
        pytest.param(
            "locked.gpx",
            no_permission,
            "cannot read the file (Permission denied)",
            marks=as_user_only,
        ),
    ],
)
def test_unreadable_file_is_one_line(tmp_path, runwear_db, name, make, reason):
    folder = tmp_path / "in"
    write_good(folder)
    make(folder / name)
    assert_refused(run_import(folder), runwear_db, folder / name, reason)


@as_user_only
def test_unreadable_folder_is_one_line(tmp_path, runwear_db):
    folder = tmp_path / "in"
    write_good(folder)
    locked = folder / "2019"
    locked.mkdir()
    (locked / "old.gpx").write_bytes(gpx_bytes([other_run()]))
    locked.chmod(0)
    try:
        result = run_import(folder)
        assert_refused(
            result,
            runwear_db,
            locked,
            "cannot read the folder (Permission denied); its files were not imported",
        )
    finally:
        locked.chmod(0o755)


def test_export_file_linked_outside_the_export_is_not_read(tmp_path, runwear_db):
    secret = tmp_path / "elsewhere" / "private.gpx"
    secret.parent.mkdir()
    secret.write_bytes(gpx_bytes([other_run(name="Private")]))
    entries = [StravaEntry(1, GOOD, file="gpx"), StravaEntry(2, other_run(), file="gpx")]
    export = write_strava_export(tmp_path / "export", entries, zipped=False)
    linked = export / "activities" / "2.gpx"
    linked.unlink()
    os.symlink(secret, linked)
    result = run_import(export)
    line = assert_refused(
        result,
        runwear_db,
        linked,
        "the file is a link to a place outside the export folder; not read",
        sources="4 files",
        stored=[*GOOD_STORED, ("2024-05-02T07:00:00Z", 5.0)],
    )
    assert "its run was imported from activities.csv, without a track" in line


# -- Strava activities.csv -----------------------------------------------------------------


def strava_export(tmp_path: Path, csv: bytes, shoes: bytes | None = None) -> Path:
    """An unpacked Strava export with the good run's file and the given CSV files."""
    export = write_strava_export(
        tmp_path / "export", [StravaEntry(1, GOOD, file="gpx")], zipped=False
    )
    (export / "activities.csv").write_bytes(csv)
    if shoes is not None:
        (export / "shoes.csv").write_bytes(shoes)
    return export


def named_runs(db: Path) -> list[tuple[str, str | None]]:
    """(activity name, shoe name) of every run, oldest first."""
    conn = sqlite3.connect(db)
    try:
        return list(
            conn.execute(
                "select a.name, s.name from activities a left join shoes s on s.id = a.shoe_id "
                "order by a.started_at"
            )
        )
    finally:
        conn.close()


ENTRIES = [
    StravaEntry(1, GOOD, file="gpx", gear="Pégase"),
    StravaEntry(2, other_run(name="Café au lait"), file=None, gear="Pégase"),
]
SHOES = [StravaShoeRow("Pégase", "Nike", "Pegasus 40")]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_activities_csv_in_another_encoding_imports(tmp_path, runwear_db, encoding):
    csv = strava_activities_csv(ENTRIES).decode().encode(encoding)
    shoes = strava_shoes_csv(SHOES).decode().encode(encoding)
    export = strava_export(tmp_path, csv, shoes)
    result = run_import(export)
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert named_runs(runwear_db) == [("Good run", "Pégase"), ("Café au lait", "Pégase")]
    assert_db_sound(runwear_db)


def test_one_line_in_another_encoding_spoils_nothing_else(tmp_path, runwear_db):
    lines = strava_activities_csv(ENTRIES).decode().splitlines(keepends=True)
    csv = "".join(lines[:2]).encode() + lines[2].encode("cp1252")
    export = strava_export(tmp_path, csv, strava_shoes_csv(SHOES))
    result = run_import(export)
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert named_runs(runwear_db) == [("Good run", "Pégase"), ("Café au lait", "Pégase")]


def test_unreadable_header_is_one_line(tmp_path, runwear_db):
    header = random.Random(3).randbytes(60).replace(b"\n", b" ").replace(b"\r", b" ")
    body = strava_activities_csv(ENTRIES).split(b"\n", 1)[1]
    export = strava_export(tmp_path, header + b"\n" + body)
    good = write_good(tmp_path / "watch", "fit")
    good.rename(good.with_name("good-watch.fit"))
    result = run_import(export, tmp_path / "watch")
    assert_refused(
        result,
        runwear_db,
        export / "activities.csv",
        "activities.csv has a header runwear cannot read (1 column starting",
    )


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV file's rows."""
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as a CSV file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_missing_columns_are_named(tmp_path, runwear_db):
    rows = csv_rows(strava_activities_csv(ENTRIES))
    keep = [i for i, name in enumerate(rows[0]) if name not in ("Activity Type", "Filename")]
    export = strava_export(tmp_path, csv_bytes([[row[i] for i in keep] for row in rows]))
    write_good(tmp_path / "watch", "fit")
    result = run_import(export, tmp_path / "watch")
    assert_refused(
        result,
        runwear_db,
        export / "activities.csv",
        "activities.csv lacks the columns Activity Type, Filename. Download the Strava export "
        "again",
    )


def test_extra_columns_are_ignored(tmp_path, runwear_db):
    header, *rows = csv_rows(strava_activities_csv(ENTRIES))
    wider = [["Mood", *header[:3], "Weather", *header[3:], "Extra"]]
    wider += [["happy", *row[:3], "rain, light", *row[3:], "x"] for row in rows]
    export = strava_export(tmp_path, csv_bytes(wider), strava_shoes_csv(SHOES))
    result = run_import(export)
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert named_runs(runwear_db) == [("Good run", "Pégase"), ("Café au lait", "Pégase")]
    assert stored_runs(runwear_db) == [*GOOD_STORED, ("2024-05-02T07:00:00Z", 5.0)]


def test_blank_gear_imports_without_a_shoe(tmp_path, runwear_db):
    entries = [StravaEntry(1, GOOD, file="gpx", gear=""), StravaEntry(2, other_run(), file=None)]
    export = strava_export(tmp_path, strava_activities_csv(entries), strava_shoes_csv([]))
    result = run_import(export)
    assert_clean(result)
    assert result.output == (
        "Imported 2 runs (10.0 km) from 3 files and 1 export entry; 0 duplicates, 0 not runs, "
        "0 errors.\n"
    )
    assert named_runs(runwear_db) == [("Good run", None), ("Other", None)]
    assert_db_sound(runwear_db)


def test_csv_the_csv_module_refuses_is_one_line(tmp_path, runwear_db):
    rows = csv_rows(strava_activities_csv(ENTRIES))
    rows[2][4] = "x" * 200_000  # a description past the csv module's field limit
    export = strava_export(tmp_path, csv_bytes(rows))
    write_good(tmp_path / "watch", "fit")
    result = run_import(export, tmp_path / "watch")
    assert_refused(
        result,
        runwear_db,
        export / "activities.csv",
        "activities.csv is not valid CSV (line 3: field larger than field limit (131072))",
    )


# -- absurd figures in account exports -----------------------------------------------------


@pytest.mark.parametrize(
    ("distance_m", "reason"),
    [(-5_000.0, "negative distance of -5.00 km"), (math.nan, "no distance recorded")],
    ids=["negative", "nan"],
)
def test_strava_manual_entry_with_an_impossible_distance_is_refused(
    tmp_path, runwear_db, distance_m, reason
):
    entries = [
        StravaEntry(1, GOOD, file="gpx"),
        StravaEntry(2, other_run(distance_m=distance_m, duration_s=1_500.0), file=None),
    ]
    export = write_strava_export(tmp_path / "export.zip", entries)
    result = run_import(export)
    line = assert_refused(
        result,
        runwear_db,
        f"{export}/activities.csv line 3",
        reason,
        sources="3 files and 1 export entry",
    )
    assert line.endswith(". Check the activity on Strava")


@pytest.mark.parametrize(
    ("distance_m", "reason"),
    [(-5_000.0, "negative distance of -5.00 km"), (math.nan, "no distance recorded")],
    ids=["negative", "nan"],
)
def test_garmin_summary_with_an_impossible_distance_is_refused(
    tmp_path, runwear_db, distance_m, reason
):
    entries = [
        GarminEntry(1, GOOD, upload_id=9001),
        GarminEntry(77, other_run(distance_m=distance_m)),  # no file: from the summary alone
    ]
    export = write_garmin_export(tmp_path / "garmin.zip", entries)
    result = run_import(export)
    summaries = (
        f"{export}/DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json"
    )
    line = assert_refused(
        result, runwear_db, f"{summaries} activity 77", reason, sources="3 files and 1 export entry"
    )
    assert line.endswith(". Check the activity on Garmin Connect")


def test_a_plain_folders_link_leading_outside_it_is_not_followed(tmp_path, runwear_db):
    secret = tmp_path / "elsewhere" / "private.gpx"
    secret.parent.mkdir()
    secret.write_bytes(gpx_bytes([other_run(name="Private")]))
    folder = tmp_path / "in"
    write_good(folder)
    link = folder / "linked.gpx"
    os.symlink(secret, link)
    result = run_import(folder)
    assert_refused(result, runwear_db, link, "a link to a file outside the folder imported")
