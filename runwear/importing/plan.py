"""What an import will do, worked out before it starts: every file and export entry, in order.

A path is a plain activity file, a folder of them, a zip of them, or an account export (a
Strava or Garmin Connect export, zipped or unpacked), recognised by its contents. The plan
lists one `Item` per file or export entry, and the shoes the exports bring.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from runwear.importing.results import ERROR, NOT_RUN, FileResult
from runwear.ingest.archive import (
    Container,
    FolderContainer,
    Member,
    file_fingerprint,
    is_zip_file,
    open_container,
    single_top_folder,
    walk,
)
from runwear.ingest.files import (
    EXPORT,
    LISTING,
    LISTINGS,
    OUTSIDE,
    UNREAD,
    SourceFile,
    find_sources,
    format_of,
    gunzip,
    outside_error,
    read_source,
)
from runwear.ingest.model import IngestError
from runwear.ingest.unread import HEAD_BYTES, unread_detail, unread_suffix, unread_type

if TYPE_CHECKING:  # the export readers load once a path is recognised as an export (or may be)
    from runwear.ingest.garmin import SummaryIndex
    from runwear.ingest.model import ExportFacts, ExportShoe

SUPPORTED = ".gpx, .fit and .tcx files, also gzipped (.gpx.gz, .fit.gz, .tcx.gz)"


@dataclass(slots=True)
class Item:
    """One file or export entry to import, and what is known of it before it is read."""

    name: str  # what the user sees: a path, or export.zip/activities/1.gpx.gz
    fmt: str | None = None  # gpx | fit | tcx for files
    gzipped: bool = False
    path: Path | None = None  # a file on disk ...
    member: tuple[Container, Member] | None = None  # ... or in a folder or archive
    export: str | None = None  # "strava" | "garmin" for items from an account export
    facts: ExportFacts | None = None  # what the export says (Strava: known before reading)
    summaries: SummaryIndex | None = None  # Garmin: the summaries to match a file against
    summary: bool = False  # a Garmin summary, imported only when no file brought its run
    missing: str = ""  # why an export's run has no file to read ("" when it never had one)
    outcome: FileResult | None = None  # decided without reading

    @property
    def has_file(self) -> bool:
        """True when there are bytes to read."""
        return self.path is not None or self.member is not None

    def fingerprint(self) -> str | None:
        """What tells the file's bytes without reading them (`runwear.store.fingerprints`)."""
        if self.path is not None:
            return file_fingerprint(self.path)
        if self.member is not None:
            container, member = self.member
            return container.fingerprint(member)
        return None

    def read(self, max_bytes: int) -> bytes:
        """The file's bytes, decompressed when gzipped; IngestError when unreadable."""
        if self.path is not None:
            return read_source(SourceFile(self.path, self.fmt, self.gzipped), max_bytes)
        assert self.member is not None
        container, member = self.member
        data = container.read(member, max_bytes)
        return gunzip(io.BytesIO(data), max_bytes) if self.gzipped else data


# Progress of a long read before the import starts: (name, bytes read, bytes in all, items).
Reading = Callable[[str, int, int, int], None]


@dataclass
class Plan:
    """Every item of an import in order, the shoes its exports bring, and what to close."""

    items: list[Item] = field(default_factory=list)
    shoes: list[ExportShoe] = field(default_factory=list)
    index_files: int = 0  # an export's own lists read (activities.csv, summaries JSON)
    on_reading: Reading | None = None  # told how far a long read is (export.xml)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (name, type): .hrm, .sml
    containers: list[Container] = field(default_factory=list)

    def close(self) -> None:
        """Close the archives the items read from."""
        for container in reversed(self.containers):
            container.close()
        self.containers.clear()


def build_plan(paths: Iterable[Path], max_bytes: int, on_reading: Reading | None = None) -> Plan:
    """The plan for importing `paths`, recognising exports by their contents; `on_reading`
    hears how far the reading of a large export file (Apple Health's export.xml) is."""
    plan = Plan(on_reading=on_reading)
    try:
        for path in paths:
            _add_path(plan, path, max_bytes)
    except BaseException:
        plan.close()
        raise
    return plan


def unsupported(name: str, suffixes: str) -> FileResult:
    """The error for a file runwear has no reader for."""
    kind = unread_suffix(name)
    if kind is not None:
        return FileResult(name, ERROR, unread_detail(kind))
    return FileResult(
        name,
        ERROR,
        f"unsupported file type {suffixes or '(no extension)'}. runwear reads {SUPPORTED}, "
        "and Strava or Garmin Connect export .zip files",
    )


def _add_path(plan: Plan, path: Path, max_bytes: int, top: bool = True) -> None:
    """The items for one path named by the user (`top`), or a zip met in a folder."""
    name = str(path)
    try:
        missing = not path.exists() and not path.is_symlink()
    except OSError as exc:  # in a folder this user may not enter
        why = f"cannot read it ({exc.strerror}). Check the folder's permissions"
        plan.items.append(Item(name, outcome=FileResult(name, ERROR, why)))
        return
    if missing:
        why = "does not exist. Check the path (quote it if it holds spaces)"
        plan.items.append(Item(name, outcome=FileResult(name, ERROR, why)))
        return
    if path.is_file() and path.name.lower() in LISTINGS:
        plan.items.append(Item(name, outcome=_listing(path)))
        return
    before, unread = len(plan.items), len(plan.unread)
    _add_contents(plan, path, max_bytes)
    found = len(plan.items) > before or len(plan.unread) > unread  # unread: said in the summary
    if top and not found and (path.is_dir() or is_zip_file(path)):
        why = (
            f"nothing runwear can import here. It looked for {SUPPORTED}, zips of them, and "
            "Strava or Garmin Connect exports"
        )
        plan.items.append(Item(name, outcome=FileResult(name, ERROR, why)))


def _listing(path: Path) -> FileResult:
    """The line for an export's activity list found without its export around it."""
    from runwear.ingest import strava

    try:
        with path.open("rb") as stream:
            kind = strava.header_kind(stream.read(strava.HEADER_BYTES).split(b"\n", 1)[0])
    except OSError as exc:
        return FileResult(str(path), ERROR, f"cannot read the file ({exc.strerror or exc})")
    if kind == "garmin_list":
        return FileResult(str(path), ERROR, strava.GARMIN_LIST)
    if kind in ("strava", "strava_old"):
        why = (
            "the list of a Strava export's activities: import the folder that holds it "
            f"(runwear import {path.parent}), so its files and shoes come with it"
        )
    else:
        why = (
            "a CSV file that is not a Strava export's activities.csv (its header is not "
            "Strava's), so it is not read. Import the export's folder or zip as downloaded"
        )
    return FileResult(str(path), ERROR, why)


def _is_export_folder(folder: Path) -> bool:
    """Whether a folder met on a walk holds an account export at its top."""
    if _only_activity_files(folder):
        return False
    return _export_kind(FolderContainer(folder, str(folder)), look_inside=False) is not None


def _only_activity_files(folder: Path) -> bool:
    """Whether the folder holds nothing but activity files (.gpx, .fit, .tcx, gzipped or not;
    hidden files aside) and no folder. Every export is recognised by a file of another name
    (activities.csv, export.xml, *.json) or a folder of its own, so such a folder is none,
    and the export readers need not be imported to tell."""
    try:
        with os.scandir(folder) as entries:
            return all(
                (e.name.startswith(".") or format_of(e.name)[0] is not None) and e.is_file()
                for e in entries
            )
    except OSError:
        return False  # the full look says what is wrong


def _add_contents(plan: Plan, path: Path, max_bytes: int) -> None:
    """The items for a file, a folder or a zip: an export read as one, else its files."""
    container: Container | None = None
    if path.is_dir() or (path.is_file() and is_zip_file(path)):
        try:
            container = open_container(path)
        except IngestError as exc:
            plan.items.append(Item(str(path), outcome=FileResult(str(path), ERROR, str(exc))))
            return
        plan.containers.append(container)
    plain = path.is_dir() and _only_activity_files(path)
    kind = _export_kind(container) if container is not None and not plain else None
    if kind == "strava":
        assert container is not None
        _add_strava(plan, container, max_bytes)
    elif kind == "garmin":
        assert container is not None
        _add_garmin(plan, container, max_bytes)
    elif kind in SOURCE_ADDERS:
        assert container is not None
        SOURCE_ADDERS[kind](plan, container, max_bytes)
    elif container is not None and not path.is_dir():
        for found in walk(container):  # zips inside, up to MAX_ZIP_DEPTH
            name = found.name
            if found.error is not None:
                plan.items.append(Item(name, outcome=FileResult(name, ERROR, str(found.error))))
                continue
            fmt, gzipped = format_of(found.member.path)
            if fmt is not None:
                plan.items.append(Item(name, fmt, gzipped, member=(found.holder, found.member)))
            elif kind := unread_type(name, lambda f=found: _member_head(f.holder, f.member)):
                plan.unread.append((name, kind))
    else:
        is_export = _is_export_folder if path.is_dir() else None
        for source in find_sources([path], is_export):
            name = str(source.path)
            if source.format == EXPORT or (
                source.format is None and path.is_dir() and is_zip_file(source.path)
            ):
                _add_path(plan, source.path, max_bytes, top=False)  # read it in place
            elif source.format == LISTING:
                plan.items.append(Item(name, outcome=_listing(source.path)))
            elif source.format == UNREAD:
                assert source.unread is not None
                plan.unread.append((name, source.unread))
            elif source.format == OUTSIDE:
                why = str(outside_error())
                plan.items.append(Item(name, outcome=FileResult(name, ERROR, why)))
            elif source.format is None:
                suffixes = "".join(source.path.suffixes)
                plan.items.append(Item(name, outcome=unsupported(name, suffixes)))
            else:
                plan.items.append(Item(name, source.format, source.gzipped, path=source.path))


def _member_head(container: Container, member: Member) -> bytes:
    """The first bytes of a file in a folder or archive (b"" when it cannot be read)."""
    try:
        with container.open(member) as stream:
            return stream.read(HEAD_BYTES)
    except IngestError:
        return b""


def _export_kind(container: Container, look_inside: bool = True) -> str | None:
    """Which account export the container holds (strava, garmin; maybe in a top folder)."""
    from runwear.ingest import garmin, strava

    for prefix in ("", single_top_folder(container) if look_inside else None):
        if prefix is None:
            continue
        container.prefix = prefix
        if strava.is_strava_export(container):
            return "strava"
        if garmin.is_garmin_export(container):
            return "garmin"
        for kind, recognise in _source_kinds():
            if recognise(container):
                return kind
    container.prefix = ""
    return None


def _add_strava(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Strava export: one item per activities.csv row, and the shoes of shoes.csv."""
    from runwear.ingest import strava

    csv_member = container.find(strava.ACTIVITIES_CSV)
    assert csv_member is not None
    csv_name = container.name_of(csv_member)
    try:
        rows = strava.read_activities(container.read(csv_member, max_bytes))
        shoes_member = container.find(strava.SHOES_CSV)
        listed = strava.read_shoes(container.read(shoes_member, max_bytes)) if shoes_member else []
    except IngestError as exc:
        plan.items.append(Item(csv_name, outcome=FileResult(csv_name, ERROR, str(exc))))
        return
    plan.index_files += 1 + bool(shoes_member)
    gear = strava.GearIndex(listed)
    shoes = {s.external_id: s for s in (shoe.export_shoe() for shoe in listed)}
    for row in rows:
        entry_name = f"{csv_name} line {row.line}"
        member = container.find(row.filename) if row.filename else None
        name = container.name_of(member) if member else entry_name
        if row.error:
            plan.items.append(
                Item(name, outcome=FileResult(name, ERROR, f"{row.error}. Check activities.csv"))
            )
            continue
        facts = row.facts
        if facts.sport is not None and not facts.is_run:
            # Kept from its figures (Weight Training, Yoga, Ride): its file is not read.
            plan.items.append(Item(name, export="strava", facts=facts))
            continue
        if row.gear:
            found = gear.find(row.gear)
            shoe = found.export_shoe() if found else strava.gear_shoe(row.gear)
            shoes.setdefault(shoe.external_id, shoe)
            facts = replace(facts, shoe=shoe.external_id)
        item = Item(name, export="strava", facts=facts)
        if member is not None:
            item.fmt, item.gzipped = format_of(member.path)
            if item.fmt is None:
                item.outcome = unsupported(name, "".join(Path(member.path).suffixes))
            item.member = (container, member)
        elif row.filename:
            item.missing = f"{row.filename} is listed in activities.csv but not in the export"
        plan.items.append(item)
    plan.shoes.extend(shoes.values())


def _add_garmin(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Garmin Connect export: the FIT files of its nested zips, then the summaries' runs.

    A JSON file that cannot be read gets its line; the export's FIT files are imported all
    the same (without what that file would have said of them).
    """
    from runwear.ingest import garmin

    facts: list[ExportFacts] = []
    names: dict[str, str] = {}  # external id -> the summary file listing it
    gear = garmin.GarminGear((), {})
    gear_members = garmin.gear_files(container)
    plan.index_files += len(gear_members)
    try:
        gear = garmin.read_gear(container.read(m, max_bytes) for m in gear_members)
    except IngestError as exc:
        name = container.name_of(gear_members[0])
        plan.items.append(Item(name, outcome=FileResult(name, ERROR, str(exc))))
    for member in garmin.summary_files(container):
        plan.index_files += 1
        fitness = container.name_of(member)
        try:
            with container.open(member) as stream:
                summaries = list(garmin.read_summaries(stream, gear))
        except IngestError as exc:
            plan.items.append(Item(fitness, outcome=FileResult(fitness, ERROR, str(exc))))
            continue
        for summary in summaries:
            facts.append(summary)
            if summary.is_run:
                names[summary.external_id] = fitness
    plan.shoes.extend(gear.shoes)
    index = garmin.SummaryIndex(facts)
    for member in container.members():
        if not member.path.startswith(garmin.UPLOADS):
            continue
        if member.path.lower().endswith(".zip"):
            try:
                inner = container.open_zip(member)
            except IngestError as exc:
                name = container.name_of(member)
                plan.items.append(Item(name, outcome=FileResult(name, ERROR, str(exc))))
                continue
            plan.containers.append(inner)
            sources = [(inner, m) for m in inner.members()]
        else:
            sources = [(container, member)]
        for holder, file in sources:
            fmt, gzipped = format_of(file.path)
            if fmt is not None:
                plan.items.append(
                    Item(
                        holder.name_of(file),
                        fmt,
                        gzipped,
                        member=(holder, file),
                        export="garmin",
                        summaries=index,
                    )
                )
    for summary in index:
        if summary.is_run:
            plan.items.append(
                Item(
                    f"{names[summary.external_id]} activity "
                    f"{summary.external_id.partition(':')[2]}",
                    export="garmin",
                    facts=summary,
                    summary=True,
                    missing="" if summary.manual else "no file for it in the export",
                )
            )


# -- Apple Health, Runkeeper, Polar Flow, Fitbit, Google Takeout (Fit) -------------------


def _source_kinds() -> tuple[tuple[str, Callable[[Container], bool]], ...]:
    """Each kind's recogniser, in the order they are tried (after Strava and Garmin)."""
    from runwear.ingest import apple_health, fitbit, google_fit, polar, runkeeper

    return (
        ("apple_health", apple_health.is_apple_health),
        ("runkeeper", runkeeper.is_runkeeper_export),
        ("polar", polar.is_polar_export),
        ("fitbit", fitbit.is_fitbit_export),
        ("google_fit", google_fit.is_google_fit_export),
    )


def _add_apple_health(plan: Plan, container: Container, max_bytes: int) -> None:
    """An Apple Health export: one item per workout, a run's route GPX read as its file."""
    from runwear.ingest import apple_health

    xml = apple_health.export_xml(container)
    assert xml is not None
    xml_name = container.name_of(xml)
    plan.index_files += 1
    named: set[str] = set()
    size = container.size(xml) or 0
    workouts = 0

    def on_bytes(read_bytes: int) -> None:
        if plan.on_reading is not None:
            plan.on_reading(xml_name, read_bytes, max(size, read_bytes), workouts)

    try:
        with container.open(xml) as stream:
            for workout in apple_health.read_workouts(stream, xml, on_bytes):
                workouts += 1
                facts = workout.facts
                route = container.find(workout.route) if workout.route else None
                name = (
                    container.name_of(route)
                    if route
                    else (f"{xml_name} workout {facts.external_id.partition(':')[2]}")
                )
                if workout.route:
                    named.add(workout.route)
                if not facts.is_run:
                    result = FileResult(
                        name, NOT_RUN, f"not a run ({facts.label})", entry=True, routine=True
                    )
                    plan.items.append(Item(name, outcome=result))
                elif route is not None:
                    plan.items.append(
                        Item(
                            name,
                            "gpx",
                            member=(container, route),
                            export="apple_health",
                            facts=facts,
                        )
                    )
                else:
                    plan.items.append(_facts_item(name, "apple_health", facts))
    except IngestError as exc:
        plan.items.append(Item(xml_name, outcome=FileResult(xml_name, ERROR, str(exc))))
        return
    unnamed = [m for m in apple_health.route_files(container, xml) if m.path not in named]
    if unnamed:
        folder = container.name_of(Member(unnamed[0].path.rpartition("/")[0]))
        count = f"{len(unnamed)} route file{'s' if len(unnamed) != 1 else ''}"
        why = f"{count} that no workout names: skipped (routes are read through their workout)"
        plan.items.append(Item(folder, outcome=FileResult(folder, NOT_RUN, why, routine=True)))


def _add_runkeeper(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Runkeeper export: one item per cardioActivities.csv row, its GPX as the file."""
    from runwear.ingest import runkeeper

    csv_name = container.name_of(Member(runkeeper.ACTIVITIES_CSV))
    plan.index_files += 1
    try:
        rows = list(runkeeper.read_activities(container, max_bytes))
    except IngestError as exc:
        plan.items.append(Item(csv_name, outcome=FileResult(csv_name, ERROR, str(exc))))
        return
    for row in rows:
        name = container.name_of(row.gpx) if row.gpx else f"{csv_name} line {row.line}"
        facts = row.facts
        if row.error:
            why = f"{row.error}. Check cardioActivities.csv"
            plan.items.append(Item(name, outcome=FileResult(name, ERROR, why)))
        elif not facts.is_run:
            result = FileResult(
                name, NOT_RUN, f"not a run ({facts.label})", entry=True, routine=True
            )
            plan.items.append(Item(name, outcome=result))
        elif row.gpx is not None:
            plan.items.append(
                Item(name, "gpx", member=(container, row.gpx), export="runkeeper", facts=facts)
            )
        else:
            if row.gpx_name:
                facts = replace(facts, manual=False)
            plan.items.append(_facts_item(name, "runkeeper", facts))


def _add_polar(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Polar Flow export: one item per training-session JSON; a run with a recorded route
    is read again as a file (its track), one without is stored from its figures."""
    from runwear.ingest import polar

    for member in polar.session_files(container):
        name = container.name_of(member)
        try:
            session = polar.read_session(container.read(member, max_bytes), member.path)
        except IngestError as exc:
            plan.index_files += 1
            plan.items.append(Item(name, outcome=FileResult(name, ERROR, str(exc))))
            continue
        if session.facts.is_run and session.track:  # the file is counted by its result
            item = Item(name, "polar", member=(container, member), export="polar")
            plan.items.append(replace(item, facts=session.facts))
            continue
        plan.index_files += 1
        if not session.facts.is_run:
            why = f"not a run ({session.facts.label})"
            result = FileResult(name, NOT_RUN, why, routine=True)
            plan.items.append(Item(name, outcome=result))
        else:
            plan.items.append(_facts_item(name, "polar", session.facts))


def _add_fitbit(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Fitbit export: one item per exercise of its exercise-*.json files."""
    from runwear.ingest import fitbit, google_fit

    for member in fitbit.exercise_files(container):
        plan.index_files += 1
        file_name = container.name_of(member)
        try:
            read = fitbit.read_exercises(container.read(member, max_bytes))
        except IngestError as exc:
            plan.items.append(Item(file_name, outcome=FileResult(file_name, ERROR, str(exc))))
            continue
        for why in read.skipped:
            result = FileResult(file_name, ERROR, f"{why}. Check the Fitbit export")
            plan.items.append(Item(file_name, outcome=result))
        for facts in read.exercises:
            name = f"{file_name} exercise {facts.external_id.partition(':')[2]}"
            if not facts.is_run:
                result = FileResult(
                    name, NOT_RUN, f"not a run ({facts.label})", entry=True, routine=True
                )
                plan.items.append(Item(name, outcome=result))
            else:
                plan.items.append(_facts_item(name, "fitbit", facts))
    if google_fit.is_google_fit_export(container):  # one Takeout holding both
        _add_google_fit(plan, container, max_bytes)


def _add_google_fit(plan: Plan, container: Container, max_bytes: int) -> None:
    """A Google Takeout with Fit activities: its TCX files, read as any TCX file."""
    from runwear.ingest import google_fit

    for member in google_fit.activity_files(container):
        plan.items.append(Item(container.name_of(member), "tcx", member=(container, member)))


def _facts_item(name: str, kind: str, facts: ExportFacts) -> Item:
    """A run known only from an export's figures (no file to read for it)."""
    return Item(name, export=kind, facts=facts)


SOURCE_ADDERS = {
    "apple_health": _add_apple_health,
    "runkeeper": _add_runkeeper,
    "polar": _add_polar,
    "fitbit": _add_fitbit,
    "google_fit": _add_google_fit,
}
