"""`runwear activity show` and `runwear activity remove`: one run in full; a wrong run taken
out for good (its file stays known, its export entry does not bring it back)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.samples.exports import StravaEntry, StravaShoeRow, write_strava_export
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun
from tests.helpers import assert_db_sound, count_rows

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli_invoke(runwear_db):
    """`cli_invoke(*args, input=None, code=0)`: the CLI on the test's database, exit checked."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def _run(day: int, distance_m: float = 10_000.0, name: str = "Morning Run") -> SampleRun:
    return SampleRun(T0 + timedelta(days=day), distance_m, distance_m * 0.3, name=name, step_s=5.0)


def _import_two(invoke, tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "a.fit").write_bytes(fit_activity_bytes([_run(0)]))
    (folder / "b.fit").write_bytes(fit_activity_bytes([_run(1, 5_000.0, "Ride to work")]))
    invoke("shoe", "add", "Pegasus")
    invoke("import", str(folder), "--shoe", "Pegasus")
    return folder


def test_show_gives_the_runs_figures(cli_invoke, tmp_path):
    _import_two(cli_invoke, tmp_path)
    out = cli_invoke("activity", "show", "1").output
    assert out.splitlines()[0] == "Activity 1: Morning Run"
    assert "started    2026-03-02 07:00 UTC" in out
    assert "distance   10.00 km" in out
    assert "pace       5:00 /km" in out
    assert "shoe       Pegasus (manual)" in out
    assert "runs/a.fit (fit)" in out
    data = cli_invoke("activity", "show", "1", "--json").output
    assert '"distance_m": 10000' in data and '"shoe": "Pegasus"' in data


def test_show_an_unknown_id_is_a_usage_error(cli_invoke, tmp_path):
    result = cli_invoke("activity", "show", "99", code=2)
    assert "no activity with id 99" in result.output


def test_remove_asks_and_takes_the_run_out_of_every_total(cli_invoke, tmp_path, runwear_db):
    folder = _import_two(cli_invoke, tmp_path)
    assert "15.0" in cli_invoke("shoes").output
    refused = cli_invoke("activity", "remove", "2", input="n\n", code=1)
    assert "Ride to work" in refused.output and "Nothing removed" in refused.output
    assert count_rows(runwear_db, "activities") == 2
    done = cli_invoke("activity", "remove", "2", input="y\n")
    assert "Removed 1 activity." in done.output
    assert count_rows(runwear_db, "activities") == 1
    for table in ("activity_tracks", "activity_surfaces", "activity_profiles"):
        with sqlite3.connect(runwear_db) as conn:
            orphans = conn.execute(
                f"select count(*) from {table} where activity_id not in (select id from activities)"
            ).fetchone()[0]
        assert orphans == 0, table
    shoes = cli_invoke("shoes").output
    assert "10.0" in shoes and "15.0" not in shoes
    again = cli_invoke("import", str(folder))
    assert "Imported 0 runs" in again.output
    assert count_rows(runwear_db, "activities") == 1
    assert_db_sound(runwear_db)
    back = cli_invoke("import", str(folder), "--force", "--shoe", "Pegasus")
    assert "Imported 1 run (5.0 km)" in back.output
    assert count_rows(runwear_db, "activities") == 2
    assert "15.0" in cli_invoke("shoes").output
    assert_db_sound(runwear_db)


def test_remove_without_an_answer_removes_nothing(cli_invoke, tmp_path, runwear_db):
    _import_two(cli_invoke, tmp_path)
    cli_invoke("activity", "remove", "1", "2", code=1)
    assert count_rows(runwear_db, "activities") == 2
    cli_invoke("activity", "remove", "1", "2", "--yes")
    assert count_rows(runwear_db, "activities") == 0


def test_a_removed_export_entry_stays_removed(cli_invoke, tmp_path, runwear_db):
    """A run an export lists without a file (a manual entry) is known by its export id."""
    run = _run(3, 8_000.0, "Treadmill")
    export = write_strava_export(
        tmp_path / "export.zip",
        [StravaEntry(501, run, file=None, gear="Peggy")],
        [StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run")],
    )
    cli_invoke("import", str(export))
    assert count_rows(runwear_db, "activities") == 1
    cli_invoke("activity", "remove", "1", "--yes")
    cli_invoke("import", str(export))
    assert count_rows(runwear_db, "activities") == 0
    cli_invoke("import", str(export), "--force")
    assert count_rows(runwear_db, "activities") == 1


def test_a_missing_id_removes_nothing(cli_invoke, tmp_path, runwear_db):
    _import_two(cli_invoke, tmp_path)
    result = cli_invoke("activity", "remove", "1", "7", "--yes", code=2)
    assert "no activity with id 7" in result.output
    assert count_rows(runwear_db, "activities") == 2


def _copies(tmp_path, run: SampleRun):
    """The same run as a FIT and as a GPX file, each in a folder of its own."""
    fit_dir, gpx_dir = tmp_path / "fit", tmp_path / "gpx"
    fit_dir.mkdir()
    gpx_dir.mkdir()
    (fit_dir / "run.fit").write_bytes(fit_activity_bytes([run]))
    (gpx_dir / "run.gpx").write_bytes(gpx_bytes([run]))
    return fit_dir, gpx_dir


def test_another_copy_of_a_removed_run_stays_out(cli_invoke, tmp_path, runwear_db):
    fit_dir, gpx_dir = _copies(tmp_path, _run(4))
    cli_invoke("import", str(fit_dir))
    cli_invoke("activity", "remove", "1", "--yes")
    copy = cli_invoke("import", str(gpx_dir))
    assert "run.gpx: duplicate: its runs were removed (runwear activity remove): same run as " in (
        copy.output
    )
    assert "removed on " in copy.output and "--force imports them again" in copy.output
    assert "Imported 0 runs (0.0 km) from 1 file; 1 duplicate" in copy.output
    assert count_rows(runwear_db, "activities") == 0
    # Known now by its bytes too: the next import says so without reading it.
    again = cli_invoke("import", str(gpx_dir), "--verbose")
    assert "its runs were removed" in again.output
    assert count_rows(runwear_db, "activities") == 0
    back = cli_invoke("import", str(gpx_dir), "--force")
    assert "Imported 1 run (10.0 km)" in back.output
    assert count_rows(runwear_db, "removed_runs") == 0
    cli_invoke("import", str(fit_dir), "--force")  # the first copy: the same run, stored
    assert count_rows(runwear_db, "activities") == 1
    assert_db_sound(runwear_db)


@pytest.mark.parametrize("first", ["fit", "gpx"])
def test_a_removed_run_stays_out_whichever_copy_came_first(cli_invoke, tmp_path, runwear_db, first):
    fit_dir, gpx_dir = _copies(tmp_path, _run(5))
    earlier, later = (fit_dir, gpx_dir) if first == "fit" else (gpx_dir, fit_dir)
    cli_invoke("import", str(earlier))
    cli_invoke("activity", "remove", "1", "--yes")
    cli_invoke("import", str(later))
    cli_invoke("import", str(fit_dir), str(gpx_dir))
    assert count_rows(runwear_db, "activities") == 0


def test_a_file_with_a_removed_run_keeps_its_other_runs(cli_invoke, tmp_path, runwear_db):
    cli_invoke("import", str(_copies(tmp_path, _run(6))[0]))
    cli_invoke("activity", "remove", "1", "--yes")
    both = tmp_path / "both.gpx"
    both.write_bytes(gpx_bytes([_run(6), _run(7, 6_000.0)]))
    result = cli_invoke("import", str(both), "--verbose")
    assert "Imported 1 run (6.0 km)" in result.output
    assert "left out: same run as activity 1" in result.output
    assert count_rows(runwear_db, "activities") == 1


def test_an_export_entry_of_a_removed_run_stays_out(cli_invoke, tmp_path, runwear_db):
    """The watch's FIT imported and removed; then the Strava export lists the same run as a
    manual entry (no file) under an id runwear never saw: it stays out too."""
    fit_dir, _ = _copies(tmp_path, _run(8))
    cli_invoke("import", str(fit_dir))
    cli_invoke("activity", "remove", "1", "--yes")
    export = write_strava_export(tmp_path / "export.zip", [StravaEntry(777, _run(8), file=None)])
    result = cli_invoke("import", str(export), "--verbose")
    assert "its run was removed (runwear activity remove): same run as activity 1" in result.output
    assert count_rows(runwear_db, "activities") == 0
    cli_invoke("import", str(export), "--force")
    assert count_rows(runwear_db, "activities") == 1
