"""`runwear pain`: log pain, list and remove entries, and see what came before them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.cli.params import DAY
from runwear.monitor.load import today_of
from runwear.monitor.pain import (
    WINDOW_DAYS,
    Before,
    Rank,
    Usual,
    before_pain,
    load_history,
    rank_factors,
)
from runwear.store.pain import DEFAULT_LOCATION, add_pain, pain_entries, remove_pain

NOT_ADVICE = (
    "A pattern in your own data, not a diagnosis. See a doctor or physiotherapist if the pain "
    "lasts more than a few days, is sharp, or spreads down a leg."
)


@cli.group("pain")
def pain() -> None:
    """Log pain and see what your running looked like before it.

    \b
    runwear pain add --level 4 --where lower-back --note "stiff after the long run"
    runwear pain list
    runwear pain why
    """


@pain.command("add")
@click.argument("day", type=DAY, required=False)
@click.option("--level", type=click.IntRange(0, 10), required=True, help="0 (none) to 10.")
@click.option("--where", "location", default=DEFAULT_LOCATION, show_default=True, help="Where.")
@click.option("--note", help="Anything worth remembering.")
@pass_app
def pain_add(app: App, day: date | None, level: int, location: str, note: str | None) -> None:
    """Log pain on DAY (YYYY-MM-DD, default today).

    \b
    runwear pain add --level 4
    runwear pain add 2026-06-12 --level 6 --where knee --note "after hills"
    """
    today = today_of((), app.settings, datetime.now(timezone.utc))
    day = day or today
    if day > today:
        raise click.BadParameter(f"{day} is in the future", param_hint="DAY")
    location = location.strip() or DEFAULT_LOCATION
    pain_id = add_pain(app.db, day, level, location, note)
    click.echo(f"Logged pain {pain_id}: {location} {level}/10 on {day}.")


@pain.command("list")
@output_options
@pass_app
def pain_list(app: App, json_: bool, csv_: bool) -> None:
    """List pain entries, oldest first.

    \b
    runwear pain list
    runwear pain list --csv
    """
    records = [
        {
            "id": e.id,
            "day": e.day.isoformat(),
            "level": e.level,
            "where": e.location,
            "note": e.note,
            "created_at": e.created_at,
        }
        for e in pain_entries(app.db)
    ]

    def table(recs: Sequence[Record]) -> str:
        body = [[r["id"], r["day"], r["level"], r["where"], r["note"] or ""] for r in recs]
        return format_table(["id", "day", "level", "where", "note"], body, right={0, 2})

    emit(records, json_, csv_, table, "No pain logged. Log it: runwear pain add --level N")


@pain.command("remove")
@click.argument("pain_id", type=int)
@pass_app
def pain_remove(app: App, pain_id: int) -> None:
    """Remove one pain entry.

    \b
    runwear pain remove 3
    """
    if not remove_pain(app.db, pain_id):
        raise click.BadParameter(
            f"no pain entry with id {pain_id}. See `runwear pain list`", param_hint="PAIN_ID"
        )
    click.echo(f"Removed pain entry {pain_id}.")


@pain.command("why")
@click.argument("pain_id", type=int, required=False)
@click.option("--all", "all_", is_flag=True, help="Rank factors over every pain entry.")
@output_options
@pass_app
def pain_why(app: App, pain_id: int | None, all_: bool, json_: bool, csv_: bool) -> None:
    """What the 14 and 28 days before a pain entry (default the latest) looked like.

    Each figure is set against your usual range (the middle 80% of your pain-free windows);
    `--all` ranks the figures by how much more often they were out of range before pain than
    in pain-free 28-day windows.

    \b
    runwear pain why
    runwear pain why 3 --json
    runwear pain why --all
    """
    history = load_history(app.db, app.settings, datetime.now(timezone.utc))
    entries = [e for e in history.pain if e.level > 0]
    if not entries:
        raise click.ClickException("no pain entries of level 1+. Log one: runwear pain add")
    if all_:
        if pain_id is not None:
            raise click.UsageError("choose one of PAIN_ID and --all")
        _emit_ranks(rank_factors(history), json_, csv_)
        return
    chosen = entries[-1] if pain_id is None else next((e for e in entries if e.id == pain_id), None)
    if chosen is None:
        raise click.BadParameter(
            f"no pain entry of level 1+ with id {pain_id}. See `runwear pain list`",
            param_hint="PAIN_ID",
        )
    factors = before_pain(history, chosen)
    records = [_before_record(b) for b in factors]
    if json_ or csv_:
        emit(records, json_, csv_, _no_table, "[]")
        return
    click.echo(
        f"Pain {chosen.id}: {chosen.location} {chosen.level}/10 on {chosen.day}. The 14 and 28 "
        "days before it against your usual:\n"
    )
    click.echo(_before_table(factors))
    click.echo("usual: the middle 80% of your pain-free windows before it; ?: too few yet.")
    outside = [b.factor.label for b in factors if b.outside]
    click.echo(
        f"\nOutside your usual range: {', '.join(outside)}."
        if outside
        else "\nNothing outside your usual range."
    )
    click.echo(NOT_ADVICE)


def _before_record(before: Before) -> Record:
    """One factor before pain as JSON / CSV."""
    record: Record = {"factor": before.factor.key, "unit": before.factor.unit}
    for days in WINDOW_DAYS:
        usual = before.usual[days]
        record[f"last_{days}d"] = before.figures[days]
        record[f"usual_{days}d_low"] = usual.low if usual else None
        record[f"usual_{days}d_high"] = usual.high if usual else None
    record["outside"] = before.outside
    return record


def _before_table(factors: Sequence[Before]) -> str:
    """The factors side by side: 14 days, 28 days, the usual 28 days, and a mark."""
    body = [
        [
            b.factor.label,
            *(
                cell
                for d in WINDOW_DAYS
                for cell in (_figure(b.figures[d], b.factor.unit), _usual(b.usual[d]))
            ),
            ("higher" if b.factor.risky_high else "lower") if b.outside else "",
        ]
        for b in factors
    ]
    headers = ["factor", "14 days", "usual", "28 days", "usual", "outside"]
    return format_table(headers, body, right={1, 3})


def _emit_ranks(ranks: Sequence[Rank], json_: bool, csv_: bool) -> None:
    """The ranking of `pain why --all`: counts, never a diagnosis."""
    records = [
        {
            "factor": r.factor.key,
            "pain_out": r.pain_out,
            "pain_judged": r.pain_judged,
            "free_out": r.free_out,
            "free_judged": r.free_judged,
            "lift": round(r.lift, 3),
        }
        for r in ranks
    ]
    if json_ or csv_:
        emit(records, json_, csv_, _no_table, "[]")
        return
    judged = [r for r in ranks if r.pain_judged and r.free_judged]
    if not judged:
        click.echo("Not enough pain-free history yet to say what is usual for you.")
    for r in judged:
        side = "above" if r.factor.risky_high else "below"
        click.echo(
            f"{r.factor.label}: {r.pain_out} of {r.pain_judged} pain entries came after 28 days "
            f"{side} your usual range; {r.free_out} of {r.free_judged} pain-free windows did."
        )
    click.echo(NOT_ADVICE)


def _no_table(records: Sequence[Record]) -> str:
    """`emit`'s table for the commands that print their own text (only --json / --csv use it)."""
    return ""


def _figure(value: float | None, unit: str) -> str:
    """A figure with its unit ("-" when unknown)."""
    if value is None:
        return "-"
    return f"{value:g}{unit if unit in ('%', 'x') else ' ' + unit if unit else ''}"


def _usual(usual: Usual | None) -> str:
    """A usual range: "24 to 30" ("?" without enough pain-free history)."""
    return f"{usual.low:g} to {usual.high:g}" if usual else "?"
