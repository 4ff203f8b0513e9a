"""Write sample runs as GPX 1.1, the way Garmin Connect and Strava export them (tests and demo)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from runwear.geo import destination
from runwear.samples.route import SampleRun

JUMP_DISTANCE_M = 5000.0  # how far a glitch point lands from the true position
JUMP_BEARING_DEG = 90.0


def gpx_bytes(
    runs: Sequence[SampleRun],
    *,
    creator: str = "runwear sample",
    activity_type: str | None = "running",
    jump_at: Sequence[int] = (),
) -> bytes:
    """A GPX 1.1 document with one <trk> per run; `jump_at` point indexes become GPS glitches."""
    jumps = frozenset(jump_at)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator={quoteattr(creator)}'
        ' xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
        ' http://www.topografix.com/GPX/1/1/gpx.xsd">',
    ]
    if runs:
        lines.append(f" <metadata><time>{_utc_z(runs[0].started_at)}</time></metadata>")
    for run in runs:
        lines.append(" <trk>")
        lines.append(f"  <name>{escape(run.name)}</name>")
        if activity_type is not None:
            lines.append(f"  <type>{escape(activity_type)}</type>")
        lines.append("  <trkseg>")
        for i, point in enumerate(run.points()):
            lat, lon = point.lat, point.lon
            if i in jumps:
                lat, lon = destination(lat, lon, JUMP_BEARING_DEG, JUMP_DISTANCE_M)
            lines.append(
                f'   <trkpt lat="{lat:.7f}" lon="{lon:.7f}">'
                f"<ele>{point.elevation_m:.1f}</ele>"
                f"<time>{_utc_z(point.time)}</time></trkpt>"
            )
        lines.append("  </trkseg>")
        lines.append(" </trk>")
    lines.append("</gpx>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _utc_z(time: datetime) -> str:
    """ISO 8601 in UTC with a `Z`; a fraction of a second is written exactly (ms or µs)."""
    utc = time.astimezone(timezone.utc) if time.tzinfo else time.replace(tzinfo=timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond % 1000:
        return f"{text}.{utc.microsecond:06d}Z"
    if utc.microsecond:
        return f"{text}.{utc.microsecond // 1000:03d}Z"
    return f"{text}Z"
