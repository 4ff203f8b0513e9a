"""Sessions that are not runs (strength, rides, walks) are kept as other activities (issue 13):
stored with their sport, date and duration, never counted toward a shoe or the running load."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from click.testing import CliRunner

from runwear.cli import cli
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.route import SampleRun

GYM = SampleRun(
    started_at=datetime(2026, 6, 2, 18, tzinfo=timezone.utc),
    distance_m=0.0,
    duration_s=2_700.0,
    sport="training",
    sub_sport="strength_training",
    name="Core and glutes",
)
RUN = SampleRun(
    started_at=datetime(2026, 6, 3, 7, tzinfo=timezone.utc),
    distance_m=8_000.0,
    duration_s=2_400.0,
    step_s=5.0,
)


def test_a_strength_session_is_kept_but_never_counted(tmp_path, runwear_db):
    runner = CliRunner()
    runner.invoke(cli, ["shoe", "add", "Daily", "--default"])
    (tmp_path / "gym.fit").write_bytes(fit_activity_bytes([GYM], with_records=False))
    (tmp_path / "run.fit").write_bytes(fit_activity_bytes([RUN]))
    result = runner.invoke(cli, ["import", "--jobs", "1", str(tmp_path)])
    assert result.output.splitlines()[-1] == (
        "Imported 1 run (8.0 km) from 2 files; 0 duplicates, 1 not run (1 kept as "
        "cross-training), 0 errors."
    )
    listed = json.loads(runner.invoke(cli, ["activities", "--all", "--json"]).output)
    assert [(a["sport"], a["sub_sport"], a["duration_s"], a["shoe"]) for a in listed] == [
        ("running", "generic", 2_400.0, "Daily"),
        ("training", "strength_training", 2_700.0, None),
    ]
    runs = json.loads(runner.invoke(cli, ["activities", "--json"]).output)
    assert len(runs) == 1
    shoes = json.loads(runner.invoke(cli, ["shoes", "--json"]).output)
    assert shoes[0]["runs"] == 1 and shoes[0]["distance_km"] == 8.0
    again = runner.invoke(cli, ["import", "--jobs", "1", str(tmp_path)])
    assert "kept as cross-training" not in again.output
    with sqlite3.connect(runwear_db) as conn:
        assert conn.execute("select count(*) from activities").fetchone() == (2,)
