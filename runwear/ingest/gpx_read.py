"""Read a GPX document into plain tracks, segments and points, streaming it with expat.

Only what runwear measures is kept: per point its position (None when the attribute is
missing or not a number, as an eTrex writes before its first fix), elevation and time (epoch
seconds and the UTC offset written); per track its name, type and description; for the file
its name, description, creator, metadata time, and whether it holds routes or waypoints.
No element tree is built (expat's callbacks fill the values in), so memory follows the
points kept, not the XML. Elements are matched by local name: any namespace, or none.

Most files write every point the same way (`<trkpt lat=".." lon=".."><ele>..</ele><time>..
</time>[<extensions>..</extensions>]</trkpt>`, as Strava and Garmin do). For those, the
points are cut out with one regular expression and only what is left (tracks, names,
metadata: a few elements) goes through expat's callbacks: `_read_fast`, about twice as fast.
The pattern matches only well-formed XML outside <extensions>, and expat checks the rest
(the whole document first when points have extensions). A file with any point written
otherwise, comments, CDATA or processing instructions is read by the callbacks alone, as
before, and a broken file is refused by them, with the line in the file.

The text must have passed `runwear.ingest.xmlsafe.check_prolog` (no DTD, no entities).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from xml.parsers import expat

from runwear.ingest.model import IngestError
from runwear.ingest.timestamps import parse_time, parse_times

CHUNK_CHARS = 1 << 20
ELEVATIONS_KEPT = 1 << 16  # distinct <ele> texts whose number is shared by the points
RETRY = "Export the activity again"


class GpxPoint(NamedTuple):
    """One <trkpt>: position in degrees (None when absent), elevation, time, its UTC offset."""

    lat: float | None
    lon: float | None
    ele: float | None
    t_s: float | None  # seconds since the Unix epoch, UTC
    offset_s: int | None  # the UTC offset the time was written with, when it had one


@dataclass
class GpxTrack:
    """One <trk>: its words and its segments of points, in file order."""

    name: str | None = None
    type: str | None = None
    desc: str | None = None
    segments: list[list[GpxPoint]] = field(default_factory=list)


@dataclass
class GpxDoc:
    """What a GPX file holds that runwear uses."""

    creator: str | None = None
    name: str | None = None
    desc: str | None = None
    time: tuple[float, int | None] | None = None  # <metadata><time> (GPX 1.0: <gpx><time>)
    tracks: list[GpxTrack] = field(default_factory=list)
    has_routes: bool = False
    has_waypoints: bool = False


# A track point as most files write it: lat then lon in double quotes, then an optional
# <ele> and <time> of plain text (no entity, no child), then an optional <extensions> with no
# <extensions> or <trkpt> inside, in the default namespace. Outside <extensions> it matches
# only well-formed XML (XML's own whitespace, no character XML forbids), so a document whose
# points have no extensions needs no check beyond the skeleton's. No quantifier holds another
# that could match the same text (an extension's text is read a character at a time): a
# point that fails to match fails in time linear in its length.
_S = "[ \t\r\n]"
_TEXT = "[^<&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
_VALUE = '[^"<&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*'
_POINT = (
    rf'<trkpt{_S}+lat{_S}*={_S}*"({_VALUE})"{_S}+lon{_S}*={_S}*"({_VALUE})"{_S}*>{_S}*'
    rf"(?:<ele{_S}*>({_TEXT})</ele{_S}*>{_S}*)?"
    rf"(?:<time{_S}*>({_TEXT})</time{_S}*>{_S}*)?"
    r"(?:<extensions\s*>(?:[^<]|<(?!/?(?:[\w.-]+:)?(?:extensions|trkpt)[\s/>]))*"
    rf"</extensions{_S}*>{_S}*)?"
    rf"</trkpt{_S}*>"
)
_POINTS = re.compile(_POINT)
_PLACE = "runwear-points"  # stands in the skeleton for a run of points cut out
_PLACE_TAG = f"<{_PLACE}/>"
CUT_CHARS = 1 << 16  # text split for points at a time
_NOT_FAST = ("<!--", "<![CDATA[", "]]>", ":trkpt", _PLACE)  # where the cut could go wrong
_GROUPS = 4  # lat, lon, ele, time
XML_SPACE = " \t\r\n"


def read_gpx(text: str) -> GpxDoc:
    """The tracks of a GPX document; IngestError naming the line when the XML is broken."""
    return _read_fast(text) or read_gpx_slowly(text)


def read_gpx_slowly(text: str) -> GpxDoc:
    """`read_gpx` with expat's callbacks for every element: for any way of writing points."""
    doc, parser = _reader()
    _parse(parser, text)
    return doc


def _parse(parser: expat.XMLParserType, text: str) -> None:
    """Feed `text` to expat in chunks; IngestError naming the line when the XML is broken."""
    try:
        for start in range(0, len(text), CHUNK_CHARS):
            parser.Parse(text[start : start + CHUNK_CHARS], False)
        parser.Parse("", True)
    except expat.ExpatError as exc:
        raise IngestError(f"not valid GPX XML ({_position(exc)}). {RETRY}") from exc


def _read_fast(text: str) -> GpxDoc | None:
    """The document read with its points cut out by `_POINTS`; None unless every <trkpt>
    is written the usual way and nothing (a comment, CDATA) could hide one from the cut.

    `re.split` gives the points' fields and the text between them, a chunk of the text at a
    time (memory holds one chunk's strings). Points with only whitespace between them make a
    run, which becomes one `<runwear-points/>` in a skeleton that expat reads with the usual
    callbacks: they put the run's points where the first of them would have gone.
    """
    expected = text.count("<trkpt")
    if not expected or any(marker in text for marker in _NOT_FAST) or _instructs(text):
        return None
    if "<extensions" in text:  # what the pattern lets through there, expat checks
        _parse(_new_parser(), text)
    elevations = _Elevations()
    pieces: list[str] = []  # the skeleton
    runs: list[list[GpxPoint]] = []
    run: list[GpxPoint] | None = None
    gap = ""  # the text since the last point
    found = 0
    for chunk in _chunks(text):
        parts = _POINTS.split(chunk)
        points = _points(parts, elevations)
        found += len(points)
        gaps = parts[:: _GROUPS + 1]
        gap += gaps[0]  # type: ignore[operator]
        for point, following in zip(points, gaps[1:], strict=True):
            if run is None or gap.strip(XML_SPACE):  # more than whitespace: a new run
                pieces += (_PLACE_TAG, gap) if run is not None else (gap,)
                run = []
                runs.append(run)
            run.append(point)
            gap = following  # type: ignore[assignment]
    if found != expected:
        return None  # a point written some other way: the callbacks read them all
    pieces += (_PLACE_TAG, gap)
    doc, parser = _reader(runs)
    try:
        _parse(parser, "".join(pieces))
    except IngestError:
        return None  # broken: the callbacks name the line in the file itself
    return doc


def _chunks(text: str) -> Iterator[str]:
    """The text in pieces of about CUT_CHARS, each cut just before a `<trkpt`: no point
    `_POINTS` matches spans two pieces (a match holds no other `<trkpt`)."""
    start = 0
    while start < len(text):
        cut = text.find("<trkpt", start + CUT_CHARS)
        if cut < 0:
            cut = len(text)
        yield text[start:cut]
        start = cut


def _instructs(text: str) -> bool:
    """Whether the text has a processing instruction (`<?...?>`) past its XML declaration."""
    start = text.find("?>") + 2 if text.startswith("<?xml") else 0
    return text.find("<?", start) >= 0


def _points(parts: list[str | None], elevations: _Elevations) -> list[GpxPoint]:
    """The points in `_POINTS.split`'s parts, as the callbacks would read them."""
    eles = list(map(elevations.__getitem__, parts[3 :: _GROUPS + 1]))
    whens = parse_times(parts[4 :: _GROUPS + 1])
    return [
        GpxPoint(lat, lon, ele, when[0], when[1]) if when else GpxPoint(lat, lon, ele, None, None)
        for lat, lon, ele, when in zip(
            _numbers(parts[1 :: _GROUPS + 1]),
            _numbers(parts[2 :: _GROUPS + 1]),
            eles,
            whens,
            strict=True,
        )
    ]


def _numbers(texts: list[str | None]) -> list[float | None]:
    """`number` of each text: in one go (float over the list) when all are finite floats."""
    try:
        values: list[float | None] = list(map(float, texts))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return list(map(number, texts))
    if all(map(math.isfinite, values)):  # type: ignore[arg-type]
        return values
    return list(map(number, texts))


class _Elevations(dict[str | None, float | None]):
    """<ele> text -> its number, one float object per distinct text (a track repeats its
    elevations); the first ELEVATIONS_KEPT texts are remembered."""

    def __missing__(self, text: str | None) -> float | None:
        value = number(text)
        if len(self) < ELEVATIONS_KEPT:
            self[text] = value
        return value


def _new_parser() -> expat.XMLParserType:
    """An expat parser as every reading here uses it: names as `{namespace}local`."""
    return expat.ParserCreate(namespace_separator="}")


def _reader(runs: list[list[GpxPoint]] | None = None) -> tuple[GpxDoc, expat.XMLParserType]:
    """An expat parser whose callbacks fill in the GpxDoc: no element objects are built.

    An element's text is what ElementTree calls its `.text`: the characters before its first
    child element. Character data goes straight into one list (its `append` is expat's
    handler, no Python frame per call), emptied at every tag. `runs` are the points
    `_read_fast` cut out, one list per `<runwear-points/>` in the skeleton, in order.
    """
    doc = GpxDoc()
    parser = _new_parser()
    names = [""]  # local names of the open elements, below them the document's ""
    texts: list[str | None] = [""]  # their text, frozen once a child element has begun
    chars: list[str] = []
    positions: list[tuple[float | None, float | None]] = []  # of the open <trkpt>s
    local: dict[str, str] = {}
    elevations = _Elevations()
    track: GpxTrack | None = None
    segment: list[GpxPoint] | None = None
    ele: float | None = None
    when: tuple[float, int | None] | None = None
    cut_out = iter(runs or ())

    def segment_for_point() -> list[GpxPoint]:
        """The segment a point goes to: a point outside any segment begins its own."""
        nonlocal track, segment
        if segment is None:
            if track is None:
                track = GpxTrack()
                doc.tracks.append(track)
            segment = []
            track.segments.append(segment)
        return segment

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal track, segment, ele, when
        name = local.get(tag)
        if name is None:
            name = local[tag] = _local(tag)
        if texts[-1] is None:
            texts[-1] = "".join(chars)
        chars.clear()
        texts.append(None)
        names.append(name)
        if name == "trkpt":
            positions.append((number(attrs.get("lat")), number(attrs.get("lon"))))
            ele = when = None
        elif name == "gpx" and len(names) == 2:
            doc.creator = _clean(attrs.get("creator"))
        elif name == "trk":
            track = GpxTrack()
            doc.tracks.append(track)
        elif name == "trkseg" and track is not None:
            segment = []
            track.segments.append(segment)
        elif name == "rte":
            doc.has_routes = True
        elif name == "wpt" and len(names) == 3:
            doc.has_waypoints = True
        elif name == _PLACE and runs is not None:
            segment_for_point().extend(next(cut_out))

    def end(tag: str) -> None:
        nonlocal track, segment, ele, when
        name = names.pop()
        text = texts.pop()
        if name == "trkpt":
            chars.clear()
            lat, lon = positions.pop()
            t_s, offset_s = when if when else (None, None)
            segment_for_point().append(GpxPoint(lat, lon, ele, t_s, offset_s))
            return
        if text is None and chars:
            text = "".join(chars)
        chars.clear()
        parent = names[-1]
        if parent == "trkpt":
            if name == "ele":
                ele = elevations[text]
            elif name == "time":
                when = parse_time(text)
        elif name == "trkseg":
            segment = None
        elif name == "trk":
            track = segment = None
        elif parent == "trk" and track is not None and name in ("name", "type", "desc"):
            setattr(track, name, _clean(text))
        elif parent in ("gpx", "metadata") and name in ("name", "desc"):
            setattr(doc, name, getattr(doc, name) or _clean(text))
        elif parent in ("gpx", "metadata") and name == "time":
            doc.time = parse_time(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars.append
    return doc, parser


def _position(exc: expat.ExpatError) -> str:
    """ "line 3: mismatched tag" from expat's "mismatched tag: line 3, column 4"."""
    message = str(exc).split(": line ", 1)[0]
    line = exc.lineno
    return f"line {line}: {message}" if line else message


def _local(tag: str) -> str:
    """An element name without its namespace: {uri}trkpt -> trkpt."""
    return tag.rpartition("}")[2]


def number(text: str | None) -> float | None:
    """A finite float from attribute or element text, or None."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clean(text: str | None) -> str | None:
    """Stripped text, or None when blank."""
    if text is None:
        return None
    text = text.strip()
    return text or None
