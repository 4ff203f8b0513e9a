"""The user's rules: "runs like these are in this shoe, on this surface", first match wins.

A rule has conditions (sport, sub-sport, words in the name, weekday, distance range, where
the run starts) and one or two tags (a shoe, a surface). A run matches a rule when it meets
every condition the rule has; a rule without conditions matches every run.

Rules are tried in their order. The shoe comes from the first matching rule that names a
shoe, the surface from the first matching rule that names a surface: a rule that only tags
the shoe does not stop a later one from tagging the surface. A rule's shoe is passed over for
runs after the day that shoe was retired.

Pure values and functions: the caller says which runs (`RunFacts`) and which rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from runwear.surfacing.geometry import Circle, Corridor

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RunFacts:
    """What rules look at in a run."""

    sport: str
    sub_sport: str | None
    name: str | None
    day: date  # the local calendar day it started
    distance_m: float
    start: tuple[float, float] | None  # (lat, lon) of the first track point; None without one


@dataclass(frozen=True)
class Rule:
    """One rule: conditions (None: any) and the shoe and/or surface it gives."""

    id: int
    sport: str | None = None
    sub_sport: str | None = None
    name_contains: str | None = None
    weekday: str | None = None  # mon .. sun
    min_km: float | None = None  # at least this far
    max_km: float | None = None  # at most this far
    starts_in: Circle | Corridor | None = None  # the shape of a place the run starts in
    shoe_id: int | None = None
    shoe_retired_on: date | None = None  # the rule's shoe takes no runs after this day
    surface: str | None = None

    def __post_init__(self) -> None:
        if self.weekday is not None and self.weekday not in WEEKDAYS:
            raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)}, not {self.weekday!r}")

    def matches(self, run: RunFacts) -> bool:
        """Whether the run meets every condition of the rule."""
        if self.sport is not None and run.sport != self.sport:
            return False
        if self.sub_sport is not None and run.sub_sport != self.sub_sport:
            return False
        if self.name_contains is not None and (
            run.name is None or self.name_contains.casefold() not in run.name.casefold()
        ):
            return False
        if self.weekday is not None and WEEKDAYS[run.day.weekday()] != self.weekday:
            return False
        if self.min_km is not None and run.distance_m < self.min_km * 1000:
            return False
        if self.max_km is not None and run.distance_m > self.max_km * 1000:
            return False
        return not (
            self.starts_in is not None
            and (run.start is None or not self.starts_in.contains(*run.start))
        )

    def gives_shoe_for(self, run: RunFacts) -> bool:
        """Whether the rule has a shoe that may take this run (not retired before its day)."""
        return self.shoe_id is not None and (
            self.shoe_retired_on is None or run.day <= self.shoe_retired_on
        )


@dataclass(frozen=True)
class RuleChoice:
    """What the rules give a run: a shoe and a surface, each with the rule that gave it."""

    shoe_id: int | None = None
    shoe_rule: int | None = None
    surface: str | None = None
    surface_rule: int | None = None


NO_CHOICE = RuleChoice()


def choose(rules: Sequence[Rule], run: RunFacts) -> RuleChoice:
    """The shoe of the first matching rule with a shoe, the surface of the first with one."""
    shoe_id = shoe_rule = surface_rule = None
    surface = None
    for rule in rules:
        if shoe_rule is not None and surface_rule is not None:
            break
        wants_shoe = shoe_rule is None and rule.gives_shoe_for(run)
        wants_surface = surface_rule is None and rule.surface is not None
        if not (wants_shoe or wants_surface) or not rule.matches(run):
            continue
        if wants_shoe:
            shoe_id, shoe_rule = rule.shoe_id, rule.id
        if wants_surface:
            surface, surface_rule = rule.surface, rule.id
    return RuleChoice(shoe_id, shoe_rule, surface, surface_rule)


def local_day(started_at: datetime, utc_offset_s: int | None, zone: tzinfo | None) -> date:
    """The local calendar day of a UTC start: the file's own offset when known, else `zone`'s
    (None: the machine's zone), as `runwear.monitor.load` dates runs."""
    if utc_offset_s is not None:
        return (started_at + timedelta(seconds=utc_offset_s)).date()
    return started_at.astimezone(zone).date()


def describe(rule: Rule, place_name: str | None = None) -> str:
    """The rule's conditions in words: "trail runs named 'parkrun' on sat, 4-6 km"."""
    kind = f"{rule.sub_sport} " if rule.sub_sport else ""
    what = "runs" if rule.sport in (None, "running") else f"{rule.sport} activities"
    words = [f"{kind}{what}"]
    if rule.name_contains:
        words.append(f"named *{rule.name_contains}*")
    if rule.weekday:
        words.append(f"on {rule.weekday}")
    if rule.min_km is not None and rule.max_km is not None:
        words.append(f"{rule.min_km:g}-{rule.max_km:g} km")
    elif rule.min_km is not None:
        words.append(f"from {rule.min_km:g} km")
    elif rule.max_km is not None:
        words.append(f"up to {rule.max_km:g} km")
    if place_name:
        words.append(f"starting in {place_name}")
    text = " ".join(words)
    return "every run" if text == "runs" else text
