"""`runwear import --watch DIR`: import the files a folder receives, until Ctrl-C.

Every poll hands the files that arrived complete (`runwear.ingest.arrivals`) to the usual
import (`ImportRun`), so duplicates, shoes and errors are as in any import. Ctrl-C (or a
SIGTERM from a service manager) stops between two polls or inside an import: a batch of
files is committed whole or not at all, so what a line said was imported is stored. The
goodbye line gives the totals of the whole watch, and the exit status is 0: Ctrl-C is how a
watch ends, and each file that could not be read had its own line.
"""

from __future__ import annotations

import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType

import click

from runwear.cli.app import App
from runwear.cli.import_notes import twin_notes
from runwear.cli.imports import _line as line
from runwear.cli.imports import _summary_line as summary_line
from runwear.cli.output import printable
from runwear.cli.progress import ImportProgress
from runwear.importing import ERROR, IMPORTED, ImportOptions, ImportRun, ImportSummary
from runwear.ingest.arrivals import Arrivals
from runwear.units import format_distance

DEFAULT_INTERVAL_S = 5.0
INTERVAL_RANGE_S = (1.0, 3600.0)


def watch_folder(
    app: App,
    folder: Path,
    interval_s: float,
    options: ImportOptions,
    quiet: bool,
    verbose: bool,
) -> None:
    """Import what arrives in `folder`, polling every `interval_s`, until interrupted."""
    unit = app.settings.units
    arrivals = Arrivals(folder, interval_s)
    total = ImportSummary()
    shown = printable(str(folder))
    click.echo(f"Watching {shown} for new files every {interval_s:g} s; Ctrl-C stops.")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            ready = arrivals.ready()
            if ready:
                _import(app, ready, options, quiet, verbose, total)
            time.sleep(interval_s)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the goodbye
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(f"Stopped watching {shown}. {summary_line(total, unit)}")


def _import(
    app: App,
    paths: list[Path],
    options: ImportOptions,
    quiet: bool,
    verbose: bool,
    total: ImportSummary,
) -> None:
    """Import the files of one poll: one line per file with runs, errors on stderr."""
    unit = app.settings.units
    progress = ImportProgress.for_stream(quiet, unit)
    run = ImportRun(app.db, paths, options, on_progress=progress.update)
    try:
        for result in run.results():
            if result.status == ERROR:
                progress.echo(line(result), err=True)
            elif quiet or (result.routine and not verbose):
                continue
            elif result.status == IMPORTED and result.runs:
                runs = f"{result.runs} run{'s' if result.runs != 1 else ''}"
                distance = format_distance(result.distance_m, unit)
                note = f"; {printable(result.detail)}" if result.detail else ""
                progress.echo(f"{printable(result.path)}: imported {runs} ({distance}){note}")
            elif result.detail:
                progress.echo(line(result))
    except BrokenProcessPool as exc:
        raise click.ClickException(
            "a parsing process stopped unexpectedly (out of memory?). What was imported is "
            "kept: run the watch again, with --jobs 1 to use the least memory"
        ) from exc
    finally:
        progress.close()
        total.merge(run.summary)
    for note in twin_notes(app.db, run.summary):
        click.echo(note)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the watch as Ctrl-C does."""
    raise KeyboardInterrupt
