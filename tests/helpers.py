"""Test helpers: stored runs without files, for monitor and store tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from sqlite_utils import Database

from runwear.ingest.model import Activity
from runwear.store import activities as store

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
# Load tests: as of Monday 2026-06-15 00:00 UTC, so (in UTC) today is Sunday 2026-06-14 and
# "the last 7 days" are exactly ISO week 2026-W24, which starts on LAST_MONDAY.
LOAD_AS_OF = datetime(2026, 6, 15, tzinfo=timezone.utc)
LAST_MONDAY = date(2026, 6, 8)
_run_numbers = itertools.count(1)


def add_run(
    db: Database,
    distance_m: float,
    *,
    days_ago: float = 1,
    surface: str = "unknown",
    shoe_id: int | None = None,
    sub_sport: str = "generic",
    now: datetime = NOW,
) -> int:
    """Store one run directly (no file), `days_ago` days before `now`."""
    started = now - timedelta(days=days_ago)
    with db.conn:
        source_id = store.add_source(
            db, f"sha-{started.isoformat()}-{distance_m}", "x.fit", "fit", "activity", "imported"
        )
        return store.add_activity(
            db,
            Activity(
                started_at=started,
                sport="running",
                sub_sport=sub_sport,
                distance_m=distance_m,
                duration_s=distance_m / 3,
            ),
            source_id=source_id,
            session_index=0,
            fmt="fit",
            shoe_id=shoe_id,
            shoe_source="manual" if shoe_id else None,
            surface=surface,
            surface_source="manual",
        )


def sample_run(
    day: int, distance_m: float, sub_sport: str = "generic", sport: str = "running", hour: int = 7
):
    """A generated run on June `day` 2026 at `hour` UTC, 5:00/km, one point every 5 s."""
    from runwear.samples.route import SampleRun

    return SampleRun(
        started_at=datetime(2026, 6, day, hour, 0, tzinfo=timezone.utc),
        distance_m=distance_m,
        duration_s=distance_m * 0.3,
        sport=sport,
        sub_sport=sub_sport,
        step_s=5.0,
    )


def write_mixed_folder(folder):
    """A folder like a runner's downloads: good, duplicate, non-run and broken files.

    Expected on import: 4 runs imported (10 + 5 + 8 + 12 km = 35 km), 2 duplicates
    (identical bytes; same run as GPX), 2 not runs (ride, settings), 2 errors.
    """
    import gzip

    from runwear.samples.fit_writer import fit_activity_bytes, fit_settings_bytes
    from runwear.samples.gpx_writer import gpx_bytes

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sub").mkdir()
    run_a = fit_activity_bytes([sample_run(1, 10_000)])
    (folder / "a.fit").write_bytes(run_a)
    (folder / "sub" / "a-copy.fit").write_bytes(run_a)
    (folder / "b.gpx").write_bytes(gpx_bytes([sample_run(2, 5_000)]))
    (folder / "c.fit.gz").write_bytes(
        gzip.compress(fit_activity_bytes([sample_run(3, 8_000, "trail")]))
    )
    (folder / "d.gpx.gz").write_bytes(gzip.compress(gpx_bytes([sample_run(4, 12_000)])))
    (folder / "sub" / "a-from-strava.gpx").write_bytes(gpx_bytes([sample_run(1, 10_000)]))
    (folder / "ride.fit").write_bytes(fit_activity_bytes([sample_run(5, 30_000, sport="cycling")]))
    (folder / "settings.fit").write_bytes(fit_settings_bytes())
    (folder / "truncated.fit").write_bytes(run_a[: len(run_a) // 2])
    (folder / "noise.gpx").write_bytes(b"\x00\x01garbage" * 10)
    (folder / "notes.txt").write_text("not an activity file")
    return folder


def add_run_on(
    db: Database,
    day: date,
    distance_m: float,
    *,
    at: time = time(7, 0),
    utc_offset_s: int | None = None,
    pace_s_per_km: float = 300.0,
    ascent_m: float | None = 0.0,
    surface: str = "unknown",
    shoe_id: int | None = None,
) -> int:
    """Store one run starting at local time `at` on `day` (local = UTC + `utc_offset_s`, or
    UTC when the run has no offset, as a GPX file with Z times)."""
    local = datetime.combine(day, at, tzinfo=timezone.utc)
    started = local - timedelta(seconds=utc_offset_s or 0)
    with db.conn:
        source_id = store.add_source(
            db, f"sha-load-{next(_run_numbers)}", "x.fit", "fit", "activity", "imported"
        )
        return store.add_activity(
            db,
            Activity(
                started_at=started,
                sport="running",
                sub_sport="generic",
                distance_m=distance_m,
                duration_s=distance_m / 1000 * pace_s_per_km,
                ascent_m=ascent_m,
                utc_offset_s=utc_offset_s,
            ),
            source_id=source_id,
            session_index=0,
            fmt="fit",
            shoe_id=shoe_id,
            shoe_source="manual" if shoe_id else None,
            surface=surface,
            surface_source="manual",
        )


def add_weeks(
    db: Database,
    weekly_km: Sequence[float],
    *,
    last_monday: date = LAST_MONDAY,
    run_days: Sequence[int] = (0, 2, 4, 6),
    pace_s_per_km: float = 300.0,
    climb_m_per_km: float = 0.0,
    surface: str = "unknown",
    shoe_ids: Sequence[int | None] = (None,),
) -> None:
    """A generated season with known weekly figures: each of `weekly_km` split evenly over
    `run_days` (0 = Monday) of its week, the last week starting `last_monday`; shoes in turn."""
    shoes = itertools.cycle(shoe_ids)
    first_monday = last_monday - timedelta(weeks=len(weekly_km) - 1)
    for n, km in enumerate(weekly_km):
        if not km:
            continue
        each_m = km * 1000 / len(run_days)
        for weekday in run_days:
            add_run_on(
                db,
                first_monday + timedelta(weeks=n, days=weekday),
                each_m,
                pace_s_per_km=pace_s_per_km,
                ascent_m=climb_m_per_km * each_m / 1000,
                surface=surface,
                shoe_id=next(shoes),
            )
