"""Reports: `runwear surfaces` (the surface mix) and `runwear check` (the warnings)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.charts import surface_chart
from runwear.cli.output import Record, bar, emit, format_table, output_options, printable
from runwear.cli.params import (
    MOMENT,
    NO_RUNS_YET,
    SHOE,
    check_period,
    nothing_matched,
    shoe_by_name,
)
from runwear.monitor.checks import run_checks
from runwear.monitor.findings import is_problem
from runwear.monitor.surfaces import (
    BY_CHOICES,
    SourceShare,
    SurfaceShare,
    source_mix,
    surface_and_source_mix,
    surface_mix_by,
)
from runwear.units import format_distance, to_unit
from runwear.vocab import HARD_SURFACES, SURFACES

SEVERITY_MARK = {"alert": "ALERT", "warn": "WARN ", "info": "info "}


SOURCE_LABELS = {"shoe": "shoe's usual surface", "export": "export"}


@cli.command("surfaces")
@click.option(
    "--since", type=MOMENT, help="From this date (YYYY-MM-DD) or span (28d); default all."
)
@click.option("--until", type=MOMENT, help="Before this date.")
@click.option("--shoe", "shoe_name", type=SHOE, help="Only runs in this shoe.")
@click.option(
    "--by",
    type=click.Choice(BY_CHOICES),
    help="One row per local week (starting Monday), month or shoe, one column per surface.",
)
@click.option(
    "--sources", is_flag=True, help="Where the surfaces came from, instead of the surfaces."
)
@click.option(
    "--chart", is_flag=True, help="With --by week or month: stacked bars fitted to the terminal."
)
@output_options
@pass_app
def surfaces(
    app: App,
    since: datetime | None,
    until: datetime | None,
    shoe_name: str | None,
    by: str | None,
    sources: bool,
    json_: bool,
    csv_: bool,
    chart: bool = False,
) -> None:
    """Show how your running distance splits over surfaces, and how much of it is known.

    The table ends with how much of the distance has a known surface and where it came
    from: manual tags, rules, the watch (treadmill, track, trail), places, OpenStreetMap,
    the shoe's usual surface. --sources lists that as rows (and as JSON or CSV).

    \b
    runwear surfaces
    runwear surfaces --since 28d
    runwear surfaces --by month --since 2026-01-01
    runwear surfaces --by shoe --json
    runwear surfaces --sources
    runwear surfaces --by week --chart
    """
    if by and sources:
        raise click.UsageError("choose one of --by and --sources")
    check_period(since, until)
    shoe_id = shoe_by_name(app.read_db, shoe_name)["id"] if shoe_name else None
    unit = app.settings.units
    if chart:
        _surfaces_chart(app, by, since, until, shoe_id, unit)
        return
    if by:
        _surfaces_by(app, by, since, until, shoe_id, json_, csv_)
        return
    if sources:
        _sources(app, since, until, shoe_id, json_, csv_)
        return
    mix, by_source = surface_and_source_mix(app.read_db, since, until, shoe_id)
    coverage = _coverage(by_source, unit)
    empty = "" if mix else nothing_matched(app.read_db)
    _emit_shares("surface", [(s.surface, s) for s in mix], unit, json_, csv_, empty, coverage)


def _emit_shares(
    key: str,
    shares: Sequence[tuple[str, SurfaceShare | SourceShare]],
    unit: str,
    json_: bool,
    csv_: bool,
    empty: str,
    footer: str = "",
) -> None:
    """Print (name, share) rows as {key, distance_km, runs, share}, with a bar per row."""
    records = [
        {
            key: name,
            "distance_km": round(s.distance_m / 1000, 2),
            "runs": s.runs,
            "share": round(s.share, 4),
        }
        for name, s in shares
    ]

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                r[key],
                f"{to_unit(r['distance_km'] * 1000, unit):,.1f}",
                r["runs"],
                f"{r['share']:.0%}",
                bar(r["share"]),
            ]
            for r in rows
        ]
        text = format_table([key, unit, "runs", "share", ""], body, right={1, 2, 3})
        return f"{text}\n\n{footer}" if footer else text

    emit(records, json_, csv_, table, empty, (key, "distance_km", "runs", "share"))


def _coverage(by_source: Mapping[str, float], unit: str) -> str:
    """ "Surface known for 84% of 440.0 km: place 31%, osm 22%, ...; unknown 16%."."""
    total_m = sum(by_source.values())
    known = sorted(
        (
            (source, m / total_m if total_m else 0.0)
            for source, m in by_source.items()
            if source != "unknown"
        ),
        key=lambda item: (-by_source[item[0]], item[0]),
    )
    known_share = sum(share for _, share in known)
    text = f"Surface known for {known_share:.0%} of {format_distance(total_m, unit)}"
    if known:
        text += ": " + ", ".join(
            f"{SOURCE_LABELS.get(source, source)} {share:.0%}" for source, share in known
        )
    unknown = 1 - known_share if by_source else 0.0
    if unknown > 0.0005:
        text += f"; unknown {unknown:.0%}"
    return text + "."


def _sources(
    app: App,
    since: datetime | None,
    until: datetime | None,
    shoe_id: int | None,
    json_: bool,
    csv_: bool,
) -> None:
    """`surfaces --sources`: distance by where its surface came from."""
    mix = source_mix(app.read_db, since, until, shoe_id)
    empty = "" if mix else nothing_matched(app.read_db)
    _emit_shares("source", [(s.source, s) for s in mix], app.settings.units, json_, csv_, empty)


def _surfaces_by(
    app: App,
    by: str,
    since: datetime | None,
    until: datetime | None,
    shoe_id: int | None,
    json_: bool,
    csv_: bool,
) -> None:
    """`surfaces --by week|month|shoe`: rows of {period or shoe, surface, km, runs, share};
    the table is a matrix, one row per group and one column per surface."""
    unit = app.settings.units
    key = "shoe" if by == "shoe" else "period"
    rows = surface_mix_by(app.read_db, by, since, until, shoe_id, app.settings.timezone)
    records = [
        {
            key: r.group,
            "surface": r.surface,
            "distance_km": round(r.distance_m / 1000, 2),
            "runs": r.runs,
            "share": round(r.share, 4),
        }
        for r in rows
    ]

    def table(recs: Sequence[Record]) -> str:
        present = {r["surface"] for r in recs}
        columns = [s for s in SURFACES if s in present]
        columns += sorted(present - set(columns))
        groups: dict[Any, dict[str, float]] = {}
        for r in recs:
            groups.setdefault(r[key], {})[r["surface"]] = r["distance_km"] * 1000
        body = []
        for group, cells in groups.items():
            total_m = sum(cells.values())
            hard_m = sum(m for s, m in cells.items() if s in HARD_SURFACES)
            body.append(
                [
                    group if group is not None else "(no shoe)",
                    *(f"{to_unit(cells[s], unit):,.1f}" if s in cells else "-" for s in columns),
                    f"{to_unit(total_m, unit):,.1f}",
                    f"{hard_m / total_m:.0%}" if total_m else "-",
                ]
            )
        label = {"week": "week of", "month": "month", "shoe": "shoe"}[by]
        headers = [label, *columns, f"total {unit}", "hard"]
        return format_table(headers, body, right=set(range(1, len(headers))))

    fields = (key, "surface", "distance_km", "runs", "share")
    emit(records, json_, csv_, table, "" if records else nothing_matched(app.read_db), fields)


CHECK_FIELDS = ("kind", "severity", "subject", "message", "value", "threshold")


def _surfaces_chart(
    app: App,
    by: str | None,
    since: datetime | None,
    until: datetime | None,
    shoe_id: int | None,
    unit: str,
) -> None:
    """`surfaces --by week|month --chart`: the `--json` records as stacked bars."""
    if by not in ("week", "month"):
        raise click.UsageError("--chart draws --by week or --by month")
    records = [
        {"period": r.group, "surface": r.surface, "distance_km": round(r.distance_m / 1000, 2)}
        for r in surface_mix_by(app.read_db, by, since, until, shoe_id, app.settings.timezone)
    ]
    click.echo(surface_chart(records, unit) if records else "No runs in that period.")


@cli.command("check")
@click.option("--as-of", type=MOMENT, help="Check as on this date instead of now.")
@output_options
@pass_app
def check(app: App, as_of: datetime | None, json_: bool, csv_: bool) -> None:
    """Warn about worn or old shoes, surfaces, training load and untagged runs (exit 1 on
    warn/alert).

    With --as-of, shoes are judged by their distance on that date.

    \b
    runwear check
    runwear check --as-of 2026-03-01
    runwear check --json
    """
    if json_ and csv_:
        raise click.UsageError("choose one of --json and --csv")
    findings = run_checks(app.read_db, app.settings, as_of)
    records = [f.as_dict() for f in findings]
    if json_ or csv_ or findings:
        emit(records, json_, csv_, _findings_text, "", CHECK_FIELDS)
    elif not _any_run(app):
        click.echo(NO_RUNS_YET)
    else:
        click.echo(
            "All clear: no worn shoes, concrete within limits, load steady, every run tagged."
        )
    if is_problem(findings):
        sys.exit(1)


def _any_run(app: App) -> bool:
    """Whether any run is stored (the first one found, not a count of them all)."""
    return (
        app.read_db.execute("select 1 from activities where sport = 'running' limit 1").fetchone()
        is not None
    )


def _findings_text(records: Sequence[Record]) -> str:
    """One line per finding: severity, kind, message (control characters escaped)."""
    return "\n".join(
        f"{SEVERITY_MARK[r['severity']]}  {r['kind']}: {printable(r['message'])}" for r in records
    )
