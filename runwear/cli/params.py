"""Click parameter types and look-ups shared by commands: surfaces, distances, dates, shoes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import click
from sqlite_utils import Database

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


class DistanceType(click.ParamType):
    """A distance like 700km, 450mi or 120 (km), turned into metres."""

    name = "distance"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_distance_m(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


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
    """A date YYYY-MM-DD (midnight UTC) or a span back from now: 28d, 8w."""

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
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


SURFACE = SurfaceType()
DISTANCE = DistanceType()
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
