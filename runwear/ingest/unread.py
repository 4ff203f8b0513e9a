"""Activity files of formats runwear does not read, counted by type for one summary line.

Polar `.hrm`, Suunto `.sml`, TomTom `.ttbin`, SportTracks `.fitlog`, TrainingPeaks `.pwx` and
Google Earth `.kml` hold activities runwear cannot parse; inside a folder they are counted,
not reported one error each. A `.json` file is counted only when its first bytes say it is
a Suunto move: a bare `.json` is far more often something else (Polar, Fitbit and Garmin
exports' JSON is read through those exports, recognised before any file is looked at).

Suunto's JSON (Spartan, Suunto 9 and later, shared from the Suunto app): an object whose
`Samples` list holds `{"TimeISO8601": ..., "Attributes": {"suunto/sml": {...}}}` items;
older moves wrap it as `{"DeviceLog": {"Header": {...}, "Samples": [...]}}`. Verified
against MyTourbook's `net/tourbook/device/suunto/SuuntoJsonProcessor.java` (the
`Samples`, `TimeISO8601`, `Attributes` and `suunto/sml` keys it reads).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

UNREAD_SUFFIXES: dict[str, str] = {
    ".hrm": "Polar",
    ".sml": "Suunto",
    ".ttbin": "TomTom",
    ".fitlog": "SportTracks",
    ".pwx": "TrainingPeaks",
    ".kml": "Google Earth",
    ".json": "Suunto",  # only when the content says so (`suunto_json`)
}
HEAD_BYTES = 4096  # a Suunto JSON's keys show within its first few hundred bytes
_SUUNTO_MARKS = (b'"suunto/sml"', b'"TimeISO8601"', b'"DeviceLog"')


def unread_suffix(name: str) -> str | None:
    """The suffix (lower case) of a file type runwear does not read, by name alone (.json
    is left to `unread_type`, which looks inside); None for others."""
    suffix = _suffix(name)
    return suffix if suffix in UNREAD_SUFFIXES and suffix != ".json" else None


def unread_type(name: str, head: Callable[[], bytes]) -> str | None:
    """The type (".hrm", ".json") of an activity file runwear does not read, or None.

    `head` gives the file's first bytes (gzipped or not); it is called only for .json.
    """
    suffix = _suffix(name)
    if suffix == ".json":
        try:
            return suffix if suunto_json(head()) else None
        except OSError:
            return None
    return unread_suffix(name)


def suunto_json(head: bytes) -> bool:
    """Whether the first bytes of a .json (or .json.gz) file are a Suunto move's."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, HEAD_BYTES)
        except zlib.error:
            return False
    return any(mark in head for mark in _SUUNTO_MARKS)


def count_unread(names: Iterable[str]) -> Counter[str]:
    """How many of `names` are activity files of each type runwear does not read (by name)."""
    return Counter(s for s in map(unread_suffix, names) if s is not None)


def unread_line(counts: Counter[str]) -> str | None:
    """ "12 files of types runwear does not read: .hrm 8, .sml 4; ..." or None when none."""
    total = sum(counts.values())
    if not total:
        return None
    kinds = ", ".join(f"{suffix} {n}" for suffix, n in sorted(counts.items(), key=_most_first))
    files = f"{total} file{'s' if total != 1 else ''}"
    return f"{files} of types runwear does not read: {kinds}; convert them to FIT, GPX or TCX"


def unread_detail(kind: str) -> str:
    """Why one such file is not read: "a Polar .hrm file, a type runwear does not read"."""
    return (
        f"a {UNREAD_SUFFIXES[kind]} {kind} file, a type runwear does not read: convert it "
        "to FIT, GPX or TCX"
    )


def _suffix(name: str) -> str:
    """The suffix in lower case, a .gz after it set aside."""
    return PurePosixPath(name.removesuffix(".gz").removesuffix(".GZ")).suffix.lower()


def _most_first(pair: tuple[str, int]) -> tuple[int, str]:
    """Sort key: the commonest type first, then by name."""
    return -pair[1], pair[0]
