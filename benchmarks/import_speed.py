"""Import CPU and wall time of `runwear import` against a fast pure-Python floor (issue 15).

Goals, each printed with OK or MISSED:

1. CPU: `runwear import` of a synthetic Strava export of N one-hour runs (default 200, half
   GPX half FIT, a point per second) spends at most 3x the CPU of the floor on the same
   files. The import's CPU is user + system time of the command and every process it
   started (its parsing workers), from wait4's rusage; it includes start-up, reading the
   zip, hashing, parsing, measuring, surfaces and SQLite.
   The floor is one process that only decodes the activity files, already decompressed in
   memory:
     - GPX: xml.etree.ElementTree.iterparse, per <trkpt> its lat, lon, <ele> and <time>
       (parsed to epoch seconds with datetime.fromisoformat), each element cleared once read;
     - FIT: runwear.ingest.fit_decode.read_messages (one struct.Struct compiled per
       definition message, the file CRC checked) asked for record messages' timestamp,
       position, altitude and distance only.
1b. Wall: importing an export of 3,000 one-hour runs (half GPX, half FIT) takes under 60 s
   (on this machine's cores; --skip-big leaves it out, it takes minutes to generate).
5. Re-import: importing a folder of 60 of those files again (every file known by its hash)
   takes under 0.03x the wall time of its first import. The goal is the fresh process's
   figure; the same re-import repeated inside one warm process (Python's and click's start-up
   left out) is printed beside it.

The machine is shared and noisy: compare the ratios of one sitting.

    python benchmarks/import_speed.py                  # N = 200, the 3,000-run import too
    python benchmarks/import_speed.py --skip-big       # without the 3,000-run import
    python benchmarks/import_speed.py -n 400 --jobs 2 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_export import make_export

CPU_TARGET = 3.0  # import CPU over the floor's, at most
BIG_RUNS = 3000
BIG_WALL_TARGET_S = 60.0
FOLDER_FILES = 60
REIMPORT_TARGET = 0.03  # second import over the first, at most
POLL_S = 0.2

FLOOR = (
    "GPX: xml.etree iterparse, lat/lon/ele/time per trkpt (time via datetime.fromisoformat); "
    "FIT: runwear.ingest.fit_decode (one struct.Struct per definition, file CRC checked), "
    "record messages' timestamp/position/altitude/distance; 1 process, bytes in memory"
)
RECORD_FIELDS = {
    20: (
        "record",
        {
            253: ("timestamp", None),
            0: ("position_lat", None),
            1: ("position_long", None),
            2: ("altitude", 5.0),
            5: ("distance", 100.0),
        },
    )
}


@dataclass(frozen=True)
class Measured:
    """One child process: wall time, CPU of it and its descendants, peak memory, output."""

    seconds: float
    cpu_s: float
    max_rss_mb: float
    tree_pss_mb: float
    output: str


def activity_files(export: Path) -> list[tuple[str, bytes]]:
    """(name, decompressed bytes) of every activity file in a Strava export zip."""
    files = []
    with zipfile.ZipFile(export) as archive:
        for name in archive.namelist():
            if not name.startswith("activities/"):
                continue
            data = archive.read(name)
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            files.append((name, data))
    return files


def floor_gpx(data: bytes) -> int:
    """Points of a GPX file read with iterparse: lat, lon, ele and time of each trkpt."""
    import io
    import xml.etree.ElementTree as ET
    from datetime import datetime

    points = []
    ele = t_s = None
    for _, elem in ET.iterparse(io.BytesIO(data), events=("end",)):
        tag = elem.tag.rpartition("}")[2]
        if tag == "ele":
            ele = float(elem.text or "nan")
        elif tag == "time":
            t_s = datetime.fromisoformat((elem.text or "").replace("Z", "+00:00")).timestamp()
        elif tag == "trkpt":
            points.append((float(elem.get("lat", "nan")), float(elem.get("lon", "nan")), ele, t_s))
            ele = t_s = None
            elem.clear()
    return len(points)


def floor_fit(data: bytes) -> int:
    """Record messages of a FIT file read with runwear's struct decoder (CRC checked)."""
    from runwear.ingest.fit_decode import read_messages

    return sum(1 for _ in read_messages(data, RECORD_FIELDS))


def floor_main(export: Path) -> None:
    """Decode every activity file in this process; print the CPU seconds it took, as JSON."""
    files = activity_files(export)
    started = time.process_time()
    points = 0
    for name, data in files:
        points += floor_gpx(data) if ".gpx" in name else floor_fit(data)
    cpu_s = time.process_time() - started
    total = sum(len(d) for _, d in files)
    print(json.dumps({"cpu_s": cpu_s, "files": len(files), "bytes": total, "points": points}))


def measure(command: list[str]) -> Measured:
    """Run `command`, polling the memory of it and its children; wall, CPU and peaks.

    A thread waits for the command (wall time to the moment it ends, not to the next poll)
    while this one samples memory every POLL_S.
    """
    with tempfile.TemporaryFile("w+") as log:  # a pipe left unread would stall a chatty import
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
        ended: list[tuple[float, int, Any]] = []

        def wait() -> None:
            _, status, usage = os.wait4(child.pid, 0)
            ended.append((time.perf_counter(), status, usage))

        waiter = threading.Thread(target=wait)
        waiter.start()
        peak_pss = peak_hwm = 0.0
        while waiter.is_alive():
            pss, hwm = _tree_memory_mb(child.pid)
            peak_pss, peak_hwm = max(peak_pss, pss), max(peak_hwm, hwm)
            waiter.join(POLL_S)
        [(ended_at, status, usage)] = ended
        seconds = ended_at - started
        log.seek(0)
        output = log.read()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{output}")
    cpu_s = usage.ru_utime + usage.ru_stime  # the child and the descendants it waited for
    return Measured(seconds, cpu_s, peak_hwm, peak_pss, output.strip())


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """(PSS summed over a process and its descendants, the largest one's peak RSS), in MB."""
    pss_kb = hwm_kb = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as f:
                pss_kb += next(int(ln.split()[1]) for ln in f if ln.startswith("Pss:"))
            with open(f"/proc/{current}/status") as f:
                hwm = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
                hwm_kb = max(hwm_kb, hwm)
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo.extend(int(p) for p in f.read().split())
        except (OSError, ValueError, StopIteration):
            continue
    return pss_kb / 1024, hwm_kb / 1024


def runwear_command() -> list[str]:
    """The installed `runwear` command beside this Python, else the module through Python."""
    beside = Path(sys.executable).parent / "runwear"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("runwear")
    return [found] if found else [sys.executable, "-c", "from runwear.cli import cli; cli()"]


def import_command(db: Path, source: Path, jobs: int | None) -> list[str]:
    """`runwear --db DB import --quiet [--jobs N] SOURCE`."""
    command = [*runwear_command(), "--db", str(db), "import", "--quiet", str(source)]
    if jobs:
        command[-1:-1] = ["--jobs", str(jobs)]
    return command


# Re-imports in one process: the first pays start-up, the best of the next three is printed.
WARM = """
import sys, time
from runwear.cli import cli
took = []
for _ in range(4):
    start = time.perf_counter()
    try:
        cli(sys.argv[1:], prog_name="runwear", standalone_mode=False)
    except SystemExit:
        pass
    took.append(time.perf_counter() - start)
print(min(took[1:]), file=sys.stderr)
"""


def warm_reimport_s(command: list[str]) -> float:
    """Wall seconds of the import `command` run again in one warm process (start-up left out)."""
    args = command[len(runwear_command()) :]
    done = subprocess.run(
        [sys.executable, "-c", WARM, *args], capture_output=True, text=True, check=True
    )
    return float(done.stderr.splitlines()[-1])


def verdict(ok: bool) -> str:
    """OK or MISSED."""
    return "OK" if ok else "MISSED"


def exported(n: int, folder: Path) -> Path:
    """The export of `n` runs in `folder`, written unless it is there already."""
    export = folder / f"strava-{n}.zip"
    if not export.exists():
        started = time.perf_counter()
        make_export(n, export)
        print(
            f"  export of {n} runs: {export.stat().st_size / 1e6:.1f} MB, written in "
            f"{time.perf_counter() - started:.0f} s"
        )
    return export


def bench_cpu(n: int, jobs: int | None, folder: Path) -> None:
    """Goal 1: the import's CPU against the floor's, on an export of `n` runs."""
    export = exported(n, folder)
    floor_cmd = [sys.executable, __file__, "--floor", str(export)]
    floors = [json.loads(measure(floor_cmd).output.splitlines()[-1]) for _ in range(2)]
    files, mb = floors[0]["files"], floors[0]["bytes"] / 1e6
    db = folder / f"bench-{n}.db"
    first = measure(import_command(db, export, jobs))
    second = measure(import_command(db, export, jobs))
    floors.append(json.loads(measure(floor_cmd).output.splitlines()[-1]))
    floor_cpu = min(f["cpu_s"] for f in floors)  # the least disturbed run of the floor
    ratio = first.cpu_s / floor_cpu
    print(f"\nN = {n}: {files} files, {mb:.1f} MB of activity data (decompressed)")
    print(f"  floor: {FLOOR}")
    print(
        f"  floor CPU:          {floor_cpu:6.2f} s  ({files / floor_cpu:5.0f} files/s; "
        f"{floors[0]['points']} points; best of "
        f"{', '.join(format(f['cpu_s'], '.2f') for f in floors)} s)"
    )
    print(
        f"  runwear import CPU: {first.cpu_s:6.2f} s  (all processes, user + sys; wall "
        f"{first.seconds:.1f} s, {files / first.seconds:.0f} files/s, "
        f"peak {first.tree_pss_mb:.0f} MB PSS over all processes)"
    )
    print(
        f"  goal 1, import CPU / floor CPU = {ratio:.2f} (target <= {CPU_TARGET:g}) "
        f"{verdict(ratio <= CPU_TARGET)}"
    )
    print(
        f"  the same export again: {second.seconds:.2f} s wall, {second.cpu_s:.2f} s CPU "
        f"= {second.seconds / first.seconds:.3f} x the first import's wall time"
    )
    print(f"  {first.output.splitlines()[-1]}")


def bench_big(jobs: int | None, folder: Path) -> None:
    """Goal 1b: the wall time of importing BIG_RUNS one-hour runs."""
    export = exported(BIG_RUNS, folder)
    db = folder / f"bench-{BIG_RUNS}.db"
    big = measure(import_command(db, export, jobs))
    print(
        f"\n{BIG_RUNS} runs: import wall {big.seconds:.1f} s on {os.cpu_count()} cores "
        f"(target < {BIG_WALL_TARGET_S:g} s) {verdict(big.seconds < BIG_WALL_TARGET_S)}; "
        f"CPU {big.cpu_s:.1f} s, peak {big.tree_pss_mb:.0f} MB PSS over all processes"
    )
    print(f"  {big.output.splitlines()[-1]}")


def bench_reimport(n: int, jobs: int | None, folder: Path) -> None:
    """Goal 5: a folder of FOLDER_FILES files imported, then imported again."""
    export = exported(n, folder)
    files = folder / f"folder-{FOLDER_FILES}"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    with zipfile.ZipFile(export) as archive:
        names = [n for n in archive.namelist() if n.startswith("activities/")][:FOLDER_FILES]
        for name in names:
            (files / Path(name).name).write_bytes(archive.read(name))
    db = folder / f"bench-folder-{FOLDER_FILES}.db"
    db.unlink(missing_ok=True)
    first = measure(import_command(db, files, jobs))
    again = [measure(import_command(db, files, jobs)) for _ in range(3)]
    second = min(again, key=lambda m: m.seconds)
    ratio = second.seconds / first.seconds
    print(
        f"\n{FOLDER_FILES}-file folder: first import {first.seconds:.2f} s wall "
        f"({first.cpu_s:.2f} s CPU), again {second.seconds:.3f} s wall "
        f"(best of 3: {', '.join(f'{m.seconds:.3f}' for m in again)}; {second.cpu_s:.3f} s CPU)"
    )
    print(
        f"  goal 5, re-import / first import = {ratio:.3f} (target < {REIMPORT_TARGET}) "
        f"{verdict(ratio < REIMPORT_TARGET)}"
    )
    warm = warm_reimport_s(import_command(db, files, jobs))
    print(
        f"  in one warm process (start-up left out): {warm:.3f} s = {warm / first.seconds:.3f} "
        f"x the first import (would be {verdict(warm / first.seconds < REIMPORT_TARGET)})"
    )
    print(f"  {second.output.splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--runs", type=int, default=200, help="runs for goal 1 (200)")
    parser.add_argument("--jobs", type=int, help="runwear import --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, help="write (and reuse) exports and dbs here")
    parser.add_argument("--skip-big", action="store_true", help=f"no {BIG_RUNS}-run import")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor_main(args.floor)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="runwear-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for db in folder.glob("bench-*.db*"):
        db.unlink()
    print(f"{os.cpu_count()} cores; runwear import --jobs {args.jobs or 'default'}; in {folder}")
    bench_cpu(args.runs, args.jobs, folder)
    bench_reimport(args.runs, args.jobs, folder)
    if not args.skip_big:
        bench_big(args.jobs, folder)
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
