"""Each run's distance split by surface: what the split needs from the database, and its writes.

`Surfacer` gathers, once per command, what splitting needs: the places, the OpenStreetMap ways
(read tile by tile as runs reach them), the rules, the shoes' usual surfaces. Its `split` is
the one place the order of sources is applied (see `runwear.surfacing.split`):

    manual tag > indoor sub-sport ("device") > a rule's surface ("rule")
      > per stretch: place > OpenStreetMap
      > outdoor sub-sport (trail, track: "device"; "export" when an account export said so)
      > the shoe's usual surface ("shoe") > unknown

`resplit` recomputes stored runs from their stored tracks after places, OpenStreetMap data,
rules or shoes change. Runs with a manual surface are left alone, unless asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from runwear.geo import decode_polyline
from runwear.store import osm as osm_store
from runwear.store.database import writing
from runwear.store.places import load_places, load_rules
from runwear.store.settings import LOCAL_ZONE, load_settings
from runwear.store.shoes import default_shoe
from runwear.surfacing.geometry import BBox
from runwear.surfacing.rules import NO_CHOICE, RuleChoice, RunFacts, choose, local_day
from runwear.surfacing.split import (
    INDOOR_SUB_SPORTS,
    OSM_MATCH_M,
    SOURCE_DEVICE,
    SOURCE_MANUAL,
    SOURCE_RULE,
    SOURCE_SHOE,
    UNKNOWN_FALLBACK,
    Fallback,
    PlaceIndex,
    SurfaceLookup,
    SurfacePart,
    SurfaceSplit,
    TiledWayIndex,
    split_run,
)
from runwear.vocab import SUB_SPORT_SURFACE

SOURCE_EXPORT = "export"  # the sub-sport came from an account export, not the file
CHUNK_RUNS = 500  # runs read at a time by resplit
SAME_M = 1e-6  # parts closer than this are unchanged
BOX_SLACK_M = 5.0  # a stored box widened by this before deciding a track needs no decoding


class RunLike(Protocol):
    """What the rules read of a run: an Activity being imported, or a stored run."""

    sport: str
    sub_sport: str | None
    name: str | None
    started_at: datetime
    utc_offset_s: int | None
    distance_m: float


class Surfacer:
    """Splits runs by surface with what the database holds now (places, OSM, rules, shoes)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        places = load_places(db)
        self.places = PlaceIndex(places) if places else None
        self.osm = TiledWayIndex(partial(osm_store.ways_in, db)) if osm_store.has_ways(db) else None
        self.rules = load_rules(db)
        timezone = load_settings(db).timezone
        self.zone: tzinfo | None = None if timezone == LOCAL_ZONE else ZoneInfo(timezone)
        self._usual: dict[int, str | None] = {}

    @property
    def has_lookups(self) -> bool:
        """Whether places or OpenStreetMap data exist (else every run is its fallback)."""
        return self.places is not None or self.osm is not None

    def facts(self, run: RunLike, track: Sequence[tuple[float, float]]) -> RunFacts:
        """What the rules look at in a run (an Activity being imported or a stored run)."""
        return RunFacts(
            run.sport,
            run.sub_sport,
            run.name,
            local_day(run.started_at, run.utc_offset_s, self.zone),
            run.distance_m,
            tuple(track[0]) if track else None,
        )

    def choose(self, facts: RunFacts) -> RuleChoice:
        """What the rules give the run (nothing when there are no rules)."""
        return choose(self.rules, facts) if self.rules else NO_CHOICE

    def usual_surface(self, shoe_id: int | None) -> str | None:
        """The shoe's usual surface, or None."""
        if shoe_id is None:
            return None
        if shoe_id not in self._usual:
            row = self.db.execute("select surface from shoes where id = ?", [shoe_id]).fetchone()
            self._usual[shoe_id] = row[0] if row else None
        return self._usual[shoe_id]

    def fallback(self, sub_sport: str | None, shoe_id: int | None, hinted: bool) -> Fallback:
        """Where no place or way knows: an outdoor sub-sport's surface, the shoe's, unknown."""
        implied = SUB_SPORT_SURFACE.get(sub_sport or "")
        if implied and sub_sport not in INDOOR_SUB_SPORTS:
            return implied, SOURCE_EXPORT if hinted else SOURCE_DEVICE
        usual = self.usual_surface(shoe_id)
        return (usual, SOURCE_SHOE) if usual else UNKNOWN_FALLBACK

    def split(
        self,
        distance_m: float,
        track: Sequence[tuple[float, float]],
        *,
        sub_sport: str | None,
        shoe_id: int | None,
        manual_surface: str | None = None,
        rule_surface: str | None = None,
        hinted: bool = False,
    ) -> SurfaceSplit:
        """The run's split, first match wins (see the module's docstring).

        `hinted`: the sub-sport is an account export's word (Trail Run), not the device's.
        A run whose box no place and no way meets is not walked: it is its fallback whole.
        """
        lookups = self._lookups_near(track) if manual_surface is None else []
        return split_run(
            distance_m,
            track if lookups else (),
            lookups,
            self.fallback(sub_sport, shoe_id, hinted),
            manual_surface=manual_surface,
            sub_sport=sub_sport,
            rule_surface=rule_surface,
            device_source=SOURCE_EXPORT if hinted else SOURCE_DEVICE,
        )

    def _lookups_near(self, track: Sequence[tuple[float, float]]) -> list[SurfaceLookup]:
        if not track or not self.has_lookups:
            return []
        return self.lookups_in(BBox.around(track))

    def lookups_in(self, box: BBox) -> list[SurfaceLookup]:
        """The places and OpenStreetMap ways that may know a stretch of a track in `box`."""
        lookups: list[SurfaceLookup] = []
        if self.places is not None and self.places.touches(box):
            lookups.append(self.places)
        if self.osm is not None and osm_store.any_way_in(self.db, box.expanded(OSM_MATCH_M)):
            lookups.append(self.osm)
        return lookups


# -- writes ----------------------------------------------------------------------------------


def write_split(db: Database, activity_id: int, split: SurfaceSplit) -> None:
    """Store a run's split and dominant surface (in the caller's transaction)."""
    db.execute(
        "update activities set surface = ?, surface_source = ? where id = ?",
        [split.surface, split.source, activity_id],
    )
    db.execute("delete from activity_surfaces where activity_id = ?", [activity_id])
    insert_parts(db, activity_id, split.parts)


def insert_parts(db: Database, activity_id: int, parts: Iterable[SurfacePart]) -> None:
    """Add a run's surface parts (in the caller's transaction)."""
    db.conn.executemany(
        "insert into activity_surfaces (activity_id, surface, distance_m, source) "
        "values (?, ?, ?, ?)",
        [(activity_id, p.surface, p.distance_m, p.source) for p in parts],
    )


def track_box(track: Sequence[tuple[float, float]]) -> dict[str, float | None]:
    """The activity_tracks box columns for a track (nulls for none)."""
    if not track:
        return dict.fromkeys(("min_lat", "min_lon", "max_lat", "max_lon"))
    lats = [p[0] for p in track]
    lons = [p[1] for p in track]
    return {"min_lat": min(lats), "min_lon": min(lons), "max_lat": max(lats), "max_lon": max(lons)}


# -- re-splitting stored runs ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredRun:
    """A stored run with what splitting it again needs."""

    id: int
    started_at: datetime
    utc_offset_s: int | None
    sport: str
    sub_sport: str | None
    name: str | None
    distance_m: float
    shoe_id: int | None
    shoe_source: str | None
    surface: str
    surface_source: str | None
    polyline: str | None
    parts: tuple[SurfacePart, ...]
    box: BBox | None = None  # the track's box as stored (None: no track)

    @property
    def hinted(self) -> bool:
        """Whether its sub-sport's surface came from an account export (kept on re-split)."""
        return self.surface_source == SOURCE_EXPORT or any(
            p.source == SOURCE_EXPORT for p in self.parts
        )


@dataclass
class Resplit:
    """What a re-split did: runs looked at, splits changed, shoes changed."""

    runs: int = 0
    changed: int = 0
    shoes: int = 0


def resplit(
    db: Database,
    activity_ids: Iterable[int],
    surfacer: Surfacer | None = None,
    *,
    rule_shoes: bool = False,
    rule_surfaces: bool = False,
    drop_manual: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Resplit:
    """Split stored runs again from their stored tracks; write those that changed.

    Runs with a manual surface keep it (and are not counted in `runs`) unless `drop_manual`.
    A rule's surface on a run is kept as it is, unless `rule_surfaces` (the rules are applied
    anew). `rule_shoes` applies the rules' shoes too, manual surface or not: over a
    default-chosen shoe, a rule's, or none; never over a shoe tagged by hand or given by an
    account export. A run whose rule shoe no rule gives any more goes back to the default
    shoe. One transaction (a savepoint in the caller's). `on_progress(done, total)` hears of
    each run.
    """
    surfacer = surfacer or Surfacer(db)
    with writing(db):
        plan = plan_resplit(
            db,
            list(activity_ids),
            surfacer,
            rule_shoes=rule_shoes,
            rule_surfaces=rule_surfaces,
            drop_manual=drop_manual,
            on_progress=on_progress,
        )
        apply_resplit(db, plan)
    return plan.done


@dataclass
class ResplitPlan:
    """What splitting runs again would write: new shoes, new splits, and the counts."""

    shoes: list[tuple[int, int | None, str | None]]  # (activity id, shoe id, shoe source)
    splits: list[tuple[int, SurfaceSplit]]
    done: Resplit


def plan_resplit(
    db: Database,
    ids: list[int],
    surfacer: Surfacer,
    *,
    rule_shoes: bool = False,
    rule_surfaces: bool = False,
    drop_manual: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ResplitPlan:
    """Work out what `resplit` would write for these runs, reading only (see `resplit`)."""
    plan = ResplitPlan([], [], Resplit())
    done = plan.done
    for count, run in enumerate(stored_runs(db, ids), start=1):
        if on_progress is not None:
            on_progress(count, len(ids))
        manual = run.surface_source == SOURCE_MANUAL and not drop_manual
        if manual and not rule_shoes:
            continue
        track = _track_if_needed(
            run, surfacer, rules=bool(surfacer.rules) and (rule_shoes or rule_surfaces)
        )
        shoe_id = run.shoe_id
        rule_surface = run.surface if run.surface_source == SOURCE_RULE else None
        if rule_shoes or rule_surfaces:
            choice = surfacer.choose(surfacer.facts(run, track))
            if rule_surfaces:
                rule_surface = choice.surface
            if rule_shoes and run.shoe_source in (None, "default", SOURCE_RULE):
                shoe_id, shoe_source = choice.shoe_id, SOURCE_RULE
                if shoe_id is None and run.shoe_source == SOURCE_RULE:
                    default = default_shoe(db, run.sub_sport)
                    shoe_id, shoe_source = (default["id"], "default") if default else (None, None)
                elif shoe_id is None:
                    shoe_id, shoe_source = run.shoe_id, run.shoe_source
                if (shoe_id, shoe_source) != (run.shoe_id, run.shoe_source):
                    plan.shoes.append((run.id, shoe_id, shoe_source))
                    done.shoes += shoe_id != run.shoe_id
        if manual:
            continue  # its shoe may follow the rules; its surface stays as tagged
        done.runs += 1
        split = surfacer.split(
            run.distance_m,
            track,
            sub_sport=run.sub_sport,
            shoe_id=shoe_id,
            rule_surface=rule_surface,
            hinted=run.hinted,
        )
        if not _same(run, split):
            plan.splits.append((run.id, split))
            done.changed += 1
    return plan


def apply_resplit(db: Database, plan: ResplitPlan) -> None:
    """Write a plan's shoes and splits (in the caller's transaction)."""
    db.conn.executemany(
        "update activities set shoe_id = ?, shoe_source = ? where id = ?",
        [(shoe_id, source, activity_id) for activity_id, shoe_id, source in plan.shoes],
    )
    for activity_id, split in plan.splits:
        write_split(db, activity_id, split)


def _track_if_needed(run: StoredRun, surfacer: Surfacer, rules: bool) -> list[tuple[float, float]]:
    """The run's track, decoded only when something can use it: a rule (its start point), or
    a place or way within its stored box. Otherwise the run is its fallback whole, which an
    empty track gives without decoding it. The stored box is of the track before its
    polyline rounded it (to ~1 m), so it is widened by BOX_SLACK_M: near an edge, the
    track is decoded and `Surfacer.split` decides on it."""
    if not run.polyline:
        return []
    if not rules and run.box is not None and not surfacer.lookups_in(run.box.expanded(BOX_SLACK_M)):
        return []
    return decode_polyline(run.polyline)


def _same(run: StoredRun, split: SurfaceSplit) -> bool:
    """Whether the stored split is the new one (to the micrometre)."""
    if (run.surface, run.surface_source) != (split.surface, split.source):
        return False
    old = {p.surface: p for p in run.parts}
    if len(old) != len(split.parts):
        return False
    for part in split.parts:
        was = old.get(part.surface)
        if was is None or was.source != part.source:
            return False
        if abs(was.distance_m - part.distance_m) > SAME_M:
            return False
    return True


def stored_runs(db: Database, ids: Sequence[int]) -> Iterator[StoredRun]:
    """The runs with these ids, read CHUNK_RUNS at a time, in the order given."""
    for start in range(0, len(ids), CHUNK_RUNS):
        chunk = ids[start : start + CHUNK_RUNS]
        marks = ",".join("?" * len(chunk))
        parts: dict[int, list[SurfacePart]] = {}
        for activity_id, surface, distance_m, source in db.execute(
            "select activity_id, surface, distance_m, source from activity_surfaces "
            f"where activity_id in ({marks})",
            chunk,
        ):
            parts.setdefault(activity_id, []).append(SurfacePart(surface, source, distance_m))
        rows = {
            row[0]: row
            for row in db.execute(
                "select a.id, a.started_at, a.utc_offset_s, a.sport, a.sub_sport, a.name, "
                "a.distance_m, a.shoe_id, a.shoe_source, a.surface, a.surface_source, t.polyline, "
                "t.min_lat, t.min_lon, t.max_lat, t.max_lon "
                "from activities a left join activity_tracks t on t.activity_id = a.id "
                f"where a.id in ({marks})",
                chunk,
            )
        }
        for activity_id in chunk:
            row = rows.get(activity_id)
            if row is None:
                continue
            yield StoredRun(
                row[0],
                datetime.fromisoformat(row[1].replace("Z", "+00:00")),
                *row[2:12],
                parts=tuple(parts.get(activity_id, ())),
                box=BBox(*row[12:16]) if row[11] and row[12] is not None else None,
            )


# -- which runs to re-split ------------------------------------------------------------------


def runs_in_area(db: Database, box: BBox) -> list[int]:
    """Running activities whose track's box meets `box`, oldest first."""
    return [
        row[0]
        for row in db.execute(
            "select a.id from activities a join activity_tracks t on t.activity_id = a.id "
            "where a.sport = 'running' and t.min_lat <= ? and t.max_lat >= ? "
            "and t.min_lon <= ? and t.max_lon >= ? order by a.started_at, a.id",
            [box.max_lat, box.min_lat, box.max_lon, box.min_lon],
        )
    ]


def runs_of_shoe(db: Database, shoe_id: int) -> list[int]:
    """Running activities in the shoe, oldest first."""
    return [
        row[0]
        for row in db.execute(
            "select id from activities where sport = 'running' and shoe_id = ? "
            "order by started_at, id",
            [shoe_id],
        )
    ]


def runs_since(db: Database, since: str | None) -> list[int]:
    """Running activities started at or after `since` (UTC ISO 8601; None: all), oldest first."""
    where = "sport = 'running'" + (" and started_at >= ?" if since else "")
    return [
        row[0]
        for row in db.execute(
            f"select id from activities where {where} order by started_at, id",
            [since] if since else [],
        )
    ]
