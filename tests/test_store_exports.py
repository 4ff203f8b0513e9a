"""Store support for exports: the m002 migration, export shoes, export tags, batches."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from runwear.ingest.model import ExportShoe
from runwear.store import activities as store
from runwear.store import memory_db, open_db
from runwear.store.database import write_transaction
from runwear.store.migrations import migrations
from runwear.store.shoes import add_shoe, ensure_export_shoe

from .helpers import add_run


def test_m002_migrates_an_older_database_without_loss(tmp_path):
    path = tmp_path / "runwear.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_exports")
    assert "external_id" not in old["activities"].columns_dict
    shoe = old["shoes"].insert({"name": "Pegasus", "created_at": "2026-01-01T00:00:00Z"}).last_pk
    old["activities"].insert(
        {
            "started_at": "2026-06-01T07:00:00Z",
            "sport": "running",
            "distance_m": 10_000.0,
            "surface": "unknown",
            "shoe_id": shoe,
            "imported_at": "2026-06-01T08:00:00Z",
        }
    )
    old.close()

    db = open_db(path)
    assert [m.name for m in migrations.applied(db)][1] == "m002_exports"
    [row] = db["activities"].rows
    assert (row["distance_m"], row["shoe_id"], row["external_id"]) == (10_000, shoe, None)
    assert db["shoes"].get(shoe)["external_id"] is None
    unique = {i.name: i.unique for i in db["activities"].indexes}
    assert unique["idx_activities_external_id"] == 1


def test_export_shoe_is_added_once_and_left_as_the_runner_has_it():
    db = memory_db()
    shoe = ExportShoe("garmin:1", "Daily", "Nike", "Pegasus 40", limit_m=800_000.0)
    shoe_id, created = ensure_export_shoe(db, shoe)
    assert created
    db["shoes"].update(shoe_id, {"name": "Renamed", "limit_m": 650_000.0})
    assert ensure_export_shoe(db, shoe) == (shoe_id, False)
    assert db["shoes"].get(shoe_id)["limit_m"] == 650_000.0


def test_export_shoe_claims_a_shoe_of_the_same_name_or_takes_a_number():
    db = memory_db()
    mine = add_shoe(db, "Pegasus")
    assert ensure_export_shoe(db, ExportShoe("strava:a", "pegasus")) == (mine, False)
    other_id, created = ensure_export_shoe(db, ExportShoe("strava:b", "Pegasus"))
    assert created
    assert db["shoes"].get(other_id)["name"] == "Pegasus (2)"


def test_export_defaults_never_take_over_existing_ones():
    db = memory_db()
    add_shoe(db, "Mine", is_default=1, default_for="trail")
    new_id, _ = ensure_export_shoe(
        db, ExportShoe("strava:x", "Theirs", is_default=True, default_for="trail")
    )
    assert (db["shoes"].get(new_id)["is_default"], db["shoes"].get(new_id)["default_for"]) == (
        0,
        None,
    )
    retired_id, _ = ensure_export_shoe(
        db, ExportShoe("strava:y", "Old", default_for="treadmill", retired_on="2025-01-01")
    )
    assert db["shoes"].get(retired_id)["default_for"] is None


@pytest.mark.parametrize(
    ("shoe_source", "surface_source", "expected"),
    [
        (None, None, ("export", "Theirs", "trail", "shoe")),
        ("default", "shoe", ("export", "Theirs", "trail", "shoe")),
        ("default", "device", ("export", "Theirs", "track", "device")),
        ("manual", "shoe", ("manual", "Mine", "asphalt", "shoe")),
        ("export", None, ("export", "Mine", "asphalt", None)),
    ],
)
def test_adopt_export_rules(shoe_source, surface_source, expected):
    db = memory_db()
    mine = add_shoe(db, "Mine", surface="asphalt")
    theirs = add_shoe(db, "Theirs", surface="trail")
    run = add_run(db, 8_000, shoe_id=mine)
    surface = "track" if surface_source == "device" else "asphalt"
    db.execute(
        "update activities set shoe_source = ?, surface = ?, surface_source = ? where id = ?",
        [shoe_source, surface, surface_source, run],
    )
    db.execute("update activity_surfaces set surface = ? where activity_id = ?", [surface, run])
    store.adopt_export(db, run, theirs, "strava:1")
    row = db.execute(
        "select a.shoe_source, s.name, a.surface, a.surface_source, a.external_id "
        "from activities a join shoes s on s.id = a.shoe_id where a.id = ?",
        [run],
    ).fetchone()
    assert row[:4] == expected
    assert row[4] == "strava:1"
    [split] = db["activity_surfaces"].rows
    assert (split["surface"], split["distance_m"]) == (expected[2], 8_000)


def test_a_write_transaction_rolls_back_whole(tmp_path):
    path = tmp_path / "runwear.db"
    db = open_db(path)
    with write_transaction(db):
        store.add_source(db, "sha0", "0.fit", "fit", "activity", "imported")
    with pytest.raises(RuntimeError), write_transaction(db):
        store.add_source(db, "sha1", "1.fit", "fit", "activity", "imported")
        raise RuntimeError("killed")
    db.close()
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("select path from sources")] == ["0.fit"]
