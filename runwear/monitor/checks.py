"""The warnings of `runwear check`: worn shoes, too much concrete or hard ground, unknown
surfaces, untagged runs.

The load warnings (ramp, frequency, rest, speed, hills, comeback, rotation, forecast) are in
`runwear.monitor.load_checks`; both build `Finding` values (`runwear.monitor.findings`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from runwear.monitor.coach_checks import coach_warnings
from runwear.monitor.findings import ALERT, INFO, SEVERITY_ORDER, WARN, Finding
from runwear.monitor.load_checks import load_warnings
from runwear.monitor.mileage import NEARING, RETIRE, shoe_ages, shoe_wear
from runwear.monitor.surfaces import fixable_unknown_m, surface_mix
from runwear.store.activities import iso_utc
from runwear.store.settings import Settings
from runwear.units import format_distance
from runwear.vocab import HARD_SURFACES

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database


def run_checks(db: Database, settings: Settings, as_of: datetime | None = None) -> list[Finding]:
    """Every warning that holds at `as_of` (default now), most serious first."""
    as_of = as_of or datetime.now(timezone.utc)
    since = as_of - timedelta(days=settings.window_days)
    found = [
        *shoe_warnings(db, settings, as_of),
        *shoe_age_warnings(db, settings, as_of),
        *concrete_warnings(db, settings, since, as_of),
        *surface_notes(db, settings, since, as_of),
        *untagged_warnings(db, settings, since, as_of),
        *load_warnings(db, settings, as_of),
        *coach_warnings(db, settings, as_of),
    ]
    return sorted(found, key=lambda w: SEVERITY_ORDER[w.severity])


def shoe_warnings(db: Database, settings: Settings, as_of: datetime | None = None) -> list[Finding]:
    """shoe_retire (alert) at or over the limit; shoe_nearing (warn) from nearing_pct of it;
    judged by each shoe's distance at `as_of` (default now)."""
    found = []
    unit = settings.units
    for shoe in shoe_wear(db, settings, as_of=as_of):
        status = shoe.status(settings)
        limit = format_distance(shoe.limit_m, unit, 0)
        used = f"{format_distance(shoe.distance_m, unit)} of its {limit}"
        if status == RETIRE:
            found.append(
                Finding(
                    "shoe_retire",
                    ALERT,
                    shoe.name,
                    f"{shoe.name} has run {used} limit ({shoe.used_share:.0%}): retire it. "
                    "Worn midsoles stop absorbing impact, and the lower back takes it.",
                    round(shoe.distance_m / 1000, 2),
                    round(shoe.limit_m / 1000, 2),
                )
            )
        elif status == NEARING:
            found.append(
                Finding(
                    "shoe_nearing",
                    WARN,
                    shoe.name,
                    f"{shoe.name} has run {used} limit ({shoe.used_share:.0%}, warning from "
                    f"{settings.nearing_pct:g}%): buy the next pair now and rotate them in.",
                    round(shoe.distance_m / 1000, 2),
                    round(shoe.limit_m * settings.nearing_pct / 100 / 1000, 2),
                )
            )
    return found


def shoe_age_warnings(
    db: Database, settings: Settings, as_of: datetime | None = None
) -> list[Finding]:
    """shoe_age (warn): an active pair older than its max age (or `shoe_max_age_months`),
    counted from its purchase date, else its first run. Foam ages even when little is run."""
    as_of = as_of or datetime.now(timezone.utc)
    found = []
    for age in shoe_ages(db, as_of):
        limit = age.max_age_months or settings.shoe_max_age_months
        if limit is None or age.months < limit:
            continue
        found.append(
            Finding(
                "shoe_age",
                WARN,
                age.name,
                f"{age.name} is {age.months} months old (since {age.since}; warning from "
                f"{limit}): its foam has aged even if the distance is low, so replace it soon.",
                float(age.months),
                float(limit),
            )
        )
    return found


def concrete_warnings(
    db: Database, settings: Settings, since: datetime, until: datetime
) -> list[Finding]:
    """concrete_share (warn): concrete over its share of a window holding enough distance."""
    mix = surface_mix(db, since, until)
    total_m = sum(s.distance_m for s in mix)
    if total_m < settings.concrete_min_km * 1000:
        return []
    concrete_m = sum(s.distance_m for s in mix if s.surface == "concrete")
    share = concrete_m / total_m
    threshold = settings.concrete_share_pct / 100
    if share <= threshold:
        return []
    return [
        Finding(
            "concrete_share",
            WARN,
            "concrete",
            f"{share:.0%} of your last {settings.window_days} days' "
            f"{format_distance(total_m, settings.units)} was on concrete (over "
            f"{settings.concrete_share_pct:g}%): move easy runs to a track, trail, grass "
            "or at least asphalt.",
            round(share, 4),
            threshold,
        )
    ]


def surface_notes(
    db: Database, settings: Settings, since: datetime, until: datetime
) -> list[Finding]:
    """hard_share (info): concrete + asphalt over hard_share_pct of a window holding
    concrete_min_km, unless concrete_share warns already (its advice covers it);
    surface_unknown (info): the surface unknown for over unknown_share_pct of the window's
    distance, not counting runs tagged unknown by hand or by a rule (places cannot help them).
    """
    mix = surface_mix(db, since, until)
    total_m = sum(s.distance_m for s in mix)
    if total_m <= 0:
        return []
    found = []
    unit = settings.units
    days = settings.window_days
    hard_m = sum(s.distance_m for s in mix if s.surface in HARD_SURFACES)
    concrete_m = sum(s.distance_m for s in mix if s.surface == "concrete")
    hard, hard_limit = hard_m / total_m, settings.hard_share_pct / 100
    concrete_warns = concrete_m / total_m > settings.concrete_share_pct / 100
    if total_m >= settings.concrete_min_km * 1000 and hard > hard_limit and not concrete_warns:
        found.append(
            Finding(
                "hard_share",
                INFO,
                "hard surfaces",
                f"{hard:.0%} of your last {days} days' {format_distance(total_m, unit)} was on "
                f"concrete or asphalt (over {settings.hard_share_pct:g}%): put some easy runs "
                "on a track, trail, grass or gravel.",
                round(hard, 4),
                hard_limit,
            )
        )
    unknown = fixable_unknown_m(db, since, until) / total_m
    unknown_limit = settings.unknown_share_pct / 100
    if unknown > unknown_limit:
        found.append(
            Finding(
                "surface_unknown",
                INFO,
                "surfaces",
                f"The surface of {unknown:.0%} of your last {days} days' "
                f"{format_distance(total_m, unit)} is unknown (over "
                f"{settings.unknown_share_pct:g}%), so the surface checks see only part of it: "
                "add the places you run (`runwear place add`), load OpenStreetMap data for "
                "your area (`runwear osm load`), or give your shoes a usual surface "
                "(`runwear shoe edit NAME --surface S`).",
                round(unknown, 4),
                unknown_limit,
            )
        )
    return found


def untagged_warnings(
    db: Database, settings: Settings, since: datetime, until: datetime
) -> list[Finding]:
    """untagged_runs (info): runs in the window with no shoe, so no shoe counts them."""
    row = db.execute(
        "select count(*), min(id) from activities where sport = 'running' and shoe_id is null "
        "and started_at >= ? and started_at < ?",
        [iso_utc(since), iso_utc(until)],
    ).fetchone()
    count = row[0]
    if not count:
        return []
    plural = "run has" if count == 1 else "runs have"
    return [
        Finding(
            "untagged_runs",
            INFO,
            "runs",
            f"{count} {plural} no shoe in the last {settings.window_days} days, so no shoe counts "
            "them: tag them with `runwear tag ID... --shoe NAME` (see `runwear activities`).",
            float(count),
            0.0,
        )
    ]
