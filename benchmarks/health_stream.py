"""Memory of streaming an Apple Health export.xml: peak RSS for a 100 MB and a 1 GB file.

Writes a generated export.xml (mostly step-count Records, a workout every ~300 KB: a few
thousand per GB) into a temporary folder, reads it with `apple_health.read_workouts` through
a folder container (or from inside a zip, with --zip) in a fresh process per size, prints
each process's peak resident set, its speed and the workouts found, then OK or MISSED for
"flat": the largest file's peak within 1.5 x the smallest's. The files are deleted after.

    python benchmarks/health_stream.py                 # 100 MB and 1 GB
    python benchmarks/health_stream.py --sizes-mb 20 200 --zip
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runwear.samples.health import HealthWorkout, health_xml_lines, record_xml, workout_xml
from runwear.samples.route import SampleRun

FLAT_RATIO = 1.5
RECORDS_PER_WORKOUT = 900  # ~300 KB of records between two workouts

_CHILD = """
import json, resource, sys, time
from runwear.ingest import apple_health
from runwear.ingest.archive import open_container
from pathlib import Path
start = time.perf_counter()
runs = workouts = 0
with open_container(Path(sys.argv[1])) as container:
    xml = apple_health.export_xml(container)
    with container.open(xml) as stream:
        for workout in apple_health.read_workouts(stream, xml):
            workouts += 1
            runs += workout.facts.is_run
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": time.perf_counter() - start, "peak_kb": peak_kb,
                  "workouts": workouts, "runs": runs}))
"""


def write_export_xml(path: Path, size_bytes: int) -> int:
    """An export.xml of about `size_bytes` at `path`; returns the workouts written."""
    start = datetime(2020, 1, 1, 6, 0, tzinfo=timezone.utc)
    record = record_xml(start, 42) + "\n"
    per_block = len(record) * RECORDS_PER_WORKOUT
    blocks = max(1, size_bytes // per_block)
    with path.open("w", encoding="utf-8") as out:
        for line in list(health_xml_lines([]))[:-1]:  # the prolog, Me; not the end tag
            out.write(line + "\n")
        filler = record * RECORDS_PER_WORKOUT
        for i in range(blocks):
            out.write(filler)
            kind = "Running" if i % 3 else "Walking"
            run = SampleRun(start + timedelta(hours=i * 20), 8000.0 + i % 7, 2700.0)
            out.write(workout_xml(HealthWorkout(run, kind)) + "\n")
        out.write("</HealthData>\n")
    return blocks


def measure(export: Path) -> dict[str, float]:
    """Stream the export in a fresh process; its time, peak RSS and counts."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(export)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[100, 1024])
    parser.add_argument("--zip", action="store_true", help="read export.xml inside export.zip")
    args = parser.parse_args()
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="health-bench-") as tmp:
        for size_mb in sorted(args.sizes_mb):
            folder = Path(tmp) / f"size{size_mb}"
            xml = folder / "apple_health_export" / "export.xml"
            xml.parent.mkdir(parents=True)
            began = time.perf_counter()
            written = write_export_xml(xml, size_mb * 1024 * 1024)
            actual_mb = xml.stat().st_size / (1024 * 1024)
            target: Path = folder
            if args.zip:
                target = Path(tmp) / f"export{size_mb}.zip"
                with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.write(xml, "apple_health_export/export.xml")
                xml.unlink()
            made_s = time.perf_counter() - began
            result = measure(target)
            peak_mb = result["peak_kb"] / 1024
            peaks.append(peak_mb)
            print(
                f"export.xml {actual_mb:7.1f} MB{' (zipped)' if args.zip else ''}: "
                f"{result['workouts']} workouts ({result['runs']} runs; {written} written), "
                f"streamed in {result['s']:.1f} s ({actual_mb / result['s']:.0f} MB/s), "
                f"peak RSS {peak_mb:.1f} MB  [generated in {made_s:.0f} s]"
            )
            for leftover in (xml, target):
                if leftover.is_file():
                    leftover.unlink()
    ratio = peaks[-1] / peaks[0]
    verdict = "OK" if ratio <= FLAT_RATIO else "MISSED"
    print(
        f"flat memory: largest peak {peaks[-1]:.1f} MB = {ratio:.2f} x smallest "
        f"{peaks[0]:.1f} MB (target <= {FLAT_RATIO} x): {verdict}"
    )


if __name__ == "__main__":
    main()
