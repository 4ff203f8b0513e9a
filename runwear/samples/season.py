"""A realistic sample season for `runwear demo`: three shoes, sixteen weeks, GPX and FIT files.

The back coach finds something in it too: the gym sessions stop a month before the end, and
the last Sunday long run is 22 km after a season of 16 km ones.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.gpx_writer import gpx_bytes
from runwear.samples.route import SampleRun

WEEKS = 16
PACE_S_PER_M = 0.33  # 5:30 per km
HOME = (51.4545, -2.5879)


@dataclass(frozen=True)
class SampleShoe:
    """A shoe of the sample season, with the options `runwear shoe add` would take."""

    name: str
    brand: str
    model: str
    limit_m: float
    start_distance_m: float
    is_default: bool = False
    default_for: str | None = None
    surface: str | None = None


@dataclass(frozen=True)
class SampleGroup:
    """A folder of sample files and the shoe its runs are imported with (None: defaults)."""

    folder: str
    shoe: str | None


SHOES = (
    # The everyday pavement shoe: past its limit by the end of the season.
    SampleShoe(
        "Pegasus", "Nike", "Pegasus 40", 700_000, 480_000, is_default=True, surface="concrete"
    ),
    # Worn for trail runs (the watch records them as trail).
    SampleShoe(
        "Speedgoat", "Hoka", "Speedgoat 5", 700_000, 80_000, default_for="trail", surface="trail"
    ),
    # Long runs on the road; nearing its (lower) limit.
    SampleShoe("Novablast", "Asics", "Novablast 4", 600_000, 260_000, surface="asphalt"),
)
GROUPS = (
    SampleGroup("watch", None),
    SampleGroup("long-runs", "Novablast"),
    SampleGroup("gym", None),
)
LAST_LONG_RUN_M = 22_000  # the season's longest by far: a long-run spike
# Strength/core sessions (FIT fitness_equipment): (week, day of the week), two a week for a
# month, then one in the last four weeks.
GYM_SESSIONS = ((8, 0), (8, 4), (9, 0), (9, 4), (10, 0), (10, 4), (11, 0), (11, 4), (13, 0))

# A week's runs from the watch: (day of the week, hour UTC, metres, sub-sport, name, file kind).
EASY_LOOP = (1, 7, 8_000, "street", "Easy pavement loop", "gpx")
EARLY_WEEK = (
    EASY_LOOP,
    (3, 18, 8_000, "track", "Track intervals", "fit"),
    (5, 9, 12_000, "trail", "Forest trail", "fit.gz"),
)
RECENT_WEEK = (  # the last month: more pavement, no trail
    EASY_LOOP,
    (2, 7, 10_000, "street", "Lunch run", "gpx.gz"),
    (3, 18, 8_000, "street", "Commute home", "fit"),
)


@dataclass(frozen=True)
class SamplePlace:
    """A place of the sample season: a circle the `runwear place add` options describe."""

    name: str
    surface: str
    lat: float
    lon: float
    radius_m: float


# A park that a third of the season's runs cross.
PLACES = (SamplePlace("Castle Park", "grass", HOME[0] + 0.003, HOME[1] + 0.003, 400.0),)


def _run(
    day: date, hour: int, distance_m: float, sub_sport: str, name: str, seed: int
) -> SampleRun:
    """One sample run starting at `hour` UTC on `day`."""
    start = datetime.combine(day, time(hour, 0), tzinfo=timezone.utc) + timedelta(minutes=seed % 40)
    return SampleRun(
        started_at=start,
        distance_m=distance_m,
        duration_s=round(distance_m * PACE_S_PER_M),
        sub_sport=sub_sport,
        name=name,
        lat=HOME[0] + (seed % 7) * 0.002,
        lon=HOME[1] + (seed % 5) * 0.003,
        bearing_deg=(seed * 47) % 360,
        step_s=5.0,
        hill_m=15.0 if sub_sport == "trail" else 3.0,
    )


def write_season(dest: Path, today: date) -> list[SampleGroup]:
    """Write the season's files under `dest` (one folder per group) and return the groups."""
    for group in GROUPS:
        (dest / group.folder).mkdir(parents=True, exist_ok=True)
    first = today - timedelta(weeks=WEEKS)  # the season ends yesterday
    seed = 0
    for week in range(WEEKS):
        start = first + timedelta(weeks=week)
        recent = week >= WEEKS - 4  # the last month: more pavement, no trail
        for day, hour, distance_m, sub_sport, name, kind in RECENT_WEEK if recent else EARLY_WEEK:
            seed += 1
            run = _run(start + timedelta(days=day), hour, distance_m, sub_sport, name, seed)
            _write(dest / "watch", run, kind)
        seed += 1
        long_m = LAST_LONG_RUN_M if week == WEEKS - 1 else 16_000
        long_run = _run(start + timedelta(days=6), 8, long_m, "generic", "Sunday long run", seed)
        _write(dest / "long-runs", long_run, "fit")
    # The same long run uploaded again as GPX from a phone: runwear spots the duplicate.
    _write(dest / "long-runs", long_run, "gpx")
    # A bike ride in the watch folder: not a run, not counted.
    ride = SampleRun(
        started_at=datetime.combine(today - timedelta(days=2), time(10), tzinfo=timezone.utc),
        distance_m=30_000,
        duration_s=3_600,
        sport="cycling",
        sub_sport="generic",
        name="Recovery ride",
        lat=HOME[0],
        lon=HOME[1],
        step_s=10.0,
    )
    _write(dest / "watch", ride, "fit")
    for week, day in GYM_SESSIONS:
        _write(dest / "gym", _gym(first + timedelta(weeks=week, days=day)), "fit")
    return list(GROUPS)


def _gym(day: date) -> SampleRun:
    """A 40-minute strength/core session at 18:00 UTC on `day` (no distance, no track)."""
    return SampleRun(
        started_at=datetime.combine(day, time(18), tzinfo=timezone.utc),
        distance_m=0.0,
        duration_s=2_400,
        sport="fitness_equipment",
        name="Core and glutes",
        lat=HOME[0],
        lon=HOME[1],
        step_s=60.0,
    )


def _write(folder: Path, run: SampleRun, kind: str) -> None:
    """Write one run as .gpx, .fit, or their gzipped forms, named by its start time."""
    data = gpx_bytes([run]) if kind.startswith("gpx") else fit_activity_bytes([run])
    stem = run.started_at.strftime("%Y-%m-%d-%H%M")
    if kind.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    (folder / f"{stem}.{kind}").write_bytes(data)
