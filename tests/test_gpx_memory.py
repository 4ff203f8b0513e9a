"""Reading a big GPX holds a few times the file's size, not the text and the points twice."""

from __future__ import annotations

import math
import time
import tracemalloc

from runwear.ingest.gpx import parse_gpx

START_S = 1_714_543_200  # 2024-05-01 06:00 UTC


def long_gpx(points: int) -> bytes:
    """One track, a point a second round a 400 m loop, with elevation and time."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">',
        "<trk><name>Long</name><type>running</type><trkseg>",
    ]
    for i in range(points):
        angle = i * 2 * math.pi / 133
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START_S + i))
        lines.append(
            f'<trkpt lat="{51.5 + 0.000573 * math.sin(angle):.7f}" '
            f'lon="{-0.12 + 0.00092 * math.cos(angle):.7f}"><ele>{20 + i % 7}.0</ele>'
            f"<time>{when}</time></trkpt>"
        )
    lines.append("</trkseg></trk></gpx>")
    return "\n".join(lines).encode()


def test_parsing_a_big_gpx_needs_under_four_times_its_size():
    data = long_gpx(10_000)  # 1 MB, 2 hours 47 minutes
    tracemalloc.start()
    try:
        parsed = parse_gpx(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parsed.activities) == 1
    assert parsed.activities[0].duration_s == 9_999
    assert peak < 4 * len(data), f"{peak / len(data):.2f} x the file's {len(data)} bytes"
