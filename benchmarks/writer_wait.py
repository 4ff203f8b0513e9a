"""How long a second writer waits while a long change runs (issue 10: writers wait their turn).

    python benchmarks/writer_wait.py --runs 10000
    python benchmarks/writer_wait.py --db base.db -- tag --since 2000-01-01 --shoe Trail

Builds N stored runs (as benchmarks/resplit_speed.py does, or takes --db), then starts the
long command (default: `place add` of a 300 m circle at home, which splits half the runs
again; `-- tag --since 2000-01-01 --shoe 'Spare 0'` tags every run) and,
while it runs, `shoe add` one after another, each in a fresh process. Prints the long
command's wall time, how many `shoe add` ran meanwhile, their median and longest wall
time against a `shoe add` alone (start-up included), and the longest wait beyond it against
the 30 s busy timeout (OK under 5 s: about one batch's wait).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from resplit_speed import HOME, build

WAIT_GOAL_S = 5.0


def runwear(db: Path, *args: str) -> list[str]:
    """The command line of `runwear --db DB ARGS`."""
    return [sys.executable, "-m", "runwear", "--db", str(db), *args]


def main() -> None:
    """Build or copy the database, run the long command and the second writers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="Use a copy of this database instead.")
    parser.add_argument("command", nargs="*", help="The long command (after --).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="runwear-wait-"))
    db = folder / "runwear.db"
    if args.db:
        shutil.copy(args.db, db)
    else:
        build(db, args.runs)
    alone = []
    for k in range(3):
        begun = time.perf_counter()
        subprocess.run(runwear(db, "shoe", "add", f"Spare {k}"), check=True, capture_output=True)
        alone.append(time.perf_counter() - begun)
    alone_s = statistics.median(alone)
    print(f"shoe add alone: median {alone_s:.2f} s (process start-up included)")
    home = f"{HOME[0]:.5f},{HOME[1]:.5f}"
    command = args.command or [
        *("place", "add", "Park", "--surface", "grass", "--center", home, "--radius", "300m")
    ]
    started = time.perf_counter()
    long = subprocess.Popen(runwear(db, *command), stdout=subprocess.PIPE, text=True)
    waits = []
    while long.poll() is None:
        begun = time.perf_counter()
        done = subprocess.run(
            runwear(db, "shoe", "add", f"Extra {len(waits)}"), capture_output=True, text=True
        )
        if long.poll() is None or done.returncode == 0:
            waits.append(time.perf_counter() - begun)
        if done.returncode != 0:
            print("second writer failed:", done.stderr.strip())
    long_s = time.perf_counter() - started
    out = long.communicate()[0].strip()
    print(f"long command: runwear {' '.join(command)}: {long_s:.1f} s ({out[:70]})")
    if waits:
        worst = max(waits)
        print(
            f"shoe add during it: {len(waits)} runs, median {statistics.median(waits):.2f} s, "
            f"longest {worst:.2f} s (process start-up included)"
        )
        waited = worst - alone_s
        verdict = "OK" if waited < WAIT_GOAL_S else "MISSED"
        print(
            f"longest wait beyond a shoe add alone: {waited:.2f} s "
            f"(< {WAIT_GOAL_S:.0f} s, busy timeout 30 s): {verdict}"
        )
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
