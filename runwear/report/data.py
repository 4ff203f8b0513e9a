"""The figures behind `runwear report`, as plain values built from the monitor functions.

Nothing here is computed a second way: the warnings are `run_checks`, the shoes
`shoe_wear` and `shoe_forecasts` (as `runwear shoes`), the weeks `weekly_load` (as
`runwear load`), the surfaces `surface_mix_by` (as `runwear surfaces --by week|month|shoe`).
What is added is what the page needs on top: each shoe's cumulative distance over time, which
load rules each week broke, and the recent runs' tracks for the map.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlite_utils import Database

from runwear.geo import decode_polyline
from runwear.monitor.checks import run_checks
from runwear.monitor.findings import Finding
from runwear.monitor.load import (
    FULL_HISTORY_WEEKS,
    history_days,
    load_runs,
    monday_of,
    pct_change,
    runs_since,
    shoe_forecasts,
    utc_from,
    weekly_load,
)
from runwear.monitor.mileage import shoe_wear
from runwear.monitor.surfaces import surface_mix_by
from runwear.store.activities import iso_utc
from runwear.store.places import load_places
from runwear.store.settings import LOCAL_ZONE, Settings
from runwear.surfacing.geometry import (
    METRES_PER_DEGREE,
    BBox,
    Circle,
    metres_per_degree_lon,
    simplify,
)
from runwear.surfacing.split import Place
from runwear.units import M_PER_KM
from runwear.vocab import HARD_SURFACES

MONTHLY_FROM_WEEKS = 27  # spans of this many weeks and more show surfaces by month
TWO_WEEKS_BACK = 3  # the two-week rule of the first shown week looks 3 weeks further back
MAP_RUNS = 40  # the map draws at most this many of the recent runs
MAP_WIDTH_PX = 800  # the map's drawing width, which sets how far tracks are simplified
MAP_TOLERANCE_PX = 0.5  # a track point left out lies at most this far from the drawn line


@dataclass(frozen=True)
class ShoeView:
    """One shoe as `runwear shoes --json` shows it, with its distance over time."""

    name: str
    model: str
    distance_km: float
    limit_km: float
    nearing_km: float  # where `nearing` starts
    used_pct: float
    runs: int
    last_run: str | None
    status: str  # ok | nearing | retire | retired
    limit_on: str | None  # YYYY-MM-DD it reaches (or reached) its limit, at its recent rate
    retired_on: str | None
    # (local day, cumulative km including the start distance) after each run up to as_of
    cumulative_km: list[tuple[date, float]] = field(default_factory=list)


@dataclass(frozen=True)
class WeekView:
    """One ISO week as `runwear load --json` shows it, and the load rules it broke."""

    week: str
    week_start: date
    days: int  # 7, or fewer for the current week so far
    distance_km: float
    runs: int
    rest_days: int
    change_pct: float | None  # vs the week before
    acwr: float | None
    two_week_pct: float | None  # this and the week before vs the two before
    breaks: list[str]  # one sentence per rule broken


@dataclass(frozen=True)
class PeriodView:
    """One week or month of `surface_mix_by`: km per surface, concrete and hard share."""

    period: str  # week start YYYY-MM-DD or month YYYY-MM
    km: dict[str, float]  # surface -> km, as `surfaces --by week --json` rounds it
    total_km: float
    concrete_share: float
    hard_share: float


@dataclass(frozen=True)
class ShoeSurfaces:
    """One row of the shoe x surface table: km per surface of one shoe's runs."""

    shoe: str  # "(no shoe)" for untagged runs
    km: dict[str, float]
    total_km: float


@dataclass(frozen=True)
class MapRun:
    """A recent run for the map: its simplified track and its surface parts."""

    id: int
    started_at: str  # UTC ISO 8601
    name: str
    distance_km: float
    surface: str  # the surface of its longest part: the colour it is drawn in
    parts_km: dict[str, float]  # surface -> km, largest first
    points: list[tuple[float, float]]  # (lat, lon), simplified for the map's scale


@dataclass(frozen=True)
class MapPlace:
    """One of the user's places that the map's runs reach: a circle or a corridor."""

    name: str
    surface: str
    radius_m: float | None  # a circle's radius (its centre is points[0])
    width_m: float | None  # a corridor's full width
    points: list[tuple[float, float]]  # the centre, or the corridor's route


@dataclass(frozen=True)
class Report:
    """Everything the page shows."""

    db_path: str
    made_at: str  # UTC ISO 8601
    version: str
    as_of: datetime
    weeks: int
    findings: list[Finding]
    shoes: list[ShoeView]  # active ones
    retired: list[ShoeView]
    load: list[WeekView]
    by: str  # week | month: how `surfaces` is grouped
    surfaces: list[PeriodView]
    shoe_surfaces: list[ShoeSurfaces]
    map_runs: list[MapRun]
    map_places: list[MapPlace]
    map_days: int


def build_report(
    db: Database,
    settings: Settings,
    db_path: Path,
    as_of: datetime | None = None,
    weeks: int = 16,
) -> Report:
    """The page's figures at `as_of` (default now), over the last `weeks` ISO weeks.

    Shoe distances and the warnings are what `runwear shoes` and `runwear check --as-of`
    give (every stored run of a shoe counts there, and here); each shoe's distance-over-time
    line stops at `as_of`.
    """
    now = datetime.now(timezone.utc)
    as_of = as_of or now
    load = load_weeks(db, settings, as_of, weeks)
    first = load[0].week_start if load else as_of.date()
    by = "month" if weeks >= MONTHLY_FROM_WEEKS else "week"
    shoes = shoe_views(db, settings, as_of)
    runs = map_runs(db, as_of, settings.window_days)
    return Report(
        db_path=str(db_path),
        made_at=iso_utc(now),
        version=runwear_version(),
        as_of=as_of,
        weeks=weeks,
        findings=run_checks(db, settings, as_of),
        shoes=[s for s in shoes if not s.retired_on],
        retired=[s for s in shoes if s.retired_on],
        load=load,
        by=by,
        surfaces=surface_periods(db, by, first, as_of, settings.timezone),
        shoe_surfaces=shoe_surface_rows(db, as_of),
        map_runs=runs,
        map_places=map_places(load_places(db), runs),
        map_days=settings.window_days,
    )


def runwear_version() -> str:
    """The installed runwear's version ("unknown" when run from an uninstalled tree)."""
    try:
        return version("runwear")
    except PackageNotFoundError:
        return "unknown"


def shoe_views(db: Database, settings: Settings, as_of: datetime) -> list[ShoeView]:
    """Every shoe, by name, with the figures of `runwear shoes --all --json`."""
    limit_on = {f.shoe_id: f.limit_on for f in shoe_forecasts(db, settings, as_of) if f.limit_on}
    by_shoe: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for run in load_runs(db, settings, as_of):
        if run.shoe_id is not None:
            by_shoe[run.shoe_id].append((run.day, run.distance_m))
    starts = dict(db.execute("select id, start_distance_m from shoes").fetchall())
    views = []
    for shoe in shoe_wear(db, settings, include_retired=True):
        total_m = starts.get(shoe.id) or 0.0
        cumulative = []
        for day, distance_m in by_shoe.get(shoe.id, []):
            total_m += distance_m
            cumulative.append((day, round(total_m / M_PER_KM, 2)))
        views.append(
            ShoeView(
                name=shoe.name,
                model=" ".join(x for x in (shoe.brand, shoe.model) if x),
                distance_km=round(shoe.distance_m / M_PER_KM, 2),
                limit_km=round(shoe.limit_m / M_PER_KM, 2),
                nearing_km=round(shoe.limit_m * settings.nearing_pct / 100 / M_PER_KM, 2),
                used_pct=round(shoe.used_share * 100, 1),
                runs=shoe.runs,
                last_run=shoe.last_run,
                status=shoe.status(settings),
                limit_on=limit_on[shoe.id].isoformat() if shoe.id in limit_on else None,
                retired_on=shoe.retired_on,
                cumulative_km=cumulative,
            )
        )
    return views


def load_weeks(db: Database, settings: Settings, as_of: datetime, weeks: int) -> list[WeekView]:
    """The last `weeks` of `weekly_load`, each with the load rules its figures broke.

    A week breaks the 10% rule when its change is over `ramp_pct`, the acwr rule when its
    acwr is over `acwr_max`, and the two-week rule when it and the week before are over the
    two before by more than `two_week_ramp_pct` (those two at least 2 x `min_week_km`). The
    current week is judged once it is complete, as `runwear load` shows it. As `check` does,
    a week is judged only after `min_history_weeks` of running since the last break (the
    first weeks of a history, or of a comeback, have no base to rise from), and the two-week
    and acwr rules only after the 4 weeks they compare.
    """
    found = weekly_load(db, settings, as_of, weeks + TWO_WEEKS_BACK)
    shown = found[TWO_WEEKS_BACK:]
    gap_days = settings.comeback_gap_days
    judged_from = max(settings.min_history_weeks, FULL_HISTORY_WEEKS) * 7 + gap_days
    runs = (
        runs_since(db, settings, as_of, shown[0].week_start - timedelta(days=judged_from))
        if shown
        else []
    )
    views = []
    for n in range(TWO_WEEKS_BACK, len(found)):
        w = found[n]
        two_week = _two_week_pct(found, n, settings)
        history = history_days(runs, w.week_start + timedelta(days=w.days - 1), gap_days)
        ramp_judged = history >= settings.min_history_weeks * 7
        full_judged = ramp_judged and history >= FULL_HISTORY_WEEKS * 7
        breaks = []
        if ramp_judged and w.change_pct is not None and w.change_pct > settings.ramp_pct:
            breaks.append(
                f"+{w.change_pct:.1f}% on the week before (over {settings.ramp_pct:g}%): "
                f"add no more than {settings.ramp_pct:g}% a week."
            )
        if full_judged and two_week is not None and two_week > settings.two_week_ramp_pct:
            breaks.append(
                f"+{two_week:.1f}% over two weeks against the two before (over "
                f"{settings.two_week_ramp_pct:g}%): linked to running injuries."
            )
        if full_judged and w.acwr is not None and w.acwr > settings.acwr_max:
            breaks.append(
                f"{w.acwr:.2f}x the average of it and the 3 weeks before (acwr over "
                f"{settings.acwr_max:g}): make the next week an easy one."
            )
        views.append(
            WeekView(
                week=w.week,
                week_start=w.week_start,
                days=w.days,
                distance_km=round(w.distance_m / M_PER_KM, 2),
                runs=w.runs,
                rest_days=w.rest_days,
                change_pct=w.change_pct,
                acwr=w.acwr,
                two_week_pct=two_week,
                breaks=breaks,
            )
        )
    return views


def _two_week_pct(found: list, n: int, settings: Settings) -> float | None:
    """Weeks n and n-1 against n-2 and n-3, in % (None: incomplete, or too little before)."""
    if n < TWO_WEEKS_BACK or found[n].days != 7:
        return None
    last_m = found[n].distance_m + found[n - 1].distance_m
    before_m = found[n - 2].distance_m + found[n - 3].distance_m
    if round(before_m / M_PER_KM, 1) < 2 * settings.min_week_km:
        return None
    return pct_change(last_m, before_m)


def surface_periods(
    db: Database, by: str, first: date, as_of: datetime, timezone_name: str = LOCAL_ZONE
) -> list[PeriodView]:
    """`surface_mix_by(by)` up to `as_of`, from the period holding `first` on (local days in
    the `timezone` setting's zone, as `runwear surfaces` has them)."""
    period_start = monday_of(first) if by == "week" else first.replace(day=1)
    start = period_start.isoformat() if by == "week" else period_start.isoformat()[:7]
    periods: dict[str, dict[str, float]] = {}
    since = utc_from(period_start)  # the runs of earlier periods are not read
    for row in surface_mix_by(db, by, since=since, until=as_of, timezone_name=timezone_name):
        if row.group is not None and row.group >= start:
            periods.setdefault(row.group, {})[row.surface] = round(row.distance_m / M_PER_KM, 2)
    views = []
    for period, km in periods.items():
        total = sum(km.values())
        hard = sum(v for s, v in km.items() if s in HARD_SURFACES)
        views.append(
            PeriodView(
                period=period,
                km=km,
                total_km=round(total, 2),
                concrete_share=km.get("concrete", 0.0) / total if total else 0.0,
                hard_share=hard / total if total else 0.0,
            )
        )
    return views


def shoe_surface_rows(db: Database, as_of: datetime) -> list[ShoeSurfaces]:
    """`surface_mix_by("shoe")` of every run before `as_of`: one row per shoe."""
    rows: dict[str | None, dict[str, float]] = {}
    for row in surface_mix_by(db, "shoe", until=as_of):
        rows.setdefault(row.group, {})[row.surface] = round(row.distance_m / M_PER_KM, 2)
    return [
        ShoeSurfaces(shoe or "(no shoe)", km, round(sum(km.values()), 2))
        for shoe, km in rows.items()
    ]


def map_runs(db: Database, as_of: datetime, days: int) -> list[MapRun]:
    """The runs with a track in the `days` before `as_of` (at most MAP_RUNS, latest first).

    Tracks are simplified to what the map can show: no point left out lies farther than
    half a pixel of the map's width from the line drawn.
    """
    since = as_of - timedelta(days=days)
    rows = db.execute(
        "select a.id, a.started_at, coalesce(a.name, ''), a.distance_m, t.polyline "
        "from activities a join activity_tracks t on t.activity_id = a.id "
        "where a.sport = 'running' and a.started_at >= ? and a.started_at < ? "
        "order by a.started_at desc, a.id desc limit ?",
        [iso_utc(since), iso_utc(as_of), MAP_RUNS],
    ).fetchall()
    if not rows:
        return []
    parts: dict[int, dict[str, float]] = defaultdict(dict)
    marks = ",".join("?" * len(rows))
    for activity_id, surface, distance_m in db.execute(
        "select activity_id, surface, distance_m from activity_surfaces "
        f"where activity_id in ({marks}) order by distance_m desc",
        [row[0] for row in rows],
    ):
        parts[activity_id][surface] = round(distance_m / M_PER_KM, 2)
    tracks = {row[0]: decode_polyline(row[4]) for row in rows}
    tolerance_m = _map_tolerance_m([p for t in tracks.values() for p in t])
    return [
        MapRun(
            id=activity_id,
            started_at=started_at,
            name=name,
            distance_km=round(distance_m / M_PER_KM, 2),
            surface=next(iter(parts[activity_id]), "unknown"),
            parts_km=parts[activity_id],
            points=simplify(tracks[activity_id], tolerance_m),
        )
        for activity_id, started_at, name, distance_m, _ in rows
        if len(tracks[activity_id]) >= 2
    ]


def _map_tolerance_m(points: list[tuple[float, float]]) -> float:
    """Metres that MAP_TOLERANCE_PX spans on a map of MAP_WIDTH_PX showing all `points`."""
    if not points:
        return 1.0
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = (min(lats) + max(lats)) / 2
    span_m = max(
        (max(lons) - min(lons)) * metres_per_degree_lon(mid),
        (max(lats) - min(lats)) * METRES_PER_DEGREE,
        1.0,
    )
    return span_m / MAP_WIDTH_PX * MAP_TOLERANCE_PX


def map_places(places: list[Place], runs: list[MapRun]) -> list[MapPlace]:
    """The places whose box meets the box of the map's runs, for the map to draw faintly."""
    points = [p for run in runs for p in run.points]
    if not points:
        return []
    box = BBox.around(points)
    found = []
    for place in places:
        if not place.shape.bbox.intersects(box):
            continue
        shape = place.shape
        if isinstance(shape, Circle):
            found.append(
                MapPlace(
                    place.name,
                    place.surface,
                    shape.radius_m,
                    None,
                    [(shape.center_lat, shape.center_lon)],
                )
            )
        else:
            found.append(
                MapPlace(place.name, place.surface, None, shape.width_m, list(shape.points))
            )
    return found
