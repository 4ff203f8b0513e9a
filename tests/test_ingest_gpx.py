"""GPX ingest: sample runs read back exactly, GPS glitches left out, bad files refused."""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwear.geo import destination
from runwear.ingest.gpx import parse_gpx, sport_for_gpx_type
from runwear.ingest.model import Activity, IngestError, ParsedFile
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
RUN_10K = SampleRun(started_at=START, distance_m=10_000.0, duration_s=3_000.0, hill_m=10.0)


def only(data: bytes) -> Activity:
    """The single activity a GPX file holds."""
    parsed = parse_gpx(data)
    assert isinstance(parsed, ParsedFile)
    assert parsed.format == "gpx"
    assert parsed.file_type == "activity"
    assert len(parsed.activities) == 1
    return parsed.activities[0]


def refused(data: bytes) -> str:
    """The one-line message of the IngestError that `data` raises."""
    with pytest.raises(IngestError) as info:
        parse_gpx(data)
    message = str(info.value)
    assert "\n" not in message
    assert ". " in message  # what is wrong. What to do
    return message


def gpx_doc(body: str, *, head: str = "<?xml version='1.0' encoding='UTF-8'?>\n") -> bytes:
    """A GPX 1.1 document around `body`."""
    return (
        f'{head}<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>"
    ).encode()


def trk(*points: str) -> str:
    """A <trk> with one segment of `points`."""
    return f"<trk><trkseg>{''.join(points)}</trkseg></trk>"


def trkpt(lat: float, lon: float, time: str | None = None) -> str:
    """A track point, timed when `time` is given."""
    inner = f"<time>{time}</time>" if time else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>'


def assert_close(actual: float, expected: float, rel: float) -> None:
    """`actual` within `rel` (a fraction) of `expected`."""
    assert abs(actual - expected) <= rel * expected, (actual, expected)


# -- round trips -----------------------------------------------------------------------------


def test_round_trip_distance_start_duration():
    activity = only(gpx_bytes([RUN_10K]))
    assert_close(activity.distance_m, RUN_10K.distance_m, 0.001)
    assert activity.started_at == START
    assert activity.started_at.tzinfo is not None
    assert activity.duration_s == RUN_10K.duration_s
    assert activity.moving_s == RUN_10K.duration_s
    assert activity.sport == "running"
    assert activity.sub_sport == "generic"
    assert activity.is_run
    assert activity.name == "Morning Run"
    assert activity.device == "runwear sample"
    assert activity.utc_offset_s is None


def test_round_trip_ascent_of_sine_hills():
    activity = only(gpx_bytes([RUN_10K]))
    assert activity.ascent_m is not None
    assert_close(activity.ascent_m, RUN_10K.ascent_m, 0.02)


def test_flat_run_with_elevation_noise_climbs_nothing():
    flat = replace(RUN_10K, hill_m=0.0)
    data = gpx_bytes([flat]).decode()
    count = iter(range(10**6))
    noisy = re.sub(r"<ele>[^<]*</ele>", lambda _: f"<ele>{20 + next(count) % 3:.1f}</ele>", data)
    assert only(noisy.encode()).ascent_m == 0.0


@pytest.mark.parametrize(
    ("distance_m", "duration_s", "step_s"),
    [
        (5_000.0, 1_500.0, 1.0),
        (21_097.5, 6_300.0, 2.0),
        (42_195.0, 12_600.0, 5.0),
        (800.0, 200.0, 1.0),
    ],
)
def test_round_trip_other_distances(distance_m, duration_s, step_s):
    run = SampleRun(
        started_at=START, distance_m=distance_m, duration_s=duration_s, step_s=step_s, lat=-33.9
    )
    activity = only(gpx_bytes([run]))
    assert_close(activity.distance_m, distance_m, 0.001)
    assert activity.duration_s == duration_s


def test_fractional_second_times_round_trip():
    run = replace(RUN_10K, started_at=START + timedelta(milliseconds=250), duration_s=1_000.5)
    activity = only(gpx_bytes([run]))
    assert activity.started_at == run.started_at
    assert activity.duration_s == pytest.approx(1_000.5, abs=1e-6)


def test_track_is_compact_and_on_the_route():
    activity = only(gpx_bytes([RUN_10K]))
    assert 0 < len(activity.track) <= RUN_10K.duration_s / 5 + 2
    points = RUN_10K.points()
    assert activity.track[0] == pytest.approx((points[0].lat, points[0].lon), abs=1e-6)
    assert activity.track[-1] == pytest.approx((points[-1].lat, points[-1].lon), abs=1e-6)


@pytest.mark.parametrize(
    ("type_text", "sport", "sub_sport"),
    [
        ("running", "running", "generic"),
        ("Running", "running", "generic"),
        ("run", "running", "generic"),
        ("9", "running", "generic"),
        ("trail_running", "running", "trail"),
        ("TrailRun", "running", "trail"),
        ("Trail Run", "running", "trail"),
        ("treadmill_running", "running", "treadmill"),
        ("track_running", "running", "track"),
        ("indoor_running", "running", "indoor_running"),
        ("VirtualRun", "running", "virtual_activity"),
        ("cycling", "cycling", "generic"),
        ("biking", "cycling", "generic"),
        ("Ride", "cycling", "generic"),
        ("1", "cycling", "generic"),
        ("mountain_biking", "cycling", "mountain"),
        ("walking", "walking", "generic"),
        ("Walk", "walking", "generic"),
        ("10", "walking", "generic"),
        ("hiking", "hiking", "generic"),
        ("4", "hiking", "generic"),
        ("swimming", "swimming", "generic"),
        ("16", "swimming", "generic"),
        ("open_water_swimming", "swimming", "open_water"),
        ("Kayaking", "kayaking", None),
        ("Nordic Ski", "nordic_ski", None),
        ("53", "53", None),
    ],
)
def test_sport_from_track_type(type_text, sport, sub_sport):
    assert sport_for_gpx_type(type_text) == (sport, sub_sport)


@pytest.mark.parametrize(
    ("type_text", "is_run"), [("running", True), ("9", True), ("cycling", False)]
)
def test_sport_round_trip(type_text, is_run):
    activity = only(gpx_bytes([RUN_10K], activity_type=type_text))
    assert activity.is_run is is_run


def test_absent_or_blank_type_is_running():
    assert sport_for_gpx_type(None) == ("running", "generic")
    assert sport_for_gpx_type("  ") == ("running", "generic")
    activity = only(gpx_bytes([RUN_10K], activity_type=None))
    assert (activity.sport, activity.sub_sport) == ("running", "generic")


def test_several_tracks_are_several_activities():
    second = replace(RUN_10K, started_at=START + timedelta(days=1), distance_m=6_000.0, name="Easy")
    activities = parse_gpx(gpx_bytes([RUN_10K, second])).activities
    assert [a.started_at for a in activities] == [START, START + timedelta(days=1)]
    assert [a.name for a in activities] == ["Morning Run", "Easy"]
    assert_close(activities[0].distance_m, 10_000.0, 0.001)
    assert_close(activities[1].distance_m, 6_000.0, 0.001)


def test_jump_limit_is_for_sports_on_foot():
    ride = replace(RUN_10K, distance_m=45_000.0, duration_s=3_600.0)  # 12.5 m/s
    ridden = only(gpx_bytes([ride], activity_type="cycling"))
    assert ridden.sport == "cycling"
    assert_close(ridden.distance_m, 45_000.0, 0.001)
    assert only(gpx_bytes([ride])).distance_m < 40_000.0


def test_segments_are_one_activity_and_the_gap_adds_nothing():
    first = replace(RUN_10K, distance_m=5_000.0, duration_s=1_500.0)
    lat, lon = destination(first.lat, first.lon, 180.0, 2_000.0)
    second = replace(
        first, started_at=START + timedelta(seconds=2_100), lat=lat, lon=lon, name="Second"
    )
    data = gpx_bytes([first, second]).decode()
    merged, joins = re.subn(
        r"</trkseg>\s*</trk>\s*<trk>.*?<trkseg>", "</trkseg><trkseg>", data, flags=re.S
    )
    assert joins == 1
    activity = only(merged.encode())
    assert_close(activity.distance_m, 10_000.0, 0.001)
    assert activity.duration_s == 3_600.0
    assert activity.moving_s == 3_000.0


def test_times_with_offsets_are_converted_to_utc():
    local = gpx_bytes([RUN_10K]).decode().replace("Z</time>", "+02:00</time>")
    activity = only(local.encode())
    assert activity.started_at == START - timedelta(hours=2)
    assert activity.started_at.utcoffset() == timedelta(0)
    assert activity.utc_offset_s == 7_200
    assert activity.duration_s == RUN_10K.duration_s


def test_naive_times_are_utc():
    naive = gpx_bytes([RUN_10K]).decode().replace("Z</time>", "</time>")
    activity = only(naive.encode())
    assert activity.started_at == START
    assert activity.utc_offset_s is None


def test_metadata_time_and_name_when_points_have_none():
    body = (
        "<metadata><name>Planned long run</name><time>2024-05-01T06:30:00Z</time></metadata>"
        + trk(trkpt(51.5, -0.12), trkpt(51.501, -0.12))
    )
    activity = only(gpx_doc(body))
    assert activity.started_at == START
    assert activity.name == "Planned long run"
    assert activity.duration_s is None and activity.moving_s is None
    assert_close(activity.distance_m, 111.2, 0.01)


def test_bad_metadata_time_is_ignored_when_points_have_times():
    data = gpx_bytes([RUN_10K]).decode()
    data = data.replace(
        "<metadata><time>2024-05-01T06:30:00Z", "<metadata><time>2024-05-01T06:30:00+25:00"
    )
    assert only(data.encode()).started_at == START


def test_untimed_course_beside_a_recorded_track_is_left_out():
    data = gpx_bytes([RUN_10K]).decode()
    course = trk(trkpt(51.5, -0.12), trkpt(51.6, -0.12)).replace("<trk>", "<trk><name>C</name>")
    activity = only(data.replace("</gpx>", course + "</gpx>").encode())
    assert activity.name == "Morning Run"


# -- leading junk ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [b"\n", b"  \r\n\t ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n  ", b"\n" + codecs.BOM_UTF8],
)
def test_leading_whitespace_and_bom(prefix):
    activity = only(prefix + gpx_bytes([RUN_10K]))
    assert_close(activity.distance_m, RUN_10K.distance_m, 0.001)


def test_utf16_with_bom():
    data = gpx_bytes([RUN_10K]).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    activity = only(codecs.BOM_UTF16_LE + data.encode("utf-16-le"))
    assert activity.started_at == START


def test_declared_latin1_name():
    data = gpx_bytes([replace(RUN_10K, name="Café au lait")]).decode()
    data = data.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert only(data.encode("latin-1")).name == "Café au lait"


# -- GPS glitches ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "jump_at",
    [[1_500], [0], [1_499, 1_500, 1_501], [3_000], [10, 900, 2_000, 2_500]],
    ids=["middle", "first", "three-in-a-row", "last", "several"],
)
def test_gps_jump_is_left_out(jump_at):
    activity = only(gpx_bytes([RUN_10K], jump_at=jump_at))
    assert_close(activity.distance_m, 10_000.0, 0.005)
    assert activity.moving_s == pytest.approx(RUN_10K.duration_s, rel=0.005)
    start = (RUN_10K.lat, RUN_10K.lon)
    far = [p for p in activity.track if abs(p[1] - start[1]) > 0.06]
    assert far == []


def test_relocation_without_pause_becomes_the_new_reference():
    """A watch carried on a bus between two runs: the ride is left out, both runs count."""
    first = replace(RUN_10K, distance_m=4_000.0, duration_s=1_200.0)
    lat, lon = destination(first.lat, first.lon, 0.0, 3_000.0)
    second = replace(first, started_at=START + timedelta(seconds=1_260), lat=lat, lon=lon)
    data = gpx_bytes([first, second]).decode()
    merged = re.sub(r"</trkseg>\s*</trk>\s*<trk>.*?<trkseg>", "", data, flags=re.S)
    activity = only(merged.encode())
    assert_close(activity.distance_m, 8_000.0, 0.005)


def test_null_island_points_are_dropped():
    data = gpx_bytes([RUN_10K]).decode()
    lines = data.splitlines()
    index = next(i for i, line in enumerate(lines) if "<trkpt" in line) + 700
    glitch = trkpt(0.0, 0.0, "2024-05-01T06:41:40Z")
    lines[index:index] = [glitch, glitch.replace('"0.0"', '"0.0000000"')]
    activity = only("\n".join(lines).encode())
    assert_close(activity.distance_m, 10_000.0, 0.001)
    assert (0.0, 0.0) not in activity.track


def test_impossible_coordinates_are_dropped():
    data = gpx_bytes([RUN_10K]).decode()
    bad = '<trkpt lat="nan" lon="1"/><trkpt lat="95" lon="1"/><trkpt lat="1" lon="inf"/>'
    data = data.replace("<trkseg>", "<trkseg>" + bad, 1)
    assert_close(only(data.encode()).distance_m, 10_000.0, 0.001)


# -- files that are not a recorded run -------------------------------------------------------


def test_no_timestamps_anywhere():
    data = re.sub(r"<time>[^<]*</time>", "", gpx_bytes([RUN_10K]).decode())
    message = refused(data.encode())
    assert message.startswith("no timestamps")


@pytest.mark.parametrize(
    "body",
    [
        '<rte><name>Plan</name><rtept lat="51.5" lon="-0.1"/><rtept lat="51.6" lon="-0.1"/></rte>',
        '<wpt lat="51.5" lon="-0.12"><name>Car park</name></wpt>',
        '<wpt lat="51.5" lon="-0.12"/><trk><name>empty</name></trk>',
    ],
    ids=["route", "waypoint", "empty-track"],
)
def test_no_track(body):
    assert "holds no track" in refused(gpx_doc(body))


def test_empty_gpx():
    assert "no track" in refused(gpx_doc(""))


def test_single_point():
    body = trk(trkpt(51.5, -0.12, "2024-05-01T06:30:00Z"))
    assert "single point" in refused(gpx_doc(body))


def test_only_null_island():
    body = trk(trkpt(0, 0, "2024-05-01T06:30:00Z"), trkpt(0, 0, "2024-05-01T06:31:00Z"))
    assert "0,0" in refused(gpx_doc(body))


# -- broken files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b" \n\t", "empty"),
        (b"hello, world", "not XML"),
        (b'{"type": "FeatureCollection"}', "JSON"),
        (b"\x0e\x10\x08\x08\x00\x00\x00\x00.FIT\x00\x00", "FIT file"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b"<gpx version='1.1'><trk>\xff\xfe</trk></gpx>", "not UTF-8"),
        (b"<?xml version='1.0'?>\n<gpx version='1.1'>\n<trk><trkseg></trk>", "line 3"),
        (b"<?xml version='1.0'?><gpx version='1.1'><trk>", "not valid GPX XML"),
        (b"<?xml version='1.0'?><TrainingCenterDatabase/>", "TCX"),
        (b"<?xml version='1.0'?><kml/>", "root element is <kml>"),
        (
            b"<gpx version='1.1'><trk><trkseg><trkpt lat='x' lon='1'/></trkseg></trk></gpx>",
            "no usable position",
        ),
        (b"<gpx version='1.1'>\n&undefined;</gpx>", "GPX XML (line 2"),
    ],
)
def test_broken_files(data, expected):
    assert expected in refused(data)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>",
        b"\n\n<!doctype html><html lang='en'></html>",
        b"<html><body>502 Bad Gateway</body></html>",
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd"><html/>',
    ],
)
def test_html_saved_as_gpx(data):
    assert "HTML" in refused(data)


def test_bad_utc_offset_is_an_ingest_error():
    data = gpx_bytes([RUN_10K]).decode().replace("Z</time>", "+25:00</time>")
    assert "timestamp" in refused(data.encode())


# -- hostile files ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="&lol9;"><trk><name>&lol9;</name><trkseg>
<trkpt lat="51.5" lon="-0.12"><time>2024-05-01T06:30:00Z</time></trkpt>
<trkpt lat="51.6" lon="-0.12"><time>2024-05-01T07:30:00Z</time></trkpt>
</trkseg></trk></gpx>
"""


def test_billion_laughs_is_refused_at_once():
    started = time.perf_counter()
    assert "entities" in refused(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5


XXE_TEMPLATES = [
    # a general external entity in element text
    """<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "{url}">]>
<gpx version="1.1"><trk><name>&secret;</name><trkseg>
<trkpt lat="51.5" lon="-0.12"><time>2024-05-01T06:30:00Z</time></trkpt>
<trkpt lat="51.6" lon="-0.12"><time>2024-05-01T07:30:00Z</time></trkpt>
</trkseg></trk></gpx>""",
    # a parameter entity
    """<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY % p SYSTEM "{url}"> %p;]><gpx/>""",
    # an external DTD
    """<!DOCTYPE gpx SYSTEM "{url}"><gpx version="1.1"><trk><name>&secret;</name></trk></gpx>""",
    # after a comment, with a BOM and whitespace first
    """\ufeff \n<?xml version="1.0"?><!-- hi --><!DOCTYPE gpx [<!ENTITY s SYSTEM "{url}">]>
<gpx version="1.1" creator="&s;"/>""",
]


@pytest.mark.parametrize("template", XXE_TEMPLATES)
def test_external_entity_never_reads_the_file(tmp_path: Path, template: str):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242")
    data = template.format(url=secret.as_uri()).encode()
    with pytest.raises(IngestError) as info:
        parse_gpx(data)
    assert "TOP-SECRET-4242" not in str(info.value)
    assert "TOP-SECRET-4242" not in repr(info.value.__cause__)


def test_bare_doctype_without_entities_is_read():
    data = gpx_bytes([RUN_10K]).replace(b"?>\n<gpx", b"?>\n<!DOCTYPE gpx>\n<gpx", 1)
    assert_close(only(data).distance_m, 10_000.0, 0.001)


@pytest.mark.parametrize(
    "attack",
    [
        " xmlns" * 60_000,
        " xmlns:a" * 50_000,
        " ".join(f'xmlns:p{i}="urn:{i}"' for i in range(5_000)),
    ],
    ids=["no-equals", "prefix-no-equals", "many-prefixes"],
)
def test_namespace_floods_are_refused_fast(attack: str):
    data = f'<gpx version="1.1" {attack}></gpx>'.encode()
    started = time.perf_counter()
    assert "namespace" in refused(data)
    assert time.perf_counter() - started < 0.5


def test_namespaced_extensions_on_every_point_are_fine():
    data = (
        gpx_bytes([RUN_10K])
        .decode()
        .replace(
            "</time></trkpt>",
            '</time><extensions><ns3:TrackPointExtension xmlns:ns3="http://www.garmin.com/'
            'xmlschemas/TrackPointExtension/v1"><ns3:hr>150</ns3:hr></ns3:TrackPointExtension>'
            "</extensions></trkpt>",
        )
    )
    assert_close(only(data.encode()).distance_m, 10_000.0, 0.001)


# -- fuzzing ---------------------------------------------------------------------------------

SMALL = gpx_bytes(
    [replace(RUN_10K, distance_m=300.0, duration_s=90.0, step_s=10.0)], jump_at=[3]
).replace(b'creator="runwear sample"', b'creator="x" xmlns:ns3="urn:x"')


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete", "truncate"]),
            st.integers(min_value=0, max_value=len(SMALL) - 1),
            st.sampled_from(list(b"<>&;\"'=/!?[]% \n0123456789.-:Zxe\x00\xff")),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_gpx_parses_or_raises_ingest_error(edits):
    data = bytearray(SMALL)
    for kind, position, byte in edits:
        position %= max(len(data), 1)
        if kind == "flip":
            data[position : position + 1] = bytes([byte])
        elif kind == "insert":
            data[position:position] = bytes([byte])
        elif kind == "delete":
            del data[position : position + 1]
        else:
            del data[position:]
    try:
        parsed = parse_gpx(bytes(data))
    except IngestError as exc:
        assert str(exc)
        return
    for activity in parsed.activities:
        assert activity.distance_m >= 0.0
        assert activity.started_at.utcoffset() == timedelta(0)
