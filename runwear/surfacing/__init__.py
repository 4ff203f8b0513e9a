"""The surface under each stretch of a run: the user's places, OpenStreetMap ways, fallbacks.

Pure values and functions: no database, no terminal. `split.split_run` is the entry point;
`geometry` holds the shapes and the spatial grid behind the lookups.
"""

from runwear.surfacing.geometry import BBox, Circle, Corridor, LocalProjection
from runwear.surfacing.split import (
    OsmIndex,
    Place,
    PlaceIndex,
    SurfaceLookup,
    SurfacePart,
    SurfaceSplit,
    WayIndex,
    split_run,
    split_track,
    whole_run,
)

__all__ = [
    "BBox",
    "Circle",
    "Corridor",
    "LocalProjection",
    "OsmIndex",
    "Place",
    "PlaceIndex",
    "SurfaceLookup",
    "SurfacePart",
    "SurfaceSplit",
    "WayIndex",
    "split_run",
    "split_track",
    "whole_run",
]
