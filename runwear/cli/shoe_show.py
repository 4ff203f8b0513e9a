"""`runwear shoe show NAME`: one shoe's whole story."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import click

from runwear.cli.app import App, pass_app
from runwear.cli.output import bar, printable, units_option
from runwear.cli.params import SHOE, shoe_by_name
from runwear.cli.shoes import km, shoe
from runwear.monitor.shoe_story import ShoeStory, shoe_story
from runwear.store.shoe_identity import aliases_of
from runwear.units import format_distance

MONTH_BAR_WIDTH = 30


@shoe.command("show")
@click.argument("name", type=SHOE)
@click.option("--json", "json_", is_flag=True, help="Output JSON.")
@units_option
@pass_app
def shoe_show(app: App, name: str, json_: bool) -> None:
    """Show a shoe's details, wear, surfaces, runs, forecast and monthly distance.

    \b
    runwear shoe show Pegasus
    runwear shoe show Pegasus --json
    """
    row = shoe_by_name(app.db, name, "NAME")
    settings = app.settings
    story = shoe_story(app.db, settings, row["id"], datetime.now(timezone.utc), row["price"])
    record = _record(row, story, aliases_of(app.db, row["id"]))
    if json_:
        click.echo(json.dumps(record, indent=2))
    else:
        click.echo(_text(record, story, settings.units))


def _record(row: dict[str, Any], story: ShoeStory, aliases: list[str]) -> dict[str, Any]:
    """The JSON shape of `shoe show` (metric, like every --json)."""
    wear = story.wear
    return {
        "name": row["name"],
        "brand": row["brand"],
        "model": row["model"],
        "aliases": aliases,
        "purchased_on": row["purchased_on"],
        "start_distance_km": km(row["start_distance_m"] or 0.0),
        "limit_km": km(wear.limit_m),
        "own_limit": row["limit_m"] is not None,
        "default": bool(row["is_default"]),
        "default_for": row["default_for"],
        "usual_surface": row["surface"],
        "notes": row["notes"],
        "price": row["price"],
        "status": story.status,
        "retired_on": row["retired_on"],
        "distance_km": km(wear.distance_m),
        "used_pct": round(wear.used_share * 100, 1),
        "left_km": km(story.left_m),
        "runs": wear.runs,
        "first_run": story.first_run,
        "last_run": wear.last_run,
        "km_per_week": km(story.rate_m_per_week) if story.rate_m_per_week is not None else None,
        "limit_on": story.limit_on.isoformat() if story.limit_on else None,
        "age_months": story.age_months,
        "cost_per_km": story.cost_per_km,
        "surfaces": [{"surface": s, "distance_km": km(m)} for s, m in story.surfaces],
        "months": [{"month": mo, "distance_km": km(m)} for mo, m in story.months],
    }


def _text(r: dict[str, Any], story: ShoeStory, unit: str) -> str:
    """The readable story: details, figures, surfaces, then a bar per month."""

    def dist(metres: float, decimals: int = 1) -> str:
        return format_distance(metres, unit, decimals)

    wear = story.wear
    model = " ".join(x for x in (r["brand"], r["model"]) if x) or "-"
    default = ", ".join(
        x for x in ("all runs" if r["default"] else "", r["default_for"] or "") if x
    )
    status = r["status"].upper() if r["status"] in ("nearing", "retire") else r["status"]
    if r["retired_on"]:
        status += f" (since {r['retired_on']})"
    rate = f"{dist(story.rate_m_per_week)} a week (last 8 weeks)" if story.rate_m_per_week else "-"
    details = [
        ("model", model),
        ("aliases", ", ".join(r["aliases"]) or "-"),
        ("purchased", r["purchased_on"] or "-"),
        ("age", f"{r['age_months']} months" if r["age_months"] is not None else "-"),
        ("start", dist(r["start_distance_km"] * 1000)),
        ("limit", dist(wear.limit_m, 0) + ("" if r["own_limit"] else " (default)")),
        ("default for", default or "-"),
        ("surface", r["usual_surface"] or "-"),
        ("price", f"{r['price']:g}" if r["price"] is not None else "-"),
        ("status", status),
        ("distance", f"{dist(wear.distance_m)} ({r['used_pct']:.0f}% of its limit)"),
        ("left", dist(story.left_m)),
        ("runs", f"{wear.runs}"),
        ("first run", (r["first_run"] or "-")[:10]),
        ("last run", (r["last_run"] or "-")[:10]),
        ("lately", rate),
        ("limit on", r["limit_on"] or "-"),
        ("cost per km", f"{r['cost_per_km']:.2f}" if r["cost_per_km"] is not None else "-"),
        ("notes", r["notes"] or "-"),
    ]
    lines = [printable(r["name"]), *(f"  {k + ':':<13}{printable(str(v))}" for k, v in details)]
    if story.surfaces:
        total = sum(m for _, m in story.surfaces) or 1.0
        lines.append("  surfaces:")
        lines += [f"    {s:<10}{dist(m):>12}  {m / total:4.0%}" for s, m in story.surfaces]
    if story.months:
        top = max(m for _, m in story.months) or 1.0
        lines.append("  by month:")
        lines += [
            f"    {mo}  {dist(m):>10}  {bar(m / top, MONTH_BAR_WIDTH).rstrip('.')}"
            for mo, m in story.months
        ]
    return "\n".join(lines)
