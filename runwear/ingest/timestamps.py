"""ISO 8601 times as GPX and TCX files write them, read without datetime objects (fast)."""

from __future__ import annotations

import calendar
import re

_TIME = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?\s*(Z|z|[+-]\d\d(?::?\d\d)?)?\s*$"
)
FIRST_S = calendar.timegm((1, 1, 2, 0, 0, 0, 0, 0, 0))  # times datetime can hold, in UTC
LAST_S = calendar.timegm((9999, 12, 30, 0, 0, 0, 0, 0, 0))
MAX_OFFSET_S = 18 * 3600  # no time zone is further from UTC


def parse_time(text: str | None) -> tuple[float, int | None] | None:
    """(seconds since the Unix epoch, the UTC offset it was written with or None) of an
    ISO 8601 time; no offset means UTC. None when it is not such a time or out of range."""
    match = _TIME.match(text) if text else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7), match.group(8)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute <= 59):
        return None
    try:
        seconds: float = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if fraction:
        seconds += float(fraction)
    offset_s = None
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset_s = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
        if abs(offset_s) > MAX_OFFSET_S:
            return None
        seconds -= offset_s
    if not FIRST_S <= seconds <= LAST_S:
        return None
    return seconds, offset_s
