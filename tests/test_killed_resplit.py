"""A change that re-splits stored runs, killed with SIGKILL at random moments, is finished by
running it again (or by any next command): every run's split equals an uninterrupted run's.

Each case builds one database of RUNS stored runs with tracks, copies it, runs the command
uninterrupted on one copy (the reference) and, on others, starts it, kills it at a random
moment while it works, then runs it again and compares every run's surface split.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.geo import destination
from runwear.ingest.model import Activity
from runwear.samples.osm_writer import SampleWay, write_osm
from runwear.store import open_db
from runwear.store.shoes import add_shoe
from tests.helpers import store_run

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is a POSIX signal")

RUNS = 600  # a re-split of these takes a second or more: time to be killed halfway
KILLS = 3  # moments per command: one at random, the others while it re-splits
START = (51.5007, -0.1246)
T0 = datetime(2024, 1, 1, 7, 0, tzinfo=timezone.utc)


def _track(bearing_deg: float, distance_m: float = 4_000.0) -> tuple[tuple[float, float], ...]:
    """An out-and-back from START, a point every 15 m."""
    half = distance_m / 2
    steps = int(half // 15)
    out = [destination(*START, bearing_deg, i * 15.0) for i in range(steps + 1)]
    return tuple(out + out[-2::-1])


def _build(path: Path) -> None:
    db = open_db(path)
    shoe_id = add_shoe(db, "Pegasus", surface="concrete")
    add_shoe(db, "Trail", surface="trail")
    with db.conn:
        for i in range(RUNS):
            activity = Activity(
                started_at=T0 + timedelta(days=i // 2, hours=i % 2),
                sport="running",
                sub_sport="generic",
                distance_m=4_000.0,
                duration_s=1_200.0,
                track=_track((i * 7) % 360),
            )
            store_run(db, activity, f"sha-{i}", "concrete", shoe_id, surface_source="shoe")
    db.close()


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.db"
    _build(path)
    return path


def _splits(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        return {
            "parts": conn.execute(
                "select activity_id, surface, round(distance_m, 3), source "
                "from activity_surfaces order by activity_id, surface"
            ).fetchall(),
            "runs": conn.execute(
                "select id, surface, surface_source, shoe_id from activities order by id"
            ).fetchall(),
            "pending": conn.execute("select count(*) from pending_splits").fetchall(),
        }
    finally:
        conn.close()


def _copy(base: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, to)
    return to


def _cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "runwear", "--db", str(db), *args]


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cmd(db, *args), capture_output=True, text=True, timeout=300)


def _kill_at(db: Path, args: tuple[str, ...], after_s: float, mid_split: bool) -> bool:
    """Start the command, SIGKILL it `after_s` seconds after its start (or, `mid_split`,
    after its re-split has begun); whether a re-split was left half done."""
    proc = subprocess.Popen(_cmd(db, *args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if mid_split:
        deadline = time.monotonic() + 60
        while not _pending(db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return _pending(db)


def _pending(db: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return bool(conn.execute("select count(*) from pending_splits").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _extract(tmp_path: Path) -> Path:
    """Ways over the first 300 m of every run (all bearings start at START)."""
    ways = [
        SampleWay(
            {"highway": "footway", "surface": "gravel"},
            [destination(*START, b, 0.0), destination(*START, b, 300.0)],
            osm_id=100 + b,
        )
        for b in range(0, 360, 7)
    ]
    return write_osm(tmp_path / "area.osm", ways)


CASES = {
    "place add": ("place", "add", "Park", "--surface", "grass", "--center",
                  f"{START[0]},{START[1]}", "--radius", "800m"),
    "shoe edit --surface": ("shoe", "edit", "Pegasus", "--surface", "asphalt"),
    "tag --since": ("tag", "--since", "2024-01-01", "--shoe", "Trail"),
}  # fmt: skip


def _check_case(base_db: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    reference = _copy(base_db, tmp_path / "reference" / "r.db")
    started = time.monotonic()
    done = _run(reference, *args)
    took_s = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    want = _splits(reference)
    assert want["pending"] == [(0,)]
    rng = random.Random(" ".join(args))
    half_done = 0
    for kill in range(KILLS):
        db = _copy(base_db, tmp_path / f"kill-{kill}" / "k.db")
        mid_split = kill > 0
        # at random in the command's time, or within 50 ms of its re-split's start
        after_s = rng.uniform(0.0, 0.05) if mid_split else rng.uniform(0.0, 1.0) * took_s
        half_done += _kill_at(db, args, after_s, mid_split)
        again = _run(db, *args)
        assert "Traceback" not in again.stderr, again.stderr
        assert _splits(db) == want, f"kill {kill}: {again.stdout} {again.stderr}"
    assert half_done, "no kill came while re-splitting: the test proved nothing"


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_killed_change_is_finished_by_running_it_again(base_db, tmp_path, name):
    _check_case(base_db, tmp_path, CASES[name])


def test_a_killed_osm_load_is_finished_by_running_it_again(base_db, tmp_path):
    extract = _extract(tmp_path)
    _check_case(base_db, tmp_path, ("osm", "load", str(extract), "--quiet"))


def test_a_killed_place_edit_and_remove_are_finished(base_db, tmp_path):
    with_place = _copy(base_db, tmp_path / "with-place" / "p.db")
    out = _run(with_place, "place", "add", "Park", "--surface", "grass", "--center",
               f"{START[0]},{START[1]}", "--radius", "800m")  # fmt: skip
    assert out.returncode == 0, out.stderr
    _check_case(with_place, tmp_path / "edit", ("place", "edit", "Park", "--surface", "sand"))
    _check_case(with_place, tmp_path / "remove", ("place", "remove", "Park"))


def test_any_next_command_finishes_a_killed_resplit(base_db, tmp_path):
    """Killed while re-splitting, the next `runwear shoes` finishes it, with one line."""
    args = CASES["shoe edit --surface"]
    reference = _copy(base_db, tmp_path / "reference" / "r.db")
    assert _run(reference, *args).returncode == 0
    db = _copy(base_db, tmp_path / "killed" / "k.db")
    assert _kill_at(db, args, 0.0, mid_split=True), "the command ended before it was killed"
    shoes = _run(db, "shoes")
    assert shoes.returncode == 0, shoes.stderr
    assert "Finished what `runwear shoe edit Pegasus` began before it was stopped" in shoes.stderr
    assert _splits(db) == _splits(reference)
