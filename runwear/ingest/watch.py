"""Find Garmin watches mounted as USB drives, and the FIT activity files on them.

A watch volume holds `GARMIN/Activity/*.fit`, in any letter case (`GARMIN/ACTIVITY`,
`Garmin/Activity`). Volumes are looked for below `/media/$USER` and `/run/media/$USER` on
Linux, `/Volumes` on macOS, on the drive letters on Windows, or at the MOUNT the runner
names. Every function takes its roots as parameters, so tests lay out a fake volume.

GarminDevice.xml (verified against public device-manifest readers and Garmin's
Communicator plugin sources: `<Device xmlns="http://www.garmin.com/xmlschemas/GarminDevice/v2">
<Model><PartNumber/><SoftwareVersion/><Description>Forerunner 245</Description></Model>
<Id>3324546267</Id><DisplayName/>...`) names the model; it is read only after the GPX/TCX
prolog check (no DTD, no entity) and when under 1 MB. Newer watches connect over MTP and
never appear as a folder: `no_watch_message` says so.
"""

from __future__ import annotations

import os
import string
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from runwear.ingest.model import IngestError
from runwear.ingest.xmlsafe import check_prolog

DEVICE_XML_MAX_BYTES = 1 << 20
_NS = "{http://www.garmin.com/xmlschemas/GarminDevice/v2}"


@dataclass(frozen=True)
class Watch:
    """A mounted watch: its volume, its name when GarminDevice.xml says, its FIT files."""

    volume: Path
    name: str | None
    fit_files: tuple[Path, ...]  # in name order

    @property
    def label(self) -> str:
        """How to name the watch to the runner: its model, else its volume."""
        return f"{self.name} ({self.volume})" if self.name else str(self.volume)


def mount_roots(system: str, user: str, drives: str = string.ascii_uppercase) -> list[Path]:
    """Where volumes are mounted on `system` ("linux", "darwin", "win32") for `user`.

    Linux and macOS give folders whose entries are volumes; Windows gives the drive roots
    themselves (A: and B: left out). `find_watches` takes either kind.
    """
    if system.startswith("linux"):
        return [Path("/media") / user, Path("/run/media") / user]
    if system == "darwin":
        return [Path("/Volumes")]
    if system.startswith(("win", "cygwin")):
        return [Path(f"{letter}:\\") for letter in drives if letter not in "AB"]
    return [Path("/media") / user, Path("/mnt")]


def find_watches(roots: Iterable[Path]) -> list[Watch]:
    """The watches at `roots`: each root is a watch volume itself, or a folder of volumes."""
    watches: list[Watch] = []
    seen: set[Path] = set()
    for root in roots:
        for volume in [root, *_entries(root)]:
            activity = activity_folder(volume)
            if activity is None or volume in seen:
                continue
            seen.add(volume)
            watches.append(Watch(volume, watch_name(volume), fit_files(activity)))
    return watches


def activity_folder(volume: Path) -> Path | None:
    """The volume's GARMIN/Activity folder, matched in any letter case; None without one."""
    garmin = _child(volume, "garmin")
    return _child(garmin, "activity") if garmin is not None else None


def fit_files(folder: Path) -> tuple[Path, ...]:
    """The .fit files (any case) directly in `folder`, in name order."""
    return tuple(p for p in _entries(folder) if p.suffix.lower() == ".fit" and p.is_file())


def watch_name(volume: Path) -> str | None:
    """The model GarminDevice.xml names (Model/Description, else DisplayName); None if unsure."""
    garmin = _child(volume, "garmin")
    device = _child(garmin, "garmindevice.xml") if garmin is not None else None
    if device is None or not device.is_file():
        return None
    try:
        if device.stat().st_size > DEVICE_XML_MAX_BYTES:
            return None
        data = device.read_bytes()
        check_prolog(data.decode("utf-8", errors="replace"), "GarminDevice.xml")
        root = ET.fromstring(data)
    except (OSError, IngestError, ET.ParseError):
        return None
    for path in (f"{_NS}Model/{_NS}Description", f"{_NS}DisplayName", "Model/Description"):
        text = (root.findtext(path) or "").strip()
        if text:
            return "".join(c if c.isprintable() else "?" for c in text)[:80]
    return None


def no_watch_message(roots: Iterable[Path]) -> str:
    """The line for no watch found: where runwear looked, and what to do instead."""
    where = ", ".join(str(r) for r in roots) or "nowhere"
    return (
        f"No Garmin watch found (looked for GARMIN/Activity in {where}). Newer watches "
        "connect over MTP and do not appear as a folder: import a Garmin Connect export, "
        "or copy the FIT files off the watch and import them"
    )


def _child(folder: Path, lower_name: str) -> Path | None:
    """The entry of `folder` whose name is `lower_name` in any letter case; None if absent."""
    for entry in _entries(folder):
        if entry.name.lower() == lower_name:
            return entry
    return None


def _entries(folder: Path) -> list[Path]:
    """The entries of `folder` in name order; none when it cannot be listed."""
    try:
        with os.scandir(folder) as listing:
            return sorted(Path(e.path) for e in listing if not e.name.startswith("."))
    except OSError:
        return []
