"""The installed `runwear` command, run as a user would in a shell."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write_mixed_folder


def runwear_command() -> str:
    beside_python = Path(sys.executable).parent / "runwear"
    found = str(beside_python) if beside_python.exists() else shutil.which("runwear")
    if not found:
        pytest.skip("the runwear command is not installed (pip install -e .)")
    return found


def test_demo_runs_and_warns(tmp_path):
    result = subprocess.run(
        [runwear_command(), "demo", "--dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "ALERT  shoe_retire: Pegasus" in out
    assert "WARN   shoe_nearing: Novablast" in out
    assert "WARN   concrete_share" in out
    assert "duplicate: same run as activity" in out
    assert "not a run (cycling)" in out
    shoes = subprocess.run(
        [runwear_command(), "--db", str(tmp_path / "demo" / "demo.db"), "shoes", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    status = {s["name"]: s["status"] for s in json.loads(shoes.stdout)}
    assert status == {"Novablast": "nearing", "Pegasus": "retire", "Speedgoat": "ok"}


def test_import_folder_with_broken_files(tmp_path):
    folder = write_mixed_folder(tmp_path / "downloads")
    db = tmp_path / "e2e.db"
    result = subprocess.run(
        [runwear_command(), "--db", str(db), "import", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stdout.splitlines()[-1]
        == "Imported 4 runs (35.0 km) from 10 files; 2 duplicates, 2 not runs (1 kept as "
        "cross-training), 2 errors."
    )
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and all(": error: " in line for line in errors)
    assert "Traceback" not in result.stderr
