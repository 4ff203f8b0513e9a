"""The pace at a run's start and end, kept compactly so warm-up checks never reopen files.

A profile holds the metres covered by the end of each of the first 20 minutes of moving time
(`head_m`) and in each of the last 20 (`tail_m`), with the timeline's moving time and
distance, and whether a lap was marked warmup or cooldown. That answers "how fast were the
first (or last) N minutes against the rest of the run" for any N up to 20, so the
`warmup_min` setting can change without a re-import. Moving time leaves out the stretches
slower than a walk (pauses, stops at lights).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from runwear.ingest.model import Activity

PROFILE_MIN = 20  # minutes kept at each end
MOVING_SPEED_M_S = 0.5  # slower than this between two points is standing still
WARMUP, COOLDOWN = "warmup", "cooldown"


@dataclass(frozen=True)
class PaceProfile:
    """A run's first and last minutes of moving time, and its marked laps."""

    moving_s: float  # moving seconds of the whole timeline
    distance_m: float  # metres of the whole timeline
    head_m: tuple[int, ...]  # metres by the end of moving minute 1, 2, ... (at most 20)
    tail_m: tuple[int, ...]  # metres in the last 1, 2, ... moving minutes (at most 20)
    warmup_lap: bool = False
    cooldown_lap: bool = False


def pace_profile(activity: Activity) -> PaceProfile | None:
    """The profile of an activity's timeline and laps (None when it has neither to say)."""
    warmup = any(lap.intensity == WARMUP for lap in activity.laps)
    cooldown = any(lap.intensity == COOLDOWN for lap in activity.laps)
    moving = moving_timeline(activity.timeline)
    if len(moving) < 2 and not (warmup or cooldown):
        return None
    total_s, total_m = moving[-1] if moving else (0.0, 0.0)
    minutes = min(PROFILE_MIN, int(total_s // 60))
    times = [s for s, _ in moving]
    head = tuple(round(_metres_at(times, moving, k * 60.0)) for k in range(1, minutes + 1))
    tail = tuple(
        round(total_m - _metres_at(times, moving, total_s - k * 60.0))
        for k in range(1, minutes + 1)
    )
    return PaceProfile(total_s, total_m, head, tail, warmup, cooldown)


def moving_timeline(
    timeline: Sequence[tuple[float, float]],
) -> list[tuple[float, float]]:
    """(moving seconds, metres) pairs: the timeline with the standing-still stretches cut out."""
    if not timeline:
        return []
    moving_s = 0.0
    found = [(0.0, timeline[0][1])]
    for (t0, m0), (t1, m1) in pairwise(timeline):
        dt, dm = t1 - t0, m1 - m0
        if dt > 0 and dm / dt >= MOVING_SPEED_M_S:
            moving_s += dt
            found.append((moving_s, m1))
    start_m = found[0][1]
    return [(s, m - start_m) for s, m in found]


def start_ratio(profile: PaceProfile, minutes: int) -> float | None:
    """The first `minutes`' average speed over the rest of the run's (None: the run is
    shorter than twice `minutes`, or the profile ends sooner)."""
    return _ratio(profile, profile.head_m, minutes)


def end_ratio(profile: PaceProfile, minutes: int) -> float | None:
    """The last `minutes`' average speed over the rest of the run's (None: too short)."""
    return _ratio(profile, profile.tail_m, minutes)


def encode_metres(metres: Sequence[int]) -> str:
    """Metres as stored: "312,640,951" ("" for none)."""
    return ",".join(str(m) for m in metres)


def decode_metres(text: str) -> tuple[int, ...]:
    """The metres of `encode_metres` text."""
    return tuple(int(m) for m in text.split(",")) if text else ()


def _ratio(profile: PaceProfile, ends: Sequence[int], minutes: int) -> float | None:
    """Speed over the `minutes` at one end against the rest, when the rest is as long."""
    end_s = minutes * 60.0
    rest_s = profile.moving_s - end_s
    if len(ends) < minutes or rest_s < end_s or not ends[minutes - 1]:
        return None
    rest_m = profile.distance_m - ends[minutes - 1]
    if rest_m <= 0:
        return None
    return (ends[minutes - 1] / end_s) / (rest_m / rest_s)


def _metres_at(
    times: Sequence[float], moving: Sequence[tuple[float, float]], moving_s: float
) -> float:
    """Metres covered after `moving_s` of moving time (`times`: the moving seconds)."""
    i = bisect_left(times, moving_s)
    if i == 0:
        return moving[0][1]
    if i >= len(moving):
        return moving[-1][1]
    (s0, m0), (s1, m1) = moving[i - 1], moving[i]
    return m0 + (m1 - m0) * (moving_s - s0) / (s1 - s0)
