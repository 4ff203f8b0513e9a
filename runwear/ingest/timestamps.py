"""ISO 8601 times as GPX and TCX files write them, read without datetime objects (fast)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

_TIME = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?\s*(Z|z|[+-]\d\d(?::?\d\d)?)?\s*$"
)
FIRST_S = calendar.timegm((1, 1, 2, 0, 0, 0, 0, 0, 0))  # times datetime can hold, in UTC
LAST_S = calendar.timegm((9999, 12, 30, 0, 0, 0, 0, 0, 0))
MAX_OFFSET_S = 18 * 3600  # no time zone is further from UTC
_MINUTE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)")
_MINUTES_KEPT = 4096  # start-of-minute times remembered (a one-hour track needs 61)
_minutes: dict[str, int | None] = {}


def parse_time(text: str | None) -> tuple[float, int | None] | None:
    """(seconds since the Unix epoch, the UTC offset it was written with or None) of an
    ISO 8601 time; no offset means UTC. None when it is not such a time or out of range."""
    if text is not None and len(text) >= 20 and text[16] == ":":
        fast = _utc_fast(text)
        if fast is not None:
            return fast
    return _parse_any(text)


def parse_times(texts: Iterable[str | None]) -> list[tuple[float, int | None] | None]:
    """`parse_time` of each text, the usual `YYYY-MM-DDTHH:MM:SSZ` read in the loop itself
    from its minute's remembered start (as `_utc_fast` would): a one-hour track has 3,600."""
    minutes = _minutes
    out: list[tuple[float, int | None] | None] = []
    for text in texts:
        if text is not None and len(text) == 20 and text[19] in "Zz" and text[16] == ":":
            base_s = minutes.get(text[:16])
            second = text[17:19]
            if base_s is not None and second.isdecimal():
                seconds = base_s + int(second)
                if FIRST_S <= seconds <= LAST_S:
                    out.append((seconds, None))
                    continue
        out.append(parse_time(text))
    return out


def _utc_fast(text: str) -> tuple[float, None] | None:
    """`YYYY-MM-DDTHH:MM:SS[.fff]Z` from the time its minute starts (remembered): a track
    writes 60 points per minute. None when the text has another form (the full parse then
    decides); a time it reads is the full parse's, to the bit."""
    tail = text[19:]
    fraction = tail[:1] == "." and tail[-1:] in ("Z", "z") and tail[1:-1].isdecimal()
    if tail not in ("Z", "z") and not fraction:
        return None
    second = text[17:19]
    if not second.isdecimal():
        return None
    prefix = text[:16]
    base_s = _minutes.get(prefix, -1)
    if base_s == -1:
        if len(_minutes) >= _MINUTES_KEPT:
            _minutes.clear()
        base_s = _minutes[prefix] = _minute_s(prefix)
    if base_s is None:
        return None
    seconds: float = base_s + int(second)
    if len(tail) > 1:
        seconds += float(tail[:-1])
    if not FIRST_S <= seconds <= LAST_S:
        return None
    return seconds, None


def _minute_s(prefix: str) -> int | None:
    """Epoch seconds at the start of `YYYY-MM-DDTHH:MM` (UTC), None when not such a minute."""
    match = _MINUTE.fullmatch(prefix)
    if match is None:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute <= 59):
        return None
    try:
        return calendar.timegm((year, month, day, hour, minute, 0, 0, 0, 0))
    except (ValueError, OverflowError):
        return None


def _parse_any(text: str | None) -> tuple[float, int | None] | None:
    """parse_time for every form the pattern allows."""
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
