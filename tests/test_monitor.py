"""Shoe wear, surface mix and checks over stored runs: thresholds fire exactly when crossed."""

from __future__ import annotations

import pytest

from runwear.monitor.checks import run_checks
from runwear.monitor.findings import is_problem
from runwear.monitor.mileage import shoe_wear
from runwear.monitor.surfaces import surface_mix
from runwear.store import Settings, memory_db
from runwear.store.shoes import add_shoe, set_retired

from .helpers import NOW, add_run

SETTINGS = Settings()


def kinds(db, settings=SETTINGS):
    return [(f.kind, f.severity, f.subject) for f in run_checks(db, settings, NOW)]


def test_shoe_mileage_counts_start_distance_and_runs():
    db = memory_db()
    shoe = add_shoe(db, "Pegasus", brand="Nike", model="Pegasus 40", start_distance_m=120_000)
    add_run(db, 10_000, shoe_id=shoe, days_ago=3)
    add_run(db, 5_500, shoe_id=shoe, days_ago=1)
    add_run(db, 7_000)  # untagged: counts for no shoe
    [wear] = shoe_wear(db, SETTINGS)
    assert (wear.name, wear.distance_m, wear.limit_m, wear.runs) == ("Pegasus", 135_500, 700_000, 2)
    assert wear.last_run == "2026-06-14T12:00:00Z"
    assert wear.status(SETTINGS) == "ok"


@pytest.mark.parametrize(
    ("distance_m", "status", "kind"),
    [
        (594_999, "ok", None),
        (595_000, "nearing", "shoe_nearing"),  # exactly 85% of 700 km
        (699_999, "nearing", "shoe_nearing"),
        (700_000, "retire", "shoe_retire"),  # at the limit
        (750_000, "retire", "shoe_retire"),
    ],
)
def test_shoe_status_thresholds(distance_m, status, kind):
    db = memory_db()
    add_shoe(db, "Pegasus", start_distance_m=distance_m)
    [wear] = shoe_wear(db, SETTINGS)
    assert wear.status(SETTINGS) == status
    found = [k for k, _, _ in kinds(db)]
    assert found == ([kind] if kind else [])


def test_own_limit_and_setting_limit():
    db = memory_db()
    add_shoe(db, "Own", start_distance_m=450_000, limit_m=450_000)
    add_shoe(db, "Default", start_distance_m=500_000)
    settings = SETTINGS._replace(shoe_limit_km=500)
    assert {w.name: w.status(settings) for w in shoe_wear(db, settings)} == {
        "Default": "retire",
        "Own": "retire",
    }
    assert {w.name: w.status(SETTINGS) for w in shoe_wear(db, SETTINGS)} == {
        "Default": "ok",
        "Own": "retire",
    }


def test_retired_shoes_are_left_out_and_never_warn():
    db = memory_db()
    shoe = add_shoe(db, "Old", start_distance_m=900_000)
    set_retired(db, shoe, NOW.date())
    assert shoe_wear(db, SETTINGS) == []
    assert [w.status(SETTINGS) for w in shoe_wear(db, SETTINGS, include_retired=True)] == [
        "retired"
    ]
    assert kinds(db) == []


def test_surface_mix_shares():
    db = memory_db()
    add_run(db, 6_000, surface="concrete")
    add_run(db, 3_000, surface="trail", days_ago=2)
    add_run(db, 3_000, surface="trail", days_ago=3)
    mix = surface_mix(db)
    assert [(s.surface, s.distance_m, s.runs, s.share) for s in mix] == [
        ("concrete", 6_000, 1, 0.5),
        ("trail", 6_000, 2, 0.5),
    ]


@pytest.mark.parametrize(
    ("concrete_m", "other_m", "fires"),
    [
        (8_000, 12_000, False),  # exactly 40% of 20 km: not over
        (8_001, 11_999, True),  # just over 40%
        (8_000, 11_000, False),  # 42% but only 19 km in the window
        (20_000, 0, True),
    ],
)
def test_concrete_share_threshold(concrete_m, other_m, fires):
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add_run(db, concrete_m, surface="concrete", shoe_id=shoe)
    if other_m:
        add_run(db, other_m, surface="grass", shoe_id=shoe, days_ago=2)
    found = run_checks(db, SETTINGS, NOW)
    assert [f.kind for f in found] == (["concrete_share"] if fires else [])
    if fires:
        assert found[0].threshold == 0.4
        assert found[0].value == round(concrete_m / (concrete_m + other_m), 4)
        assert is_problem(found)


def test_concrete_window_is_the_last_28_days():
    db = memory_db()
    shoe = add_shoe(db, "Any")
    add_run(db, 30_000, surface="concrete", shoe_id=shoe, days_ago=29)
    add_run(db, 20_000, surface="grass", shoe_id=shoe, days_ago=27)
    assert kinds(db) == []


def test_untagged_runs_is_info_only():
    db = memory_db()
    add_run(db, 5_000, days_ago=2)
    add_run(db, 5_000, days_ago=40)  # outside the window
    found = run_checks(db, SETTINGS, NOW)
    assert [(f.kind, f.severity, f.value) for f in found] == [("untagged_runs", "info", 1.0)]
    assert not is_problem(found)


def test_findings_sorted_alert_first_and_json_shape():
    db = memory_db()
    add_shoe(db, "Worn", start_distance_m=800_000)
    add_shoe(db, "Tired", start_distance_m=600_000)
    add_run(db, 25_000, surface="concrete")
    found = run_checks(db, SETTINGS, NOW)
    assert [f.severity for f in found] == ["alert", "warn", "warn", "info"]
    assert set(found[0].as_dict()) == {
        "kind",
        "severity",
        "subject",
        "message",
        "value",
        "threshold",
    }
    assert found[0].as_dict()["value"] == 800.0
