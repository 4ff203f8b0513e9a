"""The back coach's warnings in `runwear check`: strength work, warm-up, cool-down, cadence,
long-run spikes, and running on through pain.

Days are the runner's local days, windows end today (see `runwear.monitor.load`), and figures
are compared as shown, like the load checks: distances in km to 0.1, percentages to 0.1,
cadence to whole steps per minute, sessions a week to 0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING

from runwear.ingest.profile import PaceProfile, end_ratio, start_ratio
from runwear.monitor.coach_data import (
    RunForm,
    coach_runs,
    first_run_day,
    last_strength_day,
    strength_days,
)
from runwear.monitor.findings import ALERT, INFO, WARN, Finding
from runwear.monitor.load import Run, pct_change, span, today_of, window
from runwear.store.pain import PainEntry, pain_entries
from runwear.store.settings import Settings
from runwear.units import M_PER_KM, format_distance

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

STRENGTH_DAYS = 28  # strength_sessions looks at this many days ...
STRENGTH_WEEKS = STRENGTH_DAYS / 7
PROFILE_DAYS = 7  # warm_up and cool_down look at the runs of this many days ...
PROFILE_MIN_KM = 5.0  # ... over this distance
CADENCE_DAYS = 14  # cadence: the runs of this many days ...
CADENCE_BASE_DAYS = 84  # ... against the runner's own of the 12 weeks before
CADENCE_BASE_MIN_RUNS = 3  # ... when that many runs have a cadence
SIMILAR_PACE_SHARE = 0.10  # ... at a pace within 10% of the recent median
SPIKE_DAYS = 30  # long_run_spike: the longest run of the 30 days before
SPIKE_ALERT_PCT = 100.0  # ... alerting from twice as long
PAIN_BEFORE_DAYS = 7  # pain_continues: the daily distance of the week before the entry
# The checks look back at most this many days (a day more for the time zones).
COACH_DAYS = max(CADENCE_DAYS + CADENCE_BASE_DAYS, STRENGTH_DAYS, 7 + SPIKE_DAYS) + 1


def coach_warnings(db: Database, settings: Settings, as_of: datetime) -> list[Finding]:
    """Every back-coach warning at `as_of` (reading only the runs of the last COACH_DAYS)."""
    since = as_of - timedelta(days=COACH_DAYS)
    runs, forms = coach_runs(db, settings, as_of, since)
    first_day = first_run_day(db, settings, as_of)
    today = today_of(runs, settings, as_of)
    return [
        *strength_warnings(runs, _strength(db, settings, as_of, since), today, settings, first_day),
        *warm_up_warnings(runs, forms, today, settings),
        *cool_down_warnings(runs, forms, today, settings),
        *cadence_warnings(runs, forms, today, settings),
        *long_run_spike_warnings(runs, today, settings, first_day),
        *pain_warnings(runs, pain_entries(db, before=today + timedelta(days=1)), today, settings),
    ]


def _strength(db: Database, settings: Settings, as_of: datetime, since: datetime) -> list[date]:
    """The strength/core days from `since` (the only ones the check counts), or else the last
    one before, which tells the check that the runner's data holds strength work at all."""
    days = strength_days(db, settings, as_of, since)
    if days:
        return days
    before = last_strength_day(db, settings, since)
    return [before] if before else []


def strength_warnings(
    runs: Sequence[Run],
    sessions: Sequence[date],
    today: date,
    settings: Settings,
    first_day: date | None,
) -> list[Finding]:
    """strength_sessions (info): under min_strength_per_week strength/core sessions a week over
    the last 28 days, while running strength_min_runs_per_week+ times a week.

    Silent before 28 days of running, and until the runner's data holds a strength/core
    session at all (a runner whose gym work is not recorded would get it every day).
    """
    if first_day is None or not sessions or (today - first_day).days + 1 < STRENGTH_DAYS:
        return []
    last = window(runs, today, STRENGTH_DAYS)
    runs_a_week = round(last.runs / STRENGTH_WEEKS, 1)
    if runs_a_week < settings.strength_min_runs_per_week:
        return []
    done = sum(1 for day in sessions if last.first <= day <= last.last)
    a_week = round(done / STRENGTH_WEEKS, 1)
    wanted = settings.min_strength_per_week
    if a_week >= wanted:
        return []
    return [
        Finding(
            "strength_sessions",
            INFO,
            "28 days",
            f"{done} strength/core session{'s' if done != 1 else ''} in the last 28 days "
            f"({a_week:.1f} a week, fewer than {wanted:g}) while running {runs_a_week:.1f} times "
            f"a week: add {wanted:g} short sessions a week for core and glutes. Regular strength "
            "work cut overuse injuries by about half.",
            a_week,
            wanted,
        )
    ]


def warm_up_warnings(
    runs: Sequence[Run], forms: Mapping[int, RunForm], today: date, settings: Settings
) -> list[Finding]:
    """warm_up (info): at least half the last 7 days' runs over 5 km began at full pace: their
    first warmup_min minutes at full_pace_pct+ of the rest's speed (a warmup lap is a warm-up).
    """
    return _full_pace_warnings(
        "warm_up",
        runs,
        forms,
        today,
        settings,
        start_ratio,
        f"began at full pace (the first {settings.warmup_min} minutes",
        "walk or jog slowly for a few minutes before breaking into your usual stride.",
    )


def cool_down_warnings(
    runs: Sequence[Run], forms: Mapping[int, RunForm], today: date, settings: Settings
) -> list[Finding]:
    """cool_down (info): as warm_up, for the last cooldown_min minutes (a cooldown lap counts)."""
    return _full_pace_warnings(
        "cool_down",
        runs,
        forms,
        today,
        settings,
        end_ratio,
        f"ended at full pace (the last {settings.cooldown_min} minutes",
        "finish with a few minutes of light jogging.",
    )


def _full_pace_warnings(
    kind: str,
    runs: Sequence[Run],
    forms: Mapping[int, RunForm],
    today: date,
    settings: Settings,
    ratio_of: Callable[[PaceProfile, int], float | None],
    what: str,
    advice: str,
) -> list[Finding]:
    """A warm_up or cool_down finding when at least half the judged runs were at full pace;
    `value` is that share (%), `threshold` 50."""
    first = today - timedelta(days=PROFILE_DAYS - 1)
    full, judged = full_pace_runs(runs, forms, first, today, settings, ratio_of)
    if not judged or full * 2 < judged:
        return []
    return [
        Finding(
            kind,
            INFO,
            f"{PROFILE_DAYS} days",
            f"{full} of the last {PROFILE_DAYS} days' {judged} judged runs over "
            f"{PROFILE_MIN_KM:g} km {what} at {settings.full_pace_pct:g}% or more of the rest's "
            f"speed): {advice}",
            round(full / judged * 100, 1),
            50.0,
        )
    ]


def full_pace_runs(
    runs: Sequence[Run],
    forms: Mapping[int, RunForm],
    first: date,
    last: date,
    settings: Settings,
    ratio_of: Callable[[PaceProfile, int], float | None] = start_ratio,
) -> tuple[int, int]:
    """(runs at full pace, runs judged) among the runs over 5 km with a profile on the days
    `first`..`last`: at their start (`start_ratio`, warmup_min) or end (`end_ratio`)."""
    at_start = ratio_of is start_ratio
    minutes = settings.warmup_min if at_start else settings.cooldown_min
    full = judged = 0
    for run in runs:
        form = forms.get(run.id)
        if not first <= run.day <= last or round(run.distance_m / M_PER_KM, 1) <= PROFILE_MIN_KM:
            continue
        profile = form.profile if form else None
        if profile is None:
            continue
        if profile.warmup_lap if at_start else profile.cooldown_lap:
            judged += 1
            continue
        ratio = ratio_of(profile, minutes)
        if ratio is None:
            continue
        judged += 1
        full += round(ratio * 100, 1) >= settings.full_pace_pct
    return full, judged


def cadence_warnings(
    runs: Sequence[Run], forms: Mapping[int, RunForm], today: date, settings: Settings
) -> list[Finding]:
    """cadence (info): the last 14 days' median cadence below min_cadence_spm, or
    cadence_drop_pct+ below the runner's own median of the 12 weeks before at a similar pace.
    Runs of unknown cadence are left out."""
    first = today - timedelta(days=CADENCE_DAYS - 1)
    recent = [r for r in runs if first <= r.day <= today and _cadence(r, forms)]
    if not recent:
        return []
    spm = round(median(_cadence(r, forms) for r in recent))
    count = f"{len(recent)} run{'s' if len(recent) != 1 else ''}"
    if spm < settings.min_cadence_spm:
        return [
            Finding(
                "cadence",
                INFO,
                f"{CADENCE_DAYS} days",
                f"Median cadence {spm} steps/min over the last {CADENCE_DAYS} days ({count}; "
                f"below {settings.min_cadence_spm:g}): a low step rate often means overstriding, "
                "which brakes into the lower back. Try shorter, quicker steps (5-10% more).",
                float(spm),
                settings.min_cadence_spm,
            )
        ]
    own = _own_cadence(runs, forms, recent, first)
    if own is None:
        return []
    drop = -pct_change(spm, own)
    if drop < settings.cadence_drop_pct:
        return []
    return [
        Finding(
            "cadence",
            INFO,
            f"{CADENCE_DAYS} days",
            f"Median cadence {spm} steps/min over the last {CADENCE_DAYS} days ({count}) is "
            f"{drop:.1f}% below your own {own} of the 12 weeks before at a similar pace (at "
            f"least {settings.cadence_drop_pct:g}%): are you overstriding while tired? Try "
            "shorter, quicker steps.",
            drop,
            settings.cadence_drop_pct,
        )
    ]


def _cadence(run: Run, forms: Mapping[int, RunForm]) -> float | None:
    form = forms.get(run.id)
    return form.cadence_spm if form else None


def _pace(run: Run) -> float | None:
    return run.time_s / run.distance_m if run.time_s and run.distance_m else None


def _own_cadence(
    runs: Sequence[Run], forms: Mapping[int, RunForm], recent: Sequence[Run], first: date
) -> int | None:
    """The median cadence of the 12 weeks before `first` at a pace near the recent runs'."""
    paces = [p for p in map(_pace, recent) if p]
    if not paces:
        return None
    pace = median(paces)
    start = first - timedelta(days=CADENCE_BASE_DAYS)
    similar = [
        spm
        for r in runs
        if start <= r.day < first
        and (spm := _cadence(r, forms))
        and (p := _pace(r))
        and abs(p / pace - 1) <= SIMILAR_PACE_SHARE
    ]
    return round(median(similar)) if len(similar) >= CADENCE_BASE_MIN_RUNS else None


def long_run_spike_warnings(
    runs: Sequence[Run], today: date, settings: Settings, first_day: date | None
) -> list[Finding]:
    """long_run_spike: a run of the last 7 days of spike_min_km or more, over spike_pct longer
    than the longest of the 30 days before it (warn; alert from 100% longer), once 30 days of
    running lie before it."""
    if first_day is None:
        return []
    worst: tuple[float, Run] | None = None
    for run in runs:
        if run.day < today - timedelta(days=6):
            continue
        longer = spike_pct(runs, run, first_day, settings)
        if longer is not None and longer > settings.spike_pct and (not worst or longer > worst[0]):
            worst = (longer, run)
    if worst is None:
        return []
    longer, run = worst
    longest_m = window(runs, run.day - timedelta(days=1), SPIKE_DAYS).longest_m
    unit = settings.units
    severity, bar = (
        (ALERT, f"{SPIKE_ALERT_PCT:g}% or more")
        if longer >= SPIKE_ALERT_PCT
        else (WARN, f"over {settings.spike_pct:g}%")
    )
    return [
        Finding(
            "long_run_spike",
            severity,
            run.day.isoformat(),
            f"The {format_distance(run.distance_m, unit)} run on {run.day} was {longer:.1f}% "
            f"longer than your longest of the {SPIKE_DAYS} days before it "
            f"({format_distance(longest_m, unit)}; {bar}): make long runs longer by no more "
            f"than {settings.spike_pct:g}% at a time. Runs much longer than the month's longest "
            "were linked to injuries.",
            longer,
            SPIKE_ALERT_PCT if severity == ALERT else settings.spike_pct,
        )
    ]


def spike_pct(runs: Sequence[Run], run: Run, first_day: date, settings: Settings) -> float | None:
    """How much longer (%) `run` was than the longest of the 30 days before it in `runs` (None:
    under spike_min_km, within 30 days of `first_day`, the first day run, or no run in them)."""
    if (run.day - first_day).days < SPIKE_DAYS:
        return None
    if round(run.distance_m / M_PER_KM, 1) < settings.spike_min_km:
        return None
    longest_m = window(runs, run.day - timedelta(days=1), SPIKE_DAYS).longest_m
    if round(longest_m / M_PER_KM, 1) <= 0:
        return None
    return pct_change(run.distance_m, longest_m)


def pain_warnings(
    runs: Sequence[Run], entries: Sequence[PainEntry], today: date, settings: Settings
) -> list[Finding]:
    """pain_continues (warn): pain (level 1+) logged 1 to pain_days days ago, and the running
    since then averages at least the daily distance of the 7 days before the entry."""
    recent = [e for e in entries if e.level > 0 and 1 <= (today - e.day).days <= settings.pain_days]
    if not recent:
        return []
    entry = recent[-1]
    days_since = (today - entry.day).days
    since_m = span(runs, entry.day + timedelta(days=1), today).distance_m
    before_m = window(runs, entry.day - timedelta(days=1), PAIN_BEFORE_DAYS).distance_m
    since_km = round(since_m / days_since / M_PER_KM, 1)
    before_km = round(before_m / PAIN_BEFORE_DAYS / M_PER_KM, 1)
    if not before_km or since_km < before_km:
        return []
    unit = settings.units
    return [
        Finding(
            "pain_continues",
            WARN,
            entry.location,
            f"You logged {entry.location} pain {entry.level}/10 on {entry.day}; since then "
            f"{format_distance(since_km * M_PER_KM, unit)} a day vs "
            f"{format_distance(before_km * M_PER_KM, unit)} a day in the 7 days before it (no "
            "cutting back): stop at the first sign of a problem, and run less or not at all "
            "until it settles. See a doctor or physiotherapist if it lasts, is sharp, or "
            "spreads down a leg.",
            since_km,
            before_km,
        )
    ]
