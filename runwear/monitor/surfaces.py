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
    rows = list(
        db.query(
            "select s.surface, sum(s.distance_m) as distance_m, count(distinct a.id) as runs "
            "from activity_surfaces s join activities a on a.id = s.activity_id "
            f"where {' and '.join(where)} group by s.surface",
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
