"""Plausibility limits for a run: values no real run has are refused, not counted blindly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from runwear.ingest.model import Activity

MAX_RUN_DISTANCE_M = 500_000.0  # longer than any multi-day ultra stage
MAX_RUN_DURATION_S = 100 * 3600.0
EARLIEST_START = datetime(1995, 1, 1, tzinfo=timezone.utc)  # before GPS running watches


def implausible(activity: Activity, now: datetime | None = None) -> str | None:
    """Why this run cannot be real (one phrase), or None when it looks plausible."""
    now = now or datetime.now(timezone.utc)
    if activity.distance_m <= 0:
        return "no distance recorded"
    if activity.distance_m > MAX_RUN_DISTANCE_M:
        return f"implausible distance of {activity.distance_m / 1000:,.0f} km"
    if activity.duration_s is not None and activity.duration_s > MAX_RUN_DURATION_S:
        return f"implausible duration of {activity.duration_s / 3600:,.0f} hours"
    if activity.started_at < EARLIEST_START:
        return f"implausible start date {activity.started_at:%Y-%m-%d} (device clock not set?)"
    if activity.started_at > now + timedelta(days=1):
        return f"start date {activity.started_at:%Y-%m-%d} is in the future"
    return None
