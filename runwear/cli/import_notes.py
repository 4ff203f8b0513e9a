"""Lines about shoes after an import: plausible twins to merge, runs that got no shoe."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING

from runwear.cli.output import printable
from runwear.ingest.unread import unread_detail, unread_line
from runwear.store.shoes import untagged_after

if TYPE_CHECKING:
    from runwear.importing import ImportSummary
    from runwear.store.readonly import ReadDb


def twin_notes(db: ReadDb, summary: ImportSummary) -> list[str]:
    """One line per shoe this import created that looks like a stored one (never merged
    silently)."""
    if not summary.new_shoe_ids:
        return []
    from runwear.store.shoe_identity import plausible_twins

    return [
        f"{printable(t.new_name)} looks like your {printable(t.existing_name)} (same brand "
        f"and model, worn over the same dates): if it is the same pair, merge them with "
        f"`runwear shoe merge {_quoted(t.existing_name)} {_quoted(t.new_name)}`."
        for t in plausible_twins(db, summary.new_shoe_ids)
    ]


def unread_notes(summary: ImportSummary, verbose: bool) -> list[str]:
    """The files of types runwear does not read, counted in one line; with `verbose`, each
    named on a line of its own before it."""
    line = unread_line(Counter(kind for _, kind in summary.unread))
    if line is None:
        return []
    named = [f"{printable(name)}: {unread_detail(kind)}" for name, kind in summary.unread]
    return [*(named if verbose else []), f"{line}{'' if verbose else ' (--verbose names them)'}."]


def untagged_note(db: ReadDb, last_id_before: int) -> str | None:
    """A reminder to tag the runs this import (ids after `last_id_before`) left without a
    shoe; only for a person at a terminal (a script's log keeps the summary last)."""
    if not interactive():
        return None
    untagged = untagged_after(db, last_id_before)
    if not untagged:
        return None
    runs = "run" if untagged == 1 else "runs"
    return (
        f"{untagged} imported {runs} got no shoe: `runwear tag --last --shoe NAME` tags "
        "the newest, `runwear untagged` lists them all with their ids."
    )


def interactive() -> bool:
    """Whether stdout is a terminal."""
    return sys.stdout.isatty()


def _quoted(name: str) -> str:
    """A name as typed in a shell: quoted when it holds spaces or quotes."""
    text = printable(name)
    return f'"{text}"' if any(c in text for c in " '\"()") else text
