"""How the running distance splits over surfaces in a period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from runwear.monitor.load import local_day, monday_of, parse_utc, zone_of
from runwear.store.activities import iso_utc
from runwear.store.settings import LOCAL_ZONE
from runwear.vocab import SURFACES

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database


@dataclass(frozen=True)
class SurfaceShare:
    """Distance on one surface and its share (0..1) of the period's running distance."""

    surface: str
    distance_m: float
    runs: int
    share: float


def surface_mix(
    db: Database,
    since: datetime | None = None,
    until: datetime | None = None,
    shoe_id: int | None = None,
) -> list[SurfaceShare]:
    """Running distance per surface between `since` and `until` (UTC), largest first."""
    where, params = _where(since, until, shoe_id)
    # A run has one part per surface (the table's key): its parts counted are its runs.
    rows = db.execute(
        f"select s.surface, sum(s.distance_m), count(*) {_PARTS} where {where} group by s.surface",
        params,
    ).fetchall()
    return _shares(rows)


def surface_and_source_mix(
    db: Database,
    since: datetime | None = None,
    until: datetime | None = None,
    shoe_id: int | None = None,
) -> tuple[list[SurfaceShare], dict[str, float]]:
    """`surface_mix`, and the distance by where its surface came from (as `source_mix` counts
    it), from one pass over the period's surface parts."""
    where, params = _where(since, until, shoe_id)
    by_surface: dict[str, list[float]] = {}
    by_source: dict[str, float] = defaultdict(float)
    # Grouped as the parts index orders them (m007: no sort); "unknown" merged here.
    for surface, source, distance_m, parts in db.execute(
        f"select s.surface, s.source, sum(s.distance_m), count(*) {_PARTS} where {where} "
        "group by s.surface, s.source",
        params,
    ):
        totals = by_surface.setdefault(surface, [0.0, 0])
        totals[0] += distance_m
        totals[1] += parts
        by_source["unknown" if surface == "unknown" else source or "unknown"] += distance_m
    return _shares([(k, m, n) for k, (m, n) in by_surface.items()]), dict(by_source)


_PARTS = "from activity_surfaces s join activities a on a.id = s.activity_id"
# The source a part's distance counts for: "unknown" for distance of unknown surface.
_SOURCE = "case when s.surface = 'unknown' then 'unknown' else coalesce(s.source, 'unknown') end"


def _shares(rows: Sequence[tuple[str, float, int]]) -> list[SurfaceShare]:
    """(surface, distance_m, runs) rows as shares, largest first."""
    total = sum(row[1] for row in rows)
    order = {name: i for i, name in enumerate(SURFACES)}
    ordered = sorted(rows, key=lambda r: (-r[1], order.get(r[0], 99)))
    return [
        SurfaceShare(surface, distance_m, int(runs), distance_m / total if total else 0.0)
        for surface, distance_m, runs in ordered
    ]


def share_of(mix: list[SurfaceShare], surfaces: set[str] | frozenset[str]) -> float:
    """Combined share of some surfaces in a mix (0 when the mix is empty)."""
    return sum(s.share for s in mix if s.surface in surfaces)


BY_CHOICES = ("week", "month", "shoe")
# Weeks and months are the runner's local ones, as in `runwear load`: a run's own UTC offset,
# else the `timezone` setting (the weekly_surface_mix view uses the machine's zone there).
_LOCAL_GROUP = {
    "week": lambda day: monday_of(day).isoformat(),
    "month": lambda day: day.strftime("%Y-%m"),
}


@dataclass(frozen=True)
class GroupShare:
    """Distance on one surface within a group (a week, a month, a shoe) and its share of it."""

    group: str | None  # week start (YYYY-MM-DD), month (YYYY-MM), shoe name (None: no shoe)
    surface: str
    distance_m: float
    runs: int
    share: float  # of the group's distance


@dataclass(frozen=True)
class SourceShare:
    """Distance whose surface came from one source, and its share of the period's distance.

    `source` is manual, rule, device, export, place, osm or shoe for a known surface, and
    "unknown" for distance of unknown surface (whatever said so). A run's part on a surface
    counts for the source that gave most of it.
    """

    source: str
    distance_m: float
    runs: int
    share: float


def _where(
    since: datetime | None, until: datetime | None, shoe_id: int | None
) -> tuple[str, list[object]]:
    """The SQL condition (and its parameters) for running activities `a` in a period and shoe."""
    where = ["a.sport = 'running'"]
    params: list[object] = []
    if since is not None:
        where.append("a.started_at >= ?")
        params.append(iso_utc(since))
    if until is not None:
        where.append("a.started_at < ?")
        params.append(iso_utc(until))
    if shoe_id is not None:
        where.append("a.shoe_id = ?")
        params.append(shoe_id)
    return " and ".join(where), params


def surface_mix_by(
    db: Database,
    by: str,
    since: datetime | None = None,
    until: datetime | None = None,
    shoe_id: int | None = None,
    timezone_name: str = LOCAL_ZONE,
) -> list[GroupShare]:
    """Running distance per group and surface: local weeks (by their Monday) and months
    oldest first, shoes by name. Within a group, surfaces come largest first.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    where, params = _where(since, until, shoe_id)
    if by == "shoe":
        rows = db.execute(
            "select sh.name as grp, s.surface, sum(s.distance_m), count(distinct a.id) "
            "from activity_surfaces s join activities a on a.id = s.activity_id "
            "left join shoes sh on sh.id = a.shoe_id "
            f"where {where} group by grp, s.surface",
            params,
        ).fetchall()
    else:
        rows = _local_groups(db, by, where, params, zone_of(timezone_name))
    totals: dict[str | None, float] = {}
    for group, _, distance_m, _ in rows:
        totals[group] = totals.get(group, 0.0) + distance_m
    order = {name: i for i, name in enumerate(SURFACES)}

    def key(row: tuple) -> tuple:
        group = row[0]
        first = (group is None, (group or "").casefold()) if by == "shoe" else (False, group)
        return (*first, -row[2], order.get(row[1], 99))

    return [
        GroupShare(
            group, surface, distance_m, runs, distance_m / totals[group] if totals[group] else 0.0
        )
        for group, surface, distance_m, runs in sorted(rows, key=key)
    ]


def _local_groups(
    db: Database, by: str, where: str, params: list[object], zone: tzinfo | None
) -> list[tuple[str, str, float, int]]:
    """(week or month, surface, distance_m, runs) rows, each run in its local calendar day."""
    distance: dict[tuple[str, str], float] = defaultdict(float)
    runs: dict[tuple[str, str], set[int]] = defaultdict(set)
    label = _LOCAL_GROUP[by]
    for activity_id, started_at, offset_s, surface, distance_m in db.execute(
        "select a.id, a.started_at, a.utc_offset_s, s.surface, s.distance_m "
        f"from activity_surfaces s join activities a on a.id = s.activity_id where {where}",
        params,
    ):
        key = (label(local_day(parse_utc(started_at), offset_s, zone)), surface)
        distance[key] += distance_m
        runs[key].add(activity_id)
    return [(g, surface, m, len(runs[(g, surface)])) for (g, surface), m in distance.items()]


def source_mix(
    db: Database,
    since: datetime | None = None,
    until: datetime | None = None,
    shoe_id: int | None = None,
) -> list[SourceShare]:
    """Running distance by where its surface came from, largest first; "unknown" last."""
    where, params = _where(since, until, shoe_id)
    rows = db.execute(
        f"select {_SOURCE} as src, sum(s.distance_m), count(distinct a.id) {_PARTS} "
        f"where {where} group by src",
        params,
    ).fetchall()
    total = sum(row[1] for row in rows)
    rows.sort(key=lambda r: (r[0] == "unknown", -r[1], r[0]))
    return [
        SourceShare(source, distance_m, runs, distance_m / total if total else 0.0)
        for source, distance_m, runs in rows
    ]


def fixable_unknown_m(db: Database, since: datetime, until: datetime) -> float:
    """Distance of unknown surface in the period that places or OpenStreetMap could still name
    (not tagged unknown by hand or by a rule)."""
    where, params = _where(since, until, None)
    row = db.execute(
        "select coalesce(sum(s.distance_m), 0) from activity_surfaces s "
        "join activities a on a.id = s.activity_id "
        # `+`: through the period's runs, not the index of every unknown part (m007).
        f"where {where} and +s.surface = 'unknown' "
        "and coalesce(s.source, '') not in ('manual', 'rule')",
        params,
    ).fetchone()
    return float(row[0])
