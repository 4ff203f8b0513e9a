"""Distance per shoe and each shoe's wear status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from runwear.store.activities import iso_utc
from runwear.store.settings import Settings

OK, NEARING, RETIRE, RETIRED = "ok", "nearing", "retire", "retired"


@dataclass(frozen=True)
class ShoeWear:
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
    db: Database,
    settings: Settings,
    include_retired: bool = False,
    as_of: datetime | None = None,
) -> list[ShoeWear]:
    """Every shoe (active ones only unless `include_retired`) with its mileage, by name.

    With `as_of` (UTC), only runs started before it count, and a shoe retired after that
    day was still active then.
    """
    if as_of is None:
        where = "" if include_retired else "where m.retired_on is null"
        rows = db.query(
            "select m.*, s.surface, s.is_default, s.default_for, s.limit_m as own_limit_m "
            f"from shoe_mileage m join shoes s on s.id = m.shoe_id {where} "
            "order by m.name collate nocase"
        )
    else:
        rows = _wear_rows_as_of(db, as_of, include_retired)
    return [
        ShoeWear(
            id=row["shoe_id"],
            name=row["name"],
            brand=row["brand"],
            model=row["model"],
            distance_m=row["distance_m"],
            limit_m=row["own_limit_m"] or settings.shoe_limit_km * 1000,
            runs=row["runs"],
            last_run=row["last_run"],
            retired_on=row["retired_on"],
            surface=row["surface"],
            is_default=bool(row["is_default"]),
            default_for=row["default_for"],
        )
        for row in rows
    ]


def _wear_rows_as_of(
    db: Database, as_of: datetime, include_retired: bool
) -> Iterable[dict[str, Any]]:
    """shoe_mileage-like rows counting only runs started before `as_of`."""
    moment = iso_utc(as_of)
    day = moment[:10]
    rows = db.query(
        "select s.id as shoe_id, s.name, s.brand, s.model, s.surface, s.is_default, "
        "s.default_for, s.limit_m as own_limit_m, "
        "case when s.retired_on <= ? then s.retired_on end as retired_on, "
        "s.start_distance_m + coalesce(sum(a.distance_m), 0) as distance_m, "
        "count(a.id) as runs, max(a.started_at) as last_run "
        "from shoes s left join activities a on a.shoe_id = s.id and a.sport = 'running' "
        "and a.started_at < ? group by s.id order by s.name collate nocase",
        [day, moment],
    )
    return [r for r in rows if include_retired or r["retired_on"] is None]


@dataclass(frozen=True)
class ShoeAge:
    """How old an active pair is: from its purchase date, else its first run."""

    id: int
    name: str
    since: str  # YYYY-MM-DD
    months: int  # whole months from `since` to the day of `as_of`
    max_age_months: int | None  # the shoe's own limit (None: the setting's)


def shoe_ages(db: Database, as_of: datetime) -> list[ShoeAge]:
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
