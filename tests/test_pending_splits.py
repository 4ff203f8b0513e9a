"""A recorded re-split (runwear.store.pending_splits): worked out outside the write lock, a
batch at a time, and never writing what another process changed meanwhile."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from runwear.geo import destination
from runwear.ingest.model import Activity
from runwear.store import open_db, pending_splits
from runwear.store import places as place_store
from runwear.store.database import write_transaction
from runwear.store.shoes import add_shoe
from runwear.surfacing.geometry import Circle
from tests.helpers import store_run

START = (51.5007, -0.1246)
T0 = datetime(2025, 1, 1, 7, 0, tzinfo=timezone.utc)
RUNS = 60
BATCH = 20


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    monkeypatch.setattr(pending_splits, "BATCH_RUNS", BATCH)
    path = tmp_path / "runwear.db"
    db = open_db(path)
    shoe_id = add_shoe(db, "Pegasus", surface="concrete")
    out = [destination(*START, 45.0, i * 20.0) for i in range(101)]
    for i in range(RUNS):
        activity = Activity(
            started_at=T0 + timedelta(days=i),
            sport="running",
            sub_sport="generic",
            distance_m=4_000.0,
            duration_s=1_200.0,
            track=tuple(out + out[-2::-1]),
        )
        store_run(db, activity, f"sha-{i}", "concrete", shoe_id, surface_source="shoe")
    with db.conn:
        place_store.add_place(db, "Park", "grass", Circle(*START, 500.0))
    db.close()
    return path


def _record(db) -> int:
    with write_transaction(db):
        ids = [row[0] for row in db.execute("select id from activities order by id")]
        return pending_splits.record(db, "place add Park", ids)


def test_other_writers_get_the_lock_while_a_batch_is_worked_out(db_path):
    db = open_db(db_path)
    pending_id = _record(db)
    other = sqlite3.connect(db_path, timeout=0)  # no waiting: the lock must be free
    got_in = []

    def progress(done: int, total: int) -> None:
        if done in (10, 30, 50):  # while each batch is worked out
            other.execute("begin immediate")
            other.rollback()
            got_in.append(done)

    done = pending_splits.finish(db, pending_id, on_progress=progress)
    assert got_in == [10, 30, 50]
    assert (done.runs, done.changed) == (RUNS, RUNS)
    assert db.execute("select count(*) from pending_splits").fetchone() == (0,)
    grass = db.execute("select count(*) from activity_surfaces where surface = 'grass'")
    assert grass.fetchone() == (RUNS,)


def test_a_run_tagged_meanwhile_keeps_its_tag(db_path):
    """Run 25 is tagged by hand by another process while its batch is worked out: the batch
    is worked out again under the lock, and the tag stays."""
    db = open_db(db_path)
    pending_id = _record(db)
    other = sqlite3.connect(db_path, timeout=5)

    def progress(done: int, total: int) -> None:
        if done == 30:
            with other:
                other.execute(
                    "update activities set surface = 'sand', surface_source = 'manual' "
                    "where id = 25"
                )
                other.execute("delete from activity_surfaces where activity_id = 25")
                other.execute(
                    "insert into activity_surfaces (activity_id, surface, distance_m, source) "
                    "values (25, 'sand', 4000.0, 'manual')"
                )

    pending_splits.finish(db, pending_id, on_progress=progress)
    assert db.execute(
        "select surface, surface_source from activities where id = 25"
    ).fetchone() == (
        "sand",
        "manual",
    )
    parts = db.execute("select surface from activity_surfaces where activity_id = 25").fetchall()
    assert parts == [("sand",)]
    grass = "select count(*) from activity_surfaces where activity_id = 24 and surface = 'grass'"
    assert db.execute(grass).fetchone() == (1,)  # its neighbour in the batch is split


def test_a_place_changed_meanwhile_is_used(db_path):
    """The place becomes sand while a batch is worked out: every run ends split by sand."""
    db = open_db(db_path)
    pending_id = _record(db)
    other = sqlite3.connect(db_path, timeout=5)

    def progress(done: int, total: int) -> None:
        if done == 30:
            with other:
                other.execute("update places set surface = 'sand'")

    pending_splits.finish(db, pending_id, on_progress=progress)
    later = db.execute(
        "select count(*) from activity_surfaces where surface = 'sand' and activity_id > 20"
    ).fetchone()
    assert later == (RUNS - BATCH,)
