"""Activity files of formats runwear does not read, counted by type for one summary line.

Polar `.hrm`, Suunto `.sml`, TomTom `.ttbin`, SportTracks `.fitlog`, TrainingPeaks `.pwx` and
Google Earth `.kml` hold activities runwear cannot parse; inside a folder they are counted,
not reported one error each. Suunto's `.json` moves are not counted: a bare `.json` is far
more often something else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath

UNREAD_SUFFIXES: dict[str, str] = {
    ".hrm": "Polar",
    ".sml": "Suunto",
    ".ttbin": "TomTom",
    ".fitlog": "SportTracks",
    ".pwx": "TrainingPeaks",
    ".kml": "Google Earth",
}


def unread_suffix(name: str) -> str | None:
    """The suffix (lower case) of an activity file runwear does not read; None for others."""
    suffix = PurePosixPath(name.removesuffix(".gz").removesuffix(".GZ")).suffix.lower()
    return suffix if suffix in UNREAD_SUFFIXES else None


def count_unread(names: Iterable[str]) -> Counter[str]:
    """How many of `names` are activity files of each type runwear does not read."""
    return Counter(s for s in map(unread_suffix, names) if s is not None)


def unread_line(counts: Counter[str]) -> str | None:
    """ "12 files of types runwear does not read: .hrm 8, .sml 4; ..." or None when none."""
    total = sum(counts.values())
    if not total:
        return None
    kinds = ", ".join(f"{suffix} {n}" for suffix, n in sorted(counts.items(), key=_most_first))
    files = f"{total} file{'s' if total != 1 else ''}"
    return f"{files} of types runwear does not read: {kinds}; convert them to FIT, GPX or TCX"


def _most_first(pair: tuple[str, int]) -> tuple[int, str]:
    """Sort key: the commonest type first, then by name."""
    return -pair[1], pair[0]
