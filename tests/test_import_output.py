"""What `runwear import` prints: progress on stderr, result lines and the summary."""

from __future__ import annotations

import io

from runwear.cli.imports import _summary_line
from runwear.cli.progress import ImportProgress
from runwear.importing import ImportSummary, Progress


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_a_line_every_five_seconds(capsys):
    clock = Clock()
    progress = ImportProgress("lines", "km", clock=clock)
    for done in range(1, 13):
        clock.now += 1
        progress.update(Progress(done, 40, done, done * 10_000.0))
    progress.close()
    assert capsys.readouterr().err.splitlines() == [
        "Importing: 5/40 files (12%), 5 runs, 50.0 km, ETA 0:35",
        "Importing: 10/40 files (25%), 10 runs, 100.0 km, ETA 0:30",
    ]


def test_on_a_terminal_a_bar_that_result_lines_do_not_tear(capsys):
    clock = Clock()
    progress = ImportProgress("bar", "mi", clock=clock)
    clock.now += 2
    progress.update(Progress(1, 4, 1, 1609.344))
    progress.echo("a.fit: not a run (cycling)")
    clock.now += 2
    progress.update(Progress(4, 4, 3, 3 * 1609.344))
    progress.close()
    captured = capsys.readouterr()
    assert captured.out == "a.fit: not a run (cycling)\n"
    assert captured.err == (
        "\r[######..................] 1/4 files (25%), 1 run, 1.0 mi, ETA 0:06\x1b[K"
        "\r\x1b[K"
        "\r[######..................] 1/4 files (25%), 1 run, 1.0 mi, ETA 0:06\x1b[K"
        "\r[########################] 4/4 files (100%), 3 runs, 3.0 mi\x1b[K"
        "\r\x1b[K"
    )


def test_quiet_and_piped_streams_choose_the_mode():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert ImportProgress.for_stream(False, "km", Tty()).mode == "bar"
    assert ImportProgress.for_stream(False, "km", io.StringIO()).mode == "lines"
    assert ImportProgress.for_stream(True, "km", Tty()).mode == "off"


def test_summary_line_names_shoes_and_export_entries_only_when_there_are_some():
    summary = ImportSummary(runs=1, distance_m=5_000.0, files=1)
    assert _summary_line(summary, "km") == (
        "Imported 1 run (5.0 km) from 1 file; 0 duplicates, 0 not runs, 0 errors."
    )
    summary = ImportSummary(
        runs=412, distance_m=4_180_240.0, files=400, entries=1, shoes_created=1, not_runs=35
    )
    assert _summary_line(summary, "km") == (
        "Imported 412 runs (4,180.2 km) from 400 files and 1 export entry; 1 shoe created; "
        "0 duplicates, 35 not runs, 0 errors."
    )
