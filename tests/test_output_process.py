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
