"""Commands for shoes: `runwear shoe add|edit|rename|retire|unretire|remove` and `runwear shoes`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import (
    Record,
    bar,
    emit,
    format_table,
    output_options,
    printable,
    styled,
)
from runwear.cli.params import (
    DAY,
    LIMIT,
    MOMENT,
    MONTHS,
    NEW_SHOE,
    PRICE,
    SHOE,
    START,
    SUB_SPORTS,
    SURFACE,
    shoe_by_name,
)
from runwear.monitor.load import shoe_forecasts
from runwear.monitor.mileage import shoe_wear
from runwear.store import shoes as store
from runwear.units import format_distance, to_unit


def shoe_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options `shoe add` and `shoe edit` share."""
    options = [
        click.option("--brand", help="Maker, e.g. Nike."),
        click.option("--model", help="Model, e.g. Pegasus 41."),
        click.option(
            "--limit", "limit_m", type=LIMIT, help="Retire at this distance: 700km, 450mi."
        ),
        click.option(
            "--start-distance",
            "start_m",
            type=START,
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
        click.option("--price", type=PRICE, help="What the pair cost (for cost per km): 140."),
        click.option(
            "--max-age",
            "max_age_months",
            type=MONTHS,
            help="Warn when older than this (12mo, 1y; none: the setting shoe_max_age_months).",
        ),
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
    if given["price"] is not None:
        fields["price"] = given["price"]
    if given["max_age_months"] is not None:
        fields["max_age_months"] = given["max_age_months"] or None
    if given["start_m"] is not None:
        fields["start_distance_m"] = given["start_m"]
    if given["purchased"] is not None:
        if given["purchased"] > date.today():
            raise click.BadParameter(
                f"{given['purchased']} is in the future", param_hint="'--purchased'"
            )
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
@click.argument("name", type=NEW_SHOE)
@shoe_options
@pass_app
def shoe_add(app: App, name: str, **options: Any) -> None:
    """Add a shoe to track.

    \b
    runwear shoe add Pegasus --brand Nike --model "Pegasus 41" --limit 700km --default
    runwear shoe add Speedgoat --default-for trail --surface trail --start-distance 120km
    """
    clash = store.find_shoe(app.db, name)
    if clash:
        raise click.BadParameter(
            f"a shoe named {printable(clash['name'])!r} exists already", param_hint="NAME"
        )
    fields = _fields(**options)
    before = _defaults(app)
    store.add_shoe(app.db, name, **fields)
    click.echo(f"Added shoe {name}.")
    _say_default_change(app, before)


@shoe.command("edit")
@click.argument("name", type=SHOE)
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
    from runwear.cli.resplitting import split_after  # here: `shoes` needs no splitting
    from runwear.store.surfaces import runs_of_shoe

    found = shoe_by_name(app.db, name, "NAME")
    fields = _fields(**options)
    if not fields:
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    before = _defaults(app)
    extra = ""
    with split_after(app.db, f"shoe edit {found['name']}") as todo:
        store.update_shoe(app.db, found["id"], **fields)
        if "surface" in fields and fields["surface"] != found["surface"]:
            todo.add(runs_of_shoe(app.db, found["id"]))
    if todo.ids:
        done = todo.result
        extra = f" Its runs split again: {done.changed} of {done.runs} changed."
    click.echo(f"Updated shoe {found['name']}.{extra}")
    _say_default_change(app, before)


def _defaults(app: App) -> dict[str | None, int | None]:
    """The general default shoe's id (key None) and each sub-sport's own default's."""
    return {kind: store.default_shoe_id(app.db, kind) for kind in (None, *SUB_SPORTS)}


def _say_default_change(app: App, before: dict[str | None, int | None]) -> None:
    """After a change of defaults: how many stored runs the old defaults tagged, and the fix."""
    after = _defaults(app)
    changed = [kind for kind in before if before[kind] != after[kind]]
    if not changed:
        return
    runs = store.runs_tagged_by_default(app.db)
    if runs:
        click.echo(
            f"{runs} stored run(s) got their shoe from a default before this change; "
            "`runwear retag --defaults` gives them today's defaults (runs tagged by hand, "
            "by a rule or by an export are never touched)."
        )


@shoe.command("rename")
@click.argument("old", type=SHOE)
@click.argument("new", type=NEW_SHOE)
@pass_app
def shoe_rename(app: App, old: str, new: str) -> None:
    """Rename a shoe; its runs stay with it."""
    found = shoe_by_name(app.db, old, "OLD")
    clash = store.find_shoe(app.db, new)
    if clash and clash["id"] != found["id"]:
        raise click.BadParameter(f"a shoe named {new!r} exists already", param_hint="NEW")
    store.update_shoe(app.db, found["id"], name=new)
    click.echo(f"Renamed {found['name']} to {new}.")


@shoe.command("retire")
@click.argument("name", type=SHOE)
@click.option("--on", "retired_on", type=DAY, help="Retirement date (default today).")
@pass_app
def shoe_retire(app: App, name: str, retired_on: date | None) -> None:
    """Retire a shoe: it leaves `shoes` and `check`, and stops being a default.

    \b
    runwear shoe retire Pegasus
    runwear shoe retire Pegasus --on 2026-05-31
    """
    found = shoe_by_name(app.db, name, "NAME")
    if found["retired_on"]:
        raise click.ClickException(
            f"{found['name']} is retired already (since {found['retired_on']}). "
            "`runwear shoe unretire` brings it back"
        )
    if retired_on and retired_on > date.today():
        raise click.BadParameter(f"{retired_on} is in the future", param_hint="'--on'")
    before = _defaults(app)
    store.set_retired(app.db, found["id"], retired_on or date.today())
    click.echo(f"Retired {found['name']}. `runwear shoes --all` still lists it.")
    after = _defaults(app)
    for kind in before:
        if before[kind] == found["id"]:
            click.echo(_default_now(app, kind, after[kind] or after[None]))


def _default_now(app: App, kind: str | None, shoe_id: int | None) -> str:
    """What new runs of `kind` (None: any) get now that their default shoe retired."""
    runs = f"new {kind} runs" if kind else "new runs"
    if shoe_id is None:
        return (
            f"It was the default shoe: {runs} now get no shoe "
            "(choose another: runwear shoe edit NAME --default)."
        )
    name = app.db["shoes"].get(shoe_id)["name"]
    return f"It was the default shoe for {kind} runs: {runs} now get {name}."


@shoe.command("unretire")
@click.argument("name", type=SHOE)
@pass_app
def shoe_unretire(app: App, name: str) -> None:
    """Bring a retired shoe back into use."""
    found = shoe_by_name(app.db, name, "NAME")
    store.set_retired(app.db, found["id"], None)
    click.echo(f"{found['name']} is back in use.")


@shoe.command("remove")
@click.argument("name", type=SHOE)
@click.option("--force", is_flag=True, help="Remove even if runs use it (they become untagged).")
@pass_app
def shoe_remove(app: App, name: str, force: bool) -> None:
    """Delete a shoe (refused while runs use it, unless --force)."""
    from runwear.cli.resplitting import split_after
    from runwear.store.places import rules_using_shoe
    from runwear.store.surfaces import runs_of_shoe

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
    remembered = found["external_id"] or store.has_platform_ids(app.db, found["id"])
    with split_after(app.db, f"shoe remove {found['name']}") as todo:
        untagged = store.remove_shoe(app.db, found["id"])
        todo.add(ids)  # stretches on its usual surface are unknown now
    extra = f"; {untagged} run(s) untagged" if untagged else ""
    note = " Re-importing its export will not bring it back." if remembered else ""
    click.echo(f"Removed {found['name']}{extra}.{note}")


SHOE_FIELDS = (
    "name",
    "brand",
    "model",
    "distance_km",
    "limit_km",
    "used_pct",
    "runs",
    "last_run",
    "status",
    "price",
    "cost_per_km",
    "limit_on",
)
STATUS_COLOURS = {"nearing": "yellow", "retire": "red"}


@cli.command("shoes")
@click.option("--all", "include_retired", is_flag=True, help="Include retired shoes.")
@click.option("--as-of", type=MOMENT, help="Distances and status as on this date.")
@output_options
@pass_app
def shoes_list(
    app: App, include_retired: bool, as_of: datetime | None, json_: bool, csv_: bool
) -> None:
    """List shoes with their distance, limit, wear, status, and the date each reaches its limit.

    The table fits 80 columns; --json and --csv add brand, model, runs, price and cost per km.

    `limit on` is when an active shoe reaches its limit at its last 8 weeks' rate
    (or the day it did). NEARING and RETIRE are in colour on a terminal (not with NO_COLOR).

    \b
    runwear shoes
    runwear shoes --all --json
    runwear shoes --as-of 2026-03-01 --units mi
    """
    settings = app.settings
    db = app.read_db
    moment = as_of or datetime.now(timezone.utc)
    limit_on = {f.shoe_id: f.limit_on for f in shoe_forecasts(db, settings, moment)}
    prices = {row["id"]: row["price"] for row in db.query("select id, price from shoes")}
    wear = shoe_wear(db, settings, include_retired, as_of)
    records = [
        {
            "name": s.name,
            "brand": s.brand,
            "model": s.model,
            "distance_km": km(s.distance_m),
            "limit_km": km(s.limit_m),
            "used_pct": round(s.used_share * 100, 1),
            "runs": s.runs,
            "last_run": s.last_run,
            "status": s.status(settings),
            "price": prices.get(s.id),
            "cost_per_km": cost_per_km(prices.get(s.id), s.distance_m),
            "limit_on": limit_on[s.id].isoformat() if limit_on.get(s.id) else None,
        }
        for s in wear
    ]
    distance_of = {s.name: s.distance_m for s in wear}
    unit = settings.units

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                shortened(r["name"], NAME_WIDTH),
                format_distance(distance_of[r["name"]], unit).removesuffix(f" {unit}"),
                f"{to_unit(r['limit_km'] * 1000, unit):,.0f}",
                f"{bar(r['used_pct'] / 100, WEAR_BAR_WIDTH)} {r['used_pct']:3.0f}%",
                (r["last_run"] or "")[:10],
                r["status"].upper() if r["status"] in STATUS_COLOURS else r["status"],
                r["limit_on"] or "-",
            ]
            for r in rows
        ]
        headers = ["shoe", unit, "limit", "wear", "last run", "status", "limit on"]
        lines = format_table(headers, body, right={1, 2}).split("\n")
        return "\n".join(
            lines[:2] + [_coloured(line, r) for line, r in zip(lines[2:], rows, strict=True)]
        )

    empty = "No shoes yet. Add one: runwear shoe add Pegasus --limit 700km --default"
    emit(records, json_, csv_, table, empty, SHOE_FIELDS)


WEAR_BAR_WIDTH = 8
NAME_WIDTH = 16  # the table fits 80 columns; --json and --csv give the whole name


def shortened(text: str, width: int) -> str:
    """`text` cut to `width` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _coloured(line: str, record: Record) -> str:
    """A table line whose NEARING / RETIRE status stands out in colour on a terminal."""
    colour = STATUS_COLOURS.get(record["status"])
    if colour is None:
        return line
    word = record["status"].upper()
    head, sep, tail = line.rpartition(f" {word} ")
    return f"{head} {styled(word, fg=colour, bold=True)} {tail}" if sep else line


def km(distance_m: float) -> float:
    """Kilometres for JSON and CSV: one rounding (2 decimals) for every command."""
    return round(distance_m / 1000, 2)


def cost_per_km(price: float | None, distance_m: float) -> float | None:
    """What each km has cost so far (None without a price or a distance)."""
    if price is None or distance_m <= 0:
        return None
    return round(price / (distance_m / 1000), 3)
