"""Click parameter types and look-ups shared by commands: surfaces, distances, dates, shoes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlite_utils import Database

from runwear.cli.app import App
from runwear.store.settings import LOCAL_ZONE
from runwear.store.shoes import find_shoe, shoe_names
from runwear.units import parse_distance_m
from runwear.vocab import SURFACES, normalize_surface

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


class SurfaceType(click.ParamType):
    """A surface name or alias (cement, road, tartan ...), turned into the canonical name."""

    name = "surface"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        surface = normalize_surface(str(value))
        if surface is None:
            self.fail(f"unknown surface {value!r}. Surfaces: {', '.join(SURFACES)}", param, ctx)
        return surface


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

    def __init__(self, default_unit: str = "km", low_m: float = 0.0, high_m: float = 1e9) -> None:
        self.default_unit = default_unit
        self.low_m = low_m
        self.high_m = high_m

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            metres = parse_distance_m(str(value), self.default_unit)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not self.low_m <= metres <= self.high_m:
            self.fail(
                f"{value!r} must be between {self.low_m:g} m and {self.high_m:g} m", param, ctx
            )
        return metres


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
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)


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
            return datetime.now(timezone.utc) - timedelta(days=days)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date; write YYYY-MM-DD, or 28d / 8w for a span back from now",
                param,
                ctx,
            )
        return local_midnight(day, ctx)


def local_midnight(day: date, ctx: click.Context | None) -> datetime:
    """The start of `day` in the runner's `timezone` setting, as a UTC datetime."""
    app = ctx.find_object(App) if ctx is not None else None
    name = app.settings.timezone if app is not None else "UTC"
    naive = datetime(day.year, day.month, day.day)
    aware = naive.astimezone() if name == LOCAL_ZONE else naive.replace(tzinfo=ZoneInfo(name))
    return aware.astimezone(timezone.utc)


AUTO = "auto"
SURFACE = SurfaceType()
SURFACE_OR_AUTO = SurfaceOrAutoType()
DISTANCE = DistanceType()
METRES = DistanceType("m", low_m=1.0, high_m=50_000.0)  # radii and widths: 250m, 0.4km
LATLON = LatLonType()
DAY = DayType()
MOMENT = MomentType()


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
