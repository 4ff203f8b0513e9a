"""Crash safety and concurrency: a killed import resumes to the same database; two writers and a
reader at once all finish with nothing lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.samples.exports import StravaEntry, StravaShoeRow, write_strava_export
from runwear.samples.route import SampleRun

SHOES = (
    StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run"),
    StravaShoeRow("", "Hoka", "Clifton 9"),
)
GEAR = ("Peggy", "Hoka Clifton 9", "")


def entries(n: int, first_id: int = 1000, first_day: datetime | None = None) -> list[StravaEntry]:
    """N half-hour runs at one point a second (so parsing takes a while), GPX and FIT."""
    start = first_day or datetime(2025, 3, 3, 6, 30, tzinfo=timezone.utc)
    out = []
    for i in range(n):
        run = SampleRun(
            started_at=start + timedelta(days=i),
            distance_m=6_000 + (i % 5) * 100,
            duration_s=1_800,
            name=f"Run {i}",
            bearing_deg=(i * 41) % 360,
            step_s=1.0,
        )
        out.append(
            StravaEntry(first_id + i, run, file="gpx" if i % 2 else "fit.gz", gear=GEAR[i % 3])
        )
    return out


def runwear(*args: str) -> list[str]:
    return [sys.executable, "-m", "runwear", *args]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a user sees, without ids and import times."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        return {
            "runs": conn.execute(
                "select a.started_at, round(a.distance_m, 3), a.sport, a.sub_sport, a.name, "
                "s.name, a.surface, a.external_id from activities a "
                "left join shoes s on s.id = a.shoe_id order by a.started_at"
            ).fetchall(),
            "shoes": conn.execute(
                "select name, round(distance_m, 3), runs from shoe_mileage order by name"
            ).fetchall(),
            "surfaces": conn.execute(
                "select a.started_at, sum(s.distance_m) from activity_surfaces s "
                "join activities a on a.id = s.activity_id group by a.id order by a.started_at"
            ).fetchall(),
            "sources": conn.execute(
                "select sha256, outcome from sources order by sha256"
            ).fetchall(),
        }
    finally:
        conn.close()


def stored_runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("select count(*) from activities").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def workers_gone(db: Path, wait_s: float = 10.0) -> bool:
    """True once no process with `db` on its command line is left (the pool's workers)."""
    if not Path("/proc").is_dir():
        return True  # no process table to read here (not Linux)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        alive = [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_has(pid, str(db))]
        if not alive:
            return True
        time.sleep(0.2)
    return False


def _cmdline_has(pid: str, text: str) -> bool:
    try:
        return text in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


KILLED_RUNS = 120  # enough that the import is still running when it is killed


def test_killed_import_resumes_to_the_same_database(tmp_path):
    export = write_strava_export(tmp_path / "export.zip", entries(KILLED_RUNS), SHOES)
    reference = tmp_path / "reference.db"
    done = subprocess.run(
        runwear("--db", str(reference), "import", "--quiet", str(export)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = snapshot(reference)
    assert len(expected["runs"]) == KILLED_RUNS

    victim = tmp_path / "victim.db"
    process = subprocess.Popen(
        runwear("--db", str(victim), "import", "--quiet", str(export)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while stored_runs(victim) < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    partial = snapshot(victim)  # integrity_check passes on the killed database
    assert 0 < len(partial["runs"]) < KILLED_RUNS
    assert all(
        total == pytest.approx(dict((r[0], r[1]) for r in partial["runs"])[start], abs=1e-3)
        for start, total in partial["surfaces"]
    )

    assert workers_gone(victim), "parsing processes outlived the killed import"

    again = subprocess.run(
        runwear("--db", str(victim), "import", "--quiet", str(export)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert snapshot(victim) == expected


def test_two_writers_and_a_reader_at_once(tmp_path):
    db = tmp_path / "shared.db"
    first = write_strava_export(tmp_path / "first.zip", entries(24, 1000), SHOES)
    second = write_strava_export(
        tmp_path / "second.zip",
        entries(24, 5000, datetime(2025, 9, 1, 6, 30, tzinfo=timezone.utc)),
        SHOES,
    )
    # Both import the first export too, so they race for the same files.
    writers = [
        subprocess.Popen(
            runwear("--db", str(db), "import", "--quiet", "--jobs", "1", *paths),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in ((str(first), str(second)), (str(first),))
    ]
    checks = []
    while any(w.poll() is None for w in writers):
        checks.append(
            subprocess.run(
                runwear("--db", str(db), "check", "--json"),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        )
        time.sleep(0.2)
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, out + err
        assert "locked" not in out + err and "Traceback" not in out + err
    for check in checks:
        assert check.returncode in (0, 1), check.stderr
        assert "locked" not in check.stdout + check.stderr
    assert checks, "no check ran while the imports did"
    state = snapshot(db)
    assert len(state["runs"]) == 48
    assert len({r[0] for r in state["runs"]}) == 48


def _folder_of_runs(folder: Path, n: int, first_day: datetime) -> Path:
    """N plain GPX files of half-hour runs at one point a second (each takes a while to read)."""
    from runwear.samples.gpx_writer import gpx_bytes

    folder.mkdir(parents=True)
    for i, entry in enumerate(entries(n, first_day=first_day)):
        (folder / f"{i:03d}.gpx").write_bytes(gpx_bytes([entry.run]))
    return folder


def test_writers_wait_their_turn_during_a_long_import(tmp_path):
    """A long --jobs 1 import holds the write lock only per batch: a second import, `shoe add`,
    `tag --last` and a `check` loop started during it all succeed and nothing is lost."""
    db = tmp_path / "shared.db"
    long_folder = _folder_of_runs(tmp_path / "long", 150, datetime(2024, 1, 1, 6, 0, tzinfo=UTC))
    other = _folder_of_runs(tmp_path / "other", 30, datetime(2025, 6, 1, 6, 0, tzinfo=UTC))
    first = subprocess.Popen(
        runwear("--db", str(db), "import", "--quiet", "--jobs", "1", str(long_folder)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while stored_runs(db) < 5 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the long import finished before the others started"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            runwear("--db", str(db), *args), capture_output=True, text=True, timeout=300
        )

    second = subprocess.Popen(
        runwear("--db", str(db), "import", "--quiet", "--jobs", "1", str(other)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    done = [
        run("shoe", "add", "Spare", "--limit", "600km"),
        run("tag", "--last", "--shoe", "Spare"),
    ]
    checks = []
    while first.poll() is None or second.poll() is None:
        checks.append(run("check", "--json"))
    assert checks, "no check ran during the imports"
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, out + err
    for result in [*done, *checks]:
        assert result.returncode in (0, 1), result.stdout + result.stderr
        assert "locked" not in result.stdout + result.stderr, (result.args, result.stderr)
        assert "Traceback" not in result.stderr
    state = snapshot(db)
    assert len(state["runs"]) == 180
    conn = sqlite3.connect(db)
    try:
        mileage = dict(conn.execute("select name, run_distance_m from shoe_mileage"))
        tagged = conn.execute(
            "select coalesce(sum(distance_m), 0) from activities a join shoes s "
            "on s.id = a.shoe_id where s.name = 'Spare'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert mileage["Spare"] == pytest.approx(tagged) and tagged > 0
