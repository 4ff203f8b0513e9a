"""`runwear import --watch DIR`: files that arrive are imported once written, until Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.arrivals import Arrivals
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def write(path: Path, data: bytes, mtime: float) -> None:
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_a_file_is_ready_once_unchanged_over_a_poll_and_only_once(tmp_path):
    clock = Clock(1_000_000.0)
    arrivals = Arrivals(tmp_path, 5.0, clock)
    write(tmp_path / "a.gpx", b"<gpx/>", clock.now - 60)
    assert arrivals.ready() == []  # first seen: wait one poll
    clock.now += 5
    assert arrivals.ready() == [tmp_path / "a.gpx"]
    clock.now += 5
    assert arrivals.ready() == []  # handed out already: a broken file's line comes once


def test_a_file_still_growing_or_just_touched_waits(tmp_path):
    clock = Clock(1_000_000.0)
    arrivals = Arrivals(tmp_path, 5.0, clock)
    growing = tmp_path / "b.fit"
    write(growing, b"x" * 10, clock.now - 60)
    assert arrivals.ready() == []
    clock.now += 5
    write(growing, b"x" * 20, clock.now - 60)  # size changed between two polls
    assert arrivals.ready() == []
    clock.now += 5
    assert arrivals.ready() == [growing]
    fresh = tmp_path / "c.tcx"
    write(fresh, b"<x/>", clock.now - 1)  # changed within the last interval
    arrivals.ready()
    clock.now += 3
    assert arrivals.ready() == []  # unchanged, but its mtime is 4 s old: not settled
    clock.now += 2
    assert arrivals.ready() == [fresh]


def test_a_file_changed_after_import_is_handed_out_again(tmp_path):
    clock = Clock(1_000_000.0)
    arrivals = Arrivals(tmp_path, 5.0, clock)
    path = tmp_path / "sub" / "run.gpx.gz"
    path.parent.mkdir()
    write(path, b"1", clock.now - 60)
    arrivals.ready()
    clock.now += 5
    assert arrivals.ready() == [path]
    write(path, b"22", clock.now - 30)
    arrivals.ready()
    clock.now += 5
    assert arrivals.ready() == [path]


def test_hidden_and_other_files_are_never_handed_out(tmp_path):
    clock = Clock(1_000_000.0)
    arrivals = Arrivals(tmp_path, 5.0, clock)
    for name in (".syncthing.run.gpx.tmp", ".run.fit", "notes.txt", "run.gpx.part", "x.zip"):
        write(tmp_path / name, b"x", clock.now - 60)
    arrivals.ready()
    clock.now += 5
    assert arrivals.ready() == [tmp_path / "x.zip"]


def test_a_file_of_a_type_runwear_does_not_read_is_handed_out_to_be_named(tmp_path):
    clock = Clock(1_000_000.0)
    arrivals = Arrivals(tmp_path, 5.0, clock)
    write(tmp_path / "run.hrm", b"[Params]\nVersion=106\n", clock.now - 60)
    arrivals.ready()
    clock.now += 5
    assert arrivals.ready() == [tmp_path / "run.hrm"]
    clock.now += 5
    assert arrivals.ready() == []


def test_watch_refuses_paths_too(tmp_path):
    result = CliRunner().invoke(cli, ["import", "--watch", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2
    assert "--watch DIR imports that folder alone: leave out PATH..." in result.output
    bad = CliRunner().invoke(cli, ["import", "--watch", str(tmp_path), "--interval", "0.1"])
    assert bad.exit_code == 2
    assert "0.1 is not in the range 1<=x<=3600" in bad.output


def sample_run(day: int) -> bytes:
    started = datetime(2026, 11, day, 7, 0, tzinfo=timezone.utc)
    return gpx_bytes([SampleRun(started, 5000.0, 1500.0, step_s=10.0)])


def test_watch_imports_files_as_they_arrive_and_stops_cleanly_on_ctrl_c(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    db = tmp_path / "runwear.db"
    env = {**os.environ, "RUNWEAR_DB": str(db), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "runwear", "import", "--watch", str(folder), "--interval", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True).start()

    def next_line(timeout_s: float = 20.0) -> str:
        return lines.get(timeout=timeout_s).rstrip("\n")

    try:
        assert next_line().startswith(f"Watching {folder} for new files every 1 s")
        (folder / "one.gpx").write_bytes(sample_run(2))
        assert next_line() == f"{folder}/one.gpx: imported 1 run (5.0 km)"
        (folder / "broken.fit").write_bytes(b"not a FIT file at all")
        (folder / "sub").mkdir()
        (folder / "sub" / "two.gpx").write_bytes(sample_run(3))
        got = {next_line(), next_line()}
        assert f"{folder}/sub/two.gpx: imported 1 run (5.0 km)" in got
        assert any(x.startswith(f"{folder}/broken.fit: error: ") for x in got), got
        (folder / "old.hrm").write_bytes(b"[Params]\nVersion=106\n")
        assert next_line() == (
            f"{folder}/old.hrm: error: a Polar .hrm file, a type runwear does not read: "
            "convert it to FIT, GPX or TCX"
        )
        partial = folder / "three.gpx"  # written slowly: not read before it is whole
        data = sample_run(4)
        with partial.open("wb") as out:
            for start in range(0, len(data), len(data) // 8):
                out.write(data[start : start + len(data) // 8])
                out.flush()
                time.sleep(0.4)
        assert next_line() == f"{folder}/three.gpx: imported 1 run (5.0 km)"
        time.sleep(2.5)  # more polls: the broken file is not said again
        assert lines.empty()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    rest = []
    while not lines.empty():
        rest.append(next_line(1))
    assert process.returncode == 0
    assert rest == [
        f"Stopped watching {folder}. Imported 3 runs (15.0 km) from 5 files; "
        "0 duplicates, 0 not runs, 2 errors."
    ]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from activities").fetchone()[0] == 3


def test_sigterm_stops_the_watch_as_ctrl_c_does(tmp_path):
    env = {**os.environ, "RUNWEAR_DB": str(tmp_path / "r.db"), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "runwear", "import", "--watch", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Watching")
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out.startswith(f"Stopped watching {tmp_path}. Imported 0 runs")
    assert err == ""
