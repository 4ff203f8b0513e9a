"""Click parameter types and look-ups shared by commands: surfaces, distances, dates, shoes."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runwear.cli.app import App, default_db_path
from runwear.cli.output import printable
from runwear.store.settings import LOCAL_ZONE
from runwear.store.shoes import clean_name, find_shoe, loose_key, shoe_names
from runwear.units import M_PER_KM, M_PER_MI, parse_distance_m
from runwear.vocab import SURFACES, normalize_surface

if TYPE_CHECKING:  # sqlite_utils loads only where a command writes
    from click.shell_completion import CompletionItem
    from sqlite_utils import Database

SUB_SPORTS = (
    "generic",
    "street",
    "trail",
    "track",
    "treadmill",
    "indoor_running",
    "virtual_activity",
)
_RELATIVE = re.compile(r"^(\d+)\s*([dw])$", re.IGNORECASE)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # dates a command accepts
MAX_SPAN_DAYS = 36_600  # the longest span back from now: 28d ... 36600d


class SurfaceType(click.ParamType):
    """A surface name or alias (cement, road, tartan ...), turned into the canonical name."""

    name = "surface"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        surface = normalize_surface(str(value))
        if surface is None:
            self.fail(f"unknown surface {value!r}. Surfaces: {', '.join(SURFACES)}", param, ctx)
        return surface

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(s) for s in SURFACES if s.startswith(incomplete.lower())]


class SurfaceOrAutoType(SurfaceType):
    """A surface, or `auto`: drop a manual surface and let places, OSM and rules decide."""

    name = "surface|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if str(value).strip().lower() == AUTO:
            return AUTO
        return super().convert(value, param, ctx)


class DistanceType(click.ParamType):
    """A distance like 700km, 450mi or 120 (km; `default_unit`), turned into metres."""

    name = "distance"

    def __init__(
        self,
        default_unit: str = "km",
        low_m: float = 0.0,
        high_m: float = 1e9,
        above_low: bool = False,
    ) -> None:
        self.default_unit = default_unit
        self.low_m = low_m
        self.high_m = high_m
        self.above_low = above_low  # the low end itself is out of range (a limit of 0)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        negative = text.startswith("-")
        try:
            metres = parse_distance_m(text.lstrip("-"), self.default_unit)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        metres = -metres if negative else metres
        too_low = metres <= self.low_m if self.above_low else metres < self.low_m
        if too_low or metres > self.high_m:
            low, high = self._shown(self.low_m), self._shown(self.high_m)
            span = (
                f"above {low} and at most {high}" if self.above_low else f"between {low} and {high}"
            )
            self.fail(f"{value!r} is out of range: must be {span}", param, ctx)
        return metres

    def _shown(self, metres: float) -> str:
        """A bound in this type's default unit: 20,000 km, 250 m."""
        unit = "m" if self.default_unit == "m" else self.default_unit
        value = metres if unit == "m" else metres / (M_PER_MI if unit == "mi" else M_PER_KM)
        return f"{value:,g} {unit}"


class MonthsType(click.ParamType):
    """A span in months: 12mo, 18 (months), 1y; `none` clears it (0)."""

    name = "months"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "none":
            return 0
        match = re.fullmatch(r"(-?\d+)\s*(mo|m|months?|y|years?)?", text)
        if not match:
            self.fail(f"{value!r} is not a span of months; write it like 12mo or 1y", param, ctx)
        months = int(match.group(1)) * (12 if (match.group(2) or "m").startswith("y") else 1)
        if not 1 <= months <= 120:
            self.fail(f"{value!r} is out of range: 1 to 120 months", param, ctx)
        return months


class LatLonType(click.ParamType):
    """A position LAT,LON in decimal degrees: 51.5007,-0.1246."""

    name = "lat,lon"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        parts = [p for p in re.split(r"[,\s]+", str(value).strip()) if p]
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            self.fail(
                f"{value!r} is not a position; write LAT,LON in decimal degrees, "
                "like 51.5007,-0.1246",
                param,
                ctx,
            )
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.fail(
                f"{value!r} is not a position: latitude -90..90, longitude -180..180", param, ctx
            )
        return lat, lon


class DayType(click.ParamType):
    """A calendar date YYYY-MM-DD."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{value!r} is out of range: from {FIRST_DAY} to {LAST_DAY}", param, ctx)
        return day


class MomentType(click.ParamType):
    """A date YYYY-MM-DD (midnight in the `timezone` setting) or a span back from now: 28d, 8w."""

    name = "date|Nd"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        match = _RELATIVE.match(text)
        if match:
            days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
            if days > MAX_SPAN_DAYS:
                self.fail(
                    f"{value!r} is out of range: at most {MAX_SPAN_DAYS:,}d (100 years)", param, ctx
                )
            return datetime.now(timezone.utc) - timedelta(days=days)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date; write YYYY-MM-DD, or 28d / 8w for a span back from now",
                param,
                ctx,
            )
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{value!r} is out of range: from {FIRST_DAY} to {LAST_DAY}", param, ctx)
        return local_midnight(day, ctx)


def local_midnight(day: date, ctx: click.Context | None) -> datetime:
    """The start of `day` in the runner's `timezone` setting, as a UTC datetime."""
    from zoneinfo import ZoneInfo  # with sysconfig, ~5 ms of every command's start otherwise

    app = ctx.find_object(App) if ctx is not None else None
    name = app.settings.timezone if app is not None else "UTC"
    naive = datetime(day.year, day.month, day.day)
    aware = naive.astimezone() if name == LOCAL_ZONE else naive.replace(tzinfo=ZoneInfo(name))
    return aware.astimezone(timezone.utc)


AUTO = "auto"
SURFACE = SurfaceType()
SURFACE_OR_AUTO = SurfaceOrAutoType()
DISTANCE = DistanceType()
LIMIT = DistanceType(above_low=True, high_m=20_000_000.0)  # a shoe's limit: above 0, 20,000 km
START = DistanceType(high_m=20_000_000.0)  # distance run before tracking: 0 .. 20,000 km
METRES = DistanceType("m", low_m=1.0, high_m=50_000.0)  # radii and widths: 250m, 0.4km
LATLON = LatLonType()
MONTHS = MonthsType()
PRICE = click.FloatRange(min=0, max=100_000)
DAY = DayType()
MOMENT = MomentType()


KNOWN_SPORTS = ("running", "walking", "hiking", "cycling", "swimming", "generic")


class SportType(click.ParamType):
    """A sport as files name it (running, walking, ...): the known ones and those stored."""

    name = "sport"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        sport = str(value).strip().lower()
        app = ctx.find_object(App) if ctx is not None else None
        stored = (
            [r[0] for r in app.db.execute("select distinct sport from activities order by 1")]
            if app is not None
            else []
        )
        known = [*KNOWN_SPORTS, *(s for s in stored if s and s not in KNOWN_SPORTS)]
        if sport not in known:
            self.fail(
                f"unknown sport {printable(str(value))!r}. Sports: {', '.join(known)}", param, ctx
            )
        return sport

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(s) for s in KNOWN_SPORTS if s.startswith(incomplete.lower())]


class StoredNameType(click.ParamType):
    """The name of a stored shoe or place (`table`); the shell completes it from the database."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.name = table.removesuffix("s")

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return complete_from_db(ctx, f"select name from {self.table} order by id", incomplete)


class NewShoeNameType(click.ParamType):
    """A name for a new shoe: NFC-normalised, spaces tidied; blank is refused."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        name = clean_name(str(value))
        if not name:
            self.fail("a shoe name cannot be blank", param, ctx)
        if not name.isprintable():
            self.fail(f"{printable(name)!r} holds control characters", param, ctx)
        return name


def complete_from_db(ctx: click.Context, sql: str, incomplete: str) -> list[CompletionItem]:
    """Names from the database in use (read only, never created) that start with `incomplete`."""
    root = ctx.find_root()
    path = root.params.get("db_path") or os.environ.get("RUNWEAR_DB") or default_db_path()
    if not Path(path).is_file():
        return []
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = [row[0] for row in conn.execute(sql)]
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    from click.shell_completion import CompletionItem  # only when the shell asks

    key = loose_key(incomplete)
    return [CompletionItem(n) for n in names if loose_key(n).startswith(key)]


NO_RUNS_YET = "No runs yet. Import some: runwear import PATH... (or try the sample: runwear demo)"


def stored_runs(db: Database) -> int:
    """How many runs are stored."""
    return db.execute("select count(*) from activities where sport = 'running'").fetchone()[0]


def nothing_matched(db: Database) -> str:
    """The message for an empty listing: no runs at all, or a filter that matched none."""
    count = stored_runs(db)
    if not count:
        return NO_RUNS_YET
    return f"No runs match those options ({count:,} run{'s' if count != 1 else ''} stored)."


def check_period(since: datetime | None, until: datetime | None) -> None:
    """A usage error when --until is not after --since."""
    if since is not None and until is not None and until <= since:
        raise click.UsageError("--until must be after --since")


def shoe_by_name(db: Database, name: str, param_hint: str = "'--shoe'") -> dict[str, Any]:
    """The shoe called `name`, or a usage error that lists the shoes there are."""
    shoe = find_shoe(db, name)
    if shoe is None:
        names = shoe_names(db)
        known = (
            f"Shoes: {', '.join(names)}"
            if names
            else "No shoes yet: add one with `runwear shoe add NAME`"
        )
        raise click.BadParameter(f"no shoe named {name!r}. {known}", param_hint=param_hint)
    return shoe


SHOE = StoredNameType("shoes")
SPORT = SportType()
NEW_SHOE = NewShoeNameType()
PLACE = StoredNameType("places")
