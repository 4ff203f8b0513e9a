"""Every earlier schema (fixtures built by the project's migrations) opens and migrates intact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.store import known_migrations, open_db
from runwear.store.migrations import migrations

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "schemas"
FIXTURES = sorted(SCHEMAS.glob("m*.db"))


def test_a_fixture_for_every_schema_but_the_newest_one():
    wanted = known_migrations()[:-1]
    assert [p.stem for p in FIXTURES] == wanted, "run tests/fixtures/schemas/build.py"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_earlier_schema_migrates_with_all_its_data(tmp_path, fixture):
    path = tmp_path / "runwear.db"
    shutil.copy(fixture, path)
    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == known_migrations()
    shoe = db["shoes"].get(1)
    assert (shoe["name"], shoe["brand"], shoe["start_distance_m"], shoe["limit_m"]) == (
        "Pegasus",
        "Nike",
        120_000.0,
        800_000.0,
    )
    run = db["activities"].get(1)
    assert (run["started_at"], run["distance_m"], run["shoe_id"], run["utc_offset_s"]) == (
        "2025-01-02T07:00:00Z",
        10_000.0,
        1,
        3600,
    )
    assert db.execute("select sum(distance_m) from activity_surfaces").fetchone()[0] == 10_000.0
    assert db["activity_tracks"].get(1)["polyline"] == "_p~iF~ps|U_ulLnnqC"
    assert db["settings"].get("shoe_limit_km")["value"] == "650.0"
    db.close()

    [listed] = json.loads(
        CliRunner()
        .invoke(cli, ["--db", str(path), "shoes", "--json"], catch_exceptions=False)
        .output
    )
    assert (listed["name"], listed["distance_km"], listed["limit_km"], listed["runs"]) == (
        "Pegasus",
        130.0,
        800.0,
        1,
    )


def test_runs_removed_by_export_id_are_known_by_start_after_m009(tmp_path):
    """m009 copies the removed runs m008 kept by export id into removed_runs, so another copy
    of such a run (not from the export) stays out too."""
    path = tmp_path / "runwear.db"
    shutil.copy(SCHEMAS / "m008_pending_splits.db", path)
    db = open_db(path)
    rows = [(r["activity_id"], r["started_at"], r["distance_m"]) for r in db["removed_runs"].rows]
    db.close()
    assert rows == [(2, "2025-01-05T07:00:00Z", 8_000.0)]
