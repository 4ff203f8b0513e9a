"""User settings kept in the database, with their defaults and validation."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # sqlite_utils loads only where a command writes
    from sqlite_utils import Database

    from runwear.store.readonly import ReadDb


LOCAL_ZONE = "local"  # the `timezone` value meaning the machine's own zone


class Settings(NamedTuple):
    """Thresholds and preferences; every field is a `runwear config` key."""

    shoe_limit_km: float = 700.0  # default retirement distance for shoes without their own
    nearing_pct: float = 85.0  # a shoe is "nearing" from this share of its limit
    concrete_share_pct: float = 40.0  # concrete share of the window that warns
    concrete_min_km: float = 20.0  # no concrete (or hard) note before the window holds this much
    hard_share_pct: float = 80.0  # concrete + asphalt share of the window that gets a note
    unknown_share_pct: float = 50.0  # unknown-surface share of the window that gets a note
    window_days: int = 28  # the window `check` and `surfaces --since` look at
    units: str = "km"  # km or mi, for tables
    timezone: str = LOCAL_ZONE  # IANA zone for runs whose file gives no UTC offset
    ramp_pct: float = 10.0  # last 7 days over the 7 before by more than this warns
    acwr_max: float = 1.3  # last 7 days over the average week of the last 28 above this warns
    two_week_ramp_pct: float = 30.0  # last 14 days over the 14 before by more than this alerts
    min_history_weeks: int = 3  # no ramp warning before this many weeks of running
    min_week_km: float = 5.0  # weeks under this are no base to compare against
    max_runs_per_week: int = 4  # more runs than this in the last 7 days warns
    min_rest_days_per_week: int = 1  # fewer days without a run in the last 7 warns
    speed_pct: float = 5.0  # pace this much faster ...
    distance_pct: float = 10.0  # ... with distance this much higher, in one week, warns
    hills_factor: float = 1.5  # climb per km over this multiple of the 28-day figure ...
    hills_min_m_per_km: float = 15.0  # ... and above this many metres per km: info
    comeback_gap_days: int = 14  # this many days without running is a break
    comeback_km: float = 16.0  # the first week back above this warns
    single_shoe_pct: float = 90.0  # one pair over this share of 8 weeks' distance: info
    single_shoe_min_runs_per_week: int = 3  # ... when running at least this often
    forecast_weeks: int = 6  # tell the date a shoe reaches its limit from this many weeks ahead
    min_run_m: float = 200.0  # runs shorter than this are not stored (a watch started by mistake)
    shoe_max_age_months: int | None = None  # warn when a pair is older than this (None: never)
    min_strength_per_week: float = 2.0  # fewer strength/core sessions a week (28 days): info
    strength_min_runs_per_week: int = 3  # ... while running at least this often
    warmup_min: int = 5  # the first minutes of a run that should be easier (1 to 20)
    cooldown_min: int = 5  # the last minutes of a run that should be easier (1 to 20)
    full_pace_pct: float = 95.0  # minutes at or above this % of the rest's speed: full pace
    min_cadence_spm: float = 160.0  # median steps per minute of 14 days' runs below this: info
    cadence_drop_pct: float = 5.0  # ... or this % below your own at a similar pace
    spike_pct: float = 10.0  # a run this % longer than the longest of the 30 days before warns
    spike_min_km: float = 10.0  # ... judging runs of at least this distance (0: every run)
    pain_days: int = 3  # a pain entry this recent, with no cutting back since, warns


HELP: dict[str, str] = {
    "shoe_limit_km": "retirement distance for shoes without their own limit (km)",
    "nearing_pct": "a shoe is 'nearing' from this percentage of its limit",
    "concrete_share_pct": "warn when concrete is over this percentage of the window",
    "concrete_min_km": "no concrete warning until the window holds this many km",
    "hard_share_pct": "note when concrete + asphalt are over this percentage of the window",
    "unknown_share_pct": "note when the surface is unknown for over this percentage of it",
    "window_days": "days the checks look back over",
    "units": "units for tables: km or mi (JSON and CSV stay metric)",
    "timezone": "time zone for runs whose file has no UTC offset: IANA name or local",
    "ramp_pct": "warn when the last 7 days' distance is over the 7 before by more than this %",
    "acwr_max": "warn when the last 7 days are over this multiple of the 28-day average week",
    "two_week_ramp_pct": "alert when the last 14 days are over the 14 before by more than this %",
    "min_history_weeks": "no ramp warnings until you have run this many weeks (after a break)",
    "min_week_km": "weeks under this many km are not compared against (km)",
    "max_runs_per_week": "warn at more runs than this in the last 7 days",
    "min_rest_days_per_week": "warn at fewer days without a run than this in the last 7",
    "speed_pct": "warn when pace is this % faster in the same week as distance_pct more",
    "distance_pct": "warn when distance is this % higher in the same week as speed_pct faster",
    "hills_factor": "note when climb per km is over this multiple of the 28-day figure ...",
    "hills_min_m_per_km": "... and above this many metres of climb per km",
    "comeback_gap_days": "this many days without running is a break (comeback check)",
    "comeback_km": "warn when the first week after a break is above this (km)",
    "single_shoe_pct": "note when one pair carried over this % of the last 8 weeks' distance",
    "single_shoe_min_runs_per_week": "... while running at least this many times a week",
    "forecast_weeks": "tell the date a shoe reaches its limit from this many weeks ahead",
    "min_run_m": "runs shorter than this many metres are not stored (started by mistake)",
    "shoe_max_age_months": "warn when a pair is older than this many months (none: never)",
    "min_strength_per_week": "note at fewer strength/core sessions a week than this (28 days)",
    "strength_min_runs_per_week": "... while running at least this many times a week",
    "warmup_min": "minutes at a run's start that should be easier than the rest (1 to 20)",
    "cooldown_min": "minutes at a run's end that should be easier than the rest (1 to 20)",
    "full_pace_pct": "minutes at or above this % of the rest of the run's speed are full pace",
    "min_cadence_spm": "note when the last 14 days' median cadence is below this (steps/min)",
    "cadence_drop_pct": "... or this % below your own of the 12 weeks before at a similar pace",
    "spike_pct": "warn at a run this % longer than the longest of the 30 days before it",
    "spike_min_km": "... judging only runs of at least this many km (0: every run)",
    "pain_days": "warn when a pain entry this many days old has not been followed by less running",
}


# The sane range of every number setting (low, high): a value outside it would switch a check
# off by accident or print nonsense (0 km limits, inf, 1e-300).
RANGES: dict[str, tuple[float, float]] = {
    "shoe_limit_km": (50, 5000),
    "nearing_pct": (50, 99),
    "concrete_share_pct": (5, 100),
    "concrete_min_km": (1, 1000),
    "hard_share_pct": (5, 100),
    "unknown_share_pct": (5, 100),
    "window_days": (7, 366),
    "ramp_pct": (1, 100),
    "acwr_max": (1, 3),
    "two_week_ramp_pct": (1, 200),
    "min_history_weeks": (1, 52),
    "min_week_km": (1, 200),
    "max_runs_per_week": (1, 21),
    "min_rest_days_per_week": (0, 7),
    "speed_pct": (1, 50),
    "distance_pct": (1, 100),
    "hills_factor": (1, 10),
    "hills_min_m_per_km": (0, 200),
    "comeback_gap_days": (3, 366),
    "comeback_km": (1, 500),
    "single_shoe_pct": (50, 100),
    "single_shoe_min_runs_per_week": (1, 14),
    "forecast_weeks": (1, 52),
    "min_run_m": (0, 5000),
    "min_strength_per_week": (0, 14),
    "strength_min_runs_per_week": (0, 7),
    "warmup_min": (1, 20),
    "cooldown_min": (1, 20),
    "full_pace_pct": (50, 100),
    "min_cadence_spm": (100, 220),
    "cadence_drop_pct": (1, 50),
    "spike_pct": (1, 300),
    "spike_min_km": (0, 100),
    "pain_days": (1, 30),
    "shoe_max_age_months": (1, 120),
}
_SUFFIXES = {
    "pct": "%",
    "days": "d",
    "weeks": "w",
    "months": "mo",
    "acwr": "x",
    "factor": "x",
    "warmup_min": "m",
    "cooldown_min": "m",
}


def range_text(key: str) -> str:
    """A key's accepted values for people: "50-5000", "km or mi", "IANA zone or local"."""
    if key == "units":
        return "km or mi"
    if key == "timezone":
        return "IANA zone or local"
    low, high = RANGES[key]
    text = f"{low:g}-{high:g}"
    return f"{text} or none" if key == "shoe_max_age_months" else text


def _number(key: str, text: str) -> float | int | None:
    """A number setting from text, checked against its range (ValueError with the reason)."""
    value_text = text.strip().lower()
    if key == "shoe_max_age_months" and value_text in ("none", ""):
        return None
    for ending, suffix in _SUFFIXES.items():
        if ending in key:
            value_text = value_text.removesuffix(suffix)
    integer = isinstance(getattr(Settings(), key), int) or key == "shoe_max_age_months"
    try:
        value: float | int = int(value_text) if integer else float(value_text)
    except ValueError as exc:
        whole = "a whole number" if integer else "a number"
        raise ValueError(f"{text!r} is not {whole} ({range_text(key)})") from exc
    low, high = RANGES[key]
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"must be {_range_words(key, low, high)}")
    return value


def _range_words(key: str, low: float, high: float) -> str:
    """ "a percentage between 50 and 99", "between 7 and 366 days", "a factor between 1 and 3"."""
    if key.endswith("_pct"):
        return f"a percentage between {low:g} and {high:g}"
    if key in ("acwr_max", "hills_factor"):
        return f"a factor between {low:g} and {high:g}"
    unit = next((u for end, u in _UNIT_WORDS.items() if key.endswith(end)), "")
    return f"between {low:g} and {high:g}{unit}"


_UNIT_WORDS = {
    "_days": " days",
    "_weeks": " weeks",
    "_months": " months",
    "_per_week": " runs",
    "_km": " km",
    "_m_per_km": " m per km",
}


def _timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for a zone by name

    value = text.strip()
    if value.lower() == LOCAL_ZONE:
        return LOCAL_ZONE
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(
            "must be an IANA time zone name like Europe/Berlin or America/New_York, or local"
        ) from exc
    return value


def _units(text: str) -> str:
    value = text.strip().lower()
    if value not in ("km", "mi"):
        raise ValueError("must be km or mi")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "units": _units,
    "timezone": _timezone,
    **{key: partial(_number, key) for key in RANGES},
}
KEYS: tuple[str, ...] = Settings._fields


def parse_setting(key: str, text: str) -> object:
    """Validate `text` for `key`, raising ValueError with a short reason when it is wrong."""
    if key not in PARSERS:
        raise KeyError(key)
    return PARSERS[key](text)


class BadSetting(NamedTuple):
    """A stored value that does not parse or is out of range; its default applies instead."""

    key: str
    value: str
    reason: str


def read_settings(db: ReadDb) -> tuple[Settings, list[BadSetting]]:
    """The stored settings over the defaults, and the stored values that were ignored."""
    values: dict[str, object] = {}
    bad = []
    for row in db["settings"].rows:
        key, text = row["key"], str(row["value"])
        if key not in PARSERS:
            continue
        try:
            values[key] = PARSERS[key](text)
        except ValueError as exc:
            bad.append(BadSetting(key, text, str(exc)))
    return Settings(**values), bad


def load_settings(db: ReadDb) -> Settings:
    """The stored settings over the defaults (a bad stored value: its default)."""
    return read_settings(db)[0]


def save_setting(db: Database, key: str, value: object) -> None:
    """Store one setting (already validated with `parse_setting`)."""
    with db.conn:
        db["settings"].upsert({"key": key, "value": str(value)}, pk="key")


def reset_setting(db: Database, key: str) -> None:
    """Forget a stored setting so its default applies again."""
    with db.conn:
        db.execute("delete from settings where key = ?", [key])
