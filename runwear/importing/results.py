"""What an import reports: one result per file or export entry, running totals, and progress."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from runwear.ingest.files import DEFAULT_MAX_BYTES
from runwear.store.removal import was_removed

IMPORTED, DUPLICATE, NOT_RUN, ERROR = "imported", "duplicate", "not_run", "error"
SKIPPED = "skipped"  # an export's summary whose file was imported: counted with the file


@dataclass(frozen=True)
class FileResult:
    """What happened to one file or export entry: a status, a reason, and the runs it added.

    `detail` is empty for a plain success; an imported result with a detail is worth a line
    (a run taken from an export's figures because its file is missing, for instance).
    `routine` results (bytes seen in an earlier import, an export's walks and rides) can
    come by the hundred: a listing may show the first few and count the rest.
    """

    path: str
    status: str  # imported | duplicate | not_run | error | skipped
    detail: str = ""
    runs: int = 0
    distance_m: float = 0.0
    entry: bool = False  # an export's entry handled without reading a file for it
    short: int = 0  # runs under min_run_m left out
    kept: int = 0  # sessions that are not runs, stored as other activities
    routine: bool = False  # one of many alike in a big import: seen before, an export's non-run


def stored_before(name: str, seen: dict[str, Any], note: str = "") -> FileResult:
    """The result for a file whose bytes are stored already (`seen`, its row in sources);
    `note` says what an export's entry added to its stored runs."""
    if was_removed(seen):
        why = "its runs were removed (runwear activity remove); --force imports them again"
        return FileResult(name, DUPLICATE, why, routine=True)
    if seen["outcome"] == NOT_RUN:
        return FileResult(name, NOT_RUN, f"{seen['note']}, seen before", routine=True)
    where = "" if seen["path"] == name else f" (same bytes as {seen['path']})"
    return FileResult(name, DUPLICATE, f"already imported{where}{note}", routine=True)


@dataclass
class ImportSummary:
    """Running totals over the files and entries of one import."""

    runs: int = 0
    distance_m: float = 0.0
    duplicates: int = 0
    not_runs: int = 0
    errors: int = 0
    files: int = 0
    entries: int = 0  # export entries handled without reading a file (manual, rides, missing)
    shoes_created: int = 0
    too_short: int = 0  # runs under min_run_m, not stored
    kept_other: int = 0  # not runs stored as cross-training (strength, rides, walks)
    shoes_removed: int = 0  # export shoes the user removed: left out, their runs get no shoe
    new_shoe_ids: list[int] = field(default_factory=list)  # shoes this import created
    unread: list[tuple[str, str]] = field(default_factory=list)  # (name, type) not read: .hrm
    problems: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        """Count one result."""
        if result.status == SKIPPED:
            return
        if result.entry:
            self.entries += 1
        else:
            self.files += 1
        self.runs += result.runs
        self.distance_m += result.distance_m
        self.too_short += result.short
        self.kept_other += result.kept
        if result.status == DUPLICATE:
            self.duplicates += 1
        elif result.status == NOT_RUN:
            self.not_runs += 1
        elif result.status == ERROR:
            self.errors += 1
            self.problems.append(result)

    def merge(self, other: ImportSummary) -> None:
        """Add another import's totals to these (a watched folder's imports, one by one)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class Progress:
    """How far an import is: items done of the total, and what they added so far."""

    done: int
    total: int
    runs: int
    distance_m: float


@dataclass(frozen=True)
class Tagging:
    """What the user forced on the command line: a shoe row and/or a surface."""

    shoe: dict[str, Any] | None = None
    surface: str | None = None


def default_jobs() -> int:
    """Parsing processes by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ImportOptions:
    """How to import: forced tags, size limit, parallel parsing, and transaction batches."""

    tagging: Tagging = Tagging()
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int = field(default_factory=default_jobs)  # 1: parse in this process, no pool
    batch_files: int = 50  # commit at least every this many files ...
    batch_s: float = 1.0  # ... or this many seconds
    force: bool = False  # read again files (and export entries) whose runs were removed
