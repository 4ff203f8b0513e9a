"""`runwear import`: read activity files, folders and account exports into the database.

Files already stored are known on the light read path (App.read_db): the full database, the
writer and the parsing pool are opened only once something is new (issue 15, goal 5).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.import_notes import twin_notes, unread_notes, untagged_note
from runwear.cli.params import SURFACE, shoe_by_name
from runwear.cli.progress import ImportProgress, ReadingProgress
from runwear.importing import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    NOT_RUN,
    FileResult,
    ImportOptions,
    ImportRun,
    ImportSummary,
    Progress,
    Tagging,
    default_jobs,
)
from runwear.store.shoes import last_activity_id
from runwear.units import format_distance

LABELS = {DUPLICATE: "duplicate", ERROR: "error"}
LIST_AT_MOST = 20  # routine lines (seen before, an export's rides) of a kind listed one by one
KINDS = {
    DUPLICATE: ("duplicate", "duplicates"),
    NOT_RUN: ("not run", "not runs"),
    IMPORTED: ("run without its file", "runs without their file"),
}


@cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--from-watch",
    "from_watch",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[MOUNT]",
    help="Import the FIT files of a Garmin watch plugged in (found under the usual mount "
    "points, or at MOUNT).",
)
@click.option(
    "--watch",
    "watch_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Keep importing the files that arrive in DIR (a folder an app or a sync tool "
    "fills), until Ctrl-C.",
)
@click.option(
    "--interval",
    "interval_s",
    type=click.FloatRange(1, 3600),
    default=5.0,
    show_default=True,
    help="With --watch: seconds between two looks at the folder.",
)
@click.option("--shoe", "shoe_name", help="Tag every imported run with this shoe.")
@click.option("--surface", type=SURFACE, help="Tag every imported run with this surface.")
@click.option(
    "--max-size",
    "max_mb",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Refuse files (or their decompressed content) larger than this many MB.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Files parsed at once, in as many processes (default: the number of cores).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Read again files whose runs were removed with `runwear activity remove`.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only errors, what needs you (unread file types, shoes to merge) and the summary.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help=f"List files seen before and an export's non-runs even when over {LIST_AT_MOST}, "
    "and name each file of a type runwear does not read.",
)
@pass_app
def import_(
    app: App,
    paths: tuple[Path, ...],
    from_watch: str | None,
    watch_dir: Path | None,
    interval_s: float,
    shoe_name: str | None,
    surface: str | None,
    max_mb: int,
    jobs: int | None,
    force: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Import runs from files, folders, account exports, a watch or a watched folder.

    Files: .gpx, .fit and .tcx, also gzipped (.gz). An export of Strava, Garmin
    Connect, Apple Health, Runkeeper, Polar Flow, Google Fit or Fitbit (the .zip
    as downloaded, or its unpacked folder) brings every run, with its shoe and
    the shoes themselves when the export has them. Files already imported
    (same bytes) and runs already stored from another file (start within 60 s,
    distance within 2%) are skipped; so are files whose runs were removed with
    `runwear activity remove`, unless --force. Lines about files seen before and
    an export's non-runs come after the import, and only when there are at most 20
    of a kind. Exit 1
    if any file could not be read; the others are imported all the same.

    --watch DIR imports each file that arrives in DIR once it is written to the end
    (unchanged over one --interval), one line per file with runs; Ctrl-C stops it
    with a line of totals and exit 0.

    \b
    runwear import ~/Downloads/Morning_Run.fit
    runwear import ~/watch-exports/ --shoe Pegasus
    runwear import ~/Downloads/export_12345678.zip
    runwear import treadmill.fit --surface treadmill
    runwear import --from-watch
    runwear import --watch ~/OpenTracks/
    """
    if watch_dir is not None and (paths or from_watch is not None):
        raise click.UsageError("--watch DIR imports that folder alone: leave out PATH...")
    if from_watch is not None:
        paths = (*paths, *_watch_files(from_watch))
    if not paths and watch_dir is None:
        raise click.UsageError("say what to import: PATH..., --from-watch or --watch DIR")
    tagging = Tagging(
        shoe=shoe_by_name(app.read_db, shoe_name) if shoe_name else None, surface=surface
    )
    unit = app.settings.units
    options = ImportOptions(
        tagging=tagging, max_bytes=max_mb * 1024 * 1024, jobs=jobs or default_jobs(), force=force
    )
    if watch_dir is not None:
        from runwear.cli.import_watch import watch_folder

        return watch_folder(app, watch_dir, interval_s, options, quiet, verbose)
    progress = ImportProgress.for_stream(quiet, unit)
    reading = ReadingProgress.for_stream(quiet)  # export.xml: read before the import starts

    def on_progress(done: Progress) -> None:
        reading.close()
        progress.update(done)

    last_id = last_activity_id(app.read_db)  # runs after it are this import's
    run = ImportRun(app, paths, options, on_progress=on_progress, on_reading=reading.update)
    routine: Counter[str] = Counter()  # routine lines by status
    held: list[FileResult] = []  # the first LIST_AT_MOST of each status, shown at the end
    try:
        for result in run.results():
            if result.status == ERROR:
                progress.echo(_line(result), err=True)
            elif result.detail and not quiet:
                if not result.routine or verbose:
                    progress.echo(_line(result))
                    continue
                routine[result.status] += 1
                if routine[result.status] <= LIST_AT_MOST:
                    held.append(result)
    except Exception as exc:
        if not _broken_pool(exc):
            raise
        raise click.ClickException(
            "a parsing process stopped unexpectedly (out of memory?). What was imported is "
            "kept: run the import again, with --jobs 1 to use the least memory"
        ) from exc
    finally:
        reading.close()
        progress.close()
    for result in held:
        if routine[result.status] <= LIST_AT_MOST:
            click.echo(_line(result))
    hidden = _hidden(routine)
    if hidden:
        click.echo(hidden)
    for note in unread_notes(run.summary, verbose):
        click.echo(note)
    for note in twin_notes(app.read_db, run.summary):
        click.echo(note)
    click.echo(_summary_line(run.summary, unit))
    reminder = untagged_note(app.read_db, last_id)
    if reminder:
        click.echo(reminder)
    if run.summary.errors:
        sys.exit(1)


def _broken_pool(exc: BaseException) -> bool:
    """Whether `exc` says a parsing process died (a pool ran only if its module is loaded)."""
    process = sys.modules.get("concurrent.futures.process")
    return process is not None and isinstance(exc, process.BrokenProcessPool)


def _watch_files(mount: str) -> list[Path]:
    """The FIT files of the Garmin watches mounted (at `mount`, or where volumes appear)."""
    import getpass

    from runwear.ingest.watch import find_watches, mount_roots, no_watch_message

    roots = [Path(mount)] if mount else mount_roots(sys.platform, getpass.getuser())
    watches = find_watches(roots)
    if not watches:
        raise click.ClickException(no_watch_message(roots))
    files: list[Path] = []
    for watch in watches:
        click.echo(f"Watch {watch.label}: {len(watch.fit_files)} FIT files.")
        files.extend(watch.fit_files)
    return files


def _line(result: FileResult) -> str:
    """One line for a file that was not simply imported, safe to print (see `_printable`)."""
    label = LABELS.get(result.status)
    path, detail = _printable(result.path), _printable(result.detail)
    return f"{path}: {label}: {detail}" if label else f"{path}: {detail}"


def _printable(text: str) -> str:
    """Text whose control characters are shown as escapes (\\x1b, \\n), never sent raw.

    File names inside an archive, and words quoted from a broken file, are anyone's: a
    terminal must not act on them, and a newline must not split a file's one line.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _hidden(routine: Counter[str]) -> str:
    """The kinds of routine lines too many to list: "400 duplicates not listed (...)."."""
    parts = []
    for status, count in routine.items():
        if count > LIST_AT_MOST:
            one, many = KINDS[status]
            parts.append(f"{count} {one if count == 1 else many}")
    if not parts:
        return ""
    return f"{' and '.join(parts)} not listed one by one (--verbose lists them)."


def _summary_line(summary: ImportSummary, unit: str) -> str:
    """Imported 12 runs (98.4 km) from 20 files; 3 duplicates, 2 not runs, 1 error.

    With an export: "... from 20 files and 2 export entries; 3 shoes created; ...": files
    read (the export's own lists included), and the export's entries no file was read for
    (manual entries, rides, runs whose file is missing).
    """
    runs = _count(summary.runs, "run")
    source = _count(summary.files, "file")
    if summary.entries:
        source += f" and {_count(summary.entries, 'export entry', 'export entries')}"
    shoes = f"{_count(summary.shoes_created, 'shoe')} created; " if summary.shoes_created else ""
    if summary.shoes_removed:
        shoes += f"{_count(summary.shoes_removed, 'shoe')} you removed left out; "
    too_short = f"{summary.too_short} too short, " if summary.too_short else ""
    kept = f" ({summary.kept_other} kept as cross-training)" if summary.kept_other else ""
    return (
        f"Imported {runs} ({format_distance(summary.distance_m, unit)}) from {source}; {shoes}"
        f"{_count(summary.duplicates, 'duplicate')}, {_count(summary.not_runs, 'not run')}"
        f"{kept}, "
        f"{too_short}{_count(summary.errors, 'error')}."
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    """3 runs, 1 run, 0 errors."""
    return f"{n} {one if n == 1 else many or one + 's'}"
