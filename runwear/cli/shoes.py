"""Commands for shoes: `runwear shoe add|edit|rename|retire|unretire|remove` and `runwear shoes`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.cli.params import DAY, DISTANCE, SUB_SPORTS, SURFACE, shoe_by_name
from runwear.monitor.load import shoe_forecasts
from runwear.monitor.mileage import shoe_wear
from runwear.store import shoes as store
from runwear.store.places import rules_using_shoe
from runwear.store.surfaces import resplit, runs_of_shoe
from runwear.units import to_unit


def shoe_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options `shoe add` and `shoe edit` share."""
    options = [
        click.option("--brand", help="Maker, e.g. Nike."),
        click.option("--model", help="Model, e.g. Pegasus 41."),
        click.option(
            "--limit", "limit_m", type=DISTANCE, help="Retire at this distance: 700km, 450mi."
        ),
        click.option(
            "--start-distance",
            "start_m",
            type=DISTANCE,
            help="Distance run before tracking: 120km.",
        ),
        click.option("--purchased", type=DAY, help="Purchase date, YYYY-MM-DD."),
        click.option(
            "--default/--not-default",
            "is_default",
            default=None,
            help="Worn for runs with no other rule.",
        ),
        click.option(
            "--default-for",
            type=click.Choice([*SUB_SPORTS, "none"]),
            help="Worn by default for this kind of run (trail, treadmill, ...); none clears it.",
        ),
        click.option("--surface", type=SURFACE, help="Usual surface of runs in this shoe."),
        click.option("--notes", help="Free text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fields(**given: Any) -> dict[str, Any]:
    """shoes columns from the options that were given."""
    fields: dict[str, Any] = {}
    for column, key in (
        ("brand", "brand"),
        ("model", "model"),
        ("notes", "notes"),
        ("surface", "surface"),
    ):
        if given[key] is not None:
            fields[column] = given[key]
    if given["limit_m"] is not None:
        fields["limit_m"] = given["limit_m"]
    if given["start_m"] is not None:
        fields["start_distance_m"] = given["start_m"]
    if given["purchased"] is not None:
        fields["purchased_on"] = given["purchased"].isoformat()
    if given["is_default"] is not None:
        fields["is_default"] = int(given["is_default"])
    if given["default_for"] is not None:
        fields["default_for"] = None if given["default_for"] == "none" else given["default_for"]
    return fields


@cli.group()
def shoe() -> None:
    """Add, edit, rename, retire or remove a shoe."""


@shoe.command("add")
@click.argument("name")
@shoe_options
@pass_app
def shoe_add(app: App, name: str, **options: Any) -> None:
    """Add a shoe to track.

    \b
    runwear shoe add Pegasus --brand Nike --model "Pegasus 41" --limit 700km --default
    runwear shoe add Speedgoat --default-for trail --surface trail --start-distance 120km
    """
    if store.find_shoe(app.db, name):
        raise click.BadParameter(f"a shoe named {name!r} exists already", param_hint="NAME")
    store.add_shoe(app.db, name.strip(), **_fields(**options))
    click.echo(f"Added shoe {name}.")


@shoe.command("edit")
@click.argument("name")
@shoe_options
@pass_app
def shoe_edit(app: App, name: str, **options: Any) -> None:
    """Change a shoe's details.

    A new --surface reaches its runs' stretches that no place or way knows.

    \b
    runwear shoe edit Pegasus --limit 800km
    runwear shoe edit Pegasus --not-default --default-for none
    runwear shoe edit Pegasus --surface asphalt
    """
    found = shoe_by_name(app.db, name, "NAME")
    fields = _fields(**options)
    if not fields:
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    store.update_shoe(app.db, found["id"], **fields)
    extra = ""
    if "surface" in fields and fields["surface"] != found["surface"]:
        done = resplit(app.db, runs_of_shoe(app.db, found["id"]))
        extra = f" Its runs split again: {done.changed} of {done.runs} changed."
    click.echo(f"Updated shoe {found['name']}.{extra}")


@shoe.command("rename")
@click.argument("old")
@click.argument("new")
@pass_app
def shoe_rename(app: App, old: str, new: str) -> None:
    """Rename a shoe; its runs stay with it."""
    found = shoe_by_name(app.db, old, "OLD")
    clash = store.find_shoe(app.db, new)
    if clash and clash["id"] != found["id"]:
        raise click.BadParameter(f"a shoe named {new!r} exists already", param_hint="NEW")
    store.update_shoe(app.db, found["id"], name=new.strip())
    click.echo(f"Renamed {found['name']} to {new}.")


@shoe.command("retire")
@click.argument("name")
@click.option("--on", "retired_on", type=DAY, help="Retirement date (default today).")
@pass_app
def shoe_retire(app: App, name: str, retired_on: date | None) -> None:
    """Retire a shoe: it leaves `shoes` and `check`, and stops being a default."""
    found = shoe_by_name(app.db, name, "NAME")
    store.set_retired(app.db, found["id"], retired_on or date.today())
    click.echo(f"Retired {found['name']}. `runwear shoes --all` still lists it.")


@shoe.command("unretire")
@click.argument("name")
@pass_app
def shoe_unretire(app: App, name: str) -> None:
    """Bring a retired shoe back into use."""
    found = shoe_by_name(app.db, name, "NAME")
    store.set_retired(app.db, found["id"], None)
    click.echo(f"{found['name']} is back in use.")


@shoe.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove even if runs use it (they become untagged).")
@pass_app
def shoe_remove(app: App, name: str, force: bool) -> None:
    """Delete a shoe (refused while runs use it, unless --force)."""
    found = shoe_by_name(app.db, name, "NAME")
    rules = rules_using_shoe(app.db, found["id"])
    if rules:
        listed = ", ".join(map(str, rules))
        raise click.ClickException(
            f"{found['name']} is the shoe of rule {listed}. Remove "
            f"{'it' if len(rules) == 1 else 'them'} first (runwear rule remove {rules[0]}), "
            "or retire the shoe"
        )
    runs = store.runs_with_shoe(app.db, found["id"])
    if runs and not force:
        raise click.ClickException(
            f"{found['name']} is on {runs} run(s). Retire it with `runwear shoe retire`, "
            "or remove it with --force to untag them"
        )
    ids = runs_of_shoe(app.db, found["id"])
    untagged = store.remove_shoe(app.db, found["id"])
    if ids:
        resplit(app.db, ids)  # stretches on its usual surface are unknown now
    extra = f"; {untagged} run(s) untagged" if untagged else ""
    click.echo(f"Removed {found['name']}{extra}.")


@cli.command("shoes")
@click.option("--all", "include_retired", is_flag=True, help="Include retired shoes.")
@output_options
@pass_app
def shoes_list(app: App, include_retired: bool, json_: bool, csv_: bool) -> None:
    """List shoes with their distance, limit, status, and the date each reaches its limit.

    `limit on` is when an active shoe reaches its limit at its last 8 weeks' rate
    (or the day it did).

    \b
    runwear shoes
    runwear shoes --all --json
    """
    settings = app.settings
    limit_on = {
        f.shoe_id: f.limit_on
        for f in shoe_forecasts(app.db, settings, datetime.now(timezone.utc))
        if f.limit_on
    }
    records = [
        {
            "name": s.name,
            "brand": s.brand,
            "model": s.model,
            "distance_km": round(s.distance_m / 1000, 2),
            "limit_km": round(s.limit_m / 1000, 2),
            "used_pct": round(s.used_share * 100, 1),
            "runs": s.runs,
            "last_run": s.last_run,
            "status": s.status(settings),
            "limit_on": limit_on[s.id].isoformat() if s.id in limit_on else None,
        }
        for s in shoe_wear(app.db, settings, include_retired)
    ]
    unit = settings.units

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                r["name"],
                " ".join(x for x in (r["brand"], r["model"]) if x),
                f"{to_unit(r['distance_km'] * 1000, unit):,.1f}",
                f"{to_unit(r['limit_km'] * 1000, unit):,.0f}",
                f"{r['used_pct']:.0f}%",
                r["runs"],
                (r["last_run"] or "")[:10],
                r["status"].upper() if r["status"] in ("retire", "nearing") else r["status"],
                r["limit_on"] or "-",
            ]
            for r in rows
        ]
        headers = [
            "shoe",
            "model",
            unit,
            f"limit {unit}",
            "used",
            "runs",
            "last run",
            "status",
            "limit on",
        ]
        return format_table(headers, body, right={2, 3, 4, 5})

    empty = "No shoes yet. Add one: runwear shoe add Pegasus --limit 700km --default"
    emit(records, json_, csv_, table, empty)
