"""TCX ingest: generated files read back exactly, Strava's quirks, hostile and broken files."""

from __future__ import annotations

import codecs
import gzip
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from runwear.ingest.files import parse_source, source_for
from runwear.ingest.model import IngestError
from runwear.ingest.tcx import TRACK_STEP_S, parse_tcx
from runwear.samples.exports import tcx_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
RUN = SampleRun(started_at=START, distance_m=8_000.0, duration_s=2_400.0, hill_m=10.0)


def only(data: bytes):
    """The single activity of a TCX file."""
    parsed = parse_tcx(data)
    assert parsed.format == "tcx"
    assert parsed.file_type == "activity"
    (activity,) = parsed.activities
    return activity


def refused(data: bytes) -> str:
    """The one-line message of the IngestError that `data` raises."""
    with pytest.raises(IngestError) as info:
        parse_tcx(data)
    message = str(info.value)
    assert "\n" not in message
    assert ". " in message
    return message


def test_round_trip():
    activity = only(tcx_bytes([RUN], creator="Forerunner 935"))
    assert activity.started_at == START
    assert (activity.sport, activity.sub_sport) == ("running", "generic")
    assert activity.is_run
    assert activity.distance_m == pytest.approx(8_000.0)
    assert activity.duration_s == 2_400.0
    assert activity.moving_s == 2_400.0
    assert activity.ascent_m == pytest.approx(RUN.ascent_m, rel=0.02)
    assert activity.device == "Forerunner 935"
    assert activity.name is None


def test_track_is_thinned_to_one_point_every_five_seconds():
    activity = only(tcx_bytes([RUN]))  # a point every second
    points = RUN.points()
    assert len(activity.track) == len(points[:: int(TRACK_STEP_S)])
    assert activity.track[0] == pytest.approx((points[0].lat, points[0].lon), abs=1e-7)
    assert activity.track[-1] == pytest.approx((points[-1].lat, points[-1].lon), abs=1e-7)


@pytest.mark.parametrize("leading", ["   ", "\n\n  \t", "\ufeff", "\ufeff  \n"])
def test_leading_whitespace_and_bom_before_the_declaration(leading):
    assert only(tcx_bytes([RUN], leading=leading)).distance_m == pytest.approx(8_000.0)


def test_utf16_with_bom():
    text = tcx_bytes([RUN]).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert only(data).distance_m == pytest.approx(8_000.0)


@pytest.mark.parametrize(
    ("sport", "expected"),
    [("Running", "running"), ("Biking", "cycling"), ("Other", "generic"), ("Swim", "generic")],
)
def test_sport(sport, expected):
    activity = only(tcx_bytes([RUN], sport=sport))
    assert activity.sport == expected
    assert activity.is_run == (expected == "running")


def test_several_activities():
    later = SampleRun(started_at=START.replace(hour=18), distance_m=5_000.0, duration_s=1_500.0)
    parsed = parse_tcx(tcx_bytes([RUN, later]))
    assert [a.distance_m for a in parsed.activities] == pytest.approx([8_000.0, 5_000.0])


def test_without_lap_distance_the_trackpoint_distance_counts():
    data = re.sub(rb"<DistanceMeters>8000.00</DistanceMeters>", b"", tcx_bytes([RUN]), count=1)
    assert only(data).distance_m == pytest.approx(8_000.0)


def test_without_any_distance_the_track_length_counts():
    data = re.sub(rb"<DistanceMeters>[^<]*</DistanceMeters>", b"", tcx_bytes([RUN]))
    assert only(data).distance_m == pytest.approx(8_000.0, rel=0.001)


def test_namespace_prefix_reads_the_same():
    text = re.sub(r"<(/?)([A-Z])", r"<\1tcd:\2", tcx_bytes([RUN]).decode())  # every element
    text = text.replace("Database xmlns=", "Database xmlns:tcd=")
    assert "<tcd:Trackpoint>" in text
    assert only(text.encode()).distance_m == pytest.approx(8_000.0)


def test_times_with_offsets_and_fractions():
    data = tcx_bytes([RUN]).replace(
        b"<Id>2024-05-01T06:30:00Z</Id>", b"<Id>2024-05-01T08:30:00.5+02:00</Id>"
    )
    assert only(data).started_at == START.replace(microsecond=500_000)


def test_indoor_run_without_positions():
    data = re.sub(rb"<Position>.*?</Position>", b"", tcx_bytes([RUN]))
    activity = only(data)
    assert activity.track == ()
    assert activity.distance_m == pytest.approx(8_000.0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT", "FIT"),
        (b"<?xml version='1.0'?><gpx version='1.1'/>", "root element is <gpx>"),
        (b"<?xml version='1.0'?><TrainingCenterDatabase><Activities>", "not valid TCX XML"),
        (b"<TrainingCenterDatabase><Courses/></TrainingCenterDatabase>", "no activity"),
        (b"<TrainingCenterDatabase>\xff\xfe</TrainingCenterDatabase>", "not UTF-8"),
        (
            b"<TrainingCenterDatabase><Activities><Activity Sport='Running'><Lap>"
            b"<DistanceMeters>10</DistanceMeters></Lap></Activity></Activities>"
            b"</TrainingCenterDatabase>",
            "no start time",
        ),
        (b"<!DOCTYPE html><html></html>", "HTML"),
    ],
)
def test_broken_files(data, expected):
    assert expected in refused(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE TrainingCenterDatabase [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>&lol2;</Id>
</Activity></Activities></TrainingCenterDatabase>
"""


def test_entities_are_refused(tmp_path: Path):
    assert "entities" in refused(BILLION_LAUGHS)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        "<TrainingCenterDatabase><Activities><Activity Sport='Running'><Id>&s;</Id>"
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    message = refused(data)
    assert "TOP-SECRET-4242" not in message
    assert "TCX never uses" in message


def test_tcx_names_and_gzip_are_recognised(tmp_path: Path):
    for name in ("run.tcx", "run.TCX", "run.tcx.gz"):
        source = source_for(tmp_path / name)
        assert source.format == "tcx"
        assert source.gzipped == name.endswith(".gz")
    data = gzip.decompress(gzip.compress(tcx_bytes([RUN])))
    assert parse_source(data, "tcx").activities[0].distance_m == pytest.approx(8_000.0)


def test_laps_covering_less_than_the_trackpoints_give_way_to_them():
    """A Movescount TCX: the lap says 1,999 m, the trackpoints go on to the run's 8,000 m."""
    data = tcx_bytes([RUN]).decode()
    data = data.replace(
        "<DistanceMeters>8000.00</DistanceMeters>\n",
        "<DistanceMeters>1999.00</DistanceMeters>\n",
        1,
    )
    assert "<DistanceMeters>1999.00</DistanceMeters>" in data
    activity = only(data.encode())
    assert activity.distance_m == pytest.approx(8_000.0, rel=0.001)


def test_laps_that_agree_with_the_trackpoints_are_kept():
    data = tcx_bytes([RUN]).decode()
    data = data.replace(
        "<DistanceMeters>8000.00</DistanceMeters>\n",
        "<DistanceMeters>7950.00</DistanceMeters>\n",
        1,
    )
    assert only(data.encode()).distance_m == 7_950.0


def test_polar_utc_offset_in_the_id_is_kept():
    data = tcx_bytes([RUN]).decode()
    data = data.replace("<Id>2024-05-01T06:30:00Z</Id>", "<Id>2024-05-01T08:30:00+02:00</Id>")
    activity = only(data.encode())
    assert activity.started_at == START
    assert activity.utc_offset_s == 7_200


def test_timeline_from_trackpoint_distances():
    activity = only(tcx_bytes([RUN]))
    assert activity.timeline[0] == (0.0, 0.0)
    assert activity.timeline[-1][1] == pytest.approx(8_000.0, rel=0.01)
