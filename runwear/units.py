"""Distance units: parsing "700km" / "450mi" and showing metres in the runner's unit."""

from __future__ import annotations

import re

M_PER_KM = 1000.0
M_PER_MI = 1609.344
_DISTANCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km|mi|m|k)?\s*$", re.IGNORECASE)


def parse_distance_m(text: str, default_unit: str = "km") -> float:
    """Metres in "700km", "450mi", "120 km", "5000m", or a bare number in `default_unit`."""
    match = _DISTANCE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a distance; write it like 700km or 450mi")
    value = float(match.group(1))
    unit = (match.group(2) or default_unit).lower()
    return value * {"km": M_PER_KM, "k": M_PER_KM, "mi": M_PER_MI, "m": 1.0}[unit]


def to_unit(distance_m: float, unit: str) -> float:
    """Metres expressed in km or mi."""
    return distance_m / (M_PER_MI if unit == "mi" else M_PER_KM)


def format_distance(distance_m: float, unit: str, decimals: int = 1) -> str:
    """A distance for people: "742.3 km" or "461.2 mi"."""
    return f"{to_unit(distance_m, unit):,.{decimals}f} {unit}"


def format_clock(seconds: float) -> str:
    """1:02:03 or 45:10."""
    s = round(seconds)
    hours, rest = divmod(s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
