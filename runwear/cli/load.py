"""`runwear load`: weekly distance, runs, rest days, pace, climb and ramp, in local weeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.charts import load_chart
from runwear.cli.output import Record, bar, emit, format_table, output_options
from runwear.cli.params import MOMENT
from runwear.monitor.load import format_pace, weekly_load
from runwear.units import M_PER_KM, to_unit


@cli.command("load")
@click.option(
    "--weeks",
    type=click.IntRange(min=1, max=520),
    default=12,
    show_default=True,
    help="How many weeks back.",
)
@click.option("--as-of", type=MOMENT, help="Weeks up to this date instead of now.")
@click.option("--chart", is_flag=True, help="Draw the weeks as bars fitted to the terminal.")
@output_options
@pass_app
def load(
    app: App, weeks: int, as_of: datetime | None, json_: bool, csv_: bool, chart: bool = False
) -> None:
    """Show your weekly running load: distance, runs, rest days, pace, climb, ramp.

    Weeks are ISO weeks (Monday to Sunday) in your local time: each run's own UTC
    offset when its file gives one, else the `timezone` setting. The last week is
    the current one, so far: its change and acwr show once it is complete.

    \b
    runwear load
    runwear load --weeks 26 --csv
    runwear load --as-of 2026-06-15 --json
    runwear load --weeks 26 --chart
    """
    settings = app.settings
    figures = weekly_load(app.read_db, settings, as_of or datetime.now(timezone.utc), weeks)
    if not any(w.runs for w in figures):
        figures = []
    records = [
        {
            "week": w.week,
            "week_start": w.week_start.isoformat(),
            "distance_km": round(w.distance_m / M_PER_KM, 2),
            "runs": w.runs,
            "rest_days": w.rest_days,
            "longest_km": round(w.longest_m / M_PER_KM, 2),
            "pace_s_per_km": round(w.pace_s_per_km, 1) if w.pace_s_per_km is not None else None,
            "ascent_m": round(w.ascent_m),
            "hard_share": round(w.hard_share, 4) if w.hard_share is not None else None,
            "change_pct": w.change_pct,
            "acwr": w.acwr,
            "ascent_unknown_runs": w.ascent_unknown_runs,
        }
        for w in figures
    ]
    unit = settings.units
    if chart and records:
        click.echo(load_chart(records, unit))
        return
    most_km = max((r["distance_km"] for r in records), default=0.0)

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                r["week"],
                r["week_start"],
                f"{to_unit(r['distance_km'] * M_PER_KM, unit):.1f}",
                r["runs"],
                r["rest_days"],
                f"{to_unit(r['longest_km'] * M_PER_KM, unit):.1f}",
                format_pace(r["pace_s_per_km"], unit).split(" ")[0],
                f"{r['ascent_m']}{'*' if r['ascent_unknown_runs'] else ''}",
                "-" if r["hard_share"] is None else f"{r['hard_share']:.0%}",
                "-" if r["change_pct"] is None else f"{r['change_pct']:+.1f}%",
                "-" if r["acwr"] is None else f"{r['acwr']:.2f}",
                bar(r["distance_km"] / most_km if most_km else 0.0),
            ]
            for r in rows
        ]
        headers = [
            "week",
            "from",
            unit,
            "runs",
            "rest",
            "longest",
            f"pace /{unit}",
            "climb m",
            "hard",
            "change",
            "acwr",
            "",
        ]
        lines = [format_table(headers, body, right=set(range(2, 11)))]
        current = figures[-1]
        if current.days < 7:
            lines.append(
                f"{current.week} so far: {current.days} of 7 days (change and acwr once it is "
                "complete)."
            )
        if any(r["ascent_unknown_runs"] for r in rows):
            lines.append("* climb unknown for some runs (counted as 0).")
        return "\n".join(lines)

    emit(
        records,
        json_,
        csv_,
        table,
        f"No runs in the last {weeks} weeks. Import some: runwear import PATH...",
    )
