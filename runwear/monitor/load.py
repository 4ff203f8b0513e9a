"""Running load in the runner's local time: weekly figures, day windows, breaks, shoe forecasts.

Every run is dated by its local calendar day: its start plus the file's own UTC offset when
the file gave one (`activities.utc_offset_s`), else its start in the `timezone` setting
("local": the machine's zone). Weeks are ISO weeks of those days (Monday to Sunday).

`as_of` is an exclusive end: only runs started before it count, and "today" is the local day
the last moment before it falls in (so `--as-of 2026-06-15`, midnight UTC, makes today
2026-06-14 in UTC), or the day of the latest run if that is later (a runner east of their
home zone). Windows of N days are the N local calendar days ending today.

The reports read only the days they look at: runs started from MARGIN_DAYS before the first
of those days (the started_at index), dated here and filtered by their local day. The day is
not stored with the run: for a run without an offset it follows the `timezone` setting (and
the machine's zone) at the time of reading, which may have changed since the import.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from runwear.store.activities import iso_utc
from runwear.store.settings import LOCAL_ZONE, Settings
from runwear.units import M_PER_KM, M_PER_MI
from runwear.vocab import HARD_SURFACES

if TYPE_CHECKING:
    from runwear.store.readonly import ReadDb

FULL_HISTORY_WEEKS = 4  # the acute:chronic and two-week comparisons look 4 weeks back
SHOE_RATE_WEEKS = 8  # a shoe's forecast runs at its rate over this many weeks
MIN_RATE_DAYS = 7  # ... or since its first run, but never over fewer days than this


class Run(NamedTuple):
    """One stored run as the load figures see it, dated by its local calendar day."""

    id: int
    day: date  # local calendar date of the start
    distance_m: float
    time_s: float | None  # moving time when known, else elapsed
    ascent_m: float | None  # None: the file did not say (counted as 0)
    hard_m: float  # distance on concrete or asphalt
    shoe_id: int | None


class Span(NamedTuple):
    """Totals of the runs on the local days `first`..`last` (both included)."""

    first: date
    last: date
    distance_m: float
    runs: int
    days_run: int
    longest_m: float
    time_s: float  # over the runs with a time
    timed_m: float  # distance of the runs with a time
    ascent_m: float  # unknown ascents count as 0
    ascent_unknown_runs: int
    hard_m: float

    @property
    def days(self) -> int:
        """Calendar days in the span."""
        return (self.last - self.first).days + 1

    @property
    def rest_days(self) -> int:
        """Days in the span without a run."""
        return self.days - self.days_run

    @property
    def distance_km(self) -> float:
        """Distance in km, rounded to 0.1 as shown and compared."""
        return round(self.distance_m / M_PER_KM, 1)

    @property
    def pace_s_per_km(self) -> float | None:
        """Time over distance of the runs with a time (None without any)."""
        return self.time_s / self.timed_m * M_PER_KM if self.timed_m else None

    @property
    def ascent_m_per_km(self) -> float | None:
        """Metres of climb per km run (None without running)."""
        return self.ascent_m / self.distance_m * M_PER_KM if self.distance_m else None

    @property
    def hard_share(self) -> float | None:
        """Share (0..1) of the distance on concrete or asphalt (None without running)."""
        return self.hard_m / self.distance_m if self.distance_m else None


class WeekLoad(NamedTuple):
    """One ISO week's running (the current week: its days so far)."""

    week: str  # ISO week, 2026-W24
    week_start: date  # its Monday
    days: int  # days counted: 7, fewer for the current week
    distance_m: float
    runs: int
    rest_days: int
    longest_m: float
    pace_s_per_km: float | None
    ascent_m: float
    ascent_unknown_runs: int
    hard_share: float | None
    # The two comparisons are None for the current week until it is complete:
    change_pct: float | None  # distance vs the week before (None when that is under min_week_km)
    acwr: float | None  # distance over the average of this week and the 3 before (None before
    # 4 weeks of running, or when that average is under min_week_km)


class Stretch(NamedTuple):
    """The running since the last break: where it starts and how long the break was."""

    start: date  # first run day after the last break (else the first run day)
    break_days: int | None  # days without running before `start` (None: no break)


class ShoeForecast(NamedTuple):
    """When an active shoe reaches its limit at its recent rate."""

    shoe_id: int
    name: str
    distance_m: float  # start distance + runs before as_of
    limit_m: float
    rate_m_per_week: float
    limit_on: date | None  # the local day it reaches (or reached) the limit; None: not known
    days_left: int | None  # from today to limit_on (0 or less: reached)


def zone_of(name: str) -> tzinfo | None:
    """The tzinfo of a `timezone` setting; None is the machine's own zone ("local")."""
    if name == LOCAL_ZONE:
        return None
    from zoneinfo import ZoneInfo  # only for a zone by name (with sysconfig, ~5 ms)

    return ZoneInfo(name)


def parse_utc(started_at: str) -> datetime:
    """A stored UTC timestamp (2026-03-01T07:15:00Z) as an aware datetime."""
    return datetime.fromisoformat(started_at.replace("Z", "+00:00"))


def local_day(started: datetime, utc_offset_s: int | None, zone: tzinfo | None) -> date:
    """The local calendar date of a UTC start: its own offset when known, else `zone`'s."""
    if utc_offset_s is not None:
        return (started + timedelta(seconds=utc_offset_s)).date()
    return started.astimezone(zone).date()


# The columns of a Run, `hard_m` read per run through activity_surfaces' key (no scan of
# every stored part).
RUN_COLUMNS = (
    "a.id, a.started_at, a.utc_offset_s, a.distance_m, coalesce(a.moving_s, a.duration_s), "
    "a.ascent_m, coalesce((select sum(h.distance_m) from activity_surfaces h "
    "where h.activity_id = a.id and h.surface in ("
    + ", ".join(f"'{s}'" for s in sorted(HARD_SURFACES))
    + ")), 0), a.shoe_id from activities a"
)
# A run's local day is within a day of its UTC one (offsets stay under 24 h): runs of the
# local days from D on started from D - MARGIN_DAYS (UTC) on.
MARGIN_DAYS = 2
OLDEST_FIRST = " order by a.started_at, a.id"


def load_runs(db: ReadDb, settings: Settings, as_of: datetime) -> list[Run]:
    """Every run started before `as_of`, oldest first, dated by local day (one query)."""
    return _runs(db, zone_of(settings.timezone), "a.started_at < ?" + OLDEST_FIRST, [as_of])


def _runs(db: ReadDb, zone: tzinfo | None, where: str, params: Sequence[object]) -> list[Run]:
    """The running activities `a` that `where` picks (datetimes bound as stored), as Runs."""
    values = [iso_utc(p) if isinstance(p, datetime) else p for p in params]
    rows = db.execute(
        f"select {RUN_COLUMNS} where a.sport = 'running' and {where}", values
    ).fetchall()
    return [stored_run(zone, *row) for row in rows]


def utc_from(day: date) -> datetime:
    """A UTC moment no later than the start of local `day` anywhere (MARGIN_DAYS before)."""
    return datetime.combine(day - timedelta(days=MARGIN_DAYS), datetime.min.time(), timezone.utc)


def latest_run(db: ReadDb, settings: Settings, as_of: datetime) -> Run | None:
    """The last run started before `as_of` (the last of `load_runs`), or None."""
    found = _runs(
        db,
        zone_of(settings.timezone),
        "a.started_at < ? order by a.started_at desc, a.id desc limit 1",
        [as_of],
    )
    return found[0] if found else None


def first_run(db: ReadDb, settings: Settings, as_of: datetime) -> Run | None:
    """The first run started before `as_of` (the first of `load_runs`), or None."""
    found = _runs(
        db, zone_of(settings.timezone), "a.started_at < ?" + OLDEST_FIRST + " limit 1", [as_of]
    )
    return found[0] if found else None


def runs_since(db: ReadDb, settings: Settings, as_of: datetime, first: date) -> list[Run]:
    """The runs started before `as_of` on local days from `first` on, oldest first: those of
    `load_runs`, read through the started_at index."""
    found = _runs(
        db,
        zone_of(settings.timezone),
        "a.started_at >= ? and a.started_at < ?" + OLDEST_FIRST,
        [utc_from(first), as_of],
    )
    return [r for r in found if r.day >= first]


def recent_runs(
    db: ReadDb, settings: Settings, as_of: datetime, days: int
) -> tuple[list[Run], date]:
    """The runs of the `days` local days ending today, and today (`today_of` the whole
    history). A run of the latest day before them comes first, when there is one, so that
    `stretch` sees the break before them: a stretch starting in these days is the one the
    whole history gives, and one starting earlier starts earlier there too."""
    latest = latest_run(db, settings, as_of)
    today = today_of([latest] if latest else [], settings, as_of)
    first = today - timedelta(days=days - 1)
    zone = zone_of(settings.timezone)
    bound = utc_from(first)
    rows = _runs(db, zone, "a.started_at >= ? and a.started_at < ?" + OLDEST_FIRST, [bound, as_of])
    runs = [r for r in rows if r.day >= first]
    before = [r for r in rows if r.day < first]
    # The latest local day before `first` may also be an older run's: the last one started
    # before `bound`, or one started in the MARGIN_DAYS before it with a larger offset.
    older = db.execute(
        "select max(started_at) from activities where sport = 'running' and started_at < ?",
        [iso_utc(bound)],
    ).fetchone()[0]
    if older is not None:
        since = parse_utc(older) - timedelta(days=MARGIN_DAYS)
        before += _runs(db, zone, "a.started_at >= ? and a.started_at < ?", [since, bound])
    if before:
        runs.insert(0, max(before, key=lambda r: r.day))
    return runs, today


def stored_run(
    zone: tzinfo | None,
    activity_id: int,
    started_at: str,
    utc_offset_s: int | None,
    distance_m: float,
    time_s: float | None,
    ascent_m: float | None,
    hard_m: float,
    shoe_id: int | None,
) -> Run:
    """A Run from its stored columns, dated by its local day (a time of 0 is unknown)."""
    return Run(
        id=activity_id,
        day=local_day(parse_utc(started_at), utc_offset_s, zone),
        distance_m=distance_m,
        time_s=time_s or None,
        ascent_m=ascent_m,
        hard_m=hard_m,
        shoe_id=shoe_id,
    )


def today_of(runs: Sequence[Run], settings: Settings, as_of: datetime) -> date:
    """The runner's local day at `as_of` (exclusive): as_of's day, or the latest run's if later."""
    moment = (as_of - timedelta(microseconds=1)).astimezone(timezone.utc)
    day = moment.astimezone(zone_of(settings.timezone)).date()
    return max(day, runs[-1].day) if runs else day


def span(runs: Iterable[Run], first: date, last: date) -> Span:
    """Totals of the runs on the local days `first`..`last`."""
    chosen = [r for r in runs if first <= r.day <= last]
    timed = [r for r in chosen if r.time_s is not None]
    return Span(
        first=first,
        last=last,
        distance_m=sum(r.distance_m for r in chosen),
        runs=len(chosen),
        days_run=len({r.day for r in chosen}),
        longest_m=max((r.distance_m for r in chosen), default=0.0),
        time_s=sum(r.time_s or 0.0 for r in timed),
        timed_m=sum(r.distance_m for r in timed),
        ascent_m=sum(r.ascent_m or 0.0 for r in chosen),
        ascent_unknown_runs=sum(1 for r in chosen if r.ascent_m is None),
        hard_m=sum(r.hard_m for r in chosen),
    )


def window(runs: Sequence[Run], last: date, days: int) -> Span:
    """Totals of the `days` local days ending on `last`."""
    return span(runs, last - timedelta(days=days - 1), last)


def stretch(runs: Sequence[Run], gap_days: int) -> Stretch | None:
    """The running since the last break of `gap_days`+ days without a run (None: no runs)."""
    if not runs:
        return None
    days = sorted({r.day for r in runs})
    for before, after in zip(reversed(days[:-1]), reversed(days[1:]), strict=True):
        rested = (after - before).days - 1
        if rested >= gap_days:
            return Stretch(after, rested)
    return Stretch(days[0], None)


def history_days(runs: Sequence[Run], last: date, gap_days: int) -> int:
    """Days of running since the last break, as of local day `last` (0: no run by then).

    `runs` may start anywhere before `last`: cut `gap_days` and more before the day a
    judgement needs, the figure it gives is either exact or over what that needs."""
    current = stretch([r for r in runs if r.day <= last], gap_days)
    return (last - current.start).days + 1 if current else 0


def monday_of(day: date) -> date:
    """The Monday starting `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def pct_change(new: float, old: float) -> float:
    """Percentage change from `old` to `new`, rounded to 0.1 as shown and compared (no -0.0)."""
    return round((new / old - 1) * 100, 1) + 0.0


def weekly_load(db: ReadDb, settings: Settings, as_of: datetime, weeks: int = 12) -> list[WeekLoad]:
    """The last `weeks` ISO weeks of running up to `as_of`, oldest first (current week so far).

    Reads the runs of those weeks and the 3 before them (the acute:chronic ratio), and the
    first and latest run."""
    latest = latest_run(db, settings, as_of)
    today = today_of([latest] if latest else [], settings, as_of)
    this_monday = monday_of(today)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks + FULL_HISTORY_WEEKS - 1)]
    by_week: dict[date, list[Run]] = defaultdict(list)
    for run in runs_since(db, settings, as_of, mondays[-1]):
        by_week[monday_of(run.day)].append(run)
    first = first_run(db, settings, as_of)
    first_day = first.day if first else today
    spans = {m: span(by_week.get(m, ()), m, min(m + timedelta(days=6), today)) for m in mondays}
    found = []
    for monday in mondays[:weeks][::-1]:
        week = spans[monday]
        before = spans[monday - timedelta(weeks=1)]
        last4 = [spans[monday - timedelta(weeks=n)] for n in range(FULL_HISTORY_WEEKS)]
        chronic_m = sum(s.distance_m for s in last4) / FULL_HISTORY_WEEKS
        year, number, _ = monday.isocalendar()
        found.append(
            WeekLoad(
                week=f"{year}-W{number:02d}",
                week_start=monday,
                days=week.days,
                distance_m=week.distance_m,
                runs=week.runs,
                rest_days=week.rest_days,
                longest_m=week.longest_m,
                pace_s_per_km=week.pace_s_per_km,
                ascent_m=week.ascent_m,
                ascent_unknown_runs=week.ascent_unknown_runs,
                hard_share=week.hard_share,
                change_pct=(
                    pct_change(week.distance_m, before.distance_m)
                    if week.days == 7 and before.distance_km >= settings.min_week_km
                    else None
                ),
                acwr=(
                    round(week.distance_m / chronic_m, 2)
                    if week.days == 7
                    and first_day <= last4[-1].first
                    and round(chronic_m / M_PER_KM, 1) >= settings.min_week_km
                    else None
                ),
            )
        )
    return found


def shoe_forecasts(db: ReadDb, settings: Settings, as_of: datetime) -> list[ShoeForecast]:
    """For each active shoe: the day it reaches its limit at its last 8 weeks' rate.

    Its distance is an SQL sum; Python reads the runs of the last 8 weeks, each shoe's first
    run, and (for a shoe past its limit) its runs up to the one that crossed it."""
    latest = latest_run(db, settings, as_of)
    today = today_of([latest] if latest else [], settings, as_of)
    recent: dict[int, list[Run]] = defaultdict(list)
    for run in runs_since(db, settings, as_of, today - timedelta(days=SHOE_RATE_WEEKS * 7 - 1)):
        if run.shoe_id is not None:
            recent[run.shoe_id].append(run)
    moment = iso_utc(as_of)
    found = []
    shoes = db.execute(
        "select s.id, s.name, s.start_distance_m, s.limit_m, (select coalesce(sum(a.distance_m), "
        "0) from activities a where a.shoe_id = s.id and a.sport = 'running' and "
        "a.started_at < ?) from shoes s where s.retired_on is null order by s.name collate nocase",
        [moment],
    ).fetchall()
    zone = zone_of(settings.timezone)
    for shoe_id, name, start_m, own_limit_m, run_m in shoes:
        limit_m = own_limit_m or settings.shoe_limit_km * M_PER_KM
        distance_m = start_m + run_m
        first = _runs(db, zone, SHOE_RUNS + " limit 1", [shoe_id, as_of])
        days = min(SHOE_RATE_WEEKS * 7, (today - first[0].day).days + 1) if first else 0
        days = max(days, MIN_RATE_DAYS)
        recent_m = window(recent.get(shoe_id, []), today, days).distance_m
        if distance_m < limit_m:
            limit_on = _ahead(today, limit_m - distance_m, recent_m, days)
        else:
            limit_on = _crossed(_shoe_runs(db, zone, shoe_id, as_of), start_m, limit_m)
        found.append(
            ShoeForecast(
                shoe_id=shoe_id,
                name=name,
                distance_m=distance_m,
                limit_m=limit_m,
                rate_m_per_week=recent_m / days * 7,
                limit_on=limit_on,
                days_left=(limit_on - today).days if limit_on else None,
            )
        )
    return found


SHOE_RUNS = "a.shoe_id = ? and a.started_at < ?" + OLDEST_FIRST


def _shoe_runs(db: ReadDb, zone: tzinfo | None, shoe_id: int, as_of: datetime) -> Iterator[Run]:
    """A shoe's runs started before `as_of`, oldest first, read as they are used."""
    cursor = db.execute(
        f"select {RUN_COLUMNS} where a.sport = 'running' and {SHOE_RUNS}", [shoe_id, iso_utc(as_of)]
    )
    return (stored_run(zone, *row) for row in cursor)


def _ahead(today: date, remaining_m: float, recent_m: float, days: int) -> date | None:
    """The day `remaining_m` more is run at `recent_m` per `days` days (None: not running)."""
    if recent_m <= 0:
        return None
    return today + timedelta(days=math.ceil(round(remaining_m * days / recent_m, 6)))


def _crossed(runs: Iterable[Run], start_m: float, limit_m: float) -> date | None:
    """The day a shoe's distance reached its limit (None: it started over it)."""
    if start_m >= limit_m:
        return None
    total = start_m
    for run in runs:
        total += run.distance_m
        if total >= limit_m:
            return run.day
    return None


def format_pace(s_per_km: float | None, unit: str) -> str:
    """A pace for people: "5:30 /km" or "8:51 /mi" ("-" when unknown)."""
    if s_per_km is None:
        return "-"
    seconds = round(s_per_km * (M_PER_MI / M_PER_KM if unit == "mi" else 1))
    return f"{seconds // 60}:{seconds % 60:02d} /{unit}"
