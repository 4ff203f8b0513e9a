"""The process edges: a closed pipe, Ctrl-C, `runwear db path` and `runwear info`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from runwear.cli import cli
from runwear.store import open_db

from .helpers import add_run
from .test_import_output import Clock


def test_a_closed_pipe_exits_quietly_with_0(runwear_db):
    db = open_db(runwear_db)
    db.execute("pragma synchronous = off")
    for n in range(600):
        add_run(db, 5_000 + n, days_ago=n / 3)
    db.execute("update activities set name = ?", ["x" * 400])  # --csv: 250 KB, over a pipe's 64
    db.conn.commit()
    db.close()
    env = {**os.environ, "RUNWEAR_DB": str(runwear_db)}
    command = [sys.executable, "-c", "from runwear.cli import cli; cli()", "activities", "--csv"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout.readline().startswith(b"id,started_at")
    proc.stdout.close()  # as `| head -1` does
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (0, b"")


def test_ctrl_c_exits_130(monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("runwear.cli.reports.run_checks", interrupted)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 130
    assert "Traceback" not in result.output


def test_db_path_and_info_never_create_a_database(tmp_path, runwear_db):
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "path"]).output == f"{runwear_db}\n"
    info = runner.invoke(cli, ["info"])
    assert info.output == (
        f"Database: {runwear_db}\n"
        "Not created yet: the first command that stores something creates it.\n"
    )
    assert json.loads(runner.invoke(cli, ["info", "--json"]).output) == {
        "path": str(runwear_db),
        "exists": False,
    }
    assert not runwear_db.exists()


def test_info_counts_what_is_stored(runwear_db):
    runner = CliRunner()
    runner.invoke(cli, ["shoe", "add", "Pegasus"])
    db = open_db(runwear_db)
    add_run(db, 5_000)
    db.close()
    lines = runner.invoke(cli, ["info"]).output.splitlines()
    assert lines[0] == f"Database: {runwear_db}"
    assert lines[1].startswith("Size: ") and lines[1].endswith(" MB")
    assert lines[2:] == ["Shoes: 1", "Activities: 1", "Places: 0", "Rules: 0", "Osm ways: 0"]


def test_no_color_strips_every_style(monkeypatch, runwear_db):
    from runwear.cli import output

    runner = CliRunner()
    runner.invoke(cli, ["shoe", "add", "Worn", "--start-distance", "701km"])
    monkeypatch.setattr(output, "colour_on", lambda stream=None: True)
    assert "\x1b[" in runner.invoke(cli, ["shoes"], color=True).output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(cli, ["shoes"], color=True).output


def test_the_bar_fits_a_60_column_terminal(monkeypatch):
    import io
    import os as os_module

    from runwear.cli.progress import ImportProgress
    from runwear.importing import Progress

    monkeypatch.setattr("shutil.get_terminal_size", lambda *a: os_module.terminal_size((60, 24)))
    stream, clock = io.StringIO(), Clock()
    progress = ImportProgress("bar", "km", stream=stream, clock=clock)
    for done in range(1, 5):
        clock.now += 2
        progress.update(Progress(done * 100, 4000, done * 100, done * 1_000_000.0))
    drawn = [part.removesuffix("\x1b[K") for part in stream.getvalue().split("\r") if part]
    assert drawn and all(len(line) <= 59 for line in drawn)
    assert "\n" not in stream.getvalue()


def test_eta_after_a_resume_counts_the_files_left_at_their_rate():
    from runwear.cli.progress import ImportProgress
    from runwear.importing import Progress

    clock = Clock()
    progress = ImportProgress("off", "km", clock=clock)
    clock.now += 1  # 900 files imported before: skipped by their hash in a second
    progress.update(Progress(900, 1000, 0, 0.0))
    for done in range(901, 951):  # then one new file a second
        clock.now += 1
        progress.update(Progress(done, 1000, done - 900, 0.0))
    assert progress.describe(clock.now).endswith(", ETA 0:50")
