"""Folders and zips read file by file: nested zips, size limits while streaming, odd paths."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.archive import FolderContainer, ZipContainer, open_container
from runwear.ingest.model import IngestError
from runwear.samples.gpx_writer import gpx_bytes

from .helpers import sample_run

MB = 1024 * 1024


def zip_bytes(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of `files` in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_nested_zip_is_read_in_about_two_passes(tmp_path, monkeypatch, method):
    inner_files = {f"{i:03d}.fit": bytes([i]) * (20_000 + i) for i in range(200)}
    outer = tmp_path / "outer.zip"
    outer.write_bytes(zip_bytes({"nested/inner.zip": zip_bytes(inner_files)}, method))
    rewinds = []
    original = zipfile.ZipExtFile.seek

    def counting_seek(self, offset, whence=0):
        before = self.tell()
        after = original(self, offset, whence)
        if after < before:
            rewinds.append((before, after))
        return after

    monkeypatch.setattr(zipfile.ZipExtFile, "seek", counting_seek)
    with open_container(outer) as container:
        inner = container.open_zip(container.find("nested/inner.zip"))
        members = inner.members()
        assert [m.path for m in members] == sorted(inner_files)
        for member in members:
            assert inner.read(member, MB) == inner_files[member.path]
    assert len(rewinds) <= 1  # back to the start once, after the central directory


def test_member_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.zip"
    path.write_bytes(zip_bytes({"big.gpx": b" " * (2 * MB)}))
    container = ZipContainer(zipfile.ZipFile(path), str(path))
    with container, pytest.raises(IngestError, match="over the 1 MB limit"):
        container.read(container.find("big.gpx"), MB)


def test_member_lying_about_its_size_is_refused(tmp_path):
    path = tmp_path / "liar.zip"
    path.write_bytes(zip_bytes({"a.gpx": b"x" * (3 * MB)}))
    archive = zipfile.ZipFile(path)
    info = archive.getinfo("a.gpx")
    info.file_size = 10  # the central directory claims 10 bytes
    with ZipContainer(archive, str(path)) as container, pytest.raises(IngestError):
        container.read(container.find("a.gpx"), MB)


def test_gzip_bomb_in_an_export_is_refused_while_streaming(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "ok.gpx").write_bytes(gpx_bytes([sample_run(1, 5_000)]))
    bomb = gzip.compress(b"<" + b" " * (5 * MB))
    archive = tmp_path / "runs.zip"
    archive.write_bytes(
        zip_bytes({"bomb.gpx.gz": bomb, "ok.gpx": (folder / "ok.gpx").read_bytes()})
    )
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", "--max-size", "1", str(archive)])
    assert result.exit_code == 1
    assert (
        f"{archive}/bomb.gpx.gz: error: expands past the 1 MB limit when decompressed "
        "(a zip or gzip bomb?). Raise it with --max-size if the file is genuine"
    ) in result.output
    assert result.output.splitlines()[-1] == (
        "Imported 1 run (5.0 km) from 2 files; 0 duplicates, 0 not runs, 1 error."
    )


def test_zip_of_activity_files_imports_them(tmp_path):
    archive = tmp_path / "runs.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "a/1.gpx": gpx_bytes([sample_run(1, 5_000)]),
                "a/2.gpx.gz": gzip.compress(gpx_bytes([sample_run(2, 7_000)])),
                "a/readme.txt": b"hello",
            }
        )
    )
    result = CliRunner().invoke(cli, ["import", str(archive)])
    assert result.output == (
        "Imported 2 runs (12.0 km) from 2 files; 0 duplicates, 0 not runs, 0 errors.\n"
    )


def test_broken_zip_is_one_error_line(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert f"{path}: error: not a readable zip archive" in result.output


def test_folder_paths_cannot_leave_the_folder(tmp_path):
    (tmp_path / "secret.gpx").write_text("x")
    root = tmp_path / "export"
    root.mkdir()
    container = FolderContainer(root, str(root))
    assert container.find("../secret.gpx") is None
    assert container.find("/etc/passwd") is None
    assert not container.is_folder("..")


def test_two_zip_members_of_one_name_are_both_read(tmp_path, runwear_db):
    import warnings
    import zipfile
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from runwear.cli import cli
    from runwear.samples.gpx_writer import gpx_bytes
    from runwear.samples.route import SampleRun

    def run(day: int) -> SampleRun:
        start = datetime(2024, 5, day, 7, tzinfo=timezone.utc)
        return SampleRun(started_at=start, distance_m=5_000.0, duration_s=1_500.0, step_s=5.0)

    archive = tmp_path / "runs.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "w") as z:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        z.writestr("runs/run.gpx", gpx_bytes([run(1)]))
        z.writestr("runs/run.gpx", gpx_bytes([run(2)]))
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", str(archive)])
    assert result.output.splitlines()[-1].startswith("Imported 2 runs (10.0 km) from 2 files")
