"""What the back coach reads: the runs with their cadence, pace profile and concrete distance
(from a day on, so `check` reads only the weeks it looks at), and the local days of
strength/core sessions.

A strength/core session is an activity of sport `training` or `fitness_equipment` (FIT
names, whatever its sub-sport), or of any sport with a sub-sport in `STRENGTH_SUB_SPORTS`.
It never counts toward a shoe or the running load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from runwear.ingest.profile import PaceProfile, decode_metres
from runwear.monitor.load import Run, local_day, parse_utc, stored_run, zone_of
from runwear.store.activities import iso_utc
from runwear.store.settings import Settings
from runwear.vocab import HARD_SURFACES

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

STRENGTH_SPORTS = frozenset({"training", "fitness_equipment"})
STRENGTH_SUB_SPORTS = frozenset(
    {
        "strength_training",
        "cardio_training",
        "flexibility_training",
        "yoga",
        "pilates",
        "hiit",
        "indoor_cardio",
    }
)


@dataclass(frozen=True)
class RunForm:
    """How one stored run was run, beyond its distance: cadence, start and end, concrete."""

    cadence_spm: float | None  # steps per minute; None: unknown
    profile: PaceProfile | None  # None: no timeline or marked laps
    concrete_m: float


def is_strength(sport: str | None, sub_sport: str | None) -> bool:
    """True for a strength/core session (see the module docstring)."""
    return sport in STRENGTH_SPORTS or sub_sport in STRENGTH_SUB_SPORTS


def strength_sql() -> str:
    """The SQL condition on `sport` and `sub_sport` that `is_strength` states."""
    return (
        f"(sport in ({_quoted(STRENGTH_SPORTS)}) or sub_sport in ({_quoted(STRENGTH_SUB_SPORTS)}))"
    )


def _quoted(names: frozenset[str]) -> str:
    """'a', 'b': names for an SQL `in (...)`."""
    return ", ".join(f"'{name}'" for name in sorted(names))


def coach_runs(
    db: Database, settings: Settings, as_of: datetime, since: datetime | None = None
) -> tuple[list[Run], dict[int, RunForm]]:
    """The runs started before `as_of` (and from `since`), oldest first and dated by local day
    as `runwear.monitor.load.load_runs` dates them, with their form by id (one query)."""
    zone = zone_of(settings.timezone)
    rows = db.execute(
        "select a.id, a.started_at, a.utc_offset_s, a.distance_m, "
        "coalesce(a.moving_s, a.duration_s), a.ascent_m, a.shoe_id, a.cadence_spm, "
        "p.moving_s, p.distance_m, p.head_m, p.tail_m, p.warmup_lap, p.cooldown_lap, "
        "coalesce((select sum(s.distance_m) from activity_surfaces s where s.activity_id = a.id "
        f"  and s.surface in ({_quoted(HARD_SURFACES)})), 0), "
        "coalesce((select s.distance_m from activity_surfaces s where s.activity_id = a.id "
        "  and s.surface = 'concrete'), 0) "
        "from activities a left join activity_profiles p on p.activity_id = a.id "
        "where a.sport = 'running' and a.started_at < ? and a.started_at >= ? "
        "order by a.started_at, a.id",
        [iso_utc(as_of), iso_utc(since) if since else ""],
    ).fetchall()
    runs = [stored_run(zone, *row[:6], row[14], row[6]) for row in rows]
    forms = {
        row[0]: RunForm(
            cadence_spm=row[7] if row[7] else None,
            profile=(
                PaceProfile(
                    row[8],
                    row[9],
                    decode_metres(row[10]),
                    decode_metres(row[11]),
                    bool(row[12]),
                    bool(row[13]),
                )
                if row[8] is not None
                else None
            ),
            concrete_m=row[15],
        )
        for row in rows
    }
    return runs, forms


def last_strength_day(db: Database, settings: Settings, before: datetime) -> date | None:
    """The local day of the last strength/core session started before `before` (None: none)."""
    row = db.execute(
        "select started_at, utc_offset_s from activities "
        f"where {strength_sql()} and started_at < ? order by started_at desc limit 1",
        [iso_utc(before)],
    ).fetchone()
    return local_day(parse_utc(row[0]), row[1], zone_of(settings.timezone)) if row else None


def first_run_day(db: Database, settings: Settings, as_of: datetime) -> date | None:
    """The local day of the first run started before `as_of` (None: no runs)."""
    row = db.execute(
        "select started_at, utc_offset_s from activities where sport = 'running' "
        "and started_at < ? order by started_at limit 1",
        [iso_utc(as_of)],
    ).fetchone()
    return local_day(parse_utc(row[0]), row[1], zone_of(settings.timezone)) if row else None


def strength_days(
    db: Database, settings: Settings, as_of: datetime, since: datetime | None = None
) -> list[date]:
    """The local day of every strength/core session started before `as_of` (and from
    `since`), oldest first."""
    zone = zone_of(settings.timezone)
    rows = db.execute(
        "select started_at, utc_offset_s from activities "
        f"where {strength_sql()} and started_at < ? and started_at >= ? order by started_at",
        [iso_utc(as_of), iso_utc(since) if since else ""],
    )
    return [local_day(parse_utc(started), offset, zone) for started, offset in rows]
