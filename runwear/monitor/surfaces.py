"""How the running distance splits over surfaces in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from runwear.store.activities import iso_utc
from runwear.vocab import SURFACES


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
    rows = list(
        db.query(
            "select s.surface, sum(s.distance_m) as distance_m, count(distinct a.id) as runs "
            "from activity_surfaces s join activities a on a.id = s.activity_id "
            f"where {where} group by s.surface",
            params,
        )
    )
    total = sum(row["distance_m"] for row in rows)
    order = {name: i for i, name in enumerate(SURFACES)}
    rows.sort(key=lambda r: (-r["distance_m"], order.get(r["surface"], 99)))
    return [
        SurfaceShare(
            row["surface"],
            row["distance_m"],
            row["runs"],
            row["distance_m"] / total if total else 0.0,
        )
        for row in rows
    ]


def share_of(mix: list[SurfaceShare], surfaces: set[str] | frozenset[str]) -> float:
    """Combined share of some surfaces in a mix (0 when the mix is empty)."""
    return sum(s.share for s in mix if s.surface in surfaces)


BY_CHOICES = ("week", "month", "shoe")
# How each grouping labels a run (UTC dates, as the weekly_surface_mix view).
_GROUP_SQL = {
    "week": "date(a.started_at, 'weekday 0', '-6 days')",
    "month": "strftime('%Y-%m', a.started_at)",
    "shoe": "sh.name",
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
) -> list[GroupShare]:
    """Running distance per group and surface: weeks and months oldest first, shoes by name.

    Within a group, surfaces come largest first.
    """
    if by not in _GROUP_SQL:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    where, params = _where(since, until, shoe_id)
    rows = db.execute(
        f"select {_GROUP_SQL[by]} as grp, s.surface, sum(s.distance_m), count(distinct a.id) "
        "from activity_surfaces s join activities a on a.id = s.activity_id "
        "left join shoes sh on sh.id = a.shoe_id "
        f"where {where} group by grp, s.surface",
        params,
    ).fetchall()
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


def source_mix(
    db: Database,
    since: datetime | None = None,
    until: datetime | None = None,
    shoe_id: int | None = None,
) -> list[SourceShare]:
    """Running distance by where its surface came from, largest first; "unknown" last."""
    where, params = _where(since, until, shoe_id)
    rows = db.execute(
        "select case when s.surface = 'unknown' then 'unknown' "
        "else coalesce(s.source, 'unknown') end as src, sum(s.distance_m), count(distinct a.id) "
        "from activity_surfaces s join activities a on a.id = s.activity_id "
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
        f"where {where} and s.surface = 'unknown' "
        "and coalesce(s.source, '') not in ('manual', 'rule')",
        params,
    ).fetchone()
    return float(row[0])
