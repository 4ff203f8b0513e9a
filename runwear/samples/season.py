"""A realistic sample season for `runwear demo`: three shoes, sixteen weeks, GPX and FIT files."""

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
GROUPS = (SampleGroup("watch", None), SampleGroup("long-runs", "Novablast"))

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
        long_run = _run(start + timedelta(days=6), 8, 16_000, "generic", "Sunday long run", seed)
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
    return list(GROUPS)


def _write(folder: Path, run: SampleRun, kind: str) -> None:
    """Write one run as .gpx, .fit, or their gzipped forms, named by its start time."""
    data = gpx_bytes([run]) if kind.startswith("gpx") else fit_activity_bytes([run])
    stem = run.started_at.strftime("%Y-%m-%d-%H%M")
    if kind.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    (folder / f"{stem}.{kind}").write_bytes(data)
