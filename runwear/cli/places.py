"""Where surfaces come from: `runwear place`, `runwear rule` and `runwear retag`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.cli.params import (
    LATLON,
    METRES,
    MOMENT,
    PLACE,
    SHOE,
    SPORT,
    SUB_SPORTS,
    SURFACE,
    shoe_by_name,
)
from runwear.cli.resplitting import split_after
from runwear.geo import path_length_m
from runwear.ingest.model import IngestError
from runwear.store import places as store
from runwear.store.activities import iso_utc
from runwear.store.shoes import retag_defaults
from runwear.store.surfaces import Resplit, runs_since
from runwear.surfacing.geometry import Circle, Corridor, simplify
from runwear.surfacing.rules import WEEKDAYS, describe
from runwear.units import format_distance

DEFAULT_WIDTH_M = 20.0
SIMPLIFY_M = 1.0  # a corridor's route keeps its shape to within this (or a tenth of its width)
MAX_ROUTE_BYTES = 50 * 1024 * 1024


def place_by_name(app: App, name: str, param_hint: str = "NAME") -> dict[str, Any]:
    """The place called `name`, or a usage error that lists the places there are."""
    found = store.find_place(app.db, name)
    if found is None:
        names = store.place_names(app.db)
        known = (
            f"Places: {', '.join(names)}"
            if names
            else "No places yet: add one with `runwear place add NAME`"
        )
        raise click.BadParameter(f"no place named {name!r}. {known}", param_hint=param_hint)
    return found


def _resplit_note(done: Resplit) -> str:
    """ " 3 of 12 runs near it changed." for the output of a change."""
    if not done.runs:
        return " No stored run passes near it."
    return f" Runs near it split again: {done.changed} of {done.runs} changed."


def _shape(
    center: tuple[float, float] | None,
    radius_m: float | None,
    gpx: Path | None,
    width_m: float | None,
) -> Circle | Corridor:
    """The shape the options describe: a circle, or a corridor along the GPX file's route."""
    if gpx is not None:
        from runwear.ingest.routes import read_route  # gpxpy: only for corridors

        try:
            size = gpx.stat().st_size
            if size > MAX_ROUTE_BYTES:
                raise click.ClickException(
                    f"cannot use the route ({gpx}): the file is over 50 MB. Pass a smaller GPX"
                )
            points = read_route(gpx.read_bytes())
        except OSError as exc:
            raise click.ClickException(
                f"cannot read the route ({gpx}): {exc.strerror}. Check the path"
            ) from exc
        except IngestError as exc:
            raise click.ClickException(f"cannot use the route ({gpx}): {exc}") from exc
        width = width_m or DEFAULT_WIDTH_M
        points = simplify(points, min(SIMPLIFY_M, width / 10))
        if len(points) < 2 or path_length_m(points) == 0:
            raise click.ClickException(
                f"cannot use the route ({gpx}): it has a single position. "
                "Use --center LAT,LON --radius for a place around one point"
            )
        return Corridor(tuple(points), width)
    assert center is not None and radius_m is not None
    return Circle(center[0], center[1], radius_m)


def _describe_shape(row: dict[str, Any], unit: str) -> str:
    """ "circle of 250 m at 51.50070,-0.12460" or "corridor 2.1 km long, 20 m wide"."""
    if row["kind"] == "circle":
        return (
            f"circle of {row['radius_m']:,.0f} m at {row['center_lat']:.5f},{row['center_lon']:.5f}"
        )
    shape = store.shape_of(row)
    assert isinstance(shape, Corridor)
    return f"corridor {format_distance(shape.length_m, unit)} long, {row['width_m']:,.0f} m wide"


# -- places ----------------------------------------------------------------------------------


@cli.group()
def place() -> None:
    """Add, change, list or remove the places whose surface you know."""


def shape_options(func: Any) -> Any:
    """The options `place add` and `place edit` share."""
    options = [
        click.option("--surface", type=SURFACE, help="The surface underfoot there."),
        click.option("--center", type=LATLON, help="A circle's centre: LAT,LON in degrees."),
        click.option(
            "--radius", "radius_m", type=METRES, help="A circle's radius: 250m, 0.4km (m)."
        ),
        click.option(
            "--gpx",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A corridor along this GPX file's track or route.",
        ),
        click.option(
            "--width",
            "width_m",
            type=METRES,
            help=f"A corridor's full width (default {DEFAULT_WIDTH_M:.0f}m).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@place.command("add")
@click.argument("name")
@shape_options
@pass_app
def place_add(
    app: App,
    name: str,
    surface: str | None,
    center: tuple[float, float] | None,
    radius_m: float | None,
    gpx: Path | None,
    width_m: float | None,
) -> None:
    """Add a place: a circle (a stadium, a park) or a corridor along a route (a riverside path).

    Stretches of runs inside a place take its surface, ahead of OpenStreetMap and the shoe's
    usual surface; where places overlap, the smallest wins. Stored runs that pass near it are
    split again at once.

    \b
    runwear place add Stadium --surface track --center 51.5560,-0.2795 --radius 120m
    runwear place add "Regent's Park" --surface grass --center 51.5313,-0.1570 --radius 600m
    runwear place add Towpath --surface gravel --gpx towpath.gpx --width 15m
    """
    name = name.strip()
    if not name:
        raise click.BadParameter("a place needs a name", param_hint="NAME")
    if store.find_place(app.db, name):
        raise click.BadParameter(f"a place named {name!r} exists already", param_hint="NAME")
    if surface is None:
        raise click.UsageError("say the place's surface: --surface SURFACE")
    if (center is None) == (gpx is None):
        raise click.UsageError(
            "say where the place is: --center LAT,LON --radius 250m, or --gpx FILE [--width 20m]"
        )
    if center is not None and radius_m is None:
        raise click.UsageError("a circle needs --radius (250m, 0.4km)")
    if center is not None and width_m is not None:
        raise click.UsageError("--width goes with --gpx; a circle takes --radius")
    if gpx is not None and radius_m is not None:
        raise click.UsageError("--radius goes with --center; a corridor takes --width")
    shape = _shape(center, radius_m, gpx, width_m)
    with split_after(app.db, f"place add {name}") as todo:
        place_id = store.add_place(app.db, name, surface, shape)
        todo.add_area(app.db, [shape.bbox])
    row = app.db["places"].get(place_id)
    click.echo(
        f"Added place {name}: {surface}, {_describe_shape(row, app.settings.units)}."
        + _resplit_note(todo.result)
    )


@place.command("edit")
@click.argument("name", type=PLACE)
@click.option("--name", "new_name", help="A new name.")
@shape_options
@pass_app
def place_edit(
    app: App,
    name: str,
    new_name: str | None,
    surface: str | None,
    center: tuple[float, float] | None,
    radius_m: float | None,
    gpx: Path | None,
    width_m: float | None,
) -> None:
    """Change a place's name, surface or shape; stored runs near it are split again.

    \b
    runwear place edit Stadium --radius 150m
    runwear place edit Towpath --surface trail
    runwear place edit Towpath --gpx towpath-extended.gpx
    """
    found = place_by_name(app, name)
    if all(v is None for v in (new_name, surface, center, radius_m, gpx, width_m)):
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    if new_name is not None:
        new_name = new_name.strip()
        clash = store.find_place(app.db, new_name)
        if not new_name or (clash and clash["id"] != found["id"]):
            raise click.BadParameter(
                f"a place named {new_name!r} exists already", param_hint="'--name'"
            )
    if center is not None and gpx is not None:
        raise click.UsageError("choose one shape: --center LAT,LON --radius, or --gpx FILE")
    old_shape = store.shape_of(found)
    shape: Circle | Corridor | None = None
    if gpx is not None:
        if radius_m is not None:
            raise click.UsageError("--radius goes with a circle; a corridor takes --width")
        shape = _shape(None, None, gpx, width_m or getattr(old_shape, "width_m", None))
    elif center is not None or radius_m is not None:
        if width_m is not None:
            raise click.UsageError("--width goes with a corridor; a circle takes --radius")
        if center is None and not isinstance(old_shape, Circle):
            raise click.UsageError(f"{found['name']} is a corridor: give --center for a circle")
        if radius_m is None and not isinstance(old_shape, Circle):
            raise click.UsageError("a circle needs --radius (250m, 0.4km)")
        center = center or (old_shape.center_lat, old_shape.center_lon)  # type: ignore[union-attr]
        shape = Circle(center[0], center[1], radius_m or old_shape.radius_m)  # type: ignore[union-attr]
    elif width_m is not None:
        if not isinstance(old_shape, Corridor):
            raise click.UsageError(f"{found['name']} is a circle: change it with --radius")
        shape = Corridor(old_shape.points, width_m)
    with split_after(app.db, f"place edit {found['name']}") as todo:
        store.update_place(app.db, found["id"], name=new_name, surface=surface, shape=shape)
        todo.add_area(app.db, [old_shape.bbox, shape.bbox if shape else None])
    row = app.db["places"].get(found["id"])
    click.echo(
        f"Updated place {row['name']}: {row['surface']}, "
        f"{_describe_shape(row, app.settings.units)}." + _resplit_note(todo.result)
    )


@place.command("remove")
@click.argument("name", type=PLACE)
@pass_app
def place_remove(app: App, name: str) -> None:
    """Delete a place; stored runs near it are split again without it."""
    found = place_by_name(app, name)
    rules = store.rules_using_place(app.db, found["id"])
    if rules:
        listed = ", ".join(map(str, rules))
        raise click.ClickException(
            f"{found['name']} is where rule {listed} look{'s' if len(rules) == 1 else ''} for "
            f"runs to start. Remove {'it' if len(rules) == 1 else 'them'} first: "
            f"runwear rule remove {rules[0]}"
        )
    with split_after(app.db, f"place remove {found['name']}") as todo:
        store.remove_place(app.db, found["id"])
        todo.add_area(app.db, [store.box_of(found)])
    click.echo(f"Removed place {found['name']}." + _resplit_note(todo.result))


@place.command("list")
@output_options
@pass_app
def place_list(app: App, json_: bool, csv_: bool) -> None:
    """List your places.

    \b
    runwear place list
    runwear place list --json
    """
    records = []
    for row in store.place_rows(app.db):
        shape = store.shape_of(row)
        records.append(
            {
                "name": row["name"],
                "surface": row["surface"],
                "kind": row["kind"],
                "center_lat": row["center_lat"],
                "center_lon": row["center_lon"],
                "radius_m": row["radius_m"],
                "width_m": row["width_m"],
                "length_m": round(shape.length_m, 1) if isinstance(shape, Corridor) else None,
                "points": len(shape.points) if isinstance(shape, Corridor) else None,
                "created_at": row["created_at"],
            }
        )
    unit = app.settings.units

    def table(recs: Sequence[Record]) -> str:
        body = []
        for r in recs:
            if r["kind"] == "circle":
                size = f"r {r['radius_m']:,.0f} m"
                where = f"{r['center_lat']:.5f},{r['center_lon']:.5f}"
            else:
                size = f"{r['width_m']:,.0f} m wide"
                where = f"{format_distance(r['length_m'], unit)}, {r['points']} points"
            body.append([r["name"], r["surface"], r["kind"], size, where])
        return format_table(["place", "surface", "shape", "size", "where"], body)

    emit(
        records,
        json_,
        csv_,
        table,
        "No places yet. Add one: runwear place add Park --surface grass --center LAT,LON "
        "--radius 300m",
    )


# -- rules -----------------------------------------------------------------------------------


@cli.group()
def rule() -> None:
    """Add, list or remove rules that tag shoe and surface on import."""


@rule.command("add")
@click.option("--sport", type=SPORT, help="Runs of this sport (FIT name: running, ...).")
@click.option("--sub-sport", type=click.Choice(SUB_SPORTS), help="Runs of this kind.")
@click.option("--name-contains", help="Runs whose name contains this (any letter case).")
@click.option("--weekday", type=click.Choice(WEEKDAYS), help="Runs started on this local day.")
@click.option("--min-km", type=click.FloatRange(min=0), help="Runs of at least this many km.")
@click.option("--max-km", type=click.FloatRange(min=0), help="Runs of at most this many km.")
@click.option("--starts-in", "place_name", type=PLACE, help="Runs that start inside this place.")
@click.option("--shoe", "shoe_name", type=SHOE, help="Tag matching runs with this shoe.")
@click.option("--surface", type=SURFACE, help="Tag matching runs (whole) with this surface.")
@click.option(
    "--position",
    type=click.IntRange(min=1),
    help="Put the rule at this place in the order (1 = first; default last).",
)
@pass_app
def rule_add(
    app: App,
    sport: str | None,
    sub_sport: str | None,
    name_contains: str | None,
    weekday: str | None,
    min_km: float | None,
    max_km: float | None,
    place_name: str | None,
    shoe_name: str | None,
    surface: str | None,
    position: int | None,
) -> None:
    """Add a rule: runs like these get this shoe and/or surface when imported.

    Rules are tried in order: the first matching rule with a shoe gives the shoe, the first
    with a surface the surface. They win over the default shoe and the shoe's usual surface,
    never over --shoe/--surface or `runwear tag`. A rule's surface covers the whole run; leave
    it out to let places and OpenStreetMap split the run. `runwear retag --rules` applies the
    rules to runs already stored.

    \b
    runwear rule add --sub-sport trail --shoe Speedgoat
    runwear rule add --name-contains parkrun --surface grass
    runwear rule add --weekday tue --starts-in Stadium --surface track --shoe Spikes
    runwear rule add --min-km 25 --shoe Novablast --position 1
    """
    if shoe_name is None and surface is None:
        raise click.UsageError("say what the rule tags: --shoe NAME and/or --surface SURFACE")
    if min_km is not None and max_km is not None and min_km > max_km:
        raise click.BadParameter(
            f"--min-km {min_km:g} is over --max-km {max_km:g}", param_hint="'--min-km'"
        )
    if name_contains is not None and not name_contains.strip():
        raise click.BadParameter("give some text to look for", param_hint="'--name-contains'")
    shoe = shoe_by_name(app.db, shoe_name) if shoe_name else None
    where = place_by_name(app, place_name, "'--starts-in'") if place_name else None
    fields = {
        "sport": sport.strip().lower() if sport else None,
        "sub_sport": sub_sport,
        "name_contains": name_contains.strip() if name_contains else None,
        "weekday": weekday,
        "min_km": min_km,
        "max_km": max_km,
        "starts_in_place_id": where["id"] if where else None,
        "shoe_id": shoe["id"] if shoe else None,
        "surface": surface,
    }
    rule_id = store.add_rule(app.db, fields, position)
    added = next(r for r in store.rule_rows(app.db) if r["id"] == rule_id)
    click.echo(
        f"Added rule {rule_id} (#{added['position']}): {_rule_text(added)} -> {_tags(added)}. "
        "It tags runs imported from now on; `runwear retag --rules` applies it to stored runs."
    )


def _rule_text(row: dict[str, Any]) -> str:
    rule_value = store.rule_from_row(row)
    return describe(rule_value, row["place"])


def _tags(row: dict[str, Any]) -> str:
    """ "shoe Speedgoat, surface trail"."""
    tags = [f"shoe {row['shoe']}"] if row["shoe"] else []
    return ", ".join([*tags, *([f"surface {row['surface']}"] if row["surface"] else [])])


@rule.command("list")
@output_options
@pass_app
def rule_list(app: App, json_: bool, csv_: bool) -> None:
    """List the rules in the order they are tried.

    \b
    runwear rule list
    runwear rule list --json
    """
    records = [
        {
            "position": r["position"],
            "id": r["id"],
            "sport": r["sport"],
            "sub_sport": r["sub_sport"],
            "name_contains": r["name_contains"],
            "weekday": r["weekday"],
            "min_km": r["min_km"],
            "max_km": r["max_km"],
            "starts_in": r["place"],
            "shoe": r["shoe"],
            "surface": r["surface"],
            "when": _rule_text(r),
        }
        for r in store.rule_rows(app.db)
    ]

    def table(recs: Sequence[Record]) -> str:
        body = [
            [r["position"], r["id"], r["when"], r["shoe"] or "-", r["surface"] or "-"] for r in recs
        ]
        return format_table(["#", "id", "runs", "shoe", "surface"], body, right={0, 1})

    emit(
        records,
        json_,
        csv_,
        table,
        "No rules yet. Add one: runwear rule add --sub-sport trail --shoe Speedgoat",
    )


@rule.command("remove")
@click.argument("rule_id", type=int)
@pass_app
def rule_remove(app: App, rule_id: int) -> None:
    """Delete a rule; runs it tagged keep their tags until `runwear retag --rules`."""
    if not store.remove_rule(app.db, rule_id):
        ids = [str(r["id"]) for r in store.rule_rows(app.db)]
        known = f"Rules: {', '.join(ids)}" if ids else "There are no rules"
        raise click.BadParameter(f"no rule with id {rule_id}. {known}", param_hint="RULE_ID")
    click.echo(
        f"Removed rule {rule_id}. Runs it tagged keep their tags: `runwear retag --rules` "
        "applies the remaining rules to them."
    )


@cli.command("retag")
@click.option("--rules", "use_rules", is_flag=True, help="Apply the rules (`runwear rule list`).")
@click.option(
    "--defaults",
    "use_defaults",
    is_flag=True,
    help="Give runs tagged by a default shoe today's default shoe.",
)
@click.option("--since", type=MOMENT, help="Only runs from this date (YYYY-MM-DD) or span (8w).")
@pass_app
def retag(app: App, use_rules: bool, use_defaults: bool, since: datetime | None) -> None:
    """Apply the rules to stored runs, leaving shoes and surfaces tagged by hand alone.

    A rule's shoe replaces a default shoe or another rule's; a rule's surface replaces the
    split by places, OpenStreetMap and the shoe. Runs that a rule tagged and no rule matches
    any more go back to the default shoe and to their split. Shoes from an account export
    stay.

    --defaults moves the runs that got their shoe from a default (never those tagged by
    hand, by a rule or by an export) to today's default for their kind.

    \b
    runwear retag --rules
    runwear retag --rules --since 2026-01-01
    runwear retag --defaults
    """
    if use_defaults:
        if use_rules or since:
            raise click.UsageError("--defaults goes alone")
        with split_after(app.db, "retag --defaults") as todo:
            changed = retag_defaults(app.db)
            todo.add(changed)  # the new shoe's usual surface follows it
        click.echo(f"Retagged {len(changed)} run(s) with today's default shoes.")
        return
    if not use_rules:
        raise click.UsageError("say what to apply: --rules or --defaults")
    with split_after(
        app.db, "retag --rules", label="Applying the rules", rule_shoes=True, rule_surfaces=True
    ) as todo:
        ids = runs_since(app.db, iso_utc(since) if since else None)
        todo.add(ids)
    done = todo.result
    count = len(store.rule_rows(app.db))
    skipped = len(ids) - done.runs
    manual = f"; {skipped} with a surface tagged by hand left alone" if skipped else ""
    click.echo(
        f"Applied {count} rule{'s' if count != 1 else ''} to {len(ids)} run"
        f"{'s' if len(ids) != 1 else ''}: {done.shoes} shoe{'s' if done.shoes != 1 else ''} "
        f"changed, {done.changed} surface split{'s' if done.changed != 1 else ''} changed"
        f"{manual}."
    )
