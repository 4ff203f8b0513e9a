"""Rules: conditions, order, precedence over defaults and never over manual tags; retag."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.geo import destination
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.route import SampleRun
from runwear.surfacing.geometry import Circle
from runwear.surfacing.rules import Rule, RunFacts, choose, describe, local_day

START = (51.5007, -0.1246)
MONDAY = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)  # a Monday


def facts(**changes) -> RunFacts:
    base = {
        "sport": "running",
        "sub_sport": "generic",
        "name": "Saturday parkrun",
        "day": date(2026, 6, 6),  # a Saturday
        "distance_m": 5000.0,
        "start": START,
    }
    return RunFacts(**{**base, **changes})


# -- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        (Rule(1), True),  # no condition: every run
        (Rule(1, sport="running"), True),
        (Rule(1, sport="walking"), False),
        (Rule(1, sub_sport="generic"), True),
        (Rule(1, sub_sport="trail"), False),
        (Rule(1, name_contains="PARKRUN"), True),  # any letter case
        (Rule(1, name_contains="tempo"), False),
        (Rule(1, weekday="sat"), True),
        (Rule(1, weekday="sun"), False),
        (Rule(1, min_km=5.0), True),  # at least: 5 km is in
        (Rule(1, min_km=5.001), False),
        (Rule(1, max_km=5.0), True),  # at most: 5 km is in
        (Rule(1, max_km=4.999), False),
        (Rule(1, min_km=4, max_km=6, weekday="sat", name_contains="park"), True),
        (Rule(1, starts_in=Circle(*START, 50.0)), True),
        (Rule(1, starts_in=Circle(*destination(*START, 0.0, 60.0), 50.0)), False),
    ],
)
def test_a_rule_matches_when_every_condition_holds(rule, matches):
    assert rule.matches(facts()) is matches


def test_a_run_without_a_track_never_starts_in_a_place():
    assert not Rule(1, starts_in=Circle(*START, 500.0)).matches(facts(start=None))


def test_a_run_without_a_name_never_contains_text():
    assert not Rule(1, name_contains="park").matches(facts(name=None))


def test_first_match_wins_for_shoe_and_for_surface_separately():
    rules = [
        Rule(1, sub_sport="trail", shoe_id=10),  # does not match
        Rule(2, name_contains="park", shoe_id=20),  # the shoe
        Rule(3, weekday="sat", shoe_id=30, surface="grass"),  # the surface (shoe taken)
        Rule(4, surface="sand"),  # too late
    ]
    choice = choose(rules, facts())
    assert (choice.shoe_id, choice.shoe_rule, choice.surface, choice.surface_rule) == (
        20,
        2,
        "grass",
        3,
    )
    assert choose([], facts()).shoe_id is None


def test_a_retired_shoe_takes_no_runs_after_its_retirement():
    rules = [Rule(1, shoe_id=10, shoe_retired_on=date(2026, 6, 5)), Rule(2, shoe_id=20)]
    assert choose(rules, facts(day=date(2026, 6, 5))).shoe_id == 10
    assert choose(rules, facts(day=date(2026, 6, 6))).shoe_id == 20


def test_local_day_uses_the_file_offset_else_the_zone():
    late = datetime(2026, 6, 6, 23, 30, tzinfo=timezone.utc)
    assert local_day(late, 3600, None) == date(2026, 6, 7)
    assert local_day(late, None, timezone(timedelta(hours=-5))) == date(2026, 6, 6)


def test_describe():
    assert describe(Rule(1)) == "every run"
    assert describe(Rule(1, sub_sport="trail")) == "trail runs"
    assert (
        describe(Rule(1, name_contains="parkrun", weekday="sat", min_km=4, max_km=6), "Park")
        == "runs named *parkrun* on sat 4-6 km starting in Park"
    )
    assert describe(Rule(1, min_km=21.1)) == "runs from 21.1 km"


# -- on import and retag, through the command line --------------------------------------------


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def write_run(folder, day: int, *, sub_sport="generic", name="Morning Run", km=5.0, bearing=45.0):
    run = SampleRun(
        MONDAY + timedelta(days=day),
        km * 1000,
        km * 300,
        sub_sport=sub_sport,
        name=name,
        bearing_deg=bearing,
        step_s=5.0,
    )
    path = folder / f"{day}.fit"
    path.write_bytes(fit_activity_bytes([run]))
    return path


def runs(run) -> list[tuple[str, str | None, str]]:
    """(name, shoe, surface) of every run, oldest first."""
    rows = json.loads(run("activities", "--json").output)
    return [(r["name"], r["shoe"], r["surface"]) for r in reversed(rows)]


def sources(db_path) -> list[tuple[str | None, str | None]]:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "select shoe_source, surface_source from activities order by id"
        ).fetchall()


def test_rules_tag_on_import_over_defaults(tmp_path, run, runwear_db):
    run("shoe", "add", "Everyday", "--default", "--surface", "concrete")
    run("shoe", "add", "Speedgoat")
    run("shoe", "add", "Racer")
    run("rule", "add", "--sub-sport", "trail", "--shoe", "Speedgoat")
    run("rule", "add", "--name-contains", "parkrun", "--surface", "grass", "--shoe", "Racer")
    run("rule", "add", "--weekday", "wed", "--surface", "track")
    write_run(tmp_path, 0, name="Easy")  # Monday: no rule
    write_run(tmp_path, 1, sub_sport="trail", name="Hills")  # rule 1
    write_run(tmp_path, 2, name="Intervals")  # Wednesday: rule 3
    write_run(tmp_path, 5, sub_sport="trail", name="Parkrun")  # rule 1 shoe, 2 surface
    run("import", str(tmp_path))
    assert runs(run) == [
        ("Easy", "Everyday", "concrete"),
        ("Hills", "Speedgoat", "trail"),
        ("Intervals", "Everyday", "track"),
        ("Parkrun", "Speedgoat", "grass"),
    ]
    assert sources(runwear_db) == [
        ("default", "shoe"),
        ("rule", "device"),
        ("default", "rule"),
        ("rule", "rule"),
    ]


def test_rules_never_override_the_command_line(tmp_path, run):
    run("shoe", "add", "Speedgoat")
    run("shoe", "add", "Mine")
    run("rule", "add", "--shoe", "Speedgoat", "--surface", "trail")
    write_run(tmp_path, 0)
    run("import", str(tmp_path), "--shoe", "Mine", "--surface", "asphalt")
    assert runs(run) == [("Morning Run", "Mine", "asphalt")]


def test_a_rule_surface_does_not_beat_an_indoor_run(tmp_path, run):
    run("rule", "add", "--surface", "grass")
    write_run(tmp_path, 0, sub_sport="treadmill")
    run("import", str(tmp_path))
    assert runs(run) == [("Morning Run", None, "treadmill")]


def test_rule_order_and_position(run):
    run("shoe", "add", "A")
    run("shoe", "add", "B")
    assert run("rule", "add", "--min-km", "20", "--shoe", "A").output.startswith(
        "Added rule 1 (#1): runs from 20 km -> shoe A."
    )
    run("rule", "add", "--sub-sport", "trail", "--shoe", "B", "--surface", "trail")
    first = run("rule", "add", "--name-contains", "race", "--shoe", "B", "--position", "1")
    assert first.output.startswith("Added rule 3 (#1): runs named *race* -> shoe B.")
    listed = json.loads(run("rule", "list", "--json").output)
    assert [(r["position"], r["id"], r["when"]) for r in listed] == [
        (1, 3, "runs named *race*"),
        (2, 1, "runs from 20 km"),
        (3, 2, "trail runs"),
    ]
    assert run("rule", "list").output.splitlines() == [
        "#  id  runs               shoe  surface",
        "-  --  -----------------  ----  -------",
        "1   3  runs named *race*  B     -",
        "2   1  runs from 20 km    A     -",
        "3   2  trail runs         B     trail",
    ]
    run("rule", "remove", "1")
    listed = json.loads(run("rule", "list", "--json").output)
    assert [(r["position"], r["id"]) for r in listed] == [(1, 3), (2, 2)]
    missing = run("rule", "remove", "9", code=2)
    assert "no rule with id 9. Rules: 3, 2" in missing.output


def test_rule_add_refuses_what_cannot_work(run):
    assert "say what the rule tags: --shoe NAME and/or --surface SURFACE" in (
        run("rule", "add", "--sub-sport", "trail", code=2).output
    )
    assert "--min-km 10 is over --max-km 5" in (
        run("rule", "add", "--min-km", "10", "--max-km", "5", "--surface", "grass", code=2).output
    )
    assert "no place named 'Park'. No places yet" in (
        run("rule", "add", "--starts-in", "Park", "--surface", "grass", code=2).output
    )
    assert "no shoe named 'Nope'" in run("rule", "add", "--shoe", "Nope", code=2).output
    assert run("rule", "list").output == (
        "No rules yet. Add one: runwear rule add --sub-sport trail --shoe Speedgoat\n"
    )


def test_retag_applies_rules_to_stored_runs_but_not_manual_tags(tmp_path, run, runwear_db):
    run("shoe", "add", "Everyday", "--default", "--surface", "asphalt")
    run("shoe", "add", "Racer")
    for day in (0, 1, 2):
        write_run(tmp_path, day, name=f"Race {day}" if day else "Easy")
    run("import", str(tmp_path))
    run("tag", "3", "--shoe", "Everyday", "--surface", "concrete")  # by hand
    run("rule", "add", "--name-contains", "race", "--shoe", "Racer", "--surface", "track")
    before = runs(run)
    assert before == [
        ("Easy", "Everyday", "asphalt"),
        ("Race 1", "Everyday", "asphalt"),
        ("Race 2", "Everyday", "concrete"),
    ]
    out = run("retag", "--rules").output
    assert out == (
        "Applied 1 rule to 3 runs: 1 shoe changed, 1 surface split changed; "
        "1 with a surface tagged by hand left alone.\n"
    )
    assert runs(run) == [
        ("Easy", "Everyday", "asphalt"),
        ("Race 1", "Racer", "track"),
        ("Race 2", "Everyday", "concrete"),  # manual shoe and surface stay
    ]
    assert sources(runwear_db) == [("default", "shoe"), ("rule", "rule"), ("manual", "manual")]
    assert run("retag", "--rules").output.startswith("Applied 1 rule to 3 runs: 0 shoes changed")

    run("rule", "remove", "1")
    run("retag", "--rules", "--since", "2026-06-02")
    assert runs(run) == before  # the rule's tags are gone: back to the default shoe's
    assert sources(runwear_db)[1] == ("default", "shoe")
    assert "say what to apply: --rules" in run("retag", code=2).output


def test_retag_since_leaves_older_runs(tmp_path, run):
    run("shoe", "add", "Racer")
    for day in (0, 1):
        write_run(tmp_path, day)
    run("import", str(tmp_path))
    run("rule", "add", "--shoe", "Racer")
    run("retag", "--rules", "--since", "2026-06-02")
    assert [shoe for _, shoe, _ in runs(run)] == [None, "Racer"]


def test_starts_in_a_place_and_what_removing_it_needs(tmp_path, run):
    run("shoe", "add", "Spikes")
    run(
        "place",
        "add",
        "Home",
        "--surface",
        "asphalt",
        "--center",
        "51.5007,-0.1246",
        "--radius",
        "100m",
    )
    run("rule", "add", "--starts-in", "home", "--shoe", "Spikes")
    write_run(tmp_path, 0)  # starts at home
    write_run(tmp_path, 1, bearing=0.0).rename(tmp_path / "elsewhere.fit")
    other = SampleRun(MONDAY + timedelta(days=3), 5000, 1500, lat=51.6, lon=-0.2, step_s=5.0)
    (tmp_path / "far.fit").write_bytes(fit_activity_bytes([other]))
    run("import", str(tmp_path))
    assert [shoe for _, shoe, _ in runs(run)] == ["Spikes", "Spikes", None]
    refused = run("place", "remove", "Home", code=1)
    assert refused.output == (
        "Error: Home is where rule 1 looks for runs to start. "
        "Remove it first: runwear rule remove 1\n"
    )
    assert run("shoe", "remove", "Spikes", "--force", code=1).output == (
        "Error: Spikes is the shoe of rule 1. Remove it first (runwear rule remove 1), "
        "or retire the shoe\n"
    )


def test_retag_gives_a_rule_shoe_to_a_run_with_a_surface_tagged_by_hand(tmp_path, run):
    run("shoe", "add", "Everyday", "--default")
    run("shoe", "add", "Racer")
    write_run(tmp_path, 0, name="Race")
    run("import", str(tmp_path))
    run("tag", "1", "--surface", "track")  # surface by hand, shoe still the default
    run("rule", "add", "--name-contains", "race", "--shoe", "Racer", "--surface", "grass")
    assert run("retag", "--rules").output == (
        "Applied 1 rule to 1 run: 1 shoe changed, 0 surface splits changed; "
        "1 with a surface tagged by hand left alone.\n"
    )
    assert runs(run) == [("Race", "Racer", "track")]
