"""The fast GPX reader (points cut out by a regular expression) against expat's callbacks.

`read_gpx` takes the fast path only when every <trkpt> is written the usual way; whatever the
path, it must read exactly what `read_gpx_slowly` (callbacks for every element) reads, and
refuse a broken document with the same words.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from itertools import pairwise

import pytest

from runwear.geo import haversine_m
from runwear.ingest import gpx_read
from runwear.ingest.gpx import parse_gpx
from runwear.ingest.gpx_read import read_gpx, read_gpx_slowly
from runwear.ingest.model import IngestError
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
RUN = SampleRun(started_at=START, distance_m=1_000.0, duration_s=300.0, step_s=10.0)
HEAD = '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
GARMIN = (
    '<gpx version="1.1" creator="Garmin Connect" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
)
POINT = '<trkpt lat="51.5{i:03d}" lon="-0.1{i:03d}"><ele>1{i}.5</ele><time>{t}</time></trkpt>'


def points(n: int, template: str = POINT) -> str:
    """`n` points a minute apart, written with `template`."""
    return "\n".join(
        template.format(i=i, t=f"2024-05-01T06:{i:02d}:00Z", lat=51.5 + i / 1000) for i in range(n)
    )


def doc(body: str, head: str = HEAD) -> str:
    """A GPX document around `body` (tracks, or whatever a test puts there)."""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}\n{body}\n</gpx>\n'


def track(body: str, name: str = "Run") -> str:
    """One <trk> with one <trkseg> holding `body`."""
    return f"<trk><name>{name}</name><type>running</type><trkseg>\n{body}\n</trkseg></trk>"


GARMIN_POINT = (
    '<trkpt lat="51.5{i:03d}" lon="-0.1{i:03d}"><ele>12.0</ele><time>{t}</time><extensions>'
    "<ns3:TrackPointExtension><ns3:hr>14{i}</ns3:hr><ns3:cad>8{i}</ns3:cad>"
    "</ns3:TrackPointExtension></extensions></trkpt>"
)
FAST = {
    "sample run": gpx_bytes([RUN]).decode(),
    "two tracks": gpx_bytes([RUN, RUN]).decode(),
    "garmin extensions": doc(track(points(5, GARMIN_POINT)), GARMIN),
    "no elevation": doc(
        track(points(4, '<trkpt lat="1.{i}" lon="2.{i}"><time>{t}</time></trkpt>'))
    ),
    "no time": doc(track(points(4, '<trkpt lat="1.{i}" lon="2.{i}"><ele>3</ele></trkpt>'))),
    "empty elevation and time": doc(
        track(points(3, '<trkpt lat="1.{i}" lon="2.{i}"><ele></ele><time></time></trkpt>'))
    ),
    "no children": doc(track(points(3, '<trkpt lat="1.{i}" lon="2.{i}"></trkpt>'))),
    "junk numbers": doc(
        track(
            '<trkpt lat="" lon="x"><ele>nan</ele><time>soon</time></trkpt>'
            '<trkpt lat="1e999" lon=" 2.5 "><ele> 4 </ele>'
            "<time>2024-05-01T06:00:00Z</time></trkpt>"
            '<trkpt lat="1_0" lon="2"><ele>inf</ele>'
            "<time> 2024-05-01T06:01:00+02:00 </time></trkpt>"
        )
    ),
    "fractions and offsets": doc(
        track(
            points(
                3,
                '<trkpt lat="1.{i}" lon="2.{i}"><time>2024-05-01T06:0{i}:00.250+01:30</time>'
                "</trkpt>",
            )
        )
    ),
    "spaced tags": doc(
        track(
            points(
                3,
                '<trkpt  lat = "1.{i}"\n\tlon="2.{i}" ><ele>1</ele >\n<time>{t}</time >\n</trkpt >',
            )
        )
    ),
    "points outside any segment": doc(f"<trk><name>Bare</name>{points(3)}</trk>{points(2)}"),
    "text between points": doc(track(points(2) + " stray words " + points(2))),
    "segments and empty ones": doc(
        f"<trk><trkseg>{points(2)}</trkseg><trkseg></trkseg><trkseg>{points(3)}</trkseg></trk>"
    ),
    "points inside a name": doc(f"<trk><name>Mor{points(1)}ning</name></trk>"),
    "waypoints and routes beside": doc(
        '<wpt lat="1" lon="2"><ele>5</ele><time>2024-05-01T06:00:00Z</time></wpt>'
        '<rte><rtept lat="1" lon="2"/></rte>' + track(points(3))
    ),
    "entity outside the points": doc(track(points(3), name="Run &amp; walk")),
    "metadata time and names": doc(
        "<metadata><name>File</name><desc>d</desc><time>2024-05-01T06:00:00Z</time></metadata>"
        + track(points(2))
    ),
}
SLOW = {
    "lon before lat": doc(track(points(3, '<trkpt lon="2.{i}" lat="1.{i}"></trkpt>'))),
    "single quotes": doc(track(points(3, "<trkpt lat='1.{i}' lon='2.{i}'></trkpt>"))),
    "self-closing points": doc(track(points(3, '<trkpt lat="1.{i}" lon="2.{i}"/>'))),
    "time before elevation": doc(
        track(points(3, '<trkpt lat="1.{i}" lon="2.{i}"><time>{t}</time><ele>1</ele></trkpt>'))
    ),
    "prefixed elements": doc(
        "<g:trk><g:trkseg>"
        + points(3, '<g:trkpt lat="1.{i}" lon="2.{i}"><g:ele>4</g:ele></g:trkpt>')
        + "</g:trkseg></g:trk>",
        '<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1">',
    ).replace("</gpx>", "</g:gpx>"),
    "one odd point among many": doc(
        track(points(5) + '\n<trkpt lat="9" lon="9"><hdop>3</hdop></trkpt>')
    ),
    "character reference in a point": doc(
        track(points(2) + '<trkpt lat="1" lon="2"><ele>&#50;0</ele></trkpt>')
    ),
    "a comment": doc(track(points(3) + "<!-- <trkpt lat='5' lon='5'></trkpt> -->")),
    "cdata": doc(track(points(3), name="<![CDATA[a <trkpt> name]]>")),
    "processing instruction": doc(track(points(3) + "<?garmin keep?>")),
    "nested point in extensions": doc(
        track(
            '<trkpt lat="1" lon="2"><ele>7</ele><extensions><trkpt lat="3" lon="4">'
            "<ele>8</ele></trkpt></extensions></trkpt>"
        )
    ),
    "the placeholder's own name": doc(track(points(2) + "<runwear-points/>")),
}


def _fast_taken(text: str) -> bool:
    """Whether `read_gpx` reads the text on the fast path."""
    return gpx_read._read_fast(text) is not None


@pytest.mark.parametrize("text", FAST.values(), ids=FAST.keys())
def test_usual_points_take_the_fast_path_and_read_the_same(text):
    assert _fast_taken(text)
    assert read_gpx(text) == read_gpx_slowly(text)


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
def test_other_points_are_read_by_the_callbacks_and_read_the_same(text):
    assert not _fast_taken(text)
    assert read_gpx(text) == read_gpx_slowly(text)


def test_a_long_track_cut_in_chunks_reads_the_same(monkeypatch):
    monkeypatch.setattr(gpx_read, "CUT_CHARS", 200)  # a chunk every two or three points
    text = doc(track(points(40)) + track(points(7) + " words " + points(9), name="Two"))
    assert _fast_taken(text)
    fast = read_gpx(text)
    assert fast == read_gpx_slowly(text)
    assert [len(s) for t in fast.tracks for s in t.segments] == [40, 16]


def _outcome(read, text: str) -> object:
    """What a reader makes of the text: its document, or the words it refuses it with."""
    try:
        return read(text)
    except IngestError as exc:
        return str(exc)


DAMAGED_BASES = {
    "garmin, extensions": doc(track(points(6, GARMIN_POINT)) + track(points(3)), GARMIN),
    "strava, no extensions": doc(track(points(8)) + track(points(3), name="R&amp;R")),
}


@pytest.mark.parametrize("base", DAMAGED_BASES.values(), ids=DAMAGED_BASES.keys())
def test_damaged_copies_read_the_same_on_both_paths(base):
    """A thousand copies of a track, each damaged at one random place: a character dropped,
    doubled, or replaced by one that matters to XML or to the point pattern. Without
    extensions, only the pattern and the skeleton's parse stand between a damaged point and
    the document: they must refuse what expat refuses."""
    rng = random.Random(15)
    specials = [*'<>/"=&; \n:-.0e', "trkpt", "<!--", "]]>", "\x01", "\x0b", "\x1c", "\x85"]
    specials += ["\ufffe", "é", "\t", "\r"]
    fast = 0
    for _ in range(1000):
        at = rng.randrange(len(base))
        kind = rng.randrange(3)
        if kind == 0:
            text = base[:at] + base[at + 1 :]
        elif kind == 1:
            text = base[:at] + base[at] + base[at:]
        else:
            text = base[:at] + rng.choice(specials) + base[at + 1 :]
        outcome = _outcome(read_gpx, text)
        assert outcome == _outcome(read_gpx_slowly, text), text
        fast += not isinstance(outcome, str) and _fast_taken(text)
    assert fast > 150  # a good share of the copies stay well formed, their points usual


def test_broken_document_names_the_same_line():
    text = doc(track(points(4))).replace("</trkseg>", "</trksg>")
    with pytest.raises(IngestError) as fast:
        read_gpx(text)
    with pytest.raises(IngestError) as slow:
        read_gpx_slowly(text)
    assert str(fast.value) == str(slow.value)
    assert "line 8: mismatched tag" in str(fast.value)


def test_distance_is_the_sum_of_haversine_steps_to_the_bit():
    """The meter's inlined great-circle step gives haversine_m's very bits."""
    rng = random.Random(7)
    lat, lon = 51.5, -0.12
    lines = []
    for i in range(600):
        lat += rng.uniform(-4e-5, 4e-5)
        lon += rng.uniform(-6e-5, 6e-5)
        lines.append(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><time>{_second(i)}</time></trkpt>')
    text = doc(track("\n".join(lines)))
    kept = [(p.lat, p.lon) for p in read_gpx(text).tracks[0].segments[0]]
    expected = 0.0
    for (lat1, lon1), (lat2, lon2) in pairwise(kept):
        expected += haversine_m(lat1, lon1, lat2, lon2)
    [activity] = parse_gpx(text.encode()).activities
    assert activity.distance_m == expected


def _second(i: int) -> str:
    """The time `i` seconds after 06:00 on 1 May 2024."""
    return f"2024-05-01T06:{i // 60:02d}:{i % 60:02d}Z"
