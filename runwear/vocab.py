"""The fixed vocabularies runwear speaks: surfaces, their aliases, and sub-sport hints."""

from __future__ import annotations

SURFACES: tuple[str, ...] = (
    "concrete",
    "asphalt",
    "track",
    "trail",
    "grass",
    "gravel",
    "sand",
    "treadmill",
    "unknown",
)
HARD_SURFACES = frozenset({"concrete", "asphalt"})

SURFACE_ALIASES: dict[str, str] = {
    "cement": "concrete",
    "pavement": "concrete",
    "sidewalk": "concrete",
    "road": "asphalt",
    "tarmac": "asphalt",
    "blacktop": "asphalt",
    "street": "asphalt",
    "tartan": "track",
    "rubber": "track",
    "synthetic": "track",
    "indoor": "track",
    "dirt": "trail",
    "mud": "trail",
    "woodchips": "trail",
    "forest": "trail",
    "turf": "grass",
    "beach": "sand",
    "fine_gravel": "gravel",
    "compacted": "gravel",
    "gravel_road": "gravel",
    "belt": "treadmill",
}

# The sub-sports (FIT names) that fix a run's surface on their own.
SUB_SPORT_SURFACE: dict[str, str] = {
    "treadmill": "treadmill",
    "virtual_activity": "treadmill",
    "track": "track",
    "indoor_running": "track",
    "trail": "trail",
}

RUNNING_SPORTS = frozenset({"running"})


def normalize_surface(name: str) -> str | None:
    """The canonical surface for `name` (a surface or an alias), or None when unknown."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in SURFACES:
        return key
    return SURFACE_ALIASES.get(key)


def surface_for_sub_sport(sub_sport: str | None) -> str | None:
    """The surface a sub-sport implies (treadmill, track, trail), or None."""
    if not sub_sport:
        return None
    return SUB_SPORT_SURFACE.get(sub_sport)
