"""Terminal pictures: `load --chart` and `surfaces --by week --chart`, fitted to the width,
Unicode or plain ASCII, drawing the same figures as `--json`."""

from __future__ import annotations

import json
from datetime import timedelta

import click
import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.cli.charts import bar, load_chart, surface_chart
from runwear.store import open_db

from .helpers import LAST_MONDAY, add_run_on, add_weeks


@pytest.fixture
def season(runwear_db):
    """Four weeks of 10, 20, 30, 40 km; the last week half concrete, half grass."""
    db = open_db(runwear_db)
    add_weeks(db, [10, 20, 30], last_monday=LAST_MONDAY - timedelta(weeks=1), surface="asphalt")
    add_run_on(db, LAST_MONDAY, 20_000, surface="concrete")
    add_run_on(db, LAST_MONDAY + timedelta(days=2), 20_000, surface="grass")
    db.close()
    return runwear_db


def invoke(*args: str, charset: str = "utf-8", columns: int = 60):
    runner = CliRunner(charset=charset, env={"COLUMNS": str(columns)})
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_bar_in_eighths_and_in_ascii():
    assert bar(1, 8, 1, unicode=True) == "▏"
    assert bar(4, 8, 1, unicode=True) == "▌"
    assert bar(10, 10, 3, unicode=True) == "███"
    assert bar(5, 10, 10, unicode=False) == "#####"
    assert bar(20, 10, 4, unicode=False) == "####"  # capped at the top
    assert bar(3, 0, 4, unicode=True) == ""


def test_load_chart_fits_the_terminal_and_matches_json(season):
    as_of = ["--weeks", "4", "--as-of", "2026-06-15"]
    records = json.loads(invoke("load", *as_of, "--json").output)
    out = invoke("load", *as_of, "--chart", columns=60).output
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [r["week"] for r in records]
    assert all(len(line) <= 60 for line in lines), out
    assert [line.split()[-4] for line in lines] == [f"{r['distance_km']:.1f}" for r in records]
    bars = [line.count("█") for line in lines]
    assert bars[-1] == max(bars) and bars[0] * 4 == pytest.approx(bars[-1], abs=1)
    wide = invoke("load", *as_of, "--chart", columns=120).output.splitlines()
    assert max(len(line) for line in wide) > 100


def test_load_chart_in_ascii_when_the_output_cannot_show_unicode(season):
    out = invoke("load", "--weeks", "4", "--as-of", "2026-06-15", "--chart", charset="ascii")
    assert out.exit_code == 0
    assert out.output.isascii()
    assert "#" * 20 in out.output


def test_surface_chart_stacks_by_surface(season):
    records = json.loads(invoke("surfaces", "--by", "week", "--json").output)
    out = invoke("surfaces", "--by", "week", "--chart", columns=70).output
    lines = out.splitlines()
    assert lines[-1].split() == ["█", "concrete", "▓", "asphalt", "▚", "grass"]
    last = lines[-3]  # the week of 2026-06-08: 20 km concrete then 20 km grass
    assert last.startswith("2026-06-08")
    assert last.endswith("40.0 km")
    assert abs(last.count("█") - last.count("▚")) <= 1 and last.count("█") > 10
    assert "▓" not in last
    assert len(lines) == len({r["period"] for r in records}) + 2
    assert all(len(line) <= 70 for line in lines)


def test_surface_chart_in_ascii(season):
    out = invoke("surfaces", "--by", "week", "--chart", charset="ascii").output
    assert out.isascii()
    assert out.splitlines()[-1].split() == ["#", "concrete", "=", "asphalt", '"', "grass"]


def test_surface_chart_needs_week_or_month(season):
    result = CliRunner().invoke(cli, ["surfaces", "--chart"])
    assert result.exit_code == 2
    assert "Error: --chart draws --by week or --by month" in result.output


def test_chart_functions_on_the_json_records():
    records = [
        {"week": "2026-W01", "distance_km": 5.0, "runs": 1},
        {"week": "2026-W02", "distance_km": 10.0, "runs": 2},
    ]
    assert load_chart(records, "km", columns=40, unicode=False).splitlines() == [
        "2026-W01  ######           5.0 km  1 run",
        "2026-W02  #############  10.0 km  2 runs",
    ]
    periods = [
        {"period": "2026-01", "surface": "trail", "distance_km": 3.0},
        {"period": "2026-01", "surface": "concrete", "distance_km": 1.0},
    ]
    drawn = click.unstyle(surface_chart(periods, "km", columns=30, unicode=False)).splitlines()
    assert drawn[0] == "2026-01  ###::::::::::  4.0 km"  # 1 and 3 km of 4 in 13 columns
    assert drawn[-1] == "# concrete  : trail"
