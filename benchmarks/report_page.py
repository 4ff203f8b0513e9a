"""How big and how fast `runwear report` is on a 10-year database (3,000+ runs with tracks).

    python benchmarks/report_page.py [--years 10] [--runs-per-week 6] [--keep DIR]

The database is generated straight through the store (`add_source`, `add_activity` with a
track and its surface parts, no files parsed): six runs a week of 30 to 90 minutes, one point
every 5 s along a wandering route around a city (the compact track runwear stores), each run
split over two or three surfaces, a new pair of shoes every 700 km with the old one retired.

Then the page is written as `runwear report` writes it (`write_report`: figures, page, file),
for the default 16 weeks and for the whole span (`--weeks 520`, surfaces by month). Printed:
the page size against its target (< 2 MB), the time to write it against its target (< 2 s),
OK or MISSED, where the time goes (figures, render), and `runwear report` as a fresh process
beside `runwear --version`, the start-up (Python, click, sqlite-utils) every command pays.
The machine is shared; compare the ratios to the targets more than the absolute times.
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from runwear.cli.app import App
from runwear.cli.report import write_report
from runwear.geo import path_length_m
from runwear.ingest.model import Activity
from runwear.report.data import build_report
from runwear.report.page import render_page
from runwear.samples.stored import store_sample_run
from runwear.store import open_db
from runwear.store.shoes import add_shoe, set_retired
from runwear.surfacing.geometry import LocalProjection
from runwear.surfacing.split import SurfacePart

CENTRE = (48.1374, 11.5755)  # Munich
SPEED_MPS = 3.0
STEP_S = 5.0
SHOE_LIMIT_M = 700_000.0
MAX_PAGE_MB = 2.0
MAX_WRITE_S = 2.0
SURFACES = ("asphalt", "concrete", "trail", "grass", "gravel", "track")
SEED = 20261201


def route(rng: random.Random, duration_s: float) -> list[tuple[float, float]]:
    """A wandering route from a start within 3 km of the centre: a point every STEP_S."""
    proj = LocalProjection(*CENTRE)
    x, y = rng.uniform(-3000, 3000), rng.uniform(-3000, 3000)
    heading = rng.uniform(0, 2 * math.pi)
    step_m = SPEED_MPS * STEP_S
    points = []
    for _ in range(int(duration_s / STEP_S) + 1):
        points.append(proj.to_latlon(x, y))
        heading += rng.gauss(0, 0.15)
        x += step_m * math.cos(heading)
        y += step_m * math.sin(heading)
    return points


def build_database(path: Path, years: int, runs_per_week: int) -> tuple[int, int, int]:
    """Write the generated database; (runs, track points, shoes)."""
    rng = random.Random(SEED)
    db = open_db(path)
    today = date.today()
    first = today - timedelta(weeks=52 * years)
    runs = points_total = 0
    shoe_id = add_shoe(db, "Shoe 1", limit_m=SHOE_LIMIT_M, is_default=1)
    shoes, shoe_m = 1, 0.0
    with db.conn:
        for week in range(52 * years):
            monday = first + timedelta(weeks=week)
            for day in sorted(rng.sample(range(7), runs_per_week)):
                started = datetime.combine(
                    monday + timedelta(days=day), datetime.min.time(), timezone.utc
                ) + timedelta(hours=rng.randint(6, 19))
                track = route(rng, rng.uniform(1800, 5400))
                distance_m = path_length_m(track)
                activity = Activity(
                    started_at=started,
                    sport="running",
                    sub_sport="generic",
                    distance_m=distance_m,
                    duration_s=distance_m / SPEED_MPS,
                    ascent_m=rng.uniform(10, 150),
                    track=tuple(track),
                )
                shares = [rng.random() for _ in range(rng.randint(2, 3))]
                picked = rng.sample(SURFACES, len(shares))
                parts = [
                    SurfacePart(s, "osm", distance_m * share / sum(shares))
                    for s, share in zip(picked, shares, strict=True)
                ]
                store_sample_run(
                    db,
                    activity,
                    f"bench-{runs}",
                    shoe_id=shoe_id,
                    shoe_source="default",
                    surface=parts[0].surface,
                    surface_source="osm",
                    parts=parts,
                    path=f"run-{runs}.fit",
                )
                runs += 1
                points_total += len(track)
                shoe_m += distance_m
                if shoe_m >= SHOE_LIMIT_M:
                    set_retired(db, shoe_id, started.date())
                    shoes += 1
                    shoe_id = add_shoe(db, f"Shoe {shoes}", limit_m=SHOE_LIMIT_M)
                    db.execute("update shoes set is_default = 1 where id = ?", [shoe_id])
                    shoe_m = 0.0
    db.close()
    return runs, points_total, shoes


def runwear_command() -> list[str]:
    """The installed `runwear` beside this Python, else `python -m runwear`."""
    beside = Path(sys.executable).parent / "runwear"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "runwear"]


def measure(db_path: Path, out: Path, weeks: int, startup_s: float) -> None:
    """Time writing the page in this process (the target), and `runwear report` as a command."""
    app = App(db_path=db_path)
    started = time.perf_counter()
    write_report(app, str(out), weeks)
    write_s = time.perf_counter() - started
    size_mb = out.stat().st_size / 1024 / 1024
    started = time.perf_counter()
    report = build_report(app.db, app.settings, db_path, weeks=weeks)
    figures_s = time.perf_counter() - started
    started = time.perf_counter()
    render_page(report, app.settings)
    render_s = time.perf_counter() - started
    app.db.close()
    points = sum(len(r.points) for r in report.map_runs)

    command = [*runwear_command(), "--db", str(db_path), "report", "--out", str(out)]
    started = time.perf_counter()
    subprocess.run([*command, "--weeks", str(weeks)], check=True, capture_output=True)
    command_s = time.perf_counter() - started

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    print(f"--weeks {weeks} ({report.by}ly surfaces, {len(report.map_runs)} runs on the map):")
    print(
        f"  page size  {size_mb:6.2f} MB  target < {MAX_PAGE_MB:g} MB  "
        f"({size_mb / MAX_PAGE_MB:.0%} of it)  {verdict(size_mb < MAX_PAGE_MB)}"
    )
    print(
        f"  write      {write_s:6.2f} s   target < {MAX_WRITE_S:g} s   "
        f"({write_s / MAX_WRITE_S:.0%} of it)  {verdict(write_s < MAX_WRITE_S)}  "
        "(figures, page and file, in process)"
    )
    print(
        f"  of which figures {figures_s:.2f} s, render {render_s:.2f} s (again, templates "
        f"compiled); the map keeps {points:,} points after simplifying"
    )
    print(
        f"  `runwear report` as a fresh process: {command_s:.2f} s, of which Python and "
        f"runwear's imports take about {startup_s:.2f} s (`runwear --version`)"
    )


def startup_seconds() -> float:
    """Wall time of `runwear --version`: the start-up every command pays."""
    started = time.perf_counter()
    subprocess.run([*runwear_command(), "--version"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs-per-week", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="Build the database in this folder and keep it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="runwear-report-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / "bench.db"
        if db_path.exists():
            db_path.unlink()
        started = time.perf_counter()
        runs, points, shoes = build_database(db_path, args.years, args.runs_per_week)
        print(
            f"{args.years}-year database: {runs:,} runs with tracks ({points:,} points), "
            f"{shoes} shoes ({shoes - 1} retired); built in {time.perf_counter() - started:.1f} s"
        )
        startup_s = startup_seconds()
        for weeks in (16, 520):
            measure(db_path, folder / f"report-{weeks}.html", weeks, startup_s)


if __name__ == "__main__":
    main()
