"""The figures behind each part of `runwear report` equal what the CLI prints as JSON."""

from __future__ import annotations

import json
from datetime import time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.ingest.model import Activity
from runwear.report.data import MapRun, build_report, load_weeks, map_places, map_runs
from runwear.store import Settings, load_settings, memory_db, open_db
from runwear.surfacing.geometry import Circle, Corridor
from runwear.surfacing.split import Place

from .helpers import LAST_MONDAY, LOAD_AS_OF, NOW, add_run_on, add_weeks, store_run


def make_demo(folder: Path) -> Path:
    """`runwear demo --dir folder`; the path of its database."""
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "demo.db"


_built: list[Path] = []


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The demo season's database, built once for every report test module that uses it."""
    if not _built:
        _built.append(make_demo(tmp_path_factory.mktemp("demo")))
    return _built[0]


@pytest.fixture(scope="module")
def report(demo_db):
    db = open_db(demo_db)
    yield build_report(db, load_settings(db), demo_db)
    db.close()


def cli_json(db: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args, "--json"], catch_exceptions=False)
    return json.loads(result.output)


def test_shoes_equal_shoes_json(demo_db, report):
    listed = {s["name"]: s for s in cli_json(demo_db, "shoes", "--all")}
    shown = report.shoes + report.retired
    assert sorted(s.name for s in shown) == sorted(listed) == ["Novablast", "Pegasus", "Speedgoat"]
    for s in shown:
        want = listed[s.name]
        got = {
            "distance_km": s.distance_km,
            "limit_km": s.limit_km,
            "used_pct": s.used_pct,
            "runs": s.runs,
            "status": s.status,
            "limit_on": s.limit_on,
            "last_run": s.last_run,
        }
        assert got == {k: want[k] for k in got}, s.name
        # The line ends where the bar is: start distance plus every run.
        assert s.cumulative_km[-1][1] == pytest.approx(s.distance_km, abs=0.01)
        assert len(s.cumulative_km) == s.runs
        days = [d for d, _ in s.cumulative_km]
        assert days == sorted(days)


def test_load_equals_load_json(demo_db, report):
    listed = cli_json(demo_db, "load", "--weeks", "16")
    keys = ("week", "distance_km", "runs", "rest_days", "change_pct", "acwr")
    assert [{k: getattr(w, k) for k in keys} for w in report.load] == [
        {k: r[k] for k in keys} for r in listed
    ]
    assert [w.week_start.isoformat() for w in report.load] == [r["week_start"] for r in listed]


def test_surfaces_equal_surfaces_by_week_json(demo_db, report):
    assert report.by == "week"
    first = report.load[0].week_start.isoformat()
    listed: dict[str, dict[str, float]] = {}
    for r in cli_json(demo_db, "surfaces", "--by", "week"):
        if r["period"] >= first:
            listed.setdefault(r["period"], {})[r["surface"]] = r["distance_km"]
    assert {p.period: p.km for p in report.surfaces} == listed
    assert len(listed) >= 15
    for p in report.surfaces:
        assert p.total_km == pytest.approx(sum(p.km.values()), abs=0.01)
        assert p.concrete_share == pytest.approx(p.km.get("concrete", 0) / p.total_km)
        hard = p.km.get("concrete", 0) + p.km.get("asphalt", 0)
        assert p.hard_share == pytest.approx(hard / p.total_km)


def test_shoe_surface_table_equals_surfaces_by_shoe_json(demo_db, report):
    listed: dict[str, dict[str, float]] = {}
    for r in cli_json(demo_db, "surfaces", "--by", "shoe"):
        listed.setdefault(r["shoe"] or "(no shoe)", {})[r["surface"]] = r["distance_km"]
    assert {row.shoe: row.km for row in report.shoe_surfaces} == listed


def test_warnings_equal_check_json(demo_db, report):
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "check", "--json"])
    assert [f.as_dict() for f in report.findings] == json.loads(result.output)
    severities = [f.severity for f in report.findings]
    assert severities[0] == "alert"
    assert severities == sorted(severities, key=["alert", "warn", "info"].index)


def test_map_holds_the_recent_runs_in_their_main_surface(demo_db, report):
    db = open_db(demo_db)
    since = report.as_of - timedelta(days=report.map_days)
    tracked = db.execute(
        "select count(*) from activities a join activity_tracks t on t.activity_id = a.id "
        "where a.started_at >= ?",
        [since.strftime("%Y-%m-%dT%H:%M:%SZ")],
    ).fetchone()[0]
    db.close()
    assert len(report.map_runs) == tracked == 16
    for run in report.map_runs:
        assert run.surface == max(run.parts_km, key=run.parts_km.get)
        assert sum(run.parts_km.values()) == pytest.approx(run.distance_km, abs=0.02)
        assert len(run.points) >= 2
    starts = [run.started_at for run in report.map_runs]
    assert starts == sorted(starts, reverse=True)


def test_map_tracks_are_simplified_within_half_a_pixel():
    db = memory_db()
    # A wiggly 2 km line: 401 points, wiggles of 0.1 m across (far under a pixel).
    track = [(51.45 + i * 0.000045, -2.58 + (0.000001 if i % 2 else 0.0)) for i in range(401)]
    run = Activity(NOW - timedelta(days=1), "running", "generic", 2_000.0, 600.0, track=track)
    store_run(db, run, "sha-wiggle", "grass", None)
    (drawn,) = map_runs(db, NOW, 28)
    assert drawn.points[0] == pytest.approx(track[0])
    assert drawn.points[-1] == pytest.approx(track[-1])
    assert len(drawn.points) < 10
    assert drawn.surface == "grass"
    assert map_runs(db, NOW - timedelta(days=30), 28) == []


def test_load_rule_breaks_each_named():
    db = memory_db()
    # 10, 10, 12 km, then 20 and 20: +66.7% (10% rule); 40 vs 22 over two weeks (+81.8%);
    # acwr 20 / 13 = 1.54 in the fourth week, 20 / 15.5 = 1.29 in the fifth.
    add_weeks(db, [10, 10, 12, 20, 20])
    weeks = load_weeks(db, Settings(timezone="UTC"), LOAD_AS_OF, 5)
    assert [w.week_start for w in weeks][-1] == LAST_MONDAY
    fourth, fifth = weeks[-2], weeks[-1]
    assert fourth.change_pct == 66.7 and fourth.acwr == 1.54
    assert fourth.two_week_pct == pytest.approx(60.0)  # 32 vs 20
    assert [b.split(" ")[0] for b in fourth.breaks] == ["+66.7%", "+60.0%", "1.54x"]
    assert fifth.change_pct == 0.0 and fifth.two_week_pct == pytest.approx(81.8)
    assert fifth.breaks == [
        "+81.8% over two weeks against the two before (over 30%): linked to running injuries."
    ]
    assert weeks[1].breaks == []  # 10 after 10


def test_the_first_weeks_of_a_history_are_not_judged():
    db = memory_db()
    # Running starts on a Saturday (16 km that weekend), then 44, 44, 44 and 60 km weeks.
    first_monday = LAST_MONDAY - timedelta(weeks=4)
    for day in (5, 6):
        add_run_on(db, first_monday + timedelta(days=day), 8_000)
    add_weeks(db, [44, 44, 44, 60])
    weeks = load_weeks(db, Settings(timezone="UTC"), LOAD_AS_OF, 5)
    assert [w.week_start for w in weeks] == [first_monday + timedelta(weeks=n) for n in range(5)]
    # +175% on the first weekend, +450% and +46.7% over two weeks: figures, not rule breaks,
    # for 9, 16 and 23 days of history (check's ramp waits for 21, its two-week rule for 28).
    assert weeks[1].change_pct == 175.0 and weeks[1].breaks == []
    assert weeks[2].two_week_pct == pytest.approx(450.0) and weeks[2].breaks == []
    assert weeks[3].two_week_pct == pytest.approx(46.7, abs=0.05) and weeks[3].breaks == []
    # 30 days in, the week's +36.4% is a rule broken again.
    assert weeks[4].change_pct == 36.4
    assert [b.split(" ")[0] for b in weeks[4].breaks] == ["+36.4%"]


def test_a_comeback_is_judged_after_min_history_weeks():
    db = memory_db()
    # Four 20 km weeks, three weeks off, then 10 and 30 km (+200%) in the first two back.
    add_weeks(db, [20, 20, 20, 20, 0, 0, 0, 10, 30])
    weeks = load_weeks(db, Settings(timezone="UTC"), LOAD_AS_OF, 2)
    assert weeks[-1].change_pct == 200.0 and weeks[-1].breaks == []
    eager = load_weeks(db, Settings(timezone="UTC", min_history_weeks=1), LOAD_AS_OF, 2)
    assert [b.split(" ")[0] for b in eager[-1].breaks] == ["+200.0%"]


def test_current_week_is_judged_once_complete():
    db = memory_db()
    add_weeks(db, [10, 10, 10, 10])
    add_run_on(db, LAST_MONDAY + timedelta(weeks=1), 30_000)  # Monday of the current week
    weeks = load_weeks(db, Settings(timezone="UTC"), LOAD_AS_OF + timedelta(days=1), 2)
    assert weeks[-1].days == 1 and weeks[-1].distance_km == 30.0
    assert weeks[-1].breaks == [] and weeks[-1].two_week_pct is None


def test_long_spans_show_surfaces_by_month(demo_db):
    db = open_db(demo_db)
    long = build_report(db, load_settings(db), demo_db, weeks=52)
    listed = {
        (r["period"], r["surface"]): r["distance_km"]
        for r in cli_json(demo_db, "surfaces", "--by", "month")
    }
    db.close()
    assert long.by == "month"
    assert {(p.period, s): km for p in long.surfaces for s, km in p.km.items()} == listed


def test_empty_database():
    db = memory_db()
    empty = build_report(db, Settings(), Path("x.db"), LOAD_AS_OF)
    assert empty.shoes == [] and empty.map_runs == [] and empty.surfaces == []
    assert len(empty.load) == 16 and all(w.runs == 0 and not w.breaks for w in empty.load)


def test_map_places_are_the_ones_the_runs_reach(report):
    assert [(p.name, p.surface, p.radius_m) for p in report.map_places] == [
        ("Castle Park", "grass", 400.0)
    ]


def test_map_places_circles_and_corridors():
    run = MapRun(
        1, "2026-06-14T07:00:00Z", "", 1.0, "grass", {"grass": 1.0}, [(51.0, 0.0), (51.01, 0.0)]
    )
    near = Place("Park", "grass", Circle(51.005, 0.001, 200.0))
    far = Place("Far", "sand", Circle(52.0, 0.0, 200.0))
    river = Place("River", "gravel", Corridor(((51.005, -0.001), (51.005, 0.001)), 20.0))
    beside = Place("Beside", "gravel", Corridor(((51.0, -0.001), (51.01, -0.001)), 20.0))
    found = map_places([near, far, river, beside], [run])
    assert [(p.name, p.radius_m, p.width_m, len(p.points)) for p in found] == [
        ("Park", 200.0, None, 1),
        ("River", None, 20.0, 2),
    ]
    assert map_places([near], []) == []


def test_surfaces_are_grouped_in_the_timezone_setting_everywhere(runwear_db):
    """A run with no UTC offset at 23:30 UTC on a Sunday is Monday's in Tokyo: the page, the
    table and the chart of `surfaces --by week` put it in the same (the next) week."""
    db = open_db(runwear_db)
    add_run_on(db, LAST_MONDAY + timedelta(days=6), 5_000, at=time(23, 30), surface="grass")
    add_run_on(db, LAST_MONDAY + timedelta(days=2), 3_000, surface="grass")
    db.close()
    runner = CliRunner()
    assert runner.invoke(cli, ["config", "timezone", "Asia/Tokyo"]).exit_code == 0
    as_of = (LOAD_AS_OF + timedelta(days=1)).date().isoformat()
    listed = json.loads(
        runner.invoke(cli, ["surfaces", "--by", "week", "--until", as_of, "--json"]).output
    )
    by_week = {r["period"]: r["distance_km"] for r in listed}
    next_monday = (LAST_MONDAY + timedelta(weeks=1)).isoformat()
    assert by_week == {LAST_MONDAY.isoformat(): 3.0, next_monday: 5.0}
    chart = runner.invoke(cli, ["surfaces", "--by", "week", "--until", as_of, "--chart"]).output
    assert [line.split()[0] for line in chart.splitlines() if line[:1].isdigit()] == [
        LAST_MONDAY.isoformat(),
        next_monday,
    ]
    db = open_db(runwear_db)
    page = build_report(db, load_settings(db), runwear_db, as_of=LOAD_AS_OF + timedelta(days=1))
    db.close()
    assert {p.period: p.total_km for p in page.surfaces} == by_week
