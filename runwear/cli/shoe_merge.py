"""`runwear shoe merge` and `runwear shoe alias`: one pair however many platforms know it."""

from __future__ import annotations

import click

from runwear.cli.app import App, pass_app
from runwear.cli.output import printable
from runwear.cli.params import NEW_SHOE, SHOE, shoe_by_name
from runwear.cli.resplitting import split_after
from runwear.cli.shoes import shoe
from runwear.store.shoe_identity import add_aliases, alias_owner, merge_shoes
from runwear.store.shoes import find_shoe
from runwear.store.surfaces import runs_of_shoe
from runwear.units import format_distance


@shoe.command("merge")
@click.argument("keep", type=SHOE)
@click.argument("others", nargs=-1, required=True, type=SHOE)
@click.option("--add-start", is_flag=True, help="Add up the start distances (default: the larger).")
@pass_app
def shoe_merge(app: App, keep: str, others: tuple[str, ...], add_start: bool) -> None:
    """Merge shoes that are one pair into KEEP: runs, platform ids, names (as aliases).

    KEEP takes the larger start distance (the sum with --add-start) and, where it has none,
    the others' limit, retirement, purchase date, brand, model, price and notes. A later
    import of any platform's export tags KEEP and creates nothing.

    \b
    runwear shoe merge Pegasus "Pegasus (2)"
    runwear shoe merge Pegasus "Nike Pegasus 41" "Daily Pegs" --add-start
    """
    kept = shoe_by_name(app.db, keep, "KEEP")
    rows = []
    for name in others:
        row = shoe_by_name(app.db, name, "OTHERS")
        if row["id"] == kept["id"]:
            raise click.BadParameter(f"{printable(name)!r} is KEEP itself", param_hint="OTHERS")
        if row["id"] not in {r["id"] for r in rows}:
            rows.append(row)
    with split_after(app.db, f"shoe merge {kept['name']}") as todo:
        done = merge_shoes(app.db, kept["id"], [r["id"] for r in rows], add_start)
        if done.runs and kept["surface"] is not None:
            todo.add(runs_of_shoe(app.db, kept["id"]))  # KEEP's usual surface reaches them
    unit = app.settings.units
    taken = f"; it took {', '.join(t.replace('_m', '').replace('_', ' ') for t in done.taken)}"
    click.echo(
        f"Merged {', '.join(printable(r['name']) for r in rows)} into "
        f"{printable(kept['name'])}: {done.runs} run(s) moved, start distance "
        f"{format_distance(done.start_distance_m, unit)}{taken if done.taken else ''}."
    )


@shoe.command("alias")
@click.argument("name", type=SHOE)
@click.argument("aliases", nargs=-1, required=True, type=NEW_SHOE)
@pass_app
def shoe_alias(app: App, name: str, aliases: tuple[str, ...]) -> None:
    """Give a shoe other names, as an export's gear may call it.

    An export's shoe whose name is an alias (any case or accents, brand and model prefixes
    aside) tags this shoe and creates nothing.

    \b
    runwear shoe alias Pegasus "Daily Pegs" "Nike Pegasus 41"
    """
    found = shoe_by_name(app.db, name, "NAME")
    for alias in aliases:
        other = find_shoe(app.db, alias)
        owner = alias_owner(app.db, alias)
        if (other and other["id"] != found["id"]) or (owner and owner != found["id"]):
            holder = other["name"] if other else app.db["shoes"].get(owner)["name"]
            raise click.BadParameter(
                f"{printable(alias)!r} already names {printable(holder)}. "
                f"Merge the two: runwear shoe merge {printable(found['name'])!r} "
                f"{printable(holder)!r}",
                param_hint="ALIASES",
            )
    added = add_aliases(app.db, found["id"], list(aliases))
    if not added:
        click.echo(f"{printable(found['name'])} has those names already.")
        return
    click.echo(f"{printable(found['name'])} is also known as {', '.join(map(printable, added))}.")
