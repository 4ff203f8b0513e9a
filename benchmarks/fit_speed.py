"""FIT reading speed: runwear's own decoder (parse_fit) against the fitparse reader it replaced.

"old" is tests/fit_reference.py: one fitparse pass with its data processing off, as
parse_fit read files until the own decoder came (its Activity building is not timed, so
old is if anything flattered). "new" is parse_fit as it is, Activities built. Both read
bytes already in memory; each figure is the best of a few runs (the machine is shared).

- the real device files in ../shared/fixtures/fit-real (those both read), per file kind;
- generated real-device-like files of 1-2 MB: multisport sessions, developer fields,
  compressed timestamps, cadence and laps;
- the chained test: one 1-hour run (a record every 10 s) concatenated 400 times (~4 MB):
  time and peak memory (tracemalloc, and the process's peak RSS) of parse_fit.
- the one-hour run of the import benchmark (benchmarks/make_export.py: a record a second,
  76 KB): parse_fit's CPU per file (process time, best of a few), as written there and
  with cadence, developer fields or compressed timestamps (goal 1b: 3,000 such runs, half
  FIT, imported in under 60 s on 2 cores).

Goals (issue 15): new at least 8x faster per MB than old on the generated files and on
the real files; the chain under 10 s; peak memory within 5 x the file's size. With
--others it adds fitdecode and garmin-fit-sdk (decode only) when they are installed.

    python benchmarks/fit_speed.py
    python benchmarks/fit_speed.py --others --repeat 5
    python benchmarks/fit_speed.py --one-hour       # only the one-hour file, quickly
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runwear.ingest.fit import parse_fit  # noqa: E402
from runwear.ingest.fit_decode import read_messages  # noqa: E402
from runwear.samples.fit_writer import SampleLap, fit_activity_bytes  # noqa: E402
from runwear.samples.route import SampleRun  # noqa: E402

try:
    from tests.fit_reference import reference_sessions
except ImportError as exc:  # fitparse is a test dependency
    raise SystemExit(f"{exc}: install the test extra, pip install -e '.[test]'") from exc

FIT_REAL = ROOT.parent / "shared" / "fixtures" / "fit-real"
SPEEDUP_TARGET = 8.0  # new over old, per MB, at least
CHAIN_COPIES = 400
CHAIN_TARGET_S = 10.0
MEMORY_TARGET = 5.0  # peak memory over the file's size, at most
START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
ONE_HOUR_REPEAT = 30  # CPU of one parse_fit is a few ms: the best of many


class _EveryMessage(dict):
    """A `wanted` table that names every message and asks for no field: to count them."""

    def get(self, number, default=None):
        """Every global message number is wanted, with no fields."""
        return ("message", {})


def message_count(data: bytes) -> int:
    """The data messages in a FIT file (all chained files)."""
    return sum(1 for _ in read_messages(data, _EveryMessage()))


def best_s(
    read: Callable[[bytes], object],
    data: bytes,
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """The fastest of `repeat` reads of data, in seconds of `clock` (wall time by default)."""
    times = []
    for _ in range(repeat):
        start = clock()
        read(data)
        times.append(clock() - start)
    return min(times)


def device_like_files() -> dict[str, bytes]:
    """Generated files of 1-2 MB shaped like real devices' (see the module docstring)."""
    hours = 3600.0
    triathlon = [  # an ultra-triathlon day: 1 record a second for 15 hours
        SampleRun(START, 150_000.0, 5 * hours, sport="cycling"),
        SampleRun(START + timedelta(hours=6), 42_200.0, 4 * hours, sub_sport="trail"),
        SampleRun(START + timedelta(hours=11), 50_000.0, 6 * hours),
    ]
    laps = [[SampleLap(600, 5000, "warmup"), SampleLap(5 * hours - 600, 145_000)], [], []]
    return {
        "multisport + developer fields + cadence + laps": fit_activity_bytes(
            triathlon, developer_fields=True, cadence_spm=172.0, laps=laps
        ),
        "multisport + compressed timestamps + cadence": fit_activity_bytes(
            triathlon, compressed_timestamps=True, cadence_spm=168.0
        ),
        "long run, developer fields + compressed timestamps": fit_activity_bytes(
            [SampleRun(START, 120_000.0, 16 * hours)],
            developer_fields=True,
            compressed_timestamps=True,
            cadence_spm=170.0,
        ),
    }


def real_files() -> dict[str, bytes]:
    """The real fixtures that both readers read (the others are refused: nothing to time)."""
    out = {}
    for path in sorted(FIT_REAL.glob("*.fit")) + sorted(FIT_REAL.glob("*.FIT")):
        data = path.read_bytes()
        try:
            reference_sessions(data)
            parse_fit(data)
        except Exception:  # refused by one or both: not timed
            continue
        out[path.name] = data
    return out


def compare(title: str, files: dict[str, bytes], repeat: int, show_files: bool) -> float:
    """Print old vs new per file and in total; return the total speed-up per MB."""
    print(f"\n{title}")
    print(
        f"  {'file':52} {'MB':>6} {'msgs':>7} {'old ms':>8} {'new ms':>7} {'old us/msg':>10} "
        f"{'new us/msg':>10} {'x':>6}"
    )
    total_mb = total_msgs = total_old = total_new = 0.0
    for name, data in files.items():
        mb, msgs = len(data) / 1e6, message_count(data)
        old = best_s(reference_sessions, data, max(1, repeat // 2))
        new = best_s(parse_fit, data, repeat)
        total_mb, total_msgs = total_mb + mb, total_msgs + msgs
        total_old, total_new = total_old + old, total_new + new
        if show_files:
            print(
                f"  {name[:52]:52} {mb:6.3f} {msgs:7d} {old * 1e3:8.1f} {new * 1e3:7.1f} "
                f"{old / msgs * 1e6:10.1f} {new / msgs * 1e6:10.2f} {old / new:6.1f}"
            )
    speedup = total_old / total_new
    print(
        f"  {'all ' + str(len(files)) + ' files':52} {total_mb:6.3f} {int(total_msgs):7d} "
        f"{total_old * 1e3:8.1f} {total_new * 1e3:7.1f} {total_old / total_msgs * 1e6:10.1f} "
        f"{total_new / total_msgs * 1e6:10.2f} {speedup:6.1f}"
    )
    print(
        f"  per MB: old {total_old / total_mb:.2f} s, new {total_new / total_mb:.3f} s: "
        f"{speedup:.1f}x (target >= {SPEEDUP_TARGET:.0f}x) "
        f"{'OK' if speedup >= SPEEDUP_TARGET else 'MISSED'}"
    )
    return speedup


def one_hour(repeat: int) -> None:
    """parse_fit's CPU on the import benchmark's one-hour FIT, plain and with other fields."""
    from make_export import entries

    run = entries(2)[1].run  # the first FIT run of the export (runs alternate GPX, FIT)
    files = {
        "as the import benchmark writes it": fit_activity_bytes([run]),
        "+ cadence": fit_activity_bytes([run], cadence_spm=172.0),
        "+ developer fields": fit_activity_bytes([run], developer_fields=True),
        "+ compressed timestamps": fit_activity_bytes([run], compressed_timestamps=True),
    }
    print(f"\none-hour run, a record a second (benchmarks/make_export.py), best of {repeat}")
    print(f"  {'file':36} {'KB':>5} {'msgs':>6} {'parse_fit ms CPU':>16} {'us/msg':>9}")
    for name, data in files.items():
        msgs = message_count(data)
        cpu_s = best_s(parse_fit, data, repeat, clock=time.process_time)
        print(
            f"  {name:36} {len(data) / 1e3:5.0f} {msgs:6d} {cpu_s * 1e3:16.2f} "
            f"{cpu_s / msgs * 1e6:9.2f}"
        )


def chained(repeat: int) -> None:
    """The same run concatenated CHAIN_COPIES times: time and memory of parse_fit."""
    one = fit_activity_bytes([SampleRun(START, 10_000.0, 3600.0, step_s=10.0)])
    data = one * CHAIN_COPIES
    mb = len(data) / 1e6
    print(f"\nchained: one run of {len(one) / 1e3:.1f} KB x {CHAIN_COPIES} = {mb:.1f} MB")
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = best_s(parse_fit, data, repeat)
    rss_after_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    parsed = parse_fit(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  parse_fit: {seconds:.2f} s ({mb / seconds:.1f} MB/s), {len(parsed.activities)} run "
        f"(the copies overlap: one outing) (target < {CHAIN_TARGET_S:.0f} s) "
        f"{'OK' if seconds < CHAIN_TARGET_S else 'MISSED'}"
    )
    ratio = peak / len(data)
    print(
        f"  peak memory (tracemalloc): {peak / 1e6:.1f} MB = {ratio:.1f} x the file "
        f"(target <= {MEMORY_TARGET:.0f} x) {'OK' if ratio <= MEMORY_TARGET else 'MISSED'}; "
        f"process peak RSS {rss_before_mb:.0f} -> {rss_after_mb:.0f} MB"
    )
    quarter_s = best_s(parse_fit, one * (CHAIN_COPIES // 4), repeat)
    halves = {CHAIN_COPIES // 4: quarter_s, CHAIN_COPIES: seconds}
    growth = halves[CHAIN_COPIES] / halves[CHAIN_COPIES // 4]
    print(
        f"  {CHAIN_COPIES // 4} -> {CHAIN_COPIES} copies: {halves[CHAIN_COPIES // 4]:.2f} -> "
        f"{halves[CHAIN_COPIES]:.2f} s ({growth:.1f}x for 4x the bytes: "
        f"{'linear' if growth < 6 else 'NOT LINEAR'})"
    )


def others(files: dict[str, bytes], repeat: int) -> None:
    """Decode-only times of other FIT libraries on the same files, when installed."""
    import io

    readers: dict[str, Callable[[bytes], object]] = {
        "fitparse (reference pass)": reference_sessions,
        "runwear parse_fit": parse_fit,
    }
    try:
        import fitdecode

        def read_fitdecode(data: bytes) -> None:
            with fitdecode.FitReader(io.BytesIO(data)) as fit:
                for _ in fit:
                    pass

        readers["fitdecode"] = read_fitdecode
    except ImportError:
        print("\n(fitdecode not installed: skipped)")
    try:
        from garmin_fit_sdk import Decoder, Stream

        def read_garmin(data: bytes) -> None:
            Decoder(Stream.from_byte_array(bytearray(data))).read()

        readers["garmin-fit-sdk"] = read_garmin
    except ImportError:
        print("\n(garmin-fit-sdk not installed: skipped)")
    mb = sum(len(d) for d in files.values()) / 1e6
    print(f"\nother libraries, decode only, {len(files)} files, {mb:.2f} MB")
    for name, read in readers.items():
        slow = name in ("fitparse (reference pass)", "fitdecode")  # ~20 s a file: fewer runs
        runs = max(1, repeat // 2) if slow else repeat
        seconds = sum(best_s(read, data, runs) for data in files.values())
        print(f"  {name:28} {seconds:7.2f} s  {seconds / mb:6.3f} s/MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--others", action="store_true", help="also fitdecode, garmin-fit-sdk")
    parser.add_argument("--one-hour", action="store_true", help="only the one-hour file")
    args = parser.parse_args()
    one_hour(max(args.repeat, ONE_HOUR_REPEAT))
    if args.one_hour:
        return
    chained(args.repeat)
    generated = device_like_files()
    speedups = [compare("generated device-like files (1-2 MB)", generated, args.repeat, True)]
    if FIT_REAL.is_dir():
        real = real_files()
        speedups.append(compare(f"real files in {FIT_REAL}", real, args.repeat, True))
    else:
        print(f"\n(real fixtures not found at {FIT_REAL}: skipped)")
    if args.others:
        others(generated, args.repeat)
    worst = min(speedups)
    print(
        f"\nworst speed-up per MB: {worst:.1f}x (target >= {SPEEDUP_TARGET:.0f}x) "
        f"{'OK' if worst >= SPEEDUP_TARGET else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
