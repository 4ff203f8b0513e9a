"""The import pipeline: paths -> plan -> parallel parsing -> duplicate checks, tags -> store.

`ImportRun` is the one entry point: it works out the plan (plain files, folders, zips and
account exports), adds the exports' shoes, then imports every item in order, yielding one
`FileResult` each, while its `summary` keeps the totals.

The writer (surfaces, rules, sqlite_utils) is imported when the first item is to be
written: a re-import of files all stored already needs none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from runwear.importing.engine import Databases, Engine
from runwear.importing.plan import Reading, build_plan
from runwear.importing.results import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    NOT_RUN,
    SKIPPED,
    FileResult,
    ImportOptions,
    ImportSummary,
    Progress,
    Tagging,
    default_jobs,
)
from runwear.store.database import write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from runwear.importing.writer import Writer

__all__ = [
    "DUPLICATE",
    "ERROR",
    "IMPORTED",
    "NOT_RUN",
    "SKIPPED",
    "Databases",
    "FileResult",
    "ImportOptions",
    "ImportRun",
    "ImportSummary",
    "Progress",
    "Reading",
    "Tagging",
    "default_jobs",
]


class Opened:
    """A database open already, used for look-ups and writes alike."""

    def __init__(self, db: Database) -> None:
        self.db = self.read_db = db


class ImportRun:
    """One import of some paths; iterate `results()`, then read `summary`.

    `db` is an open Database, or `Databases` that open the full database only when the
    import writes (the command line's App)."""

    def __init__(
        self,
        db: Database | Databases,
        paths: Iterable[Path],
        options: ImportOptions | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_reading: Reading | None = None,
    ) -> None:
        self.dbs: Databases = db if hasattr(db, "read_db") else Opened(db)
        self.paths = list(paths)
        self.options = options or ImportOptions()
        self.on_progress = on_progress
        self.on_reading = on_reading  # how far a long read before the import is (export.xml)
        self.summary = ImportSummary()

    def _count_shoe(self, shoe_id: int | None, created: bool) -> None:
        """Note a shoe this import created, or an export shoe the user had removed."""
        if shoe_id is None:
            self.summary.shoes_removed += 1
        elif created:
            self.summary.new_shoe_ids.append(shoe_id)

    def results(self) -> Iterator[FileResult]:
        """Import every item in order, yielding each result once it is written."""
        plan = build_plan(self.paths, self.options.max_bytes, self.on_reading)
        self.summary.files += plan.index_files
        self.summary.unread.extend(plan.unread)
        try:
            shoe_ids: dict[str, int | None] = {}
            if plan.shoes:  # a folder of files has none: no write lock to wait for
                from runwear.store.shoes import ensure_export_shoe

                db = self.dbs.db
                with write_transaction(db):
                    for shoe in plan.shoes:
                        shoe_ids[shoe.external_id], created = ensure_export_shoe(db, shoe)
                        self.summary.shoes_created += created
                        self._count_shoe(shoe_ids[shoe.external_id], created)

            def writer() -> Writer:
                from runwear.importing.writer import Writer

                return Writer(self.dbs.db, self.options.tagging, shoe_ids, force=self.options.force)

            engine = Engine(self.dbs, writer, self.options, self.on_progress)
            for result in engine.run(plan.items, len(plan.items)):
                self.summary.add(result)
                if result.status != SKIPPED:
                    yield result
        finally:
            plan.close()
