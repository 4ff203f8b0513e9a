"""The local projection, distances to segments, circles, corridors and the segment grid."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runwear.geo import destination, haversine_m
from runwear.surfacing.geometry import (
    BBox,
    Circle,
    Corridor,
    LocalProjection,
    SegmentGrid,
    interpolate,
    point_segment_distance,
    point_segment_distance_m,
)

LONDON = (51.5007, -0.1246)
BEARINGS = (0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0)


def test_projection_matches_great_circle_distances_at_city_scale():
    proj = LocalProjection(*LONDON)
    for bearing in BEARINGS:
        lat, lon = destination(*LONDON, bearing, 3000.0)
        x, y = proj.to_xy(lat, lon)
        assert math.hypot(x, y) == pytest.approx(3000.0, rel=5e-4)
    assert proj.to_xy(*LONDON) == (0.0, 0.0)


def test_projection_round_trip_and_axes():
    proj = LocalProjection(*LONDON)
    north = destination(*LONDON, 0.0, 500.0)
    x, y = proj.to_xy(*north)
    assert x == pytest.approx(0.0, abs=1e-9)
    assert y == pytest.approx(500.0, rel=1e-9)
    assert proj.to_latlon(*proj.to_xy(51.51, -0.11)) == pytest.approx((51.51, -0.11), abs=1e-12)


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((5.0, 3.0), 3.0),  # beside the segment: the perpendicular
        ((-4.0, 3.0), 5.0),  # before the start: to the start
        ((13.0, -4.0), 5.0),  # past the end: to the end
        ((7.0, 0.0), 0.0),  # on it
    ],
)
def test_point_segment_distance(point, expected):
    assert point_segment_distance(*point, 0.0, 0.0, 10.0, 0.0) == pytest.approx(expected)


def test_point_segment_distance_to_a_zero_length_segment():
    assert point_segment_distance(3.0, 4.0, 0.0, 0.0, 0.0, 0.0) == pytest.approx(5.0)


def test_point_segment_distance_m_in_degrees():
    a = LONDON
    b = destination(*a, 90.0, 400.0)
    middle = destination(*a, 90.0, 200.0)
    off = destination(*middle, 0.0, 30.0)
    assert point_segment_distance_m(*off, a, b) == pytest.approx(30.0, rel=1e-3)
    beyond = destination(*b, 90.0, 40.0)
    assert point_segment_distance_m(*beyond, a, b) == pytest.approx(40.0, rel=1e-3)


def test_interpolate():
    assert interpolate((10.0, 20.0), (12.0, 24.0), 0.25) == pytest.approx((10.5, 21.0))


def test_bbox_around_contains_and_intersects():
    box = BBox.around([(1.0, 2.0), (3.0, -1.0), (2.0, 5.0)])
    assert box == BBox(1.0, -1.0, 3.0, 5.0)
    assert box.contains(2.0, 0.0)
    assert not box.contains(0.5, 0.0)
    assert box.intersects(BBox(2.5, 4.0, 9.0, 9.0))
    assert not box.intersects(BBox(3.5, 0.0, 4.0, 1.0))
    with pytest.raises(ValueError):
        BBox.around([])


def test_bbox_expanded_by_metres():
    box = BBox(*LONDON, *LONDON).expanded(100.0)
    for bearing in BEARINGS:
        assert box.contains(*destination(*LONDON, bearing, 99.0))
    assert not box.contains(*destination(*LONDON, 0.0, 101.0))
    assert not box.contains(*destination(*LONDON, 90.0, 101.0))


@pytest.mark.parametrize("bearing", BEARINGS)
def test_circle_edge(bearing):
    circle = Circle(*LONDON, 250.0)
    assert circle.contains(*destination(*LONDON, bearing, 249.5))
    assert not circle.contains(*destination(*LONDON, bearing, 250.5))
    assert circle.bbox.contains(*destination(*LONDON, bearing, 249.5))


def test_circle_values():
    circle = Circle(*LONDON, 250.0)
    assert circle.area_m2 == pytest.approx(math.pi * 250.0**2)
    assert circle.distance_m(*destination(*LONDON, 10.0, 123.0)) == pytest.approx(123.0)
    assert circle == Circle(*LONDON, 250.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((51.5, -0.12, 0.0), "radius must be positive"),
        ((51.5, -0.12, -5.0), "radius must be positive"),
        ((91.0, -0.12, 10.0), "not a latitude/longitude"),
        ((math.nan, -0.12, 10.0), "not a latitude/longitude"),
    ],
)
def test_circle_refuses_bad_values(args, message):
    with pytest.raises(ValueError, match=message):
        Circle(*args)


def _route() -> list[tuple[float, float]]:
    """An L-shaped route: 400 m east, then 300 m north."""
    corner = destination(*LONDON, 90.0, 400.0)
    return [LONDON, corner, destination(*corner, 0.0, 300.0)]


def test_corridor_width_is_the_full_width():
    corridor = Corridor(_route(), width_m=20.0)
    middle = destination(*LONDON, 90.0, 200.0)
    assert corridor.contains(*destination(*middle, 0.0, 9.5))
    assert corridor.contains(*destination(*middle, 180.0, 9.5))
    assert not corridor.contains(*destination(*middle, 0.0, 10.5))
    assert not corridor.contains(*destination(*middle, 180.0, 10.5))


def test_corridor_round_caps_and_bend():
    route = _route()
    corridor = Corridor(route, width_m=20.0)
    assert corridor.contains(*destination(*route[0], 270.0, 9.5))  # before the start
    assert not corridor.contains(*destination(*route[0], 270.0, 10.5))
    assert corridor.contains(*destination(*route[-1], 0.0, 9.5))  # past the end
    assert not corridor.contains(*destination(*route[-1], 0.0, 10.5))
    outside_bend = destination(*route[1], 135.0, 9.5)
    assert corridor.contains(*outside_bend)
    assert not corridor.contains(*destination(*route[1], 135.0, 10.5))
    assert corridor.distance_m(*outside_bend) == pytest.approx(9.5, abs=0.01)


def test_corridor_values():
    corridor = Corridor(_route(), width_m=20.0)
    assert corridor.length_m == pytest.approx(700.0, rel=1e-9)
    assert corridor.area_m2 == pytest.approx(700.0 * 20.0 + math.pi * 100.0, rel=1e-6)
    box = corridor.bbox
    for lat, lon in _route():
        for bearing in BEARINGS:
            assert box.contains(*destination(lat, lon, bearing, 9.9))
    assert corridor.points == tuple(_route())


@pytest.mark.parametrize(
    ("points", "width_m", "message"),
    [
        ([LONDON], 20.0, "at least two points"),
        ([LONDON, (51.6, -0.1)], 0.0, "width must be positive"),
        ([LONDON, (95.0, -0.1)], 20.0, "not a latitude/longitude"),
    ],
)
def test_corridor_refuses_bad_values(points, width_m, message):
    with pytest.raises(ValueError, match=message):
        Corridor(points, width_m)


def test_segment_grid_nearest_of_two_lines():
    grid = SegmentGrid(20.0)
    south = [LONDON, destination(*LONDON, 90.0, 300.0)]
    north_start = destination(*LONDON, 0.0, 30.0)
    north = [north_start, destination(*north_start, 90.0, 300.0)]
    grid.add(south, "south")
    grid.add(north, "north")
    probe = destination(*destination(*LONDON, 90.0, 150.0), 0.0, 18.0)
    value, distance_m = grid.nearest(*probe)
    assert value == "north"
    assert distance_m == pytest.approx(12.0, abs=0.01)
    probe = destination(*destination(*LONDON, 90.0, 150.0), 0.0, 8.0)
    assert grid.nearest(*probe)[0] == "south"
    assert grid.nearest(*destination(*LONDON, 180.0, 21.0)) is None
    assert grid.within(*destination(*LONDON, 180.0, 19.0))
    assert not grid.within(*destination(*LONDON, 180.0, 21.0))
    assert grid.segments == 2


def test_segment_grid_ties_go_to_the_first_added():
    grid = SegmentGrid(20.0)
    line = [LONDON, destination(*LONDON, 90.0, 100.0)]
    grid.add(line, "first")
    grid.add(line, "second")
    assert grid.nearest(*LONDON)[0] == "first"


def test_segment_grid_single_point():
    grid = SegmentGrid(20.0)
    grid.add([LONDON], "spot")
    assert grid.nearest(*destination(*LONDON, 45.0, 15.0))[0] == "spot"
    assert grid.nearest(*destination(*LONDON, 45.0, 25.0)) is None


def test_segment_grid_refuses_no_distance():
    with pytest.raises(ValueError):
        SegmentGrid(0.0)


_offsets = st.tuples(
    st.floats(min_value=-600.0, max_value=600.0), st.floats(min_value=-600.0, max_value=600.0)
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.lists(_offsets, min_size=2, max_size=5), min_size=1, max_size=5),
    probe=_offsets,
    base_lat=st.floats(min_value=-70.0, max_value=70.0),
)
def test_segment_grid_agrees_with_brute_force(lines, probe, base_lat):
    """The grid finds what checking every segment finds, across cell edges and latitudes."""
    proj = LocalProjection(base_lat, 10.0)
    grid = SegmentGrid(25.0)
    polylines = [[proj.to_latlon(x, y) for x, y in line] for line in lines]
    for index, points in enumerate(polylines):
        grid.add(points, index)
    lat, lon = proj.to_latlon(*probe)
    brute = min(
        point_segment_distance_m(lat, lon, a, b)
        for points in polylines
        for a, b in pairwise(points)
    )
    found = grid.nearest(lat, lon)
    if brute <= 24.99:
        assert found is not None
        assert found[1] == pytest.approx(brute, abs=1e-6)
    elif brute > 25.01:
        assert found is None


def test_corridor_distance_matches_haversine_perpendicular():
    a = LONDON
    b = destination(*a, 0.0, 1000.0)
    probe = destination(*destination(*a, 0.0, 500.0), 90.0, 7.0)
    corridor = Corridor([a, b], width_m=14.2)
    assert corridor.contains(*probe)
    assert corridor.distance_m(*probe) == pytest.approx(
        haversine_m(*probe, *destination(*a, 0.0, 500.0)), rel=1e-4
    )


def test_simplify_keeps_the_shape_within_tolerance():
    from runwear.surfacing.geometry import simplify

    straight = [destination(*LONDON, 90.0, 10.0 * k) for k in range(101)]
    assert simplify(straight, 1.0) == [straight[0], straight[-1]]
    bent = straight[:51] + [destination(*straight[50], 0.0, 10.0 * k) for k in range(1, 51)]
    kept = simplify(bent, 1.0)
    assert kept == [bent[0], bent[50], bent[-1]]
    wiggly = [destination(*p, 0.0, 0.4 * (-1) ** k) for k, p in enumerate(straight)]
    assert len(simplify(wiggly, 1.0)) == 2  # wiggles under the tolerance go
    assert len(simplify(wiggly, 0.1)) > 50
    assert simplify(straight[:2], 1.0) == straight[:2]
    kept = simplify(bent, 2.0)
    for point in bent:
        nearest = min(point_segment_distance_m(*point, a, b) for a, b in pairwise(kept))
        assert nearest <= 2.0


def test_segment_grid_clip_answers_alike_inside_the_clip():
    line = [destination(*LONDON, 45.0, 50.0 * k) for k in range(41)]
    full = SegmentGrid(20.0)
    full.add(line, "way")
    clip = BBox(*destination(*LONDON, 45.0, 600.0), *destination(*LONDON, 45.0, 1200.0))
    clipped = SegmentGrid(20.0)
    clipped.add(line, "way", clip=clip)
    assert clipped.segments < full.segments
    for k in range(200):
        point = destination(*destination(*LONDON, 45.0, 600.0 + 3.0 * k), 135.0, (k % 50) - 25.0)
        if clip.contains(*point):
            assert clipped.nearest(*point) == full.nearest(*point)
