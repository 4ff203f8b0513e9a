"""Re-splits that survive a kill: recorded with the change that needs them, done in batches.

A change that re-splits stored runs (a place added, OpenStreetMap data loaded, a shoe's
usual surface edited, runs tagged) records, in the same transaction as the change, which
runs to split again (`record`). The re-split then runs in batches of `BATCH_RUNS`, each its
own short write transaction that also moves the record's cursor (`finish`), so other writers
get their turn between batches. Killed halfway, the record stays; the next runwear command
that opens the database finishes it (`interrupted` names the ones whose process is gone).
Splitting is recomputed from what the database holds, so doing a batch twice is harmless.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

from runwear.store.database import write_transaction
from runwear.store.surfaces import Resplit, Surfacer, apply_resplit, plan_resplit

BATCH_RUNS = 500  # runs split again per write transaction
TABLE = "pending_splits"


@dataclass(frozen=True)
class Pending:
    """A recorded re-split: why, which runs, how far it got."""

    id: int
    reason: str
    activity_ids: tuple[int, ...]
    done: int
    owner_pid: int

    @property
    def left(self) -> int:
        """Runs not yet split again."""
        return len(self.activity_ids) - self.done


def record(
    db: Database,
    reason: str,
    activity_ids: Sequence[int],
    *,
    rule_shoes: bool = False,
    rule_surfaces: bool = False,
    drop_manual: bool = False,
) -> int | None:
    """Record that these runs must be split again (call it inside the change's transaction);
    None when there are none."""
    ids = list(dict.fromkeys(activity_ids))
    if not ids:
        return None
    cursor = db.execute(
        f"insert into {TABLE} (reason, activity_ids, done, rule_shoes, rule_surfaces, "
        "drop_manual, owner_pid, created_at) values (?, ?, 0, ?, ?, ?, ?, ?)",
        [
            reason,
            json.dumps(ids),
            int(rule_shoes),
            int(rule_surfaces),
            int(drop_manual),
            os.getpid(),
            datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        ],
    )
    return int(cursor.lastrowid)


def finish(
    db: Database,
    pending_id: int | None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> Resplit:
    """Split the recorded runs again, a batch at a time, then forget the record.

    Each batch is worked out outside any transaction, then written in a short one, so other
    writers get the lock while the next batch is worked out. Under the lock, what the batch
    was worked out from is read again (its runs' rows, and the places, ways, rules, shoes and
    settings a split depends on); if another process changed any of it meanwhile, the batch
    is worked out again under the lock, so nothing stale is written.
    """
    done = Resplit()
    if pending_id is None:
        return done
    record = _record(db, pending_id)
    if record is None:
        return done
    ids, flags = record
    surfacer = Surfacer(db)
    inputs = _split_inputs(db)
    while (start := _done(db, pending_id)) is not None:
        batch = ids[start : start + BATCH_RUNS]
        if (now := _split_inputs(db)) != inputs:
            surfacer, inputs = Surfacer(db), now
        runs = _runs_state(db, batch)
        plan = plan_resplit(
            db, batch, surfacer, on_progress=_shifted(on_progress, start, len(ids)), **flags
        )
        with write_transaction(db):
            if _done(db, pending_id) != start:
                continue  # another runwear moved it on (or finished it): look again
            if (now := _split_inputs(db)) != inputs:
                surfacer, inputs = Surfacer(db), now
                plan = plan_resplit(db, batch, surfacer, **flags)
            elif _runs_state(db, batch) != runs:
                plan = plan_resplit(db, batch, surfacer, **flags)
            apply_resplit(db, plan)
            done.runs += plan.done.runs
            done.changed += plan.done.changed
            done.shoes += plan.done.shoes
            moved = start + len(batch)
            if moved >= len(ids):
                db.execute(f"delete from {TABLE} where id = ?", [pending_id])
            else:
                db.execute(f"update {TABLE} set done = ? where id = ?", [moved, pending_id])
    return done  # all split again, here or by another runwear


# What a split depends on besides the run: places, rules, OpenStreetMap extracts, the shoes
# that bring a surface or are worn by default, and the settings (the time zone for rules).
SPLIT_INPUTS = (
    "select * from places order by id",
    "select * from rules order by id",
    "select id, sha256, ways, loaded_at from osm_sources order by id",
    "select id, surface, is_default, default_for, retired_on from shoes "
    "where surface is not null or is_default = 1 or default_for is not null order by id",
    "select key, value from settings order by key",
)


def _split_inputs(db: Database) -> list[list[tuple[object, ...]]]:
    """Everything besides the runs themselves that a split is worked out from."""
    return [db.execute(sql).fetchall() for sql in SPLIT_INPUTS]


def _runs_state(db: Database, ids: list[int]) -> list[tuple[object, ...]]:
    """A batch's runs as a split reads them (their rows and their tracks' size)."""
    return db.execute(
        "select a.id, a.started_at, a.utc_offset_s, a.sport, a.sub_sport, a.name, "
        "a.distance_m, a.shoe_id, a.shoe_source, a.surface, a.surface_source, t.points, "
        "length(t.polyline) from activities a "
        "left join activity_tracks t on t.activity_id = a.id "
        f"where a.id in ({','.join('?' * len(ids))}) order by a.id",
        ids,
    ).fetchall()


def _record(db: Database, pending_id: int) -> tuple[list[int], dict[str, bool]] | None:
    """A record's runs and flags (set once, when it is recorded); None when it is gone."""
    row = db.execute(
        f"select activity_ids, rule_shoes, rule_surfaces, drop_manual from {TABLE} where id = ?",
        [pending_id],
    ).fetchone()
    if row is None:
        return None
    flags = {"rule_shoes": bool(row[1]), "rule_surfaces": bool(row[2]), "drop_manual": bool(row[3])}
    return json.loads(row[0]), flags


def _done(db: Database, pending_id: int) -> int | None:
    """How many of a record's runs are split again; None once the record is gone."""
    row = db.execute(f"select done from {TABLE} where id = ?", [pending_id]).fetchone()
    return None if row is None else int(row[0])


def interrupted(db: Database) -> list[Pending]:
    """Recorded re-splits whose runwear process is gone (killed or crashed), oldest first."""
    if not db[TABLE].exists():
        return []
    found = []
    for row in db.execute(
        f"select id, reason, activity_ids, done, owner_pid from {TABLE} order by id"
    ):
        pending = Pending(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4])
        if not _alive(pending.owner_pid):
            found.append(pending)
    return found


def adopt(db: Database, pending_id: int) -> None:
    """Make this process the owner of a recorded re-split (so no other one takes it up)."""
    with write_transaction(db):
        db.execute(f"update {TABLE} set owner_pid = ? where id = ?", [os.getpid(), pending_id])


def _shifted(
    on_progress: Callable[[int, int], None] | None, start: int, total: int
) -> Callable[[int, int], None] | None:
    """A batch's progress as progress through the whole record."""
    if on_progress is None:
        return None
    return lambda count, _batch_total: on_progress(start + count, total)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (ours counts as alive). On Windows, where a
    signal 0 would stop the process, an owner other than us counts as gone: finishing a
    re-split another runwear is doing costs time, never a wrong split."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return False
    return True
