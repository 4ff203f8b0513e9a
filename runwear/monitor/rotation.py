"""Which pair to wear today: active, fit for the kind of run, under its limit, rested longest.

Rotating more than one pair was linked to ~39% lower injury risk (Malisoux 2015); 48 hours
between runs in the same pair is the usual advice for the midsole to recover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from runwear.monitor.load import parse_utc
from runwear.monitor.mileage import ShoeWear, shoe_wear
from runwear.store.settings import Settings

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

KINDS = ("road", "trail", "track", "treadmill")
REST_H = 48.0  # hours between runs in the same pair
# The sub-sports and usual surfaces each kind of run fits.
_KIND_SUB_SPORTS = {
    "trail": {"trail"},
    "track": {"track"},
    "treadmill": {"treadmill", "indoor_running", "virtual_activity"},
    "road": {"street", "generic"},
}
_KIND_SURFACES = {
    "trail": {"trail", "gravel", "grass", "sand"},
    "track": {"track"},
    "treadmill": {"treadmill"},
    "road": {"concrete", "asphalt"},
}
_OTHER_KINDS_ONLY = {"trail", "track", "treadmill"}  # shoes for these are not road shoes


@dataclass(frozen=True)
class Suggestion:
    """The pair to wear and why."""

    shoe_id: int
    name: str
    fits: bool  # made for this kind of run (its default-for or usual surface)
    rested_h: float | None  # hours since its last run (None: never run)
    left_m: float  # distance left to its limit
    limit_m: float
    others: int  # other active pairs that could have been worn


def suggest_shoe(
    db: Database, settings: Settings, as_of: datetime, kind: str | None, distance_m: float
) -> Suggestion | None:
    """The pair to wear at `as_of` for a run of `kind` and `distance_m` (0: unknown).

    Active pairs that the run keeps under their limit; those made for the kind first (any
    when none is), then those rested REST_H, then the one rested longest (never run first).
    """
    pairs = [
        w for w in shoe_wear(db, settings, as_of=as_of) if w.distance_m + distance_m < w.limit_m
    ]
    if not pairs:
        return None

    def fits(w: ShoeWear) -> bool:
        if kind is None:
            return True
        if kind == "road":
            return w.default_for not in _OTHER_KINDS_ONLY and w.surface not in (
                _KIND_SURFACES["trail"] | {"track", "treadmill"}
            )
        return w.default_for in _KIND_SUB_SPORTS[kind] or w.surface in _KIND_SURFACES[kind]

    def rested_h(w: ShoeWear) -> float | None:
        if w.last_run is None:
            return None
        return (as_of - parse_utc(w.last_run)).total_seconds() / 3600

    fitting = [w for w in pairs if fits(w)]
    pool = fitting or pairs

    def order(w: ShoeWear) -> tuple[bool, float, float, str]:
        hours = rested_h(w)
        rest = float("inf") if hours is None else hours
        return (rest < REST_H, -rest, w.distance_m / w.limit_m, w.name.casefold())

    best = min(pool, key=order)
    return Suggestion(
        shoe_id=best.id,
        name=best.name,
        fits=bool(fitting) and kind is not None,
        rested_h=rested_h(best),
        left_m=best.limit_m - best.distance_m,
        limit_m=best.limit_m,
        others=len(pairs) - 1,
    )
