"""Split a run's distance by surface: each stretch of its track asks the lookups in order.

Where a run's surface comes from, first match wins (`split_run`):

1. a manual tag of the whole run (source "manual");
2. an indoor run (treadmill, indoor track, virtual run) -> that surface, whole run ("device");
3. a rule of the user's that gives the whole run a surface ("rule");
4. per stretch of track (`split_track`): the lookups in the order given — the user's places
   ("place"), then the OpenStreetMap ways the user loaded ("osm") — else the fallback: the
   surface an outdoor sub-sport implies (trail, track: "device"), else the shoe's usual
   surface ("shoe"), else ("unknown", None). The caller picks the fallback.

How a track is measured (`split_track`):

- The track is cut into pieces: each segment between two points, and segments longer than
  MAX_PIECE_M cut into equal pieces, so a sparse polyline cannot jump over a small place.
- Each piece is classified at its midpoint by the first lookup that answers a known surface. A
  lookup answering "unknown" (an OpenStreetMap footway without a surface tag) passes the
  question on, so the shoe's usual surface can still decide.
- Where two neighbouring pieces differ, the boundary between their midpoints is found by
  bisection to within REFINE_M, whatever the spacing of the track's points.
- Pieces are summed per surface and scaled so the parts add up exactly to the run's
  `distance_m` (the device's distance and the track's length differ slightly).
- Each part names the source that gave most of its distance.
- A run without a track gets the fallback for its whole distance; a track without length
  (every point the same) gets the surface of its first point.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from runwear.geo import haversine_m
from runwear.surfacing.geometry import BBox, Circle, Corridor, SegmentGrid
from runwear.vocab import SUB_SPORT_SURFACE, SURFACES

MAX_PIECE_M = 50.0  # longer segments are cut, so a 250 m circle is never stepped over
REFINE_M = 0.1  # how closely a change of surface between two pieces is located
OSM_MATCH_M = 20.0  # a track point takes the surface of the nearest way within this distance
QUANTUM_M = 2.0**-20  # parts but the longest are multiples of this (about 1 µm) ...
MAX_EXACT_M = 2.0**32  # ... so that they add up exactly below this distance
OSM_TILE_DEG = 0.01  # tiles of a TiledWayIndex: about 1.1 km north-south
MAX_CACHED_SEGMENTS = 300_000  # way segments a TiledWayIndex keeps in memory (~100 MB)
PLACE_CELL_DEG = 0.01  # grid cell of the place index: about 1.1 km north-south
MAX_PLACE_CELLS = 10_000  # a place covering more cells is checked on every query instead

UNKNOWN = "unknown"
SOURCE_MANUAL = "manual"
SOURCE_RULE = "rule"
SOURCE_DEVICE = "device"
SOURCE_PLACE = "place"
SOURCE_OSM = "osm"
SOURCE_SHOE = "shoe"

# Sub-sports (FIT names) recorded indoors: the device's surface holds for the whole run.
INDOOR_SUB_SPORTS = frozenset({"treadmill", "indoor_running", "virtual_activity"})

Fallback = tuple[str, str | None]  # (surface, source) for stretches no lookup knows
UNKNOWN_FALLBACK: Fallback = (UNKNOWN, None)

_SURFACE_ORDER = {surface: i for i, surface in enumerate(SURFACES)}


# -- what the splitter asks ------------------------------------------------------------------


class SurfaceLookup(Protocol):
    """Something that knows the surface at some positions: the user's places, OpenStreetMap."""

    source: str  # stored with the parts it decides: "place", "osm"

    def surface_at(self, lat: float, lon: float) -> str | None:
        """The runwear surface at (lat, lon), or None when this lookup does not know."""
        ...


class OsmIndex(SurfaceLookup, Protocol):
    """OpenStreetMap ways: the surface of the nearest way within OSM_MATCH_M of a position.

    `for_area` is called once per run with the box around its track, before any
    `surface_at`: an index backed by a database loads the ways near the run in one query and
    answers from memory (`WayIndex` is that in-memory part).
    """

    def for_area(self, bbox: BBox) -> SurfaceLookup:
        """A lookup answering within `bbox` (the track's box; the index adds its reach)."""
        ...


# -- the user's places -----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A named area the user knows the surface of: a circle or a corridor along a route."""

    name: str
    surface: str
    shape: Circle | Corridor

    def __post_init__(self) -> None:
        if self.surface not in SURFACES:
            raise ValueError(f"unknown surface {self.surface!r} for place {self.name!r}")


class PlaceIndex:
    """The user's places in a grid of PLACE_CELL_DEG cells, for fast `surface_at` queries.

    Where places overlap, the smallest one wins (a stadium track inside a park is track);
    places of the same area keep the order given.
    """

    source = SOURCE_PLACE

    def __init__(self, places: Iterable[Place], cell_deg: float = PLACE_CELL_DEG) -> None:
        self.places = tuple(places)
        self._boxes = [place.shape.bbox for place in self.places]
        self._inv_cell = 1.0 / cell_deg
        self._cells: dict[tuple[int, int], list[tuple[float, float, float, float, Place]]] = {}
        self._everywhere: list[tuple[float, float, float, float, Place]] = []
        by_area = sorted(enumerate(self.places), key=lambda item: (item[1].shape.area_m2, item[0]))
        inv = self._inv_cell
        for _, place in by_area:
            box = place.shape.bbox
            entry = (box.min_lat, box.max_lat, box.min_lon, box.max_lon, place)
            rows = range(math.floor(box.min_lat * inv), math.floor(box.max_lat * inv) + 1)
            cols = range(math.floor(box.min_lon * inv), math.floor(box.max_lon * inv) + 1)
            if len(rows) * len(cols) > MAX_PLACE_CELLS:
                self._everywhere.append(entry)
                continue
            for i in rows:
                for j in cols:
                    self._cells.setdefault((i, j), []).append(entry)
        if self._everywhere:  # merge them back into area order, cell by cell
            for key, bucket in self._cells.items():
                self._cells[key] = sorted(
                    [*bucket, *self._everywhere], key=lambda e: e[4].shape.area_m2
                )

    def place_at(self, lat: float, lon: float) -> Place | None:
        """The smallest place holding (lat, lon), or None."""
        inv = self._inv_cell
        bucket = self._cells.get((math.floor(lat * inv), math.floor(lon * inv)))
        if bucket is None:
            bucket = self._everywhere
        for min_lat, max_lat, min_lon, max_lon, place in bucket:
            if (
                min_lat <= lat <= max_lat
                and min_lon <= lon <= max_lon
                and place.shape.contains(lat, lon)
            ):
                return place
        return None

    def surface_at(self, lat: float, lon: float) -> str | None:
        """The surface of the smallest place holding (lat, lon), or None."""
        place = self.place_at(lat, lon)
        return place.surface if place is not None else None

    def touches(self, bbox: BBox) -> bool:
        """Whether some place's box meets `bbox` (a run elsewhere needs no place lookups)."""
        return any(box.intersects(bbox) for box in self._boxes)

    def __len__(self) -> int:
        return len(self.places)


# -- OpenStreetMap ways in memory ------------------------------------------------------------


class WayLike(Protocol):
    """A way as `runwear.ingest.osm.iter_osm_ways` reads it (or as a database row gives it)."""

    @property
    def osm_id(self) -> int: ...

    @property
    def surface(self) -> str: ...

    @property
    def points(self) -> Sequence[tuple[float, float]]: ...


class WayIndex:
    """OpenStreetMap ways in memory: each position takes the surface of the nearest way.

    The nearest way within `max_distance_m` decides, even when its surface is "unknown" (a
    footway without a surface tag): a farther road does not speak for a path the runner is on.
    """

    source = SOURCE_OSM

    def __init__(self, ways: Iterable[WayLike] = (), max_distance_m: float = OSM_MATCH_M) -> None:
        self._grid = SegmentGrid(max_distance_m)
        self.ways = 0
        for way in ways:
            self.add(way.osm_id, way.surface, way.points)

    def add(self, osm_id: int, surface: str, points: Sequence[tuple[float, float]]) -> None:
        """Add one way: its OpenStreetMap id, runwear surface and (lat, lon) points."""
        if points:
            self._grid.add(points, (osm_id, surface))
            self.ways += 1

    def way_at(self, lat: float, lon: float) -> tuple[int, str, float] | None:
        """(osm_id, surface, distance_m) of the nearest way within reach, or None."""
        found = self._grid.nearest(lat, lon)
        if found is None:
            return None
        (osm_id, surface), distance_m = found
        return osm_id, surface, distance_m

    def surface_at(self, lat: float, lon: float) -> str | None:
        """The surface of the nearest way within reach, or None."""
        found = self._grid.nearest(lat, lon)
        return found[0][1] if found is not None else None

    def for_area(self, bbox: BBox) -> WayIndex:
        """Every way is in memory already: this index answers anywhere."""
        return self

    @property
    def segments(self) -> int:
        """How many way segments the index holds."""
        return self._grid.segments


# -- OpenStreetMap ways from a store, tile by tile -------------------------------------------

WayRow = tuple[int, str, Sequence[tuple[float, float]]]  # (osm_id, surface, (lat, lon) points)


class TiledWayIndex:
    """OpenStreetMap ways fetched from a store tile by tile, answering like `WayIndex`.

    The map is cut into tiles of `tile_deg` degrees. The first question inside a tile fetches
    the ways within reach of it (`fetch(box)`: the ways whose box meets `box`, in id order)
    and indexes their segments near the tile. Tiles stay cached, least recently used first
    out once they hold more than `max_segments` segments, so memory stays bounded however
    large the loaded area, and runs over the same streets reuse the tiles already built.
    """

    source = SOURCE_OSM

    def __init__(
        self,
        fetch: Callable[[BBox], Iterable[WayRow]],
        max_distance_m: float = OSM_MATCH_M,
        tile_deg: float = OSM_TILE_DEG,
        max_segments: int = MAX_CACHED_SEGMENTS,
    ) -> None:
        self._fetch = fetch
        self.max_distance_m = max_distance_m
        self.tile_deg = tile_deg
        self.max_segments = max_segments
        self._inv = 1.0 / tile_deg
        self._tiles: OrderedDict[tuple[int, int], SegmentGrid] = OrderedDict()
        self._segments = 0
        self._last: tuple[tuple[int, int], SegmentGrid] | None = None
        self.tiles_loaded = 0  # tiles fetched so far, reloads after eviction included

    def surface_at(self, lat: float, lon: float) -> str | None:
        """The surface of the nearest way within reach, or None."""
        found = self._grid(lat, lon).nearest(lat, lon)
        return found[0][1] if found is not None else None

    def way_at(self, lat: float, lon: float) -> tuple[int, str, float] | None:
        """(osm_id, surface, distance_m) of the nearest way within reach, or None."""
        found = self._grid(lat, lon).nearest(lat, lon)
        if found is None:
            return None
        (osm_id, surface), distance_m = found
        return osm_id, surface, distance_m

    def for_area(self, bbox: BBox) -> TiledWayIndex:
        """Tiles load as the track reaches them: this index answers anywhere."""
        return self

    @property
    def cached_segments(self) -> int:
        """Segments held by the cached tiles."""
        return self._segments

    def _grid(self, lat: float, lon: float) -> SegmentGrid:
        key = (math.floor(lat * self._inv), math.floor(lon * self._inv))
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        grid = self._tiles.get(key)
        if grid is None:
            grid = self._load(key)
        else:
            self._tiles.move_to_end(key)
        self._last = (key, grid)
        return grid

    def _load(self, key: tuple[int, int]) -> SegmentGrid:
        size = self.tile_deg
        tile = BBox(key[0] * size, key[1] * size, (key[0] + 1) * size, (key[1] + 1) * size)
        grid = SegmentGrid(self.max_distance_m)
        for osm_id, surface, points in self._fetch(tile.expanded(self.max_distance_m)):
            if points:
                grid.add(points, (osm_id, surface), clip=tile)
        self.tiles_loaded += 1
        self._tiles[key] = grid
        self._segments += grid.segments
        while self._segments > self.max_segments and len(self._tiles) > 1:
            _, old = self._tiles.popitem(last=False)
            self._segments -= old.segments
        return grid


# -- the split -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurfacePart:
    """The distance a run covered on one surface, and where that surface came from."""

    surface: str
    source: str | None  # manual, device, place, osm, shoe; None for an unknown fallback
    distance_m: float


@dataclass(frozen=True)
class SurfaceSplit:
    """A run's distance by surface: one part per surface, longest first, summing to the run."""

    parts: tuple[SurfacePart, ...]
    surface: str  # the dominant surface: the longest part's (the fallback for a 0 m run)
    source: str | None  # where the dominant surface came from

    @property
    def distance_m(self) -> float:
        """The parts' total: the run's distance."""
        return sum(part.distance_m for part in self.parts)

    def by_surface(self) -> dict[str, float]:
        """{surface: distance_m}, longest first: the rows of `activity_surfaces`."""
        return {part.surface: part.distance_m for part in self.parts}


def split_run(
    distance_m: float,
    track: Sequence[tuple[float, float]],
    lookups: Sequence[SurfaceLookup] = (),
    fallback: Fallback = UNKNOWN_FALLBACK,
    *,
    manual_surface: str | None = None,
    sub_sport: str | None = None,
    rule_surface: str | None = None,
    device_source: str = SOURCE_DEVICE,
) -> SurfaceSplit:
    """A run's split, first match wins: manual tag, indoor sub-sport, rule, then `split_track`.

    `rule_surface` is the surface a user's rule gives the whole run (source "rule");
    `device_source` names where an indoor sub-sport came from ("device", or "export" when an
    account export said so).
    """
    if manual_surface is not None:
        return whole_run(distance_m, manual_surface, SOURCE_MANUAL)
    if sub_sport in INDOOR_SUB_SPORTS:
        return whole_run(distance_m, SUB_SPORT_SURFACE[sub_sport], device_source)
    if rule_surface is not None:
        return whole_run(distance_m, rule_surface, SOURCE_RULE)
    return split_track(track, distance_m, lookups, fallback)


def whole_run(distance_m: float, surface: str, source: str | None) -> SurfaceSplit:
    """One surface for the whole distance (no part at all for a 0 m run)."""
    _check_distance(distance_m)
    _check_surface(surface)
    parts = (SurfacePart(surface, source, float(distance_m)),) if distance_m > 0 else ()
    return SurfaceSplit(parts, surface, source)


def split_track(
    track: Sequence[tuple[float, float]],
    distance_m: float,
    lookups: Sequence[SurfaceLookup] = (),
    fallback: Fallback = UNKNOWN_FALLBACK,
) -> SurfaceSplit:
    """Split `distance_m` by the surface under each stretch of `track` ((lat, lon) points).

    `lookups` are asked in order (places, then OpenStreetMap); `fallback` (surface, source)
    holds where none knows. The parts sum exactly to `distance_m`.
    """
    _check_distance(distance_m)
    fallback = (fallback[0], fallback[1])
    _check_surface(fallback[0])
    if distance_m == 0 or not track:
        return whole_run(distance_m, *fallback)
    active = _for_area(lookups, track)
    classify = _classifier(active, fallback)
    pieces = _Pieces.cut(track)
    if not pieces.lengths:
        return whole_run(distance_m, *classify(*track[0]))
    keys = [classify(lat, lon) for lat, lon in pieces.midpoints()]
    totals: dict[tuple[str, str | None], float] = {}
    for key, length in zip(keys, pieces.lengths, strict=True):
        totals[key] = totals.get(key, 0.0) + length
    for i, (left, right) in enumerate(pairwise(keys)):
        if left != right:
            shift = pieces.boundary_shift(i, left, classify)
            totals[left] += shift
            totals[right] -= shift
    return _scaled(totals, distance_m)


# -- inside split_track ----------------------------------------------------------------------


def _check_distance(distance_m: float) -> None:
    if not (math.isfinite(distance_m) and distance_m >= 0):
        raise ValueError(f"a run's distance must be a finite number of metres >= 0: {distance_m}")


def _check_surface(surface: str) -> None:
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r} (one of {', '.join(SURFACES)})")


def _for_area(
    lookups: Sequence[SurfaceLookup], track: Sequence[tuple[float, float]]
) -> list[SurfaceLookup]:
    """Each lookup narrowed to the run's area when it can be (an OsmIndex)."""
    box: BBox | None = None
    active: list[SurfaceLookup] = []
    for lookup in lookups:
        narrow = getattr(lookup, "for_area", None)
        if narrow is not None:
            if box is None:
                box = BBox.around(track)
            lookup = narrow(box)
        active.append(lookup)
    return active


def _classifier(
    lookups: Sequence[SurfaceLookup], fallback: Fallback
) -> Callable[[float, float], Fallback]:
    """(lat, lon) -> (surface, source) from the first lookup that knows, else the fallback."""
    calls = [(lookup.surface_at, lookup.source) for lookup in lookups]

    def classify(lat: float, lon: float) -> Fallback:
        for surface_at, source in calls:
            surface = surface_at(lat, lon)
            if surface is not None and surface != UNKNOWN:
                return surface, source
        return fallback

    return classify


class _Pieces:
    """The track cut into pieces of at most MAX_PIECE_M: endpoints and lengths in metres."""

    __slots__ = ("a_lat", "a_lon", "b_lat", "b_lon", "lengths")

    def __init__(self) -> None:
        self.a_lat: list[float] = []
        self.a_lon: list[float] = []
        self.b_lat: list[float] = []
        self.b_lon: list[float] = []
        self.lengths: list[float] = []

    @classmethod
    def cut(cls, track: Sequence[tuple[float, float]]) -> _Pieces:
        """Cut at every point and within long segments; zero-length steps leave no piece."""
        pieces = cls()
        a_lat, a_lon, b_lat, b_lon = pieces.a_lat, pieces.a_lon, pieces.b_lat, pieces.b_lon
        lengths = pieces.lengths
        for (lat1, lon1), (lat2, lon2) in pairwise(track):
            length = haversine_m(lat1, lon1, lat2, lon2)
            if length <= 0.0:
                continue
            if length <= MAX_PIECE_M:
                a_lat.append(lat1)
                a_lon.append(lon1)
                b_lat.append(lat2)
                b_lon.append(lon2)
                lengths.append(length)
                continue
            n = math.ceil(length / MAX_PIECE_M)
            dlat, dlon = (lat2 - lat1) / n, (lon2 - lon1) / n
            for k in range(n):
                a_lat.append(lat1 + dlat * k)
                a_lon.append(lon1 + dlon * k)
                b_lat.append(lat1 + dlat * (k + 1) if k + 1 < n else lat2)
                b_lon.append(lon1 + dlon * (k + 1) if k + 1 < n else lon2)
                lengths.append(length / n)
        return pieces

    def midpoints(self) -> Iterable[tuple[float, float]]:
        """The middle of each piece, as (lat, lon)."""
        return zip(
            [(a + b) * 0.5 for a, b in zip(self.a_lat, self.b_lat, strict=True)],
            [(a + b) * 0.5 for a, b in zip(self.a_lon, self.b_lon, strict=True)],
            strict=True,
        )

    def at(self, i: int, fraction: float) -> tuple[float, float]:
        """The point `fraction` (0..1) along piece i."""
        return (
            self.a_lat[i] + (self.b_lat[i] - self.a_lat[i]) * fraction,
            self.a_lon[i] + (self.b_lon[i] - self.a_lon[i]) * fraction,
        )

    def boundary_shift(
        self, i: int, left: Fallback, classify: Callable[[float, float], Fallback]
    ) -> float:
        """Metres to move from piece i+1's surface to piece i's (negative: the other way).

        Counting whole pieces puts the change of surface at the end of piece i. Bisection
        between the two midpoints finds where the `left` surface really ends.
        """
        half_left = self.lengths[i] / 2
        half_right = self.lengths[i + 1] / 2
        lo, hi = 0.0, half_left + half_right  # metres after piece i's midpoint
        while hi - lo > REFINE_M:
            t = (lo + hi) / 2
            if t <= half_left:
                point = self.at(i, 0.5 + t / self.lengths[i])
            else:
                point = self.at(i + 1, (t - half_left) / self.lengths[i + 1])
            if classify(*point) == left:
                lo = t
            else:
                hi = t
        return (lo + hi) / 2 - half_left


def _scaled(totals: dict[tuple[str, str | None], float], distance_m: float) -> SurfaceSplit:
    """One part per surface, longest first, summing exactly to `distance_m`; main source each."""
    by_surface: dict[str, float] = {}
    best_source: dict[str, tuple[float, str | None]] = {}
    for (surface, source), metres in totals.items():
        if metres <= 0.0:
            continue
        by_surface[surface] = by_surface.get(surface, 0.0) + metres
        if surface not in best_source or metres > best_source[surface][0]:
            best_source[surface] = (metres, source)
    scale = distance_m / math.fsum(by_surface.values())
    ranked = sorted(
        by_surface.items(), key=lambda item: (-item[1], _SURFACE_ORDER.get(item[0], 99), item[0])
    )
    metres = _summing_to([m * scale for _, m in ranked], distance_m)
    parts = tuple(
        SurfacePart(surface, best_source[surface][1], m)
        for (surface, _), m in zip(ranked, metres, strict=True)
        if m > 0
    )
    return SurfaceSplit(parts, parts[0].surface, parts[0].source)


def _summing_to(values: list[float], total: float) -> list[float]:
    """`values` (longest first) adjusted to add up to `total` exactly, in any order.

    All but the first are rounded to a multiple of QUANTUM_M and the first takes the rest.
    Every value, and every partial sum, is then a multiple of the smallest step of `total`
    no larger than `total`: representable exactly, so no addition rounds, in whatever order
    Python's sum, math.fsum or SQLite's sum() adds them.
    """
    if total >= MAX_EXACT_M:
        return [total - math.fsum(values[1:]), *values[1:]]
    rest = [round(value / QUANTUM_M) * QUANTUM_M for value in values[1:]]
    return [total - sum(rest), *rest]
