"""A change and the re-split it needs, made so that a kill halfway is finished next time.

    with split_after(app, "place add Stadium") as todo:
        store.add_place(app.db, ...)
        todo.add(runs_in_area(app.db, box))
    todo.result  # Resplit: runs looked at, changed

The change and the record of which runs to split again commit together; the re-split then
runs in short batches (`runwear.store.pending_splits`). `finish_interrupted` finishes, on
the next command, what a killed command recorded but did not finish.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click
from sqlite_utils import Database

from runwear.cli.output import printable
from runwear.cli.progress import CountProgress
from runwear.store import pending_splits
from runwear.store.database import write_transaction
from runwear.store.surfaces import Resplit, runs_in_area
from runwear.surfacing.geometry import BBox


@dataclass
class Todo:
    """The runs a change must split again, gathered inside its transaction; then what the
    re-split did."""

    ids: list[int] = field(default_factory=list)
    result: Resplit = field(default_factory=Resplit)

    def add(self, activity_ids: Iterable[int]) -> None:
        """These runs too."""
        self.ids.extend(activity_ids)

    def add_area(self, db: Database, boxes: Iterable[BBox | None]) -> None:
        """The runs whose track meets any of the boxes."""
        for box in boxes:
            if box is not None:
                self.add(runs_in_area(db, box))


@contextmanager
def split_after(
    db: Database,
    reason: str,
    *,
    quiet: bool = False,
    label: str = "Splitting runs again",
    rule_shoes: bool = False,
    rule_surfaces: bool = False,
    drop_manual: bool = False,
) -> Iterator[Todo]:
    """Make the change in the block and record its re-split in one write transaction, then
    split again (a progress bar on stderr); the block's `Todo.result` says what changed."""
    todo = Todo()
    with write_transaction(db):
        yield todo
        pending_id = pending_splits.record(
            db,
            reason,
            todo.ids,
            rule_shoes=rule_shoes,
            rule_surfaces=rule_surfaces,
            drop_manual=drop_manual,
        )
    todo.result = finish_with_progress(db, pending_id, quiet, label)


def finish_with_progress(
    db: Database, pending_id: int | None, quiet: bool = False, label: str = "Splitting runs again"
) -> Resplit:
    """Finish a recorded re-split, showing its progress on a terminal."""
    progress = CountProgress(CountProgress.mode_for(quiet), label)
    try:
        return pending_splits.finish(db, pending_id, on_progress=progress.update)
    finally:
        progress.close()


def finish_interrupted(db: Database) -> None:
    """Finish the re-splits that a killed runwear recorded, one line each on stderr."""
    for pending in pending_splits.interrupted(db):
        pending_splits.adopt(db, pending.id)
        done = finish_with_progress(db, pending.id, label="Finishing an interrupted re-split")
        click.echo(
            f"Finished what `runwear {printable(pending.reason)}` began before it was "
            f"stopped: {pending.left:,} run(s) split again, {done.changed:,} changed.",
            err=True,
        )
