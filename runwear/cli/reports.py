"""Reports: `runwear surfaces` (the surface mix) and `runwear check` (the warnings)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, bar, emit, format_table, output_options
from runwear.cli.params import MOMENT, shoe_by_name
from runwear.monitor.checks import run_checks
from runwear.monitor.findings import is_problem
from runwear.monitor.surfaces import surface_mix
from runwear.units import to_unit

SEVERITY_MARK = {"alert": "ALERT", "warn": "WARN ", "info": "info "}


@cli.command("surfaces")
@click.option(
    "--since", type=MOMENT, help="From this date (YYYY-MM-DD) or span (28d); default all."
)
@click.option("--until", type=MOMENT, help="Before this date.")
@click.option("--shoe", "shoe_name", help="Only runs in this shoe.")
@output_options
@pass_app
def surfaces(
    app: App,
    since: datetime | None,
    until: datetime | None,
    shoe_name: str | None,
    json_: bool,
    csv_: bool,
) -> None:
    """Show how your running distance splits over surfaces.

    \b
    runwear surfaces
    runwear surfaces --since 28d
    runwear surfaces --shoe Pegasus --json
    """
    shoe_id = shoe_by_name(app.db, shoe_name)["id"] if shoe_name else None
    mix = surface_mix(app.db, since, until, shoe_id)
    records = [
        {
            "surface": s.surface,
            "distance_km": round(s.distance_m / 1000, 2),
            "runs": s.runs,
            "share": round(s.share, 4),
        }
        for s in mix
    ]
    unit = app.settings.units

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                r["surface"],
                f"{to_unit(r['distance_km'] * 1000, unit):,.1f}",
                r["runs"],
                f"{r['share']:.0%}",
                bar(r["share"]),
            ]
            for r in rows
        ]
        return format_table(["surface", unit, "runs", "share", ""], body, right={1, 2, 3})

    emit(records, json_, csv_, table, "No runs in that period.")


@cli.command("check")
@click.option("--as-of", type=MOMENT, help="Check as on this date instead of now.")
@click.option("--json", "json_", is_flag=True, help="Output JSON.")
@pass_app
def check(app: App, as_of: datetime | None, json_: bool) -> None:
    """Warn about worn shoes, concrete, training load and untagged runs (exit 1 on warn/alert).

    \b
    runwear check
    runwear check --json
    """
    findings = run_checks(app.db, app.settings, as_of)
    if json_:
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2))
    elif findings:
        for f in findings:
            click.echo(f"{SEVERITY_MARK[f.severity]}  {f.kind}: {f.message}")
    else:
        click.echo(
            "All clear: no worn shoes, concrete within limits, load steady, every run tagged."
        )
    if is_problem(findings):
        sys.exit(1)
