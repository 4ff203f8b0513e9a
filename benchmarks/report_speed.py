"""Speed of the reports (issue 15, goal 3): `shoes`, `check`, `load`, `surfaces` under 0.3 s at
10,000 runs and under 1 s at 100,000 runs, and `activities --json` at 100,000 runs (time and
peak memory).

For each N (default 10,000 and 100,000 runs) it builds a database file directly through the
store's functions, in one transaction: a runner with 5 or 6 runs a week ending yesterday (so
100,000 runs reach back centuries: one runner's weeks, many runners' worth of rows), three
shoes in rotation, each retired near 750 km and replaced (the retired ones stay in the
table), every run split over two or three surfaces from places, OpenStreetMap and the shoe,
a cadence and a pace timeline on the runs of the last two years, a UTC offset on two runs in
three (FIT files give one, GPX files do not), two strength sessions a week and a pain entry
every ten weeks. The databases are cached in a temporary folder for this run of the script.

Each command is timed twice, median of 3: as a fresh `runwear` process (what a user waits
for, start-up included: that is another goal's work) and in-process through the click
group (the report's own work). OK/MISSED compares the in-process figure with the goal, and
the process figure is printed beside it. Then, for each command, the slowest statements it
ran (captured with a trace callback, timed again one by one) with their EXPLAIN QUERY PLAN.

    python benchmarks/report_speed.py                  # N = 10,000 and 100,000
    python benchmarks/report_speed.py -n 10000         # one size
    python benchmarks/report_speed.py --keep DIR       # keep (and reuse) the databases in DIR
    PYTHONPATH=OLD python benchmarks/report_speed.py --module --keep DIR   # another version
    git archive e823eb1 runwear | tar -x -C /tmp/old
    python benchmarks/report_speed.py --compare /tmp/old   # before/after, alternating
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from check_speed import timeline  # this folder: the scripts run as python benchmarks/...

from runwear.ingest.model import Activity
from runwear.store import activities as store
from runwear.store import open_db
from runwear.store.pain import add_pain
from runwear.store.shoes import add_shoe, set_retired
from runwear.surfacing.split import SurfacePart

REPEATS = 3
GOAL_S = {10_000: 0.3, 100_000: 1.0}
# `check --as-of` judges the shoes by their distance on a day deep in the history.
COMMANDS = (("shoes",), ("check",), ("load",), ("surfaces",), ("check", "--as-of", "2000-01-01"))
SHOE_LIFE_M = 750_000.0
ROTATION = 3
PROFILE_DAYS = 730  # runs of the last two years have a timeline (and so a pace profile)
WEEK_PLAN = ((0, 8_000.0), (1, 10_000.0), (3, 12_000.0), (4, 6_000.0), (6, 18_000.0))
SIXTH_RUN = (5, 7_000.0)  # every other week
GYM_DAYS = (2, 5)
SURFACE_MIXES = (
    (("asphalt", "osm", 0.6), ("concrete", "place", 0.4)),
    (("trail", "place", 0.7), ("gravel", "osm", 0.2), ("asphalt", "osm", 0.1)),
    (("concrete", "shoe", 0.5), ("asphalt", "osm", 0.5)),
    (("track", "place", 1.0),),
    (("grass", "place", 0.5), ("unknown", None, 0.5)),
)
SLOW_SHOWN = 3  # statements with their plan, per command
# The installed entry point (what a user runs), next to this interpreter; --module runs
# `python -m runwear` instead (a checkout on PYTHONPATH, to compare with another version).
RUNWEAR = [str(Path(sys.executable).with_name("runwear"))]


def schedule(runs: int, last_day: date) -> Iterator[tuple[date, float | None]]:
    """(day, distance_m) of every run, newest last, and (day, None) for strength sessions."""
    plan: list[tuple[date, float | None]] = []
    count, monday = 0, last_day - timedelta(days=last_day.weekday())
    week = 0
    while count < runs:
        days = [*WEEK_PLAN, SIXTH_RUN] if week % 2 else list(WEEK_PLAN)
        for day, distance_m in sorted(days, reverse=True):
            when = monday + timedelta(days=day)
            if when <= last_day and count < runs:
                plan.append((when, distance_m * (1 + (week % 7) * 0.03)))
                count += 1
        plan += [(monday + timedelta(days=d), None) for d in GYM_DAYS if d <= 6]
        monday -= timedelta(weeks=1)
        week += 1
    return iter(sorted(plan, key=lambda p: (p[0], p[1] is not None)))


def build(path: Path, runs: int) -> float:
    """Write a database of `runs` runs ending yesterday; returns the seconds it took."""
    started = time.perf_counter()
    db = open_db(path)
    last_day = date.today() - timedelta(days=1)
    timelines: dict[int, tuple[tuple[float, float], ...]] = {}
    shoes: list[int] = []
    worn: dict[int, float] = {}
    made = 0
    pains = []
    with db.conn:
        for n, (day, distance_m) in enumerate(schedule(runs, last_day)):
            hour = 6 + n % 3
            moment = datetime(day.year, day.month, day.day, hour, 30, tzinfo=timezone.utc)
            if distance_m is None:
                activity = Activity(
                    started_at=moment,
                    sport="training",
                    sub_sport="strength_training",
                    distance_m=0.0,
                    duration_s=2_400.0,
                )
                store.add_activity(
                    db,
                    activity,
                    source_id=None,
                    session_index=0,
                    fmt="fit",
                    shoe_id=None,
                    shoe_source=None,
                    surface="unknown",
                    surface_source=None,
                )
                continue
            while len(shoes) < ROTATION:
                made += 1
                shoe_id = add_shoe(db, f"Shoe {made}")
                shoes.append(shoe_id)
                worn[shoe_id] = 0.0
            shoe_id = shoes[made % ROTATION] if n % 4 else shoes[0]
            duration_s = distance_m * (0.30 + (n % 5) * 0.01)
            recent = (last_day - day).days < PROFILE_DAYS
            if recent and int(distance_m) not in timelines:
                timelines[int(distance_m)] = timeline(distance_m, duration_s)
            mix = SURFACE_MIXES[n % len(SURFACE_MIXES)]
            activity = Activity(
                started_at=moment,
                sport="running",
                sub_sport="generic",
                distance_m=distance_m,
                duration_s=duration_s + 60,
                moving_s=duration_s,
                ascent_m=None if n % 11 == 0 else 30.0 + n % 90,
                utc_offset_s=None
                if n % 3 == 0
                else 3_600 * (1 + (day.month in (4, 5, 6, 7, 8, 9))),
                cadence_spm=(164.0 + n % 9) if recent else None,
                timeline=timelines[int(distance_m)] if recent else (),
            )
            store.add_activity(
                db,
                activity,
                source_id=None,
                session_index=0,
                fmt="fit" if n % 3 else "gpx",
                shoe_id=shoe_id,
                shoe_source="manual",
                surface=mix[0][0],
                surface_source=mix[0][1],
                parts=[SurfacePart(s, src, distance_m * share) for s, src, share in mix],
            )
            worn[shoe_id] += distance_m
            if worn[shoe_id] >= SHOE_LIFE_M:
                set_retired(db, shoe_id, day)
                shoes.remove(shoe_id)
            if n % 53 == 0:
                pains.append((day, 2 + n % 5))
    for day, level in pains:
        add_pain(db, day, level)
    db.close()
    return time.perf_counter() - started


def run_process(db_path: Path, args: Sequence[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KB) of one fresh `runwear` process."""
    env = {**os.environ, "RUNWEAR_DB": str(db_path), "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*RUNWEAR, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"runwear {' '.join(args)} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss


def run_inside(db_path: Path, args: Sequence[str]) -> float:
    """Seconds of one call through the click group in this process (no start-up)."""
    from runwear.cli import cli

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli.main(["--db", str(db_path), *args], prog_name="runwear", standalone_mode=False)
    return time.perf_counter() - started


def median_of(work: Callable[[], float]) -> float:
    """The median of REPEATS runs of `work` (each returns its own seconds)."""
    return statistics.median(work() for _ in range(REPEATS))


@contextlib.contextmanager
def traced() -> Iterator[list[str]]:
    """Every statement run on connections opened inside the block (bound values expanded)."""
    statements: list[str] = []
    connect = sqlite3.connect

    def tracing(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    sqlite3.connect = tracing  # type: ignore[assignment]
    try:
        yield statements
    finally:
        sqlite3.connect = connect  # type: ignore[assignment]


def slow_statements(db_path: Path, args: Sequence[str]) -> list[tuple[float, str, list[str]]]:
    """The slowest selects a command runs: (seconds, sql, query plan lines), slowest first."""
    with traced() as statements:
        run_inside(db_path, args)
    conn = sqlite3.connect(db_path)
    timed = []
    for sql in dict.fromkeys(s for s in statements if s.lstrip().lower().startswith("select")):
        started = time.perf_counter()
        conn.execute(sql).fetchall()
        elapsed = time.perf_counter() - started
        plan = [row[3] for row in conn.execute("explain query plan " + sql)]
        timed.append((elapsed, sql, plan))
    conn.close()
    return sorted(timed, reverse=True)[:SLOW_SHOWN]


def verdict(seconds: float, goal_s: float) -> str:
    """OK under the goal, else MISSED."""
    return "OK" if seconds < goal_s else "MISSED"


def measure(folder: Path, runs: int, plans: bool) -> list[tuple[str, int, float, float]]:
    """Build (or reuse) the database of `runs` runs, print its timings; returns the rows."""
    path = folder / f"report-{runs}.db"
    if path.exists():
        print(f"{runs:,} runs: reusing {path}")
    else:
        print(f"{runs:,} runs: built in {build(path, runs):.1f} s ({path})")
    goal_s = GOAL_S.get(runs, 1.0)
    rows = []
    print(f"  {'command':<34} {'in-process':>10} {'process':>9}  goal {goal_s:g} s")
    for args in COMMANDS:
        run_inside(path, args)  # warm the page cache once
        inside = median_of(lambda a=args: run_inside(path, a))
        process = median_of(lambda a=args: run_process(path, a)[0])
        name = "runwear " + " ".join(args)
        print(
            f"  {name:<34} {inside:9.3f}s {process:8.3f}s  {verdict(inside, goal_s)}"
            f" (process: {verdict(process, goal_s)})"
        )
        rows.append((name, runs, inside, process))
    if runs >= 100_000:
        args = ("activities", "--json")
        results = [run_process(path, args) for _ in range(REPEATS)]
        seconds = statistics.median(r[0] for r in results)
        peak_mb = max(r[1] for r in results) / 1024
        print(f"  runwear activities --json: {seconds:.2f} s, peak RSS {peak_mb:.0f} MB (process)")
    if plans:
        for args in COMMANDS:
            print(f"  slowest statements of runwear {' '.join(args)}:")
            for elapsed, sql, plan in slow_statements(path, args):
                print(f"    {elapsed * 1000:7.1f} ms  {' '.join(sql.split())[:160]}")
                for line in plan:
                    print(f"               | {line}")
    return rows


INSIDE_CHILD = """
import contextlib, io, statistics, sys, time
from runwear.cli import cli
times = []
for _ in range(1 + int(sys.argv[1])):
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli.main(["--db", *sys.argv[2:]], prog_name="runwear", standalone_mode=False)
    times.append(time.perf_counter() - started)
print(statistics.median(times[1:]))
"""


def as_before(path: Path, old_path: Path) -> None:
    """A copy of the database as the version before this change left it: no m007 index."""
    conn = sqlite3.connect(path)
    conn.execute("vacuum into ?", [str(old_path)])
    conn.close()
    conn = sqlite3.connect(old_path)
    with conn:
        conn.execute("drop index idx_activities_shoe_started")
        conn.execute("drop index idx_activity_surfaces_mix")
        conn.execute("delete from _sqlite_migrations where name = 'm007_report_indexes'")
    conn.close()


def compare(folder: Path, runs: int, old_source: Path) -> None:
    """Time each command before (the runwear package in `old_source`) and after, alternating."""
    path = folder / f"report-{runs}.db"
    if not path.exists():
        print(f"{runs:,} runs: built in {build(path, runs):.1f} s ({path})")
    run_inside(path, ("shoes",))  # migrated before the copy
    old_path = folder / f"report-{runs}-before.db"
    if not old_path.exists():
        as_before(path, old_path)
    old_env = {**os.environ, "PYTHONPATH": str(old_source)}
    print(f"  {runs:,} runs, medians of {REPEATS}, before -> after (ratio), alternating:")
    for args in COMMANDS:
        inside: dict[str, list[float]] = {"before": [], "after": []}
        process: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(REPEATS):
            for version, db_path, env in (("before", old_path, old_env), ("after", path, None)):
                done = subprocess.run(
                    [sys.executable, "-c", INSIDE_CHILD, "1", str(db_path), *args],
                    env=env,
                    cwd=tempfile.gettempdir(),
                    capture_output=True,
                    text=True,
                    check=True,
                )
                inside[version].append(float(done.stdout))
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "runwear", "--db", str(db_path), *args],
                    env=env,
                    cwd=tempfile.gettempdir(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                process[version].append(time.perf_counter() - started)
        before, after = (statistics.median(inside[v]) for v in ("before", "after"))
        p_before, p_after = (statistics.median(process[v]) for v in ("before", "after"))
        print(
            f"    runwear {' '.join(args):<25} in-process {before:7.3f} -> {after:6.3f} s "
            f"({before / after:5.1f}x); process {p_before:6.3f} -> {p_after:6.3f} s"
        )


def main() -> None:
    """Time the reports at each requested number of runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, action="append", help="runs (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep and reuse the databases in this folder")
    parser.add_argument("--no-plans", action="store_true", help="skip the query plans")
    parser.add_argument(
        "--module", action="store_true", help="run processes as python -m runwear (PYTHONPATH)"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="OLD",
        help="time before/after: OLD holds the earlier runwear package (git archive REV runwear)",
    )
    args = parser.parse_args()
    if args.module:
        RUNWEAR[:] = [sys.executable, "-m", "runwear"]
    sizes = args.runs or [10_000, 100_000]
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.compare:
            for runs in sizes:
                compare(folder, runs, args.compare.resolve())
            return
        rows = []
        for runs in sizes:
            rows += measure(folder, runs, not args.no_plans)
    print("\nGoal 3 (reports):")
    for name, runs, inside, process in rows:
        goal_s = GOAL_S.get(runs, 1.0)
        print(
            f"  {name:<34} {runs:>7,} runs  {inside:6.3f} s in-process, {process:6.3f} s as a "
            f"process (goal {goal_s:g} s): {verdict(inside, goal_s)}"
        )


if __name__ == "__main__":
    main()
