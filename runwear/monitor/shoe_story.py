"""One shoe's whole story: wear, surfaces, runs, rate, forecast, monthly distance, cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from runwear.monitor.load import shoe_forecasts
from runwear.monitor.mileage import ShoeWear, months_between, shoe_wear
from runwear.store.settings import Settings
from runwear.vocab import SURFACES

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database


@dataclass(frozen=True)
class ShoeStory:
    """The figures `runwear shoe show` prints about one shoe."""

    wear: ShoeWear
    status: str
    first_run: str | None  # UTC ISO start
    surfaces: list[tuple[str, float]]  # (surface, distance_m), largest first
    months: list[tuple[str, float]]  # (YYYY-MM, distance_m), oldest first, gaps as 0
    rate_m_per_week: float | None  # over its last 8 weeks (None: retired)
    limit_on: date | None
    left_m: float  # distance still left to its limit (0 past it)
    age_months: int | None  # from its purchase date, else its first run
    cost_per_km: float | None


def shoe_story(
    db: Database, settings: Settings, shoe_id: int, as_of: datetime, price: float | None
) -> ShoeStory:
    """The story of the shoe `shoe_id` up to `as_of` (UTC)."""
    wear = next(w for w in shoe_wear(db, settings, include_retired=True) if w.id == shoe_id)
    forecast = next((f for f in shoe_forecasts(db, settings, as_of) if f.shoe_id == shoe_id), None)
    row = db.execute(
        "select min(started_at), s.purchased_on from shoes s left join activities a "
        "on a.shoe_id = s.id and a.sport = 'running' where s.id = ?",
        [shoe_id],
    ).fetchone()
    first_run, purchased_on = row
    since = purchased_on or (first_run[:10] if first_run else None)
    km = wear.distance_m / 1000
    return ShoeStory(
        wear=wear,
        status=wear.status(settings),
        first_run=first_run,
        surfaces=_surfaces(db, shoe_id),
        months=_months(db, shoe_id),
        rate_m_per_week=forecast.rate_m_per_week if forecast else None,
        limit_on=forecast.limit_on if forecast else None,
        left_m=max(0.0, wear.limit_m - wear.distance_m),
        age_months=months_between(since, as_of.date()) if since else None,
        cost_per_km=round(price / km, 3) if price is not None and km > 0 else None,
    )


def _surfaces(db: Database, shoe_id: int) -> list[tuple[str, float]]:
    """Its runs' distance per surface, largest first."""
    order = {name: i for i, name in enumerate(SURFACES)}
    rows = db.execute(
        "select s.surface, sum(s.distance_m) from activity_surfaces s "
        "join activities a on a.id = s.activity_id "
        "where a.shoe_id = ? and a.sport = 'running' group by s.surface",
        [shoe_id],
    ).fetchall()
    return sorted(((s, m) for s, m in rows), key=lambda r: (-r[1], order.get(r[0], 99)))


def _months(db: Database, shoe_id: int) -> list[tuple[str, float]]:
    """Its runs' distance per calendar month (UTC), oldest first, months without runs as 0."""
    rows = dict(
        db.execute(
            "select substr(started_at, 1, 7), sum(distance_m) from activities "
            "where shoe_id = ? and sport = 'running' group by 1 order by 1",
            [shoe_id],
        ).fetchall()
    )
    if not rows:
        return []
    first, last = min(rows), max(rows)
    year, month = int(first[:4]), int(first[5:])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        found.append((key, rows.get(key, 0.0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
