"""Settings: each key's sane range, bad stored values, `config --reset`, --json and --csv."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from runwear.store import memory_db
from runwear.store.settings import KEYS, RANGES, Settings, parse_setting, read_settings

from .helpers import cli_invoker


@pytest.fixture
def run():
    return cli_invoker()


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("shoe_limit_km", "inf", "must be between 50 and 5000 km"),
        ("shoe_limit_km", "1e-300", "must be between 50 and 5000 km"),
        ("shoe_limit_km", "0", "must be between 50 and 5000 km"),
        ("shoe_limit_km", "-5", "must be between 50 and 5000 km"),
        ("shoe_limit_km", "nan", "must be between 50 and 5000 km"),
        ("nearing_pct", "-5", "must be a percentage between 50 and 99"),
        ("window_days", "0", "must be between 7 and 366 days"),
        ("window_days", "abc", "'abc' is not a whole number (7-366)"),
        ("concrete_min_km", "0", "must be between 1 and 1000 km"),
    ],
)
def test_values_that_switch_a_check_off_are_refused(key, text, reason):
    with pytest.raises(ValueError, match=r"^" + reason.replace("(", r"\(").replace(")", r"\)")):
        parse_setting(key, text)


def test_every_number_key_has_a_range_holding_its_default():
    for key in KEYS:
        if key in ("units", "timezone"):
            continue
        default = getattr(Settings(), key)
        low, high = RANGES[key]
        assert default is None or low <= default <= high, key


def test_config_refuses_negative_values_with_the_range(run):
    result = run("config", "shoe_limit_km", "-5")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for VALUE: shoe_limit_km must be between 50 and 5000 km"
    )


def test_bad_stored_values_warn_once_and_fall_back(run, runwear_db):
    run("shoe", "add", "Pegasus")
    db = Database(runwear_db)
    db["settings"].upsert_all(
        [
            {"key": "shoe_limit_km", "value": "abc"},
            {"key": "nearing_pct", "value": "-5"},
            {"key": "timezone", "value": "Mars/Olympus"},
        ],
        pk="key",
    )
    db.conn.commit()
    result = run("shoes", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["limit_km"] == 700.0
    assert result.stderr.splitlines() == [
        "Warning: setting shoe_limit_km = 'abc' is ignored ('abc' is not a number (50-5000)); "
        "using the default. Fix it: runwear config shoe_limit_km --reset",
        "Warning: setting nearing_pct = '-5' is ignored (must be a percentage between 50 and "
        "99); using the default. Fix it: runwear config nearing_pct --reset",
        "Warning: setting timezone = 'Mars/Olympus' is ignored (must be an IANA time zone name "
        "like Europe/Berlin or America/New_York, or local); using the default. "
        "Fix it: runwear config timezone --reset",
    ]
    assert run("check").exit_code in (0, 1)
    reset = run("config", "timezone", "--reset")
    assert (reset.exit_code, reset.stdout) == (0, "timezone = local (default)\n")
    assert read_settings(db)[1][0].key == "shoe_limit_km"


def test_config_listing_shows_ranges_and_has_json_and_csv(run):
    run("config", "shoe_max_age_months", "12")
    listing = run("config").stdout.splitlines()
    assert listing[0].split() == ["key", "value", "range", "meaning"]
    assert listing[2].split()[:3] == ["shoe_limit_km", "700.0", "50-5000"]
    assert (
        "shoe_max_age_months            12     (default none)  1-120 or none"
        in run("config").stdout
    )
    records = json.loads(run("config", "--json").stdout)
    assert records[0] == {
        "key": "shoe_limit_km",
        "value": 700.0,
        "default": 700.0,
        "range": "50-5000",
        "meaning": "retirement distance for shoes without their own limit (km)",
    }
    assert run("config", "--csv").stdout.splitlines()[0] == "key,value,default,range,meaning"
    assert run("config", "shoe_max_age_months", "none").stdout == "shoe_max_age_months = none\n"


def test_read_settings_reports_nothing_for_good_values():
    db = memory_db()
    db["settings"].insert({"key": "nearing_pct", "value": "90"})
    assert read_settings(db) == (Settings(nearing_pct=90.0), [])


def test_the_shoe_mileage_view_ignores_a_bad_stored_limit(run, runwear_db):
    run("shoe", "add", "Pegasus")
    db = Database(runwear_db)
    db["settings"].upsert({"key": "shoe_limit_km", "value": "abc"}, pk="key")
    db.conn.commit()
    assert db.execute("select limit_m from shoe_mileage").fetchone() == (700_000.0,)
