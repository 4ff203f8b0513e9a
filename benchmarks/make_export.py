"""Write a synthetic Strava export for the import benchmark: N one-hour runs, half GPX half FIT.

Each run has a point every second (3,601 points), as a watch records it. The export has the
layout Strava gives: activities.csv (every column, names repeated), shoes.csv, and the
uploads in activities/ (`.gpx` as phones upload them, `.fit.gz` as Strava stores watch
files), zipped with deflate as downloaded.

    python benchmarks/make_export.py                 # 400 runs, in a new temporary folder
    python benchmarks/make_export.py -n 100 --out /tmp/strava-100.zip
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runwear.samples.exports import StravaEntry, StravaShoeRow, write_strava_export
from runwear.samples.route import SampleRun

SHOES = (
    StravaShoeRow("Peggy", "Nike", "Pegasus 40", "Run"),
    StravaShoeRow("", "Hoka", "Speedgoat 5", "Trail Run"),
    StravaShoeRow("Race day", "Asics", "Metaspeed Sky", ""),
)
GEAR = ("Peggy", "Hoka Speedgoat 5", "Asics Metaspeed Sky Race day")
FIRST_DAY = datetime(2022, 1, 3, 6, 30, tzinfo=timezone.utc)
ONE_A_DAY = 1_500  # runs an export can hold at one a day before reaching 2026


def entries(n: int) -> list[StravaEntry]:
    """N one-hour runs, alternately GPX and gzipped FIT, with their shoes: one a day, or two
    (morning and evening) past ONE_A_DAY runs, so that none is dated in the future."""
    out = []
    per_day = 1 if n <= ONE_A_DAY else 2
    for i in range(n):
        trail = i % 5 == 4
        day, evening = divmod(i, per_day)
        run = SampleRun(
            started_at=FIRST_DAY + timedelta(days=day, hours=12 * evening, minutes=i % 50),
            distance_m=10_000 + (i % 7) * 250,
            duration_s=3_600,
            name=f"Run {i + 1}",
            lat=51.45 + (i % 11) * 0.003,
            lon=-2.59 + (i % 13) * 0.004,
            bearing_deg=(i * 37) % 360,
            step_s=1.0,
            hill_m=12.0 if trail else 3.0,
        )
        out.append(
            StravaEntry(
                activity_id=9_000_000_000 + i,
                run=run,
                activity_type="Trail Run" if trail else "Run",
                file="gpx" if i % 2 == 0 else "fit.gz",
                gear=GEAR[i % len(GEAR)],
                old_date=run.started_at.year < 2019,
            )
        )
    return out


def make_export(n: int, dest: Path) -> Path:
    """Write the export of `n` runs to `dest` (a .zip path) and return it."""
    return write_strava_export(dest, entries(n), SHOES, zipped=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--runs", type=int, default=400, help="runs in the export (400)")
    parser.add_argument("--out", type=Path, help="the .zip to write (default: a temp folder)")
    args = parser.parse_args()
    dest = args.out or Path(tempfile.mkdtemp(prefix="runwear-bench-")) / "export.zip"
    started = time.perf_counter()
    make_export(args.runs, dest)
    size_mb = dest.stat().st_size / 1e6
    print(f"{dest}: {args.runs} runs, {size_mb:.1f} MB, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
