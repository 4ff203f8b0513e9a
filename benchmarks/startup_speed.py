"""Start-up of the installed `runwear` command (issue 15, goal 4: under 0.15 s).

Times (wall and CPU, the median of fresh processes) `runwear --version`, `runwear shoes` and
`runwear check` (for reference) on a small database built through the store (two shoes,
a handful of runs), next to bare `python -c pass`, `python -c "import click"` (the floor any
click command pays) and `import click, sqlite_utils` (the floor of a command that opens the
database through sqlite-utils, as `check` does; `shoes` reads a current database through
runwear.store.readonly without it, so it may start under that floor). Then lists the
costliest imports of `runwear shoes` from `python -X importtime`. Child processes may write
bytecode caches as an installed package has them (PYTHONDONTWRITEBYTECODE is dropped for
them; one warm-up run each), unless --no-bytecode. The machine is shared and noisy: compare
the ratios of one sitting; the CPU column is roughly what the wall time would be on an idle
machine (the verdict is given for both).

    python benchmarks/startup_speed.py
    python benchmarks/startup_speed.py --runs 15 --top 20
    git archive e823eb1 | tar -x -C /tmp/base      # then, against that older tree:
    python benchmarks/startup_speed.py --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runwear.ingest.model import Activity
from runwear.store import activities as store
from runwear.store import open_db
from runwear.store.shoes import add_shoe

GOAL_S = 0.15
SMALL_RUNS = 6
TAGGED = {  # how each run is stored: one FIT session, shoe and surface set by hand
    "session_index": 0,
    "fmt": "fit",
    "shoe_source": "manual",
    "surface": "asphalt",
    "surface_source": "manual",
}


def build(path: Path) -> None:
    """Two shoes and SMALL_RUNS runs in the last weeks, stored as an import would."""
    db = open_db(path)
    shoes = [add_shoe(db, "Pegasus", limit_m=700_000), add_shoe(db, "Trail", limit_m=800_000)]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with db.conn:
        for n in range(SMALL_RUNS):
            started = now - timedelta(days=3 * n + 1)
            activity = Activity(
                started_at=started,
                sport="running",
                sub_sport="generic",
                distance_m=8000.0 + 500 * n,
                duration_s=2700.0 + 150 * n,
            )
            source_id = store.add_source(db, f"sha-{n}", "run.fit", "fit", "activity", "imported")
            store.add_activity(db, activity, source_id=source_id, shoe_id=shoes[n % 2], **TAGGED)
    db.close()


def timed(command: list[str], env: dict[str, str], runs: int, cwd: Path) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of `command` in fresh processes started in
    `cwd`, after one warm-up run. CPU time varies less when other work shares the cores."""
    walls, cpus = [], []
    for n in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if n:
            walls.append(wall)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def top_imports(
    command: list[str], env: dict[str, str], top: int, cwd: Path
) -> list[tuple[float, str]]:
    """The `top` imports with the largest cumulative time (ms) in `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative_us) / 1000, name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def _verdict(seconds: float) -> str:
    """OK or MISSED against the goal."""
    return "OK" if seconds < GOAL_S else "MISSED"


def main() -> None:
    """Print the timings, the ratios to the floor and to the goal, then the top imports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per command")
    parser.add_argument("--top", type=int, default=15, help="imports to list")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another runwear source tree (e.g. `git archive` of an older commit) to time too",
    )
    parser.add_argument(
        "--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE as it is"
    )
    args = parser.parse_args()
    runwear = shutil.which("runwear") or sys.exit("runwear is not installed (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)  # the children's folder, so that no runwear/ in the cwd is imported
        db_path = work / "runwear.db"
        build(db_path)
        env = {**os.environ, "RUNWEAR_DB": str(db_path), "NO_COLOR": "1"}
        if not args.no_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"{runwear}; small database: 2 shoes, {SMALL_RUNS} runs; median of {args.runs}")
        python = [sys.executable, "-c"]
        floor, floor_cpu = timed([*python, "pass"], env, args.runs, work)
        click_s, click_cpu = timed([*python, "import click"], env, args.runs, work)
        print(f"  {'':36} {'wall':>7} {'cpu':>7}")
        print(f"  {'python -c pass':36} {floor:6.3f}s {floor_cpu:6.3f}s")
        print(f"  {'python -c import click':36} {click_s:6.3f}s {click_cpu:6.3f}s")
        both, both_cpu = timed([*python, "import click, sqlite_utils"], env, args.runs, work)
        print(f"  {'python -c import click, sqlite_utils':36} {both:6.3f}s {both_cpu:6.3f}s")
        old_env = {**env, "PYTHONPATH": str(args.baseline)} if args.baseline else None
        run_old = [*python, "from runwear.cli import cli; cli(prog_name='runwear')"]
        for name, argv, goal in (
            ("runwear --version", ["--version"], True),
            ("runwear shoes", ["shoes"], True),
            ("runwear check (reference)", ["check"], False),
        ):
            seconds, cpu = timed([runwear, *argv], env, args.runs, work)
            verdict = f"wall {_verdict(seconds)}, cpu {_verdict(cpu)}" if goal else ""
            print(
                f"  {name:36} {seconds:6.3f}s {cpu:6.3f}s  wall {seconds / floor:4.1f}x python, "
                f"{seconds / click_s:4.1f}x click, {seconds / GOAL_S:4.2f}x the {GOAL_S} s goal  "
                f"{verdict}"
            )
            if old_env:
                old, old_cpu = timed([*run_old, *argv], old_env, args.runs, work)
                print(
                    f"  {'  baseline':36} {old:6.3f}s {old_cpu:6.3f}s  now {seconds / old:4.2f}x "
                    f"the baseline's wall, {cpu / old_cpu:4.2f}x its CPU"
                )
        print("\nLargest cumulative imports of `runwear shoes` (python -X importtime, ms):")
        script = "import sys; from runwear.cli import cli; sys.argv[0] = 'runwear'; cli()"
        for ms, name in top_imports(["-c", script, "shoes"], env, args.top, work):
            print(f"  {ms:7.1f}  {name}")


if __name__ == "__main__":
    main()
