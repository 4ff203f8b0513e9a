"""What came before pain: the figures of the 14 and 28 days before a pain entry against the
runner's usual, and which figures were out of range before pain more often than otherwise.

"Usual" is the middle 80% (10th to 90th percentile) of the runner's pain-free windows: the
windows of 14 or 28 days ending every 7 days back from today whose days, and the 7 days after
them, hold no pain entry of level 1+. A figure is out of range when it is past that range on
its risky side (above for load, below for strength work and cadence). These are patterns in
the runner's own data, never a diagnosis.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING

from runwear.monitor.coach_checks import SPIKE_DAYS, full_pace_runs, spike_pct
from runwear.monitor.coach_data import RunForm, coach_runs, strength_days
from runwear.monitor.load import Run, pct_change, today_of, window
from runwear.store.pain import PainEntry, pain_entries
from runwear.store.settings import Settings
from runwear.units import M_PER_KM

if TYPE_CHECKING:  # the reports read through store.readonly.LightDb too
    from sqlite_utils import Database

WINDOW_DAYS = (14, 28)
STEP_DAYS = 7  # pain-free windows end every 7 days back from today
AFTER_DAYS = 7  # ... and have no pain entry in the 7 days after them either
MIN_USUAL_WINDOWS = 4  # no usual range from fewer pain-free windows
LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9


@dataclass(frozen=True)
class Factor:
    """One figure `pain why` compares, and which side of the usual range is the risky one."""

    key: str
    label: str
    unit: str
    risky_high: bool = True


FACTORS = (
    Factor("weekly_km", "weekly distance", "km"),
    Factor("ramp_pct", "ramp (second half vs first)", "%"),
    Factor("acwr", "last 7 days vs average week", "x"),
    Factor("runs_per_week", "runs a week", ""),
    Factor("rest_days_per_week", "rest days a week", "", risky_high=False),
    Factor("concrete_pct", "on concrete", "%"),
    Factor("hard_pct", "on concrete or asphalt", "%"),
    Factor("climb_m_per_km", "climb", "m/km"),
    Factor("shoe_km", "main shoe's distance", "km"),
    Factor("spike_pct", "longest-run spike", "%"),
    Factor("full_pace_start_pct", "runs begun at full pace", "%"),
    Factor("strength_per_week", "strength/core sessions a week", "", risky_high=False),
    Factor("cadence_spm", "median cadence", "spm", risky_high=False),
)


@dataclass(frozen=True)
class History:
    """Everything `pain why` reads, loaded once."""

    runs: Sequence[Run]
    forms: dict[int, RunForm]
    strength: Sequence[date]
    pain: Sequence[PainEntry]
    settings: Settings
    today: date
    run_days: Sequence[date] = ()  # the day of each of `runs`, for bisecting
    # By shoe: the days it ran and its distance so far after each (start distance included).
    shoe_totals: dict[int, tuple[list[date], list[float]]] = field(default_factory=dict)

    def between(self, first: date, last: date) -> Sequence[Run]:
        """The runs on the days `first`..`last`."""
        lo, hi = bisect_left(self.run_days, first), bisect_right(self.run_days, last)
        return self.runs[lo:hi]


@dataclass(frozen=True)
class Usual:
    """A factor's usual range: the middle 80% of `windows` pain-free windows."""

    low: float
    high: float
    windows: int


@dataclass(frozen=True)
class Before:
    """One factor before a pain entry: its 14- and 28-day figures and their usual ranges."""

    factor: Factor
    figures: dict[int, float | None]  # by window days
    usual: dict[int, Usual | None]
    outside: bool  # out of range in the 14 or the 28 days


@dataclass(frozen=True)
class Rank:
    """How often a factor was out of range before pain, and in pain-free windows."""

    factor: Factor
    pain_out: int
    pain_judged: int
    free_out: int
    free_judged: int

    @property
    def lift(self) -> float:
        """The share out of range before pain minus the share in pain-free windows."""
        pain = self.pain_out / self.pain_judged if self.pain_judged else 0.0
        free = self.free_out / self.free_judged if self.free_judged else 0.0
        return pain - free


def load_history(db: Database, settings: Settings, as_of: datetime) -> History:
    """The runs, their form, strength sessions, shoes and pain entries before `as_of`."""
    runs, forms = coach_runs(db, settings, as_of)
    today = today_of(runs, settings, as_of)
    shoes = {row[0]: row[1] for row in db.execute("select id, start_distance_m from shoes")}
    return History(
        runs=runs,
        forms=forms,
        strength=strength_days(db, settings, as_of),
        pain=pain_entries(db, before=today + timedelta(days=1)),
        settings=settings,
        today=today,
        run_days=[r.day for r in runs],
        shoe_totals=_shoe_totals(runs, shoes),
    )


def figures(history: History, last: date, days: int) -> dict[str, float | None]:
    """Every factor's figure over the `days` local days ending on `last`, rounded as shown."""
    settings = history.settings
    first = last - timedelta(days=days - 1)
    # The runs of the window and of the 30 days before it (the spikes look that far back).
    runs = history.between(first - timedelta(days=SPIKE_DAYS), last)
    whole = window(runs, last, days)
    weeks = days / 7
    chosen = [r for r in runs if first <= r.day]
    half = days // 2
    later, earlier = window(chosen, last, half), window(chosen, last - timedelta(days=half), half)
    full, judged = full_pace_runs(chosen, history.forms, first, last, settings)
    forms = [f for r in chosen if (f := history.forms.get(r.id))]
    cadences = [f.cadence_spm for f in forms if f.cadence_spm]
    first_day = history.runs[0].day
    spikes = [p for r in chosen if (p := spike_pct(runs, r, first_day, settings)) is not None]
    per_week_m = whole.distance_m / weeks
    strength = bisect_right(history.strength, last) - bisect_left(history.strength, first)
    return {
        "weekly_km": round(per_week_m / M_PER_KM, 1),
        "ramp_pct": (
            pct_change(later.distance_m, earlier.distance_m)
            if earlier.distance_km >= settings.min_week_km * half / 7
            else None
        ),
        "acwr": (
            round(window(chosen, last, 7).distance_m / per_week_m, 2)
            if round(per_week_m / M_PER_KM, 1) >= settings.min_week_km
            else None
        ),
        "runs_per_week": round(whole.runs / weeks, 1),
        "rest_days_per_week": round(whole.rest_days / weeks, 1),
        "concrete_pct": _pct(sum(f.concrete_m for f in forms), whole.distance_m),
        "hard_pct": _pct(whole.hard_m, whole.distance_m),
        "climb_m_per_km": _round(whole.ascent_m_per_km, 1),
        "shoe_km": _shoe_km(history, chosen, last),
        "spike_pct": max(spikes) if spikes else None,
        "full_pace_start_pct": _pct(full, judged),
        "strength_per_week": round(strength / weeks, 1),
        "cadence_spm": float(round(median(cadences))) if cadences else None,
    }


def pain_free_ends(history: History, days: int, before: date | None = None) -> list[date]:
    """The last days of the pain-free windows of `days` days (ending before `before`)."""
    if not history.runs:
        return []
    first_day = history.runs[0].day
    hurt = [e.day for e in history.pain if e.level > 0]
    ends = []
    end = history.today
    while end - timedelta(days=days - 1) >= first_day:
        start, after = end - timedelta(days=days - 1), end + timedelta(days=AFTER_DAYS)
        if (before is None or end < before) and not any(start <= d <= after for d in hurt):
            ends.append(end)
        end -= timedelta(days=STEP_DAYS)
    return ends[::-1]


def usual_ranges(
    history: History, days: int, before: date | None = None
) -> dict[str, Usual | None]:
    """Each factor's usual range over the pain-free windows of `days` days (None: too few)."""
    by_key: dict[str, list[float]] = defaultdict(list)
    for end in pain_free_ends(history, days, before):
        for key, value in figures(history, end, days).items():
            if value is not None:
                by_key[key].append(value)
    return {f.key: _range(by_key.get(f.key, [])) for f in FACTORS}


def is_outside(factor: Factor, value: float | None, usual: Usual | None) -> bool:
    """True when `value` is past the usual range on the factor's risky side."""
    if value is None or usual is None:
        return False
    return value > usual.high if factor.risky_high else value < usual.low


def before_pain(history: History, entry: PainEntry) -> list[Before]:
    """Every factor over the 14 and 28 days before `entry` against the usual before it."""
    last = entry.day - timedelta(days=1)
    found = {d: figures(history, last, d) for d in WINDOW_DAYS}
    usual = {d: usual_ranges(history, d, before=entry.day) for d in WINDOW_DAYS}
    return [
        Before(
            factor=f,
            figures={d: found[d][f.key] for d in WINDOW_DAYS},
            usual={d: usual[d][f.key] for d in WINDOW_DAYS},
            outside=any(is_outside(f, found[d][f.key], usual[d][f.key]) for d in WINDOW_DAYS),
        )
        for f in FACTORS
    ]


def rank_factors(history: History, days: int = 28) -> list[Rank]:
    """Factors by how much more often they were out of range in the `days` before pain than
    in pain-free windows (usual ranges from the whole history), most first."""
    usual = usual_ranges(history, days)
    free = [figures(history, end, days) for end in pain_free_ends(history, days)]
    entries = [e for e in history.pain if e.level > 0]
    before = [figures(history, e.day - timedelta(days=1), days) for e in entries]
    ranks = []
    for f in FACTORS:
        band = usual[f.key]
        ranks.append(
            Rank(
                factor=f,
                pain_out=sum(is_outside(f, fig[f.key], band) for fig in before),
                pain_judged=sum(fig[f.key] is not None for fig in before) if band else 0,
                free_out=sum(is_outside(f, fig[f.key], band) for fig in free),
                free_judged=sum(fig[f.key] is not None for fig in free) if band else 0,
            )
        )
    return sorted(ranks, key=lambda r: (-r.lift, -r.pain_out, r.factor.key))


def _range(values: Sequence[float]) -> Usual | None:
    """The 10th to 90th percentile (nearest rank) of `values`; None for too few."""
    if len(values) < MIN_USUAL_WINDOWS:
        return None
    ordered = sorted(values)
    top = len(ordered) - 1
    return Usual(
        ordered[math.floor(LOW_QUANTILE * top)],
        ordered[math.ceil(HIGH_QUANTILE * top)],
        len(values),
    )


def _shoe_km(history: History, chosen: Sequence[Run], last: date) -> float | None:
    """The km on the shoe that ran most of `chosen`, as of `last` (None: no shoe tagged)."""
    by_shoe: dict[int, float] = defaultdict(float)
    for run in chosen:
        if run.shoe_id is not None:
            by_shoe[run.shoe_id] += run.distance_m
    if not by_shoe:
        return None
    days, totals = history.shoe_totals[max(by_shoe, key=lambda s: by_shoe[s])]
    return round(totals[bisect_right(days, last) - 1] / M_PER_KM, 1)


def _shoe_totals(
    runs: Sequence[Run], start_m: dict[int, float]
) -> dict[int, tuple[list[date], list[float]]]:
    """Each shoe's running total after each of its runs, from its start distance."""
    totals: dict[int, tuple[list[date], list[float]]] = {}
    for run in runs:
        if run.shoe_id is None:
            continue
        days, sums = totals.setdefault(run.shoe_id, ([], []))
        days.append(run.day)
        sums.append((sums[-1] if sums else start_m.get(run.shoe_id, 0.0)) + run.distance_m)
    return totals


def _pct(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 1) if whole else None


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None
