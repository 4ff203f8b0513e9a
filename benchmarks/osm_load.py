"""How long `runwear osm load` takes on a city-sized .osm.pbf, and how much memory it needs.

    python benchmarks/osm_load.py [--size-mb 50] [--keep DIR]

Writes a synthetic extract shaped like a real city's (needs pyosmium, the osm extra): per
100 m block, a street with three bends (the ways runwear keeps: about one in six), five
buildings (closed five-node ways with an address, which runwear reads past) and a few tagged
points of interest, every object with the metadata real extracts carry (version, changeset,
user, timestamp, varied as in real data). A small pilot file measures the bytes per block, so
the city is about `--size-mb` big. The file is streamed to disk, then loaded into a fresh
database with the `runwear osm load` command. Prints the file's size, nodes and ways, the
wall time, the ways kept, the peak RSS of the loading process (VmHWM) and the database's size.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from split_speed import CENTRE, _street_tags, run_watching_memory

from runwear.surfacing.geometry import LocalProjection

BLOCK_M = 100.0
BENDS = 3  # nodes inside each block-long street
BUILDINGS = 5  # per block
POIS = 3  # tagged nodes per block
PILOT = 40  # the pilot city's side, in blocks


def write_city(path: Path, n: int) -> tuple[int, int]:
    """An n x n grid city as .osm.pbf; (nodes, ways) written."""
    import random

    import osmium
    from osmium.osm import mutable

    rng = random.Random(7)
    proj = LocalProjection(*CENTRE)
    half = (n - 1) * BLOCK_M / 2
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    node_id = 0
    users = [(uid, f"mapper_{uid}") for uid in range(1000, 1500)]

    def meta() -> dict[str, object]:
        """Metadata as real extracts carry it: each object edited by someone, some day."""
        uid, user = rng.choice(users)
        return {
            "version": rng.randint(1, 12),
            "changeset": rng.randint(10_000_000, 150_000_000),
            "uid": uid,
            "user": user,
            "timestamp": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        }

    def add_node(node: int, lat: float, lon: float, tags: dict[str, str] | None = None) -> None:
        writer.add_node(mutable.Node(id=node, location=(lon, lat), tags=tags or {}, **meta()))

    def add_way(way: int, refs: list[int], tags: dict[str, str]) -> None:
        writer.add_way(mutable.Way(id=way, nodes=refs, tags=tags, **meta()))

    def corner(i: int, j: int) -> int:
        return 1 + i * n + j

    try:
        for i in range(n):  # corners first, numbered by position
            for j in range(n):
                lat, lon = proj.to_latlon(j * BLOCK_M - half, i * BLOCK_M - half)
                add_node(corner(i, j), lat, lon)
        node_id = n * n
        streets: list[tuple[int, int, int, int]] = []  # (first bend node, i, j, direction)
        for i in range(n):
            for j in range(n):
                for di, dj in ((0, 1), (1, 0)):
                    if i + di >= n or j + dj >= n:
                        continue
                    streets.append((node_id + 1, i, j, di))
                    for k in range(1, BENDS + 1):
                        t = k / (BENDS + 1)
                        wobble = rng.uniform(-2.0, 2.0)
                        x = (j + dj * t) * BLOCK_M - half + wobble * di
                        y = (i + di * t) * BLOCK_M - half + wobble * dj
                        node_id += 1
                        add_node(node_id, *proj.to_latlon(x, y))
        buildings_from = node_id + 1
        for i in range(n - 1):
            for j in range(n - 1):
                for b in range(BUILDINGS):
                    x0 = j * BLOCK_M - half + 12 + (b % 3) * 27
                    y0 = i * BLOCK_M - half + 12 + (b // 3) * 45
                    for dx, dy in ((0, 0), (20, 0), (20, 30), (0, 30)):
                        node_id += 1
                        add_node(node_id, *proj.to_latlon(x0 + dx, y0 + dy))
                for p in range(POIS):
                    node_id += 1
                    x, y = j * BLOCK_M - half + 30 + p * 15, i * BLOCK_M - half + 50
                    tags = {"amenity": rng.choice(("cafe", "bench", "waste_basket")), "name": "x"}
                    add_node(node_id, *proj.to_latlon(x, y), tags)
        way_id = 0
        for first, i, j, di in streets:
            ends = (corner(i, j), corner(i + di, j + (1 - di)))
            refs = [ends[0], *range(first, first + BENDS), ends[1]]
            way_id += 1
            writer.add_way(mutable.Way(id=way_id, version=1, nodes=refs, tags=_street_tags(rng)))
        node = buildings_from
        for _ in range((n - 1) * (n - 1) * BUILDINGS):
            way_id += 1
            refs = [node, node + 1, node + 2, node + 3, node]
            writer.add_way(mutable.Way(id=way_id, version=1, nodes=refs, tags={"building": "yes"}))
            node += 4
    finally:
        writer.close()
    return node_id, way_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="about this big a file")
    parser.add_argument("--keep", type=Path, help="write the extract and database here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "city.osm.pbf"
        write_city(path, PILOT)
        per_block = path.stat().st_size / (PILOT - 1) ** 2
        n = max(3, math.ceil(math.sqrt(args.size_mb * 1e6 / per_block)))
        started = time.perf_counter()
        nodes, ways = write_city(path, n)
        print(
            f"wrote {path.name}: {path.stat().st_size / 1e6:.1f} MB, {nodes:,} nodes, "
            f"{ways:,} ways ({n} x {n} grid) in {time.perf_counter() - started:.0f} s"
        )
        db = folder / "city.db"
        db.unlink(missing_ok=True)
        command = [sys.executable, "-m", "runwear", "--db", str(db), "osm", "load", str(path)]
        started = time.perf_counter()
        output, peak_mb = run_watching_memory([*command, "--quiet"])
        print(
            f"runwear osm load: {time.perf_counter() - started:.1f} s, peak RSS {peak_mb:.0f} MB, "
            f"database {db.stat().st_size / 1e6:.0f} MB. It said: {output.strip()}"
        )


if __name__ == "__main__":
    main()
