"""Plausibility limits for a run: values no real run has are refused, not counted blindly."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from runwear.ingest.model import Activity

MAX_RUN_DISTANCE_M = 500_000.0  # longer than any multi-day ultra stage
MAX_RUN_DURATION_S = 100 * 3600.0
MAX_RUN_SPEED_M_S = 12.0  # 43 km/h on average: faster than any sprint, a ride or a vehicle
EARLIEST_START = datetime(1995, 1, 1, tzinfo=timezone.utc)  # before GPS running watches


def implausible(activity: Activity, now: datetime | None = None) -> str | None:
    """Why this run cannot be real (one phrase), or None when it looks plausible.

    Figures that are not finite numbers, or negative, are corrupt data and refused too: the
    database would store them as nothing, or count them against a shoe.
    """
    now = now or datetime.now(timezone.utc)
    if not math.isfinite(activity.distance_m):
        return f"impossible distance ({activity.distance_m})"
    if activity.distance_m < 0:
        return f"negative distance of {_figure(activity.distance_m / 1000, 2)} km"
    if activity.distance_m == 0:
        return "no distance recorded"
    if activity.distance_m > MAX_RUN_DISTANCE_M:
        return f"implausible distance of {_figure(activity.distance_m / 1000)} km"
    for label, seconds in (("duration", activity.duration_s), ("moving time", activity.moving_s)):
        if seconds is None:
            continue
        if not math.isfinite(seconds) or seconds < 0:
            return f"impossible {label} of {_figure(seconds)} s"
        if seconds > MAX_RUN_DURATION_S:
            return f"implausible {label} of {_figure(seconds / 3600)} hours"
    time_s = activity.moving_s or activity.duration_s
    if time_s and activity.distance_m / time_s > MAX_RUN_SPEED_M_S:
        return f"implausible speed of {_figure(activity.distance_m / time_s * 3.6)} km/h for a run"
    if activity.started_at < EARLIEST_START:
        return f"implausible start date {activity.started_at:%Y-%m-%d} (device clock not set?)"
    if activity.started_at > now + timedelta(days=1):
        return f"start date {activity.started_at:%Y-%m-%d} is in the future"
    return None


def _figure(value: float, decimals: int = 0) -> str:
    """A figure for a message: 10,000 or -5.00; 1.0e+295 when writing it out would not help."""
    if abs(value) >= 1e12:
        return f"{value:.1e}"
    return f"{value:,.{decimals}f}"
