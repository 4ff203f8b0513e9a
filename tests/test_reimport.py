"""A re-import of files already stored does no work beyond reading and hashing them."""

from __future__ import annotations

import sqlite3

from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from tests.helpers import run_import, sample_run


def _folder(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "a.gpx").write_bytes(gpx_bytes([sample_run(1, 5_000)]))
    (folder / "b.fit").write_bytes(fit_activity_bytes([sample_run(2, 8_000)]))
    return folder


def test_a_re_import_of_known_files_takes_no_write_lock(tmp_path, runwear_db, monkeypatch):
    folder = _folder(tmp_path)
    assert run_import(folder).exit_code == 0
    monkeypatch.setattr("runwear.store.database.BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(runwear_db, isolation_level=None)
    other.execute("begin immediate")  # another writer holds the lock throughout
    try:
        result = run_import(folder)
    finally:
        other.execute("rollback")
        other.close()
    assert result.exit_code == 0, result.output
    assert "from 2 files; 2 duplicates, 0 not runs, 0 errors." in result.output


def test_a_re_import_starts_no_parsing_workers(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    assert run_import(folder, options=["--jobs", "2"]).exit_code == 0

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for files already stored")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_pool)  # taken when needed
    result = run_import(folder, options=["--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "2 duplicates" in result.output
