"""Parallel parsing, batched writes, and imports that are killed and run again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.importing import ImportOptions, ImportRun, Progress
from runwear.importing import engine as engine_module
from runwear.samples.exports import (
    GarminEntry,
    GarminShoeRow,
    StravaEntry,
    StravaShoeRow,
    write_garmin_export,
    write_strava_export,
)
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.route import SampleRun
from runwear.store import open_db

from .helpers import write_mixed_folder

TIMESTAMPS = {"imported_at", "created_at"}
TABLES = ("shoes", "sources", "activities", "activity_surfaces", "activity_tracks")


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the import's tables, in key order, without the wall-clock timestamps."""
    with sqlite3.connect(db_path) as conn:
        out = {}
        for table in TABLES:
            columns = [r[1] for r in conn.execute(f"pragma table_info({table})")]
            kept = [c for c in columns if c not in TIMESTAMPS]
            out[table] = list(conn.execute(f"select {', '.join(kept)} from {table} order by rowid"))
        return out


def run_of(i: int, step_s: float = 5.0) -> SampleRun:
    """The i-th generated run: one a day from 2026-03-01, 6 to 12 km."""
    return SampleRun(
        started_at=datetime(2026, 3, 1, 6, tzinfo=timezone.utc) + timedelta(days=i),
        distance_m=6_000 + (i % 7) * 1_000,
        duration_s=1_800,
        name=f"Run {i}",
        step_s=step_s,
        bearing_deg=i * 29 % 360,
    )


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    """A messy folder, a Strava export and a Garmin export, overlapping in places."""
    folder = write_mixed_folder(tmp_path / "downloads")
    strava = write_strava_export(
        tmp_path / "strava.zip",
        [
            StravaEntry(
                i,
                run_of(i),
                "Trail Run" if i % 4 == 0 else "Run",
                ("gpx", "fit.gz", "tcx.gz")[i % 3],
                gear="Peggy" if i % 2 else "",
            )
            for i in range(12)
        ]
        + [StravaEntry(99, run_of(40), file=None, gear="Peggy")],
        [StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run")],
    )
    garmin = write_garmin_export(
        tmp_path / "garmin.zip",
        [GarminEntry(100 + i, run_of(i + 8), gear_pk=7, upload_id=500 + i) for i in range(8)],
        [GarminShoeRow(7, "Hoka", "Hoka Clifton 9", nickname="Cloud")],
    )
    return [folder, strava, garmin]


def do_import(db_path: Path, paths: list[Path], **options) -> list[str]:
    """Import `paths` into the database at `db_path`; the result lines."""
    db = open_db(db_path)
    try:
        run = ImportRun(db, paths, ImportOptions(**options))
        return [f"{r.path}: {r.status}: {r.detail}" for r in run.results()]
    finally:
        db.close()


def test_any_number_of_jobs_gives_the_same_database(tmp_path, inputs):
    lines = {}
    for jobs in (1, 2, 3):
        lines[jobs] = do_import(tmp_path / f"j{jobs}.db", inputs, jobs=jobs, batch_files=4)
    assert lines[1] == lines[2] == lines[3]
    assert dump(tmp_path / "j1.db") == dump(tmp_path / "j2.db") == dump(tmp_path / "j3.db")
    assert (
        len(dump(tmp_path / "j1.db")["activities"]) == 4 + 13 + 4 + 1
    )  # folder, Strava, Garmin; the ride kept


def test_a_second_import_never_parses(tmp_path, inputs, monkeypatch):
    db_path = tmp_path / "runwear.db"
    do_import(db_path, inputs, jobs=2)
    before = dump(db_path)

    def no_parsing(data: bytes, fmt: str):
        raise AssertionError("a known file was parsed")

    monkeypatch.setattr(engine_module, "parse_job", no_parsing)
    broken = {"truncated.fit", "noise.gpx"}  # never stored: read again, and refused again
    for path in inputs[0].rglob("*"):
        if path.name in broken:
            path.unlink()
    lines = do_import(db_path, inputs, jobs=1)
    assert not [line for line in lines if ": imported: " in line]
    assert dump(db_path) == before


class _CountingPool:
    """A pool that parses at once in this process and counts the files out at a time (sent,
    their result not yet taken)."""

    most = 0

    def __init__(self, max_workers: int, initializer) -> None:
        self.out: set[object] = set()

    def submit(self, fn, data: bytes, fmt: str):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(fn(data, fmt))
        self.out.add(future)
        _CountingPool.most = max(_CountingPool.most, len(self.out))
        taken = future.result

        def result(timeout=None):
            self.out.discard(future)
            return taken(timeout)

        future.result = result  # type: ignore[method-assign]
        future.done = lambda: False  # type: ignore[method-assign]  # as if still parsing
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


@pytest.mark.parametrize(
    ("out_bytes", "most"),
    [(1 << 30, 16), (1, 1)],
    ids=["files per worker", "bytes"],
)
def test_files_out_with_the_workers_are_capped(tmp_path, monkeypatch, out_bytes, most):
    import concurrent.futures

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"{i}.fit").write_bytes(fit_activity_bytes([run_of(i)]))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _CountingPool)
    monkeypatch.setattr(engine_module, "OUT_BYTES", out_bytes)
    _CountingPool.most = 0
    lines = do_import(tmp_path / "runwear.db", [folder], jobs=2)
    assert len([line for line in lines if ": imported: " in line]) == 40
    assert _CountingPool.most == most


def test_interrupted_import_resumes_to_the_same_database(tmp_path, inputs):
    whole = tmp_path / "whole.db"
    do_import(whole, inputs, jobs=2, batch_files=3)

    cut = tmp_path / "cut.db"
    db = open_db(cut)

    def stop_after_ten(progress: Progress) -> None:
        if progress.done == 10:
            raise KeyboardInterrupt

    run = ImportRun(db, inputs, ImportOptions(jobs=2, batch_files=3), stop_after_ten)
    with pytest.raises(KeyboardInterrupt):
        for _ in run.results():
            pass
    db.close()
    partial = dump(cut)
    assert 0 < len(partial["sources"]) < len(dump(whole)["sources"])
    do_import(cut, inputs, jobs=2, batch_files=3)
    assert dump(cut) == dump(whole)


FILES = 120


def test_killed_import_resumes_to_the_same_database(tmp_path, runwear_db):
    folder = tmp_path / "watch"
    folder.mkdir()
    # One-second points, and enough files that the import spans several one-second batches.
    for i in range(FILES):
        (folder / f"{i:03d}.fit").write_bytes(fit_activity_bytes([run_of(i, step_s=1.0)]))
    whole = tmp_path / "whole.db"
    do_import(whole, [folder], jobs=2)

    runwear = Path(sys.executable).parent / "runwear"
    if not runwear.exists():
        pytest.skip("the runwear command is not installed (pip install -e .)")
    child = subprocess.Popen(
        [str(runwear), "--db", str(runwear_db), "import", "--jobs", "1", "-q", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while child.poll() is None and time.monotonic() < deadline:
        if runwear_db.exists():
            try:
                with sqlite3.connect(runwear_db, timeout=1) as conn:
                    stored = conn.execute("select count(*) from activities").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored:
                os.kill(child.pid, signal.SIGKILL)
                break
        time.sleep(0.02)
    child.wait()
    partial = dump(runwear_db)
    assert 0 < len(partial["activities"]) < FILES  # killed halfway
    assert len(partial["activities"]) == len(partial["sources"])  # whole files only
    do_import(runwear_db, [folder], jobs=2)
    assert dump(runwear_db) == dump(whole)
