"""The command line on a temporary database: outputs, exit codes and exact error texts."""

from __future__ import annotations

import json

import click
import pytest

from runwear.cli import cli
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes

from .helpers import assert_db_sound, cli_invoker, sample_run, write_mixed_folder


@pytest.fixture
def run():
    return cli_invoker()


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


@pytest.mark.parametrize(("name", "command"), list(all_commands(cli)))
def test_every_command_has_help(name, command):
    assert command.help, f"{name} has no help"
    assert command.get_short_help_str(), name


def test_import_mixed_folder(tmp_path, run, runwear_db):
    folder = write_mixed_folder(tmp_path / "downloads")
    result = run("import", str(folder))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == (
        "Imported 4 runs (35.0 km) from 10 files; 2 duplicates, 2 not runs (1 kept as "
        "cross-training), 2 errors."
    )
    by_file = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in lines[:-1]}
    assert set(by_file) == {
        "a-copy.fit",
        "a-from-strava.gpx",
        "ride.fit",
        "settings.fit",
        "truncated.fit",
        "noise.gpx",
    }
    assert "duplicate: already imported (same bytes as" in by_file["a-copy.fit"]
    assert "duplicate: same run as activity 1 (fit" in by_file["a-from-strava.gpx"]
    assert by_file["ride.fit"].endswith("ride.fit: not a run (cycling)")
    assert by_file["settings.fit"].endswith("settings.fit: not an activity (settings file)")
    assert ": error: " in by_file["truncated.fit"]
    assert ": error: " in by_file["noise.gpx"]
    assert "Traceback" not in result.output

    activities = json.loads(run("activities", "--json").output)
    assert [
        (a["started_at"], a["distance_km"], a["sub_sport"], a["surface"]) for a in activities
    ] == [
        ("2026-06-04T07:00:00Z", 12.0, "generic", "unknown"),
        ("2026-06-03T07:00:00Z", 8.0, "trail", "trail"),
        ("2026-06-02T07:00:00Z", 5.0, "generic", "unknown"),
        ("2026-06-01T07:00:00Z", 10.0, "generic", "unknown"),
    ]

    again = run("import", str(folder))
    assert again.exit_code == 1  # the two broken files are still broken
    assert again.output.splitlines()[-1] == (
        "Imported 0 runs (0.0 km) from 10 files; 6 duplicates, 2 not runs, 2 errors."
    )
    assert "ride.fit: not a run (cycling), seen before" in again.output
    assert f"{folder / 'a.fit'}: duplicate: already imported\n" in again.output
    assert len(json.loads(run("activities", "--json").output)) == 4
    assert_db_sound(runwear_db)  # the GPX twin of a.fit is recorded as a duplicate, not a run


def test_import_ok_exit_zero_and_quiet(tmp_path, run):
    path = tmp_path / "run.fit"
    path.write_bytes(fit_activity_bytes([sample_run(1, 10_000)]))
    result = run("import", str(path))
    assert result.exit_code == 0
    assert (
        result.output
        == "Imported 1 run (10.0 km) from 1 file; 0 duplicates, 0 not runs, 0 errors.\n"
    )
    quiet = run("import", "--quiet", str(path))
    assert quiet.exit_code == 0
    assert (
        quiet.output == "Imported 0 runs (0.0 km) from 1 file; 1 duplicate, 0 not runs, 0 errors.\n"
    )


def test_missing_and_unsupported_files_are_error_lines(tmp_path, run):
    (tmp_path / "notes.txt").write_text("hello")
    result = run("import", str(tmp_path / "missing.fit"), str(tmp_path / "notes.txt"))
    assert result.exit_code == 1
    assert "missing.fit: error: does not exist. Check the path" in result.output
    assert "notes.txt: error: unsupported file type .txt" in result.output


def test_shoe_defaults_and_surfaces_on_import(tmp_path, run):
    assert run("shoe", "add", "Pegasus", "--default", "--surface", "cement").exit_code == 0
    assert run("shoe", "add", "Speedgoat", "--default-for", "trail").exit_code == 0
    assert run("shoe", "add", "Treadmill Shoe").exit_code == 0
    files = {
        "road.fit": [sample_run(1, 10_000)],
        "trail.fit": [sample_run(2, 12_000, "trail")],
        "belt.fit": [sample_run(3, 6_000, "treadmill")],
        "track.fit": [sample_run(4, 8_000, "track")],
    }
    for name, runs in files.items():
        (tmp_path / name).write_bytes(fit_activity_bytes(runs))
    for name in ("road.fit", "trail.fit", "track.fit"):
        assert run("import", str(tmp_path / name)).exit_code == 0
    assert run("import", str(tmp_path / "belt.fit"), "--shoe", "treadmill shoe").exit_code == 0
    rows = json.loads(run("activities", "--json").output)
    assert [(r["sub_sport"], r["shoe"], r["surface"]) for r in rows] == [
        ("track", "Pegasus", "track"),
        ("treadmill", "Treadmill Shoe", "treadmill"),
        ("trail", "Speedgoat", "trail"),
        ("generic", "Pegasus", "concrete"),
    ]
    mix = json.loads(run("surfaces", "--json").output)
    assert mix == [
        {"surface": "trail", "distance_km": 12.0, "runs": 1, "share": 0.3333},
        {"surface": "concrete", "distance_km": 10.0, "runs": 1, "share": 0.2778},
        {"surface": "track", "distance_km": 8.0, "runs": 1, "share": 0.2222},
        {"surface": "treadmill", "distance_km": 6.0, "runs": 1, "share": 0.1667},
    ]


def test_shoes_listing_and_lifecycle(tmp_path, run):
    assert (
        run(
            "shoe",
            "add",
            "Pegasus",
            "--brand",
            "Nike",
            "--model",
            "Pegasus 40",
            "--limit",
            "450mi",
            "--start-distance",
            "120km",
            "--purchased",
            "2026-01-02",
        ).exit_code
        == 0
    )
    (tmp_path / "r.gpx").write_bytes(gpx_bytes([sample_run(1, 10_000)]))
    assert run("import", str(tmp_path / "r.gpx"), "--shoe", "pegasus").exit_code == 0
    [shoe] = json.loads(run("shoes", "--json").output)
    assert shoe == {
        "name": "Pegasus",
        "brand": "Nike",
        "model": "Pegasus 40",
        "distance_km": 130.0,
        "limit_km": 724.2,
        "used_pct": 18.0,
        "runs": 1,
        "last_run": "2026-06-01T07:00:00Z",
        "status": "ok",
        "limit_on": None,  # no running in the last 8 weeks
        "price": None,
        "cost_per_km": None,
    }
    table = run("shoes").output
    assert "Pegasus" in table and "130.0" in table and "ok" in table
    assert "80.8" in run("--units", "mi", "shoes").output  # 130 km in miles
    csv_out = run("shoes", "--csv").output.splitlines()
    assert csv_out[0] == (
        "name,brand,model,distance_km,limit_km,used_pct,runs,last_run,status,price,cost_per_km,limit_on"
    )

    refused = run("shoe", "remove", "Pegasus")
    assert refused.exit_code == 1
    assert "Pegasus is on 1 run(s)" in refused.output
    assert run("shoe", "rename", "Pegasus", "Peggy").exit_code == 0
    assert run("shoe", "retire", "Peggy").exit_code == 0
    assert json.loads(run("shoes", "--json").output) == []
    assert json.loads(run("shoes", "--all", "--json").output)[0]["status"] == "retired"
    assert run("shoe", "unretire", "Peggy").exit_code == 0
    removed = run("shoe", "remove", "Peggy", "--force")
    assert removed.output == "Removed Peggy; 1 run(s) untagged.\n"
    assert json.loads(run("activities", "--json").output)[0]["shoe"] is None


def test_unknown_shoe_and_surface_list_what_exists(tmp_path, run):
    run("shoe", "add", "Pegasus")
    run("shoe", "add", "Speedgoat")
    bad_shoe = run("import", str(tmp_path), "--shoe", "Clifton")
    assert bad_shoe.exit_code == 2
    assert "no shoe named 'Clifton'. Shoes: Pegasus, Speedgoat" in bad_shoe.output
    bad_surface = run("import", str(tmp_path), "--surface", "lava")
    assert bad_surface.exit_code == 2
    assert (
        "unknown surface 'lava'. Surfaces: concrete, asphalt, track, trail, grass, gravel, sand, "
        "treadmill, unknown" in bad_surface.output
    )


def test_tag_retags_and_figures_follow(tmp_path, run):
    run("shoe", "add", "Pegasus")
    run("shoe", "add", "Novablast")
    for day in (1, 2, 3):
        (tmp_path / f"{day}.fit").write_bytes(fit_activity_bytes([sample_run(day, 10_000)]))
    run("import", str(tmp_path), "--shoe", "Pegasus")
    assert run("tag", "--last", "--shoe", "Novablast", "--surface", "tartan").output == (
        "Tagged 1 run(s) with shoe Novablast, surface track.\n"
    )
    assert run("tag", "1", "--surface", "road").exit_code == 0
    shoes = {s["name"]: s["distance_km"] for s in json.loads(run("shoes", "--json").output)}
    assert shoes == {"Novablast": 10.0, "Pegasus": 20.0}
    mix = {s["surface"]: s["distance_km"] for s in json.loads(run("surfaces", "--json").output)}
    assert mix == {"asphalt": 10.0, "track": 10.0, "unknown": 10.0}
    assert run("tag", "--since", "2026-06-02", "--until", "2026-06-03", "--no-shoe").output == (
        "Tagged 1 run(s) with no shoe.\n"
    )
    missing = run("tag", "99", "--shoe", "Pegasus")
    assert missing.exit_code == 2
    assert "no activity with id 99" in missing.output
    assert run("tag", "--last").exit_code == 2


def test_check_exit_codes_and_json(run):
    ok = run("check")
    assert ok.exit_code == 0
    assert ok.output == (
        "No runs yet. Import some: runwear import PATH... (or try the sample: runwear demo)\n"
    )
    run("shoe", "add", "Worn", "--start-distance", "701km")
    result = run("check", "--json")
    assert result.exit_code == 1
    [finding] = json.loads(result.output)
    assert finding["kind"] == "shoe_retire" and finding["severity"] == "alert"
    assert (finding["value"], finding["threshold"]) == (701.0, 700.0)


def test_config_get_set_and_validate(run):
    assert run("config", "shoe_limit_km").output == "700.0\n"
    assert run("config", "shoe_limit_km", "800").output == "shoe_limit_km = 800.0\n"
    assert run("config", "shoe_limit_km").output == "800.0\n"
    run("shoe", "add", "A")
    assert json.loads(run("shoes", "--json").output)[0]["limit_km"] == 800.0
    bad = run("config", "units", "furlongs")
    assert bad.exit_code == 2
    assert "units must be km or mi" in bad.output
    assert run("config", "nope").exit_code == 2
    assert run("config", "shoe_limit_km", "--reset").output == "shoe_limit_km = 700.0 (default)\n"
    listing = run("config").output
    assert "concrete_share_pct" in listing and "window_days" in listing


def test_db_option_env_and_bad_paths(tmp_path, run, runwear_db):
    run("shoe", "add", "Pegasus")
    assert runwear_db.exists()
    other = tmp_path / "other.db"
    assert json.loads(run("--db", str(other), "shoes", "--json").output) == []
    folder_db = run("--db", str(tmp_path), "shoes")
    assert folder_db.exit_code == 1
    assert (
        folder_db.output
        == f"Error: {tmp_path} is a folder, not a database file. Pass a file path with --db\n"
    )


def test_zips_and_exports_inside_a_folder_are_read(tmp_path, run):
    import zipfile

    folder = tmp_path / "downloads"
    folder.mkdir()
    with zipfile.ZipFile(folder / "runs.zip", "w") as archive:
        archive.writestr("a.fit", fit_activity_bytes([sample_run(1, 10_000)]))
        archive.writestr("b.gpx", gpx_bytes([sample_run(2, 5_000)]))
    (folder / "c.gpx").write_bytes(gpx_bytes([sample_run(3, 7_000)]))
    (folder / "fake.zip").write_bytes(b"not a zip at all")
    result = run("import", str(folder))
    assert result.output.splitlines()[-1] == (
        "Imported 3 runs (22.0 km) from 4 files; 0 duplicates, 0 not runs, 1 error."
    )
    assert "fake.zip: error: not a readable zip archive" in result.output


def test_dates_are_local_midnight_in_the_timezone_setting(tmp_path, run):
    from datetime import datetime, timezone

    from runwear.samples.route import SampleRun

    late = SampleRun(datetime(2026, 6, 1, 22, 30, tzinfo=timezone.utc), 5_000, 1_500, step_s=5.0)
    (tmp_path / "late.fit").write_bytes(fit_activity_bytes([late]))
    run("import", str(tmp_path / "late.fit"))
    # 22:30 UTC on June 1 is 00:30 on June 2 in Berlin.
    run("config", "timezone", "UTC")
    assert json.loads(run("activities", "--since", "2026-06-02", "--json").output) == []
    run("config", "timezone", "Europe/Berlin")
    [found] = json.loads(run("activities", "--since", "2026-06-02", "--json").output)
    assert found["started_at"] == "2026-06-01T22:30:00Z"
