"""Distance per shoe and each shoe's wear status."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from runwear.store.activities import iso_utc
from runwear.store.settings import Settings

if TYPE_CHECKING:
    from runwear.store.readonly import ReadDb

OK, NEARING, RETIRE, RETIRED = "ok", "nearing", "retire", "retired"


class ShoeWear(NamedTuple):
    """One shoe's mileage against its limit."""

    id: int
    name: str
    brand: str | None
    model: str | None
    distance_m: float  # start distance + its runs
    limit_m: float
    runs: int
    last_run: str | None  # UTC ISO 8601 start of the latest run
    retired_on: str | None
    surface: str | None
    is_default: bool
    default_for: str | None

    @property
    def used_share(self) -> float:
        """Distance over limit (1.0 = at the limit)."""
        return self.distance_m / self.limit_m if self.limit_m else 0.0

    def status(self, settings: Settings) -> str:
        """ok, nearing (>= nearing_pct of the limit), retire (at or over it), or retired."""
        if self.retired_on:
            return RETIRED
        if self.distance_m >= self.limit_m:
            return RETIRE
        if self.distance_m >= self.limit_m * settings.nearing_pct / 100:
            return NEARING
        return OK


def shoe_wear(
    db: ReadDb,
    settings: Settings,
    include_retired: bool = False,
    as_of: datetime | None = None,
) -> list[ShoeWear]:
    """Every shoe (active ones only unless `include_retired`) with its mileage, by name.

    With `as_of` (UTC), only runs started before it count, and a shoe retired after that
    day was still active then. One query, summing the runs of the shoes listed only (the
    `shoe_mileage` view gives the same figures).
    """
    moment = iso_utc(as_of) if as_of else None
    day = moment[:10] if moment else None
    retired = "case when ? is null or s.retired_on <= ? then s.retired_on end"
    rows = db.execute(
        "select s.id, s.name, s.brand, s.model, "
        "s.start_distance_m + coalesce(sum(a.distance_m), 0), s.limit_m, count(a.id), "
        f"max(a.started_at), {retired}, s.surface, s.is_default, s.default_for "
        "from shoes s left join activities a on a.shoe_id = s.id and a.sport = 'running' "
        f"and (? is null or a.started_at < ?) where ? or {retired} is null "
        "group by s.id order by s.name collate nocase",
        [day, day, moment, moment, int(include_retired), day, day],
    ).fetchall()
    return [
        ShoeWear(
            id=row[0],
            name=row[1],
            brand=row[2],
            model=row[3],
            distance_m=row[4],
            limit_m=row[5] or settings.shoe_limit_km * 1000,
            runs=row[6],
            last_run=row[7],
            retired_on=row[8],
            surface=row[9],
            is_default=bool(row[10]),
            default_for=row[11],
        )
        for row in rows
    ]


class ShoeAge(NamedTuple):
    """How old an active pair is: from its purchase date, else its first run."""

    id: int
    name: str
    since: str  # YYYY-MM-DD
    months: int  # whole months from `since` to the day of `as_of`
    max_age_months: int | None  # the shoe's own limit (None: the setting's)


def shoe_ages(db: ReadDb, as_of: datetime) -> list[ShoeAge]:
    """The age of every shoe active at `as_of` that has a purchase date or a run, by name."""
    moment = iso_utc(as_of)
    rows = db.query(
        "select s.id, s.name, s.max_age_months, coalesce(s.purchased_on, "
        "(select substr(min(a.started_at), 1, 10) from activities a where a.shoe_id = s.id "
        "and a.started_at < ?)) as since from shoes s "
        "where s.retired_on is null or s.retired_on >= ? order by s.name collate nocase",
        [moment, moment[:10]],
    )
    today = date.fromisoformat(moment[:10])
    return [
        ShoeAge(
            r["id"], r["name"], r["since"], months_between(r["since"], today), r["max_age_months"]
        )
        for r in rows
        if r["since"] and r["since"] <= moment[:10]
    ]


def months_between(since: str, today: date) -> int:
    """Whole months from the date `since` (YYYY-MM-DD) to `today`."""
    start = date.fromisoformat(since)
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - (today.day < start.day)
