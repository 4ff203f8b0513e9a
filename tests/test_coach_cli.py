"""`runwear activities --all / --sport`: walks, rides and strength sessions listed, not counted."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.model import Activity
from runwear.store import open_db

from .helpers import store_run


def stored(runwear_db):
    """A run, a walk, a strength session and a yoga class, one a day from 2026-06-01."""
    db = open_db(runwear_db)
    kinds = [
        ("running", "generic", 8_000.0),
        ("walking", "generic", 3_000.0),
        ("training", "strength_training", 0.0),
        ("training", "yoga", 0.0),
    ]
    for n, (sport, sub_sport, distance_m) in enumerate(kinds):
        started = datetime.combine(date(2026, 6, 1 + n), time(7), tzinfo=timezone.utc)
        activity = Activity(started, sport, sub_sport, distance_m, duration_s=1_800.0)
        store_run(db, activity, f"sha-kind-{n}", "unknown", None)
    db.close()


def listed(*options: str) -> list[tuple[str, str]]:
    output = CliRunner().invoke(cli, ["activities", "--json", *options]).output
    return [(r["sport"], r["sub_sport"]) for r in json.loads(output)]


def test_activities_lists_runs_unless_all(runwear_db):
    stored(runwear_db)
    assert listed() == [("running", "generic")]
    assert listed("--all") == [
        ("training", "yoga"),
        ("training", "strength_training"),
        ("walking", "generic"),
        ("running", "generic"),
    ]


def test_activities_sport_filter(runwear_db):
    stored(runwear_db)
    assert listed("--sport", "walking") == [("walking", "generic")]
    assert listed("--sport", "yoga") == [("training", "yoga")]
    assert listed("--sport", "strength") == [
        ("training", "yoga"),
        ("training", "strength_training"),
    ]
    assert listed("--sport", "cycling") == []


def test_activities_table_names_the_kind(runwear_db):
    stored(runwear_db)
    lines = CliRunner().invoke(cli, ["activities", "--all"]).output.splitlines()
    kinds = [line.split()[3] for line in lines[2:]]
    assert kinds == ["training/yoga", "training/strength_training", "walking", "generic"]


def test_other_activities_never_count_toward_a_shoe(runwear_db):
    stored(runwear_db)
    runner = CliRunner()
    assert runner.invoke(cli, ["shoe", "add", "Pegasus"]).exit_code == 0
    assert runner.invoke(cli, ["tag", "--since", "2026-05-01", "--shoe", "Pegasus"]).output == (
        "Tagged 1 run(s) with shoe Pegasus.\n"
    )
