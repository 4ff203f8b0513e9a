"""Commands over runs: `runwear activities` lists them, `runwear tag` retags them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.cli.params import (
    AUTO,
    MOMENT,
    SHOE,
    SURFACE,
    SURFACE_OR_AUTO,
    check_period,
    nothing_matched,
    shoe_by_name,
)
from runwear.monitor.coach_data import strength_sql
from runwear.store import activities as store
from runwear.store.activities import IDS_PER_QUERY, iso_utc
from runwear.units import format_clock, to_unit

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database


def _selection(
    since: datetime | None,
    until: datetime | None,
    shoe_id: int | None,
    surface: str | None,
    sport_where: tuple[str, Sequence[str]] = ("sport = 'running'", ()),
) -> tuple[str, list[object]]:
    """The SQL condition on activities `a` (and its parameters) for the filters."""
    where, params = [sport_where[0]], list(sport_where[1])
    for clause, value in (
        ("a.started_at >= ?", since and iso_utc(since)),
        ("a.started_at < ?", until and iso_utc(until)),
        ("a.shoe_id = ?", shoe_id),
        ("a.id in (select activity_id from activity_surfaces where surface = ?)", surface),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    return " and ".join(where), params


NEWEST_FIRST = " order by a.started_at desc, a.id desc"


def _select_ids(
    app: App,
    since: datetime | None,
    until: datetime | None,
    shoe_id: int | None,
    surface: str | None,
    limit: int | None,
) -> list[int]:
    """Ids of runs matching the filters, newest first."""
    where, params = _selection(since, until, shoe_id, surface)
    sql = f"select a.id from activities a where {where}{NEWEST_FIRST}"
    if limit is not None:
        sql += f" limit {int(limit)}"
    return [row[0] for row in app.db.execute(sql, params)]


@cli.command("activities")
@click.option("--since", type=MOMENT, help="From this date (YYYY-MM-DD) or span (28d).")
@click.option("--until", type=MOMENT, help="Before this date.")
@click.option("--shoe", "shoe_name", type=SHOE, help="Only runs in this shoe.")
@click.option("--surface", type=SURFACE, help="Only runs with distance on this surface.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (newest first).")
@click.option("--all", "all_", is_flag=True, help="Every activity, not only runs.")
@click.option(
    "--sport",
    help="Only this sport or sub-sport (FIT names: walking, yoga, ...; strength: all "
    "strength/core sessions).",
)
@output_options
@pass_app
def activities_list(
    app: App,
    since: datetime | None,
    until: datetime | None,
    shoe_name: str | None,
    surface: str | None,
    limit: int | None,
    all_: bool,
    sport: str | None,
    json_: bool,
    csv_: bool,
) -> None:
    """List runs (or every activity), newest first.

    \b
    runwear activities --limit 10
    runwear activities --since 28d --surface concrete --csv
    runwear activities --all --since 28d
    runwear activities --sport strength
    """
    check_period(since, until)
    shoe_id = shoe_by_name(app.db, shoe_name)["id"] if shoe_name else None
    where, params = _selection(since, until, shoe_id, surface, _sport_where(all_, sport))
    records = matching_records(app.db, where, params, limit)
    first = next(records, None)
    unit = app.settings.units
    emit(
        chain([first], records) if first else (),
        json_,
        csv_,
        lambda recs: activity_table(recs, unit),
        "" if first else nothing_matched(app.db),
        ACTIVITY_FIELDS,
    )


ACTIVITY_COLUMNS = (
    "a.id, a.started_at, a.name, a.sport, a.sub_sport, a.distance_m, a.duration_s, "
    "s.name as shoe, a.surface from activities a left join shoes s on s.id = a.shoe_id"
)


def matching_records(
    db: Database, where: str, params: Sequence[object], limit: int | None = None
) -> Iterator[Record]:
    """The activities `a` that `where` picks as listing records, newest first, read by one
    query and yielded as they come (memory stays flat however many there are)."""
    sql = f"select {ACTIVITY_COLUMNS} where {where}{NEWEST_FIRST}"
    if limit is not None:
        sql += f" limit {int(limit)}"
    yield from map(_record, db.execute(sql, list(params)))


def activity_records(db: Database, ids: Sequence[int]) -> list[Record]:
    """The runs `ids` as listing records, in that order."""
    rows: dict[int, tuple] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = list(ids[start : start + IDS_PER_QUERY])
        marks = ",".join("?" * len(chunk))
        rows.update(
            (row[0], row)
            for row in db.execute(f"select {ACTIVITY_COLUMNS} where a.id in ({marks})", chunk)
        )
    return [_record(rows[i]) for i in ids]


def _record(row: Sequence[Any]) -> Record:
    """A listing record from a row of ACTIVITY_COLUMNS."""
    activity_id, started_at, name, sport, sub_sport, distance_m, duration_s, shoe, surface = row
    return {
        "id": activity_id,
        "started_at": started_at,
        "name": name,
        "sport": sport,
        "sub_sport": sub_sport,
        "distance_km": round(distance_m / 1000, 3),
        "duration_s": duration_s,
        "shoe": shoe,
        "surface": surface,
    }


def activity_table(recs: Sequence[Record], unit: str) -> str:
    """Runs as a table: id, start, name, kind, distance, time, shoe, surface."""
    body = [
        [
            r["id"],
            r["started_at"].replace("T", " ")[:16],
            (r["name"] or "")[:28],
            _kind(r),
            f"{to_unit(r['distance_km'] * 1000, unit):.2f}",
            _clock(r["duration_s"]),
            r["shoe"] or "-",
            r["surface"],
        ]
        for r in recs
    ]
    headers = ["id", "started (UTC)", "name", "kind", unit, "time", "shoe", "surface"]
    return format_table(headers, body, right={0, 4, 5})


ACTIVITY_FIELDS = (
    "id",
    "started_at",
    "name",
    "sport",
    "sub_sport",
    "distance_km",
    "duration_s",
    "shoe",
    "surface",
)


def _sport_where(all_: bool, sport: str | None) -> tuple[str, Sequence[str]]:
    """The SQL condition (and its parameters) choosing the activities to list."""
    if sport == "strength":
        return strength_sql(), ()
    if sport:
        return "(sport = ? or sub_sport = ?)", (sport, sport)
    return ("1", ()) if all_ else ("sport = 'running'", ())


def _kind(record: Record) -> str:
    """A run's sub-sport; another activity's sport (and sub-sport unless generic)."""
    if record["sport"] == "running":
        return record["sub_sport"] or ""
    sub = record["sub_sport"]
    return record["sport"] + (f"/{sub}" if sub and sub != "generic" else "")


def _clock(seconds: float | None) -> str:
    """1:02:03 or 45:10; nothing for no time."""
    return "" if seconds is None else format_clock(seconds)


@cli.command("tag")
@click.argument("activity_ids", nargs=-1, type=int)
@click.option("--last", is_flag=True, help="The most recent run.")
@click.option("--since", type=MOMENT, help="Every run from this date (YYYY-MM-DD) or span (7d).")
@click.option("--until", type=MOMENT, help="With --since: runs before this date.")
@click.option("--shoe", "shoe_name", type=SHOE, help="Tag with this shoe.")
@click.option("--no-shoe", is_flag=True, help="Remove the shoe tag.")
@click.option(
    "--surface",
    type=SURFACE_OR_AUTO,
    help="Tag the whole run with this surface; auto: drop the tag and split the run again.",
)
@pass_app
def tag(
    app: App,
    activity_ids: tuple[int, ...],
    last: bool,
    since: datetime | None,
    until: datetime | None,
    shoe_name: str | None,
    no_shoe: bool,
    surface: str | None,
) -> None:
    """Set the shoe and/or surface of runs; every figure follows.

    A surface tagged here covers the whole run and wins over everything else; `--surface
    auto` drops it, and the run is split again by rules, places, OpenStreetMap and its
    shoe. A new shoe brings its usual surface to the stretches no place or way knows.

    \b
    runwear tag --last --shoe Pegasus
    runwear tag 41 42 --surface trail
    runwear tag 41 --surface auto
    runwear tag --since 2026-03-01 --until 2026-04-01 --shoe Novablast
    """
    chosen = sum([bool(activity_ids), last, since is not None])
    if chosen != 1:
        raise click.UsageError("say which runs: ACTIVITY_ID..., --last, or --since DATE")
    if until is not None and since is None:
        raise click.UsageError("--until goes with --since")
    check_period(since, until)
    if shoe_name is None and not no_shoe and surface is None:
        raise click.UsageError("say what to set: --shoe NAME, --no-shoe and/or --surface SURFACE")
    if shoe_name and no_shoe:
        raise click.UsageError("choose one of --shoe and --no-shoe")
    shoe = shoe_by_name(app.db, shoe_name) if shoe_name else None
    if activity_ids:
        ids = store.existing_ids(app.db, activity_ids)
        missing = sorted(set(activity_ids) - set(ids))
        if missing:
            raise click.BadParameter(
                f"no activity with id {', '.join(map(str, missing))}. See `runwear activities`",
                param_hint="ACTIVITY_ID",
            )
    else:
        ids = _select_ids(app, since, until, None, None, 1 if last else None)
    if not ids:
        raise click.ClickException("no runs match. See `runwear activities`")
    from runwear.cli.resplitting import split_after  # here: listing runs needs no splitting

    auto = surface == AUTO
    with split_after(app.db, "tag", drop_manual=auto, rule_surfaces=auto) as todo:
        if shoe is not None or no_shoe:
            store.set_shoe(app.db, ids, shoe["id"] if shoe else None)
        if surface is not None and not auto:
            store.set_surface(app.db, ids, surface)
        elif auto or shoe is not None or no_shoe:
            todo.add(ids)  # dropped: split again; a new shoe: its usual surface follows it
    what = ", ".join(
        x
        for x in (
            shoe and f"shoe {shoe['name']}",
            no_shoe and "no shoe",
            surface and f"surface {surface}",
        )
        if x
    )
    click.echo(f"Tagged {len(ids)} run(s) with {what}.")
    if surface == AUTO:
        click.echo(_surfaces_now(app, ids))


def _surfaces_now(app: App, ids: Sequence[int]) -> str:
    """ "Its surface is now asphalt (60% asphalt, 40% unknown)." or, for several runs, how
    many have each surface."""
    if len(ids) == 1:
        run = app.db.execute("select surface, distance_m from activities where id = ?", ids)
        surface, distance_m = run.fetchone()
        parts = app.db.execute(
            "select surface, distance_m from activity_surfaces where activity_id = ? "
            "order by distance_m desc, surface",
            ids,
        ).fetchall()
        split = ", ".join(f"{m / distance_m:.0%} {s}" for s, m in parts) if distance_m else ""
        return f"Its surface is now {surface}" + (f" ({split})." if len(parts) > 1 else ".")
    tally: Counter[str] = Counter()
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = list(ids[start : start + IDS_PER_QUERY])
        tally.update(
            dict(
                app.db.execute(
                    f"select surface, count(*) from activities where id in "
                    f"({','.join('?' * len(chunk))}) group by surface",
                    chunk,
                ).fetchall()
            )
        )
    counts = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return "Their surfaces are now: " + ", ".join(f"{s} {n}" for s, n in counts) + "."
