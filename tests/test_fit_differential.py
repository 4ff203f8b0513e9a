"""runwear's FIT decoder against the fitparse-based reader it replaced (tests/fit_reference.py).

On every real file and on generated ones, both give the same file type, session count and,
per session, start, sport, sub-sport and distance; a file one refuses the other refuses too,
except where fitparse 1.2.0 is known to be wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from runwear.ingest.fit import parse_fit
from runwear.ingest.model import IngestError
from runwear.samples.fit_writer import SampleLap, fit_activity_bytes
from runwear.samples.route import SampleRun

from .conftest import FIT_REAL

fit_reference = pytest.importorskip("tests.fit_reference")

START = datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
# fitparse 1.2.0 refuses a field whose size is not a multiple of its type; runwear reads it.
FITPARSE_REFUSES = {"coros-pace-2-cycling-misaligned-fields.fit"}


def both(data: bytes) -> tuple[object, object]:
    """(reference figures or "refused", new figures or "refused") of one file."""
    try:
        file_type, sessions = fit_reference.reference_sessions(data)
        reference = (file_type, [tuple(s) for s in sessions] if file_type == "activity" else [])
    except Exception:  # fitparse raises many kinds: any of them is a refusal here
        reference = "refused"
    try:
        parsed = parse_fit(data)
        new = (
            parsed.file_type,
            [(a.started_at, a.sport, a.sub_sport, a.distance_m) for a in parsed.activities],
        )
    except IngestError:
        new = "refused"
    return reference, new


def real_files() -> list[str]:
    """The names of the real FIT fixtures, or none when the folder is absent."""
    if not FIT_REAL.is_dir():
        return []
    return sorted(p.name for p in FIT_REAL.iterdir() if p.suffix.lower() == ".fit")


@pytest.mark.parametrize("name", real_files())
def test_real_file_reads_as_fitparse_read_it(name: str, fit_real: Path) -> None:
    reference, new = both((fit_real / name).read_bytes())
    if name in FITPARSE_REFUSES:
        assert reference == "refused"
        assert new != "refused"
        return
    if reference == "refused" or new == "refused":
        assert (reference, new) == ("refused", "refused")
        return
    assert new[0] == reference[0]
    assert len(new[1]) == len(reference[1])
    for got, want in zip(new[1], reference[1], strict=True):
        assert got[:3] == want[:3]
        assert got[3] == pytest.approx(want[3], abs=1e-6)


def test_the_real_fixtures_are_there(fit_real: Path) -> None:
    assert len(real_files()) >= 40


def runs() -> list[SampleRun]:
    """A multisport outing: a ride, a trail run, a treadmill run, hours apart."""
    return [
        SampleRun(START, 40_000.0, 4800.0, sport="cycling", step_s=5.0),
        SampleRun(START + timedelta(hours=2), 10_000.0, 3000.0, sub_sport="trail"),
        SampleRun(START + timedelta(hours=4), 4_321.09, 1300.0, sub_sport="treadmill"),
    ]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"with_total_distance": False},
        {"with_total_distance": False, "with_record_distance": False},
        {"developer_fields": True},
        {"compressed_timestamps": True, "cadence_spm": 172.0},
        {"laps": [[SampleLap(600, 5000, "warmup"), SampleLap(4200, 35_000)], [], []]},
        {"device": "garmin fenix5", "utc_offset_s": 3600, "session_cadence_spm": 170.0},
    ],
)
def test_generated_file_reads_as_fitparse_reads_it(options: dict) -> None:
    reference, new = both(fit_activity_bytes(runs(), **options))
    assert reference != "refused"
    assert new[0] == reference[0]
    assert [s[:3] for s in new[1]] == [s[:3] for s in reference[1]]
    assert [s[3] for s in new[1]] == pytest.approx([s[3] for s in reference[1]], abs=1e-6)


def test_generated_strength_session_reads_as_fitparse_reads_it() -> None:
    gym = SampleRun(START, 0.0, 1800.0, sport="training", sub_sport="strength_training")
    reference, new = both(fit_activity_bytes([gym], with_records=False))
    assert new == reference


def test_chained_generated_files_read_as_fitparse_reads_them() -> None:
    one, two, three = runs()
    data = fit_activity_bytes([one]) + fit_activity_bytes([two, three])
    reference, new = both(data)
    assert new == reference
    assert len(new[1]) == 3
