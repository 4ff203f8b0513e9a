"""Runkeeper export: cardioActivities.csv rows, units, durations and their GPX files."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from runwear.ingest import runkeeper
from runwear.ingest.archive import open_container
from runwear.ingest.gpx import parse_gpx
from runwear.ingest.model import IngestError
from runwear.samples.route import SampleRun
from runwear.samples.sources import SourceEntry, write_runkeeper_export

MAX = 10 << 20


def entries() -> list[SourceEntry]:
    def at(day: int) -> datetime:
        return datetime(2026, 11, day, 7, 0, tzinfo=timezone.utc)

    return [
        SourceEntry(SampleRun(at(2), 5230.0, 1691.0, name="Park loop", hill_m=5.0)),
        SourceEntry(SampleRun(at(3), 8000.0, 3725.0), track=False),  # manual: no GPX
        SourceEntry(SampleRun(at(4), 3100.0, 2700.0, sport="walking"), "Walking"),
        SourceEntry(SampleRun(at(5), 22300.0, 4500.0, sport="cycling"), "Cycling", track=False),
    ]


@pytest.mark.parametrize("miles", [False, True])
def test_runkeeper_rows_figures_and_files(tmp_path, miles):
    path = write_runkeeper_export(tmp_path / "rk.zip", entries(), miles=miles)
    with open_container(path) as container:
        assert runkeeper.is_runkeeper_export(container)
        rows = list(runkeeper.read_activities(container, MAX))
        got = [
            (
                r.facts.sport,
                r.facts.label,
                round((r.facts.distance_m or 0) / 100),  # 2 decimals of a mile: 16 m
                r.facts.duration_s,
                r.gpx.path if r.gpx else None,
                r.facts.manual,
            )
            for r in rows
        ]
        assert got == [
            ("running", "Running", 52, 1691.0, "2026-11-02-070000.gpx", False),
            ("running", "Running", 80, 3725.0, None, True),
            ("walking", "Walking", 31, 2700.0, "2026-11-04-070000.gpx", False),
            ("cycling", "Cycling", 223, 4500.0, None, True),
        ]
        first = rows[0]
        assert first.facts.name == "Park loop"
        assert first.facts.ascent_m == pytest.approx(50.0, abs=0.5)
        assert first.facts.started_at == datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)
        assert first.facts.external_id == "runkeeper:rk-20261102070000"
        track = parse_gpx(container.read(first.gpx, MAX)).activities[0]
        assert track.distance_m == pytest.approx(5230.0, rel=0.01)


def test_runkeeper_unreadable_date_and_missing_columns(tmp_path):
    folder = tmp_path / "rk"
    folder.mkdir()
    (folder / "cardioActivities.csv").write_text(
        "Activity Id,Date,Type,Distance (km),Duration,GPX File\n"
        "a1,yesterday,Running,5.0,25:00,../../etc/passwd\n"
    )
    with open_container(folder) as container:
        (row,) = runkeeper.read_activities(container, MAX)
    assert row.error == "unreadable Date 'yesterday'"
    assert row.gpx is None  # a name leaving the folder is never looked up
    (folder / "cardioActivities.csv").write_text("Id,When\n1,2\n")
    with open_container(folder) as container, pytest.raises(IngestError, match="lacks the Date"):
        list(runkeeper.read_activities(container, MAX))


def test_hour_long_durations():
    assert runkeeper._duration("1:02:03") == 3723.0
    assert runkeeper._duration("45:00.5") == 2700.5
    assert runkeeper._duration("") is None
