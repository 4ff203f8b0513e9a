"""Files of types runwear does not read: counted by type, said in one line."""

from __future__ import annotations

import gzip
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.unread import (
    count_unread,
    suunto_json,
    unread_line,
    unread_suffix,
    unread_type,
)
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun
from runwear.samples.sources import SourceEntry, write_polar_export


def test_unread_types_counted_commonest_first():
    names = [f"polar/{i}.hrm" for i in range(8)] + [f"s/{i}.SML" for i in range(4)]
    names += ["run.gpx", "notes.json", "move.sml.gz", "photo.jpg"]
    counts = count_unread(names)
    assert dict(counts) == {".hrm": 8, ".sml": 5}
    assert unread_line(counts) == (
        "13 files of types runwear does not read: .hrm 8, .sml 5; convert them to FIT, GPX or TCX"
    )


def test_nothing_unread_gives_no_line():
    assert unread_line(count_unread(["a.fit", "b.tcx.gz"])) is None
    assert unread_suffix("x.ttbin") == ".ttbin"
    assert unread_line(count_unread(["one.kml"])) == (
        "1 file of types runwear does not read: .kml 1; convert them to FIT, GPX or TCX"
    )


def unread_folder(tmp_path: Path) -> Path:
    """A folder with one run, files of types runwear does not read, and JSON that is not
    Suunto's (a Polar export beside them: read as one, its JSON never counted)."""
    folder = tmp_path / "watch-files"
    (folder / "suunto").mkdir(parents=True)
    started = datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)
    (folder / "run.gpx").write_bytes(gpx_bytes([SampleRun(started, 5000.0, 1500.0, step_s=10.0)]))
    for i in range(3):
        (folder / f"polar-{i}.hrm").write_text("[Params]\nVersion=106\n")
    (folder / "suunto" / "move.sml").write_text("<sml/>")
    move = b'{"Samples": [{"TimeISO8601": "2026-11-03T07:00:00.000+01:00", "Attributes": {}}]}'
    (folder / "suunto" / "move.json").write_bytes(move)
    (folder / "suunto" / "move2.json.gz").write_bytes(gzip.compress(move))
    (folder / "settings.json").write_text('{"units": "km"}')
    polar_run = SampleRun(started.replace(day=4), 4000.0, 1300.0)
    write_polar_export(folder / "polar-flow.zip", [SourceEntry(polar_run)])
    return folder


def test_unread_files_in_a_folder_are_counted_in_one_line(tmp_path, runwear_db):
    folder = unread_folder(tmp_path)
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "6 files of types runwear does not read: .hrm 3, .json 2, .sml 1; convert them to FIT, "
        "GPX or TCX (--verbose names them).",
        "Imported 2 runs (9.0 km) from 2 files; 0 duplicates, 0 not runs, 0 errors.",
    ]


def test_with_verbose_each_unread_file_is_named(tmp_path, runwear_db):
    folder = unread_folder(tmp_path)
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", "-v", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    why = "a type runwear does not read: convert it to FIT, GPX or TCX"
    assert [x for x in lines if why in x] == [
        f"{folder}/polar-0.hrm: a Polar .hrm file, {why}",
        f"{folder}/polar-1.hrm: a Polar .hrm file, {why}",
        f"{folder}/polar-2.hrm: a Polar .hrm file, {why}",
        f"{folder}/suunto/move.json: a Suunto .json file, {why}",
        f"{folder}/suunto/move.sml: a Suunto .sml file, {why}",
        f"{folder}/suunto/move2.json.gz: a Suunto .json file, {why}",
    ]
    assert lines[-2] == (
        "6 files of types runwear does not read: .hrm 3, .json 2, .sml 1; convert them to FIT, "
        "GPX or TCX."
    )


def test_unread_files_in_a_zip_are_counted_and_one_named_is_an_error(tmp_path, runwear_db):
    archive = tmp_path / "old-watch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("tomtom/1.ttbin", b"\x20\x05")
        zf.writestr("sporttracks.fitlog", "<FitnessWorkbook/>")
        zf.writestr("tp.pwx", "<pwx/>")
    result = CliRunner().invoke(cli, ["import", str(archive)])
    assert result.exit_code == 0, result.output  # no "nothing runwear can import" error
    assert result.output.splitlines()[0] == (
        "3 files of types runwear does not read: .fitlog 1, .pwx 1, .ttbin 1; convert them to "
        "FIT, GPX or TCX (--verbose names them)."
    )
    hrm = tmp_path / "a.hrm"
    hrm.write_text("[Params]\n")
    named = CliRunner().invoke(cli, ["import", str(hrm)])
    assert named.exit_code == 1
    assert f"{hrm}: error: a Polar .hrm file, a type runwear does not read" in named.output


def test_suunto_json_is_told_by_its_content():
    assert suunto_json(b'{"DeviceLog": {"Header": {"Duration": 10}}}')
    assert suunto_json(gzip.compress(b'{"Samples":[{"Attributes":{"suunto/sml":{}}}]}'))
    assert not suunto_json(b'[{"logId": 1, "activityName": "Run"}]')  # Fitbit's
    assert not suunto_json(b"\x1f\x8b broken gzip")
    assert unread_type("x.json", lambda: b'{"exercises": []}') is None
