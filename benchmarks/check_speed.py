"""Speed of `runwear check` (every check, the back coach's included) and `runwear pain why`.

For each N (default 1,000 and 10,000 runs), builds a database file directly through the
store functions: five runs a week with a cadence and a 40-minute timeline (so every run has a
pace profile), on concrete or trail, two strength sessions a week and a pain entry every ten
weeks. Then times, best of three, `run_checks` as of the day after the last run, the
back-coach checks alone, the load checks alone, and `pain why` for the latest entry and
`--all`. The machine is shared and noisy: compare the figures of one sitting.

    python benchmarks/check_speed.py               # N = 1,000 and 10,000
    python benchmarks/check_speed.py -n 2000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from runwear.ingest.model import Activity
from runwear.monitor.checks import run_checks
from runwear.monitor.coach_checks import coach_warnings
from runwear.monitor.load_checks import load_warnings
from runwear.monitor.pain import before_pain, load_history, rank_factors
from runwear.samples.stored import store_sample_run
from runwear.store import Settings, open_db
from runwear.store.pain import add_pain
from runwear.store.shoes import add_shoe

RUN_DAYS = (0, 1, 3, 4, 6)  # five runs a week
GYM_DAYS = (2, 5)
PAIN_EVERY_WEEKS = 10
REPEATS = 3
SETTINGS = Settings(timezone="UTC")


def timeline(distance_m: float, duration_s: float) -> tuple[tuple[float, float], ...]:
    """A point every 10 s: the first and last 5 minutes slower, the rest even."""
    points, t, m = [(0.0, 0.0)], 0.0, 0.0
    speed = distance_m / duration_s
    while t < duration_s:
        t += 10.0
        easy = t <= 300 or t > duration_s - 300
        m = min(distance_m, m + 10.0 * speed * (0.85 if easy else 1.03))
        points.append((t, m))
    return tuple(points)


def build(path: Path, runs: int) -> datetime:
    """A database of `runs` runs ending yesterday-ish; returns the moment to check as of."""
    db = open_db(path)
    shoes = [add_shoe(db, f"Shoe {n}") for n in range(3)]
    weeks = -(-runs // len(RUN_DAYS))
    first = date(2026, 6, 1) - timedelta(weeks=weeks)
    count = 0
    with db.conn:
        for week in range(weeks):
            monday = first + timedelta(weeks=week)
            for day in (*RUN_DAYS, *GYM_DAYS):
                is_run = day in RUN_DAYS
                if is_run and count >= runs:
                    continue
                started = datetime(monday.year, monday.month, monday.day, 7, tzinfo=timezone.utc)
                started += timedelta(days=day)
                distance_m = (8_000.0 + (week % 4) * 1_000 + day * 300) if is_run else 0.0
                duration_s = distance_m * 0.33 if is_run else 2_400.0
                activity = Activity(
                    started_at=started,
                    sport="running" if is_run else "training",
                    sub_sport="generic" if is_run else "strength_training",
                    distance_m=distance_m,
                    duration_s=duration_s,
                    moving_s=duration_s,
                    ascent_m=40.0 if is_run else None,
                    cadence_spm=(166.0 + week % 5) if is_run else None,
                    timeline=timeline(distance_m, duration_s) if is_run else (),
                )
                store_sample_run(
                    db,
                    activity,
                    f"bench-{week}-{day}",
                    shoe_id=shoes[count % len(shoes)] if is_run else None,
                    shoe_source="manual" if is_run else None,
                    surface="concrete" if is_run and week % 3 == 0 else "trail",
                    surface_source="manual",
                )
                count += is_run
    for week in range(PAIN_EVERY_WEEKS, weeks, PAIN_EVERY_WEEKS):
        add_pain(db, first + timedelta(weeks=week, days=2), 3 + week % 4)
    db.close()
    return datetime.combine(first + timedelta(weeks=weeks), datetime.min.time(), timezone.utc)


def best_of(work: Callable[[], object]) -> float:
    """The fastest of REPEATS runs of `work`, in seconds."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(runs: int) -> None:
    """Build a database of `runs` runs and print the timings."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        as_of = build(path, runs)
        built_s = time.perf_counter() - started
        db = open_db(path)
        activities = db.execute("select count(*) from activities").fetchone()[0]
        findings = run_checks(db, SETTINGS, as_of)

        def why() -> object:
            history = load_history(db, SETTINGS, as_of)
            return before_pain(history, history.pain[-1])

        print(
            f"{runs:>6} runs ({activities} activities, built in {built_s:.1f} s; "
            f"{len(findings)} findings: {', '.join(sorted({f.kind for f in findings}))})"
        )
        for label, work in (
            ("check (run_checks, every check)", lambda: run_checks(db, SETTINGS, as_of)),
            ("  back-coach checks alone", lambda: coach_warnings(db, SETTINGS, as_of)),
            ("  load checks alone", lambda: load_warnings(db, SETTINGS, as_of)),
            ("pain why (latest entry)", why),
            ("pain why --all", lambda: rank_factors(load_history(db, SETTINGS, as_of))),
        ):
            print(f"  {label:<34} {best_of(work) * 1000:9.1f} ms")
        db.close()


def main() -> None:
    """Time the checks at each requested number of runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, action="append", help="runs (repeatable)")
    args = parser.parse_args()
    for runs in args.runs or [1_000, 10_000]:
        measure(runs)


if __name__ == "__main__":
    main()
