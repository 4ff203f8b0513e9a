"""Climb from a run's elevations: noise filtered out, implausible figures stored as unknown."""

from __future__ import annotations

import math
from collections.abc import Sequence

ASCENT_THRESHOLD_M = 3.0  # reversals smaller than this are GPS noise
LOWEST_M = -500.0  # below the Dead Sea shore: not an elevation on land
HIGHEST_M = 9_000.0  # above Everest
MAX_CLIMB_M_PER_KM = 100.0  # over a whole run: steeper than any race, an altimeter gone wrong


def ascent_m(elevations_m: Sequence[float]) -> float | None:
    """Total climb, ignoring reversals under ASCENT_THRESHOLD_M; None without elevations."""
    if not elevations_m:
        return None
    ascent = 0.0
    low = high = elevations_m[0]
    rising: bool | None = None  # unknown until the first change of ASCENT_THRESHOLD_M
    for ele in elevations_m:
        if rising is None:
            low, high = min(low, ele), max(high, ele)
            if ele - low >= ASCENT_THRESHOLD_M:
                rising, high = True, ele
            elif high - ele >= ASCENT_THRESHOLD_M:
                rising, low = False, ele
        elif rising:
            if ele > high:
                high = ele
            elif high - ele >= ASCENT_THRESHOLD_M:
                ascent += high - low
                rising, low = False, ele
        elif ele < low:
            low = ele
        elif ele - low >= ASCENT_THRESHOLD_M:
            rising, high = True, ele
    if rising:
        ascent += high - low
    return ascent


def plausible_ascent_m(
    ascent: float | None, distance_m: float, elevations_m: Sequence[float] = ()
) -> float | None:
    """The climb when it is believable, else None (unknown): never inf, NaN or negative, no
    elevation off the planet's range, at most MAX_CLIMB_M_PER_KM over the run."""
    if ascent is None or not math.isfinite(ascent) or ascent < 0:
        return None
    if any(not LOWEST_M <= e <= HIGHEST_M for e in elevations_m):
        return None
    if distance_m > 0 and ascent / distance_m * 1000 > MAX_CLIMB_M_PER_KM:
        return None
    return ascent
