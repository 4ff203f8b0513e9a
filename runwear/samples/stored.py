"""Runs stored straight through the store, as if each was imported from its own FIT file.

For benchmarks and tests that need many stored runs fast: no file is written or parsed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from runwear.ingest.model import Activity
from runwear.store import activities as store
from runwear.surfacing.split import SurfacePart


def store_sample_run(
    db: Database,
    activity: Activity,
    sha: str,
    *,
    shoe_id: int | None,
    shoe_source: str | None,
    surface: str,
    surface_source: str | None,
    parts: Sequence[SurfacePart] | None = None,
    path: str | None = None,
) -> int:
    """Store `activity` with a source row `sha` (file `path`, else SHA.fit), in the caller's
    transaction; its id."""
    source_id = store.add_source(db, sha, path or f"{sha}.fit", "fit", "activity", "imported")
    return store.add_activity(
        db,
        activity,
        source_id=source_id,
        session_index=0,
        fmt="fit",
        shoe_id=shoe_id,
        shoe_source=shoe_source,
        surface=surface,
        surface_source=surface_source,
        parts=parts,
    )
