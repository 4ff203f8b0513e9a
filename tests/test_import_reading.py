"""Progress while a large export.xml is read, before the import itself starts."""

from __future__ import annotations

import io
import zipfile

from runwear.cli.progress import ReadingProgress
from runwear.importing import ImportOptions, ImportRun
from runwear.samples.health import sample_workouts, write_health_export
from runwear.store import open_db
from tests.test_import_output import Clock


def test_reading_export_xml_reports_bytes_and_workouts(tmp_path):
    export = write_health_export(tmp_path / "export.zip", sample_workouts())
    with zipfile.ZipFile(export) as zf:
        size = zf.getinfo("apple_health_export/export.xml").file_size
    heard: list[tuple[str, int, int, int]] = []
    run = ImportRun(
        open_db(tmp_path / "runwear.db"),
        [export],
        ImportOptions(jobs=1),
        on_reading=lambda *args: heard.append(args),
    )
    list(run.results())
    name = f"{export}/apple_health_export/export.xml"
    assert heard[-1] == (name, size, size, 5)
    assert [h[1] for h in heard] == sorted(h[1] for h in heard)


def test_a_bar_on_a_terminal_naming_the_file():
    out = io.StringIO()
    clock = Clock()
    reading = ReadingProgress("bar", out, clock)
    name = "export.zip/apple_health_export/export.xml"
    reading.update(name, 1_000_000, 2_000_000_000, 3)
    clock.now += 2
    reading.update(name, 500_000_000, 2_000_000_000, 1204)
    reading.close()
    text = out.getvalue()
    assert "] Reading export.xml: 500.0/2,000.0 MB (25%)" in text
    assert text.endswith("\r\x1b[K")  # taken away before the import's own bar


def test_no_bar_without_a_terminal_or_when_quiet():
    out = io.StringIO()  # not a terminal
    for reading in (ReadingProgress.for_stream(False, out), ReadingProgress.for_stream(True, out)):
        reading.update("export.xml", 10, 100, 1)
        reading.close()
    assert out.getvalue() == ""
