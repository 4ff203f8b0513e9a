"""Import speed and memory of `runwear import` on a synthetic Strava export, against a floor.

For each N (default 100 and 400 one-hour runs, half GPX half FIT), in one sitting:

- the decode floor: one process that only parses the same files with gpxpy (GPX) and
  fitparse (FIT, its default processing), the bytes already in memory, and nothing else;
- for reference, runwear's own readers in one process (no database): its FIT reader skips
  fitparse's per-field processing, so it is faster than the floor on FIT files;
- `runwear import` of the export into a fresh database (default --jobs: the core count);
- the same import again, which must find every file known by its hash.

It prints files/s, MB/s (activity bytes, decompressed), wall times, the ratios against the
targets (import <= 0.65 x floor, second import <= 0.03 x first) and peak memory: the largest
resident set of one process, and the sum over the import's processes (PSS, so pages shared
after fork count once). The machine is shared and noisy: compare the ratios of one sitting.

    python benchmarks/import_speed.py               # N = 100 and 400
    python benchmarks/import_speed.py -n 400 --jobs 2
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_export import make_export

IMPORT_TARGET = 0.65  # import wall time over the decode floor, at most
REIMPORT_TARGET = 0.03  # second import over the first, at most
RSS_TARGET_MB = 300.0
POLL_S = 0.2


@dataclass(frozen=True)
class Measured:
    """One timed child process: wall time, peak RSS of its largest process, peak PSS in all."""

    seconds: float
    max_rss_mb: float
    tree_pss_mb: float
    output: str


def floor_main(export: Path, parsers: str) -> None:
    """Parse every activity file in this process and print the seconds it took, as JSON.

    `parsers` is "libraries" (gpxpy.parse, fitparse's FitFile.parse: the decode floor) or
    "runwear" (runwear's own readers, which also measure the run and thin the track).
    """
    import fitparse
    import gpxpy

    from runwear.ingest.files import parse_source

    files = []
    with zipfile.ZipFile(export) as archive:
        for name in archive.namelist():
            if not name.startswith("activities/"):
                continue
            data = archive.read(name)
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            files.append((name, data))
    started = time.perf_counter()
    for name, data in files:
        if parsers == "runwear":
            parse_source(data, "gpx" if ".gpx" in name else "fit")
        elif ".gpx" in name:
            gpxpy.parse(data.decode("utf-8"))
        else:
            fitparse.FitFile(io.BytesIO(data)).parse()
    seconds = time.perf_counter() - started
    total = sum(len(d) for _, d in files)
    print(json.dumps({"seconds": seconds, "files": len(files), "bytes": total}))


def measure(command: list[str]) -> Measured:
    """Run `command`, polling the memory of it and its children; wall time and peaks."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_pss = peak_hwm = 0.0
    while True:
        pid, status, _ = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        pss, hwm = _tree_memory_mb(child.pid)
        peak_pss, peak_hwm = max(peak_pss, pss), max(peak_hwm, hwm)
        time.sleep(POLL_S)
    seconds = time.perf_counter() - started
    output = child.stdout.read() if child.stdout else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{output}")
    return Measured(seconds, peak_hwm, peak_pss, output.strip())


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """(PSS summed over a process and its descendants, the largest one's peak RSS), in MB.

    The peak RSS is each process's own high-water mark (VmHWM), so a short peak between
    two polls still counts; getrusage would report the benchmark's own size from before exec.
    """
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


def bench(n: int, jobs: int | None, folder: Path) -> dict[str, float]:
    """Make the export of `n` runs, run the floor and both imports; print and return figures."""
    export = folder / f"strava-{n}.zip"
    started = time.perf_counter()
    make_export(n, export)
    print(
        f"\nN = {n}: export {export.stat().st_size / 1e6:.1f} MB written in "
        f"{time.perf_counter() - started:.0f} s"
    )

    floor_cmd = [sys.executable, __file__, "--floor", str(export)]
    floor = measure(floor_cmd)
    figures = json.loads(floor.output.splitlines()[-1])
    files, mb = figures["files"], figures["bytes"] / 1e6
    own = json.loads(measure([*floor_cmd, "--parsers", "runwear"]).output.splitlines()[-1])

    db = folder / f"bench-{n}.db"
    command = [*runwear_command(), "--db", str(db), "import", "--quiet", str(export)]
    if jobs:
        command[-1:-1] = ["--jobs", str(jobs)]
    first = measure(command)
    second = measure(command)
    floor_again = measure(floor_cmd)
    floor_s = (figures["seconds"] + json.loads(floor_again.output.splitlines()[-1])["seconds"]) / 2

    ratio = first.seconds / floor_s
    again = second.seconds / first.seconds
    print(f"  {files} files, {mb:.1f} MB of activity data (decompressed)")
    print(
        f"  decode floor (gpxpy / fitparse, 1 process): {floor_s:6.1f} s  "
        f"{files / floor_s:6.1f} files/s  {mb / floor_s:5.2f} MB/s  "
        f"(runs {figures['seconds']:.1f} s and "
        f"{json.loads(floor_again.output.splitlines()[-1])['seconds']:.1f} s)"
    )
    print(
        f"  runwear's own readers, 1 process, no db:    {own['seconds']:6.1f} s  "
        f"{files / own['seconds']:6.1f} files/s  {mb / own['seconds']:5.2f} MB/s  "
        f"= {own['seconds'] / floor_s:.2f} x floor"
    )
    print(
        f"  runwear import, fresh db:                   {first.seconds:6.1f} s  "
        f"{files / first.seconds:6.1f} files/s  {mb / first.seconds:5.2f} MB/s  "
        f"= {ratio:.2f} x floor (target <= {IMPORT_TARGET}) "
        f"{'OK' if ratio <= IMPORT_TARGET else 'MISSED'}; "
        f"{first.seconds / own['seconds']:.2f} x runwear's readers in 1 process"
    )
    print(
        f"  runwear import again:                       {second.seconds:6.2f} s  "
        f"{files / second.seconds:6.0f} files/s  {mb / second.seconds:5.0f} MB/s  "
        f"= {again:.3f} x first (target <= {REIMPORT_TARGET}) "
        f"{'OK' if again <= REIMPORT_TARGET else 'MISSED'}"
    )
    print(
        f"  peak memory of the import: {first.tree_pss_mb:.0f} MB over all its processes "
        f"(PSS), largest process {first.max_rss_mb:.0f} MB RSS "
        f"(target <= {RSS_TARGET_MB:.0f} MB) "
        f"{'OK' if first.tree_pss_mb <= RSS_TARGET_MB else 'MISSED'}; "
        f"second import {second.max_rss_mb:.0f} MB RSS"
    )
    print(f"  floor process: {floor.max_rss_mb:.0f} MB RSS (holds every file in memory)")
    print(f"  {first.output.splitlines()[-1]}")
    print(f"  {second.output.splitlines()[-1]}")
    return {"tree_mb": first.tree_pss_mb, "rss_mb": first.max_rss_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--runs", type=int, action="append", help="N (repeatable)")
    parser.add_argument("--jobs", type=int, help="runwear import --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, help="write exports and databases here")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--parsers", default="libraries", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor_main(args.floor, args.parsers)
        return
    sizes = sorted(set(args.runs or [100, 400]))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="runwear-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; runwear import --jobs {args.jobs or 'default'}; in {folder}")
    peaks = {n: bench(n, args.jobs, folder) for n in sizes}
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        growth = peaks[high]["tree_mb"] / peaks[low]["tree_mb"] - 1
        print(
            f"\nmemory, N = {low} -> {high}: {peaks[low]['tree_mb']:.0f} -> "
            f"{peaks[high]['tree_mb']:.0f} MB over all processes ({growth:+.0%}), largest "
            f"process {peaks[low]['rss_mb']:.0f} -> {peaks[high]['rss_mb']:.0f} MB: "
            f"{'flat' if growth < 0.25 else 'GROWS'}"
        )
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
