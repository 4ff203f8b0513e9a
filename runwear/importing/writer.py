"""Storing one item: duplicate checks, what the export says, shoe, surfaces, the user's rules.

Shoe: `--shoe` (manual) > the export's shoe > the first matching rule with a shoe > the
default shoe (not for export runs). Surfaces: see `runwear.store.surfaces`.

Every write happens in the caller's transaction (the engine's batch), one whole item
between two commits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from runwear.importing.plan import Item
from runwear.importing.results import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    NOT_RUN,
    SKIPPED,
    FileResult,
    Tagging,
    stored_before,
)
from runwear.ingest.climb import plausible_ascent_m
from runwear.ingest.model import Activity, ExportFacts, ParsedFile
from runwear.ingest.sanity import EARLIEST_START, implausible
from runwear.store import activities as store
from runwear.store.removal import (
    REMOVED,
    forget_removed,
    forget_removed_runs,
    removed_run,
    was_removed,
)
from runwear.store.settings import load_settings
from runwear.store.shoes import default_shoe
from runwear.store.surfaces import Surfacer
from runwear.surfacing.rules import NO_CHOICE, RuleChoice
from runwear.surfacing.split import SOURCE_MANUAL, SurfacePart, SurfaceSplit

COPY_RANK = {"fit": 3, "tcx": 2, "gpx": 1}  # which copy of a run to keep: the higher
# Apple Health holds copies of what other apps (Strava, Nike Run Club, Garmin Connect) wrote
# to it: such a copy gives way to an equal one from elsewhere, and its id to the origin's.
SECOND_HAND = ("apple:",)
PLATFORMS = {
    "strava": "Strava",
    "garmin": "Garmin Connect",
    "apple_health": "Apple Health",
    "runkeeper": "Runkeeper",
    "polar": "Polar Flow",
    "fitbit": "Fitbit",
}
FIGURES = {
    "strava": "activities.csv",
    "garmin": "its Garmin summary",
    "apple_health": "its workout in export.xml",
    "runkeeper": "cardioActivities.csv",
    "polar": "its training session",
    "fitbit": "its exercise record",
}


class Writer:
    """Writes items into the database (inside the caller's transaction), one at a time."""

    def __init__(
        self, db: Database, tagging: Tagging, shoe_ids: dict[str, int], *, force: bool = False
    ) -> None:
        self.db = db
        self.tagging = tagging
        self.force = force  # removed runs come back
        self.shoe_ids = shoe_ids  # ExportShoe.external_id -> shoes.id
        self.min_run_m = load_settings(db).min_run_m  # shorter runs are not stored
        self._surfacer: Surfacer | None = None

    @property
    def surfacer(self) -> Surfacer:
        """Places, OpenStreetMap data, rules and shoes' surfaces, read at the first run."""
        if self._surfacer is None:
            self._surfacer = Surfacer(self.db)
        return self._surfacer

    def write(
        self,
        item: Item,
        sha: str | None,
        seen: dict[str, Any] | None,
        parsed: ParsedFile | None,
        error: str | None,
    ) -> FileResult:
        """Store what one item holds and say what happened.

        `sha` is the SHA-256 of the file's bytes (None when they could not be read), `seen`
        the stored source with those bytes, `parsed` what they hold, `error` why they could
        not be read or parsed.
        """
        if item.outcome is not None:
            return item.outcome
        if self.force and item.facts is not None and item.facts.external_id:
            forget_removed(self.db, item.facts.external_id)
        if not item.has_file:
            return self._entry(item)
        if seen is None and sha is not None:
            # Looked up again under the write lock: another import may have stored it since.
            seen = store.known_source(self.db, sha)
        if seen is not None and self.force and was_removed(seen):
            store.forget_source(self.db, seen["id"])  # read anew: its runs come back
            seen = None
        if seen is not None:
            return self._seen(item, seen)
        if error is not None or parsed is None or sha is None:
            return self._unreadable(item, error or "cannot be read")
        return self._parsed(item, sha, parsed)

    # -- files ---------------------------------------------------------------------------

    def _parsed(self, item: Item, sha: str, parsed: ParsedFile) -> FileResult:
        """A file read for the first time: its runs, with what the export says about them."""
        path, fmt = item.name, parsed.format
        if parsed.file_type != "activity":
            why = f"not an activity ({parsed.file_type} file)"
            store.add_source(self.db, sha, path, fmt, parsed.file_type, NOT_RUN, why)
            return FileResult(path, NOT_RUN, why, routine=bool(item.export))
        count = len(parsed.activities)
        sessions = []
        for index, original in enumerate(parsed.activities):
            facts = self._facts_for(item, original.started_at, count)
            activity = facts.apply(original) if facts else original
            sessions.append((index, original, activity, facts))
        runs = [s for s in sessions if s[2].is_run]
        if not runs:
            sports = sorted({f.label if f else a.sport for _, _, a, f in sessions}) or [
                "no sessions"
            ]
            why = f"not a run ({'; '.join([', '.join(sports), *parsed.sport_notes])})"
            source_id = store.add_source(self.db, sha, path, fmt, parsed.file_type, NOT_RUN, why)
            kept = self._keep_others(sessions, source_id, fmt)
            return FileResult(path, NOT_RUN, why, routine=bool(item.export), kept=kept)

        rejected: list[str] = []
        twins: list[str] = []
        short: list[str] = []
        replaced: list[str] = []
        removed: list[str] = []  # copies of runs the user removed
        added = 0
        distance_m = 0.0
        source_id = store.add_source(self.db, sha, path, fmt, parsed.file_type, IMPORTED)
        kept = self._keep_others(sessions, source_id, fmt)  # a multisport file's ride, swim
        for index, original, activity, facts in runs:
            reason = implausible(activity)
            if reason:
                rejected.append(reason)
                continue
            if activity.distance_m < self.min_run_m:
                short.append(f"{activity.distance_m:.0f} m")
                continue
            activity = _with_plausible_climb(activity)
            hinted = activity.sub_sport != original.sub_sport
            worse = self._worse_copy(activity, fmt, facts)
            if worse is not None:
                replaced.append(
                    self._replace(worse, activity, source_id, index, fmt, hinted, facts)
                )
                continue
            twin = self._twin(activity, facts)
            if twin:
                twins.append(twin)
                continue
            gone = self._removed(activity)
            if gone:
                removed.append(gone)
                continue
            choice = self._rules(activity)
            shoe_id, shoe_source = self._shoe(activity, item, facts, choice)
            split = self._split(activity, shoe_id, choice, hinted)
            store.add_activity(
                self.db,
                activity,
                source_id=source_id,
                session_index=index,
                fmt=fmt,
                shoe_id=shoe_id,
                shoe_source=shoe_source,
                surface=split.surface,
                surface_source=split.source,
                external_id=facts.external_id if facts else None,
                parts=split.parts,
            )
            added += 1
            distance_m += activity.distance_m
        if rejected and not added:
            # Nothing usable: forget the file so a fixed version can be imported later.
            self.db.execute("delete from sources where id = ?", [source_id])
        elif short and not added and not twins and not replaced:
            why = f"too short to count as a run ({', '.join(short)}; under {self.min_run_m:g} m)"
            self.db.execute(
                "update sources set outcome = ?, note = ? where id = ?",
                [NOT_RUN, why, source_id],
            )
            return FileResult(path, NOT_RUN, why, short=len(short), kept=kept)
        elif removed and not added and not twins and not replaced:
            why = f"its runs were removed (runwear activity remove): {'; '.join(removed)}"
            self.db.execute(
                "update sources set outcome = ?, note = ? where id = ?",
                [REMOVED, why, source_id],
            )
            why += "; --force imports them again"
            return FileResult(path, DUPLICATE, why, routine=bool(item.export), kept=kept)
        elif not added and not replaced:  # every run is stored already, from another file
            self.db.execute(
                "update sources set outcome = ?, note = ? where id = ?",
                [DUPLICATE, "; ".join(twins), source_id],
            )
        if rejected:
            return FileResult(
                path,
                ERROR,
                f"{'; '.join(rejected)}. Check the file in the app that recorded it",
                added,
                distance_m,
            )
        if replaced and not added:
            return FileResult(path, DUPLICATE, "; ".join(replaced + twins), short=len(short))
        if not added:
            return FileResult(path, DUPLICATE, "; ".join(twins + removed), short=len(short))
        return FileResult(
            path,
            IMPORTED,
            "; ".join([*parsed.notes, *(f"left out: {r}" for r in removed)]),
            added,
            distance_m,
            short=len(short),
            kept=kept,
        )

    def _seen(self, item: Item, seen: dict[str, Any]) -> FileResult:
        """A file whose bytes are stored already: say so, and apply the export's shoe."""
        if not item.export or was_removed(seen) or seen["outcome"] == NOT_RUN:
            return stored_before(item.name, seen)
        note = ""
        runs = store.runs_of_source(self.db, seen["id"])
        for run in runs:
            started_at = datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))
            facts = self._facts_for(item, started_at, len(runs))
            if facts is not None:
                note += self._adopt(run["id"], facts)
        if not runs and item.facts is not None and item.facts.started_at is not None:
            twin = store.same_run(self.db, item.facts.started_at, item.facts.distance_m or 0)
            if twin:
                note += self._adopt(twin["id"], item.facts)
        return stored_before(item.name, seen, note)

    def _unreadable(self, item: Item, error: str) -> FileResult:
        """A file that cannot be read; an export's run is then taken from its figures."""
        facts = item.facts
        if item.export not in FIGURES or facts is None or not facts.is_run:
            return FileResult(item.name, ERROR, error)
        result = self._entry(item)
        figures = FIGURES[item.export]
        if result.status == IMPORTED:
            what = f"its run was imported from {figures}, without a track"
        elif result.status == DUPLICATE:
            what = f"its run is stored already ({result.detail})"
        else:
            what = f"its figures in {figures} cannot be used either ({result.detail})"
        return FileResult(item.name, ERROR, f"{error}; {what}", result.runs, result.distance_m)

    # -- export entries without a file ----------------------------------------------------

    def _entry(self, item: Item) -> FileResult:
        """An export's run without a file: stored from the export's own figures."""
        facts = item.facts
        assert facts is not None and item.export is not None
        name, entry = item.name, True  # no file was read for it
        known = store.by_external_id(self.db, facts.external_id)
        if known is not None:
            if item.summary and known["source_id"] is not None:
                return FileResult(name, SKIPPED)
            return FileResult(
                name,
                DUPLICATE,
                f"already imported (activity {known['id']})",
                entry=entry,
                routine=True,
            )
        if not facts.is_run:
            other = facts.activity()
            kept = 0
            if other is not None and keeps(other):
                kept = store.add_other(self.db, other, None, 0, item.export, facts.external_id)
            return FileResult(
                name, NOT_RUN, f"not a run ({facts.label})", entry=entry, routine=True, kept=kept
            )
        activity = facts.activity()
        if activity is not None:
            activity = _with_plausible_climb(activity)
        platform = PLATFORMS[item.export]
        reason = "no start date" if activity is None else implausible(activity)
        if activity is None or reason:
            return FileResult(
                name, ERROR, f"{reason}. Check the activity on {platform}", entry=entry
            )
        twin = self._twin(activity, facts)
        if twin:
            return FileResult(name, DUPLICATE, twin, entry=entry)
        gone = self._removed(activity)
        if gone:
            why = f"its run was removed (runwear activity remove): {gone}; --force imports it again"
            return FileResult(name, DUPLICATE, why, entry=entry, routine=True)
        choice = self._rules(activity)
        shoe_id, shoe_source = self._shoe(activity, item, facts, choice)
        split = self._split(activity, shoe_id, choice, hinted=True)
        store.add_activity(
            self.db,
            activity,
            source_id=None,
            session_index=0,
            fmt="manual" if facts.manual else item.export,
            shoe_id=shoe_id,
            shoe_source=shoe_source,
            surface=split.surface,
            surface_source=split.source,
            external_id=facts.external_id,
            parts=split.parts,
        )
        detail = ""
        if item.missing:
            detail = f"{item.missing}: run imported from {FIGURES[item.export]}, without a track"
        return FileResult(name, IMPORTED, detail, 1, activity.distance_m, entry=entry, routine=True)

    # -- shared ---------------------------------------------------------------------------

    def _twin(self, activity: Activity, facts: ExportFacts | None) -> str | None:
        """Why this run is already stored (the same export id, or the same run), or None."""
        if facts is not None:
            known = store.by_external_id(self.db, facts.external_id)
            if known is not None:
                return (
                    f"same run as activity {known['id']} ({known['format']}, {known['started_at']})"
                )
        twin = store.same_run(self.db, activity.started_at, activity.distance_m)
        if twin is None:
            return None
        note = self._adopt(twin["id"], facts) if facts else ""
        return f"same run as activity {twin['id']} ({twin['format']}, {twin['started_at']}){note}"

    def _removed(self, activity: Activity) -> str | None:
        """Why this run stays out: a copy of one the user removed (None: it is not, or
        --force brings it back)."""
        if self.force:
            forget_removed_runs(self.db, activity.started_at, activity.distance_m)
            return None
        gone = removed_run(self.db, activity.started_at, activity.distance_m)
        if gone is None:
            return None
        return (
            f"same run as activity {gone['activity_id']} ({gone['started_at']}), "
            f"removed on {gone['removed_at'][:10]}"
        )

    def _keep_others(
        self,
        sessions: list[tuple[int, Activity, Activity, ExportFacts | None]],
        source_id: int,
        fmt: str,
    ) -> int:
        """Store a file's sessions that are not runs (strength, rides, walks): never counted
        toward a shoe or the running load; how many were kept."""
        kept = 0
        for index, _, activity, facts in sessions:
            if not activity.is_run and keeps(activity):
                external_id = facts.external_id if facts else None
                kept += store.add_other(self.db, activity, source_id, index, fmt, external_id)
        return kept

    def _worse_copy(
        self, activity: Activity, fmt: str, facts: ExportFacts | None
    ) -> dict[str, Any] | None:
        """The stored copy of this run that this file's copy betters, or None.

        Better is the device's FIT, then TCX, then GPX, then an export's figures alone; among
        equals, one that is not Apple Health's copy (SECOND_HAND), then more track points.
        Whatever order the files come in, the best copy stays.
        """
        if facts is not None and store.by_external_id(self.db, facts.external_id) is not None:
            return None  # the export knows this run already
        twin = store.same_run(self.db, activity.started_at, activity.distance_m)
        if twin is None:
            return None
        their_id = self.db.execute(
            "select external_id from activities where id = ?", [twin["id"]]
        ).fetchone()[0]
        ours = (COPY_RANK.get(fmt, 0), not _second_hand(facts and facts.external_id))
        theirs = (COPY_RANK.get(twin["format"], 0), not _second_hand(their_id))
        ours_points, their_points = len(activity.track), twin["points"] or 0
        return twin if (*ours, ours_points) > (*theirs, their_points) else None

    def _replace(
        self,
        twin: dict[str, Any],
        activity: Activity,
        source_id: int,
        index: int,
        fmt: str,
        hinted: bool,
        facts: ExportFacts | None,
    ) -> str:
        """Put this better copy's figures and track on the stored run, keeping its tags."""
        row = self.db.execute(
            "select shoe_id, surface, surface_source from activities where id = ?", [twin["id"]]
        ).fetchone()
        shoe_id, surface, surface_source = row
        if surface_source == SOURCE_MANUAL:
            part = SurfacePart(surface, SOURCE_MANUAL, activity.distance_m)
            split = SurfaceSplit((part,), surface, SOURCE_MANUAL)
        else:
            split = self._split(activity, shoe_id, self._rules(activity), hinted)
        store.replace_copy(self.db, twin["id"], activity, source_id, index, fmt, split)
        note = self._adopt(twin["id"], facts) if facts else ""
        return (
            f"a better copy of activity {twin['id']} ({fmt} over {twin['format']}): its "
            f"figures and track replace the stored ones, its shoe and surface tags stay{note}"
        )

    def _adopt(self, activity_id: int, facts: ExportFacts) -> str:
        """Give a stored run the export's id and shoe; a note when its shoe changed."""
        shoe_id = self.shoe_ids.get(facts.shoe) if facts.shoe and not self.tagging.shoe else None
        yielding = () if _second_hand(facts.external_id) else SECOND_HAND
        if not store.adopt_export(
            self.db, activity_id, shoe_id, facts.external_id, self.surfacer, yielding
        ):
            return ""
        name = self.db.execute("select name from shoes where id = ?", [shoe_id]).fetchone()[0]
        return f"; shoe set to {name} as the export says"

    def _facts_for(self, item: Item, started_at: datetime, count: int) -> ExportFacts | None:
        """What the export says about one activity of the item's file, if anything."""
        if item.summaries is not None:
            return item.summaries.match(started_at)
        if item.facts is not None and count == 1:
            return item.facts
        return None

    def _rules(self, activity: Activity) -> RuleChoice:
        """What the user's rules give the run (nothing without rules)."""
        surfacer = self.surfacer
        if not surfacer.rules:
            return NO_CHOICE
        return surfacer.choose(surfacer.facts(activity, activity.track))

    def _shoe(
        self, activity: Activity, item: Item, facts: ExportFacts | None, choice: RuleChoice
    ) -> tuple[int | None, str | None]:
        """The forced shoe; else for an export run the export's; else a rule's; else the default.

        An export run without a shoe in the export takes a rule's shoe, never the default.
        """
        if self.tagging.shoe is not None:
            return self.tagging.shoe["id"], "manual"
        if item.export:
            shoe_id = self.shoe_ids.get(facts.shoe) if facts and facts.shoe else None
            if shoe_id is not None:
                return shoe_id, "export"
        if choice.shoe_id is not None:
            return choice.shoe_id, "rule"
        if item.export:
            return None, None
        shoe = default_shoe(self.db, activity.sub_sport)
        return (shoe["id"], "default") if shoe else (None, None)

    def _split(
        self, activity: Activity, shoe_id: int | None, choice: RuleChoice, hinted: bool
    ) -> SurfaceSplit:
        """The run's distance by surface: the forced surface whole, else `Surfacer.split`.

        `hinted`: the sub-sport is the export's word (Trail Run), not the device's.
        """
        return self.surfacer.split(
            activity.distance_m,
            activity.track,
            sub_sport=activity.sub_sport,
            shoe_id=shoe_id,
            manual_surface=self.tagging.surface,
            rule_surface=choice.surface,
            hinted=hinted,
        )


def _second_hand(external_id: str | None) -> bool:
    """Whether a run's id says it is a copy an app keeps of other apps' runs (Apple Health)."""
    return bool(external_id) and external_id.startswith(SECOND_HAND)


def _with_plausible_climb(activity: Activity) -> Activity:
    """The activity with a climb no run has (inf, over 100 m per km) made unknown."""
    ascent = plausible_ascent_m(activity.ascent_m, activity.distance_m)
    return activity if ascent == activity.ascent_m else replace(activity, ascent_m=ascent)


def keeps(activity: Activity) -> bool:
    """Whether a session that is not a run is worth keeping: a known sport, a believable date
    (a file with no sport, like an Apple route alone, is not)."""
    if activity.sport in ("generic", "") or activity.started_at < EARLIEST_START:
        return False
    return implausible(activity) in (None, "no distance recorded")
