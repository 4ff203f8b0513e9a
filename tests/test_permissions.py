"""Paths the user may not write or read get one line, never a PermissionError traceback.

Permissions only bind a user other than root. Under root, each case runs in a forked child
that drops to the unprivileged `nobody` (uid 65534) before it invokes the CLI; runwear's
modules are imported before the drop, since the interpreter's own folder may be closed to
that user. The test skips only where no unprivileged user can be had (not POSIX).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import runwear
from runwear.cli import cli
from runwear.samples.gpx_writer import gpx_bytes
from tests.helpers import sample_run

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(os, "setuid"),
    reason="needs POSIX fork and setuid to run as an unprivileged user",
)
NOBODY = 65534


# Imported lazily by the stdlib itself (a process pool's locks, Jinja2's string escapes):
# under root's interpreter folder, the unprivileged child could not load them later.
LAZY_STDLIB = (
    "multiprocessing.synchronize",
    "multiprocessing.popen_fork",
    "multiprocessing.popen_forkserver",
    "multiprocessing.popen_spawn_posix",
    "multiprocessing.forkserver",
    "multiprocessing.resource_tracker",
    "multiprocessing.queues",
    "concurrent.futures.process",
    "encodings.unicode_escape",
    "encodings.idna",
    "encodings.latin_1",
    "encodings.utf_16",
)


def _import_everything() -> None:
    """Every runwear module (and so the stdlib modules they use), before privileges go."""
    for name in LAZY_STDLIB:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for module in pkgutil.walk_packages(runwear.__path__, "runwear."):
        with contextlib.suppress(ImportError):  # an optional extra (osm) not installed
            importlib.import_module(module.name)


def invoke_unprivileged(args: list[str]) -> tuple[int, str, str | None]:
    """Exit code, output and unexpected exception of `runwear ARGS`, run as a non-root user."""
    if os.geteuid() != 0:
        result = CliRunner().invoke(cli, args)
        return result.exit_code, result.output, _unexpected(result.exception)
    _import_everything()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, run, report through the pipe
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(cli, args)
            payload = [result.exit_code, result.output, _unexpected(result.exception)]
            with os.fdopen(write_end, "w") as out:
                json.dump(payload, out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as stream:
        text = stream.read()
    _, status = os.waitpid(pid, 0)
    assert text, f"the unprivileged child failed (status {status})"
    code, output, unexpected = json.loads(text)
    return code, output, unexpected


def _unexpected(exc: BaseException | None) -> str | None:
    """An exception that escaped the CLI (SystemExit is how click exits: expected)."""
    if exc is None or isinstance(exc, SystemExit):
        return None
    return repr(exc)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder any user may enter (pytest's own is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="runwear-perm-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(folder)


def _open_db_path(parent: Path) -> Path:
    """A database path in a folder any user may write."""
    folder = parent / "db"
    folder.mkdir()
    folder.chmod(0o777)
    return folder / "runwear.db"


def _locked_folder(parent: Path) -> Path:
    """A folder its owner (root) may write and nobody else may."""
    locked = parent / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    return locked


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_a_database_in_a_folder_that_may_not_be_written(open_tmp):
    db = _locked_folder(open_tmp) / "sub" / "runwear.db"
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "shoes"])
    assert unexpected is None
    assert code == 1
    line = _one_error_line(output)
    assert str(db) in line and "Permission denied" in line and "--db" in line


def test_a_read_only_database(open_tmp):
    folder = open_tmp / "data"
    folder.mkdir()
    folder.chmod(0o777)
    db = folder / "runwear.db"
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "shoe", "add", "Pegasus"])
    assert (code, unexpected) == (0, None), output
    db.chmod(0o444)
    folder.chmod(0o555)
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "shoe", "add", "Novablast"])
    assert unexpected is None
    assert code == 1
    line = _one_error_line(output)
    assert str(db) in line and ("read-only" in line or "cannot open" in line)


def test_an_unreadable_file_among_good_ones(open_tmp):
    folder = open_tmp / "runs"
    folder.mkdir()
    (folder / "good.gpx").write_bytes(gpx_bytes([sample_run(1, 5_000)]))
    locked = folder / "locked.gpx"
    locked.write_bytes(gpx_bytes([sample_run(2, 6_000)]))
    locked.chmod(0)
    db = _open_db_path(open_tmp)
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "import", str(folder)])
    assert unexpected is None
    assert code == 1, output
    assert "Traceback" not in output
    said = [line for line in output.splitlines() if "locked.gpx" in line]
    assert len(said) == 1 and "ermission" in said[0], output
    assert "Imported 1 run" in output


def test_a_report_into_a_folder_that_may_not_be_written(open_tmp):
    db = _open_db_path(open_tmp)
    out = _locked_folder(open_tmp) / "report.html"
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "report", "--out", str(out)])
    assert unexpected is None
    assert code == 1
    line = _one_error_line(output)
    assert str(out) in line and "--out" in line


def test_an_unreadable_folder_among_good_files(open_tmp):
    folder = open_tmp / "runs"
    folder.mkdir()
    (folder / "good.gpx").write_bytes(gpx_bytes([sample_run(1, 5_000)]))
    locked = folder / "2019"
    locked.mkdir()
    (locked / "old.gpx").write_bytes(gpx_bytes([sample_run(2, 6_000)]))
    locked.chmod(0)
    db = _open_db_path(open_tmp)
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "import", str(folder)])
    assert unexpected is None
    assert code == 1, output
    said = [line for line in output.splitlines() if "2019" in line]
    assert len(said) == 1 and "ermission" in said[0], output
    assert "Imported 1 run" in output


def test_a_file_named_inside_a_folder_that_may_not_be_entered(open_tmp):
    locked = open_tmp / "locked"
    locked.mkdir()
    (locked / "run.gpx").write_bytes(gpx_bytes([sample_run(1, 5_000)]))
    locked.chmod(0o700)  # root's alone
    db = _open_db_path(open_tmp)
    target = locked / "run.gpx"
    code, output, unexpected = invoke_unprivileged(["--db", str(db), "import", str(target)])
    assert unexpected is None
    assert code == 1, output
    said = [line for line in output.splitlines() if "run.gpx" in line]
    assert len(said) == 1 and "Permission denied" in said[0], output
