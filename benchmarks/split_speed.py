"""How fast runs are split by surface: 1,000 one-hour runs, 200 places, a 50,000-way city.

    python benchmarks/split_speed.py [--runs 1000] [--places 200] [--ways 50000] [--osm FILE]
                                     [--part memory|db|both]

The city is a generated street grid written as a real .osm file. Two parts, each in its own
process so that each peak RSS is its own:

- in memory: the file read back with `runwear.ingest.osm.iter_osm_ways` into one in-memory
  `WayIndex`, places in a `PlaceIndex`, and `split_track` on each run (the pure splitter);
- database: `runwear osm load` of the file (timed, with its peak RSS), places and runs stored,
  then, in a fresh process each (peak RSS its own), `runwear.store.surfaces.resplit` of every
  run: tracks read back from SQLite, ways read tile by tile through the R*Tree, parts written
  (what `osm load` and `place add` do to a season of runs).

`--osm FILE` loads a real extract (.osm or .osm.pbf) instead of the generated city; runs are
still generated on the grid.

Runs follow the streets (random turns at corners) at 3.3 m/s with one point per 5 s (the
compact track runwear stores) and 3 m of GPS noise, so most points match a way, and cross the
places. Peak memory is the process's maximum resident set size (getrusage), after each step.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runwear.geo import path_length_m
from runwear.ingest.osm import iter_osm_ways
from runwear.samples.osm_writer import SampleWay, write_osm
from runwear.surfacing.geometry import Circle, Corridor, LocalProjection
from runwear.surfacing.split import Place, PlaceIndex, WayIndex, split_track

CENTRE = (52.5200, 13.4050)  # Berlin
BLOCK_M = 80.0  # street spacing
NODES_PER_WAY = 5  # each block-long way has 3 bends
RUN_SPEED_MPS = 3.3
TRACK_STEP_S = 5.0
RUN_S = 3600.0
GPS_NOISE_M = 3.0
SEED = 20260601

# The city's streets: (share, tags); the rest are residential roads.
STREET_KINDS: list[tuple[float, dict[str, str]]] = [
    (0.15, {"highway": "footway"}),
    (0.10, {"highway": "footway", "surface": "paving_stones"}),
    (0.06, {"highway": "path", "surface": "gravel"}),
    (0.05, {"highway": "path", "surface": "dirt"}),
    (0.03, {"highway": "path", "surface": "grass"}),
    (0.01, {"leisure": "track", "surface": "tartan"}),
    (0.10, {"highway": "primary"}),
]
PLACE_SURFACES = ("track", "grass", "trail", "gravel", "sand", "concrete")


def rss_mb() -> float:
    """The process's peak resident set size so far, in MB (ru_maxrss is KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def grid_size(ways: int) -> int:
    """Intersections per side of a square grid with about `ways` block-long ways."""
    # n x n corners hold 2 n (n - 1) blocks.
    return max(2, math.ceil((1 + math.sqrt(1 + 2 * ways)) / 2))


def city_ways(ways: int, rng: random.Random) -> tuple[list[SampleWay], int]:
    """Block-long ways on an n x n grid around CENTRE, with bends and a mix of surfaces."""
    n = grid_size(ways)
    proj = LocalProjection(*CENTRE)
    half = (n - 1) * BLOCK_M / 2
    out: list[SampleWay] = []
    for i in range(n):
        for j in range(n):
            for di, dj in ((0, 1), (1, 0)):
                if i + di >= n or j + dj >= n or len(out) >= ways:
                    continue
                x0, y0 = j * BLOCK_M - half, i * BLOCK_M - half
                x1, y1 = (j + dj) * BLOCK_M - half, (i + di) * BLOCK_M - half
                points = [proj.to_latlon(x0, y0)]
                for k in range(1, NODES_PER_WAY - 1):
                    t = k / (NODES_PER_WAY - 1)
                    wobble = rng.uniform(-2.0, 2.0)
                    points.append(
                        proj.to_latlon(
                            x0 + (x1 - x0) * t + wobble * di, y0 + (y1 - y0) * t + wobble * dj
                        )
                    )
                points.append(proj.to_latlon(x1, y1))
                out.append(SampleWay(_street_tags(rng), points))
    return out, n


def _street_tags(rng: random.Random) -> dict[str, str]:
    roll = rng.random()
    for share, tags in STREET_KINDS:
        if roll < share:
            return tags
        roll -= share
    return {"highway": "residential"}


def city_places(count: int, n: int, rng: random.Random) -> list[Place]:
    """Three circles (50-400 m) for every corridor (5-20 points, 10-30 m wide)."""
    proj = LocalProjection(*CENTRE)
    half = (n - 1) * BLOCK_M / 2
    places = []
    for k in range(count):
        surface = rng.choice(PLACE_SURFACES)
        x, y = rng.uniform(-half, half), rng.uniform(-half, half)
        if k % 4 == 3:
            points = [proj.to_latlon(x, y)]
            for _ in range(rng.randint(4, 19)):
                x += rng.uniform(-150.0, 150.0)
                y += rng.uniform(-150.0, 150.0)
                points.append(proj.to_latlon(x, y))
            shape: Circle | Corridor = Corridor(points, rng.uniform(10.0, 30.0))
        else:
            shape = Circle(*proj.to_latlon(x, y), rng.uniform(50.0, 400.0))
        places.append(Place(f"place {k}", surface, shape))
    return places


def city_runs(count: int, n: int, rng: random.Random) -> list[list[tuple[float, float]]]:
    """One-hour runs along the streets: a point every 5 s, turning at random corners."""
    proj = LocalProjection(*CENTRE)
    half = (n - 1) * BLOCK_M / 2
    step_m = RUN_SPEED_MPS * TRACK_STEP_S
    points_per_run = int(RUN_S / TRACK_STEP_S) + 1
    runs = []
    for _ in range(count):
        i, j = rng.randrange(n), rng.randrange(n)
        di, dj = rng.choice(((0, 1), (1, 0), (0, -1), (-1, 0)))
        along = 0.0
        track = []
        for _ in range(points_per_run):
            x = (j + dj * along / BLOCK_M) * BLOCK_M - half
            y = (i + di * along / BLOCK_M) * BLOCK_M - half
            track.append(
                proj.to_latlon(x + rng.gauss(0, GPS_NOISE_M), y + rng.gauss(0, GPS_NOISE_M))
            )
            along += step_m
            while along >= BLOCK_M:  # at a corner: carry on, turn, or turn back at the edge
                along -= BLOCK_M
                i, j = i + di, j + dj
                choices = [(di, dj), (dj, di), (-dj, -di)]
                rng.shuffle(choices)
                for ndi, ndj in [*choices, (-di, -dj)]:
                    if 0 <= i + ndi < n and 0 <= j + ndj < n:
                        di, dj = ndi, ndj
                        break
        runs.append(track)
    return runs


def memory_part(args: argparse.Namespace) -> None:
    """The pure splitter: every way in one in-memory WayIndex, places in a PlaceIndex."""
    rng = random.Random(SEED)
    print(f"[in memory] start: peak RSS {rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        ways, n = city_ways(args.ways, rng)
        path = args.osm or write_osm(Path(tmp) / "city.osm", ways)
        size_mb = path.stat().st_size / 1e6
        del ways
        started = time.perf_counter()
        index = WayIndex(iter_osm_ways(path))
        load_s = time.perf_counter() - started
    print(
        f"OSM: {index.ways:,} ways, {index.segments:,} segments from a {size_mb:.1f} MB "
        f"{path.name.split('.', 1)[1]} file, loaded and indexed in {load_s:.1f} s; "
        f"peak RSS {rss_mb():.0f} MB"
    )

    places = PlaceIndex(city_places(args.places, n, rng))
    runs = city_runs(args.runs, n, rng)
    points = sum(len(run) for run in runs)
    distances = [path_length_m(run) * 1.01 for run in runs]
    print(
        f"generated {len(runs):,} runs ({points:,} points, {points / len(runs):.0f} a run, "
        f"{sum(distances) / len(runs) / 1000:.1f} km each) and {len(places)} places; "
        f"peak RSS {rss_mb():.0f} MB"
    )

    for label, lookups in (
        ("places only", [places]),
        ("OSM only", [index]),
        ("places + OSM", [places, index]),
    ):
        totals: Counter[str] = Counter()
        started = time.perf_counter()
        for track, distance_m in zip(runs, distances, strict=True):
            split = split_track(track, distance_m, lookups, ("asphalt", "shoe"))
            for part in split.parts:
                totals[f"{part.surface}/{part.source}"] += part.distance_m
        elapsed = time.perf_counter() - started
        print(_line(label, len(runs), points, elapsed, totals))


def db_part(args: argparse.Namespace) -> None:
    """The database path: `runwear osm load`, places and runs stored, then every run re-split.

    The runs are stored first as their fallback whole (as imported before any place or
    OpenStreetMap data existed); `resplit` then reads each track back from SQLite, asks the
    places and the R*Tree-backed OpenStreetMap tiles, and writes the parts that changed: the
    work behind `runwear osm load` and `runwear place add` on a season of runs, and (without
    the read-back) the split done on import.
    """
    from runwear.geo import decode_polyline, encode_polyline
    from runwear.ingest.model import Activity
    from runwear.store import open_db
    from runwear.store import places as place_store
    from runwear.store.activities import add_activity, add_source
    from runwear.store.shoes import add_shoe

    rng = random.Random(SEED)
    print(f"[database] start: peak RSS {rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        ways, n = city_ways(args.ways, rng)
        path = args.osm or write_osm(Path(tmp) / "city.osm", ways)
        del ways
        db_path = Path(tmp) / "bench.db"
        command = [sys.executable, "-m", "runwear", "--db", str(db_path), "osm", "load"]
        started = time.perf_counter()
        output, child_mb = run_watching_memory([*command, str(path), "--quiet"])
        load_s = time.perf_counter() - started
        print(
            f"runwear osm load {path.name} ({path.stat().st_size / 1e6:.1f} MB): {load_s:.1f} s, "
            f"peak RSS {child_mb:.0f} MB; database {db_path.stat().st_size / 1e6:.0f} MB. "
            f"It said: {output.strip()}"
        )

        db = open_db(db_path)
        shoe = add_shoe(db, "Everyday", surface="asphalt", is_default=1)
        places = city_places(args.places, n, rng)
        with db.conn:
            for place in places:
                place_store.add_place(db, place.name, place.surface, place.shape)
        runs = city_runs(args.runs, n, rng)
        points = sum(len(run) for run in runs)
        started = time.perf_counter()
        ids = []
        start = datetime(2026, 1, 1, 7, tzinfo=timezone.utc)
        with db.conn:
            for k, track in enumerate(runs):
                # Stored at the precision runwear stores tracks with (1e-5 degrees).
                track = tuple(decode_polyline(encode_polyline(track)))
                distance_m = path_length_m(track) * 1.01
                source_id = add_source(db, f"sha{k}", f"{k}.fit", "fit", "activity", "imported")
                activity = Activity(
                    start + timedelta(days=k), "running", "generic", distance_m, RUN_S, track=track
                )
                ids.append(
                    add_activity(
                        db,
                        activity,
                        source_id=source_id,
                        session_index=0,
                        fmt="fit",
                        shoe_id=shoe,
                        shoe_source="default",
                        surface="asphalt",
                        surface_source="shoe",
                    )
                )
        store_s = time.perf_counter() - started
        print(
            f"stored {len(ids):,} runs ({points:,} points) as their fallback in {store_s:.1f} s "
            f"and {len(places)} places; peak RSS {rss_mb():.0f} MB"
        )

        db.close()
        for label in RESPLITS:
            output, peak_mb = run_watching_memory(
                [sys.executable, __file__, "--part=resplit", f"--db={db_path}", f"--label={label}"]
            )
            print(f"{output.rstrip()}; peak RSS {peak_mb:.0f} MB")


RESPLITS = ("places only", "OSM only", "places + OSM")


def resplit_part(db_path: Path, label: str) -> None:
    """One re-split of every stored run, in a process of its own (its peak RSS is its own)."""
    from runwear.store import open_db
    from runwear.store.surfaces import Surfacer, resplit

    db = open_db(db_path)
    ids = [row[0] for row in db.execute("select id from activities order by id")]
    points = db.execute("select sum(points) from activity_tracks").fetchone()[0]
    surfacer = Surfacer(db)
    if label == "OSM only":
        surfacer.places = None
    if label == "places only":
        surfacer.osm = None
    started = time.perf_counter()
    done = resplit(db, ids, surfacer)
    elapsed = time.perf_counter() - started
    totals: Counter[str] = Counter()
    for surface, source, distance_m in db.execute(
        "select surface, source, sum(distance_m) from activity_surfaces group by 1, 2"
    ):
        totals[f"{surface}/{source}"] += distance_m
    tiles = surfacer.osm.tiles_loaded if surfacer.osm is not None else 0
    print(
        _line(f"re-split, {label}", done.runs, points, elapsed, totals, rss=False)
        + f"; {done.changed:,} changed, {tiles} OSM tiles read"
    )
    db.close()


def run_watching_memory(command: list[str]) -> tuple[str, float]:
    """Run a command; its output and its peak RSS in MB (VmHWM, read while it runs: the
    rusage of a child counts the parent's pages it was forked with)."""
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True)
        peak_kb = 0
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        out.seek(0)
        output = out.read()
    if process.returncode != 0:
        raise SystemExit(output)
    return output, peak_kb / 1024


def _line(
    label: str, runs: int, points: int, elapsed: float, totals: Counter[str], rss: bool = True
) -> str:
    total = sum(totals.values())
    mix = ", ".join(f"{k} {v / total:.0%}" for k, v in totals.most_common(6))
    memory = f"; peak RSS {rss_mb():.0f} MB" if rss else ""
    return (
        f"{label:>24}: {runs / elapsed:7.0f} runs/s ({points / elapsed / 1000:.0f}k "
        f"points/s, {elapsed:.1f} s){memory}; {mix}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--ways", type=int, default=50_000)
    parser.add_argument("--osm", type=Path, help="a real .osm or .osm.pbf extract to load")
    parser.add_argument(
        "--part",
        choices=("memory", "db", "both", "resplit"),
        default="both",
        help="in-memory splitter, database path, or both (each in its own process)",
    )
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)  # for --part resplit
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "memory":
        memory_part(args)
    elif args.part == "db":
        db_part(args)
    elif args.part == "resplit":
        resplit_part(args.db, args.label)
    else:
        forwarded = [
            f"--runs={args.runs}",
            f"--places={args.places}",
            f"--ways={args.ways}",
            *([f"--osm={args.osm}"] if args.osm else []),
        ]
        for part in ("memory", "db"):
            subprocess.run([sys.executable, __file__, f"--part={part}", *forwarded], check=True)


if __name__ == "__main__":
    main()
