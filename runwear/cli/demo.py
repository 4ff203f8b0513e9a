"""`runwear demo`: a sample season written, imported into a sample database, and checked."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click

from runwear.cli.app import App, cli
from runwear.cli.imports import import_
from runwear.cli.load import load
from runwear.cli.pain import pain_add, pain_why
from runwear.cli.places import place_add
from runwear.cli.report import write_report
from runwear.cli.reports import check, surfaces
from runwear.cli.shoes import shoes_list
from runwear.samples.season import PLACES, SHOES, write_season
from runwear.store.shoes import add_shoe

# The sample pain log: (days ago, level, note).
PAIN = ((52, 3, "tight after the trail run"), (2, 4, "stiff lower back"))


@cli.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the sample files and database (default: a new temporary folder).",
)
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Try runwear on a generated season: sample files and database, a park, shoes and check.

    Never touches your own database.

    \b
    runwear demo
    runwear demo --dir ./runwear-demo
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="runwear-demo-"))
    db_path = folder / "demo.db"
    if db_path.exists():
        raise click.ClickException(f"{db_path} exists already. Pass an empty folder with --dir")
    groups = write_season(folder / "files", date.today())
    demo_app = App(db_path=db_path, units=ctx.obj.units if ctx.obj else None)
    db = demo_app.db
    for shoe in SHOES:
        add_shoe(
            db,
            shoe.name,
            brand=shoe.brand,
            model=shoe.model,
            limit_m=shoe.limit_m,
            start_distance_m=shoe.start_distance_m,
            is_default=int(shoe.is_default),
            default_for=shoe.default_for,
            surface=shoe.surface,
        )
    ctx.obj = demo_app
    click.secho(f"Sample season written to {folder / 'files'}", bold=True)
    for place in PLACES:
        center = f"{place.lat:.4f},{place.lon:.4f}"
        click.secho(
            f'\n$ runwear place add "{place.name}" --surface {place.surface} '
            f"--center {center} --radius {place.radius_m:.0f}m",
            bold=True,
        )
        _invoke(
            ctx,
            place_add,
            name=place.name,
            surface=place.surface,
            center=(place.lat, place.lon),
            radius_m=place.radius_m,
            gpx=None,
            width_m=None,
        )
    for group in groups:
        shoe_note = f" --shoe {group.shoe}" if group.shoe else ""
        click.secho(f"\n$ runwear import {group.folder}/{shoe_note}", bold=True)
        _invoke(ctx, import_, paths=(folder / "files" / group.folder,), shoe_name=group.shoe)
    for days_ago, level, note in PAIN:
        day = date.today() - timedelta(days=days_ago)
        click.secho(f'\n$ runwear pain add {day} --level {level} --note "{note}"', bold=True)
        _invoke(ctx, pain_add, day=day, level=level, location="lower-back", note=note)
    click.secho("\n$ runwear shoes", bold=True)
    ctx.invoke(shoes_list)
    click.secho("\n$ runwear surfaces --since 28d", bold=True)
    ctx.invoke(surfaces, since=datetime.now(timezone.utc) - timedelta(days=28))
    click.secho("\n$ runwear load --weeks 4", bold=True)
    ctx.invoke(load, weeks=4)
    click.secho("\n$ runwear check", bold=True)
    _invoke(ctx, check)
    click.secho("\n$ runwear pain why", bold=True)
    _invoke(ctx, pain_why, pain_id=None, all_=False, json_=False, csv_=False)
    click.echo(
        f"\nExplore the sample: runwear --db {db_path} activities   (or surfaces --by shoe, "
        "load, shoes --json)"
    )
    page = folder / "runwear-report.html"
    click.secho(f"\n$ runwear report --out {page}", bold=True)
    click.echo(f"Open the report in your browser: {write_report(demo_app, str(page))}")


def _invoke(ctx: click.Context, command: click.Command, **params: object) -> None:
    """Run another command in this context, carrying on past its exit code."""
    with contextlib.suppress(SystemExit):
        ctx.invoke(command, **params)
