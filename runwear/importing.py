"""The import pipeline: files -> ingest -> duplicate checks and tagging -> store, file by file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from runwear.ingest import IngestError, SourceFile, parse_source, read_source, sha256_hex
from runwear.ingest.files import DEFAULT_MAX_BYTES
from runwear.ingest.model import Activity
from runwear.ingest.sanity import implausible
from runwear.store import activities as store
from runwear.store.shoes import default_shoe
from runwear.vocab import surface_for_sub_sport

IMPORTED, DUPLICATE, NOT_RUN, ERROR = "imported", "duplicate", "not_run", "error"


@dataclass(frozen=True)
class FileResult:
    """What happened to one file: a status, a reason for the user, and the runs it added."""

    path: str
    status: str  # imported | duplicate | not_run | error
    detail: str = ""
    runs: int = 0
    distance_m: float = 0.0


@dataclass
class ImportSummary:
    """Running totals over the files of one import."""

    runs: int = 0
    distance_m: float = 0.0
    duplicates: int = 0
    not_runs: int = 0
    errors: int = 0
    files: int = 0
    problems: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        """Count one file's result."""
        self.files += 1
        self.runs += result.runs
        self.distance_m += result.distance_m
        if result.status == DUPLICATE:
            self.duplicates += 1
        elif result.status == NOT_RUN:
            self.not_runs += 1
        elif result.status == ERROR:
            self.errors += 1
            self.problems.append(result)


@dataclass(frozen=True)
class Tagging:
    """What the user forced on the command line: a shoe row and/or a surface."""

    shoe: dict[str, Any] | None = None
    surface: str | None = None


def import_sources(
    db: Database,
    sources: Iterable[SourceFile],
    tagging: Tagging = Tagging(),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[FileResult]:
    """Import each file in its own transaction, yielding a result per file as it goes."""
    for source in sources:
        try:
            yield _import_one(db, source, tagging, max_bytes)
        except IngestError as exc:
            yield FileResult(str(source.path), ERROR, str(exc))


def _import_one(db: Database, source: SourceFile, tagging: Tagging, max_bytes: int) -> FileResult:
    path = str(source.path)
    if source.format is None:
        raise IngestError(
            f"unsupported file type {''.join(source.path.suffixes) or '(no extension)'}. "
            "runwear reads .gpx and .fit files, also gzipped (.gpx.gz, .fit.gz)"
        )
    data = read_source(source, max_bytes)
    sha = sha256_hex(data)
    seen = store.known_source(db, sha)
    if seen and seen["outcome"] == NOT_RUN:
        return FileResult(path, NOT_RUN, f"{seen['note']}, seen before")
    if seen:
        return FileResult(path, DUPLICATE, f"already imported (same bytes as {seen['path']})")
    parsed = parse_source(data, source.format)
    del data
    if parsed.file_type != "activity":
        return _not_run(
            db,
            sha,
            path,
            source.format,
            parsed.file_type,
            f"not an activity ({parsed.file_type} file)",
        )
    runs = [(i, a) for i, a in enumerate(parsed.activities) if a.is_run]
    if not runs:
        sports = sorted({a.sport for a in parsed.activities}) or ["no sessions"]
        return _not_run(
            db, sha, path, source.format, parsed.file_type, f"not a run ({', '.join(sports)})"
        )

    rejected: list[str] = []
    twins: list[str] = []
    added = 0
    distance_m = 0.0
    with db.conn:
        source_id = store.add_source(db, sha, path, source.format, parsed.file_type, IMPORTED)
        for index, activity in runs:
            reason = implausible(activity)
            if reason:
                rejected.append(reason)
                continue
            twin = store.same_run(db, activity.started_at, activity.distance_m)
            if twin:
                twins.append(
                    f"same run as activity {twin['id']} ({twin['format']}, {twin['started_at']})"
                )
                continue
            shoe_id, shoe_source = _choose_shoe(db, activity, tagging)
            surface, surface_source = _choose_surface(db, activity, tagging, shoe_id)
            store.add_activity(
                db,
                activity,
                source_id=source_id,
                session_index=index,
                fmt=source.format,
                shoe_id=shoe_id,
                shoe_source=shoe_source,
                surface=surface,
                surface_source=surface_source,
            )
            added += 1
            distance_m += activity.distance_m
        if rejected and not added:
            # Nothing usable: forget the file so a fixed version can be imported later.
            db.execute("delete from sources where id = ?", [source_id])
    if rejected:
        return FileResult(
            path,
            ERROR,
            f"{'; '.join(rejected)}. Check the file in the app that recorded it",
            added,
            distance_m,
        )
    if not added:
        return FileResult(path, DUPLICATE, "; ".join(twins))
    return FileResult(path, IMPORTED, "", added, distance_m)


def _not_run(db: Database, sha: str, path: str, fmt: str, file_type: str, why: str) -> FileResult:
    """Remember a file that holds no run, so a re-import skips it by hash and says why again."""
    with db.conn:
        store.add_source(db, sha, path, fmt, file_type, NOT_RUN, why)
    return FileResult(path, NOT_RUN, why)


def _choose_shoe(
    db: Database, activity: Activity, tagging: Tagging
) -> tuple[int | None, str | None]:
    """The forced shoe, else the default for the sub-sport, else the general default, else none."""
    if tagging.shoe is not None:
        return tagging.shoe["id"], "manual"
    shoe = default_shoe(db, activity.sub_sport)
    return (shoe["id"], "default") if shoe else (None, None)


def _choose_surface(
    db: Database, activity: Activity, tagging: Tagging, shoe_id: int | None
) -> tuple[str, str | None]:
    """The forced surface, else the sub-sport's, else the shoe's usual one, else unknown."""
    if tagging.surface:
        return tagging.surface, "manual"
    from_device = surface_for_sub_sport(activity.sub_sport)
    if from_device:
        return from_device, "device"
    if shoe_id is not None:
        usual = db.execute("select surface from shoes where id = ?", [shoe_id]).fetchone()[0]
        if usual:
            return usual, "shoe"
    return "unknown", None
