"""User settings kept in the database, with their defaults and validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from sqlite_utils import Database


@dataclass(frozen=True)
class Settings:
    """Thresholds and preferences; every field is a `runwear config` key."""

    shoe_limit_km: float = 700.0  # default retirement distance for shoes without their own
    nearing_pct: float = 85.0  # a shoe is "nearing" from this share of its limit
    concrete_share_pct: float = 40.0  # concrete share of the window that warns
    concrete_min_km: float = 20.0  # no concrete warning before the window holds this much
    window_days: int = 28  # the window `check` and `surfaces --since` look at
    units: str = "km"  # km or mi, for tables


HELP: dict[str, str] = {
    "shoe_limit_km": "retirement distance for shoes without their own limit (km)",
    "nearing_pct": "a shoe is 'nearing' from this percentage of its limit",
    "concrete_share_pct": "warn when concrete is over this percentage of the window",
    "concrete_min_km": "no concrete warning until the window holds this many km",
    "window_days": "days the checks look back over",
    "units": "units for tables: km or mi (JSON and CSV stay metric)",
}


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be above 0")
    return value


def _percent(text: str) -> float:
    value = float(text.rstrip("%"))
    if not 0 < value <= 100:
        raise ValueError("must be a percentage between 0 and 100")
    return value


def _days(text: str) -> int:
    value = int(text.rstrip("d"))
    if not 1 <= value <= 366:
        raise ValueError("must be between 1 and 366 days")
    return value


def _units(text: str) -> str:
    value = text.strip().lower()
    if value not in ("km", "mi"):
        raise ValueError("must be km or mi")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "shoe_limit_km": _positive_float,
    "nearing_pct": _percent,
    "concrete_share_pct": _percent,
    "concrete_min_km": _positive_float,
    "window_days": _days,
    "units": _units,
}
KEYS: tuple[str, ...] = tuple(f.name for f in fields(Settings))


def parse_setting(key: str, text: str) -> object:
    """Validate `text` for `key`, raising ValueError with a short reason when it is wrong."""
    if key not in PARSERS:
        raise KeyError(key)
    try:
        return PARSERS[key](text)
    except ValueError as exc:
        reason = str(exc) if "must" in str(exc) else f"{text!r} is not a valid value"
        raise ValueError(reason) from exc


def load_settings(db: Database) -> Settings:
    """The stored settings over the defaults."""
    stored = {row["key"]: row["value"] for row in db["settings"].rows}
    values = {k: PARSERS[k](v) for k, v in stored.items() if k in PARSERS}
    return replace(Settings(), **values)


def save_setting(db: Database, key: str, value: object) -> None:
    """Store one setting (already validated with `parse_setting`)."""
    with db.conn:
        db["settings"].upsert({"key": key, "value": str(value)}, pk="key")


def reset_setting(db: Database, key: str) -> None:
    """Forget a stored setting so its default applies again."""
    with db.conn:
        db.execute("delete from settings where key = ?", [key])
