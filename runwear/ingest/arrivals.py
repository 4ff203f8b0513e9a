"""Files arriving in a watched folder: which are new, and written to the end.

An app (OpenTracks, Gadgetbridge) or a sync tool (Syncthing, a cloud folder) fills the
folder; `Arrivals.ready` is asked every few seconds which files to import now. A file is
ready once it has been seen twice with the same size and modification time, the last change
at least one poll interval ago: a file still being written waits for the next poll. A file
handed out is not handed out again until it changes (a broken file gets its one line once).
An activity file of a type runwear does not read (a Polar .hrm) is handed out too, so that
its one line says so. Hidden files (a sync tool's `.part`, `.tmp`) and files of other
types are never handed out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from runwear.ingest.files import FORMATS, UNREAD, find_sources

Signature = tuple[int, int]  # (size in bytes, modification time in ns)


class Arrivals:
    """What is new and complete in one folder, poll after poll."""

    def __init__(
        self, folder: Path, interval_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.folder = folder
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[Path, Signature] = {}  # what the previous poll saw
        self._handed: dict[Path, Signature] = {}  # what was handed out, as it was then

    def ready(self) -> list[Path]:
        """The files complete and not handed out yet (in walk order); each is then marked."""
        now = self.clock()
        seen: dict[Path, Signature] = {}
        ready: list[Path] = []
        for path in self._candidates():
            try:
                stat = path.stat()
            except OSError:
                continue  # gone between the listing and now
            signature = (stat.st_size, stat.st_mtime_ns)
            seen[path] = signature
            if self._handed.get(path) == signature:
                continue
            settled = now - stat.st_mtime >= self.interval_s
            if settled and self._last.get(path) == signature:
                ready.append(path)
                self._handed[path] = signature
        self._last = seen
        for gone in self._handed.keys() - seen.keys():
            del self._handed[gone]
        return ready

    def _candidates(self) -> list[Path]:
        """The activity files (those runwear does not read too) and zips in the folder and
        the folders below it."""
        kinds = {*FORMATS.values(), UNREAD}
        return [
            source.path
            for source in find_sources([self.folder])
            if source.format in kinds
            or (source.format is None and source.path.name.lower().endswith(".zip"))
        ]
