"""Splitting generated runs by surface, against the geometric truth worked out by hand.

Every sample run is an out-and-back (runwear.samples.route.SampleRun): it runs `distance_m / 2`
along its bearing and back, so a place on its line is crossed twice.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runwear.geo import destination, path_length_m
from runwear.ingest.osm import iter_osm_ways
from runwear.samples.osm_writer import SampleWay, street_grid, write_osm
from runwear.samples.route import SampleRun
from runwear.surfacing.geometry import BBox, Circle, Corridor
from runwear.surfacing.split import (
    MAX_PIECE_M,
    Place,
    PlaceIndex,
    SurfacePart,
    SurfaceSplit,
    WayIndex,
    split_run,
    split_track,
    whole_run,
)

START = (51.5007, -0.1246)
BEARING = 45.0
SHOE = ("asphalt", "shoe")
T0 = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)


def track(distance_m: float = 4000.0, step_s: float = 5.0, bearing: float = BEARING):
    """An out-and-back run at 5:00/km from START: its (lat, lon) points."""
    run = SampleRun(
        T0,
        distance_m,
        duration_s=distance_m * 0.3,
        lat=START[0],
        lon=START[1],
        bearing_deg=bearing,
        step_s=step_s,
    )
    return [(p.lat, p.lon) for p in run.points()]


def along(metres: float, bearing: float = BEARING) -> tuple[float, float]:
    """The point `metres` along the run's outbound line."""
    return destination(*START, bearing, metres)


def beside(metres: float, offset_m: float) -> tuple[float, float]:
    """The point `metres` along the line, then `offset_m` to its left."""
    return destination(*along(metres), BEARING - 90.0, offset_m)


def parts(split: SurfaceSplit) -> dict[str, float]:
    return split.by_surface()


class Everywhere:
    """A lookup that answers the same surface at every position."""

    def __init__(self, surface: str | None, source: str = "osm") -> None:
        self.surface = surface
        self.source = source
        self.asked = 0

    def surface_at(self, lat: float, lon: float) -> str | None:
        self.asked += 1
        return self.surface


def places(*items: Place) -> PlaceIndex:
    return PlaceIndex(items)


# -- circles and corridors against the truth -------------------------------------------------


@pytest.mark.parametrize("step_s", [1.0, 5.0, 30.0, 120.0])
def test_straight_through_the_centre_of_a_circle(step_s):
    """250 m circle 1 km out: 500 m inside each way, at any point spacing (120 s = 400 m)."""
    index = places(Place("stadium", "track", Circle(*along(1000.0), 250.0)))
    split = split_track(track(step_s=step_s), 4000.0, [index], SHOE)
    got = parts(split)
    assert got["track"] == pytest.approx(1000.0, rel=0.01)
    assert got["track"] == pytest.approx(1000.0, abs=0.5)  # in fact far better than 1%
    assert got["asphalt"] == pytest.approx(3000.0, abs=0.5)
    assert split.parts[1] == SurfacePart("track", "place", got["track"])
    assert split.surface == "asphalt"
    assert split.source == "shoe"


def test_off_centre_chord():
    """Centre 150 m off the line: a chord of 2 * sqrt(250² - 150²) = 400 m each way."""
    index = places(Place("park", "grass", Circle(*beside(1000.0, 150.0), 250.0)))
    got = parts(split_track(track(), 4000.0, [index], SHOE))
    assert got["grass"] == pytest.approx(800.0, rel=0.01)
    assert got["grass"] + got["asphalt"] == 4000.0


def test_circle_missed():
    index = places(Place("park", "grass", Circle(*beside(1000.0, 260.0), 250.0)))
    split = split_track(track(), 4000.0, [index], SHOE)
    assert split.parts == (SurfacePart("asphalt", "shoe", 4000.0),)


def test_corridor_crossed_at_right_angles():
    """A 20 m corridor across the line: 20 m inside each way."""
    path = Corridor([beside(1000.0, -200.0), beside(1000.0, 200.0)], width_m=20.0)
    index = places(Place("towpath", "gravel", path))
    got = parts(split_track(track(), 4000.0, [index], SHOE))
    assert got["gravel"] == pytest.approx(40.0, rel=0.01)


def test_corridor_along_the_run():
    """Corridor on the line from 500 m to 1500 m: 1000 m plus two 10 m caps, each way."""
    path = Corridor([along(500.0), along(1000.0), along(1500.0)], width_m=20.0)
    index = places(Place("riverside", "trail", path))
    got = parts(split_track(track(), 4000.0, [index], SHOE))
    assert got["trail"] == pytest.approx(2040.0, rel=0.01)
    assert got["trail"] == pytest.approx(2040.0, abs=1.0)


def test_the_smallest_place_wins_where_they_overlap():
    """Track (100 m) inside a park (400 m), same centre: 200 m track, 600 m park, each way."""
    centre = along(1000.0)
    index = places(
        Place("park", "grass", Circle(*centre, 400.0)),
        Place("track", "track", Circle(*centre, 100.0)),
    )
    got = parts(split_track(track(), 4000.0, [index], SHOE))
    assert got["track"] == pytest.approx(400.0, rel=0.01)
    assert got["grass"] == pytest.approx(1200.0, rel=0.01)
    assert got["asphalt"] == pytest.approx(2400.0, rel=0.01)


def test_a_sparse_polyline_does_not_step_over_a_place():
    """Two points 2 km apart; a 250 m circle at 1.5 km still counts its 500 m."""
    index = places(Place("stadium", "track", Circle(*along(1500.0), 250.0)))
    got = parts(split_track([START, along(2000.0)], 2000.0, [index], SHOE))
    assert got["track"] == pytest.approx(500.0, rel=0.01)
    assert MAX_PIECE_M <= 50.0


def test_parts_are_scaled_to_the_device_distance():
    """The watch says 3% more than the track's length: every part grows by 3%."""
    points = track()
    length = path_length_m(points)
    index = places(Place("stadium", "track", Circle(*along(1000.0), 250.0)))
    split = split_track(points, length * 1.03, [index], SHOE)
    assert parts(split)["track"] == pytest.approx(1030.0, rel=0.001)
    assert split.distance_m == length * 1.03


# -- order of the lookups and the fallback ---------------------------------------------------


def test_places_come_before_openstreetmap_and_the_fallback():
    index = places(Place("stadium", "track", Circle(*along(1000.0), 250.0)))
    osm = Everywhere("concrete")
    split = split_track(track(), 4000.0, [index, osm], SHOE)
    assert split.parts == (
        SurfacePart("concrete", "osm", pytest.approx(3000.0, abs=0.5)),
        SurfacePart("track", "place", pytest.approx(1000.0, abs=0.5)),
    )


def test_an_unknown_answer_passes_to_the_next():
    """OpenStreetMap knows a path but not its surface: the shoe's usual surface decides."""
    split = split_track(track(), 4000.0, [Everywhere("unknown"), Everywhere(None)], SHOE)
    assert split.parts == (SurfacePart("asphalt", "shoe", 4000.0),)


def test_nobody_knows_and_no_shoe():
    split = split_track(track(), 4000.0, [Everywhere(None)])
    assert split.parts == (SurfacePart("unknown", None, 4000.0),)
    assert (split.surface, split.source) == ("unknown", None)


def test_a_run_without_a_track_gets_the_fallback():
    lookup = Everywhere("concrete")
    split = split_track([], 8000.0, [lookup], ("trail", "shoe"))
    assert split == SurfaceSplit((SurfacePart("trail", "shoe", 8000.0),), "trail", "shoe")
    assert lookup.asked == 0


def test_a_zero_distance_run_has_no_parts():
    split = split_track(track(), 0.0, [Everywhere("concrete")], SHOE)
    assert split == SurfaceSplit((), "asphalt", "shoe")


def test_a_track_that_never_moves_takes_its_first_point():
    index = places(Place("gym", "track", Circle(*START, 50.0)))
    split = split_track([START] * 20, 5000.0, [index], SHOE)
    assert split.parts == (SurfacePart("track", "place", 5000.0),)


def test_each_part_names_its_main_source():
    """Concrete from a place (1000 m) and from OpenStreetMap (3000 m): one part, source osm."""
    index = places(Place("plaza", "concrete", Circle(*along(1000.0), 250.0)))
    split = split_track(track(), 4000.0, [index, Everywhere("concrete")], SHOE)
    assert split.parts == (SurfacePart("concrete", "osm", 4000.0),)


def test_parts_are_longest_first():
    index = places(
        Place("a", "grass", Circle(*along(400.0), 100.0)),
        Place("b", "sand", Circle(*along(1000.0), 300.0)),
    )
    split = split_track(track(), 4000.0, [index], SHOE)
    assert [p.surface for p in split.parts] == ["asphalt", "sand", "grass"]
    distances = [p.distance_m for p in split.parts]
    assert distances == sorted(distances, reverse=True)


@settings(max_examples=60, deadline=None)
@given(
    distance_m=st.floats(min_value=0.001, max_value=200_000.0),
    radius_m=st.floats(min_value=5.0, max_value=2000.0),
    step_s=st.sampled_from([1.0, 5.0, 37.0]),
)
def test_parts_always_sum_exactly_to_the_distance(distance_m, radius_m, step_s):
    index = places(
        Place("a", "track", Circle(*along(900.0), radius_m)),
        Place("b", "grass", Circle(*beside(1500.0, 40.0), radius_m / 3)),
    )
    split = split_track(track(3000.0, step_s), distance_m, [index, Everywhere("gravel")], SHOE)
    assert sum(part.distance_m for part in split.parts) == distance_m
    assert math.fsum(part.distance_m for part in split.parts) == distance_m
    assert sum(part.distance_m for part in reversed(split.parts)) == distance_m
    assert all(part.distance_m > 0 for part in split.parts)
    assert split.surface == split.parts[0].surface


# -- the whole-run rules ---------------------------------------------------------------------


def test_a_manual_tag_wins_over_everything():
    split = split_run(
        5000.0,
        track(),
        [Everywhere("concrete")],
        SHOE,
        manual_surface="sand",
        sub_sport="treadmill",
    )
    assert split == SurfaceSplit((SurfacePart("sand", "manual", 5000.0),), "sand", "manual")


@pytest.mark.parametrize(
    ("sub_sport", "surface"),
    [("treadmill", "treadmill"), ("indoor_running", "track"), ("virtual_activity", "treadmill")],
)
def test_an_indoor_run_is_one_surface(sub_sport, surface):
    lookup = Everywhere("concrete")
    split = split_run(5000.0, track(), [lookup], SHOE, sub_sport=sub_sport)
    assert split.parts == (SurfacePart(surface, "device", 5000.0),)
    assert lookup.asked == 0


@pytest.mark.parametrize("sub_sport", ["trail", "track", "generic", "street", None])
def test_an_outdoor_run_is_split_by_its_track(sub_sport):
    split = split_run(4000.0, track(), [Everywhere("concrete")], SHOE, sub_sport=sub_sport)
    assert split.parts == (SurfacePart("concrete", "osm", 4000.0),)


def test_whole_run():
    assert whole_run(10.0, "grass", "place").parts == (SurfacePart("grass", "place", 10.0),)


@pytest.mark.parametrize("distance_m", [-1.0, math.nan, math.inf])
def test_a_distance_must_be_metres(distance_m):
    with pytest.raises(ValueError, match="finite number of metres"):
        split_track(track(), distance_m)


def test_surfaces_must_be_runwear_surfaces():
    with pytest.raises(ValueError, match="unknown surface 'tarmac'"):
        split_track(track(), 100.0, [], ("tarmac", "shoe"))
    with pytest.raises(ValueError, match="unknown surface 'lava'"):
        Place("volcano", "lava", Circle(*START, 100.0))


# -- the place index -------------------------------------------------------------------------


def test_place_index_answers_the_smallest_place():
    park = Place("park", "grass", Circle(*START, 400.0))
    stadium = Place("stadium", "track", Circle(*START, 100.0))
    index = PlaceIndex([park, stadium])
    assert index.place_at(*START) is stadium
    assert index.place_at(*destination(*START, 0.0, 200.0)) is park
    assert index.surface_at(*destination(*START, 0.0, 500.0)) is None
    assert index.surface_at(10.0, 10.0) is None
    assert len(index) == 2
    assert PlaceIndex([]).surface_at(*START) is None


def test_place_index_holds_a_place_bigger_than_its_grid():
    """A 600 km circle covers too many cells to index: it is checked on every query."""
    country = Place("country", "asphalt", Circle(*START, 600_000.0))
    stadium = Place("stadium", "track", Circle(*START, 100.0))
    index = PlaceIndex([country, stadium])
    assert index.place_at(*START) is stadium
    assert index.place_at(*destination(*START, 90.0, 300_000.0)) is country
    assert index.place_at(*destination(*START, 90.0, 700_000.0)) is None


def test_place_index_matches_a_brute_force_search():
    shapes = [Circle(*along(100.0 * i), 30.0 + 7 * i) for i in range(25)]
    shapes += [Corridor([beside(50.0 * i, -80.0), beside(50.0 * i, 80.0)], 12.0) for i in range(9)]
    all_places = [Place(f"p{i}", "grass", shape) for i, shape in enumerate(shapes)]
    index = PlaceIndex(all_places)
    for lat, lon in track(6000.0, step_s=2.0):
        holding = [p for p in all_places if p.shape.contains(lat, lon)]
        expected = min(holding, key=lambda p: p.shape.area_m2) if holding else None
        assert index.place_at(lat, lon) is expected


# -- OpenStreetMap ways ----------------------------------------------------------------------


def along_row(metres: float) -> tuple[float, float]:
    """The point `metres` east of START (on the southern street)."""
    return destination(*START, 90.0, metres)


def _streets(tmp_path: Path) -> WayIndex:
    """Three east-west and three north-south streets 100 m apart; the middle row is a grass path.

    The middle row starts 100 m north of START and runs 200 m east.
    """

    def tags(kind: str, index: int) -> dict[str, str]:
        if kind == "row" and index == 1:
            return {"highway": "footway", "surface": "grass"}
        return {"highway": "residential"}

    ways = street_grid(*START, rows=3, cols=3, spacing_m=100.0, tags_for=tags)
    path = write_osm(tmp_path / "grid.osm", ways)
    return WayIndex(iter_osm_ways(path))


def test_a_run_along_an_osm_path_and_past_its_end(tmp_path):
    """A lone 200 m grass path: the run covers it and 20 m more within reach of its end."""
    start = destination(*START, 0.0, 1000.0)  # far from the street grid
    path = [start, destination(*start, 90.0, 100.0), destination(*start, 90.0, 200.0)]
    file = write_osm(
        tmp_path / "path.osm", [SampleWay({"highway": "path", "surface": "grass"}, path)]
    )
    index = WayIndex(iter_osm_ways(file))
    run = SampleRun(T0, 600.0, 180.0, lat=start[0], lon=start[1], bearing_deg=90.0, step_s=5.0)
    points = [(p.lat, p.lon) for p in run.points()]
    got = parts(split_track(points, 600.0, [index], ("trail", "shoe")))
    assert got["grass"] == pytest.approx(440.0, rel=0.01)
    assert got["trail"] == pytest.approx(160.0, rel=0.01)


def test_a_sidewalk_run_takes_the_road_beside_it(tmp_path):
    """8 m south of the southern street (asphalt, no surface tag), inside the 20 m reach."""
    index = _streets(tmp_path)
    start = destination(*destination(*START, 180.0, 8.0), 90.0, 20.0)
    run = SampleRun(T0, 300.0, 90.0, lat=start[0], lon=start[1], bearing_deg=90.0, step_s=5.0)
    split = split_track([(p.lat, p.lon) for p in run.points()], 300.0, [index], SHOE)
    assert split.parts == (SurfacePart("asphalt", "osm", 300.0),)


def test_way_index_answers_the_nearest_way_within_reach(tmp_path):
    index = _streets(tmp_path)
    osm_id, surface, distance_m = index.way_at(*destination(*along_row(50.0), 0.0, 95.0))
    assert (osm_id, surface) == (2, "grass")
    assert distance_m == pytest.approx(5.0, abs=0.01)
    assert index.surface_at(*destination(*START, 180.0, 30.0)) is None
    assert index.ways == 6
    assert index.segments == 12
    assert index.for_area(BBox(*START, *START)) is index


def test_an_osm_index_is_narrowed_once_to_the_run(tmp_path):
    inner = _streets(tmp_path)
    seen: list[BBox] = []

    class Narrowing:
        source = "osm"

        def surface_at(self, lat: float, lon: float) -> str | None:
            raise AssertionError("the narrowed index must answer")

        def for_area(self, bbox: BBox) -> WayIndex:
            seen.append(bbox)
            return inner

    points = track(1000.0)
    split_track(points, 1000.0, [Narrowing()], SHOE)
    assert seen == [BBox.around(points)]


def test_a_rule_surface_covers_the_whole_run_after_manual_and_indoor():
    lookup = Everywhere("concrete")
    split = split_run(5000.0, track(), [lookup], SHOE, rule_surface="grass")
    assert split == SurfaceSplit((SurfacePart("grass", "rule", 5000.0),), "grass", "rule")
    assert lookup.asked == 0
    assert (
        split_run(5000.0, track(), [], SHOE, rule_surface="grass", manual_surface="sand").source
        == "manual"
    )
    indoor = split_run(5000.0, track(), [], SHOE, rule_surface="grass", sub_sport="treadmill")
    assert indoor.parts == (SurfacePart("treadmill", "device", 5000.0),)
    hinted = split_run(5000.0, (), [], SHOE, sub_sport="treadmill", device_source="export")
    assert hinted.source == "export"


def test_place_index_touches():
    index = places(Place("stadium", "track", Circle(*along(1000.0), 250.0)))
    assert index.touches(BBox.around(track()))
    assert not index.touches(
        BBox(*destination(*START, 180.0, 2000.0), *destination(*START, 180.0, 1500.0))
    )
    assert not PlaceIndex([]).touches(BBox.around(track()))
