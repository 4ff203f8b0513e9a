"""A re-import knows the files it stored by their fingerprints, without reading them again."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest import archive
from runwear.ingest.archive import file_fingerprint
from runwear.samples.exports import StravaEntry, write_strava_export
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun
from tests.helpers import count_rows

T0 = datetime(2026, 4, 6, 7, 0, tzinfo=timezone.utc)


def _run(day: int, distance_m: float = 8_000.0, sport: str = "running") -> SampleRun:
    return SampleRun(
        T0 + timedelta(days=day), distance_m, distance_m * 0.3, sport=sport, step_s=5.0
    )


def _import(*args: str) -> str:
    result = CliRunner().invoke(cli, ["import", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


@pytest.fixture
def no_reading(monkeypatch):
    """Make reading any file's bytes fail the test (call it once the first import is done)."""

    def forbid() -> None:
        def refuse(*args, **kwargs):
            raise AssertionError("a file known by its fingerprint was read again")

        monkeypatch.setattr("runwear.importing.plan.read_source", refuse)
        monkeypatch.setattr(archive.FolderContainer, "read", refuse)
        monkeypatch.setattr(archive.ZipContainer, "read", refuse)

    return forbid


def test_a_folder_imported_before_is_not_read_again(runwear_db, tmp_path, no_reading):
    folder = tmp_path / "runs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.gpx").write_bytes(gpx_bytes([_run(0)]))
    (folder / "sub" / "b.fit").write_bytes(fit_activity_bytes([_run(1, 5_000.0)]))
    (folder / "ride.fit").write_bytes(fit_activity_bytes([_run(2, sport="cycling")]))
    first = _import(str(folder), str(folder / "a.gpx"))
    assert first.startswith("Imported 2 runs (13.0 km) from 4 files; 1 duplicate, 1 not run")
    assert count_rows(runwear_db, "file_fingerprints") == 3  # a.gpx by two names: one file
    no_reading()
    again = _import(str(folder), str(folder / "a.gpx"))
    assert again.startswith("Imported 0 runs (0.0 km) from 4 files; 3 duplicates, 1 not run")


def test_a_file_changed_in_place_is_read_again(runwear_db, tmp_path):
    path = tmp_path / "run.gpx"
    path.write_bytes(gpx_bytes([_run(0)]))
    _import(str(path))
    before = file_fingerprint(path)
    path.write_bytes(gpx_bytes([_run(3, 12_000.0)]))
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))  # however coarse the clock
    assert file_fingerprint(path) != before
    assert _import(str(path)).startswith("Imported 1 run (12.0 km) from 1 file")
    assert count_rows(runwear_db, "activities") == 2


def test_a_new_export_is_known_by_its_members_crc(runwear_db, tmp_path, no_reading, monkeypatch):
    entries = [StravaEntry(11, _run(0)), StravaEntry(12, _run(1), file="fit.gz")]
    first = write_strava_export(tmp_path / "first.zip", entries)
    assert _import(str(first)).startswith("Imported 2 runs (16.0 km)")
    # The next month's export: the same files, and one more, in a new zip.
    later = [*entries, StravaEntry(13, _run(30), file="gpx")]
    again = write_strava_export(tmp_path / "later.zip", later)
    with zipfile.ZipFile(again) as z:
        new = next(i for i in z.infolist() if i.filename.endswith("13.gpx"))
        new_bytes = z.read(new)
    real_read = archive.ZipContainer.read
    no_reading()

    def only_the_new_one(self, member, max_bytes):
        data = real_read(self, member, max_bytes)
        if member.path.startswith("activities/"):  # activities.csv is read to plan, as ever
            assert data == new_bytes, member.path
        return data

    monkeypatch.setattr(archive.ZipContainer, "read", only_the_new_one)
    assert _import(str(again)).startswith("Imported 1 run (8.0 km)")
    assert count_rows(runwear_db, "activities") == 3


def test_a_fingerprint_whose_file_was_forgotten_is_read_again(runwear_db, tmp_path):
    path = tmp_path / "run.fit"
    path.write_bytes(fit_activity_bytes([_run(0)]))
    _import(str(path))
    with sqlite3.connect(runwear_db) as conn:  # as `--force` forgets a removed file's source
        conn.execute("delete from activity_surfaces")
        conn.execute("delete from activity_tracks")
        conn.execute("delete from activity_profiles")
        conn.execute("delete from activities")
        conn.execute("delete from sources")
    assert _import(str(path)).startswith("Imported 1 run (8.0 km) from 1 file")
