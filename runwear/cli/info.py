"""`runwear db path` and `runwear info`: which database is in use, its size and counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from runwear.cli.app import App, cli, pass_app

COUNTED = ("shoes", "activities", "places", "rules", "osm_ways")


@cli.group("db")
def db_group() -> None:
    """Where the database is: `runwear db path`."""


@db_group.command("path")
@pass_app
def db_path(app: App) -> None:
    """Print the database file in use (never creates it).

    \b
    runwear db path
    sqlite-utils "$(runwear db path)" "select * from shoe_mileage"
    datasette "$(runwear db path)"
    """
    click.echo(str(app.db_path))


@cli.command("info")
@click.option("--json", "json_", is_flag=True, help="Output JSON.")
@pass_app
def info(app: App, json_: bool) -> None:
    """Show the database in use, its size and what it holds (never creates it).

    \b
    runwear info
    runwear --db other.db info --json
    """
    path = app.db_path
    record: dict[str, object] = {"path": str(path), "exists": path.is_file()}
    if path.is_file():
        record["size_bytes"] = path.stat().st_size
        record.update(_counts(path))
    if json_:
        click.echo(json.dumps(record, indent=2))
        return
    click.echo(f"Database: {path}")
    if not path.is_file():
        click.echo("Not created yet: the first command that stores something creates it.")
        return
    click.echo(f"Size: {record['size_bytes'] / 1_000_000:,.1f} MB")
    for table in COUNTED:
        if table in record:
            click.echo(f"{table.replace('_', ' ').capitalize()}: {record[table]:,}")


def _counts(path: Path) -> dict[str, int]:
    """Rows in runwear's main tables, read only (tables a database lacks are left out)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot read {path} ({exc})") from exc
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        return {
            t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
            for t in COUNTED
            if t in names
        }
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot read {path} ({exc})") from exc
    finally:
        conn.close()
