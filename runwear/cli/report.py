"""`runwear report`: write the one-page HTML report of shoes, load and surfaces."""

from __future__ import annotations

import webbrowser
from datetime import datetime
from pathlib import Path

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.params import MOMENT
from runwear.report.data import build_report
from runwear.report.page import render_page

DEFAULT_OUT = "runwear-report.html"


def write_report(app: App, out: str, weeks: int = 16, as_of: datetime | None = None) -> str:
    """Write the page for `app`'s database to `out` ("-": stdout); return where it went."""
    settings = app.settings
    report = build_report(app.db, settings, app.db_path, as_of, weeks)
    html = render_page(report, settings)
    if out == "-":
        click.echo(html, nl=False)
        return "-"
    path = Path(out)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(
            f"cannot write the report ({path}): {exc.strerror}. Pass another file with --out"
        ) from exc
    return str(path.resolve())


@cli.command("report")
@click.option(
    "--out",
    default=DEFAULT_OUT,
    show_default=True,
    help="HTML file to write; - writes to stdout.",
)
@click.option("--open", "open_", is_flag=True, help="Open the page in your web browser.")
@click.option(
    "--weeks",
    type=click.IntRange(min=1, max=520),
    default=16,
    show_default=True,
    help="Weeks of load and surfaces to show (27 or more: surfaces by month).",
)
@click.option("--as-of", type=MOMENT, help="The page as on this date instead of now.")
@pass_app
def report(app: App, out: str, open_: bool, weeks: int, as_of: datetime | None) -> None:
    """Write one offline HTML page: warnings, shoes, weekly load, surfaces, a map.

    The page loads nothing from the network, prints on A4 and reads on a phone, in
    light and dark mode. It prints the path it wrote.

    \b
    runwear report
    runwear report --open
    runwear report --out season.html --weeks 26
    runwear report --as-of 2026-06-15 --out - > june.html
    """
    where = write_report(app, out, weeks, as_of)
    if where == "-":
        return
    click.echo(where)
    if open_:
        webbrowser.open(Path(where).as_uri())
