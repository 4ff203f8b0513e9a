"""Plane geometry at city scale: a local projection, distances to segments, and place shapes.

Everything here works on WGS84 (lat, lon) in degrees and answers in metres. Over the few
kilometres of a run an equirectangular projection (metres east and north of a reference point,
the east axis shrunk by the cosine of the reference latitude) is accurate to about 0.02% per
kilometre away from the reference, far below GPS noise.

Shapes and the segment grid assume nothing crosses the ±180° meridian (no city does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple

from runwear.geo import EARTH_RADIUS_M, haversine_m

METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0  # along a meridian, about 111.2 km
MIN_COS_LAT = 1e-6  # keeps the east scale finite at the poles
SEGMENT_CELL_DEG = 0.001  # grid cell of a SegmentGrid: about 111 m north-south


def metres_per_degree_lon(lat: float) -> float:
    """Metres per degree of longitude at latitude `lat` (degrees)."""
    return METRES_PER_DEGREE * max(MIN_COS_LAT, math.cos(math.radians(lat)))


class BBox(NamedTuple):
    """A latitude/longitude box in degrees, edges included."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> BBox:
        """The smallest box holding every (lat, lon) point; ValueError when there is none."""
        lats: list[float] = []
        lons: list[float] = []
        for lat, lon in points:
            lats.append(lat)
            lons.append(lon)
        if not lats:
            raise ValueError("a bounding box needs at least one point")
        return cls(min(lats), min(lons), max(lats), max(lons))

    def contains(self, lat: float, lon: float) -> bool:
        """Whether (lat, lon) lies in the box."""
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def intersects(self, other: BBox) -> bool:
        """Whether the two boxes share at least one point."""
        return (
            self.min_lat <= other.max_lat
            and other.min_lat <= self.max_lat
            and self.min_lon <= other.max_lon
            and other.min_lon <= self.max_lon
        )

    def expanded(self, margin_m: float) -> BBox:
        """The box grown by `margin_m` metres on every side."""
        dlat = margin_m / METRES_PER_DEGREE
        # Degrees of longitude are narrowest on the edge farthest from the equator.
        widest = min(90.0, max(abs(self.min_lat), abs(self.max_lat)) + dlat)
        dlon = margin_m / metres_per_degree_lon(widest)
        return BBox(
            max(-90.0, self.min_lat - dlat),
            self.min_lon - dlon,
            min(90.0, self.max_lat + dlat),
            self.max_lon + dlon,
        )


class LocalProjection:
    """Equirectangular projection around (ref_lat, ref_lon): metres east (x) and north (y)."""

    __slots__ = ("kx", "ky", "ref_lat", "ref_lon")

    def __init__(self, ref_lat: float, ref_lon: float = 0.0) -> None:
        self.ref_lat = ref_lat
        self.ref_lon = ref_lon
        self.kx = metres_per_degree_lon(ref_lat)  # metres per degree east
        self.ky = METRES_PER_DEGREE  # metres per degree north

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        """(x_m east, y_m north) of (lat, lon) from the reference point."""
        return (lon - self.ref_lon) * self.kx, (lat - self.ref_lat) * self.ky

    def to_latlon(self, x_m: float, y_m: float) -> tuple[float, float]:
        """The (lat, lon) at x_m east and y_m north of the reference point."""
        return self.ref_lat + y_m / self.ky, self.ref_lon + x_m / self.kx


def point_segment_distance(
    px: float, py: float, ax: float, ay: float, bx: float, by: float
) -> float:
    """Planar distance from point p to segment a-b; all coordinates in metres."""
    return math.sqrt(_point_segment_d2(px - ax, py - ay, bx - ax, by - ay))


def _point_segment_d2(px: float, py: float, dx: float, dy: float) -> float:
    """Squared distance from p to the segment from the origin to d (p and d relative to a)."""
    length2 = dx * dx + dy * dy
    if length2 > 0.0:
        t = (px * dx + py * dy) / length2
        if t > 1.0:
            px, py = px - dx, py - dy
        elif t > 0.0:
            px, py = px - t * dx, py - t * dy
    return px * px + py * py


def point_segment_distance_m(
    lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Distance in metres from (lat, lon) to the segment a-b, given as (lat, lon) degrees."""
    proj = LocalProjection(lat, lon)
    ax, ay = proj.to_xy(*a)
    bx, by = proj.to_xy(*b)
    return point_segment_distance(0.0, 0.0, ax, ay, bx, by)


def interpolate(
    a: tuple[float, float], b: tuple[float, float], fraction: float
) -> tuple[float, float]:
    """The point `fraction` (0..1) of the way from a to b, linear in degrees (fine below ~1 km)."""
    return a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction


class SegmentGrid:
    """Polylines cut into segments, bucketed in a lat/lon grid, for "nearest within d m" queries.

    Each segment is registered in every cell its box, grown by `max_distance_m`, touches, so a
    query reads one cell. Each polyline carries a value (a way, a place) returned by `nearest`.
    """

    def __init__(self, max_distance_m: float, cell_deg: float = SEGMENT_CELL_DEG) -> None:
        if not max_distance_m > 0:
            raise ValueError(f"max_distance_m must be positive, not {max_distance_m!r}")
        self.max_distance_m = float(max_distance_m)
        self._inv_cell = 1.0 / cell_deg
        self._limit2 = self.max_distance_m**2
        # cell -> segments: (min_lat, max_lat, min_lon, max_lon, a_lat, a_lon, b_lat, b_lon, value)
        self._cells: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        self.segments = 0

    def add(
        self, points: Sequence[tuple[float, float]], value: Any, clip: BBox | None = None
    ) -> None:
        """Register the polyline through (lat, lon) `points`; a lone point is a zero-length one.

        With `clip`, only the segments within reach of that box are kept, in the cells over it
        (and one cell around, against rounding): for an index that is only asked inside `clip`.
        """
        if len(points) == 1:
            points = (points[0], points[0])
        dlat = self.max_distance_m / METRES_PER_DEGREE
        inv = self._inv_cell
        floor = math.floor
        cells = self._cells
        if clip is not None:
            lo_i, hi_i = floor(clip.min_lat * inv) - 1, floor(clip.max_lat * inv) + 1
            lo_j, hi_j = floor(clip.min_lon * inv) - 1, floor(clip.max_lon * inv) + 1
        for (alat, alon), (blat, blon) in pairwise(points):
            dlon = self.max_distance_m / metres_per_degree_lon(max(abs(alat), abs(blat)) + dlat)
            min_lat, max_lat = min(alat, blat) - dlat, max(alat, blat) + dlat
            min_lon, max_lon = min(alon, blon) - dlon, max(alon, blon) + dlon
            first_i, last_i = floor(min_lat * inv), floor(max_lat * inv)
            first_j, last_j = floor(min_lon * inv), floor(max_lon * inv)
            if clip is not None:
                if (
                    max_lat < clip.min_lat
                    or min_lat > clip.max_lat
                    or max_lon < clip.min_lon
                    or min_lon > clip.max_lon
                ):
                    continue
                first_i, last_i = max(first_i, lo_i), min(last_i, hi_i)
                first_j, last_j = max(first_j, lo_j), min(last_j, hi_j)
            segment = (min_lat, max_lat, min_lon, max_lon, alat, alon, blat, blon, value)
            for i in range(first_i, last_i + 1):
                for j in range(first_j, last_j + 1):
                    bucket = cells.get((i, j))
                    if bucket is None:
                        cells[(i, j)] = [segment]
                    else:
                        bucket.append(segment)
            self.segments += 1

    def nearest(self, lat: float, lon: float) -> tuple[Any, float] | None:
        """(value, distance_m) of the nearest segment within max_distance_m, else None.

        Ties go to the polyline added first.
        """
        inv = self._inv_cell
        bucket = self._cells.get((math.floor(lat * inv), math.floor(lon * inv)))
        if bucket is None:
            return None
        kx = metres_per_degree_lon(lat)
        ky = METRES_PER_DEGREE
        best = math.inf
        best_value = None
        for min_lat, max_lat, min_lon, max_lon, alat, alon, blat, blon, value in bucket:
            if lat < min_lat or lat > max_lat or lon < min_lon or lon > max_lon:
                continue
            ax = (lon - alon) * kx
            ay = (lat - alat) * ky
            d2 = _point_segment_d2(ax, ay, (blon - alon) * kx, (blat - alat) * ky)
            if d2 < best:
                best, best_value = d2, value
        if best > self._limit2:
            return None
        return best_value, math.sqrt(best)

    def within(self, lat: float, lon: float) -> bool:
        """Whether some segment lies within max_distance_m of (lat, lon)."""
        inv = self._inv_cell
        bucket = self._cells.get((math.floor(lat * inv), math.floor(lon * inv)))
        if bucket is None:
            return False
        kx = metres_per_degree_lon(lat)
        ky = METRES_PER_DEGREE
        limit2 = self._limit2
        for min_lat, max_lat, min_lon, max_lon, alat, alon, blat, blon, _ in bucket:
            if lat < min_lat or lat > max_lat or lon < min_lon or lon > max_lon:
                continue
            ax = (lon - alon) * kx
            ay = (lat - alat) * ky
            if _point_segment_d2(ax, ay, (blon - alon) * kx, (blat - alat) * ky) <= limit2:
                return True
        return False


def _check_position(lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"({lat}, {lon}) is not a latitude/longitude in degrees")


@dataclass(frozen=True)
class Circle:
    """A disc of `radius_m` metres around a centre (a stadium track, a park, a beach)."""

    center_lat: float
    center_lon: float
    radius_m: float
    _kx: float = field(init=False, repr=False, compare=False)
    _r2: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_position(self.center_lat, self.center_lon)
        if not self.radius_m > 0:
            raise ValueError(f"a circle's radius must be positive, not {self.radius_m!r} m")
        object.__setattr__(self, "_kx", metres_per_degree_lon(self.center_lat))
        object.__setattr__(self, "_r2", self.radius_m * self.radius_m)

    def distance_m(self, lat: float, lon: float) -> float:
        """Distance in metres from the centre to (lat, lon)."""
        return haversine_m(self.center_lat, self.center_lon, lat, lon)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether (lat, lon) lies within radius_m of the centre (the edge included)."""
        dx = (lon - self.center_lon) * self._kx
        dy = (lat - self.center_lat) * METRES_PER_DEGREE
        return dx * dx + dy * dy <= self._r2

    @property
    def bbox(self) -> BBox:
        """The box around the disc, for index pre-filtering."""
        return BBox(self.center_lat, self.center_lon, self.center_lat, self.center_lon).expanded(
            self.radius_m
        )

    @property
    def area_m2(self) -> float:
        """The disc's area in square metres."""
        return math.pi * self.radius_m * self.radius_m


@dataclass(frozen=True)
class Corridor:
    """A band along a route (a riverside path): the points within width_m / 2 of the polyline.

    `width_m` is the full width of the band, both sides together: a 20 m corridor reaches 10 m
    to each side of the route, and past its two ends as round caps.
    """

    points: tuple[tuple[float, float], ...]  # (lat, lon) along the route
    width_m: float
    _grid: SegmentGrid = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        points = tuple((float(lat), float(lon)) for lat, lon in self.points)
        if len(points) < 2:
            raise ValueError("a corridor needs a route of at least two points")
        for lat, lon in points:
            _check_position(lat, lon)
        if not self.width_m > 0:
            raise ValueError(f"a corridor's width must be positive, not {self.width_m!r} m")
        object.__setattr__(self, "points", points)
        grid = SegmentGrid(self.width_m / 2)
        grid.add(points, None)
        object.__setattr__(self, "_grid", grid)

    def distance_m(self, lat: float, lon: float) -> float:
        """Distance in metres from (lat, lon) to the route (its nearest segment)."""
        return min(point_segment_distance_m(lat, lon, a, b) for a, b in pairwise(self.points))

    def contains(self, lat: float, lon: float) -> bool:
        """Whether (lat, lon) lies within width_m / 2 of the route (the edge included)."""
        return self._grid.within(lat, lon)

    @property
    def bbox(self) -> BBox:
        """The box around the band, for index pre-filtering."""
        return BBox.around(self.points).expanded(self.width_m / 2)

    @property
    def length_m(self) -> float:
        """The route's length in metres."""
        return sum(haversine_m(a[0], a[1], b[0], b[1]) for a, b in pairwise(self.points))

    @property
    def area_m2(self) -> float:
        """The band's area in square metres (overlaps at bends counted twice; round caps in)."""
        half = self.width_m / 2
        return self.length_m * self.width_m + math.pi * half * half


def simplify(
    points: Sequence[tuple[float, float]], tolerance_m: float
) -> list[tuple[float, float]]:
    """The polyline with the points it can do without (Douglas-Peucker): none of the points
    left out lies farther than `tolerance_m` from the simplified line. Ends are kept."""
    points = list(points)
    if len(points) < 3:
        return points
    proj = LocalProjection(*points[0])
    xy = [proj.to_xy(lat, lon) for lat, lon in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit2 = tolerance_m * tolerance_m
    while stack:
        first, last = stack.pop()
        ax, ay = xy[first]
        dx, dy = xy[last][0] - ax, xy[last][1] - ay
        worst, worst_d2 = -1, limit2
        for k in range(first + 1, last):
            d2 = _point_segment_d2(xy[k][0] - ax, xy[k][1] - ay, dx, dy)
            if d2 > worst_d2:
                worst, worst_d2 = k, d2
        if worst >= 0:
            keep[worst] = True
            stack.append((first, worst))
            stack.append((worst, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]
