"""Track and timeline thinning (by bisection over the columns) against the loop it replaced.

The reference below is parse_fit's former code: a generator of valid points and a loop
keeping one point every TRACK_STEP_S seconds and the last one.
"""

from __future__ import annotations

import math
import random
from array import array
from pathlib import Path

import pytest

from runwear.ingest import fit

from .conftest import FIT_REAL

NAN = float("nan")


def reference_thin(points) -> tuple:
    """The former _thin: one point every TRACK_STEP_S seconds, and the last point."""
    kept: list = []
    next_s = float("-inf")
    last = None
    for time_s, point in points:
        if time_s >= next_s:
            kept.append(point)
            next_s = time_s + fit.TRACK_STEP_S
        last = point
    if kept and kept[-1] is not last:
        kept.append(last)
    return tuple(kept)


def reference_track(records: fit._Records, lo: int, hi: int) -> tuple:
    """The former track: thinned (time, (lat, lon)) of the records with a valid position."""

    def positions():
        for i in range(lo, hi):
            lat = records.lat[i]
            if lat == fit.NO_POSITION:
                continue
            lat_deg, lon_deg = lat * fit.SEMICIRCLE_DEG, records.lon[i] * fit.SEMICIRCLE_DEG
            if -90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0:
                yield records.time_s[i], (lat_deg, lon_deg)

    return reference_thin(positions())


def reference_timeline(records: fit._Records, span: fit._Span, start_s: int) -> tuple:
    """The former timeline: thinned (s since start, metres) of the records with a distance."""
    offset_m = span.before_m if span.before_m == span.before_m else 0.0
    times, distances = records.time_s, records.distance_m
    pairs = (
        (times[i], (float(times[i] - start_s), distances[i] - offset_m))
        for i in range(span.lo, span.hi)
        if distances[i] == distances[i]
    )
    return reference_thin(pairs)


def assert_same(records: fit._Records, lo: int, hi: int, before_m: float) -> None:
    """New and reference track and timeline agree on records[lo:hi]."""
    assert fit._track(records, lo, hi) == reference_track(records, lo, hi)
    span = fit._Span(lo, hi, before_m)
    start_s = records.time_s[lo] if hi > lo else 0
    assert fit._timeline(records, span, start_s) == reference_timeline(records, span, start_s)


def random_records(rng: random.Random, count: int) -> fit._Records:
    """Sorted times with gaps and repeats; positions and distances sometimes absent or odd."""
    records = fit._Records()
    time_s = rng.randrange(2**32 - 10_000)
    edges = [fit.NO_POSITION - 1, -(2**31), 2**30, -(2**30), 2**30 + 1, -(2**30) - 1]
    holes = rng.choice([0.0, 0.0, rng.random()])  # the share without a position or distance
    for _ in range(count):
        time_s += rng.choice([0, 1, 1, 1, 2, 4, 5, 6, 11])
        records.time_s.append(time_s)
        if rng.random() < holes:
            lat = lon = fit.NO_POSITION
        else:
            lat = rng.choice(edges) if rng.random() < 0.02 else rng.randrange(-(2**29), 2**29)
            lon = rng.choice(edges) if rng.random() < 0.02 else rng.randrange(-(2**31), 2**31 - 1)
        records.lat.append(lat)
        records.lon.append(lon)
        records.distance_m.append(NAN if rng.random() < holes else rng.random() * 1e4)
        records.cadence_spm.append(NAN)
    return records


@pytest.mark.parametrize("seed", range(200))
def test_random_records_thin_as_before(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.choice([0, 1, 2, 3, 7, 50, 600])
    records = random_records(rng, count)
    lo = rng.randrange(count + 1)
    hi = rng.randrange(lo, count + 1)
    assert_same(records, 0, count, NAN)
    assert_same(records, lo, hi, rng.choice([NAN, 0.0, 12.5]))


@pytest.mark.parametrize("name", sorted(p.name for p in FIT_REAL.glob("*.[fF][iI][tT]")))
def test_real_file_thins_as_before(name: str, fit_real: Path) -> None:
    try:
        records = fit._read((fit_real / name).read_bytes()).records
    except fit.FitDecodeError:
        return  # refused before any thinning
    records.sort()
    count = len(records.time_s)
    assert_same(records, 0, count, NAN)
    assert_same(records, count // 3, count - count // 4, 3.0)


def test_a_regular_track_keeps_every_fifth_second_and_the_last() -> None:
    records = fit._Records()
    records.time_s = array("q", range(100, 113))
    records.lat = array("i", [2**29] * 13)
    records.lon = array("i", [2**29] * 13)
    records.distance_m = array("d", range(13))
    assert len(fit._track(records, 0, 13)) == len([0, 5, 10, 12])
    timeline = fit._timeline(records, fit._Span(0, 13, NAN), 100)
    assert [t for t, _ in timeline] == [0.0, 5.0, 10.0, 12.0]
    assert math.isclose(timeline[-1][1], 12.0)


def reference_order(times: list[int]) -> list[int]:
    """The former merge of time-ordered runs: (time, index) pairs, stable."""
    return [i for _, i in sorted((t, i) for i, t in enumerate(times))]


@pytest.mark.parametrize("seed", range(50))
def test_records_sort_in_time_order_as_before(seed: int) -> None:
    rng = random.Random(seed)
    records = random_records(rng, rng.choice([2, 30, 500]))
    runs = [records.time_s[i : i + 40] for i in range(0, len(records.time_s), 40)]
    rng.shuffle(runs)  # runs in order, not among them: chained files, multisport devices
    times = [t - rng.choice([0, 2**31]) for run in runs for t in run]  # negative ones too
    records.time_s = array("q", times)
    records.distance_m = array("d", range(len(times)))  # each record's original index
    records.sort()
    assert list(records.time_s) == sorted(times)
    assert list(records.distance_m) == reference_order(times)
