"""Test helpers: stored runs without files, for monitor and store tests; database soundness."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner, Result
from sqlite_utils import Database

from runwear.ingest.model import Activity
from runwear.samples.route import SampleRun
from runwear.samples.stored import store_sample_run

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
    activity = Activity(
        started_at=started,
        sport="running",
        sub_sport=sub_sport,
        distance_m=distance_m,
        duration_s=distance_m / 3,
    )
    return store_run(db, activity, f"sha-{started.isoformat()}-{distance_m}", surface, shoe_id)


def store_run(
    db: Database,
    activity: Activity,
    sha: str,
    surface: str,
    shoe_id: int | None,
    surface_source: str = "manual",
) -> int:
    """Store an Activity as imported from a file `sha`, its shoe tagged by hand and its
    surface from `surface_source`; return its id."""
    with db.atomic():
        return store_sample_run(
            db,
            activity,
            sha,
            shoe_id=shoe_id,
            shoe_source="manual" if shoe_id else None,
            surface=surface,
            surface_source=surface_source,
            path="x.fit",
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
    activity = Activity(
        started_at=started,
        sport="running",
        sub_sport="generic",
        distance_m=distance_m,
        duration_s=distance_m / 1000 * pace_s_per_km,
        ascent_m=ascent_m,
        utc_offset_s=utc_offset_s,
    )
    return store_run(db, activity, f"sha-load-{next(_run_numbers)}", surface, shoe_id)


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


def assert_db_sound(db_path: Path) -> None:
    """SQLite's own checks pass and nothing is half-written.

    Every activity has surface rows summing to its distance, and every source file recorded
    as imported has at least one activity.
    """
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        uneven = conn.execute(
            "select a.id, a.distance_m, sum(s.distance_m) from activities a "
            "left join activity_surfaces s on s.activity_id = a.id group by a.id "
            "having count(s.activity_id) = 0 or abs(sum(s.distance_m) - a.distance_m) > 1e-6"
        ).fetchall()
        assert uneven == [], f"activities whose surfaces do not add up: {uneven}"
        empty = conn.execute(
            "select id, path from sources where outcome = 'imported' and not exists "
            "(select 1 from activities where activities.source_id = sources.id)"
        ).fetchall()
        assert empty == [], f"sources imported without an activity: {empty}"
    finally:
        conn.close()


def db_dump(db_path: Path) -> str:
    """Every table's rows as SQL text, to search for what must never be stored."""
    conn = sqlite3.connect(db_path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


# -- broken and hostile input: a good run beside each bad file -----------------------------

MB = 1024 * 1024
GOOD = SampleRun(
    started_at=datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc),
    distance_m=5_000.0,
    duration_s=1_500.0,
    name="Good run",
    step_s=5.0,
)
GOOD_STORED = [("2024-05-01T06:30:00Z", 5.0)]  # (started_at, km) of the good run


def other_run(**changes: object) -> SampleRun:
    """A run like the good one, on 2024-05-02 unless `changes` says otherwise."""
    base = replace(GOOD, started_at=datetime(2024, 5, 2, 7, 0, tzinfo=timezone.utc), name="Other")
    return replace(base, **changes)


def write_good(folder: Path, fmt: str = "gpx") -> Path:
    """The good run as `good.gpx` (or `good.fit`) in `folder`."""
    from runwear.samples.fit_writer import fit_activity_bytes
    from runwear.samples.gpx_writer import gpx_bytes

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"good.{fmt}"
    path.write_bytes(gpx_bytes([GOOD]) if fmt == "gpx" else fit_activity_bytes([GOOD]))
    return path


def run_import(*paths: Path, options: Sequence[str] = ()) -> Result:
    """`runwear import` in this process (so monkeypatches and tracemalloc see the work)."""
    from runwear.cli import cli

    return CliRunner().invoke(cli, ["import", "--jobs", "1", *options, *map(str, paths)])


def stored_runs(db: Path) -> list[tuple[str, float]]:
    """(started_at, km) of every stored activity, oldest first."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("select started_at, distance_m from activities order by started_at")
        return [(started, round(distance_m / 1000, 3)) for started, distance_m in rows]
    finally:
        conn.close()


def assert_clean(result: Result) -> None:
    """No exception escaped and no traceback was printed."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


def assert_refused(
    result: Result,
    db: Path,
    bad: Path | str,
    reason: str,
    *,
    sources: str = "2 files",
    stored: Sequence[tuple[str, float]] = tuple(GOOD_STORED),
) -> str:
    """One error line names `bad` and holds `reason`; the good run is stored; exit 1; db sound.

    The output is that line and the summary ("... from `sources`; ..."), nothing else.
    Returns the line.
    """
    assert_clean(result)
    lines = result.output.splitlines()
    about = [line for line in lines if line.startswith(f"{bad}: ")]
    assert len(about) == 1, result.output
    line = about[0]
    assert line.startswith(f"{bad}: error: "), line
    assert reason in line, line
    runs = len(stored)
    km = sum(d for _, d in stored)
    assert lines == [
        line,
        f"Imported {runs} run{'s' if runs != 1 else ''} ({km:.1f} km) from {sources}; "
        "0 duplicates, 0 not runs, 1 error.",
    ], result.output
    assert result.exit_code == 1
    assert stored_runs(db) == list(stored)
    assert_db_sound(db)
    return line


def cli_invoker() -> Callable[..., Result]:
    """`invoke("shoes", "--json")`: the CLI on the test's database, its exceptions raised."""
    from runwear.cli import cli

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def count_rows(db_path: Path, table: str) -> int:
    """How many rows `table` holds in the database file at `db_path`."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]
