"""Peak memory of `runwear import --jobs 1` of one big GPX file, against the file's size.

Issue 10: "A 194 MB GPX needs 3 GB with --jobs 1: memory per file must stay within a few
times the file's size, or the file is refused up front with a line saying so." This writes a
GPX of one long track (a point a second, with elevation and time, as a watch records it) of
about --mb megabytes, imports it into a fresh database with --jobs 1, and prints the peak
resident set of the import (wait4's ru_maxrss: the largest the process ever was), the ratio
to the file's size, and the import's line for the file. The interpreter and runwear's
modules alone take about 50 MB, so the ratio means something for big files only. The
generated track is 22 days long, so the import refuses it as implausible once it is read
and measured: the peak is the reading's, which is what the issue is about.

    python benchmarks/big_gpx_memory.py            # 194 MB
    python benchmarks/big_gpx_memory.py --mb 50
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_speed import runwear_command

TARGET_RATIO = 4.0  # peak RSS over file size, at most ("a few times")
START = datetime(2024, 5, 1, 6, 0, tzinfo=timezone.utc)


def write_big_gpx(path: Path, megabytes: float) -> int:
    """A GPX of one track, a point a second going round a 400 m loop; the points written."""
    target = int(megabytes * 1e6)
    start_s = int(START.timestamp())
    points = 0
    with path.open("w", encoding="ascii") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<gpx version="1.1" creator="big_gpx_memory" ')
        out.write('xmlns="http://www.topografix.com/GPX/1/1">\n')
        out.write(" <trk><name>Long run</name><type>running</type><trkseg>\n")
        lines = []
        while out.tell() < target:
            for _ in range(10_000):
                angle = points * 2 * math.pi / 133  # 3 m/s round a 400 m loop
                lat = 51.5 + 0.000573 * math.sin(angle)
                lon = -0.12 + 0.000920 * math.cos(angle)
                when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start_s + points))
                lines.append(
                    f'  <trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{20 + points % 7}.0</ele>'
                    f"<time>{when}</time></trkpt>\n"
                )
                points += 1
            out.write("".join(lines))
            lines.clear()
        out.write(" </trkseg></trk>\n</gpx>\n")
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=194.0, help="file size in MB (194)")
    parser.add_argument("--keep", type=Path, help="write the file and database here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="runwear-big-gpx-"))
    folder.mkdir(parents=True, exist_ok=True)
    gpx = folder / f"big-{args.mb:g}mb.gpx"
    if not gpx.exists():
        started = time.perf_counter()
        points = write_big_gpx(gpx, args.mb)
        print(f"{gpx}: {points:,} points written in {time.perf_counter() - started:.0f} s")
    size_mb = gpx.stat().st_size / 1e6
    db = folder / "big.db"
    db.unlink(missing_ok=True)
    command = [*runwear_command(), "--db", str(db), "import", "--jobs", "1", str(gpx)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    ratio = peak_mb / size_mb
    print(output.strip())
    print(
        f"file {size_mb:.0f} MB; import --jobs 1: peak RSS {peak_mb:.0f} MB = {ratio:.2f} x "
        f"the file (target <= {TARGET_RATIO:g} x) {'OK' if ratio <= TARGET_RATIO else 'MISSED'}; "
        f"{seconds:.0f} s wall, {usage.ru_utime + usage.ru_stime:.0f} s CPU, "
        f"exit {os.waitstatus_to_exitcode(status)}"
    )
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
