"""`runwear activity show ID` and `runwear activity remove ID...`: one run in full, and a way
to take out a run that should not be there."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import printable, units_option
from runwear.monitor.load import format_pace
from runwear.store.removal import activity_detail, remove_activities
from runwear.units import format_clock, format_distance


@cli.group("activity")
def activity() -> None:
    """Look at one stored activity in full, or remove activities imported by mistake."""


@activity.command("show")
@click.argument("activity_id", type=int)
@click.option("--json", "json_", is_flag=True, help="Output JSON.")
@units_option
@pass_app
def activity_show(app: App, activity_id: int, json_: bool) -> None:
    """Show one activity: when, how far, how fast, shoe, surface split and source file.

    \b
    runwear activity show 41
    runwear activity show 41 --json
    """
    found = _found(app, [activity_id])[0]
    if json_:
        click.echo(json.dumps(_record(found), indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(describe(found, app.settings.units)))


@activity.command("remove")
@click.argument("activity_ids", nargs=-1, required=True, type=int)
@click.option("--yes", "-y", is_flag=True, help="Remove without asking.")
@pass_app
def activity_remove(app: App, activity_ids: tuple[int, ...], yes: bool) -> None:
    """Remove activities imported by mistake; shoe and surface totals follow.

    Each is shown first and removing asks for a yes (--yes skips the question). Its file
    stays known, so importing it again does not bring it back; `runwear import --force
    FILE` does.

    \b
    runwear activity remove 41
    runwear activity remove 41 42 --yes
    """
    found = _found(app, list(activity_ids))
    unit = app.settings.units
    for row in found:
        click.echo(_one_line(row, unit))
    count = len(found)
    what = f"{count} activit{'y' if count == 1 else 'ies'}"
    if not yes:
        try:
            sure = click.confirm(f"Remove {what}?", default=False)
        except click.Abort:  # no answer to read (stdin closed or empty)
            sure = False
        if not sure:
            click.echo("Nothing removed (say --yes to remove without asking).")
            raise click.exceptions.Exit(1)
    removed = remove_activities(app.db, [row["id"] for row in found])
    click.echo(
        f"Removed {removed} activit{'y' if removed == 1 else 'ies'}. "
        "Importing them again, from these files or other copies, will not bring them back "
        "(--force would)."
    )


def _found(app: App, activity_ids: list[int]) -> list[dict[str, Any]]:
    """The activities, in the order given; a usage error naming the ids that do not exist."""
    found = {i: activity_detail(app.db, i) for i in dict.fromkeys(activity_ids)}
    missing = sorted(i for i, row in found.items() if row is None)
    if missing:
        raise click.BadParameter(
            f"no activity with id {', '.join(map(str, missing))}. See `runwear activities --all`",
            param_hint="ACTIVITY_ID",
        )
    return [row for row in found.values() if row is not None]


def describe(row: dict[str, Any], unit: str) -> list[str]:
    """The lines of `activity show`."""
    distance_m = row["distance_m"] or 0.0
    lines = [
        f"Activity {row['id']}: {printable(row['name'] or '(no name)')}",
        f"  started    {_started(row)}",
        f"  kind       {row['sport']}" + (f" / {row['sub_sport']}" if row["sub_sport"] else ""),
        f"  distance   {format_distance(distance_m, unit, 2)}",
    ]
    if row["duration_s"]:
        moving = row["moving_s"] or row["duration_s"]
        pace = moving / (distance_m / 1000) if distance_m else None
        lines.append(
            f"  time       {format_clock(row['duration_s'])} (moving {format_clock(moving)})"
        )
        if row["sport"] == "running" and pace:
            lines.append(f"  pace       {format_pace(pace, unit)}")
    if row["ascent_m"] is not None:
        lines.append(f"  climb      {row['ascent_m']:.0f} m")
    if row["cadence_spm"]:
        lines.append(f"  cadence    {row['cadence_spm']:.0f} spm")
    shoe = printable(row["shoe"]) if row["shoe"] else "none"
    lines.append(f"  shoe       {shoe}" + (f" ({row['shoe_source']})" if row["shoe"] else ""))
    lines.append(f"  surface    {row['surface']}" + _source(row["surface_source"]))
    for part in row["parts"]:
        share = part["distance_m"] / distance_m if distance_m else 0.0
        lines.append(
            f"    {part['surface']:<10} {format_distance(part['distance_m'], unit, 2):>10}"
            f"  {share:4.0%}" + _source(part["source"])
        )
    if row["track_points"]:
        lines.append(f"  track      {row['track_points']:,} points")
    origin = printable(row["source_path"]) if row["source_path"] else "an export's figures"
    lines.append(f"  from       {origin} ({row['format']})")
    if row["external_id"]:
        lines.append(f"  export id  {printable(row['external_id'])}")
    if row["device"]:
        lines.append(f"  device     {printable(row['device'])}")
    lines.append(f"  imported   {row['imported_at']}")
    return lines


def _one_line(row: dict[str, Any], unit: str) -> str:
    """ "41  2026-03-01 07:02 UTC  Morning Run  running  10.02 km  Pegasus" """
    return (
        f"{row['id']}  {row['started_at'].replace('T', ' ')[:16]} UTC  "
        f"{printable(row['name'] or '(no name)')}  {row['sport']}  "
        f"{format_distance(row['distance_m'] or 0.0, unit, 2)}  "
        f"{printable(row['shoe']) if row['shoe'] else 'no shoe'}"
    )


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """`activity show --json`: the stored columns, the shoe's name, the source and the parts."""
    return {key: value for key, value in row.items() if key != "source_id"}


def _started(row: dict[str, Any]) -> str:
    """ "2026-03-01 07:02 UTC (08:02 local, UTC+01:00)" """
    started = row["started_at"].replace("T", " ").replace("Z", "")[:16] + " UTC"
    offset_s = row["utc_offset_s"]
    if offset_s is None:
        return started
    local = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00")) + timedelta(
        seconds=offset_s
    )
    sign = "+" if offset_s >= 0 else "-"
    hours, minutes = divmod(abs(offset_s) // 60, 60)
    return f"{started} ({local:%H:%M} local, UTC{sign}{hours:02d}:{minutes:02d})"


def _source(source: str | None) -> str:
    """ " (from a place)" for a surface's source."""
    return f" (by {source})" if source else ""
