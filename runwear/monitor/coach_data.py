"""What the back coach reads beyond the load figures: each run's cadence, pace profile and
concrete distance, and the local days of strength/core sessions.

A strength/core session is an activity of sport `training` or `fitness_equipment` (FIT
names, whatever its sub-sport), or of any sport with a sub-sport in `STRENGTH_SUB_SPORTS`.
It never counts toward a shoe or the running load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from runwear.ingest.profile import PaceProfile, decode_metres
from runwear.monitor.load import local_day, parse_utc, zone_of
from runwear.store.activities import iso_utc
from runwear.store.settings import Settings

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
    sports = ", ".join(f"'{s}'" for s in sorted(STRENGTH_SPORTS))
    subs = ", ".join(f"'{s}'" for s in sorted(STRENGTH_SUB_SPORTS))
    return f"(sport in ({sports}) or sub_sport in ({subs}))"


def run_forms(db: Database, as_of: datetime, since: datetime | None = None) -> dict[int, RunForm]:
    """The form of every run started before `as_of` (and from `since`), by activity id."""
    rows = db.execute(
        "select a.id, a.cadence_spm, p.moving_s, p.distance_m, p.head_m, p.tail_m, "
        "p.warmup_lap, p.cooldown_lap, coalesce(c.concrete_m, 0) "
        "from activities a left join activity_profiles p on p.activity_id = a.id "
        "left join (select activity_id, sum(distance_m) as concrete_m from activity_surfaces "
        "  where surface = 'concrete' group by activity_id) c on c.activity_id = a.id "
        "where a.sport = 'running' and a.started_at < ? and a.started_at >= ?",
        [iso_utc(as_of), iso_utc(since) if since else ""],
    )
    return {
        row[0]: RunForm(
            cadence_spm=row[1] if row[1] else None,
            profile=(
                PaceProfile(
                    row[2],
                    row[3],
                    decode_metres(row[4]),
                    decode_metres(row[5]),
                    bool(row[6]),
                    bool(row[7]),
                )
                if row[2] is not None
                else None
            ),
            concrete_m=row[8],
        )
        for row in rows
    }


def strength_days(db: Database, settings: Settings, as_of: datetime) -> list[date]:
    """The local day of every strength/core session started before `as_of`, oldest first."""
    zone = zone_of(settings.timezone)
    rows = db.execute(
        "select started_at, utc_offset_s from activities "
        f"where {strength_sql()} and started_at < ? order by started_at",
        [iso_utc(as_of)],
    )
    return [local_day(parse_utc(started), offset, zone) for started, offset in rows]
