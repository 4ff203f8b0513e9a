"""`runwear surfaces --by/--sources`, its coverage line, and the hard_share and surface_unknown
checks at their thresholds."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.model import Activity
from runwear.monitor.checks import run_checks
from runwear.monitor.surfaces import source_mix, surface_mix_by
from runwear.store import Settings, memory_db, open_db
from runwear.store import activities as store
from runwear.store.shoes import add_shoe
from runwear.surfacing.split import SurfacePart

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
SETTINGS = Settings()


def add(db, parts: list[tuple[str, str | None, float]], *, days_ago: float = 1, shoe=None):
    """A stored run made of (surface, source, metres) parts."""
    started = NOW - timedelta(days=days_ago)
    total = sum(m for _, _, m in parts)
    with db.conn:
        return store.add_activity(
            db,
            Activity(started, "running", "generic", total, total / 3),
            source_id=None,
            session_index=0,
            fmt="manual",
            shoe_id=shoe,
            shoe_source="manual" if shoe else None,
            surface=parts[0][0],
            surface_source=parts[0][1],
            parts=[SurfacePart(s, src, m) for s, src, m in parts],
        )


@pytest.fixture
def season(runwear_db):
    """Three runs over two weeks and two months, in two shoes and none."""
    db = open_db(runwear_db)
    peg = add_shoe(db, "Pegasus")
    goat = add_shoe(db, "Speedgoat")
    add(db, [("concrete", "shoe", 6000), ("track", "place", 2000)], days_ago=20, shoe=peg)
    add(db, [("trail", "device", 9000), ("asphalt", "osm", 1000)], days_ago=14.5, shoe=goat)
    add(db, [("unknown", None, 3000), ("grass", "place", 1000)], days_ago=1)
    db.close()


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_surfaces_by_shoe(season, run):
    rows = json.loads(run("surfaces", "--by", "shoe", "--json").output)
    assert rows == [
        {"shoe": "Pegasus", "surface": "concrete", "distance_km": 6.0, "runs": 1, "share": 0.75},
        {"shoe": "Pegasus", "surface": "track", "distance_km": 2.0, "runs": 1, "share": 0.25},
        {"shoe": "Speedgoat", "surface": "trail", "distance_km": 9.0, "runs": 1, "share": 0.9},
        {"shoe": "Speedgoat", "surface": "asphalt", "distance_km": 1.0, "runs": 1, "share": 0.1},
        {"shoe": None, "surface": "unknown", "distance_km": 3.0, "runs": 1, "share": 0.75},
        {"shoe": None, "surface": "grass", "distance_km": 1.0, "runs": 1, "share": 0.25},
    ]
    assert run("surfaces", "--by", "shoe").output.splitlines() == [
        "shoe       concrete  asphalt  track  trail  grass  unknown  total km  hard",
        "---------  --------  -------  -----  -----  -----  -------  --------  ----",
        "Pegasus         6.0        -    2.0      -      -        -       8.0   75%",
        "Speedgoat         -      1.0      -    9.0      -        -      10.0   10%",
        "(no shoe)         -        -      -      -    1.0      3.0       4.0    0%",
    ]


def test_surfaces_by_week_and_month(season, run):
    weeks = json.loads(run("surfaces", "--by", "week", "--json").output)
    assert [(r["period"], r["surface"], r["distance_km"]) for r in weeks] == [
        ("2026-05-25", "concrete", 6.0),
        ("2026-05-25", "track", 2.0),
        ("2026-06-01", "trail", 9.0),
        ("2026-06-01", "asphalt", 1.0),
        ("2026-06-08", "unknown", 3.0),
        ("2026-06-08", "grass", 1.0),
    ]
    months = json.loads(run("surfaces", "--by", "month", "--json", "--since", "2026-06-01").output)
    assert [(r["period"], r["surface"], r["runs"], r["share"]) for r in months] == [
        ("2026-06", "trail", 1, 0.6429),
        ("2026-06", "unknown", 1, 0.2143),
        ("2026-06", "asphalt", 1, 0.0714),
        ("2026-06", "grass", 1, 0.0714),
    ]
    table = run("--units", "mi", "surfaces", "--by", "month").output.splitlines()
    assert table[0].split() == [
        "month",
        "concrete",
        "asphalt",
        "track",
        "trail",
        "grass",
        "unknown",
        "total",
        "mi",
        "hard",
    ]
    assert table[2].split() == ["2026-05", "3.7", "-", "1.2", "-", "-", "-", "5.0", "75%"]
    csv_out = run("surfaces", "--by", "week", "--csv").output.splitlines()
    assert csv_out[0] == "period,surface,distance_km,runs,share"


def test_coverage_line_and_sources(season, run):
    table = run("surfaces").output.splitlines()
    assert table[-1] == (
        "Surface known for 86% of 22.0 km: device 41%, shoe's usual surface 27%, place 14%, "
        "osm 5%; unknown 14%."
    )
    assert json.loads(run("surfaces", "--sources", "--json").output) == [
        {"source": "device", "distance_km": 9.0, "runs": 1, "share": 0.4091},
        {"source": "shoe", "distance_km": 6.0, "runs": 1, "share": 0.2727},
        {"source": "place", "distance_km": 3.0, "runs": 2, "share": 0.1364},
        {"source": "osm", "distance_km": 1.0, "runs": 1, "share": 0.0455},
        {"source": "unknown", "distance_km": 3.0, "runs": 1, "share": 0.1364},
    ]
    plain = json.loads(run("surfaces", "--json").output)  # the JSON keeps its old shape
    assert set(plain[0]) == {"surface", "distance_km", "runs", "share"}
    assert "choose one of --by and --sources" in (
        run("surfaces", "--by", "week", "--sources", code=2).output
    )


def test_source_mix_and_by_functions_on_an_empty_database():
    db = memory_db()
    assert source_mix(db) == []
    assert surface_mix_by(db, "week") == []
    with pytest.raises(ValueError, match="by must be one of week, month, shoe"):
        surface_mix_by(db, "year")


# -- the checks ------------------------------------------------------------------------------


def kinds(db, settings=SETTINGS):
    return [(f.kind, f.severity) for f in run_checks(db, settings, NOW)]


@pytest.mark.parametrize(
    ("hard_m", "soft_m", "fires"),
    [
        (16_000, 4_000, False),  # exactly 80%: not over
        (16_001, 3_999, True),  # just over
        (15_200, 3_799, False),  # over 80% but 18,999 m: under the 20 km gate
    ],
)
def test_hard_share_threshold(hard_m, soft_m, fires):
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add(db, [("asphalt", "osm", hard_m - 1_000), ("concrete", "osm", 1_000)], shoe=shoe)
    add(db, [("grass", "place", soft_m)], days_ago=2, shoe=shoe)
    found = run_checks(db, SETTINGS, NOW)
    assert [f.kind for f in found] == (["hard_share"] if fires else [])
    if fires:
        [finding] = found
        assert finding.severity == "info"
        assert finding.threshold == 0.8
        assert finding.value == round(hard_m / (hard_m + soft_m), 4)
        assert finding.message == (
            "80% of your last 28 days' 20.0 km was on concrete or asphalt (over 80%): "
            "put some easy runs on a track, trail, grass or gravel."
        )


def test_hard_share_is_not_repeated_when_concrete_warns():
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add(db, [("concrete", "shoe", 25_000)], shoe=shoe)
    assert kinds(db) == [("concrete_share", "warn")]
    assert kinds(db, SETTINGS._replace(concrete_share_pct=100)) == [("hard_share", "info")]


@pytest.mark.parametrize(
    ("unknown_m", "known_m", "fires"),
    [(5_000, 5_000, False), (5_001, 4_999, True), (900, 100, True)],
)
def test_surface_unknown_threshold(unknown_m, known_m, fires):
    """At half, no note; over it, a note, however little the window holds."""
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add(db, [("unknown", None, unknown_m), ("trail", "device", known_m)], shoe=shoe)
    found = run_checks(db, SETTINGS, NOW)
    assert [f.kind for f in found] == (["surface_unknown"] if fires else [])
    if fires:
        assert found[0].severity == "info"
        assert found[0].threshold == 0.5
        assert "add the places you run (`runwear place add`)" in found[0].message
        assert "load OpenStreetMap data for your area (`runwear osm load`)" in found[0].message


def test_unknown_tagged_by_hand_is_not_a_hint():
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add(db, [("unknown", "manual", 9_000)], shoe=shoe)
    assert kinds(db) == []
    assert kinds(db, SETTINGS._replace(unknown_share_pct=10)) == []
    add(db, [("unknown", "shoe", 1_000)], shoe=shoe, days_ago=2)  # not manual: counts
    assert kinds(db, SETTINGS._replace(unknown_share_pct=9.9)) == [("surface_unknown", "info")]


def test_settings_for_the_new_checks(run):
    assert run("config", "hard_share_pct").output == "80.0\n"
    assert run("config", "unknown_share_pct", "60").output == "unknown_share_pct = 60.0\n"
    assert "must be a percentage" in run("config", "hard_share_pct", "120", code=2).output
