"""`runwear import`: read activity files and folders into the database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.params import SURFACE, shoe_by_name
from runwear.importing import DUPLICATE, ERROR, FileResult, ImportSummary, Tagging, import_sources
from runwear.ingest import find_sources
from runwear.units import format_distance

LABELS = {DUPLICATE: "duplicate", ERROR: "error"}


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
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
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
@pass_app
def import_(
    app: App,
    paths: tuple[Path, ...],
    shoe_name: str | None,
    surface: str | None,
    max_mb: int,
    quiet: bool,
) -> None:
    """Import runs from .gpx and .fit files (also .gz) and folders of them.

    Files already imported (same bytes) and runs already stored from another
    file (start within 60 s, distance within 2%) are skipped. Exit 1 if any
    file could not be read; the others are imported all the same.

    \b
    runwear import ~/Downloads/Morning_Run.fit
    runwear import ~/watch-exports/ --shoe Pegasus
    runwear import treadmill.fit --surface treadmill
    """
    tagging = Tagging(shoe=shoe_by_name(app.db, shoe_name) if shoe_name else None, surface=surface)
    summary = ImportSummary()
    unit = app.settings.units
    results = import_sources(app.db, find_sources(paths), tagging, max_bytes=max_mb * 1024 * 1024)
    for result in results:
        summary.add(result)
        if result.status == ERROR or (result.detail and not quiet):
            click.echo(_line(result), err=result.status == ERROR)
    click.echo(_summary_line(summary, unit))
    if summary.errors:
        sys.exit(1)


def _line(result: FileResult) -> str:
    """One line for a file that was not simply imported."""
    label = LABELS.get(result.status)
    return (
        f"{result.path}: {label}: {result.detail}" if label else f"{result.path}: {result.detail}"
    )


def _summary_line(summary: ImportSummary, unit: str) -> str:
    """Imported 12 runs (98.4 km); 3 duplicates, 2 not runs, 1 error."""
    runs = f"{summary.runs} run{'s' if summary.runs != 1 else ''}"
    return (
        f"Imported {runs} ({format_distance(summary.distance_m, unit)}) from {summary.files} "
        f"file{'s' if summary.files != 1 else ''}; {summary.duplicates} duplicate"
        f"{'s' if summary.duplicates != 1 else ''}, {summary.not_runs} not run"
        f"{'s' if summary.not_runs != 1 else ''}, {summary.errors} error"
        f"{'s' if summary.errors != 1 else ''}."
    )
