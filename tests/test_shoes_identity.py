"""One pair, many names: merge, aliases, twins on import, removed shoes, show, next, untagged."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from runwear.samples.exports import (
    GarminEntry,
    GarminShoeRow,
    StravaEntry,
    StravaShoeRow,
    write_garmin_export,
    write_strava_export,
)
from runwear.samples.route import SampleRun
from runwear.store import memory_db, open_db
from runwear.store.shoe_identity import gear_keys, match_alias
from runwear.store.shoes import add_shoe

from .helpers import add_run, cli_invoker


def sample(day: int, km: float) -> SampleRun:
    return SampleRun(
        started_at=datetime(2026, 5, day, 7, tzinfo=timezone.utc),
        distance_m=km * 1000,
        duration_s=km * 300,
        name="Run",
        step_s=10.0,
    )


STRAVA_SHOES = [StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run")]
STRAVA = [StravaEntry(100 + d, sample(d, 10), file="gpx", gear="Peggy") for d in (1, 3, 5)]
GARMIN_SHOES = [GarminShoeRow(11, "Nike", "Nike Pegasus 40", nickname="Daily", maximum_m=800_000)]
GARMIN = [GarminEntry(d, sample(d, 8), gear_pk=11, upload_id=9000 + d) for d in (2, 4, 6)]


@pytest.fixture
def run():
    return cli_invoker()


@pytest.fixture
def exports(tmp_path):
    strava = write_strava_export(tmp_path / "strava.zip", STRAVA, STRAVA_SHOES)
    garmin = write_garmin_export(tmp_path / "garmin.zip", GARMIN, GARMIN_SHOES)
    return str(strava), str(garmin)


def shoes(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return list(
            conn.execute(
                "select s.name, s.limit_m, count(a.id), round(coalesce(sum(a.distance_m), 0)) "
                "from shoes s left join activities a on a.shoe_id = s.id group by s.id"
            )
        )


@pytest.mark.parametrize("order", ["strava first", "garmin first"])
def test_two_platforms_merged_once_give_one_pair(run, exports, runwear_db, order):
    first, second = exports if order == "strava first" else exports[::-1]
    run("import", "--jobs", "1", first)
    result = run("import", "--jobs", "1", second)
    lines = result.output.splitlines()
    new, old = ("Daily", "Peggy") if order == "strava first" else ("Peggy", "Daily")
    assert lines[-2] == (
        f"{new} looks like your {old} (same brand and model, worn over the same dates): if it "
        f"is the same pair, merge them with `runwear shoe merge {old} {new}`."
    )
    assert len(shoes(runwear_db)) == 2  # never merged silently
    merged = run("shoe", "merge", "Peggy", "Daily")
    assert merged.output.startswith(
        "Merged Daily into Peggy: 3 run(s) moved, start distance 0.0 km"
    )
    assert shoes(runwear_db) == [("Peggy", 800_000.0, 6, 54_000.0)]  # Garmin's own limit
    for path in exports:
        again = run("import", "--jobs", "1", path)
        assert again.output.splitlines()[-1].startswith("Imported 0 runs (0.0 km)")
        assert "created" not in again.output and "looks like" not in again.output
    assert shoes(runwear_db) == [("Peggy", 800_000.0, 6, 54_000.0)]
    shown = json.loads(run("shoe", "show", "peggy", "--json").output)
    assert (shown["aliases"], shown["runs"], shown["limit_km"]) == (["Daily"], 6, 800.0)


def test_an_alias_tags_the_shoe_and_creates_nothing(run, exports, runwear_db):
    run("shoe", "add", "Pegasus", "--brand", "Nike", "--model", "Pegasus 40")
    assert run("shoe", "alias", "Pegasus", "DAILY").output == ("Pegasus is also known as DAILY.\n")
    result = run("import", "--jobs", "1", exports[1])
    assert "created" not in result.output
    assert shoes(runwear_db) == [("Pegasus", None, 3, 24_000.0)]


def test_alias_refused_when_it_names_another_shoe(run):
    run("shoe", "add", "Pegasus")
    run("shoe", "add", "Daily")
    result = run("shoe", "alias", "Pegasus", "daily")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for ALIASES: 'daily' already names Daily. "
        "Merge the two: runwear shoe merge 'Pegasus' 'Daily'"
    )


def test_gear_names_match_with_or_without_brand_and_model():
    assert gear_keys("Nike Pegasus 41 Daily Pegs", "Nike", "Pegasus 41") == {
        "nike pegasus 41 daily pegs",
        "pegasus 41 daily pegs",
        "daily pegs",
    }
    db = memory_db()
    shoe = add_shoe(db, "Pegasus")
    db["shoe_aliases"].insert({"alias_key": "daily pegs", "alias": "Daily Pegs", "shoe_id": shoe})
    assert match_alias(db, "Nike Pegasus 41 Daily Pégs", "Nike", "Pegasus 41") == shoe
    assert match_alias(db, "Other", "Nike", "Pegasus 41") is None


def test_a_removed_shoe_stays_removed_on_reimport(run, exports, runwear_db):
    run("import", "--jobs", "1", exports[0])
    removed = run("shoe", "remove", "Peggy", "--force")
    assert removed.output == (
        "Removed Peggy; 3 run(s) untagged. Re-importing its export will not bring it back.\n"
    )
    again = run("import", "--jobs", "1", exports[0])
    assert again.output.splitlines()[-1] == (
        "Imported 0 runs (0.0 km) from 5 files; 1 shoe you removed left out; "
        "3 duplicates, 0 not runs, 0 errors."
    )
    assert shoes(runwear_db) == []


def test_merge_takes_the_larger_start_unless_add_start(run, runwear_db):
    run("shoe", "add", "A", "--start-distance", "100km")
    run("shoe", "add", "B", "--start-distance", "40km", "--purchased", "2026-01-02")
    run("shoe", "add", "C", "--start-distance", "10km")
    assert run("shoe", "merge", "A", "B").output == (
        "Merged B into A: 0 run(s) moved, start distance 100.0 km; it took purchased on.\n"
    )
    assert run("shoe", "merge", "A", "C", "--add-start").output == (
        "Merged C into A: 0 run(s) moved, start distance 110.0 km.\n"
    )
    assert run("shoe", "merge", "A", "A").exit_code == 2


def test_shoe_show_text(run, runwear_db):
    run(
        "shoe",
        "add",
        "Pegasus",
        "--brand",
        "Nike",
        "--model",
        "Pegasus 40",
        "--limit",
        "100km",
        "--price",
        "120",
        "--surface",
        "asphalt",
    )
    db = open_db(runwear_db)
    now = datetime.now(timezone.utc)
    add_run(db, 20_000, days_ago=3, shoe_id=1, now=now, surface="asphalt")
    add_run(db, 10_000, days_ago=40, shoe_id=1, now=now, surface="grass")
    db.close()
    text = run("shoe", "show", "Pegasus").output.splitlines()
    assert text[0] == "Pegasus"
    assert "  model:       Nike Pegasus 40" in text
    assert "  distance:    30.0 km (30% of its limit)" in text
    assert "  left:        70.0 km" in text
    assert "  cost per km: 4.00" in text
    assert "  surfaces:" in text
    assert "    asphalt        20.0 km   67%" in text
    assert text[-1].endswith("#" * 30) or text[-2].endswith("#" * 30)
    missing = run("shoe", "show", "Nope")
    assert missing.exit_code == 2


def test_next_prefers_the_fitting_rested_pair(run, runwear_db):
    run("shoe", "add", "Road", "--surface", "asphalt")
    run("shoe", "add", "Trail", "--default-for", "trail", "--limit", "100km")
    run("shoe", "add", "Worn", "--start-distance", "699km")
    db = open_db(runwear_db)
    now = datetime.now(timezone.utc)
    add_run(db, 10_000, days_ago=1, shoe_id=1, now=now)
    add_run(db, 10_000, days_ago=5, shoe_id=2, now=now)
    db.close()
    assert run("next", "--kind", "trail", "--km", "12").output == (
        "Wear Trail: made for trail runs, rested 5 days, 90.0 km left of 100 km.\n"
    )
    # Worn would pass its limit; Road ran yesterday; Trail is rested.
    assert run("next", "--km", "5").output.startswith("Wear Trail: rested 5 days")
    road = run("next", "--kind", "road", "--km", "5").output
    assert road.startswith("Wear Road: made for road runs, rested 24 h, under the 48 h")


def test_next_with_no_pair_left(run):
    result = run("next")
    assert (result.exit_code, result.output) == (
        1,
        "Error: no active pair has distance left for that run. Add one: runwear shoe add NAME\n",
    )


def test_untagged_lists_runs_with_no_shoe(run, runwear_db):
    assert run("untagged").output.startswith("No runs yet.")
    db = open_db(runwear_db)
    first = add_run(db, 5_000, days_ago=2)
    add_run(db, 6_000, days_ago=1, shoe_id=add_shoe(db, "Pegasus"))
    db.close()
    records = json.loads(run("untagged", "--json").output)
    assert [r["id"] for r in records] == [first]
    assert run("untagged").output.splitlines()[-1] == (
        "Tag them: runwear tag ID... --shoe NAME (or --last for the newest)."
    )


def test_import_reminds_to_tag_runs_with_no_shoe_on_a_terminal(run, tmp_path, monkeypatch):
    from runwear.samples.gpx_writer import gpx_bytes

    path = tmp_path / "a.gpx"
    path.write_bytes(gpx_bytes([sample(1, 5)]))
    monkeypatch.setattr("runwear.cli.import_notes.interactive", lambda: True)
    result = run("import", str(path))
    assert result.output.splitlines()[-1] == (
        "1 imported run got no shoe: `runwear tag --last --shoe NAME` tags the newest, "
        "`runwear untagged` lists them all with their ids."
    )
    run("shoe", "add", "Pegasus", "--default")
    path.write_bytes(gpx_bytes([sample(2, 5)]))
    assert "got no shoe" not in run("import", str(path)).output
