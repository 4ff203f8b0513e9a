"""Recognise a Google Takeout export of Google Fit: its activities are TCX files.

What was verified, and where: Takeout's "Fit" export (TCX option) holds one TCX file per
activity in `Takeout/Fit/Activities/` (a Google Fit activity viewer's upload page,
"Takeout / Fit / Activities / *.tcx"; a street-coverage tool's export guide). They are plain
TCX (Activity Sport Running / Biking / Other), so runwear's TCX reader reads them; this
module only finds them. Not read: `Takeout/Fit/All Sessions/*.json`, daily aggregates.
"""

from __future__ import annotations

from runwear.ingest.archive import Container, Member

ACTIVITIES = ("Takeout/Fit/Activities/", "Fit/Activities/")


def activity_files(container: Container) -> list[Member]:
    """The TCX files of Fit/Activities/ (below Takeout/ or not), in name order."""
    found = [
        m
        for m in container.members()
        if m.path.startswith(ACTIVITIES)
        and "/" not in m.path.partition("Activities/")[2]
        and m.path.lower().endswith(".tcx")
    ]
    return sorted(found, key=lambda m: m.path)


def is_google_fit_export(container: Container) -> bool:
    """True when the folder or archive holds Takeout's Fit/Activities TCX files."""
    return any(
        m.path.startswith(ACTIVITIES) and m.path.lower().endswith(".tcx")
        for m in container.members()
    )
