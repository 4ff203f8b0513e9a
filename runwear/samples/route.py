"""Sample runs: a start, a distance and a pace, turned into track points of known length."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from runwear.geo import destination


@dataclass(frozen=True)
class SamplePoint:
    """One generated track point; `distance_m` is the exact cumulative distance."""

    lat: float
    lon: float
    time: datetime  # UTC
    elevation_m: float
    distance_m: float


@dataclass(frozen=True)
class SampleRun:
    """A run to generate: an out-and-back along `bearing_deg` of exactly `distance_m`."""

    started_at: datetime  # timezone-aware UTC
    distance_m: float
    duration_s: float
    sport: str = "running"
    sub_sport: str = "generic"
    name: str = "Morning Run"
    lat: float = 51.5007
    lon: float = -0.1246
    bearing_deg: float = 45.0
    step_s: float = 1.0  # seconds between points
    base_elevation_m: float = 20.0
    hill_m: float = 0.0  # amplitude of a 1 km sine-wave of hills

    def points(self) -> list[SamplePoint]:
        """Evenly spaced points whose great-circle path length is exactly `distance_m`."""
        n = max(1, round(self.duration_s / self.step_s))
        half = self.distance_m / 2
        turn = destination(self.lat, self.lon, self.bearing_deg, half)
        out: list[SamplePoint] = []
        for i in range(n + 1):
            d = self.distance_m * i / n
            if d <= half:
                lat, lon = destination(self.lat, self.lon, self.bearing_deg, d)
            else:
                lat, lon = destination(
                    turn[0], turn[1], _bearing(turn, (self.lat, self.lon)), d - half
                )
            elevation = self.base_elevation_m + self.hill_m * math.sin(2 * math.pi * d / 1000.0)
            time = self.started_at + timedelta(seconds=self.duration_s * i / n)
            out.append(SamplePoint(lat, lon, time, elevation, d))
        return out

    @property
    def ascent_m(self) -> float:
        """Total climb of the sine-wave profile: 2 x amplitude per full kilometre."""
        return 2 * self.hill_m * (self.distance_m // 1000) if self.hill_m else 0.0


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial great-circle bearing from a to b, in degrees."""
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    y = math.sin(dl) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0
