"""The load warnings of `runwear check`: how the running is loaded, and when to buy the next pair.

Windows are local calendar days ending today (see `runwear.monitor.load`): "the last 7 days"
are today and the 6 days before it. Figures are compared as they are shown: distances in km
to 0.1, percentages to 0.1, ratios to 0.01, climb to 0.1 m/km, so a message never says
"+10.0%, over 10%". A week under `min_week_km` is no base to compare against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from runwear.monitor.findings import ALERT, INFO, WARN, Finding
from runwear.monitor.load import (
    FULL_HISTORY_WEEKS,
    SHOE_RATE_WEEKS,
    Run,
    Span,
    format_pace,
    history_days,
    pct_change,
    recent_runs,
    shoe_forecasts,
    span,
    stretch,
    window,
)
from runwear.store.settings import Settings
from runwear.units import M_PER_KM, format_distance

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

ROTATION_WEEKS = 8  # single_shoe looks at this many weeks


def load_warnings(db: Database, settings: Settings, as_of: datetime) -> list[Finding]:
    """Every load warning at `as_of`: ramp, frequency, rest, speed, hills, comeback, shoes.

    Reads the runs of the days the checks look at (`load_days`), not the whole history."""
    runs, today = recent_runs(db, settings, as_of, load_days(settings))
    return [
        *ramp_warnings(runs, today, settings),
        *frequency_warnings(runs, today, settings),
        *rest_warnings(runs, today, settings),
        *speed_and_distance_warnings(runs, today, settings),
        *hill_warnings(runs, today, settings),
        *comeback_warnings(runs, today, settings),
        *single_shoe_warnings(db, runs, today, settings),
        *forecast_warnings(db, settings, as_of),
    ]


def load_days(settings: Settings) -> int:
    """How many local days back the load checks look: the 8 weeks of single_shoe, the 28 of
    the ramps, and the comeback's first `min_history_weeks` and the week before them. (A
    stretch started before them is as good as any older one: weekly_ramp speaks, comeback
    is silent.)"""
    return max(ROTATION_WEEKS * 7, FULL_HISTORY_WEEKS * 7, settings.min_history_weeks * 7 + 7) + 1


def ramp_warnings(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """weekly_ramp: 7 days over the 7 before (warn), acute:chronic (warn), 14 over 14 (alert).

    Silent until `min_history_weeks` of running since the last break; the acute:chronic and
    two-week comparisons also wait for the 4 weeks they compare.
    """
    history = history_days(runs, today, settings.comeback_gap_days)
    if history < settings.min_history_weeks * 7:
        return []
    found = []
    last, before = window(runs, today, 7), window(runs, today - timedelta(days=7), 7)
    if before.distance_km >= settings.min_week_km:
        change = pct_change(last.distance_m, before.distance_m)
        if change > settings.ramp_pct:
            found.append(
                Finding(
                    "weekly_ramp",
                    WARN,
                    "7 days",
                    f"Last 7 days {_km(last, settings)} vs {_km(before, settings)} the 7 before "
                    f"(+{change:.1f}%, over {settings.ramp_pct:g}%): hold distance next week; "
                    f"add no more than {settings.ramp_pct:g}% a week.",
                    change,
                    settings.ramp_pct,
                )
            )
    if history >= FULL_HISTORY_WEEKS * 7:
        found += _two_week_ramp(runs, today, settings)
        found += _acute_chronic(runs, today, last, settings)
    return found


def _two_week_ramp(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """The last 14 days over the 14 before by more than two_week_ramp_pct (alert)."""
    last, before = window(runs, today, 14), window(runs, today - timedelta(days=14), 14)
    if before.distance_km < 2 * settings.min_week_km:
        return []
    change = pct_change(last.distance_m, before.distance_m)
    if change <= settings.two_week_ramp_pct:
        return []
    return [
        Finding(
            "weekly_ramp",
            ALERT,
            "14 days",
            f"Last 14 days {_km(last, settings)} vs {_km(before, settings)} the 14 before "
            f"(+{change:.1f}%, over {settings.two_week_ramp_pct:g}%): cut back next week. "
            "A rise of over 30% in two weeks was linked to running injuries.",
            change,
            settings.two_week_ramp_pct,
        )
    ]


def _acute_chronic(
    runs: Sequence[Run], today: date, last: Span, settings: Settings
) -> list[Finding]:
    """The last 7 days over the average week of the last 28 above acwr_max (warn)."""
    chronic_m = window(runs, today, 28).distance_m / 4
    if round(chronic_m / M_PER_KM, 1) < settings.min_week_km:
        return []
    ratio = round(last.distance_m / chronic_m, 2)
    if ratio <= settings.acwr_max:
        return []
    return [
        Finding(
            "weekly_ramp",
            WARN,
            "acute:chronic",
            f"Last 7 days {_km(last, settings)} is {ratio:.2f}x your average week of the last "
            f"28 days ({format_distance(chronic_m, settings.units)}; over "
            f"{settings.acwr_max:g}x): make next week an easy one before adding more.",
            ratio,
            settings.acwr_max,
        )
    ]


def frequency_warnings(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """run_frequency (warn): more than max_runs_per_week runs in the last 7 days."""
    last = window(runs, today, 7)
    if last.runs <= settings.max_runs_per_week:
        return []
    most = settings.max_runs_per_week
    return [
        Finding(
            "run_frequency",
            WARN,
            "7 days",
            f"{last.runs} runs in the last 7 days (more than {most}): keep to {most} a week "
            "and rest or cross-train on the other days.",
            float(last.runs),
            float(most),
        )
    ]


def rest_warnings(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """no_rest_day (warn): fewer than min_rest_days_per_week days without a run in the last 7."""
    last = window(runs, today, 7)
    wanted = settings.min_rest_days_per_week
    if last.rest_days >= wanted:
        return []
    days = f"{last.first.isoformat()} to {last.last.isoformat()}"
    said = (
        f"No rest day in the last 7 days ({days}: a run every day"
        if last.rest_days == 0
        else f"{last.rest_days} rest day{'s' if last.rest_days != 1 else ''} in the last 7 days "
        f"({days}"
    )
    return [
        Finding(
            "no_rest_day",
            WARN,
            "7 days",
            f"{said}; at least {wanted} wanted): take a rest day next. The back recovers "
            "between runs, not during them.",
            float(last.rest_days),
            float(wanted),
        )
    ]


def speed_and_distance_warnings(
    runs: Sequence[Run], today: date, settings: Settings
) -> list[Finding]:
    """speed_and_distance (warn): pace speed_pct faster and distance distance_pct higher at once."""
    last, before = window(runs, today, 7), window(runs, today - timedelta(days=7), 7)
    if before.distance_km < settings.min_week_km:
        return []
    pace, pace_before = last.pace_s_per_km, before.pace_s_per_km
    if pace is None or pace_before is None:
        return []
    faster = round((pace_before - pace) / pace_before * 100, 1)
    more = pct_change(last.distance_m, before.distance_m)
    if faster < settings.speed_pct or more < settings.distance_pct:
        return []
    unit = settings.units
    return [
        Finding(
            "speed_and_distance",
            WARN,
            "7 days",
            f"Last 7 days {format_pace(pace, unit)} vs {format_pace(pace_before, unit)} the 7 "
            f"before ({faster:.1f}% faster, at least {settings.speed_pct:g}%) and "
            f"{_km(last, settings)} vs {_km(before, settings)} (+{more:.1f}%, at least "
            f"{settings.distance_pct:g}%): raise one at a time; hold distance while speed rises.",
            faster,
            settings.speed_pct,
        )
    ]


def hill_warnings(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """hills (info): climb per km in the last 7 days over hills_factor x the last 28 days' and
    above hills_min_m_per_km. `value` is the 7 days' m/km, `threshold` the bar it crossed."""
    last, month = window(runs, today, 7), window(runs, today, 28)
    if last.distance_km < settings.min_week_km or not month.ascent_m:
        return []
    this = round(last.ascent_m / last.distance_m * M_PER_KM, 1)
    usual = month.ascent_m / month.distance_m * M_PER_KM
    ratio = round(this / usual, 2)
    if ratio <= settings.hills_factor or this <= settings.hills_min_m_per_km:
        return []
    unknown = month.ascent_unknown_runs
    note = (
        f" Climb unknown for {unknown} run{'s' if unknown != 1 else ''}, counted as 0."
        if unknown
        else ""
    )
    return [
        Finding(
            "hills",
            INFO,
            "7 days",
            f"Last 7 days {this:.1f} m of climb per km vs {usual:.1f} m/km over the last 28 days "
            f"({ratio:.2f}x; over {settings.hills_factor:g}x and above "
            f"{settings.hills_min_m_per_km:g} m/km): hills load the lower back; keep the "
            f"climbing to one run a week while it is new.{note}",
            this,
            round(max(settings.hills_factor * usual, settings.hills_min_m_per_km), 1),
        )
    ]


def comeback_warnings(runs: Sequence[Run], today: date, settings: Settings) -> list[Finding]:
    """comeback (warn): after a break, a first week above comeback_km or a week rising > ramp_pct.

    Weeks count from the first run after the break; weekly_ramp takes over after
    min_history_weeks. A week after one under min_week_km is held to comeback_km too.
    """
    current = stretch(runs, settings.comeback_gap_days)
    if current is None or current.break_days is None:
        return []
    since_days = (today - current.start).days
    if since_days + 1 >= settings.min_history_weeks * 7:
        return []
    number = since_days // 7
    first = current.start + timedelta(weeks=number)
    week = span(runs, first, today)
    before = span(runs, first - timedelta(days=7), first - timedelta(days=1))
    unit = settings.units
    back = f"after {current.break_days} days without running"
    if number == 0 or before.distance_km < settings.min_week_km:
        if week.distance_km <= settings.comeback_km:
            return []
        cap = format_distance(settings.comeback_km * M_PER_KM, unit)
        which = "First week back" if number == 0 else f"Week {number + 1} back"
        return [
            Finding(
                "comeback",
                WARN,
                f"week {number + 1} back",
                f"{which} {back}: {_km(week, settings)} (above {cap}): keep a week back under "
                f"{cap}, then add no more than {settings.ramp_pct:g}% a week.",
                week.distance_km,
                settings.comeback_km,
            )
        ]
    change = pct_change(week.distance_m, before.distance_m)
    if change <= settings.ramp_pct:
        return []
    return [
        Finding(
            "comeback",
            WARN,
            f"week {number + 1} back",
            f"Week {number + 1} back {back}: {_km(week, settings)} vs {_km(before, settings)} "
            f"the week before (+{change:.1f}%, over {settings.ramp_pct:g}%): hold distance next "
            "week; come back by no more than that a week.",
            change,
            settings.ramp_pct,
        )
    ]


def single_shoe_warnings(
    db: Database, runs: Sequence[Run], today: date, settings: Settings
) -> list[Finding]:
    """single_shoe (info): one pair over single_shoe_pct of 8 weeks' distance, running often."""
    weeks = window(runs, today, ROTATION_WEEKS * 7)
    if not weeks.distance_m or weeks.runs < settings.single_shoe_min_runs_per_week * ROTATION_WEEKS:
        return []
    by_shoe: dict[int, float] = defaultdict(float)
    for run in runs:
        if run.shoe_id is not None and weeks.first <= run.day <= weeks.last:
            by_shoe[run.shoe_id] += run.distance_m
    if not by_shoe:
        return []
    shoe_id, shoe_m = max(by_shoe.items(), key=lambda item: item[1])
    share = round(shoe_m / weeks.distance_m * 100, 1)
    if share <= settings.single_shoe_pct:
        return []
    name = db.execute("select name from shoes where id = ?", [shoe_id]).fetchone()[0]
    return [
        Finding(
            "single_shoe",
            INFO,
            name,
            f"{name} carried {share:.1f}% of your last {ROTATION_WEEKS} weeks' "
            f"{_km(weeks, settings)} ({weeks.runs} runs, {weeks.runs / ROTATION_WEEKS:.1f} a "
            f"week; over {settings.single_shoe_pct:g}%): rotate a second pair. Runners who "
            "rotated shoes had fewer injuries.",
            share,
            settings.single_shoe_pct,
        )
    ]


def forecast_warnings(db: Database, settings: Settings, as_of: datetime) -> list[Finding]:
    """shoe_forecast (info): an active shoe reaches its limit within forecast_weeks."""
    found = []
    horizon_days = settings.forecast_weeks * 7
    unit = settings.units
    for shoe in shoe_forecasts(db, settings, as_of):
        if shoe.days_left is None or not 0 < shoe.days_left <= horizon_days:
            continue
        found.append(
            Finding(
                "shoe_forecast",
                INFO,
                shoe.name,
                f"{shoe.name} reaches its {format_distance(shoe.limit_m, unit, 0)} limit around "
                f"{shoe.limit_on}: in {shoe.days_left} days at its last {SHOE_RATE_WEEKS} weeks' "
                f"{format_distance(shoe.rate_m_per_week, unit)} a week (within "
                f"{settings.forecast_weeks} weeks). Buy the next pair before then and run it in "
                "alongside.",
                float(shoe.days_left),
                float(horizon_days),
            )
        )
    return found


def _km(figures: Span, settings: Settings) -> str:
    """A span's distance in the display unit, as compared (to 0.1 km)."""
    return format_distance(figures.distance_km * M_PER_KM, settings.units)
