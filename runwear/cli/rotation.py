"""`runwear next` (which pair to wear today) and `runwear untagged` (runs with no shoe)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

import click

from runwear.cli.activities import ACTIVITY_FIELDS, activity_records, activity_table
from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import emit, output_options, printable, units_option
from runwear.cli.params import DISTANCE, NO_RUNS_YET, stored_runs
from runwear.monitor.rotation import KINDS, REST_H, Suggestion, suggest_shoe
from runwear.units import format_distance


@cli.command("next")
@click.option("--kind", type=click.Choice(KINDS), help="The run you are going for.")
@click.option("--km", "distance_m", type=DISTANCE, default=0.0, help="How far: 12 (km), 8mi.")
@click.option("--json", "json_", is_flag=True, help="Output JSON.")
@units_option
@pass_app
def next_shoe(app: App, kind: str | None, distance_m: float, json_: bool) -> None:
    """Suggest the pair to wear today: fit for the run, under its limit, rested longest.

    Rotating pairs was linked to ~39% fewer running injuries (Malisoux 2015); 48 hours
    between runs in one pair lets its midsole recover.

    \b
    runwear next
    runwear next --kind trail --km 12
    """
    found = suggest_shoe(app.db, app.settings, datetime.now(timezone.utc), kind, distance_m)
    if found is None:
        raise click.ClickException(
            "no active pair has distance left for that run. Add one: runwear shoe add NAME"
        )
    if json_:
        click.echo(
            json.dumps(
                {
                    "name": found.name,
                    "fits_kind": found.fits,
                    "rested_h": round(found.rested_h, 1) if found.rested_h is not None else None,
                    "left_km": round(found.left_m / 1000, 2),
                    "others": found.others,
                },
                indent=2,
            )
        )
        return
    click.echo(f"Wear {printable(found.name)}: {_why(found, kind, app.settings.units)}")


def _why(s: Suggestion, kind: str | None, unit: str) -> str:
    """One line of why: fit, rest, distance left, rotation."""
    parts = []
    if kind:
        parts.append(f"made for {kind} runs" if s.fits else f"no pair is set for {kind} runs")
    if s.rested_h is None:
        parts.append("not run in yet")
    else:
        days = s.rested_h / 24
        rest = f"{days:.0f} days" if days >= 2 else f"{s.rested_h:.0f} h"
        short = "" if s.rested_h >= REST_H else f", under the {REST_H:.0f} h a pair needs"
        parts.append(f"rested {rest}{short}")
    parts.append(f"{format_distance(s.left_m, unit)} left of {format_distance(s.limit_m, unit, 0)}")
    text = ", ".join(parts) + "."
    if s.others == 0:
        text += " A second pair to rotate with was linked to ~39% fewer injuries."
    return text


@cli.command("untagged")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (newest first).")
@output_options
@pass_app
def untagged(app: App, limit: int | None, json_: bool, csv_: bool) -> None:
    """List runs with no shoe, newest first, with their ids for `runwear tag`.

    \b
    runwear untagged
    runwear tag 41 42 --shoe Pegasus
    """
    sql = (
        "select id from activities where sport = 'running' and shoe_id is null "
        "order by started_at desc, id desc"
    )
    ids = [r[0] for r in app.db.execute(sql + (f" limit {int(limit)}" if limit else ""))]
    records = activity_records(app.db, ids)
    unit = app.settings.units

    def table(recs: Sequence[dict]) -> str:
        return activity_table(recs, unit) + (
            "\n\nTag them: runwear tag ID... --shoe NAME (or --last for the newest)."
        )

    empty = "Every run has a shoe." if stored_runs(app.db) else NO_RUNS_YET
    emit(records, json_, csv_, table, empty, ACTIVITY_FIELDS)
