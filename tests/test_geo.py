"""Spherical geometry: haversine against known distances, destinations, Google polylines."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runwear.geo import (
    EARTH_RADIUS_M,
    decode_polyline,
    destination,
    encode_polyline,
    haversine_m,
    path_length_m,
)

ONE_DEGREE_M = 2 * math.pi * EARTH_RADIUS_M / 360  # 111,195.08 m on the mean sphere


def flat(points: list[tuple[float, float]]) -> list[float]:
    """(lat, lon) pairs as one flat list, for pytest.approx."""
    return [value for point in points for value in point]


def test_one_degree_of_latitude_and_of_longitude_on_the_equator():
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(ONE_DEGREE_M, rel=1e-12)
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(ONE_DEGREE_M, rel=1e-12)
    assert round(ONE_DEGREE_M, 2) == 111_195.08


def test_longitude_shrinks_with_latitude():
    at_60 = haversine_m(60.0, 0.0, 60.0, 0.001)
    assert at_60 == pytest.approx(ONE_DEGREE_M * 0.001 * 0.5, rel=1e-6)


def test_quarter_and_half_of_a_great_circle():
    assert haversine_m(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_M)
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert haversine_m(45.0, 10.0, -45.0, -170.0) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_nashville_to_los_angeles():
    """Rosetta Code's haversine example: 2,887.2599506 km on a 6,372.8 km sphere."""
    expected_m = 2_887_259.9506071106 * EARTH_RADIUS_M / 6_372_800.0
    assert haversine_m(36.12, -86.67, 33.94, -118.40) == pytest.approx(expected_m, rel=1e-9)


def test_across_the_antimeridian():
    assert haversine_m(0.0, 179.5, 0.0, -179.5) == pytest.approx(ONE_DEGREE_M, rel=1e-9)


def test_zero_and_symmetric():
    assert haversine_m(51.5, -0.12, 51.5, -0.12) == 0.0
    a = haversine_m(51.5007, -0.1246, 48.8584, 2.2945)
    assert a == haversine_m(48.8584, 2.2945, 51.5007, -0.1246)
    assert a == pytest.approx(341_500, rel=0.005)  # London to Paris, about 341.5 km


def test_small_steps_are_exact():
    """A 1 m step, as between 1 Hz running points, keeps full relative precision."""
    lat, lon = destination(51.5, -0.12, 33.0, 1.0)
    assert haversine_m(51.5, -0.12, lat, lon) == pytest.approx(1.0, rel=1e-7)


def test_destination_due_north_and_east():
    lat, lon = destination(10.0, 20.0, 0.0, ONE_DEGREE_M)
    assert (lat, lon) == pytest.approx((11.0, 20.0), abs=1e-9)
    lat, lon = destination(0.0, 20.0, 90.0, ONE_DEGREE_M)
    assert (lat, lon) == pytest.approx((0.0, 21.0), abs=1e-9)


def test_destination_zero_distance_is_the_start():
    assert destination(51.5, -0.12, 123.0, 0.0) == pytest.approx((51.5, -0.12), abs=1e-12)


def test_destination_wraps_longitude():
    lat, lon = destination(0.0, 179.9, 90.0, 0.2 * ONE_DEGREE_M)
    assert lat == pytest.approx(0.0, abs=1e-9)
    assert lon == pytest.approx(-179.9, abs=1e-9)
    assert -180.0 <= lon < 180.0


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(min_value=-80.0, max_value=80.0),
    lon=st.floats(min_value=-180.0, max_value=180.0),
    bearing=st.floats(min_value=0.0, max_value=360.0),
    distance_m=st.floats(min_value=0.0, max_value=1_000_000.0),
)
def test_destination_round_trip(lat, lon, bearing, distance_m):
    end = destination(lat, lon, bearing, distance_m)
    assert haversine_m(lat, lon, *end) == pytest.approx(distance_m, rel=1e-7, abs=1e-6)
    assert -90.0 <= end[0] <= 90.0
    assert -180.0 <= end[1] < 180.0


def test_path_length_is_the_sum_of_steps():
    points = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    expected = haversine_m(0.0, 0.0, 1.0, 0.0) + haversine_m(1.0, 0.0, 1.0, 1.0)
    assert path_length_m(points) == pytest.approx(expected)
    assert path_length_m(iter(points)) == pytest.approx(expected)
    assert path_length_m([]) == 0.0
    assert path_length_m([(51.5, -0.12)]) == 0.0


GOOGLE_POINTS = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]
GOOGLE_ENCODED = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


def test_polyline_google_example_encodes():
    assert encode_polyline(GOOGLE_POINTS) == GOOGLE_ENCODED


def test_polyline_google_example_decodes():
    assert flat(decode_polyline(GOOGLE_ENCODED)) == pytest.approx(flat(GOOGLE_POINTS), abs=1e-9)


def test_polyline_single_coordinate_from_google_docs():
    """Google's worked example: -179.9832104 encodes as `` `~oia@ ``."""
    encoded = encode_polyline([(-179.9832104, 0.0)])
    assert encoded == "`~oia@?"
    assert decode_polyline(encoded) == [(-179.98321, 0.0)]


def test_polyline_empty():
    assert encode_polyline([]) == ""
    assert decode_polyline("") == []


def test_polyline_precision_six():
    points = [(51.500712, -0.124623), (51.500901, -0.124411)]
    encoded = encode_polyline(points, precision=6)
    assert flat(decode_polyline(encoded, precision=6)) == pytest.approx(flat(points), abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-90.0, max_value=90.0),
            st.floats(min_value=-180.0, max_value=180.0),
        ),
        max_size=30,
    )
)
def test_polyline_round_trip(points):
    decoded = decode_polyline(encode_polyline(points))
    assert len(decoded) == len(points)
    for (lat, lon), (dlat, dlon) in zip(points, decoded, strict=True):
        assert abs(lat - dlat) <= 0.5e-5 + 1e-9
        assert abs(lon - dlon) <= 0.5e-5 + 1e-9
    assert encode_polyline(decoded) == encode_polyline(points)
